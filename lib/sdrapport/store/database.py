"""The embedded DuckDB store, rebuilt from the files under data/.

A build validates every input first and writes a new database file next to the old one; only when
all of it succeeded does it replace the old file (an atomic rename). A failed ingest therefore leaves
the store exactly as it was.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pandas as pd

from sdrapport.inputs.catalogue import Catalogue, load_catalogue
from sdrapport.indicators.definitions import Afgeleid, as_observations, derive, overlapping_deliveries
from sdrapport.inputs.demo import DEMO_BRON, DOELGROEP_DEMO, demo_up_to_date, ensure_demo, generated_paths
from sdrapport.errors import ContractError, Problem, ResourceError, collect, resource_error
from sdrapport.inputs.params import ParamsError
from sdrapport.inputs.plausibility import check_clients, check_existence, check_rates
from sdrapport.inputs.registrations import read_registraties, registratie_files
from sdrapport.inputs.contract import (
    GEMEENTE_CODE,
    KEY_HASH,
    boundary_events,
    check_boundaries,
    check_unique_observations,
    read_historie,
    grootteklasse,
    key_hashes,
    read_gemeenten,
    read_inwoners,
    read_inwoners_doelgroep,
    read_observaties,
    read_table,
)

REGISTRATIE_KOLOMMEN = ["gemeente", "peildatum", "soorten", "methode", "drempel"]
DOELGROEP = "inwoners_doelgroep"  # indicator of the inhabitants per age band and sex
# 2: registrations (beveiligd, definities, definitievergelijking, registraties); 3: definities.volgnummer, stricter
# registration checks; 4: export mappings, registraties.soorten/methode/drempel, inwoners_doelgroep; 5: profiel and
# vergelijkbaar (data/profiel, indicators/similar.py)
SCHEMA_VERSION = "5"


@dataclass(frozen=True)
class DataSet:
    """The input files of one data folder."""

    root: Path

    @property
    def gemeenten(self) -> Path:
        return self.root / "gemeenten.csv"

    @property
    def inwoners(self) -> Path:
        return self.root / "inwoners.csv"

    @property
    def catalogue(self) -> Path:
        return self.root / "indicatoren.yml"

    @property
    def historie(self) -> Path:
        return self.root / "gemeente-historie.csv"  # optional

    @property
    def inwoners_doelgroep(self) -> Path:
        return self.root / "inwoners-doelgroep.csv"  # optional: inhabitants per age band and sex

    def doelgroep_files(self) -> list[Path]:
        """The inhabitants per age band and sex present: delivered (CBS or the gemeente's own) and the
        demo's, generated on first use for the other gemeenten."""
        return [p for p in (self.inwoners_doelgroep, self.root / DOELGROEP_DEMO) if p.exists()]

    @property
    def registratie_config(self) -> Path:
        """params/registraties.yml beside data/: it changes the derived figures, so it is an input."""
        return self.root.parent / "params" / "registraties.yml"

    def registraties(self) -> list[Path]:
        return [p for paths in registratie_files(self.root).values() for p in paths]

    def mappings_in_use(self, files: list[Path]) -> list[Path]:
        """The export mappings of params/bronnen/ that read one of `files`, and the codelists they use."""
        from sdrapport.inputs.registrations import export_mappings

        used, lists = [], []
        for m in export_mappings(self.registratie_config.parent):
            if any(m.matches(p.name) for p in files):
                used.append(m.path)
                lists += [c.path for c in m.codelijsten if c.path not in lists]
        return [*used, *lists]

    @property
    def observaties(self) -> list[Path]:
        folder = self.root / "observaties"
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".csv", ".parquet") and not p.name.startswith("."))

    def geo(self) -> list[Path]:
        """Boundaries (data/kaart/) and profiles (data/profiel/) of all gemeenten (geodata.py)."""
        from sdrapport.inputs.geodata import boundary_files, profile_files

        return [*boundary_files(self.root).values(), *profile_files(self.root).values()]

    def files(self) -> list[Path]:
        optional = [p for p in (self.historie,) if p.exists()] + self.doelgroep_files()
        registraties = self.registraties()
        if registraties:
            # The settings and the export mappings in use (with their codelists) change the figures
            # computed from the exports; a mapping that reads no file does not.
            config = [self.registratie_config] if self.registratie_config.exists() else []
            registraties = [*config, *self.mappings_in_use(registraties), *registraties]
        return [self.catalogue, self.gemeenten, self.inwoners, *optional, *self.observaties, *registraties, *self.geo()]

    def shared_files(self) -> list[Path]:
        """The inputs every report reads whatever its gemeente: catalogue, registry, inhabitants,
        history and the registrations' configuration (the rows of the observation files and
        exports are compared per gemeente instead: gemeente_hashes)."""
        optional = [p for p in (self.historie, self.registratie_config) if p.exists()]
        return [self.catalogue, self.gemeenten, self.inwoners, *optional]

    def shared_fingerprint(self) -> str:
        h = hashlib.sha256(f"schema={SCHEMA_VERSION}\n".encode())
        for path in self.shared_files():
            h.update(str(path.relative_to(self.root.parent)).encode() + b"\0")
            h.update(file_sha256(path).encode() if path.exists() else b"missing")
        return h.hexdigest()

    def fingerprint(self, hashes: dict[Path, str] | None = None) -> str:
        """Hash over the names and contents of all input files (and the store schema version);
        `hashes` holds file hashes a build already computed."""
        hashes = hashes or {}
        h = hashlib.sha256(f"schema={SCHEMA_VERSION}\n".encode())
        for path in self.files():
            h.update(str(path.relative_to(self.root.parent)).encode() + b"\0")
            h.update((hashes.get(path) or file_sha256(path)).encode() if path.exists() else b"missing")
        return h.hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _codes_as_typed(path: Path) -> set[str]:
    """The gemeente codes in a gemeenten.csv that has problems, so the other files can still be
    checked against it (its own problems are reported separately)."""
    try:
        frame = read_table(path, ("code",), None)
    except ContractError:
        return set()
    return {c for c in frame.frame["code"] if isinstance(c, str) and GEMEENTE_CODE.match(c)}


VALIDATED = ".validated"  # beside the store: observation files as validated, one Parquet file each


@functools.cache
def _validation_code() -> str:
    """The code that decides whether an observations file is valid and how it is read."""
    from sdrapport import periods
    from sdrapport.inputs import catalogue
    from sdrapport.inputs import contract

    h = hashlib.sha256(SCHEMA_VERSION.encode())
    for module in (contract, periods, catalogue):
        h.update(Path(module.__file__).read_bytes())
    return h.hexdigest()


def read_observaties_cached(path: Path, catalogue: Catalogue, codes: set[str], root: Path, cache: Path | None,
                            used: set[Path], hashes: dict[Path, str] | None = None) -> pd.DataFrame:
    """read_observaties, remembered per file: a file whose bytes, the catalogue, the registry's
    codes and the validation code are unchanged is read from its validated Parquet copy in
    `cache` (a national monitor changes one of many files; the other files, 1,7 million rows for
    342 gemeenten, are not validated again). A file with problems is never remembered. The paths
    of the copies in use are added to `used`; `hashes` holds file hashes the build already computed."""
    if cache is None:
        return read_observaties(path, catalogue, codes, root)
    h = hashlib.sha256(_validation_code().encode())
    hashes = hashes or {}
    h.update((hashes.get(path) or file_sha256(path)).encode())
    h.update((hashes.get(catalogue.path) or file_sha256(catalogue.path)).encode())
    h.update(str(path.relative_to(root)).encode())
    h.update("\n".join(sorted(codes)).encode())
    copy = cache / f"{h.hexdigest()}.parquet"
    used.add(copy)
    if copy.is_file():
        try:
            return pd.read_parquet(copy).astype({"rij": "int64"})
        except (OSError, ValueError):
            copy.unlink(missing_ok=True)  # unreadable (a crash while writing it): validate again
    frame = read_observaties(path, catalogue, codes, root)
    frame[KEY_HASH] = key_hashes(frame, catalogue.breakdown_columns).to_numpy()
    cache.mkdir(parents=True, exist_ok=True)
    tmp = copy.with_name(f".{copy.name}.tmp-{os.getpid()}")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, copy)
    return frame


def prefer_own(observaties: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Leave out demo figures (bron 'Demodata') of every indicator that has figures of another source
    for any gemeente (delivered, or computed from a gemeente's own registrations): the demo never
    fills a gap in a delivered indicator, so neither a page nor a reference value over gemeenten
    mixes fictitious and real figures of one indicator. The demo generator leaves them out already
    (demo.select); this also catches the figures computed from the demo's own record-level exports.
    Returns the observations kept and a count of the rows left out per gemeente and indicator."""
    demo = observaties["bron"] == DEMO_BRON
    if not demo.any() or demo.all():
        return observaties, pd.DataFrame(columns=["gemeente", "indicator", "rijen"])
    own = set(observaties.loc[~demo, "indicator"])
    drop = demo.to_numpy() & observaties["indicator"].isin(own).to_numpy()
    dropped = observaties.loc[drop].groupby(["gemeente", "indicator"], as_index=False).size().rename(columns={"size": "rijen"})
    kept = observaties.loc[~drop] if drop.any() else observaties  # no copy when nothing is left out
    return kept.reset_index(drop=True), dropped


def _collecting(errors: list[ContractError]):
    """`checked(read, *args)`: the file read, or None with its ContractError added to `errors`, so
    every file is checked also after one with problems. A broken settings file (ParamsError) stops
    at once: the other checks need it."""
    def checked(read, *args):
        try:
            return read(*args)
        except ParamsError:
            raise
        except ContractError as exc:
            errors.append(exc)
            return None
    return checked


def _registry_checked(data: DataSet, root: Path, checked):
    """gemeenten.csv and inwoners.csv read through `checked` (their problems collected): the
    gemeenten, their codes and the inhabitants. With a broken gemeenten.csv the other files are
    still checked, against the codes it does hold."""
    gemeenten = checked(read_gemeenten, data.gemeenten, root)
    codes = set(gemeenten["code"]) if gemeenten is not None else _codes_as_typed(data.gemeenten)
    return gemeenten, codes, checked(read_inwoners, data.inwoners, codes, root)


def check_own_files(data: DataSet, workdir: Path | None = None) -> None:
    """The user's own files checked against the contract before any demo work (ensure_demo): the
    catalogue, the registry, the inhabitants (the demo draws from them), the delivered inhabitants
    per group and every observation file but the demo's. Raises the ContractError load_inputs would
    raise for them (with the problems of the record-level exports when there are any), so an invalid
    new file is refused at once. The validated copies are kept (read_observaties_cached), so
    load_inputs does not check the files twice. (When these are valid, the exports are checked by
    load_inputs, after the demo: a new export costs the demo a selection from its kept generation at
    most, and validating ten million records twice would cost more than that.)"""
    root = data.root.parent
    catalogue = load_catalogue(data.catalogue, str(data.catalogue.relative_to(root)))
    errors: list[ContractError] = []
    checked = _collecting(errors)
    gemeenten, codes, inwoners = _registry_checked(data, root, checked)
    if data.inwoners_doelgroep.exists():
        checked(read_inwoners_doelgroep, data.inwoners_doelgroep, codes, root, inwoners)
    generated = set(generated_paths(data.root))
    cache = Path(workdir) / VALIDATED if workdir is not None else None
    for path in data.observaties:
        if path not in generated:
            checked(read_observaties_cached, path, catalogue, codes, root, cache, set())
    if errors:
        # Refused anyway: the exports' problems are reported with these, as load_inputs would (every
        # file is checked, also after one with problems).
        try:
            records, _, _ = read_registraties(data.root, data.registratie_config.parent, codes, root, workdir=workdir)
            records.close()
        except ContractError as exc:
            errors.append(exc)
        raise collect(errors)


def load_inputs(data: DataSet, workdir: Path | None = None,
                hashes: dict[Path, str] | None = None) -> tuple[Catalogue, pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, Afgeleid | None]:
    """Read and validate all inputs. Every file is checked, also after one with problems: the
    ContractError raised holds the problems of all files, grouped per file (the catalogue and the
    settings under params/ are checked first, as the other checks need them).
    Returns catalogue, gemeenten, inwoners (with the per-group inhabitants of
    data/inwoners-doelgroep.csv in `inwoners.attrs["doelgroep"]`), observaties (delivered and
    derived from the registrations; demo figures of an indicator a gemeente has figures of its own
    for are left out, counted in `observaties.attrs["demo_weggelaten"]`), the boundary events of
    the history, and the derivation (or None).
    `workdir` holds the temporary records database of the registrations (deleted afterwards) and
    the validated copies of the observation files (read_observaties_cached)."""
    root = data.root.parent
    catalogue = load_catalogue(data.catalogue, str(data.catalogue.relative_to(root)))
    errors: list[ContractError] = []
    checked = _collecting(errors)
    gemeenten, codes, inwoners = _registry_checked(data, root, checked)
    groups = [(p, checked(read_inwoners_doelgroep, p, codes, root, inwoners)) for p in data.doelgroep_files()]
    groups = [g.assign(bestand=str(p.relative_to(root))) for p, g in groups if g is not None]
    doelgroep = pd.concat(groups, ignore_index=True) if groups else None
    cache, used = (Path(workdir) / VALIDATED if workdir is not None else None), set()
    frames = [f for f in (checked(read_observaties_cached, p, catalogue, codes, root, cache, used, hashes) for p in data.observaties)
              if f is not None]
    if cache is not None and cache.is_dir() and not errors:
        for stale in cache.glob("*.parquet"):  # copies of files that changed or are gone
            if stale not in used:
                stale.unlink(missing_ok=True)
    dims = catalogue.breakdown_columns
    records = None
    try:
        try:
            records, config, names = read_registraties(data.root, data.registratie_config.parent, codes, root, workdir=workdir)
        except ParamsError:
            raise
        except ContractError as exc:
            errors.append(exc)
        if errors:
            raise collect(errors)
        check_unique_observations(frames, dims)
        events = pd.DataFrame(columns=["code", "datum", "soort", "toelichting"])
        if data.historie.exists():
            historie = read_historie(data.historie, root)
            events = boundary_events(historie)
            inw_rows = pd.DataFrame({"gemeente": inwoners["gemeente"], "periode": inwoners["jaar"].astype(str),
                                     "bestand": str(data.inwoners.relative_to(root)), "rij": inwoners.index + 2})
            # only the columns the check reads: a copy of every column of the national demo costs ~0,5 GiB
            rows = [f[["gemeente", "periode", "bestand", "rij"]] for f in frames]
            check_boundaries(pd.concat([*rows, inw_rows], ignore_index=True), events, str(data.historie.relative_to(root)))
            del rows
        if records:  # plausibility before arithmetic: nothing is counted from an implausible export
            implausible = check_clients(records, inwoners, config.max_aandeel_clienten, config.vanaf)
            implausible += check_existence(records, events, str(data.historie.relative_to(root)))
            if implausible:
                raise ContractError(implausible)
        afgeleid = derive(records, config, catalogue) if records else None
        if afgeleid is not None:
            afgeleid.weggelaten = dict(records.weggelaten)
            afgeleid.gelezen = list(records.gelezen)
    finally:
        if records is not None:
            records.close()  # the records database is deleted: only aggregates go on
    columns = ["gemeente", "periode", "indicator", *dims, "waarde", "waarde_status", "bron", "status", "bestand", "rij", "beveiligd"]
    delivered = pd.concat([f[columns[:-1]].assign(beveiligd=False) for f in frames], ignore_index=True) if frames \
        else pd.DataFrame(columns=columns)
    frames.clear()  # one copy of the observations at a time (the national demo: 2,3 million rows)
    derived = None
    if afgeleid is not None:
        derived = as_observations(afgeleid, dims, str((data.root / "registraties").relative_to(root)))[columns]
    both = pd.concat([delivered, derived], ignore_index=True) if derived is not None else delivered
    del delivered
    kept, dropped = prefer_own(both)
    del both
    if afgeleid is not None:
        # only the columns the check reads (no copy of every column of the national demo)
        delivered_kept = kept.loc[~kept["beveiligd"].astype(bool), ["gemeente", "periode", "indicator", "bestand", "rij"]]
        folder = str((data.root / "registraties").relative_to(root))
        clash = overlapping_deliveries(delivered_kept, kept[kept["beveiligd"].astype(bool)], folder)
        if clash:
            raise ContractError(clash)
    observaties = kept.reset_index(drop=True)
    inw_obs = pd.DataFrame({"gemeente": inwoners["gemeente"], "periode": inwoners["jaar"].astype(str), "indicator": "inwoners",
                            **dict.fromkeys(dims), "waarde": inwoners["inwoners"].astype(float), "waarde_status": "waarde",
                            "bestand": str(data.inwoners.relative_to(root)), "rij": inwoners.index + 2})
    checked_columns = ["gemeente", "periode", "indicator", *dims, "waarde", "waarde_status", "bestand", "rij"]
    rates = check_rates(pd.concat([observaties[checked_columns], inw_obs[checked_columns]], ignore_index=True), catalogue, dims)
    if rates:
        raise ContractError(rates)
    observaties.attrs["demo_weggelaten"] = dropped
    inwoners.attrs["doelgroep"] = doelgroep
    return catalogue, gemeenten, inwoners, observaties, events, afgeleid


def check_readable(data_dir: Path) -> None:
    """Refuse an empty (0 bytes) or unreadable file under data/observaties/ or data/registraties/
    before anything reads it (the demo generator, the fingerprint, the contract): a ContractError
    per file, saying what to do, like any other bad input."""
    data_dir = Path(data_dir)
    problems = []
    for folder in ("observaties", "registraties"):
        path = data_dir / folder
        if not path.is_dir():
            continue
        for file in sorted(path.iterdir()):
            if file.name.startswith(".") or file.suffix.lower() not in (".csv", ".parquet"):
                continue
            name = str(file.relative_to(data_dir.parent))
            try:
                with open(file, "rb") as fh:
                    first = fh.read(1)
                    blank = first != b"" and file.suffix.lower() == ".csv" and _only_blank(fh, first)
            except OSError as exc:
                problems.append(Problem(name, None, None, f"bestand is niet te lezen ({exc.strerror or exc}); controleer of het "
                                        f"bestaat en leesbaar is, of haal het weg uit data/{folder}/"))
                continue
            if first == b"" or blank:
                what = "bestand is leeg (0 bytes)" if first == b"" else "bestand bevat alleen lege regels"
                problems.append(Problem(name, None, None, f"{what}; verwacht een kopregel en gegevensrijen "
                                        f"(docs/data-contract.md). Lever het opnieuw aan, of haal het weg uit data/{folder}/"))
    if problems:
        raise ContractError(problems)


def _only_blank(fh, first: bytes) -> bool:
    """True when a CSV holds nothing but whitespace (and a byte order mark), read in blocks until
    the first other byte (for any real file: the first block)."""
    for block in iter(lambda: fh.read(1 << 16), b""):
        first += block
        if first.replace(b"\xef\xbb\xbf", b"").strip():
            return False
        first = b""
    return not first.replace(b"\xef\xbb\xbf", b"").strip()


def build_store(data_dir: Path, store_path: Path) -> dict:
    """Validate data_dir and (re)build the store at store_path atomically. Returns a summary. The
    user's own files are checked first: readable (check_readable) and valid (check_own_files), so a
    bad file is refused at once, never after the demo has been generated. Running out of memory or
    disk space raises a ResourceError saying where (errors.resource_error); the store is then left
    as it was."""
    check_readable(data_dir)
    check_own_files(DataSet(Path(data_dir)), workdir=Path(store_path).parent)
    folder = str(Path(store_path).parent)
    try:
        ensure_demo(Path(data_dir), log=_tell)
    except Exception as exc:
        res = resource_error(exc, "bij het maken van de demodata", folder)
        if res is None:
            raise
        raise res from exc
    try:
        return _build_store(Path(data_dir), Path(store_path))
    except (ContractError, ResourceError):
        raise
    except Exception as exc:
        res = resource_error(exc, "bij het bouwen van de opslag", folder)
        if res is None:
            raise
        raise res from exc


def _build_store(data_dir: Path, store_path: Path) -> dict:
    data = DataSet(Path(data_dir))
    # Every input hashed once: the validated copies, the `bestanden` table and the fingerprint use
    # the same digests (the national demo file alone is 145 MB).
    hashes = {p: file_sha256(p) for p in data.files() if p.exists()}
    catalogue, gemeenten, inwoners, observaties, historie, afgeleid = load_inputs(data, workdir=Path(store_path).parent,
                                                                                  hashes=hashes)
    dims = catalogue.breakdown_columns
    demo_weggelaten = observaties.attrs.get("demo_weggelaten")
    doelgroep = inwoners.attrs.get("doelgroep")

    inwoners = inwoners.assign(grootteklasse=inwoners["inwoners"].map(grootteklasse))
    # Inhabitants are part of the gemeenten contract; in the store they are also the indicator
    # 'inwoners' (peildatum 1 januari, period = the year), so denominators resolve uniformly.
    inwoners_obs = pd.DataFrame(
        {
            "gemeente": inwoners["gemeente"],
            "periode": inwoners["jaar"].astype(str),
            "indicator": "inwoners",
            **dict.fromkeys(dims),
            "waarde": inwoners["inwoners"].astype(float),
            "waarde_status": "waarde",
            "bron": inwoners["bron"],
            "status": "definitief",
            "bestand": str(data.inwoners.relative_to(data.root.parent)),
            "rij": inwoners.index + 2,
            "beveiligd": False,
        }
    )
    parts = [observaties, inwoners_obs] if len(observaties) else [inwoners_obs]
    if doelgroep is not None and len(doelgroep):
        # Inhabitants per age band and sex (data/inwoners-doelgroep.csv): the indicator
        # 'inwoners_doelgroep', the noemer of rates per target group (catalogue: doelgroep).
        parts.append(pd.DataFrame({
            "gemeente": doelgroep["gemeente"], "periode": doelgroep["jaar"].astype(str), "indicator": DOELGROEP,
            **{d: (doelgroep[d].where(doelgroep[d] != "", None) if d in doelgroep else None) for d in dims},
            "waarde": doelgroep["inwoners"].astype(float), "waarde_status": "waarde", "bron": doelgroep["bron"],
            "status": "definitief", "bestand": doelgroep["bestand"],
            "rij": doelgroep["rij"], "beveiligd": False,
        }))
    alle_obs = pd.concat(parts, ignore_index=True)
    for d in dims:
        alle_obs[d] = alle_obs[d].astype(object)
    ind_rows = pd.DataFrame(
        [
            {
                "id": i.id, "label": i.label, "definitie": i.definitie, "domein": i.domein, "eenheid": i.eenheid,
                "bron": i.bron, "richting": i.richting, "cbs_afronding": i.cbs_afronding, "noemer": i.noemer,
                "teller": i.teller, "uitsplitsingen": json.dumps(list(i.uitsplitsingen)), "referentie": i.referentie,
            }
            for i in catalogue
        ]
    )
    files = pd.DataFrame(
        [{"pad": str(p.relative_to(data.root.parent)), "sha256": hashes.get(p) or file_sha256(p)} for p in data.files() if p.exists()]
    )
    meta = pd.DataFrame(
        [
            {"sleutel": "fingerprint", "waarde": data.fingerprint(hashes)},
            {"sleutel": "schema", "waarde": SCHEMA_VERSION},
            {"sleutel": "uitsplitsingen", "waarde": json.dumps(dims)},
            {"sleutel": "weggelaten_records", "waarde": json.dumps(afgeleid.weggelaten if afgeleid else {})},
            {"sleutel": "demo_weggelaten", "waarde": json.dumps(
                demo_weggelaten.to_dict("records") if demo_weggelaten is not None else [], ensure_ascii=False)},
            {"sleutel": "ingest", "waarde": json.dumps([asdict(g) for g in (afgeleid.gelezen if afgeleid else [])],
                                                       ensure_ascii=False)},
        ]
    )
    # What the registrations add besides observations: the definitions in force per gemeente,
    # old and new values side by side, and per gemeente the peildatum. Never a record.
    if afgeleid is not None:
        definities = afgeleid.definities.assign(volgnummer=range(len(afgeleid.definities)))
        vergelijking = afgeleid.vergelijking
        # Per gemeente: the peildatum, the kinds of export it delivered (so a page names exactly
        # those) and the disclosure control applied (so a page describes the method in force).
        registraties = pd.DataFrame([{"gemeente": g, "peildatum": d.isoformat() if d else None,
                                      "soorten": json.dumps(afgeleid.soorten.get(g, [])), "methode": afgeleid.methode,
                                      "drempel": afgeleid.drempel} for g, d in afgeleid.peildata.items()],
                                    columns=REGISTRATIE_KOLOMMEN)
    else:
        definities = pd.DataFrame(columns=["gemeente", "indicator", "definitie", "titel", "uitleg", "tot", "huidig", "volgnummer"])
        vergelijking = pd.DataFrame(columns=["gemeente", "periode", "indicator", "dim", "dimwaarde", "waarde", "definitie", "waarde_status"])
        registraties = pd.DataFrame(columns=REGISTRATIE_KOLOMMEN)
    profiel, vergelijkbaar = _profiles(data)
    extra_tables = (("definities", definities.astype(object).astype({"volgnummer": "int64"})),
                    ("definitievergelijking", vergelijking.astype({"dim": object, "dimwaarde": object})),
                    ("registraties", registraties.astype(object)),
                    ("profiel", profiel), ("vergelijkbaar", vergelijkbaar))

    store_path = Path(store_path)
    store_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = store_path.with_name(store_path.name + f".tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        con = duckdb.connect(str(tmp))
        try:
            for name, frame in (
                ("gemeenten", gemeenten), ("inwoners", inwoners), ("indicatoren", ind_rows),
                ("observaties", alle_obs), ("bestanden", files), ("meta", meta), ("historie", historie.astype(str)),
                *extra_tables,
            ):
                con.register("_frame", frame)
                con.execute(f"CREATE TABLE {name} AS SELECT * FROM _frame")
                con.unregister("_frame")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, store_path)  # atomic: a reader sees the old store or the new one, never half of one
    finally:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
    return {"gemeenten": len(gemeenten), "observaties": len(alle_obs), "bestanden": len(files), "store": str(store_path),
            "weggelaten": afgeleid.weggelaten if afgeleid else {}, "gelezen": list(afgeleid.gelezen) if afgeleid else [],
            "demo_weggelaten": demo_weggelaten if demo_weggelaten is not None else pd.DataFrame(columns=["gemeente", "indicator", "rijen"])}


def _profiles(data: DataSet) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The profiles of all gemeenten per year (data/profiel) and, computed from them once for every
    gemeente, its similar gemeenten (similar.py). The boundaries (data/kaart) are checked here too,
    so a broken file fails the ingest; maps read them from the file."""
    from sdrapport.inputs.geodata import PROFIEL_COLUMNS, boundary_files, profile_files, read_boundaries, read_profile
    from sdrapport.indicators.similar import neighbours

    root = data.root.parent
    for path in boundary_files(data.root).values():
        read_boundaries(path, root)
    profiles, similar = [], []
    for jaar, path in profile_files(data.root).items():
        frame = read_profile(path, root)
        profiles.append(frame.reset_index(drop=True).assign(jaar=jaar))
        similar.append(neighbours(frame).assign(jaar=jaar))
    columns = ["jaar", *PROFIEL_COLUMNS]
    profiel = pd.concat(profiles, ignore_index=True)[columns] if profiles else pd.DataFrame(columns=columns)
    vergelijkbaar = (pd.concat(similar, ignore_index=True)[["jaar", "gemeente", "rang", "buur", "afstand"]] if similar
                     else pd.DataFrame({"jaar": pd.Series(dtype="int64"), "gemeente": pd.Series(dtype=object),
                                        "rang": pd.Series(dtype="int64"), "buur": pd.Series(dtype=object),
                                        "afstand": pd.Series(dtype=float)}))
    if not profiles:
        profiel = profiel.astype(dict.fromkeys(columns, object)).astype({"jaar": "int64"})
    return profiel, vergelijkbaar


def stored_fingerprint(store_path: Path) -> str | None:
    if not Path(store_path).exists():
        return None
    try:
        con = duckdb.connect(str(store_path), read_only=True)
        try:
            row = con.execute("SELECT waarde FROM meta WHERE sleutel = 'fingerprint'").fetchone()
        finally:
            con.close()
    except duckdb.Error:
        return None
    return row[0] if row else None


def gemeente_hashes(store_path: Path) -> dict[str, str]:
    """A hash per gemeente over everything the store holds of it: its observations (delivered and
    derived from registrations, without the file and row they came from), its definitions, their
    comparison and its registrations' peildatum. Order-independent; a second or so at national scale."""
    con = duckdb.connect(str(store_path), read_only=True)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        out: dict[str, list[str]] = {}
        for table, exclude in (("observaties", "EXCLUDE (bestand, rij)"), ("definities", ""), ("definitievergelijking", ""),
                               ("registraties", "")):
            if table not in tables:
                continue
            rows = con.execute(f"SELECT gemeente, count(*), sum(hash(t)::HUGEINT) FROM (SELECT * {exclude} FROM {table}) t "
                               "GROUP BY gemeente ORDER BY gemeente").fetchall()
            for gemeente, n, total in rows:
                out.setdefault(gemeente, []).append(f"{table}:{n}:{total}")
    finally:
        con.close()
    return {g: hashlib.sha256("|".join(parts).encode()).hexdigest() for g, parts in out.items()}


def _tell(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def ensure_store(data_dir: Path, store_path: Path) -> bool:
    """Rebuild the store when the data files changed since the last build, or the demo data must be
    (re)made (data/demo.yml; build_store checks the user's own files first). True if rebuilt. An
    empty or unreadable file is refused first (check_readable)."""
    check_readable(data_dir)
    if demo_up_to_date(Path(data_dir)) and stored_fingerprint(store_path) == DataSet(Path(data_dir)).fingerprint():
        return False
    build_store(data_dir, store_path)
    return True
