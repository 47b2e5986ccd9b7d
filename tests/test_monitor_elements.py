"""The monitor's elements of seed 002 (issue 17): each present for a gemeente with data, and a clear
note ("geen cijfers", a default sentence) for one without. Real components on the demo store and on
a bare project with only inhabitants."""
from __future__ import annotations


import pandas as pd
import pytest

from sdrapport.presentation import annex, monitor, components
from sdrapport.presentation.chapters import Nummering
from sdrapport.inputs.catalogue import load_catalogue
from sdrapport.errors import ContractError
from sdrapport.presentation.report import Rapport
from sdrapport.inputs.profiles import Profile
from sdrapport.store.database import build_store
from tests.conftest import REPO, html_rows, project_without_data, unescape

TILES = ["levensverwachting", "mantelzorgers", "vrijwilligerswerk", "vsv", "werkloosheid",
         "huishoudens_problematische_schulden_aandeel", "leerlingen_sbo_per_1000", "zelfstandig_wonend_70plus"]


@pytest.fixture
def shown(monkeypatch):
    """What components display: (markdown or figure, metadata) per call."""
    import IPython.display

    seen = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, metadata=None, raw=False: seen.append((getattr(obj, "data", obj), metadata or {})))
    return seen


@pytest.fixture
def dordrecht(demo_project, tmp_path):
    return Rapport("GM0505", "2023-H2", project=demo_project.root, uitvoer=tmp_path / "out")


@pytest.fixture(scope="module")
def bare_project(tmp_path_factory):
    """A gemeente that delivered nothing but its inhabitants."""
    root = tmp_path_factory.mktemp("bare") / "project"
    project_without_data(root)
    (root / "data" / "gemeenten.csv").write_text("code,naam,provincie\nGM0361,Alkmaar,Noord-Holland\n", encoding="utf-8")
    (root / "data" / "inwoners.csv").write_text("gemeente,jaar,inwoners,bron\nGM0361,2023,111000,CBS\nGM0361,2024,112000,CBS\n",
                                                encoding="utf-8")
    build_store(root / "data", root / "reports" / "store" / "sdrapport.duckdb")
    return root


@pytest.fixture
def alkmaar(bare_project, tmp_path):
    return Rapport("GM0361", "2023-H2", project=bare_project, uitvoer=tmp_path / "out")


def _note(shown) -> str:
    (text, meta), = shown
    assert meta.get("sdrapport", {}).get("leeg"), meta
    return unescape(text).replace("*", "")  # the title is emphasised


# -- key-figure tiles -----------------------------------------------------------------------------------
def test_tiles_show_the_gemeente_beside_its_size_class(dordrecht, shown):
    monitor.tegels_vergelijking(dordrecht, TILES, naam="tegels", titel="Kerncijfers")
    (md, meta), = shown
    assert meta["sdrapport"]["tbl-cap"].startswith("**Kerncijfers.**") and meta["sdrapport"]["csv"] == "data/tegels.csv"
    assert md.count('<li class="sd-vergelijking">') == len(TILES) and md.count("#sd-vergelijking(") == 1
    data = pd.read_csv(dordrecht.uitvoer / "data" / "tegels.csv", dtype=str).set_index("indicator")
    for ind in TILES:
        own, ref = dordrecht.waarde(ind), dordrecht.referentie(ind)
        assert own.beschikbaar and ref.beschikbaar, ind
        assert f'<span class="sd-vergelijking-getal">{own.tekst}</span>' in md
        assert f'<span class="sd-vergelijking-getal">{ref.tekst}</span>' in md
        assert float(data.loc[ind, "referentiegroep"]) == pytest.approx(ref.waarde)
        assert int(data.loc[ind, "gemeenten_in_referentie"]) == ref.n >= 2
    # Each tile names its own source and period: the health figures are the survey year 2022.
    assert "RIVM Gezondheid per wijk en buurt (50150NED)) | 2022" in md
    assert data.loc["levensverwachting", "eenheid"] == "jaar" and "80,6" in md  # 'jaar': one decimal


def test_tiles_without_figures_say_so(alkmaar, shown):
    monitor.tegels_vergelijking(alkmaar, TILES, naam="tegels", titel="Kerncijfers")
    assert _note(shown) == "Kerncijfers: voor de gemeente Alkmaar zijn over tweede halfjaar 2023 geen cijfers beschikbaar."


def test_a_missing_reference_is_unknown_and_a_tile_without_comparison_says_nvt(dordrecht, shown):
    monitor.tegels_vergelijking(dordrecht, ["inwoners", "mantelzorgers"], naam="t", titel="T")
    md = shown[0][0]
    assert '<span class="sd-vergelijking-getal">n.v.t.</span>' in md  # inwoners: no group average


# -- several indicators in one chart ---------------------------------------------------------------------
def test_kindermishandeling_meldingen_and_adviezen_in_one_chart(dordrecht, shown):
    reeksen = {"Ontvangen meldingen": "kindermishandeling_per_100000", "Gestarte adviezen": "kindermishandeling_adviezen_per_100000"}
    monitor.figuur_indicatoren(dordrecht, reeksen, naam="km", titel="Kindermishandeling")
    (fig, meta), = shown
    data = pd.read_csv(dordrecht.uitvoer / "data" / "km.csv")
    assert list(data.columns) == ["periode", "Ontvangen meldingen", "Gestarte adviezen"]
    assert data["periode"].iloc[-1] == "2023-H2" and len(data) == 6
    assert data["Gestarte adviezen"].iloc[-1] == pytest.approx(dordrecht.waarde("kindermishandeling_adviezen_per_100000").waarde)
    alt = meta["sdrapport"]["fig-alt"]
    assert "Ontvangen meldingen: H1 2021:" in alt and "Gestarte adviezen:" in alt
    assert "CBS Veilig Thuis" in meta["sdrapport"]["fig-cap"]
    text = unescape(monitor.tekst_kindermishandeling(dordrecht))
    m = dordrecht.waarde("kindermishandeling_per_100000").tekst
    a = dordrecht.waarde("kindermishandeling_adviezen_per_100000").tekst
    assert f"per 100.000 inwoners {m} meldingen kindermishandeling ontvangen en {a} adviezen kindermishandeling gestart" in text
    assert "In gemeenten van dezelfde grootteklasse (100.000 - 300.000 inwoners) is dit gemiddeld" in text


def test_kindermishandeling_without_figures(alkmaar, shown):
    monitor.figuur_indicatoren(alkmaar, {"M": "kindermishandeling_per_100000", "A": "kindermishandeling_adviezen_per_100000"},
                               naam="km", titel="Kindermishandeling")
    assert "geen publiceerbare cijfers beschikbaar" in _note(shown)
    assert monitor.tekst_kindermishandeling(alkmaar).startswith("Over kindermishandeling zijn in het tweede halfjaar 2023")


# -- stapeling binnen de Wmo -------------------------------------------------------------------------------
def test_top_ten_wmo_combinations(dordrecht, shown):
    monitor.figuur_top(dordrecht, "wmo_stapeling", "wmo_combinatie", n=10, naam="ws", titel="Stapeling binnen de Wmo")
    (fig, meta), = shown
    data = pd.read_csv(dordrecht.uitvoer / "data" / "ws.csv")
    values = list(data["Dordrecht"])
    assert values == sorted(values, reverse=True) and len(data) == 14  # every combination, largest first
    assert "de 10 grootste van 14 categorieën" in meta["sdrapport"]["fig-cap"]
    first = data.iloc[0]
    text = unescape(monitor.tekst_wmo_stapeling(dordrecht))
    assert f"De meest voorkomende combinatie was {first['wmo_combinatie'].lower()} ({int(first['Dordrecht'])} cliënten)" in text


def test_combinations_of_a_small_gemeente_are_not_published(demo_project, tmp_path, shown):
    r = Rapport("GM0088", "2023-H2", project=demo_project.root, uitvoer=tmp_path)  # below 2.000 inhabitants: '-'
    monitor.figuur_top(r, "wmo_stapeling", "wmo_combinatie", naam="ws", titel="Stapeling binnen de Wmo")
    assert "geen publiceerbare cijfers beschikbaar" in _note(shown)


def test_wmo_combinations_from_the_registrations(tmp_path):
    """Clients with exactly two categories of Wmo provisions, per pair; the pairs add up to the total."""
    from tests.test_registraties import exact, value

    regs = """
id,client,gemeente,wet,product,categorie,zwaarte,verwijzer,startdatum,einddatum
w1,A,GM0402,wmo,,Hulp bij het huishouden,,gemeente,2020-01-10,
w2,A,GM0402,wmo,,Vervoersdiensten,,gemeente,2020-02-01,2020-12-31
w3,B,GM0402,wmo,,Vervoersdiensten,,gemeente,2020-01-05,
w4,B,GM0402,wmo,,Hulp bij het huishouden,,gemeente,2020-03-01,2020-03-31
w5,C,GM0402,wmo,,Begeleiding,,gemeente,2020-01-01,
w6,C,GM0402,wmo,,Dagbesteding,,gemeente,2020-01-01,
w7,C,GM0402,wmo,,Rolstoelen,,gemeente,2020-05-01,
w8,D,GM0402,wmo,,Begeleiding,,gemeente,2020-01-01,
w9,E,GM0402,jeugd,,Jeugdhulp zonder verblijf,licht,gemeente,2020-01-01,
"""
    obs = exact(tmp_path, {"voorzieningen.csv": regs})
    pair = "wmo_combinatie"
    # Q1: A and B both 'Hulp bij het huishouden + Vervoersdiensten', C two (Begeleiding, Dagbesteding), D one.
    assert value(obs, "wmo_stapeling", "2020-Q1") == 3
    assert value(obs, "wmo_stapeling", "2020-Q1", pair, "Hulp bij het huishouden + Vervoersdiensten") == 2
    assert value(obs, "wmo_stapeling", "2020-Q1", pair, "Begeleiding + Dagbesteding") == 1
    # Q2: B's household help ended in March; C has a third provision from May: neither has two.
    assert value(obs, "wmo_stapeling", "2020-Q2") == 1
    assert value(obs, "wmo_stapeling", "2020-Q2", pair, "Begeleiding + Dagbesteding") == 0
    parts = obs[(obs["indicator"] == "wmo_stapeling") & (obs["periode"] == "2020-Q1") & (obs["dim"] == pair)]
    assert parts["waarde"].sum() == 3  # each client in one pair


# -- beschermd wonen, 70-plussers ---------------------------------------------------------------------------
def test_beschermd_wonen_and_70_plussers_sentences(dordrecht):
    n = dordrecht.waarde("wmo_clienten", productcategorie="Beschermd wonen")
    text = unescape(monitor.tekst_beschermd_wonen(dordrecht))
    assert text.startswith(f"In het tweede halfjaar 2023 woonden {n.tekst} inwoners van de gemeente Dordrecht in een vorm van beschermd wonen")
    share = dordrecht.waarde("zelfstandig_wonend_70plus")
    text = unescape(monitor.tekst_zelfstandig_70plus(dordrecht))
    assert f"Van hen woonde {share.tekst} zelfstandig" in text and "1 januari 2024" in text


def test_beschermd_wonen_and_70_plussers_without_figures(alkmaar):
    assert unescape(monitor.tekst_beschermd_wonen(alkmaar)) == (
        "Over beschermd wonen zijn in het tweede halfjaar 2023 voor de gemeente Alkmaar geen cijfers beschikbaar.")
    assert "niet bekend" in monitor.tekst_zelfstandig_70plus(alkmaar)
    assert "geen cijfers beschikbaar" in monitor.tekst_wmo_stapeling(alkmaar)


# -- jeugd begroot versus gerealiseerd ----------------------------------------------------------------------
def test_youth_spending_budgeted_and_realised_with_unknown_cells(dordrecht, shown):
    components.tabel_kolommen(dordrecht, {"Begrote uitgaven": "jeugd_uitgaven_begroot", "Gerealiseerde uitgaven": "jeugd_uitgaven"},
                              "categorie", totaal="Totaal jeugdzorg", naam="ju", titel="Uitgaven jeugdzorg")
    rows = html_rows(shown[0][0])
    assert rows["Jeugdbescherming"][0] == "?" and rows["Jeugdreclassering"][0] == "?"  # not budgeted separately (as seed 002)
    assert rows["Jeugdbescherming"][1] not in ("?", "", "0")
    assert all(cell != "" for row in rows.values() for cell in row)  # no blank cell anywhere
    data = pd.read_csv(dordrecht.uitvoer / "data" / "ju.csv", dtype=str).set_index("categorie")
    assert data.loc["Jeugdbescherming", "Begrote uitgaven"] == "?"


# -- participatie baten en lasten ----------------------------------------------------------------------------
def test_baten_and_lasten_of_a_taakveld_over_the_years(tmp_path, shown):
    from sdrapport.store.database import build_store
    from tests.conftest import copy_project

    # Without Hengelo's own Iv3 figures the demo has them for every gemeente (with them, for none: issue 23).
    demo_project = copy_project(tmp_path / "p")
    (demo_project.data / "observaties" / "hengelo-jaarstukken-2024.csv").unlink()
    build_store(demo_project.data, demo_project.store)
    dordrecht = Rapport("GM0505", "2023-H2", project=demo_project.root, uitvoer=tmp_path / "out")
    monitor.tabel_baten_lasten(dordrecht, "6.3", naam="bl")
    md, meta = shown[0]
    assert meta["sdrapport"]["tbl-cap"].startswith("**Baten en lasten: Inkomensregelingen.**")
    rows = html_rows(md)
    assert list(rows) == ["Jaar", "2019", "2020", "2021", "2022", "2023"]  # no year after the report's
    demo = pd.read_csv(demo_project.data / "observaties" / "demo.csv", dtype=str, keep_default_na=False)
    mine = demo[(demo["gemeente"] == "GM0505") & (demo["periode"] == "2023") & (demo["taakveld"] == "6.3")
                & (demo["begrotingsfase"] == "rekening")].set_index("indicator")["waarde"]
    baten, lasten = int(mine["iv3_baten"]), int(mine["iv3_lasten"])
    assert rows["2023"][:3] == [f"{baten:,}".replace(",", "."), f"{lasten:,}".replace(",", "."),
                                f"{baten - lasten:,}".replace(",", ".").replace("-", "-")]
    assert "Cijfers uit" not in rows["Jaar"]  # every year from the rekening


def test_baten_and_lasten_from_the_begroting_when_there_is_no_rekening(tmp_path, shown):
    from tests.conftest import copy_project

    proj = copy_project(tmp_path / "p")
    csv = proj.data / "observaties" / "begroting.csv"
    csv.write_text("gemeente,periode,indicator,taakveld,begrotingsfase,waarde,bron,status\n"
                   "GM0361,2023,iv3_baten,6.5,primitief,0,Begroting,definitief\n"
                   "GM0361,2023,iv3_lasten,6.5,primitief,480,Begroting,definitief\n", encoding="utf-8")
    gemeenten = proj.data / "gemeenten.csv"
    gemeenten.write_text(gemeenten.read_text(encoding="utf-8") + "GM0361,Alkmaar,Noord-Holland\n", encoding="utf-8")
    inwoners = proj.data / "inwoners.csv"
    inwoners.write_text(inwoners.read_text(encoding="utf-8") + "GM0361,2024,112000,CBS\n", encoding="utf-8")
    r = Rapport("GM0361", "2023-H2", project=proj.root, uitvoer=tmp_path / "out")
    monitor.tabel_baten_lasten(r, "6.5", naam="bl")
    md, _ = shown[0]
    rows = html_rows(md)
    assert rows["2023"] == ["–", "480", "-480", "primitieve begroting"]  # nil baten as the jaarstukken print it
    assert "– : geen bedrag." not in md and "–: geen bedrag." in md
    shown.clear()
    monitor.tabel_baten_lasten(r, "6.3", naam="bl63")
    assert "geen baten en lasten van taakveld 6.3 beschikbaar" in _note(shown)


# -- no blank reference cells ---------------------------------------------------------------------------------
def test_comparison_table_has_no_blank_cells(dordrecht, shown):
    components.tabel_vergelijking(dordrecht, ["inwoners", "huishoudensgrootte", "schuldhulp_aanmeldingen"], naam="k", titel="K")
    md = shown[0][0]
    rows = html_rows(md)
    assert rows["Inwoners"][1] == "n.v.t." and rows["Aanmeldingen schuldhulpverlening"][1] == "n.v.t."
    assert rows["Gemiddelde huishoudensgrootte"][1] == dordrecht.referentie("huishoudensgrootte").tekst
    assert all(cell != "" for row in rows.values() for cell in row)
    assert "n.v.t.: voor dit cijfer" in md  # the note says what n.v.t. means


# -- the gemeente's own answers (params/monitor) ---------------------------------------------------------------
def test_ceo_findings_and_policy_table_from_params(dordrecht, shown):
    monitor.ceo_wmo(dordrecht)
    text = unescape(shown[0][0])
    assert "bevindingen van het cliëntervaringsonderzoek Wmo van de gemeente Dordrecht over 2022" in text
    assert "1. **Toegankelijkheid van de voorzieningen (toegang)**" in text and "3. **Ervaren effecten**" in text
    shown.clear()
    monitor.tabel_wmo_beleid(dordrecht, naam="beleid", titel="Gemeentelijk beleid")
    rows = html_rows(shown[0][0])
    assert rows["Type voorziening"] == ["2021", "2022"]
    assert rows["Begeleiding"] == ["Voornamelijk maatwerkvoorzieningen"] * 2


def test_ceo_findings_and_policy_without_params(alkmaar, shown):
    monitor.ceo_wmo(alkmaar)
    assert unescape(shown[0][0]) == "De gemeente Alkmaar heeft geen uitkomsten van het cliëntervaringsonderzoek Wmo opgegeven."
    shown.clear()
    monitor.tabel_wmo_beleid(alkmaar, naam="beleid", titel="Gemeentelijk beleid")
    assert _note(shown) == "Gemeentelijk beleid: de gemeente Alkmaar heeft haar beleid per type Wmo-voorziening niet opgegeven."


def test_monitor_params_are_checked(bare_project):
    from sdrapport.inputs.params import ParamsError, load_params

    path = bare_project / "params" / "monitor" / "GM0361.yml"
    path.write_text("2022:\n  ceo_wmo:\n    - titel: Toegang\n  beleidd: {}\n", encoding="utf-8")
    with pytest.raises(ParamsError) as err:
        load_params(path)
    message = str(err.value)
    assert "params/monitor/GM0361.yml, regel 3" in message and "sleutel '2022.ceo_wmo.0.tekst'" in message
    assert "sleutel '2022.beleidd': onbekende sleutel" in message
    path.unlink()


# -- introduction and annex -----------------------------------------------------------------------------------
def test_introduction_names_gemeente_period_and_reference_group(dordrecht):
    assert "in de gemeente Dordrecht, in het tweede halfjaar 2023" in monitor.inleiding(dordrecht)
    assert "dezelfde grootteklasse (100.000 - 300.000 inwoners)" in monitor.over_dit_rapport(dordrecht)


def test_annex_has_the_method_and_the_glossary_from_the_one_catalogue(dordrecht):
    method = annex.methode(dordrecht)
    assert "#### Referentiegroep" in method and "Voor de gemeente Dordrecht is dat de grootteklasse 100.000 - 300.000 inwoners." in method
    glossary = unescape(annex.begrippen(dordrecht))
    cat = load_catalogue(REPO / "data" / "indicatoren.yml")
    terms = [line for line in glossary.splitlines() if line and not line.startswith(":")]
    assert len(terms) == len(cat.begrippen) + len(cat.indicators)  # every concept and indicator, once
    assert terms == sorted(terms, key=str.casefold)
    assert "Algemene voorziening" in terms and "Mantelzorgers" in terms
    # The site's glossary is the same list.
    from sdrapport.publisher.site import glossary

    assert annex.begrippen(dordrecht) in glossary(dordrecht.project)


def test_catalogue_concepts_are_checked(tmp_path):
    text = (REPO / "data" / "indicatoren.yml").read_text(encoding="utf-8")
    bad = text + "  - begrip: algemene voorziening\n    definitie: Nog een keer.\n  - begrip: X\n    uitleg: Y\n"
    path = tmp_path / "indicatoren.yml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ContractError) as err:
        load_catalogue(path)
    message = str(err.value)
    assert "dit begrip staat er al" in message and "onbekend veld 'uitleg'" in message


# -- numbering -------------------------------------------------------------------------------------------------
def test_chapters_and_sections_are_numbered_except_the_introduction():
    profile = Profile("monitor", "Monitor", ["00_inleiding.ipynb", "01_a.ipynb", "02_b.ipynb"], nummering=True,
                      ongenummerd=["00_inleiding.ipynb"], zonder_toelichting=["02_b.ipynb"])
    n = Nummering(profile)
    n.begin("00_inleiding.ipynb")
    assert n.markdown("## Inleiding\n\n### Over dit rapport") == "## Inleiding\n\n### Over dit rapport"
    n.begin("01_a.ipynb")
    assert n.markdown("## Uitgangspositie\n\ntekst\n\n### Bevolking\n\n#### Sub") == "## 1 Uitgangspositie\n\ntekst\n\n### 1.1 Bevolking\n\n#### Sub"
    assert n.markdown("### SES\n```\n## niet\n```") == "### 1.2 SES\n```\n## niet\n```"  # not inside a fenced block
    n.begin("02_b.ipynb")
    assert n.markdown("## Wmo") == "## 2 Wmo"
    assert n.toelichting("01_a.ipynb") and not n.toelichting("02_b.ipynb")
    off = Nummering(Profile("x", "X", ["01_a.ipynb"]))
    off.begin("01_a.ipynb")
    assert off.markdown("## Uitgangspositie") == "## Uitgangspositie"
