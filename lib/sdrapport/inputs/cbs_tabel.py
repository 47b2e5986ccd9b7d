"""What a CBS table holds, and a first mapping for it: `sdrapport cbs tabel <id>`.

    sdrapport cbs tabel 86050NED                       # title, periods, status, dimensions, topics
    sdrapport cbs tabel 86050NED --concept params/cbs/86050NED.yml \
        --onderwerp WmoClienten_1=wmo_clienten --code TypeMaatwerkvoorziening=T001024,A019507 \
        --kolom TypeMaatwerkvoorziening=hoofdcategorie

The metadata (TableInfos, DataProperties and the code list of every dimension) is read live from
the catalogue (the mapping's, or --catalogus), or from the newest snapshot in cache/cbs/<id>/
(--snapshot, or by itself when there is no connection). Codes are shown without CBS's padding
("3000   " is 3000). A concept is written only when every key in it is in the table: it is
loaded and checked exactly as `sdrapport cbs fetch` checks a mapping.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from sdrapport.inputs.cbs import (DEFAULT_CATALOG, CbsError, MappingError, _breakdowns, _cbs_periods, _snapshot_meta, _suggest,
                                  check_mapping, latest_snapshot, load_mapping, read_metadata)
from sdrapport.project import Project

LONG = 30  # a dimension with more codes is shown in part (all with --alle)
SHOWN = 10


@dataclass
class TableMeta:
    tabel: str
    meta: dict  # TableInfos, DataProperties and a code list per dimension, as the OData feed gives them
    herkomst: str  # where the metadata comes from: 'live: <catalogue>' or 'snapshot <path>'
    catalogus: str
    vorige_titel: str | None = None  # the title in the newest snapshot, or the mapping's, when it differs

    @property
    def info(self) -> dict:
        return (self.meta.get("TableInfos") or [{}])[0]

    @property
    def titel(self) -> str:
        return str(self.info.get("Title") or "").strip()

    def props(self, *types: str) -> list[dict]:
        return [p for p in self.meta.get("DataProperties") or [] if str(p.get("Type", "")) in types]

    @property
    def dimensies(self) -> list[dict]:
        return [p for p in self.meta.get("DataProperties") or [] if str(p.get("Type", "")).endswith("Dimension")]

    @property
    def onderwerpen(self) -> list[dict]:
        return self.props("Topic")

    def codes(self, dim: str) -> dict[str, str]:
        """Code (stripped of CBS's trailing spaces) -> title."""
        return {str(i.get("Key", "")).strip(): str(i.get("Title") or "").strip() for i in self.meta.get(dim) or []}

    def dim_of_type(self, kind: str) -> str | None:
        """The region (GeoDimension) or time (TimeDimension) dimension; by its usual name when a
        table types it as a plain Dimension."""
        found = [p["Key"].strip() for p in self.props(kind)]
        if not found:
            usual = {"GeoDimension": ("RegioS", "WijkenEnBuurten", "Gemeenten"), "TimeDimension": ("Perioden",)}.get(kind, ())
            found = [p["Key"].strip() for p in self.dimensies if p["Key"].strip() in usual]
        return found[0] if found else None


def _mapping_for(project: Project, tabel: str):
    for path in sorted((project.params / "cbs").glob("*.yml")):
        if path.stem.lower() == tabel.lower():
            return load_mapping(path)
    return None


def load_table(project: Project, tabel: str, catalogus: str | None = None, *, snapshot: bool = False) -> TableMeta:
    """The table's metadata, live or (with snapshot, or without a connection) from the newest
    snapshot. MappingError when the catalogue does not know the table; CbsError when neither works."""
    import requests

    mapping = _mapping_for(project, tabel)
    catalog = catalogus or (mapping.catalogus if mapping else DEFAULT_CATALOG)
    stored = latest_snapshot(project, mapping.tabel if mapping else tabel)
    if snapshot:
        if stored is None:
            raise CbsError(f"tabel {tabel}: nog geen snapshot in cache/cbs/{tabel}; lees de tabel live (zonder --snapshot) "
                           "of haal hem eerst op met 'sdrapport cbs fetch'")
        found = TableMeta(tabel, _snapshot_meta(stored), f"snapshot {stored.relative_to(project.root)}", catalog)
    else:
        try:
            found = TableMeta(tabel, read_metadata(tabel, catalog), f"live: {catalog}", catalog)
        except (requests.ConnectionError, requests.Timeout) as exc:
            if stored is None:
                raise CbsError(f"tabel {tabel}: geen verbinding met {catalog} ({type(exc).__name__}) en geen opgeslagen "
                               "snapshot; probeer het op een machine met internet") from None
            found = TableMeta(tabel, _snapshot_meta(stored), f"snapshot {stored.relative_to(project.root)} "
                              f"(geen verbinding met {catalog})", catalog)
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status == 404:
                raise MappingError(f"tabel {tabel} bestaat niet in catalogus {catalog}; controleer het tabel-id "
                                   "(hoofdletters tellen niet: 80794ned en 80794NED zijn gelijk)") from None
            raise CbsError(f"tabel {tabel}: {catalog} gaf een fout ({exc})") from None
    if not found.meta.get("DataProperties"):
        raise CbsError(f"tabel {tabel}: geen DataProperties in de metadata ({found.herkomst})")
    earlier = []
    if stored is not None and not found.herkomst.startswith("snapshot"):
        earlier.append((_snapshot_meta(stored).get("TableInfos") or [{}])[0].get("Title"))
    if mapping is not None:
        earlier.append(mapping.titel)
    for title in earlier:
        if title and str(title).strip() != found.titel:
            found.vorige_titel = str(title).strip()
            break
    return found


def _period_lines(t: TableMeta) -> list[str]:
    dim = t.dim_of_type("TimeDimension")
    if dim is None:
        period = t.info.get("Period") or "?"
        return [f"Perioden: geen periodedimensie; de tabel beschrijft {period} (TableInfos.Period)",
                "Status: niet per periode gegeven (geen periodedimensie); zie de toelichting van de tabel"]
    items = t.meta.get(dim) or []
    if not items:
        return [f"Perioden ({dim}): geen codelijst in de metadata"]
    first, last = items[0], items[-1]
    voorlopig = [i for i in items if "voorlopig" in str(i.get("Status") or "").lower() or str(i.get("Title", "")).strip().endswith("*")]
    kinds = sorted({str(i.get("Key", "")).strip()[4:6] for i in items})
    usable = sum(1 for i in items if _cbs_periods(str(i.get("Key", "")), str(i.get("Title", "")), "", "kwartaaleinde"))
    lines = [f"Perioden ({dim}): {len(items)}, van {str(first['Key']).strip()} ({str(first.get('Title', '')).strip()}) "
             f"tot en met {str(last['Key']).strip()} ({str(last.get('Title', '')).strip()}); soorten: {', '.join(kinds)}; "
             f"{usable} bruikbaar als rapportperiode"]
    if voorlopig:
        shown = ", ".join(f"{str(i['Key']).strip()} ({str(i.get('Status') or 'voorlopig').strip().lower()})" for i in voorlopig)
        count = "1 periode" if len(voorlopig) == 1 else f"{len(voorlopig)} perioden"
        lines.append(f"Status: voorlopig voor {count}: {shown}" + ("; de overige definitief" if len(voorlopig) < len(items) else ""))
    else:
        lines.append("Status: definitief (geen voorlopige perioden)")
    return lines


def describe(t: TableMeta, alle: bool = False) -> list[str]:
    """The lines `sdrapport cbs tabel` prints."""
    info = t.info
    lines = [f"Tabel {str(info.get('Identifier') or t.tabel).strip()}: {t.titel}",
             f"Bron van deze metadata: {t.herkomst}; gewijzigd door CBS: {info.get('Modified') or '?'}"
             + (f"; frequentie: {info['Frequency']}" if info.get("Frequency") else "")]
    if t.vorige_titel:
        lines.append(f"Let op: de titel is gewijzigd; eerder: '{t.vorige_titel}'. Controleer of dimensies en onderwerpen "
                     "nog kloppen met de mapping.")
    lines += _period_lines(t)
    lines.append("")
    lines.append("Dimensies (code: titel):")
    for dim in t.dimensies:
        key = dim["Key"].strip()
        codes = t.codes(key)
        kind = {t.dim_of_type("GeoDimension"): "regio", t.dim_of_type("TimeDimension"): "perioden"}.get(key, "dimensie")
        lines.append(f"  {key} ({kind}, {len(codes)} codes): {str(dim.get('Title') or '').strip()}")
        if kind == "regio":
            prefixes: dict[str, int] = {}
            for code in codes:
                prefixes[code[:2]] = prefixes.get(code[:2], 0) + 1
            lines.append("    soorten: " + ", ".join(f"{p} {n}" for p, n in sorted(prefixes.items())))
        items = list(codes.items())
        show = items if alle or len(items) <= LONG else items[:SHOWN]
        lines += [f"    {code}: {title}" for code, title in show]
        if len(show) < len(items):
            lines.append(f"    ... en {len(items) - len(show)} meer (alle codes: --alle)")
    lines.append("")
    lines.append("Onderwerpen (sleutel: titel [eenheid]):")
    for p in t.onderwerpen:
        unit = str(p.get("Unit") or "").strip()
        lines.append(f"  {p['Key'].strip()}: {str(p.get('Title') or '').strip()}" + (f" [{unit}]" if unit else ""))
    return lines


# -- a concept mapping ------------------------------------------------------------------------------
def _is_total(code: str, title: str) -> bool:
    return code.startswith("T00") or title.lower().startswith("totaal")


def _q(text: str) -> str:
    """A YAML scalar that stays text (codes such as 3000 or 03759ned, titles with ': ')."""
    return json.dumps(str(text), ensure_ascii=False)


def draft(project: Project, t: TableMeta, onderwerpen: dict[str, str], codes: dict[str, list[str]],
          kolommen: dict[str, str], jaar: int | None = None) -> str:
    """The text of a mapping file for the topics (key -> indicator) and codes (dimension ->
    codes) picked. Every key is checked against the table and the catalogue (MappingError with the
    nearest keys); the text is then loaded and checked as a fetch checks it."""
    from sdrapport.inputs.catalogue import load_catalogue

    tabel = str(t.info.get("Identifier") or t.tabel).strip()
    where = f"tabel {tabel}"
    if not onderwerpen:
        raise MappingError(f"{where}: kies minstens één onderwerp met --onderwerp SLEUTEL=indicator")
    topics = {p["Key"].strip(): str(p.get("Title") or "").strip() for p in t.onderwerpen}
    catalogue = load_catalogue(project.catalogue)
    known = set(catalogue.indicators)
    breakdowns = _breakdowns(project)
    for key, indicator in onderwerpen.items():
        if key not in topics:
            raise MappingError(f"{where}: onderwerp {key!r} bestaat niet in de tabel{_suggest(key, topics)}")
        if indicator not in known:
            raise MappingError(f"{where}: indicator {indicator!r} (bij {key}) staat niet in de indicatorcatalogus"
                               f"{_suggest(indicator, sorted(known))}")
    regio = t.dim_of_type("GeoDimension")
    perioden = t.dim_of_type("TimeDimension")
    if regio is None:
        raise MappingError(f"{where}: de tabel heeft geen regiodimensie (GeoDimension); alleen tabellen per gemeente zijn te mappen")
    others = [d["Key"].strip() for d in t.dimensies if d["Key"].strip() not in (regio, perioden)]
    for dim in list(codes) + list(kolommen):
        if dim not in others:
            raise MappingError(f"{where}: dimensie {dim!r} bestaat niet (of is de regio- of periodedimensie)"
                               f"{_suggest(dim, others)}; te kiezen: {', '.join(others) or 'geen'}")
    if perioden is None and jaar is None:
        period = str(t.info.get("Period") or "").strip()
        if not period.isdigit() or len(period) != 4:
            raise MappingError(f"{where}: geen periodedimensie en TableInfos.Period ({period or 'leeg'}) is geen jaar; geef --jaar")
        jaar = int(period)
    modified = t.info.get("Modified") or "?"
    lines = [f"# Concept-mapping voor CBS-tabel {tabel}: {t.titel}",
             f"# Gemaakt met 'sdrapport cbs tabel {tabel} --concept' op {dt.date.today().isoformat()}, uit de metadata van",
             f"# {t.herkomst} (TableInfos.Modified {modified}).",
             "# Bewijs van elke sleutel hieronder: de DataProperties en codelijsten van die tabel zelf (META).",
             f"# Controleer indicatoren en kolommen; daarna: sdrapport cbs fetch --tabel {tabel}",
             f"tabel: {_q(tabel)}", f"titel: {_q(t.titel)}", f"bron: {_q(f'CBS {t.titel} ({tabel})')}"]
    if t.catalogus != DEFAULT_CATALOG:
        lines.append(f"catalogus: {_q(t.catalogus)}")
    lines.append(f"regio: {_q(regio)}")
    if perioden:
        lines.append(f"perioden: {_q(perioden)}")
        kinds = {str(i.get("Key", "")).strip()[4:6] for i in t.meta.get(perioden) or []}
        if kinds == {"MM"}:  # months only: without this no period would be read
            lines += ["# Alleen maandcijfers: de maand aan het eind van een kwartaal beschrijft dat kwartaal. Dat klopt voor",
                      "# een stand (personen met een uitkering op de laatste dag); haal het weg voor een stroom.",
                      "maanden: kwartaaleinde"]
        elif "MM" in kinds:
            lines.append("# Ook maandcodes: die vallen weg; 'maanden: kwartaaleinde' leest ze als kwartaalstand (niet samen met kwartaalcodes)")
    else:
        lines += ["perioden: null", f"jaar: {jaar}"]
    if others:
        lines.append("dimensies:")
    for dim in others:
        known_codes = t.codes(dim)
        picked = codes.get(dim)
        if not picked:
            totals = [c for c, title in known_codes.items() if _is_total(c, title)]
            if not totals:
                raise MappingError(f"{where}: dimensie {dim} heeft geen totaalcode; kies codes met --code {dim}=CODE"
                                   f" (bijvoorbeeld {', '.join(list(known_codes)[:5])})")
            picked = totals[:1]
        for code in picked:
            if code not in known_codes:
                raise MappingError(f"{where}: code {code!r} bestaat niet in dimensie {dim}{_suggest(code, known_codes)}")
        detail = [c for c in picked if not _is_total(c, known_codes[c])]
        kolom = kolommen.get(dim)
        if detail and not kolom:
            raise MappingError(f"{where}: dimensie {dim} krijgt codes naast het totaal ({', '.join(detail)}); geef de kolom "
                               f"met --kolom {dim}=KOLOM, een uitsplitsing uit de catalogus: {', '.join(breakdowns)}")
        if kolom and kolom not in breakdowns:
            raise MappingError(f"{where}: kolom {kolom!r} bestaat niet in de indicatorcatalogus{_suggest(kolom, breakdowns)}")
        for indicator in dict.fromkeys(onderwerpen.values()) if kolom and detail else ():
            allowed = catalogue[indicator].uitsplitsingen
            if kolom not in allowed:
                raise MappingError(f"{where}: indicator {indicator} heeft geen uitsplitsing {kolom!r} (dimensie {dim}); "
                                   f"wel: {', '.join(allowed) or 'geen'}")
        lines.append(f"  {_q(dim)}:")
        if kolom:
            lines.append(f"    kolom: {_q(kolom)}")
        lines.append("    waarden:")
        for code in picked:
            title = known_codes[code]
            value = "totaal" if code not in detail else title.removesuffix(", totaal")
            lines.append(f"      {_q(code)}: {_q(value)}  # CBS: {title}")
    lines.append("onderwerpen:")
    units = {p["Key"].strip(): str(p.get("Unit") or "").strip() for p in t.onderwerpen}
    for key, indicator in onderwerpen.items():
        lines.append(f"  # {key}: {topics[key]}" + (f" [{units[key]}]" if units[key] else ""))
        lines.append(f"  - {{key: {_q(key)}, indicator: {_q(indicator)}}}")
    return "\n".join(lines) + "\n"


def write_draft(project: Project, t: TableMeta, path: Path, text: str, *, overschrijven: bool = False) -> None:
    """Write the concept after loading and checking it as `cbs fetch` would: nothing is written
    for a concept that does not fit the table."""
    if path.exists() and not overschrijven:
        raise MappingError(f"{path} bestaat al; kies een ander bestand of geef --overschrijven")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.concept")
    tmp.write_text(text, encoding="utf-8")
    try:
        check_mapping(load_mapping(tmp), t.meta, _breakdowns(project))
    except Exception:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)
