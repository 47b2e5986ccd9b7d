"""Indicators derived from record-level registrations, by named and versioned definitions.

Each definition says in Dutch how records become a count, and computes it for every gemeente and
every quarter, half-year and year from params/registraties.yml `vanaf` up to the gemeente's
peildatum. A gemeente that switched definition keeps its history in params/registraties.yml; the
store then holds the newest definition for all periods (one consistent series) and, for the
periods of each older definition, both values side by side (table `definitievergelijking`).

Disclosure control (disclosure.protect) is applied here, before anything is stored: no exact
small count from the registrations reaches the store, a notebook or a page.

Conventions of every definition (docs/data-contract.md, "Registraties"):
- a period runs from its first to its last day; a period that ends after the peildatum is
  counted up to the peildatum and marked voorlopig;
- an empty end date means 'still running' (up to the peildatum);
- unique counts are distinct pseudonymised clients, so a year is not the sum of its quarters.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from sdrapport.indicators.disclosure import protect
from sdrapport.errors import Problem, resource_error
from sdrapport.inputs.params import ParamsError, problem_at
from sdrapport.periods import Period
from sdrapport.inputs.registrations import BEEINDIGD_INDICATOREN, BRON_SOORT, WETTEN, Config
from sdrapport.indicators.batches import RUNNING, per_period

ZWAARTE_RANG = {"licht": 1, "middel": 2, "zwaar": 3}
VERWIJZER_COMBINATIES = ("Alleen gemeente", "Gemeente en anderen", "Alleen anderen")


@dataclass(frozen=True)
class Definitie:
    naam: str
    versie: int
    titel: str
    uitleg: str
    indicatoren: tuple[str, ...]

    @property
    def code(self) -> str:
        return f"{self.naam}/{self.versie}"


DEFINITIES = {d.code: d for d in (
    Definitie(
        "zorgperiode", 2, "Zorgperiode",
        "Een cliënt telt mee in elke periode die (deels) ligt tussen de startdatum en de einddatum van een "
        "voorziening; zonder einddatum loopt de voorziening door tot de peildatum. Een cliënt met meer "
        "voorzieningen telt één keer per periode, dus het jaarcijfer is geen optelsom van de kwartalen. "
        "Naar zwaarte telt een cliënt bij de zwaarste voorziening in de periode; naar verwijzer bij de "
        "combinatie van verwijzers (alleen gemeente, gemeente en anderen, alleen anderen; zonder verwijzer telt als "
        "ander, een onbekende verwijzer niet: wie alleen die heeft, telt bij onbekend); naar categorie "
        "in elke categorie die hij had. Met een pgb telt een cliënt die in de periode ten minste één "
        "voorziening als persoonsgebonden budget had.",
        ("wmo_clienten", "jeugd_jongeren", "jeugd_pgb")),
    Definitie(
        "voorzieningperiode", 1, "Voorzieningen in de periode",
        "Een voorziening telt mee in elke periode die (deels) ligt tussen haar startdatum en einddatum; zonder "
        "einddatum loopt ze door tot de peildatum. Elke voorziening telt één keer per periode, dus het jaarcijfer "
        "is geen optelsom van de kwartalen. Naar verwijzer: de gemeente of een andere wettelijke verwijzer "
        "(huisarts, jeugdarts, gecertificeerde instelling, medisch specialist, rechter, overig) of onbekend.",
        ("jeugd_voorzieningen",)),
    Definitie(
        "toegewezen_budget", 1, "Toegewezen budget",
        "Een cliënt telt mee in de perioden waarin budget voor zijn voorziening is toegewezen. Voorzieningen "
        "waarvan het hele budget bij de start wordt geboekt (params/registraties.yml, eenmalig_geboekt; "
        "bijvoorbeeld ambulante jeugdhulp) tellen alleen in de periode waarin ze starten, andere in elke "
        "periode waarin ze lopen. Zorg die doorloopt na de startperiode telt daardoor niet mee.",
        ("wmo_clienten", "jeugd_jongeren")),
    Definitie(
        "lopend_na_periode", 1, "Stand na afloop van de periode",
        "Het aantal dat na de laatste dag van de periode nog loopt: gestart op of voor die dag, einddatum leeg "
        "of later. Zo geldt: stand vorige periode + instroom - uitstroom = stand. Personen en huishoudens "
        "tellen één keer; re-integratievoorzieningen tellen per voorziening.",
        ("reintegratie", "bijstand_personen", "bijstand_huishoudens")),
    Definitie(
        "instroom_uitstroom", 1, "Instroom en uitstroom",
        "Instroom: personen met een uitkering die in de periode startte. Uitstroom: personen van wie een "
        "uitkering in de periode eindigde, naar reden van beëindiging. Een persoon telt één keer per periode.",
        ("bijstand_instroom", "bijstand_uitstroom")),
    Definitie(
        "beslistermijn", 1, "Besluit binnen de wettelijke termijn",
        "Aanvragen waarop in de periode is beslist, plus aanvragen die aan het eind van de periode nog "
        "openstonden terwijl de wettelijke termijn (params/registraties.yml, termijn_weken) al verstreken was; "
        "die tellen als te laat. Tijdig is een besluit uiterlijk op de laatste dag van de termijn. "
        "Ingetrokken aanvragen tellen niet mee.",
        ("aanvragen_beslist", "aanvragen_tijdig")),
    Definitie(
        "beeindigd", 1, "Beëindigde voorzieningen",
        "Voorzieningen (trajecten) waarvan de einddatum in de periode ligt, naar de reden van beëindiging in de "
        "registratie; een voorziening telt per productregel, een geplande einddatum na de peildatum telt niet. "
        "Alleen voor gemeenten waarvan de export een reden van beëindiging bevat (kolom reden_einde); een beëindigde "
        "voorziening zonder reden telt bij Overig.",
        BEEINDIGD_INDICATOREN),
    Definitie(
        "klacht_ontvangen", 1, "Klachten naar datum van ontvangst",
        "Klachten die in de periode zijn ontvangen, naar norm; afgehandeld zijn de klachten waarover al is "
        "beslist, gegrond de klachten die (deels) gegrond zijn verklaard. Het aandeel gegronde klachten is "
        "berekend over de afgehandelde klachten.",
        ("klachten", "klachten_afgehandeld", "klachten_gegrond")),
    Definitie(
        "twee_voorzieningen", 1, "Stapeling binnen de Wmo",
        "Cliënten die in de periode precies twee verschillende Wmo-voorzieningen hadden (naar categorie, "
        "lopend in de periode zoals bij de zorgperiode), geteld onder de combinatie van die twee; elke "
        "cliënt staat bij één combinatie, dus de combinaties tellen op tot het totaal.",
        ("wmo_stapeling",)),
)}

# The standard definition of each derived indicator (the newest version of its first definition).
STANDAARD = {ind: code for code, d in reversed(list(DEFINITIES.items())) for ind in d.indicatoren}
STANDAARD.update({"wmo_clienten": "zorgperiode/2", "jeugd_jongeren": "zorgperiode/2"})

# The catalogue breakdown a record's categorie becomes, per indicator.
CATEGORIE_KOLOM = {"wmo_clienten": "productcategorie", "jeugd_jongeren": "categorie", "reintegratie": "voorziening"}
# Breakdowns whose values add up to the total (each record or client in exactly one value); used
# for secondary suppression. Categories of unique clients do not: a client can have several. A
# cross-classification ('verwijzer|zwaarte') adds up to each of its margins.
OPTELBAAR = {"zwaarte", "verwijzer", "norm", "reden", "voorziening", "wet", "wmo_combinatie"}
# Flows add up over time: the quarters make the half-year and the year.
STROOM = {"bijstand_instroom", "bijstand_uitstroom", "klachten", "klachten_afgehandeld", "klachten_gegrond",
          "wmo_trajecten_beeindigd", "jeugd_trajecten_beeindigd"}
# Reason of a provision that ended without one in the export (the catalogue's last reason).
OVERIG_REDEN = {"wmo": "Overig/onbekend", "jeugd": "Overig"}
# Pairs whose difference is itself a count of people (late decisions, complaints not upheld,
# complaints pending): published together they may not reveal a small difference.
VERSCHILLEN = (("aanvragen_beslist", "aanvragen_tijdig"), ("klachten", "klachten_afgehandeld"),
               ("klachten_afgehandeld", "klachten_gegrond"))
# Stock and flows: stock before + inflow - outflow = stock after (persons).
BALANS = ("bijstand_personen", "bijstand_instroom", "bijstand_uitstroom")


@dataclass(frozen=True)
class Geldigheid:
    """One definition in a gemeente's history: in force up to and including `tot` (None = now)."""

    definitie: Definitie
    tot: dt.date | None


# A one-off booking (a product paid at once) counts only in the period it starts in.
ONCE_ONLY = ("AND (v.startdatum >= p.begin OR (lower(v.categorie) NOT IN (SELECT categorie FROM eenmalig) "
             "AND lower(coalesce(v.product, '')) NOT IN (SELECT categorie FROM eenmalig)))")

def history(config: Config, gemeente: str, indicator: str) -> list[Geldigheid]:
    """The gemeente's definitions of an indicator, oldest first; the last is the one in force."""
    raw = (config.gemeente(gemeente).get("definities") or {}).get(indicator)
    where = ("gemeenten", gemeente, "definities", indicator)
    if not raw:
        return [Geldigheid(DEFINITIES[STANDAARD[indicator]], None)]
    if not isinstance(raw, list):
        raw = [{"definitie": raw}] if isinstance(raw, str) else [raw]
    out, previous = [], None
    for i, entry in enumerate(raw):
        code = str(entry.get("definitie", "")) if isinstance(entry, dict) else str(entry)
        d = DEFINITIES.get(code)
        if d is None or indicator not in d.indicatoren:
            options = ", ".join(c for c, x in DEFINITIES.items() if indicator in x.indicatoren)
            raise ParamsError([problem_at(config.path, where, f"definitie {code!r} bestaat niet voor {indicator}; kies uit {options}")])
        tot = entry.get("tot") if isinstance(entry, dict) else None
        if tot is not None and not isinstance(tot, dt.date):
            try:
                tot = dt.date.fromisoformat(str(tot))
            except ValueError:
                raise ParamsError([problem_at(config.path, where, f"tot {tot!r} is geen datum (JJJJ-MM-DD)")]) from None
        last = i == len(raw) - 1
        if last and tot is not None:
            raise ParamsError([problem_at(config.path, where, "de laatste definitie is de huidige en heeft geen 'tot'")])
        if not last and tot is None:
            raise ParamsError([problem_at(config.path, where, f"definitie {code} heeft een 'tot' nodig (de laatste dag dat ze gold)")])
        if previous is not None and tot is not None and tot <= previous:
            raise ParamsError([problem_at(config.path, where, "de 'tot'-datums moeten oplopen")])
        previous = tot or previous
        out.append(Geldigheid(d, tot))
    return out


# -- periods --------------------------------------------------------------------------------------
EVENT_COLUMNS = (("voorzieningen", ("startdatum",)), ("uitkeringen", ("startdatum",)),
                 ("aanvragen", ("datum_ontvangst", "datum_besluit")), ("klachten", ("datum",)))


def latest_events(records) -> dict[str, dt.date]:
    """Per gemeente the day of the latest event in its exports (a start, receipt, decision or
    complaint; planned end dates lie in the future and do not count)."""
    parts = [f"SELECT gemeente, max({c}) AS d FROM {soort} GROUP BY gemeente"
             for soort, cols in EVENT_COLUMNS if soort in records for c in cols]
    if not parts:
        return {}
    rows = records.con.execute(f"SELECT gemeente, max(d) FROM ({' UNION ALL '.join(parts)}) GROUP BY gemeente ORDER BY gemeente").fetchall()
    return {g: d for g, d in rows if d is not None}


FIRST_EVENT = {"voorzieningen": "startdatum", "uitkeringen": "startdatum", "aanvragen": "datum_ontvangst", "klachten": "datum"}


def coverage_starts(records, config: Config) -> dict[tuple, dt.date]:
    """Per (gemeente, kind, wet) the first day the exports cover: the gemeente's own `vanaf` in
    params/registraties.yml (gemeenten.<code>.vanaf, the day its exports are complete from), else
    the first day of the quarter of its first record of that kind (of that wet, for voorzieningen).
    A period that begins before it is not computed, so it shows as unknown ('?'), never as 0 or as a
    count of part of the period: an export that begins in July 2020 says nothing about the first
    half of 2020, nor about the year 2020 as a whole."""
    out = {}
    for soort, column in FIRST_EVENT.items():
        if soort not in records:
            continue
        by_wet = "wet" if soort == "voorzieningen" else "NULL"
        for g, wet, first in records.con.execute(
                f"SELECT gemeente, {by_wet}, min({column}) FROM {soort} GROUP BY ALL ORDER BY ALL").fetchall():
            own = config.gemeente_vanaf(g)
            out[(g, soort, wet)] = own if own is not None else dt.date(first.year, 3 * ((first.month - 1) // 3) + 1, 1)
    return out


def covered(grid: pd.DataFrame, starts: dict[tuple, dt.date], soort: str, wet: str | None) -> pd.DataFrame:
    """The periods of `grid` that begin on or after the start of the gemeente's exports of this kind."""
    label = WETTEN[wet] if wet is not None and soort == "voorzieningen" else None
    first = grid["gemeente"].map(lambda g: starts.get((g, soort, label)))
    keep = first.isna() | (pd.to_datetime(grid["begin"]) >= pd.to_datetime(first))
    return grid[keep.to_numpy()]


def peildatum(latest: dict[str, dt.date], gemeente: str, config: Config) -> dt.date | None:
    """The day up to which the gemeente's exports are complete: params (gemeenten.<code>.peildatum,
    the export date), else the day of the latest event in them (`latest_events`). A period that
    ends after it is counted up to it and is voorlopig."""
    return config.peildatum(gemeente) or latest.get(gemeente)


def periods_frame(gemeente: str, vanaf: int, peil: dt.date) -> pd.DataFrame:
    """Every quarter, half-year, year and year to date September (T3) from 1 January of `vanaf`
    that started by the peildatum,
    with the last day counted (`eind`: the period's end or the peildatum) and its status."""
    rows = []
    for year in range(vanaf, peil.year + 1):
        # T3 (January to September) is the dashboard's year to date after the third quarter.
        for p in [Period(year), *(Period(year, "H", n) for n in (1, 2)), *(Period(year, "Q", n) for n in range(1, 5)),
                  Period(year, "T", 3)]:
            if p.start > peil:
                continue
            rows.append({"gemeente": gemeente, "periode": p.code, "begin": p.start, "eind": min(p.end, peil),
                         "status": "voorlopig" if p.end > peil else "definitief"})
    return pd.DataFrame(rows)


# -- the calculations ----------------------------------------------------------------------------
def _unique_clients(con, definitie: Definitie, wet: str, eenmalig: list[str]) -> pd.DataFrame:
    budget = definitie.naam == "toegewezen_budget"
    con.execute("CREATE OR REPLACE TABLE eenmalig AS SELECT lower(unnest(?::VARCHAR[])) AS categorie",
                [eenmalig if budget else []])
    # The provisions running in the period, joined rather than materialised: for ten million
    # records the pairs (provision, period) would not fit in memory. Distinct clients are counted in
    # two steps (GROUP BY client, then count), one period at a time (per_period).
    hits = f"""
        SELECT v.gemeente, p.periode, v.client, v.categorie,
               CASE v.zwaarte WHEN 'licht' THEN 1 WHEN 'middel' THEN 2 WHEN 'zwaar' THEN 3 END AS zrang,
               v.verwijzer = 'Gemeente' AS via_gemeente,
               v.verwijzer IS NOT NULL AND v.verwijzer NOT IN ('Gemeente', 'Onbekend') AS via_ander,
               v.financiering = 'pgb' AS pgb
        FROM voorzieningen v JOIN perioden_batch p
          ON v.gemeente = p.gemeente AND v.startdatum <= p.eind AND (v.einddatum IS NULL OR v.einddatum >= p.begin)
        WHERE v.wet = $wet
          {ONCE_ONLY if budget else ""}
    """
    return per_period(con, f"""
        WITH per_client AS (
            SELECT gemeente, periode, client, max(zrang) AS zr, bool_or(via_gemeente) AS g, bool_or(via_ander) AS a,
                   bool_or(pgb) AS pgb
            FROM ({hits}) GROUP BY gemeente, periode, client),
        per_categorie AS (SELECT DISTINCT gemeente, periode, categorie, client FROM ({hits}))
        SELECT gemeente, periode, NULL AS dim, NULL AS dimwaarde, count(*) AS waarde FROM per_client GROUP BY ALL
        UNION ALL
        SELECT gemeente, periode, 'zwaarte', CASE zr WHEN 1 THEN 'licht' WHEN 2 THEN 'middel' WHEN 3 THEN 'zwaar' ELSE 'onbekend' END,
               count(*) FROM per_client GROUP BY ALL
        UNION ALL
        SELECT gemeente, periode, 'verwijzer',
               CASE WHEN g AND a THEN 'Gemeente en anderen' WHEN g THEN 'Alleen gemeente' WHEN a THEN 'Alleen anderen' ELSE 'Onbekend' END,
               count(*) FROM per_client GROUP BY ALL
        UNION ALL
        SELECT gemeente, periode, 'categorie', categorie, count(*) FROM per_categorie GROUP BY ALL
        UNION ALL
        SELECT gemeente, periode, 'pgb', NULL, count(*) FILTER (WHERE pgb) FROM per_client GROUP BY gemeente, periode
        ORDER BY ALL
    """, {"wet": WETTEN[wet]})


def _provisions_in_period(con, wet: str) -> pd.DataFrame:
    """Provisions running in each period (voorzieningperiode/1), in total, by zwaarte, by verwijzer
    (the gemeente or another legal referrer) and by both (dim 'verwijzer|zwaarte')."""
    return con.execute("""
        WITH hits AS (
            SELECT v.gemeente, p.periode, coalesce(v.zwaarte, 'onbekend') AS zwaarte,
                   CASE WHEN v.verwijzer IS NULL OR v.verwijzer = 'Onbekend' THEN 'Onbekend' WHEN v.verwijzer = 'Gemeente' THEN 'Gemeente'
                        ELSE 'Niet-gemeente' END AS verwijzer
            FROM voorzieningen v JOIN perioden p
              ON v.gemeente = p.gemeente AND v.startdatum <= p.eind AND (v.einddatum IS NULL OR v.einddatum >= p.begin)
            WHERE v.wet = ?)
        SELECT gemeente, periode, NULL AS dim, NULL AS dimwaarde, count(*) AS waarde FROM hits GROUP BY ALL
        UNION ALL SELECT gemeente, periode, 'zwaarte', zwaarte, count(*) FROM hits GROUP BY ALL
        UNION ALL SELECT gemeente, periode, 'verwijzer', verwijzer, count(*) FROM hits GROUP BY ALL
        UNION ALL SELECT gemeente, periode, 'verwijzer|zwaarte', verwijzer || '|' || zwaarte, count(*) FROM hits GROUP BY ALL
        ORDER BY ALL
    """, [WETTEN[wet]]).df()


def _running_provisions(con, wet: str) -> pd.DataFrame:
    """Provisions running after the last day of each period, in total and per categorie."""
    return con.execute("""
        SELECT v.gemeente, p.periode, CASE WHEN GROUPING(v.categorie) = 0 THEN 'categorie' END AS dim,
               v.categorie AS dimwaarde, count(*) AS waarde
        FROM voorzieningen v JOIN perioden p
          ON v.gemeente = p.gemeente AND v.startdatum <= p.eind AND (v.einddatum IS NULL OR v.einddatum > p.eind)
        WHERE v.wet = ?
        GROUP BY GROUPING SETS ((v.gemeente, p.periode), (v.gemeente, p.periode, v.categorie))
        ORDER BY ALL
    """, [WETTEN[wet]]).df()


def _ended_provisions(con, wet: str) -> pd.DataFrame:
    """Provisions whose end date lies in the period, in total and per reason (beeindigd/1)."""
    return con.execute("""
        SELECT v.gemeente, p.periode, CASE WHEN GROUPING(reden) = 0 THEN 'reden' END AS dim, reden AS dimwaarde,
               count(*) AS waarde
        FROM (SELECT *, coalesce(reden_einde, $overig) AS reden FROM voorzieningen WHERE wet = $wet) v
        JOIN perioden p ON v.gemeente = p.gemeente AND v.einddatum BETWEEN p.begin AND p.eind
        GROUP BY GROUPING SETS ((v.gemeente, p.periode), (v.gemeente, p.periode, reden))
        ORDER BY ALL
    """, {"wet": WETTEN[wet], "overig": OVERIG_REDEN[wet]}).df()


def _benefits(con) -> dict[str, pd.DataFrame]:
    # Distinct persons and households in two steps (DISTINCT, then count), one period at a time.
    stand = per_period(con, soort="uitkeringen", query="""
        WITH lopend AS (
            SELECT u.gemeente, p.periode, u.client, u.huishouden
            FROM uitkeringen u JOIN perioden_batch p
              ON u.gemeente = p.gemeente AND u.startdatum <= p.eind AND (u.einddatum IS NULL OR u.einddatum > p.eind)),
        personen AS (SELECT gemeente, periode, count(*) AS personen FROM (SELECT DISTINCT gemeente, periode, client FROM lopend) GROUP BY ALL),
        huishoudens AS (SELECT gemeente, periode, count(*) AS huishoudens FROM (SELECT DISTINCT gemeente, periode, huishouden FROM lopend) GROUP BY ALL)
        SELECT gemeente, periode, personen, huishoudens FROM personen JOIN huishoudens USING (gemeente, periode)
        ORDER BY gemeente, periode
    """)
    instroom = per_period(con, soort="uitkeringen", query="""
        SELECT gemeente, periode, NULL AS dim, NULL AS dimwaarde, count(*) AS waarde
        FROM (SELECT DISTINCT u.gemeente, p.periode, u.client
              FROM uitkeringen u JOIN perioden_batch p ON u.gemeente = p.gemeente AND u.startdatum BETWEEN p.begin AND p.eind)
        GROUP BY ALL ORDER BY ALL
    """)
    uitstroom = per_period(con, soort="uitkeringen", query="""
        WITH uit AS (
            SELECT DISTINCT u.gemeente, p.periode, coalesce(u.reden_einde, 'Onbekend') AS reden, u.client
            FROM uitkeringen u JOIN perioden_batch p ON u.gemeente = p.gemeente AND u.einddatum BETWEEN p.begin AND p.eind)
        SELECT gemeente, periode, NULL AS dim, NULL AS dimwaarde, count(DISTINCT client) AS waarde FROM uit GROUP BY ALL
        UNION ALL
        SELECT gemeente, periode, 'reden', reden, count(*) FROM uit GROUP BY ALL
        ORDER BY ALL
    """)
    out_total = uitstroom[uitstroom["dim"].isna()]
    out_parts = uitstroom[uitstroom["dim"].notna()]

    def stock(col: str) -> pd.DataFrame:
        return stand.rename(columns={col: "waarde"})[["gemeente", "periode", "waarde"]].assign(dim=None, dimwaarde=None)

    return {
        "bijstand_personen": stock("personen"), "bijstand_huishoudens": stock("huishoudens"),
        "bijstand_instroom": instroom, "bijstand_uitstroom": pd.concat([out_total, out_parts], ignore_index=True),
    }


def _timeliness(con, termijn_weken: dict[str, int]) -> dict[str, pd.DataFrame]:
    con.execute("CREATE OR REPLACE TABLE termijnen AS SELECT * FROM (VALUES "
                + ", ".join(f"('{WETTEN[w]}', {int(n) * 7})" for w, n in termijn_weken.items()) + ") t(wet, dagen)")
    frame = con.execute("""
        WITH a AS (
            SELECT a.gemeente, a.wet, a.datum_ontvangst, a.datum_besluit,
                   a.datum_ontvangst + t.dagen * INTERVAL 1 DAY AS uiterlijk
            FROM aanvragen a JOIN termijnen t ON a.wet = t.wet
            WHERE a.uitkomst IS DISTINCT FROM 'Ingetrokken')
        SELECT a.gemeente, p.periode, a.wet AS dimwaarde,
               count(*) FILTER (WHERE a.datum_besluit BETWEEN p.begin AND p.eind
                                   OR ((a.datum_besluit IS NULL OR a.datum_besluit > p.eind) AND a.uiterlijk < p.eind)) AS beslist,
               count(*) FILTER (WHERE a.datum_besluit BETWEEN p.begin AND p.eind AND a.datum_besluit <= a.uiterlijk) AS tijdig
        FROM a JOIN perioden p
          ON a.gemeente = p.gemeente AND a.datum_ontvangst <= p.eind AND (a.datum_besluit IS NULL OR a.datum_besluit >= p.begin)
        GROUP BY GROUPING SETS ((a.gemeente, p.periode), (a.gemeente, p.periode, a.wet))
        ORDER BY ALL
    """).df()
    frame["dim"] = frame["dimwaarde"].map(lambda v: None if v is None or v != v else "wet")
    return {"aanvragen_beslist": frame.rename(columns={"beslist": "waarde"})[["gemeente", "periode", "dim", "dimwaarde", "waarde"]],
            "aanvragen_tijdig": frame.rename(columns={"tijdig": "waarde"})[["gemeente", "periode", "dim", "dimwaarde", "waarde"]]}


def _complaints(con) -> dict[str, pd.DataFrame]:
    frame = con.execute("""
        SELECT k.gemeente, p.periode, k.norm, count(*) AS klachten,
               count(*) FILTER (WHERE k.gegrond IS NOT NULL) AS afgehandeld,
               count(*) FILTER (WHERE k.gegrond IN ('ja', 'deels')) AS gegrond
        FROM klachten k JOIN perioden p ON k.gemeente = p.gemeente AND k.datum BETWEEN p.begin AND p.eind
        GROUP BY GROUPING SETS ((k.gemeente, p.periode), (k.gemeente, p.periode, k.norm))
        ORDER BY ALL
    """).df()
    frame["dim"] = frame["norm"].map(lambda v: None if v is None or v != v else "norm")
    frame["dimwaarde"] = frame["norm"]
    cols = ["gemeente", "periode", "dim", "dimwaarde", "waarde"]
    return {"klachten": frame.rename(columns={"klachten": "waarde"})[cols],
            "klachten_afgehandeld": frame.rename(columns={"afgehandeld": "waarde"})[cols],
            "klachten_gegrond": frame.rename(columns={"gegrond": "waarde"})[cols]}


def compute(con, indicator: str, definitie: Definitie, config: Config, cache: dict) -> pd.DataFrame:
    """Exact counts of one indicator by one definition: gemeente, periode, dim, dimwaarde, waarde."""
    soort, wet = BRON_SOORT[indicator]
    if definitie.naam in ("zorgperiode", "toegewezen_budget"):
        key = (definitie.code, wet)
        if key not in cache:
            cache[key] = _unique_clients(con, definitie, wet, config.eenmalig_geboekt)
        if indicator == "jeugd_pgb":  # the clients with a pgb, as a total of their own
            pgb = cache[key][cache[key]["dim"] == "pgb"]
            return pgb.assign(dim=None, dimwaarde=None)
        return cache[key][cache[key]["dim"] != "pgb"]
    if definitie.naam == "voorzieningperiode":
        return _provisions_in_period(con, wet)
    if indicator == "reintegratie":
        return _running_provisions(con, wet)
    if indicator == "wmo_stapeling":
        from sdrapport.indicators.wmo_combinations import pairs

        if ("paren", wet) not in cache:
            cache[("paren", wet)] = pairs(con, WETTEN[wet])
        return cache[("paren", wet)]
    if definitie.naam == "beeindigd":
        return _ended_provisions(con, wet)
    group = {"bijstand_personen": "uitkeringen", "bijstand_huishoudens": "uitkeringen", "bijstand_instroom": "uitkeringen",
             "bijstand_uitstroom": "uitkeringen", "aanvragen_beslist": "aanvragen", "aanvragen_tijdig": "aanvragen",
             "klachten": "klachten", "klachten_afgehandeld": "klachten", "klachten_gegrond": "klachten"}[indicator]
    if group not in cache:
        cache[group] = {"uitkeringen": _benefits, "klachten": _complaints,
                        "aanvragen": lambda c: _timeliness(c, config.termijn_weken)}[group](con)
    return cache[group][indicator]


def _complete(part: pd.DataFrame, perioden: pd.DataFrame) -> pd.DataFrame:
    """Zero for every period and breakdown value without records: in a registration, no record
    means none (0), not unknown ('?'). The values of a breakdown are those the gemeente has in any
    period."""
    part = part.astype({"dim": object, "dimwaarde": object})
    keys = part[["gemeente", "dim", "dimwaarde"]].drop_duplicates()
    totals = pd.DataFrame({"gemeente": perioden["gemeente"].unique(), "dim": None, "dimwaarde": None})
    keys = pd.concat([totals, keys], ignore_index=True).drop_duplicates()
    grid = perioden[["gemeente", "periode"]].merge(keys, on="gemeente")
    key = ["gemeente", "periode", "dim", "dimwaarde"]
    left = grid.fillna({"dim": "", "dimwaarde": ""})
    right = part[[*key, "waarde"]].fillna({"dim": "", "dimwaarde": ""})
    out = left.merge(right, on=key, how="left")
    out["waarde"] = out["waarde"].fillna(0).astype("int64")
    for c in ("dim", "dimwaarde"):
        out[c] = out[c].astype(object).where(out[c] != "", None)
    return out


# -- the whole derivation -------------------------------------------------------------------------
@dataclass
class Afgeleid:
    """What the registrations add to the store."""

    observaties: pd.DataFrame  # gemeente, periode, indicator, dim, dimwaarde, waarde, waarde_status, status, bron
    definities: pd.DataFrame  # gemeente, indicator, definitie, versie, titel, uitleg, tot, huidig
    vergelijking: pd.DataFrame  # gemeente, indicator, periode, dim, dimwaarde, definitie, waarde, waarde_status
    peildata: dict[str, dt.date]
    weggelaten: dict[str, int] = field(default_factory=dict)  # records dropped per kind (a provision delivered twice)
    soorten: dict[str, list[str]] = field(default_factory=dict)  # per gemeente the kinds of export it delivered
    methode: str = "cbs"  # disclosure control applied (params/registraties.yml: onthulling)
    drempel: int | None = None
    gelezen: list = field(default_factory=list)  # registraties.Gelezen per file (ingest report)


def derive(records, config: Config, catalogue) -> Afgeleid:
    """All derived indicators for all gemeenten in the registrations (registraties.Records),
    disclosure-controlled: what the store receives."""
    exact = derive_exact(records, config, catalogue)
    rules = {"additive": OPTELBAAR, "flows": STROOM, "differences": VERSCHILLEN, "balance": BALANS}
    observaties = protect(exact.observaties, config.methode, config.drempel, **rules)
    vergelijking = protect(exact.vergelijking, config.methode, config.drempel, **rules)
    return Afgeleid(observaties, exact.definities, vergelijking, exact.peildata, soorten=delivered_kinds(records),
                    methode=config.methode, drempel=config.drempel if config.methode == "drempel" else None)


def delivered_kinds(records) -> dict[str, list[str]]:
    """Per gemeente the kinds of export it delivered records of (voorzieningen, aanvragen, ...), in
    the contract's order: a page names its sources for exactly these."""
    out: dict[str, list[str]] = {}
    for soort in ("voorzieningen", "aanvragen", "uitkeringen", "klachten"):
        if soort not in records:
            continue
        for (g,) in records.con.execute(f"SELECT DISTINCT gemeente FROM {soort} ORDER BY gemeente").fetchall():
            out.setdefault(g, []).append(soort)
    return out


def _sources(records, indicator: str) -> list[str]:
    """The gemeenten whose exports feed an indicator: for provisions, those with records of its wet
    (a gemeente that exports only Wmo gets no jeugd figures, not zeros)."""
    soort, wet = BRON_SOORT[indicator]
    if soort not in records:
        return []
    where, params = ("WHERE wet = ?", [WETTEN[wet]]) if wet is not None else ("", [])
    if STANDAARD[indicator].startswith("beeindigd/"):
        where += " AND reden_einde IS NOT NULL"  # only exports that carry the reason of ending
    return [r[0] for r in records.con.execute(f"SELECT DISTINCT gemeente FROM {soort} {where} ORDER BY gemeente", params).fetchall()]


def check_definitions(config: Config) -> None:
    """Every indicator named under gemeenten.<code>.definities is one the registrations compute."""
    for code, settings in config.gemeenten.items():
        for indicator in ((settings or {}).get("definities") or {}):
            if indicator not in BRON_SOORT:
                raise ParamsError([problem_at(config.path, ("gemeenten", code, "definities", indicator),
                                              f"{indicator!r} wordt niet uit registraties berekend; kies uit {', '.join(BRON_SOORT)}")])


def derive_exact(records, config: Config, catalogue) -> Afgeleid:
    """The exact counts before disclosure control. Library-internal (tests check the definitions
    with it); everything published goes through `derive`. `records` is a registraties.Records:
    the records stay in its DuckDB database and only counts come out."""
    check_definitions(config)
    cols = ["gemeente", "periode", "indicator", "dim", "dimwaarde", "waarde", "definitie"]
    latest = latest_events(records)
    gemeenten = sorted(latest)
    peil = {g: peildatum(latest, g, config) for g in gemeenten}
    grids = [periods_frame(g, config.vanaf, d) for g, d in peil.items() if d and d.year >= config.vanaf]
    grids = [g for g in grids if len(g)]
    obs, defs, comp = [], [], []
    if grids:  # else every record lies before `vanaf`: nothing to count
        perioden = pd.concat(grids, ignore_index=True)
        status = perioden.set_index(["gemeente", "periode"])["status"]
        con = records.con
        con.register("perioden_df", perioden)
        con.execute("CREATE OR REPLACE TABLE perioden AS SELECT gemeente, periode, CAST(begin AS DATE) AS begin, "
                    "CAST(eind AS DATE) AS eind FROM perioden_df")
        con.unregister("perioden_df")
        for soort in RUNNING:  # the batches of per_period follow the periods
            con.execute(f"DROP TABLE IF EXISTS periode_batches_{soort}")
        cache: dict = {}
        starts = coverage_starts(records, config)
        for indicator in BRON_SOORT:
            bronnen = _sources(records, indicator)
            if not bronnen:
                continue
            grid = covered(perioden[perioden["gemeente"].isin(bronnen)], starts, *BRON_SOORT[indicator])
            allowed = set(catalogue[indicator].uitsplitsingen)
            histories = {g: history(config, g, indicator) for g in bronnen}
            counts = {}
            for d in sorted({h.definitie.code for hist in histories.values() for h in hist}):
                try:
                    part = compute(con, indicator, DEFINITIES[d], config, cache).copy()
                except Exception as exc:
                    res = resource_error(exc, f"bij het tellen van {indicator} ({d}) voor {_named(bronnen)}",
                                         str(records.folder.parent))
                    if res is None:
                        raise
                    raise res from exc
                part["dim"] = part["dim"].map(lambda v, ind=indicator: CATEGORIE_KOLOM.get(ind, v) if v == "categorie" else v)
                crossed = part["dim"].map(lambda dim, ok=allowed: isinstance(dim, str) and set(dim.split("|")) <= ok)
                part = part[(part["dim"].isna() | crossed) & part["gemeente"].isin(bronnen)]
                counts[d] = _complete(part, grid).assign(indicator=indicator)
            for g, hist in histories.items():
                defs += [{"gemeente": g, "indicator": indicator, "definitie": step.definitie.code,
                          "titel": step.definitie.titel, "uitleg": step.definitie.uitleg,
                          "tot": step.tot.isoformat() if step.tot else None, "huidig": step is hist[-1]} for step in hist]
                current = hist[-1].definitie.code
                obs.append(counts[current][counts[current]["gemeente"] == g].assign(definitie=current))
                start = None
                for step in hist[:-1]:  # the periods of each older definition: old and new side by side
                    for code in (step.definitie.code, current):
                        rows = counts[code][counts[code]["gemeente"] == g]
                        ps = rows["periode"].map(Period.parse)
                        keep = ps.map(lambda p, tot=step.tot, start=start: p.end <= tot and (start is None or p.start > start))
                        comp.append(rows[keep.to_numpy()].assign(definitie=code))
                    start = step.tot
    observaties = pd.concat(obs, ignore_index=True)[cols] if obs else pd.DataFrame(columns=cols)
    vergelijking = pd.concat(comp, ignore_index=True)[cols] if comp else pd.DataFrame(columns=cols)
    if len(observaties):
        observaties["status"] = [status.get((g, p), "definitief") for g, p in zip(observaties["gemeente"], observaties["periode"])]
        observaties["bron"] = observaties["gemeente"].map(config.bron_van)
    else:
        observaties = observaties.assign(status=pd.Series(dtype=object), bron=pd.Series(dtype=object))
    definities = pd.DataFrame(defs, columns=["gemeente", "indicator", "definitie", "titel", "uitleg", "tot", "huidig"])
    return Afgeleid(observaties.reset_index(drop=True), definities, vergelijking.reset_index(drop=True), peil)


def _named(gemeenten: list[str], shown: int = 3) -> str:
    """'GM0402, GM0505 en GM0518', or the first `shown` and how many more."""
    if len(gemeenten) <= shown:
        return gemeenten[0] if len(gemeenten) == 1 else ", ".join(gemeenten[:-1]) + " en " + gemeenten[-1]
    return ", ".join(gemeenten[:shown]) + f" en {len(gemeenten) - shown} andere gemeenten"


def as_observations(afgeleid: Afgeleid, dims: list[str], bestand: str) -> pd.DataFrame:
    """The derived counts in the store's observation layout (one column per breakdown)."""
    src = afgeleid.observaties
    # A cross-classification 'verwijzer|zwaarte' = 'Gemeente|licht' fills two breakdown columns.
    cells = [dict(zip(k.split("|"), str(v).split("|"))) if isinstance(k, str) else {} for k, v in zip(src["dim"], src["dimwaarde"])]
    out = pd.DataFrame({
        "gemeente": src["gemeente"], "periode": src["periode"], "indicator": src["indicator"],
        **{d: pd.Series([c.get(d) for c in cells], index=src.index, dtype=object) for d in dims},
        "waarde": src["waarde"].astype(float), "waarde_status": src["waarde_status"], "bron": src["bron"],
        "status": src["status"], "bestand": bestand, "rij": 0, "beveiligd": True,
    })
    return out


def overlapping_deliveries(delivered: pd.DataFrame, derived: pd.DataFrame, folder: str) -> list[Problem]:
    """Delivered observations of an indicator that the registrations also compute for the same
    gemeente and period: two sources for one figure, refused."""
    if delivered.empty or derived.empty:
        return []
    keys = derived[["gemeente", "periode", "indicator"]].drop_duplicates()
    clash = delivered.merge(keys, on=["gemeente", "periode", "indicator"])
    return [Problem(rec.bestand, int(rec.rij), "indicator",
                    f"{rec.indicator} voor {rec.gemeente} {rec.periode} wordt ook berekend uit de registraties in {folder}; "
                    "lever het cijfer op één manier aan: haal deze regel weg of de registraties van die gemeente")
            for rec in clash.head(25).itertuples(index=False)]

