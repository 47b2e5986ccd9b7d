"""The arithmetic of published figures on small hand-made inputs."""
import math

import pandas as pd
import pytest

from sdrapport.indicators.analysis import publish, reference
from sdrapport.inputs.catalogue import load_catalogue
from tests.conftest import REPO

CAT = load_catalogue(REPO / "data" / "indicatoren.yml")
DIMS = CAT.breakdown_columns


def obs(rows):
    """rows: (gemeente, periode, indicator, waarde, {breakdowns}) with waarde a number, '?' or '-'."""
    out = []
    for g, p, ind, v, *dims in rows:
        rec = {"gemeente": g, "periode": p, "indicator": ind, **dict.fromkeys(DIMS),
               "bron": "test", "status": "definitief"}
        rec.update(dims[0] if dims else {})
        rec["waarde_status"] = {"?": "onbekend", "-": "geheim"}.get(v, "waarde")
        rec["waarde"] = float(v) if rec["waarde_status"] == "waarde" else math.nan
        out.append(rec)
    return pd.DataFrame(out)


def provincie_x():
    """Seed 002, 'Verantwoording': gemeente 3 delivered no Wmo figures for the second half of 2023."""
    inw = {"G1": 20_000, "G2": 40_000, "G3": 17_000, "G4": 55_000}
    h1 = {"G1": 1_450, "G2": 3_300, "G3": 800, "G4": 3_400}
    h2 = {"G1": 1_503, "G2": 3_309, "G4": 3_480}
    rows = [(g, "2023", "inwoners", n) for g, n in inw.items()]
    rows += [(g, "2023-H1", "wmo_clienten", n) for g, n in h1.items()]
    rows += [(g, "2023-H2", "wmo_clienten", n) for g, n in h2.items()]
    return obs(rows)


def test_reference_counts_only_gemeenten_that_delivered():
    ref = reference(provincie_x(), CAT, CAT["wmo_clienten_per_1000"]).set_index("periode")
    # H1: all four delivered: 8.950 clients on 132.000 inhabitants.
    assert ref.loc["2023-H1", "n"] == 4
    assert ref.loc["2023-H1", "waarde"] == pytest.approx(8_950 / 132_000 * 1000)
    # H2: gemeente 3 is missing from the teller *and* the noemer. Rounded tellers: 1505 + 3310 + 3480.
    assert ref.loc["2023-H2", "n"] == 3
    assert ref.loc["2023-H2", "waarde"] == pytest.approx(8_295 / 115_000 * 1000)
    # So the group shows the rise every gemeente shows, not the false fall of 8.292 / 132.000.
    assert ref.loc["2023-H2", "waarde"] > ref.loc["2023-H1", "waarde"]


def test_reference_of_counts_is_the_mean_over_delivering_gemeenten():
    ref = reference(provincie_x(), CAT, CAT["wmo_clienten"]).set_index("periode")
    assert ref.loc["2023-H2", "n"] == 3
    assert ref.loc["2023-H2", "waarde"] == pytest.approx((1505 + 3310 + 3480) / 3)


def test_published_counts_are_cbs_rounded_and_rates_use_the_rounded_count():
    frame = obs([("G1", "2023", "inwoners", 20_000), ("G1", "2023-H2", "wmo_clienten", 1_503),
                 ("G1", "2023-H2", "wmo_clienten", 4, {"hoofdcategorie": "Overig"})])
    counts = publish(frame, CAT, "wmo_clienten")
    assert counts["waarde"].tolist() == [1505.0]
    rate = publish(frame, CAT, "wmo_clienten_per_1000")
    assert rate["waarde"].iloc[0] == pytest.approx(75.25)
    small = publish(frame, CAT, "wmo_clienten", by=["hoofdcategorie"])
    assert small["waarde"].tolist() == [0.0]


def test_noemer_of_a_half_year_is_the_1_january_after_it_when_published():
    frame = obs([("G1", "2023", "inwoners", 10_000), ("G1", "2024", "inwoners", 20_000),
                 ("G1", "2023-H2", "wmo_clienten", 1_000), ("G1", "2023-H1", "wmo_clienten", 1_000)])
    rate = publish(frame, CAT, "wmo_clienten_per_1000").set_index("periode")["waarde"]
    assert rate["2023-H2"] == pytest.approx(50.0)   # 1 January 2024
    assert rate["2023-H1"] == pytest.approx(100.0)  # 1 January 2023


def test_unknown_and_suppressed_values_stay_explicit_and_out_of_averages():
    frame = obs([("G1", "2023", "inwoners", 10_000), ("G2", "2023", "inwoners", 10_000),
                 ("G1", "2023-H1", "wmo_clienten", "-"), ("G2", "2023-H1", "wmo_clienten", "?"),
                 ("G1", "2023", "grijze_druk", 30.0), ("G2", "2023", "grijze_druk", "?")])
    rate = publish(frame, CAT, "wmo_clienten_per_1000").set_index("gemeente")
    assert rate.loc["G1", "waarde_status"] == "geheim" and math.isnan(rate.loc["G1", "waarde"])
    assert rate.loc["G2", "waarde_status"] == "onbekend"
    assert reference(frame, CAT, CAT["wmo_clienten_per_1000"]).empty
    grijs = reference(frame, CAT, CAT["grijze_druk"]).iloc[0]
    assert (grijs["waarde"], grijs["n"]) == (30.0, 1)


def test_breakdown_rows_and_totals_are_kept_apart():
    frame = obs([("G1", "2023-H2", "wmo_trajecten_beeindigd", 1_425),
                 ("G1", "2023-H2", "wmo_trajecten_beeindigd", 233, {"reden": "Overlijden"}),
                 ("G1", "2023-H2", "wmo_trajecten_beeindigd", 92, {"reden": "Verhuizing naar andere gemeente"})])
    total = publish(frame, CAT, "wmo_trajecten_beeindigd")
    assert total["waarde"].tolist() == [1425.0]
    by = publish(frame, CAT, "wmo_trajecten_beeindigd", by=["reden"]).set_index("reden")["waarde"]
    assert by.to_dict() == {"Overlijden": 235.0, "Verhuizing naar andere gemeente": 90.0}
    with pytest.raises(KeyError):
        publish(frame, CAT, "wmo_trajecten_beeindigd", by=["leeftijd"])


def test_rate_within_a_group_divides_by_the_same_group_and_a_share_by_the_total():
    frame = obs([("G1", "2023-Q1", "aanvragen_beslist", 400, {"wet": "Wmo"}), ("G1", "2023-Q1", "aanvragen_tijdig", 372, {"wet": "Wmo"}),
                 ("G1", "2023-Q1", "aanvragen_beslist", 100, {"wet": "Jeugdwet"}), ("G1", "2023-Q1", "aanvragen_tijdig", 85, {"wet": "Jeugdwet"}),
                 ("G1", "2023-H2", "jeugd_trajecten", 1000), ("G1", "2023-H2", "jeugd_trajecten", 800, {"categorie": "Jeugdhulp zonder verblijf"}),
                 ("G1", "2023-H2", "jeugd_trajecten", 200, {"categorie": "Jeugdhulp met verblijf"})])
    rate = publish(frame, CAT, "tijdigheid", by=["wet"]).set_index("wet")["waarde"]
    assert rate["Wmo"] == pytest.approx(372 / 400 * 100) and rate["Jeugdwet"] == pytest.approx(85 / 100 * 100)
    assert publish(frame, CAT, "tijdigheid", fixed={"wet": "Wmo"})["waarde"].item() == pytest.approx(93.0)
    share = publish(frame, CAT, "jeugd_trajecten_aandeel", by=["categorie"]).set_index("categorie")["waarde"]
    assert share.to_dict() == {"Jeugdhulp zonder verblijf": 80.0, "Jeugdhulp met verblijf": 20.0}
    ref = reference(frame, CAT, CAT["tijdigheid"], by=["wet"]).set_index("wet")["waarde"]
    assert ref["Wmo"] == pytest.approx(93.0)
