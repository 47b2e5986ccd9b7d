"""Similar gemeenten: for every gemeente the five that resemble it most on a profile of CBS figures.

The size class (grootteklasse) puts Vlieland and Schiermonnikoog with 170 other small gemeenten;
readers also want the handful of gemeenten that are really comparable. The method, computed once per
profile year for every gemeente in data/profiel/kwb-<jaar>.csv when the store is built (table
`vergelijkbaar`), and the same for every report:

1. The characteristics (KENMERKEN): inhabitants and population density (both on a log scale: a
   gemeente of 20.000 differs as much from one of 40.000 as that one from one of 80.000), the five
   age groups (% of inhabitants) and the average household size, all on 1 January of the year.
2. Each characteristic is standardised over all gemeenten of the file: (value - mean) / standard
   deviation (population standard deviation), so every characteristic counts in the same units.
3. The distance between two gemeenten is the Euclidean distance over the standardised
   characteristics, each weighed by its weight (GEWICHTEN): size, density, age structure and
   household size count equally (the five age groups share one weight).
4. A gemeente's similar gemeenten are the five others with the smallest distance; equal distances
   (rounded to 9 decimals) are ordered by code, so the same file always gives the same neighbours.

SES-WOA is not in the KWB files (and the demo's SES-WOA figures are fictitious), so it is not part of
the profile.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

AANTAL = 5
# (column in data/profiel, log scale?, weight, Dutch description)
KENMERKEN = (
    ("inwoners", True, 1.0, "aantal inwoners"),
    ("bevolkingsdichtheid", True, 1.0, "bevolkingsdichtheid"),
    ("leeftijd_0_14", False, 0.2, "aandeel 0-14 jaar"),
    ("leeftijd_15_24", False, 0.2, "aandeel 15-24 jaar"),
    ("leeftijd_25_44", False, 0.2, "aandeel 25-44 jaar"),
    ("leeftijd_45_64", False, 0.2, "aandeel 45-64 jaar"),
    ("leeftijd_65_plus", False, 0.2, "aandeel 65 jaar en ouder"),
    ("huishoudensgrootte", False, 1.0, "gemiddelde huishoudensgrootte"),
)
DECIMALEN = 9  # distances are compared after rounding, so float noise never reorders neighbours


def standardise(profile: pd.DataFrame, kenmerken=KENMERKEN) -> pd.DataFrame:
    """The weighted, standardised characteristics, one row per gemeente (index as given). A
    characteristic without spread (all equal) adds nothing and becomes 0."""
    out = {}
    for column, log, weight, _ in kenmerken:
        values = profile[column].astype(float).to_numpy()
        if log:
            values = np.log10(np.maximum(values, 1.0))
        std = values.std()
        z = (values - values.mean()) / std if std > 0 else np.zeros_like(values)
        out[column] = z * np.sqrt(weight)
    return pd.DataFrame(out, index=profile.index)


def neighbours(profile: pd.DataFrame, aantal: int = AANTAL, kenmerken=KENMERKEN) -> pd.DataFrame:
    """For every gemeente (the profile's index holds the codes) its `aantal` most similar others:
    columns gemeente, rang (1 = most similar), buur, afstand. Deterministic: ties in the rounded
    distance are broken by code."""
    profile = profile.sort_index()
    codes = np.array(profile.index, dtype=object)
    z = standardise(profile, kenmerken).to_numpy(dtype=float)
    rows = []
    for i, code in enumerate(codes):
        d = np.sqrt(((z - z[i]) ** 2).sum(axis=1))
        d = np.round(d, DECIMALEN)
        order = sorted((j for j in range(len(codes)) if j != i), key=lambda j: (d[j], codes[j]))
        for rang, j in enumerate(order[:aantal], start=1):
            rows.append({"gemeente": code, "rang": rang, "buur": codes[j], "afstand": float(d[j])})
    return pd.DataFrame(rows, columns=["gemeente", "rang", "buur", "afstand"])


def description() -> str:
    """'aantal inwoners, bevolkingsdichtheid, leeftijdsopbouw en gemiddelde huishoudensgrootte'"""
    return "aantal inwoners, bevolkingsdichtheid, leeftijdsopbouw en gemiddelde huishoudensgrootte"


def profile_year(years, periode) -> int | None:
    """The profile year a report on `periode` uses: that of the 1 January belonging to the period
    (analysis.stock_year), else the latest earlier one, else the earliest; None without profiles."""
    from sdrapport.indicators.analysis import stock_year
    from sdrapport.inputs.geodata import nearest_year

    return nearest_year(sorted({int(y) for y in years}), stock_year(periode))


def stored_neighbours(con, periode) -> tuple[int | None, dict[str, list[tuple[str, str]]]]:
    """(profile year, gemeente -> [(code, name) of its similar gemeenten, most similar first]) for a
    report period, from the store's tables `vergelijkbaar` and `profiel` (a DuckDB connection)."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if not {"profiel", "vergelijkbaar"} <= tables:
        return None, {}
    jaar = profile_year([r[0] for r in con.execute("SELECT DISTINCT jaar FROM vergelijkbaar").fetchall()], periode)
    if jaar is None:
        return None, {}
    out: dict[str, list[tuple[str, str]]] = {}
    for gemeente, buur, naam in con.execute(
            "SELECT v.gemeente, v.buur, p.naam FROM vergelijkbaar v JOIN profiel p ON p.jaar = v.jaar AND p.gemeente = v.buur "
            "WHERE v.jaar = ? ORDER BY v.gemeente, v.rang", [jaar]).fetchall():
        out.setdefault(gemeente, []).append((buur, naam))
    return jaar, out
