"""The package's layers: data flows inputs -> store -> indicators -> presentation -> runner ->
publisher. The runner never imports the publisher, and the publisher never reads the store; the
pipeline (and the command line) compose the two."""
import ast
import json
from pathlib import Path

import pytest

from tests.conftest import REPO

PKG = REPO / "lib" / "sdrapport"


def _imports(path: Path) -> set[str]:
    """Every module a file imports (at module level or inside functions)."""
    return _imports_of_source(path.read_text(encoding="utf-8"))


def _imports_of_source(source: str) -> set[str]:
    """Every module some Python source imports; IPython magics and shell lines are left out."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    out = set()
    for node in ast.walk(ast.parse("\n".join(lines))):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out |= {f"{node.module}.{alias.name}" for alias in node.names}
    return out


def _layer_files(layer: str) -> list[Path]:
    return sorted((PKG / layer).glob("*.py"))


def test_every_module_sits_in_a_layer_with_an_english_name():
    top = sorted(p.name for p in PKG.glob("*.py"))
    assert top == ["__init__.py", "atomic.py", "cli.py", "errors.py", "periods.py", "pipeline.py", "project.py"]
    layers = sorted(p.name for p in PKG.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    assert layers == ["indicators", "inputs", "presentation", "publisher", "runner", "store"]


@pytest.mark.parametrize("layer", ["inputs", "store", "indicators", "presentation", "runner"])
def test_no_layer_below_the_publisher_imports_it(layer):
    for path in _layer_files(layer):
        assert not any(m.startswith("sdrapport.publisher") or m == "sdrapport.pipeline" for m in _imports(path)), path


def test_the_publisher_never_opens_the_store():
    for path in _layer_files("publisher"):
        imported = _imports(path)
        assert "duckdb" not in imported, path
        assert not any(m.startswith("sdrapport.store") for m in imported), path
        assert "project.store" not in path.read_text(encoding="utf-8"), path


def test_pages_are_written_from_run_json_alone(built):
    """With the store gone, every page and the site are written again, the same bytes."""
    from sdrapport.publisher.site import write_site

    proj, result = built
    page = result.outdir / "index.qmd"
    before = page.read_text(encoding="utf-8")
    facts = json.loads((result.outdir / "run.json").read_text(encoding="utf-8"))["pagina"]
    assert facts["naam"] == "Dordrecht" and facts["provincie"] == "Zuid-Holland" and facts["demo"] is True
    assert facts["grootteklasse"] == "100.000 - 300.000 inwoners" and {"code": "GM0505", "naam": "Dordrecht"} in facts["referentiegroep"]
    store = proj.store
    moved = store.with_name("weg.duckdb")
    store.rename(moved)
    try:
        write_site(proj)
        assert page.read_text(encoding="utf-8") == before
    finally:
        moved.rename(store)


def test_navigation_links_other_periods_and_the_reference_group_that_are_built():
    from sdrapport.periods import Period
    from sdrapport.publisher.site import navigation
    from sdrapport.runner.run import Profile

    profile = Profile(naam="monitor", titel="Monitor sociaal domein", notebooks=[], referentiegroep=True)
    facts = {"grootteklasse": "100.000 - 300.000 inwoners",
             "referentiegroep": [{"code": "GM0505", "naam": "Dordrecht"}, {"code": "GM0363", "naam": "A & B <c>"},
                                 {"code": "GM0599", "naam": "Rotterdam"}]}
    built = {("2023-H2", "GM0505", "monitor"): {}, ("2023-H1", "GM0505", "monitor"): {}, ("2022", "GM0505", "monitor"): {},
             ("2023-H2", "GM0505", "dashboard"): {}, ("2023-H2", "GM0363", "monitor"): {}}
    text = navigation(built, "GM0505", Period.parse("2023-H2"), profile, facts)
    assert text.startswith('::: {.content-visible when-format="html"}')
    # Newest first; the other report type and the page itself are not linked.
    assert "**Andere perioden**: [eerste halfjaar 2023](../../../2023-H1/GM0505/monitor/index.html) · " \
           "[2022](../../../2022/GM0505/monitor/index.html)" in text
    assert "dashboard" not in text
    # Only reference-group gemeenten whose report is built; names escaped.
    assert "<summary>Gemeenten in de referentiegroep (1, 100.000 - 300.000 inwoners)</summary>" in text
    assert r"[A \& B \<c\>](../../../2023-H2/GM0363/monitor/index.html)" in text
    assert "GM0599" not in text
    assert navigation({("2023-H2", "GM0505", "monitor"): {}}, "GM0505", Period.parse("2023-H2"), profile, facts) == ""


def test_no_notebook_imports_the_code_above_it():
    """The batch keys executed notebooks on the library without the publisher, the pipeline and the
    command line (runner.batch.ABOVE_NOTEBOOKS): that holds only while no notebook imports them."""
    import nbformat

    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            imported = _imports_of_source(cell.source)
            assert not any(m.startswith(("sdrapport.publisher", "sdrapport.pipeline", "sdrapport.cli")) for m in imported), path


def test_a_publisher_change_reruns_no_notebook_but_restyles_the_pages(tmp_path):
    import shutil

    from sdrapport.runner.batch import library_hash

    copy = tmp_path / "sdrapport"
    shutil.copytree(PKG, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = library_hash(notebooks=True, root=copy), library_hash(root=copy)
    with open(copy / "publisher" / "site.py", "a", encoding="utf-8") as fh:
        fh.write("\n# another page style\n")
    after = library_hash(notebooks=True, root=copy), library_hash(root=copy)
    assert after[0] == before[0]  # no notebook runs again
    assert after[1] != before[1]  # every page is written again
    with open(copy / "presentation" / "charts.py", "a", encoding="utf-8") as fh:
        fh.write("\n# another chart\n")
    assert library_hash(notebooks=True, root=copy) != before[0]
