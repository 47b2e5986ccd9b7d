"""Components that compare a gemeente with all others: a map, the similar gemeenten, and the
signals of "Opvallend". Notebook cells call them through `components` like every component:

    components.figuur_kaart(r, "wmo_clienten_per_1000", naam="kaart-wmo", titel="...")
    components.tabel_vergelijkbaar(r, "wmo", naam="wmo-vergelijkbaar")
    components.tabel_vergelijkbaar_profiel(r, naam="vergelijkbaar-profiel")
    components.opvallend(r)

A chapter's key indicators are the catalogue entries with `kern: true` in its domain, so a chapter
needs one call, and a new key indicator needs no notebook change. Everything shown is published
(rounded) figures, read through indicators/national.py with the same functions as the rest of the
report. Which of these a notebook calls decides what its batch key covers (signals.notebook_reach).
The method text is annex.comparison_notes.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from sdrapport.presentation.elements import maps, signals
from sdrapport.presentation.text import escaping
from sdrapport.indicators import national, similar
from sdrapport.indicators.analysis import GEHEIM, WAARDE
from sdrapport.presentation.text.formatting import waarde as fmt
from sdrapport.inputs.geodata import boundary_files, nearest_year
from sdrapport.periods import period_range_label
from sdrapport.presentation.report import Rapport, value_cells, write_csv
from sdrapport.presentation.elements.tables import _raw_blocks
from sdrapport.presentation.text.escaping import nadruk, samen

GEMIDDELDE = "Gemiddelde van de vijf vergelijkbare gemeenten"


def _referentie_label(r: Rapport) -> str:
    return f"Referentiegroep ({r.grootteklasse})"


_SETTINGS: dict[tuple, tuple] = {}


def settings(r: Rapport) -> tuple[bool, bool, signals.Config]:
    """(registration counts rounded by the CBS rule, the report compares with a reference group,
    the signal thresholds), read once per process while the params files are unchanged."""
    from sdrapport.inputs.registrations import load_config
    from sdrapport.inputs.profiles import load_profile

    paths = (r.project.params / "registraties.yml", r.project.params / "rapporten" / f"{r.rapport}.yml",
             r.project.params / signals.SIGNALEN)
    key = (str(r.project.root), r.rapport, *(p.stat().st_mtime_ns if p.exists() else None for p in paths))
    found = _SETTINGS.get(key)
    if found is None:
        found = (load_config(r.project.params).methode == "cbs", load_profile(r.project, r.rapport).referentiegroep,
                 signals.load_config(r.project.params))
        if len(_SETTINGS) > 16:
            _SETTINGS.clear()
        _SETTINGS[key] = found
    return found


def _cbs(r: Rapport) -> bool:
    return settings(r)[0]


def _met_referentie(r: Rapport, ind) -> bool:
    return bool(ind.referentie) and settings(r)[1]


def _cell(frame: pd.DataFrame, gemeente: str) -> tuple[float | None, str]:
    rec = national.figure(frame, gemeente)
    if rec is None:
        return None, "ontbreekt"
    return (float(rec["waarde"]) if rec["waarde_status"] == WAARDE else None), str(rec["waarde_status"])


def _tekst(value: float | None, status: str, eenheid: str) -> str:
    return fmt(value, eenheid, status=status if status in (WAARDE, GEHEIM, "onbekend") else "onbekend")


# -- map ----------------------------------------------------------------------------------------------

def figuur_kaart(r: Rapport, ind: str, *, naam: str, titel: str, **fixed: str) -> None:
    """A map of all gemeenten for the report period: the Netherlands and the gemeente's province,
    the gemeente outlined, five classes, '?' and '-' in the legend with the gemeente's value and the
    reference group's average marked on the class bar."""
    indicator = r.catalogus[ind]
    p = r.peilperiode(indicator, r.periode)
    eigen = r.waarde(ind, **fixed)
    if not eigen.beschikbaar:
        r.leeg(samen(nadruk(titel), f": voor de gemeente {r.naam} zijn over {p.label} geen publiceerbare cijfers beschikbaar."))
        return
    files = boundary_files(r.project.data)
    jaar = nearest_year(files, p.year)
    if jaar is None:
        r.leeg(samen(nadruk(titel), ": er zijn geen gemeentegrenzen (data/kaart/) om een kaart te tekenen."))
        return
    proj = maps.load(files[jaar], r.project.root)
    if r.gemeente not in proj.kaart.gebieden:
        r.leeg(samen(nadruk(titel), f": de gemeente {r.naam} ({r.gemeente}) staat niet op de kaart van de gemeentelijke "
                                    f"indeling van 1 januari {jaar} ({proj.kaart.bestand})."))
        return
    vals = national.values(r.store, r.catalogus, indicator, p, fixed, cbs_registraties=_cbs(r))
    known = dict(zip(vals["gemeente"], zip(vals["waarde"], vals["waarde_status"])))
    waarden = {g: (float(known[g][0]) if known[g][1] == WAARDE else None, str(known[g][1])) if g in known else (None, "ontbreekt")
               for g in proj.kaart.gebieden}
    waarden[r.gemeente] = (eigen.waarde, WAARDE)
    shown = {g: v for g, (v, s) in waarden.items() if s == WAARDE and v is not None}
    eenheid = r.catalogus.unit_label(indicator)
    edges = maps.klassen(shown.values(), _decimals(indicator.eenheid))
    ref = None
    if _met_referentie(r, indicator):
        group = national.group(r.store, r.catalogus, indicator, p, r.referentiegroep, fixed, cbs_registraties=_cbs(r))
        ref = group.waarde if group.beschikbaar else None
    fig = maps.kaart(proj, waarden, gemeente=r.gemeente, naam=r.naam, edges=edges, eenheid=indicator.eenheid,
                     referentie=ref, referentie_label="Referentiegroep")
    rank = 1 + sum(1 for v in shown.values() if v > eigen.waarde)
    geheim = sum(1 for _, s in waarden.values() if s == GEHEIM)
    onbekend = len(waarden) - len(shown) - geheim
    k = maps.klasse(eigen.waarde, edges)
    klassen = "; ".join(f"{_fmt(edges[i], indicator.eenheid)} tot {_fmt(edges[i + 1], indicator.eenheid)}" for i in range(len(edges) - 1))
    provincie = proj.kaart.gebieden[r.gemeente].provincie
    label = indicator.label + (f" ({', '.join(fixed.values())})" if fixed else "")
    alt = (f"Kaart van Nederland met {label[0].lower() + label[1:]} per gemeente, {p.label}, in {len(edges) - 1} "
           f"klassen ({klassen}). {r.naam}: {eigen.tekst}, plaats {rank} van {len(shown)} gemeenten met een cijfer "
           f"(1 = hoogste), in de klasse {_fmt(edges[k], indicator.eenheid)} tot {_fmt(edges[k + 1], indicator.eenheid)}.")
    if ref is not None:
        alt += f" Gemiddelde van de referentiegroep ({r.grootteklasse}): {fmt(ref, indicator.eenheid)}."
    alt += (f" {onbekend} gemeenten onbekend of zonder cijfer (?), {geheim} niet publiceerbaar (-). "
            f"Rechts een uitsnede met de gemeenten van de provincie {provincie}.")
    data = pd.DataFrame({
        "gemeente": list(proj.kaart.gebieden),
        "naam": [g.naam for g in proj.kaart.gebieden.values()],
        "provincie": [g.provincie for g in proj.kaart.gebieden.values()],
        "waarde": value_cells([waarden[g][0] for g in proj.kaart.gebieden],
                              [waarden[g][1] if waarden[g][1] in (WAARDE, GEHEIM) else "onbekend" for g in proj.kaart.gebieden]),
        "klasse": [maps.klasse(shown[g], edges) + 1 if g in shown else "" for g in proj.kaart.gebieden],
        "periode": p.code,  # the period of every figure on the map (downloads name it on every row)
    })
    csv_path = write_csv(data, r.uitvoer / "data" / f"{naam}.csv")
    ondertitel = (f"Alle gemeenten van Nederland en de provincie {provincie}, {eenheid}; {r.naam} omlijnd, plaats {rank} van "
                  f"{len(shown)}. Klassen met elk ongeveer evenveel gemeenten; ? is onbekend of niet geleverd, - niet publiceerbaar")
    # The map shows every gemeente's figure (indicators.national), not only the values this Rapport
    # computed for the legend: the lineage recorded here would name too few sources, so it is not kept.
    r.neem_herkomst()
    bron = f"{r.bron(ind, perioden=[p])}; gemeentegrenzen: CBS/PDOK {proj.kaart.jaar} (CC BY 4.0)"
    r.figuur(fig, csv=csv_path, titel=titel, ondertitel=ondertitel, bron=bron, alt=alt)


def _decimals(eenheid: str) -> int:
    from sdrapport.presentation.text.formatting import decimalen

    return decimalen(eenheid)


def _fmt(value: float, eenheid: str) -> str:
    return fmt(value, eenheid)


# -- similar gemeenten ------------------------------------------------------------------------------

_SIMILAR: dict[tuple, tuple[pd.DataFrame, pd.DataFrame]] = {}


def _similar_tables(store: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The store's profiel and vergelijkbaar tables (a few thousand rows), once per process."""
    key = national._identity(store)
    found = _SIMILAR.get(key)
    if found is None:
        con = duckdb.connect(str(store), read_only=True)
        try:
            tables = {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
            if {"profiel", "vergelijkbaar"} <= tables:
                profiel = con.execute("SELECT * FROM profiel ORDER BY jaar, gemeente").df()
                buren = con.execute("SELECT * FROM vergelijkbaar ORDER BY jaar, gemeente, rang").df()
            else:
                profiel, buren = pd.DataFrame(columns=["jaar", "gemeente", "naam"]), pd.DataFrame(columns=["jaar", "gemeente", "rang", "buur"])
        finally:
            con.close()
        _SIMILAR.clear()
        found = _SIMILAR[key] = (profiel, buren)
    return found


def similar_gemeenten(r: Rapport) -> tuple[int | None, list[tuple[str, str]], pd.DataFrame]:
    """(profile year, [(code, name) of the similar gemeenten, most similar first], the profile of
    that year). The year is that of the 1 January belonging to the report period, else the nearest
    earlier one there is (else the earliest)."""
    profiel, buren = _similar_tables(r.store)
    jaar = similar.profile_year(profiel["jaar"], r.periode)
    if jaar is None:
        return None, [], profiel
    profiel = profiel[profiel["jaar"] == jaar].set_index("gemeente")
    own = buren[(buren["jaar"] == jaar) & (buren["gemeente"] == r.gemeente)].sort_values("rang")
    return jaar, [(b, str(profiel.loc[b, "naam"])) for b in own["buur"]], profiel


def _geen_buren(r: Rapport, titel: str, jaar: int | None) -> None:
    if jaar is None:
        r.leeg(samen(nadruk(titel), ": er zijn geen profielen van gemeenten (data/profiel/) om vergelijkbare gemeenten te bepalen."))
    else:
        r.leeg(samen(nadruk(titel), f": de gemeente {r.naam} ({r.gemeente}) staat niet in het profiel van {jaar} "
                                    f"(data/profiel/kwb-{jaar}.csv), dus er zijn geen vergelijkbare gemeenten bepaald."))


def tabel_vergelijkbaar(r: Rapport, domein: str, *, naam: str, titel: str = "Vergelijkbare gemeenten") -> None:
    """The chapter's key indicators (catalogue `kern` in `domein`) for the gemeente, its five similar
    gemeenten (similar.py), their average and the reference group's average."""
    inds = [i for i in r.catalogus if i.kern and i.domein == domein]
    if not inds:
        r.leeg(samen(nadruk(titel), f": het domein {domein} heeft geen kernindicatoren (kern: true in data/indicatoren.yml)."))
        return
    jaar, buren, _ = similar_gemeenten(r)
    if not buren:
        _geen_buren(r, titel, jaar)
        return
    codes = [code for code, _ in buren]
    cbs = _cbs(r)
    rows = [[r.naam], *([n] for _, n in buren), [GEMIDDELDE], [_referentie_label(r)]]
    data = [{"gemeente": r.gemeente, "naam": r.naam, "rol": "gemeente"},
            *({"gemeente": c, "naam": n, "rol": f"vergelijkbaar {i}"} for i, (c, n) in enumerate(buren, start=1)),
            # An average names the gemeenten it is taken over (those without a figure are not counted).
            {"gemeente": " ".join(codes), "naam": GEMIDDELDE, "rol": "gemiddelde vergelijkbare gemeenten"},
            {"gemeente": " ".join(r.referentiegroep), "naam": _referentie_label(r), "rol": "referentiegroep"}]
    perioden, kop, eigen = [], ["Gemeente"], []
    for ind in inds:
        p = r.peilperiode(ind, r.periode)
        perioden.append(p)
        kop.append(ind.label)
        vals = national.values(r.store, r.catalogus, ind, p, cbs_registraties=cbs)
        cells = [_cell(vals, c) for c in (r.gemeente, *codes)]
        gem = national.group(r.store, r.catalogus, ind, p, codes, cbs_registraties=cbs)
        ref = national.group(r.store, r.catalogus, ind, p, r.referentiegroep, cbs_registraties=cbs) \
            if _met_referentie(r, ind) else national.Groepswaarde(None, None, None, 0)
        eigen.append(cells[0][1])
        for i, (v, s) in enumerate(cells):
            rows[i].append(_tekst(v, s, ind.eenheid))
            data[i][ind.id] = value_cells([v], [s if s in (WAARDE, GEHEIM) else "onbekend"])[0]
            data[i][f"{ind.id} periode"] = p.code
        rows[-2].append(fmt(gem.waarde, ind.eenheid) if gem.beschikbaar else "?")
        rows[-1].append(fmt(ref.waarde, ind.eenheid) if ref.beschikbaar else "?")
        data[-2][ind.id] = round(gem.waarde, 6) if gem.beschikbaar else "?"
        data[-1][ind.id] = round(ref.waarde, 6) if ref.beschikbaar else "?"
        data[-2][f"{ind.id} periode"] = data[-1][f"{ind.id} periode"] = p.code
    used = sorted(set(perioden))
    if all(status == "ontbreekt" for status in eigen):  # nothing delivered yet for this chapter
        r.leeg(samen(nadruk(titel), f": voor de gemeente {r.naam} zijn over {period_range_label(used)} geen cijfers beschikbaar."))
        return
    shown = pd.DataFrame(rows, columns=kop)
    ondertitel = (f"{r.naam} en de vijf gemeenten die er het meest op lijken naar {similar.description()} op 1 januari "
                  f"{jaar} (CBS), naast de referentiegroep; {period_range_label(used)}")
    notes = ["De vergelijkbare gemeenten zijn voor alle hoofdstukken dezelfde; de methode staat op de methodepagina. "
             "Het gemiddelde telt alleen gemeenten met een cijfer, zoals bij de referentiegroep. "
             "? betekent onbekend of niet geleverd, - niet publiceerbaar."]
    r.neem_herkomst()  # the five similar gemeenten's figures come from indicators.national, as for the maps
    bron = f"{r.bron(*(i.id for i in inds), perioden=used)}; profiel: CBS Kerncijfers wijken en buurten {jaar}"
    r.tabel(shown, data=pd.DataFrame(data), naam=naam, titel=titel, ondertitel=ondertitel, bron=bron, noten=notes, nadruk={0})


PROFIEL_KOLOMMEN = (
    ("Inwoners", "inwoners", 0, ""),
    ("Inwoners per km²", "bevolkingsdichtheid", 0, ""),
    ("0-14 jaar", "leeftijd_0_14", 0, "%"),
    ("65 jaar en ouder", "leeftijd_65_plus", 0, "%"),
    ("Personen per huishouden", "huishoudensgrootte", 1, ""),
)


def tabel_vergelijkbaar_profiel(r: Rapport, *, naam: str, titel: str = "Vergelijkbare gemeenten") -> None:
    """Who the five similar gemeenten are and why: the gemeente and its similar gemeenten with the
    characteristics of the profile they were chosen on (CBS Kerncijfers wijken en buurten)."""
    from sdrapport.presentation.text.formatting import getal

    jaar, buren, profiel = similar_gemeenten(r)
    if not buren:
        _geen_buren(r, titel, jaar)
        return
    codes = [r.gemeente, *(c for c, _ in buren)]
    rows, data = [], []
    for i, code in enumerate(codes):
        rec = profiel.loc[code]
        name = r.naam if i == 0 else str(rec["naam"])
        row = {"Gemeente": name}
        for label, column, decimals, suffix in PROFIEL_KOLOMMEN:
            row[label] = getal(float(rec[column]), decimals) + suffix
        rows.append(row)
        data.append({"gemeente": code, "naam": name, "rang": i, **{c: float(rec[c]) for c, *_ in similar.KENMERKEN}})
    notes = [f"De gemeenten staan in volgorde van gelijkenis met {r.naam} (de meest gelijkende eerst), gemeten over "
             f"{similar.description()} (alle vijf leeftijdsgroepen; hier staan er twee). Leeftijd in procenten van de "
             f"inwoners; alle cijfers op 1 januari {jaar}. De download noemt de rang (1 = meest gelijkend)."]
    r.tabel(pd.DataFrame(rows), data=pd.DataFrame(data), naam=naam, titel=titel,
            ondertitel=f"{r.naam} en de vijf gemeenten die er het meest op lijken, met de kenmerken waarop ze gekozen zijn",
            bron=f"Bron: CBS, Kerncijfers wijken en buurten {jaar} | 1 januari {jaar}", noten=notes, nadruk={0})


# -- signals ------------------------------------------------------------------------------------------------

def opvallend(r: Rapport, *, naam: str = "opvallend", kop: str | None = None) -> None:
    """The notable changes and differences of this report as Dutch sentences (signals.py), each
    with a link to its figure or table on the site and the chapter in the PDF. `kop` puts a heading
    above them (a report whose first notebook has no section of its own for them). A report
    without any figure the rules apply to shows nothing."""
    from IPython.display import Markdown, display

    cbs, referentiegroep, config = settings(r)
    if not signals.report_candidates(r, config):
        return
    if kop:
        display(Markdown(f"### {escaping.markdown(kop)}"))
    found = signals.compute(r, config=config, cbs_registraties=cbs, referentiegroep=referentiegroep)
    rows = [{"soort": s.soort, "indicator": s.indicator, "uitsplitsing": "; ".join(f"{k}={v}" for k, v in s.fixed),
             **s.data, "figuur": s.element.label if s.element else "", "zin": s.zin} for s in found]
    write_csv(pd.DataFrame(rows, columns=["soort", "indicator", "uitsplitsing", "periode", "waarde", "vergeleken_met",
                                          "vergelijkingswaarde", "figuur", "zin"]),
              r.uitvoer / "data" / f"{naam}.csv")
    if not found:
        afwijking = " of week duidelijk af van het gemiddelde van de referentiegroep" if referentiegroep else ""
        r.tekst(f"In de cijfers van dit rapport valt voor de gemeente {r.naam} niets op: geen cijfer veranderde duidelijk "
                f"ten opzichte van de vorige periode{afwijking}, gerekend met de drempels in de methode.")
        return
    items_html, items_typst = [], []
    for s in found:
        text = escaping.html(s.zin)
        typst = s.zin
        if s.element is not None:
            what = {"kaart": "Kaart", "figuur": "Figuur", "tabel": "Tabel"}[s.element.soort]
            link = f"{what}: {s.element.titel}" if s.element.titel else what
            text += f' <a href="#{escaping.html(s.element.label)}">{escaping.html(link)}</a>'
            # In print the caption's title and the chapter (a Typst link to a figure that turned out
            # empty would break the PDF).
            wat = {"kaart": "de kaart", "figuur": "de figuur", "tabel": "de tabel"}[s.element.soort]
            naar = f"{wat} ‘{s.element.titel}’ in " if s.element.titel else ""
            typst = f"{s.zin.rstrip('.')}; zie {naar}{s.element.plaats}."
        items_html.append(f"<li>{text}</li>")
        items_typst.append(escaping.typst_string(typst))
    html = '<ul class="sd-opvallend">' + "".join(items_html) + "</ul>"
    array = "(" + ", ".join(items_typst) + ("," if len(items_typst) == 1 else "") + ")"
    display(Markdown(_raw_blocks(html, f"#list(..{array}.map(z => [#z]))")))
