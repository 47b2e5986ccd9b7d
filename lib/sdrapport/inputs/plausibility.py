"""Plausibility before arithmetic: inputs that are valid row by row but cannot be true together.

Run at ingest, after the records are read and before any count or rate is computed (store.load_inputs):

- more unique clients of a wet (or with bijstand) in a year than the gemeente has inhabitants, or
  more than the share `plausibiliteit.max_aandeel_clienten` of params/registraties.yml (a whole
  country's export under one gemeente code, or a code that is not the gemeente's);
- a record that starts before its gemeente existed (or after it was dissolved), by
  data/gemeente-historie.csv: it belongs to another gemeentelijke indeling;
- a rate above 1.000 per 1.000 (or 100.000 per 100.000): a delivered or derived numerator larger
  than its denominator (the catalogue's teller and noemer) in the same year.

Each problem names the file, the gemeente, the period and both numbers; messages never show an identifier.
"""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from sdrapport.errors import Problem

MAX_AANDEEL = 0.25  # default: at most a quarter of the inhabitants are clients of one wet in one year
CONFIG_KEY = "plausibiliteit.max_aandeel_clienten"
SHOWN = 25  # problems kept per check


def _number(n: float) -> str:
    return f"{int(round(n)):,}".replace(",", ".")


def _inhabitants(inwoners: pd.DataFrame) -> dict[str, dict[int, int]]:
    out: dict[str, dict[int, int]] = {}
    for g, jaar, n in zip(inwoners["gemeente"], inwoners["jaar"], inwoners["inwoners"]):
        out.setdefault(str(g), {})[int(jaar)] = int(n)
    return out


def inhabitants_in(table: dict[int, int], year: int) -> tuple[int, int] | None:
    """(year of the figure, inhabitants) for `year`: that year's figure, else the latest before it,
    else the earliest after it; None without any."""
    if not table:
        return None
    before = [y for y in table if y <= year]
    y = max(before) if before else min(table)
    return y, table[y]


def check_clients(records, inwoners: pd.DataFrame, share: float, vanaf: int) -> list[Problem]:
    """Unique clients per gemeente, wet (voorzieningen) or bijstand (uitkeringen) and year from
    `vanaf`, against the inhabitants and `share` of them. One query per kind finds the clients over
    all years (an upper bound of every year); only a gemeente whose total exceeds its limit is
    counted per year, one year at a time (memory: the clients of one year)."""
    people = _inhabitants(inwoners)
    problems: list[Problem] = []
    con = records.con
    for soort, wet in (("voorzieningen", "wet"), ("uitkeringen", "'Bijstand'")):
        if soort not in records:
            continue
        totals = con.execute(f"""
            SELECT gemeente, wet, count(*) AS clienten
            FROM (SELECT DISTINCT gemeente, {wet} AS wet, client FROM {soort} WHERE einddatum IS NULL OR year(einddatum) >= ?)
            GROUP BY ALL ORDER BY ALL
        """, [vanaf]).fetchall()
        for gemeente, label, clients in totals:
            table = people.get(gemeente) or {}
            if not table or clients <= share * min(table.values()):
                continue
            first, last = con.execute(f"SELECT min(year(startdatum)), max(year(startdatum)) FROM {soort} "
                                      f"WHERE gemeente = ? AND {wet} = ?", [gemeente, label]).fetchone()
            years = range(max(first, vanaf), last + 1)  # open-ended provisions run on to the last start
            for year in years:
                found = inhabitants_in(table, int(year))
                if found is None:
                    continue
                inw_year, inw = found
                n = con.execute(f"""
                    SELECT count(*) FROM (SELECT DISTINCT client FROM {soort}
                    WHERE gemeente = ? AND {wet} = ? AND startdatum <= ? AND (einddatum IS NULL OR einddatum >= ?))
                """, [gemeente, label, dt.date(int(year), 12, 31), dt.date(int(year), 1, 1)]).fetchone()[0]
                if n <= share * inw:
                    continue
                files = [r[0] for r in con.execute(f"SELECT DISTINCT bestand FROM {soort} WHERE gemeente = ? AND {wet} = ? "
                                                   "ORDER BY bestand", [gemeente, label]).fetchall()]
                what = f"unieke cliënten {label}" if soort == "voorzieningen" else "unieke personen met bijstand"
                where = f"{_number(inw)} inwoners van {gemeente} in {inw_year} (data/inwoners.csv)"
                if n > inw:
                    text = (f"{gemeente}, periode {year}: {_number(n)} {what}, meer dan de {where}. Staat de gemeentecode "
                            "goed, of bevat de export ook cliënten van andere gemeenten? Er is niets berekend")
                else:
                    text = (f"{gemeente}, periode {year}: {_number(n)} {what}, {n / inw:.0%} van de {where}; meer dan het "
                            f"maximum van {share:.0%} (params/registraties.yml: {CONFIG_KEY}). Controleer de export; klopt "
                            "het toch, verhoog dan dat maximum. Er is niets berekend")
                problems += [Problem(f, None, "client", text) for f in files]
                if len(problems) >= SHOWN:
                    return problems
    return problems


EVENT_COLUMN = {"voorzieningen": "startdatum", "uitkeringen": "startdatum", "aanvragen": "datum_ontvangst", "klachten": "datum"}


def check_existence(records, events: pd.DataFrame, historie_file: str) -> list[Problem]:
    """Records that start (a provision, a benefit, an application, a complaint) before their
    gemeente existed or on or after the day it was dissolved (boundary_events of
    data/gemeente-historie.csv): they belong to another gemeentelijke indeling."""
    problems: list[Problem] = []
    if events is None or events.empty:
        return problems
    for ev in events.itertuples(index=False):
        if ev.soort not in ("ontstaan", "opgeheven"):
            continue
        day = ev.datum if isinstance(ev.datum, dt.date) else pd.Timestamp(ev.datum).date()
        for soort, column in EVENT_COLUMN.items():
            if soort not in records:
                continue
            op = "<" if ev.soort == "ontstaan" else ">="
            rows = records.con.execute(f"""
                SELECT bestand, rij, count(*) OVER () FROM {soort} WHERE gemeente = ? AND {column} {op} ?
                ORDER BY bestand, rij LIMIT {SHOWN}
            """, [ev.code, day]).fetchall()
            for bestand, rij, _ in rows:
                if ev.soort == "ontstaan":
                    text = (f"{column} ligt voor {day.isoformat()}, de dag waarop {ev.code} ontstond ({historie_file}); dit "
                            "hoort bij de toenmalige gemeente. Lever het onder de code van die gemeente, of zet de datum op de "
                            f"dag van de overdracht ({day.isoformat()}) als de nieuwe gemeente het heeft overgenomen")
                else:
                    text = (f"{column} ligt op of na {day.isoformat()}, de dag waarop {ev.code} is opgeheven ({historie_file}); "
                            "lever het onder de code van de opvolger")
                problems.append(Problem(bestand, int(rij), column, text))
            if rows and rows[0][2] > len(rows):
                problems.append(Problem(rows[0][0], None, column, f"en nog {rows[0][2] - len(rows)} regels van {ev.code} met "
                                        f"een {column} {'voor' if ev.soort == 'ontstaan' else 'op of na'} {day.isoformat()}"))
    return problems


_PER = re.compile(r"^per ([\d.]+) ")


def rate_base(eenheid: str) -> int | None:
    """1000 for 'per 1.000 inwoners', 100000 for 'per 100.000 inwoners', else None."""
    m = _PER.match(str(eenheid or ""))
    return int(m.group(1).replace(".", "")) if m else None


def check_rates(observaties: pd.DataFrame, catalogue, dims: list[str]) -> list[Problem]:
    """A rate above 1.000 per 1.000 (or N per N): for every 'per N' indicator, its numerator
    (teller, delivered or derived) above its denominator (noemer) for the same gemeente and year
    (totals, without breakdown; the denominator of a quarter or half-year is its year's). Rates
    themselves are never delivered (the contract refuses them): they are computed from these two."""
    problems: list[Problem] = []
    if observaties.empty:
        return problems
    total = observaties[observaties[dims].isna().all(axis=1)] if dims else observaties
    total = total[total["waarde_status"] == "waarde"]
    for ind in catalogue:
        base = rate_base(ind.eenheid)
        if base is None:
            continue
        if not ind.teller or not ind.noemer:
            continue
        teller = total[total["indicator"] == ind.teller][["gemeente", "periode", "waarde", "bestand", "rij"]]
        noemer = total[total["indicator"] == ind.noemer][["gemeente", "periode", "waarde"]]
        if teller.empty or noemer.empty:
            continue
        teller = teller.assign(jaar=teller["periode"].str[:4])
        noemer = noemer[noemer["periode"].str.fullmatch(r"\d{4}")].rename(columns={"periode": "jaar", "waarde": "noemer"})
        both = teller.merge(noemer, on=["gemeente", "jaar"])
        for rec in both[both["waarde"] > both["noemer"]].head(SHOWN).itertuples(index=False):
            problems.append(Problem(rec.bestand, int(rec.rij) or None, "waarde",
                                    f"{ind.teller} voor {rec.gemeente}, periode {rec.periode}: {_number(rec.waarde)}, meer dan "
                                    f"{ind.noemer} in {rec.jaar} ({_number(rec.noemer)}); {ind.id} zou boven {_number(base)} "
                                    f"{ind.eenheid} uitkomen. Controleer beide cijfers (gemeentecode, periode, eenheid)"))
    return problems
