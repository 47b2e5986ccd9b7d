"""Untrusted text stays text: escaping (sdrapport.presentation.text.escaping), the table renderer (sdrapport.presentation.elements.tables),
and a real build with hostile names, categories and commentary."""
import re
import subprocess
import sys

import pandas as pd
import pytest

from sdrapport.presentation.text import escaping
from sdrapport.inputs.profiles import load_profile
from sdrapport.presentation.elements.tables import Tabel, looks_numeric
from sdrapport.presentation.elements.tiles import Tegel, tegels_markdown
from tests.conftest import copy_of_built, html_rows, unescape

HOSTILE = ("Gem {{< env SDRAPPORT_SLEUTEL >}} {{< include ../../../../../../../../etc/os-release >}} "
           "{{< meta title >}} <script>alert(1)</script> | *vet* [link](http://x) `code` $x$ @ref #kop")


def _unsafe_shortcode(text: str) -> list[str]:
    """Shortcodes in generated text other than the embeds sdrapport writes itself."""
    return [m for m in re.findall(r"\{\{<[^>]*>\}\}", text) if not m.startswith("{{< embed ")]


def test_markdown_escapes_every_markup_character_and_keeps_the_text():
    md = escaping.markdown(HOSTILE)
    assert not re.search(r"(?<!\\)[{}<>\[\]`*|$@]", md) and "\n" not in md  # every markup character escaped
    assert unescape(md) == HOSTILE  # a reader sees exactly what was typed
    assert escaping.markdown("regel 1\n\n# kop\n- punt") == "regel 1 \\# kop - punt"  # no heading can start
    assert escaping.markdown("- punt") == "\\- punt" and escaping.markdown("1. punt") == "1\\. punt"  # nor a list
    assert escaping.markdown("€ 60.000, (a): b.") == "€\u00a060.000, (a): b."  # readable; the sign stays with its amount


def test_markdown_parts_are_escaped_once():
    safe = escaping.samen(escaping.nadruk("Titel*"), ": ", "a_b")
    assert safe == "*Titel\\**: a\\_b"
    assert escaping.markdown(safe) == safe  # already safe: not escaped again
    assert escaping.Markdown("**x**") + "<b>" == "**x**\\<b\\>"


def test_html_typst_and_attribute_escaping():
    assert escaping.html('{{< x >}} <b a="1">') == "&#123;&#123;&lt; x &gt;&#125;&#125; &lt;b a=&quot;1&quot;&gt;"
    typ = escaping.typst_string('a "b" \\ #set {x} [y] $z$')
    assert typ.startswith('"') and typ.endswith('"')
    for part in ("{{", "}}", "[", "]", "#", "$", "<"):
        assert part not in typ[1:-1]
    assert '\\"b\\"' in typ and "\\\\" in typ
    alt = escaping.attribuut("waarde {{< env X >}}")
    assert "{{" not in alt and "}}" not in alt and alt.replace("\u200b", "") == "waarde {{< env X >}}"


def test_numbers_are_recognised_as_readers_see_them():
    for text in ("1.234", "12,5%", "-15.330", "€\u00a0651", "?", "-", "+1,2"):
        assert looks_numeric(text), text
    for text in ("Wmo", "Q1 2020", "15 procentpunt extra", "6.1 Samenkracht"):
        assert not looks_numeric(text), text


def test_table_cells_are_text_in_html_and_typst():
    frame = pd.DataFrame({"Categorie": ["a|b <script>x</script>", "{{< env K >}}", "Totaal"],
                          "Aantal": ["9.500", "?", "10.000"], "Tekst": ["Geen", "15% (2023)", "1.234"]})
    md = Tabel.uit_frame(frame, titel="T {{< x >}}", bron="Bron: CBS | 2023", noten=["noot <i>"]).markdown()
    assert _unsafe_shortcode(md) == [] and "<script>" not in md and "<i>" not in md
    rows = html_rows(md)
    assert rows["a|b <script>x</script>"] == ["9.500", "Geen"]  # the pipe stays inside its cell
    assert rows["{{< env K >}}"] == ["?", "15% (2023)"]
    assert '<th scope="row">' in md and '<th scope="col" class="sd-num">Aantal</th>' in md
    assert '<tr class="sd-nadruk">' in md  # the total row is set in bold
    assert 'tabindex="0"' in md and 'role="region"' in md  # a scrolling table is reachable by keyboard
    typst = md.split("```{=typst}", 1)[1]
    assert "#sd-tabel(" in typst and "numeriek: (false, true, true)" in typst  # "Geen" does not make a text column
    assert "nadruk: (2,)" in typst and "#sd-noten(" in typst and "#sd-bron(" in typst
    assert "<!--| quarto-html-table-processing: none -->" in md  # Quarto leaves the table alone


def test_kpi_tiles_show_status_as_symbol_word_and_colour():
    md = tegels_markdown([Tegel("Wmo", "Tijdigheid", "93,3%", "95,0%", "niet behaald", "K1 2020: 90,2%"),
                          Tegel("Jeugd", "Tijdigheid", "96,0%", "95,0%", "behaald", "K1 2020: 94,0%")],
                         titel="Kerncijfers", bron="Bron: registratie")
    assert "✗</span> niet behaald" in md and "✓</span> behaald" in md
    assert "sd-status-nee" in md and "sd-status-ok" in md and "Doel: 95,0%" in md
    assert '#sd-tegels(((domein: "Wmo"' in md


def test_report_names_are_names_not_paths(project):
    for bad in ("../../../outside/profiel", "monitor/../dashboard", "/etc/passwd", "Monitor", ""):
        with pytest.raises(FileNotFoundError, match="ongeldige rapportnaam"):
            load_profile(project, bad)
    proc = subprocess.run([sys.executable, "-m", "sdrapport.cli", "run", "--rapport", "../../../outside/profiel",
                           "-g", "GM0505", "-p", "2023-H2", "--geen-site", "--project", str(project.root)],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "ongeldige rapportnaam" in proc.stderr + proc.stdout
    assert not (project.root.parent / "outside").exists()
    for args in (["-g", "../../buiten", "-p", "2023-H2"], ["-g", "GM0505", "-p", "../../2023-H2"]):
        proc = subprocess.run([sys.executable, "-m", "sdrapport.cli", "run", *args, "--geen-site", "--project", str(project.root)],
                              capture_output=True, text=True)
        assert proc.returncode == 2, args
    assert not (project.root.parent / "buiten").exists() and not list(project.reports.glob("**/buiten"))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The dashboard of a gemeente whose name, and whose commentary, try to run code on the page
    (built once per test run: test_leesversie reads it too)."""
    from sdrapport.pipeline import build_report
    from sdrapport.publisher.site import write_site

    def build(proj):
        gemeenten = proj.data / "gemeenten.csv"
        text = gemeenten.read_text(encoding="utf-8")
        gemeenten.write_text(text.replace("GM0402,Hilversum,", f'GM0402,"{HOSTILE.replace(chr(34), "")}",'), encoding="utf-8")
        (proj.params / "toelichting").mkdir(exist_ok=True)
        (proj.params / "toelichting" / "GM0402.yml").write_text(
            "10_dashboard: |\n  Eerste alinea {{< include ../../../../../../../../etc/os-release >}} <script>x()</script>\n\n"
            "  ```{=html}\n  <img src=x onerror=alert(1)>\n  ```\n\n  | a | b |\n", encoding="utf-8")
        result = build_report(proj, "GM0402", "2021-Q1", "dashboard")
        assert result.ok, [n.error for n in result.notebooks]
        write_site(proj)
        return result

    return copy_of_built("hostile", build, tmp_path_factory.mktemp("hostile") / "project")


def test_hostile_texts_reach_the_page_only_as_text(hostile):
    proj, result = hostile
    page = (result.outdir / "index.qmd").read_text(encoding="utf-8")
    assert _unsafe_shortcode(page) == []
    assert not re.search(r"(?<!\\)<(script|img)", page)
    assert "os-release" in page  # the commentary is there, as text
    import nbformat

    nb = nbformat.read(result.outdir / "10_dashboard.ipynb", as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    markdown = "\n".join(o.get("data", {}).get("text/markdown", "") for o in outputs)
    assert "Gem" in unescape(markdown)  # the name is used ...
    assert _unsafe_shortcode(markdown) == [] and not re.search(r"(?<!\\)<script", markdown)  # ... but never as code
    for cell in nb.cells:  # captions (Markdown) and alt texts (plain attributes) in the cell options
        for line in cell.source.splitlines():
            if line.startswith(("#| fig-cap", "#| tbl-cap")):
                assert "{{<" not in line and not re.search(r"(?<!\\\\)<script", line), line
            if line.startswith("#| fig-alt"):
                assert "{{" not in line and "}}" not in line, line  # pandoc escapes '<' in attributes itself
    index = (proj.root / "index.qmd").read_text(encoding="utf-8") + "".join(
        p.read_text(encoding="utf-8") for p in proj.reports.glob("*/index.qmd"))
    assert _unsafe_shortcode(index) == [] and not re.search(r"(?<!\\)<script", index)
