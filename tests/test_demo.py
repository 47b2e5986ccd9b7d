"""The demo data: real inhabitants, fictitious figures generated on first use, deterministic to the
byte, plausible, and covering all size classes."""
import csv

import pandas as pd

from sdrapport.inputs.contract import GROOTTEKLASSEN, grootteklasse
from sdrapport.inputs.demo import DEMO_BRON, demo_inwoners, ensure_demo, generated_paths, what_is_delivered, write_demo
from tests.conftest import REPO, data_template


def _rows(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_committed_inhabitants_are_real_for_2023_2024_and_labelled_demo_before():
    rows = _rows(REPO / "data" / "inwoners.csv")
    codes = {r["code"] for r in _rows(REPO / "data" / "gemeenten.csv")}
    real = {}
    for r in rows:
        if r["bron"] != DEMO_BRON:
            assert r["jaar"] in ("2023", "2024") and r["bron"].startswith("CBS, Kerncijfers wijken en buurten " + r["jaar"])
            real.setdefault(r["gemeente"], {})[int(r["jaar"])] = int(r["inwoners"])
    assert set(real) == codes and all(set(v) == {2023, 2024} for v in real.values())
    # CBS's national population on 1 January (the sum over the 342 gemeenten).
    assert sum(v[2023] for v in real.values()) == 17_811_291 and sum(v[2024] for v in real.values()) == 17_942_942
    # Earlier years: demo figures from the generator, and nothing else.
    demo = {(r["gemeente"], int(r["jaar"])): int(r["inwoners"]) for r in rows if r["bron"] == DEMO_BRON}
    expected = {(c, y): n for c in sorted(codes) for y, n in demo_inwoners(c, real[c]).items() if y not in real[c]}
    assert demo == expected, "data/inwoners.csv differs from the generator: run 'sdrapport demodata'"


def test_demo_files_are_generated_on_first_use_the_same_bytes_every_time_and_only_then(project):
    data = project.data
    delivered, own = what_is_delivered(data)
    assert {"iv3_lasten", "iv3_baten", "iv3_saldo"} <= delivered and not own  # Hengelo's own annual accounts
    before = {p.name: p.read_bytes() for p in generated_paths(data)}
    for path in generated_paths(data):
        path.unlink()
    assert ensure_demo(data) is True
    # The same bytes as the generation of this session's data template (tests/conftest.py), which
    # the project copied: the generator is deterministic.
    assert {p.name: p.read_bytes() for p in generated_paths(data)} == before
    assert ensure_demo(data) is False  # up to date: nothing generated
    # Another registry makes them again (for the gemeenten it has).
    rows = _rows(data / "gemeenten.csv")
    with open(data / "gemeenten.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(r for r in rows if r["code"] != "GM0363")
    assert ensure_demo(data) is True
    obs = pd.read_csv(data / "observaties" / "demo.csv", dtype=str, keep_default_na=False)
    assert "GM0363" not in set(obs["gemeente"]) and "GM0505" in set(obs["gemeente"])
    # Switched off: nothing is generated.
    (data / "demo.yml").write_text("genereren: false\n", encoding="utf-8")
    (data / "observaties" / "demo.csv").unlink()
    assert ensure_demo(data) is False and not (data / "observaties" / "demo.csv").exists()


def test_write_demo_rewrites_the_demo_rows_and_keeps_the_real_ones(project):
    path = project.data / "inwoners.csv"
    before = path.read_bytes()
    rows = _rows(path)
    with open(path, "w", encoding="utf-8", newline="") as fh:  # demo rows lost, real rows kept
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(r for r in rows if r["bron"] != DEMO_BRON)
    write_demo(project.data)
    assert path.read_bytes() == before


def test_demo_covers_all_size_classes_and_periods_with_plausible_magnitudes():
    inw = pd.read_csv(data_template() / "inwoners.csv")
    classes = {grootteklasse(n) for n in inw.loc[inw["jaar"] == 2024, "inwoners"]}
    assert classes == {name for _, name in GROOTTEKLASSEN}
    # Real CBS figures (KWB 2024): Dordrecht 122.070, Hengelo 83.058.
    assert inw.set_index(["gemeente", "jaar"]).loc[("GM0505", 2024), "inwoners"] == 122_070
    assert inw.set_index(["gemeente", "jaar"]).loc[("GM0164", 2024), "inwoners"] == 83_058

    obs = pd.read_csv(data_template() / "observaties" / "demo.csv", dtype=str, keep_default_na=False)
    assert set(obs["bron"]) == {DEMO_BRON}
    periods = set(obs.loc[obs["indicator"] == "wmo_clienten", "periode"])
    # Every quarter, half-year and year of 2021-2024, and 2019-2020 for the dashboard's comparisons.
    expected = {str(y) for y in range(2019, 2025)} | {f"{y}-H{h}" for y in range(2019, 2025) for h in (1, 2)} \
        | {f"{y}-Q{q}" for y in range(2019, 2025) for q in range(1, 5)}
    assert periods == expected
    dims = ["financieringsvorm", "hoofdcategorie", "productcategorie", "leeftijd", "geslacht"]
    totals = obs[(obs["indicator"] == "wmo_clienten") & (obs["periode"] == "2023-H2") & (obs[dims] == "").all(axis=1)]
    inw24 = inw[inw["jaar"] == 2024].set_index("gemeente")["inwoners"]
    # Gemeenten with record-level demo exports get these figures from their registrations instead.
    per_1000 = (totals.set_index("gemeente")["waarde"].astype(float) / inw24 * 1000).dropna()
    assert len(per_1000) == len(inw24) - 2
    assert per_1000.between(45, 75).all(), per_1000.describe()  # "around 50-70 per 1.000"
    old = obs[(obs["indicator"] == "inwoners_75plus") & (obs["periode"] == "2024")].set_index("gemeente")["waarde"].astype(float) / inw24
    assert per_1000.corr(old) > 0.6  # rising with the share of 75+
    # The contract's explicit states occur in the demo: unknown ('?') and suppressed ('-').
    assert {"?", "-"} <= set(obs["waarde"])


def test_year_unique_count_is_not_the_sum_of_its_half_years():
    obs = pd.read_csv(data_template() / "observaties" / "demo.csv", dtype=str, keep_default_na=False)
    total = obs[(obs["indicator"] == "wmo_clienten") & (obs["gemeente"] == "GM0505") & (obs.iloc[:, 3:10] == "").all(axis=1)]
    v = total.set_index("periode")["waarde"].astype(int)
    assert max(v["2023-H1"], v["2023-H2"]) <= v["2023"] < v["2023-H1"] + v["2023-H2"]
    # Ended trajectories are a flow: they do add up.
    ends = obs[(obs["indicator"] == "wmo_trajecten_beeindigd") & (obs["gemeente"] == "GM0505") & (obs["reden"] == "")]
    e = ends.set_index("periode")["waarde"].astype(int)
    assert e["2023"] == e["2023-H1"] + e["2023-H2"] == sum(e[f"2023-Q{q}"] for q in range(1, 5))


def _totals(obs, indicator, gemeente="GM0505", **dims):
    rows = obs[(obs["indicator"] == indicator) & (obs["gemeente"] == gemeente)]
    dim_cols = ["leeftijd", "geslacht", "huishoudtype", "financieringsvorm", "hoofdcategorie", "productcategorie", "reden",
                "taakveld", "begrotingsfase", "zwaarte", "verwijzer", "categorie", "voorziening", "aantal_wetten", "combinatie", "wet", "norm"]
    for d in dim_cols:
        rows = rows[rows[d] == dims.get(d, "")]
    return rows.set_index("periode")["waarde"].astype(int)


def test_demo_stocks_flows_and_unique_counts_behave_as_such():
    obs = pd.read_csv(data_template() / "observaties" / "demo.csv", dtype=str, keep_default_na=False)
    for y in range(2019, 2025):
        qs = [f"{y}-Q{q}" for q in range(1, 5)]
        # Stocks: the figure of a year and of its second half is the one at the end of Q4.
        for ind, dims in (("bijstand_personen", {}), ("bijstand_personen", {"leeftijd": "tot AOW-leeftijd"}),
                          ("bijstand_deeltijdwerk", {}), ("reintegratie", {}), ("schuldhulp_huishoudens", {})):
            v = _totals(obs, ind, **dims)
            assert v[str(y)] == v[f"{y}-H2"] == v[f"{y}-Q4"], (ind, dims, y)
        # Flows add up.
        for ind, dims in (("bijstand_instroom", {}), ("klachten", {}), ("aanvragen_beslist", {"wet": "Wmo"})):
            v = _totals(obs, ind, **dims)
            assert v[str(y)] == sum(v[q] for q in qs), (ind, y)
        # Unique persons: at least the largest quarter, less than the sum of the quarters.
        for ind in ("wmo_clienten", "jeugd_jongeren"):
            v = _totals(obs, ind)
            assert max(v[q] for q in qs) <= v[str(y)] < sum(v[q] for q in qs), (ind, y)


def test_exclusive_breakdowns_add_up_to_the_total():
    obs = pd.read_csv(data_template() / "observaties" / "demo.csv", dtype=str, keep_default_na=False)
    rows = obs[(obs["gemeente"] == "GM0505") & (obs["periode"] == "2023-H2")]
    for ind, dim in (("jeugd_jongeren", "zwaarte"), ("jeugd_jongeren", "verwijzer"), ("jeugd_trajecten", "categorie"),
                     ("wmo_clienten", "financieringsvorm"), ("stapeling_huishoudens", "combinatie"), ("reintegratie", "voorziening")):
        parts = rows[(rows["indicator"] == ind) & (rows[dim] != "")]
        total = _totals(obs, ind)["2023-H2"]
        assert parts["waarde"].astype(int).sum() == total, (ind, dim)
