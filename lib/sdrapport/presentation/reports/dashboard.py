"""The quarterly council dashboard (seed 001): per domain a block of KPI tiles, each with a sentence
generated from its value, target and the same period a year earlier; budget versus realisation;
the bijstand's stock with its in- and outflow; the Wmo's algemene voorziening beside maatwerk;
youth provisions by zwaarte and verwijzer; complaints; and the gemeente's own texts per quarter
(params/dashboard/<gemeente>.yml) with a generated text where it wrote nothing.

The sentences are built from the figures as printed (rounded to the unit's decimals), so they
never contradict a tile or a table. Nothing here is a template copied from a seed: every phrase
follows from the value, the target and the catalogue's direction.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sdrapport.presentation.elements import charts
from sdrapport.presentation.text import formatting
from sdrapport.indicators.analysis import WAARDE
from sdrapport.indicators.targets import Kpi, target
from sdrapport.presentation.elements.kpis import KpiResult, evaluate, shown, status
from sdrapport.presentation.elements.components import _no_data, _download_wide, NOG_NIET, NOG_NIET_NOOT
from sdrapport.inputs.params import PROFIEL, load_params
from sdrapport.periods import Period, period_range_label
from sdrapport.presentation.report import Rapport, Waarde, value_cells, write_csv
from sdrapport.presentation.elements.tiles import Tegel
from sdrapport.presentation.elements.texts import in_periode, met_lidwoord
from sdrapport.presentation.text.escaping import Markdown, alineas, markdown, nadruk, samen

# Within this distance below a target a value 'almost' meets it (seed 001: 94% against 95%): in
# procentpunt for a percentage, else as a share of the target.
BIJNA_PROCENTPUNT = 2.0
BIJNA_AANDEEL = 0.02
# At least this far beyond the target it is met 'ruim'.
RUIM_PROCENTPUNT = 5.0
RUIM_AANDEEL = 0.05
# Within this relative distance two figures are 'about equal' in a comparison with a year earlier.
GELIJK_AANDEEL = 0.02


# -- sentences (pure) ---------------------------------------------------------------------------
def _marge(doel: float, eenheid: str, procentpunt: float, aandeel: float) -> float:
    return procentpunt if eenheid == "%" else abs(doel) * aandeel


def doel_zin(waarde: float, doel: float, richting: str, eenheid: str) -> str:
    """How a value relates to its target, as a council reads it: 'Daarmee halen we de doelstelling
    van 80% ruim.', '... bijna ...', '... niet.'. `waarde` is the value as printed."""
    doel_tekst = formatting.waarde(doel, eenheid) if eenheid != "%" else charts.target_text(doel, True)
    if richting not in ("hoger is beter", "lager is beter"):
        return ""
    beter = waarde - doel if richting == "hoger is beter" else doel - waarde
    if beter >= _marge(doel, eenheid, RUIM_PROCENTPUNT, RUIM_AANDEEL):
        return f"Daarmee halen we de doelstelling van {doel_tekst} ruim."
    if beter >= 0:
        return f"Daarmee halen we de doelstelling van {doel_tekst}."
    if -beter <= _marge(doel, eenheid, BIJNA_PROCENTPUNT, BIJNA_AANDEEL):
        return f"Daarmee halen we bijna de doelstelling van {doel_tekst}."
    return f"Daarmee halen we de doelstelling van {doel_tekst} niet."


def vergelijk_zin(nu: float, toen: float, eenheid: str, toen_wanneer: str, richting: str = "neutraal",
                  toen_tekst: str | None = None) -> str:
    """The value against the same period a year earlier, in words: 'In het eerste kwartaal 2020
    was dat 120; nu is het meer.' For a rate 'hoger'/'lager'; within 2% 'ongeveer gelijk'; for an
    indicator with a direction also whether that is an improvement."""
    toen_tekst = toen_tekst or formatting.waarde(toen, eenheid)
    if toen == nu or (toen and abs(nu - toen) / abs(toen) < GELIJK_AANDEEL):
        woord = "ongeveer gelijk"
    elif eenheid in ("%", "rapportcijfer", "score", "index") or eenheid.startswith("per "):
        woord = "hoger" if nu > toen else "lager"
    else:
        woord = "meer" if nu > toen else "minder"
    zin = f"{toen_wanneer[0].upper()}{toen_wanneer[1:]} was dat {toen_tekst}; nu is het {woord}"
    if richting in ("hoger is beter", "lager is beter") and woord != "ongeveer gelijk":
        beter = (nu > toen) == (richting == "hoger is beter")
        zin += ", een verbetering" if beter else ", een verslechtering"
    return zin + "."


def tot_nu(p: Period) -> str:
    """'het eerste kwartaal 2021', 'januari tot en met juni 2021', '2021': the year to date in words."""
    if p.kind == "Q":
        return f"het {p.label}"
    if p.kind == "H":
        return f"januari tot en met juni {p.year}"
    return p.label


def tot_nu_kort(p: Period) -> str:
    """'2021 t/m Q1' (tiles and columns)."""
    if p.kind == "J":
        return str(p.year)
    return f"{p.year} t/m\u00a0Q{_laatste_kwartaal(p)}"


def _laatste_kwartaal(p: Period) -> int:
    """The number of the last quarter in a year-to-date period: Q1 1, H1 2, T3 3, the year 4."""
    return {"Q": p.number, "H": 2 * p.number, "T": 3, "J": 4}[p.kind]


def bedrag(duizenden: float) -> str:
    """An amount given in EUR x 1.000 as a reader reads it: '€ 140.114', '€ 38,8 miljoen'."""
    euro = float(duizenden) * 1000
    if abs(euro) >= 1_000_000:
        return f"€\u00a0{formatting.getal(euro / 1_000_000, 1)}\u00a0miljoen"
    return f"€\u00a0{formatting.getal(euro)}"


# -- the gemeente's own texts --------------------------------------------------------------------
def teksten(r: Rapport) -> dict:
    """params/dashboard/<gemeente>.yml for the report quarter ({} when it wrote nothing)."""
    path = r.project.params / "dashboard" / f"{r.gemeente}.yml"
    raw = load_params(path, required=False, default=None) or {}
    return dict(raw.get(r.periode.code) or {})


# -- KPI blocks ----------------------------------------------------------------------------------
def load_blokken(r: Rapport) -> dict[str, list[Kpi]]:
    """`kpi_blokken` of the report profile: per domain its KPIs."""
    raw = load_params(r.project.params / "rapporten" / f"{r.rapport}.yml", PROFIEL) or {}
    out = {}
    for domein, items in (raw.get("kpi_blokken") or {}).items():
        out[str(domein)] = [Kpi(str(domein), str(i["indicator"]), {k: str(v) for k, v in i.items() if k not in ("indicator", "periode")},
                                tot_nu=i.get("periode") == "jaar_tot_nu") for i in items]
    return out


def kpi_zin(r: Rapport, kpi: Kpi, res: KpiResult) -> str:
    """The sentence under a KPI's tile: how the value relates to its target and to a year earlier."""
    ind = r.catalogus[kpi.indicator]
    nu, toen = res.waarde, res.vorig
    zinnen = []
    if nu.beschikbaar and res.doel is not None:
        zinnen.append(doel_zin(shown(nu), res.doel, ind.richting, ind.eenheid))
    if nu.beschikbaar and toen.beschikbaar:
        wanneer = tot_nu(toen.periode) if kpi.tot_nu else met_lidwoord(toen.periode)
        zinnen.append(vergelijk_zin(shown(nu), shown(toen), ind.eenheid, f"in {wanneer}", ind.richting))
    if not nu.beschikbaar:
        zinnen.append("Dit cijfer is onbekend." if nu.waarde_status != "geheim"
                      else "Dit cijfer wordt niet gepubliceerd: het is zo klein dat personen herkenbaar zouden kunnen zijn.")
    return " ".join(z for z in zinnen if z)


def _waarde_tekst(w: Waarde) -> str:
    if w.beschikbaar and w.eenheid == "EUR x 1.000":
        return bedrag(w.waarde)
    return w.tekst


def kpi_blok(r: Rapport, domein: str, *, naam: str, titel: str | None = None) -> None:
    """The KPI tiles of one domain (`kpi_blokken` in the report profile), each with value, target,
    status, the change against a year earlier and a generated sentence."""
    kpis = load_blokken(r).get(domein, [])
    titel = titel or f"Kerncijfers {domein}"
    standen = [(k, evaluate(r, k)) for k in kpis]
    if not kpis or all(s.waarde.waarde_status == "ontbreekt" for _, s in standen):
        r.leeg(samen(nadruk(titel), f": voor de gemeente {r.naam} zijn over {r.periode.label} geen cijfers beschikbaar."))
        return
    tegels, data, inds, perioden = [], [], [], []
    for kpi, s in standen:
        wanneer = tot_nu_kort(s.periode) if kpi.tot_nu else s.periode.short_label
        vorig = tot_nu_kort(s.vorig.periode) if kpi.tot_nu and s.vorig.periode else (s.vorig.periode.short_label if s.vorig.periode else "")
        verandering = f"{vorig}: {_waarde_tekst(s.vorig)}" + (f" ({s.verandering})" if s.vorig.beschikbaar and s.waarde.beschikbaar else "")
        tegels.append(Tegel(domein, f"{s.label}, {wanneer}", _waarde_tekst(s.waarde), s.doel_tekst, s.status, verandering, kpi_zin(r, kpi, s)))
        data.append({"domein": domein, "indicator": kpi.indicator, **kpi.fixed, "periode": s.periode.code,
                     "waarde": value_cells([s.waarde.waarde], [s.waarde.waarde_status])[0], "doel": "" if s.doel is None else s.doel,
                     "status": s.status, "vorig_jaar": value_cells([s.vorig.waarde], [s.vorig.waarde_status])[0]})
        inds.append(kpi.indicator)
        perioden += [p for p in (s.periode, s.vorig.periode) if p]
    r.tegels(tegels, data=pd.DataFrame(data).fillna(""), naam=naam, titel=titel,
             ondertitel=f"{r.naam}, {r.periode.label}, met doel en verandering ten opzichte van een jaar eerder",
             bron=r.bron(*dict.fromkeys(inds), perioden=sorted(set(perioden))))


def tekst_domein(r: Rapport, domein: str) -> None:
    """The gemeente's text on a domain (params/dashboard), else a generated summary of its targets."""
    eigen = (teksten(r).get("domeinen") or {}).get(domein)
    if eigen and str(eigen).strip():
        r.tekst(alineas(str(eigen).strip()))
        return
    standen = [evaluate(r, k) for k in load_blokken(r).get(domein, [])]
    met_doel = [s for s in standen if s.status in ("behaald", "niet behaald")]
    if not met_doel:
        return
    gehaald = sum(s.status == "behaald" for s in met_doel)
    if len(met_doel) == 1:
        zin = f"{domein}: het doel voor {met_doel[0].label.lower()} is {'' if gehaald else 'niet '}gehaald."
    else:
        zin = f"{domein}: {gehaald} van de {len(met_doel)} doelen {'is' if gehaald == 1 else 'zijn'} gehaald."
    r.tekst(f"{zin} De gemeente {r.naam} heeft bij dit domein geen toelichting gegeven.")


def tekst_inleiding(r: Rapport) -> None:
    """The gemeente's introduction for this quarter (params/dashboard), else the generated one."""
    from sdrapport.presentation.elements import texts as zinnen

    eigen = teksten(r).get("inleiding")
    r.tekst(alineas(str(eigen).strip()) if eigen and str(eigen).strip() else zinnen.dashboard(r))


def veranderingen(r: Rapport) -> list[str]:
    """Per KPI of the blocks (quarter figures only; a year to date of another length is no
    comparison) the value now against the previous dashboard, with a change of status."""
    vorige = r.periode.shift(-1)
    regels = []
    for domein, kpis in load_blokken(r).items():
        for kpi in kpis:
            if kpi.tot_nu:
                continue
            ind = r.catalogus[kpi.indicator]
            nu, toen = r.waarde(ind, r.periode, **kpi.fixed), r.waarde(ind, vorige, **kpi.fixed)
            if not (nu.beschikbaar and toen.beschikbaar) or nu.periode == toen.periode:
                continue
            doel = target(r.project, r.gemeente, r.periode.year, kpi.key)
            was, is_ = status(toen, doel, ind.richting), status(nu, doel, ind.richting)
            if shown(nu) == shown(toen):
                richting = f"gelijk gebleven op {nu.tekst}"
            else:
                richting = f"{'gestegen' if shown(nu) > shown(toen) else 'gedaald'} van {toen.tekst} naar {nu.tekst}"
            naam = ind.label_voor(**kpi.fixed)
            regel = f"{domein}, {naam[:1].lower()}{naam[1:]}: {richting}"
            if was != is_ and "behaald" in (was, is_):
                regel += "; het doel is nu " + ("gehaald" if is_ == "behaald" else "niet meer gehaald")
            regels.append(regel + ".")
    return regels


def tekst_veranderd(r: Rapport) -> None:
    """'Wat is er veranderd sinds het vorige dashboard': the gemeente's text, else the KPIs that
    moved since the previous quarter."""
    eigen = teksten(r).get("veranderd")
    if eigen and str(eigen).strip():
        r.tekst(alineas(str(eigen).strip()))
        return
    vorige = r.periode.shift(-1)
    regels = veranderingen(r)
    if not regels:
        r.tekst(f"Voor {met_lidwoord(vorige)} zijn er geen kerncijfers om mee te vergelijken.")
        return
    # Joined as plain strings: Markdown + str would fold the line breaks of the list away.
    lijst = "\n".join(f"- {markdown(regel, begin=False)}" for regel in regels)
    r.tekst(Markdown(str(markdown(f"Ten opzichte van het vorige dashboard, over {met_lidwoord(vorige)}:")) + "\n\n" + lijst))


# -- budget versus realisation ----------------------------------------------------------------------
def figuur_begroting(r: Rapport, beleidsveld: str, *, naam: str, titel: str | None = None) -> None:
    """Begroting of the year beside what was paid in the year to date (and a year earlier), for one
    beleidsveld, with a sentence: how much of the budget has been paid. The realisation is not a
    forecast: invoices arrive late and some posts are paid once a year."""
    titel = titel or f"Begroting en realisatie {beleidsveld}"
    ytd = r.periode.to_date
    begroting = r.waarde("sd_begroting", Period(r.periode.year), beleidsveld=beleidsveld)
    real = r.waarde("sd_realisatie", ytd, beleidsveld=beleidsveld)
    vorig = r.waarde("sd_realisatie", ytd.year_before(), beleidsveld=beleidsveld)
    if not (begroting.beschikbaar or real.beschikbaar):
        r.leeg(samen(nadruk(titel), f": voor de gemeente {r.naam} zijn over {r.periode.label} geen cijfers beschikbaar."))
        return
    rows = [(f"Begroting {r.periode.year}", begroting), (f"Realisatie {tot_nu_kort(ytd)}", real),
            (f"Realisatie {tot_nu_kort(ytd.year_before())}", vorig)]
    charts.stijl()
    fig, ax = plt.subplots(figsize=(charts.FIGSIZE[0], 1.7), layout="constrained")
    values = [w.waarde / 1000 if w.beschikbaar else np.nan for _, w in rows]
    pos = np.arange(len(rows))
    ax.barh(pos, np.nan_to_num(values), 0.6, color=[charts.PALET[0], charts.PALET[1], charts.REFERENTIE_BALK], zorder=2)
    for y, (_, w) in zip(pos, rows):
        ax.annotate(bedrag(w.waarde) if w.beschikbaar else "?", xy=(w.waarde / 1000 if w.beschikbaar else 0, y),
                    xytext=(4, 0), textcoords="offset points", va="center", fontsize=charts.TICK_PT)
    ax.set_yticks(pos, [t for t, _ in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.grid(False, axis="y")
    charts._value_axis(ax, [v * 1.25 for v in values if v == v], axis="x")
    ax.set_xlabel("× € 1 miljoen")
    texts = [bedrag(w.waarde) if w.beschikbaar else "?" for _, w in rows]
    alt = (f"Staafdiagram van de begroting en de realisatie {beleidsveld} in {r.naam}: "
           + "; ".join(f"{t}: {v}" for (t, _), v in zip(rows, texts)) + ".")
    csv_path = write_csv(pd.DataFrame({"reeks": [t for t, _ in rows], "periode": [w.periode.code if w.periode else "" for _, w in rows],
                            "eur_x_1000": value_cells([w.waarde for _, w in rows], [w.waarde_status for _, w in rows])}),
              r.uitvoer / "data" / f"{naam}.csv")
    r.figuur(fig, csv=csv_path, titel=titel, ondertitel=f"{r.naam}, × € 1 miljoen; realisatie = betaald in {tot_nu(ytd)}",
             bron=r.bron("sd_begroting", "sd_realisatie", perioden=sorted({w.periode for _, w in rows if w.periode})), alt=alt)


def tekst_begroting(r: Rapport, beleidsveld: str) -> None:
    """The sentence under figuur_begroting: how much of the budget has been paid, against a year
    earlier. (A cell of its own: a figure cell with a second output would get sub-captions.)"""
    ytd = r.periode.to_date
    begroting = r.waarde("sd_begroting", Period(r.periode.year), beleidsveld=beleidsveld)
    real = r.waarde("sd_realisatie", ytd, beleidsveld=beleidsveld)
    vorig = r.waarde("sd_realisatie", ytd.year_before(), beleidsveld=beleidsveld)
    if begroting.beschikbaar and real.beschikbaar and begroting.waarde:
        deel = real.waarde / begroting.waarde * 100
        zin = (f"Van de begroting {beleidsveld} van {bedrag(begroting.waarde)} is in {tot_nu(ytd)} {bedrag(real.waarde)} "
               f"betaald: {formatting.procent(deel, 0)}. ")
        if vorig.beschikbaar:
            zin += vergelijk_zin(real.waarde, vorig.waarde, "EUR x 1.000", f"in {tot_nu(vorig.periode)}", toen_tekst=bedrag(vorig.waarde)) + " "
        zin += "Het realisatiecijfer is geen prognose voor het hele jaar: facturen komen later binnen en sommige posten worden eenmaal per jaar betaald."
        r.tekst(zin)


# -- bijstand: stock, inflow and outflow in one chart ------------------------------------------------
def figuur_bestand_stromen(r: Rapport, *, naam: str, titel: str, bestand: str = "bijstand_personen",
                           instroom: str = "bijstand_instroom", uitstroom: str = "bijstand_uitstroom",
                           perioden: list[Period] | None = None) -> None:
    """The stock at the end of each quarter (line, top) above the in- and outflow of that quarter
    (bars, below), over eight quarters: stock before + inflow - outflow = stock after."""
    perioden = perioden or r.periode.last(8)
    frames = {k: r.reeks(ind, perioden) for k, ind in (("bestand", bestand), ("instroom", instroom), ("uitstroom", uitstroom))}
    if _no_data(r, frames["bestand"], titel, period_range_label(perioden), figuur=True):
        return
    grid = pd.DataFrame({"periode": [p.code for p in perioden]})
    for k, f in frames.items():
        grid = grid.merge(f[["periode", "waarde", "waarde_status"]].rename(columns={"waarde": k, "waarde_status": f"{k}_status"}),
                          on="periode", how="left")
        grid[k] = grid[k].where(grid[f"{k}_status"] == WAARDE)
    labels = [charts.period_tick(p) for p in perioden]
    charts.stijl()
    fig, (ax, ax2) = plt.subplots(2, 1, sharex=True, figsize=(charts.FIGSIZE[0], 3.9), layout="constrained", height_ratios=[1.6, 1])
    fig.get_layout_engine().set(h_pad=0.1)
    plot = pd.DataFrame({"label": labels, "waarde": grid["bestand"], "reeks": "Bestand"})
    charts._draw_lines(ax, plot, x="label", y="waarde", hue=None, order=labels, breuken=[])
    ax.set_ylabel("bestand")
    charts._value_axis(ax, grid["bestand"])
    pos = np.arange(len(labels))
    b1 = ax2.bar(pos - 0.18, grid["instroom"].fillna(0), 0.34, color=charts.PALET[1], zorder=2, hatch="///", edgecolor="white", linewidth=0.5)
    b2 = ax2.bar(pos + 0.18, grid["uitstroom"].fillna(0), 0.34, color=charts.PALET[2], zorder=2)
    ax2.set_ylabel("per kwartaal")
    ax2.grid(False, axis="x")
    charts._value_axis(ax2, pd.concat([grid["instroom"], grid["uitstroom"]]), nbins=3)
    charts._legend(fig, [ax.lines[0], b1, b2], ["Bestand aan het eind van het kwartaal", "Instroom", "Uitstroom"])
    fig.align_ylabels([ax, ax2])
    charts._fit_xticks(fig, ax2, labels, charts.PERIODE_BREEDTES)

    def cel(v):
        return "?" if v != v else formatting.getal(v)

    alt = (f"Lijndiagram van het bestand met daaronder staven van in- en uitstroom, {r.naam}, {period_range_label(perioden)}: "
           + "; ".join(f"{p.short_label}: bestand {cel(b)}, instroom {cel(i)}, uitstroom {cel(u)}"
                       for p, b, i, u in zip(perioden, grid["bestand"], grid["instroom"], grid["uitstroom"])) + ".")
    data = pd.DataFrame({"periode": grid["periode"]})
    for k in frames:
        data[k] = value_cells(grid[k], grid[f"{k}_status"].fillna("ontbreekt"))
    csv_path = write_csv(data, r.uitvoer / "data" / f"{naam}.csv")
    r.figuur(fig, csv=csv_path, titel=titel,
             ondertitel=f"{r.naam}, aantal personen; het bestand aan het eind van elk kwartaal, in- en uitstroom in het kwartaal",
             bron=r.bron(bestand, instroom, uitstroom, perioden=perioden), alt=alt)


# -- Wmo: algemene voorziening beside maatwerk ---------------------------------------------------
def figuur_voorzieningsvorm(r: Rapport, *, naam: str, titel: str = "Verdeling van meldingen en financiën",
                            reeksen: tuple = (("Meldingen", "wmo_meldingen"), ("Financiën", "wmo_uitgaven_vorm"))) -> None:
    """Two bars of 100%: new meldingen and spending in the year to date, split into algemene
    voorziening and maatwerk, with their shares computed from the figures as delivered."""
    ytd = r.periode.to_date
    vormen = r.catalogus.volgorde.get("voorzieningsvorm", ("Algemene voorziening", "Maatwerkvoorziening"))
    rows, data = [], []
    for label, ind in reeksen:
        df = r.verdeling(ind, "voorzieningsvorm", ytd).set_index("voorzieningsvorm").reindex(vormen)
        ok = df["waarde_status"] == WAARDE
        total = df.loc[ok, "waarde"].sum() if ok.all() else np.nan
        rows.append((label, ind, df, total))
        df["waarde_status"] = df["waarde_status"].fillna("ontbreekt")
        for vorm in vormen:
            v = df.loc[vorm, "waarde"] if ok.get(vorm, False) else np.nan
            data.append({"reeks": label, "voorzieningsvorm": vorm,
                         "waarde": value_cells([df.loc[vorm, "waarde"]], [df.loc[vorm, "waarde_status"]])[0],
                         "aandeel": round(v / total * 100, 6) if total and total == total and v == v else "?"})
    if all(t != t for *_, t in rows):
        r.leeg(samen(nadruk(titel), f": voor de gemeente {r.naam} zijn over {tot_nu(ytd)} geen cijfers beschikbaar."))
        return
    charts.stijl()
    fig, ax = plt.subplots(figsize=(charts.FIGSIZE[0], 1.9), layout="constrained")
    left = np.zeros(len(rows))
    handles = []
    for j, vorm in enumerate(vormen):
        shares = np.array([df.loc[vorm, "waarde"] / t * 100 if t == t and t else 0 for _, _, df, t in rows], dtype=float)
        bars = ax.barh(np.arange(len(rows)), shares, 0.6, left=left, color=charts.PALET[j], hatch=charts.ARCERINGEN[j],
                       edgecolor="white", linewidth=0.6, zorder=2)
        for y, (share, start) in enumerate(zip(shares, left)):
            if share >= 8:
                ax.text(start + share / 2, y, formatting.procent(share, 0), ha="center", va="center", fontsize=charts.TICK_PT,
                        color="white" if j == 0 else "black", fontweight="bold")
        left = left + shares
        handles.append(bars)
    ax.set_yticks(np.arange(len(rows)), [label for label, *_ in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel("%")
    ax.grid(False, axis="y")
    charts._legend(fig, handles, list(vormen))
    parts = []
    for label, ind, df, total in rows:
        cells = [f"{vorm} {bedrag(df.loc[vorm, 'waarde']) if r.catalogus[ind].eenheid == 'EUR x 1.000' else formatting.getal(df.loc[vorm, 'waarde'])}"
                 + (f" ({formatting.procent(df.loc[vorm, 'waarde'] / total * 100, 0)})" if total == total and total else "")
                 if df.loc[vorm, "waarde_status"] == WAARDE else f"{vorm} ?" for vorm in vormen]
        parts.append(f"{label}: " + ", ".join(cells))
    alt = f"Gestapeld staafdiagram van de verdeling van meldingen en financiën in {r.naam}, {tot_nu(ytd)}: " + "; ".join(parts) + "."
    csv_path = write_csv(pd.DataFrame(data), r.uitvoer / "data" / f"{naam}.csv")
    r.figuur(fig, csv=csv_path, titel=titel, ondertitel=f"{r.naam}, % van het totaal, {tot_nu(ytd)}. " + "; ".join(parts),
             bron=r.bron(*[ind for _, ind, *_ in rows], perioden=[ytd]), alt=alt)


# -- youth: provisions by zwaarte and verwijzer, PGA -------------------------------------------------
def tabel_voorzieningen(r: Rapport, *, naam: str, titel: str, ind: str = "jeugd_voorzieningen",
                        verwijzers: tuple[str, ...] = ("Gemeente", "Niet-gemeente")) -> None:
    """Seed 001's 'Voorziening per gemeente en verwijzer': per verwijzer a block licht / middel /
    zwaar / totaal per quarter and per year (the year to date for the report year), with the share
    of each zwaarte within the block in the year columns and the verwijzer's share of all
    provisions; then all provisions together. Shares come from the rounded counts; the year is its
    own count, never the sum of the quarters."""
    vorig = [*(Period(r.periode.year - 1, "Q", n) for n in range(1, 5)), Period(r.periode.year - 1)]
    ytd = r.periode.to_date
    kolommen = [*vorig, *(Period(r.periode.year, "Q", n) for n in range(1, 5)), ytd]
    perioden = list(dict.fromkeys(p for p in kolommen if p.end <= r.periode.end))
    alles = r.reeks(ind, perioden)
    if _no_data(r, alles, titel, period_range_label(perioden)):
        return
    zwaartes = ["licht", "middel", "zwaar"]

    def cells(frame: pd.DataFrame) -> dict[str, tuple[float, str]]:
        return {p: (v, s) for p, v, s in zip(frame["periode"], frame["waarde"], frame["waarde_status"])}

    def fmt(v, s) -> str:
        return formatting.waarde(v, "aantal", status=s if s != "ontbreekt" else "onbekend")

    heads = [p.short_label.replace(" ", "\u00a0") if p.kind == "Q" else f"Jaar {p.year}" for p in kolommen[:-1]]
    heads.append(tot_nu_kort(ytd) if ytd.kind != "J" else f"Jaar {ytd.year}")
    jaar_idx = [4, len(kolommen) - 1]
    header = ["Voorzieningen", *heads[:5], f"% {vorig[-1].year}", *heads[5:], f"% {ytd.year}"]
    rows, data, bold, indent = [], [], [], []
    total_all = cells(alles)
    blocks = [(v, {"verwijzer": v}) for v in verwijzers] + [("Alle verwijzers", {})]
    for block, fixed in blocks:
        tot = cells(r.reeks(ind, perioden, **fixed))
        per = {z: cells(r.reeks(ind, perioden, zwaarte=z, **fixed)) for z in zwaartes}
        if fixed:  # the verwijzer's share of all provisions
            share = []
            for p in kolommen:
                if p in perioden:
                    (a, sa), (b, sb) = tot.get(p.code, (np.nan, "ontbreekt")), total_all.get(p.code, (np.nan, "ontbreekt"))
                    share.append(formatting.procent(a / b * 100, 0) if sa == WAARDE and sb == WAARDE and b else "?")
                else:
                    share.append(NOG_NIET)
            rows.append([f"Aandeel {block.lower()}", *share[:5], "", *share[5:], ""])
            bold.append(len(rows) - 1)
        for label, source in [*((z.capitalize(), per[z]) for z in zwaartes), ("Totaal", tot)]:
            line, shares = [], []
            for i, p in enumerate(kolommen):
                if p not in perioden:
                    line.append(NOG_NIET)
                    continue
                v, s = source.get(p.code, (np.nan, "ontbreekt"))
                line.append(fmt(v, s))
                if i in jaar_idx:
                    t, ts = tot.get(p.code, (np.nan, "ontbreekt"))
                    shares.append(formatting.procent(v / t * 100, 0) if s == WAARDE and ts == WAARDE and t else "?")
                    data.append({"verwijzer": block, "zwaarte": label.lower(), "periode": p.code,
                                 "waarde": value_cells([v], [s if isinstance(s, str) else "ontbreekt"])[0]})
                elif p in perioden:
                    data.append({"verwijzer": block, "zwaarte": label.lower(), "periode": p.code,
                                 "waarde": value_cells([v], [s if isinstance(s, str) else "ontbreekt"])[0]})
            shares += [""] * (2 - len(shares))
            rows.append([label, *line[:5], shares[0], *line[5:], shares[1] if len(line) > 5 else ""])
            (bold if label == "Totaal" else indent).append(len(rows) - 1)
    shown_df = pd.DataFrame(rows, columns=header)
    r.tabel(shown_df, data=pd.DataFrame(data), naam=naam, titel=titel, nadruk=bold, inspringen=indent,
            ondertitel=f"{r.naam}, aantal voorzieningen en aandeel in %; de jaarkolom telt elke voorziening één keer, "
                       f"{NOG_NIET_NOOT}",
            bron=r.bron(ind, perioden=perioden))


def tekst_voorzieningen(r: Rapport, ind: str = "jeugd_voorzieningen") -> None:
    """The sentence under tabel_voorzieningen: provisions against unique young people."""
    jongeren, voorzieningen = r.waarde("jeugd_jongeren"), r.waarde(ind)
    if jongeren.beschikbaar and voorzieningen.beschikbaar:
        r.tekst(f"{in_periode(r.periode)[0].upper()}{in_periode(r.periode)[1:]} liepen {voorzieningen.tekst} jeugdhulpvoorzieningen "
                f"bij {jongeren.tekst} unieke jeugdigen: een jeugdige kan meer voorzieningen tegelijk hebben, bijvoorbeeld "
                "dagbesteding en vervoer.")


def tabel_peilmomenten(r: Rapport, ind: str, by: str, *, naam: str, titel: str, totaal: str = "Totaal") -> None:
    """A stock at three moments, as seed 001's PGA table: the same quarter a year earlier, the end
    of last year and now, per category of `by` with the delivered total."""
    momenten = [r.periode.year_before(), Period(r.periode.year - 1, "Q", 4), r.periode]
    momenten = list(dict.fromkeys(momenten))
    df = r.reeks(ind, momenten, by=by)
    if _no_data(r, df, titel, period_range_label(momenten)):
        return
    heads = {p.code: (f"Ultimo {p.year}" if p.kind == "Q" and p.number == 4 and p != r.periode else p.short_label) for p in momenten}
    shown_df = df.pivot(index=by, columns="periode", values="tekst").reindex(
        index=list(dict.fromkeys(df[by])), columns=[p.code for p in momenten]).fillna("?")
    tot = r.reeks(ind, momenten).set_index("periode")["tekst"].reindex([p.code for p in momenten]).fillna("?")
    shown_df.loc[totaal] = tot.values
    shown_df = shown_df.rename(columns=heads).reset_index().rename(columns={by: by.capitalize()})
    data = _download_wide(df, by)
    r.tabel(shown_df, data=data, naam=naam, titel=titel, ondertitel=f"{r.naam}, aantal aan het eind van de periode",
            bron=r.bron(ind, perioden=momenten))


# -- complaints ---------------------------------------------------------------------------------------
def tekst_klachten(r: Rapport) -> None:
    """Seed 001's complaints paragraph, from the figures: received in the year to date, how many
    upheld, and the norms they concern (most first)."""
    ytd = r.periode.to_date
    n, gegrond = r.waarde("klachten", ytd), r.waarde("klachten_gegrond", ytd)
    if not n.beschikbaar:
        r.leeg(samen(nadruk("Klachten"), f": voor de gemeente {r.naam} zijn over {tot_nu(ytd)} geen cijfers over klachten beschikbaar."))
        return
    zin = f"In {tot_nu(ytd)} zijn {n.tekst} klachten ingediend."
    if gegrond.beschikbaar:
        zin += f" Hiervan {'is' if gegrond.waarde == 1 else 'zijn'} er {gegrond.tekst} (deels) gegrond verklaard."
    normen = r.verdeling("klachten", "norm", ytd)
    normen = normen[(normen["waarde_status"] == WAARDE) & (normen["waarde"] > 0)].sort_values("waarde", ascending=False, kind="stable")
    if len(normen):
        lijst = [f"{str(k).lower()} ({t})" for k, t in zip(normen["norm"], normen["tekst"])]
        zin += " De klachten gaan over " + (lijst[0] if len(lijst) == 1 else ", ".join(lijst[:-1]) + " en " + lijst[-1]) + "."
    toen = r.waarde("klachten", ytd.year_before())
    if toen.beschikbaar:
        zin += " " + vergelijk_zin(n.waarde, toen.waarde, "aantal", f"in {tot_nu(toen.periode)}")
    if r.registratie_peildatum is not None:
        zin += (" De aantallen komen uit de registratie en zijn afgerond (0 tot en met 4 wordt 0, 5 tot en met 9 wordt 10), "
                "zodat niemand herkenbaar is.")
    r.tekst(zin)


__all__ = ["bedrag", "doel_zin", "figuur_begroting", "tekst_begroting", "figuur_bestand_stromen", "figuur_voorzieningsvorm",
           "kpi_blok", "load_blokken", "tabel_peilmomenten", "tabel_voorzieningen", "tekst_domein", "tekst_inleiding",
           "tekst_klachten", "tekst_veranderd", "tekst_voorzieningen", "teksten", "tot_nu", "vergelijk_zin", "veranderingen"]
