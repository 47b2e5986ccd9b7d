"""Seed parity (issue 17) for the dashboard (seed 001) and the factsheet (seed 003): the generated
sentences and findings, the year to date, and every new element present for a gemeente with data
and a clear 'geen cijfers' note without, on the real demo data."""
from __future__ import annotations

import pandas as pd
import pytest

from sdrapport.presentation.reports import dashboard, factsheet
from sdrapport.periods import Period, PeriodError
from sdrapport.presentation.report import Rapport
from tests.conftest import html_rows, unescape


# -- pure: sentences, findings, periods ------------------------------------------------------------
@pytest.mark.parametrize("waarde, doel, richting, verwacht", [
    (94.0, 95, "hoger is beter", "Daarmee halen we bijna de doelstelling van 95%."),  # seed 001, Participatiewet
    (87.0, 80, "hoger is beter", "Daarmee halen we de doelstelling van 80% ruim."),
    (95.0, 95, "hoger is beter", "Daarmee halen we de doelstelling van 95%."),
    (92.0, 95, "hoger is beter", "Daarmee halen we de doelstelling van 95% niet."),  # seed 001, Jeugd: 'niet gehaald'
    (31.0, 30, "lager is beter", "Daarmee halen we bijna de doelstelling van 30%."),
    (20.0, 30, "lager is beter", "Daarmee halen we de doelstelling van 30% ruim."),
])
def test_target_sentence_follows_value_target_and_direction(waarde, doel, richting, verwacht):
    assert dashboard.doel_zin(waarde, doel, richting, "%") == verwacht


def test_target_sentence_for_counts_uses_a_share_of_the_target_and_neutral_says_nothing():
    assert dashboard.doel_zin(196, 200, "hoger is beter", "aantal") == "Daarmee halen we bijna de doelstelling van 200."
    assert dashboard.doel_zin(190, 200, "hoger is beter", "aantal") == "Daarmee halen we de doelstelling van 200 niet."
    assert dashboard.doel_zin(190, 200, "neutraal", "aantal") == ""


def test_comparison_sentence():
    assert dashboard.vergelijk_zin(27, 35, "aantal", "in het eerste kwartaal 2020") == \
        "In het eerste kwartaal 2020 was dat 35; nu is het minder."
    assert dashboard.vergelijk_zin(93.3, 90.2, "%", "in het eerste kwartaal 2020", "hoger is beter") == \
        "In het eerste kwartaal 2020 was dat 90,2%; nu is het hoger, een verbetering."
    assert dashboard.vergelijk_zin(101, 100, "aantal", "in 2020") == "In 2020 was dat 100; nu is het ongeveer gelijk."


def test_amounts_read_as_euros():
    assert dashboard.bedrag(140.114) == "€\u00a0140.114"
    assert dashboard.bedrag(38800) == "€\u00a038,8\u00a0miljoen"


@pytest.mark.parametrize("waarden, onderwerp, meervoud, verwacht", [
    ([8200, 7900, 7700], "Aantal indicaties", False, "Aantal indicaties neemt af"),
    ([240, 250, 262], "Ontvangers loonkostensubsidie", True, "Ontvangers loonkostensubsidie nemen toe"),
    ([100, 104, 101], "Uitgaven na prijscorrectie", True, "Uitgaven na prijscorrectie blijven nagenoeg gelijk"),
    ([100, None], "Aantal indicaties", False, ""),
])
def test_finding_from_the_figures(waarden, onderwerp, meervoud, verwacht):
    assert factsheet.bevinding(onderwerp, waarden, meervoud=meervoud) == verwacht


def test_price_correction_uses_the_index_of_the_last_year():
    assert factsheet.reeel({2021: 100.0, 2023: 120.0}, {2021: 100.0, 2023: 125.0}) == {2021: 125.0, 2023: 120.0}
    assert factsheet.reeel({2021: 100.0, 2023: 120.0}, {2021: 100.0}) == {}  # no index for the last year: no guess


def test_year_to_date_periods():
    assert [Period.parse(f"2021-Q{n}").to_date.code for n in range(1, 5)] == ["2021-Q1", "2021-H1", "2021-T3", "2021"]
    t3 = Period.parse("2021-T3")
    assert (t3.start.isoformat(), t3.end.isoformat(), t3.label) == ("2021-01-01", "2021-09-30", "januari tot en met september 2021")
    assert Period.parse("2021-T2") == Period(2021, "H", 1)
    assert t3.year_before().code == "2020-T3"
    with pytest.raises(PeriodError):
        Period.parse("2021-T5")
    assert dashboard.tot_nu_kort(Period.parse("2021-T3")) == "2021 t/m\u00a0Q3"


def test_a_year_to_date_is_no_report_period():
    from sdrapport.inputs.profiles import Profile
    from sdrapport.runner.run import check_period

    with pytest.raises(ValueError, match="geen rapportperiode"):
        check_period(Profile("dashboard", "x", ["10_dashboard.ipynb"]), Period.parse("2021-T3"))


# -- on the demo data ------------------------------------------------------------------------------
def _text(shown) -> str:
    return " ".join(unescape(str(d)) for d, _ in shown if isinstance(d, str))


def _leeg(shown) -> bool:
    return bool(shown) and all((m or {}).get("sdrapport", {}).get("leeg") for _, m in shown)


@pytest.fixture
def hilversum(demo_project, tmp_path):
    return Rapport("GM0402", "2021-Q1", project=demo_project.root, uitvoer=tmp_path / "hv", rapport="dashboard")


@pytest.fixture
def dordrecht(demo_project, tmp_path):
    """A gemeente without registrations: no youth provisions, no pgb."""
    return Rapport("GM0505", "2021-Q1", project=demo_project.root, uitvoer=tmp_path / "dd", rapport="dashboard")


def test_kpi_block_tiles_carry_a_generated_sentence(hilversum, shown):
    dashboard.kpi_blok(hilversum, "Participatiewet", naam="kpi-pw")
    md, meta = shown[0]
    assert "Kerncijfers Participatiewet" in meta["sdrapport"]["tbl-cap"]
    data = pd.read_csv(hilversum.uitvoer / "data" / "kpi-pw.csv")
    tijdig = data[data["indicator"] == "tijdigheid"].iloc[0]
    assert tijdig["doel"] == 95
    # The sentence follows from the value and target as printed in the tile.
    tile_value = float(str(tijdig["waarde"]))
    assert dashboard.doel_zin(round(tile_value, 1), 95, "hoger is beter", "%") in unescape(md)
    werk = data[(data["indicator"] == "bijstand_uitstroom")].iloc[0]
    assert werk["periode"] == "2021-Q1" and werk["reden"] == "Werk"  # the year to date after Q1: Q1 itself


def test_kpi_block_without_data_says_so(hilversum, shown, monkeypatch):
    monkeypatch.setattr(dashboard, "load_blokken", lambda r: {"Leeg": []})
    dashboard.kpi_blok(hilversum, "Leeg", naam="kpi-leeg")
    assert _leeg(shown) and "geen cijfers beschikbaar" in _text(shown)


def test_what_changed_is_generated_from_the_previous_quarter(hilversum, shown):
    dashboard.tekst_veranderd(hilversum)
    text = _text(shown)
    assert "over het vierde kwartaal 2020" in text
    nu, toen = hilversum.waarde("tijdigheid", wet="Wmo"), hilversum.waarde("tijdigheid", "2020-Q4", wet="Wmo")
    assert f"van {toen.tekst} naar {nu.tekst}" in text


def test_the_gemeente_s_own_texts_replace_the_generated_ones(hilversum, shown):
    dashboard.tekst_inleiding(hilversum)
    dashboard.tekst_domein(hilversum, "Jeugd")
    text = _text(shown)
    assert "TONK" in text and "administratieve afsluiting" in text  # params/dashboard/GM0402.yml


def test_budget_versus_realisation(hilversum, shown, dordrecht):
    dashboard.figuur_begroting(hilversum, "Wmo", naam="begroting-wmo")
    data = pd.read_csv(hilversum.uitvoer / "data" / "begroting-wmo.csv")
    assert list(data["periode"]) == ["2021", "2021-Q1", "2020-Q1"]
    dashboard.tekst_begroting(hilversum, "Wmo")
    assert "betaald" in _text(shown) and "geen prognose" in _text(shown)
    shown.clear()
    dashboard.figuur_begroting(dordrecht, "Onbekend beleidsveld", naam="begroting-x")
    assert _leeg(shown) and "geen cijfers" in _text(shown)


def test_bijstand_stock_inflow_and_outflow_in_one_chart(hilversum, shown):
    dashboard.figuur_bestand_stromen(hilversum, naam="stromen", titel="Bijstand")
    data = pd.read_csv(hilversum.uitvoer / "data" / "stromen.csv")
    assert list(data.columns) == ["periode", "bestand", "instroom", "uitstroom"]
    assert len(data) == 8 and data["periode"].iloc[-1] == "2021-Q1"
    assert "bestand" in shown[0][1]["sdrapport"]["fig-alt"]


def test_wmo_meldingen_and_financien_by_form(hilversum, shown):
    dashboard.figuur_voorzieningsvorm(hilversum, naam="verdeling")
    data = pd.read_csv(hilversum.uitvoer / "data" / "verdeling.csv")
    for reeks in ("Meldingen", "Financiën"):
        assert data.loc[data["reeks"] == reeks, "aandeel"].astype(float).sum() == pytest.approx(100)


def test_youth_provisions_by_verwijzer_and_zwaarte_with_shares(hilversum, shown, dordrecht):
    dashboard.tabel_voorzieningen(hilversum, naam="voorz", titel="Voorzieningen")
    rows = html_rows(shown[0][0])
    header = rows["Voorzieningen"]
    assert header[-2:] == ["2021 t/m\u00a0Q1", "% 2021"]
    total = hilversum.waarde("jeugd_voorzieningen")
    gemeente = hilversum.waarde("jeugd_voorzieningen", verwijzer="Gemeente")
    assert rows["Aandeel gemeente"][-2] == f"{round(gemeente.waarde / total.waarde * 100)}%"
    assert rows["Aandeel gemeente"][-4] == ""  # Q4 2021: not yet over, an empty cell (never '–', nil)
    shown.clear()
    dashboard.tabel_voorzieningen(dordrecht, naam="voorz", titel="Voorzieningen")
    assert _leeg(shown) and "geen cijfers" in _text(shown)


def test_youth_pgb_and_provisions_come_from_the_registrations(hilversum):
    pgb, jongeren = hilversum.waarde("jeugd_pgb"), hilversum.waarde("jeugd_jongeren")
    assert pgb.beschikbaar and 0 < pgb.waarde < jongeren.waarde
    cross = [hilversum.waarde("jeugd_voorzieningen", verwijzer="Gemeente", zwaarte=z).waarde for z in ("licht", "middel", "zwaar")]
    assert all(v > 0 for v in cross)


def test_pga_at_three_moments(hilversum, shown):
    dashboard.tabel_peilmomenten(hilversum, "jeugd_pga", "leeftijd", naam="pga", titel="PGA")
    header = html_rows(shown[0][0])["Leeftijd"]
    assert header == ["Q1 2020", "Ultimo 2020", "Q1 2021"]
    assert "Totaal" in html_rows(shown[0][0])


def test_complaints_paragraph(hilversum, shown):
    dashboard.tekst_klachten(hilversum)
    text = _text(shown)
    n = hilversum.waarde("klachten")
    assert f"zijn {n.tekst} klachten ingediend" in text and "afgerond" in text


def test_registrations_count_january_to_september_as_one_period(hilversum):
    """The year to date after Q3 is counted over the period itself: unique young people are fewer
    than the sum of the quarters."""
    t3 = hilversum.waarde("jeugd_jongeren", "2021-T3")
    quarters = [hilversum.waarde("jeugd_jongeren", f"2021-Q{n}").waarde for n in (1, 2, 3)]
    assert t3.beschikbaar and max(quarters) <= t3.waarde < sum(quarters)


# -- factsheet ----------------------------------------------------------------------------------------
@pytest.fixture
def hengelo(demo_project, tmp_path):
    return Rapport("GM0164", "2023", project=demo_project.root, uitvoer=tmp_path / "hg", rapport="factsheet")


def test_factsheet_key_facts_grouped(hengelo, shown):
    factsheet.kerngroepen(hengelo, naam="feiten", titel="Feiten")
    md = unescape(shown[0][0])
    for word in ("Leeftijd", "1-persoons", "meerpersoons", "Huur of koop", "koop", "rond het gemiddelde van Nederland",
                 "Gebruik maatwerk in 2023"):
        assert word in md
    data = pd.read_csv(hengelo.uitvoer / "data" / "feiten.csv")
    een, meer = (float(data.loc[data["regel"] == r, "waarde"].iloc[0]) for r in ("Eenpersoonshuishoudens %", "Meerpersoonshuishoudens %"))
    assert een + meer == pytest.approx(100)


def test_factsheet_small_charts_have_findings(demo_project, tmp_path, hengelo, shown):
    almelo = Rapport("GM0141", "2023", project=demo_project.root, uitvoer=tmp_path / "al", rapport="factsheet")
    keys = [p.sleutel for p in factsheet.panelen(almelo)]
    # Hengelo delivers its own Iv3 figures, so the demo has them for no gemeente (issue 23): no spending chart.
    assert keys == ["indicaties", "piramide", "omvang", "loonkostensubsidie"]
    for p in factsheet.panelen(almelo):
        assert p.bevinding, p.sleutel
    factsheet.figuur_ontwikkelingen(almelo)
    assert "Aantal indicaties" in shown[0][1]["sdrapport"]["fig-alt"]
    # Hengelo delivers its own Iv3 figures (its 2024 annual accounts) and the demo has none of
    # them, for Hengelo or any other gemeente: no spending chart for 2023 rather than fictitious years.
    assert [p.sleutel for p in factsheet.panelen(hengelo)] == ["indicaties", "piramide", "omvang", "loonkostensubsidie"]


def test_factsheet_without_data_says_so(demo_project, tmp_path, shown):
    vlieland = Rapport("GM0096", "2019", project=demo_project.root, uitvoer=tmp_path / "vl", rapport="factsheet")
    vlieland.obs = vlieland.obs.iloc[0:0]
    vlieland._eigen = vlieland.obs
    factsheet.figuur_ontwikkelingen(vlieland)
    assert _leeg(shown) and "geen cijfers" in _text(shown)


def test_factsheet_indicators_named_as_themselves_and_wijk_link(hengelo, shown):
    factsheet.tabel_indicatoren(hengelo, "tevredenheid", "wet")
    rows = html_rows(shown[0][0])
    assert "Percentage gebruikers van Wmo dat één of meer positieve effecten ervaart" in rows
    shown.clear()
    factsheet.tekst_inleiding(hengelo)
    assert "opendata.cbs.nl" in _text(shown)


def test_factsheet_own_wijk_link_and_findings(hengelo, shown):
    (hengelo.project.params / "factsheet").mkdir(exist_ok=True)
    (hengelo.project.params / "factsheet" / "GM0164.yml").write_text(
        "2023:\n  wijkinformatie:\n    url: https://www.hengelo.nl/wijken\n    tekst: de wijkpagina's\n"
        "  bevindingen:\n    indicaties: Minder indicaties per inwoner\n", encoding="utf-8")
    try:
        assert factsheet.wijk_link(hengelo) == ("de wijkpagina's", "https://www.hengelo.nl/wijken")
        assert factsheet.panelen(hengelo)[0].bevinding == "Minder indicaties per inwoner"
    finally:
        (hengelo.project.params / "factsheet" / "GM0164.yml").unlink()
