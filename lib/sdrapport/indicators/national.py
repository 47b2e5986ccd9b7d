"""The published figure of one indicator for every gemeente of the store, with what rounding allows.

Maps, the similar-gemeenten table and the signals compare a gemeente with gemeenten outside its
size class, whose observations a Rapport does not load. `values` reads the few rows an indicator
needs for all gemeenten (teller and noemer, totals or the given breakdown values) and computes the
published figures with the same functions as every other figure (analysis.publish,
analysis.derived_parts), so a gemeente's value here is its value everywhere in the report.

Each figure also gets the interval of values that its published, rounded inputs allow
(`laag`, `hoog`):

- a CBS-rounded count (catalogue `cbs_afronding`, or a registration count protected with the CBS
  rule at ingest) may be any count that rounds to it (disclosure.cbs_round_interval: 10 may be 5 to 12);
- a count that is not rounded is exact;
- a delivered figure of another unit (a %, a score) is known to the decimals it is shown with
  (catalogue.decimalen): 33,4 may be 33,35 to 33,45;
- a relative figure lies between its lowest teller over its highest noemer and the other way round.

A batch runs report after report in one kernel: the rows read are kept per process (keyed by the
store file's identity), so the figures of all gemeenten are read once per indicator and period, not
once per report.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from sdrapport.indicators.analysis import WAARDE, derived_parts, publish, stock_year
from sdrapport.inputs.catalogue import Catalogue, Indicator, decimalen
from sdrapport.indicators.disclosure import cbs_round_interval
from sdrapport.periods import Period

_ROWS: dict[tuple, pd.DataFrame] = {}
_VALUES: dict[tuple, pd.DataFrame] = {}
_GROUPS: dict[tuple, Groepswaarde] = {}
_CACHE_LIMIT = 512


def _identity(store: Path) -> tuple:
    st = Path(store).stat()
    return (str(Path(store).resolve()), st.st_size, st.st_mtime_ns, st.st_ino)


def periods_needed(p: Period) -> list[str]:
    """The period codes a figure for period p may be computed from (its own, its year, the
    1 January belonging to it, two years back), as Rapport reads them."""
    return list(dict.fromkeys([p.code, str(p.year), str(stock_year(p)), str(p.year - 1), str(p.year - 2)]))


_TOTALS: dict[tuple, dict[str, dict[str, pd.DataFrame]]] = {}
_COLUMNS = ("gemeente", "periode", "indicator", "waarde", "waarde_status", "status", "bron", "beveiligd")


def _query(store: Path, where: str, params: list) -> pd.DataFrame:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.sql(f"SELECT * EXCLUDE (bestand, rij) FROM observaties WHERE {where}", params=params).to_arrow_table().to_pandas()
    finally:
        con.close()


def _totals(store: Path, catalogue: Catalogue, codes: list[str]) -> dict[str, dict[str, pd.DataFrame]]:
    """The totals (every breakdown empty) of every indicator for the given periods, per period and
    indicator: one query for the periods not read before (a report needs a few hundred rows per
    indicator, read once per process for all gemeenten)."""
    key = _identity(store)
    if key not in _TOTALS:
        _TOTALS.clear()
        _TOTALS[key] = {}
    loaded = _TOTALS[key]
    missing = [c for c in codes if c not in loaded]
    if missing:
        empty = " AND ".join(f'"{d}" IS NULL' for d in catalogue.breakdown_columns) or "TRUE"
        con = duckdb.connect(str(store), read_only=True)
        try:
            frame = con.sql(f"SELECT {', '.join(_COLUMNS)} FROM observaties WHERE periode IN (SELECT unnest(?)) AND {empty}",
                            params=[missing]).to_arrow_table().to_pandas()
        finally:
            con.close()
        for code in missing:
            loaded[code] = {}
        for (code, ind), rows in frame.groupby(["periode", "indicator"], sort=False):
            loaded[code][ind] = rows.reset_index(drop=True)
    return loaded


def _rows(store: Path, catalogue: Catalogue, ind: Indicator, fixed: dict[str, str], codes: list[str]) -> pd.DataFrame:
    """Observations of one indicator for all gemeenten: totals, or the `fixed` breakdown values
    this indicator has (other breakdowns empty), for the given periods."""
    own = {k: v for k, v in fixed.items() if k in ind.uitsplitsingen}
    dims = catalogue.breakdown_columns
    if not own:
        totals = _totals(store, catalogue, codes)
        parts = [totals[c][ind.id] for c in dict.fromkeys(codes) if ind.id in totals[c]]
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(_COLUMNS))
        return frame.assign(**{d: pd.Series([None] * len(frame), dtype=object) for d in dims})
    key = (_identity(store), ind.id, tuple(sorted(own.items())), tuple(codes))
    frame = _ROWS.get(key)
    if frame is None:
        conditions, params = ["indicator = ?", "periode IN (SELECT unnest(?))"], [ind.id, list(codes)]
        for dim in dims:
            if dim in own:
                conditions.append(f'"{dim}" = ?')
                params.append(own[dim])
            else:
                conditions.append(f'"{dim}" IS NULL')
        frame = _query(store, " AND ".join(conditions), params)
        if len(_ROWS) >= _CACHE_LIMIT:
            _ROWS.clear()
        _ROWS[key] = frame
    return frame


def observations(store: Path, catalogue: Catalogue, ind: Indicator | str, p: Period, fixed: dict[str, str] | None = None) -> pd.DataFrame:
    """All gemeenten's observations an indicator needs for period p (its own rows, or its teller's
    and noemer's)."""
    ind = catalogue[ind] if isinstance(ind, str) else ind
    fixed = dict(fixed or {})
    codes = periods_needed(p)
    if not ind.afgeleid:
        return _rows(store, catalogue, ind, fixed, codes)
    teller, noemer = catalogue[ind.teller], catalogue[ind.noemer]
    # The noemer of a share of a distribution (teller = noemer) is its total; of a rate within a
    # group (tijdigheid per wet) the same breakdown value; otherwise its total.
    shared = {} if teller.id == noemer.id else {d: v for d, v in fixed.items() if d in noemer.uitsplitsingen}
    frames = [_rows(store, catalogue, teller, fixed, codes)]
    if teller.id != noemer.id or fixed:
        frames.append(_rows(store, catalogue, noemer, shared, codes))
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def _rounded(ind: Indicator, rows: pd.DataFrame, gemeenten, cbs_registraties: bool) -> np.ndarray:
    """Per gemeente whether its published count of `ind` (in `rows`) is CBS-rounded: by the
    catalogue (`cbs_afronding`), or as a registration count protected with the CBS rule."""
    if ind.cbs_afronding:
        return np.ones(len(gemeenten), dtype=bool)
    if not cbs_registraties or "beveiligd" not in rows or rows.empty:
        return np.zeros(len(gemeenten), dtype=bool)
    own = rows[rows["indicator"] == ind.id]
    protected = set(own.loc[own["beveiligd"].fillna(False).astype(bool), "gemeente"])
    return np.array([g in protected for g in gemeenten], dtype=bool)


def _interval(values: np.ndarray, rounded: np.ndarray, eenheid: str, count: bool) -> tuple[np.ndarray, np.ndarray]:
    values = np.asarray(values, dtype=float)
    if count:
        lo, hi = cbs_round_interval(values)
        return np.where(rounded, lo, values), np.where(rounded, hi, values)
    half = 0.5 * 10.0 ** -decimalen(eenheid)
    return values - half, values + half


def values(store: Path, catalogue: Catalogue, ind: Indicator | str, p: Period, fixed: dict[str, str] | None = None,
           *, cbs_registraties: bool = True) -> pd.DataFrame:
    """The published figure of every gemeente that has a row for period p: gemeente, waarde,
    waarde_status, status, laag, hoog (the interval its rounded inputs allow) and, for a derived
    indicator, teller, noemer and their intervals (for group averages). `cbs_registraties`: the
    registration counts were protected with the CBS rounding (params/registraties.yml)."""
    ind = catalogue[ind] if isinstance(ind, str) else ind
    fixed = dict(fixed or {})
    key = (_identity(store), ind.id, tuple(sorted(fixed.items())), p.code, cbs_registraties)
    cached = _VALUES.get(key)
    if cached is not None:
        return cached
    obs = observations(store, catalogue, ind, p, fixed)
    if not ind.afgeleid:
        out = publish(obs, catalogue, ind, fixed=fixed)
        out = out[out["periode"] == p.code].reset_index(drop=True)
        flags = _rounded(ind, obs[obs["periode"] == p.code], out["gemeente"], cbs_registraties)
        lo, hi = _interval(out["waarde"], flags, ind.eenheid, ind.eenheid == "aantal")
        out = out.assign(laag=lo, hoog=hi)
    else:
        parts = derived_parts(obs, catalogue, ind, fixed=fixed)
        parts = parts[parts["periode"] == p.code].reset_index(drop=True)
        teller, noemer = catalogue[ind.teller], catalogue[ind.noemer]
        t_flags = _rounded(teller, obs[obs["periode"] == p.code], parts["gemeente"], cbs_registraties)
        n_round = _rounded(noemer, obs, parts["gemeente"], cbs_registraties)
        t_lo, t_hi = _interval(parts["teller"], t_flags, teller.eenheid, teller.eenheid == "aantal")
        n_lo, n_hi = _interval(parts["noemer"], n_round, noemer.eenheid, noemer.eenheid == "aantal")
        ok = parts["ok"].to_numpy(dtype=bool)
        factor = ind.factor
        with np.errstate(divide="ignore", invalid="ignore"):
            waarde = np.where(ok, parts["teller"] / parts["noemer"].where(ok, 1.0) * factor, np.nan)
            laag = np.where(ok & (n_hi > 0), t_lo / np.where(n_hi > 0, n_hi, 1.0) * factor, np.nan)
            hoog = np.where(ok & (n_lo > 0), t_hi / np.where(n_lo > 0, n_lo, 1.0) * factor, np.inf)
        hoog = np.where(ok, hoog, np.nan)
        status = np.where(ok, WAARDE, np.where(parts["t_status"] != WAARDE, parts["t_status"], "onbekend"))
        out = pd.DataFrame({"gemeente": parts["gemeente"], "periode": p.code, "waarde": waarde, "waarde_status": status,
                            "status": parts["status"], "laag": laag, "hoog": hoog, "teller": parts["teller"],
                            "noemer": parts["noemer"], "t_laag": t_lo, "t_hoog": t_hi, "n_laag": n_lo, "n_hoog": n_hi,
                            "ok": ok})
    out = out.sort_values("gemeente", kind="stable").set_index("gemeente", drop=False)
    out.index.name = None
    if len(_VALUES) >= _CACHE_LIMIT:
        _VALUES.clear()
    _VALUES[key] = out
    return out


@dataclass(frozen=True)
class Groepswaarde:
    """The average of a group of gemeenten as the reference group is averaged (analysis.reference),
    with the interval its members' rounded inputs allow, and how many gemeenten delivered."""

    waarde: float | None
    laag: float | None
    hoog: float | None
    n: int

    @property
    def beschikbaar(self) -> bool:
        return self.waarde is not None


def group(store: Path, catalogue: Catalogue, ind: Indicator | str, p: Period, leden: list[str],
          fixed: dict[str, str] | None = None, *, cbs_registraties: bool = True) -> Groepswaarde:
    """Average over the members that delivered a value: for a relative figure the sum of their
    rounded tellers over the sum of their noemers, otherwise the unweighted mean (the rule of the
    reference group, analysis.reference, on the figures of `values`)."""
    ind = catalogue[ind] if isinstance(ind, str) else ind
    fixed = dict(fixed or {})
    members = sorted(set(leden))
    key = (_identity(store), ind.id, tuple(sorted(fixed.items())), p.code, tuple(members), cbs_registraties)
    if key in _GROUPS:
        return _GROUPS[key]
    vals = values(store, catalogue, ind, p, fixed, cbs_registraties=cbs_registraties)
    vals = vals[vals["gemeente"].isin(members) & (vals["waarde_status"] == WAARDE)]
    if vals.empty:
        return _keep(key, Groepswaarde(None, None, None, 0))
    if ind.afgeleid:
        # analysis.reference: the sum of the rounded tellers over the sum of the noemers
        waarde = vals["teller"].sum() / vals["noemer"].sum() * ind.factor
        laag = vals["t_laag"].sum() / vals["n_hoog"].sum() * ind.factor
        hoog = vals["t_hoog"].sum() / vals["n_laag"].sum() * ind.factor
    else:
        waarde = vals["waarde"].mean()
        laag, hoog = vals["laag"].mean(), vals["hoog"].mean()
    return _keep(key, Groepswaarde(float(waarde), float(laag), float(hoog), int(vals["gemeente"].nunique())))


def _keep(key: tuple, found: Groepswaarde) -> Groepswaarde:
    if len(_GROUPS) >= _CACHE_LIMIT:
        _GROUPS.clear()
    _GROUPS[key] = found
    return found


def figure(frame: pd.DataFrame, gemeente: str) -> pd.Series | None:
    """A gemeente's row of `values`, None when it has none."""
    return frame.loc[gemeente] if gemeente in frame.index else None


def clear() -> None:
    """Forget the cached rows and values (tests)."""
    _ROWS.clear()
    _VALUES.clear()
    _GROUPS.clear()
    _TOTALS.clear()
