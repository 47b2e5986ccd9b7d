"""A KPI tile's figures as a report prints them: the value as the reader sees it, whether the
target is met, the change against a year earlier and the target in the unit's format.

The KPIs and their targets are read by indicators.targets; this module judges them on one report.
"""
from __future__ import annotations

import decimal
from dataclasses import dataclass

from sdrapport.indicators.targets import Kpi, target
from sdrapport.inputs.catalogue import decimalen
from sdrapport.periods import Period
from sdrapport.presentation.text import formatting
from sdrapport.presentation.report import Rapport, Waarde


def shown(w: Waarde) -> float:
    """The value as the reader sees it (rounded half up to the unit's decimals), so that status
    and change never contradict the printed figures (94,96% is shown as 95,0% and meets 95%)."""
    q = decimal.Decimal(1).scaleb(-decimalen(w.eenheid))
    return float(decimal.Decimal(repr(float(w.waarde))).quantize(q, rounding=decimal.ROUND_HALF_UP))


def status(waarde: Waarde, doel: float | None, richting: str) -> str:
    """'behaald' / 'niet behaald' by the catalogue's direction; 'geen doel' or 'onbekend' otherwise."""
    if doel is None:
        return "geen doel"
    if not waarde.beschikbaar:
        return "onbekend"
    if richting == "hoger is beter":
        return "behaald" if shown(waarde) >= doel else "niet behaald"
    if richting == "lager is beter":
        return "behaald" if shown(waarde) <= doel else "niet behaald"
    return "geen oordeel"  # a neutral indicator has no good or bad side


def change(now: Waarde, before: Waarde) -> str:
    """'+1,2 procentpunt' for percentages; '+35 (+3,1%)' for other figures; '?' when unknown."""
    if not (now.beschikbaar and before.beschikbaar):
        return formatting.ONBEKEND
    diff = shown(now) - shown(before)
    sign = "+" if diff > 0 else ""
    if now.eenheid == "%":
        return f"{sign}{formatting.getal(diff, 1)} procentpunt"
    body = formatting.waarde(diff, now.eenheid)
    if shown(before):
        return f"{sign}{body} ({sign}{formatting.procent(diff / shown(before) * 100, 1)})"
    return f"{sign}{body}"


@dataclass
class KpiResult:
    """One KPI evaluated on a report: what its tile shows (the KPI overview, the dashboard's blocks)."""

    label: str
    periode: Period  # the period of the value shown: the report's (its year to date for a KPI `tot_nu`)
    waarde: Waarde
    vorig: Waarde  # the same period a year earlier
    doel: float | None
    doel_tekst: str
    status: str
    verandering: str


def evaluate(r: Rapport, kpi: Kpi) -> KpiResult:
    """The KPI's value on the report's period, its status against the target of the report's year and
    its change against the same period a year earlier."""
    ind = r.catalogus[kpi.indicator]
    asked = r.periode.to_date if kpi.tot_nu else r.periode
    now = r.waarde(ind, asked, **kpi.fixed)
    # The figure that describes the period a year earlier: for a 1 January stock that is the stock a
    # year before, where the year before the figure's own period would be the same stock again.
    before = r.waarde(ind, asked.year_before(), **kpi.fixed)
    doel = target(r.project, r.gemeente, r.periode.year, kpi.key)
    doel_tekst = "" if doel is None else formatting.waarde(doel, ind.eenheid)
    verandering = change(now, before)
    if now.periode and before.periode and r.breuken([before.periode, now.periode]):
        verandering += " (gewijzigde gemeentegrens)"  # the two figures describe different areas
    return KpiResult(ind.label_voor(**kpi.fixed), now.periode or asked, now, before, doel, doel_tekst, status(now, doel, ind.richting), verandering)
