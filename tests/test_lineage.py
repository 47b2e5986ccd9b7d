"""Lineage per published value (issue 23): the found cases as named tests, the check that refuses a
mislabelled table, and what the manifest and the workbook say about where each figure came from."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest

from sdrapport.indicators.lineage import Herkomst, bron_regel
from sdrapport.presentation.elements import components
from sdrapport.presentation.output.downloads import ABOUT_SHEET
from sdrapport.presentation.output.herkomst import problems
from sdrapport.presentation.report import META_KEY, Rapport
from sdrapport.project import Project
from sdrapport.publisher.check import check_page
from sdrapport.store.database import build_store
from tests.conftest import REPO, html_rows, project_without_data, unescape

JEUGD = {"Begrote uitgaven": "jeugd_uitgaven_begroot", "Gerealiseerde uitgaven": "jeugd_uitgaven"}
CATEGORIEEN = ("Jeugdhulp zonder verblijf", "Jeugdhulp met verblijf", "Jeugdbescherming", "Jeugdreclassering")


def _own_project(root: Path, rows: list[str]) -> Path:
    """A project without the demo: Dordrecht and its observation rows (CSV lines)."""
    project_without_data(root)
    (root / "data" / "gemeenten.csv").write_text("code,naam,provincie\nGM0505,Dordrecht,Zuid-Holland\n", encoding="utf-8")
    (root / "data" / "inwoners.csv").write_text(
        "gemeente,jaar,inwoners,bron\nGM0505,2023,121000,CBS\nGM0505,2024,122070,CBS\n", encoding="utf-8")
    lines = ["gemeente,periode,indicator,categorie,zwaarte,waarde,bron,status", *rows]
    (root / "data" / "observaties" / "eigen.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    build_store(root / "data", root / "reports" / "store" / "sdrapport.duckdb")
    return root


@pytest.fixture
def gerealiseerd_2022(tmp_path):
    """Found case 1: jeugd_uitgaven delivered for 2022 from the gemeente's own accounts, and no
    jeugd_uitgaven_begroot at all; the report is on the second half of 2023."""
    rows = [f"GM0505,2022,jeugd_uitgaven,{c},,{1000 + i},\"Gemeente Dordrecht, jaarrekening 2022\",definitief"
            for i, c in enumerate(CATEGORIEEN)]
    root = _own_project(tmp_path / "project", rows)
    return Rapport("GM0505", "2023-H2", project=root, uitvoer=tmp_path / "out")


def test_found_case_1_a_column_names_the_period_and_source_of_its_own_values(gerealiseerd_2022, shown):
    components.tabel_kolommen(gerealiseerd_2022, JEUGD, "categorie", totaal="Totaal jeugdzorg", naam="jeugd-uitgaven",
                              titel="Begrote en gerealiseerde uitgaven aan jeugdzorg")
    markdown, metadata = shown[0]
    rows = html_rows(markdown)
    # The 2022 amounts stand under '2022', never under the report's own period.
    assert rows["Categorie"] == ["Begrote uitgaven", "Gerealiseerde uitgaven 2022"]
    assert "halfjaar" not in " ".join(rows["Categorie"])
    assert rows["Jeugdbescherming"] == ["?", "1.002"]  # begroot was not delivered: unknown, never a number
    meta = metadata[META_KEY]
    # The source line names the delivered source and year, not the catalogue's 'CBS GMSD' and the report period.
    assert meta["bron"] == "Bron: Gemeente Dordrecht, jaarrekening 2022 (naar CBS GMSD) | 2022"
    assert "Gemeente Dordrecht, jaarrekening 2022 (naar CBS GMSD) | 2022" in unescape(markdown)
    assert meta["kolomperioden"] == {"Begrote uitgaven": [], "Gerealiseerde uitgaven 2022": ["2022"]}
    # The download names the period of each column's values.
    data = pd.read_csv(gerealiseerd_2022.uitvoer / "data" / "jeugd-uitgaven.csv", dtype=str, keep_default_na=False)
    assert list(data["Gerealiseerde uitgaven periode"]) == ["2022"] * 4 + [""]  # the total was not delivered: '?'
    assert list(data["Begrote uitgaven periode"]) == [""] * 5
    assert data.iloc[-1]["Gerealiseerde uitgaven"] == "?"


def _as_notebook(outputs: list[tuple], label: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(f"#| label: {label}\ncomponents.tabel_kolommen(...)")
    cell.outputs = [nbformat.from_dict({"output_type": "display_data", "metadata": meta or {},
                                        "data": {"text/markdown": text}}) for text, meta in outputs]
    return nbformat.v4.new_notebook(cells=[cell])


def test_the_check_refuses_a_deliberately_mislabelled_table(gerealiseerd_2022, shown, tmp_path):
    components.tabel_kolommen(gerealiseerd_2022, JEUGD, "categorie", naam="jeugd-uitgaven", titel="Uitgaven jeugdzorg")
    good = _as_notebook(shown, "tbl-jeugd-uitgaven")
    assert problems(good) == []
    # What the table printed before lineage: the 2022 amounts under the report's half-year and the
    # catalogue's source.
    markdown, metadata = shown[0]
    meta = json.loads(json.dumps(metadata))
    wrong_header, wrong_bron = "Gerealiseerde uitgaven tweede halfjaar 2023", "Bron: CBS GMSD | tweede halfjaar 2023"
    meta[META_KEY]["kolomperioden"] = {"Begrote uitgaven": [], wrong_header: ["2022"]}
    meta[META_KEY]["bron"] = wrong_bron
    bad = _as_notebook([(markdown.replace("Gerealiseerde uitgaven 2022", wrong_header), meta)], "tbl-jeugd-uitgaven")
    found = [message for _, message in problems(bad)]
    assert len(found) == 2
    bron, header = sorted(found)  # "...: de bronregel ..." before "...: kolom ..."
    assert "Uitgaven jeugdzorg" in header and "tbl-jeugd-uitgaven" in header  # names the table
    assert wrong_header in header and "(2022)" in header  # and both values
    assert wrong_bron in bron and "Bron: Gemeente Dordrecht, jaarrekening 2022 (naar CBS GMSD) | 2022" in bron
    # `sdrapport controleer` (publisher.check) refuses the page that embeds it.
    project = Project(gerealiseerd_2022.project.root)
    folder = project.reports / "2023-H2" / "GM0505" / "monitor"
    folder.mkdir(parents=True)
    nbformat.write(bad, folder / "03_jeugd.ipynb")
    page = folder / "index.qmd"
    page.write_text("---\ntitle: Monitor\n---\n\n{{< embed 03_jeugd.ipynb#tbl-jeugd-uitgaven >}}\n", encoding="utf-8")
    refused = check_page(project, page)
    assert any("label wijkt af van de herkomst" in p and wrong_header in p for p in refused)
    nbformat.write(good, folder / "03_jeugd.ipynb")
    assert check_page(project, page) == []


def test_a_mislabelled_notebook_fails_its_run_and_gets_no_page(gerealiseerd_2022, tmp_path):
    """Every run checks: a notebook whose source line names another period than its values fails."""
    from sdrapport.runner.run import execute
    from sdrapport.periods import Period

    project = Project(gerealiseerd_2022.project.root)
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("gemeente = 'GM0505'\nperiode = '2023-H2'\nrapport = 'monitor'\nproject = '..'\nuitvoer = None",
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "#| label: tbl-jeugd-uitgaven\nfrom sdrapport.presentation.elements import components\nfrom sdrapport.presentation.report import Rapport\n"
            "import IPython.display\nr = Rapport(gemeente, periode, project=project, uitvoer=uitvoer)\n"
            "show = IPython.display.display\n"
            "def mislabel(obj, metadata=None):\n"
            "    metadata['sdrapport']['bron'] = 'Bron: CBS GMSD | tweede halfjaar 2023'\n"
            "    show(obj, metadata=metadata)\n"
            "IPython.display.display = mislabel\n"
            "components.tabel_kolommen(r, {'Gerealiseerd': 'jeugd_uitgaven'}, 'categorie', naam='j', titel='Uitgaven')"),
    ])
    nb.metadata = nbformat.read(REPO / "notebooks" / "02_wmo.ipynb", as_version=4).metadata  # kernel and language
    nbformat.write(nb, project.notebooks / "99_fout.ipynb")
    outdir = project.report_dir("2023-H2", "GM0505")
    result = execute(project, "99_fout.ipynb", "GM0505", Period.parse("2023-H2"), outdir)
    assert not result.ok and result.label == "tbl-jeugd-uitgaven"
    assert "Label wijkt af van de herkomst" in result.error and "tweede halfjaar 2023" in result.error
    assert (outdir / "99_fout.mislukt.ipynb").exists() and not (outdir / "99_fout.ipynb").exists()


def test_found_case_5_a_quarter_not_yet_over_is_an_empty_cell_with_a_note(tmp_path, shown):
    rows = [f"GM0505,2023-Q{q},jeugd_jongeren,,,{400 + q},registratie,definitief" for q in (1, 2)]
    rows += [f"GM0505,2022-Q{q},jeugd_jongeren,,,{380 + q},registratie,definitief" for q in (1, 2, 3, 4)]
    root = _own_project(tmp_path / "project", rows)
    r = Rapport("GM0505", "2023-Q2", project=root, uitvoer=tmp_path / "out", rapport="dashboard")
    components.tabel_kwartalen(r, "jeugd_jongeren", naam="kw", titel="Unieke jeugdigen")
    markdown, metadata = shown[0]
    header, cells = list(html_rows(markdown).values())[:2]
    q3, q4 = header.index("Q3\u00a02023"), header.index("Q4\u00a02023")
    assert cells[q3] == cells[q4] == ""  # CBS leaves a cell empty when a figure cannot exist
    assert "\u2013" not in cells and "?" not in cells[q3:q4 + 1]  # never the nil sign, never unknown
    assert "lege cel: kwartaal nog niet verstreken" in metadata[META_KEY]["tbl-cap"]


def test_found_case_4_every_download_row_names_gemeente_and_period(built):
    proj, result = built
    folder = result.outdir
    for path in sorted((folder / "data").glob("*.csv")):
        data = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert data.columns[0] == "gemeente", path.name
        if path.stem.startswith("kaart-") or "vergelijkbaar" in path.stem:
            # every gemeente of the map or table; an average names the gemeenten it is taken over
            assert data["gemeente"].str.fullmatch(r"GM\d{4}( GM\d{4})*").all(), path.name
        else:
            assert set(data["gemeente"]) == {"GM0505"}, path.name
        periods = [c for c in data.columns if c in ("periode", "jaar") or c.endswith(" periode")]
        period_headers = [c for c in data.columns if c[:4].isdigit()]
        assert periods or period_headers, (path.name, list(data.columns))
        for c in periods:
            assert (data[c] != "").all() or c.endswith(" periode"), (path.name, c)
    wmo = pd.read_csv(folder / "data" / "wmo-uitgaven.csv", dtype=str)
    assert set(wmo["gemeente"]) == {"GM0505"}
    assert set(wmo["Gerealiseerde uitgaven periode"]) == {"2023"} and set(wmo["Begrote uitgaven periode"]) == {"2023"}
    # The workbook's contents name each sheet's periods and lineage.
    book = openpyxl.load_workbook(next((folder / "data").glob("*.xlsx")))
    about = [[c.value for c in row] for row in book[ABOUT_SHEET].iter_rows()]
    head = next(row for row in about if row[0] == "Blad")
    assert head[-2:] == ["Perioden van de cijfers", "Herkomst"]
    lines = {row[0]: row for row in about[about.index(head) + 1:] if row[0]}
    assert lines["wmo-uitgaven"][-2] == "2023"
    assert "wmo_uitgaven_gerealiseerd: GM0505, 2023, demodata (fictief)" in lines["wmo-uitgaven"][-1]


def test_the_manifest_says_where_every_figure_came_from(built):
    proj, result = built
    manifest = json.loads((result.outdir / "run.json").read_text(encoding="utf-8"))
    elements = manifest["herkomst"]
    assert {e["notebook"] for e in elements} >= {"02_wmo.ipynb", "03_jeugd.ipynb", "04_participatie.ipynb"}
    figure = next(e for e in elements if e["label"] == "fig-bijstand-reeks")
    eigen = [w for w in figure["waarden"] if w["soort"] == "eigen"]
    referentie = [w for w in figure["waarden"] if w["soort"] == "referentie"]
    assert eigen and eigen[0]["gemeenten"] == ["GM0505"] and eigen[0]["demo"] is True
    # One record per reference period: the gemeenten counted, of how many in the size class.
    assert len(referentie) == len(eigen[0]["perioden"])
    for w in referentie:
        assert w["n"] == len(w["gemeenten"]) <= w["groep"] and "GM0505" in w["gemeenten"]
    # The source line shown is the one the lineage gives.
    assert figure["bron"] == bron_regel([Herkomst.from_dict(w) for w in figure["waarden"]])


def test_the_monitor_is_traceable_to_what_was_delivered(built):
    from tests.lineage_checks import assert_traceable

    _, result = built
    assert_traceable(result.outdir)


@pytest.fixture(scope="module")
def partial_delivery(tmp_path_factory):
    """The demo project (demo on) beside a partial delivery: Wmo clients for three gemeenten of
    Dordrecht's size class only (one of them with a secret and an unknown half-year), and Dordrecht's
    own jeugd expenses of 2022 without a budget. The monitor of Dordrecht, 2023-H2, run as a user runs it."""
    from tests.conftest import copy_project
    from sdrapport.pipeline import build_report

    proj = copy_project(tmp_path_factory.mktemp("partial") / "project")
    rows = ["gemeente,periode,indicator,categorie,waarde,bron,status"]
    for g, values in {"GM0505": (6_800, 6_900, "-"), "GM0153": (9_100, 9_000, 9_200), "GM0193": (7_000, "?", 7_300)}.items():
        rows += [f"{g},{p},wmo_clienten,,{v},CBS GMSD Wmo,definitief" for p, v in zip(("2023-H1", "2023-H2", "2022-H2"), values)]
    rows += [f"GM0505,2022,jeugd_uitgaven,{c},{1000 + i},\"Gemeente Dordrecht, jaarrekening 2022\",definitief"
             for i, c in enumerate(CATEGORIEEN)]
    (proj.data / "observaties" / "levering.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return proj, build_report(proj, "GM0505", "2023-H2")


def test_a_partial_delivery_beside_the_demo_stays_traceable(partial_delivery):
    from tests.lineage_checks import assert_traceable

    proj, result = partial_delivery
    assert result.ok, [n.error for n in result.notebooks if not n.ok]
    assert_traceable(result.outdir)
    manifest = json.loads((result.outdir / "run.json").read_text(encoding="utf-8"))
    # Found case 2: a reference value of a delivered indicator counts delivered figures only, over
    # exactly the gemeenten that delivered one (the demo fills no gap in a delivered indicator).
    wmo = [w for e in manifest["herkomst"] for w in e["waarden"]
           if w["indicator"] in ("wmo_clienten", "wmo_clienten_per_1000") and w["soort"] == "referentie" and w["perioden"]]
    assert wmo
    for w in wmo:
        assert w["bronnen"] == ["CBS GMSD Wmo"] and not w["demo"], w
        expected = {"2023-H2": ["GM0153", "GM0505"], "2023-H1": ["GM0153", "GM0193", "GM0505"]}.get(w["perioden"][0])
        if expected and not w["uitsplitsing"]:
            assert w["gemeenten"] == expected, w
    # Found case 1 as a reader gets it: the 2022 amounts under '2022', with their own source.
    jeugd = next(e for e in manifest["herkomst"] if e["label"] == "tbl-jeugd-uitgaven")
    assert "Gerealiseerde uitgaven 2022" in jeugd["kolomperioden"]
    assert "Gemeente Dordrecht, jaarrekening 2022 (naar CBS GMSD)" in jeugd["bron"]
    data = pd.read_csv(result.outdir / "data" / "jeugd-uitgaven.csv", dtype=str)
    assert set(data["gemeente"]) == {"GM0505"} and set(data["Gerealiseerde uitgaven periode"].dropna()) == {"2022"}
