"""KPIs of a report profile and their targets: value, target, status and change against a year earlier.

The KPIs of a report are listed in params/rapporten/<rapport>.yml under `kpi` (domein, indicator
and optionally a breakdown value such as `wet: Wmo`). Targets live in params/doelen.yml, per
gemeente and year, with `standaard` for every gemeente without its own; a key is the indicator id,
or `indicator/<breakdown value>` for one breakdown.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import decimal

from sdrapport.presentation import formatting
from sdrapport.inputs.params import DOELEN as DOELEN_SCHEMA
from sdrapport.inputs.params import PROFIEL, ParamsError, load_params
from sdrapport.project import Project
from sdrapport.presentation.report import Rapport, Waarde

DOELEN = "doelen.yml"


@dataclass(frozen=True)
class Kpi:
    domein: str
    indicator: str
    fixed: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return "/".join([self.indicator, *self.fixed.values()])


def load_kpis(project: Project, rapport: str) -> list[Kpi]:
    """The KPI tiles of a profile: one per domain, each an indicator with a direction (a neutral
    indicator can have no status)."""

    from sdrapport.inputs.params import _profile_semantics

    path = project.params / "rapporten" / f"{rapport}.yml"
    raw = load_params(path, PROFIEL) or {}
    problems = [p for p in _profile_semantics(project, path, raw) if p.column and p.column.startswith("kpi")]
    if problems:
        raise ParamsError(problems)
    return [Kpi(str(item["domein"]), str(item["indicator"]), {k: str(v) for k, v in item.items() if k not in ("domein", "indicator")})
            for item in raw.get("kpi") or []]


def target(project: Project, gemeente: str, jaar: int, key: str) -> float | None:
    """The target for a KPI key: the gemeente's own for that year, else the standard one."""
    raw = load_params(project.params / DOELEN, DOELEN_SCHEMA, required=False) or {}
    own = ((raw.get(gemeente) or {}).get(jaar) or (raw.get(gemeente) or {}).get(str(jaar)) or {})
    value = own.get(key, (raw.get("standaard") or {}).get(key))
    return None if value is None else float(value)


def shown(w: Waarde) -> float:
    """The value as the reader sees it (rounded half up to the unit's decimals), so that status
    and change never contradict the printed figures (94,96% is shown as 95,0% and meets 95%)."""
    q = decimal.Decimal(1).scaleb(-formatting.decimalen(w.eenheid))
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
    label: str
    waarde: Waarde
    vorig: Waarde
    doel: float | None
    doel_tekst: str
    status: str
    verandering: str


def evaluate(r: Rapport, kpi: Kpi) -> KpiResult:
    ind = r.catalogus[kpi.indicator]
    now = r.waarde(ind, r.periode, **kpi.fixed)
    before = r.waarde(ind, r.periode.year_before(), **kpi.fixed)
    doel = target(r.project, r.gemeente, r.periode.year, kpi.key)
    label = ind.label + (f" ({', '.join(kpi.fixed.values())})" if kpi.fixed else "")
    doel_tekst = "" if doel is None else formatting.waarde(doel, ind.eenheid)
    verandering = change(now, before)
    if now.periode and before.periode and r.breuken([before.periode, now.periode]):
        verandering += " (gewijzigde gemeentegrens)"  # the two figures describe different areas
    return KpiResult(label, now, before, doel, doel_tekst, status(now, doel, ind.richting), verandering)

