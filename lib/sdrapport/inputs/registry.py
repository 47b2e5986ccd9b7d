"""The gemeente registry: data/gemeenten.csv and the real rows of data/inwoners.csv, made from CBS files.

Sources (open data, CC BY 4.0, "Bron: CBS"), as kept in ../shared/data/cbs/ (see its README):

- "Gemeenten alfabetisch 2023" (CBS): code, name and provincie of the 342 gemeenten of 1 January
  2023, unchanged on 1 January 2024;
- the PDOK/CBS gemeente layers with the Kerncijfers wijken en buurten (KWB) 2023 and 2024: the
  number of inhabitants on 1 January of those years.

The registry keeps the official name of the alphabetical list (`naam`, "Hengelo") and, where
StatLine and the KWB add a disambiguator ("Hengelo (O.)"), that name as `statnaam`, so figures
delivered under either name find their gemeente (`resolve_gemeente`).

    python -m sdrapport.inputs.registry ../shared/data/cbs data/   # rewrite the registry files
"""
from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

GEMEENTEN_BRON = "CBS, Gemeenten alfabetisch 2023 (CC BY 4.0)"
KWB_BRON = "CBS, Kerncijfers wijken en buurten {jaar} (CC BY 4.0)"
KWB_FILES = {2023: "pdok_gemeenten_2023_kwb.geojson", 2024: "pdok_gemeenten_2024_kwb.geojson"}
ALFABETISCH = "gemeenten-alfabetisch-2023.csv"


def read_kwb(path: Path) -> dict[str, dict]:
    """KWB properties per gemeente code, without the 'Buitenland' pseudo-gemeente GM0998."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    out = {}
    for feature in data["features"]:
        props = feature["properties"]
        code = props["gemeentecode"].strip()
        if code != "GM0998":
            out[code] = props
    return out


def registry_rows(cbs_dir: Path) -> tuple[list[dict], list[dict]]:
    """(gemeenten rows, real inwoners rows) from the CBS files in cbs_dir."""
    with open(Path(cbs_dir) / ALFABETISCH, encoding="utf-8", newline="") as fh:
        alfabetisch = list(csv.DictReader(fh))
    kwb = {jaar: read_kwb(Path(cbs_dir) / name) for jaar, name in KWB_FILES.items()}
    codes = {r["GemeentecodeGM"].strip() for r in alfabetisch}
    for jaar, props in kwb.items():
        if set(props) != codes:
            raise ValueError(f"KWB {jaar} en de alfabetische lijst verschillen: {sorted(set(props) ^ codes)[:5]}")
    gemeenten, inwoners = [], []
    for r in sorted(alfabetisch, key=lambda r: r["GemeentecodeGM"].strip()):
        code = r["GemeentecodeGM"].strip()
        naam = r["Gemeentenaam"].strip()
        statnaam = kwb[max(kwb)][code]["gemeentenaam"].strip()
        gemeenten.append({"code": code, "naam": naam, "provincie": r["Provincienaam"].strip(),
                          "statnaam": statnaam if statnaam != naam else "", "bron": GEMEENTEN_BRON})
        for jaar in sorted(kwb):
            inwoners.append({"gemeente": code, "jaar": str(jaar), "inwoners": str(int(kwb[jaar][code]["aantal_inwoners"])),
                             "bron": KWB_BRON.format(jaar=jaar)})
    return gemeenten, inwoners


def to_csv(columns: list[str], rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def read_registry(path: Path) -> list[dict]:
    """The rows of data/gemeenten.csv as dicts (for name look-ups; validation is the contract's)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))
    except OSError as exc:
        raise KeyError(f"{path} kan niet gelezen worden: {exc.strerror}") from None


def select_gemeenten(gemeenten: list[dict], spec: str) -> list[str]:
    """Codes for a --gemeenten value: 'all'/'alle', or a comma-separated list of codes, names (see
    resolve_gemeente) and 'provincie:<naam>'; in the order given, each once."""
    if spec.strip().lower() in ("all", "alle"):
        return sorted(g["code"] for g in gemeenten)
    out: list[str] = []
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        if item.lower().startswith("provincie:"):
            naam = _key(item.split(":", 1)[1])
            codes = sorted(g["code"] for g in gemeenten if _key(g["provincie"]) == naam)
            if not codes:
                known = ", ".join(sorted({g["provincie"] for g in gemeenten}))
                raise KeyError(f"provincie {item.split(':', 1)[1].strip()!r} is onbekend; kies uit {known}")
            out += codes
        else:
            out.append(resolve_gemeente(gemeenten, item))
    if not out:
        raise ValueError("geef gemeenten op: all, of codes of namen gescheiden door komma's (GM0505,Hilversum)")
    return list(dict.fromkeys(out))


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def resolve_gemeente(gemeenten: list[dict], spec: str) -> str:
    """The code of the gemeente that `spec` names: a code (GM0164, 0164, gm164), the official name
    ('Hengelo') or the StatLine name ('Hengelo (O.)'), case-insensitive. KeyError with a Dutch
    message (and suggestions) otherwise."""
    text = spec.strip()
    digits = text[2:] if text[:2].upper() == "GM" else text
    if digits.isdigit():
        code = f"GM{int(digits):04d}"
        if any(g["code"] == code for g in gemeenten):
            return code
        raise KeyError(f"gemeente {spec!r} staat niet in data/gemeenten.csv")
    want = _key(text)
    hits = [g["code"] for g in gemeenten if want in {_key(g["naam"]), _key(g.get("statnaam") or g["naam"])}]
    if len(hits) == 1:
        return hits[0]
    similar = [f"{g['naam']} ({g['code']})" for g in gemeenten if want in _key(g["naam"])][:5]
    hint = f"; bedoelt u {', '.join(similar)}?" if similar else ""
    raise KeyError(f"gemeente {spec!r} staat niet in data/gemeenten.csv{hint}")


def main(argv: list[str]) -> None:
    cbs_dir, data_dir = Path(argv[0]), Path(argv[1])
    gemeenten, real = registry_rows(cbs_dir)
    (data_dir / "gemeenten.csv").write_text(to_csv(["code", "naam", "provincie", "statnaam", "bron"], gemeenten),
                                            encoding="utf-8")
    path = data_dir / "inwoners.csv"
    keep = []
    if path.exists():  # demo rows of other years stay
        with open(path, encoding="utf-8", newline="") as fh:
            years = {r["jaar"] for r in real}
            keep = [r for r in csv.DictReader(fh) if r["jaar"] not in years]
    rows = sorted(keep + real, key=lambda r: (r["gemeente"], r["jaar"]))
    path.write_text(to_csv(["gemeente", "jaar", "inwoners", "bron"], rows), encoding="utf-8")
    print(f"{len(gemeenten)} gemeenten, {len(real)} echte inwonertallen geschreven naar {data_dir}")


if __name__ == "__main__":
    main(sys.argv[1:])
