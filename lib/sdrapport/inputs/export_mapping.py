"""Export mappings: a case-system export read as it comes out of the system, without editing it.

A gemeente's case system (Suite4Sociaal Domein, GWS4all, Mens Centraal, an Excel list, ...) writes
its own column names, codes, date format and encoding. One file per export under params/bronnen/
says how to read it (docs/data-contract.md, "Export mappings"):

    soort: voorzieningen                 # the kind of registration
    bestanden: [jeugd-export*.csv]       # which files under data/registraties/ (name patterns)
    codering: auto                       # auto | utf-8 | windows-1252
    scheidingsteken: auto                # auto | ";" | "," | tab | "|"
    datumformaat: auto                   # auto | jjjj-mm-dd | dd-mm-jjjj | dd/mm/jjjj | jjjjmmdd
    kolommen: {id: Beschikkingnummer, client: BSN, startdatum: Ingangsdatum}   # contract column: header
    vast: {gemeente: GM0402, wet: jeugd} # one value for every row of the file
    codelijsten: [ijw-3.2]               # params/bronnen/codelijsten/<naam>.yml (iStandaarden)
    waarden: {verwijzer: {Wijkteam: gemeente}}   # the export's own codes -> contract values
    zwaarte_per_categorie: {"43": zwaar, "45": licht}   # zwaarte when the export has none

Codelists (params/bronnen/codelijsten/) translate the iStandaarden codes (iJw, iWmo) of
verwijzer, productcategorie and reden beëindiging into the contract's values; each list names its
standard and version. Translation is case-insensitive, ignores surrounding and repeated spaces,
and reads a numeric code with or without leading zeros (Excel turns 01 into 1). A value no list
knows is left as it is and then checked by the contract (registraties.py), so a typo is still
reported with file, row and column.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sdrapport.inputs.contract import CsvOptions
from sdrapport.inputs.params import BRON, CODELIJST, ParamsError, display, load_params, problem_at

FOLDER = "bronnen"
CODELIST_FOLDER = "codelijsten"
DATE_FORMATS = {"auto": None, "jjjj-mm-dd": "%Y-%m-%d", "dd-mm-jjjj": "%d-%m-%Y", "dd/mm/jjjj": "%d/%m/%Y", "jjjjmmdd": "%Y%m%d"}
# Contract columns a value map may translate (identifiers and dates are never translated).
TRANSLATABLE = {"gemeente", "wet", "categorie", "product", "zwaarte", "verwijzer", "reden_einde", "uitkomst", "norm", "gegrond"}


def norm(value) -> str:
    """A code as it is compared: lower case, single spaces, no surrounding space."""
    return " ".join(str(value).split()).lower()


def code_keys(value) -> list[str]:
    """The keys under which a code is found: itself, and for a number also without leading zeros."""
    key = norm(value)
    keys = [key]
    if key.isdigit():
        keys.append(key.lstrip("0") or "0")
    return keys


@dataclass
class ValueMap:
    """One translation of a contract column: code or description -> contract value, for every row
    or only the rows of one wet."""

    column: str
    values: dict[str, str]
    wet: str | None = None  # 'wmo' / 'jeugd' / 'pw': only rows of this wet (a code means something else per wet)
    source: str = ""  # where the map comes from, for messages

    @classmethod
    def build(cls, column: str, pairs: dict, wet: str | None = None, source: str = "") -> ValueMap:
        values = {}
        for k, v in pairs.items():
            for key in code_keys(k):
                values[key] = "" if v is None else str(v)
        return cls(column, values, wet, source)

    def apply(self, values: pd.Series, mask: pd.Series | None = None) -> pd.Series:
        codes, uniques = pd.factorize(values, sort=False)  # once per distinct value
        keys = pd.Series(np.array([norm(u) for u in uniques] + [""], dtype=object)[codes], index=values.index)
        found = keys.map(self.values)
        digits = keys.str.fullmatch(r"\d+").fillna(False).astype(bool)
        if digits.any():  # '1' or '001' for the code '01'
            stripped = keys.str.lstrip("0").where(lambda s: s != "", "0")
            found = found.where(found.notna() | ~digits, stripped.map(self.values))
        hit = found.notna() if mask is None else found.notna() & mask
        return values.where(~hit, found)


@dataclass
class Codelist:
    """params/bronnen/codelijsten/<naam>.yml: the code lists of one standard and version."""

    naam: str
    path: Path
    standaard: str
    maps: list[ValueMap]


@dataclass
class ExportMapping:
    """params/bronnen/<naam>.yml: how one case-system export is read."""

    path: Path
    soort: str
    bestanden: list[str]
    codering: str = "auto"
    scheidingsteken: str = "auto"
    datumformaat: str = "auto"
    kolommen: dict[str, str] = field(default_factory=dict)
    vast: dict[str, str] = field(default_factory=dict)
    codelijsten: list[Codelist] = field(default_factory=list)
    waarden: list[ValueMap] = field(default_factory=list)
    zwaarte_per_categorie: dict[str, str] = field(default_factory=dict)
    zwaarte_per_product: dict[str, str] = field(default_factory=dict)

    @property
    def naam(self) -> str:
        return display(self.path)

    @property
    def standaarden(self) -> list[str]:
        return [c.standaard for c in self.codelijsten]

    def matches(self, filename: str) -> bool:
        return any(fnmatch.fnmatch(filename.lower(), pattern.lower()) for pattern in self.bestanden)

    def options(self) -> CsvOptions:
        return CsvOptions(encoding=self.codering, separator=self.scheidingsteken, columns=dict(self.kolommen),
                          fixed=dict(self.vast), extra=True, source=self.naam)

    @property
    def date_format(self) -> str | None:
        return DATE_FORMATS[self.datumformaat]

    def value_maps(self) -> list[ValueMap]:
        """The codelists in the order given, then the mapping's own values (which win)."""
        return [m for c in self.codelijsten for m in c.maps] + list(self.waarden)

    def translate(self, frame: pd.DataFrame, wet_of: callable) -> pd.DataFrame:
        """The frame with codes translated into contract values (in place of the export's codes).
        `wet_of` gives the normalised wet of each row ('wmo' / 'jeugd' / 'pw' or None), for
        lists that hold for one wet only. zwaarte is derived from categorie or product where the
        export gives none."""
        raw_categorie = frame["categorie"].copy() if "categorie" in frame else None
        raw_product = frame["product"].copy() if "product" in frame else None
        for vm in self.value_maps():
            if vm.column not in frame:
                continue
            mask = None if vm.wet is None else (wet_of(frame) == vm.wet)
            frame[vm.column] = vm.apply(frame[vm.column], mask)
        if self.zwaarte_per_categorie or self.zwaarte_per_product:
            if "zwaarte" not in frame:
                frame["zwaarte"] = ""
            empty = frame["zwaarte"] == ""
            for table, raw, now in ((self.zwaarte_per_product, raw_product, frame.get("product")),
                                    (self.zwaarte_per_categorie, raw_categorie, frame.get("categorie"))):
                if not table or raw is None:
                    continue
                vm = ValueMap.build("zwaarte", table)
                for source in (raw, now):
                    derived = vm.apply(source)
                    hit = empty & (derived != source)
                    frame.loc[hit, "zwaarte"] = derived[hit]
                    empty = frame["zwaarte"] == ""
        return frame


# -- loading ----------------------------------------------------------------------------------------
def load_codelist(path: Path) -> Codelist:
    raw = load_params(path, CODELIJST) or {}
    maps = []
    for code, lijst in (raw.get("lijsten") or {}).items():
        pairs = {}
        for key, entry in (lijst.get("codes") or {}).items():
            if isinstance(entry, dict):
                pairs[key] = entry.get("waarde")
                if entry.get("omschrijving"):
                    pairs[entry["omschrijving"]] = entry.get("waarde")
            else:
                pairs[key] = entry
        for alias, target in (lijst.get("synoniemen") or {}).items():
            pairs[alias] = target
        maps.append(ValueMap.build(str(lijst["kolom"]), pairs, lijst.get("wet"), f"{display(path)} ({code})"))
    return Codelist(path.stem, path, str(raw["standaard"]), maps)


def load_mapping(path: Path, codelists: dict[str, Codelist], soorten: dict) -> ExportMapping:
    """One export mapping, its schema and what the schema cannot see: codelists that exist,
    contract columns of the kind, a column not both fixed and read."""
    raw = load_params(path, BRON) or {}
    soort = raw["soort"]
    columns = set(soorten[soort].columns)
    problems = []
    for key in ("kolommen", "vast", "waarden"):
        for col in (raw.get(key) or {}):
            if col not in columns:
                problems.append(problem_at(path, (key, col), f"{col!r} is geen kolom van {soort}; kies uit {', '.join(soorten[soort].columns)}",
                                           at_key=True))
            elif key == "waarden" and col not in TRANSLATABLE:
                problems.append(problem_at(path, (key, col), f"de waarden van {col!r} worden niet vertaald (alleen codes: "
                                           + ", ".join(sorted(TRANSLATABLE & columns)) + ")", at_key=True))
    for col in set(raw.get("kolommen") or {}) & set(raw.get("vast") or {}):
        problems.append(problem_at(path, ("vast", col), f"{col!r} staat zowel onder kolommen als onder vast; kies één van beide", at_key=True))
    used = []
    for i, name in enumerate(raw.get("codelijsten") or []):
        if name not in codelists:
            problems.append(problem_at(path, ("codelijsten", i), f"codelijst {name!r} bestaat niet in params/{FOLDER}/{CODELIST_FOLDER}/; "
                                       f"kies uit {', '.join(sorted(codelists)) or 'geen'}"))
        else:
            used.append(codelists[name])
    for col in ("zwaarte_per_categorie", "zwaarte_per_product"):
        if raw.get(col) and "zwaarte" not in columns:
            problems.append(problem_at(path, (col,), f"{soort} kent geen zwaarte", at_key=True))
    if problems:
        raise ParamsError(problems)
    waarden = [ValueMap.build(col, pairs or {}, None, display(path)) for col, pairs in (raw.get("waarden") or {}).items()]
    return ExportMapping(
        path=path, soort=soort, bestanden=[str(b) for b in raw["bestanden"]],
        codering=raw.get("codering") or "auto", scheidingsteken=raw.get("scheidingsteken") or "auto",
        datumformaat=raw.get("datumformaat") or "auto",
        kolommen={str(k): str(v) for k, v in (raw.get("kolommen") or {}).items()},
        vast={str(k): str(v) for k, v in (raw.get("vast") or {}).items()},
        codelijsten=used, waarden=waarden,
        zwaarte_per_categorie={str(k): str(v) for k, v in (raw.get("zwaarte_per_categorie") or {}).items()},
        zwaarte_per_product={str(k): str(v) for k, v in (raw.get("zwaarte_per_product") or {}).items()},
    )


def load_mappings(params: Path, soorten: dict) -> list[ExportMapping]:
    """Every export mapping under params/bronnen/ (all problems of all files together)."""
    folder = Path(params) / FOLDER
    if not folder.is_dir():
        return []
    errors: list[ParamsError] = []
    codelists = {}
    for path in sorted((folder / CODELIST_FOLDER).glob("*.yml")):
        try:
            codelists[path.stem] = load_codelist(path)
        except ParamsError as exc:
            errors.append(exc)
    out = []
    for path in sorted(folder.glob("*.yml")):
        try:
            out.append(load_mapping(path, codelists, soorten))
        except ParamsError as exc:
            errors.append(exc)
    if errors:
        raise ParamsError([p for e in errors for p in e.problems])
    return out


def mapping_for(filename: str, mappings: list[ExportMapping]) -> ExportMapping | None:
    """The mapping whose file patterns match a file name; ParamsError when more than one does."""
    hits = [m for m in mappings if m.matches(filename)]
    if len(hits) > 1:
        raise ParamsError([problem_at(m.path, ("bestanden",), f"het bestand {filename} past bij meer dan één mapping "
                                      f"({', '.join(h.naam for h in hits)}); maak de patronen onder 'bestanden' specifieker")
                           for m in hits[:1]])
    return hits[0] if hits else None
