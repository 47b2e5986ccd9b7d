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

from .periods import Period

SEED = 20240101
DEMO_BRON = "Demodata"
YEARS = (2021, 2022, 2023, 2024)
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
               "hoofdcategorie", "productcategorie", "reden", "waarde", "bron", "status"]


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
        row = {c: "" for c in OBS_COLUMNS}
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
        w.add(code, p, "wmo_clienten", _int(clients))
        w.add(code, p, "wmo_clienten_75plus", _int(clients * (LEEFTIJD_WMO["75-84"] + LEEFTIJD_WMO["85+"]) * (1 + r.normal(0, 0.01))))
        for name, share in FINANCIERING.items():
            value = "?" if (code, p.code) in ONBEKEND_FINANCIERING else _int(clients * share * (1 + r.normal(0, 0.03)))
            w.add(code, p, "wmo_clienten", value, financieringsvorm=name)
        for name, share in HOOFDCATEGORIE.items():
            if name == "Verblijf en opvang" and not prof["centrum"]:
                share = share / 6
            w.add(code, p, "wmo_clienten", _int(clients * share * (1 + r.normal(0, 0.03))), hoofdcategorie=name)
        for name, share in PRODUCTCATEGORIE.items():
            value = "-" if small else _int(clients * share * (1 + r.normal(0, 0.04)))
            w.add(code, p, "wmo_clienten", value, productcategorie=name)
        for band, share in LEEFTIJD_WMO.items():
            for sex, sex_share in (("vrouw", AANDEEL_VROUW[band]), ("man", 1 - AANDEEL_VROUW[band])):
                value = "-" if small else _int(clients * share * sex_share * (1 + r.normal(0, 0.03)))
                w.add(code, p, "wmo_clienten", value, leeftijd=band, geslacht=sex)
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


def _to_csv(columns: list[str], rows: list[dict]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def generate(gemeenten: list[str]) -> dict[str, bytes]:
    """The demo files as bytes, keyed by path relative to the data folder."""
    inwoners_rows, obs = [], _Writer()
    for code in sorted(gemeenten):
        if code not in INWONERS_2024:
            raise ValueError(f"geen demo-inwonertal voor {code}; voeg het toe aan INWONERS_2024 in sdrapport.demo")
        inw = inwoners_by_year(code)
        for y in YEARS:
            inwoners_rows.append({"gemeente": code, "jaar": str(y), "inwoners": str(inw[y]), "bron": DEMO_BRON})
        _population(obs, code, inw)
        _wmo(obs, code, inw)
    return {
        "inwoners.csv": _to_csv(["gemeente", "jaar", "inwoners", "bron"], inwoners_rows),
        "observaties/demo.csv": _to_csv(OBS_COLUMNS, obs.rows),
    }


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
