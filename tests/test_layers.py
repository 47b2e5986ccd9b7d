"""The package's layers, as docs/architecture.md declares them (lowest first): no module imports a
module of a higher layer, at module level or inside a function, and no import goes round in a
circle; inside presentation likewise for its declared ranks. The runner never imports the publisher, and the publisher never reads the store; the
pipeline (and the command line) compose the two."""
import ast
import json
import re
from pathlib import Path

import pytest

from tests.conftest import REPO

PKG = REPO / "lib" / "sdrapport"
ARCHITECTURE = REPO / "docs" / "architecture.md"


def _declared_layers() -> list[tuple[str, set[str]]]:
    """The layer order of docs/architecture.md: (name, the root modules it holds) per layer, lowest
    first; a subpackage's layer is named after it (`inputs/`)."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    block = re.search(r"## Layer order\n.*?```text\n(.*?)```", text, re.S)
    assert block, f"{ARCHITECTURE}: no ```text block under '## Layer order'"
    layers = []
    for line in block.group(1).splitlines():
        number, name, *files = line.split()
        assert int(number) == len(layers), f"{ARCHITECTURE}: layer {line!r} out of order"
        layers.append((name.rstrip("/"), {f.removesuffix(".py") for f in files}))
    return layers


PRESENTATION = "sdrapport.presentation"


def _declared_inside_presentation() -> list[set[str]]:
    """The order inside presentation (docs/architecture.md, '### Inside presentation'): per rank, lowest
    first, the sub-packages (`text/`) and modules (`report.py`) it holds."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    block = re.search(r"### Inside presentation\n.*?```text\n(.*?)```", text, re.S)
    assert block, f"{ARCHITECTURE}: no ```text block under '### Inside presentation'"
    ranks = []
    for line in block.group(1).splitlines():
        number, *entries = line.split()
        assert int(number) == len(ranks), f"{ARCHITECTURE}: rank {line!r} out of order"
        ranks.append(set(entries))
    return ranks


def _module_name(path: Path) -> str:
    parts = path.relative_to(PKG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def _layer_of(module: str, layers: list[tuple[str, set[str]]]) -> int:
    """The rank of a module's layer; KeyError for a module the declared order does not place."""
    parts = module.split(".")[1:] or ["__init__"]
    for rank, (name, files) in enumerate(layers):
        if (len(parts) == 1 and parts[0] in files) or parts[0] == name:
            return rank
    raise KeyError(module)


def _in_layers(layers: list[tuple[str, set[str]]]):
    """A module's place in the layer order: (rank, the layer's name)."""
    def place(module: str) -> tuple[int, str]:
        rank = _layer_of(module, layers)
        return rank, layers[rank][0]
    return place


def _in_presentation(ranks: list[set[str]]):
    """A presentation module's place in the order inside presentation: (rank, what the rank holds);
    None for a module outside presentation. KeyError for one the declared order does not place."""
    def place(module: str) -> tuple[int, str] | None:
        if module != PRESENTATION and not module.startswith(PRESENTATION + "."):
            return None
        parts = module.split(".")[2:]
        if not parts:
            entry = "__init__.py"
        elif len(parts) > 1 or (PKG / "presentation" / parts[0]).is_dir():
            entry = parts[0] + "/"
        else:
            entry = parts[0] + ".py"
        for rank, entries in enumerate(ranks):
            if entry in entries:
                return rank, " ".join(sorted(entries))
        raise KeyError(module)
    return place


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


def _package_imports(module: str, path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import of a sdrapport module in a file. `from a import b` imports
    module a.b when that is a module (`from sdrapport import periods`), else module a itself (the
    package face for `from sdrapport import __version__`); relative imports are resolved."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                package = package[:len(package) - node.level + 1]
                base = ".".join(package + ([node.module] if node.module else []))
            out += [(node.lineno, f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base) for a in node.names]
    return [(line, name) for line, name in out if name == "sdrapport" or name.startswith("sdrapport.")]


def _graph() -> dict[str, list[tuple[int, str]]]:
    return {module: _package_imports(module, path) for module, path in MODULES.items()}


def _layer_files(layer: str) -> list[Path]:
    return sorted((PKG / layer).rglob("*.py"))


def test_every_module_sits_in_a_declared_layer():
    layers = _declared_layers()
    unplaced = []
    for module in MODULES:
        try:
            _layer_of(module, layers)
        except KeyError:
            unplaced.append(module)
    assert not unplaced, f"modules without a layer in {ARCHITECTURE.name} (## Layer order): {unplaced}"
    # Every declared root module exists, and every subpackage is a layer.
    declared = {f for _, files in layers for f in files}
    assert declared == {p.stem for p in PKG.glob("*.py")}
    assert {n for n, files in layers if not files} == {p.name for p in PKG.iterdir() if (p / "__init__.py").exists()}


def _climbing(graph: dict[str, list[tuple[int, str]]], place, where=lambda m: m) -> list[str]:
    """Every import of a module placed higher than the importing one (`place`: a module's (rank, name),
    None for a module the order does not speak of), as 'file:line imports module (its place, above own)'."""
    out = []
    for module, imports in graph.items():
        own = place(module)
        for line, target in imports:
            there = place(target)
            if own and there and there[0] > own[0]:
                out.append(f"{where(module)}:{line} imports {target} ({there[1]}, above {own[1]})")
    return out


def _cycles(graph: dict[str, list[tuple[int, str]]]) -> list[str]:
    """Every circle of imports found by a depth-first walk, as 'a -> b -> a'."""
    targets = {m: sorted({t for _, t in imports if t in graph and t != m}) for m, imports in graph.items()}
    found, done = [], set()

    def visit(module, path):
        if module in path:
            found.append(" -> ".join(path[path.index(module):] + [module]))
        elif module not in done:
            for target in targets[module]:
                visit(target, path + [module])
            done.add(module)

    for module in sorted(targets):
        visit(module, [])
    return found


def test_no_module_imports_a_higher_layer():
    climbing = _climbing(_graph(), _in_layers(_declared_layers()), where=lambda m: MODULES[m].relative_to(REPO))
    assert not climbing, "imports against the layer order of docs/architecture.md:\n" + "\n".join(climbing)


def test_every_presentation_module_sits_in_a_declared_rank():
    ranks = _declared_inside_presentation()
    entries = {p.name + ("/" if p.is_dir() else "") for p in (PKG / "presentation").iterdir()
               if p.suffix == ".py" or (p / "__init__.py").exists()}
    declared = [e for rank in ranks for e in rank]
    assert sorted(declared) == sorted(entries), f"{ARCHITECTURE.name} (### Inside presentation) declares {declared}, presentation holds {entries}"


def test_no_presentation_module_imports_a_higher_rank():
    climbing = _climbing(_graph(), _in_presentation(_declared_inside_presentation()), where=lambda m: MODULES[m].relative_to(REPO))
    assert not climbing, "imports against the order inside presentation of docs/architecture.md:\n" + "\n".join(climbing)


def test_no_import_cycle():
    cycles = _cycles(_graph())
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_the_checks_name_a_climbing_import_and_a_cycle():
    """The two checks can fail: an indicator importing presentation inside a function, and two
    modules importing each other, are found and named."""
    graph = {"sdrapport.indicators.a": [(12, "sdrapport.presentation.text.formatting")],
             "sdrapport.presentation.text.formatting": [(3, "sdrapport.presentation.b")],
             "sdrapport.presentation.b": [(7, "sdrapport.presentation.text.formatting"), (8, "sdrapport.periods")],
             "sdrapport.periods": []}
    assert _climbing(graph, _in_layers(_declared_layers())) == [
        "sdrapport.indicators.a:12 imports sdrapport.presentation.text.formatting (presentation, above indicators)"]
    assert _cycles(graph) == ["sdrapport.presentation.text.formatting -> sdrapport.presentation.b -> sdrapport.presentation.text.formatting"]
    # Inside presentation: an element importing a report type, the package face importing the Rapport.
    graph = {"sdrapport.presentation.elements.a": [(5, "sdrapport.presentation.reports.b"), (6, "sdrapport.periods")],
             "sdrapport.presentation": [(2, "sdrapport.presentation.report")],
             "sdrapport.presentation.reports.b": [(9, "sdrapport.presentation.elements.a")]}
    assert _climbing(graph, _in_presentation(_declared_inside_presentation())) == [
        "sdrapport.presentation.elements.a:5 imports sdrapport.presentation.reports.b (output/ reports/, above elements/ report.py)",
        "sdrapport.presentation:2 imports sdrapport.presentation.report (elements/ report.py, above __init__.py text/)"]


def test_imports_are_resolved_as_python_does():
    imports = dict(_package_imports("sdrapport.store.database", MODULES["sdrapport.store.database"]))
    assert "sdrapport.periods" in imports.values()  # from sdrapport import periods: the module, not the face
    assert "sdrapport" not in imports.values()


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
    from sdrapport.inputs.profiles import Profile

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
    with open(copy / "presentation" / "elements" / "charts.py", "a", encoding="utf-8") as fh:
        fh.write("\n# another chart\n")
    assert library_hash(notebooks=True, root=copy) != before[0]
