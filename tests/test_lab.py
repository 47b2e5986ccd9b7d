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

from sdrapport.report import META_KEY
from sdrapport.runner import cell_label, run_report


def labelled_outputs(nb: nbformat.NotebookNode) -> dict[str, list]:
    """Per labelled cell: each output's type, its MIME types and its content (figures by presence:
    their PNG bytes are compared by the rerun test of the papermill path)."""
    out = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell_label(cell):
            out[cell_label(cell)] = [
                (o.output_type, sorted(o.get("data", {})), o.get("data", {}).get("text/markdown"),
                 o.get("metadata", {}).get(META_KEY))
                for o in cell.outputs]
    return out


@pytest.mark.parametrize("name", ["10_dashboard.ipynb", "12_factsheet.ipynb"])
def test_notebook_in_jupyterlab_shows_what_the_papermill_run_shows(project, name):
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

    result = run_report(project, d["gemeente"], d["periode"], d["rapport"])
    assert result.ok, [n.error for n in result.notebooks]
    executed = nbformat.read(result.outdir / name, as_version=4)
    assert labelled_outputs(executed) == lab
    assert {p.name: p.read_bytes() for p in sorted((outdir / "data").glob("*.csv"))} == lab_csv
    figures = [label for label, outs in lab.items() if any("image/png" in o[1] for o in outs)]
    assert not name.startswith("10_") or len(figures) >= 6  # the dashboard's trend charts are there
