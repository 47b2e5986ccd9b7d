"""The CBS StatLine connector against fixture files served on 127.0.0.1: the real cbsodata client runs."""
import json
import re
import shutil
from urllib.parse import unquote_plus

import pandas as pd
import pytest
from typer.testing import CliRunner

from sdrapport.cli import app
from sdrapport.errors import ContractError
from sdrapport.pipeline import build_report
from sdrapport.store.database import build_store
from tests.cbs_server import FIXTURES, CbsFixtureServer

runner = CliRunner()


@pytest.fixture
def cbs_project(project):
    """The project without demo observations: its figures will come from CBS only."""
    for p in (project.data / "observaties").glob("*.csv"):
        p.unlink()
    (project.data / "demo.yml").unlink()  # as data/demo.yml says: no demo data wanted
    (project.data / "inwoners.csv").write_text("gemeente,jaar,inwoners,bron\n", encoding="utf-8")
    (project.data / "inwoners-doelgroep-demo.csv").unlink(missing_ok=True)  # the demo's groups; CBS's come from 03759ned
    (project.params / "rapporten" / "klein.yml").write_text(
        "titel: Monitor\nnotebooks: [01_uitgangspositie.ipynb, 02_wmo.ipynb]\n", encoding="utf-8")
    return project


def fetch(project, *args):
    return runner.invoke(app, ["cbs", "fetch", "--project", str(project.root), *args])


def test_fetch_maps_tables_onto_the_catalogue(cbs_project):
    with CbsFixtureServer() as server:
        result = fetch(cbs_project, "--catalogus", f"http://{server.catalog}")
    assert result.exit_code == 0, result.output
    # Filter on the gemeenten asked, by key prefix (keys carry trailing spaces); paging followed.
    assert any("startswith(RegioS,'GM0505') or " in unquote_plus(r) for r in server.requests)
    assert any("$skip=3" in unquote_plus(r) for r in server.requests)  # the client followed odata.nextLink
    for table, modified in (("85984NED", "2024-11-01"), ("86050NED", "2024-10-15"), ("83262NED", "2020-11-26"), ("85099NED", "2024-10-31"),
                            ("80794ned", "2024-09-20"), ("85618NED", "2023-11-01")):
        snap = cbs_project.root / "cache" / "cbs" / table / modified
        assert (snap / "data.parquet").exists() and json.loads((snap / "meta.json").read_text())["TableInfos"][0]["Identifier"] == table

    wmo = pd.read_csv(cbs_project.data / "observaties" / "cbs-86050NED.csv", dtype=str, keep_default_na=False)
    assert set(wmo["gemeente"]) == {"GM0505", "GM0164", "GM0518"}  # Nederland and other rows left out
    row = lambda g, p, cat="": wmo[(wmo["gemeente"] == g) & (wmo["periode"] == p) & (wmo["hoofdcategorie"] == cat)].iloc[0]  # noqa: E731
    total = row("GM0505", "2024-H1")
    assert (total["waarde"], total["status"]) == ("9903", "voorlopig")  # '1e halfjaar 2024*', Status Voorlopig
    assert row("GM0505", "2023-H2")["status"] == "definitief"
    assert total["bron"] == "CBS GMSD Wmo (86050NED) (2024-10-15)"  # table id and snapshot date
    assert row("GM0505", "2024-H1", "Hulp bij het huishouden")["waarde"] == "?"  # CBS '.': unknown, never 0
    assert row("GM0164", "2024-H1", "Ondersteuning thuis")["waarde"] == "-"  # CBS 'x': secret
    assert len(wmo[(wmo["gemeente"] == "GM0505") & (wmo["periode"] == "2023-H2")]) == 3  # total + 2 categories, not A048188

    inw = pd.read_csv(cbs_project.data / "inwoners.csv", dtype=str).set_index(["gemeente", "jaar"])["inwoners"]
    assert (inw["GM0505", "2024"], inw["GM0164", "2023"]) == ("121434", "82311")  # KWB 2024 and KWB 2023 (85618NED)
    kwb_break = json.loads((cbs_project.data / "observaties" / "cbs-85984NED.json").read_text(encoding="utf-8"))["reeksbreuken"]
    assert [(b["indicator"], b["vanaf"]) for b in kwb_break] == [("inwoners", "2024")]  # successive KWB vintages: one series
    assert "CBS-tabel 85984NED (Kerncijfers wijken en buurten 2024), daarvoor uit 85618NED" in kwb_break[0]["toelichting"]
    kwb = pd.read_csv(cbs_project.data / "observaties" / "cbs-85984NED.csv", dtype=str, keep_default_na=False)
    hengelo = kwb[(kwb["gemeente"] == "GM0164") & (kwb["indicator"] == "huishoudens")].set_index("huishoudtype")["waarde"]
    assert (hengelo[""], hengelo["Eenpersoonshuishouden"]) == ("?", "-")
    assert "WK050501" not in set(kwb["gemeente"])

    bijstand = pd.read_csv(cbs_project.data / "observaties" / "cbs-80794ned.csv", dtype=str, keep_default_na=False)
    tot_aow = bijstand[bijstand["leeftijd"] == "tot AOW-leeftijd"].set_index("periode")["waarde"]
    # A stock: December stands for Q4, H2 and the year; June for Q2 and H1; May is no reporting period.
    # Plain bijstand (BijstandTotDeAOWLeeftijd_7), not bijstand with related benefits (_5: 4310 in December).
    assert tot_aow.to_dict() == {"2023": "3890", "2023-H2": "3890", "2023-Q4": "3890", "2024-H1": "3850", "2024-Q2": "3850"}
    assert set(bijstand["leeftijd"]) == {"tot AOW-leeftijd"}  # the table has no plain bijstand from the AOW age on


def test_second_run_works_offline_and_errors_name_the_table(cbs_project):
    with CbsFixtureServer() as server:
        assert fetch(cbs_project, "--catalogus", f"http://{server.catalog}").exit_code == 0
        port = server.catalog
    before = (cbs_project.data / "observaties" / "cbs-86050NED.csv").read_bytes()
    offline = fetch(cbs_project, "--catalogus", f"http://{port}")  # the server is gone: no network
    assert offline.exit_code == 0, offline.output
    assert (cbs_project.data / "observaties" / "cbs-86050NED.csv").read_bytes() == before
    refreshed = fetch(cbs_project, "--catalogus", f"http://{port}", "--refresh", "--tabel", "86050NED")
    assert refreshed.exit_code == 1 and "tabel 86050NED: ophalen" in refreshed.output and "2024-10-15 blijft in gebruik" in refreshed.output
    shutil.rmtree(cbs_project.root / "cache" / "cbs" / "85984NED")
    nothing = fetch(cbs_project, "--catalogus", f"http://{port}", "--tabel", "85984NED")
    assert nothing.exit_code == 1
    assert "tabel 85984NED: geen verbinding" in nothing.output and "nog geen opgeslagen snapshot" in nothing.output


def test_snapshots_are_immutable(cbs_project, tmp_path):
    fixtures = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, fixtures)
    with CbsFixtureServer(fixtures) as server:
        assert fetch(cbs_project, "--catalogus", f"http://{server.catalog}", "--tabel", "85099NED").exit_code == 0
        assert fetch(cbs_project, "--catalogus", f"http://{server.catalog}", "--tabel", "85099NED", "--refresh").exit_code == 0
        snaps = sorted(p.name for p in (cbs_project.root / "cache" / "cbs" / "85099NED").iterdir())
        assert snaps == ["2024-10-31"]  # unchanged table: the same snapshot
        rows = json.loads((fixtures / "85099NED" / "UntypedDataSet.json").read_text())
        rows[0]["JongerenMetJeugdzorg_1"] = "2830"  # CBS corrects a figure without a new Modified date
        (fixtures / "85099NED" / "UntypedDataSet.json").write_text(json.dumps(rows))
        assert fetch(cbs_project, "--catalogus", f"http://{server.catalog}", "--tabel", "85099NED", "--refresh").exit_code == 0
        assert fetch(cbs_project, "--catalogus", f"http://{server.catalog}", "--tabel", "85099NED", "--refresh").exit_code == 0
    snaps = sorted(p.name for p in (cbs_project.root / "cache" / "cbs" / "85099NED").iterdir())
    assert snaps == ["2024-10-31", "2024-10-31-2"]  # the second refresh found the same rows: no third copy
    old = pd.read_parquet(cbs_project.root / "cache" / "cbs" / "85099NED" / "2024-10-31" / "data.parquet")
    assert old.loc[0, "JongerenMetJeugdzorg_1"] == "2825"


def test_report_from_fetched_tables_names_them_in_its_sources(cbs_project):
    with CbsFixtureServer() as server:
        assert fetch(cbs_project, "--catalogus", f"http://{server.catalog}").exit_code == 0
    result = build_report(cbs_project, "GM0505", "2024-H1", "klein")
    assert result.ok, [n.error for n in result.notebooks]
    import nbformat

    from sdrapport.manifest import cell_label

    nb = nbformat.read(result.outdir / "02_wmo.ipynb", as_version=4)
    cells = {cell_label(c): c for c in nb.cells if c.cell_type == "code"}
    text = cells["txt-wmo-clienten"].outputs[0]["data"]["text/markdown"]
    assert "in het eerste halfjaar 2024 9.905 unieke cliënten" in text  # 9.903 CBS-rounded
    assert "81,6 per 1.000 inwoners" in text  # 9.905 / 121.434 (1 januari 2024, from the KWB table)
    assert "86050NED" in cells["fig-wmo-hoofdcategorie"].source and "(voorlopige cijfers)" in cells["fig-wmo-hoofdcategorie"].source
    page = (result.outdir / "index.qmd").read_text(encoding="utf-8")
    assert "Demodata" not in page
    manifest = json.loads((result.outdir / "run.json").read_text(encoding="utf-8"))
    assert {s["tabel"]: s["snapshot"] for s in manifest["cbs_snapshots"]}["86050NED"] == "2024-10-15"


def test_boundaries_are_never_silently_mixed(cbs_project):
    with CbsFixtureServer() as server:
        assert fetch(cbs_project, "--catalogus", f"http://{server.catalog}").exit_code == 0
    historie = cbs_project.data / "gemeente-historie.csv"
    historie.write_text("code,naam,geldig_van,geldig_tot,opvolger\nGM0505,Dordrecht,2024-01-01,,\n", encoding="utf-8")
    with pytest.raises(ContractError, match=r"GM0505 bestaat pas sinds 2024-01-01") as info:
        build_store(cbs_project.data, cbs_project.store)
    assert info.value.problems[0].file.startswith("data/observaties/cbs-")
    # A neighbour merged into Dordrecht on 1 July 2023: Dordrecht keeps its code, its boundary changed.
    historie.write_text("code,naam,geldig_van,geldig_tot,opvolger\nGM9990,Oudgemeente,,2023-06-30,GM0505\nGM0505,Dordrecht,,,\n",
                        encoding="utf-8")
    result = build_report(cbs_project, "GM0505", "2024-H1", "klein")
    assert result.ok, [n.error for n in result.notebooks]
    import nbformat

    from sdrapport.manifest import cell_label

    nb = nbformat.read(result.outdir / "02_wmo.ipynb", as_version=4)
    fig = next(c for c in nb.cells if c.cell_type == "code" and cell_label(c) == "fig-wmo-hoofdcategorie")
    assert "Per 1 juli 2023 gewijzigde gemeentegrens (Oudgemeente is opgegaan in de gemeente Dordrecht)" in fig.source


def test_history_contract_errors_name_file_row_and_column(cbs_project):
    historie = cbs_project.data / "gemeente-historie.csv"
    historie.write_text("code,naam,geldig_van,geldig_tot,opvolger\nGM9990,Oud,2020-13-01,,GM0505\n", encoding="utf-8")
    with pytest.raises(ContractError) as info:
        from sdrapport.inputs.contract import read_historie

        read_historie(historie, cbs_project.root)
    where = {(p.file, p.row, p.column) for p in info.value.problems}
    assert ("data/gemeente-historie.csv", 2, "geldig_van") in where and ("data/gemeente-historie.csv", 2, "geldig_tot") in where


def test_snapshot_must_cover_the_gemeenten_asked_and_rows_are_merged(cbs_project):
    with CbsFixtureServer() as server:
        cat = f"http://{server.catalog}"
        assert fetch(cbs_project, "--catalogus", cat, "-t", "86050NED", "--gemeenten", "GM0505").exit_code == 0
        wmo = pd.read_csv(cbs_project.data / "observaties" / "cbs-86050NED.csv", dtype=str)
        assert set(wmo["gemeente"]) == {"GM0505"}
        assert fetch(cbs_project, "--catalogus", cat, "-t", "86050NED").exit_code == 0  # all gemeenten: not covered, fetched
        wmo = pd.read_csv(cbs_project.data / "observaties" / "cbs-86050NED.csv", dtype=str)
        assert set(wmo["gemeente"]) == {"GM0505", "GM0164", "GM0518"}
        assert fetch(cbs_project, "--catalogus", cat, "-t", "86050NED", "--gemeenten", "GM0164", "--refresh").exit_code == 0
        wmo = pd.read_csv(cbs_project.data / "observaties" / "cbs-86050NED.csv", dtype=str)
        assert set(wmo["gemeente"]) == {"GM0505", "GM0164", "GM0518"}  # other gemeenten's rows stay
        port = server.catalog
    shutil.rmtree(cbs_project.root / "cache" / "cbs" / "86050NED")
    with CbsFixtureServer() as server:
        assert fetch(cbs_project, "--catalogus", f"http://{server.catalog}", "-t", "86050NED", "--gemeenten", "GM0505").exit_code == 0
        port = server.catalog
    offline = fetch(cbs_project, "--catalogus", f"http://{port}", "-t", "86050NED")
    assert offline.exit_code == 1 and "bevat niet alle gevraagde gemeenten" in offline.output
    sidecar = json.loads((cbs_project.data / "observaties" / "cbs-86050NED.json").read_text(encoding="utf-8"))
    assert sidecar["tabel"] == "86050NED" and sidecar["modified"] == "2024-10-15T02:00:00"


def test_incomplete_snapshots_are_never_used(cbs_project):
    from sdrapport.inputs.cbs import latest_snapshot

    with CbsFixtureServer() as server:
        assert fetch(cbs_project, "--catalogus", f"http://{server.catalog}", "-t", "85099NED").exit_code == 0
    good = latest_snapshot(cbs_project, "85099NED")
    half = good.parent / "2030-01-01"
    shutil.copytree(good, half)
    (half / "meta.json").write_text('{"TableInfos": [', encoding="utf-8")  # a write cut off half-way
    with pytest.raises(json.JSONDecodeError):
        json.loads((half / "meta.json").read_text())
    shutil.rmtree(half)
    shutil.copytree(good, half)
    meta = json.loads((half / "meta.json").read_text())
    meta["_sdrapport"].pop("compleet")
    (half / "meta.json").write_text(json.dumps(meta))
    assert latest_snapshot(cbs_project, "85099NED") == good


def test_a_mapping_that_does_not_fit_the_table_is_refused_and_keeps_the_data(cbs_project):
    with CbsFixtureServer() as server:
        cat = f"http://{server.catalog}"
        assert fetch(cbs_project, "--catalogus", cat, "-t", "85099NED").exit_code == 0
        before = (cbs_project.data / "observaties" / "cbs-85099NED.csv").read_bytes()
        mapping = cbs_project.params / "cbs" / "85099NED.yml"
        mapping.write_text(mapping.read_text(encoding="utf-8").replace("perioden: Perioden", "perioden: Periode"), encoding="utf-8")
        bad = fetch(cbs_project, "--catalogus", cat, "-t", "85099NED")
        assert bad.exit_code == 2 and "tabel 85099NED (85099NED.yml): dimensie 'Periode' bestaat niet" in bad.output  # bad input
        assert (cbs_project.data / "observaties" / "cbs-85099NED.csv").read_bytes() == before
        without = re.sub(r"dimensies:\n(?:  .*\n)+", "", mapping.read_text(encoding="utf-8").replace("perioden: Periode", "perioden: Perioden"))
        assert "VormenVanJeugdzorg" not in without.split("tabel:")[1]
        mapping.write_text(without, encoding="utf-8")
        unmapped = fetch(cbs_project, "--catalogus", cat, "-t", "85099NED")
        assert unmapped.exit_code == 2 and "VormenVanJeugdzorg staan niet onder 'dimensies'" in unmapped.output


def test_inhabitants_merge_into_a_semicolon_file(cbs_project):
    (cbs_project.data / "inwoners.csv").write_text("gemeente;jaar;inwoners;bron\nGM0505 ; 2024 ;120000;oud\nGM0402;2024;93000;eigen\n",
                                                  encoding="utf-8")
    with CbsFixtureServer() as server:
        assert fetch(cbs_project, "--catalogus", f"http://{server.catalog}", "-t", "85984NED").exit_code == 0
    inw = pd.read_csv(cbs_project.data / "inwoners.csv", dtype=str)
    assert len(inw[(inw["gemeente"] == "GM0505") & (inw["jaar"] == "2024")]) == 1
    assert inw.set_index("gemeente").loc["GM0505", "inwoners"] == "121434"
    assert inw.set_index("gemeente").loc["GM0402", "inwoners"] == "93000"


def test_inhabitants_per_age_band_and_sex_are_summed_from_single_years(cbs_project):
    with CbsFixtureServer() as server:
        result = fetch(cbs_project, "--tabel", "03759ned", "--catalogus", f"http://{server.catalog}")
    assert result.exit_code == 0, result.output
    groups = pd.read_csv(cbs_project.data / "inwoners-doelgroep.csv", dtype=str, keep_default_na=False)
    raw = pd.DataFrame(json.loads((FIXTURES / "03759ned" / "UntypedDataSet.json").read_text(encoding="utf-8")))
    raw = raw[(raw["BurgerlijkeStaat"] == "T001019")].assign(RegioS=raw["RegioS"].str.strip(), Geslacht=raw["Geslacht"].str.strip())

    def cbs(region, sex, *keys):
        cells = raw[(raw["RegioS"] == region) & (raw["Geslacht"] == sex) & raw["Leeftijd"].isin(keys)]["BevolkingOp1Januari_1"]
        return str(sum(int(c) for c in cells))

    cell = groups.set_index(["gemeente", "jaar", "leeftijd", "geslacht"])["inwoners"]
    # 75, 80 and 84 jaar make 75-84; the group category '80 tot 85 jaar' is not added to it.
    assert cell["GM0505", "2024", "75-84", "vrouw"] == cbs("GM0505", "4000", "17500", "18000", "18400")
    assert cell["GM0505", "2024", "85+", ""] == cbs("GM0505", "T001038", "18500", "20500")  # '105 jaar of ouder' is 85+
    assert cell["GM0505", "2024", "", "man"] == cbs("GM0505", "3000", "10000")  # all ages: the table's total
    assert ("GM0164", "2024", "85+", "man") not in cell.index  # one of its years is secret ('x'): no denominator
    assert "NL01" not in set(groups["gemeente"]) and not ((groups["leeftijd"] == "") & (groups["geslacht"] == "")).any()
    assert set(groups["bron"]) == {"CBS Bevolking (03759ned) (2024-07-01)"}
    from sdrapport.inputs.contract import read_inwoners_doelgroep

    assert len(read_inwoners_doelgroep(cbs_project.data / "inwoners-doelgroep.csv", {"GM0505", "GM0164"})) == len(groups)  # meets the contract
