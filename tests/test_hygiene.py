"""Notebooks stay clean in git, and the code stays clean under ruff.

The committed notebooks are source: no outputs, no execution counts, a `parameters` cell whose
defaults run as they are in JupyterLab, and labels that are unique (a page embeds cells by label,
so within a report profile a label may occur once). The same tools that check this at commit time
(.pre-commit-config.yaml: nbstripout and ruff) are pinned in requirements.lock.
"""
from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import nbformat
import pytest
import yaml

from tests.conftest import REPO

from sdrapport.periods import Period
from sdrapport.manifest import cell_label
from sdrapport.runner.run import PERIODESOORTEN

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
PROFILES = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((REPO / "params" / "rapporten").glob("*.yml"))}
PARAMETERS = ("gemeente", "periode", "rapport", "project", "uitvoer")  # what the runner injects


def parameters_cell(nb: nbformat.NotebookNode):
    cells = [c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])]
    return cells[0] if len(cells) == 1 else None


def defaults(nb: nbformat.NotebookNode) -> dict:
    """The values the parameters cell assigns (literals only, as papermill expects)."""
    out = {}
    for node in ast.parse(parameters_cell(nb).source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            out[node.targets[0].id] = ast.literal_eval(node.value)
    return out


def notebook_problems(nb: nbformat.NotebookNode, name: str) -> list[str]:
    """What keeps a notebook from being committed as it is."""
    problems = []
    for i, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"{name}: cel {i} heeft uitvoer")
        if cell.get("execution_count") is not None:
            problems.append(f"{name}: cel {i} heeft een execution_count")
    cell = parameters_cell(nb)
    if cell is None:
        problems.append(f"{name}: geen (of meer dan één) cel met de tag 'parameters'")
    else:
        missing = [p for p in PARAMETERS if p not in defaults(nb)]
        if missing:
            problems.append(f"{name}: de parameters-cel mist {', '.join(missing)}")
    labels = Counter(cell_label(c) for c in nb.cells if c.cell_type == "code" and cell_label(c))
    problems += [f"{name}: label {label} komt {n} keer voor" for label, n in labels.items() if n > 1]
    return problems


def profile_problems(notebooks: dict[str, nbformat.NotebookNode], profile: str) -> list[str]:
    """Labels that occur in more than one notebook of a report profile (one page embeds them all)."""
    seen: dict[str, str] = {}
    problems = []
    for name, nb in notebooks.items():
        for label in {cell_label(c) for c in nb.cells if c.cell_type == "code" and cell_label(c)}:
            if label in seen:
                problems.append(f"rapport {profile}: label {label} staat in {seen[label]} en in {name}")
            seen.setdefault(label, name)
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_is_clean(path):
    assert notebook_problems(nbformat.read(path, as_version=4), path.name) == []


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_labels_are_unique_within_each_report_profile(profile):
    notebooks = {n: nbformat.read(REPO / "notebooks" / n, as_version=4) for n in PROFILES[profile]["notebooks"]}
    assert profile_problems(notebooks, profile) == []


def test_the_checks_find_what_they_are_for():
    """A notebook with output, an execution count, no parameters cell and a label twice, and a
    profile with a label in two notebooks: every problem is named."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("#| label: fig-a\nx = 1", execution_count=3)
    cell.outputs = [nbformat.v4.new_output("stream", text="1\n")]
    nb.cells = [cell, nbformat.v4.new_code_cell("#| label: fig-a\ny = 2")]
    problems = notebook_problems(nb, "x.ipynb")
    assert any("uitvoer" in p for p in problems) and any("execution_count" in p for p in problems)
    assert any("parameters" in p for p in problems) and any("fig-a komt 2 keer" in p for p in problems)
    other = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("#| label: fig-a\nz = 3")])
    assert profile_problems({"x.ipynb": nb, "y.ipynb": other}, "p") == ["rapport p: label fig-a staat in x.ipynb en in y.ipynb"]


def test_parameter_defaults_run_as_they_are(demo_project):
    """JupyterLab runs a notebook with its defaults: the report profile that lists it, a period of
    the profile's kind, and a gemeente with figures for that period."""
    import duckdb

    con = duckdb.connect(str(demo_project.store), read_only=True)
    try:
        for profile, raw in PROFILES.items():
            for name in raw["notebooks"]:
                d = defaults(nbformat.read(REPO / "notebooks" / name, as_version=4))
                assert d["rapport"] == profile, name
                periode = Period.parse(d["periode"])
                if raw.get("periodesoort"):
                    assert periode.kind == PERIODESOORTEN[raw["periodesoort"]], name
                n = con.execute("SELECT count(*) FROM observaties WHERE gemeente = ? AND periode = ?",
                                [d["gemeente"], periode.code]).fetchone()[0]
                assert n > 0, f"{name}: geen cijfers voor {d['gemeente']} {periode.code}"
    finally:
        con.close()


def _hooks() -> dict:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    return {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}


def test_pre_commit_hooks_use_the_pinned_tools():
    lock = dict(line.split("==") for line in (REPO / "requirements.lock").read_text().split())
    hooks = _hooks()
    assert set(hooks) >= {"nbstripout", "ruff"}
    for hook in hooks.values():
        for dep in hook.get("additional_dependencies", []):
            name, version = dep.split("==")
            assert lock.get(name) == version, f"{hook['id']}: {dep}, maar requirements.lock heeft {lock.get(name)}"


def test_notebooks_are_as_the_nbstripout_hook_leaves_them(tmp_path):
    exe = Path(sys.executable).parent / "nbstripout"
    if not exe.exists():
        pytest.skip("nbstripout is niet geïnstalleerd (extra 'lab', make installeert het)")
    copies = []
    for path in NOTEBOOKS:
        copies.append(tmp_path / path.name)
        shutil.copyfile(path, copies[-1])
    subprocess.run([str(exe), *_hooks()["nbstripout"]["args"], *map(str, copies)], check=True, capture_output=True)
    for path, copy in zip(NOTEBOOKS, copies):
        assert copy.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), f"{path.name}: nbstripout zou het notebook wijzigen"


def test_code_is_clean_under_ruff():
    pytest.importorskip("ruff")
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "lib", "tests", "benchmarks", "notebooks"],
                          cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-1000:]
    assert re.search(r"All checks passed", proc.stdout)
