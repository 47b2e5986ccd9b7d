"""The four report types, each built by one command on the demo data (real papermill runs)."""
import html
import re
import textwrap

import nbformat
import pandas as pd
import pytest
import yaml

from sdrapport.pipeline import build_report
from sdrapport.publisher.check import check_project
from sdrapport.manifest import cell_label
from tests.conftest import figure_page, unescape


@pytest.fixture(scope="module")
def reports(other_reports):
    return other_reports


def test_each_report_type_builds_a_page(reports):
    proj, results = reports
    for name, result in results.items():
        assert result.ok, (name, [n.error for n in result.notebooks])
        assert (result.outdir / "index.qmd").exists()
    assert check_project(proj) == []


def test_jaarverslag_reproduces_the_hengelo_table(reports):
    proj, results = reports
    iv3 = pd.read_csv(results["jaarverslag"].outdir / "data" / "iv3.csv", dtype=str)
    total = iv3[(iv3["taakveld"] == "Totaal") & (iv3["soort"] == "saldo")].iloc[0]
    assert (total["primitief"], total["gewijzigd"], total["rekening"], total["verschil"]) == ("-125775", "-117864", "-117730", "134")
    row = iv3[(iv3["taakveld"] == "6.73C") & (iv3["soort"] == "saldo")].iloc[0]
    assert (row["rekening"], row["verschil"]) == ("-7791", "-995")
    afw = pd.read_csv(results["jaarverslag"].outdir / "data" / "iv3-afwijkingen.csv", dtype=str)
    assert len(afw) == 15 and "toelichting ontbreekt" not in set(afw["toelichting"])
    page = (results["jaarverslag"].outdir / "index.qmd").read_text(encoding="utf-8")
    assert "{{< embed 11_jaarverslag.ipynb#tbl-iv3 >}}" in page


def test_dashboard_has_kpis_trends_and_quarter_tables(reports):
    _, results = reports
    out = results["dashboard"].outdir
    kpi = pd.read_csv(out / "data" / "kpi.csv", dtype=str, keep_default_na=False)
    assert list(kpi["domein"]) == ["Participatiewet", "Wmo", "Jeugd", "Schuldhulpverlening", "Minima"]
    assert set(kpi["status"]) <= {"behaald", "niet behaald"}  # every tile has a target and a value in the demo
    kw = pd.read_csv(out / "data" / "kw-jeugd.csv")
    assert list(kw.columns)[-2:] == ["2020", "2021-Q1"]  # the previous year in full, this year up to Q1
    page = (out / "index.qmd").read_text(encoding="utf-8")
    shares = pd.read_csv(out / "data" / "kw-jeugd-zwaarte-aandeel.csv")
    assert shares["2021-Q1"].sum() == pytest.approx(100.0, abs=0.5)  # licht + middel + zwaar, in %
    for label in ("tbl-kpi", "fig-trend-jeugd", "tbl-kw-jeugd-zwaarte", "tbl-kw-jeugd-zwaarte-aandeel", "tbl-kw-jeugd-verwijzer-aandeel"):
        assert f"10_dashboard.ipynb#{label}" in page


def test_factsheet_is_one_compact_page(reports):
    _, results = reports
    page = (results["factsheet"].outdir / "index.qmd").read_text(encoding="utf-8")
    meta = yaml.safe_load(page.split("---\n")[1])
    assert meta["format"]["typst"]["fontsize"] == "8.5pt" and meta["format"]["typst"]["toc"] is False
    assert "Toelichting gemeente" not in page
    feiten = pd.read_csv(results["factsheet"].outdir / "data" / "feiten.csv", dtype=str)
    # The year 2023 is described by the stock on 1 January 2024: CBS counts 83.058 for Hengelo
    # (KWB 2024); seed 003 prints the gemeente's own count, 82.324.
    inw = feiten[feiten["indicator"] == "inwoners"].iloc[0]
    notebook = (results["factsheet"].outdir / "12_factsheet.ipynb").read_text(encoding="utf-8")
    assert inw["waarde"] == "83058" and "1 januari 2024" in notebook


# The factsheet's PDF is one A4 page of fixed parts (the demo callout, the key-fact cards, one row of
# small charts 1.95 inch high, the indicator table) and prose whose length follows the data: the
# introduction, captions, source lines, the satisfaction text and the Verantwoording. The prose is
# counted in printed lines: characters per line as Typst sets them on the page (measured on the
# rendered PDF: ~115 for 8.5pt body text, ~122 for captions and source lines with their "Figuur 1: "
# prefix, ~140 for the 7pt Verantwoording). Measured with Quarto 1.7 for Hengelo 2023 on the demo
# data: 21 lines made two pages (the lineage source lines, December 2026), 19 lines filled the page
# to its last line, 18 lines leave one line free. tests/test_render.py counts the pages where Quarto
# is installed; this budget catches growth without it.
FACTSHEET_PROSE_LINES = 19
PRINTED_WIDTH = {"text": 115, "caption": 122, "verantwoording": 140}


def _printed_lines(text: str, kind: str) -> int:
    plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text).replace("**", "").replace("\\", "")
    return len(textwrap.wrap(plain, PRINTED_WIDTH[kind]))


def factsheet_prose_lines(outdir) -> dict[str, int]:
    """Printed lines per prose part of the factsheet's PDF, from the executed notebook and the page."""
    lines = {}
    notebook = nbformat.read(outdir / "12_factsheet.ipynb", as_version=4)
    for cell in notebook.cells:
        label = cell_label(cell)
        caption = re.search(r'^#\| (?:tbl|fig)-cap: "(.*)"$', cell.source, re.M)
        if caption:
            lines[f"{label} bijschrift"] = _printed_lines("Figuur 1: " + caption[1], "caption")
        for output in cell.get("outputs", []):
            md = output.get("data", {}).get("text/markdown")
            if md and md.startswith("```"):
                for i, bron in enumerate(re.findall(r'<p class="sd-bron">(.*?)</p>', md)):
                    lines[f"{label} bron {i}"] = _printed_lines(html.unescape(bron), "caption")
            elif md:
                lines[label] = _printed_lines(md, "text")
    page = (outdir / "index.qmd").read_text(encoding="utf-8")
    verantwoording = [line for line in page.splitlines() if line.startswith("**Verantwoording.**")]
    assert len(verantwoording) == 1, "the PDF of a one-page report has one short Verantwoording paragraph"
    lines["verantwoording"] = _printed_lines(verantwoording[0], "verantwoording")
    return lines


def test_factsheet_prose_stays_within_one_page(reports):
    _, results = reports
    lines = factsheet_prose_lines(results["factsheet"].outdir)
    assert {"txt-inleiding", "tbl-feiten bijschrift", "tbl-feiten bron 0", "fig-ontwikkelingen bijschrift", "txt-tevredenheid",
            "verantwoording"} <= set(lines), lines
    assert sum(lines.values()) <= FACTSHEET_PROSE_LINES, lines
    page = (results["factsheet"].outdir / "index.qmd").read_text(encoding="utf-8")
    kort = next(line for line in page.splitlines() if line.startswith("**Verantwoording.**"))
    # Each edition of a source once, the signs explained, the rest pointed to on the site.
    assert "Kerncijfers wijken en buurten 2023 en 2024 (CC BY 4.0)" in kort and kort.count("Kerncijfers") == 1, kort
    assert "betekent onbekend" in kort and "zie de website" in kort and "webversie" in kort, kort


def test_demo_monitor_shows_every_chapter_with_data(built):
    proj, result = built
    assert result.ok
    page = (result.outdir / "index.qmd").read_text(encoding="utf-8")
    # Numbered chapters and sections (seed 002); the introduction and Opvallend right after it are
    # not numbered, the maps (issue 13) and the annex are.
    chapters = ["## Inleiding", "## Opvallend", "## 1 Uitgangspositie", "## 2 Wmo", "## 3 Jeugdwet", "## 4 Participatiewet",
                "## 5 Schuldhulpverlening en minima", "## 6 Stapeling van voorzieningen", "## 7 Financiën", "## 8 Kwaliteit",
                "## 9 Alle gemeenten in kaart", "## 10 Bijlagen"]
    for chapter in [*chapters, "### 1.1 Bevolking", "### 1.3 Vergelijkbare gemeenten", "### 2.2 Kwaliteit", "### 10.2 Begrippenlijst"]:
        assert f"\n{chapter}\n" in page, chapter
    assert [page.index(c) for c in chapters] == sorted(page.index(c) for c in chapters)
    # The demo data cover every indicator and figure used that no other file delivers. Hengelo delivers
    # its own Iv3 figures (its 2024 annual accounts), so the demo has them for no gemeente (issue 23):
    # the Iv3 tables say so instead of showing fictitious amounts beside Hengelo's real ones, and the
    # note at the top names the chapter.
    missing = [line for line in page.splitlines() if "beschikbaar" in line and "geen" in line]
    assert missing == [
        "Over het tweede halfjaar 2023 zijn nog geen figuren en tabellen beschikbaar voor: Financiën.",
        "*Baten en lasten: Inkomensregelingen*: voor de gemeente Dordrecht zijn geen baten en lasten van taakveld 6.3 "
        "beschikbaar (jaren 2016 tot en met 2023).",
        "*Baten en lasten: Arbeidsparticipatie*: voor de gemeente Dordrecht zijn geen baten en lasten van taakveld 6.5 "
        "beschikbaar (jaren 2016 tot en met 2023).",
        "*Baten en lasten per taakveld*: voor de gemeente Dordrecht zijn over 2023 geen Iv3-cijfers beschikbaar."], missing


def test_report_refuses_the_wrong_kind_of_period(project):
    with pytest.raises(ValueError, match="rapport 'dashboard' is voor een kwartaal, niet voor 2021"):
        build_report(project, "GM0402", "2021", "dashboard")


def test_jaarverslag_without_params_for_the_year_still_builds(reports, project):
    result = build_report(project, "GM0164", "2023", "jaarverslag")
    assert result.ok, [n.error for n in result.notebooks]
    cells = {cell_label(c): c for c in nbformat.read(result.outdir / "11_jaarverslag.ipynb", as_version=4).cells if cell_label(c)}
    text = "".join(o["data"]["text/markdown"] for o in cells["txt-beleidsindicatoren"].outputs)
    assert unescape(text) == "De gemeente Hengelo heeft voor 2023 geen beleidsindicatoren opgegeven."
    page = (result.outdir / "index.qmd").read_text(encoding="utf-8")
    assert "{{< embed 11_jaarverslag.ipynb#txt-beleidsindicatoren >}}" in page


@pytest.mark.parametrize("name", ["dashboard", "jaarverslag", "factsheet"])
def test_every_figure_is_traceable_to_what_was_delivered(reports, name):
    """Issue 23 on each report type: labels agree with lineage, no demo beside delivered figures in
    one value, and every download row names gemeente and period (tests/lineage_checks.py)."""
    from tests.lineage_checks import assert_traceable

    _, results = reports
    assert_traceable(results[name].outdir)


# -- figures: vector charts with the data under them (issue 27) ------------------------------------------
def _dutch_number(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def _figure_outputs(outdir):
    from sdrapport.presentation.report import META_KEY

    for nb_path in sorted(outdir.glob("*.ipynb")):
        for cell in nbformat.read(nb_path, as_version=4).cells:
            label = cell_label(cell) if cell.cell_type == "code" else None
            for out in cell.get("outputs", []) if label and label.startswith("fig-") else []:
                if "image/svg+xml" in out.get("data", {}):
                    yield f"{nb_path.name}#{label}", out["data"], out["metadata"][META_KEY]


def test_every_figure_is_svg_with_its_data_table_holding_the_download(reports, built):
    """All four report types: each figure is an SVG (no PNG anywhere), and the HTML shows under it a
    <details> "Tabel bij deze figuur" with a captioned table whose cells are the figure's CSV download
    in Dutch notation, '?' and '-' kept."""
    import csv
    import html
    import re

    from sdrapport.periods import Period

    proj, results = reports
    outdirs = {name: r.outdir for name, r in results.items()} | {"monitor": built[1].outdir}
    for rapport, outdir in outdirs.items():
        figures = list(_figure_outputs(outdir))
        if rapport == "jaarverslag":  # tables only (seed 004): no figure to check
            assert not figures
            continue
        table_csvs = {o["metadata"]["sdrapport"]["csv"] for p in outdir.glob("*.ipynb")
                      for c in nbformat.read(p, as_version=4).cells for o in c.get("outputs", [])
                      if (o.get("metadata") or {}).get("sdrapport", {}).get("tbl-cap") and o["metadata"]["sdrapport"].get("csv")}
        assert figures, rapport
        for nb_path in outdir.glob("*.ipynb"):
            assert "image/png" not in nb_path.read_text(encoding="utf-8"), nb_path.name
        markers = 0
        for where, data, meta in figures:
            assert "<image" not in data["image/svg+xml"], where  # no raster inside the SVG
            page = figure_page(data)
            assert "text/html" not in data, where  # Quarto would load require.js and jQuery from a CDN
            assert page.count("<details") == 1 and "<summary>Tabel bij deze figuur</summary>" in page, where
            table = page.split("<details", 1)[1]
            assert re.search(r"<caption>Gegevens bij de figuur: .+</caption>", table), where
            head = [html.unescape(c) for c in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table)]
            rows = [[html.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr)]
                    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>", 1)[1])]
            assert rows and all(len(r) == len(head) for r in rows), where
            with open(outdir / meta["csv"], encoding="utf-8", newline="") as f:
                download = list(csv.DictReader(f))
            # The runner adds gemeente (and periode) to every download row afterwards; every column the
            # table shows is a column of the download, with the same values in the same rows. A table
            # element may write the same download after the figure, with a total row under the rows.
            if meta["csv"] in table_csvs:
                download = download[:len(rows)]
            assert len(download) == len(rows), where
            columns = {}
            for name in download[0]:
                shown = Period.parse(name).short_label if re.fullmatch(r"\d{4}(-[HQ]\d)?", name) else name
                columns[shown] = name
            for j, shown in enumerate(head):
                name = columns[shown]
                for row, cells in zip(download, rows):
                    value, cell = row[name], cells[j]
                    if value in ("?", "-"):
                        assert cell == value, (where, name)
                        markers += 1
                    elif re.fullmatch(r"-?\d+(\.\d+)?", value) and name not in ("jaar", "periode", "gemeente"):
                        # rounded to the decimals of the unit shown (as the alt text), never further off
                        shown_decimals = len(cell.partition(",")[2])
                        assert _dutch_number(cell) == pytest.approx(float(value), abs=0.5 * 10 ** -shown_decimals + 1e-9), \
                            (where, name, value, cell)
                        assert re.fullmatch(r"-?\d{1,3}(\.\d{3})*(,\d+)?", cell), (where, cell)  # Dutch notation
                    elif re.fullmatch(r"\d{4}(-[HQ]\d)?", value):
                        assert cell == Period.parse(value).short_label, (where, name)
                    else:
                        assert cell == value, (where, name)
        assert markers or rapport != "monitor"  # the monitor's figures have unknown values ('?') in their data
