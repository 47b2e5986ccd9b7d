"""The report without Quarto: one self-contained HTML file written by nbconvert; and the note on
chapters without figures (page and HTML)."""
from __future__ import annotations

import base64
import html
import re

import nbformat

from sdrapport.publisher.standalone import RAW_HTML, html_path, write_html
from sdrapport.inputs.profiles import load_profile
from sdrapport.pipeline import build_report
from sdrapport.publisher.site import chapters_without_figures, is_empty_output

from tests.conftest import figure_page, html_rows, unescape
from tests import test_veilig


def _labelled(path):
    from sdrapport.manifest import cell_label

    nb = nbformat.read(path, as_version=4)
    return [(cell_label(c), c) for c in nb.cells if c.cell_type == "code" and cell_label(c) and c.outputs]


def test_html_holds_every_figure_and_table_and_no_code(built):
    proj, result = built
    profile = load_profile(proj, "monitor")
    path = write_html(proj, "GM0505", "2023-H2", profile)
    assert path == html_path(result.outdir) and path.name == "GM0505-2023-H2-monitor.html"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and '<html lang="nl">' in text
    figures = tables = 0
    for name in profile.notebooks:
        for label, cell in _labelled(result.outdir / name):
            if any(is_empty_output(o) for o in cell.outputs):
                note = unescape(next(o for o in cell.outputs if is_empty_output(o))["data"]["text/markdown"]).replace("*", "")
                assert html.escape(note.split(":")[0], quote=False) in text, label
                continue
            if label.startswith(("fig-", "tbl-")):
                assert f'id="{label}"' in text, label
            for out in cell.outputs:
                data = out.get("data", {})
                if "image/svg+xml" in data:  # before the tables: its Markdown has an HTML block too
                    figures += 1
                    chart, details, table = figure_page(data).partition("<details")
                    shown = text.split(f'id="{label}"', 1)[1]
                    figure, _, after = shown.partition("<figcaption>")
                    # the chart as the page shows it (nbconvert rewrites the markup, not the images), its
                    # caption, then the data table after the figure
                    images = re.findall(r"data:image/svg\+xml;base64,[A-Za-z0-9+/=]+", chart)
                    assert images and all(i in figure for i in images) and "<figure" not in figure, label
                    assert ("<picture>" in chart) == ("<picture>" in figure), label
                    placed = after.split("</figcaption></figure>", 1)[1].split("</details>", 1)[0]
                    assert placed.startswith('<details class="sd-figuurtabel"><summary>Tabel bij deze figuur</summary>'), label
                    assert html_rows(f"```{{=html}}\n{placed}\n```") == html_rows(f"```{{=html}}\n{table}\n```"), label
                    alt = out["metadata"]["sdrapport"]["fig-alt"]
                    assert f'alt="{html.escape(alt, quote=True)}"' in text, label
                elif "```{=html}" in data.get("text/markdown", ""):
                    shown = text.split(f'id="{label}"', 1)[1].split("</figure>", 1)[0]
                    if label.startswith("txt-"):  # generated HTML that is no table (Opvallend): shown as it is
                        assert RAW_HTML.search(data["text/markdown"])[1].split("\n", 1)[1] in shown, label
                        continue
                    tables += 1
                    assert html_rows(data["text/markdown"]) == html_rows("```{=html}\n" + shown + "\n```"), label
                    assert unescape(out["metadata"]["sdrapport"]["tbl-cap"]).replace("*", "") in re.sub("<[^>]+>", "", shown), label
    assert figures >= 20 and tables >= 15
    # Outputs only: no code, no Quarto cell options, no Typst.
    assert "onderdelen." not in text and not re.search(r"\bimport\b", text)
    assert "#|" not in text and "{=typst}" not in text and "#sd-tabel" not in text and "```" not in text
    # Captions read right: rendered Markdown, no backslash escapes left.
    assert "<figcaption><p><strong>Ontwikkeling van het aantal unieke cliënten per hoofdcategorie.</strong>" in text
    assert "Bron: Demodata, fictief (naar CBS GMSD Wmo) | eerste halfjaar 2021 - tweede halfjaar 2023</p></figcaption>" in text
    assert "\\|" not in text and "\\-" not in text
    # Demo banner, commentary, verantwoording and downloads, as on the page.
    assert "Demodata: fictieve cijfers" in text and "De gemeente Dordrecht heeft geen toelichting gegeven." in text
    assert "<h2" in text and "Verantwoording</h2>" in text and 'href="data/GM0505-2023-H2-monitor.xlsx"' in text
    # Every chapter has figures but Financiën: Hengelo delivers its own Iv3 figures, so the demo has
    # them for no gemeente (issue 23), and the note at the top says which chapter has none.
    assert "Nog niet alle cijfers" in text and "nog geen figuren en tabellen beschikbaar voor: Financiën." in text
    # Self-contained: no script, no style sheet or image from elsewhere.
    assert "<script" not in text and "<link" not in text and not re.search(r"""(src|href)=["']?(https?:)?//""", text)
    assert "data:image/png" not in text  # charts are vector images
    sources = [re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', img)[1] for img in re.findall(r"<img [^>]*>", text)
               if "data:image/svg+xml" in img]
    assert len(sources) == figures
    for src in sources:
        assert base64.b64decode(src, validate=True).startswith(b"<?xml")
    assert text.count("<summary>Tabel bij deze figuur</summary>") == figures


def test_chapters_without_figures_are_named_on_the_page_and_in_the_html(project):
    """A period for which one source has not delivered yet: the report still builds, and the page
    says which chapter has no figures yet."""
    demo = project.data / "observaties" / "demo.csv"
    lines = demo.read_text(encoding="utf-8").splitlines(keepends=True)
    demo.write_text("".join(line for line in lines if not line.startswith("GM0505,2023-H2,stapeling_")), encoding="utf-8")
    (project.params / "rapporten" / "klein.yml").write_text(
        "titel: Klein\nnotebooks: [05_schuldhulp_minima.ipynb, 06_stapeling.ipynb]\n", encoding="utf-8")
    result = build_report(project, "GM0505", "2023-H2", "klein")
    assert result.ok, [n.error for n in result.notebooks]
    assert chapters_without_figures(result.outdir, ["05_schuldhulp_minima.ipynb", "06_stapeling.ipynb"]) == ["Stapeling van voorzieningen"]
    page = (result.outdir / "index.qmd").read_text(encoding="utf-8")
    note = "Over het tweede halfjaar 2023 zijn nog geen figuren en tabellen beschikbaar voor: Stapeling van voorzieningen."
    assert '::: {.callout-note title="Nog niet alle cijfers"}' in page and note in unescape(page)
    assert page.index("Nog niet alle cijfers") < page.index("## Schuldhulpverlening")  # at the top
    text = write_html(project, "GM0505", "2023-H2", load_profile(project, "klein")).read_text(encoding="utf-8")
    assert "Nog niet alle cijfers" in text and note in text


hostile = test_veilig.hostile  # the dashboard of a gemeente with a hostile name and commentary (a fixture)


def test_hostile_texts_reach_the_html_only_as_text(hostile):
    """A gemeente name and commentary with script, HTML and shortcodes: in the HTML version they are
    text (in titles, captions, alt texts, tables and the commentary), never markup."""
    proj, result = hostile
    text = write_html(proj, "GM0402", "2021-Q1", load_profile(proj, "dashboard")).read_text(encoding="utf-8")
    assert not re.search(r"<script|<img[^>]*onerror", text)  # typed as text: &lt;img src=x onerror=...
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # the name, as typed
    assert "os-release" in text  # the commentary is there, as text
