"""Boundaries and profiles of all gemeenten: the files under data/kaart/ and data/profiel/.

Maps and similar gemeenten need every gemeente of the Netherlands, also those the registry
(data/gemeenten.csv) does not hold, so these files carry their own codes, names and provinces:

    data/kaart/gemeenten-<jaar>.geojson   boundaries of the gemeentelijke indeling of 1 January <jaar>
    data/profiel/kwb-<jaar>.csv           CBS Kerncijfers wijken en buurten <jaar>: inhabitants on
                                          1 January <jaar>, age structure, households, density

Both are open data of the CBS (CC BY 4.0, "Bron: CBS"); every file names its source and licence
(the GeoJSON in its top-level members `bron` and `licentie`, the CSV in its column `bron`). They are
made from the copies in the shared data folder with

    python -m sdrapport.inputs.geodata /path/to/shared/data/cbs

(`write_boundaries`, `write_profile`): names and provinces from CBS "Gemeenten alfabetisch", the
boundaries from the cartomap file (already generalised, coordinates in degrees with 3 decimals,
about 100 m; repeated points removed), the profile fields from the PDOK KWB files.

Reading (`read_boundaries`, `read_profile`) checks every file and reports a bad one with the file,
the feature or row, the field and what is expected (a ContractError, like every input).
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sdrapport.inputs.contract import GEMEENTE_CODE, PROVINCIES, read_table
from sdrapport.errors import ContractError, Problem

KAART = Path("kaart")
PROFIEL = Path("profiel")
KAART_BESTAND = re.compile(r"^gemeenten-(\d{4})\.geojson$")
PROFIEL_BESTAND = re.compile(r"^kwb-(\d{4})\.csv$")
LICENTIE = "CC BY 4.0 (Bron: CBS)"
DECIMALEN = 3  # degrees: about 110 m north-south, 70 m east-west at 52 degrees north

# Profile columns: (column, KWB field in the PDOK file, whole number?)
PROFIEL_KOLOMMEN = (
    ("inwoners", "aantal_inwoners", True),
    ("leeftijd_0_14", "0_15", False),
    ("leeftijd_15_24", "15_25", False),
    ("leeftijd_25_44", "25_45", False),
    ("leeftijd_45_64", "45_65", False),
    ("leeftijd_65_plus", "65plus", False),
    ("huishoudens", "huishoudens", True),
    ("huishoudensgrootte", "gem_huishouden_grootte", False),
    ("bevolkingsdichtheid", "bevolkingsdichtheid", True),
)
PROFIEL_COLUMNS = ("gemeente", "naam", *(c for c, _, _ in PROFIEL_KOLOMMEN), "bron")


# -- reading --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Gebied:
    """One gemeente on the map: its rings (each an (n, 2) array of longitude, latitude)."""

    code: str
    naam: str
    provincie: str
    ringen: tuple[np.ndarray, ...]

    @property
    def grenzen(self) -> tuple[float, float, float, float]:
        """(min lon, min lat, max lon, max lat)."""
        points = np.concatenate(self.ringen)
        return float(points[:, 0].min()), float(points[:, 1].min()), float(points[:, 0].max()), float(points[:, 1].max())


@dataclass(frozen=True)
class Kaart:
    """The boundaries of one gemeentelijke indeling, with the source to print under a map."""

    jaar: int
    bron: str
    licentie: str
    gebieden: dict[str, Gebied]  # by code, in code order
    bestand: str

    def provincie(self, naam: str) -> list[Gebied]:
        return [g for g in self.gebieden.values() if g.provincie == naam]


def _files_by_year(folder: Path, name: re.Pattern) -> dict[int, Path]:
    """The files of a folder whose name matches `name` (the year its first group), by year."""
    found = {}
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        m = name.match(path.name)
        if m:
            found[int(m[1])] = path
    return found


def boundary_files(data: Path) -> dict[int, Path]:
    """data/kaart/gemeenten-<jaar>.geojson by year."""
    return _files_by_year(Path(data) / KAART, KAART_BESTAND)


def profile_files(data: Path) -> dict[int, Path]:
    """data/profiel/kwb-<jaar>.csv by year."""
    return _files_by_year(Path(data) / PROFIEL, PROFIEL_BESTAND)


def nearest_year(years, wanted: int) -> int | None:
    """The year to use for `wanted`: itself, else the latest year before it, else the earliest
    after it (a report on 2021 uses the oldest file there is); None without any file."""
    years = sorted(years)
    if not years:
        return None
    before = [y for y in years if y <= wanted]
    return before[-1] if before else years[0]


def _display(path: Path, root: Path | None) -> str:
    try:
        return str(Path(path).relative_to(root)) if root else str(path)
    except ValueError:
        return str(path)


def read_boundaries(path: Path, root: Path | None = None) -> Kaart:
    """Read and check a boundaries file (GeoJSON FeatureCollection of Polygon/MultiPolygon features
    with properties code, naam, provincie; top-level `bron` and `licentie`)."""
    path = Path(path)
    name = _display(path, root)
    m = KAART_BESTAND.match(path.name)
    if not m:
        raise ContractError([Problem(name, None, None, "bestandsnaam moet gemeenten-<jaar>.geojson zijn, bijvoorbeeld gemeenten-2023.geojson")])
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ContractError([Problem(name, None, None, "bestand ontbreekt")]) from None
    except UnicodeDecodeError:
        raise ContractError([Problem(name, None, None, "bestand is geen UTF-8; sla het op als UTF-8")]) from None
    except json.JSONDecodeError as exc:
        raise ContractError([Problem(name, exc.lineno, None, f"geen geldige JSON ({exc.msg}, kolom {exc.colno})")]) from None
    if not isinstance(raw, dict) or raw.get("type") != "FeatureCollection" or not isinstance(raw.get("features"), list):
        raise ContractError([Problem(name, None, None, "verwacht een GeoJSON FeatureCollection met een lijst 'features'")])
    problems: list[Problem] = []
    for key in ("bron", "licentie"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            problems.append(Problem(name, None, key, "verplicht veld ontbreekt: noem bron en licentie van de grenzen"))
    gebieden: dict[str, Gebied] = {}
    for n, feature in enumerate(raw["features"], start=1):
        where = f"gebied {n}"
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict):
            problems.append(Problem(name, None, "properties", f"{where}: verwacht properties met code, naam en provincie"))
            continue
        code, naam, provincie = props.get("code"), props.get("naam"), props.get("provincie")
        where = f"gebied {n} ({code})"
        if not isinstance(code, str) or not GEMEENTE_CODE.match(code):
            problems.append(Problem(name, None, "code", f"{where}: {code!r} is geen gemeentecode; verwacht GM gevolgd door 4 cijfers"))
            continue
        if code in gebieden:
            problems.append(Problem(name, None, "code", f"{where}: de gemeente staat er al eerder in; elke gemeente één keer"))
            continue
        if not isinstance(naam, str) or not naam.strip():
            problems.append(Problem(name, None, "naam", f"{where}: verplicht veld ontbreekt"))
        if provincie not in PROVINCIES:
            problems.append(Problem(name, None, "provincie", f"{where}: {provincie!r} is geen provincie; kies uit {', '.join(PROVINCIES)}"))
        rings, problem = _rings(feature.get("geometry"))
        if problem:
            problems.append(Problem(name, None, "geometry", f"{where}: {problem}"))
            continue
        gebieden[code] = Gebied(code, str(naam), str(provincie), rings)
    if not gebieden and not problems:
        problems.append(Problem(name, None, "features", "het bestand bevat geen gemeenten"))
    if problems:
        raise ContractError(problems)
    return Kaart(int(m[1]), raw["bron"].strip(), raw["licentie"].strip(), dict(sorted(gebieden.items())), name)


def _rings(geometry) -> tuple[tuple[np.ndarray, ...], str | None]:
    """The outer rings of a Polygon or MultiPolygon as arrays; holes are not drawn (the boundaries
    of the Netherlands' gemeenten have none: an enclosed gemeente is a polygon of its own)."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return (), "verwacht een geometry van type Polygon of MultiPolygon"
    polygons = geometry.get("coordinates")
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    rings = []
    try:
        for polygon in polygons:
            ring = np.asarray(polygon[0], dtype=float)
            if ring.ndim != 2 or ring.shape[1] != 2 or len(ring) < 4:
                return (), "een ring heeft minstens 4 punten van (lengtegraad, breedtegraad) nodig"
            if not (np.isfinite(ring).all() and (np.abs(ring[:, 0]) <= 180).all() and (np.abs(ring[:, 1]) <= 90).all()):
                return (), "coördinaten horen lengte- en breedtegraden (WGS84) te zijn"
            rings.append(ring)
    except (TypeError, ValueError, IndexError):
        return (), "de coördinaten zijn geen lijst van ringen met punten [lengtegraad, breedtegraad]"
    if not rings:
        return (), "geen enkele ring"
    return tuple(rings), None


def read_profile(path: Path, root: Path | None = None) -> pd.DataFrame:
    """Read and check a profile file: one row per gemeente, numbers without thousands separators.
    Returns the columns of PROFIEL_COLUMNS, numbers as floats, indexed by gemeente code."""
    path = Path(path)
    name = _display(path, root)
    if not PROFIEL_BESTAND.match(path.name):
        raise ContractError([Problem(name, None, None, "bestandsnaam moet kwb-<jaar>.csv zijn, bijvoorbeeld kwb-2024.csv")])
    table = read_table(path, PROFIEL_COLUMNS, PROFIEL_COLUMNS, root)
    frame = table.frame
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for row, rec in frame.iterrows():
        code = rec["gemeente"]
        if not GEMEENTE_CODE.match(code):
            problems.append(Problem(name, row, "gemeente", f"{code!r} is geen gemeentecode; verwacht GM gevolgd door 4 cijfers, bijvoorbeeld GM0505"))
        elif code in seen:
            problems.append(Problem(name, row, "gemeente", f"dubbele gemeente {code}: staat al in rij {seen[code]}; elke gemeente één keer"))
        else:
            seen[code] = row
        for column in ("naam", "bron"):
            if not rec[column]:
                problems.append(Problem(name, row, column, "cel is leeg; vul een waarde in"))
        for column, _, whole in PROFIEL_KOLOMMEN:
            text = rec[column]
            ok = re.fullmatch(r"\d+", text) if whole else re.fullmatch(r"\d+(\.\d+)?", text)
            if not ok:
                kind = "een geheel getal van 0 of meer, zonder punten (121434)" if whole else "een getal van 0 of meer met een punt als decimaalteken (2.3)"
                problems.append(Problem(name, row, column, f"{text!r} is geen getal; verwacht {kind}"))
    if problems:
        raise ContractError(problems)
    out = frame.copy()
    for column, _, _ in PROFIEL_KOLOMMEN:
        out[column] = out[column].astype(float)
    return out.set_index("gemeente", drop=False).sort_index()


# -- making the files from the CBS/PDOK copies ----------------------------------------------------

def _registry(source: Path) -> dict[str, tuple[str, str]]:
    """GemeentecodeGM -> (Gemeentenaam, Provincienaam) from CBS 'Gemeenten alfabetisch'."""
    with open(source / "gemeenten-alfabetisch-2023.csv", encoding="utf-8-sig", newline="") as fh:
        return {r["GemeentecodeGM"]: (r["Gemeentenaam"], r["Provincienaam"]) for r in csv.DictReader(fh)}


def _clean_ring(ring) -> list[list[float]]:
    """Round to DECIMALEN, drop repeated points, keep the ring closed."""
    out: list[list[float]] = []
    for x, y in ring:
        point = [round(float(x), DECIMALEN), round(float(y), DECIMALEN)]
        if not out or point != out[-1]:
            out.append(point)
    if out[0] != out[-1]:
        out.append(out[0])
    return out


def write_boundaries(source: Path, target: Path) -> Path:
    """data/kaart/gemeenten-2023.geojson from the cartomap boundaries and the CBS registry: one
    feature per line (readable diffs), properties code, naam, provincie."""
    registry = _registry(source)
    raw = json.loads((source / "cartomap_gemeente_2023.geojson").read_text(encoding="utf-8"))
    features = []
    for feature in sorted(raw["features"], key=lambda f: f["properties"]["statcode"]):
        code = feature["properties"]["statcode"]
        naam, provincie = registry[code]
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        cleaned = [[_clean_ring(ring) for ring in polygon] for polygon in polygons]
        cleaned = [p for p in cleaned if len(p[0]) >= 4]
        geom = {"type": "Polygon", "coordinates": cleaned[0]} if len(cleaned) == 1 else {"type": "MultiPolygon", "coordinates": cleaned}
        features.append({"type": "Feature", "properties": {"code": code, "naam": naam, "provincie": provincie}, "geometry": geom})
    missing = sorted(set(registry) - {f["properties"]["code"] for f in features})
    if missing:
        raise ValueError(f"gemeenten zonder grenzen: {', '.join(missing)}")
    head = {
        "type": "FeatureCollection",
        "bron": ("CBS/PDOK, gegeneraliseerde gemeentegrenzen 2023 (cartomap, land zonder water); namen en provincies: "
                 "CBS, Gemeenten alfabetisch 2023. Gemeentelijke indeling van 1 januari 2023, ongewijzigd op 1 januari 2024"),
        "licentie": LICENTIE,
    }
    lines = [json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [']
    lines += [json.dumps(f, ensure_ascii=False, separators=(",", ":")) + ("," if i < len(features) - 1 else "")
              for i, f in enumerate(features)]
    lines.append("]}")
    path = Path(target) / KAART / "gemeenten-2023.geojson"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _number(value: float, whole: bool) -> str:
    if whole:
        return str(int(round(value)))
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text


def write_profile(source: Path, target: Path, jaar: int) -> Path:
    """data/profiel/kwb-<jaar>.csv from the PDOK KWB file of that year (342 gemeenten; the KWB's
    'Buitenland' GM0998 has no figures and is left out)."""
    registry = _registry(source)
    raw = json.loads((source / f"pdok_gemeenten_{jaar}_kwb.geojson").read_text(encoding="utf-8"))
    bron = f"CBS, Kerncijfers wijken en buurten {jaar} (via PDOK); {LICENTIE}"
    rows = []
    for feature in raw["features"]:
        props = feature["properties"]
        code = props["gemeentecode"]
        if code not in registry:
            continue
        row = {"gemeente": code, "naam": registry[code][0]}
        for column, field, whole in PROFIEL_KOLOMMEN:
            value = props.get(field)
            if value is None or (isinstance(value, float) and math.isnan(value)) or value < 0:
                raise ValueError(f"{code}: {field} ontbreekt in de KWB {jaar}")
            row[column] = _number(float(value), whole)
        row["bron"] = bron
        rows.append(row)
    rows.sort(key=lambda r: r["gemeente"])
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(PROFIEL_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = Path(target) / PROFIEL / f"kwb-{jaar}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Maak data/kaart en data/profiel uit de CBS/PDOK-bestanden.")
    parser.add_argument("bron", type=Path, help="map met gemeenten-alfabetisch-2023.csv, cartomap_gemeente_2023.geojson en pdok_gemeenten_<jaar>_kwb.geojson")
    parser.add_argument("--data", type=Path, default=Path("data"), help="de datamap van het project (standaard: data)")
    args = parser.parse_args(argv)
    print(write_boundaries(args.bron, args.data))
    for jaar in (2023, 2024):
        print(write_profile(args.bron, args.data, jaar))


if __name__ == "__main__":
    main()
