"""`sdrapport cbs tabel`, concept mappings, key checks, table changes inside a series and revisions,
against the fixture server serving the real 83262NED dump (tests/fixtures/cbs/83262NED, from
timemod/cbsots) and shaped fixtures for its successor 86050NED."""
import csv
import json
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from sdrapport.cli import app
from tests.cbs_server import FIXTURES, CbsFixtureServer

runner = CliRunner()
DUMP = FIXTURES / "83262NED"


@pytest.fixture
def cbs_project(project):
    """The project without demo observations: its figures come from CBS only."""
    for p in (project.data / "observaties").glob("*.csv"):
        p.unlink()
    (project.data / "demo.yml").unlink()
    (project.data / "inwoners.csv").write_text("gemeente,jaar,inwoners,bron\n", encoding="utf-8")
    (project.data / "inwoners-doelgroep-demo.csv").unlink(missing_ok=True)
    return project


def cli(project, *args):
    return runner.invoke(app, ["cbs", *args, "--project", str(project.root)])


def dump(name: str) -> list[dict]:
    with (DUMP / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_tabel_prints_what_the_dump_holds(cbs_project):
    with CbsFixtureServer() as server:
        result = cli(cbs_project, "tabel", "83262NED", "--catalogus", f"http://{server.catalog}")
    assert result.exit_code == 0, result.output
    out = result.output.splitlines()
    assert out[0] == "Tabel 83262NED: Wmo-cliënten; type maatwerkarrangement, regio"
    assert "gewijzigd door CBS: 2020-11-26T02:00:00" in out[1]
    periods = dump("Perioden")
    assert f"Perioden (Perioden): {len(periods)}, van 2015HJ01 (1e halfjaar 2015) tot en met 2020HJ01 (1e halfjaar 2020)" in result.output
    assert "Status: voorlopig voor 1 periode: 2020HJ01 (voorlopig); de overige definitief" in result.output
    for prop in dump("DataProperties"):  # every topic with its key, title and unit
        if prop["Type"] == "Topic":
            assert f"  {prop['Key']}: {prop['Title']} [{prop['Unit']}]" in out
    for dim in ("Geslacht", "KenmerkenVanPersonen", "TypeMaatwerkarrangement"):  # short lists in full, codes stripped
        items = dump(dim)
        assert any(line.startswith(f"  {dim} (dimensie, {len(items)} codes)") for line in out)
        for item in items:
            assert f"    {item['Key'].strip()}: {item['Title']}" in out
    assert "    3000: Mannen" in out and "3000   " not in result.output  # the dump's key is "3000   "
    regions = dump("RegioS")
    assert f"  RegioS (regio, {len(regions)} codes): Regio's" in out
    assert f"    soorten: GM {sum(r['Key'].startswith('GM') for r in regions)}, NL 1" in out
    assert "    ... en 400 meer (alle codes: --alle)" in out


def test_tabel_reads_a_snapshot_offline_and_notes_a_renamed_table(cbs_project):
    mapping = cbs_project.params / "cbs" / "03759ned.yml"
    old_title = "Bevolking; leeftijd, burgerlijke staat, geslacht, regio"
    text = mapping.read_text(encoding="utf-8")
    mapping.write_text(text.replace('titel: "Bevolking op 1 januari en gemiddeld; geslacht, leeftijd en regio"', f'titel: "{old_title}"'),
                       encoding="utf-8")
    with CbsFixtureServer() as server:
        port = server.catalog
        fetched = cli(cbs_project, "fetch", "-t", "03759ned", "--catalogus", f"http://{port}")
        assert fetched.exit_code == 0, fetched.output
        assert ("Let op: tabel 03759ned heet nu 'Bevolking op 1 januari en gemiddeld; geslacht, leeftijd en regio' "
                f"(in 03759ned.yml: '{old_title}')") in fetched.output
        live = cli(cbs_project, "tabel", "03759ned", "--catalogus", f"http://{port}")
    assert live.exit_code == 0, live.output
    assert f"Let op: de titel is gewijzigd; eerder: '{old_title}'" in live.output
    offline = cli(cbs_project, "tabel", "03759ned", "--catalogus", f"http://{port}")  # the server is gone
    assert offline.exit_code == 0, offline.output
    assert "Bron van deze metadata: snapshot cache/cbs/03759ned/2024-07-01 (geen verbinding met" in offline.output
    assert "    3000: Mannen" in offline.output and "Status: definitief (geen voorlopige perioden)" in offline.output
    unknown = cli(cbs_project, "tabel", "99999NED", "--snapshot")
    assert unknown.exit_code == 1 and "tabel 99999NED: nog geen snapshot" in unknown.output


def test_a_concept_mapping_fetches_the_real_dump(cbs_project):
    concept = cbs_project.params / "cbs" / "83262NED.yml"
    concept.unlink()  # the project's own mapping makes way for the concept
    with CbsFixtureServer() as server:
        cat = f"http://{server.catalog}"
        made = cli(cbs_project, "tabel", "83262NED", "--catalogus", cat, "--concept", str(concept),
                   "--onderwerp", "WmoClienten_1=wmo_clienten", "--code", "TypeMaatwerkarrangement=T001024,A019507",
                   "--kolom", "TypeMaatwerkarrangement=hoofdcategorie")
        assert made.exit_code == 0, made.output
        text = concept.read_text(encoding="utf-8")
        assert '"3000"' not in text and '"T001038": "totaal"  # CBS: Totaal mannen en vrouwen' in text  # the total of a dimension not picked
        assert '"A019507": "Hulp bij het huishouden"' in text and "# WmoClienten_1: Wmo-cliënten [aantal]" in text
        fetched = cli(cbs_project, "fetch", "-t", "83262NED", "--catalogus", cat)
    assert fetched.exit_code == 0, fetched.output
    wmo = pd.read_csv(cbs_project.data / "observaties" / "cbs-83262NED.csv", dtype=str, keep_default_na=False)
    assert set(wmo["gemeente"]) == {"GM0518"}  # the dump's data holds NL01 and GM0518
    assert "hoofdcategorie" not in wmo.columns  # the dump's excerpt has rows of the total type only
    cell = wmo.set_index("periode")
    raw = {r["Perioden"]: r["WmoClienten_1"] for r in dump("data")
           if r["RegioS"] == "GM0518" and r["KenmerkenVanPersonen"] == "T009002" and r["TypeMaatwerkarrangement"] == "T001024"}
    assert cell.loc["2019-H1", "waarde"] == raw["2019HJ01"] == "35845"
    assert len(cell) == len(raw) == 16  # 2015-H1 to 2020-H1, years included; other persons' groups left out
    assert cell.loc["2020-H1", "status"] == "voorlopig" and cell.loc["2019-H2", "status"] == "definitief"
    assert cell.loc["2015-H2", "waarde"] == "?"  # empty in the dump: unknown, never 0


def test_a_wrong_key_is_refused_with_the_nearest_keys_and_nothing_is_written(cbs_project):
    mapping = cbs_project.params / "cbs" / "86050NED.yml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("key: WmoClienten_1", "key: WmoClienten_5"), encoding="utf-8")
    with CbsFixtureServer() as server:
        cat = f"http://{server.catalog}"
        bad = cli(cbs_project, "fetch", "-t", "86050NED", "--catalogus", cat)
        assert bad.exit_code == 2
        assert ("tabel 86050NED (86050NED.yml): onderwerp 'WmoClienten_5' bestaat niet in de tabel; dichtstbij: "
                "WmoClienten_1 (Wmo-cliënten)") in bad.output
        assert "alle sleutels: sdrapport cbs tabel 86050NED" in bad.output
        assert not (cbs_project.root / "cache" / "cbs" / "86050NED").exists()  # refused before the download
        assert not any("UntypedDataSet" in r for r in server.requests)
        assert not (cbs_project.data / "observaties" / "cbs-86050NED.csv").exists()
        mapping.write_text(mapping.read_text(encoding="utf-8").replace("key: WmoClienten_5", "key: WmoClienten_1")
                           .replace("A019507: Hulp", "A01957: Hulp"), encoding="utf-8")
        code = cli(cbs_project, "fetch", "-t", "86050NED", "--catalogus", cat)
        assert code.exit_code == 2
        assert "code 'A01957' bestaat niet in dimensie TypeMaatwerkvoorziening; dichtstbij: A019507 (Hulp bij het huishouden)" in code.output
        concept = cli(cbs_project, "tabel", "80794ned", "--catalogus", cat, "--concept", str(cbs_project.root / "c.yml"),
                      "--onderwerp", "BijstandTotAOWLeeftijd_7=bijstand_personen")
        assert concept.exit_code == 2
        assert "onderwerp 'BijstandTotAOWLeeftijd_7' bestaat niet in de tabel; dichtstbij: BijstandTotDeAOWLeeftijd_7" in concept.output
        assert not (cbs_project.root / "c.yml").exists()
        wrong_indicator = cli(cbs_project, "tabel", "80794ned", "--catalogus", cat, "--concept", str(cbs_project.root / "c.yml"),
                              "--onderwerp", "BijstandTotDeAOWLeeftijd_7=bijstand_persoon")
        assert wrong_indicator.exit_code == 2 and "indicator 'bijstand_persoon'" in wrong_indicator.output
        assert "dichtstbij: bijstand_personen" in wrong_indicator.output
        column = cli(cbs_project, "tabel", "86050NED", "--catalogus", cat, "--concept", str(cbs_project.root / "c.yml"),
                     "--onderwerp", "WmoClienten_1=wmo_clienten", "--code", "TypeMaatwerkvoorziening=T001024,A019507",
                     "--kolom", "TypeMaatwerkvoorziening=zwaarte")
        assert column.exit_code == 2 and "indicator wmo_clienten heeft geen uitsplitsing 'zwaarte'" in column.output
        assert not (cbs_project.root / "c.yml").exists()


def test_concepts_of_a_one_year_table_and_a_monthly_stock_fetch(cbs_project):
    for name in ("85984NED", "80794ned"):
        (cbs_project.params / "cbs" / f"{name}.yml").unlink()
    with CbsFixtureServer() as server:
        cat = f"http://{server.catalog}"
        kwb = cli(cbs_project, "tabel", "85984NED", "--catalogus", cat, "--concept", str(cbs_project.params / "cbs" / "85984NED.yml"),
                  "--onderwerp", "AantalInwoners_5=inwoners", "--onderwerp", "HuishoudensTotaal_29=huishoudens")
        assert kwb.exit_code == 0, kwb.output
        assert "perioden: null\njaar: 2024\n" in (cbs_project.params / "cbs" / "85984NED.yml").read_text(encoding="utf-8")
        month = cli(cbs_project, "tabel", "80794ned", "--catalogus", cat, "--concept", str(cbs_project.params / "cbs" / "80794ned.yml"),
                    "--onderwerp", "BijstandTotDeAOWLeeftijd_7=bijstand_personen")
        assert month.exit_code == 0, month.output
        fetched = cli(cbs_project, "fetch", "-t", "85984NED", "-t", "80794ned", "--catalogus", cat)
    assert fetched.exit_code == 0, fetched.output
    inw = pd.read_csv(cbs_project.data / "inwoners.csv", dtype=str).set_index(["gemeente", "jaar"])["inwoners"]
    assert inw["GM0505", "2024"] == "121434"
    bijstand = pd.read_csv(cbs_project.data / "observaties" / "cbs-80794ned.csv", dtype=str, keep_default_na=False)
    assert bijstand.set_index("periode")["waarde"].to_dict() == {"2023": "3890", "2023-H2": "3890", "2023-Q4": "3890",
                                                                 "2024-H1": "3850", "2024-Q2": "3850"}


def test_the_2020_2021_table_change_is_one_series_with_a_break(cbs_project):
    from sdrapport.periods import Period
    from sdrapport.presentation.report import Rapport
    from sdrapport.store.database import build_store

    with CbsFixtureServer() as server:
        result = cli(cbs_project, "fetch", "-t", "83262NED", "-t", "86050NED", "--catalogus", f"http://{server.catalog}")
    assert result.exit_code == 0, result.output
    sidecar = json.loads((cbs_project.data / "observaties" / "cbs-86050NED.json").read_text(encoding="utf-8"))
    note = ("Vanaf het eerste halfjaar 2021 komen de cijfers uit CBS-tabel 86050NED (Wmo-cliënten; type maatwerkvoorziening "
            "(detail), regio), daarvoor uit 83262NED (Wmo-cliënten; type maatwerkarrangement, regio); cijfers voor en na de "
            "streep zijn niet zonder meer vergelijkbaar.")
    assert sidecar["reeksbreuken"] == [{"indicator": "wmo_clienten", "vanaf": "2021-H1", "tabel": "86050NED", "vervangt": "83262NED",
                                        "toelichting": note}]
    # 's-Gravenhage needs an inhabitants count for its size class (2023, PDOK KWB 2023 in ../shared/data/cbs).
    (cbs_project.data / "inwoners.csv").write_text("gemeente,jaar,inwoners,bron\nGM0518,2019,562839,test\n", encoding="utf-8")
    build_store(cbs_project.data, cbs_project.store)
    r = Rapport("GM0518", "2021-H2", project=cbs_project.root)
    perioden = r.perioden()
    assert [p.code for p in perioden] == ["2019-H1", "2019-H2", "2020-H1", "2020-H2", "2021-H1", "2021-H2"]
    series = r.reeks("wmo_clienten", perioden).set_index("periode")
    assert (series.loc["2019-H2", "waarde"], series.loc["2021-H1", "waarde"]) == (35650, 35990)  # 83262NED, then 86050NED
    assert r.breuken(perioden, "wmo_clienten") == [(4, note)]
    assert r.breuken(perioden, "wmo_clienten_per_1000") == [(4, note)]  # through its teller
    assert r.breuken(perioden) == [] and r.breuken(perioden, "jeugd_jongeren") == []
    assert r.breuken([Period.parse("2021-H1"), Period.parse("2021-H2")], "wmo_clienten") == []  # not inside this span


def test_the_table_change_footnote_is_on_the_chart_and_the_table(cbs_project, tmp_path):
    from sdrapport.periods import Period
    from sdrapport.presentation.elements import components
    from sdrapport.presentation.report import Rapport
    from sdrapport.store.database import build_store

    fixtures = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, fixtures)
    with (fixtures / "83262NED" / "data.csv").open("a", encoding="utf-8") as fh:  # the real excerpt has totals only: one type added
        fh.write('99999,"T001038","T009002","A019507","GM0518","2020HJ01",8020,15\n')
    with CbsFixtureServer(fixtures) as server:
        assert cli(cbs_project, "fetch", "-t", "83262NED", "-t", "86050NED", "--catalogus", f"http://{server.catalog}").exit_code == 0
    (cbs_project.data / "inwoners.csv").write_text("gemeente,jaar,inwoners,bron\nGM0518,2019,562839,test\n", encoding="utf-8")
    build_store(cbs_project.data, cbs_project.store)
    r = Rapport("GM0518", "2021-H2", project=cbs_project.root, uitvoer=tmp_path / "uit")
    shown = []
    r.figuur = lambda fig, **kw: shown.append(("figuur", kw))  # what the page would get: caption, source, alt text
    r.tabel = lambda frame, **kw: shown.append(("tabel", kw))
    perioden = [Period.parse(p) for p in ("2020-H1", "2020-H2", "2021-H1", "2021-H2")]
    components.figuur_reeks(r, "wmo_clienten", naam="wmo-reeks", titel="Wmo-cliënten", perioden=perioden)
    components.tabel_reeks(r, "wmo_clienten", "hoofdcategorie", naam="wmo-tabel", titel="Wmo-cliënten per type", perioden=perioden,
                           totaal="Totaal")
    (_, fig), (_, table) = shown
    assert "komen de cijfers uit CBS-tabel 86050NED" in fig["ondertitel"] and "daarvoor uit 83262NED" in fig["ondertitel"]
    assert "Onderbreking: Vanaf het eerste halfjaar 2021" in fig["alt"]
    assert "86050NED" in table["ondertitel"] and "83262NED" in table["ondertitel"]


def test_a_revision_is_reported(cbs_project, tmp_path):
    fixtures = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, fixtures)
    with CbsFixtureServer(fixtures) as server:
        cat = f"http://{server.catalog}"
        assert cli(cbs_project, "fetch", "-t", "86050NED", "--catalogus", cat).exit_code == 0
        rows = json.loads((fixtures / "86050NED" / "UntypedDataSet.json").read_text(encoding="utf-8"))
        for row in rows:  # CBS makes 2024HJ01 definitive and corrects Dordrecht's total
            if (row["RegioS"].strip(), row["Perioden"], row["TypeMaatwerkvoorziening"]) == ("GM0505", "2024HJ01", "T001024"):
                row["WmoClienten_1"] = "    9915"
        (fixtures / "86050NED" / "UntypedDataSet.json").write_text(json.dumps(rows), encoding="utf-8")
        periods = json.loads((fixtures / "86050NED" / "Perioden.json").read_text(encoding="utf-8"))
        periods[-1].update({"Title": "1e halfjaar 2024", "Status": "Definitief"})
        (fixtures / "86050NED" / "Perioden.json").write_text(json.dumps(periods), encoding="utf-8")
        revised = cli(cbs_project, "fetch", "-t", "86050NED", "--catalogus", cat, "--refresh")
        again = cli(cbs_project, "fetch", "-t", "86050NED", "--catalogus", cat, "--refresh")
    assert revised.exit_code == 0, revised.output
    assert "86050NED: 1 al opgehaalde cijfers herzien door CBS (indicator, gemeente, periode: oud -> nieuw):" in revised.output
    assert "  wmo_clienten, GM0505, 2024-H1: 9903 -> 9915 (voorlopig -> definitief)" in revised.output
    assert "herzien" not in again.output  # the same figures again: nothing to report
    wmo = pd.read_csv(cbs_project.data / "observaties" / "cbs-86050NED.csv", dtype=str, keep_default_na=False)
    row = wmo[(wmo["gemeente"] == "GM0505") & (wmo["periode"] == "2024-H1") & (wmo["hoofdcategorie"] == "")].iloc[0]
    assert (row["waarde"], row["status"]) == ("9915", "definitief")
    other = wmo[(wmo["gemeente"] == "GM0505") & (wmo["periode"] == "2024-H1") & (wmo["hoofdcategorie"] == "Ondersteuning thuis")]
    assert other["status"].iloc[0] == "definitief"  # a status change alone is no revision of the figure


def test_the_newer_table_wins_where_two_overlap(cbs_project, tmp_path):
    fixtures = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, fixtures)
    rows = json.loads((fixtures / "86050NED" / "UntypedDataSet.json").read_text(encoding="utf-8"))
    rows.append({"ID": len(rows), "TypeMaatwerkvoorziening": "T001024", "RegioS": "GM0518  ", "Perioden": "2020HJ01",
                 "WmoClienten_1": "   35330", "WmoClientenPer1000Inwoners_2": "       ."})
    (fixtures / "86050NED" / "UntypedDataSet.json").write_text(json.dumps(rows), encoding="utf-8")
    periods = json.loads((fixtures / "86050NED" / "Perioden.json").read_text(encoding="utf-8"))
    (fixtures / "86050NED" / "Perioden.json").write_text(json.dumps(
        [{"Key": "2020HJ01", "Title": "1e halfjaar 2020", "Status": "Definitief"}, *periods]), encoding="utf-8")
    with CbsFixtureServer(fixtures) as server:
        cat = f"http://{server.catalog}"
        assert cli(cbs_project, "fetch", "-t", "86050NED", "--catalogus", cat).exit_code == 0
        assert cli(cbs_project, "fetch", "-t", "83262NED", "--catalogus", cat).exit_code == 0  # the older table after the newer
    old = pd.read_csv(cbs_project.data / "observaties" / "cbs-83262NED.csv", dtype=str, keep_default_na=False)
    new = pd.read_csv(cbs_project.data / "observaties" / "cbs-86050NED.csv", dtype=str, keep_default_na=False)
    assert "2020-H1" not in set(old["periode"]) and "2019-H2" in set(old["periode"])
    assert new[(new["periode"] == "2020-H1")]["waarde"].tolist() == ["35330"]
    from sdrapport.store.database import build_store

    (cbs_project.data / "inwoners.csv").write_text("gemeente,jaar,inwoners,bron\nGM0518,2019,562839,test\n", encoding="utf-8")
    build_store(cbs_project.data, cbs_project.store)  # no figure twice
