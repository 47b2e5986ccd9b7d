"""Reporting periods: year, half-year and quarter, and the year to date.

Our notation (params, CLI, file contents): ``2024`` (year), ``2024-H2`` (half-year), ``2024-Q1``
(quarter). CBS StatLine period codes are accepted on input and normalised: ``2024JJ00`` (year),
``2024KW01`` (quarter) and ``2024HJ02`` (half-year).

The year to date up to a quarter (a dashboard's year column) is ``2024-T1`` .. ``2024-T4``
(T = tot en met): 1 January up to the end of that quarter. T1, T2 and T4 are the first quarter,
the first half-year and the year itself and are read as those; only ``2024-T3`` (January to
September) is a period of its own. A year-to-date figure of unique persons is never the sum of
quarters: it is counted over the period itself.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import total_ordering

from babel.dates import format_date

LOCALE = "nl_NL"

# kind -> (number of parts in a year, months per part)
_KINDS = {"J": (1, 12), "H": (2, 6), "Q": (4, 3), "T": (1, 9)}
_OURS = re.compile(r"^(?P<jaar>\d{4})(?:-(?P<soort>[HQT])(?P<nr>\d))?$")
_CBS = re.compile(r"^(?P<jaar>\d{4})(?P<code>JJ|HJ|KW)(?P<nr>\d{2})$")
_CBS_KIND = {"JJ": "J", "HJ": "H", "KW": "Q"}
_ORDINAL = {1: "eerste", 2: "tweede", 3: "derde", 4: "vierde"}

PERIOD_FORMATS = ("2024 (jaar), 2024-H2 (halfjaar), 2024-Q1 (kwartaal) of 2024-T3 (januari tot en met september); "
                  "CBS-codes als 2024JJ00 en 2024KW01 mogen ook")


class PeriodError(ValueError):
    """A text that is not a period in one of the accepted notations."""


@total_ordering
@dataclass(frozen=True)
class Period:
    year: int
    kind: str = "J"  # J = jaar, H = halfjaar, Q = kwartaal, T = januari tot en met september (T3)
    number: int = 1

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise PeriodError(f"onbekende periodesoort {self.kind!r}")
        parts, _ = _KINDS[self.kind]
        if self.kind == "T":
            if self.number != 3:  # T1, T2 and T4 are Q1, H1 and the year: Period.year_to_date
                raise PeriodError(f"T{self.number} bestaat niet als eigen periode; gebruik Period.year_to_date")
        elif not 1 <= self.number <= parts:
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
            if soort == "T":
                if not 1 <= nr <= 4:
                    raise PeriodError(f"{raw!r} is geen geldige periode; verwacht {PERIOD_FORMATS}")
                return cls.year_to_date(int(m.group("jaar")), nr)
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
    def year_to_date(cls, year: int, quarter: int) -> Period:
        """1 January up to the end of the given quarter: Q1, H1, T3 (January to September) or the year."""
        return {1: cls(year, "Q", 1), 2: cls(year, "H", 1), 3: cls(year, "T", 3), 4: cls(year)}[quarter]

    @property
    def to_date(self) -> Period:
        """The year to date up to the end of this period (a quarter, half-year or year)."""
        if self.kind == "T":
            return self
        quarter = {"J": 4, "H": 2 * self.number, "Q": self.number}[self.kind]
        return Period.year_to_date(self.year, quarter)

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
        if self.kind == "T":
            return dt.date(self.year, 1, 1)
        _, months = _KINDS[self.kind]
        return dt.date(self.year, (self.number - 1) * months + 1, 1)

    @property
    def end(self) -> dt.date:
        """Last day of the period (inclusive)."""
        if self.kind == "T":
            return dt.date(self.year, 9, 30)
        nxt = self.shift(1).start
        return nxt - dt.timedelta(days=1)

    @property
    def parts_per_year(self) -> int:
        return _KINDS[self.kind][0]

    def _index(self) -> int:
        return self.year * self.parts_per_year + self.number - 1

    def shift(self, n: int) -> Period:
        """The period n steps later (negative: earlier) of the same kind."""
        if self.kind == "T":
            return Period(self.year + n, "T", 3)
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
        if self.kind == "T":
            return f"januari tot en met september {self.year}"
        # CLDR (through Babel) gives '1e kwartaal 2024'; reports write the ordinal out in words.
        babel_label = format_date(self.start, "QQQQ yyyy", locale=LOCALE)
        return babel_label.replace(f"{self.number}e ", f"{_ORDINAL[self.number]} ", 1)

    @property
    def short_label(self) -> str:
        """Axis and column label as in the seeds: '2023', 'H2 2023', 'Q1 2024'."""
        if self.kind == "J":
            return str(self.year)
        if self.kind == "T":
            return f"Q1-Q3 {self.year}"
        return f"{self.kind}{self.number} {self.year}"


def period_range_label(periods: list[Period]) -> str:
    """'eerste halfjaar 2021 - tweede halfjaar 2023' for a series, or the single label."""
    ps = sorted(set(periods))
    if not ps:
        return ""
    if len(ps) == 1:
        return ps[0].label
    return f"{ps[0].label} - {ps[-1].label}"
