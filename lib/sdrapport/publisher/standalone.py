"""A report readable without Quarto: one self-contained HTML file per report, written by nbconvert.

`sdrapport run` writes it when Quarto is not installed (and `sdrapport voorbeeld` without Quarto):

    reports/<periode>/<gemeente>/<rapport>/<gemeente>-<periode>-<rapport>.html

It holds what the Quarto page holds, in the same order: the demo banner, the note on chapters
without figures, every notebook of the profile (its Markdown narrative and the outputs of its
labelled cells, never code), the gemeente's commentary per chapter and the Verantwoording. The
executed notebooks are joined into one notebook, which nbconvert's HTMLExporter (template `basic`,
inputs and prompts excluded) turns into HTML through the preprocessor `ReaderOutputs`:

- a table, KPI tiles or key figures are a `text/markdown` output with a ```` ```{=html} ```` and a
  ```` ```{=typst} ```` raw block (tabellen.py); the HTML block is shown, the Typst block dropped,
  and the caption (`tbl-cap`) is put above it;
- a figure (`image/svg+xml`, with a `text/markdown` whose HTML block holds the SVG in the page's
  fonts as an `<img>` with its alt text, then the `<details>` "Tabel bij deze figuur") becomes a
  `<figure>` of the chart with its caption (`fig-cap`) under it, and the data table after the figure;
- the note of an empty figure or table (metadata `leeg`) is shown as text;
- generated text (`txt-...` cells) stays Markdown for nbconvert to render;
- streams, errors and plain-text representations are dropped.

Captions and texts are Markdown with backslash escapes (veilig.py); nbconvert's Markdown renderer
(mistune) shows them as typed. Images are inlined as data URIs and the style sheet is inline (the
house rules of assets/sdrapport.scss), so the file needs no other file and makes no request; the
links to the CSV and Excel downloads are relative to the report folder.
"""
from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path

import nbformat
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from nbconvert.preprocessors import Preprocessor

from sdrapport.presentation.text import escaping
from sdrapport.presentation.elements.chapters import Nummering
from sdrapport.periods import Period
from sdrapport.project import Project
from sdrapport.presentation.report import META_KEY
from sdrapport.presentation.elements.tables import NO_TABLE_PROCESSING
from sdrapport.inputs.profiles import Profile
from sdrapport.manifest import MANIFEST, cell_label, read_manifest

SVG_SRC = re.compile(r'src="data:image/svg\+xml;base64,([^"]+)"')
RAW_HTML = re.compile(r"```\{=html\}\n(.*?)\n```", re.S)
_OPTION = re.compile(r"^#\| (fig-cap|fig-alt|tbl-cap): (.*)$", re.M)


def html_path(outdir: Path) -> Path:
    """reports/<periode>/<gemeente>/<rapport>/<gemeente>-<periode>-<rapport>.html"""
    periode, gemeente, rapport = outdir.parts[-3:]
    return outdir / f"{gemeente}-{periode}-{rapport}.html"


def remove_html(outdir: Path) -> None:
    html_path(outdir).unlink(missing_ok=True)


def _markdown(text: str) -> str:
    return markdown2html_mistune(str(text)).strip()


def _cell_options(cell) -> dict[str, str]:
    """Caption and alt text from the cell's `#|` options (written by the runner as JSON strings)."""
    opts = {}
    for key, value in _OPTION.findall(cell.get("source", "")):
        try:
            opts[key] = json.loads(value)
        except ValueError:
            opts[key] = value
    return opts


class ReaderOutputs(Preprocessor):
    """Keep what readers see: Markdown cells as they are, and of each labelled code cell only its
    outputs, made readable without Quarto (see the module docstring). Unlabelled code cells (the
    parameters, the imports) and all code disappear."""

    def preprocess(self, nb, resources):
        cells = []
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cells.append(cell)
                continue
            label = cell_label(cell) if cell.cell_type == "code" else None
            if not label or not cell.get("outputs"):
                continue
            options = _cell_options(cell)
            outputs = []
            for out in cell.outputs:
                shown = self.reader_output(out, label if not outputs else f"{label}-{len(outputs) + 1}", options)
                if shown is not None:
                    outputs.append(shown)
            if outputs:
                cells.append(nbformat.v4.new_code_cell(source="", outputs=outputs, metadata={"sdrapport-label": label}))
        nb.cells = cells
        return nb, resources

    @staticmethod
    def reader_output(out, anchor: str, options: dict) -> nbformat.NotebookNode | None:
        if out.get("output_type") not in ("display_data", "execute_result"):
            return None  # streams (warnings, prints) and errors are not for readers
        data = out.get("data", {})
        meta = {**options, **out.get("metadata", {}).get(META_KEY, {})}
        ident = html.escape(anchor, quote=True)

        def as_html(text: str) -> nbformat.NotebookNode:
            return nbformat.v4.new_output("display_data", data={"text/html": text})

        markdown = data.get("text/markdown")
        if meta.get("leeg") and markdown is not None:
            return as_html(f'<div class="sd-leeg" id="{ident}">{_markdown(markdown)}</div>')
        if "image/svg+xml" in data and markdown is not None and "```{=html}" in markdown:
            page = "\n".join(RAW_HTML.findall(markdown)).replace(NO_TABLE_PROCESSING, "").strip()
            chart, details, table = page.partition("<details")
            for svg in SVG_SRC.findall(chart):  # a broken image fails here, not in the reader's browser
                base64.b64decode(svg, validate=True)
            cap = f"<figcaption>{_markdown(meta['fig-cap'])}</figcaption>" if meta.get("fig-cap") else ""
            return as_html(f'<figure class="sd-figuur" id="{ident}">{chart}{cap}</figure>{details}{table}')
        if markdown is not None and "```{=html}" in markdown:
            block = "\n".join(RAW_HTML.findall(markdown))  # the Typst block is left out
            cap = f"<figcaption>{_markdown(meta['tbl-cap'])}</figcaption>" if meta.get("tbl-cap") else ""
            return as_html(f'<figure class="sd-tabel-figuur" id="{ident}">{cap}\n{block}\n</figure>')
        if markdown is not None:
            return nbformat.v4.new_output("display_data", data={"text/markdown": markdown})
        if "text/html" in data:
            return as_html(data["text/html"])
        return None  # only a plain-text representation


# -- the document -----------------------------------------------------------------------------------

BASE_CSS = """
body { margin: 0; color: #212529; background: #fff; line-height: 1.5;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", "DejaVu Sans", Arial, sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; overflow-wrap: break-word; }
a { color: #1d5fa8; }
h1 { font-size: 2rem; line-height: 1.2; margin: 1.5rem 0 0.25rem; }
.sd-ondertitel { font-size: 1.25rem; color: #343a40; margin-top: 0; }
h2 { margin-top: 2.5rem; padding-bottom: 0.25rem; border-bottom: 1px solid #dee2e6; }
h3 { margin-top: 1.75rem; }
figure { margin: 1.25rem 0; }
figcaption { font-size: 0.9rem; margin: 0.4rem 0; }
figcaption p { margin: 0; }
.sd-tabel-tabel { border-collapse: collapse; }
.sd-tabel-tabel th, .sd-tabel-tabel td { padding: 0.25rem 0.6rem; border-bottom: 1px solid #dee2e6; text-align: left; }
.sd-melding { border-left: 6px solid #1d5fa8; background: #f1f5fa; padding: 0.25rem 1rem; margin: 1rem 0; }
.sd-waarschuwing { border-left-color: #8a4b00; background: #fff6e0; }
.sd-leeg { color: #343a40; }
footer { max-width: 60rem; margin: 0 auto; padding: 1rem 1.25rem 2rem; font-size: 0.85rem; color: #495057; }
"""

DOCUMENT = """<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="sdrapport {versie} met nbconvert">
<title>{titel}</title>
<style>{css}</style>
</head>
<body>
<main>
<header>
<h1>{kop}</h1>
<p class="sd-ondertitel">{ondertitel}</p>
</header>
{body}
</main>
<footer>Gemaakt met sdrapport {versie} uit de uitgevoerde notebooks van dit rapport: dezelfde figuren en tabellen
als op de website en in de PDF.</footer>
</body>
</html>
"""


def house_css(project: Project) -> str:
    """The rules part of assets/sdrapport.scss (plain CSS apart from its // comments)."""
    path = project.root / "assets" / "sdrapport.scss"
    if not path.exists():
        return ""
    text = path.read_text(encoding="utf-8")
    rules = text.split("/*-- scss:rules --*/", 1)[-1]
    return "\n".join(line for line in rules.splitlines() if not line.lstrip().startswith("//"))


def _md_cell(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(text)


def _box(kind: str, title: str, text: str) -> str:
    """A note box: the HTML wrapper around Markdown (blank lines, so the Markdown is rendered)."""
    return f'<div class="sd-melding {kind}" role="note">\n\n**{escaping.markdown(title)}**\n\n{text}\n\n</div>'


def reader_notebook(project: Project, gemeente: str, periode: Period, profile: Profile) -> tuple[nbformat.NotebookNode, dict]:
    """The report's executed notebooks joined in profile order, with the page's generated parts as
    Markdown cells. Returns the notebook and the gemeente's facts."""
    from sdrapport.presentation.output.downloads import download_links
    from sdrapport.publisher.site import (
        DOWNLOADS_INTRO,
        TECHNISCH_KOP,
        _toelichting,
        chapters_without_figures,
        empty_chapters_text,
        demo_text,
        verantwoording_items,
    )

    outdir = project.report_dir(periode.code, gemeente, profile.naam)
    manifest = read_manifest(outdir) or {}
    facts = manifest["pagina"]
    cells = []
    if facts["demo"]:
        cells.append(_md_cell(_box("sd-waarschuwing", "Demodata: fictieve cijfers", escaping.markdown(demo_text(facts)))))
    without = chapters_without_figures(outdir, profile.notebooks)
    if without:
        cells.append(_md_cell(_box("sd-info", "Nog niet alle cijfers", empty_chapters_text(without, periode))))
    nummering = Nummering(profile)
    for nb_name in profile.notebooks:
        chapter = nbformat.read(outdir / nb_name, as_version=4).cells
        nummering.begin(nb_name)
        for cell in chapter:  # cell ids are unique per notebook, not across the report
            cell.id = f"{Path(nb_name).stem}-{cell.get('id', len(cells))}"
            if cell.cell_type == "markdown":
                cell.source = nummering.markdown(cell.source)
        cells += chapter
        if nummering.toelichting(nb_name):
            cells.append(_md_cell("### Toelichting gemeente\n\n"
                                  + _toelichting(project, gemeente, facts["naam"], Path(nb_name).stem)))
    lezers, technisch = verantwoording_items(project, manifest, periode, facts, profile)
    lines = ["## Verantwoording", "", *lezers, "", f'<details class="sd-technisch"><summary>{TECHNISCH_KOP}</summary>', "",
             *technisch, "", "</details>"]
    downloads = download_links(outdir)
    if downloads:
        lines += ["", DOWNLOADS_INTRO, "", *(f"- [{escaping.markdown(label)}]({target})" for label, target in downloads)]
    cells.append(_md_cell("\n".join(lines)))
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"title": f"{profile.titel} {facts['naam']}"})
    return nb, facts


def write_html(project: Project, gemeente: str, periode: str | Period, profile: Profile) -> Path:
    """Write the report's self-contained HTML file (see the module docstring) and return its path."""
    from nbconvert import HTMLExporter

    from sdrapport.publisher.site import _write, page_title

    periode = Period.parse(periode)
    outdir = project.report_dir(periode.code, gemeente, profile.naam)
    nb, facts = reader_notebook(project, gemeente, periode, profile)
    exporter = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, exclude_anchor_links=True)
    exporter.register_preprocessor(ReaderOutputs(), enabled=True)
    body, _ = exporter.from_notebook_node(nb)
    document = DOCUMENT.format(
        titel=html.escape(page_title(profile, facts["naam"], periode)),
        kop=html.escape(f"{profile.titel} {facts['naam']}"),
        ondertitel=html.escape(periode.label[0].upper() + periode.label[1:]),
        versie=html.escape(json.loads((outdir / MANIFEST).read_text(encoding="utf-8"))["code_version"]),
        css=BASE_CSS + house_css(project),
        body=body.strip(),
    )
    path = html_path(outdir)
    _write(path, document)
    return path


__all__ = ["ReaderOutputs", "html_path", "reader_notebook", "remove_html", "write_html"]
