"""Report components: one call draws a labelled figure or table with its caption, source line, alt
text and data download. Notebook cells call these, so every chapter looks and behaves the same.

Components return None on purpose: a returned DataFrame would become an extra (HTML) cell
output and end up embedded in the page. Every component writes the figures behind it to <uitvoer>/data/<naam>.csv (the data download), with
'?' and '-' kept as such.
"""
from __future__ import annotations

import pandas as pd

from . import charts
from .analysis import ONTBREEKT, WAARDE
from .formatting import waarde as fmt
from .periods import Period, period_range_label
from .report import Rapport, value_cells, write_csv

REFERENTIE = "Referentiegroep"


def _no_data(r: Rapport, df: pd.DataFrame, titel: str, wanneer: str) -> bool:
    """True (and a note shown in place of the figure or table) when the gemeente has no data."""
    if len(df) and (df["waarde_status"] != ONTBREEKT).any():
        return False
    r.leeg(f"*{titel}*: voor de gemeente {r.naam} zijn over {wanneer} geen cijfers beschikbaar.")
    return True


def _label(r: Rapport, ind_id: str) -> str:
    return r.catalogus.unit_label(r.catalogus[ind_id])


def _alt_values(names, texts) -> str:
    return "; ".join(f"{n}: {t}" for n, t in zip(names, texts))


def _missing_note(frame: pd.DataFrame) -> str:
    if (frame["waarde_status"] != WAARDE).any():
        return " Waarden die onbekend (?) of niet publiceerbaar (-) zijn, ontbreken in de figuur."
    return ""


def figuur_verdeling(r: Rapport, ind: str, by: str, *, naam: str, titel: str, periode: str | Period | None = None,
                     referentie: bool | None = None, horizontaal: bool = False, **fixed: str) -> None:
    """Bars per category of `by` for the report period, next to the reference group when the
    catalogue says so (`referentie`), unless overridden."""
    indicator = r.catalogus[ind]
    referentie = indicator.referentie if referentie is None else referentie
    df = r.verdeling(ind, by, periode, referentie=referentie, **fixed)
    p = r.peilperiode(indicator, Period.parse(periode) if periode else r.periode)
    if _no_data(r, df, titel, p.label):
        return
    eenheid = _label(r, ind)
    plot = pd.DataFrame({by: df[by], "reeks": r.naam, "waarde": df["waarde"].where(df["waarde_status"] == WAARDE)})
    if referentie and "referentie" in df:
        plot = pd.concat([plot, pd.DataFrame({by: df[by], "reeks": REFERENTIE, "waarde": df["referentie"]})])
    fig = charts.staaf(plot.dropna(subset=["waarde"]), x=by, y="waarde", hue="reeks", ylabel=eenheid, horizontaal=horizontaal)
    alt = f"Staafdiagram van {titel[0].lower() + titel[1:]} in {r.naam}, {p.label}, {eenheid}: " + _alt_values(df[by], df["tekst"]) + "."
    if referentie and "referentie" in df:
        alt += f" Referentiegroep ({r.grootteklasse}): " + _alt_values(df[by], [fmt(v, indicator.eenheid) for v in df["referentie"]]) + "."
    data = pd.DataFrame({by: df[by], r.naam: value_cells(df["waarde"], df["waarde_status"])})
    if referentie and "referentie" in df:
        data[REFERENTIE] = [round(float(v), 6) if pd.notna(v) else "?" for v in df["referentie"]]
    write_csv(data, r.uitvoer / "data" / f"{naam}.csv")
    ondertitel = f"{r.naam}{' en referentiegroep' if referentie else ''}, {eenheid}.{_missing_note(df)}"
    r.figuur(fig, titel=titel, ondertitel=ondertitel, bron=r.bron(ind, perioden=[p]), alt=alt)


def figuur_reeks(r: Rapport, ind: str, *, naam: str, titel: str, by: str | None = None, referentie: bool = False,
                 gestapeld: bool = False, perioden: list[Period] | None = None, **fixed: str) -> None:
    """Development over the series of periods: lines (per category of `by`), or stacked bars."""
    indicator = r.catalogus[ind]
    perioden = perioden or r.perioden()
    df = r.reeks(ind, perioden, by=by, referentie=referentie, **fixed)
    if _no_data(r, df, titel, period_range_label(perioden)):
        return
    eenheid = _label(r, ind)
    hue = by or "reeks"
    plot = df.assign(reeks=r.naam, waarde=df["waarde"].where(df["waarde_status"] == WAARDE))
    if referentie and "referentie" in df:
        plot = pd.concat([plot, df.assign(reeks=REFERENTIE, waarde=df["referentie"])])
    plot = plot.dropna(subset=["waarde"])
    if gestapeld:
        fig = charts.staaf(plot, x="label", y="waarde", hue=hue, ylabel=eenheid, gestapeld=True)
        kind = "Gestapeld staafdiagram"
    else:
        fig = charts.lijn(plot, x="label", y="waarde", hue=hue if (by or referentie) else None, ylabel=eenheid)
        kind = "Lijndiagram"
    used = [Period.parse(p) for p in df["periode"].unique()]
    span = period_range_label(used)
    if by:
        last = df[df["periode"] == df["periode"].iloc[-1]]
        alt = (f"{kind} van {titel[0].lower() + titel[1:]} in {r.naam}, {span}, {eenheid}, per {by}. "
               f"In {Period.parse(last['periode'].iloc[0]).label}: " + _alt_values(last[by], last["tekst"]) + ".")
        data = _download_wide(df, by)
    else:
        alt = f"{kind} van {titel[0].lower() + titel[1:]} in {r.naam}, {span}, {eenheid}: " + _alt_values(df["label"], df["tekst"]) + "."
        data = pd.DataFrame({"periode": df["periode"], r.naam: value_cells(df["waarde"], df["waarde_status"])})
        if referentie and "referentie" in df:
            data[REFERENTIE] = [round(float(v), 6) if pd.notna(v) else "?" for v in df["referentie"]]
    write_csv(data, r.uitvoer / "data" / f"{naam}.csv")
    ondertitel = f"{r.naam}{' en referentiegroep' if referentie else ''}, {eenheid}.{_missing_note(df)}"
    r.figuur(fig, titel=titel, ondertitel=ondertitel, bron=r.bron(ind, perioden=used), alt=alt)


def _download_wide(df: pd.DataFrame, by: str) -> pd.DataFrame:
    cells = df.assign(cel=value_cells(df["waarde"], df["waarde_status"]))
    wide = cells.pivot(index=by, columns="periode", values="cel")
    wide = wide.reindex(index=list(dict.fromkeys(df[by])), columns=list(dict.fromkeys(df["periode"])))
    return wide.reset_index()


def tabel_reeks(r: Rapport, ind: str, by: str, *, naam: str, titel: str, totaal: str | None = None,
                perioden: list[Period] | None = None, **fixed: str) -> None:
    """Categories as rows, periods as columns; with `totaal` a last row holds the indicator's total
    (the delivered total, not the sum of rounded rows: rounded cells need not add up)."""
    perioden = perioden or r.perioden()
    df = r.reeks(ind, perioden, by=by, **fixed)
    if _no_data(r, df, titel, period_range_label(perioden)):
        return
    labels = list(dict.fromkeys(df["label"]))
    shown = df.pivot(index=by, columns="label", values="tekst").reindex(index=list(dict.fromkeys(df[by])), columns=labels)
    data = _download_wide(df, by)
    if totaal:
        tot = r.reeks(ind, [Period.parse(p) for p in dict.fromkeys(df["periode"])], **fixed)
        shown.loc[totaal] = tot.set_index("label")["tekst"].reindex(labels).fillna("?").values
        data.loc[len(data)] = [totaal, *value_cells(tot["waarde"], tot["waarde_status"])]
    shown = shown.reset_index().rename(columns={by: by.capitalize()})
    used = [Period.parse(p) for p in dict.fromkeys(df["periode"])]
    r.tabel(shown, data=data, naam=naam, titel=titel, ondertitel=f"{r.naam}, {_label(r, ind)}", bron=r.bron(ind, perioden=used))


def tabel_vergelijking(r: Rapport, inds: list[str], *, naam: str, titel: str) -> None:
    """One row per indicator: the gemeente's value and the reference group's, with unit and peildatum."""
    rows, data = [], []
    periods = []
    for ind_id in inds:
        ind = r.catalogus[ind_id]
        # Only where the catalogue asks for it: the group's mean of e.g. inhabitants means nothing.
        own, ref = r.waarde(ind_id), r.referentie(ind_id)
        if not ind.referentie:
            ref = type(ref)(None, "ontbreekt", ref.eenheid, ref.periode, n=0)
        periods.append(own.periode)
        rows.append({"Indicator": ind.label, r.naam: own.tekst, REFERENTIE: ref.tekst if ref.beschikbaar else "",
                     "Eenheid": _label(r, ind_id), "Periode": own.periode.label if own.periode else ""})
        data.append({"indicator": ind_id, "gemeente": value_cells([own.waarde], [own.waarde_status])[0],
                     "referentiegroep": round(ref.waarde, 6) if ref.beschikbaar else "?",
                     "eenheid": ind.eenheid, "periode": own.periode.code if own.periode else ""})
    shown = pd.DataFrame(rows)
    r.tabel(shown, data=pd.DataFrame(data), naam=naam, titel=titel,
            ondertitel=f"{r.naam} en gemeenten met {r.grootteklasse}", bron=r.bron(*inds, perioden=sorted(set(p for p in periods if p))))


def tabel_kolommen(r: Rapport, kolommen: dict[str, str], by: str, *, naam: str, titel: str, totaal: str | None = None,
                   periode: str | Period | None = None) -> None:
    """Categories of `by` as rows and one column per indicator (e.g. begroot / gerealiseerd), for
    one period; yearly figures are taken for the latest year up to the report period."""
    first = r.catalogus[next(iter(kolommen.values()))]
    p = Period.parse(periode) if periode else r.peilperiode(first, r.periode)
    frames = {k: r.verdeling(ind, by, p) for k, ind in kolommen.items()}
    if _no_data(r, pd.concat(frames.values()), titel, p.label):
        return
    cats = list(dict.fromkeys(c for f in frames.values() for c in f[by]))
    shown = pd.DataFrame({by.capitalize(): cats})
    data = pd.DataFrame({by: cats})
    for k, f in frames.items():
        f = f.set_index(by).reindex(cats)
        shown[f"{k} {p.label}"] = f["tekst"].fillna("?").values
        data[k] = value_cells(f["waarde"], f["waarde_status"].fillna("ontbreekt"))
    if totaal:
        row_shown, row_data = [totaal], [totaal]
        for k, ind in kolommen.items():
            v = r.waarde(ind, p)
            row_shown.append(v.tekst)
            row_data.append(value_cells([v.waarde], [v.waarde_status])[0])
        shown.loc[len(shown)] = row_shown
        data.loc[len(data)] = row_data
    r.tabel(shown, data=data, naam=naam, titel=titel, ondertitel=f"{r.naam}, {_label(r, first.id).replace('EUR x 1.000', 'x 1.000 euro')}",
            bron=r.bron(*kolommen.values(), perioden=[p]))

