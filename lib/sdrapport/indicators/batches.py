"""Queries over record-level registrations run a batch of periods at a time, so that a count of
distinct clients stays within DuckDB's memory limit whatever the shape of the export (issue 25).
Used by the definitions (definitions.py) and the Wmo pairs (wmo_combinations.py) alike."""
from __future__ import annotations

import pandas as pd

RUNNING = {"voorzieningen": "(v.einddatum IS NULL OR v.einddatum >= p.begin)",
           "uitkeringen": "(v.einddatum IS NULL OR v.einddatum >= p.begin)"}
BYTES_PER_HIT = 300  # memory budget per (record, period) pair in one batch: 900MB -> 3 million pairs


def period_batches(con, soort: str, memory_bytes: int) -> list[list[str]]:
    """The period codes in batches, each batch holding at most memory_bytes / BYTES_PER_HIT pairs
    (record of `soort`, period it runs in), in period order; a period with more pairs than that is a
    batch of its own. Small exports make one batch (one query, as fast as before); a large one is
    counted a few periods at a time."""
    budget = max(1, memory_bytes // BYTES_PER_HIT)
    weights = con.execute(f"""
        SELECT p.periode, count(v.gemeente) AS paren
        FROM perioden p LEFT JOIN {soort} v
          ON v.gemeente = p.gemeente AND v.startdatum <= p.eind AND {RUNNING[soort]}
        GROUP BY p.periode ORDER BY p.periode
    """).fetchall()
    batches: list[list[str]] = []
    total = budget + 1
    for code, pairs in weights:
        if total + pairs > budget:
            batches.append([])
            total = 0
        batches[-1].append(code)
        total += pairs
    return batches


def per_period(con, query: str, params=None, soort: str = "voorzieningen") -> pd.DataFrame:
    """`query` run per batch of periods (period_batches), with the table `perioden_batch` holding
    the rows of `perioden` of that batch, the results concatenated.

    Why: a count of distinct clients groups by (gemeente, period, client). Over all periods at once
    that is up to clients x periods groups (one gemeente with 3,3 million clients whose provisions
    never end: some 80 million), more than DuckDB could hold or spill within its memory limit (issue
    25). Per batch the groups are at most the pairs (record, period) of the batch, which the batches
    keep within the memory limit, whatever the shape of the export. The batches are computed once
    per kind and kept in the table `periode_batches_<soort>`."""
    table = f"periode_batches_{soort}"
    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]).fetchone()[0]:
        limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        rows = [(code, n) for n, batch in enumerate(period_batches(con, soort, _bytes(limit))) for code in batch]
        con.execute(f"CREATE TEMP TABLE {table} (periode VARCHAR, batch INTEGER)")
        if rows:
            con.executemany(f"INSERT INTO {table} VALUES (?, ?)", rows)
    batches = [r[0] for r in con.execute(f"SELECT DISTINCT batch FROM {table} ORDER BY batch").fetchall()]
    parts = []
    for batch in batches or [None]:
        con.execute(f"CREATE OR REPLACE TEMP TABLE perioden_batch AS SELECT p.* FROM perioden p JOIN {table} b USING (periode) "
                    "WHERE b.batch = ?", [batch])
        parts.append(con.execute(query, params).df())
    con.execute("DROP TABLE IF EXISTS perioden_batch")
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def _bytes(setting: str) -> int:
    """DuckDB's memory_limit setting ('19.0 MiB', '1.6 GiB', '900.0 MB') in bytes."""
    import re

    m = re.match(r"^\s*([\d.]+)\s*([KMGT]?i?B)\s*$", str(setting), re.IGNORECASE)
    if not m:
        return 900 * 10**6
    unit = m.group(2).upper()
    base = 1024 if "I" in unit else 1000
    power = {"B": 0, "K": 1, "M": 2, "G": 3, "T": 4}[unit[0]]
    return int(float(m.group(1)) * base**power)
