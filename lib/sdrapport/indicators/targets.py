"""KPIs of a report profile and their targets (presentation.elements.kpis evaluates them on a report: value,
target, status and change against a year earlier).

The KPIs of a report are listed in params/rapporten/<rapport>.yml under `kpi` (domein, indicator
and optionally a breakdown value such as `wet: Wmo`). Targets live in params/doelen.yml, per
gemeente and year, with `standaard` for every gemeente without its own; a key is the indicator id,
or `indicator/<breakdown value>` for one breakdown.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sdrapport.inputs.params import DOELEN as DOELEN_SCHEMA
from sdrapport.inputs.params import PROFIEL, ParamsError, load_params
from sdrapport.project import Project

DOELEN = "doelen.yml"


@dataclass(frozen=True)
class Kpi:
    domein: str
    indicator: str
    fixed: dict[str, str] = field(default_factory=dict)
    tot_nu: bool = False  # the year to date (Period.to_date) instead of the report's period (the dashboard's blocks)

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
