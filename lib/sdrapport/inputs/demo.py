"""Deterministic generator of the demo data set: fictitious figures with plausible magnitudes.

Same code, same bytes: every random draw comes from a generator seeded with (SEED, gemeente code),
values are written with fixed formatting and rows in a fixed order. Adding a gemeente to
data/gemeenten.csv does not change the figures of the others.

All observations carry bron 'Demodata'; pages built from them show the banner
"Demodata: fictieve cijfers".
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from sdrapport.periods import Period

SEED = 20240101
DEMO_BRON = "Demodata"
DEMO_LABEL = "Demodata, fictief"  # how source lines name it, so a fictitious figure is never mistaken for a real one
# 2021-2024 as the contract asks, plus 2019-2020 so that a dashboard for 2021-Q1 (seed 001) has its
# same-quarter-last-year comparison and eight quarters of trend.
YEARS = (2019, 2020, 2021, 2022, 2023, 2024)
# Exact 1 January 2024 figures from the seeds (002 Dordrecht, 003 Hengelo); others approximate.
INWONERS_2024 = {
    "GM0363": 931_000, "GM0599": 664_000, "GM0518": 560_000, "GM0344": 374_000, "GM0772": 243_000,
    "GM0014": 243_000, "GM0855": 227_000, "GM0034": 226_000, "GM0758": 186_000, "GM0268": 185_000,
    "GM0153": 162_000, "GM0193": 133_000, "GM0505": 121_434, "GM0402": 93_000, "GM0164": 82_324,
    "GM0141": 74_000, "GM0355": 66_000, "GM1942": 60_000, "GM1742": 39_000, "GM1735": 35_000,
    "GM0173": 32_000, "GM0147": 24_000, "GM0312": 15_500, "GM0339": 5_600, "GM0277": 1_700,
    "GM0096": 1_200, "GM0088": 950,
}
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
               "categorie", "voorziening", "aantal_wetten", "combinatie", "wet", "norm", "waarde", "bron", "status"]

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


def _profile(code: str) -> dict:
    """Fixed characteristics of a demo gemeente."""
    r = _rng(code, 1)
    inw = INWONERS_2024[code]
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


def inwoners_by_year(code: str) -> dict[int, int]:
    prof = _profile(code)
    r = _rng(code, 2)
    base = INWONERS_2024[code]
    out = {}
    for y in YEARS:
        noise = 1 + r.normal(0, 0.001)
        out[y] = base if y == 2024 else int(round(base / (1 + prof["growth"]) ** (2024 - y) * noise))
    return out


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


def _to_csv(columns: list[str], rows: list[dict]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def generate(gemeenten: list[str]) -> dict[str, bytes]:
    """The demo files as bytes, keyed by path relative to the data folder."""
    inwoners_rows, doelgroep_rows, obs = [], [], _Writer()
    for code in sorted(gemeenten):
        if code not in INWONERS_2024:
            raise ValueError(f"geen demo-inwonertal voor {code}; voeg het toe aan INWONERS_2024 in sdrapport.inputs.demo")
        inw = inwoners_by_year(code)
        for y in YEARS:
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
    # Where the demo has registrations, the figures derived from them are not delivered as
    # aggregates too (one figure, one source; the store refuses both).
    from sdrapport.inputs import demo_registrations as dr
    from sdrapport.indicators.definitions import BRON_SOORT, STANDAARD

    with_records = [c for c in sorted(gemeenten) if c in dr.GEMEENTEN]
    # (The demo exports carry no reason of ending, so ended provisions stay delivered aggregates.)
    computed = {i for i in BRON_SOORT if not STANDAARD[i].startswith("beeindigd/")}
    rows = [row for row in obs.rows if not (row["gemeente"] in with_records and row["indicator"] in computed)]
    out = {
        "inwoners.csv": _to_csv(["gemeente", "jaar", "inwoners", "bron"], inwoners_rows),
        "inwoners-doelgroep.csv": _to_csv(["gemeente", "jaar", "leeftijd", "geslacht", "inwoners", "bron"], doelgroep_rows),
        "observaties/demo.csv": _to_csv(OBS_COLUMNS, rows),
    }
    if with_records:
        out.update(_registraties(with_records))
    return out


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


def write_demo(data_dir: Path) -> list[Path]:
    """Write the demo files for the gemeenten in data_dir/gemeenten.csv; returns the paths written."""
    with open(data_dir / "gemeenten.csv", encoding="utf-8") as fh:
        codes = [row["code"] for row in csv.DictReader(fh)]
    written = []
    for rel, content in generate(codes).items():
        path = data_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != content:
            tmp = path.with_suffix(path.suffix + ".tmp")
            tmp.write_bytes(content)
            tmp.replace(path)
        written.append(path)
    return written
