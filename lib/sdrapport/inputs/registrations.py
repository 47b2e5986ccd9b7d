"""Record-level registrations: the gemeente's own case exports, read, checked and pseudonymised.

data/registraties/ holds exports of four kinds, each a CSV (UTF-8, comma or semicolon) or Parquet
file whose name starts with the kind: voorzieningen*.csv, aanvragen*.csv, uitkeringen*.csv and
klachten*.csv (docs/data-contract.md, "Registraties"). Every row names its gemeente.

Nothing record-level leaves this module and `definities`: identifiers are replaced by a keyed hash
as soon as a file is read, error messages name file, row and column but never echo an
identifier, and only disclosure-controlled aggregates are stored.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as pa_arrow
import pyarrow.compute as pc

from sdrapport.inputs.contract import GEMEENTE_CODE, _display, _problems, read_table_chunks
from sdrapport.errors import ContractError, Problem
from sdrapport.inputs.params import REGISTRATIES, ParamsError, load_params, problem_at

FOLDER = "registraties"
CONFIG = "registraties.yml"
KEY_ENV = "SDRAPPORT_SLEUTEL"
OPEN_END = ("9999-12-31", "31-12-9999", "31/12/9999", "99991231")  # what case systems write for 'no end date'
EARLIEST, LATEST = dt.date(1990, 1, 1), dt.date(2100, 1, 1)

# Code lists: the code (or its label, in any case) is accepted; the label is what reports show.
WETTEN = {"wmo": "Wmo", "jeugd": "Jeugdwet", "pw": "Participatiewet"}
ZWAARTE = {"licht": "licht", "middel": "middel", "zwaar": "zwaar"}
VERWIJZERS = {
    "gemeente": "Gemeente", "huisarts": "Huisarts", "jeugdarts": "Jeugdarts",
    "gecertificeerde_instelling": "Gecertificeerde instelling", "medisch_specialist": "Medisch specialist",
    "rechter": "Rechter of officier van justitie", "geen": "Geen verwijzer", "overig": "Overig", "onbekend": "Onbekend",
}
# Other names for the same codes, as case systems and the iStandaarden write them (the iStandaarden
# codes themselves are in the codelists of params/bronnen/codelijsten/).
SYNONIEMEN = {
    "wet": {"wmo 2015": "wmo", "wet maatschappelijke ondersteuning": "wmo", "jw": "jeugd", "participatiewet": "pw",
            "p-wet": "pw"},
    "verwijzer": {"gemeentelijke toegang": "gemeente", "wijkteam": "gemeente", "sociaal wijkteam": "gemeente",
                  "zelfverwijzer": "geen", "zelfverwijzer/geen verwijzer": "geen", "zelfverwijzer / geen verwijzer": "geen",
                  "verwijzer onbekend": "onbekend",
                  "rechter, raad voor de kinderbescherming of officier van justitie": "rechter",
                  "rechter, officier van justitie, functionaris justitiële jeugdinrichting": "rechter"},
}
UITKOMSTEN = {"toegekend": "Toegekend", "afgewezen": "Afgewezen", "buiten_behandeling": "Buiten behandeling",
              "ingetrokken": "Ingetrokken"}
REDENEN = {"werk": "Werk", "verhuizing": "Verhuizing", "ander_inkomen": "Ander inkomen", "overlijden": "Overlijden",
           "detentie": "Detentie", "overig": "Overig"}
NORMEN = {
    "bejegening": "Bejegening", "voortvarendheid": "Voortvarendheid", "informatievoorziening": "Informatievoorziening",
    "administratieve_zorgvuldigheid": "Administratieve zorgvuldigheid", "rechtszekerheid": "Rechtszekerheid",
    "overig": "Overig",
}
GEGROND = {"ja": "ja", "deels": "deels", "nee": "nee"}
FINANCIERING = {"zin": "zin", "pgb": "pgb"}  # zorg in natura or a persoonsgebonden budget
# Why a provision ended, per wet: the reasons of the catalogue's wmo_trajecten_beeindigd and
# jeugd_trajecten_beeindigd (GMSD Wmo; CBS Beleidsinformatie Jeugd). The iWmo and iJw codes are
# translated into these by the codelists in params/bronnen/codelijsten/.
REDENEN_EINDE_VOORZIENING = {
    "wmo": ("Overlijden", "Levering volgens plan beëindigd", "Verhuizing naar andere gemeente", "Eenzijdig door cliënt",
            "Eenzijdig door aanbieder", "Voortijdig in overeenstemming", "Overig/onbekend"),
    "jeugd": ("Beëindigd volgens plan", "In overeenstemming", "Eenzijdig door cliënt", "Eenzijdig door aanbieder",
              "Externe omstandigheden", "Overig"),
}

# Which record kind feeds which indicator, and which wet (for voorzieningen).
BRON_SOORT = {
    "wmo_clienten": ("voorzieningen", "wmo"), "jeugd_jongeren": ("voorzieningen", "jeugd"),
    "jeugd_pgb": ("voorzieningen", "jeugd"), "jeugd_voorzieningen": ("voorzieningen", "jeugd"),
    "reintegratie": ("voorzieningen", "pw"), "wmo_stapeling": ("voorzieningen", "wmo"),
    "wmo_trajecten_beeindigd": ("voorzieningen", "wmo"), "jeugd_trajecten_beeindigd": ("voorzieningen", "jeugd"),
    "bijstand_personen": ("uitkeringen", None), "bijstand_huishoudens": ("uitkeringen", None),
    "bijstand_instroom": ("uitkeringen", None), "bijstand_uitstroom": ("uitkeringen", None),
    "aanvragen_beslist": ("aanvragen", None), "aanvragen_tijdig": ("aanvragen", None),
    "klachten": ("klachten", None), "klachten_afgehandeld": ("klachten", None), "klachten_gegrond": ("klachten", None),
}
# The indicators counted by a provision's reason of ending (definition beeindigd/1): only for
# exports that carry a reason (column reden_einde).
BEEINDIGD_INDICATOREN = ("wmo_trajecten_beeindigd", "jeugd_trajecten_beeindigd")


@dataclass(frozen=True)
class Soort:
    """One kind of export: its columns and which of them identify a person or a record."""

    naam: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    identifiers: tuple[str, ...]  # pseudonymised at ingest
    dates: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


SOORTEN = {
    s.naam: s for s in (
        Soort("voorzieningen", ("id", "client", "gemeente", "wet", "categorie", "startdatum"),
              ("product", "zwaarte", "verwijzer", "financiering", "einddatum", "reden_einde"), ("id", "client"), ("startdatum", "einddatum")),
        Soort("aanvragen", ("id", "gemeente", "wet", "datum_ontvangst"), ("datum_besluit", "uitkomst"),
              ("id",), ("datum_ontvangst", "datum_besluit")),
        Soort("uitkeringen", ("id", "client", "gemeente", "startdatum"), ("huishouden", "einddatum", "reden_einde"),
              ("id", "client", "huishouden"), ("startdatum", "einddatum")),
        Soort("klachten", ("id", "gemeente", "datum", "norm"), ("gegrond",), ("id",), ("datum",)),
    )
}

# Messages never repeat the cell's value: in a record-level export a shifted row can put a client
# number or BSN in any column, and these messages end up in logs.
MESSAGES = {
    "leeg": "lege cel; deze kolom is verplicht",
    "gm_formaat": "geen gemeentecode; verwacht GM gevolgd door 4 cijfers, bijvoorbeeld GM0505",
    "gm_onbekend": "gemeente staat niet in data/gemeenten.csv; voeg haar toe of corrigeer de code",
    "datum": "geen datum; verwacht JJJJ-MM-DD, DD-MM-JJJJ, DD/MM/JJJJ of JJJJMMDD, bijvoorbeeld 2021-01-31",
    "datum_bereik": "datum valt buiten 1990-2099; controleer het jaar",
    "datum_toekomst": "datum ligt na vandaag; een export bevat alleen wat al gebeurd is. Controleer het jaar, of haal "
    "een geplande voorziening die nog niet begonnen is uit de export",
    "wet": "onbekende wet; verwacht " + ", ".join(WETTEN),
    "zwaarte": "onbekende zwaarte; verwacht " + ", ".join(ZWAARTE) + " of een lege cel",
    "verwijzer": "onbekende verwijzer; verwacht " + ", ".join(VERWIJZERS) + " of een lege cel",
    "uitkomst": "onbekende uitkomst; verwacht " + ", ".join(UITKOMSTEN) + " of een lege cel (nog open)",
    "reden_einde": "onbekende reden; verwacht " + ", ".join(REDENEN) + " of een lege cel",
    "norm": "onbekende klachtnorm; verwacht " + ", ".join(NORMEN),
    "gegrond": "verwacht ja, deels, nee of een lege cel (nog in behandeling)",
    "financiering": "onbekende financiering; verwacht zin (zorg in natura), pgb (persoonsgebonden budget) of een lege cel",
}


# -- configuration --------------------------------------------------------------------------------
@dataclass
class Config:
    """params/registraties.yml."""

    path: Path
    bron: str = "Gemeentelijke registratie"
    vanaf: int = 2019
    termijn_weken: dict[str, int] = field(default_factory=lambda: dict.fromkeys(WETTEN, 8))
    methode: str = "cbs"
    drempel: int = 10
    pseudonimisering: bool = True
    sleutelbestand: str = "~/.config/sdrapport/pseudoniem.sleutel"
    gemeenten: dict[str, dict] = field(default_factory=dict)
    categorieen: dict[str, list[str]] = field(default_factory=dict)
    eenmalig_geboekt: list[str] = field(default_factory=list)
    dubbele_voorzieningen: str = "weigeren"  # or 'eerste_houden': keep the first of a provision delivered twice
    max_aandeel_clienten: float = 0.25  # plausibility: at most this share of the inhabitants are clients of a wet in a year

    def gemeente(self, code: str) -> dict:
        return self.gemeenten.get(code) or {}

    def bron_van(self, code: str) -> str:
        return str(self.gemeente(code).get("bron") or self.bron)

    def peildatum(self, code: str) -> dt.date | None:
        return _date(self.gemeente(code).get("peildatum"))

    def gemeente_vanaf(self, code: str) -> dt.date | None:
        """The day from which the gemeente's exports are complete (gemeenten.<code>.vanaf), if given."""
        return _date(self.gemeente(code).get("vanaf"))


def load_config(params: Path) -> Config:
    """params/registraties.yml through the params loader (schema: params.REGISTRATIES); defaults
    when the file is absent."""
    path = Path(params) / CONFIG
    raw = load_params(path, REGISTRATIES, required=False, default=None) or {}
    onthulling = raw.get("onthulling") or {}
    today = dt.date.today()
    problems = []
    for code, settings in (raw.get("gemeenten") or {}).items():
        peil = _date((settings or {}).get("peildatum"))
        if peil is not None and peil > today:
            problems.append(problem_at(path, ("gemeenten", code, "peildatum"),
                                       f"de peildatum ({peil.isoformat()}) ligt na vandaag; de peildatum is de datum van de "
                                       "export en kan niet in de toekomst liggen"))
    if problems:
        raise ParamsError(problems)
    return Config(
        path=path, bron=str(raw.get("bron") or "Gemeentelijke registratie"), vanaf=int(raw.get("vanaf") or 2019),
        termijn_weken={**dict.fromkeys(WETTEN, 8), **(raw.get("termijn_weken") or {})},
        methode=str(onthulling.get("methode") or "cbs"), drempel=int(onthulling.get("drempel") or 10),
        pseudonimisering=bool(raw.get("pseudonimisering", True)),
        sleutelbestand=str(raw.get("sleutelbestand") or "~/.config/sdrapport/pseudoniem.sleutel"),
        gemeenten=dict(raw.get("gemeenten") or {}), categorieen={k: list(v) for k, v in (raw.get("categorieen") or {}).items()},
        eenmalig_geboekt=list(raw.get("eenmalig_geboekt") or []),
        dubbele_voorzieningen=str(raw.get("dubbele_voorzieningen") or "weigeren"),
        max_aandeel_clienten=float((raw.get("plausibiliteit") or {}).get("max_aandeel_clienten") or 0.25),
    )


def _date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value).strip())


def export_mappings(params: Path):
    """The export mappings of params/bronnen/ (export_mapping.py)."""
    from sdrapport.inputs.export_mapping import load_mappings

    return load_mappings(Path(params), SOORTEN)


def registratie_files(data: Path, params: Path | None = None, mappings: list | None = None) -> dict[str, list[Path]]:
    """The export files under data/registraties/, per kind: a file that a mapping in params/bronnen/
    names (its 'bestanden') is of that mapping's kind, any other file must start with its kind
    (voorzieningen-2024.csv). A file of no known kind is an error (it would otherwise be silently
    left out of every figure)."""
    from sdrapport.inputs.export_mapping import mapping_for

    folder = Path(data) / FOLDER
    out: dict[str, list[Path]] = {k: [] for k in SOORTEN}
    if not folder.is_dir():
        return out
    files = [p for p in sorted(folder.iterdir())
             if not (p.name.startswith(".") or p.is_dir() or p.suffix.lower() not in (".csv", ".parquet"))]
    if files and mappings is None:
        mappings = export_mappings(Path(params) if params is not None else Path(data).parent / "params")
    for path in files:
        mapping = mapping_for(path.name, mappings or [])
        kind = mapping.soort if mapping else next((k for k in SOORTEN if path.name.lower().startswith(k)), None)
        if kind is None:
            raise ContractError([Problem(str(path.relative_to(Path(data).parent)), None, None,
                                         "onbekende soort registratie; de bestandsnaam moet beginnen met "
                                         + ", ".join(SOORTEN) + " (bijvoorbeeld voorzieningen-2024.csv), of een mapping in "
                                         "params/bronnen/ moet het bestand noemen (bestanden)")])
        out[kind].append(path)
    return out


# -- pseudonymisation ----------------------------------------------------------------------------
def load_key(config: Config, project_root: Path) -> tuple[bytes, Path | None]:
    """The pseudonymisation key: $SDRAPPORT_SLEUTEL, else the key file (created on first use).
    Returns the key and the path of a key file that was just created (else None)."""
    if os.environ.get(KEY_ENV):
        return os.environ[KEY_ENV].encode("utf-8"), None
    path = Path(os.path.expanduser(config.sleutelbestand))
    if not path.is_absolute():
        raise ParamsError([problem_at(config.path, ("sleutelbestand",),
                                      "geef een absoluut pad buiten de projectmap (bijvoorbeeld ~/.config/sdrapport/pseudoniem.sleutel)")])
    root = Path(project_root).resolve()
    if path.resolve() == root or root in path.resolve().parents:
        raise ParamsError([problem_at(config.path, ("sleutelbestand",),
                                      f"de sleutel mag niet in de projectmap staan ({path}): dan komt hij in git terecht; kies een pad erbuiten")])
    created = None
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
        created = path
    key = path.read_text(encoding="utf-8").strip().encode("utf-8")
    if len(key) < 16:
        raise ContractError([Problem(str(path), None, None,
                                     "sleutel is te kort; gebruik minstens 16 tekens (of verwijder het bestand, dan wordt er een gemaakt)")])
    return key, created


def pseudonymise(values: pd.Series, key: bytes) -> np.ndarray:
    """Keyed hash (BLAKE2b with key, 64 bits) of each value, as int64: the same id gives the same
    pseudonym in every file, so a client is linked across exports, and without the key the
    pseudonym cannot be traced back. 64 bits keep collisions negligible for millions of ids."""
    codes, uniques = pd.factorize(values, sort=False)
    key = key[:64]
    hashed = np.fromiter(
        (int.from_bytes(hashlib.blake2b(str(u).encode("utf-8"), key=key, digest_size=8).digest(), "little", signed=True)
         for u in uniques),
        dtype=np.int64, count=len(uniques),
    )
    return hashed[codes]


def local_codes(values: pd.Series) -> np.ndarray:
    """Without pseudonymisation: an unkeyed hash, so the same id has the same code in every file
    (ids are not kept either way)."""
    return pseudonymise(values, b"")


_ELF_WEIGHTS = np.array([9, 8, 7, 6, 5, 4, 3, 2, -1])


def elfproef(values: pd.Series) -> pd.Series:
    """True where a value is a BSN: 9 digits (also written with dots or spaces, 1234.56.782) that
    pass the elfproef (9*d1 + 8*d2 + ... + 2*d8 - d9 is a multiple of 11, not all zeros).
    String work in Arrow: every column of a million-row export passes through here."""
    arr = pa_arrow.array(values.astype(str).to_numpy(), type=pa_arrow.string())
    compact = pc.replace_substring_regex(arr, pattern=r"[.\s]", replacement="")
    nine = pc.match_substring_regex(compact, pattern=r"^[0-9]{9}$").to_numpy(zero_copy_only=False)
    out = pd.Series(False, index=values.index)
    if not nine.any():
        return out
    text = compact.filter(pa_arrow.array(nine)).to_pylist()
    digits = np.frombuffer("".join(text).encode("ascii"), dtype=np.uint8).reshape(-1, 9).astype(np.int64) - 48
    total = digits @ _ELF_WEIGHTS
    out[nine] = (total % 11 == 0) & (digits.sum(axis=1) > 0)
    return out


# -- reading --------------------------------------------------------------------------------------
def _vector(fn, key: str) -> pa.Check:
    return pa.Check(fn, error=key)  # vectorised: one call per column, fast for a million rows


def _lookup(codes: dict[str, str], column: str | None = None) -> dict[str, str]:
    """Lower-case code, label or synonym -> label."""
    out = {v.lower(): v for v in codes.values()}
    out.update({k.lower(): v for k, v in codes.items()})
    out.update({alias: codes[code] for alias, code in SYNONIEMEN.get(column or "", {}).items()})
    return out


def _in(codes: dict[str, str], optional: bool = False, column: str | None = None):
    allowed = set(_lookup(codes, column))
    return lambda s: _text(s).isin(allowed) | ((s == "") if optional else False)


def _text(values: pd.Series) -> pd.Series:
    """Cells as compared with a code list: lower case, single spaces. Computed once per distinct
    value (a code column of a million rows has a handful)."""
    codes, uniques = pd.factorize(values, sort=False)
    normal = np.array([" ".join(str(u).split()).lower() for u in uniques] + [""], dtype=object)
    return pd.Series(normal[codes], index=values.index, dtype=object)  # code -1 (missing) -> ""


def _normalise(values: pd.Series, codes: dict[str, str], column: str | None = None) -> pd.Series:
    return _text(values).map(_lookup(codes, column))


DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%Y%m%d")


def parse_dates(values: pd.Series, fmt: str | None = None) -> pd.Series:
    """Dates as case systems write them: ISO (2021-01-31), Dutch (31-01-2021, 31/01/2021, also
    without leading zeros) and compact (20210131), each also with a time of day (Parquet
    timestamps, Excel's '31-01-2021 00:00'); with `fmt` only that format. NaT where empty or not a
    date. The formats cannot be confused: the year stands first with '-' or without separators,
    last with '-' or '/'."""
    day = values.str.replace(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$", "", regex=True)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")  # us: 9999-12-31 fits (ns would overflow)
    rest = day != ""
    for f in ((fmt,) if fmt else DATE_FORMATS):
        if not rest.any():
            break
        pattern = {"%Y-%m-%d": r"\d{4}-\d{1,2}-\d{1,2}", "%d-%m-%Y": r"\d{1,2}-\d{1,2}-\d{4}",
                   "%d/%m/%Y": r"\d{1,2}/\d{1,2}/\d{4}", "%Y%m%d": r"\d{8}"}[f]
        candidates = rest & day.str.fullmatch(pattern).fillna(False).astype(bool)
        if candidates.any():
            out[candidates] = pd.to_datetime(day[candidates], format=f, errors="coerce").astype("datetime64[us]")
            rest &= out.isna()
    return out


def is_open_end(values: pd.Series) -> pd.Series:
    """'no end date' as case systems write it: 9999-12-31, 31-12-9999, 31/12/9999, 99991231 (with or without a time)."""
    day = values.str.replace(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$", "", regex=True)
    return day.isin(OPEN_END)


def _date_checks(column: str, optional: bool, fmt: str | None = None) -> list[pa.Check]:
    """A date; `einddatum` may be empty or 9999-12-31 ('no end'). Events (a start, a receipt, a
    decision, a complaint) may not lie after today: an export holds what happened, a later date is a
    typo or a planned provision, and it would move the peildatum into the future. (A date after the
    gemeente's export date is refused in _check_chunk.) Planned end dates only need to be before 2100."""
    open_end = column == "einddatum"
    latest = LATEST if open_end else min(LATEST, dt.date.today() + dt.timedelta(days=1))

    def parses_as_date(s: pd.Series) -> pd.Series:
        return parse_dates(s, fmt).notna() | (is_open_end(s) if open_end else False) | ((s == "") if optional else False)

    def within_sane_years(s: pd.Series) -> pd.Series:
        d = parse_dates(s, fmt)
        return d.isna() | (is_open_end(s) if open_end else False) | ((d >= pd.Timestamp(EARLIEST)) & (d < pd.Timestamp(LATEST)))

    def not_far_ahead(s: pd.Series) -> pd.Series:
        d = parse_dates(s, fmt)
        # A date past 2099 is already reported by within_sane_years.
        return d.isna() | (d >= pd.Timestamp(LATEST)) | (d < pd.Timestamp(latest))

    checks = [] if optional else [_vector(lambda s: s != "", "leeg")]
    checks += [_vector(parses_as_date, "datum" if fmt is None else f"datum:{fmt}"), _vector(within_sane_years, "datum_bereik")]
    if not open_end:
        checks.append(_vector(not_far_ahead, "datum_toekomst"))
    return checks


def _schema(soort: Soort, gemeenten: set[str], fmt: str | None = None) -> pa.DataFrameSchema:
    required = [_vector(lambda s: s != "", "leeg")]
    cols: dict[str, pa.Column] = {}
    for c in soort.columns:
        if c == "gemeente":
            cols[c] = pa.Column(object, required + [
                _vector(lambda s: s.str.fullmatch(GEMEENTE_CODE.pattern.strip("^$")), "gm_formaat"),
                _vector(lambda s: s.isin(gemeenten) | ~s.str.fullmatch(GEMEENTE_CODE.pattern.strip("^$")), "gm_onbekend"),
            ])
        elif c in soort.dates:
            cols[c] = pa.Column(object, _date_checks(c, optional=c not in soort.required, fmt=fmt), required=c in soort.required)
        elif c in ("id", "client"):
            cols[c] = pa.Column(object, required, required=c in soort.required)
        elif c == "wet":
            cols[c] = pa.Column(object, required + [_vector(_in(WETTEN, column="wet"), "wet")])
        else:
            lists = {"zwaarte": ZWAARTE, "verwijzer": VERWIJZERS, "uitkomst": UITKOMSTEN, "reden_einde": REDENEN,
                     "norm": NORMEN, "gegrond": GEGROND, "financiering": FINANCIERING}
            if c in lists and not (soort.naam == "voorzieningen" and c == "reden_einde"):  # per wet, in _check_chunk
                checks = [_vector(_in(lists[c], optional=c not in soort.required, column=c), c)]
                if c in soort.required:
                    checks = required + checks
                cols[c] = pa.Column(object, checks, required=c in soort.required)
            elif c in soort.required:
                cols[c] = pa.Column(object, required)
    return pa.DataFrameSchema(cols, strict=False)


# -- the records store ----------------------------------------------------------------------------
# Compact records per kind, as stored in the records database: identifiers as 64-bit pseudonyms,
# dates as DATE, codes as their label. `bestand` and `rij` say where a record came from.
RECORD_COLUMNS = {
    "voorzieningen": {"gemeente": "VARCHAR", "wet": "VARCHAR", "categorie": "VARCHAR", "product": "VARCHAR",
                      "zwaarte": "VARCHAR", "verwijzer": "VARCHAR", "financiering": "VARCHAR", "startdatum": "DATE", "einddatum": "DATE",
                      "reden_einde": "VARCHAR",
                      "client": "BIGINT", "id": "BIGINT", "bestand": "VARCHAR", "rij": "BIGINT"},
    "aanvragen": {"gemeente": "VARCHAR", "wet": "VARCHAR", "datum_ontvangst": "DATE", "datum_besluit": "DATE",
                  "uitkomst": "VARCHAR", "id": "BIGINT", "bestand": "VARCHAR", "rij": "BIGINT"},
    "uitkeringen": {"gemeente": "VARCHAR", "startdatum": "DATE", "einddatum": "DATE", "client": "BIGINT",
                    "huishouden": "BIGINT", "reden_einde": "VARCHAR", "id": "BIGINT", "bestand": "VARCHAR", "rij": "BIGINT"},
    "klachten": {"gemeente": "VARCHAR", "datum": "DATE", "norm": "VARCHAR", "gegrond": "VARCHAR", "id": "BIGINT",
                 "bestand": "VARCHAR", "rij": "BIGINT"},
}
EVENT_DATES = {"voorzieningen": ("startdatum",), "uitkeringen": ("startdatum",),
               "aanvragen": ("datum_ontvangst", "datum_besluit"), "klachten": ("datum",)}
CHUNK_ROWS = 200_000  # rows validated at a time: bounds the memory of reading, whatever the file size
# DuckDB's share of memory while records are checked and counted; beyond it, it spills to disk. A
# machine setting, not a figure-changing one, so it is an environment variable (or the options
# --geheugen and --threads of `sdrapport ingest`), not params/registraties.yml.
MEMORY_ENV, THREADS_ENV = "SDRAPPORT_GEHEUGEN", "SDRAPPORT_THREADS"
MEMORY_LIMIT = "900MB"
THREADS = 2
_MEMORY = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


def duckdb_settings(memory_limit: str | None = None, threads: int | None = None) -> tuple[str, int]:
    """DuckDB's memory limit and threads for the records database: as given, else from
    $SDRAPPORT_GEHEUGEN and $SDRAPPORT_THREADS, else MEMORY_LIMIT and THREADS. A malformed value is
    refused (ContractError naming the variable)."""
    memory = memory_limit or os.environ.get(MEMORY_ENV) or MEMORY_LIMIT
    if not _MEMORY.match(str(memory)):
        raise ContractError([Problem(MEMORY_ENV, None, None, "verwacht een hoeveelheid geheugen zoals 900MB of 2GB")])
    raw = threads if threads is not None else os.environ.get(THREADS_ENV) or THREADS
    try:
        count = int(raw)
    except (TypeError, ValueError):
        count = 0
    if count < 1:
        raise ContractError([Problem(THREADS_ENV, None, None, "verwacht een geheel getal van 1 of meer, bijvoorbeeld 1 of 2")])
    return str(memory).replace(" ", ""), count
KEEP_PROBLEMS = 200  # problems kept per file (sorted by row); beyond it only counted


class Records:
    """The validated, pseudonymised records of all exports: per kind a table in a DuckDB database
    in a private temporary folder (never in the store). Memory stays bounded: DuckDB spills to that
    folder beyond its memory limit (duckdb_settings). `close()` deletes the folder; the store
    receives only aggregates.

    `records["voorzieningen"]` returns a kind's records as a DataFrame (for tests and small data)."""

    def __init__(self, workdir: Path | None = None, memory_limit: str | None = None, threads: int | None = None):
        import duckdb

        self.memory_limit, self.threads = duckdb_settings(memory_limit, threads)
        if workdir is not None:
            Path(workdir).mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=".registraties-", dir=workdir))  # mode 700
        self.con = duckdb.connect(str(self.folder / "records.duckdb"))
        self.con.execute(f"SET memory_limit = '{self.memory_limit}'")
        self.con.execute(f"SET temp_directory = '{self.folder / 'spill'}'")
        self.con.execute(f"SET threads TO {self.threads}")
        self.con.execute("SET preserve_insertion_order = false")  # every query that matters has its ORDER BY
        self.soorten: list[str] = []
        self.bestanden: list[str] = []
        self.gelezen: list[Gelezen] = []  # per file what was read (ingest report)
        self.weggelaten: dict[str, int] = {}  # records dropped per kind (dubbele_voorzieningen: eerste_houden)

    def create(self, soort: str) -> None:
        cols = ", ".join(f"{c} {t}" for c, t in RECORD_COLUMNS[soort].items())
        self.con.execute(f"CREATE TABLE {soort} ({cols})")
        self.soorten.append(soort)

    def append(self, soort: str, frame: pd.DataFrame) -> None:
        self.con.register("_chunk", frame)
        try:
            self.con.execute(f"INSERT INTO {soort} BY NAME SELECT * FROM _chunk")
        finally:
            self.con.unregister("_chunk")

    def __contains__(self, soort: str) -> bool:
        return soort in self.soorten

    def __bool__(self) -> bool:
        return bool(self.soorten)

    def __iter__(self):
        return iter(self.soorten)

    def __getitem__(self, soort: str) -> pd.DataFrame:
        if soort not in self.soorten:
            raise KeyError(soort)
        return self.con.execute(f"SELECT * EXCLUDE (id) FROM {soort} ORDER BY bestand, rij").df()

    def count(self, soort: str) -> int:
        return self.con.execute(f"SELECT count(*) FROM {soort}").fetchone()[0] if soort in self.soorten else 0

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Records:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


IDENTIFIERS = ("id", "client", "huishouden")
HIDDEN = "[verborgen]"


def shown_value(column: str | None, value, date_column: bool = False) -> str | None:
    """A cell as the problem report (CSV) may show it: never an identifier, and never a cell that
    could be a person number (six or more digits in a row, a BSN); a date column may show a compact
    date (20200115). Long cells are cut at 40 characters."""
    if value is None:
        return None
    text = str(value)
    if column in IDENTIFIERS or text == HIDDEN:
        return HIDDEN
    compact = re.sub(r"[.\s-]", "", text)
    if date_column and re.fullmatch(r"(19|20|99)\d{6}", compact):
        return text[:40]
    if re.search(r"\d{6,}", compact):
        return HIDDEN
    return text if len(text) <= 40 else text[:37] + "..."


def _problems_rows(name: str, rows, column: str, message: str, limit: int = 25, frame: pd.DataFrame | None = None) -> list[Problem]:
    rows = list(rows)[:limit]
    values = [frame.at[r, column] if frame is not None and column in frame else None for r in rows]
    return [Problem(name, int(r), column, message, waarde=v) for r, v in zip(rows, values)]


def _wet_codes(frame: pd.DataFrame) -> pd.Series | None:
    """The wet of each row as its code (wmo / jeugd / pw), None where unknown; None without a wet column."""
    if "wet" not in frame:
        return None
    label_to_code = {v: k for k, v in WETTEN.items()}
    return _normalise(frame["wet"], WETTEN, "wet").map(label_to_code)


def _messages(fmt: str | None, mapping) -> dict[str, str]:
    out = dict(MESSAGES)
    if fmt is not None:
        label = next(k for k, v in DATE_FORMATS_BY_NAME.items() if v == fmt)
        out[f"datum:{fmt}"] = f"geen datum in het formaat van de mapping ({label.upper()}, {mapping.naam}: datumformaat)"
    if mapping is not None:
        for key in ("wet", "zwaarte", "verwijzer", "uitkomst", "norm", "gegrond"):
            out[key] = out[key] + f"; of een code die de mapping {mapping.naam} vertaalt (codelijsten, waarden)"
    return out


DATE_FORMATS_BY_NAME = {"jjjj-mm-dd": "%Y-%m-%d", "dd-mm-jjjj": "%d-%m-%Y", "dd/mm/jjjj": "%d/%m/%Y", "jjjjmmdd": "%Y%m%d"}


def _check_chunk(table, soort: str, gemeenten: set[str], config: Config, name: str,
                 root: Path | None, mapping=None) -> tuple[list[Problem], pd.DataFrame | None]:
    """Validate one chunk of an export (rows as a spreadsheet numbers them). With a mapping
    (params/bronnen/) the export's codes are translated first. Returns its problems and, when there
    are none, its records with parsed dates and normalised codes (the identifiers still as text:
    read_registratie pseudonymises them)."""
    kind = SOORTEN[soort]
    frame = table.frame
    for c in kind.optional:
        if c not in frame.columns:
            frame[c] = ""
    fmt = mapping.date_format if mapping is not None else None
    extra: list[Problem] = []
    # BSNs: identifiers are hashed when pseudonymisation is on; any other column never may hold one.
    # Checked before any translation, on the cells as exported.
    exempt = set(kind.identifiers) if config.pseudonimisering else set()
    for c in frame.columns:
        if c in exempt:
            continue
        bsn = elfproef(frame[c]).to_numpy()
        hits = frame.index[bsn]
        if len(hits):
            # Other checks of these cells (an unknown category, ...) must not repeat the number.
            frame.loc[bsn, c] = HIDDEN
            hint = ("zet pseudonimisering aan in params/registraties.yml" if c in kind.identifiers
                    else "deze kolom wordt niet gepseudonimiseerd: haal de BSN's eruit")
            extra += _problems_rows(name, hits, c, f"waarde lijkt een BSN (9 cijfers die de elfproef doorstaan); {hint}. "
                                    "De waarde wordt hier bewust niet getoond", limit=5, frame=frame)
    if mapping is not None:
        frame = mapping.translate(frame, _wet_codes)
    if soort == "voorzieningen":
        wet = _normalise(frame["wet"], WETTEN, "wet")
        if config.categorieen:
            for code, label in WETTEN.items():
                known = config.categorieen.get(code)
                if not known:
                    continue
                bad = (wet == label) & ~_text(frame["categorie"]).isin({k.lower() for k in known})
                extra += _problems_rows(name, frame.index[bad.to_numpy()], "categorie",
                                        f"onbekende categorie voor {label}; kies uit: {', '.join(known)} (params/registraties.yml, "
                                        "categorieen" + (f"; of vertaal de code in {mapping.naam}" if mapping is not None else "") + ")",
                                        frame=frame)
        # Why a provision ended: the reasons of the wet (Wmo, Jeugdwet), only with an end date.
        reden = frame["reden_einde"]
        for code, reasons in REDENEN_EINDE_VOORZIENING.items():
            bad = (wet == WETTEN[code]) & (reden != "") & ~_text(reden).isin({r.lower() for r in reasons})
            extra += _problems_rows(name, frame.index[bad.to_numpy()], "reden_einde",
                                    f"onbekende reden van beëindiging voor {WETTEN[code]}; kies uit: {', '.join(reasons)}"
                                    + (f"; of vertaal de code in {mapping.naam}" if mapping is not None else ""), frame=frame)
    out = pd.DataFrame(index=frame.index)
    out["gemeente"] = frame["gemeente"].to_numpy()
    for c in kind.dates:
        open_end = is_open_end(frame[c]) if c == "einddatum" else pd.Series(False, index=frame.index)
        out[c] = parse_dates(frame[c].where(~open_end, ""), fmt)
    # An event after the gemeente's export date (params: gemeenten.<code>.peildatum) cannot be in
    # that export; it would also be counted in no period or in one after the peildatum.
    peil = {g: config.peildatum(g) for g in pd.unique(out["gemeente"]) if isinstance(g, str)}
    peil = {g: pd.Timestamp(d) for g, d in peil.items() if d is not None}
    if peil:
        limit = out["gemeente"].map(peil)
        for c in EVENT_DATES.get(soort, ()):
            bad = limit.notna() & out[c].notna() & (out[c] > limit)
            for row in out.index[bad.to_numpy()][:25]:
                g = out.at[row, "gemeente"]
                extra.append(Problem(name, int(row), c, f"datum ligt na de peildatum van de export van {g} "
                                     f"({peil[g].date().isoformat()}, params/registraties.yml: gemeenten.{g}.peildatum); "
                                     "controleer de datum, of zet de peildatum op de exportdatum", waarde=frame.at[row, c]))
    # Checks between columns, reported together with the per-cell checks below.
    order = [("einddatum", "startdatum", "einddatum ligt voor de startdatum"),
             ("datum_besluit", "datum_ontvangst", "datum_besluit ligt voor de datum_ontvangst")]
    for late, early, text in order:
        if late in out and early in out:
            bad = out[late].notna() & (out[late] < out[early])
            extra += _problems_rows(name, out.index[bad.to_numpy()], late, f"{text}; controleer beide datums", frame=frame)
    if soort == "aanvragen":
        decided = _normalise(frame["uitkomst"], UITKOMSTEN).isin(["Toegekend", "Afgewezen", "Buiten behandeling"])
        bad = decided & (frame["datum_besluit"] == "")
        extra += _problems_rows(name, out.index[bad.to_numpy()], "datum_besluit",
                                "een besluit (uitkomst) zonder datum_besluit; vul de datum in of maak de uitkomst leeg (nog open)")
    if soort in ("uitkeringen", "voorzieningen"):
        bad = (frame["reden_einde"] != "") & ((frame["einddatum"] == "") | is_open_end(frame["einddatum"]))
        extra += _problems_rows(name, out.index[bad.to_numpy()], "reden_einde",
                                "een reden van beëindiging zonder einddatum; vul de einddatum in of maak de reden leeg", frame=frame)
    schema = _schema(kind, gemeenten, fmt)
    problems = _problems(schema, table.__class__(table.path, frame, table.header_row), root, extra, messages=_messages(fmt, mapping))
    if problems:
        dates = set(kind.dates)
        return [Problem(p.file, p.row, p.column, p.message, shown_value(p.column, p.waarde, p.column in dates)) for p in problems], None
    for c in kind.identifiers:
        out[c] = frame[c].to_numpy()
    if soort == "uitkeringen":
        # Without a household id every client is a household of its own.
        out["huishouden"] = frame["huishouden"].where(frame["huishouden"] != "", "client:" + frame["client"]).to_numpy()
    if "wet" in kind.columns:
        out["wet"] = _normalise(frame["wet"], WETTEN, "wet")
    if soort == "voorzieningen":
        cats = {c.lower(): c for cs in config.categorieen.values() for c in cs}
        out["categorie"] = _text(frame["categorie"]).map(cats).fillna(frame["categorie"])
        out["product"] = frame["product"].where(frame["product"] != "", None)
        out["zwaarte"] = _normalise(frame["zwaarte"], ZWAARTE)
        out["verwijzer"] = _normalise(frame["verwijzer"], VERWIJZERS, "verwijzer")
        out["financiering"] = _normalise(frame["financiering"], FINANCIERING)
        reasons = {r.lower(): r for rs in REDENEN_EINDE_VOORZIENING.values() for r in rs}
        out["reden_einde"] = _text(frame["reden_einde"]).map(reasons).where(out["wet"].isin([WETTEN["wmo"], WETTEN["jeugd"]]))
    elif soort == "aanvragen":
        out["uitkomst"] = _normalise(frame["uitkomst"], UITKOMSTEN)
    elif soort == "uitkeringen":
        out["reden_einde"] = _normalise(frame["reden_einde"], REDENEN)
    elif soort == "klachten":
        out["norm"] = _normalise(frame["norm"], NORMEN)
        out["gegrond"] = _normalise(frame["gegrond"], GEGROND)
    out["rij"] = out.index.astype(np.int64)
    out["bestand"] = name
    return [], out.reset_index(drop=True)


@dataclass
class Gelezen:
    """What the ingest read of one export: for the ingest report."""

    bestand: str
    soort: str
    mapping: str = ""  # params/bronnen/<naam>.yml, or empty for the contract's own form
    codelijsten: str = ""  # the standards of the codelists used (iJw 3.2, ...)
    codering: str = ""
    scheidingsteken: str = ""
    rijen: int = 0
    genegeerd: list[str] = field(default_factory=list)  # columns the contract does not use

    def regel(self) -> str:
        """One line of the ingest report, in Dutch."""
        parts = [f"{self.rijen:,}".replace(",", ".") + " rijen", self.soort]
        if self.mapping:
            parts.append(f"mapping {self.mapping}" + (f" ({self.codelijsten})" if self.codelijsten else ""))
        if self.codering:
            parts.append(f"codering {self.codering}, scheidingsteken {self.scheidingsteken}")
        text = f"{self.bestand}: " + "; ".join(parts)
        if self.genegeerd:
            text += "; genegeerde kolommen: " + ", ".join(self.genegeerd)
        return text


def read_registratie(path: Path, soort: str, gemeenten: set[str], config: Config, key: bytes | None,
                     records: Records, root: Path | None = None, mapping=None) -> Gelezen:
    """Validate one export chunk by chunk and append its records (pseudonymised identifiers,
    parsed dates) to `records`; only CHUNK_ROWS rows are in memory as text at any time.

    Raises ContractError naming file, row and column for: missing columns (unknown ones are
    ignored and listed in the returned Gelezen), empty cells, unknown gemeente, malformed dates or
    dates outside 1990-2099, an end before its start (or a decision before its receipt), unknown
    codes (wet, categorie per wet, zwaarte, verwijzer, uitkomst, reden, norm, gegrond), duplicate
    ids (for voorzieningen: the same id, product and startdatum), and BSN-like values in a column
    that is not pseudonymised. Messages never repeat a cell's value; the problem report shows it
    only where it cannot identify anyone (shown_value). At most KEEP_PROBLEMS are kept, the rest counted.
    """
    from sdrapport.inputs.contract import CsvOptions, ReadInfo

    kind = SOORTEN[soort]
    name = _display(path, root)
    if config.pseudonimisering and key is None:
        raise ValueError("pseudonimisering staat aan maar er is geen sleutel")
    ident = (lambda s: pseudonymise(s, key)) if config.pseudonimisering else local_codes
    info = ReadInfo()
    options = mapping.options() if mapping is not None else CsvOptions(extra=True)
    kept: list[Problem] = []
    more = 0
    for table in read_table_chunks(path, kind.required, kind.columns, root, CHUNK_ROWS, options=options, info=info):
        problems, out = _check_chunk(table, soort, gemeenten, config, name, root, mapping)
        if problems:
            room = max(0, KEEP_PROBLEMS - len(kept))
            kept += problems[:room]
            more += len(problems) - min(room, len(problems))
            continue
        if kept:
            continue  # the file is refused anyway: only look for more problems
        for c in kind.identifiers:
            out[c] = ident(pd.Series(out[c]))
        records.append(soort, out)
        del out
    if kept:
        raise ContractError(kept, more_per_file={name: more} if more else None)
    _check_ids(records, soort, name)
    return Gelezen(name, soort, mapping.naam if mapping is not None else "",
                   ", ".join(mapping.standaarden) if mapping is not None else "", info.encoding, info.separator, info.rows,
                   list(info.ignored))


def read_registraties(data: Path, params: Path, gemeenten: set[str], root: Path | None = None,
                      key: bytes | None = None, workdir: Path | None = None,
                      memory_limit: str | None = None, threads: int | None = None) -> tuple[Records, Config, list[str]]:
    """All exports under data/registraties/, per kind one table in a Records database. Returns the
    records (close them after use), the config and the file names read (records.gelezen says
    per file what was read). Every file is checked, also after one with problems: the
    ContractError holds the problems of all files, grouped per file. The key is loaded (or created)
    only when there are exports. Out of memory or disk space while reading a file raises a
    ResourceError naming that file."""
    from sdrapport.errors import collect, resource_error
    from sdrapport.inputs.export_mapping import mapping_for

    config = load_config(params)
    mappings = export_mappings(params)
    files = registratie_files(data, params, mappings)
    records = Records(workdir, memory_limit, threads)
    if not any(files.values()):
        return records, config, []
    try:
        if config.pseudonimisering and key is None:
            key, _ = load_key(config, root or Path(data).parent)
        names, errors = [], []
        for soort, paths in files.items():
            if not paths:
                continue
            records.create(soort)
            for p in paths:
                try:
                    records.gelezen.append(read_registratie(p, soort, gemeenten, config, key, records, root,
                                                            mapping_for(p.name, mappings)))
                except ContractError as exc:
                    errors.append(exc)
                except Exception as exc:
                    res = resource_error(exc, f"bij het inlezen van {_display(p, root)}", str(records.folder.parent))
                    if res is None:
                        raise
                    raise res from exc
                names.append(_display(p, root))
            if soort == "voorzieningen" and not errors:
                try:
                    _check_duplicate_provisions(records, config)
                except Exception as exc:
                    res = resource_error(exc, "bij het zoeken naar dubbel geleverde voorzieningen", str(records.folder.parent))
                    if res is None:
                        raise
                    raise res from exc
        if errors:
            raise collect(errors)
        records.bestanden = names
    except BaseException:
        records.close()
        raise
    return records, config, names


def _check_ids(records: Records, soort: str, name: str) -> None:
    """An id may occur once over all files of a kind; for voorzieningen the key is the id with the
    product (the categorie when the product is empty) and the startdatum, as one decision
    (beschikking) holds several product lines. Checked after each file (so the files read before
    it are compared too) in the records database: no id list in Python memory."""
    con = records.con
    key = "row(id, lower(trim(coalesce(product, categorie))), startdatum)" if soort == "voorzieningen" else "id"
    rows = con.execute(f"""
        WITH keyed AS (SELECT {key} AS sleutel, bestand, rij FROM {soort}),
             dubbel AS (SELECT sleutel FROM keyed GROUP BY sleutel HAVING count(*) > 1),
             alle AS (SELECT t.bestand, t.rij,
                             row_number() OVER w AS n, first_value(t.bestand) OVER w AS eerste_bestand,
                             first_value(t.rij) OVER w AS eerste_rij
                      FROM keyed t SEMI JOIN dubbel USING (sleutel)
                      WINDOW w AS (PARTITION BY t.sleutel ORDER BY t.bestand, t.rij))
        SELECT bestand, rij, eerste_bestand, eerste_rij, count(*) OVER () AS totaal
        FROM alle WHERE n > 1 AND bestand = ?
        ORDER BY rij LIMIT 25
    """, [name]).fetchall()
    if not rows:
        return
    problems = []
    for bestand, rij, eerste_bestand, eerste_rij, _ in rows:
        where = f"rij {eerste_rij}" if eerste_bestand == bestand else f"{eerste_bestand}, rij {eerste_rij}"
        if soort == "voorzieningen":
            message = (f"dubbele regel: dezelfde id, hetzelfde product en dezelfde startdatum staan al in {where}; een id "
                       "(beschikking) mag vaker voorkomen, maar alleen voor verschillende producten of startdatums")
        else:
            message = f"dubbele id: dezelfde id staat al in {where}; elke regel moet een eigen id hebben"
        problems.append(Problem(bestand, int(rij), "id", message, waarde=HIDDEN))
    raise ContractError(problems, more=int(rows[0][4]) - len(problems))


def _check_duplicate_provisions(records: Records, config: Config) -> None:
    """A provision delivered twice: the same gemeente, client, wet, product (the categorie when the
    product is empty) and startdatum under another id. Counts of provisions (re-integratie) would
    count it twice, so it is refused with both rows named; with `dubbele_voorzieningen:
    eerste_houden` in params/registraties.yml the first (by file and row) is kept and the others
    are dropped (records.weggelaten)."""
    con = records.con
    key = "row(gemeente, client, wet, lower(trim(coalesce(product, categorie))), startdatum)"
    con.execute(f"""
        CREATE OR REPLACE TABLE dubbele_voorzieningen AS
        WITH dubbel AS (SELECT {key} AS sleutel FROM voorzieningen GROUP BY ALL HAVING count(*) > 1),
             alle AS (SELECT bestand, rij, row_number() OVER w AS n, first_value(bestand) OVER w AS eerste_bestand,
                             first_value(rij) OVER w AS eerste_rij
                      FROM (SELECT *, {key} AS sleutel FROM voorzieningen) SEMI JOIN dubbel USING (sleutel)
                      WINDOW w AS (PARTITION BY sleutel ORDER BY bestand, rij))
        SELECT bestand, rij, eerste_bestand, eerste_rij FROM alle WHERE n > 1
    """)
    total = con.execute("SELECT count(*) FROM dubbele_voorzieningen").fetchone()[0]
    if not total:
        return
    if config.dubbele_voorzieningen == "eerste_houden":
        con.execute("DELETE FROM voorzieningen v USING dubbele_voorzieningen d WHERE v.bestand = d.bestand AND v.rij = d.rij")
        records.weggelaten["voorzieningen"] = int(total)
        return
    rows = con.execute("SELECT * FROM dubbele_voorzieningen ORDER BY bestand, rij LIMIT 25").fetchall()
    problems = []
    for bestand, rij, eerste_bestand, eerste_rij in rows:
        where = f"rij {eerste_rij}" if eerste_bestand == bestand else f"{eerste_bestand}, rij {eerste_rij}"
        problems.append(Problem(bestand, int(rij), "startdatum",
                                f"dubbele voorziening: dezelfde cliënt, wet, hetzelfde product en dezelfde startdatum als {where}, "
                                "onder een ander id; zo telt de voorziening twee keer. Haal een van beide regels weg, of zet "
                                "'dubbele_voorzieningen: eerste_houden' in params/registraties.yml om steeds de eerste te houden"))
    raise ContractError(problems, more=int(total) - len(problems))
