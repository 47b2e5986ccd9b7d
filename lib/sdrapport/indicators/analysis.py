"""From stored observations to published figures: rounding, relative figures, reference groups.

Pure functions over DataFrames, so that the arithmetic is unit-tested without a store. A frame of
observations has the columns gemeente, periode, indicator, the breakdown columns, waarde,
waarde_status ('waarde' / 'onbekend' / 'geheim'), bron and status ('voorlopig' / 'definitief').
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from sdrapport.inputs.catalogue import Catalogue, Indicator
from sdrapport.indicators.disclosure import cbs_round
from sdrapport.periods import Period

# Status of a published value; 'ontbreekt' = the gemeente delivered nothing for it.
WAARDE, ONBEKEND, GEHEIM, ONTBREEKT = "waarde", "onbekend", "geheim", "ontbreekt"


def stock_year(periode: Period) -> int:
    """Year of the 1 January figure (peildatum) that belongs to a period.

    A period that ends on 31 December is described by the population on the following 1 January
    (seed 002: the report on the second half of 2023 gives inhabitants on 1 January 2024); other
    periods by the 1 January of their own year.
    """
    return periode.year + 1 if periode.end.month == 12 else periode.year


def select(obs: pd.DataFrame, ind: Indicator, dims: list[str], by: list[str], fixed: dict[str, str]) -> pd.DataFrame:
    """Rows of one indicator: `fixed` breakdowns equal, `by` breakdowns filled, all others total."""
    # The indicator's rows first: the breakdown tests then run over those few rows, not over every
    # row of the frame once per breakdown column (the catalogue has over twenty).
    rows = obs[(obs["indicator"] == ind.id).to_numpy(dtype=bool, na_value=False)]
    mask = np.ones(len(rows), dtype=bool)
    for d in dims:
        if d in fixed:
            mask &= (rows[d] == fixed[d]).to_numpy(dtype=bool, na_value=False)
        elif d in by:
            mask &= rows[d].notna().to_numpy()
        else:
            mask &= rows[d].isna().to_numpy()
    return rows[mask]


def publish(obs: pd.DataFrame, catalogue: Catalogue, ind: Indicator | str, *, by: list[str] | None = None,
            fixed: dict[str, str] | None = None) -> pd.DataFrame:
    """Published values of an indicator for all gemeenten and periods present in `obs`.

    Counts with cbs_afronding are CBS-rounded. A derived indicator is computed from the rounded
    teller and the noemer's total for the same gemeente and period, or else the noemer's 1 January
    figure that belongs to the period (see `stock_year`). Returns gemeente, periode, the `by`
    columns, waarde, waarde_status, status and bron; a derived indicator also n_bron, the source
    of the noemer it was divided by (lineage names both).
    """
    ind = catalogue[ind] if isinstance(ind, str) else ind
    by = list(by or [])
    fixed = dict(fixed or {})
    dims = catalogue.breakdown_columns
    unknown = [d for d in (*by, *fixed) if d not in ind.uitsplitsingen]
    if unknown:
        raise KeyError(f"indicator {ind.id} kent geen uitsplitsing {', '.join(unknown)}")
    cols = ["gemeente", "periode", *by, "waarde", "waarde_status", "status", "bron"]
    if not ind.afgeleid:
        rows = select(obs, ind, dims, by, fixed)[cols].copy()
        if ind.cbs_afronding:
            ok = rows["waarde_status"] == WAARDE
            if "beveiligd" in obs.columns:  # counts from registrations were protected at ingest
                ok &= ~obs.loc[rows.index, "beveiligd"].fillna(False).astype(bool)
            rows.loc[ok, "waarde"] = cbs_round(rows.loc[ok, "waarde"].to_numpy(dtype=float))
        rows["waarde"] = rows["waarde"].astype(float)
        return rows.reset_index(drop=True)

    parts = derived_parts(obs, catalogue, ind, by=by, fixed=fixed)
    out = parts[["gemeente", "periode", *by]].copy()
    out["waarde"] = np.where(parts["ok"], parts["teller"] / parts["noemer"].where(parts["ok"], 1.0) * ind.factor, np.nan)
    out["waarde_status"] = np.where(
        parts["ok"], WAARDE, np.where(parts["t_status"] != WAARDE, parts["t_status"], ONBEKEND)
    )
    out["status"] = parts["status"]
    out["bron"] = parts["bron"]
    out["n_bron"] = parts["n_bron"]
    return out.reset_index(drop=True)


def derived_parts(obs: pd.DataFrame, catalogue: Catalogue, ind: Indicator, *, by: list[str] | None = None,
                  fixed: dict[str, str] | None = None) -> pd.DataFrame:
    """Teller (rounded as published) and noemer of a derived indicator per gemeente and period.

    The noemer is the noemer indicator's total for the same period; else, for a 1 January stock
    (catalogue `peildatum`), the figure belonging to the period (`stock_year`), falling back to the
    period's own year while the next 1 January is not published; else the period's own year. Column `ok` marks rows with a usable pair.
    """
    by = list(by or [])
    fixed = dict(fixed or {})
    # A rate per target group (catalogue `doelgroep`: Wmo clients of 75-84 per 1.000 inhabitants
    # of 75-84) divides by the group's inhabitants along the breakdowns the group declares.
    group = catalogue.group_columns(ind, [*by, *fixed])
    noemer_id = ind.doelgroep if group else ind.noemer
    noemer_ind = catalogue[noemer_id]
    # A rate within a group (tijdigheid per wet: tijdig[wet] / beslist[wet]) divides by the noemer
    # of the same breakdown value; a share of a distribution (teller == noemer) by its total.
    if group:
        shared = group
    else:
        shared = [] if ind.teller == ind.noemer else [d for d in (*by, *fixed) if d in noemer_ind.uitsplitsingen]
    n_by = [d for d in by if d in shared]
    teller = publish(obs, catalogue, ind.teller, by=by, fixed=fixed)
    noemer = publish(obs, catalogue, noemer_id, by=n_by, fixed={d: v for d, v in fixed.items() if d in shared})
    noemer = noemer[["gemeente", "periode", *n_by, "waarde", "waarde_status", "status", "bron"]]
    noemer = noemer.rename(columns={"periode": "n_periode", "waarde": "noemer", "waarde_status": "n_status", "status": "n_stat",
                                    "bron": "n_bron"})
    teller = teller.rename(columns={"waarde": "teller", "waarde_status": "t_status"})
    if teller.empty:
        return teller.assign(noemer=pd.Series(dtype=float), n_status=pd.Series(dtype=object),
                             n_stat=pd.Series(dtype=object), n_bron=pd.Series(dtype=object), ok=pd.Series(dtype=bool))
    periods = {p: Period.parse(p) for p in teller["periode"].unique()}
    candidates = []
    # A 1 January stock as noemer: the peildatum belonging to the period (a year is described by
    # the next 1 January, as in the text), then the period's own year.
    choices = [lambda p: str(stock_year(p)) if p.kind == "J" else p.code, lambda p: str(stock_year(p)), lambda p: str(p.year)] \
        if noemer_ind.peildatum else [lambda p: p.code, lambda p: str(p.year)]
    for rank, choose in enumerate(choices):
        candidates.append(pd.DataFrame({"periode": list(periods), "n_periode": [choose(p) for p in periods.values()], "rank": rank}))
    lookup = pd.concat(candidates, ignore_index=True).drop_duplicates(["periode", "n_periode"])
    keys = ["gemeente", "periode", *n_by]
    pairs = teller[keys].drop_duplicates().merge(lookup, on="periode").merge(noemer, on=["gemeente", "n_periode", *n_by])
    best = pairs.sort_values("rank", kind="stable").drop_duplicates(keys)[[*keys, "noemer", "n_status", "n_stat", "n_bron"]]
    parts = teller.merge(best, on=keys, how="left")
    den = pd.to_numeric(parts["noemer"], errors="coerce").astype(float)
    parts["noemer"] = den
    parts["ok"] = (parts["t_status"] == WAARDE) & (parts["n_status"] == WAARDE) & (den > 0)
    parts["status"] = np.where((parts["status"] == "voorlopig") | (parts["n_stat"] == "voorlopig"), "voorlopig", "definitief")
    return parts


def reference(obs: pd.DataFrame, catalogue: Catalogue, ind: Indicator,
              by: list[str] | None = None, fixed: dict[str, str] | None = None) -> pd.DataFrame:
    """Reference-group value per period (and `by` breakdown) over the gemeenten in `obs`.

    Only gemeenten that delivered a value count (seed 002, 'Verantwoording'): a relative figure is
    the sum of the rounded tellers over the gemeenten that delivered, divided by the sum of the
    noemers of those same gemeenten; other figures are the unweighted mean over those gemeenten.
    Returns periode, the `by` columns, waarde, n (number of gemeenten that delivered) and the
    lineage of each value: gemeenten (the sorted codes counted), bronnen and noemerbronnen (the
    sorted sources of their rows; of teller and noemer for a derived figure) and voorlopig.
    """
    by = list(by or [])
    keys = ["periode", *by]
    if ind.afgeleid:
        parts = derived_parts(obs, catalogue, ind, by=by, fixed=fixed)
        parts = parts[parts["ok"]]
        grouped = parts.groupby(keys, sort=True).agg(teller=("teller", "sum"), noemer=("noemer", "sum"), n=("gemeente", "nunique"))
        grouped["waarde"] = grouped["teller"] / grouped["noemer"] * ind.factor
        return _with_lineage(grouped.reset_index()[[*keys, "waarde", "n"]], parts, keys, ["bron", "n_bron"])
    values = publish(obs, catalogue, ind, by=by, fixed=fixed)
    vals = values[values["waarde_status"] == WAARDE]
    grouped = vals.groupby(keys, sort=True).agg(waarde=("waarde", "mean"), n=("gemeente", "nunique"))
    return _with_lineage(grouped.reset_index(), vals, keys, ["bron"])


def _with_lineage(grouped: pd.DataFrame, rows: pd.DataFrame, keys: list[str], source_columns: list[str]) -> pd.DataFrame:
    """Add per reference value the gemeenten it counts, their sources and whether any is provisional."""
    if grouped.empty:
        return grouped.assign(gemeenten=pd.Series(dtype=object), bronnen=pd.Series(dtype=object),
                              noemerbronnen=pd.Series(dtype=object), voorlopig=pd.Series(dtype=bool))
    def names(s: pd.Series) -> tuple:
        return tuple(sorted(set(s.dropna())))

    lineage = rows.groupby(keys, sort=True).agg(gemeenten=("gemeente", names), bronnen=("bron", names),
                                                voorlopig=("status", lambda s: bool((s == "voorlopig").any())))
    if "n_bron" in source_columns:
        lineage["noemerbronnen"] = rows.groupby(keys, sort=True)["n_bron"].agg(names)
    else:
        lineage["noemerbronnen"] = [() for _ in range(len(lineage))]
    return grouped.merge(lineage.reset_index(), on=keys, how="left")
