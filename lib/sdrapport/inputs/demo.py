"""Deterministic generator of the demo data set: fictitious figures with plausible magnitudes.

Same code, same bytes: every random draw comes from a generator seeded with (SEED, gemeente code),
values are written with fixed formatting and rows in a fixed order. Adding a gemeente to
data/gemeenten.csv does not change the figures of the others.

All observations carry bron 'Demodata'; pages built from them show the banner
"Demodata: fictieve cijfers".
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sdrapport.periods import Period

SEED = 20240101
DEMO_BRON = "Demodata"
DEMO_LABEL = "Demodata, fictief"  # how source lines name it, so a fictitious figure is never mistaken for a real one
# 2021-2024 as the contract asks, plus 2019-2020 so that a dashboard for 2021-Q1 (seed 001) has its
# same-quarter-last-year comparison and eight quarters of trend.
YEARS = (2019, 2020, 2021, 2022, 2023, 2024)
# Inhabitants per gemeente and year: the real CBS figures of data/inwoners.csv (1 January 2023 and
# 2024) and, for earlier years, demo figures derived from them (demo_inwoners). Every demo figure is
# drawn relative to them. Filled by generate() from the inhabitants it is given.
INWONERS: dict[str, dict[int, int]] = {}
INWONERS_2024: dict[str, int] = {}
HUISHOUDENS_2024 = {"GM0505": 57_353}  # seed 002

LEEFTIJD_BEVOLKING = ("0-14", "15-24", "25-44", "45-64", "65+")
HUISHOUDTYPEN = ("Eenpersoonshuishouden", "Paar zonder kinderen", "Paar met kinderen", "Eenouderhuishouden", "Overig")
FINANCIERING = {"Alleen ZIN": 0.88, "Alleen PGB": 0.08, "Zowel PGB als ZIN": 0.04}
HOOFDCATEGORIE = {
    "Ondersteuning thuis": 0.38, "Hulp bij het huishouden": 0.36, "Hulpmiddelen en diensten": 0.46,
    "Verblijf en opvang": 0.03, "Overig": 0.02,
}
PRODUCTCATEGORIE = {
    "Hulp bij het huishouden": 0.36, "Begeleiding": 0.22, "Dagbesteding": 0.09, "Persoonlijke verzorging": 0.04,
    "Kortdurend verblijf": 0.01, "Woonvoorzieningen": 0.12, "Vervoersvoorzieningen": 0.21,
    "Vervoersdiensten": 0.25, "Rolstoelen": 0.10, "Beschermd wonen": 0.02, "Opvang": 0.01,
}
LEEFTIJD_WMO = {"0-17": 0.03, "18-64": 0.27, "65-74": 0.16, "75-84": 0.30, "85+": 0.24}
AANDEEL_VROUW = {"0-17": 0.42, "18-64": 0.55, "65-74": 0.60, "75-84": 0.65, "85+": 0.72}
REDENEN = {
    "Overlijden": 0.17, "Levering volgens plan beëindigd": 0.06, "Verhuizing naar andere gemeente": 0.03,
    "Eenzijdig door cliënt": 0.03, "Eenzijdig door aanbieder": 0.01, "Voortijdig in overeenstemming": 0.02,
    "Overig/onbekend": 0.68,
}
# Yearly cost per client of the category, EUR x 1.000 (Verblijf en opvang only in centrumgemeenten).
KOSTEN_PER_CLIENT = {
    "Ondersteuning thuis": 6.5, "Hulp bij het huishouden": 3.2, "Hulpmiddelen en diensten": 1.4,
    "Verblijf en opvang": 45.0, "Overig": 2.0,
}
# Demonstrations of the contract's missing-value states.
NIET_GELEVERD_WMO = {("GM0193", "2022-H1")}  # Zwolle delivered no Wmo figures for that half-year
ONBEKEND_FINANCIERING = {("GM0339", "2023-H2")}  # Renswoude: financing form unknown
KLEIN = 2_000  # below this many inhabitants, detailed Wmo breakdowns are not publishable

OBS_COLUMNS = ["gemeente", "periode", "indicator", "leeftijd", "geslacht", "huishoudtype", "financieringsvorm",
               "hoofdcategorie", "productcategorie", "reden", "taakveld", "begrotingsfase", "zwaarte", "verwijzer",
               "categorie", "voorziening", "aantal_wetten", "combinatie", "wet", "norm", "beleidsveld", "voorzieningsvorm",
               "eigendom", "begeleidingsvorm", "wmo_combinatie", "waarde", "bron", "status"]

ZWAARTE = {"licht": 0.55, "middel": 0.30, "zwaar": 0.15}
VERWIJZER = {"Alleen gemeente": 0.35, "Gemeente en anderen": 0.15, "Alleen anderen": 0.50}
JEUGD_CATEGORIE = {"Jeugdhulp zonder verblijf": 0.80, "Jeugdhulp met verblijf": 0.08, "Jeugdbescherming": 0.09, "Jeugdreclassering": 0.03}
JEUGD_KOSTEN = {"Jeugdhulp zonder verblijf": 6.0, "Jeugdhulp met verblijf": 55.0, "Jeugdbescherming": 9.0, "Jeugdreclassering": 5.0}
JEUGD_REDENEN = {"Beëindigd volgens plan": 0.74, "In overeenstemming": 0.08, "Eenzijdig door cliënt": 0.05,
                 "Eenzijdig door aanbieder": 0.03, "Externe omstandigheden": 0.04, "Overig": 0.06}
AOW = {"tot AOW-leeftijd": 0.88, "vanaf AOW-leeftijd": 0.12}
UITSTROOM = {"Werk": 0.33, "Verhuizing": 0.10, "Overig": 0.57}
REINTEGRATIE = {"Loonkostensubsidie": 0.22, "Jobcoach": 0.10, "Training/cursus/opleiding": 0.18,
                "Coaching naar werk of participatie": 0.30, "Vrijwilligerswerk": 0.08, "Beschut werk": 0.12}
WETTEN = ("Wmo", "Jeugdwet", "Participatiewet")
COMBINATIES = {"Alleen Wmo": (1, 0.50), "Alleen Jeugdwet": (1, 0.18), "Alleen Participatiewet": (1, 0.17),
               "Wmo en Jeugdwet": (2, 0.03), "Wmo en Participatiewet": (2, 0.07), "Jeugdwet en Participatiewet": (2, 0.04),
               "Wmo, Jeugdwet en Participatiewet": (3, 0.01)}
AANTAL_WETTEN = {1: "één wet", 2: "twee wetten", 3: "drie wetten"}
KLACHTNORMEN = {"Bejegening": 0.35, "Voortvarendheid": 0.30, "Informatievoorziening": 0.20, "Overig": 0.15}
TIJDIGHEID = {"Wmo": 0.93, "Jeugdwet": 0.88, "Participatiewet": 0.96}
# Iv3 taakvelden of the demo (scheme up to 2024) with lasten per inhabitant in euro and the share of baten.
IV3 = {"6.1": (60, 0.05), "6.2": (90, 0.0), "6.3": (330, 0.72), "6.4": (110, 0.0), "6.5": (70, 0.08),
       "6.6": (60, 0.02), "6.71": (330, 0.04), "6.72": (450, 0.01), "6.81": (90, 0.10), "6.82": (45, 0.0)}
ECHTE_IV3 = {("GM0164", 2024)}  # Hengelo 2024: real figures from its annual accounts (seed 004)
# Stapeling binnen de Wmo: clients with exactly two provisions, by the pair (share of those clients).
WMO_COMBINATIES = {
    "Hulp bij het huishouden + Vervoersdiensten": 0.17, "Vervoersdiensten + Vervoersvoorzieningen": 0.14,
    "Hulp bij het huishouden + Vervoersvoorzieningen": 0.11, "Begeleiding + Hulp bij het huishouden": 0.09,
    "Hulp bij het huishouden + Woonvoorzieningen": 0.08, "Rolstoelen + Vervoersdiensten": 0.07,
    "Vervoersdiensten + Woonvoorzieningen": 0.07, "Begeleiding + Dagbesteding": 0.06, "Rolstoelen + Vervoersvoorzieningen": 0.05,
    "Hulp bij het huishouden + Rolstoelen": 0.05, "Begeleiding + Vervoersdiensten": 0.04, "Dagbesteding + Vervoersdiensten": 0.03,
    "Hulp bij het huishouden + Persoonlijke verzorging": 0.02, "Begeleiding + Beschermd wonen": 0.02,
}
# Jeugd spending budgeted: unknown ('?') for the categories a gemeente did not budget separately
# (seed 002: Dordrecht budgets kinderbeschermingsmaatregelen and jeugdreclassering under others).
JEUGD_BEGROOT_ONBEKEND = ("Jeugdbescherming", "Jeugdreclassering")
GEZONDHEIDSMONITOR = (2020, 2022, 2024)  # survey years of the Gezondheidsmonitor in the demo


def all_periods() -> list[Period]:
    out = []
    for y in YEARS:
        out.append(Period(y))
        out += [Period(y, "H", n) for n in (1, 2)]
        out += [Period(y, "Q", n) for n in (1, 2, 3, 4)]
    return out


def _status(p: Period) -> str:
    # The latest half-year is still provisional, as in the GMSD publication cycle.
    return "voorlopig" if p.end > Period(2024, "H", 1).end else "definitief"


def _rng(code: str, purpose: int) -> np.random.Generator:
    return np.random.default_rng([SEED, int(code[2:]), purpose])


class _Writer:
    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, gemeente: str, periode: Period, indicator: str, waarde: str, **dims: str) -> None:
        row = dict.fromkeys(OBS_COLUMNS, "")
        row.update(dims)
        row.update(gemeente=gemeente, periode=periode.code, indicator=indicator, waarde=waarde,
                   bron=DEMO_BRON, status=_status(periode))
        self.rows.append(row)


def _int(x: float) -> str:
    return str(int(round(x)))


def _profile(code: str, inw: int | None = None) -> dict:
    """Fixed characteristics of a demo gemeente (by its inhabitants on 1 January 2024)."""
    r = _rng(code, 1)
    inw = INWONERS_2024[code] if inw is None else inw
    small = inw < 30_000
    share75 = float(np.clip(r.normal(0.095 + (0.025 if small else 0.0), 0.012), 0.06, 0.16))
    return {
        "share75": share75,
        "share15_74": float(np.clip(r.normal(0.74, 0.015), 0.68, 0.80)),
        "share0_17": float(np.clip(r.normal(0.19, 0.015), 0.14, 0.24)),
        "jeugd_rate": float(np.clip(r.normal(0.115, 0.008), 0.095, 0.135)),
        "bijstand_hh": float(np.clip(r.normal(0.058 if inw > 150_000 else 0.042, 0.006), 0.03, 0.07)),
        "schulden": float(np.clip(r.normal(0.09, 0.012), 0.05, 0.13)),
        "growth": float(r.normal(0.006, 0.003)),
        "hh_size": float(np.clip(r.normal(2.05 if inw > 150_000 else 2.25, 0.08), 1.8, 2.6)),
        "wmo_rate": float(32 + 330 * share75 + r.normal(0, 3)),  # clients per 1.000 inhabitants a year
        "ses": float(r.normal(0.0, 0.09)),
        "centrum": inw > 100_000,
        "age_mix": r.dirichlet(np.array([15, 12, 25, 27, 21]) * 8),
        "hh_mix": r.dirichlet(np.array([38, 28, 25, 7, 2]) * 10),
    }


def demo_inwoners(code: str, real: dict[int, int]) -> dict[int, int]:
    """Inhabitants for every demo year: the real figures where there are any, earlier years
    derived backwards from the earliest real one with the gemeente's demo growth rate."""
    first = min(real)
    prof = _profile(code, real[max(real)])
    r = _rng(code, 2)
    out = {}
    for y in YEARS:
        noise = 1 + r.normal(0, 0.001)
        out[y] = real[y] if y in real else int(round(real[first] / (1 + prof["growth"]) ** (first - y) * noise))
    return out


def inwoners_by_year(code: str) -> dict[int, int]:
    return INWONERS[code]


def _population(w: _Writer, code: str, inw: dict[int, int]) -> None:
    prof = _profile(code)
    r = _rng(code, 3)
    for y in YEARS:
        p = Period(y)
        total = inw[y]
        ages = np.round(prof["age_mix"] * total).astype(int)
        ages[-1] = total - ages[:-1].sum()
        for band, n in zip(LEEFTIJD_BEVOLKING, ages):
            w.add(code, p, "inwoners_naar_leeftijd", str(int(n)), leeftijd=band)
        w.add(code, p, "inwoners_15_74", _int(total * prof["share15_74"]))
        w.add(code, p, "inwoners_0_17", _int(total * prof["share0_17"]))
        share75 = prof["share75"] * (1 + 0.02 * (y - 2021))
        w.add(code, p, "inwoners_75plus", _int(total * share75))
        hh_total = HUISHOUDENS_2024[code] if (y == 2024 and code in HUISHOUDENS_2024) else int(round(total / (prof["hh_size"] * (1 + 0.004 * (2024 - y)))))
        w.add(code, p, "huishoudens", str(hh_total))
        hh = np.round(prof["hh_mix"] * hh_total).astype(int)
        hh[-1] = hh_total - hh[:-1].sum()
        for kind, n in zip(HUISHOUDTYPEN, hh):
            w.add(code, p, "huishoudens", str(int(n)), huishoudtype=kind)
        grijs = (ages[-1] / max(1.0, total * 0.57)) * 100
        w.add(code, p, "grijze_druk", f"{grijs:.1f}")
        w.add(code, p, "ses_woa", f"{prof['ses'] + 0.01 * (y - 2021) + r.normal(0, 0.004):.3f}")


# Share of women per age band of the Wmo breakdown (the population, not the clients).
VROUW_BEVOLKING = {"0-17": 0.487, "18-64": 0.498, "65-74": 0.510, "75-84": 0.548, "85+": 0.655}


def _doelgroepen(code: str, inw: dict[int, int]) -> list[dict]:
    """Inhabitants per age band of the Wmo breakdown and sex on 1 January (data/inwoners-doelgroep.csv):
    consistent with the totals, 0-17 and 75+ of the other demo figures. Cells, then per band both
    sexes, then per sex all ages."""
    prof = _profile(code)
    rows = []
    for y in YEARS:
        total = inw[y]
        n75 = total * prof["share75"] * (1 + 0.02 * (y - 2021))
        bands = {"0-17": total * prof["share0_17"], "65-74": total * 0.11, "75-84": n75 * 0.72, "85+": n75 * 0.28}
        bands = {k: int(round(v)) for k, v in bands.items()}
        bands["18-64"] = total - sum(bands.values())
        women = {}
        for band in LEEFTIJD_WMO:
            n = bands[band]
            women[band] = int(round(n * VROUW_BEVOLKING[band]))
            for sex, m in (("vrouw", women[band]), ("man", n - women[band])):
                rows.append({"gemeente": code, "jaar": str(y), "leeftijd": band, "geslacht": sex, "inwoners": str(m), "bron": DEMO_BRON})
            rows.append({"gemeente": code, "jaar": str(y), "leeftijd": band, "geslacht": "", "inwoners": str(n), "bron": DEMO_BRON})
        for sex, m in (("vrouw", sum(women.values())), ("man", total - sum(women.values()))):
            rows.append({"gemeente": code, "jaar": str(y), "leeftijd": "", "geslacht": sex, "inwoners": str(m), "bron": DEMO_BRON})
    return rows


def _wmo(w: _Writer, code: str, inw: dict[int, int]) -> None:
    prof = _profile(code)
    r = _rng(code, 4)
    small = INWONERS_2024[code] < KLEIN
    for p in all_periods():
        year_clients = inw[p.year] * prof["wmo_rate"] * (1 + 0.015 * (p.year - 2021)) / 1000
        # Unique clients over a shorter period are fewer: a client counts once per period.
        factor = {"J": 1.0, "H": 0.87 + 0.02 * (p.number - 1), "Q": 0.78 + 0.01 * (p.number - 1)}[p.kind]
        clients = year_clients * factor * (1 + r.normal(0, 0.01))
        if (code, p.code) in NIET_GELEVERD_WMO or any((code, h) in NIET_GELEVERD_WMO for h in _halves_of(p)):
            continue
        clients = int(round(clients))
        w.add(code, p, "wmo_clienten", str(clients))
        w.add(code, p, "wmo_clienten_75plus", _int(clients * (LEEFTIJD_WMO["75-84"] + LEEFTIJD_WMO["85+"]) * (1 + r.normal(0, 0.01))))
        for name, n in _split(clients, FINANCIERING, r).items():  # one financing form per client
            value = "?" if (code, p.code) in ONBEKEND_FINANCIERING else str(n)
            w.add(code, p, "wmo_clienten", value, financieringsvorm=name)
        for name, share in HOOFDCATEGORIE.items():
            if name == "Verblijf en opvang" and not prof["centrum"]:
                share = share / 6
            w.add(code, p, "wmo_clienten", _int(clients * share * (1 + r.normal(0, 0.03))), hoofdcategorie=name)
        for name, share in PRODUCTCATEGORIE.items():
            value = "-" if small else _int(clients * share * (1 + r.normal(0, 0.04)))
            w.add(code, p, "wmo_clienten", value, productcategorie=name)
        cells = {(band, sex): share * (AANDEEL_VROUW[band] if sex == "vrouw" else 1 - AANDEEL_VROUW[band])
                 for band, share in LEEFTIJD_WMO.items() for sex in ("vrouw", "man")}
        for (band, sex), n in _split(clients, cells, r).items():
            w.add(code, p, "wmo_clienten", "-" if small else str(n), leeftijd=band, geslacht=sex)
    _wmo_endings(w, code, inw)
    _wmo_spend(w, code, inw)


def _halves_of(p: Period) -> list[str]:
    if p.kind == "Q":
        return [Period(p.year, "H", 1 if p.number <= 2 else 2).code]
    if p.kind == "J":
        return [Period(p.year, "H", 1).code, Period(p.year, "H", 2).code]
    return []


def _wmo_endings(w: _Writer, code: str, inw: dict[int, int]) -> None:
    """Ended trajectories are a flow: quarters add up to half-years and half-years to the year."""
    prof = _profile(code)
    r = _rng(code, 5)
    quarters: dict[str, dict[str, int]] = {}
    for y in YEARS:
        for q in range(1, 5):
            p = Period(y, "Q", q)
            base = inw[y] * prof["wmo_rate"] / 1000 * 0.065
            quarters[p.code] = {reason: int(max(0, round(base * share * (1 + r.normal(0, 0.08))))) for reason, share in REDENEN.items()}
    for p in all_periods():
        if any((code, h) in NIET_GELEVERD_WMO for h in _halves_of(p) + [p.code]):
            continue
        parts = [q for q in all_periods() if q.kind == "Q" and p.contains(q)]
        counts = {reason: sum(quarters[q.code][reason] for q in parts) for reason in REDENEN}
        w.add(code, p, "wmo_trajecten_beeindigd", str(sum(counts.values())))
        for reason, n in counts.items():
            w.add(code, p, "wmo_trajecten_beeindigd", str(n), reden=reason)


def _wmo_spend(w: _Writer, code: str, inw: dict[int, int]) -> None:
    prof = _profile(code)
    r = _rng(code, 6)
    for y in YEARS:
        p = Period(y)
        clients = inw[y] * prof["wmo_rate"] / 1000
        begroot, werkelijk = {}, {}
        for cat, share in HOOFDCATEGORIE.items():
            if cat == "Verblijf en opvang" and not prof["centrum"]:
                share = share / 6
            cost = clients * share * KOSTEN_PER_CLIENT[cat] * (1 + 0.04 * (y - 2021))
            begroot[cat] = int(round(cost * (1 + r.normal(0, 0.03))))
            werkelijk[cat] = int(round(cost * (1 + r.normal(0.01, 0.05))))
        for indicator, values in (("wmo_uitgaven_begroot", begroot), ("wmo_uitgaven_gerealiseerd", werkelijk)):
            w.add(code, p, indicator, str(sum(values.values())))
            for cat, v in values.items():
                w.add(code, p, indicator, str(v), hoofdcategorie=cat)


def _split(total: int, shares: dict[str, float], r: np.random.Generator, noise: float = 0.03) -> dict[str, int]:
    """Split a whole total over exclusive categories so that the parts add up to it exactly
    (largest remainder over noisy shares)."""
    weights = np.array([v * (1 + r.normal(0, noise)) for v in shares.values()])
    raw = weights / weights.sum() * total
    parts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - parts), kind="stable")[: total - parts.sum()]:
        parts[i] += 1
    return dict(zip(shares, (int(x) for x in parts)))


def _unique_factor(p: Period) -> float:
    """Unique persons over a shorter period are fewer: a person counts once per period."""
    return {"J": 1.0, "H": 0.86 + 0.02 * (p.number - 1), "Q": 0.76 + 0.01 * (p.number - 1)}[p.kind]


def _quarters_of(p: Period) -> list[Period]:
    return [q for q in (Period(p.year, "Q", n) for n in range(1, 5)) if p.contains(q)]


def _flows(r: np.random.Generator, base_per_quarter: float, shares: dict[str, float]) -> dict[str, dict[str, int]]:
    """Per quarter code: counts per category; longer periods are the sums of their quarters."""
    out = {}
    for y in YEARS:
        for n in range(1, 5):
            q = Period(y, "Q", n)
            out[q.code] = {k: int(max(0, round(base_per_quarter * (1 + 0.02 * (y - 2021)) * v * (1 + r.normal(0, 0.08))))) for k, v in shares.items()}
    return out


def _add_flow(w: _Writer, code: str, indicator: str, quarters: dict, dim: str | None, total: bool = True) -> None:
    for p in all_periods():
        counts = {k: sum(quarters[q.code][k] for q in _quarters_of(p)) for k in next(iter(quarters.values()))}
        if total:
            w.add(code, p, indicator, str(sum(counts.values())))
        if dim:
            for k, n in counts.items():
                w.add(code, p, indicator, str(n), **{dim: k})


def _jeugd(w: _Writer, code: str, inw: dict[int, int]) -> None:
    prof = _profile(code)
    r = _rng(code, 7)
    small = INWONERS_2024[code] < KLEIN
    for p in all_periods():
        young = inw[p.year] * prof["share0_17"]
        jongeren = int(round(young * prof["jeugd_rate"] * _unique_factor(p) * (1 + 0.01 * (p.year - 2021)) * (1 + r.normal(0, 0.01))))
        w.add(code, p, "jeugd_jongeren", str(jongeren))
        for dim, shares in (("zwaarte", ZWAARTE), ("verwijzer", VERWIJZER)):  # exclusive: parts add up
            for k, n in _split(jongeren, shares, r).items():
                w.add(code, p, "jeugd_jongeren", "-" if small else str(n), **{dim: k})
        trajecten = int(round(jongeren * 1.16))
        w.add(code, p, "jeugd_trajecten", str(trajecten))
        for k, n in _split(trajecten, JEUGD_CATEGORIE, r).items():
            w.add(code, p, "jeugd_trajecten", "-" if small else str(n), categorie=k)
    _add_flow(w, code, "jeugd_trajecten_beeindigd", _flows(r, inw[2024] * prof["share0_17"] * prof["jeugd_rate"] * 0.12, JEUGD_REDENEN), "reden")
    _add_flow(w, code, "kindermishandeling_meldingen", _flows(r, inw[2024] * 0.0007, {"x": 1.0}), None)
    for y in YEARS:
        p = Period(y)
        young = inw[y] * prof["share0_17"] * prof["jeugd_rate"]
        costs = {k: int(round(young * v * 1.16 * JEUGD_KOSTEN[k] * (1 + 0.05 * (y - 2021)) * (1 + r.normal(0, 0.05)))) for k, v in JEUGD_CATEGORIE.items()}
        w.add(code, p, "jeugd_uitgaven", str(sum(costs.values())))
        for k, v in costs.items():
            w.add(code, p, "jeugd_uitgaven", str(v), categorie=k)
        w.add(code, p, "vsv", f"{float(np.clip(r.normal(2.4, 0.5), 0.8, 4.5)):.1f}")
        w.add(code, p, "jeugdwerkloosheid", f"{float(np.clip(r.normal(7.5, 1.2), 3.5, 12)):.1f}")
        w.add(code, p, "kinderen_uitkeringsgezin", f"{float(np.clip(prof['bijstand_hh'] * 110 + r.normal(0, 0.6), 2, 12)):.1f}")


def _participatie(w: _Writer, code: str, inw: dict[int, int]) -> None:
    """Bijstand and re-integratie are stocks: the figure of a half-year or year is the one at the
    end of its last quarter. In- and outflow are flows: they add up over quarters."""
    prof = _profile(code)
    r = _rng(code, 8)
    small = INWONERS_2024[code] < KLEIN
    stock: dict[str, dict] = {}
    for y in YEARS:
        for n in range(1, 5):
            q = Period(y, "Q", n)
            hh = int(round(inw[y] / prof["hh_size"] * prof["bijstand_hh"] * (1 - 0.015 * (y - 2021) - 0.003 * n) * (1 + r.normal(0, 0.01))))
            personen = int(round(hh * 1.32))
            reint = int(round(inw[y] * prof["share15_74"] * 0.019 * (1 + r.normal(0, 0.02))))
            stock[q.code] = {"hh": hh, "personen": personen, "aow": _split(personen, AOW, r, 0.02),
                             "deeltijd": int(round(personen * float(np.clip(r.normal(0.075, 0.005), 0.04, 0.12)))),
                             "reint": reint, "voorziening": _split(reint, REINTEGRATIE, r, 0.04)}
    for p in all_periods():
        s = stock[_quarters_of(p)[-1].code]  # a stock: the figure at the end of the period
        w.add(code, p, "bijstand_huishoudens", str(s["hh"]))
        w.add(code, p, "bijstand_personen", str(s["personen"]))
        for k, n in s["aow"].items():
            w.add(code, p, "bijstand_personen", str(n), leeftijd=k)
        w.add(code, p, "bijstand_deeltijdwerk", str(s["deeltijd"]))
        w.add(code, p, "reintegratie", str(s["reint"]))
        for k, n in s["voorziening"].items():
            w.add(code, p, "reintegratie", "-" if small else str(n), voorziening=k)
    level = inw[2024] / prof["hh_size"] * prof["bijstand_hh"] * 1.32
    _add_flow(w, code, "bijstand_instroom", _flows(r, level * 0.045, {"x": 1.0}), None)
    _add_flow(w, code, "bijstand_uitstroom", _flows(r, level * 0.05, UITSTROOM), "reden")


def _schuldhulp(w: _Writer, code: str, inw: dict[int, int]) -> None:
    prof = _profile(code)
    r = _rng(code, 9)
    hh24 = inw[2024] / prof["hh_size"]
    _add_flow(w, code, "schuldhulp_aanmeldingen", _flows(r, hh24 * 0.0035, {"x": 1.0}), None)
    stab = _flows(r, hh24 * 0.0012, {"geslaagd": 0.62, "niet": 0.38})
    running = {q.code: _int(hh24 * prof["schulden"] * 0.14 * (1 + r.normal(0, 0.03)))  # a stock per quarter end
               for q in all_periods() if q.kind == "Q"}
    for p in all_periods():
        parts = _quarters_of(p)
        done = sum(stab[q.code]["geslaagd"] + stab[q.code]["niet"] for q in parts)
        w.add(code, p, "stabilisatie_afgerond", str(done))
        w.add(code, p, "stabilisatie_geslaagd", str(sum(stab[q.code]["geslaagd"] for q in parts)))
        w.add(code, p, "schuldhulp_huishoudens", running[parts[-1].code])
    signals = _flows(r, hh24 * 0.02, {"contact": 0.42, "geen": 0.58})
    for p in all_periods():
        parts = _quarters_of(p)
        w.add(code, p, "vroegsignalen", str(sum(sum(signals[q.code].values()) for q in parts)))
        w.add(code, p, "vroegsignalen_contact", str(sum(signals[q.code]["contact"] for q in parts)))
    for y in YEARS:
        p = Period(y)
        hh = inw[y] / prof["hh_size"]
        w.add(code, p, "huishoudens_problematische_schulden", _int(hh * prof["schulden"]))
        poor = hh * float(np.clip(r.normal(0.035, 0.004), 0.02, 0.05))
        w.add(code, p, "werkende_armen", _int(poor))
        w.add(code, p, "minima_werkende_armen_bereikt", _int(poor * float(np.clip(r.normal(0.38, 0.05), 0.2, 0.6))))
        w.add(code, p, "schuldhulp_uitgaven", str(int(round(hh * prof["schulden"] * 0.14 * 1.1 * (1 + r.normal(0, 0.05))))))


def _stapeling(w: _Writer, code: str, inw: dict[int, int]) -> None:
    prof = _profile(code)
    r = _rng(code, 10)
    for p in all_periods():
        if p.kind == "Q":
            continue  # the GMSD publishes stapeling per half-year and year
        hh = inw[p.year] / prof["hh_size"]
        total = int(round(hh * 0.21 * _unique_factor(p) * (1 + r.normal(0, 0.01))))
        w.add(code, p, "stapeling_huishoudens", str(total))
        combos = _split(total, {k: v for k, (_, v) in COMBINATIES.items()}, r)  # exclusive combinations
        for k, v in combos.items():
            w.add(code, p, "stapeling_huishoudens", "-" if INWONERS_2024[code] < KLEIN else str(v), combinatie=k)
        for n, label in AANTAL_WETTEN.items():
            part = sum(v for k, v in combos.items() if COMBINATIES[k][0] == n)
            w.add(code, p, "stapeling_huishoudens", str(part), aantal_wetten=label)


def _kwaliteit(w: _Writer, code: str, inw: dict[int, int]) -> None:
    r = _rng(code, 11)
    per_law = {"Wmo": 0.012, "Jeugdwet": 0.004, "Participatiewet": 0.003}
    decided = {wet: _flows(r, inw[2024] * share / 4, {"tijdig": TIJDIGHEID[wet], "laat": 1 - TIJDIGHEID[wet]}) for wet, share in per_law.items()}
    complaints = _flows(r, inw[2024] * 0.00012, KLACHTNORMEN)
    upheld = {q: {k: int(round(n * 0.3)) for k, n in v.items()} for q, v in complaints.items()}
    for p in all_periods():
        parts = _quarters_of(p)
        for wet in WETTEN:
            w.add(code, p, "aanvragen_beslist", str(sum(sum(decided[wet][q.code].values()) for q in parts)), wet=wet)
            w.add(code, p, "aanvragen_tijdig", str(sum(decided[wet][q.code]["tijdig"] for q in parts)), wet=wet)
        for norm in KLACHTNORMEN:
            w.add(code, p, "klachten", str(sum(complaints[q.code][norm] for q in parts)), norm=norm)
            w.add(code, p, "klachten_afgehandeld", str(sum(complaints[q.code][norm] for q in parts)), norm=norm)
            w.add(code, p, "klachten_gegrond", str(sum(upheld[q.code][norm] for q in parts)), norm=norm)
        w.add(code, p, "klachten", str(sum(sum(complaints[q.code].values()) for q in parts)))
        w.add(code, p, "klachten_afgehandeld", str(sum(sum(complaints[q.code].values()) for q in parts)))  # all handled
        w.add(code, p, "klachten_gegrond", str(sum(sum(upheld[q.code].values()) for q in parts)))
    for y in YEARS:
        for wet, base in (("Wmo", 84), ("Jeugdwet", 88), ("Participatiewet", 72)):
            w.add(code, Period(y), "tevredenheid", f"{float(np.clip(r.normal(base, 3), 55, 98)):.0f}", wet=wet)


def _iv3(w: _Writer, code: str, inw: dict[int, int]) -> None:
    r = _rng(code, 12)
    for y in YEARS:
        if (code, y) in ECHTE_IV3:
            continue
        p = Period(y)
        for tv, (per_inw, baten_share) in IV3.items():
            lasten_prim = inw[y] * per_inw / 1000 * (1 + 0.04 * (y - 2021))
            lasten = {"primitief": lasten_prim, "gewijzigd": lasten_prim * (1 + r.normal(0.03, 0.03))}
            lasten["rekening"] = lasten["gewijzigd"] * (1 + r.normal(-0.005, 0.03))
            for fase, v in lasten.items():
                w.add(code, p, "iv3_lasten", str(int(round(v))), taakveld=tv, begrotingsfase=fase)
                baten = v * baten_share * (1 + (r.normal(0, 0.04) if fase == "rekening" else 0))
                w.add(code, p, "iv3_baten", str(int(round(baten))), taakveld=tv, begrotingsfase=fase)


# Seed 001 (raadsdashboard) and seed 003 (factsheet): budget and spending per beleidsveld (EUR per
# inhabitant a year), the Wmo's algemene voorziening beside maatwerk, minima, PGA, satisfaction,
# housing, indications, support volume, loonkostensubsidie and the price index.
BEGROTING_PER_INWONER = {"Participatiewet": 417, "Wmo": 300, "Jeugd": 330, "Schuldhulpverlening": 15, "Minima": 45}
REALISATIE_SEIZOEN = (0.86, 1.0, 0.98, 1.16)  # paid per quarter relative to a quarter of the budget
VOORZIENINGSVORM = ("Algemene voorziening", "Maatwerkvoorziening")
PGA_LEEFTIJD = {"jonger dan 18": 0.00010, "18-22": 0.00009, "23 en ouder": 0.00048}
# CPI (2015 = 100), yearly averages as the demo's price index.
PRIJSINDEX = {2019: 105.5, 2020: 106.9, 2021: 109.8, 2022: 120.8, 2023: 125.4, 2024: 129.6}


def _ytd_periods(y: int) -> list[Period]:
    """Every period of a year whose flow the demo delivers: quarters, half-years, January-September, year."""
    return [*(Period(y, "Q", n) for n in range(1, 5)), Period(y, "H", 1), Period(y, "H", 2), Period(y, "T", 3), Period(y)]


def _dashboard_factsheet(w: _Writer, code: str, inw: dict[int, int]) -> None:
    prof = _profile(code)
    r = _rng(code, 13)
    for y in YEARS:
        n = inw[y]
        grow = 1 + 0.04 * (y - 2021)
        begroting = {k: v * n / 1000 * grow * (1 + r.normal(0, 0.02)) for k, v in BEGROTING_PER_INWONER.items()}
        w.add(code, Period(y), "sd_begroting", _int(sum(begroting.values())))
        quarters = {q: {k: b / 4 * REALISATIE_SEIZOEN[q - 1] * (1 + r.normal(0.01, 0.05)) for k, b in begroting.items()}
                    for q in range(1, 5)}
        for k, b in begroting.items():
            w.add(code, Period(y), "sd_begroting", _int(b), beleidsveld=k)
        # Flows per quarter; a longer period is the sum of its quarters (money and events add up).
        meldingen = {q: {"Algemene voorziening": n * 0.0016 * (1 + 0.08 * (y - 2021)), "Maatwerkvoorziening": n * 0.0006}
                     for q in range(1, 5)}
        uitgaven = {q: {"Algemene voorziening": n * 0.0022 * (1 + r.normal(0, 0.05)),
                        "Maatwerkvoorziening": n * 0.0148 * grow * (1 + r.normal(0, 0.04))} for q in range(1, 5)}
        maatwerk_minima = {q: n * 0.0015 * (1 + r.normal(0, 0.1)) for q in range(1, 5)}
        meldingen = {q: {k: v * (1 + r.normal(0, 0.08)) for k, v in m.items()} for q, m in meldingen.items()}
        doelgroep = n * float(np.clip(r.normal(0.061, 0.004), 0.04, 0.08))
        w.add(code, Period(y), "minima_doelgroep", _int(doelgroep))
        bereik = {"Q": (0.17, 0.19, 0.19, 0.20), "H": (0.26, 0.27), "T": (0, 0, 0.36), "J": (0.48,)}
        for p in _ytd_periods(y):
            qs = [q.number for q in _quarters_of(p)]
            total = sum(sum(quarters[q].values()) for q in qs)
            w.add(code, p, "sd_realisatie", _int(total))
            for k in begroting:
                w.add(code, p, "sd_realisatie", _int(sum(quarters[q][k] for q in qs)), beleidsveld=k)
            for indicator, values in (("wmo_meldingen", meldingen), ("wmo_uitgaven_vorm", uitgaven)):
                w.add(code, p, indicator, _int(sum(sum(values[q].values()) for q in qs)))
                for vorm in VOORZIENINGSVORM:
                    w.add(code, p, indicator, _int(sum(values[q][vorm] for q in qs)), voorzieningsvorm=vorm)
            w.add(code, p, "minima_maatwerk_uitgaven", f"{sum(maatwerk_minima[q] for q in qs):.4f}")  # 3 decimals would read as a thousands separator
            # Unique persons reached: the year to date counts each once, so it is less than the sum.
            share = bereik[p.kind][p.number - 1] * (1 + r.normal(0, 0.03))
            w.add(code, p, "minima_bereikt", _int(doelgroep * share))
        for q in range(1, 5):  # stocks at the end of each quarter; a half-year and year take their last quarter
            personen = n / prof["hh_size"] * prof["bijstand_hh"] * 1.32 * (1 - 0.015 * (y - 2021))
            besparing = _int(personen * 0.04 * (1 + r.normal(0, 0.05)))
            pga = {k: _int(v * n * (1 + 0.05 * (y - 2021)) * (1 + r.normal(0, 0.1))) for k, v in PGA_LEEFTIJD.items()}
            for p in [Period(y, "Q", q), *([Period(y, "H", q // 2)] if q % 2 == 0 else []), *([Period(y)] if q == 4 else [])]:
                w.add(code, p, "bijstand_deeltijd_besparing", besparing)
                w.add(code, p, "jeugd_pga", str(sum(int(v) for v in pga.values())))
                for k, v in pga.items():
                    w.add(code, p, "jeugd_pga", v, leeftijd=k)
        p = Period(y)
        w.add(code, p, "tevredenheid_cijfer", f"{float(np.clip(r.normal(7.0, 0.2), 6.0, 8.5)):.1f}")
        koop = float(np.clip(r.normal(57, 6), 35, 80))
        corporatie = float(np.clip(r.normal(29, 5), 10, 45))
        for k, v in (("Koopwoning", koop), ("Huurwoning corporatie", corporatie), ("Huurwoning overig", 100 - koop - corporatie)):
            w.add(code, p, "woningen_eigendom", f"{v:.1f}", eigendom=k)
        indicaties = {"Wmo": n * 0.080 * 0.97 ** (y - 2019), "Jeugdwet": n * 0.031 * 0.98 ** (y - 2019)}
        indicaties = {k: v * (1 + r.normal(0, 0.02)) for k, v in indicaties.items()}
        w.add(code, p, "indicaties", str(sum(int(round(v)) for v in indicaties.values())))
        for k, v in indicaties.items():
            w.add(code, p, "indicaties", _int(v), wet=k)
        w.add(code, p, "clienten_ondersteuning", _int(n * 0.082 * 0.99 ** (y - 2019) * (1 + r.normal(0, 0.02))),
              voorzieningsvorm="Maatwerkvoorziening")
        w.add(code, p, "clienten_ondersteuning", _int(n * 0.030 * 1.06 ** (y - 2019) * (1 + r.normal(0, 0.03))),
              voorzieningsvorm="Algemene voorziening")
        w.add(code, p, "begeleiding_omvang", _int(n * 0.6 * 0.96 ** (y - 2019) * (1 + r.normal(0, 0.02))),
              begeleidingsvorm="Groepsbegeleiding (dagdelen)")
        w.add(code, p, "begeleiding_omvang", _int(n * 1.3 * 0.97 ** (y - 2019) * (1 + r.normal(0, 0.02))),
              begeleidingsvorm="Individuele begeleiding (uren)")
        w.add(code, p, "loonkostensubsidie_uitgaven", _int(n * 0.038 * 1.08 ** (y - 2023) * (1 + r.normal(0, 0.03))))
        w.add(code, p, "prijsindex", f"{PRIJSINDEX[y]:.1f}")


def _monitor_extra(w: _Writer, code: str, inw: dict[int, int]) -> None:
    """Figures of the monitor elements of seed 002 that the other generators do not make: health and
    care outcomes, 70-plussers living independently, stapeling binnen de Wmo, budgeted youth
    spending, Veilig Thuis advice, special primary education, unemployment. A purpose of its own,
    so the figures above do not change."""
    prof = _profile(code)
    r = _rng(code, 14)
    small = INWONERS_2024[code] < KLEIN
    for y in YEARS:
        p = Period(y)
        w.add(code, p, "levensverwachting", f"{float(np.clip(r.normal(81.4 - 8 * prof['bijstand_hh'], 0.5), 78.5, 84)):.1f}")
        seventy = inw[y] * float(np.clip(prof["share75"] * 1.62, 0.09, 0.25))
        w.add(code, p, "inwoners_70plus", _int(seventy))
        w.add(code, p, "inwoners_70plus_zelfstandig", _int(seventy * float(np.clip(r.normal(0.945, 0.008), 0.9, 0.98))))
        leerlingen = inw[y] * float(np.clip(r.normal(0.085, 0.005), 0.06, 0.11))
        w.add(code, p, "leerlingen_basisonderwijs", _int(leerlingen))
        w.add(code, p, "leerlingen_sbo", _int(leerlingen * float(np.clip(r.normal(0.024, 0.004), 0.01, 0.04))))
        w.add(code, p, "werkloosheid", f"{float(np.clip(r.normal(2.6 + 22 * prof['bijstand_hh'], 0.3), 2.0, 6.5)):.1f}")
        young = inw[y] * prof["share0_17"] * prof["jeugd_rate"]
        costs = {k: int(round(young * v * 1.16 * JEUGD_KOSTEN[k] * (1 + 0.05 * (y - 2021)) * (1 + r.normal(-0.02, 0.08))))
                 for k, v in JEUGD_CATEGORIE.items()}
        unknown = code == "GM0505" or r.random() < 0.3
        w.add(code, p, "jeugd_uitgaven_begroot", str(sum(costs.values())))
        for k, v in costs.items():
            w.add(code, p, "jeugd_uitgaven_begroot", "?" if unknown and k in JEUGD_BEGROOT_ONBEKEND else str(v), categorie=k)
    for y in GEZONDHEIDSMONITOR:
        p = Period(y)
        w.add(code, p, "ervaren_gezondheid", f"{float(np.clip(r.normal(78 - 60 * prof['bijstand_hh'] + 20 * prof['ses'], 1.5), 65, 88)):.1f}")
        w.add(code, p, "eenzaamheid", f"{float(np.clip(r.normal(44 + 60 * prof['bijstand_hh'], 2), 35, 60)):.1f}")
        w.add(code, p, "mantelzorgers", f"{float(np.clip(r.normal(13.5, 1.2), 9, 19)):.1f}")
        w.add(code, p, "vrijwilligerswerk", f"{float(np.clip(r.normal(24 + 40 * prof['ses'], 2), 14, 34)):.1f}")
    _add_flow(w, code, "kindermishandeling_adviezen", _flows(r, inw[2024] * 0.0006, {"x": 1.0}), None)
    for p in all_periods():
        if p.kind == "Q" or any((code, h) in NIET_GELEVERD_WMO for h in _halves_of(p) + [p.code]):
            continue  # the GMSD publishes the Wmo combinations per half-year and year
        clients = inw[p.year] * prof["wmo_rate"] * (1 + 0.015 * (p.year - 2021)) / 1000 * _unique_factor(p)
        twee = int(round(clients * float(np.clip(r.normal(0.22, 0.015), 0.15, 0.3))))
        w.add(code, p, "wmo_stapeling", str(twee))
        for k, n in _split(twee, WMO_COMBINATIES, r, 0.15).items():
            w.add(code, p, "wmo_stapeling", "-" if small else str(n), wmo_combinatie=k)


def _to_csv(columns: list[str], rows: list[dict]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


OBSERVATIES = "observaties/demo.csv"
DOELGROEP = "inwoners_doelgroep"  # the indicator of the inhabitants per age band and sex (DOELGROEP_DEMO)


def generate_full(gemeenten: list[str], inwoners: list[dict]) -> dict[str, bytes]:
    """Every demo file for `gemeenten` before anything is left out for what is delivered (select),
    as bytes keyed by path relative to the data folder: data/inwoners.csv (its real rows kept, demo
    rows for the other demo years), the inhabitants per age band and sex, the observations of every
    indicator for every gemeente, and the record-level exports of the gemeenten of
    demo_registrations.GEMEENTEN. `inwoners` are the rows of data/inwoners.csv; rows with bron
    'Demodata' are ignored. Each gemeente's figures depend on nothing but its own inhabitants."""
    from sdrapport.inputs import demo_registrations as dr

    real: dict[str, dict[int, int]] = {}
    inwoners_rows = [row for row in inwoners if row["bron"] != DEMO_BRON and row["gemeente"] in set(gemeenten)]
    for row in inwoners_rows:
        real.setdefault(row["gemeente"], {})[int(row["jaar"])] = int(row["inwoners"])
    doelgroep_rows, obs = [], _Writer()
    for code in sorted(gemeenten):
        if code not in real:
            raise ValueError(f"geen inwonertal voor {code} in data/inwoners.csv; de demodata rekenen vanuit het echte inwonertal")
        INWONERS[code] = demo_inwoners(code, real[code])
        INWONERS_2024[code] = INWONERS[code][2024]
    for code in sorted(gemeenten):
        inw = inwoners_by_year(code)
        for y in YEARS:
            if y not in real[code]:
                inwoners_rows.append({"gemeente": code, "jaar": str(y), "inwoners": str(inw[y]), "bron": DEMO_BRON})
        doelgroep_rows += _doelgroepen(code, inw)
        _population(obs, code, inw)
        _wmo(obs, code, inw)
        _jeugd(obs, code, inw)
        _participatie(obs, code, inw)
        _schuldhulp(obs, code, inw)
        _stapeling(obs, code, inw)
        _kwaliteit(obs, code, inw)
        _iv3(obs, code, inw)
        _dashboard_factsheet(obs, code, inw)
        _monitor_extra(obs, code, inw)
    out = {
        "inwoners.csv": _to_csv(["gemeente", "jaar", "inwoners", "bron"],
                                sorted(inwoners_rows, key=lambda row: (row["gemeente"], int(row["jaar"])))),
        DOELGROEP_DEMO: _to_csv(["gemeente", "jaar", "leeftijd", "geslacht", "inwoners", "bron"], doelgroep_rows),
        OBSERVATIES: _to_csv(OBS_COLUMNS, obs.rows),
    }
    with_records = [c for c in sorted(gemeenten) if c in dr.GEMEENTEN]
    if with_records:
        out.update(_registraties(with_records))
    return out


def _computed_from_records() -> set[str]:
    """The indicators the demo's record-level exports compute: a gemeente that has those exports gets
    no aggregate demo figure of them (one figure, one source; the store refuses both). The demo
    exports carry no reason of ending, so ended provisions stay aggregate figures."""
    from sdrapport.inputs.registrations import BEEINDIGD_INDICATOREN, BRON_SOORT

    return {i for i in BRON_SOORT if i not in BEEINDIGD_INDICATOREN}


def _lines(content: bytes) -> tuple[bytes, list[bytes]]:
    """Header and rows of a generated CSV (one record a line: the demo writes no line break in a cell)."""
    lines = content.split(b"\n")
    return lines[0], [line for line in lines[1:] if line]


def _join(header: bytes, rows: list[bytes]) -> bytes:
    return b"\n".join([header, *rows]) + b"\n"


def _gemeenten_of(content: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """Header and (gemeente, row) of a generated record-level export."""
    header, rows = _lines(content)
    at = next(csv.reader([header.decode("utf-8")])).index("gemeente")
    return header, [(next(csv.reader([row.decode("utf-8")]))[at], row) for row in rows]


def select(full: dict[str, bytes], delivered: set[str] = frozenset(), own_registrations: set[str] = frozenset()) -> dict[str, bytes]:
    """The demo files as they are written, from `full` (generate_full), leaving out:

    - every figure of an indicator in `delivered`, for every gemeente: the indicators that a source
      other than the demo delivers for any gemeente (delivered_indicators). The demo never fills a
      gap in a delivered indicator, so a reference value, map or comparison over gemeenten never
      mixes delivered and fictitious figures of one indicator. For inwoners_doelgroep this is the
      whole file of groups;
    - the record-level exports of every gemeente in `own_registrations` (those that deliver exports
      of their own, own_registrations()): their own peildatum, definitions and kinds hold, never the demo's;
    - the aggregate figures the demo exports compute, for the gemeenten that keep demo exports.

    A file left without rows is left out."""
    out = {rel: content for rel, content in full.items() if rel == "inwoners.csv"}
    header, rows = _lines(full.get(DOELGROEP_DEMO, b""))
    if rows and DOELGROEP not in delivered:
        out[DOELGROEP_DEMO] = full[DOELGROEP_DEMO]
    with_records: set[str] = set()
    for rel in sorted(full):
        if rel.startswith("registraties/"):
            header, rows = _gemeenten_of(full[rel])
            kept = [row for g, row in rows if g not in own_registrations]
            with_records |= {g for g, _ in rows if g not in own_registrations}
            if kept:
                out[rel] = _join(header, kept)
    if OBSERVATIES in full:
        drop = {i.encode() for i in delivered}
        computed = {i.encode() for i in _computed_from_records()}
        records = {g.encode() for g in with_records}
        header, rows = _lines(full[OBSERVATIES])
        kept = []
        for row in rows:
            gemeente, _, indicator, _ = row.split(b",", 3)
            if indicator not in drop and not (gemeente in records and indicator in computed):
                kept.append(row)
        out[OBSERVATIES] = _join(header, kept)
    return out


def generate(gemeenten: list[str], inwoners: list[dict], delivered: set[str] = frozenset(),
             own_registrations: set[str] = frozenset()) -> dict[str, bytes]:
    """The demo files as bytes, keyed by path relative to the data folder: generate_full, less what
    is delivered (select). `delivered`: the indicators another source delivers for any gemeente;
    `own_registrations`: the gemeenten that deliver record-level exports of their own."""
    return select(generate_full(gemeenten, inwoners), delivered, own_registrations)


def _registraties(codes: list[str]) -> dict[str, bytes]:
    """The record-level demo exports (data/registraties/<soort>-demo.csv) for `codes`."""
    from sdrapport.inputs import demo_registrations as dr

    categorieen = {"wmo": PRODUCTCATEGORIE, "jeugd": JEUGD_CATEGORIE, "pw": REINTEGRATIE}
    tijdig = {"wmo": TIJDIGHEID["Wmo"], "jeugd": TIJDIGHEID["Jeugdwet"], "pw": TIJDIGHEID["Participatiewet"]}
    kinds = {
        "voorzieningen": lambda c, n: dr.voorzieningen(c, n, _rng(c, 20), categorieen),
        "aanvragen": lambda c, n: dr.aanvragen(c, n, _rng(c, 21), tijdig),
        "uitkeringen": lambda c, n: dr.uitkeringen(c, n, _rng(c, 22)),
        "klachten": lambda c, n: dr.klachten(c, n, _rng(c, 23)),
    }
    out = {}
    for kind, make in kinds.items():
        frame = pd.concat([make(c, INWONERS_2024[c]) for c in codes], ignore_index=True)
        out[f"registraties/{kind}-demo.csv"] = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    return out


def _registry(data_dir: Path) -> tuple[list[str], list[dict]]:
    with open(data_dir / "gemeenten.csv", encoding="utf-8", newline="") as fh:
        codes = [row["code"] for row in csv.DictReader(fh)]
    with open(data_dir / "inwoners.csv", encoding="utf-8", newline="") as fh:
        inwoners = list(csv.DictReader(fh))
    return codes, inwoners


def _write(path: Path, content: bytes) -> bool:
    if path.exists() and path.stat().st_size == len(content) and path.read_bytes() == content:
        return False  # unchanged: the file (and its modification time) stays as it is
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(content)
    tmp.replace(path)
    return True


def write_demo(data_dir: Path) -> list[Path]:
    """`sdrapport demodata`: write the demo rows of data/inwoners.csv and the generated demo files
    for the gemeenten in data/gemeenten.csv; returns the paths written."""
    codes, inwoners = _registry(data_dir)
    delivered, own = what_is_delivered(data_dir)
    written = []
    files = generate(codes, inwoners, delivered, own)
    for path in generated_paths(data_dir):
        if str(path.relative_to(data_dir)) not in files:
            path.unlink(missing_ok=True)
    for rel, content in files.items():
        _write(data_dir / rel, content)
        written.append(data_dir / rel)
    _stamp_path(data_dir).write_text(_stamp(_generation_stamp(data_dir), delivered, own), encoding="utf-8")
    return written


# -- generated on first use ------------------------------------------------------------------------
# The demo observations for all 342 gemeenten are some 145 MB of CSV: too large for the repository.
# They are generated (deterministically) on first use instead: data/demo.yml switches this on, and
# the files below are git-ignored. Two stamps tell when they must be made again: one over the
# generator's code, the registry and the inhabitants (the full generation, kept in data/.demo-full/, some
# 30 s for 342 gemeenten), one over that and what is delivered (which indicators another source
# delivers and which gemeenten deliver exports of their own: a new file changes at most this, and
# then the written files are selected again from the kept generation, in seconds).
DEMO_SWITCH = "demo.yml"
STAMP = ".demo-stamp"
DOELGROEP_DEMO = "inwoners-doelgroep-demo.csv"  # beside the optional, delivered data/inwoners-doelgroep.csv
FULL_CACHE = ".demo-full"  # in the data folder (records stay there): the full generation (generate_full), git-ignored
FULL_INDEX = "generatie.json"


def doelgroep_delivered(data_dir: Path) -> set[str]:
    """The gemeenten data/inwoners-doelgroep.csv (CBS 03759ned or the gemeente's own) holds. When it
    holds any, the demo makes no groups at all (select)."""
    path = data_dir / "inwoners-doelgroep.csv"
    if not path.exists():
        return set()
    try:
        frame = pd.read_csv(path, usecols=["gemeente"], dtype=str, sep=None, engine="python", encoding="utf-8-sig")
    except (ValueError, OSError, UnicodeDecodeError):
        return set()  # the contract reports what is wrong with the file
    return {str(g).strip().upper() for g in frame["gemeente"].dropna()}


def generated_paths(data_dir: Path) -> list[Path]:
    """The generated demo files present in data_dir (whatever their generation)."""
    return [data_dir / "observaties" / "demo.csv", data_dir / DOELGROEP_DEMO,
            *sorted((data_dir / "registraties").glob("*-demo.csv"))]


def _stamp_path(data_dir: Path) -> Path:
    return data_dir / STAMP


def _own_observation_files(data_dir: Path) -> list[Path]:
    demo = data_dir / OBSERVATIES
    folder = data_dir / "observaties"
    if not folder.is_dir():
        return []
    return [p for p in sorted(folder.iterdir())
            if p != demo and not p.name.startswith(".") and p.suffix.lower() in (".csv", ".parquet")]


def _column_values(path: Path, columns: dict[str, str], declared_encoding: str = "auto", declared_separator: str = "auto",
                   nonempty: tuple[str, ...] = ()) -> set[tuple] | None:
    """The distinct combinations of a few columns of a CSV or Parquet file, read column by column and
    streaming (DuckDB; a Windows-1252 CSV, which DuckDB does not decode, by pandas in chunks): a
    10-million-row export is never held in memory. `columns`: name -> header in the file (matched
    without case or surrounding spaces). For the names in `nonempty` the value is only whether the
    cell is filled. None when the file or a column cannot be read (the contract reports it when the
    file is checked)."""
    import duckdb

    from sdrapport.inputs.contract import SEPARATORS, detect_separator

    def norm(text: str) -> str:
        return " ".join(str(text).split()).lower()

    try:
        utf8, sep = True, ","
        if path.suffix.lower() == ".parquet":
            import pyarrow.parquet as pq

            header = list(pq.ParquetFile(path).schema_arrow.names)
        else:
            with open(path, "rb") as fh:
                raw = fh.readline().rstrip(b"\r\n")
            utf8 = declared_encoding not in ("windows-1252", "cp1252")
            if utf8 and declared_encoding == "auto":
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError:
                    utf8 = False  # the header is not UTF-8: Windows-1252, as the contract detects it
            first = raw.decode("utf-8-sig", errors="replace") if utf8 else raw.decode("cp1252", errors="replace")
            sep = SEPARATORS.get(declared_separator) or detect_separator(first)
            header = next(csv.reader([first], delimiter=sep), [])
        positions: dict[str, int] = {}
        for i, h in enumerate(header):
            positions.setdefault(norm(h), i)
        at = {name: positions.get(norm(in_file)) for name, in_file in columns.items()}
        if any(i is None for i in at.values()):
            return None
        if not utf8:
            return _column_values_cp1252(path, sep, at, nonempty)
        if path.suffix.lower() == ".parquet":
            names, source = header, "read_parquet(?)"
        else:
            names = [f"c{i}" for i in range(len(header))]
            source = (f"read_csv(?, delim={_sql_text(sep)}, header=true, names={_sql_list(names)}, all_varchar=true, "
                      "ignore_errors=true, null_padding=true)")
        picked = []
        for name, i in at.items():
            column = '"' + names[i].replace('"', '""') + '"'
            text = f"coalesce(trim(CAST({column} AS VARCHAR)), '')"
            picked.append(f"{text} <> ''" if name in nonempty else text)
        con = duckdb.connect()
        try:
            con.execute("SET threads TO 2")
            rows = con.execute(f"SELECT DISTINCT {', '.join(picked)} FROM {source}", [str(path)]).fetchall()
        finally:
            con.close()
    except (duckdb.Error, OSError, ValueError, UnicodeError, StopIteration):
        return None
    except Exception:  # noqa: BLE001 - pyarrow raises several types for a broken file
        return None
    return set(rows)


def _column_values_cp1252(path: Path, sep: str, at: dict[str, int], nonempty: tuple[str, ...]) -> set[tuple]:
    out: set[tuple] = set()
    for chunk in pd.read_csv(path, sep=sep, usecols=sorted(set(at.values())), header=0, names=None, dtype=str,
                             keep_default_na=False, encoding="cp1252", encoding_errors="replace", chunksize=500_000):
        cells = chunk.iloc[:, [sorted(set(at.values())).index(i) for i in at.values()]].apply(lambda c: c.str.strip())
        cells.columns = list(at)
        for name in nonempty:
            if name in cells:
                cells[name] = cells[name] != ""
        out |= set(cells.drop_duplicates().itertuples(index=False, name=None))
    return out


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_list(items: list[str]) -> str:
    return "[" + ", ".join(_sql_text(i) for i in items) + "]"


def _indicators(path: Path) -> set[str]:
    """The indicators an observation file delivers (its `indicator` column only)."""
    values = _column_values(path, {"indicator": "indicator"})
    return {v[0] for v in values if v[0]} if values else set()


def own_registrations(data_dir: Path, params_dir: Path | None = None) -> dict[str, set[str]]:
    """Per gemeente that delivers record-level exports of its own (any file under data/registraties/
    but the demo's *-demo.csv), the indicators the ingest computes from them
    (registrations.BRON_SOORT): for provisions those of the wetten in its exports, the ended
    provisions only when the exports give a reason of ending. Found from the gemeente and wet
    columns alone (or the mapping's `vast` values), read by DuckDB without holding the file in memory.
    A file that cannot be read, or a params/bronnen/ that does not load, counts for nothing here:
    the ingest reports it."""
    from sdrapport.errors import ContractError
    from sdrapport.inputs.registrations import BEEINDIGD_INDICATOREN, BRON_SOORT
    from sdrapport.inputs.export_mapping import mapping_for
    from sdrapport.inputs.params import ParamsError
    from sdrapport.inputs.registrations import WETTEN, _normalise, export_mappings, registratie_files

    data_dir = Path(data_dir)
    params_dir = Path(params_dir) if params_dir is not None else data_dir.parent / "params"
    folder = data_dir / "registraties"
    if not folder.is_dir() or not any(p for p in folder.iterdir() if not p.name.endswith("-demo.csv") and not p.name.startswith(".")):
        return {}
    try:
        mappings = export_mappings(params_dir)
        files = registratie_files(data_dir, params_dir, mappings)
    except (ContractError, ParamsError):
        return {}
    wet_code = {label: code for code, label in WETTEN.items()}
    out: dict[str, set[str]] = {}
    for soort, paths in files.items():
        for path in paths:
            if path.name.endswith("-demo.csv"):
                continue
            try:
                mapping = mapping_for(path.name, mappings)
            except ParamsError:
                continue
            fixed = dict(mapping.vast) if mapping is not None else {}
            headers = dict(mapping.kolommen) if mapping is not None else {}
            wanted = ["gemeente"] + (["wet", "reden_einde"] if soort == "voorzieningen" else [])
            read = {c: headers.get(c, c) for c in wanted if c not in fixed}
            values = _column_values(path, read, mapping.codering if mapping else "auto",
                                    mapping.scheidingsteken if mapping else "auto", nonempty=("reden_einde",)) if read else {()}
            if values is None and "reden_einde" in read:  # an export without a reason of ending
                read.pop("reden_einde")
                values = _column_values(path, read, mapping.codering if mapping else "auto",
                                        mapping.scheidingsteken if mapping else "auto") if read else {()}
            if values is None:
                continue
            frame = pd.DataFrame([dict(zip(read, v)) for v in values], columns=list(read))
            for c in wanted:
                if c in fixed:
                    frame[c] = str(fixed[c])
            if "reden_einde" in wanted and "reden_einde" not in frame:
                frame["reden_einde"] = False
            if mapping is not None:  # the export's own codes of gemeente and wet, as the ingest translates them
                for vm in mapping.value_maps():
                    if vm.column in ("gemeente", "wet") and vm.wet is None and vm.column in frame:
                        frame[vm.column] = vm.apply(frame[vm.column].astype(str))
            frame["gemeente"] = frame["gemeente"].astype(str).str.strip().str.upper()
            if soort == "voorzieningen":
                frame["wet"] = _normalise(frame["wet"].astype(str), WETTEN, "wet").map(wet_code)
            for row in frame.itertuples(index=False):
                gemeente = row.gemeente
                if not gemeente:
                    continue
                for indicator, (kind, wet) in BRON_SOORT.items():
                    if kind != soort or (wet is not None and wet != getattr(row, "wet", None)):
                        continue
                    if indicator in BEEINDIGD_INDICATOREN and not _truthy(getattr(row, "reden_einde", True)):
                        continue
                    out.setdefault(gemeente, set()).add(indicator)
                out.setdefault(gemeente, set())
    return out


def _truthy(value) -> bool:
    return bool(value) and str(value).lower() not in ("false", "0", "")


def delivered_indicators(data_dir: Path, own: dict[str, set[str]] | None = None) -> set[str]:
    """The indicators a source other than the demo delivers for at least one gemeente: those in an
    observation file other than the demo's, inwoners_doelgroep when data/inwoners-doelgroep.csv holds
    a gemeente, and those computed from a gemeente's own exports (`own`, own_registrations). The
    demo makes none of them for any gemeente (select). Inhabitants (data/inwoners.csv) are never
    among them: they are the registry, which every gemeente has and the demo draws its figures from."""
    data_dir = Path(data_dir)
    out: set[str] = set()
    for path in _own_observation_files(data_dir):
        out |= _indicators(path)
    if doelgroep_delivered(data_dir):
        out.add(DOELGROEP)
    for indicators in (own if own is not None else own_registrations(data_dir)).values():
        out |= indicators
    return out


def what_is_delivered(data_dir: Path) -> tuple[set[str], set[str]]:
    """(the indicators delivered by another source for any gemeente, the gemeenten with exports of their own)."""
    own = own_registrations(data_dir)
    return delivered_indicators(data_dir, own), set(own)


def _generation_stamp(data_dir: Path) -> str:
    """What the full generation depends on: the generator's code, the registry and the inhabitants."""
    h = hashlib.sha256()
    for path in (Path(__file__), Path(__file__).with_name("demo_registrations.py"), data_dir / "gemeenten.csv",
                 data_dir / "inwoners.csv"):
        h.update(path.name.encode() + b"\0" + (path.read_bytes() if path.exists() else b"-") + b"\0")
    return h.hexdigest()


def _stamp(generation: str, delivered: set[str], own: set[str]) -> str:
    """The written files' stamp: the generation and what is left out of it (select). The demo
    exports exist only for demo_registrations.GEMEENTEN, so another gemeente's exports do not count."""
    from sdrapport.inputs import demo_registrations as dr

    keyed = {"generatie": generation, "geleverd": sorted(delivered), "eigen_registraties": sorted(set(own) & set(dr.GEMEENTEN))}
    return hashlib.sha256(json.dumps(keyed).encode()).hexdigest()


def demo_enabled(data_dir: Path) -> bool:
    path = data_dir / DEMO_SWITCH
    if not path.exists():
        return False
    config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return bool(config.get("genereren", True))


def _current_stamp(data_dir: Path) -> tuple[str, str, set[str], set[str]]:
    delivered, own = what_is_delivered(data_dir)
    generation = _generation_stamp(data_dir)
    return _stamp(generation, delivered, own), generation, delivered, own


def demo_up_to_date(data_dir: Path) -> bool:
    """True when ensure_demo has nothing to do: the demo is off, or its files match the stamp."""
    data_dir = Path(data_dir)
    if not demo_enabled(data_dir):
        return True
    stamp_path = _stamp_path(data_dir)
    return ((data_dir / OBSERVATIES).exists() and stamp_path.exists()
            and stamp_path.read_text(encoding="utf-8") == _current_stamp(data_dir)[0])


def _full(data_dir: Path, generation: str, log=None) -> dict[str, bytes]:
    """The full generation (generate_full, without data/inwoners.csv): from data/.demo-full/ when it was
    made from the same code, registry and inhabitants, else made now and kept there."""
    folder = data_dir / FULL_CACHE
    index = folder / FULL_INDEX
    try:
        kept = json.loads(index.read_text(encoding="utf-8"))
        if kept.get("generatie") == generation:
            return {rel: (folder / rel).read_bytes() for rel in kept["bestanden"]}
    except (OSError, ValueError, KeyError, TypeError):
        pass  # not there, or from an interrupted run: generate
    codes, inwoners = _registry(data_dir)
    # Demo figures are drawn relative to a gemeente's real inhabitants: a gemeente without them
    # gets none (and says so), the others are not held up by it.
    have = {row["gemeente"] for row in inwoners if row["bron"] != DEMO_BRON}
    missing = [c for c in codes if c not in have]
    codes = [c for c in codes if c in have]
    if log:
        log(f"Demodata maken voor {len(codes)} gemeenten (eenmalig, deterministisch) ..."
            + (f" Geen demodata voor {len(missing)} gemeente(n) zonder inwonertal in data/inwoners.csv: "
               f"{', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}." if missing else ""))
    files = generate_full(codes, inwoners)
    files.pop("inwoners.csv")  # part of the repository; `sdrapport demodata` rewrites it
    index.unlink(missing_ok=True)
    for rel, content in files.items():
        _write(folder / rel, content)
    index.write_text(json.dumps({"generatie": generation, "bestanden": sorted(files)}), encoding="utf-8")
    return files


def ensure_demo(data_dir: Path, log=None) -> bool:
    """Write the demo files when data/demo.yml asks for them and they are missing, were made by
    other code or for another registry, or another source now delivers other indicators or other
    gemeenten deliver exports of their own. True when they were (re)written. Only what a change
    affects is redone: the full generation (slow) only for new code, registry or inhabitants; a
    change in what is delivered selects again from the kept generation, and a file whose bytes stay
    the same is not touched. `log(text)` is told before the (slow) generation starts."""
    data_dir = Path(data_dir)
    if not demo_enabled(data_dir):
        return False
    stamp, generation, delivered, own = _current_stamp(data_dir)
    stamp_path = _stamp_path(data_dir)
    if (data_dir / OBSERVATIES).exists() and stamp_path.exists() and stamp_path.read_text(encoding="utf-8") == stamp:
        return False
    files = select(_full(data_dir, generation, log), delivered, own)
    for path in generated_paths(data_dir):
        if str(path.relative_to(data_dir)) not in files:
            path.unlink(missing_ok=True)
    for rel, content in files.items():
        _write(data_dir / rel, content)
    stamp_path.write_text(stamp, encoding="utf-8")
    return True
