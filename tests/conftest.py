"""Shared fixtures: copies of the real project (notebooks, params, data, _quarto.yml) in tmp dirs,
so tests run the real code on the real demo files without touching the checkout's reports/."""
from __future__ import annotations

import atexit
import csv
import functools
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from sdrapport.project import Project

REPO = Path(__file__).resolve().parents[1]
# The pseudonymisation key for the registrations: from the environment, as a user would set it, so
# no test writes a key file into the home folder. Kernels started by papermill inherit it.
os.environ.setdefault("SDRAPPORT_SLEUTEL", "test-sleutel-niet-voor-productie-0123456789")
PROJECT_PARTS = ("_quarto.yml", "notebooks", "params", "data", "assets")


# The registry holds all 342 gemeenten; the tests run on 27 of them (every size class, the seeds'
# gemeenten, the demo's record-level exports and its missing-value cases), so that a store builds
# in seconds. Their rows of data/gemeenten.csv and data/inwoners.csv are the real ones.
TEST_GEMEENTEN = (
    "GM0014", "GM0034", "GM0088", "GM0096", "GM0141", "GM0147", "GM0153", "GM0164", "GM0173", "GM0193",
    "GM0268", "GM0277", "GM0312", "GM0339", "GM0344", "GM0355", "GM0363", "GM0402", "GM0505", "GM0518",
    "GM0599", "GM0758", "GM0772", "GM0855", "GM1735", "GM1742", "GM1942",
)


def _keep_rows(path: Path, column: str) -> None:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = [r for r in reader if r[column] in TEST_GEMEENTEN]
        fields = reader.fieldnames
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@functools.cache
def data_template() -> Path:
    """data/ of the repository restricted to TEST_GEMEENTEN, with its demo files generated once
    per test session (as a first use would); copy_project copies it."""
    from sdrapport.inputs.demo import FULL_CACHE, ensure_demo, generated_paths

    folder = Path(tempfile.mkdtemp(prefix="sdrapport-testdata-")) / "data"
    generated = {p.resolve() for p in generated_paths(REPO / "data")} | {(REPO / "data" / n).resolve() for n in (".demo-stamp", FULL_CACHE)}
    shutil.copytree(REPO / "data", folder, ignore=lambda d, names: [n for n in names if (Path(d) / n).resolve() in generated])
    _keep_rows(folder / "gemeenten.csv", "code")
    _keep_rows(folder / "inwoners.csv", "gemeente")
    ensure_demo(folder)
    atexit.register(shutil.rmtree, folder.parent, True)
    return folder


def copy_project(dest: Path) -> Project:
    dest.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        src = data_template() if part == "data" else REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part)
        else:
            shutil.copy2(src, dest / part)
    (dest / "reports").mkdir()
    return Project(dest)


def project_without_data(root: Path) -> Path:
    """A project of the repository's notebooks, params and catalogue, without data: the caller writes
    its own registry, inhabitants and observations (data/observaties/ exists, empty)."""
    (root / "data" / "observaties").mkdir(parents=True)
    shutil.copy(REPO / "_quarto.yml", root / "_quarto.yml")
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    shutil.copytree(REPO / "params", root / "params")
    shutil.copy(REPO / "data" / "indicatoren.yml", root / "data" / "indicatoren.yml")
    return root


@pytest.fixture
def project(tmp_path) -> Project:
    """A fresh copy of the project with the full demo data."""
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The main job run once for the default gemeente and period (real papermill execution)."""
    from sdrapport.runner.run import run_report
    from sdrapport.publisher.site import write_site

    proj = copy_project(tmp_path_factory.mktemp("built") / "project")
    result = run_report(proj, "GM0505", "2023-H2")
    write_site(proj)
    return proj, result


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory) -> Project:
    """A project copy with the store built from the demo data (read-only use)."""
    from sdrapport.store.database import build_store

    proj = copy_project(tmp_path_factory.mktemp("demo") / "project")
    build_store(proj.data, proj.store)
    return proj


def unescape(markdown: str) -> str:
    """The text a reader sees of Markdown that escapes punctuation (sdrapport.presentation.escaping)."""
    import re

    return re.sub(r"\\(.)", r"\1", markdown)


def html_rows(markdown: str) -> dict[str, list[str]]:
    """Rows of the HTML table in a table output, keyed by their first cell (HTML unescaped)."""
    import html
    import re

    block = markdown.split("```{=html}", 1)[1].split("```", 1)[0]
    rows = {}
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", block, flags=re.S):
        cells = [html.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, flags=re.S)]
        if cells:
            rows[cells[0]] = cells[1:]
    return rows


def figure_page(data: dict) -> str:
    """The HTML a figure output gives the page: its Markdown's raw HTML block (chart and data table)."""
    block = data["text/markdown"].split("```{=html}\n", 1)[1].split("\n```", 1)[0]
    return block.replace("<!--| quarto-html-table-processing: none -->", "").strip()
