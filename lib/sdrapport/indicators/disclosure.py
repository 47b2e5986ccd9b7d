"""Statistical disclosure control as the CBS applies it to GMSD figures.

Absolute counts are rounded: 0-4 -> 0, 5-9 -> 10, all other counts to the nearest multiple of 5.
Relative figures (per 1.000, %) are computed from the *rounded* counts, so they need no rounding of
their own and cannot be used to recover the exact count (seed 002, appendix 'Afronding').
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from sdrapport.periods import Period


CBS_REGEL = "0 tot en met 4 wordt 0, 5 tot en met 9 wordt 10, overige op vijftallen"


def afronding_tekst(methode: str | None = None, drempel: int | None = None) -> str:
    """The rounding and suppression in force, in Dutch, for a page's verantwoording and downloads:
    CBS counts are always rounded by the CBS rule; counts from the gemeente's own registrations (when
    it has them: `methode`) are rounded the same way ('cbs') or, with 'drempel', left exact and
    suppressed below the threshold."""
    text = f"absolute aantallen van het CBS zijn afgerond volgens de CBS-regel ({CBS_REGEL}); relatieve cijfers zijn " \
           "berekend uit de afgeronde aantallen"
    if methode == "cbs":
        text += ". Aantallen uit de eigen registraties van de gemeente zijn op dezelfde manier afgerond, vóór opslag"
    elif methode == "drempel":
        text += (f". Aantallen uit de eigen registraties van de gemeente zijn niet afgerond: aantallen van 1 tot en met "
                 f"{(drempel or 10) - 1} worden niet getoond (\"-\"), en waar zo'n aantal uit een totaal terug te rekenen "
                 "zou zijn ook het kleinste andere")
    return text


def afronding_zin(registraties: dict | None) -> str:
    """afronding_tekst as a sentence (capital, no full stop) for a report's `registraties` facts in
    run.json (peildatum, methode, drempel): what the page and its downloads say about rounding."""
    reg = registraties or {}
    text = afronding_tekst(reg.get("methode") if reg.get("peildatum") else None, reg.get("drempel"))
    return text[0].upper() + text[1:]


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


def cbs_round_interval(published) -> tuple[np.ndarray, np.ndarray]:
    """The exact counts that `cbs_round` turns into the published value, as (lowest, highest):
    0 -> (0, 4), 10 -> (5, 12), any other multiple of 5 -> (value - 2, value + 2). Arrays in,
    arrays out (NaN stays NaN). What a published change or difference cannot be told apart from
    (signals.py): 10 and 15 may be 12 and 13."""
    v = np.asarray(published, dtype=float)
    lo = np.where(v == 0, 0.0, np.where(v == 10, 5.0, v - 2))
    hi = np.where(v == 0, 4.0, v + 2)
    return lo, hi


def cbs_round_array(values) -> np.ndarray:
    """cbs_round for a whole array at once (the registrations produce many cells)."""
    n = np.rint(np.asarray(values, dtype=float))
    return np.where(n <= 4, 0.0, np.where(n <= 9, 10.0, 5 * np.floor(n / 5 + 0.5)))


# A flow of a period is the sum of its parts: the year of its half-years or quarters (or of
# January-September and the fourth quarter), a half-year or January-September of its quarters.
TIME_PARTS = {"J": [("H", (1, 2)), ("Q", (1, 2, 3, 4)), ("", ("T3", "Q4"))], "H1": [("Q", (1, 2))], "H2": [("Q", (3, 4))],
              "T3": [("Q", (1, 2, 3))]}


def _relations(frame: pd.DataFrame, additive: set[str], flows: set[str], balance: tuple[str, str, str] | None) -> list[list[int]]:
    """Linear relations between cells (lists of row positions): knowing all but one cell of a
    relation gives the last one.

    - a total and its breakdown values, for breakdowns whose values add up (`additive`);
    - for flows, a year and its half-years or quarters, a half-year and its quarters;
    - `balance` (stock, inflow, outflow): stock before + inflow - outflow = stock after."""
    rels: list[list[int]] = []
    key = ["gemeente", "periode", "indicator", "definitie"]
    is_total = frame["dim"].isna()
    totals = {tuple(r): i for i, r in zip(frame.index[is_total], frame.loc[is_total, key].itertuples(index=False))}
    parts = frame[~is_total & frame["dim"].isin(additive)]
    for k, group in parts.groupby([*key, "dim"], sort=False):
        total = totals.get(tuple(k[:-1]))
        if total is not None:
            rels.append([total, *group.index])
    # A cross-classification ('verwijzer|zwaarte'): the cells with one value of a column add up to
    # that value's margin (the cell of that column alone).
    crossed = frame[~is_total & frame["dim"].map(lambda d: isinstance(d, str) and "|" in d
                                                  and set(d.split("|")) <= set(additive))]
    if len(crossed):
        margin = {(*r[:4], r[4], r[5]): i for i, r in zip(frame.index, frame[[*key, "dim", "dimwaarde"]].itertuples(index=False))}
        for k, group in crossed.groupby([*key, "dim"], sort=False):
            columns = k[-1].split("|")
            for j, column in enumerate(columns):
                values = group["dimwaarde"].map(lambda v, j=j: str(v).split("|")[j])
                for value, members in group.groupby(values, sort=False):
                    cell = margin.get((*k[:-1], column, value))
                    if cell is not None:
                        rels.append([cell, *members.index])
    flow = frame[frame["indicator"].isin(flows)]
    if len(flow):
        cell = {(g, p, i, d, dm, w): idx for idx, g, p, i, d, dm, w in zip(
            flow.index, flow["gemeente"], flow["periode"], flow["indicator"], flow["dim"].fillna(""),
            flow["dimwaarde"].fillna(""), flow["definitie"])}
        for (g, p, i, d, dm, w), idx in cell.items():
            if "-" in p and not p.endswith(("H1", "H2", "T3")):
                continue
            year = p[:4]
            groups = TIME_PARTS["J"] if p == year else TIME_PARTS[p[-2:]]
            for kind, numbers in groups:
                members = [cell.get((g, f"{year}-{kind}{n}", i, d, dm, w)) for n in numbers]
                if all(m is not None for m in members):
                    rels.append([idx, *members])
    if balance:
        stock, inflow, outflow = balance
        cell = {(g, p, i, w): idx for idx, g, p, i, w in zip(
            frame.index[is_total], frame.loc[is_total, "gemeente"], frame.loc[is_total, "periode"],
            frame.loc[is_total, "indicator"], frame.loc[is_total, "definitie"])}
        for (g, p, i, w), idx in cell.items():
            if i != stock:
                continue
            period = Period.parse(p)
            # The stock before January-September is the one at the end of the year before.
            before = (Period(period.year - 1) if period.kind == "T" else period.shift(-1)).code
            members = [cell.get((g, before, stock, w)), cell.get((g, p, inflow, w)), cell.get((g, p, outflow, w))]
            if all(m is not None for m in members):
                rels.append([idx, *members])
    return rels


def _differences(frame: pd.DataFrame, pairs) -> list[tuple[int, int]]:
    """(larger, smaller) cells of pairs whose difference is itself a count: (beslist, tijdig)
    gives the late decisions."""
    key = ["gemeente", "periode", "dim", "dimwaarde", "definitie"]
    out = []
    for big, small in pairs:
        a = frame[frame["indicator"] == big].fillna({"dim": "", "dimwaarde": ""})
        b = frame[frame["indicator"] == small].fillna({"dim": "", "dimwaarde": ""})
        both = a.reset_index().merge(b.reset_index(), on=key, suffixes=("_a", "_b"))
        out += list(zip(both["index_a"], both["index_b"]))
    return out


def protect(frame: pd.DataFrame, methode: str, drempel: int, *, additive: set[str], flows: set[str],
            differences=(), balance: tuple[str, str, str] | None = None) -> pd.DataFrame:
    """Disclosure control of exact counts (columns gemeente, periode, indicator, definitie, dim,
    dimwaarde, waarde). Adds waarde_status ('waarde' or 'geheim').

    methode 'cbs': every count is rounded by the CBS rule; totals are rounded too, so no cell can be
    recovered exactly from the others. methode 'drempel': counts from 1 to drempel-1 are suppressed
    (primary suppression). Then, until nothing changes: a relation (a total and its parts, a year
    and its quarters, stock and flows) with exactly one suppressed cell gets its smallest other
    non-zero cell suppressed too, and of a pair whose difference is a small count (decided and on
    time: the late ones) the smaller cell is suppressed (secondary suppression)."""
    out = frame.copy().reset_index(drop=True)
    out["waarde"] = out["waarde"].astype(float)
    if methode == "cbs":
        out["waarde"] = cbs_round_array(out["waarde"])
        out["waarde_status"] = "waarde"
        return out
    values = out["waarde"].to_numpy()
    hidden = ((values > 0) & (values < drempel)).copy()
    rels = _relations(out, additive, flows, balance)
    pairs = [(a, b) for a, b in _differences(out, differences) if 0 < values[a] - values[b] < drempel]

    def complement(cells: list[int]) -> int:
        # A zero as complement protects little (primary + 0 = a known small sum): prefer non-zero cells.
        return min(cells, key=lambda m: (values[m] == 0, values[m], m))

    changed = True
    while changed:  # every pass hides at least one more cell, so this ends
        changed = False
        for rel in rels:
            if sum(hidden[m] for m in rel) != 1:
                continue
            others = [m for m in rel if not hidden[m]]
            parts = [m for m in rel[1:] if not hidden[m]]
            if others:
                hidden[complement(parts or others)] = True
                changed = True
        for a, b in pairs:
            if not hidden[a] and not hidden[b]:
                hidden[b] = True
                changed = True
    out["waarde_status"] = np.where(hidden, "geheim", "waarde")
    out.loc[hidden, "waarde"] = np.nan
    return out
