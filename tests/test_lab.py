"""A notebook run the way JupyterLab runs it gives what the papermill run gives.

JupyterLab executes the committed notebook as it is: its kernel starts in notebooks/, the
parameters cell keeps its defaults (no injected cell) and the Rapport finds the project from the
working folder. Here nbclient (what JupyterLab's kernel protocol amounts to, without papermill)
does the same, and the labelled outputs and the CSV downloads are compared with the papermill run
of the same gemeente, period and report.
"""
from __future__ import annotations

import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from tests.test_hygiene import defaults

from sdrapport.presentation.report import META_KEY
from sdrapport.manifest import cell_label
from sdrapport.pipeline import build_report
from tests.conftest import copy_project


@pytest.fixture(scope="module")
def lab_project(tmp_path_factory):
    """One project copy for the tests of this module: each reads the notebooks and writes the
    report folder of its own notebook only (the store is built once, by the first run)."""
    return copy_project(tmp_path_factory.mktemp("lab") / "project")


def labelled_outputs(nb: nbformat.NotebookNode) -> dict[str, list]:
    """Per labelled cell: each output's type, its MIME types and its content (figures by presence:
    their SVG bytes are compared by the rerun test of the papermill path)."""
    out = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell_label(cell):
            out[cell_label(cell)] = [
                (o.output_type, sorted(o.get("data", {})), o.get("data", {}).get("text/markdown"),
                 o.get("metadata", {}).get(META_KEY))
                for o in cell.outputs]
    return out


def _without_labels(published: bytes, lab: bytes) -> bytes:
    """A published CSV without the gemeente and periode columns the runner added to the lab's CSV."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(published.decode("utf-8"))))
    lab_header = next(csv.reader(io.StringIO(lab.decode("utf-8"))), [])
    drop = [i for i, name in enumerate(rows[0][:2]) if name in ("gemeente", "periode") and name not in lab_header]
    rows = [[c for i, c in enumerate(row) if i not in drop] for row in rows]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


@pytest.mark.parametrize("name", ["10_dashboard.ipynb", "12_factsheet.ipynb"])
def test_notebook_in_jupyterlab_shows_what_the_papermill_run_shows(lab_project, name):
    project = lab_project
    nb = nbformat.read(project.notebooks / name, as_version=4)
    d = defaults(nb)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(project.notebooks)}}).execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors
    outdir = project.report_dir(d["periode"], d["gemeente"], d["rapport"])  # uitvoer=None: the report's own folder
    lab_csv = {p.name: p.read_bytes() for p in sorted((outdir / "data").glob("*.csv"))}
    lab = labelled_outputs(nb)
    assert lab_csv and lab
    shutil.rmtree(outdir)

    result = build_report(project, d["gemeente"], d["periode"], d["rapport"])
    assert result.ok, [n.error for n in result.notebooks]
    executed = nbformat.read(result.outdir / name, as_version=4)
    assert labelled_outputs(executed) == lab
    # The runner then gives every row its gemeente and period (downloads.label_rows, issue 23); apart
    # from those columns the CSVs are the same bytes.
    assert {p.name: _without_labels(p.read_bytes(), lab_csv.get(p.name, b"")) for p in sorted((outdir / "data").glob("*.csv"))} == lab_csv
    figures = [label for label, outs in lab.items() if any("image/svg+xml" in o[1] for o in outs)]
    assert not name.startswith("10_") or len(figures) >= 6  # the dashboard's trend charts are there


def test_sdrapport_lab_serves_the_notebooks_with_this_environment_as_kernel(lab_project):
    """`sdrapport lab` starts JupyterLab on notebooks/; the kernel of the notebooks ('python3') is
    this interpreter, with sdrapport installed."""
    import json
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    import psutil

    pytest.importorskip("jupyterlab")
    project = lab_project
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, JUPYTER_TOKEN="test-token")
    lab = subprocess.Popen([sys.executable, "-m", "sdrapport.cli", "lab", "--geen-browser", "--poort", str(port),
                            "--project", str(project.root)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def api(path: str, method: str = "GET", body: dict | None = None) -> dict:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/{path}", method=method,
                                         data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Authorization": "token test-token", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    try:
        for _ in range(120):
            try:
                contents = api("contents/")
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab kwam niet op")
        names = {c["name"] for c in contents["content"]}
        assert {"02_wmo.ipynb", "10_dashboard.ipynb"} <= names  # the server's root is notebooks/
        kernel = api("kernels", "POST", {"name": "python3"})
        for _ in range(60):
            launched = [p for p in psutil.Process(lab.pid).children(recursive=True)
                        if "ipykernel_launcher" in " ".join(p.cmdline())]
            if launched:
                break
            time.sleep(0.5)
        assert launched and launched[0].cmdline()[0] == sys.executable
        assert launched[0].environ().get("SDRAPPORT_PROJECT") == str(project.root)
        urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/api/kernels/{kernel['id']}", method="DELETE",
                                                      headers={"Authorization": "token test-token"}), timeout=10)
    finally:
        lab.terminate()  # the process is JupyterLab itself (sdrapport lab execs it), which stops its kernels
        try:
            lab.wait(timeout=30)
        except subprocess.TimeoutExpired:
            lab.kill()
    assert all(not p.is_running() for p in launched)
