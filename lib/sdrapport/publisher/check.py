"""Static checks of the Quarto project, for machines without Quarto (and before every render).

Checks that _quarto.yml is valid YAML with the keys and types a Quarto website needs, that every
render target and navbar page exists, that every page's front matter parses, and that every
`{{< embed nb.ipynb#id >}}` resolves the way Quarto resolves it (cell id, then label, then tag) to a
cell that has output, that every label of an embedded notebook agrees with the lineage of its values
(period headers, source lines: presentation.output.herkomst), and that every `{{< include >}}` and local
link points at an existing file.
"""
from __future__ import annotations

import glob
import hashlib
import json
import os
import re
from pathlib import Path

import nbformat
from nbformat.v4.rwbase import rejoin_lines
import yaml

from sdrapport.presentation.output.herkomst import problems as label_problems
from sdrapport.project import Project
from sdrapport.manifest import cell_label

EMBED = re.compile(r"\{\{<\s*embed\s+([^\s#>]+)(?:#([^\s>]+))?[^>]*>\}\}")
INCLUDE = re.compile(r"\{\{<\s*include\s+([^\s>]+)\s*>\}\}")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
PROJECT_TYPES = ("default", "website", "book", "manuscript")
KNOWN_TOP = {"project", "website", "book", "format", "format-links", "lang", "execute", "notebook-links", "notebook-view",
             "title", "author", "bibliography", "metadata-files", "filters", "crossref", "toc"}
KNOWN_PROJECT = {"type", "output-dir", "render", "resources", "execute-dir", "lib-dir", "preview", "pre-render", "post-render", "title"}
KNOWN_WEBSITE = {"title", "search", "navbar", "sidebar", "page-footer", "site-url", "repo-url", "favicon", "description", "reader-mode", "page-navigation"}


def _front_matter(text: str) -> dict | None:
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---\n", 4)
    if end < 0:
        raise ValueError("front matter is niet afgesloten met ---")
    return yaml.safe_load(text[4:end]) or {}


def _expand(root: Path, pattern: str) -> list[Path]:
    if any(ch in pattern for ch in "*?["):
        return sorted(Path(p) for p in glob.glob(str(root / pattern), recursive=True))
    return [root / pattern] if (root / pattern).exists() else []


def _cell_for(nb, ident: str):
    """Quarto's lookup order for an embed target: cell id, then label, then tag."""
    for finder in (lambda c: c.get("id") == ident, lambda c: cell_label(c) == ident,
                   lambda c: ident in c.get("metadata", {}).get("tags", [])):
        for cell in nb.cells:
            if cell.cell_type == "code" and finder(cell):
                return cell
    return None


def check_config(project: Project) -> tuple[dict, list[str]]:
    problems: list[str] = []
    path = project.root / "_quarto.yml"
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        return {}, [f"_quarto.yml: geen geldige YAML ({exc})"]
    if not isinstance(config, dict):
        return {}, ["_quarto.yml: verwacht een mapping"]
    for key in config:
        if key not in KNOWN_TOP:
            problems.append(f"_quarto.yml: onbekende sleutel {key!r}")
    proj = config.get("project")
    if not isinstance(proj, dict) or proj.get("type") not in PROJECT_TYPES:
        problems.append("_quarto.yml: project.type moet een van " + ", ".join(PROJECT_TYPES) + " zijn")
        proj = proj if isinstance(proj, dict) else {}
    for key in proj:
        if key not in KNOWN_PROJECT:
            problems.append(f"_quarto.yml: onbekende sleutel project.{key}")
    render = proj.get("render", [])
    if not isinstance(render, list) or not all(isinstance(r, str) for r in render):
        problems.append("_quarto.yml: project.render moet een lijst van paden zijn")
    if not isinstance(proj.get("output-dir", "_site"), str):
        problems.append("_quarto.yml: project.output-dir moet een pad zijn")
    site = config.get("website", {})
    if not isinstance(site, dict):
        problems.append("_quarto.yml: website moet een mapping zijn")
        site = {}
    for key in site:
        if key not in KNOWN_WEBSITE:
            problems.append(f"_quarto.yml: onbekende sleutel website.{key}")
    if not isinstance(site.get("search", True), (bool, dict)):
        problems.append("_quarto.yml: website.search moet true/false of een mapping zijn")
    if config.get("lang") is not None and not isinstance(config.get("lang"), str):
        problems.append("_quarto.yml: lang moet een taalcode zijn, bijvoorbeeld nl")
    for side in ("left", "right"):
        for item in (site.get("navbar") or {}).get(side, []) or []:
            href = item.get("href") if isinstance(item, dict) else item
            if isinstance(href, str) and not href.startswith(("http://", "https://")) and not (project.root / href).exists():
                problems.append(f"_quarto.yml: navbar verwijst naar {href}, dat niet bestaat")
    for key in ("notebook-links", "notebook-view"):
        if key in config and not isinstance(config[key], (bool, str, list)):
            problems.append(f"_quarto.yml: {key} heeft een ongeldige waarde")
    return config, problems


def check_page(project: Project, page: Path) -> list[str]:
    rel = page.relative_to(project.root)
    problems: list[str] = []
    text = page.read_text(encoding="utf-8")
    try:
        meta = _front_matter(text) or {}
    except (ValueError, yaml.YAMLError) as exc:
        return [f"{rel}: front matter is geen geldige YAML ({exc})"]
    if "title" not in meta:
        problems.append(f"{rel}: front matter mist title")
    formats = meta.get("format", {}) if isinstance(meta.get("format"), dict) else {}
    notebooks: dict[Path, object] = {}
    seen: set[str] = set()
    for m in EMBED.finditer(text):
        if m.group(2) and m.group(2).startswith(("fig-", "tbl-")):
            if m.group(2) in seen:  # cross-reference labels must be unique within a page
                problems.append(f"{rel}: label {m.group(2)} wordt twee keer ingebed")
            seen.add(m.group(2))
        target, ident = page.parent / m.group(1), m.group(2)
        if not target.exists():
            problems.append(f"{rel}: embed verwijst naar {m.group(1)}, dat niet bestaat")
            continue
        nb = notebooks.get(target)
        if nb is None:  # each notebook once per page (a monitor page embeds some 60 cells of 10 notebooks)
            with open(target, encoding="utf-8") as fh:
                nb = notebooks[target] = rejoin_lines(nbformat.from_dict(json.load(fh)))  # read, not validated
        if ident is None:
            continue
        cell = _cell_for(nb, ident)
        if cell is None:
            problems.append(f"{rel}: embed {m.group(1)}#{ident}: geen cel met dat id, label of tag")
        elif not cell.get("outputs"):
            problems.append(f"{rel}: embed {m.group(1)}#{ident}: de cel heeft geen uitvoer (Quarto weigert die)")
    # Every label must agree with the lineage of the values under it (presentation.output.herkomst): a
    # notebook edited by hand, or run by an older sdrapport, is refused here before it is published.
    for target, nb in notebooks.items():
        for _, message in label_problems(nb):
            problems.append(f"{rel}: {target.name}: label wijkt af van de herkomst: {message}")
    for m in INCLUDE.finditer(text):
        if not (page.parent / m.group(1)).exists():
            problems.append(f"{rel}: include verwijst naar {m.group(1)}, dat niet bestaat")
    for m in LINK.finditer(text):
        href = m.group(1).split("#")[0]
        if not href or href.startswith(("http://", "https://", "mailto:")):
            continue
        target = page.parent / href
        if target.suffix == ".pdf" and target.with_suffix(".qmd").exists() and "typst" in _formats_of(target.with_suffix(".qmd")):
            continue  # the PDF is a render output of a page with format typst
        if target.suffix == ".html" and target.with_suffix(".qmd").exists():
            continue  # a page of the site, linked by its output (another Quarto process may render it)
        if not target.exists():
            problems.append(f"{rel}: link naar {href}, dat niet bestaat")
    listing = meta.get("listing")
    if isinstance(listing, dict):
        contents = listing.get("contents", [])
        for pattern in [contents] if isinstance(contents, str) else contents:
            if not _expand(page.parent, pattern):
                problems.append(f"{rel}: listing contents {pattern} vindt geen pagina's")
    if "typst" in formats and not isinstance(formats.get("typst"), (dict, str)):
        problems.append(f"{rel}: format.typst heeft een ongeldige waarde")
    return problems


def _formats_of(page: Path) -> dict:
    meta = _front_matter(page.read_text(encoding="utf-8")) or {}
    return meta.get("format", {}) if isinstance(meta.get("format"), dict) else {}


def check_project(project: Project) -> list[str]:
    """All problems found; an empty list means the project is ready for `quarto render`."""
    config, problems = check_config(project)
    render = ((config or {}).get("project") or {}).get("render", []) or []
    pages: list[Path] = []
    for pattern in render:
        if pattern.startswith("!"):
            continue
        found = _expand(project.root, pattern)
        if not found:
            problems.append(f"_quarto.yml: render-doel {pattern} bestaat niet (draai eerst 'sdrapport site')")
        pages += found
    # A page is checked again only when it or a file it refers to changed since it last passed
    # (a national site has hundreds of pages embedding 600 MB of notebooks; `sdrapport site` checks
    # before every render).
    memo_path = project.reports / CHECKED
    try:
        memo = json.loads(memo_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        memo = {}
    passed = {}
    for page in dict.fromkeys(pages):
        rel = page.relative_to(project.root).as_posix()
        key = _page_key(page)
        if memo.get(rel) == key:
            passed[rel] = key
            continue
        found = check_page(project, page)
        problems += found
        if not found:
            passed[rel] = key
    if project.reports.is_dir():
        tmp = memo_path.with_name(f"{memo_path.name}.tmp-{os.getpid()}")
        tmp.write_text(json.dumps(passed, sort_keys=True), encoding="utf-8")
        os.replace(tmp, memo_path)
    return problems


CHECKED = ".sitecheck.json"  # pages that passed, with the key of what they were checked against


def _page_key(page: Path) -> str:
    """The page's text and the size and modification time of every file it embeds, includes or
    links to (and of the folder it lists)."""
    text = page.read_text(encoding="utf-8")
    h = hashlib.sha256(text.encode())
    targets = [m.group(1) for m in EMBED.finditer(text)] + [m.group(1) for m in INCLUDE.finditer(text)]
    targets += [m.group(1).split("#")[0] for m in LINK.finditer(text)]
    for target in sorted(set(targets)):
        path = page.parent / target
        try:
            st = path.stat()
            h.update(f"{target}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        except (OSError, ValueError):
            h.update(f"{target}\0-\n".encode())
    if "listing:" in text:  # what a listing finds: the pages below it
        h.update("\n".join(sorted(glob.glob(str(page.parent / "**" / "index.qmd"), recursive=True))).encode())
    return h.hexdigest()
