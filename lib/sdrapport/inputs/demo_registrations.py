"""Fictitious record-level exports (data/registraties/*-demo.csv) for a few demo gemeenten.

Each kind is a stationary process: cases arrive at a steady daily rate and last a random time, so
that unique clients per quarter and per year, stocks and flows have the magnitudes of the
aggregate demo data (a year's unique count is about 1,3 times a quarter's, as in seed 001).
Records that ended before the export window (1 January of the first demo year) are left out, as
a real export would. Ids are visibly fictitious: DEMO-C-0402-000017 and the like.

Deterministic: every draw comes from a generator seeded with (SEED, gemeente, purpose).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

# Gemeenten whose dashboard is fed by registrations: Hilversum (seed 001's gemeente) and a small
# one (Vlieland), where disclosure control visibly rounds the small counts.
GEMEENTEN = ("GM0096", "GM0402")
EXPORT_END = dt.date(2024, 12, 31)  # peildatum of the demo exports
WINDOW_START = dt.date(2019, 1, 1)  # records ended before this day are not in the export
EPOCH = dt.date(1970, 1, 1)

VERWIJZER_ANDERS = {"huisarts": 0.60, "jeugdarts": 0.10, "gecertificeerde_instelling": 0.15,
                    "medisch_specialist": 0.10, "rechter": 0.05}
REDENEN_EINDE = {"werk": 0.33, "verhuizing": 0.10, "ander_inkomen": 0.20, "overlijden": 0.05, "overig": 0.32}
NORMEN = {"bejegening": 0.33, "voortvarendheid": 0.28, "informatievoorziening": 0.18,
          "administratieve_zorgvuldigheid": 0.08, "rechtszekerheid": 0.05, "overig": 0.08}
PER_JAAR = {  # per 1.000 inhabitants a year, calibrated on Hilversum's aggregate demo figures
    "wmo_nieuw": 20.5, "jeugd_nieuw": 6.8, "pw_nieuw": 13.7, "bijstand_huishoudens_nieuw": 3.2,
    "aanvragen_wmo": 13.0, "aanvragen_jeugd": 3.8, "aanvragen_pw": 3.2, "klachten": 0.5,
}
TRAJECT_PRODUCT = "Ambulante jeugdhulp (trajectfinanciering)"
TRAJECT_AANDEEL = 0.2
DUUR_DAGEN = {"wmo": 790, "jeugd": 850, "pw": 365, "bijstand": 1730}  # mean length of a case


def _day(d: dt.date) -> int:
    return (d - EPOCH).days


def _iso(days: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(np.asarray(days, dtype="int64").astype("datetime64[D]"), unit="D")


def _choice(r: np.random.Generator, shares: dict[str, float], n: int) -> np.ndarray:
    keys = list(shares)
    p = np.array([shares[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[r.choice(len(keys), size=n, p=p / p.sum())]


def _arrivals(r: np.random.Generator, per_year: float, first: dt.date) -> np.ndarray:
    """Arrival days (days since 1970) of a Poisson process from `first` to the export end."""
    span = _day(EXPORT_END) - _day(first) + 1
    n = r.poisson(per_year * span / 365.25)
    return np.sort(_day(first) + r.integers(0, span, size=n))


def _ends(r: np.random.Generator, starts: np.ndarray, mean_days: float) -> np.ndarray:
    return starts + np.maximum(1, r.exponential(mean_days, size=len(starts))).astype("int64")


def _end_text(ends: np.ndarray, r: np.random.Generator) -> np.ndarray:
    """End dates as exported: past ends as dates; a planned end after the export date is written
    for some records and left empty ('still running') for the others."""
    text = _iso(ends).astype(object)
    future = ends > _day(EXPORT_END)
    text[future & (r.random(len(ends)) < 0.6)] = ""
    return text


def voorzieningen(code: str, inwoners: int, r: np.random.Generator, categorieen: dict[str, dict[str, float]],
                  first: dt.date = dt.date(2014, 1, 1)) -> pd.DataFrame:
    """Provisions of one gemeente: per client an episode of care with 1 or more provisions in it."""
    nr = code[2:]
    frames = []
    for wet in ("wmo", "jeugd", "pw"):
        starts = _arrivals(r, PER_JAAR[f"{wet}_nieuw"] * inwoners / 1000, first)
        ends = _ends(r, starts, DUUR_DAGEN[wet])
        n = len(starts)
        extra = r.poisson(0.35 if wet != "pw" else 0.1, size=n)
        client_idx = np.repeat(np.arange(n), 1 + extra)
        ep_start, ep_end = starts[client_idx], ends[client_idx]
        length = ep_end - ep_start
        # The first provision starts the episode; later ones start somewhere in its first half.
        first_of = np.r_[True, client_idx[1:] != client_idx[:-1]]
        offset = np.where(first_of, 0, (r.random(len(client_idx)) * length * 0.5).astype("int64"))
        v_start = ep_start + offset
        v_end = np.where(first_of, ep_end, v_start + np.maximum(1, ((ep_end - v_start) * r.uniform(0.3, 1.0, len(client_idx))).astype("int64")))
        m = len(client_idx)
        zwaarte = _choice(r, {"licht": 0.55, "middel": 0.30, "zwaar": 0.15}, m) if wet == "jeugd" else np.full(m, "", dtype=object)
        if wet == "jeugd":
            combinatie = _choice(r, {"gemeente": 0.35, "beide": 0.15, "anders": 0.50}, n)[client_idx]
            anders = _choice(r, VERWIJZER_ANDERS, m)
            verwijzer = np.where(combinatie == "gemeente", "gemeente", anders).astype(object)
            # 'beide': the first provision through the gemeente, the others through someone else.
            verwijzer[(combinatie == "beide") & first_of] = "gemeente"
        elif wet == "wmo":
            verwijzer = np.full(m, "gemeente", dtype=object)
        else:
            verwijzer = np.full(m, "", dtype=object)
        frame = pd.DataFrame({
            "client": [f"DEMO-C-{nr}-{wet[0].upper()}{i:06d}" for i in client_idx],
            "gemeente": code, "wet": wet,
            "categorie": _choice(r, categorieen[wet], m),
            "zwaarte": zwaarte, "verwijzer": verwijzer,
            "start": v_start, "eind": v_end,
        })
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out = out[(out["eind"] >= _day(WINDOW_START)) & (out["start"] <= _day(EXPORT_END))].reset_index(drop=True)
    # Part of the ambulant youth care is bought per trajectory: its whole budget is booked when it
    # starts, which is what the old definition toegewezen_budget/1 counted (seed 001's appendix).
    traject = (out["categorie"] == "Jeugdhulp zonder verblijf") & (r.random(len(out)) < TRAJECT_AANDEEL)
    out["product"] = np.where(traject, TRAJECT_PRODUCT, out["categorie"])
    out.insert(0, "id", [f"DEMO-V-{nr}-{i:07d}" for i in range(len(out))])
    out["startdatum"] = _iso(out["start"].to_numpy())
    out["einddatum"] = _end_text(out["eind"].to_numpy(), r)
    # Two provisions of one client with the same product and start would be one provision delivered
    # twice (the ingest refuses those): keep the first. After every draw, so the rest is unchanged.
    out = out[~out.duplicated(["client", "wet", "product", "startdatum"], keep="first")]
    return out[["id", "client", "gemeente", "wet", "product", "categorie", "zwaarte", "verwijzer", "startdatum", "einddatum"]]


def aanvragen(code: str, inwoners: int, r: np.random.Generator, tijdig: dict[str, float]) -> pd.DataFrame:
    nr = code[2:]
    frames = []
    for wet in ("wmo", "jeugd", "pw"):
        received = _arrivals(r, PER_JAAR[f"aanvragen_{wet}"] * inwoners / 1000, dt.date(2018, 10, 1))
        n = len(received)
        on_time = r.random(n) < tijdig[wet]
        days = np.where(on_time, r.integers(5, 57, size=n), r.integers(57, 130, size=n))
        decided = received + days
        outcome = _choice(r, {"toegekend": 0.86, "afgewezen": 0.08, "buiten_behandeling": 0.03, "ingetrokken": 0.03}, n)
        decided_text = _iso(decided).astype(object)
        still_open = decided > _day(EXPORT_END)
        decided_text[still_open | (outcome == "ingetrokken")] = ""
        outcome = outcome.astype(object)
        outcome[still_open & (outcome != "ingetrokken")] = ""
        frames.append(pd.DataFrame({"gemeente": code, "wet": wet, "datum_ontvangst": _iso(received),
                                    "datum_besluit": decided_text, "uitkomst": outcome}))
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "id", [f"DEMO-A-{nr}-{i:06d}" for i in range(len(out))])
    return out


def uitkeringen(code: str, inwoners: int, r: np.random.Generator) -> pd.DataFrame:
    """Bijstand: per household a benefit; a partner (a third of the households) has a record of
    their own with the same household id, start and end."""
    nr = code[2:]
    starts = _arrivals(r, PER_JAAR["bijstand_huishoudens_nieuw"] * inwoners / 1000, dt.date(2004, 1, 1))
    ends = _ends(r, starts, DUUR_DAGEN["bijstand"])
    n = len(starts)
    partner = r.random(n) < 0.32
    idx = np.repeat(np.arange(n), 1 + partner.astype(int))
    second = np.r_[False, idx[1:] == idx[:-1]]
    reden = _choice(r, REDENEN_EINDE, n)[idx]
    out = pd.DataFrame({
        "client": [f"DEMO-C-{nr}-B{i:06d}{'P' if s else ''}" for i, s in zip(idx, second)],
        "huishouden": [f"DEMO-H-{nr}-{i:06d}" for i in idx],
        "gemeente": code, "start": starts[idx], "eind": ends[idx], "reden": reden,
    })
    out = out[(out["eind"] >= _day(WINDOW_START)) & (out["start"] <= _day(EXPORT_END))].reset_index(drop=True)
    out.insert(0, "id", [f"DEMO-U-{nr}-{i:06d}" for i in range(len(out))])
    out["startdatum"] = _iso(out["start"].to_numpy())
    ended = out["eind"].to_numpy() <= _day(EXPORT_END)
    out["einddatum"] = np.where(ended, _iso(out["eind"].to_numpy()), "")
    out["reden_einde"] = np.where(ended, out["reden"], "")
    return out[["id", "client", "huishouden", "gemeente", "startdatum", "einddatum", "reden_einde"]]


def klachten(code: str, inwoners: int, r: np.random.Generator) -> pd.DataFrame:
    nr = code[2:]
    days = _arrivals(r, PER_JAAR["klachten"] * inwoners / 1000, WINDOW_START)
    n = len(days)
    gegrond = _choice(r, {"ja": 0.30, "deels": 0.05, "nee": 0.65}, n).astype(object)
    gegrond[days > _day(EXPORT_END) - 30] = ""  # the last month's complaints are still being handled
    return pd.DataFrame({"id": [f"DEMO-K-{nr}-{i:05d}" for i in range(n)], "gemeente": code, "datum": _iso(days),
                         "norm": _choice(r, NORMEN, n), "gegrond": gegrond})
