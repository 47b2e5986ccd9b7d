"""Shared fixtures: copies of the real project (notebooks, params, data, _quarto.yml) in tmp dirs,
so tests run the real code on the real demo files without touching the checkout's reports/."""
from __future__ import annotations

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


# What the tests build once per run and only read (the demo data, its store, the executed demo
# monitor) is built once for all pytest-xdist workers: in a folder the controller makes before the
# workers start (they inherit the variable) and removes after they ended, by the first worker that
# needs it, under a file lock; every other worker waits for it and then copies it.
SHARED_ENV = "SDRAPPORT_TEST_SHARED"


def pytest_configure(config):
    if not hasattr(config, "workerinput") and SHARED_ENV not in os.environ:
        os.environ[SHARED_ENV] = tempfile.mkdtemp(prefix="sdrapport-tests-")
        config._sdrapport_shared = os.environ[SHARED_ENV]


def pytest_unconfigure(config):
    shared = getattr(config, "_sdrapport_shared", None)
    if shared:
        shutil.rmtree(shared, ignore_errors=True)
        os.environ.pop(SHARED_ENV, None)


def built_once(name: str, build):
    """The folder <shared>/<name>, made by `build(folder)` once per test run across workers. A build
    that failed leaves no folder, so the next worker tries again and fails with its own traceback."""
    from filelock import FileLock

    shared = Path(os.environ[SHARED_ENV])
    folder = shared / name
    with FileLock(shared / f"{name}.lock"):
        if not (folder / ".klaar").exists():
            shutil.rmtree(folder, ignore_errors=True)
            build(folder)
            (folder / ".klaar").touch()
    return folder


def _build_data_template(folder: Path) -> None:
    from sdrapport.inputs.demo import FULL_CACHE, ensure_demo, generated_paths
    from sdrapport.store.database import build_store

    data = folder / "data"
    generated = {p.resolve() for p in generated_paths(REPO / "data")} | {(REPO / "data" / n).resolve() for n in (".demo-stamp", FULL_CACHE)}
    shutil.copytree(REPO / "data", data, ignore=lambda d, names: [n for n in names if (Path(d) / n).resolve() in generated])
    _keep_rows(data / "gemeenten.csv", "code")
    _keep_rows(data / "inwoners.csv", "gemeente")
    ensure_demo(data)
    _copy_parts_but_data(folder)  # the store's fingerprint covers the params files too
    build_store(data, Project(folder).store)


@functools.cache
def data_template() -> Path:
    """data/ of the repository restricted to TEST_GEMEENTEN, with its demo files generated (as a
    first use would) and its store built, once per test run; copy_project copies both."""
    return built_once("testdata", _build_data_template) / "data"


def _copy_parts_but_data(dest: Path) -> None:
    """The repository's project parts other than data/ into `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        if part != "data":
            (shutil.copytree if (REPO / part).is_dir() else shutil.copy2)(REPO / part, dest / part)


def copy_project(dest: Path, *, store: bool = False) -> Project:
    """A copy of the project on the test data; with `store`, its store as already built from them
    (it is rebuilt as soon as a test changes a data or params file: its fingerprint is over their
    contents). Without it, the first command builds the store, as on a fresh checkout."""
    _copy_parts_but_data(dest)
    shutil.copytree(data_template(), dest / "data")
    (dest / "reports").mkdir()
    project = Project(dest)
    if store:
        shutil.copytree(Project(data_template().parent).store.parent, project.store.parent)
    return project


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
    """A fresh copy of the project with the full demo data and its store as built from them."""
    return copy_project(tmp_path / "project", store=True)


def copy_of_built(name: str, build, dest: Path):
    """A copy at `dest` of the project that `build(project)` made once per test run (built_once),
    and what `build` returned (RunResults, alone or in a dict), with their folders in the copy."""
    import dataclasses
    import pickle

    def make(folder):
        proj = copy_project(folder / "project", store=True)
        (folder / "result.pickle").write_bytes(pickle.dumps(build(proj)))

    golden = built_once(name, make)
    shutil.copytree(golden / "project", dest, symlinks=True)
    moved = lambda r: dataclasses.replace(r, outdir=dest / r.outdir.relative_to(golden / "project"))  # noqa: E731
    result = pickle.loads((golden / "result.pickle").read_bytes())
    return Project(dest), ({k: moved(r) for k, r in result.items()} if isinstance(result, dict) else moved(result))


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The main job run once for the default gemeente and period (real papermill execution)."""
    from sdrapport.publisher.site import write_site
    from sdrapport.runner.run import run_report

    def build(proj):
        result = run_report(proj, "GM0505", "2023-H2")
        write_site(proj)
        return result

    return copy_of_built("built", build, tmp_path_factory.mktemp("built") / "project")


@pytest.fixture(scope="session")
def other_reports(tmp_path_factory):
    """The dashboard (Hilversum, 2021-Q1), jaarverslag (Hengelo, 2024) and factsheet (Hengelo, 2023),
    each built as `sdrapport run` builds it, and the site's pages; keyed by report type."""
    from sdrapport.pipeline import build_report
    from sdrapport.publisher.site import write_site

    def build(proj):
        results = {
            "dashboard": build_report(proj, "GM0402", "2021-Q1", "dashboard"),
            "jaarverslag": build_report(proj, "GM0164", "2024", "jaarverslag"),
            "factsheet": build_report(proj, "GM0164", "2023", "factsheet"),
        }
        write_site(proj)
        return results

    return copy_of_built("reports", build, tmp_path_factory.mktemp("reports") / "project")


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory) -> Project:
    """A project copy with the store built from the demo data (read-only use)."""
    from sdrapport.store.database import ensure_store

    proj = copy_project(tmp_path_factory.mktemp("demo") / "project", store=True)
    assert not ensure_store(proj.data, proj.store), "the copied store should be up to date with the copied data"
    return proj


@pytest.fixture
def shown(monkeypatch) -> list[tuple]:
    """What components display, per call: (the markdown text or figure, its metadata or {})."""
    import IPython.display

    seen = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, metadata=None, raw=False: seen.append((getattr(obj, "data", obj), metadata or {})))
    return seen


def unescape(markdown: str) -> str:
    """The text a reader sees of Markdown that escapes punctuation (sdrapport.presentation.text.escaping)."""
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
