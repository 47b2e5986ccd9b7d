"""Lineage of a published value: where a figure, table cell, tile or sentence value came from.

A `Herkomst` is recorded once, where the value is computed (presentation.report.Rapport's
`waarde`, `referentie`, `reeks`, `verdeling` and `publiceer`), from the rows that made it:

- the indicator (and its fixed breakdown values),
- the gemeente, or for a reference value the gemeenten that had a figure (and how many were asked),
- the period or periods of the values (never the report's own period when the data say otherwise),
- the sources (`bron`) of the delivered rows, and whether they are demo figures,
- whether any figure is provisional (voorlopig),
- the disclosure rule applied (CBS rounding, suppression at ingest, none).

Every label on the page that names a period, a source or "gemiddeld over N gemeenten" is derived
from these records (`bron_regel`, `periode_label`), and the publisher's check (`controleer`)
recomputes them from the records stored with each element, so a label can never disagree with what
was delivered.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sdrapport.inputs.catalogue import Indicator
from sdrapport.inputs.demo import DEMO_BRON, DEMO_LABEL
from sdrapport.periods import Period, period_range_label

EIGEN, REFERENTIE = "eigen", "referentie"
# Disclosure rules, as the manifest and the Excel sheet name them.
REGEL_CBS = "cbs-afronding"  # 0-4 -> 0, 5-9 -> 10, else the nearest multiple of 5
REGEL_AFGELEID = "uit afgeronde tellers"  # a relative figure over the CBS-rounded counts, not rounded again
REGEL_REGISTRATIE = "beveiligd bij inlezen"  # counts from registrations, rounded or suppressed at ingest
REGEL_GEEN = "geen"  # amounts, shares and figures published as delivered


@dataclass(frozen=True)
class Herkomst:
    """Where one published value (or one column or series of values) came from."""

    indicator: str
    soort: str  # EIGEN (the gemeente's own figure) or REFERENTIE (an average over a group)
    gemeenten: tuple[str, ...]  # the gemeente, or the gemeenten a reference value counts
    perioden: tuple[str, ...]  # period codes of the values, oldest first
    bronnen: tuple[str, ...]  # sources of the rows, as delivered ('Demodata' for the demo); a derived figure: its teller's
    regel: str  # disclosure rule applied
    voorlopig: bool = False
    groep: int | None = None  # a reference value: how many gemeenten the group has
    uitsplitsing: tuple[tuple[str, str], ...] = field(default=())  # fixed breakdown values
    catalogusbron: str = ""  # the catalogue's source of the indicator, which the delivered sources stand in for
    noemerbronnen: tuple[str, ...] = ()  # a derived figure: the sources of the noemer it was divided by

    @property
    def alle_bronnen(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.bronnen, *self.noemerbronnen)))

    @property
    def demo(self) -> bool:
        return DEMO_BRON in self.bronnen

    @property
    def gemengd(self) -> bool:
        """Demo and delivered figures of one indicator in one value (its counts, not the real
        inhabitants it may be divided by): never allowed (tests assert it)."""
        return self.demo and any(b != DEMO_BRON for b in self.bronnen)

    def as_dict(self) -> dict:
        out = asdict(self)
        out["gemeenten"] = list(self.gemeenten)
        out["perioden"] = list(self.perioden)
        out["bronnen"] = list(self.bronnen)
        out["noemerbronnen"] = list(self.noemerbronnen)
        out["uitsplitsing"] = dict(self.uitsplitsing)
        out["demo"] = self.demo
        out["n"] = len(self.gemeenten)
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Herkomst:
        return cls(indicator=data["indicator"], soort=data["soort"], gemeenten=tuple(data["gemeenten"]),
                   perioden=tuple(data["perioden"]), bronnen=tuple(data["bronnen"]), regel=data["regel"],
                   voorlopig=bool(data.get("voorlopig")), groep=data.get("groep"),
                   uitsplitsing=tuple(sorted((data.get("uitsplitsing") or {}).items())),
                   catalogusbron=data.get("catalogusbron", ""), noemerbronnen=tuple(data.get("noemerbronnen") or ()))


def disclosure_rule(ind: Indicator, beveiligd: bool = False) -> str:
    if beveiligd:
        return REGEL_REGISTRATIE
    if ind.afgeleid:
        return REGEL_AFGELEID
    return REGEL_CBS if ind.cbs_afronding else REGEL_GEEN


def sorted_periods(codes) -> tuple[str, ...]:
    return tuple(p.code for p in sorted({Period.parse(str(c)) for c in codes if isinstance(c, str) and c}))


def bron_regel(herkomst: list[Herkomst]) -> str:
    """The source line of an element, from its values' lineage only: each source named once (demo
    figures as 'Demodata, fictief'), followed by the catalogue sources it stands in for, then the
    periods of the values and '(voorlopige cijfers)' when any is provisional.
    'Bron: CBS GMSD Wmo | eerste halfjaar 2021 - tweede halfjaar 2023'."""
    naar: dict[str, list[str]] = {}
    for h in herkomst:
        for source in [DEMO_LABEL if b == DEMO_BRON else b for b in h.alle_bronnen]:
            stands_for = naar.setdefault(source, [])
            if h.catalogusbron and not source.startswith(h.catalogusbron) and h.catalogusbron not in stands_for:
                stands_for.append(h.catalogusbron)
    names = [source + (f" (naar {', '.join(cat)})" if cat else "") for source, cat in naar.items()]
    text = f"Bron: {'; '.join(names)} | {periode_label(herkomst)}"
    return text + " (voorlopige cijfers)" if any(h.voorlopig for h in herkomst) else text


def perioden(herkomst: list[Herkomst]) -> list[Period]:
    return sorted({Period.parse(c) for h in herkomst for c in h.perioden})


def periode_label(herkomst: list[Herkomst]) -> str:
    """The periods of the values: 'tweede halfjaar 2023', or a range for a series."""
    return period_range_label(perioden(herkomst))


def period_range_label_codes(codes) -> str:
    """periode_label for period codes: '2022', 'eerste halfjaar 2021 - tweede halfjaar 2023'."""
    return period_range_label([Period.parse(str(c)) for c in codes])


def gemiddeld_over(h: Herkomst) -> str:
    """Over which gemeenten a reference value is the average: 'over 12 van de 14 gemeenten met een
    cijfer', or 'over alle 14 gemeenten' when every gemeente of the group had one."""
    n = len(h.gemeenten)
    if h.groep is not None and h.groep != n:
        return f"over {n} van de {h.groep} gemeenten met een cijfer"
    return "over 1 gemeente" if n == 1 else f"over alle {n} gemeenten"


def herkomst_tekst(records) -> str:
    """The lineage of an element in one Dutch line, for the Excel sheet "Over deze cijfers":
    'wmo_clienten: GM0505, 2023-H2, geleverd (CBS GMSD), afronding cbs-afronding; referentie ...'."""
    parts = []
    for data in records:
        h = data if isinstance(data, Herkomst) else Herkomst.from_dict(data)
        if not h.perioden:
            continue
        wie = ", ".join(h.gemeenten) if h.soort == EIGEN else f"gemiddeld {gemiddeld_over(h)}"
        soort = "demodata (fictief)" if h.demo else "geleverd"
        bronnen = "; ".join(DEMO_LABEL if b == DEMO_BRON else b for b in h.alle_bronnen)
        label = "referentie " if h.soort == REFERENTIE else ""
        parts.append(f"{label}{h.indicator}: {wie}, {', '.join(h.perioden)}, {soort} ({bronnen}), afronding: {h.regel}")
    return "; ".join(dict.fromkeys(parts))


def merge(herkomst: list[Herkomst]) -> list[dict]:
    """The records as the manifest stores them, each once, in order of first use."""
    return [h.as_dict() for h in dict.fromkeys(herkomst)]


__all__ = ["Herkomst", "sorted_periods", "bron_regel", "periode_label", "perioden", "gemiddeld_over", "merge", "period_range_label_codes", "herkomst_tekst",
           "disclosure_rule", "EIGEN", "REFERENTIE"]
