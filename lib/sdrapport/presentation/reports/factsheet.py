"""The one-page factsheet (seed 003, Hengelo "Sociaal domein in beeld"): an introduction with a link
to wijk information, key facts in large type grouped by theme (inhabitants, age, households one-
versus multi-person, housing tenure, the SES score with its meaning), small charts each headed by a
one-line finding generated from its figures, the policy indicators named as themselves, and a text
on satisfaction. The gemeente's own texts are in params/factsheet/<gemeente>.yml, per year; where it
wrote nothing, the text is generated from the figures.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sdrapport.presentation.elements import charts
from sdrapport.presentation.text import formatting, escaping
from sdrapport.indicators.analysis import WAARDE
from sdrapport.presentation.elements.components import _ses_betekenis, _wanneer
from sdrapport.inputs.params import load_params
from sdrapport.periods import Period, period_range_label
from sdrapport.presentation.report import Rapport, value_cells, write_csv
from sdrapport.presentation.elements.tables import _raw_blocks, _typst_array, _typst_dict
from sdrapport.presentation.text.escaping import Markdown, alineas, markdown

# A change of less than this share from the first to the last year counts as 'nagenoeg gelijk'.
STABIEL = 0.03
URL = re.compile(r"^https?://[^\s<>\"'`(){}\[\]\\]+$")
KWB_STATLINE = "https://opendata.cbs.nl/statline/#/CBS/nl/dataset/{tabel}/table"


# -- findings (pure) ------------------------------------------------------------------------------
def trend(waarden: list[float], drempel: float = STABIEL) -> str:
    """'toe', 'af' or 'gelijk': the change from the first to the last known value."""
    known = [float(v) for v in waarden if v is not None and v == v]
    if len(known) < 2 or not known[0]:
        return "onbekend"
    change = (known[-1] - known[0]) / abs(known[0])
    if abs(change) < drempel:
        return "gelijk"
    return "toe" if change > 0 else "af"


def bevinding(onderwerp: str, waarden: list[float], *, meervoud: bool = False, drempel: float = STABIEL) -> str:
    """A one-line finding as a heading: 'Aantal indicaties neemt af', 'Uitgaven na prijscorrectie
    blijven nagenoeg gelijk'; '' when there are too few figures to say."""
    richting = trend(waarden, drempel)
    if richting == "onbekend":
        return ""
    werkwoord = {"toe": ("neemt toe", "nemen toe"), "af": ("neemt af", "nemen af"),
                 "gelijk": ("blijft nagenoeg gelijk", "blijven nagenoeg gelijk")}[richting][meervoud]
    return f"{onderwerp} {werkwoord}"


def reeel(nominaal: dict[int, float], index: dict[int, float]) -> dict[int, float]:
    """Amounts in the prices of the last year: nominal × index(last year) / index(year). Years
    without an index are left out (never corrected with a guess)."""
    if not nominaal:
        return {}
    last = max(nominaal)
    if last not in index:
        return {}
    return {y: v * index[last] / index[y] for y, v in nominaal.items() if index.get(y)}


# -- the gemeente's own texts ---------------------------------------------------------------------
def teksten(r: Rapport) -> dict:
    path = r.project.params / "factsheet" / f"{r.gemeente}.yml"
    raw = load_params(path, required=False, default=None) or {}
    return dict(raw.get(r.periode.year) or raw.get(str(r.periode.year)) or {})


def wijk_link(r: Rapport) -> tuple[str, str]:
    """(text, url) of the wijk information: the gemeente's own (params/factsheet), else the CBS
    Kerncijfers wijken en buurten on StatLine (the table configured in params/cbs)."""
    own = teksten(r).get("wijkinformatie") or {}
    url = str(own.get("url") or "").strip()
    if url and URL.match(url):
        return str(own.get("tekst") or f"wijkinformatie van de gemeente {r.naam}"), url
    tabel = "85984NED"
    for path in sorted((r.project.params / "cbs").glob("*.yml")):
        raw = load_params(path, required=False, default=None) or {}
        if "wijken" in str(raw.get("bron", "")).lower():
            tabel = str(raw.get("tabel", tabel))
    return f"de Kerncijfers wijken en buurten van het CBS ({tabel})", KWB_STATLINE.format(tabel=tabel)


def tekst_inleiding(r: Rapport) -> None:
    """The gemeente's introduction, else a generated one; then where to find figures per wijk."""
    eigen = teksten(r).get("inleiding")
    if eigen and str(eigen).strip():
        intro = alineas(str(eigen).strip())
    else:
        intro = markdown(f"Deze factsheet laat in één oogopslag zien hoe het sociaal domein in de gemeente {r.naam} ervoor staat "
                         f"in {r.periode.label}: de belangrijkste feiten, het gebruik van maatwerk, de ontwikkelingen in "
                         "uitgaven en ondersteuning, en hoe inwoners de ondersteuning ervaren.")
    tekst, url = wijk_link(r)
    shown_url = url.split("://", 1)[1]
    link = f"[{markdown(tekst, begin=False)}]({url})"
    r.tekst(Markdown(f"{intro} " + str(markdown("Meer weten over de wijken? Zie ", begin=False)) + link
                     + str(markdown(f" ({shown_url}).", begin=False)).replace("\\#", "#")))


# -- key facts grouped by theme -------------------------------------------------------------------
@dataclass
class Kerngroep:
    """A card of key facts: a theme with one or more (label, value) pairs and a line under it;
    `kolommen` is how many of the three columns of the grid the card spans."""

    titel: str
    cijfers: list[tuple[str, str]]
    toelichting: str = ""
    kolommen: int = 1


def kerngroepen_markdown(groepen: list[Kerngroep], *, titel: str, bron: str) -> escaping.Markdown:
    cards = []
    for g in groepen:
        pairs = "".join(f'<div class="sd-kerngroep-cijfer"><span class="sd-kerngroep-waarde">{escaping.html(v)}</span>'
                        f'<span class="sd-kerngroep-label">{escaping.html(lab)}</span></div>' for lab, v in g.cijfers)
        cards.append(f'<li class="sd-kerngroep sd-kolommen-{int(g.kolommen)}"><p class="sd-kerngroep-titel">{escaping.html(g.titel)}</p>'
                     f'<div class="sd-kerngroep-cijfers">{pairs}</div>'
                     + (f'<p class="sd-kerngroep-toelichting">{escaping.html(g.toelichting)}</p>' if g.toelichting else "") + "</li>")
    html = f'<ul class="sd-kerngroepen" aria-label="{escaping.html(titel)}">{"".join(cards)}</ul>'
    items = _typst_array(
        "(titel: " + escaping.typst_string(g.titel) + ", toelichting: " + escaping.typst_string(g.toelichting)
        + f", kolommen: {int(g.kolommen)}"
        + ", cijfers: " + _typst_array(_typst_dict({"label": lab, "waarde": v}) for lab, v in g.cijfers) + ")" for g in groepen)
    return _raw_blocks(html, f"#sd-kerngroepen({items})", bron)


def _pct(v) -> str:
    return formatting.procent(v, 0) if v is not None and v == v else "?"


def kerngroepen(r: Rapport, *, naam: str = "feiten", titel: str = "Feiten") -> None:
    """Seed 003's 'Feiten en waar staan we nu': inhabitants, age bands, households one- versus
    multi-person (both from the same delivered pair: multi-person = all - one-person), housing
    tenure and the SES score with its meaning, each with its peildatum."""
    groepen, data, inds, used = [], [], [], []

    def note(ind: str, p: Period | None) -> str:
        return _wanneer(r, ind, p) if p else ""

    inw = r.waarde("inwoners")
    groepen.append(Kerngroep("Inwoners", [("inwoners", inw.tekst)], note("inwoners", inw.periode)))
    data.append({"regel": "Inwoners", "indicator": "inwoners", "waarde": value_cells([inw.waarde], [inw.waarde_status])[0]})
    inds.append("inwoners")
    used.append(inw.periode)
    leeftijd = r.verdeling("inwoners_leeftijd_aandeel", "leeftijd")
    if len(leeftijd):
        p = r.peilperiode(r.catalogus["inwoners_leeftijd_aandeel"], r.periode)
        groepen.append(Kerngroep("Leeftijd", [(str(k).replace("65+", "65 en ouder"), t if s == WAARDE else "?")
                                              for k, t, s in zip(leeftijd["leeftijd"], leeftijd["tekst"], leeftijd["waarde_status"])],
                                 note("inwoners_naar_leeftijd", p), kolommen=2))
        data += [{"regel": f"Leeftijd {k}", "indicator": "inwoners_leeftijd_aandeel", "waarde": c}
                 for k, c in zip(leeftijd["leeftijd"], value_cells(leeftijd["waarde"], leeftijd["waarde_status"]))]
        inds.append("inwoners_leeftijd_aandeel")
        used.append(p)
    hh = r.waarde("huishoudens")
    een = r.waarde("huishoudens", huishoudtype="Eenpersoonshuishouden")
    if hh.beschikbaar and een.beschikbaar and hh.waarde:
        aandeel = een.waarde / hh.waarde * 100
        groepen.append(Kerngroep("Huishoudens", [("1-persoons", _pct(aandeel)), ("meerpersoons", _pct(100 - aandeel))],
                                 note("huishoudens", hh.periode)))
        data += [{"regel": "Eenpersoonshuishoudens %", "indicator": "huishoudens", "waarde": round(aandeel, 6)},
                 {"regel": "Meerpersoonshuishoudens %", "indicator": "huishoudens", "waarde": round(100 - aandeel, 6)}]
        inds.append("huishoudens")
        used.append(hh.periode)
    woningen = r.verdeling("woningen_eigendom", "eigendom")
    if len(woningen) and (woningen["waarde_status"] == WAARDE).any():
        p = r.peilperiode(r.catalogus["woningen_eigendom"], r.periode)
        labels = {"Koopwoning": "koop", "Huurwoning corporatie": "huur corporatie", "Huurwoning overig": "huur overig"}
        groepen.append(Kerngroep("Huur of koop", [(labels.get(k, str(k)), _pct(v) if s == WAARDE else "?")
                                                  for k, v, s in zip(woningen["eigendom"], woningen["waarde"], woningen["waarde_status"])],
                                 note("woningen_eigendom", p)))
        data += [{"regel": f"Woningen {k}", "indicator": "woningen_eigendom", "waarde": c}
                 for k, c in zip(woningen["eigendom"], value_cells(woningen["waarde"], woningen["waarde_status"]))]
        inds.append("woningen_eigendom")
        used.append(p)
    ses = r.waarde("ses_woa")
    betekenis = _ses_betekenis(ses)
    groepen.append(Kerngroep("Sociaaleconomische score (SES-WOA)", [(f"= {betekenis}" if betekenis else "", ses.tekst)],
                             note("ses_woa", ses.periode)))
    data.append({"regel": "SES-WOA", "indicator": "ses_woa", "waarde": value_cells([ses.waarde], [ses.waarde_status])[0]})
    inds.append("ses_woa")
    used.append(ses.periode)
    gebruik = [(label, ind, fixed) for label, ind, fixed in GEBRUIK]
    waarden = [(label, r.waarde(ind, **fixed)) for label, ind, fixed in gebruik]
    if any(w.beschikbaar for _, w in waarden):
        p = next(w.periode for _, w in waarden if w.periode)
        groepen.append(Kerngroep(f"Gebruik maatwerk in {p.year}", [(label, w.tekst) for label, w in waarden],
                                 "unieke personen; bijstand: huishoudens aan het eind van het jaar", kolommen=2))
        data += [{"regel": label, "indicator": ind, "waarde": value_cells([w.waarde], [w.waarde_status])[0]}
                 for (label, ind, _), (_, w) in zip(gebruik, waarden)]
        inds += [ind for _, ind, _ in gebruik]
        used += [w.periode for _, w in waarden]
    herkomst = r.neem_herkomst()
    bron = r.bron_uit(herkomst, r.bron(*dict.fromkeys(inds), perioden=sorted({p for p in used if p})))
    r._tabelelement(kerngroepen_markdown(groepen, titel=titel, bron=bron), pd.DataFrame(data), naam=naam, titel=titel,
                    ondertitel=r.naam, bron=bron, herkomst=herkomst)


GEBRUIK = [("cliënten Wmo-maatwerk", "wmo_clienten", {}), ("jongeren met jeugdzorg", "jeugd_jongeren", {}),
           ("huishoudens met bijstand", "bijstand_huishoudens", {})]


# -- small charts with a finding each ---------------------------------------------------------------
def _jaarreeks(r: Rapport, ind: str, jaren: list[Period], **fixed) -> dict[int, float]:
    df = r.reeks(ind, jaren, **fixed)
    return {Period.parse(p).year: float(v) for p, v, s in zip(df["periode"], df["waarde"], df["waarde_status"]) if s == WAARDE}


def _iv3_lasten(r: Rapport, jaren: list[Period]) -> dict[int, float]:
    """The programme's realised lasten (rekening) per year: the delivered total, else the sum of its taakvelden."""
    from sdrapport.indicators.finance import TOTAAL, ParamsError, kolom
    from sdrapport.presentation.elements.components import _iv3

    out = {}
    for p in jaren:
        try:
            tabel = _iv3(r, p)
        except ParamsError:
            tabel = None
        if tabel is not None:
            v = tabel.loc[tabel["taakveld"] == TOTAAL, kolom("lasten", "rekening")]
            if len(v) and v.iloc[0] == v.iloc[0]:
                out[p.year] = float(v.iloc[0])
    return out


@dataclass
class Paneel:
    sleutel: str
    bevinding: str
    jaren: list[int]
    reeksen: dict[str, dict[int, float]]  # series name -> year -> value
    eenheid: str
    soort: str = "staaf"  # staaf, lijn or piramide
    bronnen: tuple[str, ...] = ()
    noot: str = ""


def panelen(r: Rapport, jaren: int = 3) -> list[Paneel]:
    """The five small charts of seed 003 with their findings (the gemeente's own finding from
    params/factsheet, else one generated from the figures). A chart without figures is left out."""
    eigen = teksten(r).get("bevindingen") or {}
    years = r.jaren(jaren)
    labels = [p.year for p in years]
    out = []

    def finding(key: str, generated: str) -> str:
        own = eigen.get(key)
        return str(own).strip() if own and str(own).strip() else generated

    ind = _jaarreeks(r, "indicaties", years)
    if ind:
        out.append(Paneel("indicaties", finding("indicaties", bevinding("Aantal indicaties", [ind.get(y) for y in labels])),
                          labels, {"Indicaties": ind}, "aantal", bronnen=("indicaties",)))
    nominaal = _iv3_lasten(r, years)
    index = _jaarreeks(r, "prijsindex", years)
    real = reeel(nominaal, index)
    if nominaal:
        series = {"Uitgaven": {y: v / 1000 for y, v in nominaal.items()}}
        if real:
            series[f"In prijzen van {max(real)}"] = {y: v / 1000 for y, v in real.items()}
        out.append(Paneel("uitgaven", finding("uitgaven", bevinding("Uitgaven na prijscorrectie", [real.get(y) for y in labels],
                                                                     meervoud=True) if real else ""),
                          labels, series, "× € 1 miljoen", soort="lijn", bronnen=("iv3_lasten", "prijsindex")))
    vormen = r.verdeling("clienten_ondersteuning", "voorzieningsvorm")
    if len(vormen) and (vormen["waarde_status"] == WAARDE).all():
        nu = dict(zip(vormen["voorzieningsvorm"], vormen["waarde"]))
        vorig = r.verdeling("clienten_ondersteuning", "voorzieningsvorm", Period(r.periode.year - 1))
        oud = dict(zip(vorig["voorzieningsvorm"], vorig["waarde"])) if len(vorig) else {}
        algemeen, maatwerk = nu.get("Algemene voorziening"), nu.get("Maatwerkvoorziening")
        generated = (f"{formatting.getal(maatwerk)} cliënten met maatwerk, {formatting.getal(algemeen)} in de sociale basis")
        if oud.get("Algemene voorziening") and oud.get("Maatwerkvoorziening"):
            share_now = algemeen / (algemeen + maatwerk)
            share_then = oud["Algemene voorziening"] / (oud["Algemene voorziening"] + oud["Maatwerkvoorziening"])
            generated = bevinding("Aandeel sociale basis", [share_then, share_now], drempel=0.02)
        out.append(Paneel("piramide", finding("piramide", generated), [r.periode.year],
                          {k: {r.periode.year: v} for k, v in nu.items()}, "cliënten", soort="piramide",
                          bronnen=("clienten_ondersteuning",),
                          noot=f"{formatting.getal(maatwerk)} maatwerk, {formatting.getal(algemeen)} sociale basis"))
    omvang = {vorm: _jaarreeks(r, "begeleiding_omvang", years, begeleidingsvorm=vorm)
              for vorm in r.catalogus.volgorde.get("begeleidingsvorm", ())}
    omvang = {k: v for k, v in omvang.items() if v}
    if omvang:
        totaal = [sum(v.get(y, np.nan) for v in omvang.values()) for y in labels]
        out.append(Paneel("omvang", finding("omvang", bevinding("Omvang van begeleiding", totaal)), labels,
                          {k.split(" (")[0]: {y: v / 1000 for y, v in s.items()} for k, s in omvang.items()}, "× 1.000",
                          bronnen=("begeleiding_omvang",)))
    lks = _jaarreeks(r, "reintegratie", years, voorziening="Loonkostensubsidie")
    if lks:
        kosten = r.waarde("loonkostensubsidie_uitgaven", Period(r.periode.year))
        noot = f"{r.periode.year}: € {formatting.getal(kosten.waarde * 1000)} uitgegeven" if kosten.beschikbaar else ""
        out.append(Paneel("loonkostensubsidie", finding("loonkostensubsidie", bevinding("Ontvangers loonkostensubsidie",
                                                                                         [lks.get(y) for y in labels], meervoud=True)),
                          labels, {"Ontvangers": lks}, "aantal", bronnen=("reintegratie", "loonkostensubsidie_uitgaven"), noot=noot))
    return out


def _draw(ax, paneel: Paneel) -> None:
    ax.set_title("\n".join(_wrap(paneel.bevinding, 16)), fontsize=charts.TICK_PT - 1.5, fontweight="bold", loc="left")
    ax.grid(False, axis="x")
    if paneel.soort == "piramide":
        order = [("Maatwerkvoorziening", "maatwerk"), ("Algemene voorziening", "sociale basis")]
        values = [paneel.reeksen.get(k, {}).get(paneel.jaren[0], np.nan) for k, _ in order]
        widest = np.nanmax(values) if np.isfinite(np.nanmax(values)) else 1
        for i, ((_, label), v) in enumerate(zip(order, values)):
            ax.barh(i, v, left=-v / 2, color=charts.PALET[i], height=0.8, zorder=2)
            ax.text(0, i, f"{label}\n{formatting.getal(v)}", ha="center", va="center", fontsize=charts.TICK_PT - 1.5,
                    color="white" if i == 0 else "black", fontweight="bold")
        ax.set_xlim(-widest * 0.55, widest * 0.55)
        ax.set_ylim(1.7, -0.7)
        ax.axis("off")
        return
    x = np.arange(len(paneel.jaren))
    names = list(paneel.reeksen)
    values = [[paneel.reeksen[n].get(y, np.nan) for y in paneel.jaren] for n in names]
    if paneel.soort == "lijn":
        for j, (n, vals) in enumerate(zip(names, values)):
            ax.plot(x, vals, marker=charts.MARKERS[j], linestyle=charts.LIJNSTIJLEN[j], color=charts.PALET[j], label=n)
        _legenda(ax)
    else:
        width = 0.8 / len(names)
        for j, (n, vals) in enumerate(zip(names, values)):
            ax.bar(x + (j - (len(names) - 1) / 2) * width, np.nan_to_num(vals), width * 0.95, color=charts.PALET[j],
                   hatch=charts.ARCERINGEN[j], edgecolor="white", linewidth=0.5, zorder=2, label=n)
        if len(names) > 1:
            _legenda(ax)
    ax.set_xticks(x, [f"'{y % 100:02d}" for y in paneel.jaren])
    ax.set_xlim(-0.6, len(x) - 0.4)
    charts._value_axis(ax, [v for vals in values for v in vals], nbins=3)
    ax.set_ylabel(paneel.eenheid, fontsize=charts.TICK_PT - 1)
    ax.tick_params(labelsize=charts.TICK_PT - 1)
    if paneel.noot:
        ax.text(-0.35, -0.24, "\n".join(_wrap(paneel.noot, 22)), transform=ax.transAxes, fontsize=charts.TICK_PT - 1.5, va="top")


def _legenda(ax) -> None:
    """A small legend under the panel, clear of the bars and lines."""
    ax.legend(fontsize=charts.TICK_PT - 1.5, loc="upper left", bbox_to_anchor=(-0.35, -0.24), frameon=False,
              handlelength=1.6, borderaxespad=0)


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [""]


def figuur_ontwikkelingen(r: Rapport, *, naam: str = "ontwikkelingen", titel: str = "Ontwikkelingen") -> None:
    """Seed 003's small charts in one figure, each headed by its one-line finding: indications,
    spending after price correction, the transformation pyramid (maatwerk versus sociale basis),
    the volume of support and the recipients of loonkostensubsidie."""
    ps = panelen(r)
    if not ps:
        r.leeg(escaping.samen(escaping.nadruk(titel), f": voor de gemeente {r.naam} zijn over {r.periode.label} geen cijfers beschikbaar."))
        return
    charts.stijl()
    cols = len(ps)  # one row of small charts: the factsheet is one page
    fig, axes = plt.subplots(1, cols, figsize=(charts.FIGSIZE[0], 1.95), layout="constrained", squeeze=False)
    fig.get_layout_engine().set(h_pad=0.04, w_pad=0.03)
    for ax, paneel in zip(axes.flat, ps):
        _draw(ax, paneel)
    for ax in list(axes.flat)[len(ps):]:
        ax.axis("off")
    data, parts, inds = [], [], []
    for paneel in ps:
        values = "; ".join(f"{n} {y}: {formatting.getal(v, 1 if paneel.eenheid.startswith('×') else 0)}"
                           for n, s in paneel.reeksen.items() for y, v in sorted(s.items()))
        parts.append(f"{paneel.bevinding} ({paneel.eenheid}: {values}{'; ' + paneel.noot if paneel.noot else ''})")
        data += [{"grafiek": paneel.sleutel, "bevinding": paneel.bevinding, "reeks": n, "jaar": y, "waarde": round(v, 6),
                  "eenheid": paneel.eenheid} for n, s in paneel.reeksen.items() for y, v in sorted(s.items())]
        inds += list(paneel.bronnen)
    alt = f"{len(ps)} kleine grafieken over {r.naam}, {period_range_label(r.jaren(3))}: " + " ".join(p + "." for p in parts)
    csv_path = write_csv(pd.DataFrame(data), r.uitvoer / "data" / f"{naam}.csv")
    r.figuur(fig, csv=csv_path, titel=titel, ondertitel=f"{r.naam}. Uitgaven: lasten programma sociaal domein",
             bron=r.bron(*dict.fromkeys(inds), perioden=r.jaren(3)), alt=alt)


# -- policy indicators and satisfaction -------------------------------------------------------------
def tabel_indicatoren(r: Rapport, ind: str, by: str, *, naam: str = "beleidsindicatoren", titel: str = "Beleidsindicatoren",
                      jaren: int = 3) -> None:
    """One row per breakdown value, labelled as the indicator it is (the catalogue's `labels`), the
    years as columns."""
    perioden = r.jaren(jaren, ind)
    df = r.reeks(ind, perioden, by=by)
    if not len(df) or (df["waarde_status"] == "ontbreekt").all():
        r.leeg(escaping.samen(escaping.nadruk(titel), f": voor de gemeente {r.naam} zijn over {period_range_label(perioden)} geen cijfers beschikbaar."))
        return
    indicator = r.catalogus[ind]
    cats = list(dict.fromkeys(df[by]))
    wide = df.pivot(index=by, columns="periode", values="tekst").reindex(index=cats, columns=[p.code for p in perioden]).fillna("?")
    wide.columns = [p.short_label for p in perioden]
    wide.index = [indicator.label_voor(**{by: c}) for c in cats]
    shown = wide.reset_index().rename(columns={"index": "Indicator"})
    data = df.assign(cel=value_cells(df["waarde"], df["waarde_status"])).pivot(index=by, columns="periode", values="cel").reset_index()
    r.tabel(shown, data=data, naam=naam, titel=titel, ondertitel=f"{r.naam}, {indicator.eenheid}", bron=r.bron(ind, perioden=perioden))


def tekst_tevredenheid(r: Rapport, ind: str = "tevredenheid", by: str = "wet") -> None:
    """The gemeente's text on satisfaction, else what the figures say: per wet up, down or the same
    against the year before."""
    eigen = teksten(r).get("tevredenheid")
    if eigen and str(eigen).strip():
        r.tekst(alineas(str(eigen).strip()))
        return
    p = r.peilperiode(r.catalogus[ind], r.periode)
    nu = r.verdeling(ind, by, p)
    toen = r.verdeling(ind, by, Period(p.year - 1))
    if not len(nu) or not len(toen):
        return
    merged = nu.merge(toen, on=by, suffixes=("", "_toen"))
    merged = merged[(merged["waarde_status"] == WAARDE) & (merged["waarde_status_toen"] == WAARDE)]
    if merged.empty:
        return
    delen = []
    for rec in merged.itertuples(index=False):
        verschil = rec.waarde - rec.waarde_toen
        woord = "gelijk gebleven" if abs(verschil) < 1 else ("gestegen" if verschil > 0 else "gedaald")
        delen.append(f"{getattr(rec, by)} {woord} ({rec.tekst_toen} naar {rec.tekst})")
    r.tekst(f"Tevreden inwoners: het aandeel cliënten dat tevreden is of positieve effecten ervaart, is in {p.year} bij "
            + ", ".join(delen[:-1]) + (" en bij " if len(delen) > 1 else "") + delen[-1] + ".")


__all__ = ["Kerngroep", "bevinding", "figuur_ontwikkelingen", "kerngroepen", "panelen", "reeel", "tabel_indicatoren",
           "tekst_inleiding", "tekst_tevredenheid", "teksten", "trend", "wijk_link"]
