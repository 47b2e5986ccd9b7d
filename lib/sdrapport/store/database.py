"""The embedded DuckDB store, rebuilt from the files under data/.

A build validates every input first and writes a new database file next to the old one; only when
all of it succeeded does it replace the old file (an atomic rename). A failed ingest therefore leaves
the store exactly as it was.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from sdrapport.indicators.catalogue import Catalogue, load_catalogue
from sdrapport.indicators.definitions import Afgeleid, as_observations, derive, overlapping_deliveries
from sdrapport.errors import ContractError
from sdrapport.inputs.demo import ensure_demo
from sdrapport.inputs.registrations import read_registraties, registratie_files
from sdrapport.inputs.contract import (
    boundary_events,
    check_boundaries,
    check_unique_observations,
    read_historie,
    grootteklasse,
    read_gemeenten,
    read_inwoners,
    read_observaties,
)

# 2: registrations (beveiligd, definities, definitievergelijking, registraties); 3: definities.volgnummer,
# stricter registration checks; 4: profiel and vergelijkbaar (data/profiel, similar.py)
SCHEMA_VERSION = "4"


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
    def registratie_config(self) -> Path:
        """params/registraties.yml beside data/: it changes the derived figures, so it is an input."""
        return self.root.parent / "params" / "registraties.yml"

    def registraties(self) -> list[Path]:
        return [p for paths in registratie_files(self.root).values() for p in paths]

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
        optional = [self.historie] if self.historie.exists() else []
        registraties = self.registraties()
        if registraties and self.registratie_config.exists():
            registraties = [self.registratie_config, *registraties]
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

    def fingerprint(self) -> str:
        """Hash over the names and contents of all input files (and the store schema version)."""
        h = hashlib.sha256(f"schema={SCHEMA_VERSION}\n".encode())
        for path in self.files():
            h.update(str(path.relative_to(self.root.parent)).encode() + b"\0")
            h.update(file_sha256(path).encode() if path.exists() else b"missing")
        return h.hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load_inputs(data: DataSet, workdir: Path | None = None) -> tuple[Catalogue, pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, Afgeleid | None]:
    """Read and validate all inputs; raises ContractError on the first file with problems.
    Returns catalogue, gemeenten, inwoners, observaties (delivered and derived from the
    registrations), the boundary events of the history, and the derivation (or None).
    `workdir` holds the temporary records database of the registrations (deleted afterwards)."""
    root = data.root.parent
    catalogue = load_catalogue(data.catalogue, str(data.catalogue.relative_to(root)))
    gemeenten = read_gemeenten(data.gemeenten, root)
    codes = set(gemeenten["code"])
    inwoners = read_inwoners(data.inwoners, codes, root)
    frames = [read_observaties(p, catalogue, codes, root) for p in data.observaties]
    dims = catalogue.breakdown_columns
    check_unique_observations(frames, dims)
    events = pd.DataFrame(columns=["code", "datum", "soort", "toelichting"])
    if data.historie.exists():
        historie = read_historie(data.historie, root)
        events = boundary_events(historie)
        inw_rows = pd.DataFrame({"gemeente": inwoners["gemeente"], "periode": inwoners["jaar"].astype(str),
                                 "bestand": str(data.inwoners.relative_to(root)), "rij": inwoners.index + 2})
        check_boundaries(pd.concat([*frames, inw_rows], ignore_index=True), events, str(data.historie.relative_to(root)))
    columns = ["gemeente", "periode", "indicator", *dims, "waarde", "waarde_status", "bron", "status", "bestand", "rij", "beveiligd"]
    frames = [f.assign(beveiligd=False) for f in frames]
    afgeleid = None
    records, config, names = read_registraties(data.root, data.registratie_config.parent, codes, root, workdir=workdir)
    try:
        afgeleid = derive(records, config, catalogue) if records else None
        if afgeleid is not None:
            afgeleid.weggelaten = dict(records.weggelaten)
    finally:
        records.close()  # the records database is deleted: only aggregates go on
    if afgeleid is not None:
        folder = str((data.root / "registraties").relative_to(root))
        derived = as_observations(afgeleid, dims, folder)
        clash = overlapping_deliveries(pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(), derived, folder)
        if clash:
            raise ContractError(clash)
        frames.append(derived)
    if frames:
        observaties = pd.concat(frames, ignore_index=True)[columns]
    else:
        observaties = pd.DataFrame(columns=columns)
    return catalogue, gemeenten, inwoners, observaties, events, afgeleid


def build_store(data_dir: Path, store_path: Path) -> dict:
    """Validate data_dir and (re)build the store at store_path atomically. Returns a summary."""
    ensure_demo(Path(data_dir), log=_tell)
    data = DataSet(Path(data_dir))
    catalogue, gemeenten, inwoners, observaties, historie, afgeleid = load_inputs(data, workdir=Path(store_path).parent)
    dims = catalogue.breakdown_columns

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
    alle_obs = pd.concat([observaties, inwoners_obs], ignore_index=True) if len(observaties) else inwoners_obs
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
        [{"pad": str(p.relative_to(data.root.parent)), "sha256": file_sha256(p)} for p in data.files() if p.exists()]
    )
    meta = pd.DataFrame(
        [
            {"sleutel": "fingerprint", "waarde": data.fingerprint()},
            {"sleutel": "schema", "waarde": SCHEMA_VERSION},
            {"sleutel": "uitsplitsingen", "waarde": json.dumps(dims)},
            {"sleutel": "weggelaten_records", "waarde": json.dumps(afgeleid.weggelaten if afgeleid else {})},
        ]
    )
    # What the registrations add besides observations: the definitions in force per gemeente,
    # old and new values side by side, and per gemeente the peildatum. Never a record.
    if afgeleid is not None:
        definities = afgeleid.definities.assign(volgnummer=range(len(afgeleid.definities)))
        vergelijking = afgeleid.vergelijking
        registraties = pd.DataFrame([{"gemeente": g, "peildatum": d.isoformat() if d else None} for g, d in afgeleid.peildata.items()])
    else:
        definities = pd.DataFrame(columns=["gemeente", "indicator", "definitie", "titel", "uitleg", "tot", "huidig", "volgnummer"])
        vergelijking = pd.DataFrame(columns=["gemeente", "periode", "indicator", "dim", "dimwaarde", "waarde", "definitie", "waarde_status"])
        registraties = pd.DataFrame(columns=["gemeente", "peildatum"])
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
        os.replace(tmp, store_path)
    finally:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
    return {"gemeenten": len(gemeenten), "observaties": len(alle_obs), "bestanden": len(files), "store": str(store_path),
            "weggelaten": afgeleid.weggelaten if afgeleid else {}}


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
    """Rebuild the store when the data files changed since the last build. True if rebuilt. The
    demo data are generated first when data/demo.yml asks for them and they are not there yet."""
    ensure_demo(Path(data_dir), log=_tell)
    if stored_fingerprint(store_path) == DataSet(Path(data_dir)).fingerprint():
        return False
    build_store(data_dir, store_path)
    return True
