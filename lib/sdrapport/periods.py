"""Reporting periods: year, half-year and quarter.

Our notation (params, CLI, file contents): ``2024`` (year), ``2024-H2`` (half-year), ``2024-Q1``
(quarter). CBS StatLine period codes are accepted on input and normalised: ``2024JJ00`` (year),
``2024KW01`` (quarter) and ``2024HJ02`` (half-year).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import total_ordering

from babel.dates import format_date

LOCALE = "nl_NL"

# kind -> (number of parts in a year, months per part)
_KINDS = {"J": (1, 12), "H": (2, 6), "Q": (4, 3)}
_OURS = re.compile(r"^(?P<jaar>\d{4})(?:-(?P<soort>[HQ])(?P<nr>\d))?$")
_CBS = re.compile(r"^(?P<jaar>\d{4})(?P<code>JJ|HJ|KW)(?P<nr>\d{2})$")
_CBS_KIND = {"JJ": "J", "HJ": "H", "KW": "Q"}
_ORDINAL = {1: "eerste", 2: "tweede", 3: "derde", 4: "vierde"}

PERIOD_FORMATS = "2024 (jaar), 2024-H2 (halfjaar) of 2024-Q1 (kwartaal); CBS-codes als 2024JJ00 en 2024KW01 mogen ook"


class PeriodError(ValueError):
    """A text that is not a period in one of the accepted notations."""


@total_ordering
@dataclass(frozen=True)
class Period:
    year: int
    kind: str = "J"  # J = jaar, H = halfjaar, Q = kwartaal
    number: int = 1

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise PeriodError(f"onbekende periodesoort {self.kind!r}")
        parts, _ = _KINDS[self.kind]
        if not 1 <= self.number <= parts:
            raise PeriodError(f"{self.kind}{self.number} bestaat niet")
        if not 1900 <= self.year <= 2100:
            raise PeriodError(f"jaar {self.year} valt buiten 1900-2100")

    # -- parsing and notation -------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str | int | Period) -> Period:
        if isinstance(text, Period):
            return text
        raw = str(text).strip()
        m = _OURS.match(raw)
        if m:
            soort = m.group("soort") or "J"
            nr = int(m.group("nr") or 1)
            return cls._checked(raw, int(m.group("jaar")), soort, nr)
        m = _CBS.match(raw.upper())
        if m:
            kind = _CBS_KIND[m.group("code")]
            nr = int(m.group("nr"))
            if kind == "J":
                if nr != 0:
                    raise PeriodError(f"{raw!r} is geen geldige periode; verwacht {PERIOD_FORMATS}")
                nr = 1
            return cls._checked(raw, int(m.group("jaar")), kind, nr)
        raise PeriodError(f"{raw!r} is geen geldige periode; verwacht {PERIOD_FORMATS}")

    @classmethod
    def _checked(cls, raw: str, year: int, kind: str, number: int) -> Period:
        try:
            return cls(year, kind, number)
        except PeriodError:
            raise PeriodError(f"{raw!r} is geen geldige periode; verwacht {PERIOD_FORMATS}") from None

    @property
    def code(self) -> str:
        return str(self.year) if self.kind == "J" else f"{self.year}-{self.kind}{self.number}"

    def __str__(self) -> str:
        return self.code

    # -- calendar -------------------------------------------------------------------------------
    @property
    def start(self) -> dt.date:
        _, months = _KINDS[self.kind]
        return dt.date(self.year, (self.number - 1) * months + 1, 1)

    @property
    def end(self) -> dt.date:
        """Last day of the period (inclusive)."""
        nxt = self.shift(1).start
        return nxt - dt.timedelta(days=1)

    @property
    def parts_per_year(self) -> int:
        return _KINDS[self.kind][0]

    def _index(self) -> int:
        return self.year * self.parts_per_year + self.number - 1

    def shift(self, n: int) -> Period:
        """The period n steps later (negative: earlier) of the same kind."""
        idx = self._index() + n
        return Period(idx // self.parts_per_year, self.kind, idx % self.parts_per_year + 1)

    def year_before(self) -> Period:
        return Period(self.year - 1, self.kind, self.number)

    def last(self, n: int) -> list[Period]:
        """The n periods of this kind ending with this one, oldest first."""
        return [self.shift(-i) for i in range(n - 1, -1, -1)]

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end

    @property
    def as_year(self) -> Period:
        return Period(self.year)

    def __lt__(self, other: Period) -> bool:
        return (self.start, self.end) < (other.start, other.end)

    # -- Dutch labels ---------------------------------------------------------------------------
    @property
    def label(self) -> str:
        """Running-text label: '2023', 'tweede halfjaar 2023', 'eerste kwartaal 2024'."""
        if self.kind == "J":
            return str(self.year)
        if self.kind == "H":
            return f"{_ORDINAL[self.number]} halfjaar {self.year}"
        # CLDR (through Babel) gives '1e kwartaal 2024'; reports write the ordinal out in words.
        babel_label = format_date(self.start, "QQQQ yyyy", locale=LOCALE)
        return babel_label.replace(f"{self.number}e ", f"{_ORDINAL[self.number]} ", 1)

    @property
    def short_label(self) -> str:
        """Axis and column label as in the seeds: '2023', 'H2 2023', 'Q1 2024'."""
        if self.kind == "J":
            return str(self.year)
        return f"{self.kind}{self.number} {self.year}"


def period_range_label(periods: list[Period]) -> str:
    """'eerste halfjaar 2021 - tweede halfjaar 2023' for a series, or the single label."""
    ps = sorted(set(periods))
    if not ps:
        return ""
    if len(ps) == 1:
        return ps[0].label
    return f"{ps[0].label} - {ps[-1].label}"
