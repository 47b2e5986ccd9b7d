"""CBS StatLine connector: fetch tables with `cbsodata`, keep dated snapshots, map them onto the catalogue.

    sdrapport cbs fetch                      # every table in params/cbs/, for the gemeenten in data/gemeenten.csv
    sdrapport cbs fetch --tabel 85984NED --refresh

Per table a mapping file `params/cbs/<tabel>.yml` says which dimension holds the regions, which
holds the periods (or which single year a table covers), and which topics (and dimension values)
become which catalogue indicators and breakdowns. A fetch downloads the table's metadata and its
untyped data set (the raw cells, so CBS's symbols survive) filtered on the gemeenten asked, and
stores it as an immutable snapshot:

    cache/cbs/<tabel>/<Modified date>/data.parquet   the rows, dimension keys kept as keys
    cache/cbs/<tabel>/<Modified date>/meta.json      TableInfos, DataProperties, dimension lists

Later runs read the newest snapshot and need no network; --refresh fetches anew (a new snapshot
when CBS modified the table). The snapshot is then turned into contract observations in
`data/observaties/cbs-<tabel>.csv` (and inhabitants into data/inwoners.csv), with the table id and
snapshot date in `bron` and CBS's provisional periods as status voorlopig.

Every key of a mapping (dimensions, dimension codes, topics) is checked against the table's
metadata before anything is downloaded or written; a key the table lacks is a MappingError (exit 2)
naming the table's nearest keys. A mapping with `vervangt: <old id>` continues an older table in
one series (the newer table counts where both have a figure; the sidecar records the break for the
reports), and figures that CBS revised since the last fetch are returned as `herzieningen`.
`sdrapport cbs tabel` (cbs_tabel.py) shows a table's metadata and drafts a mapping.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sdrapport.errors import ContractError
from sdrapport.inputs.contract import INWONERS_COLUMNS, read_table
from sdrapport.inputs.params import CBS as CBS_SCHEMA
from sdrapport.inputs.params import ParamsError, load_params, problem_at
from sdrapport.periods import Period, PeriodError
from sdrapport.project import Project

DEFAULT_CATALOG = "opendata.cbs.nl"
# CBS "Verklaring van tekens": '.' gegevens ontbreken, 'x' geheim, '-' nihil (a true zero).
DEFAULT_SYMBOLS = {".": "?", "x": "-", "-": "0"}
REQUIRED = ("tabel", "bron", "regio", "onderwerpen")
DOELGROEP = "inwoners_doelgroep"  # inhabitants per age band and sex: to data/inwoners-doelgroep.csv
SINGLE_YEAR = re.compile(r"^\s*(\d{1,3}) jaar( of ouder)?\s*$")  # a category of one year of age: '75 jaar', '105 jaar of ouder'


def age_bands(items: list[dict], klassen: dict[str, list]) -> dict[str, str]:
    """Dimension key -> band for the single-year categories of an age dimension (by their title:
    '75 jaar', '99 jaar of ouder'), for bands given as [from, to] in whole years (to: null = and
    older). Group categories ('65 tot 80 jaar') are left out: summing them would count twice."""
    out = {}
    for item in items:
        m = SINGLE_YEAR.match(str(item.get("Title", "")))
        if not m:
            continue
        age = int(m.group(1))
        for band, (lo, hi) in klassen.items():
            if m.group(2) and hi is not None:
                continue  # 'N jaar of ouder' fits only an open band
            if age >= int(lo) and (hi is None or age <= int(hi)):
                out[str(item["Key"]).strip()] = band
    return out


class CbsError(Exception):
    """A fetch that cannot be done; the message names the table and what to do."""


class MappingError(CbsError):
    """A mapping (or a concept) that does not fit the table: a key, code or column it lacks. Bad
    input (exit 2), found before anything is written."""


def nearest(key: str, options, n: int = 5) -> list[str]:
    """The options most like `key` (case-insensitive), best first: the suggestions of a refusal."""
    by_lower = {str(o).lower(): str(o) for o in options}
    return [by_lower[h] for h in difflib.get_close_matches(str(key).lower(), list(by_lower), n=n, cutoff=0.5)]


def _suggest(key: str, options: dict[str, str] | list[str]) -> str:
    """'; dichtstbij: A (titel), B (titel)' or '' when nothing is near."""
    near = nearest(key, options)
    if not near:
        return ""
    titles = options if isinstance(options, dict) else {}
    return "; dichtstbij: " + ", ".join(f"{k} ({titles[k]})" if titles.get(k) and titles[k] != k else k for k in near)


@dataclass
class Topic:
    key: str
    indicator: str
    uitsplitsing: dict[str, str] = field(default_factory=dict)


@dataclass
class Mapping:
    path: Path
    tabel: str
    bron: str
    regio: str
    onderwerpen: list[Topic]
    titel: str | None = None  # the table's title when the mapping was made: a renamed table is reported
    vervangt: str | None = None  # the table this one continues (86050NED vervangt 83262NED): one series, with a break
    catalogus: str = DEFAULT_CATALOG
    perioden: str | None = "Perioden"
    jaar: int | None = None  # for a table about one year without a period dimension (KWB)
    dimensies: dict[str, dict] = field(default_factory=dict)  # CBS dimension -> {kolom, waarden}
    maanden: str | None = None  # 'kwartaaleinde': a month ending a quarter describes that quarter (stocks)
    symbolen: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SYMBOLS))


def load_mapping(path: Path) -> Mapping:
    raw = load_params(path, CBS_SCHEMA) or {}
    if not raw.get("perioden", "Perioden") and not raw.get("jaar"):
        raise ParamsError([problem_at(path, ("perioden",), "een tabel zonder periodedimensie heeft 'jaar' nodig")])
    topics = []
    for _n, t in enumerate(raw["onderwerpen"], start=1):
        topics.append(Topic(str(t["key"]), str(t["indicator"]), {k: str(v) for k, v in (t.get("uitsplitsing") or {}).items()}))
    return Mapping(
        path=path, tabel=str(raw["tabel"]), bron=str(raw["bron"]), regio=str(raw["regio"]), onderwerpen=topics,
        catalogus=str(raw.get("catalogus", DEFAULT_CATALOG)), perioden=raw.get("perioden", "Perioden") or None,
        jaar=raw.get("jaar"), dimensies=dict(raw.get("dimensies") or {}), maanden=raw.get("maanden"),
        symbolen={**DEFAULT_SYMBOLS, **{str(k): str(v) for k, v in (raw.get("symbolen") or {}).items()}},
        titel=raw.get("titel"), vervangt=str(raw["vervangt"]) if raw.get("vervangt") else None,
    )


def mappings(project: Project, tabellen: list[str] | None = None) -> list[Mapping]:
    found = [load_mapping(p) for p in sorted((project.params / "cbs").glob("*.yml"))]
    if tabellen:
        unknown = sorted(set(tabellen) - {m.tabel for m in found})
        if unknown:
            raise CbsError(f"geen mapping voor tabel {', '.join(unknown)} in params/cbs/; maak params/cbs/<tabel>.yml aan")
        found = [m for m in found if m.tabel in tabellen]
    return found


# -- snapshots ------------------------------------------------------------------------------------
def cache_dir(project: Project) -> Path:
    return project.root / "cache" / "cbs"


def _snapshot_meta(snapshot: Path) -> dict:
    try:
        return json.loads((snapshot / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CbsError(f"snapshot {snapshot} is onleesbaar ({type(exc).__name__}); verwijder de map en haal opnieuw op") from None


def snapshots(project: Project, tabel: str) -> list[Path]:
    """Complete snapshots of a table, oldest first (by fetch time). A snapshot is complete when
    its meta.json, written last, says so; temporary folders live elsewhere (cache/cbs/.tmp)."""
    folder = cache_dir(project) / tabel
    found = []
    for p in (folder.iterdir() if folder.exists() else []):
        if p.name.startswith(".") or not (p / "data.parquet").exists() or not (p / "meta.json").exists():
            continue
        meta = _snapshot_meta(p)
        if meta.get("_sdrapport", {}).get("compleet"):
            found.append((meta["_sdrapport"].get("opgehaald", ""), p.name, p))
    return [p for *_, p in sorted(found)]


def latest_snapshot(project: Project, tabel: str) -> Path | None:
    snaps = snapshots(project, tabel)
    return snaps[-1] if snaps else None


def _covers(snapshot: Path, gemeenten: list[str]) -> bool:
    return set(gemeenten) <= set(_snapshot_meta(snapshot).get("_sdrapport", {}).get("gemeenten", []))


def _rows_hash(rows: pd.DataFrame) -> str:
    import hashlib

    return hashlib.sha256(rows.to_csv(index=False, lineterminator="\n").encode("utf-8")).hexdigest()


MAX_FILTERED = 40  # more gemeenten than this: ask for all gemeente rows (a URL has a length limit)


def _region_filter(dim: str, gemeenten: list[str]) -> str:
    # Region keys can carry trailing spaces ('GM0505  '): match the start of the key. Rows of other
    # regions that slip through are dropped again when mapping.
    if len(gemeenten) > MAX_FILTERED:
        return f"startswith({dim},'GM')"
    return " or ".join(f"startswith({dim},'{g}')" for g in gemeenten)


@contextlib.contextmanager
def _client(catalogus: str):
    """cbsodata set up for a catalogue given as 'opendata.cbs.nl' or with its scheme ('http://127.0.0.1:8080',
    a mirror or test server); yields the catalogue URL as cbsodata wants it (no scheme)."""
    import cbsodata

    catalog, https = catalogus, True
    if catalog.startswith(("http://", "https://")):
        https, catalog = catalog.startswith("https://"), catalog.split("://", 1)[1]
    previous = cbsodata.options.use_https
    try:
        cbsodata.options.use_https = https
        yield catalog.rstrip("/")
    finally:
        cbsodata.options.use_https = previous


def read_metadata(tabel: str, catalogus: str, dimensies: list[str] | None = None, timeout: int = 60) -> dict:
    """A table's metadata, live: TableInfos, DataProperties and the code lists of its dimensions
    (all of them, or only those named). Network errors are the caller's (requests exceptions)."""
    import cbsodata

    with _client(catalogus) as catalog:
        meta = {"TableInfos": cbsodata.get_meta(tabel, "TableInfos", catalog_url=catalog, timeout=timeout),
                "DataProperties": cbsodata.get_meta(tabel, "DataProperties", catalog_url=catalog, timeout=timeout)}
        dims = [p["Key"] for p in meta["DataProperties"] if str(p.get("Type", "")).endswith("Dimension")]
        for dim in dims if dimensies is None else [d for d in dimensies if d in dims]:
            meta[dim] = cbsodata.get_meta(tabel, dim, catalog_url=catalog, timeout=timeout)
    return meta


def _unreachable(exc: Exception, project: Project, mapping: Mapping, existing: Path | None, gemeenten: list[str]) -> CbsError:
    """The error of a download that failed: no connection (with or without a stored snapshot), or an answer that is no table."""
    import requests

    if isinstance(exc, (requests.ConnectionError, requests.Timeout)):
        if existing is not None:
            return CbsError(f"tabel {mapping.tabel}: ophalen bij {mapping.catalogus} is mislukt (geen verbinding); de opgeslagen "
                            f"snapshot {existing.name} blijft in gebruik" + ("" if _covers(existing, gemeenten) else
                            ", maar bevat niet alle gevraagde gemeenten: draai 'sdrapport cbs fetch --refresh' op een machine met internet")
                            + ".")
        return CbsError(f"tabel {mapping.tabel}: geen verbinding met {mapping.catalogus} ({type(exc).__name__}) en nog geen "
                        f"opgeslagen snapshot in {cache_dir(project) / mapping.tabel}. Draai 'sdrapport cbs fetch' op een machine "
                        f"met internet en neem de map cache/cbs mee.")
    return CbsError(f"tabel {mapping.tabel}: {mapping.catalogus} gaf geen bruikbaar antwoord ({type(exc).__name__}: {exc}); "
                    f"controleer het tabel-id en {mapping.path.name}")


def _breakdowns(project: Project) -> list[str]:
    from sdrapport.inputs.catalogue import load_catalogue

    return load_catalogue(project.catalogue).breakdown_columns


def fetch(project: Project, mapping: Mapping, gemeenten: list[str], *, refresh: bool = False) -> Path:
    """The snapshot to use: the newest stored one that covers the gemeenten asked, or (with
    refresh, or when there is none) a new download. Every key of the mapping is checked against
    the table's DataProperties and code lists first (MappingError, naming the nearest keys), so a
    mapping that does not fit writes nothing. Raises CbsError naming the table when neither a
    snapshot nor a download is possible."""
    breakdowns = _breakdowns(project)
    existing = latest_snapshot(project, mapping.tabel)
    if existing is not None and not refresh and _covers(existing, gemeenten):
        check_mapping(mapping, _snapshot_meta(existing), breakdowns)
        return existing
    import cbsodata

    try:  # the metadata first (small): a mapping that does not fit costs no download of the data
        check_mapping(mapping, read_metadata(mapping.tabel, mapping.catalogus, list(mapping.dimensies)), breakdowns)
        region_filter = _region_filter(mapping.regio, gemeenten)
        with _client(mapping.catalogus) as catalog:
            # cbsodata 1.3.x inverts this flag in download_data: typed=True skips TypedDataSet and
            # fetches UntypedDataSet, whose cells keep CBS's symbols ('.', 'x'). Checked below.
            data = cbsodata.download_data(mapping.tabel, typed=True, filters=region_filter, catalog_url=catalog, timeout=60)
    except MappingError:
        raise
    except Exception as exc:  # noqa: BLE001 - no connection, or the server answered but not with this table
        raise _unreachable(exc, project, mapping, existing, gemeenten) from None
    if "UntypedDataSet" not in data:
        raise CbsError(f"tabel {mapping.tabel}: de client gaf geen UntypedDataSet (cbsodata-versie?); zonder de ruwe cellen "
                       "gaan CBS-tekens als 'x' (geheim) verloren")
    check_mapping(mapping, data, breakdowns)  # the downloaded metadata too, before the snapshot is written
    info = (data.get("TableInfos") or [{}])[0]
    modified = str(info.get("Modified") or dt.date.today().isoformat())[:10]
    rows = pd.DataFrame(data["UntypedDataSet"]).astype(str)
    digest = _rows_hash(rows)
    for snap in reversed(snapshots(project, mapping.tabel)):
        own = _snapshot_meta(snap)["_sdrapport"]
        if own.get("sha256") == digest and set(own.get("gemeenten", [])) == set(gemeenten):
            return snap  # nothing changed at CBS: keep using that snapshot
    meta = {k: v for k, v in data.items() if k not in ("UntypedDataSet", "TypedDataSet")}
    meta["_sdrapport"] = {"tabel": mapping.tabel, "catalogus": mapping.catalogus, "gemeenten": sorted(gemeenten),
                          "opgehaald": dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds"),
                          "sha256": digest, "compleet": True}
    folder = cache_dir(project) / mapping.tabel
    name, n = modified, 2
    while (folder / name).exists():  # never overwrite a snapshot: it is immutable
        name, n = f"{modified}-{n}", n + 1
    tmp = cache_dir(project) / ".tmp" / f"{mapping.tabel}-{name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    rows.to_parquet(tmp / "data.parquet", index=False)
    # meta.json last: its 'compleet' flag marks a finished snapshot
    (tmp / "meta.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, folder / name)
    return folder / name


# -- mapping onto the catalogue ---------------------------------------------------------------------
def _cbs_periods(key: str, title: str, status: str, maanden: str | None) -> list[tuple[str, str]]:
    """[(our period code, voorlopig/definitief)] for a CBS period key; [] for unsupported ones.
    With maanden 'kwartaaleinde' a month that ends a quarter stands for that quarter (and
    June for the first half-year, December for the second and for the year): for stocks only."""
    voorlopig = "voorlopig" in (status or "").lower() or title.strip().endswith("*")
    state = "voorlopig" if voorlopig else "definitief"
    m = re.fullmatch(r"(\d{4})MM(\d{2})", key.strip())
    if m:
        if maanden != "kwartaaleinde" or int(m.group(2)) % 3:
            return []
        year, month = int(m.group(1)), int(m.group(2))
        codes = [Period(year, "Q", month // 3).code]
        codes += [Period(year, "H", 1).code] if month == 6 else [Period(year, "H", 2).code, str(year)] if month == 12 else []
        return [(c, state) for c in codes]
    try:
        return [(Period.parse(key.strip()).code, state)]
    except PeriodError:
        return []  # multi-year codes (X0) and the like: not a reporting period of ours


def check_mapping(mapping: Mapping, meta: dict, breakdowns: list[str]) -> None:
    """The mapping against the table's DataProperties and code lists: dimensions, topics and
    dimension codes exist (else MappingError naming the table's nearest keys), every dimension is
    mapped (an unmapped one would duplicate rows), breakdown columns exist in the catalogue."""
    props = meta.get("DataProperties") or []
    dims = {p["Key"].strip(): str(p.get("Title") or "") for p in props if str(p.get("Type", "")).endswith("Dimension")}
    topics = {p["Key"].strip(): str(p.get("Title") or "") for p in props if p.get("Type") == "Topic"}
    where = f"tabel {mapping.tabel} ({mapping.path.name})"
    show = f"; alle sleutels: sdrapport cbs tabel {mapping.tabel}"
    needed = [mapping.regio] + ([mapping.perioden] if mapping.perioden else [])
    for dim in needed + list(mapping.dimensies):
        if dim not in dims:
            raise MappingError(f"{where}: dimensie {dim!r} bestaat niet in de tabel; wel: {', '.join(sorted(dims))}")
    unmapped = sorted(set(dims) - set(needed) - set(mapping.dimensies))
    if unmapped:
        raise MappingError(f"{where}: dimensie(s) {', '.join(unmapped)} staan niet onder 'dimensies'; geef per dimensie "
                           "welke waarden meedoen (minstens het totaal), anders tellen rijen dubbel")
    for topic in mapping.onderwerpen:
        if topic.key not in topics:
            raise MappingError(f"{where}: onderwerp {topic.key!r} bestaat niet in de tabel{_suggest(topic.key, topics)}{show}")
        if topic.indicator == "inwoners" and (mapping.perioden or topic.uitsplitsing):
            raise MappingError(f"{where}: inwoners alleen uit een tabel over één jaar ('jaar:', peildatum 1 januari), zonder "
                               f"uitsplitsing; inwoners per leeftijd en geslacht heten {DOELGROEP}")
        for col in topic.uitsplitsing:
            if col not in breakdowns:
                raise MappingError(f"{where}: uitsplitsing {col!r} bestaat niet in de indicatorcatalogus; kies uit {', '.join(breakdowns)}")
    for dim, spec in mapping.dimensies.items():
        codes = {str(i.get("Key", "")).strip(): str(i.get("Title") or "").strip() for i in meta.get(dim) or []}
        for code in (spec.get("waarden") or {}) if codes else ():  # no code list in the metadata: nothing to check against
            if str(code).strip() not in codes:
                raise MappingError(f"{where}: code {str(code)!r} bestaat niet in dimensie {dim}{_suggest(str(code).strip(), codes)}{show}")
        only_totals = all(v == "totaal" for v in (spec.get("waarden") or {}).values()) and not spec.get("klassen")
        if spec.get("kolom") is None and only_totals:
            continue  # a dimension of which only the total is used needs no column
        if spec.get("kolom") not in breakdowns:
            raise MappingError(f"{where}: kolom {spec.get('kolom')!r} (dimensie {dim}) bestaat niet in de indicatorcatalogus; "
                               f"kies uit {', '.join(breakdowns)}")
        if not spec.get("waarden") and not spec.get("klassen"):
            raise MappingError(f"{where}: dimensie {dim} heeft 'waarden' of 'klassen' nodig")


def observations(mapping: Mapping, snapshot: Path, gemeenten: set[str],
                 breakdowns: list[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(observations, inhabitants) in the data contract's columns, from one snapshot."""
    meta = _snapshot_meta(snapshot)
    if breakdowns is not None:
        check_mapping(mapping, meta, breakdowns)
    rows = pd.read_parquet(snapshot / "data.parquet").astype(str)
    bron = f"{mapping.bron} ({snapshot.name})"
    periods: dict[str, list[tuple[str, str]]] = {}
    if mapping.perioden:
        for item in meta.get(mapping.perioden, []):
            found = _cbs_periods(str(item.get("Key", "")), str(item.get("Title", "")), str(item.get("Status", "")), mapping.maanden)
            if found:
                periods[str(item["Key"]).strip()] = found
    out, inw = [], []
    # Dimensions with age bands: the single-year categories that make up each band (summed below).
    bands = {dim: age_bands(meta.get(dim, []), spec["klassen"]) for dim, spec in mapping.dimensies.items() if spec.get("klassen")}
    for _, row in rows.iterrows():
        region = row.get(mapping.regio, "").strip()
        if region not in gemeenten:
            continue
        if mapping.perioden:
            targets = periods.get(row.get(mapping.perioden, "").strip())
            if not targets:
                continue
        else:
            targets = [(str(mapping.jaar), "definitief")]
        dims: dict[str, str] = {}
        skip = False
        for cbs_dim, spec in mapping.dimensies.items():
            key = row.get(cbs_dim, "").strip()
            value = (spec.get("waarden") or {}).get(key) or bands.get(cbs_dim, {}).get(key)
            if value is None:
                skip = True  # a dimension value the mapping does not use (e.g. a total we take elsewhere)
                break
            if value != "totaal":
                dims[spec["kolom"]] = value
        if skip:
            continue
        for topic in mapping.onderwerpen:
            cell = row.get(topic.key)
            if cell is None:
                raise CbsError(f"tabel {mapping.tabel}: onderwerp {topic.key} staat niet in de gegevens; controleer {mapping.path}")
            value = _value(cell, mapping.symbolen)
            for periode, status in targets:
                if topic.indicator == "inwoners":
                    if not dims and not topic.uitsplitsing and value.replace(".", "", 1).isdigit():
                        inw.append({"gemeente": region, "jaar": periode[:4], "inwoners": str(int(float(value))), "bron": bron})
                    continue
                if topic.indicator == DOELGROEP and (not (dims or topic.uitsplitsing) or not re.fullmatch(r"\d{4}", periode)):
                    continue  # a group on 1 January of a year; the total belongs to inwoners.csv
                out.append({"gemeente": region, "periode": periode, "indicator": topic.indicator, **dims, **topic.uitsplitsing,
                            "waarde": value, "bron": bron, "status": status})
    frame = pd.DataFrame(out)
    if len(frame) and bands:
        frame = _sum_bands(frame)
    if len(frame):
        key = [c for c in frame.columns if c not in ("waarde", "bron", "status")]
        dup = frame[frame.fillna("").duplicated(key, keep=False)]
        if len(dup):
            first = dup.iloc[0]
            raise CbsError(f"tabel {mapping.tabel} ({mapping.path.name}): meer dan één waarde voor {first['gemeente']} "
                           f"{first['periode']} {first['indicator']}; map elke dimensie, en combineer 'maanden' niet met "
                           "jaar- of kwartaalcodes van dezelfde tabel")
    inhabitants = pd.DataFrame(inw, columns=["gemeente", "jaar", "inwoners", "bron"]).drop_duplicates()
    return frame, inhabitants


def _sum_bands(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of one band (its single years) summed into one: '?' when any year is unknown, '-' when
    any is secret (the sum would reveal it), else the sum."""
    key = [c for c in frame.columns if c not in ("waarde",)]

    def total(values: pd.Series) -> str:
        cells = list(values)
        if "-" in cells:
            return "-"
        if "?" in cells:
            return "?"
        number = sum(float(v) for v in cells)
        return str(int(number)) if number.is_integer() else str(number)

    filled = frame.fillna("")
    return filled.groupby(key, sort=False, as_index=False)["waarde"].agg(total).replace({"": None})


def _value(cell: str, symbols: dict[str, str]) -> str:
    text = str(cell).strip()
    if text in symbols:
        return symbols[text]
    if text in ("", "None", "nan"):
        return "?"
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        number = float(text)
        return str(int(number)) if number.is_integer() else text
    return "?"


def write_observations(project: Project, mapping: Mapping, snapshot: Path, gemeenten: list[str]) -> dict:
    """Put the snapshot's figures for the gemeenten asked into data/observaties/cbs-<tabel>.csv
    (rows of other gemeenten in that file stay), inhabitants into data/inwoners.csv, and the
    snapshot used into data/observaties/cbs-<tabel>.json (for the run manifest).

    - Revisions: figures already in the file that this snapshot changes are returned (and kept in
      the sidecar) as `herzieningen`: indicator, gemeente, periode, uitsplitsing, oud, nieuw, status.
    - A table change (`vervangt`): the newer table wins where both have a figure (the older file
      loses those rows), and the sidecar of the newer table holds the series break per indicator
      (`reeksbreuken`: the first period from the newer table and a footnote naming both tables).
    - A renamed table (title unlike the mapping's `titel`) is returned as `titel_oud`."""
    dims = _breakdowns(project)
    obs, inw = observations(mapping, snapshot, set(gemeenten), dims)
    if obs.empty and inw.empty:
        raise CbsError(f"tabel {mapping.tabel}: de snapshot {snapshot.name} bevat geen cijfers voor de gevraagde gemeenten "
                       f"en perioden; controleer {mapping.path.name} (regio, perioden, dimensies)")
    folder = project.data / "observaties"
    target = folder / f"cbs-{mapping.tabel}.csv"
    groups = obs[obs["indicator"] == DOELGROEP] if len(obs) else obs
    if len(groups):
        _write_groups(project, groups)
        obs = obs[obs["indicator"] != DOELGROEP]
    herzieningen: list[dict] = []
    if len(obs):
        old = pd.read_csv(target, dtype=str, keep_default_na=False) if target.exists() else None
        obs = _drop_overlap(obs, [folder / f"cbs-{m.tabel}.csv" for m in mappings(project) if m.vervangt == mapping.tabel], dims)
        if old is not None:
            herzieningen = revisions(old[old["gemeente"].isin(gemeenten)], obs, dims)
            obs = pd.concat([old[~old["gemeente"].isin(gemeenten)], obs], ignore_index=True)
        used = [d for d in dims if d in obs.columns]
        obs = obs.reindex(columns=["gemeente", "periode", "indicator", *used, "waarde", "bron", "status"]).fillna("")
        obs = obs.sort_values(["gemeente", "periode", "indicator", *used], kind="stable")
        _atomic_csv(obs, target)
        if mapping.vervangt and (folder / f"cbs-{mapping.vervangt}.csv").exists():
            older = folder / f"cbs-{mapping.vervangt}.csv"
            kept = _drop_overlap(pd.read_csv(older, dtype=str, keep_default_na=False), [target], dims)
            if len(kept):
                _atomic_csv(kept, older)
            else:
                older.unlink()  # every figure of the older table is covered by the newer one
    if len(inw):
        path = project.data / "inwoners.csv"
        try:
            old_inw = read_table(path, INWONERS_COLUMNS, INWONERS_COLUMNS).frame  # ';' or ',', cells trimmed
        except ContractError:
            old_inw = inw.iloc[0:0]  # missing, empty or header only: nothing to keep
        keys = set(zip(inw["gemeente"], inw["jaar"]))
        replaced = old_inw[[(g, j) in keys for g, j in zip(old_inw["gemeente"], old_inw["jaar"])]]
        herzieningen += revisions(replaced.rename(columns={"jaar": "periode", "inwoners": "waarde"}).assign(indicator="inwoners"),
                                  inw.rename(columns={"jaar": "periode", "inwoners": "waarde"}).assign(indicator="inwoners"), [])
        keep = old_inw[[(g, j) not in keys for g, j in zip(old_inw["gemeente"], old_inw["jaar"])]]
        merged = pd.concat([keep, inw], ignore_index=True).sort_values(["gemeente", "jaar"], kind="stable")
        _atomic_csv(merged[list(INWONERS_COLUMNS)], path)
    meta = _snapshot_meta(snapshot)
    info = (meta.get("TableInfos") or [{}])[0]
    sidecar = {"tabel": mapping.tabel, "snapshot": snapshot.name, "modified": info.get("Modified"), "titel": info.get("Title"),
               "opgehaald": meta["_sdrapport"].get("opgehaald"), "sha256": meta["_sdrapport"].get("sha256"), "bron": mapping.bron}
    if mapping.vervangt:
        sidecar["vervangt"] = mapping.vervangt
        sidecar["reeksbreuken"] = _series_breaks(project, mapping, info.get("Title"), target, inw)
    if herzieningen:
        sidecar["herzieningen"] = herzieningen
    (folder / f"cbs-{mapping.tabel}.json").write_text(
        json.dumps(sidecar, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    renamed = mapping.titel if mapping.titel and info.get("Title") and mapping.titel.strip() != str(info["Title"]).strip() else None
    return {**sidecar, "observaties": len(obs), "inwoners": len(inw), "doelgroepen": len(groups),
            "herzieningen": herzieningen, "titel_oud": renamed}


def _key_columns(frame: pd.DataFrame, dims: list[str]) -> list[str]:
    return ["gemeente", "periode", "indicator", *[d for d in dims if d in frame.columns]]


def _keys(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    filled = frame.reindex(columns=columns, fill_value="").astype(object).fillna("").astype(str)
    return filled.apply(lambda row: "\x1f".join(row), axis=1) if len(filled) else pd.Series([], dtype=str)


def _drop_overlap(frame: pd.DataFrame, newer_files: list[Path], dims: list[str]) -> pd.DataFrame:
    """`frame` without the figures (gemeente, periode, indicator, breakdown) that a newer table's
    file already holds: where an old and a new table overlap, the new one counts."""
    newer = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in newer_files if p.exists()]
    if not newer or frame.empty:
        return frame
    columns = _key_columns(pd.concat([frame, *newer], ignore_index=True), dims)
    taken = set(pd.concat([_keys(n, columns) for n in newer], ignore_index=True))
    return frame[~_keys(frame, columns).isin(taken).to_numpy()].reset_index(drop=True)


def revisions(old: pd.DataFrame, new: pd.DataFrame, dims: list[str]) -> list[dict]:
    """Figures in `old` that `new` gives another value: one dict per figure (indicator, gemeente,
    periode, uitsplitsing, oud, nieuw, status_oud, status_nieuw). A figure new to the file is no revision."""
    if old.empty or new.empty:
        return []
    columns = _key_columns(pd.concat([old, new], ignore_index=True), dims)
    breakdowns = [c for c in columns if c not in ("gemeente", "periode", "indicator")]
    before = old.reindex(columns=[*columns, "waarde", "status"], fill_value="").astype(object).fillna("").astype(str)
    after = new.reindex(columns=[*columns, "waarde", "status"], fill_value="").astype(object).fillna("").astype(str)
    both = before.merge(after, on=columns, suffixes=("_oud", "_nieuw"))
    changed = both[both["waarde_oud"] != both["waarde_nieuw"]]
    return [{"indicator": r["indicator"], "gemeente": r["gemeente"], "periode": r["periode"],
             "uitsplitsing": ", ".join(f"{c} {r[c]}" for c in breakdowns if r[c]),
             "oud": r["waarde_oud"], "nieuw": r["waarde_nieuw"], "status_oud": r["status_oud"], "status_nieuw": r["status_nieuw"]}
            for _, r in changed.sort_values(["indicator", "gemeente", "periode"], kind="stable").iterrows()]


def _series_breaks(project: Project, mapping: Mapping, title: str | None, target: Path, inw: pd.DataFrame) -> list[dict]:
    """Per indicator that the older table (`vervangt`) gave too: the first period from this table
    and the footnote that names both tables."""
    older = project.params / "cbs" / f"{mapping.vervangt}.yml"
    old_title, old_indicators = None, set()
    if older.exists():
        old_map = load_mapping(older)
        old_title, old_indicators = old_map.titel, {t.indicator for t in old_map.onderwerpen}
    old_file = project.data / "observaties" / f"cbs-{mapping.vervangt}.csv"
    if not old_indicators and old_file.exists():  # the older mapping is gone, its figures are not
        old_indicators = set(pd.read_csv(old_file, dtype=str, keep_default_na=False)["indicator"])
    sidecar = project.data / "observaties" / f"cbs-{mapping.vervangt}.json"
    if sidecar.exists():
        old_title = json.loads(sidecar.read_text(encoding="utf-8")).get("titel") or old_title
    rows = pd.read_csv(target, dtype=str, keep_default_na=False) if target.exists() else pd.DataFrame(columns=["indicator", "periode"])
    out = []
    for indicator in sorted({t.indicator for t in mapping.onderwerpen} & old_indicators):
        periods = list(inw["jaar"]) if indicator == "inwoners" else list(rows.loc[rows["indicator"] == indicator, "periode"])
        parsed = [Period.parse(p) for p in periods]
        if not parsed:
            continue
        first = min(parsed, key=lambda p: (p.start, p.end))
        when = first.label if first.kind == "J" else f"het {first.label}"
        note = (f"Vanaf {when} komen de cijfers uit CBS-tabel {mapping.tabel}" + (f" ({title})" if title else "")
                + f", daarvoor uit {mapping.vervangt}" + (f" ({old_title})" if old_title else "")
                + "; cijfers voor en na de streep zijn niet zonder meer vergelijkbaar.")
        out.append({"indicator": indicator, "vanaf": first.code, "tabel": mapping.tabel, "vervangt": mapping.vervangt, "toelichting": note})
    return out


def series_breaks(project: Project) -> list[dict]:
    """The table changes inside indicator series (from the sidecars of data/observaties/cbs-*.json):
    indicator, vanaf (period code), toelichting. Reports mark them like a boundary change."""
    out = []
    for sidecar in used_snapshots(project):
        out += sidecar.get("reeksbreuken") or []
    return out


def _write_groups(project: Project, groups: pd.DataFrame) -> None:
    """Inhabitants per age band and sex into data/inwoners-doelgroep.csv (rows of other gemeenten
    and years stay). A secret or unknown group is left out: it cannot be a denominator."""
    from sdrapport.inputs.contract import DOELGROEP_COLUMNS

    path = project.data / "inwoners-doelgroep.csv"
    new = pd.DataFrame({"gemeente": groups["gemeente"], "jaar": groups["periode"],
                        "leeftijd": groups["leeftijd"] if "leeftijd" in groups else "",
                        "geslacht": groups["geslacht"] if "geslacht" in groups else "",
                        "inwoners": groups["waarde"], "bron": groups["bron"]}).fillna("")
    new = new[new["inwoners"].str.fullmatch(r"\d+")]
    if path.exists():
        old = pd.read_csv(path, dtype=str, keep_default_na=False)
        keys = set(zip(new["gemeente"], new["jaar"]))
        old = old[[(g, j) not in keys for g, j in zip(old["gemeente"], old["jaar"])]]
        new = pd.concat([old, new], ignore_index=True)
    new = new.sort_values(["gemeente", "jaar", "leeftijd", "geslacht"], kind="stable")
    _atomic_csv(new[list(DOELGROEP_COLUMNS)], path)


def _atomic_csv(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_csv(tmp, index=False, lineterminator="\n")
    os.replace(tmp, path)


def used_snapshots(project: Project) -> list[dict]:
    """The snapshots behind the CBS observation files (their sidecars), for the run manifest."""
    out = []
    for path in sorted((project.data / "observaties").glob("cbs-*.json")):
        try:
            out.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            out.append({"bestand": path.name, "fout": "onleesbaar"})
    return out
