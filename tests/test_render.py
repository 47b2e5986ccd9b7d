"""What readers get, rendered by a real Quarto: the site and the PDFs of all four report types.

These tests need `quarto` on the PATH (and poppler's pdftotext/pdfinfo for the PDF checks); a
fresh machine without them skips them with the reason. The accessibility test also needs Node.js,
Chromium and the npm packages axe-core and puppeteer-core (see tests/axe/README.md).
"""
from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from tests.conftest import REPO, copy_project, html_rows

QUARTO = shutil.which("quarto")
POPPLER = shutil.which("pdftotext") and shutil.which("pdfinfo")
pytestmark = [
    pytest.mark.skipif(QUARTO is None, reason="quarto staat niet op het PATH (installeer Quarto, bijv. conda install -c conda-forge quarto)"),
]
needs_poppler = pytest.mark.skipif(not POPPLER, reason="pdftotext/pdfinfo ontbreken (apt-get install poppler-utils)")

REPORTS = {  # rapport -> (gemeente, periode)
    "monitor": ("GM0505", "2023-H2"),
    "dashboard": ("GM0402", "2021-Q1"),
    "jaarverslag": ("GM0164", "2024"),
    "factsheet": ("GM0164", "2023"),
}
HOSTILE_NOTE = ("Let op {{< env SDRAPPORT_SLEUTEL >}} en {{< include ../../../../../../../../etc/os-release >}} "
                "<script>alert(1)</script> | a | b | " + "Een heel lange toelichting van de gemeente. " * 150)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """All four report types built and rendered, with hostile commentary on the dashboard."""
    from sdrapport.pipeline import build_report
    from sdrapport.publisher.site import render, write_site

    proj = copy_project(tmp_path_factory.mktemp("render") / "project")
    (proj.params / "toelichting" / "GM0402.yml").write_text(f"10_dashboard: '{HOSTILE_NOTE}'\n", encoding="utf-8")
    dirs = {}
    for rapport, (gemeente, periode) in REPORTS.items():
        result = build_report(proj, gemeente, periode, rapport)
        assert result.ok, [n.error for n in result.notebooks]
        dirs[rapport] = result.outdir
    write_site(proj)
    rendered, message = render(proj)
    assert rendered, message
    return proj, dirs


def _site_file(proj, outdir: Path, name: str) -> Path:
    return proj.reports / "_site" / outdir.relative_to(proj.root) / name


def _pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def _words(text: str) -> list[str]:
    return re.findall(r"\w[\w.,%€\-]*", text)


def test_every_report_type_renders_to_html_and_pdf(site):
    proj, dirs = site
    for rapport, outdir in dirs.items():
        assert _site_file(proj, outdir, "index.html").is_file(), rapport
        assert _site_file(proj, outdir, "index.pdf").is_file(), rapport


@needs_poppler
def test_pdfs_have_a_title_and_the_factsheet_one_page(site):
    proj, dirs = site
    for rapport, outdir in dirs.items():
        info = subprocess.run(["pdfinfo", str(_site_file(proj, outdir, "index.pdf"))], capture_output=True, text=True).stdout
        title = re.search(r"^Title:\s*(.+)$", info, re.M)
        assert (title and "sociaal domein" in title[1].lower()) or (rapport == "factsheet" and title), (rapport, info)
        pages = int(re.search(r"^Pages:\s*(\d+)", info, re.M)[1])
        if rapport == "factsheet":
            assert pages == 1


@needs_poppler
def test_every_table_row_reaches_the_pdf_and_no_page_is_only_a_heading(site):
    proj, dirs = site
    for rapport, outdir in dirs.items():
        pages = _pdf_pages(_site_file(proj, outdir, "index.pdf"))
        words = set(re.findall(r"\w+", " ".join(pages)))  # a word may break at its hyphen
        for nb_path in sorted(outdir.glob("*.ipynb")):
            for cell in nbformat.read(nb_path, as_version=4).cells:
                for out in cell.get("outputs", []):
                    md = out.get("data", {}).get("text/markdown", "")
                    if "```{=html}" not in md or "<table" not in md or "image/svg+xml" in out.get("data", {}):
                        continue  # a figure's "Tabel bij deze figuur" is for the site only; the PDF leaves it out
                    for first in html_rows(md):
                        missing = [w for w in re.findall(r"\w+", first) if w not in words]
                        assert not missing, (rapport, nb_path.name, first, missing)
        for number, page in enumerate(pages, start=1):
            assert len(_words(page)) > 25, (rapport, number, page[:200])  # not a page with only a heading


@needs_poppler
def test_no_words_are_printed_over_other_words(site):
    proj, dirs = site
    for rapport, outdir in dirs.items():
        bbox = subprocess.run(["pdftotext", "-bbox", str(_site_file(proj, outdir, "index.pdf")), "-"],
                              capture_output=True, text=True, check=True).stdout
        for number, page in enumerate(bbox.split("<page ")[1:], start=1):
            boxes = [tuple(float(v) for v in m) for m in
                     re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', page)]
            boxes.sort(key=lambda b: b[1])
            for i, a in enumerate(boxes):
                for b in boxes[i + 1:]:
                    if b[1] >= a[3]:
                        break
                    dx = min(a[2], b[2]) - max(a[0], b[0])
                    dy = min(a[3], b[3]) - max(a[1], b[1])
                    small = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1])) or 1
                    assert not (dx > 0 and dy > 0 and dx * dy / small > 0.3), (rapport, number, a, b)


def test_the_site_makes_no_request_to_another_host(site):
    proj, _ = site
    request = re.compile(r"""(?:<(?:script|img|iframe|source|link)\b[^>]*\b(?:src|href)\s*=\s*["']|url\(\s*["']?"""
                         r"""|@import\s+(?:url\()?["']?)(?:https?:)?//""", re.I)
    offenders = []
    for path in (proj.reports / "_site").rglob("*"):
        if path.suffix in (".html", ".css", ".js") and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            offenders += [(str(path.relative_to(proj.reports)), m.group(0)) for m in request.finditer(text)]
    assert offenders == []


def test_report_pages_have_one_pdf_link_a_skip_link_and_named_search(site):
    proj, dirs = site
    for rapport, outdir in dirs.items():
        page = _site_file(proj, outdir, "index.html").read_text(encoding="utf-8")
        assert len(re.findall(r'<a [^>]*href="index\.pdf"[^>]*>PDF</a>', page)) == 1, rapport
        assert "Typst" not in page
        assert 'href="#quarto-document-content"' in page and "Naar de inhoud" in page
        assert "toegankelijkheid" not in page or "aria-label" in page


def test_hostile_commentary_is_shown_as_text_and_never_runs(site):
    proj, dirs = site
    page = _site_file(proj, dirs["dashboard"], "index.html").read_text(encoding="utf-8")
    visible = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "{{< env SDRAPPORT_SLEUTEL >}}" in visible  # shown as typed ...
    assert os.environ["SDRAPPORT_SLEUTEL"] not in page  # ... and the key is not printed
    assert "PRETTY_NAME" not in page and "<script>alert(1)</script>" not in page
    pdf_text = " ".join(_pdf_pages(_site_file(proj, dirs["dashboard"], "index.pdf"))) if POPPLER else ""
    assert os.environ["SDRAPPORT_SLEUTEL"] not in pdf_text and "PRETTY_NAME" not in pdf_text


AXE = REPO / "tests" / "axe"


def _axe_ready() -> str | None:
    if not shutil.which("node"):
        return "node ontbreekt"
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        return "chromium ontbreekt (apt-get install chromium)"
    if not (AXE / "node_modules" / "axe-core").is_dir() or not (AXE / "node_modules" / "puppeteer-core").is_dir():
        return "axe-core/puppeteer-core ontbreken (cd tests/axe && npm ci)"
    return None


def test_every_page_type_has_no_axe_violations_at_1280_and_320_px(site):
    reason = _axe_ready()
    if reason:
        pytest.skip(reason)
    proj, _ = site
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    proc = subprocess.run(["node", str(AXE / "axe.js"), str(proj.reports / "_site")], capture_output=True, text=True,
                          env=dict(os.environ, CHROMIUM=chromium), timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "overtredingen=0" in proc.stdout.splitlines()[-1], proc.stdout[-4000:]


@needs_poppler
def test_every_figure_is_vector_with_its_table_on_the_site_and_no_raster_in_the_pdf(site):
    """Issue 27 as a reader gets it: each figure output of the executed notebooks is an SVG chart on
    the rendered page (no PNG), with its "Tabel bij deze figuur"; the PDF holds no raster image."""
    proj, dirs = site
    for rapport, outdir in dirs.items():
        figures = sum(1 for nb_path in outdir.glob("*.ipynb") if not nb_path.name.endswith(".mislukt.ipynb")
                      for cell in nbformat.read(nb_path, as_version=4).cells
                      for out in cell.get("outputs", []) if "image/svg+xml" in out.get("data", {}))
        page = _site_file(proj, outdir, "index.html").read_text(encoding="utf-8")
        charts = re.findall(r'<div class="sd-grafiek">(.*?)</div>', page, flags=re.S)
        assert len(charts) == figures, (rapport, len(charts), figures)
        assert all("data:image/svg+xml;base64," in c and "image/png" not in c for c in charts), rapport
        assert page.count('<details class="sd-figuurtabel">') == figures, rapport
        assert not re.search(r'<img[^>]+src="[^"]+\.png"', page), rapport  # no raster figure files either
        listing = subprocess.run(["pdfimages", "-list", str(_site_file(proj, outdir, "index.pdf"))],
                                 capture_output=True, text=True, check=True).stdout.splitlines()
        assert listing[2:] == [], (rapport, listing)  # the two header lines only: no image in the PDF
        if rapport != "jaarverslag":  # the jaarverslag has no figures
            assert figures > 0, rapport
