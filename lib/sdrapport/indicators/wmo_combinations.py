"""Stapeling binnen de Wmo from the registrations: clients with exactly two Wmo provisions, by pair.

Seed 002 shows "Veel voorkomende stapeling binnen de Wmo": the most frequent combinations of two
Wmo provisions among unique clients with two provisions. From a gemeente's own exports this is:

- per period, the Wmo provisions running in it (start on or before its last counted day, end
  empty or on or after its first day), the same window as the unique clients (`zorgperiode/2`);
- per client the distinct categories (productcategorie) of those provisions; a client with
  exactly two categories counts once, under the pair "A + B" (the two names in alphabetical
  order, so the same pair always has the same name);
- the total is the number of such clients, so the pairs add up to it (each client is in one pair).

Only counts leave this module; they go through disclosure control (definities.derive) before
anything is stored.
"""
from __future__ import annotations

import pandas as pd

SEPARATOR = " + "


def pair_label(a: str, b: str) -> str:
    """'Hulp bij het huishouden + Vervoersdiensten': the two categories in alphabetical order."""
    first, second = sorted((a, b))
    return f"{first}{SEPARATOR}{second}"


def pairs(con, wet: str) -> pd.DataFrame:
    """Clients with exactly two categories of provisions of `wet` (the label as stored, 'Wmo') per
    gemeente and period: gemeente, periode, dim, dimwaarde, waarde (dim None for the total,
    'wmo_combinatie' per pair). Works on the `voorzieningen` and `perioden` tables of a
    registraties.Records database, one period at a time (definitions.per_period: the groups per
    client stay bounded by the clients of one period)."""
    from sdrapport.indicators.batches import per_period

    return per_period(con, f"""
        WITH per_client AS (
            SELECT v.gemeente, p.periode, v.client, count(DISTINCT v.categorie) AS n,
                   min(v.categorie) AS eerste, max(v.categorie) AS tweede
            FROM voorzieningen v JOIN perioden_batch p
              ON v.gemeente = p.gemeente AND v.startdatum <= p.eind AND (v.einddatum IS NULL OR v.einddatum >= p.begin)
            WHERE v.wet = $wet
            GROUP BY v.gemeente, p.periode, v.client),
        twee AS (SELECT gemeente, periode, eerste || '{SEPARATOR}' || tweede AS paar FROM per_client WHERE n = 2)
        SELECT gemeente, periode, NULL AS dim, NULL AS dimwaarde, count(*) AS waarde FROM twee GROUP BY ALL
        UNION ALL
        SELECT gemeente, periode, 'wmo_combinatie', paar, count(*) FROM twee GROUP BY ALL
        ORDER BY ALL
    """, {"wet": wet})


__all__ = ["SEPARATOR", "pair_label", "pairs"]
