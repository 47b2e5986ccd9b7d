"""What a page says is true for the data behind it: '?' before a gemeente's data starts, never 0;
the text on rounding matches the disclosure method in force; the sources named are the exports
delivered; no demo figure beside a gemeente's own figures of that indicator, and every demo figure
labelled; a programme total its taakvelden do not add up to is refused or flagged; nil amounts as
'-'; and rates per target group divided by that group, which the caption names."""
from __future__ import annotations

import pandas as pd
import pytest

from sdrapport.presentation.elements import components, texts
from sdrapport.presentation.report import Rapport
from sdrapport.publisher.site import verantwoording_items
from sdrapport.runner.run import page_facts
from sdrapport.periods import Period
from sdrapport.store.database import build_store, prefer_own
from tests.conftest import copy_project, html_rows, unescape


@pytest.fixture(scope="module")
def own_hilversum(tmp_path_factory):
    """The demo project, but Hilversum (GM0402) delivers its own exports: only voorzieningen, the
    jeugd ones from a case system in use since 1 July 2020, part of them without zwaarte; the
    disclosure method is the threshold. Hengelo's programme total is off by 59."""
    proj = copy_project(tmp_path_factory.mktemp("own") / "project")
    reg = proj.data / "registraties"
    for kind in ("aanvragen", "uitkeringen", "klachten"):
        path = reg / f"{kind}-demo.csv"
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame[frame["gemeente"] != "GM0402"].to_csv(path, index=False, lineterminator="\n")
    path = reg / "voorzieningen-demo.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    jeugd = (frame["gemeente"] == "GM0402") & (frame["wet"] == "jeugd")
    frame = frame[~(jeugd & (frame["startdatum"] < "2020-07-01"))]
    frame.loc[jeugd & frame["id"].str.endswith("7"), "zwaarte"] = ""
    frame.to_csv(path, index=False, lineterminator="\n")
    settings = proj.params / "registraties.yml"
    text = settings.read_text(encoding="utf-8")
    text = text.replace("  GM0402:\n    bron: Demodata", "  GM0402:\n    bron: Gemeente Hilversum")
    text = text.replace("    vanaf: 2019-01-01        # the exports are complete from this day; without it: the quarter of the first "
                        "record of each kind\n", "")
    text = text.replace("  methode: cbs", "  methode: drempel")
    settings.write_text(text, encoding="utf-8")
    assert "methode: drempel" in text and "bron: Gemeente Hilversum" in text and "GM0402:\n    bron: Gemeente Hilversum\n    peildatum" in text
    iv3 = proj.data / "observaties" / "hengelo-jaarstukken-2024.csv"
    iv3.write_text(iv3.read_text(encoding="utf-8").replace(",rekening,-117730,", ",rekening,-117789,"), encoding="utf-8")
    build_store(proj.data, proj.store)
    return proj


def rapport(proj, gemeente="GM0402", periode="2021-Q1", profiel="dashboard", tmp_path=None) -> Rapport:
    return Rapport(gemeente, periode, project=proj.root, uitvoer=tmp_path, rapport=profiel)


def test_quarters_before_the_export_begins_show_unknown_not_zero(own_hilversum, shown, tmp_path):
    r = rapport(own_hilversum, tmp_path=tmp_path)
    components.tabel_kwartalen(r, "jeugd_jongeren", naam="kw", titel="Unieke jeugdigen")
    cells = list(html_rows(shown[0][0]).values())[1]
    # Q1 2020, Q2 2020 and the year 2020 lie (partly) before July 2020: '?'; Q3, Q4 2020 and Q1 2021 are counted.
    assert cells[:5] == ["?", "?", cells[2], cells[3], "?"] and cells[2] not in ("?", "0", "-")
    assert cells[5] not in ("?", "0", "", "-")
    data = pd.read_csv(tmp_path / "data" / "kw.csv", dtype=str)
    assert list(data.columns) == ["indicator", "2020-Q3", "2020-Q4", "2021-Q1"]  # the download holds what is known
    trend = r.reeks("jeugd_jongeren", r.periode.last(8))
    assert trend["periode"].iloc[0] == "2020-Q3" and not (trend["tekst"] == "0").any()  # the trend starts where the data does


def test_unknown_zwaarte_is_shown_as_onbekend_with_a_note(own_hilversum, shown, tmp_path):
    r = rapport(own_hilversum, tmp_path=tmp_path)
    components.tabel_kwartalen(r, "jeugd_jongeren", by="zwaarte", naam="kw-zwaarte", titel="Unieke jeugdigen naar zwaarte")
    md = shown[0][0]
    rows = html_rows(md)
    assert any(label.startswith("onbekend") for label in rows)
    assert "Onbekend: de registratie van de gemeente vermeldt bij deze personen geen zwaarte (licht, middel of zwaar)." in unescape(md)


def test_text_names_the_disclosure_method_in_force_and_only_the_exports_delivered(own_hilversum, tmp_path):
    r = rapport(own_hilversum, tmp_path=tmp_path)
    text = texts.registraties(r)
    assert "De cijfers over cliënten met een voorziening zijn berekend uit de eigen registraties van de gemeente Hilversum" in text
    assert "Over aanvragen en de tijdigheid van besluiten, uitkeringen en in- en uitstroom in de bijstand en klachten heeft de " \
           "gemeente geen registraties aangeleverd" in text
    assert "Aantallen van 1 tot en met 9 zijn weggelaten" in text and "afgerond" not in text.replace("niet afgerond", "")
    # Vlieland delivers all four kinds: all four are named, nothing is said to be missing.
    vlieland = texts.registraties(rapport(own_hilversum, "GM0096", "2024-Q4", tmp_path=tmp_path))
    assert "cliënten met een voorziening, aanvragen en de tijdigheid van besluiten, uitkeringen en in- en uitstroom in de " \
           "bijstand en klachten zijn berekend" in vlieland and "geen registraties aangeleverd" not in vlieland
    # The verantwoording says the same: CBS figures rounded, the registrations' small counts left out.
    facts = page_facts(own_hilversum, "GM0402", Period.parse("2021-Q1"))  # as the runner records it in run.json
    manifest = {"parameters": {"gemeente": "GM0402", "periode": "2021-Q1", "rapport": "dashboard"}, "code_version": "x",
                "data_files": {}, "data_fingerprint": "f"}
    lezers, _ = verantwoording_items(own_hilversum, manifest, Period.parse("2021-Q1"), facts)
    afronding = unescape(next(line for line in lezers if "**Afronding**" in line))
    assert "van het CBS zijn afgerond volgens de CBS-regel" in afronding
    assert "uit de eigen registraties van de gemeente zijn niet afgerond: aantallen van 1 tot en met 9 worden niet getoond" in afronding
    registratie = unescape(next(line for line in lezers if "**Registraties**" in line))
    assert "van 1 tot en met 9 weggelaten" in registratie and "afgerond volgens de CBS-regel" not in registratie


def test_demo_figures_never_sit_beside_own_figures_and_always_carry_the_label(own_hilversum, shown, tmp_path):
    r = rapport(own_hilversum, tmp_path=tmp_path)
    assert "Gemeente Hilversum" in r.bronnen and "Demodata" in r.bronnen and not r.alleen_demo
    components.kpi_overzicht(r, naam="kpi", titel="Kerncijfers per domein")
    md = unescape(shown[0][0])
    assert "(demodata, fictief)" in md  # the Schuldhulp and Minima tiles come from the demo data
    data = pd.read_csv(tmp_path / "data" / "kpi.csv", dtype=str).set_index("domein")["demodata"]
    assert data["Schuldhulpverlening"] == "ja" and data["Minima"] == "ja" and data["Wmo"] == "nee"
    assert "Demodata, fictief" in shown[0][1]["sdrapport"]["bron"]  # the source line says it too
    assert r.bron("wmo_clienten", perioden=[r.periode]).startswith("Bron: Gemeente Hilversum (naar CBS GMSD Wmo)")
    # A page of demo data only keeps its tiles as they were: the banner says it for the whole page.
    demo = rapport(own_hilversum, "GM0505", "2023-H2", "monitor", tmp_path=tmp_path / "demo")
    assert demo.alleen_demo


def test_a_demo_figure_of_an_indicator_delivered_for_any_gemeente_is_left_out():
    obs = pd.DataFrame({
        "gemeente": ["GM0402", "GM0402", "GM0402", "GM0505"],
        "periode": ["2019-Q1", "2021-Q1", "2021-Q1", "2021-Q1"],
        "indicator": ["wmo_clienten", "wmo_clienten", "stabilisatie_geslaagd", "wmo_clienten"],
        "bron": ["Demodata", "Gemeente Hilversum", "Demodata", "Demodata"],
    })
    kept, dropped = prefer_own(obs)
    # Dordrecht's demo figure goes too: a reference value over both would mix a real and a fictitious figure.
    assert kept[["gemeente", "periode", "bron"]].values.tolist() == [
        ["GM0402", "2021-Q1", "Gemeente Hilversum"], ["GM0402", "2021-Q1", "Demodata"]]
    assert dropped.to_dict("records") == [{"gemeente": "GM0402", "indicator": "wmo_clienten", "rijen": 1},
                                          {"gemeente": "GM0505", "indicator": "wmo_clienten", "rijen": 1}]


def test_programme_total_off_by_59_is_refused_naming_both_numbers_or_flagged(own_hilversum, shown, tmp_path):
    r = rapport(own_hilversum, "GM0164", "2024", "jaarverslag", tmp_path=tmp_path)
    components.tabel_iv3(r)
    text, meta = shown[0]
    text = unescape(text)
    assert meta == {"sdrapport": {"leeg": True}}  # no table
    assert ("het geleverde programmatotaal saldo van de rekening (-117.789) wijkt 60 af van de som van de taakvelden (-117.729); "
            "afronding op duizenden euro's verklaart hoogstens 25,5") in text
    assert "totaalcontrole: waarschuwen" in text
    path = own_hilversum.params / "jaarverslag" / "GM0164.yml"
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original.replace("2024:\n  drempel: 50\n", "2024:\n  drempel: 50\n  totaalcontrole: waarschuwen\n"), encoding="utf-8")
        components.tabel_iv3(r)
    finally:
        path.write_text(original, encoding="utf-8")
    md = unescape(shown[1][0])
    rows = html_rows(shown[1][0])
    assert rows["Saldo programma¹"][2] == "-117.789"  # published as delivered, pointing to the warning under it
    assert "Let op: het geleverde programmatotaal saldo van de rekening (-117.789) wijkt 60 af" in md
    # Nil amounts as the annual accounts print them: 6.4 WSW en beschut werk has no baten.
    import html
    import re

    table = shown[1][0].split("```{=html}", 1)[1]
    all_rows = [[html.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, flags=re.S)]
                for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)]
    labels = [row[0] for row in all_rows]
    wsw = labels.index("6.4 WSW en beschut werk")
    assert all_rows[wsw + 1] == ["Baten", "–", "–", "–", "–"]
    assert "–: geen bedrag." in md
    data = pd.read_csv(tmp_path / "data" / "iv3.csv", dtype=str)
    assert data[(data["taakveld"] == "6.4") & (data["soort"] == "baten")][["primitief", "rekening"]].values.tolist() == [["0", "0"]]


def test_wmo_clients_by_age_and_sex_per_1000_of_that_group_named_in_the_caption(demo_project, shown, tmp_path):
    r = rapport(demo_project, "GM0505", "2023-H2", "monitor", tmp_path=tmp_path)
    rate = r.verdeling("wmo_clienten_per_1000", "leeftijd", geslacht="vrouw").set_index("leeftijd")["waarde"]
    clients = r.verdeling("wmo_clienten", "leeftijd", geslacht="vrouw").set_index("leeftijd")["waarde"]
    groups = pd.read_csv(demo_project.data / "inwoners-doelgroep-demo.csv", dtype=str, keep_default_na=False)
    women = groups[(groups["gemeente"] == "GM0505") & (groups["jaar"] == "2024") & (groups["geslacht"] == "vrouw")]
    women = women.set_index("leeftijd")["inwoners"].astype(float)
    assert rate["75-84"] == pytest.approx(clients["75-84"] / women["75-84"] * 1000)  # not per all 121.434 inhabitants
    assert rate["75-84"] > 100 > r.waarde("wmo_clienten_per_1000").waarde
    # Per product category it stays per 1.000 of all inhabitants.
    cats = r.verdeling("wmo_clienten_per_1000", "productcategorie").set_index("productcategorie")["waarde"]
    hh = r.verdeling("wmo_clienten", "productcategorie").set_index("productcategorie")["waarde"]["Hulp bij het huishouden"]
    assert cats["Hulp bij het huishouden"] == pytest.approx(hh / r.inwoners * 1000)
    components.figuur_verdeling(r, "wmo_clienten_per_1000", "leeftijd", geslacht="vrouw", naam="f", titel="Vrouwelijke Wmo-cliënten naar leeftijd")
    caption = unescape(shown[0][1]["sdrapport"]["fig-cap"])
    assert "per 1.000 vrouwen van dezelfde leeftijdsgroep" in caption
    assert "per 1.000 vrouwen van dezelfde leeftijdsgroep" in shown[0][1]["sdrapport"]["fig-alt"]
    # The reference group is divided by its groups too.
    ref = r.verdeling("wmo_clienten_per_1000", "leeftijd", referentie=True, geslacht="vrouw").set_index("leeftijd")["referentie"]
    assert ref["75-84"] > 100
