"""Shared fixtures: copies of the real project (notebooks, params, data, _quarto.yml) in tmp dirs,
so tests run the real code on the real demo files without touching the checkout's reports/."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from sdrapport.project import Project

REPO = Path(__file__).resolve().parents[1]
# The pseudonymisation key for the registrations: from the environment, as a user would set it, so
# no test writes a key file into the home folder. Kernels started by papermill inherit it.
os.environ.setdefault("SDRAPPORT_SLEUTEL", "test-sleutel-niet-voor-productie-0123456789")
PROJECT_PARTS = ("_quarto.yml", "notebooks", "params", "data", "assets")


def copy_project(dest: Path) -> Project:
    dest.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part)
        else:
            shutil.copy2(src, dest / part)
    (dest / "reports").mkdir()
    return Project(dest)


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
