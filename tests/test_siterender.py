"""Incremental and parallel site rendering (sdrapport.publisher.render) with a stand-in `quarto` that records
which pages it renders, and, when Quarto is installed, against one full `quarto render`."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from sdrapport.project import Project
from sdrapport.publisher.site import render
from sdrapport.publisher.render import RENDER_MANIFEST

FAKE = r'''#!PYTHON
"""Stand-in quarto: `quarto render PAGE... --output-dir DIR` writes DIR/<page>.html (and index.pdf
for report pages) and adds the pages to DIR/search.json, as an incremental Quarto render does."""
import json, os, re, sys, time
from pathlib import Path

args = sys.argv[1:]
if args == ["--version"]:
    print(os.environ.get("FAKE_QUARTO_VERSION", "1.7.34"))
    sys.exit(0)
assert args[0] == "render", args
out = Path(args[args.index("--output-dir") + 1])
files = [a for a in args[1:args.index("--output-dir")]]
if not files:  # the whole project
    files = [str(p) for p in [Path("index.qmd"), Path("reports/methode.qmd"), Path("reports/begrippen.qmd"),
                              *sorted(Path("reports").glob("*/index.qmd")), *sorted(Path("reports").glob("*/*/*/index.qmd"))]
             if p.is_file() and "_site" not in p.parts]
with open(os.environ["FAKE_QUARTO_LOG"], "a") as log:  # stubs (link targets in worker copies) not logged
    log.write(json.dumps({"cwd": os.getcwd(), "files": [f for f in files if "title: Stub" not in Path(f).read_text()]}) + "\n")
out.mkdir(parents=True, exist_ok=True)
search = json.loads((out / "search.json").read_text()) if (out / "search.json").exists() else []
for f in files:
    html = out / (f[:-4] + ".html")
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text("gerenderd " + Path(f).read_text()[:40] + " " + str(time.time_ns()))
    if f.count("/") == 4:
        (html.parent / "index.pdf").write_text("pdf")
    (out / "site_libs" / "quarto-html").mkdir(parents=True, exist_ok=True)
    (out / "site_libs" / "quarto-html" / "quarto.js").write_text("js")
    href = f[:-4] + ".html"
    search = [d for d in search if d["href"] not in (href, href + "#sectie")]
    search += [{"objectID": href, "href": href, "title": f}, {"objectID": href + "#sectie", "href": href + "#sectie", "title": f}]
(out / "search.json").write_text(json.dumps(search))
site_url = re.search(r"site-url: *(\S+)", Path("_quarto.yml").read_text())
if site_url:  # as Quarto: a whole-project render writes a new sitemap, a render of files updates it
    base = site_url.group(1).rstrip("/") + "/"
    old = re.findall(r"<loc>(.*?)</loc>\s*<lastmod>(.*?)</lastmod>", (out / "sitemap.xml").read_text()) \
        if args[1] != "--output-dir" and (out / "sitemap.xml").exists() else []
    new = [(base + f[:-4] + ".html", str(Path(f).stat().st_mtime_ns)) for f in files]
    entries = [e for e in old if e[0] not in {loc for loc, _ in new}] + new
    (out / "sitemap.xml").write_text('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                                     + "".join(f"  <url>\n    <loc>{l}</loc>\n    <lastmod>{m}</lastmod>\n  </url>\n" for l, m in entries)
                                     + "</urlset>\n")
if os.environ.get("FAKE_QUARTO_FAIL"):
    print("ERROR: kapot", file=sys.stderr)
    sys.exit(1)
'''

REPORTS = ["reports/2023-H2/GM0001/monitor/index.qmd", "reports/2023-H2/GM0002/monitor/index.qmd",
           "reports/2023-H2/GM0003/monitor/index.qmd"]
SITE = ["index.qmd", "reports/methode.qmd", "reports/begrippen.qmd", "reports/2023-H2/index.qmd"]
LISTINGS = ["index.qmd", "reports/2023-H2/index.qmd"]
NOT_LISTINGS = ["reports/methode.qmd", "reports/begrippen.qmd"]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _add_report(root: Path, page: str) -> None:
    _write(root / page, f"---\ntitle: {page}\n---\n{{{{< embed 02_wmo.ipynb#fig-x >}}}}\n")
    _write(root / page.replace("index.qmd", "02_wmo.ipynb"), '{"cells": []}')
    _write(root / page.replace("index.qmd", "data/wmo.csv"), "a,b\n1,2\n")
    _write(root / page.replace("index.qmd", ".batch/02_wmo.json"), "{}")


@pytest.fixture
def site_project(tmp_path, monkeypatch):
    """A small Quarto project (three report pages, four site pages) and a stand-in quarto on PATH."""
    root = tmp_path / "project"
    _write(root / "_quarto.yml", "project:\n  type: website\n  output-dir: reports/_site\n")
    _write(root / "assets" / "sdrapport.scss", "/*-- scss:defaults --*/\n")
    _write(root / "assets" / "typst-template.typ", "// template\n")
    for page in SITE:
        _write(root / page, f"---\ntitle: {page}\n---\n")
    for page in REPORTS:
        _add_report(root, page)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "quarto"
    script.write_text(FAKE.replace("PYTHON", sys.executable, 1))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "quarto.log"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_QUARTO_LOG", str(log))
    monkeypatch.delenv("FAKE_QUARTO_FAIL", raising=False)
    monkeypatch.delenv("FAKE_QUARTO_VERSION", raising=False)
    return Project(root), log


def _rendered(log: Path) -> tuple[list[str], list[str]]:
    """(pages rendered in worker copies, pages rendered in the project itself) since the last call.
    Workers render their copy as a whole; its stub site pages are not counted (their output is discarded)."""
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    log.unlink(missing_ok=True)
    workers = sorted(f for c in calls if "/.sdrapport-render/" in c["cwd"] for f in c["files"])
    own = sorted(f for c in calls if "/.sdrapport-render/" not in c["cwd"] for f in c["files"])
    return workers, own


def _snapshot(site: Path) -> dict:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_first_render_renders_every_page_in_parallel_workers(site_project):
    proj, log = site_project
    rendered, message = render(proj, workers=2)
    assert rendered and "Website en PDF's gemaakt" in message
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    worker_calls = [[f for f in c["files"] if f.count("/") == 4] for c in calls if "/.sdrapport-render/" in c["cwd"]]
    assert len(worker_calls) == 2 and not set(worker_calls[0]) & set(worker_calls[1])  # disjoint
    workers, own = _rendered(log)
    assert workers == sorted(REPORTS + NOT_LISTINGS) and own == sorted(LISTINGS)
    site = proj.reports / "_site"
    for page in REPORTS:
        assert (site / page.replace(".qmd", ".html")).is_file() and (site / page.replace("index.qmd", "index.pdf")).is_file()
    hrefs = sorted(d["href"] for d in json.loads((site / "search.json").read_text()))
    expected = sorted(h for p in REPORTS + SITE for h in (p[:-4] + ".html", p[:-4] + ".html#sectie"))
    assert hrefs == expected  # every page once, its sections once
    assert (site / RENDER_MANIFEST).is_file() and (site / "site_libs/quarto-html/quarto.js").is_file()
    assert not (proj.root / ".sdrapport-render").exists() and not (proj.reports / "_site.nieuw").exists()


def test_no_quarto_process_renders_more_than_its_share_of_pages(site_project, monkeypatch):
    """A Quarto process grows with every page it renders: pages go to worker copies of at most
    PAGES_PER_PROCESS pages, each rendered by its own process, two at a time; the site is complete."""
    from sdrapport.publisher import render as render_module

    proj, log = site_project
    monkeypatch.setattr(render_module, "PAGES_PER_PROCESS", 2)
    rendered, _ = render(proj, workers=2)
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    worker_calls = [sorted(c["files"]) for c in calls if "/.sdrapport-render/" in c["cwd"]]
    assert len(worker_calls) == 4 and all(1 <= len(c) <= 2 for c in worker_calls)  # 5 pages: 4 copies, a multiple of 2
    assert sorted(f for c in worker_calls for f in c) == sorted(REPORTS + NOT_LISTINGS)  # each page once
    site = proj.reports / "_site"
    assert all((site / page.replace(".qmd", ".html")).is_file() for page in REPORTS + SITE)
    hrefs = sorted(d["href"] for d in json.loads((site / "search.json").read_text()))
    assert hrefs == sorted(h for p in REPORTS + SITE for h in (p[:-4] + ".html", p[:-4] + ".html#sectie"))


@pytest.mark.parametrize("pages,workers,most", [(342, 2, 40), (5, 2, 40), (1, 2, 40), (7, 3, 2), (80, 2, 40), (81, 2, 40)])
def test_chunks_cover_every_page_once_within_the_limit(pages, workers, most):
    from sdrapport.publisher.render import _chunks

    names = [f"reports/2023-H2/GM{i:04d}/monitor/index.qmd" for i in range(pages)]
    chunks = _chunks(names, workers, most)
    assert sorted(p for c in chunks for p in c) == sorted(names)
    assert all(1 <= len(c) <= most for c in chunks)
    assert len(chunks) % min(workers, pages) == 0 or len(chunks) == pages


def test_nothing_changed_renders_nothing(site_project):
    proj, log = site_project
    render(proj)
    _rendered(log)
    before = _snapshot(proj.reports / "_site")
    rendered, message = render(proj)
    assert rendered and "niets gewijzigd" in message and "\n" not in message
    assert _rendered(log) == ([], [])
    assert _snapshot(proj.reports / "_site") == before


@pytest.mark.parametrize("changed", ["index.qmd", "02_wmo.ipynb", "data/wmo.csv"])
def test_one_changed_report_renders_that_page_and_the_listings(site_project, changed):
    proj, log = site_project
    render(proj)
    _rendered(log)
    site = proj.reports / "_site"
    before = _snapshot(site)
    target = proj.root / REPORTS[1].replace("index.qmd", changed)
    target.write_text(target.read_text() + "\n", encoding="utf-8")
    rendered, message = render(proj)
    assert _rendered(log) == ([REPORTS[1]], ["index.qmd", "reports/2023-H2/index.qmd"])
    assert "1 rapporten en 2 sitepagina's opnieuw gerenderd" in message
    after = _snapshot(site)
    assert set(after) == set(before)
    changed_files = {name for name in after if after[name] != before[name]}
    # the fake's PDF and site_libs have the same text every time
    assert changed_files - {"search.json"} == {"index.html", "reports/2023-H2/index.html", REPORTS[1][:-4] + ".html",
                                               RENDER_MANIFEST}
    hrefs = [d["href"] for d in json.loads((site / "search.json").read_text())]
    assert len(hrefs) == len(set(hrefs)) == 2 * len(REPORTS + SITE)


def test_hidden_files_in_a_report_folder_change_nothing(site_project):
    proj, log = site_project
    render(proj)
    _rendered(log)
    (proj.root / REPORTS[0].replace("index.qmd", ".batch/02_wmo.json")).write_text('{"x": 1}')
    render(proj)
    assert _rendered(log) == ([], [])


@pytest.mark.parametrize("changed", ["_quarto.yml", "assets/sdrapport.scss", "assets/typst-template.typ"])
def test_configuration_or_assets_changed_renders_everything(site_project, changed):
    proj, log = site_project
    render(proj)
    _rendered(log)
    (proj.root / changed).write_text((proj.root / changed).read_text() + "\n# gewijzigd\n")
    rendered, message = render(proj, workers=2)
    assert _rendered(log) == (sorted(REPORTS + NOT_LISTINGS), LISTINGS)
    assert "gemaakt" in message


def test_new_quarto_version_renders_everything(site_project, monkeypatch):
    proj, log = site_project
    render(proj)
    _rendered(log)
    monkeypatch.setenv("FAKE_QUARTO_VERSION", "1.8.0")
    render(proj, workers=2)
    assert _rendered(log) == (sorted(REPORTS + NOT_LISTINGS), LISTINGS)


def test_site_page_changed_renders_only_that_page(site_project):
    proj, log = site_project
    render(proj)
    _rendered(log)
    (proj.reports / "methode.qmd").write_text("---\ntitle: Methode\n---\nNieuw.\n")
    render(proj)
    assert _rendered(log) == (["reports/methode.qmd"], [])


def test_new_period_and_removed_report_update_the_listings(site_project):
    proj, log = site_project
    render(proj)
    _rendered(log)
    site = proj.reports / "_site"
    new = "reports/2024-H1/GM0001/monitor/index.qmd"
    _add_report(proj.root, new)
    _write(proj.reports / "2024-H1" / "index.qmd", "---\ntitle: 2024-H1\n---\n")
    render(proj)
    assert _rendered(log) == ([new], ["index.qmd", "reports/2024-H1/index.qmd"])
    assert (site / new.replace(".qmd", ".html")).is_file()
    # a report removed: no report rendered, its output and search entries gone, the listings rendered
    shutil.rmtree((proj.root / REPORTS[2]).parent)
    rendered, message = render(proj)
    assert _rendered(log) == ([], ["index.qmd", "reports/2023-H2/index.qmd"])
    assert "1 verwijderd" in message
    assert not (site / REPORTS[2]).parent.exists()
    assert not any(d["href"].startswith(REPORTS[2][:-9]) for d in json.loads((site / "search.json").read_text()))
    # a whole period removed: its listing page goes, too
    shutil.rmtree(proj.reports / "2024-H1")
    render(proj)
    assert _rendered(log) == ([], ["index.qmd"])
    assert not (site / "reports" / "2024-H1").exists()


def _sitemap(site: Path) -> dict[str, str]:
    """loc -> lastmod of the site's sitemap.xml; every loc once."""
    from sdrapport.publisher.render import SITEMAP, _read_sitemap

    urls = _read_sitemap(site / SITEMAP)
    assert urls and len({loc for loc, _ in urls}) == len(urls)
    return dict(urls)


@pytest.mark.parametrize("workers", [2, 1])
def test_the_sitemap_lists_every_page_once_after_each_kind_of_render(site_project, workers):
    """With `site-url` set, Quarto writes sitemap.xml. Worker copies each write one of their own
    pages; the site's sitemap must hold every page, whatever was rendered."""
    proj, log = site_project
    base = "https://sociaaldomein.example.nl/"
    config = proj.root / "_quarto.yml"
    config.write_text(config.read_text() + "website:\n  site-url: https://sociaaldomein.example.nl\n")

    def expected(reports, site_pages):
        return sorted(base + p[:-4] + ".html" for p in reports + site_pages)

    render(proj, workers=workers)
    site = proj.reports / "_site"
    first = _sitemap(site)
    assert sorted(first) == expected(REPORTS, SITE)
    # one report changed: its entries are new, the others' stay as they were
    _write(proj.root / REPORTS[0], "---\ntitle: anders\n---\n")
    render(proj, workers=workers)
    after = _sitemap(site)
    assert sorted(after) == expected(REPORTS, SITE)
    assert after[base + REPORTS[0][:-4] + ".html"] != first[base + REPORTS[0][:-4] + ".html"]
    assert after[base + REPORTS[1][:-4] + ".html"] == first[base + REPORTS[1][:-4] + ".html"]
    # the method page alone (rendered in a worker, no listing rendered)
    _write(proj.root / "reports/methode.qmd", "---\ntitle: Methode, herzien\n---\n")
    render(proj, workers=workers)
    assert sorted(_sitemap(site)) == expected(REPORTS, SITE)
    # a report removed: its entries go
    shutil.rmtree((proj.root / REPORTS[2]).parent)
    render(proj, workers=workers)
    assert sorted(_sitemap(site)) == expected(REPORTS[:2], SITE)
    _rendered(log)


def test_a_failing_render_keeps_the_previous_site_untouched(site_project, monkeypatch):
    proj, log = site_project
    render(proj)
    _rendered(log)
    site = proj.reports / "_site"
    before = _snapshot(site)
    target = proj.root / REPORTS[0].replace("index.qmd", "02_wmo.ipynb")
    target.write_text('{"cells": [1]}')
    monkeypatch.setenv("FAKE_QUARTO_FAIL", "1")
    with pytest.raises(RuntimeError) as exc:
        render(proj)
    assert "kapot" in str(exc.value) and "de vorige site is ongewijzigd" in str(exc.value)
    assert _snapshot(site) == before
    assert not (proj.reports / "_site.nieuw").exists() and not (proj.root / ".sdrapport-render").exists()
    monkeypatch.delenv("FAKE_QUARTO_FAIL")
    _rendered(log)
    render(proj)  # the failed page is still to do: the manifest was not updated
    assert _rendered(log) == ([REPORTS[0]], ["index.qmd", "reports/2023-H2/index.qmd"])


def test_full_option_renders_everything(site_project):
    proj, log = site_project
    render(proj)
    _rendered(log)
    render(proj, full=True, workers=2)
    assert _rendered(log) == (sorted(REPORTS + NOT_LISTINGS), LISTINGS)


def test_one_worker_renders_everything_in_one_quarto_run_then_incrementally(site_project):
    proj, log = site_project
    render(proj, workers=1)
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(calls) == 1 and sorted(calls[0]["files"]) == sorted(REPORTS + SITE)  # the whole project
    _rendered(log)
    target = proj.root / REPORTS[0].replace("index.qmd", "02_wmo.ipynb")
    target.write_text('{"cells": [2]}')
    render(proj, workers=1)
    assert _rendered(log) == ([REPORTS[0]], LISTINGS)


QUARTO = shutil.which("quarto")


def _site_files(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() and p.name != RENDER_MANIFEST)


def _search_entries(site: Path) -> list[str]:
    return sorted(json.dumps(d, sort_keys=True, ensure_ascii=False) for d in json.loads((site / "search.json").read_text()))


@pytest.mark.skipif(QUARTO is None, reason="quarto staat niet op het PATH (installeer Quarto, bijv. conda install -c conda-forge quarto)")
def test_incremental_parallel_site_equals_one_full_quarto_render(built, tmp_path):
    """Two reports (the built one and a copy as a second gemeente) and the site pages: the parallel
    render, and an incremental one after a change, give the files and search entries of one
    `quarto render` of the whole project."""
    from sdrapport.publisher.site import write_site

    src, _ = built
    ignore = shutil.ignore_patterns("_site", "_site.*", ".quarto")
    shutil.copytree(src.root, tmp_path / "a", ignore=ignore)
    a = Project(tmp_path / "a")
    second = a.report_dir("2023-H2", "GM0402")
    shutil.copytree(a.report_dir("2023-H2", "GM0505"), second)
    config = a.root / "_quarto.yml"  # a published site has an address: Quarto then writes sitemap.xml and robots.txt
    config.write_text(config.read_text(encoding="utf-8").replace("website:\n", "website:\n  site-url: https://sociaaldomein.example.nl/\n", 1),
                      encoding="utf-8")
    write_site(a)
    shutil.copytree(a.root, tmp_path / "b")
    b = Project(tmp_path / "b")
    proc = subprocess.run([QUARTO, "render"], cwd=a.root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    full = a.reports / "_site"

    rendered, message = render(b, workers=2)
    assert rendered and "gemaakt" in message
    site = b.reports / "_site"
    assert _site_files(site) == _site_files(full)
    assert _search_entries(site) == _search_entries(full)
    assert len(_sitemap(full)) == 2 + 4 and _sitemap(site) == _sitemap(full)  # the HTML pages (Quarto 1.7 lists no PDF)
    assert str(b.root / ".sdrapport-render") not in (site / second.relative_to(a.root) / "index.html").read_text()

    csv = sorted((b.root / second.relative_to(a.root) / "data").glob("*.csv"))[0]
    csv.write_text(csv.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    rendered, message = render(b, workers=2)
    assert "1 rapporten en 2 sitepagina's opnieuw gerenderd" in message, message
    assert _site_files(site) == _site_files(full)
    assert _search_entries(site) == _search_entries(full)
    assert _sitemap(site) == _sitemap(full)
    _, message = render(b)
    assert "niets gewijzigd" in message
