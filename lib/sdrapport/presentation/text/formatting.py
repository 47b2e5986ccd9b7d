"""How a number, an amount and a date are written: Dutch formatting for reports, built on Babel (CLDR locale nl_NL).

Reports round half up ("2,125" -> "2,13"), as readers and the CBS expect; Babel's default is
banker's rounding, so every call runs in a decimal context with ROUND_HALF_UP.
"""
from __future__ import annotations

import decimal
import math
from numbers import Real

from babel.dates import format_date
from babel.numbers import format_compact_decimal, format_decimal, format_percent

from sdrapport.inputs.catalogue import decimalen

LOCALE = "nl_NL"
ONBEKEND = "?"  # unknown or insufficiently reliable
GEHEIM = "-"  # not publishable (privacy)


def _dec(x: Real) -> decimal.Decimal:
    return decimal.Decimal(repr(float(x))) if not isinstance(x, int) else decimal.Decimal(x)


def _is_missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _pattern(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def getal(x, decimals: int = 0) -> str:
    """1234.5 -> '1.234,5' (decimals=1); 121434 -> '121.434'."""
    if _is_missing(x):
        return ONBEKEND
    with decimal.localcontext(rounding=decimal.ROUND_HALF_UP):
        return format_decimal(_dec(x), format=_pattern(decimals), locale=LOCALE)


def procent(x, decimals: int = 1, *, fraction: bool = False) -> str:
    """12.5 -> '12,5%'. Pass fraction=True for 0.125."""
    if _is_missing(x):
        return ONBEKEND
    value = _dec(x) if fraction else _dec(x) / 100
    with decimal.localcontext(rounding=decimal.ROUND_HALF_UP):
        return format_percent(value, format=_pattern(decimals) + "%", locale=LOCALE)


def euro(x, *, duizendtallen: bool = False) -> str:
    """Amounts in euro: 'EUR 1,2 mln', 'EUR 3,1 mld', 'EUR 950.000'.

    With duizendtallen=True the input is in EUR x 1.000 (the unit of municipal budget tables).
    """
    if _is_missing(x):
        return ONBEKEND
    amount = float(x) * (1000 if duizendtallen else 1)
    if abs(amount) >= 1_000_000:
        with decimal.localcontext(rounding=decimal.ROUND_HALF_UP):
            compact = format_compact_decimal(_dec(amount), fraction_digits=1, locale=LOCALE)
        # CLDR writes '1,2\xa0mln.'; Dutch report style drops the abbreviation dot.
        return "EUR " + compact.replace("\xa0", " ").rstrip(".")
    return "EUR " + getal(amount)


def waarde(x, eenheid: str, *, status: str = "waarde") -> str:
    """Format a value in the unit of the indicator catalogue; '?' / '-' for unknown / suppressed."""
    if status == "onbekend":
        return ONBEKEND
    if status == "geheim":
        return GEHEIM
    if _is_missing(x):
        return ONBEKEND
    if eenheid == "%":
        return procent(x, decimalen(eenheid))
    return getal(x, decimalen(eenheid))


def datum(day) -> str:
    """'1 januari 2021' (Babel, nl_NL)."""
    return format_date(day, "d MMMM y", locale=LOCALE)


NIHIL = "–"  # an amount of nil, as the jaarstukken print it; not the '-' of a suppressed figure
NIHIL_NOOT = f"{NIHIL}: geen bedrag."


def bedrag_tekst(v: float | None, status: str = "waarde") -> str:
    """An amount in EUR x 1.000 as a finance table prints it: '–' for nil, '?' when unknown."""
    if status == "waarde" and v is not None and v == v and round(v) == 0:
        return NIHIL
    return waarde(v, "EUR x 1.000", status=status if status in ("waarde", "onbekend", "geheim") else "onbekend")
