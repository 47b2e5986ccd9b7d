"""Incremental and parallel rendering of the Quarto website (used by site.render).

A page is rendered again only when something it shows changed. The render manifest
(reports/_site/.sdrapport-render.json, swapped in together with the site) keeps a hash of each
page's inputs:

- a report page (reports/<periode>/<gemeente>/<rapport>/index.qmd): every file in its folder (the
  page, the executed notebooks it embeds, its downloads in data/, run.json); hidden files excluded;
- a site page (index.qmd, reports/methode.qmd, reports/begrippen.qmd, reports/<periode>/index.qmd):
  its own text; a listing page is rendered again, too, when a page in its listing was rendered,
  added or removed;
- everything: `quarto --version`, `_quarto.yml`, assets/ (theme, Typst template and style), reports/_fonts and which of
  index.qmd, methode.qmd and begrippen.qmd exist (the targets of the navbar and of every report's
  link to the method notes). When
  this hash changed, or there is no manifest or no site, every page is rendered.

How (Quarto 1.7, see quarto-cli src/command/render and src/project/types/website):
`quarto render a.qmd b.qmd` renders the files one after the other, each as an incremental project
render that reads and updates search.json in the output dir and also renders every listing page
whose contents glob matches the file (from the listing cache in .quarto/). Several Quarto processes
in one project would share .quarto/, site_libs/ (built in the project dir and then moved) and
search.json. So:

1. The previous site is copied to reports/_site.nieuw (report folders as hard links: they are only
   ever replaced as a whole, never written in place).
2. The report pages to render are split over worker copies of the project, at most
   PAGES_PER_PROCESS pages each (a Quarto process grows with every page it renders), a multiple
   of W of them (W = cores). Each copy in .sdrapport-render/w<i>/ holds `_quarto.yml`, assets/, the
   fonts, stubs of index.qmd, methode.qmd and begrippen.qmd (link targets of the navbar and the
   reports; their output is discarded) and only its own report folders (hard links); it renders as
   a whole project, in one Quarto process (`quarto render --output-dir reports/_site`). W copies
   are rendered at once, the next one as soon as one is done.
   methode.qmd and begrippen.qmd, when they are to be rendered, go to a worker too (real text
   instead of the stub): they list nothing.
3. Every worker's output for its pages (index.html, index.pdf, data/, figures) replaces the page's
   folder in the staging site; site_libs/ are merged; search.json entries of those pages replace
   the old ones (all entries of a page: its href and its #sections), and so do their sitemap.xml
   entries when _quarto.yml sets a site-url.
4. The listing pages that need it are rendered once in the project itself
   into the staging site (`quarto render <pages> --output-dir reports/_site.nieuw`), so listings and
   the search index are complete. Pages that no longer exist are removed from the site, the search
   index and listings.json.
   With one core (workers=1) a full render is one `quarto render` of the project into the staging
   site instead (the quickest without parallelism).
5. Only when all of this succeeded, and index.html exists, the staging site replaces reports/_site
   (with its manifest). On any failure the staging folder is removed and the site is untouched.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import yaml

from sdrapport.project import Project

RENDER_MANIFEST = ".sdrapport-render.json"
MANIFEST_VERSION = 1
WORKDIR = ".sdrapport-render"  # at the project root: outside every glob of _quarto.yml
GLOBAL_INPUTS = ("_quarto.yml", "assets", "reports/_fonts")
SITE_PAGES = ("index.qmd", "reports/methode.qmd", "reports/begrippen.qmd")
PAGE = "index.qmd"
SEARCH = "search.json"
LISTINGS = "listings.json"
SITEMAP = "sitemap.xml"  # written by Quarto only when _quarto.yml sets website: site-url
STUB = "---\ntitle: Stub\n---\n"
# One Quarto process grows with every page it renders and gives nothing back until it ends: at 171
# monitor pages per process two of them held 3,5 GiB (342 reports, 2 workers). With copies of at
# most 40 pages the peak was 1,4 GiB, for 1 % more time (a Quarto start and the copy's stub pages).
PAGES_PER_PROCESS = 40


class RenderError(RuntimeError):
    pass


@dataclass
class Plan:
    """What one render does: pages as paths relative to the project root (posix)."""
    full: bool
    reports: list[str] = field(default_factory=list)       # report pages to render (in the workers)
    site: list[str] = field(default_factory=list)          # site pages to render (listings in the project, the rest in the workers)
    removed: list[str] = field(default_factory=list)       # pages in the manifest that no longer exist
    unchanged: int = 0
    hashes: dict = field(default_factory=dict)             # the new manifest
    seconds: dict = field(default_factory=dict)            # wall time per phase (for benchmarks)

    @property
    def nothing(self) -> bool:
        return not (self.reports or self.site or self.removed)


def _hash_files(root: Path, paths: list[Path]) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        h.update(b"\0")
    return h.hexdigest()


def _visible_files(folder: Path) -> list[Path]:
    """Files below folder, sorted, without hidden files or folders (.batch/, editor backups)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        out += [Path(dirpath) / f for f in sorted(filenames) if not f.startswith(".")]
    return out


def report_pages(project: Project) -> list[str]:
    return sorted(p.relative_to(project.root).as_posix() for p in project.reports.glob(f"*/*/*/{PAGE}")
                  if not any(part.startswith((".", "_")) for part in p.relative_to(project.reports).parts))


def site_pages(project: Project) -> list[str]:
    pages = [p for p in SITE_PAGES if (project.root / p).is_file()]
    pages += sorted(p.relative_to(project.root).as_posix() for p in project.reports.glob(f"*/{PAGE}")
                    if not p.parent.name.startswith((".", "_")))
    return pages


def _is_listing(page: str) -> bool:
    return page == "index.qmd" or (page.startswith("reports/") and page.count("/") == 2 and page.endswith("/" + PAGE))


def quarto_version(quarto: str) -> str:
    """`quarto --version` (a new Quarto may render every page differently); '' when it does not say."""
    try:
        proc = subprocess.run([quarto, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""


def input_hashes(project: Project, version: str = "") -> dict:
    """The manifest of the project as it is now: a global hash and one hash per page."""
    root = project.root
    global_files = []
    for name in GLOBAL_INPUTS:
        path = root / name
        global_files += [path] if path.is_file() else _visible_files(path) if path.is_dir() else []
    h = hashlib.sha256(_hash_files(root, global_files).encode())
    sites = site_pages(project)
    h.update("\n".join(p for p in sites if p in SITE_PAGES).encode())  # navbar and method-link targets
    h.update(b"\0quarto " + version.encode())
    pages = {page: _hash_files(root, [root / page]) for page in sites}
    for page in report_pages(project):
        pages[page] = _hash_files(root, _visible_files((root / page).parent))
    return {"version": MANIFEST_VERSION, "global": h.hexdigest(), "pages": pages}


def read_manifest(site: Path) -> dict | None:
    try:
        data = json.loads((site / RENDER_MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("version") == MANIFEST_VERSION else None


def plan(project: Project, site: Path, *, full: bool = False, version: str = "") -> Plan:
    new = input_hashes(project, version)
    old = None if full or not (site / "index.html").is_file() else read_manifest(site)
    pages = new["pages"]
    reports = [p for p in pages if not _site_page(p)]
    sites = [p for p in pages if _site_page(p)]
    if old is None or old.get("global") != new["global"]:
        return Plan(full=True, reports=reports, site=sites, hashes=new)
    before = old.get("pages", {})
    changed_reports = [p for p in reports if before.get(p) != pages[p]]
    removed = sorted(p for p in before if p not in pages)
    touched = changed_reports + [p for p in removed if not _site_page(p)]
    site_todo = []
    for page in sites:
        if before.get(page) != pages[page]:
            site_todo.append(page)
        elif _is_listing(page) and any(_listed(page, p) for p in touched):
            site_todo.append(page)
    return Plan(full=False, reports=changed_reports, site=site_todo, removed=removed,
                unchanged=len(pages) - len(changed_reports) - len(site_todo), hashes=new)


def _site_page(page: str) -> bool:
    return page in SITE_PAGES or _is_listing(page)


def _listed(listing: str, report: str) -> bool:
    """Does the listing page list this report page? index.qmd lists all, reports/<p>/index.qmd its period."""
    return listing == "index.qmd" or report.startswith(listing[: -len(PAGE)])


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _tail(proc: subprocess.CompletedProcess) -> str:
    return "\n".join(((proc.stderr or "") + (proc.stdout or "")).strip().splitlines()[-15:])


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def _worker_project(project: Project, folder: Path, pages: list[str]) -> None:
    """A copy of the project that renders only `pages`: configuration, assets, fonts, the site pages
    (link targets) and the report folders of its pages."""
    root = project.root
    folder.mkdir(parents=True)
    shutil.copy2(root / "_quarto.yml", folder / "_quarto.yml")
    for name in ("assets", "reports/_fonts"):
        if (root / name).is_dir():
            shutil.copytree(root / name, folder / name, copy_function=_link_or_copy)
    for page in SITE_PAGES:  # link targets: a stub renders in a moment, unless the worker renders the page
        if (root / page).is_file():
            (folder / page).parent.mkdir(parents=True, exist_ok=True)
            if page in pages:
                shutil.copy2(root / page, folder / page)
            else:
                (folder / page).write_text(STUB, encoding="utf-8")
    for page in (page for page in pages if not _site_page(page)):
        src = (root / page).parent
        shutil.copytree(src, folder / src.relative_to(root), copy_function=_link_or_copy,
                        ignore=shutil.ignore_patterns(".*"))


def _out_dir(page: str) -> str:
    """The folder of a page's output in the site, relative to the site ('' for the root)."""
    return str(Path(page).parent.as_posix()) if "/" in page else ""


def _html(page: str) -> str:
    return page[: -len(".qmd")] + ".html"


def _drop_search(docs: list, hrefs: set[str]) -> list:
    return [d for d in docs if d.get("href", "").split("#", 1)[0] not in hrefs]


def site_url(project: Project) -> str | None:
    """`website: site-url` of _quarto.yml, ending in '/', or None (then Quarto writes no sitemap)."""
    try:
        config = yaml.safe_load((project.root / "_quarto.yml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return None
    url = (config.get("website") or {}).get("site-url") if isinstance(config, dict) else None
    return (url if url.endswith("/") else url + "/") if isinstance(url, str) and url else None


def _sitemap_page(loc: str, base: str) -> str | None:
    """The page whose output an entry of the sitemap is, as the path of its .qmd."""
    if not loc.startswith(base):
        return None
    stem, dot, _ = loc[len(base):].rpartition(".")
    return stem + ".qmd" if dot else None


def _read_sitemap(path: Path) -> list[tuple[str, str]]:
    """(loc, lastmod) of every url in a sitemap Quarto wrote, in its order; [] without one."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return []
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    return [(u.findtext("s:loc", "", ns), u.findtext("s:lastmod", "", ns)) for u in root.findall("s:url", ns)]


_QUOTES = {'"': "&quot;", "'": "&#39;"}  # and &, <, >: lodash's escape, which Quarto uses


def _write_sitemap(path: Path, entries: list[tuple[str, str]]) -> None:
    """As Quarto's template (projects/website/templates/sitemap.ejs.xml) writes it."""
    urls = "".join(f"  <url>\n    <loc>{escape(loc, _QUOTES)}</loc>\n"
                   f"    <lastmod>{lastmod}</lastmod>\n  </url>\n" for loc, lastmod in entries)
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                    + urls + "</urlset>\n", encoding="utf-8")


def _read_json(path: Path, default):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


def _write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1 if path.name == RENDER_MANIFEST else None),
                    encoding="utf-8")


def _copy_site(site: Path, staging: Path) -> None:
    """Copy the previous site: report folders as hard links (they are replaced whole), the rest as copies
    (Quarto writes search.json, listings.json and site_libs files in place)."""
    def copy(src: str, dst: str) -> None:
        rel = Path(src).relative_to(site).parts
        if len(rel) >= 5 and rel[0] == "reports":
            _link_or_copy(src, dst)
        else:
            shutil.copy2(src, dst)
    shutil.copytree(site, staging, copy_function=copy)


def render_site(project: Project, quarto: str, *, full: bool = False, workers: int | None = None,
                executor=None) -> tuple[Plan, Path]:
    """Render what changed into a staging site and swap it in. Returns (plan, site). `executor` (a
    Dask client, or anything with submit) runs the Quarto processes of the report pages, e.g. on
    the workers of a batch's cluster; by default they are threads here."""
    site = project.reports / "_site"
    staging = project.reports / "_site.nieuw"
    p = plan(project, site, full=full, version=quarto_version(quarto))
    if p.nothing:
        return p, site
    start = time.perf_counter()
    shutil.rmtree(staging, ignore_errors=True)
    work = project.root / WORKDIR
    shutil.rmtree(work, ignore_errors=True)
    try:
        if p.full:
            staging.mkdir(parents=True)
        else:
            _copy_site(site, staging)
        search = _read_json(staging / SEARCH, [])
        search = _drop_search(search, {_html(page) for page in p.reports + p.removed + p.site})
        # The sitemap as the search index: the entries of every page rendered again or
        # removed go; the workers' entries of their pages come in; the listings' render updates its own.
        base = site_url(project)
        again = set(p.reports + p.removed + p.site)
        sitemap = [e for e in _read_sitemap(staging / SITEMAP) if _sitemap_page(e[0], base) not in again] if base else []
        for page in p.removed:
            out = staging / _html(page)
            if _site_page(page):
                out.unlink(missing_ok=True)
            else:
                shutil.rmtree(out.parent, ignore_errors=True)
        for page in sorted(p.removed, key=lambda page: -page.count("/")):  # folders left empty
            folder = (staging / page).parent
            while folder != staging and not (folder.is_dir() and any(folder.iterdir())):
                if folder.is_dir():
                    folder.rmdir()
                folder = folder.parent
        if p.removed and (staging / LISTINGS).is_file():
            listings = _read_json(staging / LISTINGS, [])
            gone = {"/" + _html(page) for page in p.removed}
            if isinstance(listings, list):
                listings = [entry for entry in listings if entry.get("listing") not in gone]
                for entry in listings:
                    entry["items"] = [i for i in entry.get("items", []) if i not in gone]
                _write_json(staging / LISTINGS, listings)
        p.seconds["kopie"] = time.perf_counter() - start
        # Pages that do not list others (reports, methode, begrippen) render in the workers; the listings
        # after them, in the project, where they see every report.
        # One core and everything to do: one `quarto render` of the project is the quickest.
        workers = workers or default_workers()
        single = p.full and workers == 1
        in_workers = [] if single else p.reports + [page for page in p.site if not _is_listing(page)]
        listings = [page for page in p.site if _is_listing(page)]
        if single:
            start = time.perf_counter()
            proc = _run([quarto, "render", "--output-dir", staging.relative_to(project.root).as_posix()], project.root)
            if proc.returncode != 0:
                raise RenderError(f"quarto render is mislukt; de vorige site is ongewijzigd.\n{_tail(proc)}")
            p.seconds["project"] = time.perf_counter() - start
        if in_workers:
            start = time.perf_counter()
            if executor is not None and hasattr(executor, "ncores"):  # a Dask client: a chunk per worker thread
                workers = max(workers, sum(executor.ncores().values()) or 1)
            found, mapped = _render_pages(project, quarto, work, staging, in_workers, workers, executor, base)
            search += found
            sitemap += mapped
            p.seconds["parallel"] = time.perf_counter() - start
        if not single:
            _write_json(staging / SEARCH, search)
            if base:
                _write_sitemap(staging / SITEMAP, sitemap)
        if listings and not single:
            start = time.perf_counter()
            proc = _run([quarto, "render", *listings, "--output-dir", staging.relative_to(project.root).as_posix()],
                        project.root)
            if proc.returncode != 0:
                raise RenderError(f"quarto render is mislukt; de vorige site is ongewijzigd.\n{_tail(proc)}")
            p.seconds["overzichten"] = time.perf_counter() - start
        if not (staging / "index.html").is_file():
            raise RenderError(f"quarto render gaf geen website in {staging.name}; de vorige site is ongewijzigd.")
        _write_json(staging / RENDER_MANIFEST, p.hashes)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    old = project.reports / "_site.oud"
    shutil.rmtree(old, ignore_errors=True)
    if site.exists():
        os.replace(site, old)
    os.replace(staging, site)
    shutil.rmtree(old, ignore_errors=True)
    return p, site


def _submit(executor, fn, *args):
    """executor.submit for a concurrent.futures executor or a Dask client (pure=False: every render
    runs, none is taken from a cache)."""
    if hasattr(executor, "gather"):
        return executor.submit(fn, *args, pure=False)
    return executor.submit(fn, *args)


def _chunks(pages: list[str], workers: int, most: int | None = None) -> list[list[str]]:
    """The pages split into worker copies of at most `most` (PAGES_PER_PROCESS) pages, a multiple of
    `workers` of them (so the workers finish together), interleaved so every copy gets pages of every period."""
    most = most or PAGES_PER_PROCESS
    n = max(1, min(workers, len(pages)))
    count = max(1, min(len(pages), n * -(-len(pages) // (n * most))))
    return [pages[i::count] for i in range(count)]


def _render_pages(project: Project, quarto: str, work: Path, staging: Path, pages: list[str], workers: int,
                  executor=None, base: str | None = None) -> tuple[list, list]:
    """Render pages (reports, methode, begrippen) in parallel worker copies and move their output into the staging site.
    Returns the search index entries and (with a site-url `base`) the sitemap entries of these pages."""
    chunks = _chunks(pages, workers)
    folders = [work / f"w{i}" for i in range(len(chunks))]
    for folder, chunk in zip(folders, chunks):
        _worker_project(project, folder, chunk)
    out = "reports/_site"
    # A full render of the worker copy: one Quarto process and one project context for all its pages
    # (`quarto render a.qmd b.qmd` sets up the project again for every file). `workers` copies are
    # rendered at once; the next starts when one is done.
    if executor is None:
        with ThreadPoolExecutor(max(1, min(workers, len(chunks)))) as pool:
            procs = list(pool.map(lambda folder: _run([quarto, "render", "--output-dir", out], folder), folders))
    else:  # the worker copies are on the project's (shared) file system; workers need Quarto
        futures = [_submit(executor, _run, [quarto, "render", "--output-dir", out], folder) for folder in folders]
        procs = [f.result() for f in futures]
    for proc in procs:
        if proc.returncode != 0:
            raise RenderError(f"quarto render is mislukt; de vorige site is ongewijzigd.\n{_tail(proc)}")
    entries, mapped = [], []
    for folder, chunk in zip(folders, chunks):
        result = folder / out
        for page in chunk:
            if not (result / _html(page)).is_file():
                raise RenderError(f"quarto render gaf geen pagina voor {page}; de vorige site is ongewijzigd.")
            if _site_page(page):  # methode, begrippen: one file
                (staging / _html(page)).parent.mkdir(parents=True, exist_ok=True)
                os.replace(result / _html(page), staging / _html(page))
                continue
            src, dst = result / _out_dir(page), staging / _out_dir(page)
            shutil.rmtree(dst, ignore_errors=True)
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
            html = dst / "index.html"  # embeds name their notebook by its absolute path: the project's
            text = html.read_text(encoding="utf-8")
            if str(folder) in text:
                html.write_text(text.replace(str(folder), str(project.root)), encoding="utf-8")
        if (result / "site_libs").is_dir():
            shutil.copytree(result / "site_libs", staging / "site_libs", dirs_exist_ok=True)
        hrefs = {_html(page) for page in chunk}
        entries += [d for d in _read_json(result / SEARCH, []) if d.get("href", "").split("#", 1)[0] in hrefs]
        if base:
            mapped += [e for e in _read_sitemap(result / SITEMAP) if _sitemap_page(e[0], base) in chunk]
    return entries, mapped
