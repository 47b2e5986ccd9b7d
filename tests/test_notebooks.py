"""Real papermill executions of the domain notebooks (the main job) and what they leave behind."""
import json
import re

import nbformat
import pandas as pd
import pytest

from tests.conftest import copy_project, figure_page, html_rows, unescape

from sdrapport.manifest import cell_label
from sdrapport.pipeline import build_report
from sdrapport.publisher.check import check_project


@pytest.fixture(scope="module")
def second_copy(tmp_path_factory):
    """A second copy of the project, apart from `built`'s, shared by the tests of this module that
    run reports of their own (each its own gemeente or report, and what it changes put back): its
    store is built once, by the first of them."""
    return copy_project(tmp_path_factory.mktemp("second") / "project")


def _cells(path):
    nb = nbformat.read(path, as_version=4)
    return [c for c in nb.cells if c.cell_type == "code"]


def test_main_job_executes_both_notebooks_with_injected_parameters(built):
    proj, result = built
    assert result.ok, [n.error for n in result.notebooks]
    outdir = proj.report_dir("2023-H2", "GM0505")
    for name in ("01_uitgangspositie.ipynb", "02_wmo.ipynb"):
        nb = nbformat.read(outdir / name, as_version=4)
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert injected and 'gemeente = "GM0505"' in injected[0].source and 'periode = "2023-H2"' in injected[0].source
        assert nb.metadata["papermill"]["parameters"]["gemeente"] == "GM0505"
    manifest = json.loads((outdir / "run.json").read_text(encoding="utf-8"))
    assert manifest["parameters"] == {"gemeente": "GM0505", "periode": "2023-H2", "rapport": "monitor"}
    assert manifest["code_version"] and manifest["data_files"]["data/observaties/demo.csv"]


def test_every_labelled_cell_has_output_caption_alt_text_and_source(built):
    proj, _ = built
    outdir = proj.report_dir("2023-H2", "GM0505")
    labels = []
    for name in ("01_uitgangspositie.ipynb", "02_wmo.ipynb"):
        for cell in _cells(outdir / name):
            label = cell_label(cell)
            if not label:
                continue
            labels.append(label)
            assert cell.outputs, label
            assert not [o for o in cell.outputs if o.output_type == "execute_result"], f"{label}: stray return value"
            if label.startswith("fig-"):
                cap = re.search(r'^#\| fig-cap: (".*")$', cell.source, re.M)
                alt = re.search(r'^#\| fig-alt: (".*")$', cell.source, re.M)
                assert cap and alt, label
                assert "Bron: " in json.loads(cap.group(1)) and "Dordrecht" in json.loads(alt.group(1))
                figure = next(o["data"] for o in cell.outputs if "image/svg+xml" in o.get("data", {}))
                assert "image/png" not in figure and figure["image/svg+xml"].lstrip().startswith("<?xml")
                page = figure_page(figure)
                assert '<img src="data:image/svg+xml;base64,' in page and "text/html" not in figure
                assert "<summary>Tabel bij deze figuur</summary>" in page, label
                typst = figure["text/markdown"].split("```{=typst}\n", 1)[1]
                assert typst.startswith('#image(bytes("<?xml') and "{" not in typst.split('format: "svg"')[0], label
            if label.startswith("tbl-"):
                assert re.search(r'^#\| tbl-cap: ".+"$', cell.source, re.M), label
                md = "".join(o["data"]["text/markdown"] for o in cell.outputs if "text/markdown" in o.get("data", {}))
                assert md.startswith("```{=html}") and "#sd-" in md and "Bron: " in md, label
    assert {"txt-bevolking", "tbl-kerncijfers", "fig-leeftijd", "txt-wmo-clienten", "fig-wmo-hoofdcategorie",
            "tbl-wmo-beeindigd", "tbl-wmo-uitgaven"} <= set(labels)


def test_narrative_and_tables_carry_the_figures_from_the_store(built):
    proj, _ = built
    outdir = proj.report_dir("2023-H2", "GM0505")
    cells = {cell_label(c): c for c in _cells(outdir / "02_wmo.ipynb")}
    text = unescape(cells["txt-wmo-clienten"].outputs[0]["data"]["text/markdown"])
    assert re.match(r"In de gemeente Dordrecht waren er in het tweede halfjaar 2023 \d{1,2}\.\d{3} unieke cliënten met een maatwerkvoorziening Wmo\.", text)
    # The table's total row is the delivered (rounded) total, and the CSV behind it holds the same figures.
    data = pd.read_csv(outdir / "data" / "wmo-beeindigd.csv")
    # Every row carries the gemeente (issue 23); the periods are the column headers.
    assert list(data.columns) == ["gemeente", "reden", "2021-H1", "2021-H2", "2022-H1", "2022-H2", "2023-H1", "2023-H2"]
    assert set(data["gemeente"]) == {"GM0505"}
    assert data.iloc[-1]["reden"] == "Totaal beëindigd"
    md = cells["tbl-wmo-beeindigd"].outputs[0]["data"]["text/markdown"]
    total_cell = html_rows(md)["Totaal beëindigd"][-1]
    assert total_cell == f"{int(data.iloc[-1]['2023-H2']):,}".replace(",", ".")


def test_published_counts_are_cbs_rounded_in_every_download(built):
    proj, _ = built
    outdir = proj.report_dir("2023-H2", "GM0505")
    for name in ("wmo-beeindigd", "wmo-hoofdcategorie", "wmo-financieringsvorm"):
        frame = pd.read_csv(outdir / "data" / f"{name}.csv", dtype=str)
        for value in frame.iloc[:, 2:].to_numpy().ravel():  # after gemeente and the row label
            if value in ("?", "-"):
                continue
            assert float(value) % 5 == 0, (name, value)


def test_page_embeds_only_existing_labelled_outputs_and_shows_the_demo_banner(built):
    proj, _ = built
    page = (proj.report_dir("2023-H2", "GM0505") / "index.qmd").read_text(encoding="utf-8")
    assert 'title="Demodata: fictieve cijfers"' in page
    assert "{{< embed 02_wmo.ipynb#fig-wmo-hoofdcategorie >}}" in page
    assert "De gemeente Dordrecht heeft geen toelichting gegeven." in page
    assert "## Verantwoording" in page and "sdrapport " in page and "data/\u200bobservaties/\u200bdemo.\u200bcsv" in page
    assert check_project(proj) == []


def test_rerun_gives_identical_tables_text_and_figures(built, second_copy):
    proj, _ = built
    project = second_copy
    again = build_report(project, "GM0505", "2023-H2")
    assert again.ok
    a, b = proj.report_dir("2023-H2", "GM0505"), project.report_dir("2023-H2", "GM0505")
    for csv in sorted((a / "data").glob("*.csv")):
        assert csv.read_bytes() == (b / "data" / csv.name).read_bytes(), csv.name
    for name in ("01_uitgangspositie.ipynb", "02_wmo.ipynb"):
        outs_a = [(c.source, [o.get("data") for o in c.outputs]) for c in _cells(a / name) if cell_label(c)]
        outs_b = [(c.source, [o.get("data") for o in c.outputs]) for c in _cells(b / name) if cell_label(c)]
        assert outs_a == outs_b, name
    strip = lambda text: re.sub(r"sdrapport \S+\.", "", text)  # noqa: E731 - the code version may differ
    assert strip((a / "index.qmd").read_text()) == strip((b / "index.qmd").read_text())


def test_failing_notebook_is_named_kept_and_gets_no_page(second_copy):
    project = second_copy
    # A two-chapter profile keeps this test quick; the mechanism is the same for every profile.
    (project.params / "rapporten" / "klein.yml").write_text(
        "titel: Klein\nnotebooks: [02_wmo.ipynb, 01_uitgangspositie.ipynb]\n", encoding="utf-8")
    ok = build_report(project, "GM0164", "2023-H2", "klein")
    assert ok.ok and (project.report_dir("2023-H2", "GM0164", "klein") / "index.qmd").exists()
    workbook = project.report_dir("2023-H2", "GM0164", "klein") / "data" / "GM0164-2023-H2-klein.xlsx"
    assert workbook.exists()
    path = project.notebooks / "02_wmo.ipynb"
    original = path.read_bytes()
    nb = nbformat.read(path, as_version=4)
    target = next(c for c in nb.cells if cell_label(c) == "fig-wmo-hoofdcategorie")
    target.source += '\nraise ValueError("kapotte figuur")'
    nbformat.write(nb, path)
    try:
        result = build_report(project, "GM0164", "2023-H2", "klein")
    finally:
        path.write_bytes(original)  # the copy is shared with the other tests of this module
    outdir = project.report_dir("2023-H2", "GM0164", "klein")
    assert not result.ok
    failure = result.failures()[0]
    assert failure.notebook == "02_wmo.ipynb" and failure.label == "fig-wmo-hoofdcategorie"
    assert failure.cell == [c.id for c in nb.cells].index(target.id) + 1  # 1-based, in the source notebook
    assert "ValueError: kapotte figuur" in str(failure)
    assert (outdir / "02_wmo.mislukt.ipynb").exists() and not (outdir / "02_wmo.ipynb").exists()
    assert (outdir / "01_uitgangspositie.ipynb").exists()
    assert not (outdir / "index.qmd").exists()  # the earlier page is withdrawn, not left half-true
    assert not workbook.exists()  # and so is the workbook of its downloads
    manifest = json.loads((outdir / "run.json").read_text(encoding="utf-8"))
    assert [n["ok"] for n in manifest["notebooks"]] == [False, True]  # the chapter after the failure still ran


def test_new_gemeente_from_its_own_observations_without_code_changes(project):
    with open(project.data / "gemeenten.csv", "a", encoding="utf-8") as fh:
        fh.write("GM9001,Nieuwdorp,Utrecht\n")
    with open(project.data / "inwoners.csv", "a", encoding="utf-8") as fh:
        fh.write("GM9001,2023,41000,eigen registratie\nGM9001,2024,41500,eigen registratie\n")
    rows = ["gemeente,periode,indicator,hoofdcategorie,waarde,bron,status"]
    for p, n in (("2023-H1", 2503), ("2023-H2", 2611)):
        rows += [f"GM9001,{p},wmo_clienten,,{n},eigen registratie,definitief",
                 f"GM9001,{p},wmo_clienten,Hulp bij het huishouden,{n // 3},eigen registratie,definitief"]
    rows += ["GM9001,2024,huishoudens,,19000,eigen registratie,definitief"]
    (project.data / "observaties" / "nieuwdorp.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = build_report(project, "GM9001", "2023-H2")
    assert result.ok, [n.error for n in result.notebooks]
    outdir = project.report_dir("2023-H2", "GM9001")
    cells = {cell_label(c): c for c in _cells(outdir / "02_wmo.ipynb")}
    text = cells["txt-wmo-clienten"].outputs[0]["data"]["text/markdown"]
    assert "In de gemeente Nieuwdorp waren er in het tweede halfjaar 2023 2.610 unieke cliënten" in text
    # The demo has no figure of its own for an indicator the gemeente delivers (never a mix of real
    # and fictitious figures of one indicator); its other chapters show demo figures, and say so.
    demo = (project.data / "observaties" / "demo.csv").read_text(encoding="utf-8")
    assert "GM9001,2023-H2,wmo_clienten," not in demo and "GM9001,2024,huishoudens," not in demo
    assert "GM9001,2023-H2,jeugd_jongeren," in demo
    page = (outdir / "index.qmd").read_text(encoding="utf-8")
    assert "Demodata: fictieve cijfers" in page


def test_executed_notebooks_name_no_folder_of_the_build_machine(built):
    proj, _ = built
    outdir = proj.report_dir("2023-H2", "GM0505")
    for name in ("01_uitgangspositie.ipynb", "02_wmo.ipynb"):
        text = (outdir / name).read_text(encoding="utf-8")
        assert str(proj.root) not in text, name
        nb = nbformat.read(outdir / name, as_version=4)
        assert nb.metadata["papermill"]["input_path"] == f"notebooks/{name}"
