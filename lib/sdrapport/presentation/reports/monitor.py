"""The monitor's own elements (GMSD style, seed 002), beyond the general components (elements/components.py):
key-figure tiles against the size class, several indicators in one chart, the largest categories,
baten and lasten of a taakveld, and the gemeente's own answers.

    monitor.tegels_vergelijking(r, ["mantelzorgers", "vrijwilligerswerk"], naam=..., titel=...)
    monitor.figuur_indicatoren(r, {"Ontvangen meldingen": "kindermishandeling_per_100000", ...}, ...)
    monitor.figuur_top(r, "wmo_stapeling", "wmo_combinatie", n=10, naam=..., titel=...)
    monitor.tabel_baten_lasten(r, "6.3", naam=..., titel=...)
    r.tekst(monitor.tekst_kindermishandeling(r))

Like every component: a figure or table with caption, source line, alt text and a CSV behind it,
'?' and '-' kept; a note "geen cijfers" in its place when the gemeente has none; None returned.
The sentences follow elements/texts.py: an unknown or suppressed figure gets a sentence of its own.
"""
from __future__ import annotations

from functools import partial

import pandas as pd

from sdrapport.presentation.elements import charts
from sdrapport.indicators.analysis import GEHEIM, ONTBREEKT, WAARDE
from sdrapport.presentation.text.formatting import NIHIL, NIHIL_NOOT, bedrag_tekst
from sdrapport.presentation.elements.tiles import Vergelijkingstegel, vergelijking_markdown
from sdrapport.presentation.elements.components import NVT, _alt_values, _label, _missing_note, _no_data, _wanneer
from sdrapport.periods import Period, period_range_label
from sdrapport.presentation.report import Rapport, value_cells, write_csv
from sdrapport.presentation.elements.texts import _capital, in_periode, met_lidwoord, onbeschikbaar, over
from sdrapport.presentation.text.escaping import nadruk, samen, vet



def _bron_zonder_prefix(bron: str) -> str:
    return bron.removeprefix("Bron: ")


# -- key figures gemeente versus size class ---------------------------------------------------
def tegels_vergelijking(r: Rapport, inds: list[str], *, naam: str, titel: str) -> None:
    """Key-figure tiles as the GMSD prints them: per indicator the gemeente's value in large type
    beside the average of its size class, with the tile's own source and period. The reference
    value is the average over the gemeenten of the group that delivered (analysis.reference)."""
    tegels, data, used, statuses = [], [], [], []
    for ind_id in inds:
        ind = r.catalogus[ind_id]
        own, ref = r.waarde(ind_id), r.referentie(ind_id)
        statuses.append(own.waarde_status)
        if own.periode:
            used.append(own.periode)
        ref_text = (ref.tekst if ref.beschikbaar else "?") if ind.referentie else NVT
        # The tile's own source and period, from the lineage of its two values (never the report's period).
        tegel = [h for h in (own.herkomst, ref.herkomst if ind.referentie else None) if h is not None and h.perioden]
        voet = _bron_zonder_prefix(r.bron_uit(tegel, r.bron(ind_id, perioden=[own.periode] if own.periode else None)))
        periode = Period.parse(own.herkomst.perioden[-1]) if own.herkomst and own.herkomst.perioden else own.periode
        voet = voet.split(" | ")[0] + " | " + _wanneer(r, ind_id, periode) + (" (voorlopig)" if "voorlopige" in voet else "")
        tegels.append(Vergelijkingstegel(ind.label, _label(r, ind_id), own.tekst, ref_text, r.naam, r.grootteklasse, voet))
        data.append({"indicator": ind_id, "waarde": value_cells([own.waarde], [own.waarde_status])[0],
                     "referentiegroep": round(ref.waarde, 6) if ref.beschikbaar and ind.referentie else "?",
                     "gemeenten_in_referentie": ref.n if ref.beschikbaar else 0,
                     "eenheid": ind.eenheid, "periode": own.periode.code if own.periode else ""})
    if _no_data(r, pd.DataFrame({"waarde_status": statuses}), titel, r.periode.label):
        return
    herkomst = r.neem_herkomst()
    bron = r.bron_uit(herkomst, r.bron(*inds, perioden=sorted(set(used))))
    r._tabelelement(vergelijking_markdown(tegels, titel=titel, bron=bron), pd.DataFrame(data), naam=naam, titel=titel,
                    ondertitel=f"{r.naam} en gemiddeld in gemeenten met {r.grootteklasse}", bron=bron, herkomst=herkomst)


# -- several indicators in one chart ------------------------------------------------------------
def figuur_indicatoren(r: Rapport, reeksen: dict[str, str], *, naam: str, titel: str,
                       perioden: list[Period] | None = None) -> None:
    """One line per indicator over the series of periods (e.g. meldingen and adviezen
    kindermishandeling per 100.000 inwoners); the indicators share one unit."""
    perioden = perioden or r.perioden()
    eenheden = {r.catalogus[i].eenheid for i in reeksen.values()}
    if len(eenheden) != 1:
        raise ValueError(f"figuur_indicatoren: de indicatoren hebben verschillende eenheden ({', '.join(sorted(eenheden))})")
    frames = [r.reeks(ind, perioden).assign(reeks=label) for label, ind in reeksen.items()]
    df = pd.concat(frames, ignore_index=True)
    if _no_data(r, df, titel, period_range_label(perioden), figuur=True):
        return
    codes = list(dict.fromkeys(c for c in df["periode"]))
    used = sorted({Period.parse(c) for c in codes})
    ordered = [p.code for p in used]
    df = df[df["periode"].isin(ordered)]
    eenheid = _label(r, next(iter(reeksen.values())))
    plot = df.assign(waarde=df["waarde"].where(df["waarde_status"] == WAARDE), label=df["periode"].map(charts.period_tick))
    draw = partial(charts.lijn, plot.dropna(subset=["waarde"]), x="label", y="waarde", hue="reeks", ylabel=eenheid,
                   order=[charts.period_tick(c) for c in ordered], procent=next(iter(eenheden)) == "%")
    fig, smal = draw(), draw(smal=True)  # the page shows the narrow one on a phone
    span = period_range_label(used)
    parts = []
    for label in reeksen:
        rows = df[df["reeks"] == label].set_index("periode").reindex(ordered)
        parts.append(f"{label}: " + _alt_values([Period.parse(c).short_label for c in ordered],
                                                 [t if isinstance(t, str) else "?" for t in rows["tekst"]]))
    alt = f"Lijndiagram van {titel[0].lower() + titel[1:]} in {r.naam}, {span}, {eenheid}. " + ". ".join(parts) + "."
    data = pd.DataFrame({"periode": ordered})
    for label in reeksen:
        rows = df[df["reeks"] == label].set_index("periode").reindex(ordered)
        data[label] = value_cells(rows["waarde"], rows["waarde_status"].fillna(ONTBREEKT))
    csv_path = write_csv(data, r.uitvoer / "data" / f"{naam}.csv")
    r.figuur(fig, smal=smal, csv=csv_path, titel=titel, ondertitel=f"{r.naam}, {eenheid}.{_missing_note(df)}",
             bron=r.bron(*reeksen.values(), perioden=used), alt=alt)


# -- the most frequent categories ---------------------------------------------------------------
def figuur_top(r: Rapport, ind: str, by: str, *, naam: str, titel: str, n: int = 10,
               periode: str | Period | None = None) -> None:
    """Horizontal bars of the n largest categories of `by` (e.g. the ten most frequent combinations
    of two Wmo provisions). Categories with '?' or '-' cannot be ranked: they are left out of the
    bars and counted in the caption; the CSV holds every category."""
    indicator = r.catalogus[ind]
    p = r.peilperiode(indicator, Period.parse(periode) if periode else r.periode)
    df = r.verdeling(ind, by, p)
    shown = df[(df["waarde_status"] == WAARDE) & (df["waarde"] > 0)]
    if shown.empty:  # nothing to rank: no data, only '?' and '-', or only zeros
        if (df["waarde_status"] == WAARDE).any():
            r.leeg(samen(nadruk(titel), f": voor de gemeente {r.naam} is over {p.label} geen aantal groter dan 0."))
        else:
            _no_data(r, df, titel, p.label, figuur=True)
        return
    ranked = shown.sort_values("waarde", ascending=False, kind="stable").head(n)
    eenheid = _label(r, ind)
    draw = partial(charts.staaf, ranked.assign(reeks=r.naam), x=by, y="waarde", hue=None, ylabel=eenheid, horizontaal=True,
                   order=list(ranked[by]))
    fig, smal = draw(), draw(smal=True)
    alt = (f"Staafdiagram van {titel[0].lower() + titel[1:]} in {r.naam}, {p.label}, {eenheid}: "
           + _alt_values(ranked[by], ranked["tekst"]) + ".")
    hidden = int((df["waarde_status"] != WAARDE).sum())
    note = (f" {hidden} {'combinatie is' if hidden == 1 else 'combinaties zijn'} onbekend of niet publiceerbaar en "
            "staan niet in de figuur." if hidden else "")
    rest = df.drop(ranked.index)
    rest = rest.assign(_k=rest["waarde"].where(rest["waarde_status"] == WAARDE, -1)).sort_values("_k", ascending=False, kind="stable")
    order = pd.concat([ranked, rest.drop(columns="_k")])
    csv_path = write_csv(pd.DataFrame({by: order[by], r.naam: value_cells(order["waarde"], order["waarde_status"])}),
              r.uitvoer / "data" / f"{naam}.csv")
    total = len(df)
    ondertitel = (f"{r.naam}, {eenheid}; de {len(ranked)} grootste van {total} "
                  f"{'categorie' if total == 1 else 'categorieën'}.{note}")
    r.figuur(fig, smal=smal, csv=csv_path, titel=titel, ondertitel=ondertitel, bron=r.bron(ind, perioden=[p]), alt=alt)


# -- baten and lasten of one taakveld over the years ---------------------------------------------
FASE_NAMEN = {"rekening": "rekening", "gewijzigd": "begroting na wijziging", "primitief": "primitieve begroting"}


def _taakveld_naam(r: Rapport, code: str, jaar: int) -> str:
    from sdrapport.indicators.finance import ParamsError, load_taakvelden

    path = r.project.params / "iv3-taakvelden.yml"
    for year in (jaar, *range(jaar - 1, jaar - 6, -1)):
        try:
            names = load_taakvelden(path, year)
        except (ParamsError, FileNotFoundError):
            continue
        found = {k.upper(): v for k, v in names.items()}.get(code.upper())
        if found:
            return found
    return ""


def _iv3_year(r: Rapport, taakveld: str, jaar: int) -> tuple[str, dict[str, tuple[float | None, str]]]:
    """(fase, {'baten': (value, status), 'lasten': ...}) of one taakveld and year: the rekening,
    else the begroting na wijziging, else the primitieve begroting; ('', {}) without figures."""
    found: dict[str, dict[str, tuple[float | None, str]]] = {}
    for soort in ("baten", "lasten"):
        rows = r.publiceer(f"iv3_{soort}", by=["taakveld", "begrotingsfase"], periode=Period(jaar))
        rows = rows[rows["taakveld"].astype(str).str.upper() == taakveld.upper()]
        for rec in rows.itertuples(index=False):
            found.setdefault(rec.begrotingsfase, {})[soort] = (None if pd.isna(rec.waarde) else float(rec.waarde), rec.waarde_status)
    for fase in ("rekening", "gewijzigd", "primitief"):
        if fase in found and any(s == WAARDE for _, s in found[fase].values()):
            return fase, found[fase]
    return "", {}


def tabel_baten_lasten(r: Rapport, taakveld: str, *, naam: str, titel: str | None = None, jaren: int = 8) -> None:
    """Baten, lasten and saldo of one Iv3 taakveld per year (seed 002: 'Baten en lasten:
    Inkomensregelingen'), from the rekening, or the begroting where a year has no rekening yet (the
    column 'Cijfers uit' says which). Years up to the one that describes the report period."""
    years = [p.year for p in r.jaren(jaren, "iv3_lasten")]
    rows, data, fasen = [], [], []
    for y in years:
        fase, values = _iv3_year(r, taakveld, y)
        if not fase:
            continue
        b, lasten = values.get("baten", (None, ONTBREEKT)), values.get("lasten", (None, ONTBREEKT))
        saldo = b[0] - lasten[0] if b[1] == WAARDE and lasten[1] == WAARDE else None
        fasen.append(fase)
        rows.append({"Jaar": str(y), "Baten": bedrag_tekst(*b), "Lasten": bedrag_tekst(*lasten),
                     "Saldo": bedrag_tekst(saldo) if saldo is not None else "?", "Cijfers uit": FASE_NAMEN[fase]})
        data.append({"jaar": str(y), "taakveld": taakveld, "begrotingsfase": fase,
                     "baten": value_cells([b[0]], [b[1]])[0], "lasten": value_cells([lasten[0]], [lasten[1]])[0],
                     "saldo": round(saldo) if saldo is not None else "?"})
    naam_tv = _taakveld_naam(r, taakveld, r.periode.year)
    titel = titel or f"Baten en lasten: {naam_tv or 'taakveld ' + taakveld}"
    if not rows:
        r.leeg(samen(nadruk(titel), f": voor de gemeente {r.naam} zijn geen baten en lasten van taakveld {taakveld} beschikbaar "
                                    f"(jaren {years[0]} tot en met {years[-1]})."))
        return
    shown = pd.DataFrame(rows)
    if set(fasen) == {"rekening"}:
        shown = shown.drop(columns="Cijfers uit")
    noten = [NIHIL_NOOT] if any(NIHIL in (rec["Baten"], rec["Lasten"], rec["Saldo"]) for rec in rows) else []
    perioden = [Period(int(d["jaar"])) for d in data]
    r.tabel(shown, data=pd.DataFrame(data), naam=naam, titel=titel, noten=noten,
            ondertitel=f"{r.naam}, taakveld {taakveld}{' ' + naam_tv if naam_tv else ''}, × €\u00a01.000; saldo = baten − lasten",
            bron=r.bron("iv3_baten", "iv3_lasten", perioden=perioden))


# -- sentences -------------------------------------------------------------------------------------
def _per(r: Rapport, ind: str) -> tuple:
    return r.waarde(ind), r.referentie(ind)


def tekst_kindermishandeling(r: Rapport) -> str:
    """'In het tweede halfjaar 2023 zijn er in de gemeente Dordrecht per 100.000 inwoners 356
    meldingen kindermishandeling ontvangen en 281 adviezen kindermishandeling gestart. ...'"""
    (m, m_ref), (a, a_ref) = _per(r, "kindermishandeling_per_100000"), _per(r, "kindermishandeling_adviezen_per_100000")
    when = in_periode(m.periode or r.periode)
    if not m.beschikbaar and not a.beschikbaar:
        zinnen = [onbeschikbaar(m, "meldingen kindermishandeling per 100.000 inwoners", when),
                  onbeschikbaar(a, "adviezen kindermishandeling per 100.000 inwoners", when)]
        zinnen = [z for z in zinnen if z]
        return " ".join(zinnen) or f"Over kindermishandeling zijn {when} voor de gemeente {r.naam} geen cijfers beschikbaar."
    delen = []
    if m.beschikbaar:
        delen.append(f"{m.tekst} meldingen kindermishandeling ontvangen")
    if a.beschikbaar:
        delen.append(f"{a.tekst} adviezen kindermishandeling gestart")
    zin = f"{_capital(when)} zijn er in de gemeente {r.naam} per 100.000 inwoners {' en '.join(delen)}."
    if not m.beschikbaar:
        zin += " " + (onbeschikbaar(m, "meldingen kindermishandeling", when) or "Het aantal meldingen is niet bekend.")
    if not a.beschikbaar:
        zin += " " + (onbeschikbaar(a, "adviezen kindermishandeling", when) or "Het aantal adviezen is niet bekend.")
    refs = []
    if m.beschikbaar and m_ref.beschikbaar:
        refs.append(f"{m_ref.tekst} meldingen{over(m_ref)}")
    if a.beschikbaar and a_ref.beschikbaar:
        refs.append(f"{a_ref.tekst} adviezen{over(a_ref)}")
    if refs:
        # "Vergelijkbare gemeenten" are the five of indicators/similar.py; the reference group is the size class.
        zin += (f" In gemeenten van dezelfde grootteklasse ({r.grootteklasse}) is dit gemiddeld "
                f"{' en '.join(refs)} per 100.000 inwoners.")
    return zin


def tekst_zelfstandig_70plus(r: Rapport) -> str:
    """How many inhabitants of 70 and older there are and which share lives independently."""
    n, aandeel = r.waarde("inwoners_70plus"), r.waarde("zelfstandig_wonend_70plus")
    if not n.beschikbaar:
        return f"Voor de gemeente {r.naam} is het aantal inwoners van 70 jaar en ouder niet bekend."
    zin = f"Op 1 januari {n.periode.year} woonden in de gemeente {r.naam} {n.tekst} inwoners van 70 jaar en ouder."
    if aandeel.beschikbaar:
        zin += f" Van hen woonde {aandeel.tekst} zelfstandig, de anderen in een instelling zoals een verpleeghuis."
        ref = r.referentie("zelfstandig_wonend_70plus")
        if ref.beschikbaar:
            zin += f" In gemeenten met {r.grootteklasse} is dat gemiddeld {ref.tekst}{over(ref)}."
    elif aandeel.waarde_status == GEHEIM:
        zin += " Hoeveel van hen zelfstandig wonen, wordt niet gepubliceerd (herleidbaar tot personen)."
    else:
        zin += " Hoeveel van hen zelfstandig wonen en hoeveel in een zorginstelling, is onbekend."
    return zin


def tekst_wmo_stapeling(r: Rapport) -> str:
    """The number of clients with exactly two Wmo provisions and the most frequent pair."""
    total = r.waarde("wmo_stapeling")
    when = in_periode(total.periode or r.periode)
    if not total.beschikbaar:
        return (onbeschikbaar(total, f"cliënten met twee Wmo-voorzieningen in de gemeente {r.naam}", when)
                or f"Over de stapeling binnen de Wmo zijn {when} voor de gemeente {r.naam} geen cijfers beschikbaar.")
    zin = f"{_capital(when)} hadden in de gemeente {r.naam} {total.tekst} cliënten precies twee verschillende Wmo-voorzieningen."
    df = r.verdeling("wmo_stapeling", "wmo_combinatie", total.periode)
    top = df[(df["waarde_status"] == WAARDE) & (df["waarde"] > 0)].sort_values("waarde", ascending=False, kind="stable")
    if len(top):
        first = top.iloc[0]
        zin += f" De meest voorkomende combinatie was {first['wmo_combinatie'].lower()} ({first['tekst']} cliënten)."
    return zin


def tekst_beschermd_wonen(r: Rapport) -> str:
    """Inhabitants in beschermd wonen (Wmo product category), absolute and per 1.000 inhabitants."""
    n = r.waarde("wmo_clienten", productcategorie="Beschermd wonen")
    rel = r.waarde("wmo_clienten_per_1000", productcategorie="Beschermd wonen")
    when = in_periode(n.periode or r.periode)
    if not n.beschikbaar:
        return (onbeschikbaar(n, f"inwoners van de gemeente {r.naam} in beschermd wonen", when)
                or f"Over beschermd wonen zijn {when} voor de gemeente {r.naam} geen cijfers beschikbaar.")
    zin = f"{_capital(when)} woonden {n.tekst} inwoners van de gemeente {r.naam} in een vorm van beschermd wonen"
    zin += f", {rel.tekst} per 1.000 inwoners." if rel.beschikbaar else "."
    ref = r.referentie("wmo_clienten_per_1000", productcategorie="Beschermd wonen")
    if rel.beschikbaar and ref.beschikbaar:
        zin += f" In gemeenten met {r.grootteklasse} is dat gemiddeld {ref.tekst} per 1.000 inwoners{over(ref)}."
    return zin


# -- the gemeente's own answers (params/monitor/GMxxxx.yml) ------------------------------------------
def antwoorden(r: Rapport) -> dict[int, dict]:
    """The gemeente's own answers per year from params/monitor/<gemeente>.yml (schema-checked;
    empty without the file): per year `ceo_wmo` and `beleid`."""
    from sdrapport.inputs.params import load_params

    raw = load_params(r.project.params / "monitor" / f"{r.gemeente}.yml", required=False, default={}) or {}
    return {int(str(year).strip()): (value or {}) for year, value in raw.items()}


def ceo_wmo(r: Rapport) -> None:
    """The three main findings of the gemeente's Cliëntervaringsonderzoek Wmo (seed 002, 2.2
    Kwaliteit), from the latest year up to the report's; a default sentence without them."""
    from sdrapport.presentation.reports.annual_report import tekst_markdown
    from sdrapport.presentation.text.escaping import Markdown, markdown

    years = sorted((y for y, v in antwoorden(r).items() if v.get("ceo_wmo") and y <= r.periode.year), reverse=True)
    if not years:
        r.tekst(f"De gemeente {r.naam} heeft geen uitkomsten van het cliëntervaringsonderzoek Wmo opgegeven.")
        return
    year = years[0]
    parts = [markdown(f"De belangrijkste bevindingen van het cliëntervaringsonderzoek Wmo van de gemeente {r.naam} over {year}:")]
    for i, item in enumerate(antwoorden(r)[year]["ceo_wmo"], start=1):
        parts.append(Markdown(f"{i}\\. {vet(item['titel'])}\n\n{tekst_markdown(item['tekst'])}"))
    r.tekst(Markdown("\n\n".join(parts)))


def tabel_wmo_beleid(r: Rapport, *, naam: str, titel: str, jaren: int = 2) -> None:
    """How the gemeente provides each main type of Wmo support (mainly as maatwerkvoorziening or
    as algemene voorziening), for the last `jaren` years up to the report's (seed 002, 2.3
    Gemeentelijk beleid); '?' where a year has no answer for a type."""
    answers = {y: v.get("beleid") or {} for y, v in antwoorden(r).items() if y <= r.periode.year and v.get("beleid")}
    years = sorted(answers)[-jaren:]
    if not years:
        r.leeg(samen(nadruk(titel), f": de gemeente {r.naam} heeft haar beleid per type Wmo-voorziening niet opgegeven."))
        return
    types = list(dict.fromkeys(t for y in years for t in answers[y]))
    shown = pd.DataFrame({"Type voorziening": types, **{str(y): [answers[y].get(t, "?") for t in types] for y in years}})
    data = pd.DataFrame({"type": types, **{str(y): [answers[y].get(t, "?") for t in types] for y in years}})
    r.tabel(shown, data=data, naam=naam, titel=titel, ondertitel=f"{r.naam}, naar jaar",
            bron=f"Bron: gemeente {r.naam} | {years[0]}" + (f" - {years[-1]}" if len(years) > 1 else ""))


# -- introduction ------------------------------------------------------------------------------------
def inleiding(r: Rapport) -> str:
    """The report's introduction: what the monitor shows, for which gemeente and period, and how
    it compares (seed 002, 'Inleiding')."""
    return (f"Deze monitor geeft op hoofdlijnen inzicht in het gebruik van de Wet maatschappelijke ondersteuning "
            f"(Wmo), de Jeugdwet en de Participatiewet in de gemeente {r.naam}, {in_periode(r.periode)}, in samenhang "
            f"met de bevolking, schulden en armoede, de stapeling van voorzieningen, de financiën en de kwaliteit van de "
            f"dienstverlening. Hoeveel inwoners kunnen toe zonder maatwerkondersteuning en hoeveel doen een beroep op "
            f"voorzieningen in het sociaal domein? Zijn er trends zichtbaar? En hoe is de situatie in vergelijking met "
            f"andere gemeenten? De cijfers zijn een startpunt voor het gesprek daarover; de lokale beleids- en "
            f"inrichtingskeuzes zijn nodig om ze te duiden.")


def over_dit_rapport(r: Rapport) -> str:
    """How to read the report: most recent figures, the comparison, unknown and suppressed values,
    downloads, the annex (seed 002, 'Over het GMSD-rapport')."""
    return (f"Dit rapport toont de meest recente cijfers die over {met_lidwoord(r.periode)} beschikbaar zijn; bij "
            f"elke figuur en tabel staan de bron en de periode waarover het cijfer gaat, want niet elke bron levert even "
            f"vaak. De gemeente {r.naam} wordt vergeleken met de gemeenten van dezelfde grootteklasse ({r.grootteklasse}); "
            f"hun gemiddelde telt alleen de gemeenten die cijfers leverden. Een \"?\" betekent dat een cijfer onbekend is, "
            f"een \"-\" dat het niet gepubliceerd wordt omdat het tot personen herleidbaar zou zijn. De cijfers achter elke "
            f"figuur en tabel zijn te downloaden. De bijlagen achterin beschrijven hoe de cijfers tot stand komen en "
            f"verklaren de begrippen.")


__all__ = ["NVT", "antwoorden", "ceo_wmo", "tabel_wmo_beleid", "figuur_indicatoren", "figuur_top", "inleiding", "over_dit_rapport",
           "tabel_baten_lasten", "tegels_vergelijking", "tekst_beschermd_wonen", "tekst_kindermishandeling",
           "tekst_wmo_stapeling", "tekst_zelfstandig_70plus"]
