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
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as pa_arrow
import pyarrow.compute as pc
import yaml

from .contract import GEMEENTE_CODE, _display, _validate, read_table
from .errors import ContractError, Problem

FOLDER = "registraties"
CONFIG = "registraties.yml"
KEY_ENV = "SDRAPPORT_SLEUTEL"
OPEN_END = ("9999-12-31", "31-12-9999")  # many case systems write this for 'no end date'
EARLIEST, LATEST = dt.date(1990, 1, 1), dt.date(2100, 1, 1)

# Code lists: the code (or its label, in any case) is accepted; the label is what reports show.
WETTEN = {"wmo": "Wmo", "jeugd": "Jeugdwet", "pw": "Participatiewet"}
ZWAARTE = {"licht": "licht", "middel": "middel", "zwaar": "zwaar"}
VERWIJZERS = {
    "gemeente": "Gemeente", "huisarts": "Huisarts", "jeugdarts": "Jeugdarts",
    "gecertificeerde_instelling": "Gecertificeerde instelling", "medisch_specialist": "Medisch specialist",
    "rechter": "Rechter of officier van justitie", "overig": "Overig",
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
              ("product", "zwaarte", "verwijzer", "einddatum"), ("id", "client"), ("startdatum", "einddatum")),
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
    "datum": "geen datum; verwacht JJJJ-MM-DD (of DD-MM-JJJJ), bijvoorbeeld 2021-01-01",
    "datum_bereik": "datum valt buiten 1990-2099; controleer het jaar",
    "datum_toekomst": "datum ligt meer dan een jaar na vandaag; controleer het jaar",
    "wet": "onbekende wet; verwacht " + ", ".join(WETTEN),
    "zwaarte": "onbekende zwaarte; verwacht " + ", ".join(ZWAARTE) + " of een lege cel",
    "verwijzer": "onbekende verwijzer; verwacht " + ", ".join(VERWIJZERS) + " of een lege cel",
    "uitkomst": "onbekende uitkomst; verwacht " + ", ".join(UITKOMSTEN) + " of een lege cel (nog open)",
    "reden_einde": "onbekende reden; verwacht " + ", ".join(REDENEN) + " of een lege cel",
    "norm": "onbekende klachtnorm; verwacht " + ", ".join(NORMEN),
    "gegrond": "verwacht ja, deels, nee of een lege cel (nog in behandeling)",
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

    def gemeente(self, code: str) -> dict:
        return self.gemeenten.get(code) or {}

    def bron_van(self, code: str) -> str:
        return str(self.gemeente(code).get("bron") or self.bron)

    def peildatum(self, code: str) -> dt.date | None:
        value = self.gemeente(code).get("peildatum")
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)) if value else None


def load_config(params: Path) -> Config:
    path = Path(params) / CONFIG
    if not path.exists():
        return Config(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ContractError([Problem(str(path), None, None, f"geen geldige YAML: {exc}")]) from None
    problems = []
    onthulling = raw.get("onthulling") or {}
    methode = str(onthulling.get("methode", "cbs"))
    if methode not in ("cbs", "drempel"):
        problems.append(Problem(str(path), None, "onthulling.methode", f"{methode!r}: kies cbs of drempel"))
    drempel = onthulling.get("drempel", 10)
    if not isinstance(drempel, int) or drempel < 2:
        problems.append(Problem(str(path), None, "onthulling.drempel", f"{drempel!r}: verwacht een geheel getal van 2 of meer"))
    termijn = {**dict.fromkeys(WETTEN, 8), **(raw.get("termijn_weken") or {})}
    for wet, weken in termijn.items():
        if wet not in WETTEN or not isinstance(weken, int) or weken < 1:
            problems.append(Problem(str(path), None, f"termijn_weken.{wet}", "verwacht wmo, jeugd of pw met een aantal weken (geheel getal)"))
    vanaf = raw.get("vanaf", 2019)
    if not isinstance(vanaf, int) or not 1990 <= vanaf <= 2099:
        problems.append(Problem(str(path), None, "vanaf", f"{vanaf!r}: verwacht een jaartal, bijvoorbeeld 2019"))
    for wet, cats in (raw.get("categorieen") or {}).items():
        if wet not in WETTEN or not isinstance(cats, list) or not all(isinstance(c, str) for c in cats):
            problems.append(Problem(str(path), None, f"categorieen.{wet}",
                                    "verwacht wmo, jeugd of pw met een lijst van categorieën, bijvoorbeeld [Begeleiding, Dagbesteding]"))
    if not isinstance(raw.get("eenmalig_geboekt") or [], list):
        problems.append(Problem(str(path), None, "eenmalig_geboekt", "verwacht een lijst van producten of categorieën"))
    for code, settings in (raw.get("gemeenten") or {}).items():
        peil = (settings or {}).get("peildatum")
        if peil is not None and not isinstance(peil, dt.date):
            try:
                dt.date.fromisoformat(str(peil))
            except ValueError:
                problems.append(Problem(str(path), None, f"gemeenten.{code}.peildatum", f"{peil!r} is geen datum; verwacht JJJJ-MM-DD"))
    if problems:
        raise ContractError(problems)
    return Config(
        path=path, bron=str(raw.get("bron", "Gemeentelijke registratie")), vanaf=vanaf,
        termijn_weken=termijn, methode=methode, drempel=int(drempel),
        pseudonimisering=bool(raw.get("pseudonimisering", True)),
        sleutelbestand=str(raw.get("sleutelbestand", "~/.config/sdrapport/pseudoniem.sleutel")),
        gemeenten=dict(raw.get("gemeenten") or {}), categorieen={k: list(v) for k, v in (raw.get("categorieen") or {}).items()},
        eenmalig_geboekt=list(raw.get("eenmalig_geboekt") or []),
    )


def registratie_files(data: Path) -> dict[str, list[Path]]:
    """The export files under data/registraties/, per kind. A file of no known kind is an error
    (it would otherwise be silently left out of every figure)."""
    folder = Path(data) / FOLDER
    out: dict[str, list[Path]] = {k: [] for k in SOORTEN}
    if not folder.is_dir():
        return out
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.is_dir() or path.suffix.lower() not in (".csv", ".parquet"):
            continue
        kind = next((k for k in SOORTEN if path.name.lower().startswith(k)), None)
        if kind is None:
            raise ContractError([Problem(str(path.relative_to(Path(data).parent)), None, None,
                                         "onbekende soort registratie; de bestandsnaam moet beginnen met "
                                         + ", ".join(SOORTEN) + " (bijvoorbeeld voorzieningen-2024.csv)")])
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
        raise ContractError([Problem(str(config.path), None, "sleutelbestand",
                                     "geef een absoluut pad buiten de projectmap (bijvoorbeeld ~/.config/sdrapport/pseudoniem.sleutel)")])
    root = Path(project_root).resolve()
    if path.resolve() == root or root in path.resolve().parents:
        raise ContractError([Problem(str(config.path), None, "sleutelbestand",
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


def _in(codes: dict[str, str], optional: bool = False):
    allowed = {k.lower() for k in codes} | {v.lower() for v in codes.values()}
    return lambda s: s.str.lower().isin(allowed) | ((s == "") if optional else False)


def _normalise(values: pd.Series, codes: dict[str, str]) -> pd.Series:
    lookup = {**{v.lower(): v for v in codes.values()}, **{k.lower(): v for k, v in codes.items()}}
    return values.str.lower().map(lookup)


def parse_dates(values: pd.Series) -> pd.Series:
    """ISO (2021-01-31) or Dutch (31-01-2021) dates, also with a time of day (Parquet timestamps);
    NaT where empty or not a date."""
    iso = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
    rest = iso.isna() & (values != "")
    if rest.any():
        nl = pd.to_datetime(values[rest], format="%d-%m-%Y", errors="coerce")
        iso[rest] = nl
        timed = rest & iso.isna()
        if timed.any():
            day = values[timed].str.extract(r"^(\d{4}-\d{2}-\d{2})[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")[0]
            iso[timed] = pd.to_datetime(day, format="%Y-%m-%d", errors="coerce")
    return iso


def _date_checks(column: str, optional: bool) -> list[pa.Check]:
    """A date; `einddatum` may be empty or 9999-12-31 ('no end'). Events (a start, a receipt, a
    decision, a complaint) may not lie more than a year after today: such a date is a typo, and
    it would move the peildatum years ahead. Planned end dates only need to be before 2100."""
    open_end = column == "einddatum"
    latest = LATEST if open_end else min(LATEST, dt.date.today() + dt.timedelta(days=366))

    def parses_as_date(s: pd.Series) -> pd.Series:
        return parse_dates(s).notna() | (s.isin(OPEN_END) if open_end else False) | ((s == "") if optional else False)

    def within_sane_years(s: pd.Series) -> pd.Series:
        d = parse_dates(s)
        return d.isna() | (s.isin(OPEN_END) if open_end else False) | ((d >= pd.Timestamp(EARLIEST)) & (d < pd.Timestamp(LATEST)))

    def not_far_ahead(s: pd.Series) -> pd.Series:
        d = parse_dates(s)
        # A date past 2099 is already reported by within_sane_years.
        return d.isna() | (d >= pd.Timestamp(LATEST)) | (d < pd.Timestamp(latest))

    checks = [] if optional else [_vector(lambda s: s != "", "leeg")]
    checks += [_vector(parses_as_date, "datum"), _vector(within_sane_years, "datum_bereik")]
    if not open_end:
        checks.append(_vector(not_far_ahead, "datum_toekomst"))
    return checks


def _schema(soort: Soort, gemeenten: set[str]) -> pa.DataFrameSchema:
    required = [_vector(lambda s: s != "", "leeg")]
    cols: dict[str, pa.Column] = {}
    for c in soort.columns:
        if c == "gemeente":
            cols[c] = pa.Column(object, required + [
                _vector(lambda s: s.str.fullmatch(GEMEENTE_CODE.pattern.strip("^$")), "gm_formaat"),
                _vector(lambda s: s.isin(gemeenten) | ~s.str.fullmatch(GEMEENTE_CODE.pattern.strip("^$")), "gm_onbekend"),
            ])
        elif c in soort.dates:
            cols[c] = pa.Column(object, _date_checks(c, optional=c not in soort.required), required=c in soort.required)
        elif c in ("id", "client"):
            cols[c] = pa.Column(object, required, required=c in soort.required)
        elif c == "wet":
            cols[c] = pa.Column(object, required + [_vector(_in(WETTEN), "wet")])
        else:
            lists = {"zwaarte": ZWAARTE, "verwijzer": VERWIJZERS, "uitkomst": UITKOMSTEN, "reden_einde": REDENEN,
                     "norm": NORMEN, "gegrond": GEGROND}
            if c in lists:
                checks = [_vector(_in(lists[c], optional=c not in soort.required), c)]
                if c in soort.required:
                    checks = required + checks
                cols[c] = pa.Column(object, checks, required=c in soort.required)
            elif c in soort.required:
                cols[c] = pa.Column(object, required)
    return pa.DataFrameSchema(cols, strict=False)


def _problems_rows(name: str, rows, column: str, message: str, limit: int = 25) -> list[Problem]:
    return [Problem(name, int(r), column, message) for r in list(rows)[:limit]]


@dataclass
class Registratie:
    """One validated, pseudonymised export: its kind, file name and records (no raw identifiers)."""

    soort: str
    bestand: str
    records: pd.DataFrame


def read_registratie(path: Path, soort: str, gemeenten: set[str], config: Config, key: bytes | None,
                     root: Path | None = None) -> Registratie:
    """Validate one export and return its records with pseudonymised identifiers and parsed dates.

    Raises ContractError naming file, row and column for: missing or unknown columns, empty
    cells, unknown gemeente, malformed dates or dates outside 1990-2099, an end before its start
    (or a decision before its receipt), unknown codes (wet, categorie per wet, zwaarte,
    verwijzer, uitkomst, reden, norm, gegrond), duplicate ids, and BSN-like values in a column
    that is not pseudonymised. Messages never repeat an identifier's value.
    """
    kind = SOORTEN[soort]
    table = read_table(path, kind.required, kind.columns, root)
    frame = table.frame
    name = _display(path, root)
    for c in kind.optional:
        if c not in frame.columns:
            frame[c] = ""
    extra: list[Problem] = []
    # BSNs: identifiers are hashed when pseudonymisation is on; any other column never may hold one.
    exempt = set(kind.identifiers) if config.pseudonimisering else set()
    for c in frame.columns:
        if c in exempt:
            continue
        bsn = elfproef(frame[c]).to_numpy()
        hits = frame.index[bsn]
        if len(hits):
            # Other checks of these cells (an unknown category, ...) must not repeat the number.
            frame.loc[bsn, c] = "[verborgen]"
            hint = ("zet pseudonimisering aan in params/registraties.yml" if c in kind.identifiers
                    else "deze kolom wordt niet gepseudonimiseerd: haal de BSN's eruit")
            extra += _problems_rows(name, hits, c, f"waarde lijkt een BSN (9 cijfers die de elfproef doorstaan); {hint}. "
                                    "De waarde wordt hier bewust niet getoond", limit=5)
    dup = frame["id"].duplicated(keep="first") & (frame["id"] != "")
    if dup.any():
        first_row = frame.reset_index().groupby("id")["index"].first()
        for row in frame.index[dup.to_numpy()][:25]:
            extra.append(Problem(name, int(row), "id", f"dubbele id: dezelfde id staat al in rij {int(first_row[frame.at[row, 'id']])}; "
                                 "elke regel moet een eigen id hebben"))
    if soort == "voorzieningen" and config.categorieen:
        wet = _normalise(frame["wet"], WETTEN)
        for code, label in WETTEN.items():
            known = config.categorieen.get(code)
            if not known:
                continue
            bad = (wet == label) & ~frame["categorie"].str.lower().isin({k.lower() for k in known})
            extra += _problems_rows(name, frame.index[bad.to_numpy()], "categorie",
                                    f"onbekende categorie voor {label}; kies uit: {', '.join(known)} (params/registraties.yml, categorieen)")
    out = pd.DataFrame(index=frame.index)
    out["gemeente"] = frame["gemeente"].to_numpy()
    for c in kind.dates:
        open_end = frame[c].isin(OPEN_END) if c == "einddatum" else pd.Series(False, index=frame.index)
        out[c] = parse_dates(frame[c].where(~open_end, ""))
    # Checks between columns, reported together with the per-cell checks below.
    order = [("einddatum", "startdatum", "einddatum ligt voor de startdatum"),
             ("datum_besluit", "datum_ontvangst", "datum_besluit ligt voor de datum_ontvangst")]
    for late, early, text in order:
        if late in out and early in out:
            bad = out[late].notna() & (out[late] < out[early])
            extra += _problems_rows(name, out.index[bad.to_numpy()], late, f"{text}; controleer beide datums")
    if soort == "aanvragen":
        decided = frame["uitkomst"].str.lower().isin(["toegekend", "afgewezen", "buiten_behandeling", "buiten behandeling"])
        bad = decided & (frame["datum_besluit"] == "")
        extra += _problems_rows(name, out.index[bad.to_numpy()], "datum_besluit",
                                "een besluit (uitkomst) zonder datum_besluit; vul de datum in of maak de uitkomst leeg (nog open)")
    if soort == "uitkeringen":
        bad = (frame["reden_einde"] != "") & ((frame["einddatum"] == "") | frame["einddatum"].isin(OPEN_END))
        extra += _problems_rows(name, out.index[bad.to_numpy()], "reden_einde",
                                "een reden van beëindiging zonder einddatum; vul de einddatum in of maak de reden leeg")
    _validate(_schema(kind, gemeenten), table, root, extra, messages=MESSAGES)

    ident = (lambda s: pseudonymise(s, key)) if config.pseudonimisering else local_codes
    if config.pseudonimisering and key is None:
        raise ValueError("pseudonimisering staat aan maar er is geen sleutel")
    out["id"] = ident(frame["id"])
    if "client" in kind.columns:
        out["client"] = ident(frame["client"])
    if soort == "uitkeringen":
        # Without a household id every client is a household of its own.
        out["huishouden"] = ident(frame["huishouden"].where(frame["huishouden"] != "", "client:" + frame["client"]))
    if "wet" in kind.columns:
        out["wet"] = _normalise(frame["wet"], WETTEN)
    if soort == "voorzieningen":
        cats = {c.lower(): c for cs in config.categorieen.values() for c in cs}
        out["categorie"] = frame["categorie"].str.lower().map(cats).fillna(frame["categorie"])
        out["product"] = frame["product"].where(frame["product"] != "", None)
        out["zwaarte"] = _normalise(frame["zwaarte"], ZWAARTE)
        out["verwijzer"] = _normalise(frame["verwijzer"], VERWIJZERS)
    elif soort == "aanvragen":
        out["uitkomst"] = _normalise(frame["uitkomst"], UITKOMSTEN)
    elif soort == "uitkeringen":
        out["reden_einde"] = _normalise(frame["reden_einde"], REDENEN)
    elif soort == "klachten":
        out["norm"] = _normalise(frame["norm"], NORMEN)
        out["gegrond"] = _normalise(frame["gegrond"], GEGROND)
    out["rij"] = out.index.astype(np.int64)
    return Registratie(soort, name, out.reset_index(drop=True))


def read_registraties(data: Path, params: Path, gemeenten: set[str], root: Path | None = None,
                      key: bytes | None = None) -> tuple[dict[str, pd.DataFrame], Config, list[str]]:
    """All exports under data/registraties/, per kind one frame. Returns the frames, the config
    and the file names read. The key is loaded (or created) only when there are exports."""
    config = load_config(params)
    files = registratie_files(data)
    if not any(files.values()):
        return {}, config, []
    if config.pseudonimisering and key is None:
        key, _ = load_key(config, root or Path(data).parent)
    frames, names = {}, []
    for soort, paths in files.items():
        parts = [read_registratie(p, soort, gemeenten, config, key, root) for p in paths]
        if parts:
            frame = pd.concat([p.records.assign(bestand=p.bestand) for p in parts], ignore_index=True)
            _check_ids_across_files(frame)
            frames[soort] = frame.drop(columns=["id"])
            names += [p.bestand for p in parts]
    return frames, config, names


def _check_ids_across_files(frame: pd.DataFrame) -> None:
    """An id may occur once over all files of a kind (within a file read_registratie checks it)."""
    dup = frame.duplicated("id", keep=False)
    if not dup.any() or frame.loc[dup, "bestand"].nunique() < 2:
        return
    problems = []
    first = frame[dup].drop_duplicates("id").set_index("id")
    for rec in frame[dup & frame.duplicated("id", keep="first")].head(25).itertuples(index=False):
        src = first.loc[rec.id]
        problems.append(Problem(rec.bestand, int(rec.rij), "id",
                                f"dubbele id: dezelfde id staat al in {src['bestand']}, rij {int(src['rij'])}; elke regel moet een eigen id hebben"))
    raise ContractError(problems)
