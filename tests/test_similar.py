"""Similar gemeenten (similar.py): known small cases, stability, and the real profiles in the store."""
import duckdb
import numpy as np
import pandas as pd
import pytest

from sdrapport.inputs.geodata import profile_files, read_profile
from sdrapport.indicators.similar import KENMERKEN, neighbours, standardise
from tests.conftest import REPO

ONE = (("x", False, 1.0, "x"),)


def _profile(values: dict[str, float], column: str = "x") -> pd.DataFrame:
    return pd.DataFrame({column: list(values.values())}, index=list(values))


def test_neighbours_on_a_line_are_the_nearest_points_in_order():
    profile = _profile({"GM0001": 0, "GM0002": 1, "GM0003": 3, "GM0004": 7, "GM0005": 15})
    out = neighbours(profile, aantal=2, kenmerken=ONE)
    got = {g: list(rows.sort_values("rang")["buur"]) for g, rows in out.groupby("gemeente")}
    assert got == {"GM0001": ["GM0002", "GM0003"], "GM0002": ["GM0001", "GM0003"], "GM0003": ["GM0002", "GM0001"],
                   "GM0004": ["GM0003", "GM0002"], "GM0005": ["GM0004", "GM0003"]}
    # distances are in standard deviations of the characteristic
    std = np.array([0, 1, 3, 7, 15], dtype=float).std()
    first = out[(out["gemeente"] == "GM0001") & (out["rang"] == 1)]["afstand"].iloc[0]
    assert first == pytest.approx(1 / std)


def test_equal_distances_are_ordered_by_code_whatever_the_input_order():
    profile = _profile({"GM0005": 5, "GM0003": 4, "GM0001": 6, "GM0009": 5, "GM0002": 4})
    out = neighbours(profile, aantal=3, kenmerken=ONE)
    own = out[out["gemeente"] == "GM0005"].sort_values("rang")
    # GM0009 is at distance 0, GM0001, GM0002 and GM0003 all at distance 1: the lower codes first
    assert list(own["buur"]) == ["GM0009", "GM0001", "GM0002"]
    shuffled = neighbours(profile.sample(frac=1, random_state=7), aantal=3, kenmerken=ONE)
    pd.testing.assert_frame_equal(out, shuffled)


def test_log_scale_and_weights():
    # On a log scale 1.000 -> 10.000 is as far as 10.000 -> 100.000.
    profile = _profile({"GM0001": 1_000, "GM0002": 10_000, "GM0003": 100_000}, "inwoners")
    z = standardise(profile, (("inwoners", True, 1.0, ""),))["inwoners"].to_numpy()
    assert z[1] - z[0] == pytest.approx(z[2] - z[1])
    # A characteristic with weight 0 does not count; a characteristic without spread adds nothing.
    two = pd.DataFrame({"a": [0.0, 1.0, 5.0], "b": [100.0, 0.0, 100.0], "c": [3.0, 3.0, 3.0]}, index=["GM0001", "GM0002", "GM0003"])
    only_a = neighbours(two, aantal=1, kenmerken=(("a", False, 1.0, ""), ("b", False, 0.0, ""), ("c", False, 1.0, "")))
    assert only_a.set_index("gemeente")["buur"].to_dict() == {"GM0001": "GM0002", "GM0002": "GM0001", "GM0003": "GM0002"}
    only_b = neighbours(two, aantal=1, kenmerken=(("a", False, 0.0, ""), ("b", False, 1.0, "")))
    assert only_b.set_index("gemeente")["buur"].to_dict()["GM0001"] == "GM0003"


def test_real_profiles_give_five_neighbours_for_every_gemeente_and_the_same_ones_every_time():
    for path in profile_files(REPO / "data").values():
        profile = read_profile(path)
        assert len(profile) == 342
        out = neighbours(profile)
        assert len(out) == 342 * 5
        assert (out["gemeente"] != out["buur"]).all()
        assert out.groupby("gemeente")["afstand"].apply(lambda d: d.is_monotonic_increasing).all()
        again = neighbours(profile.iloc[::-1])
        pd.testing.assert_frame_equal(out, again)
    # Schiermonnikoog resembles the other Wadden islands more than any mainland gemeente.
    out = neighbours(read_profile(profile_files(REPO / "data")[2024]))
    wadden = {"GM0060", "GM0088", "GM0093", "GM0096", "GM0448"}  # Ameland, Schiermonnikoog, Terschelling, Vlieland, Texel
    schier = set(out[out["gemeente"] == "GM0088"]["buur"])
    assert len(schier & wadden) >= 3, schier


def test_store_holds_profiles_and_neighbours_computed_once_per_year(demo_project):
    con = duckdb.connect(str(demo_project.store), read_only=True)
    try:
        years = [r[0] for r in con.execute("SELECT DISTINCT jaar FROM vergelijkbaar ORDER BY jaar").fetchall()]
        assert years == [2023, 2024]
        stored = con.execute("SELECT gemeente, rang, buur, afstand FROM vergelijkbaar WHERE jaar = 2024 "
                             "ORDER BY gemeente, rang").df()
        assert con.execute("SELECT count(*) FROM profiel WHERE jaar = 2024").fetchone()[0] == 342
    finally:
        con.close()
    fresh = neighbours(read_profile(profile_files(demo_project.data)[2024]))
    pd.testing.assert_frame_equal(stored.reset_index(drop=True), fresh.reset_index(drop=True), check_dtype=False)
    assert {c for c, *_ in KENMERKEN} <= set(read_profile(profile_files(demo_project.data)[2024]).columns)


def test_a_report_with_similar_gemeenten_records_them_and_its_page_links_them(demo_project, tmp_path):
    """run.json names the five similar gemeenten of a report that shows them (page_facts), the page
    links those whose report is built, and the page is written again when one of them is built."""
    from sdrapport.periods import Period
    from sdrapport.publisher.site import navigation, page_inputs
    from sdrapport.inputs.profiles import load_profile
    from sdrapport.runner.run import page_facts

    h2 = Period.parse("2023-H2")
    monitor = load_profile(demo_project, "monitor")
    facts = page_facts(demo_project, "GM0505", h2, profile=monitor)
    stored = neighbours(read_profile(profile_files(demo_project.data)[2024]))
    assert [g["code"] for g in facts["vergelijkbaar"]] == list(stored[stored["gemeente"] == "GM0505"]["buur"])
    assert facts["vergelijkbaar"][0] == {"code": "GM0402", "naam": "Hilversum"}  # Dordrecht's most similar, another size class
    assert "GM0402" not in {g["code"] for g in facts["referentiegroep"]}
    assert "vergelijkbaar" not in page_facts(demo_project, "GM0505", h2, profile=load_profile(demo_project, "factsheet"))
    assert "vergelijkbaar" not in page_facts(demo_project, "GM0505", h2)

    built = {("2023-H2", "GM0505", "monitor"): {"pagina": facts}, ("2023-H2", "GM0088", "monitor"): {"pagina": {}},
             ("2023-H2", "GM0796", "dashboard"): {"pagina": {}}, ("2023-H1", "GM0402", "monitor"): {"pagina": {}}}
    text = navigation(built, "GM0505", h2, monitor, facts)
    assert "Vergelijkbare gemeenten" not in text  # none of the five has a monitor for this period
    with_hilversum = {**built, ("2023-H2", "GM0402", "monitor"): {"pagina": {}}}
    text = navigation(with_hilversum, "GM0505", h2, monitor, facts)
    line = next(ln for ln in text.splitlines() if ln.startswith("**Vergelijkbare gemeenten**"))
    assert line == "**Vergelijkbare gemeenten**: [Hilversum](../../../2023-H2/GM0402/monitor/index.html)"
    assert "GM0088" not in text

    outdir = demo_project.report_dir("2023-H2", "GM0505", "monitor")
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "run.json").write_text("{}", encoding="utf-8")
    key = page_inputs(demo_project, outdir, built, monitor, "code")
    assert page_inputs(demo_project, outdir, with_hilversum, monitor, "code") != key
    unrelated = {**built, ("2023-H2", "GM0088", "monitor"): {"pagina": {}}}  # neither similar nor in the size class
    assert page_inputs(demo_project, outdir, unrelated, monitor, "code") == key
