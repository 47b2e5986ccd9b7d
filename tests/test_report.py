"""Rapport on the real demo store: size class, reference group, narrative and source lines."""
import re

import pytest

from sdrapport.periods import Period
from sdrapport.presentation.elements import texts
from sdrapport.indicators.disclosure import cbs_round
from sdrapport.presentation.report import Rapport


@pytest.fixture(scope="module")
def dordrecht(demo_project):
    return Rapport("GM0505", "2023-H2", project=demo_project.root)


def test_size_class_and_reference_group(dordrecht):
    assert dordrecht.naam == "Dordrecht"
    # CBS's count on 1 January 2024 (KWB 2024). Seed 002 prints 121.434, which is CBS's count of
    # 1 January 2023, beside the 57.353 households of 1 January 2024.
    assert dordrecht.peiljaar == 2024 and dordrecht.inwoners == 122_070
    assert dordrecht.grootteklasse == "100.000 - 300.000 inwoners"
    assert "GM0505" in dordrecht.referentiegroep and "GM0363" not in dordrecht.referentiegroep
    assert len(dordrecht.referentiegroep) == 9
    assert dordrecht.demo


def test_published_values_follow_the_rounding_rule(dordrecht):
    raw = dordrecht.obs.query("gemeente == 'GM0505' and indicator == 'wmo_clienten' and periode == '2023-H2' "
                              "and hoofdcategorie.isna() and financieringsvorm.isna() and productcategorie.isna() "
                              "and leeftijd.isna() and geslacht.isna()", engine="python")["waarde"].iloc[0]
    n = dordrecht.waarde("wmo_clienten")
    assert n.waarde == cbs_round(raw) and n.waarde % 5 == 0
    rate = dordrecht.waarde("wmo_clienten_per_1000")
    assert rate.waarde == pytest.approx(n.waarde / 122_070 * 1000)
    assert rate.tekst == f"{rate.waarde:.1f}".replace(".", ",")


def test_narrative_reads_like_the_gmsd(dordrecht):
    zin = texts.wmo_clienten(dordrecht)
    n = dordrecht.waarde("wmo_clienten").tekst
    assert zin.startswith(f"In de gemeente Dordrecht waren er in het tweede halfjaar 2023 {n} unieke cliënten met een maatwerkvoorziening Wmo.")
    # The average says over whom it is taken (its lineage, issue 23): every gemeente of the group here.
    n_groep = len(dordrecht.referentiegroep)
    assert re.search(r"In gemeenten van dezelfde grootteklasse .*100\.000 - 300\.000 inwoners.* is dit gemiddeld \d+,\d per 1\.000 "
                     rf"inwoners \(over alle {n_groep} gemeenten\)\.", zin), zin
    assert texts.bevolking(dordrecht).startswith("Op 1 januari 2024 telde de gemeente Dordrecht 122.070 inwoners en 57.353 huishoudens.")


def test_missing_delivery_is_said_and_left_out_of_the_reference(demo_project):
    zwolle = Rapport("GM0193", "2022-H1", project=demo_project.root)
    assert not zwolle.waarde("wmo_clienten").beschikbaar
    assert "geen cijfers over Wmo-maatwerkvoorzieningen" in texts.wmo_clienten(zwolle)
    ref = zwolle.referentie("wmo_clienten_per_1000")
    assert ref.n == len(zwolle.referentiegroep) - 1


def test_source_line_names_source_period_and_provisional_status(dordrecht, demo_project):
    assert dordrecht.bron("wmo_clienten") == "Bron: Demodata, fictief (naar CBS GMSD Wmo) | tweede halfjaar 2023"
    assert dordrecht.bron("wmo_clienten", perioden=dordrecht.perioden()).endswith("| eerste halfjaar 2021 - tweede halfjaar 2023")
    later = Rapport("GM0505", "2024-H2", project=demo_project.root)
    assert later.bron("wmo_clienten").endswith("(voorlopige cijfers)")
    # Real inhabitants (CBS) beside demo households: each source once, the CBS table without '(naar CBS)'.
    jaar = Period.parse("2024")
    assert dordrecht.bron("inwoners", "huishoudens", "huishoudensgrootte", perioden=[jaar]).startswith(
        "Bron: CBS, Kerncijfers wijken en buurten 2024 (CC BY 4.0); Demodata, fictief (naar CBS) | 2024")


def test_unknown_and_suppressed_show_as_symbols(demo_project):
    renswoude = Rapport("GM0339", "2023-H2", project=demo_project.root)
    assert set(renswoude.verdeling("wmo_clienten", "financieringsvorm")["tekst"]) == {"?"}
    schier = Rapport("GM0088", "2023-H2", project=demo_project.root)
    assert set(schier.verdeling("wmo_clienten", "productcategorie")["tekst"]) == {"-"}
    assert schier.grootteklasse == "minder dan 25.000 inwoners"


def test_data_downloads_write_plain_deterministic_numbers(tmp_path):
    import pandas as pd

    from sdrapport.presentation.report import write_csv

    path = write_csv(pd.DataFrame({"a": ["x", "y", "z"], "b": [1234567.0, 0.12345678, float("nan")], "c": ["?", 5, "-"]}), tmp_path / "t.csv")
    assert path.read_text(encoding="utf-8") == "a,b,c\nx,1234567,?\ny,0.123457,5\nz,,-\n"


def test_yearly_figures_in_a_half_year_report_use_the_right_year(dordrecht, demo_project):
    # A 1 January stock: the next 1 January. A yearly flow (spend): the period's own year.
    assert dordrecht.waarde("inwoners").periode.code == "2024"
    assert dordrecht.waarde("wmo_uitgaven_gerealiseerd").periode.code == "2023"
    assert dordrecht.waarde("ses_woa").periode.code == "2023"
    assert [p.code for p in dordrecht.jaren(3, "wmo_uitgaven_gerealiseerd")] == ["2021", "2022", "2023"]
    # A half-yearly figure that is missing stays missing; it never borrows a year figure.
    zwolle = Rapport("GM0193", "2022-H1", project=demo_project.root)
    assert zwolle.waarde("wmo_clienten").periode.code == "2022-H1"
