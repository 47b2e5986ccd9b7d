"""Dashboard arithmetic on small hand-made inputs: quarter tables, KPI status and change, shares."""

import pandas as pd

from tests.conftest import html_rows, project_without_data
import pytest

from sdrapport.presentation.elements import components
from sdrapport.indicators.targets import Kpi
from sdrapport.presentation.elements.kpis import change, evaluate, status
from sdrapport.errors import ContractError
from sdrapport.presentation.report import Rapport, Waarde
from sdrapport.store.database import build_store
from tests.conftest import REPO

ROWS = [
    # Unique young people: the year counts each person once, so it is less than the quarters' sum.
    *[("GM0402", f"2021-Q{q}", "jeugd_jongeren", "", n) for q, n in zip(range(1, 5), (402, 398, 410, 391))],
    ("GM0402", "2021", "jeugd_jongeren", "", 611),
    *[("GM0402", f"2020-Q{q}", "jeugd_jongeren", "", n) for q, n in zip(range(1, 5), (380, 377, 385, 379))],
    ("GM0402", "2020", "jeugd_jongeren", "", 590),
    ("GM0402", "2021-Q1", "jeugd_jongeren", "zwaarte=licht", 222),
    ("GM0402", "2021-Q1", "jeugd_jongeren", "zwaarte=middel", 123),
    ("GM0402", "2021-Q1", "jeugd_jongeren", "zwaarte=zwaar", 58),
    # tijdigheid = tijdig / beslist per wet
    ("GM0402", "2021-Q1", "aanvragen_beslist", "wet=Wmo", 400), ("GM0402", "2021-Q1", "aanvragen_tijdig", "wet=Wmo", 372),
    ("GM0402", "2020-Q1", "aanvragen_beslist", "wet=Wmo", 380), ("GM0402", "2020-Q1", "aanvragen_tijdig", "wet=Wmo", 365),
    ("GM0402", "2021-Q1", "aanvragen_beslist", "wet=Jeugdwet", 100), ("GM0402", "2021-Q1", "aanvragen_tijdig", "wet=Jeugdwet", 85),
]


@pytest.fixture
def tiny(tmp_path):
    root = tmp_path / "project"
    project_without_data(root)
    (root / "data" / "gemeenten.csv").write_text("code,naam,provincie\nGM0402,Hilversum,Noord-Holland\n", encoding="utf-8")
    (root / "data" / "inwoners.csv").write_text("gemeente,jaar,inwoners,bron\nGM0402,2020,90000,CBS\nGM0402,2021,91000,CBS\n", encoding="utf-8")
    lines = ["gemeente,periode,indicator,zwaarte,wet,waarde,bron,status"]
    for g, p, ind, dim, n in ROWS:
        zwaarte = dim.split("=")[1] if dim.startswith("zwaarte") else ""
        wet = dim.split("=")[1] if dim.startswith("wet") else ""
        lines.append(f"{g},{p},{ind},{zwaarte},{wet},{n},registratie,definitief")
    (root / "data" / "observaties" / "eigen.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "params" / "doelen.yml").write_text(
        "standaard:\n  tijdigheid/Wmo: 80\n  tijdigheid/Jeugdwet: 95\nGM0402:\n  2021:\n    tijdigheid/Wmo: 90\n", encoding="utf-8")
    build_store(root / "data", root / "reports" / "store" / "sdrapport.duckdb")
    return Rapport("GM0402", "2021-Q1", project=root, uitvoer=tmp_path / "out", rapport="dashboard")


def test_quarter_table_shows_nothing_after_the_report_period(tiny, shown):
    components.tabel_kwartalen(tiny, "jeugd_jongeren", naam="kw", titel="Unieke jeugdigen")  # report: 2021-Q1
    data = pd.read_csv(tiny.uitvoer / "data" / "kw.csv")
    assert list(data.columns) == ["indicator", "2020-Q1", "2020-Q2", "2020-Q3", "2020-Q4", "2020", "2021-Q1"]
    header, cells = list(html_rows(shown[0][0]).values())[:2]
    # Q2..Q4 2021 are not over yet: an empty cell with a note, never '?' or '–' (the CBS sign for
    # nil; found case 5 of issue 23); the year column is the year to date, which after the first
    # quarter is that quarter itself.
    assert cells[-4:] == ["", "", "", "400"]
    assert header[-1] == "2021 t/m\u00a0Q1"
    assert "eerste kwartaal 2020 - eerste kwartaal 2021" in shown[0][0]
    assert "lege cel: kwartaal nog niet verstreken" in shown[0][1]["sdrapport"]["tbl-cap"]


def test_quarter_table_year_to_date_is_counted_never_summed(tiny, shown):
    """After the third quarter the year to date is January-September (2021-T3), a period of its
    own: not delivered here, so '?', although all three quarters are there to add up."""
    q3 = Rapport("GM0402", "2021-Q3", project=tiny.project.root, uitvoer=tiny.uitvoer, rapport="dashboard")
    components.tabel_kwartalen(q3, "jeugd_jongeren", naam="kw", titel="Unieke jeugdigen")
    header, cells = list(html_rows(shown[0][0]).values())[:2]
    assert header[-1] == "2021 t/m\u00a0Q3"
    assert cells[-5:] == ["400", "400", "410", "", "?"]
    assert "1 januari tot en met 30 september 2021" in shown[0][1]["sdrapport"]["tbl-cap"]


def test_quarter_table_year_is_its_own_figure_not_the_sum(tiny, shown):
    q4 = Rapport("GM0402", "2021-Q4", project=tiny.project.root, uitvoer=tiny.uitvoer, rapport="dashboard")
    components.tabel_kwartalen(q4, "jeugd_jongeren", naam="kw", titel="Unieke jeugdigen")
    data = pd.read_csv(tiny.uitvoer / "data" / "kw.csv")
    assert list(data.columns) == ["indicator", "2020-Q1", "2020-Q2", "2020-Q3", "2020-Q4", "2020",
                                  "2021-Q1", "2021-Q2", "2021-Q3", "2021-Q4", "2021"]
    row = data.iloc[0]
    assert row["2021"] == 610  # 611 rounded, the year's own unique count
    assert row[["2021-Q1", "2021-Q2", "2021-Q3", "2021-Q4"]].tolist() == [400, 400, 410, 390]
    assert row["2021"] != sum(row[["2021-Q1", "2021-Q2", "2021-Q3", "2021-Q4"]])
    md = shown[0][0]
    header, row = list(html_rows(md).items())[:2]
    assert "Q1\u00a02021" in header[1] and "Jaar 2021" in header[1]
    assert row[1][-1] == "610"


def test_shares_of_zwaarte_come_from_rounded_counts(tiny):
    shares = tiny.verdeling("jeugd_jongeren_verdeling", "zwaarte").set_index("zwaarte")["waarde"]
    # rounded: 220, 125, 60 of a rounded total of 400
    assert shares.round(4).to_dict() == {"licht": 55.0, "middel": 31.25, "zwaar": 15.0}


def test_tijdigheid_targets_follow_seed_001():
    """Seed 001 (Hilversum 2021 Q1): Participatiewet "doelstelling van 95", Wmo "doelstelling van 80%
    binnen 8 weken" (the page with woningaanpassingen and Begeleiding in de Wijk), Jeugd
    "streefcijfer 95%"; the standard follows it."""
    from sdrapport.indicators.targets import target
    from sdrapport.project import Project

    proj = Project(REPO)
    for gemeente in ("GM0402", "GM0505"):  # GM0505 has no targets of its own: the standard
        assert {wet: target(proj, gemeente, 2021, f"tijdigheid/{wet}") for wet in ("Participatiewet", "Wmo", "Jeugdwet")} == {
            "Participatiewet": 95, "Wmo": 80, "Jeugdwet": 95}


def test_kpi_target_status_and_change(tiny):
    wmo = evaluate(tiny, Kpi("Wmo", "tijdigheid", {"wet": "Wmo"}))
    assert wmo.doel == 90  # the gemeente's own 2021 target overrides the standard 80
    assert wmo.waarde.waarde == pytest.approx(372 / 400 * 100)  # registration counts: not CBS-rounded
    assert wmo.status == "behaald"
    assert wmo.verandering == "-3,1 procentpunt"  # 93,0% now against 96,1% (365/380) shown a year earlier
    jeugd = evaluate(tiny, Kpi("Jeugd", "tijdigheid", {"wet": "Jeugdwet"}))
    assert (jeugd.doel, jeugd.status, jeugd.waarde.tekst) == (95, "niet behaald", "85,0%")  # seed 001: streefcijfer 95%
    assert jeugd.verandering == "?"  # nothing delivered for 2020-Q1


def test_status_follows_the_catalogue_direction():
    w = Waarde(7.0, "waarde", "%")
    assert status(w, 5.0, "hoger is beter") == "behaald"
    assert status(w, 5.0, "lager is beter") == "niet behaald"
    assert status(w, 7.0, "lager is beter") == "behaald"
    assert status(w, None, "hoger is beter") == "geen doel"
    assert status(Waarde(None, "onbekend", "%"), 5.0, "hoger is beter") == "onbekend"
    assert change(Waarde(1050.0, "waarde", "aantal"), Waarde(1000.0, "waarde", "aantal")) == "+50 (+5,0%)"
    assert change(Waarde(6.0, "waarde", "%"), Waarde(6.5, "waarde", "%")) == "-0,5 procentpunt"
    # Status and change follow the figures as shown: 94,96% reads 95,0% and meets a target of 95.
    assert status(Waarde(94.96, "waarde", "%"), 95.0, "hoger is beter") == "behaald"
    assert change(Waarde(93.46, "waarde", "%"), Waarde(93.44, "waarde", "%")) == "+0,1 procentpunt"


def test_small_registration_counts_give_true_percentages():
    from sdrapport.indicators.analysis import publish
    from tests.test_analysis import CAT, obs

    frame = obs([("G1", "2021-Q1", "vroegsignalen", 10), ("G1", "2021-Q1", "vroegsignalen_contact", 4)])
    assert publish(frame, CAT, "vroegsignalen_contact_aandeel")["waarde"].item() == pytest.approx(40.0)


def test_kpi_overview_lists_every_kpi_of_the_profile(tiny, shown):
    components.kpi_overzicht(tiny)
    data = pd.read_csv(tiny.uitvoer / "data" / "kpi.csv", dtype=str, keep_default_na=False)
    assert list(data["domein"]) == ["Participatiewet", "Wmo", "Jeugd", "Schuldhulpverlening", "Minima"]  # one tile per domain
    assert data.loc[(data["indicator"] == "tijdigheid") & (data["wet"] == "Wmo"), "status"].item() == "behaald"
    assert set(data.loc[data["domein"] == "Minima", "status"]) == {"geen doel"}  # this project sets no target for it


def test_kpi_profile_refuses_neutral_indicators_and_two_tiles_for_a_domain(tiny):
    from sdrapport.indicators.targets import load_kpis

    path = tiny.project.params / "rapporten" / "dashboard.yml"
    path.write_text("titel: x\nnotebooks: [10_dashboard.ipynb]\nkpi:\n  - {domein: Wmo, indicator: wmo_clienten}\n", encoding="utf-8")
    with pytest.raises(ContractError, match="neutraal"):
        load_kpis(tiny.project, "dashboard")
    path.write_text("titel: x\nnotebooks: [10_dashboard.ipynb]\nkpi:\n  - {domein: Wmo, indicator: tijdigheid, wet: Wmo}\n"
                    "  - {domein: Wmo, indicator: tijdigheid, wet: Jeugdwet}\n", encoding="utf-8")
    with pytest.raises(ContractError, match="één kpi per domein"):
        load_kpis(tiny.project, "dashboard")
