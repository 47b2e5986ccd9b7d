"""The annual report's text slots and goal structure (seed 004, issue 17): each present for Hengelo
2024 (real text from its Jaarstukken) and a default sentence where a gemeente wrote nothing; the
params that carry them are checked with file, line and key."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from sdrapport.presentation.reports import annual_report
from sdrapport.presentation.elements import components
from sdrapport.inputs.params import ParamsError, load_params
from sdrapport.presentation.report import Rapport
from tests.conftest import html_rows, unescape


@pytest.fixture
def hengelo(demo_project, tmp_path):
    return Rapport("GM0164", "2024", project=demo_project.root, uitvoer=tmp_path / "out", rapport="jaarverslag")


@pytest.fixture
def zonder(demo_project, tmp_path):
    """A gemeente without a params/jaarverslag file."""
    return Rapport("GM0505", "2024", project=demo_project.root, uitvoer=tmp_path / "out", rapport="jaarverslag")


def _texts(shown) -> list[str]:
    return [unescape(text) for text, _ in shown]


def test_aanspreekpunten_and_default(hengelo, zonder, shown):
    annual_report.aanspreekpunten(hengelo)
    text, = _texts(shown)
    assert "**Aanspreekpunt bestuurlijk**: De wethouders met Sociaal domein in hun portefeuille" in text
    assert "**Aanspreekpunt ambtelijk**: De beleidsadviseurs en de controller" in text
    shown.clear()
    annual_report.aanspreekpunten(zonder)
    assert _texts(shown) == ["De gemeente Dordrecht heeft voor 2024 geen aanspreekpunten opgegeven."]


def test_ontwikkelingen_with_their_own_headings(hengelo, zonder, shown):
    annual_report.ontwikkelingen(hengelo)
    texts = _texts(shown)
    assert texts[0].startswith("Ook in 2024 konden inwoners op de gemeente Hengelo rekenen")
    assert "#### Hervormingsagenda jeugd" in texts and "#### Huisvesting statushouders" in texts
    assert texts[0].count("\n\n") == 4  # five paragraphs
    shown.clear()
    annual_report.ontwikkelingen(zonder)
    assert _texts(shown) == ["De gemeente Dordrecht heeft voor 2024 geen belangrijke ontwikkelingen beschreven."]


def test_beleidsnotas_and_verbonden_partijen(hengelo, zonder, shown, tmp_path):
    annual_report.beleidsnotas(hengelo)  # the seed's list is empty: the default sentence
    assert _texts(shown) == ["De gemeente Hengelo heeft voor 2024 geen beleidsnota's opgegeven."]
    shown.clear()
    annual_report.verbonden_partijen(hengelo)
    texts = _texts(shown)
    assert [t for t in texts if t.startswith("####")] == [
        "#### SamenTwente", "#### SWB Midden Twente", "#### Werkplein Twente", "#### Stadsbank Oost Nederland",
        "#### Uitvoeringsorganisatie Sociale zaken Borne, Hengelo, Haaksbergen"]
    shown.clear()
    annual_report.verbonden_partijen(zonder)
    assert _texts(shown) == ["De gemeente Dordrecht heeft voor 2024 geen verbonden partijen opgegeven."]


def test_indicators_grouped_by_goal_each_table_with_its_own_footnotes(hengelo, shown):
    annual_report.wat_bereikt(hengelo)
    texts = [t for t, _ in shown]
    headings = [unescape(t) for t in texts if t.startswith("#")]
    assert headings[:3] == [
        "#### 6.1 Meer inwoners doen mee in de Hengelose samenleving en voelen zich verbonden met (mensen in) hun omgeving",
        "##### 6.1.1 In 2024 zetten meer inwoners zich in voor de (lokale) samenleving",
        "##### 6.1.2 In 2024 zijn minder inwoners eenzaam"]
    assert len([h for h in headings if h.startswith("##### ")]) == 8  # 6.1.1-6.1.2 and 6.2.1-6.2.6
    tables = [t for t in texts if "```{=html}" in t]
    assert len(tables) == 8  # one small table per sub-goal
    first = html_rows(tables[0])
    assert list(first) == ["Indicator", "Percentage Hengelose volwassenen (18+) dat aangeeft mantelzorg te verlenen¹",
                           "Percentage Hengelose volwassenen (18+) dat aangeeft vrijwilligerswerk te doen²"]
    assert first["Indicator"] == ["Werkelijk 2023", "Begroting 2024", "Werkelijk 2024"]
    # Every table numbers its notes from 1: 6.2.2's note is ¹ again, under its own table.
    schulden = html_rows(tables[3])
    assert any(label.endswith("minimaregelingen¹") for label in schulden)
    assert tables[3].count('<ol class="sd-noten">') == 1 and "¹ De stijging die dit percentage laat zien" in tables[3]
    assert tables[2].count("sd-noten") == 0  # 6.2.1 has no footnotes
    # The goal's own explanation (6.2.4: what algemene voorzieningen are) is shown under its heading.
    assert any(unescape(t).startswith("*Algemene voorzieningen zijn voorzieningen") for t in texts)
    data = pd.read_csv(hengelo.uitvoer / "data" / "beleidsindicatoren.csv", dtype=str)
    assert len(data) == 19 and list(data["doel"].unique()) == ["6.1.1", "6.1.2", "6.2.1", "6.2.2", "6.2.3", "6.2.4", "6.2.5", "6.2.6"]


def test_indicators_without_goals_still_get_one_table(hengelo, shown, tmp_path):
    import shutil

    root = tmp_path / "copy"
    shutil.copytree(hengelo.project.root, root, ignore=shutil.ignore_patterns("reports"))
    shutil.copytree(hengelo.project.store.parent, root / "reports" / "store")
    path = root / "params" / "jaarverslag" / "GM0164.yml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'^    - doel: "6\.\d\.\d"\n      label', "    - label", text, flags=re.M)  # indicators without goal
    text = text[:text.index("  doelen:\n")] + text[text.index("  blijven_doen:\n"):]  # and no goals
    path.write_text(text, encoding="utf-8")
    r = Rapport("GM0164", "2024", project=root, uitvoer=tmp_path / "out", rapport="jaarverslag", store=root / "reports" / "store" / "sdrapport.duckdb")
    annual_report.wat_bereikt(r)
    assert [unescape(t) for t, _ in shown if t.startswith("#")] == ["#### Beleidsindicatoren"]
    shown.clear()
    annual_report.wat_gedaan(r)
    assert _texts(shown) == ["De gemeente Hengelo heeft voor 2024 niet beschreven wat zij voor de doelen van dit programma heeft gedaan."]


def test_what_was_done_per_goal_and_what_we_kept_doing(hengelo, zonder, shown):
    annual_report.wat_gedaan(hengelo)
    texts = _texts(shown)
    assert texts[0] == "#### 6.1 Meer inwoners doen mee in de Hengelose samenleving en voelen zich verbonden met (mensen in) hun omgeving"
    assert texts[1].startswith("- In 2024 boden wij ruimte aan 475 bewoners") and texts[1].count("\n- ") == 8  # nine points
    assert "#### 6.2 Meer inwoners in Hengelo redden zichzelf, waar nodig met ondersteuning van de gemeente" not in texts  # no text
    # A point's second paragraph in the seed stays with its point (6.2.6).
    last = texts[-1].split("\n- ")[-1]
    assert last.startswith("Ook in 2024 hebben wij de boodschap uitgedragen") and last.endswith("gecommuniceerd.")
    shown.clear()
    annual_report.blijven_doen(hengelo)
    assert [t for t in _texts(shown) if t.startswith("####")] == [
        "#### Ondersteuning jeugd en kwetsbare gezinnen", "#### Wmo, zorg en welzijn", "#### Werk, inkomen en schuldhulpverlening",
        "#### Werken aan een inclusieve samenleving"]
    shown.clear()
    annual_report.blijven_doen(zonder)
    assert _texts(shown) == ["De gemeente Dordrecht heeft voor 2024 niet beschreven wat zij is blijven doen."]


def test_financial_explanation_general_points_then_per_taakveld(hengelo, zonder, shown):
    annual_report.financiele_toelichting(hengelo)
    text, = _texts(shown)
    assert text.startswith("Wij zien op hoofdlijnen de volgende ontwikkelingen") and text.count("\n- ") == 3
    shown.clear()
    components.toelichting_afwijkingen(hengelo)
    md, = _texts(shown)
    assert "#### 6.1 Samenkracht en burgerparticipatie (€\u00a0651.000 voordeel)" in md
    assert "#### 6.73C Jeugdhulp met verblijf overig (€\u00a0995.000 nadeel)" in md
    shown.clear()
    annual_report.financiele_toelichting(zonder)
    assert _texts(shown)[0].startswith("De gemeente Dordrecht heeft voor 2024 geen algemene financiële toelichting gegeven")


def test_risicos(hengelo, zonder, shown):
    annual_report.risicos(hengelo)
    assert "#### Mantelzorg en vrijwilligerswerk staat onder druk" in _texts(shown)
    shown.clear()
    annual_report.risicos(zonder)
    assert _texts(shown) == ["De gemeente Dordrecht heeft voor 2024 geen risico's beschreven."]


def test_nil_amounts_print_as_a_dash_with_a_note(hengelo, shown):
    components.tabel_iv3(hengelo, naam="iv3", titel="Wat heeft het gekost")
    md, _ = shown[0]
    rows = html_rows(md)
    assert rows["6.2 Toegang en eerstelijnsvoorzieningen"][:3] == ["-10.261", "-10.585", "-10.291"]
    assert "–" in [c for row in rows.values() for c in row]  # 6.2's baten: no amount (seed 004 prints '-')
    assert "–: geen bedrag." in md
    iv3 = pd.read_csv(hengelo.uitvoer / "data" / "iv3.csv", dtype=str)
    baten = iv3[(iv3["taakveld"] == "6.2") & (iv3["soort"] == "baten")].iloc[0]
    assert baten["rekening"] == "0"  # the download keeps the number


def test_text_from_params_is_escaped(hengelo, shown):
    assert annual_report.tekst_markdown("{{< env X >}} <b>x</b>\n- *punt*") == (
        "\\{\\{\\< env X \\>\\}\\} \\<b\\>x\\</b\\>\n\n- \\*punt\\*")


@pytest.mark.parametrize("yaml_text, fragment", [
    ("  doelen:\n    - code: 6.1\n      titel: X\n", "sleutel '2024.doelen.0.code': doel 6.1 staat niet tussen aanhalingstekens"),
    ("  doelen:\n    - code: \"zes\"\n      titel: X\n", "verwacht een doelnummer zoals 6.1 of 6.1.1"),
    ("  aanspreekpunten:\n    politiek: X\n", "sleutel '2024.aanspreekpunten.politiek': onbekende sleutel"),
    ("  ontwikkelingen:\n    - kop: X\n", "sleutel '2024.ontwikkelingen.0.tekst': verplichte sleutel ontbreekt"),
    ("  verbonden_partijen: SamenTwente\n", "sleutel '2024.verbonden_partijen': verwacht een lijst"),
])
def test_jaarverslag_text_slots_are_checked(tmp_path, yaml_text, fragment):
    path = tmp_path / "params" / "jaarverslag" / "GM0164.yml"
    path.parent.mkdir(parents=True)
    path.write_text("2024:\n  drempel: 50\n" + yaml_text, encoding="utf-8")
    with pytest.raises(ParamsError, match=re.escape(fragment)):
        load_params(path)
