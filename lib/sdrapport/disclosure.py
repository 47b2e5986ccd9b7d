"""Statistical disclosure control as the CBS applies it to GMSD figures.

Absolute counts are rounded: 0-4 -> 0, 5-9 -> 10, all other counts to the nearest multiple of 5.
Relative figures (per 1.000, %) are computed from the *rounded* counts, so they need no rounding of
their own and cannot be used to recover the exact count (seed 002, appendix 'Afronding').
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def cbs_round(count):
    """Round a count (scalar, array or Series) by the CBS rule; NaN stays NaN.

    Halves (x.5 multiples such as 12.5 after division) do not occur for whole counts: a whole
    number is never exactly halfway between two multiples of 5 except at ...2.5, which cannot be.
    """
    if isinstance(count, pd.Series):
        return count.map(cbs_round).astype("Float64" if count.isna().any() else float)
    if isinstance(count, np.ndarray):
        return np.vectorize(cbs_round, otypes=[float])(count)
    if count is None or (isinstance(count, float) and np.isnan(count)):
        return np.nan
    if count < 0:
        raise ValueError(f"een aantal kan niet negatief zijn: {count}")
    n = int(round(float(count)))
    if n <= 4:
        return 0
    if n <= 9:
        return 10
    return int(5 * np.floor(n / 5 + 0.5))


def relative(numerator, denominator, per: float = 1000.0, *, round_numerator: bool = True):
    """Relative figure from a count: numerator per `per` of the denominator.

    The numerator is CBS-rounded first when `round_numerator` (the catalogue's cbs_afronding) is
    set. A missing or zero denominator gives NaN, never a division error or infinity.
    Scalars give a float; sequences give a numpy array.
    """
    scalar = np.ndim(numerator) == 0 and np.ndim(denominator) == 0
    num = np.asarray(pd.to_numeric(pd.Series(np.atleast_1d(numerator)), errors="coerce"), dtype=float)
    if round_numerator:
        num = cbs_round(num)
    den = np.asarray(pd.to_numeric(pd.Series(np.atleast_1d(denominator)), errors="coerce"), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1) * per, np.nan)
    return float(out[0]) if scalar else out
