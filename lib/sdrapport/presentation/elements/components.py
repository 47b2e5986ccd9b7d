"""Report components: one call draws a labelled figure or table with its caption, source line, alt
text and data download. Notebook cells call these, so every chapter looks and behaves the same.

Components return None on purpose: a returned DataFrame would become an extra (HTML) cell
output and end up embedded in the page. Every component writes the figures behind it to <uitvoer>/data/<naam>.csv (the data download), with
'?' and '-' kept as such.
"""
from __future__ import annotations

from functools import partial

import pandas as pd

from sdrapport.presentation.elements import charts, texts
from sdrapport.indicators import lineage
from sdrapport.indicators.analysis import ONTBREEKT, WAARDE
from sdrapport.presentation.text.formatting import NIHIL, NIHIL_NOOT, bedrag_tekst
from sdrapport.inputs.demo import DEMO_LABEL
from sdrapport.presentation.text.formatting import datum as fmt_datum
from sdrapport.presentation.text.formatting import waarde as fmt
from sdrapport.periods import Period, period_range_label
from sdrapport.presentation.report import Rapport, value_cells, write_csv
from sdrapport.presentation.elements.texts import met_lidwoord
from sdrapport.presentation.elements.tables import noot_teken
from sdrapport.presentation.elements.tiles import Kerncijfer, Tegel
from sdrapport.presentation.text.escaping import Markdown, markdown, nadruk, samen

REFERENTIE = "Referentiegroep"
NVT = "n.v.t."  # no comparison for this indicator (not unknown: that is "?")


def _no_data(r: Rapport, df: pd.DataFrame, titel: str, wanneer: str, *, figuur: bool = False) -> bool:
    """True (and a note shown in place of the figure or table) when the gemeente has no data. A
    table of only '?' and '-' still informs; a figure needs at least one publishable value."""
    if figuur:
        if len(df) and (df["waarde_status"] == WAARDE).any():
            return False
        r.leeg(samen(nadruk(titel), f": voor de gemeente {r.naam} zijn over {wanneer} geen publiceerbare cijfers beschikbaar."))
        return True
    if len(df) and (df["waarde_status"] != ONTBREEKT).any():
        return False
    r.leeg(samen(nadruk(titel), f": voor de gemeente {r.naam} zijn over {wanneer} geen cijfers beschikbaar."))
    return True


def _wanneer(r: Rapport, ind_id: str, p: Period | None) -> str:
    """'1 januari 2024' for a 1 January stock, else the period's label."""
    if p is None:
        return ""
    base = r.catalogus.basis(ind_id)
    return f"1 januari {p.year}" if base.peildatum and p.kind == "J" else p.label


def _label(r: Rapport, ind_id: str, by: str | list | None = None, fixed: dict | None = None) -> str:
    """The unit as a caption names it; for a rate per target group the group shown ('per 1.000
    vrouwen van dezelfde leeftijdsgroep')."""
    by = [by] if isinstance(by, str) else list(by or [])
    return r.catalogus.unit_label(r.catalogus[ind_id], by, fixed)


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
    if _no_data(r, df, titel, p.label, figuur=True):
        return
    eenheid = _label(r, ind, by, fixed)
    plot = pd.DataFrame({by: df[by], "reeks": r.naam, "waarde": df["waarde"].where(df["waarde_status"] == WAARDE)})
    if referentie and "referentie" in df:
        plot = pd.concat([plot, pd.DataFrame({by: df[by], "reeks": REFERENTIE, "waarde": df["referentie"]})])
    # The axis names the group briefly ('per 1.000 vrouwen'); caption and alt text say it in full.
    draw = partial(charts.staaf, plot.dropna(subset=["waarde"]), x=by, y="waarde", hue="reeks", ylabel=_label(r, ind, None, fixed),
                   horizontaal=horizontaal)
    fig, smal = draw(), draw(smal=True)  # the page shows the narrow one on a phone
    alt = f"Staafdiagram van {titel[0].lower() + titel[1:]} in {r.naam}, {p.label}, {eenheid}: " + _alt_values(df[by], df["tekst"]) + "."
    if referentie and "referentie" in df:
        alt += f" Referentiegroep ({r.grootteklasse}): " + _alt_values(df[by], [fmt(v, indicator.eenheid) for v in df["referentie"]]) + "."
    data = pd.DataFrame({by: df[by], r.naam: value_cells(df["waarde"], df["waarde_status"])})
    if referentie and "referentie" in df:
        data[REFERENTIE] = [round(float(v), 6) if pd.notna(v) else "?" for v in df["referentie"]]
    csv_path = write_csv(data, r.uitvoer / "data" / f"{naam}.csv")
    ondertitel = f"{r.naam}{' en referentiegroep' if referentie else ''}, {eenheid}.{_missing_note(df)}"
    r.figuur(fig, smal=smal, csv=csv_path, titel=titel, ondertitel=ondertitel, bron=r.bron(ind, perioden=[p]), alt=alt)


def _only(df: pd.DataFrame, by: str | None, categorieen: list[str] | None) -> pd.DataFrame:
    """Keep the given categories of `by`, in the given order (periods stay in order within each)."""
    if not by or not categorieen:
        return df
    order = {c: i for i, c in enumerate(categorieen)}
    kept = df[df[by].isin(order)]
    return kept.assign(_o=kept[by].map(order)).sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)


def _doelen(r: Rapport, ind: str, series: list[str], by: str | None, **fixed: str) -> dict[str, float]:
    """Targets from params/doelen.yml for the report year: per category of `by` (key
    'indicator/<category>'), or for the one series (key 'indicator' plus the fixed breakdown values)."""
    from sdrapport.indicators.targets import target

    if by:
        found = {s: target(r.project, r.gemeente, r.periode.year, f"{ind}/{s}") for s in series}
    else:
        found = {r.naam: target(r.project, r.gemeente, r.periode.year, "/".join([ind, *fixed.values()]))}
    return {k: v for k, v in found.items() if v is not None}


def _doel_zinnen(doelen: dict[str, float], eenheid: str, named: bool) -> tuple[str, str]:
    """Caption and alt-text sentences for the target lines: 'Gestreepte lijn: doel 95% (Wmo, Jeugdwet).'"""
    groups = charts.target_groups(doelen)
    if not groups:
        return "", ""
    procent = eenheid == "%"
    parts = [f"doel {charts.target_text(v, procent)}" + (f" ({', '.join(names)})" if named else "") for v, names in groups.items()]
    lijnen = "Gestreepte lijn" if len(parts) == 1 else "Gestreepte lijnen"
    text = "; ".join(parts)
    return f" {lijnen}: {text}.", f" {text[0].upper()}{text[1:]}."


def _as_note(fig, eenheid: str) -> str:
    """' De verticale as begint bij 70%.' when a chart's value axis does not start at 0."""
    bottom = fig.axes[0].get_ylim()[0]
    return f" De verticale as begint bij {charts.target_text(bottom, eenheid == '%')}." if bottom > 0 else ""


def figuur_reeks(r: Rapport, ind: str, *, naam: str, titel: str, by: str | None = None, referentie: bool = False,
                 gestapeld: bool = False, perioden: list[Period] | None = None, categorieen: list[str] | None = None,
                 doel: bool = True, **fixed: str) -> None:
    """Development over the series of periods: lines (per category of `by`), or stacked bars. Lines
    with a target in params/doelen.yml (report year) get it as a dashed line, unless doel=False."""
    perioden = perioden or r.perioden()
    df = _only(r.reeks(ind, perioden, by=by, referentie=referentie, **fixed), by, categorieen)
    if _no_data(r, df, titel, period_range_label(perioden), figuur=True):
        return
    eenheid = _label(r, ind, by, fixed)
    hue = by or "reeks"
    # Chart axes get compact period labels ("K1 '21"); tables and alt text keep the usual ones.
    plot = df.assign(reeks=r.naam, waarde=df["waarde"].where(df["waarde_status"] == WAARDE),
                     label=df["periode"].map(charts.period_tick))
    if referentie and "referentie" in df:
        plot = pd.concat([plot, plot.assign(reeks=REFERENTIE, waarde=df["referentie"])])
    plot = plot.dropna(subset=["waarde"])
    used = [Period.parse(p) for p in df["periode"].unique()]
    breuken = r.breuken(used, ind)
    order = list(dict.fromkeys(df["periode"].map(charts.period_tick)))  # break positions count every period, also one without values
    series = list(dict.fromkeys(df[by])) if by else [r.naam]
    doelen = _doelen(r, ind, series, by, **fixed) if doel and not gestapeld else {}
    if gestapeld:
        draw = partial(charts.staaf, plot, x="label", y="waarde", hue=hue, ylabel=eenheid, gestapeld=True,
                       breuken=[i for i, _ in breuken], order=order)
        kind = "Gestapeld staafdiagram"
    else:
        draw = partial(charts.lijn, plot, x="label", y="waarde", hue=hue if (by or referentie) else None, ylabel=eenheid,
                       breuken=[i for i, _ in breuken], order=order, doelen=doelen,
                       procent=r.catalogus[ind].eenheid == "%")
        kind = "Lijndiagram"
    fig, smal = draw(), draw(smal=True)
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
    csv_path = write_csv(data, r.uitvoer / "data" / f"{naam}.csv")
    ondertitel = f"{r.naam}{' en referentiegroep' if referentie else ''}, {eenheid}.{_missing_note(df)}"
    ondertitel += "".join(f" {note}" for _, note in breuken)
    alt += "".join(f" Onderbreking: {note}" for _, note in breuken)
    doel_cap, doel_alt = _doel_zinnen(doelen, r.catalogus[ind].eenheid, named=bool(by))
    ondertitel += doel_cap + _as_note(fig, r.catalogus[ind].eenheid)
    alt += doel_alt
    r.figuur(fig, smal=smal, csv=csv_path, titel=titel, ondertitel=ondertitel, bron=r.bron(ind, perioden=used), alt=alt)


def figuur_reeks_met_aantal(r: Rapport, ind: str, aantal: str, *, naam: str, titel: str,
                            perioden: list[Period] | None = None, doel: bool = True, **fixed: str) -> None:
    """One rate over the periods with its target (params/doelen.yml, report year) above bars of the
    count it is computed over, e.g. tijdigheid per wet with the number of decisions (seed 001)."""
    perioden = perioden or r.perioden()
    df = r.reeks(ind, perioden, **fixed)
    if _no_data(r, df, titel, period_range_label(perioden), figuur=True):
        return
    counts = r.reeks(aantal, perioden, **fixed)
    frame = pd.DataFrame({"periode": [p.code for p in perioden]})
    frame = frame.merge(df[["periode", "waarde", "waarde_status", "tekst"]], on="periode", how="left")
    frame = frame.merge(counts[["periode", "waarde", "waarde_status", "tekst"]].add_prefix("n_").rename(columns={"n_periode": "periode"}),
                        on="periode", how="left")
    first = min(frame.index[frame["waarde_status"].notna() | frame["n_waarde_status"].notna()])
    frame = frame.iloc[first:].reset_index(drop=True)  # leading periods without any data are left out
    frame["waarde_status"] = frame["waarde_status"].fillna(ONTBREEKT)
    frame["n_waarde_status"] = frame["n_waarde_status"].fillna(ONTBREEKT)
    used = [Period.parse(p) for p in frame["periode"]]
    eenheid, n_eenheid = _label(r, ind, None, fixed), r.catalogus[aantal].label.lower()
    doelen = _doelen(r, ind, [r.naam], None, **fixed) if doel else {}
    plot = pd.DataFrame({"label": [charts.period_tick(p) for p in used],
                         "waarde": frame["waarde"].where(frame["waarde_status"] == WAARDE),
                         "aantal": frame["n_waarde"].where(frame["n_waarde_status"] == WAARDE)})
    breuken = r.breuken(used, ind)
    draw = partial(charts.lijn_met_aantal, plot, x="label", y="waarde", aantal="aantal", ylabel=eenheid, aantal_label=n_eenheid,
                   order=list(plot["label"]), breuken=[i for i, _ in breuken],
                   doel=doelen.get(r.naam), procent=r.catalogus[ind].eenheid == "%")
    fig, smal = draw(), draw(smal=True)
    labels = [p.short_label for p in used]
    texts = [t if isinstance(t, str) else "?" for t in frame["tekst"]]
    n_texts = [t if isinstance(t, str) else "?" for t in frame["n_tekst"]]
    span = period_range_label(used)
    alt = (f"Lijndiagram van {titel[0].lower() + titel[1:]} in {r.naam}, {span}, {eenheid}: " + _alt_values(labels, texts) + "."
           f" Daaronder een staafdiagram van het aantal {n_eenheid}: " + _alt_values(labels, n_texts) + ".")
    doel_cap, doel_alt = _doel_zinnen(doelen, r.catalogus[ind].eenheid, named=False)
    alt += doel_alt + "".join(f" Onderbreking: {note}" for _, note in breuken)
    data = pd.DataFrame({"periode": frame["periode"], ind: value_cells(frame["waarde"], frame["waarde_status"]),
                         aantal: value_cells(frame["n_waarde"], frame["n_waarde_status"])})
    if doelen:
        data["doel"] = doelen[r.naam]
    csv_path = write_csv(data, r.uitvoer / "data" / f"{naam}.csv")
    missing = _missing_note(pd.DataFrame({"waarde_status": [*frame["waarde_status"], *frame["n_waarde_status"]]}))
    ondertitel = f"{r.naam}, {eenheid}, met daaronder het aantal {n_eenheid}.{missing}"
    ondertitel += "".join(f" {note}" for _, note in breuken) + doel_cap + _as_note(fig, r.catalogus[ind].eenheid)
    r.figuur(fig, smal=smal, csv=csv_path, titel=titel, ondertitel=ondertitel, bron=r.bron(ind, aantal, perioden=used), alt=alt)


def _download_wide(df: pd.DataFrame, by: str) -> pd.DataFrame:
    cells = df.assign(cel=value_cells(df["waarde"], df["waarde_status"]))
    wide = cells.pivot(index=by, columns="periode", values="cel")
    wide = wide.reindex(index=list(dict.fromkeys(df[by])), columns=list(dict.fromkeys(df["periode"])))
    return wide.reset_index()


def tabel_reeks(r: Rapport, ind: str, by: str, *, naam: str, titel: str, totaal: str | None = None,
                perioden: list[Period] | None = None, categorieen: list[str] | None = None, **fixed: str) -> None:
    """Categories as rows, periods as columns; with `totaal` a last row holds the indicator's total
    (the delivered total, not the sum of rounded rows: rounded cells need not add up)."""
    perioden = perioden or r.perioden()
    df = _only(r.reeks(ind, perioden, by=by, **fixed), by, categorieen)
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
    notes = "".join(f". {note}" for _, note in r.breuken(used, ind))  # a boundary or table change between columns
    r.tabel(shown, data=data, naam=naam, titel=titel, ondertitel=f"{r.naam}, {_label(r, ind, by, fixed)}{notes}", bron=r.bron(ind, perioden=used))


def tabel_vergelijking(r: Rapport, inds: list[str], *, naam: str, titel: str) -> None:
    """One row per indicator: the gemeente's value and the reference group's, with unit and peildatum."""
    rows, data = [], []
    periods = []
    for ind_id in inds:
        ind = r.catalogus[ind_id]
        # Only where the catalogue asks for it: the group's mean of e.g. inhabitants means nothing
        # ("n.v.t."); a comparison without a value is unknown ("?"), never a blank cell.
        own, ref = r.waarde(ind_id), r.referentie(ind_id)
        if not ind.referentie:
            ref = type(ref)(None, "ontbreekt", ref.eenheid, ref.periode, n=0)
        periods.append(own.periode)
        rows.append({"Indicator": ind.label, r.naam: own.tekst, REFERENTIE: ref.tekst if ind.referentie else NVT,
                     "Eenheid": _label(r, ind_id), "Periode": _wanneer(r, ind_id, own.periode)})
        data.append({"indicator": ind_id, "waarde": value_cells([own.waarde], [own.waarde_status])[0],
                     "referentiegroep": round(ref.waarde, 6) if ref.beschikbaar else "?",
                     "eenheid": ind.eenheid, "periode": own.periode.code if own.periode else ""})
    shown = pd.DataFrame(rows)
    noten = [f"{NVT}: voor dit cijfer (een aantal of bedrag, of een cijfer uit de eigen registratie) wordt geen gemiddelde "
             "van de referentiegroep getoond."] if (shown[REFERENTIE] == NVT).any() else []
    r.tabel(shown, data=pd.DataFrame(data), naam=naam, titel=titel, noten=noten,
            ondertitel=f"{r.naam} en gemeenten met {r.grootteklasse}", bron=r.bron(*inds, perioden=sorted({p for p in periods if p})))


def tabel_kolommen(r: Rapport, kolommen: dict[str, str], by: str, *, naam: str, titel: str, totaal: str | None = None,
                   periode: str | Period | None = None) -> None:
    """Categories of `by` as rows and one column per indicator (e.g. begroot / gerealiseerd), for
    one period; yearly figures are taken for the latest year up to the report period. Each
    column's header names the period of its own values (their lineage), so a column delivered
    for another year than its neighbour says so, and a column without any figure names none."""
    first = r.catalogus[next(iter(kolommen.values()))]
    gevraagd = Period.parse(periode) if periode else r.periode
    frames = {k: r.verdeling(ind, by, gevraagd) for k, ind in kolommen.items()}
    if _no_data(r, pd.concat(frames.values()), titel, r.peilperiode(first, gevraagd).label):
        return
    cats = list(dict.fromkeys(c for f in frames.values() for c in f[by]))
    shown = pd.DataFrame({by.capitalize(): cats})
    data = pd.DataFrame({by: cats})
    money = first.eenheid == "EUR x 1.000"
    nil = False
    kolomperioden: dict[str, list[str]] = {}
    for k, f in frames.items():
        herkomst = f.attrs["herkomst"]
        f = f.set_index(by).reindex(cats)
        texts = f["tekst"].astype(object).fillna("?")
        if money:  # a nil amount as the jaarstukken print it
            zero = (f["waarde_status"] == WAARDE) & (f["waarde"] == 0)
            texts = texts.where(~zero, NIHIL)
            nil |= bool(zero.any())
        header = f"{k} {lineage.periode_label([herkomst])}".strip()
        kolomperioden[header] = list(herkomst.perioden)
        shown[header] = texts.values
        data[k] = value_cells(f["waarde"], f["waarde_status"].fillna("ontbreekt"))
        data[f"{k} periode"] = ", ".join(herkomst.perioden)
    if totaal:
        row_shown, row_data = [totaal], [totaal]
        for ind in kolommen.values():
            v = r.waarde(ind, gevraagd)
            nil |= money and v.beschikbaar and v.waarde == 0
            row_shown.append(NIHIL if money and v.beschikbaar and v.waarde == 0 else v.tekst)
            row_data += [value_cells([v.waarde], [v.waarde_status])[0], ", ".join(v.herkomst.perioden)]
        shown.loc[len(shown)] = row_shown
        data = data.astype(object)
        data.loc[len(data)] = row_data
    r.tabel(shown, data=data, naam=naam, titel=titel, ondertitel=f"{r.naam}, {_label(r, first.id).replace('EUR x 1.000', 'x 1.000 euro')}",
            bron=r.bron(*kolommen.values(), perioden=[gevraagd]), noten=[NIHIL_NOOT] if nil else [], kolomperioden=kolomperioden)


def kwartaal_perioden(jaar: int) -> list[Period]:
    """Q1..Q4 and the year itself, for two years ending with `jaar` (the seed 001 table layout)."""
    out = []
    for y in (jaar - 1, jaar):
        out += [Period(y, "Q", n) for n in range(1, 5)] + [Period(y)]
    return out


# A quarter after the report period cannot have a figure yet: its cell stays empty, as CBS leaves a
# cell empty when a figure cannot exist, with a note; never '–' (the CBS sign for nil) or '?'.
NOG_NIET = ""
NOG_NIET_NOOT = "lege cel: kwartaal nog niet verstreken"


def _jaar_kolom(p: Period, report: Period) -> str:
    """Header of a year column: 'Jaar 2020', or for the report year before its end the year to
    date: '2021 t/m Q1'."""
    if p.kind == "J":
        return f"Jaar {p.year}"
    kwartaal = {"Q": p.number, "H": 2 * p.number, "T": 3}[p.kind]
    return f"{p.year} t/m\u00a0Q{kwartaal}"


def tabel_kwartalen(r: Rapport, ind: str, *, naam: str, titel: str, by: str | None = None,
                    categorieen: list[str] | None = None, **fixed: str) -> None:
    """Columns Q1..Q4 and the year for the report year and the year before. The year column is the
    year's own figure (for unique counts: distinct over the year), never the sum of the quarters;
    for the report year it is the year to date (Period.to_date: the first quarter, the first
    half-year, January-September or the year), counted over that period itself, or '?' when it
    was not delivered. Quarters after the report period show a dash: a report never shows what
    came later."""
    vorig = [*(Period(r.periode.year - 1, "Q", n) for n in range(1, 5)), Period(r.periode.year - 1)]
    kwartalen = [Period(r.periode.year, "Q", n) for n in range(1, 5)]
    ytd = r.periode.to_date
    kolommen = [*vorig, *kwartalen, ytd]
    perioden = list(dict.fromkeys(p for p in kolommen if p.end <= r.periode.end))  # after Q1 the year to date is Q1
    later = [p for p in kolommen if p.end > r.periode.end]
    indicator = r.catalogus[ind]
    if by:
        df = _only(r.reeks(ind, perioden, by=by, **fixed), by, categorieen)
    else:
        df = r.reeks(ind, perioden, **fixed).assign(_rij=indicator.label)
        by = "_rij"
    df = df[df["periode"].isin([p.code for p in perioden])]
    if _no_data(r, df, titel, period_range_label(perioden)):
        return
    labels = [p.short_label.replace(" ", "\u00a0") if p.kind == "Q" else _jaar_kolom(p, r.periode) for p in kolommen[:-1]]
    labels.append(_jaar_kolom(ytd, r.periode))
    shown = df.pivot(index=by, columns="periode", values="tekst").reindex(
        index=list(dict.fromkeys(df[by])), columns=[p.code for p in perioden]).astype(object).fillna("?")
    notes = []
    # 'onbekend' with a count (an export without zwaarte or referrer): say what it means under the table.
    unknown = [v for v in shown.index if str(v).lower() == "onbekend" and (shown.loc[v] != "0").any()] if by != "_rij" else []
    if unknown:  # e.g. an export without zwaarte: its clients count as 'onbekend', never as licht
        notes.append(f"Onbekend: de registratie van de gemeente vermeldt bij deze personen geen {by}"
                     + (" (licht, middel of zwaar)" if by == "zwaarte" else "") + ".")
        shown = shown.rename(index={v: f"{v}{noot_teken(1)}" for v in unknown})
    shown = shown.astype(object).reindex(columns=[p.code for p in kolommen]).astype(object)
    shown.columns = labels
    for i, p in enumerate(kolommen):
        if p in later:
            shown.iloc[:, i] = NOG_NIET  # later quarters: not yet over, never '?', '–' or a number
    shown = shown.reset_index().rename(columns={by: "" if by == "_rij" else by.capitalize()})
    data = _download_wide(df, by).rename(columns={"_rij": "indicator"})
    ondertitel = f"{r.naam}, {_label(r, ind, by if by != '_rij' else None, fixed)}, per kwartaal en per jaar"
    if ytd.kind != "J":
        ondertitel += (f"; de kolom {ytd.year} telt {ytd.start.day} januari tot en met {fmt_datum(ytd.end)} als één periode"
                       f" (geen optelsom van kwartalen); {NOG_NIET_NOOT}")
    r.tabel(shown, data=data, naam=naam, titel=titel, ondertitel=ondertitel,
            bron=r.bron(ind, perioden=[p for p in perioden if p.code in set(df["periode"])]), noten=notes)


def kpi_overzicht(r: Rapport, *, kpis: list | None = None, naam: str = "kpi", titel: str = "Kerncijfers per domein") -> None:
    """One row ('tile') per KPI of the report profile: value, target, status and the change
    against the same period a year earlier. KPIs come from `kpis` or else from
    params/rapporten/<rapport>.yml; targets from params/doelen.yml (per gemeente and year, else
    the standard)."""
    from sdrapport.indicators.targets import load_kpis
    from sdrapport.presentation.elements.kpis import evaluate

    kpis = kpis if kpis is not None else load_kpis(r.project, r.rapport)
    tegels, data = [], []
    vorige = r.periode.year_before()
    for kpi in kpis:
        res = evaluate(r, kpi)
        verandering = (f"{vorige.short_label}: {res.vorig.tekst}"
                       + (f" ({res.verandering})" if res.verandering != res.vorig.tekst and res.vorig.beschikbaar else ""))
        # A tile whose figures come from the demo data says so on the tile itself when the gemeente's
        # own tiles are beside it (the combined source line alone would not tell which is which); on
        # a page of demo data only, the banner and the source line say it.
        demo = r.is_demo(kpi.indicator, [p for p in (res.waarde.periode, res.vorig.periode) if p])
        label = f"{res.label} ({DEMO_LABEL.lower()})" if demo and not r.alleen_demo else res.label
        tegels.append(Tegel(kpi.domein, label, res.waarde.tekst, res.doel_tekst, res.status, verandering))
        data.append({"domein": kpi.domein, "indicator": kpi.indicator, **kpi.fixed, "waarde": value_cells([res.waarde.waarde], [res.waarde.waarde_status])[0],
                     "doel": res.doel if res.doel is not None else "", "status": res.status,
                     "vorig_jaar": value_cells([res.vorig.waarde], [res.vorig.waarde_status])[0], "demodata": "ja" if demo else "nee"})
    used = [r.periode, vorige]
    r.tegels(tegels, data=pd.DataFrame(data), naam=naam, titel=titel,
             ondertitel=f"{r.naam}, {r.periode.label}, met doel en verandering ten opzichte van {met_lidwoord(vorige)}",
             bron=r.bron(*dict.fromkeys(k.indicator for k in kpis), perioden=used))


# -- finance (Iv3) and the annual report ------------------------------------------------------
STANDAARD_DREMPEL = 50  # EUR x 1.000: variances explained when a gemeente sets no threshold of its own
def _iv3_year(r: Rapport, jaar: int | None) -> Period:
    return Period(jaar) if jaar else r.peilperiode(r.catalogus["iv3_lasten"], r.periode).as_year


def _iv3(r: Rapport, p: Period):
    """The Iv3 table of one year, None without Iv3 data; ParamsError when names are missing."""
    from sdrapport.indicators.finance import iv3_tabel, load_taakvelden

    by = ["taakveld", "begrotingsfase"]
    baten, lasten = r.publiceer("iv3_baten", by=by, periode=p), r.publiceer("iv3_lasten", by=by, periode=p)
    if baten.empty and lasten.empty:
        return None
    totalen = {soort: r.publiceer(f"iv3_{soort}", by=["begrotingsfase"], periode=p) for soort in ("baten", "lasten", "saldo")}
    namen = load_taakvelden(r.project.params / "iv3-taakvelden.yml", p.year)
    return iv3_tabel(baten, lasten, namen, totalen)


def _totaal_zin(v) -> str:
    """'het geleverde programmatotaal lasten van de rekening (117.789) wijkt 59 af van de som van de taakvelden (117.730)'."""
    from sdrapport.indicators.finance import FASE_NAMEN

    marge = fmt(v.marge, "aantal") if float(v.marge).is_integer() else fmt(v.marge, "%").rstrip("%")
    return (f"het geleverde programmatotaal {v.soort} van de {FASE_NAMEN[v.fase]} ({fmt(v.geleverd, 'EUR x 1.000')}) wijkt "
            f"{fmt(abs(v.verschil), 'EUR x 1.000')} af van de som van de taakvelden ({fmt(v.som, 'EUR x 1.000')}); afronding "
            f"op duizenden euro's verklaart hoogstens {marge}")


def _totaalcontrole(r: Rapport, p: Period) -> str:
    """The gemeente's choice for a programme total that its taakvelden do not add up to:
    params/jaarverslag/<gemeente>.yml, totaalcontrole (default 'weigeren')."""
    from sdrapport.indicators.finance import ParamsError, load_jaarverslag_params

    path = r.project.params / "jaarverslag" / f"{r.gemeente}.yml"
    try:
        return load_jaarverslag_params(path, p.year).totaalcontrole if path.exists() else "weigeren"
    except ParamsError:
        return "weigeren"


def tabel_iv3(r: Rapport, *, naam: str = "iv3", titel: str = "Wat heeft het gekost", jaar: int | None = None) -> None:
    """Baten, lasten and saldo per Iv3 taakveld for the primitieve begroting, the begroting na
    wijziging and the rekening, with the variance (positive = voordeel) and a total row. Nil
    amounts are printed '–' (formatting.NIHIL). A delivered programme total that differs from the sum
    of its taakvelden by more than rounding explains is refused (the table is replaced by a note
    naming both numbers) or, with totaalcontrole: waarschuwen, published with that note under it."""
    from sdrapport.indicators.finance import FASEN, TOTAAL, ParamsError, kolom, totaal_verschillen

    p = _iv3_year(r, jaar)
    try:
        tabel = _iv3(r, p)
    except ParamsError as exc:
        r.leeg(samen(nadruk(titel), f": de tabel kan niet worden gemaakt: {exc}"))
        return
    if tabel is None:
        r.leeg(samen(nadruk(titel), f": voor de gemeente {r.naam} zijn over {p.label} geen Iv3-cijfers beschikbaar."))
        return
    verschillen = totaal_verschillen(tabel)
    notes = []
    if verschillen:
        zinnen = "; ".join(_totaal_zin(v) for v in verschillen)
        if _totaalcontrole(r, p) == "weigeren":
            r.leeg(samen(nadruk(titel), f": de tabel wordt niet gepubliceerd, want {zinnen}. Controleer de aanlevering van de "
                         f"gemeente {r.naam}, of zet 'totaalcontrole: waarschuwen' onder {p.year} in params/jaarverslag/{r.gemeente}.yml "
                         "om de tabel met deze waarschuwing te publiceren."))
            return
        notes.insert(0, f"Let op: {zinnen}. De tabel toont het geleverde totaal.")
    heads = [f"Begroting {p.year} primitief", f"Begroting {p.year} na wijziging", f"Rekening {p.year}", "Verschil"]
    rows, data, bold, indented = [], [], [], []
    for rec in tabel.to_dict("records"):
        is_total = rec["taakveld"] == TOTAAL
        # With a total its taakvelden do not add up to, the total row points to the warning under the table.
        title = ("Saldo programma" + (noot_teken(1) if verschillen else "")) if is_total else f"{rec['taakveld']} {rec['naam']}"
        for soort, label in (("saldo", title), ("baten", "Baten"), ("lasten", "Lasten")):
            values = [rec[kolom(soort, f)] for f in (*FASEN, "verschil")]
            (bold if soort == "saldo" else indented).append(len(rows))
            rows.append({"Taakveld": label, **{h: bedrag_tekst(v) for h, v in zip(heads, values)}})
            data.append({"taakveld": rec["taakveld"], "soort": soort,
                         **{f: (round(v) if v == v else "?") for f, v in zip((*FASEN, "verschil"), values)}})
    shown = pd.DataFrame(rows)
    if any(NIHIL in row.values() for row in rows):  # the jaarstukken print nil as a dash (seed 004)
        notes.append(NIHIL_NOOT)
    r.tabel(shown, data=pd.DataFrame(data), naam=naam, titel=titel,
            ondertitel=f"{r.naam}, × €\u00a01.000; saldo = baten − lasten, een positief verschil is een voordeel",
            bron=r.bron("iv3_baten", "iv3_lasten", perioden=[p]), nadruk=bold, inspringen=indented, noten=notes)


def tabel_afwijkingen(r: Rapport, *, naam: str = "iv3-afwijkingen", titel: str = "Toelichting op de afwijkingen",
                      jaar: int | None = None) -> None:
    """Every taakveld whose saldo variance is at least the gemeente's threshold (params/jaarverslag),
    with its explanation, or 'toelichting ontbreekt'."""
    from sdrapport.indicators.finance import ParamsError, afwijkingen, load_jaarverslag_params

    p = _iv3_year(r, jaar)
    path = r.project.params / "jaarverslag" / f"{r.gemeente}.yml"
    try:
        tabel = _iv3(r, p)
        params = load_jaarverslag_params(path, p.year) if path.exists() else None
    except ParamsError as exc:
        r.leeg(samen(nadruk(titel), f": de afwijkingen kunnen niet worden bepaald: {exc}"))
        return
    drempel = params.drempel if params else STANDAARD_DREMPEL
    if tabel is None:
        r.leeg(samen(nadruk(titel), f": voor de gemeente {r.naam} zijn over {p.label} geen Iv3-cijfers beschikbaar."))
        return
    found = afwijkingen(tabel, drempel, params.toelichtingen if params else {})
    if found.empty:
        r.leeg(samen(nadruk(titel), f": geen taakveld wijkt {fmt(drempel * 1000, 'aantal')} euro of meer af van de begroting na wijziging"
               f" (drempel {'uit params/jaarverslag/' + r.gemeente + '.yml' if params else 'standaard'})."))
        return
    shown = pd.DataFrame({"Taakveld": [f"{t} {n}" for t, n in zip(found["taakveld"], found["naam"])],
                          "Verschil": [fmt(v, "EUR x 1.000") for v in found["verschil"]],
                          "Oordeel": found["oordeel"]})
    r.tabel(shown, data=found, naam=naam, titel=titel,
            ondertitel=f"{r.naam}, afwijkingen van €\u00a0{fmt(drempel * 1000, 'aantal')} of meer "
                       f"({'drempel van de gemeente' if params else 'standaarddrempel; de gemeente heeft er geen opgegeven'}), × €\u00a01.000",
            bron=r.bron("iv3_baten", "iv3_lasten", perioden=[p]))


def toelichting_afwijkingen(r: Rapport, *, jaar: int | None = None) -> None:
    """The explanation per taakveld of tabel_afwijkingen, as seed 004 prints it: a heading with the
    amount and voordeel or nadeel, then the gemeente's points as a list."""
    from sdrapport.indicators.finance import ParamsError, afwijkingen, load_jaarverslag_params

    p = _iv3_year(r, jaar)
    path = r.project.params / "jaarverslag" / f"{r.gemeente}.yml"
    try:
        tabel = _iv3(r, p)
        params = load_jaarverslag_params(path, p.year) if path.exists() else None
    except ParamsError:
        return  # tabel_afwijkingen says why
    if tabel is None:
        return
    found = afwijkingen(tabel, params.drempel if params else STANDAARD_DREMPEL, params.toelichtingen if params else {})
    blocks = []
    for rec in found.itertuples(index=False):
        bedrag = fmt(abs(rec.verschil) * 1000, "aantal")
        blocks.append(f"#### {markdown(f'{rec.taakveld} {rec.naam}')} (€\u00a0{bedrag} {rec.oordeel})\n")
        # The gemeente's text: one point per line that starts with '-', else one paragraph.
        points = [line.strip()[1:].strip() if line.strip().startswith("-") else line.strip()
                  for line in str(rec.toelichting).splitlines() if line.strip()]
        blocks.append("\n".join(f"- {markdown(point)}" for point in points) + "\n")
    if blocks:
        r.tekst(Markdown("\n".join(blocks)))


def tabel_beleidsindicatoren(r: Rapport, *, naam: str = "beleidsindicatoren", titel: str = "Beleidsindicatoren") -> None:
    """Policy indicators from params/jaarverslag/<gemeente>.yml: werkelijk vorig jaar, begroting,
    werkelijk, with numbered footnotes under the table."""
    from sdrapport.indicators.finance import load_jaarverslag_params

    from sdrapport.indicators.finance import ParamsError

    jaar = r.periode.year
    path = r.project.params / "jaarverslag" / f"{r.gemeente}.yml"
    if not path.exists():
        r.leeg(samen(nadruk(titel), f": de gemeente {r.naam} heeft geen beleidsindicatoren opgegeven (params/jaarverslag/{r.gemeente}.yml)."))
        return
    try:
        params = load_jaarverslag_params(path, jaar)
    except ParamsError as exc:
        r.leeg(samen(nadruk(titel), f": de gemeente {r.naam} heeft voor {jaar} geen beleidsindicatoren opgegeven ({exc})."))
        return
    notes: list[str] = []
    rows = []
    for ind in params.beleidsindicatoren:
        # The unit only where the cells do not carry it already ("15,0%").
        label = ind["label"] if ind["eenheid"] == "%" else f"{ind['label']} ({ind['eenheid']})"
        if ind.get("voetnoot"):
            if ind["voetnoot"] not in notes:
                notes.append(ind["voetnoot"])
            label += noot_teken(notes.index(ind["voetnoot"]) + 1)
        rows.append({"Indicator": label, f"Werkelijk {jaar - 1}": ind["werkelijk_vorig_jaar"],
                     f"Begroting {jaar}": ind["begroting"], f"Werkelijk {jaar}": ind["werkelijk"]})
    shown = pd.DataFrame(rows)
    r.tabel(shown, naam=naam, titel=titel, ondertitel=f"{r.naam}, {jaar}", noten=notes,
            bron=f"Bron: gemeente {r.naam}, jaarstukken {jaar}")


def _ses_betekenis(v) -> str:
    """What a SES-WOA score means to a reader: 0 is the Dutch average."""
    if not v.beschikbaar:
        return ""
    if abs(v.waarde) < 0.05:
        return "rond het gemiddelde van Nederland (0)"
    return f"{'boven' if v.waarde > 0 else 'onder'} het gemiddelde van Nederland (0)"


def kerncijfers(r: Rapport, regels: list[tuple], *, naam: str, titel: str, ondertitel: str | None = None) -> None:
    """Key figures in large type (a factsheet's facts): one card per (label, indicator id[,
    breakdown dict]), with the period under the value. A share per 1.000 is shown as a percentage,
    which readers of a factsheet expect; a SES-WOA score gets its meaning."""
    cards, data, used, inds = [], [], [], []
    for regel in regels:
        label, ind_id, fixed = (*regel, {})[:3]
        v = r.waarde(ind_id, **fixed)
        inds.append(ind_id)
        if v.periode:
            used.append(v.periode)
        tekst = v.tekst
        if v.beschikbaar and v.eenheid.startswith("per 1.000"):
            tekst = fmt(v.waarde / 10, "%")
        toelichting = _wanneer(r, ind_id, v.periode)
        if ind_id.startswith("ses"):
            toelichting = "; ".join(t for t in (_ses_betekenis(v), toelichting) if t)
        cards.append(Kerncijfer(label, tekst, toelichting))
        data.append({"regel": label, "indicator": ind_id, **fixed,
                     "waarde": value_cells([v.waarde], [v.waarde_status])[0], "eenheid": v.eenheid,
                     "periode": v.periode.code if v.periode else ""})
    r.kerncijfers(cards, data=pd.DataFrame(data), naam=naam, titel=titel, ondertitel=ondertitel or r.naam,
                  bron=r.bron(*dict.fromkeys(inds), perioden=sorted(set(used))))


def _definitie_naam(code: str, titel: str) -> str:
    naam, versie = code.split("/")
    return f"{titel} (versie {versie})"


def tabel_definities(r: Rapport, *, naam: str = "definities", titel: str = "Definities van de cijfers uit de registratie") -> None:
    """Which definition (name and version) each figure computed from the gemeente's own
    registrations follows, with its explanation; says so when the gemeente has none."""
    current = r.definities[r.definities["huidig"].astype(bool)] if len(r.definities) else r.definities
    if current.empty:
        r.leeg(samen(nadruk(titel), f": de cijfers van de gemeente {r.naam} zijn als totalen aangeleverd, niet berekend uit registraties."))
        return
    rows, data = [], []
    for code, group in current.groupby("definitie", sort=False):  # one row per definition
        first = group.iloc[0]
        labels = "; ".join(r.catalogus[i].label for i in group["indicator"])
        rows.append({"Definitie": _definitie_naam(code, first["titel"]), "Cijfers": labels, "Uitleg": first["uitleg"]})
        data += [{"indicator": i, "definitie": code, "uitleg": first["uitleg"]} for i in group["indicator"]]
    peil = r.registratie_peildatum
    ondertitel = f"{r.naam}, registraties bijgewerkt tot en met {fmt_datum(peil)}" if peil else r.naam
    r.tabel(pd.DataFrame(rows), data=pd.DataFrame(data), naam=naam, titel=titel, ondertitel=ondertitel,
            bron=f"Bron: {', '.join(r.bronnen)}; definities: sdrapport (lib/sdrapport/indicators/definitions.py)")


def tabel_definitiewijziging(r: Rapport, ind: str, *, naam: str, titel: str) -> None:
    """Old and new definition side by side for the periods in which the old one was in force,
    with the difference and, below the table, what changed (seed 001's appendix, generated)."""
    history = r.definities[r.definities["indicator"] == ind].reset_index(drop=True)
    df = r.definitievergelijking(ind)
    if len(history) < 2 or df.empty:
        r.leeg(samen(nadruk(titel), f": de gemeente {r.naam} heeft de definitie van dit cijfer niet gewijzigd."))
        return
    indicator = r.catalogus[ind]
    new = history.iloc[-1]
    parts, data = [], []
    for old in history.iloc[:-1].itertuples(index=False):
        old_rows = df[df["definitie"] == old.definitie].set_index("periode")
        new_rows = df[df["definitie"] == new["definitie"]].set_index("periode")
        # As in seed 001: per year the quarters and the year, for the last two years of the old definition.
        years = sorted({Period.parse(c).year for c in old_rows.index})[-2:]
        shown_periods = [p for y in years for p in (*(Period(y, "Q", n) for n in range(1, 5)), Period(y))]
        for code in [p.code for p in shown_periods]:
            if code not in new_rows.index or code not in old_rows.index:
                continue
            o, n = old_rows.loc[code], new_rows.loc[code]
            both = o["waarde_status"] == WAARDE and n["waarde_status"] == WAARDE
            diff = n["waarde"] - o["waarde"] if both else None
            pct = diff / o["waarde"] * 100 if both and o["waarde"] else None
            parts.append({
                "Periode": Period.parse(code).short_label,
                _definitie_naam(old.definitie, old.titel): fmt(o["waarde"], "aantal", status=o["waarde_status"]),
                _definitie_naam(new["definitie"], new["titel"]): fmt(n["waarde"], "aantal", status=n["waarde_status"]),
                "Verschil": "?" if diff is None else f"{'+' if diff > 0 else ''}{fmt(diff, 'aantal')}",
                "Verschil in %": "?" if pct is None else f"{'+' if pct > 0 else ''}{fmt(pct, '%')}",
            })
            data.append({"periode": code, "oude_definitie": old.definitie, "oud": value_cells([o["waarde"]], [o["waarde_status"]])[0],
                         "nieuwe_definitie": new["definitie"], "nieuw": value_cells([n["waarde"]], [n["waarde_status"]])[0]})
    shown = pd.DataFrame(parts)
    periods = [Period.parse(d["periode"]) for d in data]
    r.tabel(shown, data=pd.DataFrame(data), naam=naam, titel=titel,
            ondertitel=f"{r.naam}, {indicator.label.lower()}, oude en nieuwe definitie naast elkaar",
            bron=r.bron(ind, perioden=sorted(set(periods))))


def tekst_definitiewijziging(r: Rapport, ind: str) -> None:
    """The explanation under tabel_definitiewijziging; nothing when the definition never changed."""
    history = r.definities[r.definities["indicator"] == ind].reset_index(drop=True)
    if len(history) >= 2:
        r.tekst(texts.definitiewijziging(r, r.catalogus[ind], history))


# Comparisons with all gemeenten: a map, the similar gemeenten and the signals of "Opvallend"
# (presentation/elements/comparisons.py), called like every component: components.figuur_kaart(r, ...).
from sdrapport.presentation.elements.comparisons import figuur_kaart, opvallend, tabel_vergelijkbaar, tabel_vergelijkbaar_profiel  # noqa: E402, F401
