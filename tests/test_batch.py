"""Batch runs: warm kernels without leaks, skip when unchanged, failure isolation, resume after a
kill, and a run through a local Dask cluster. Real papermill executions on copies of the project."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager

import nbformat
import papermill as pm
import pytest

from sdrapport.pipeline import build_batch
from sdrapport.runner.batch import FAILED, OK, REFUSED, SKIPPED, plan
from sdrapport.runner.kernels import ENGINE, WarmKernel
from sdrapport.periods import Period
from sdrapport.inputs.profiles import load_profile
from sdrapport.publisher.check import check_project
from sdrapport.store.database import VALIDATED, ensure_store
from tests.conftest import copy_project

H2 = Period.parse("2023-H2")


def _notebook(path, *cells):
    """A notebook with the project's parameters cell, then the given code cells."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('gemeente = "GM0505"\nperiode = "2023-H2"\nrapport = "monitor"\nproject = None\nuitvoer = None')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("## Test"), params, *(nbformat.v4.new_code_cell(c) for c in cells)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def _profile(project, naam, notebooks):
    (project.params / "rapporten" / f"{naam}.yml").write_text(
        f"titel: Test {naam}\nnotebooks:\n" + "".join(f"  - {nb}\n" for nb in notebooks), encoding="utf-8")


def _sdrapport(*args, project, **kw):
    env = dict(os.environ, COLUMNS="250")
    return subprocess.Popen([sys.executable, "-m", "sdrapport.cli", *args, "--project", str(project.root)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, **kw)


def _plus_five(demo_csv: bytes, prefix: str) -> bytes:
    """The demo observations with 5 added to the value of the first row that starts with prefix:
    one corrected figure of one gemeente."""
    lines = demo_csv.decode("utf-8").split("\n")
    row = next(i for i, line in enumerate(lines) if line.startswith(prefix))
    cells = lines[row].split(",")
    waarde = lines[0].split(",").index("waarde")
    cells[waarde] = str(int(cells[waarde]) + 5)
    lines[row] = ",".join(cells)
    return "\n".join(lines).encode("utf-8")


@contextmanager
def _restored(proj, *paths):
    """The block may change the given files or folders and rebuild the store; afterwards they hold
    their own bytes again and the store (with its validated copies) is the one built from them, put
    back as it was rather than built a third time. The tests of this module share one project."""
    kept = proj.store.parent / "bewaard"
    shutil.rmtree(kept, ignore_errors=True)
    kept.mkdir()
    originals = {}
    for i, path in enumerate(paths):
        if path.is_dir():
            shutil.copytree(path, kept / f"map-{i}", symlinks=True)
        else:
            originals[path] = path.read_bytes() if path.exists() else None
    shutil.copy2(proj.store, kept / proj.store.name)
    if (proj.store.parent / VALIDATED).is_dir():
        shutil.copytree(proj.store.parent / VALIDATED, kept / VALIDATED)
    try:
        yield
    finally:
        for path, data in originals.items():
            if data is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(data)
        for i, path in enumerate(paths):
            if (kept / f"map-{i}").is_dir():
                shutil.rmtree(path)
                os.replace(kept / f"map-{i}", path)
        os.replace(kept / proj.store.name, proj.store)
        shutil.rmtree(proj.store.parent / VALIDATED, ignore_errors=True)
        if (kept / VALIDATED).is_dir():
            os.replace(kept / VALIDATED, proj.store.parent / VALIDATED)
        shutil.rmtree(kept)
    assert not ensure_store(proj.data, proj.store)  # the store put back is the one of the files put back


def test_bad_batch_input_is_refused_clearly(demo_project):
    # Four real CLI calls, started together: each is refused on its own (the Dask one waits for its
    # connection to fail, the others need the interpreter's start only).
    calls = {
        "gemeente 'GM9999' staat niet in data/gemeenten.csv": ("--gemeenten", "GM0505,GM9999", "--perioden", "2023-H2"),
        "'2023-H3' is geen geldige periode": ("--gemeenten", "GM0505", "--perioden", "2023-H2,2023-H3"),
        "rapport 'dashboard' is voor een kwartaal": ("--gemeenten", "GM0505", "--perioden", "2023-H2", "--rapport", "dashboard"),
        "Dask-scheduler tcp://127.0.0.1:9 is niet bereikbaar": ("--gemeenten", "GM0505", "--perioden", "2023-H2",
                                                               "--dask", "tcp://127.0.0.1:9"),
    }
    procs = {message: _sdrapport("batch", *args, project=demo_project) for message, args in calls.items()}
    for message, proc in procs.items():
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 2 and message in err, (message, err)


# -- warm kernel ------------------------------------------------------------------------------------

def test_warm_kernel_runs_papermill_notebooks_in_one_kernel_without_leaking_state(tmp_path):
    _notebook(tmp_path / "zet.ipynb",
              "import os, matplotlib, seaborn as sns\nimport matplotlib.pyplot as plt\n"
              "geheim = gemeente\nsns.set_theme(style='darkgrid')\nmatplotlib.rcParams['lines.linewidth'] = 9\n"
              "plt.figure()\nos.environ['SDR_TEST_LEK'] = '1'\nos.chdir('/')\nprint(os.getpid())")
    _notebook(tmp_path / "lees.ipynb",
              "import os, matplotlib\nimport matplotlib.pyplot as plt\n"
              "assert 'geheim' not in globals(), 'variabele van het vorige notebook zichtbaar'\n"
              "assert 'sns' not in globals()\n"
              "assert matplotlib.rcParams['lines.linewidth'] != 9\n"
              "assert matplotlib.rcParams['axes.facecolor'] != '#EAEAF2'  # seaborn's darkgrid is gone\n"
              "assert plt.get_fignums() == []\n"
              "assert 'SDR_TEST_LEK' not in os.environ\n"
              f"assert os.getcwd() == {str(tmp_path)!r}, os.getcwd()\n"
              "print(gemeente, os.getpid())")
    kernel = WarmKernel(tmp_path)
    kernel.start()
    try:
        out1 = pm.execute_notebook(str(tmp_path / "zet.ipynb"), str(tmp_path / "zet.out.ipynb"), parameters={"gemeente": "GM0505"},
                                   engine_name=ENGINE, warm=kernel, kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
        out2 = pm.execute_notebook(str(tmp_path / "lees.ipynb"), str(tmp_path / "lees.out.ipynb"), parameters={"gemeente": "GM0402"},
                                   engine_name=ENGINE, warm=kernel, kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
    finally:
        kernel.shutdown()
    pid1 = out1.cells[-1].outputs[0]["text"].split()[-1]
    gemeente2, pid2 = out2.cells[-1].outputs[0]["text"].split()
    assert pid1 == pid2  # the same kernel process ran both: it was reused, not restarted
    assert gemeente2 == "GM0402"
    # Still real papermill outputs: injected parameters, papermill metadata, counts from 1.
    written = nbformat.read(tmp_path / "lees.out.ipynb", as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in written.cells)
    assert written.metadata.papermill["parameters"] == {"gemeente": "GM0402"}
    assert [c.execution_count for c in written.cells if c.cell_type == "code"] == [1, 2, 3]


# -- incremental ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A project with a two-notebook profile 'klein', built once for GM0505 and GM0402."""
    proj = copy_project(tmp_path_factory.mktemp("batch") / "project")
    _profile(proj, "klein", ["01_uitgangspositie.ipynb", "07_financien.ipynb"])
    # A kernel used in this (main) thread first leaves jupyter_core's event loop in the context
    # that Dask copies into the in-process worker threads: the batch must still give each worker
    # its own loop (both workers once shared this one and failed with "already running").
    kernel = WarmKernel(proj.notebooks)
    kernel.start()
    kernel.shutdown()
    first = build_batch(proj, ["GM0505", "GM0402"], [H2], "klein", workers=2)
    return proj, first


def test_batch_builds_every_item_with_pages_manifest_and_period_listing(small):
    proj, first = small
    assert first.ok and first.count(OK) == 4 and first.workers == 2
    for gem in ("GM0505", "GM0402"):
        outdir = proj.report_dir("2023-H2", gem, "klein")
        assert (outdir / "index.qmd").exists() and (outdir / "01_uitgangspositie.ipynb").exists()
        nb = nbformat.read(outdir / "07_financien.ipynb", as_version=4)
        assert nb.metadata.papermill["parameters"]["gemeente"] == gem
        assert nb.metadata.sdrapport["batch"] == first.id
        page = (outdir / "index.qmd").read_text(encoding="utf-8")
        assert f"gemaakt in batch {first.id}" in page and "- Gegevensstand: vingerafdruk" in page
    manifest = json.loads(first.manifest.read_text(encoding="utf-8"))
    assert manifest["summary"] == {"items": 4, OK: 4, SKIPPED: 0, FAILED: 0, REFUSED: 0, "pages": 2}
    item = manifest["items"][0]
    assert item["inputs"]["parameters"] == {"gemeente": item["gemeente"], "periode": "2023-H2", "rapport": "klein"}
    assert len(item["key"]) == 64 and item["seconds"] > 0 and item["kernel_seconds"] > 0
    assert manifest["packages"]["papermill"] and manifest["packages"]["distributed"] and manifest["code_version"]
    assert manifest["data"]["fingerprint"] and manifest["data"]["laatste_periode"]
    listing = (proj.reports / "2023-H2" / "index.qmd").read_text(encoding="utf-8")
    assert "contents: '*/*/index.qmd'" in listing and "filter-ui" in listing and "grootteklasse" in listing
    assert "(reports/2023-H2/index.qmd)" in (proj.root / "index.qmd").read_text(encoding="utf-8")
    assert check_project(proj) == []


def test_second_run_without_changes_does_no_notebook_work(small):
    proj, first = small
    outdir = proj.report_dir("2023-H2", "GM0505", "klein")
    before = {p.name: p.stat().st_mtime_ns for p in outdir.glob("*.ipynb")}
    again = build_batch(proj, ["GM0505", "GM0402"], [H2], "klein", workers=2)
    assert again.count(SKIPPED) == 4 and again.count(OK) == 0
    assert again.workers == 0  # nothing to do: no cluster was even started
    assert {p.name: p.stat().st_mtime_ns for p in outdir.glob("*.ipynb")} == before


def test_only_what_changed_is_redone(small):
    proj, _ = small
    nb_path = proj.notebooks / "07_financien.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("Een extra alinea."))
    nbformat.write(nb, nb_path)
    (proj.params / "toelichting" / "GM0402.yml").write_text("01_uitgangspositie: Nieuwe toelichting van Apeldoorn.\n", encoding="utf-8")
    res = build_batch(proj, ["GM0505", "GM0402"], [H2], "klein", workers=2)
    done = {(i.gemeente, i.notebook): i.outcome for i in res.items}
    assert done == {("GM0505", "01_uitgangspositie.ipynb"): SKIPPED, ("GM0505", "07_financien.ipynb"): OK,
                    ("GM0402", "01_uitgangspositie.ipynb"): SKIPPED, ("GM0402", "07_financien.ipynb"): OK}
    page = (proj.report_dir("2023-H2", "GM0402", "klein") / "index.qmd").read_text(encoding="utf-8")
    assert "Nieuwe toelichting van Apeldoorn." in page and "Een extra alinea." in page


def test_keys_change_with_data_params_and_library_inputs(small):
    proj, _ = small
    base = {(i.gemeente, i.notebook): i.key for i in plan(proj, ["GM0505"], [H2], "klein").items}
    assert base == {(i.gemeente, i.notebook): i.key for i in plan(proj, ["GM0505"], [H2], "klein").items}
    other_period = plan(proj, ["GM0505"], [Period.parse("2023-H1")], "klein").items
    assert not set(base.values()) & {i.key for i in other_period}
    doelen = proj.params / "doelen.yml"
    original = doelen.read_bytes()
    doelen.write_bytes(original + b"\n# gewijzigd\n")
    try:
        changed = plan(proj, ["GM0505"], [H2], "klein")
        assert not set(base.values()) & {i.key for i in changed.items} and len(changed.todo) == 1
    finally:
        doelen.write_bytes(original)
    gemeenten = proj.data / "gemeenten.csv"
    original = gemeenten.read_bytes()
    gemeenten.write_bytes(original.replace(b"Dordrecht", b"Dordrecht-Test"))
    try:
        assert not set(base.values()) & {i.key for i in plan(proj, ["GM0505"], [H2], "klein").items}
    finally:
        gemeenten.write_bytes(original)


# A changed figure of Hilversum (GM0402): its schuldhulp_huishoudens of 2023-H2, on no map. Hilversum
# and Hengelo (GM0164) share a size class; Dordrecht (GM0505) is in another, but Hilversum is its most
# similar gemeente (data/profiel/kwb-2024.csv); Groningen (GM0014) is in neither group.
CODES = ["GM0505", "GM0402", "GM0164", "GM0014"]
LANDELIJK = ["05_schuldhulp_minima.ipynb", "02_wmo.ipynb", "14_kaarten.ipynb"]


def _keys(proj, rapport):
    return {(i.gemeente, i.notebook): i.key for i in plan(proj, CODES, [H2], rapport).items}


def _changed(before, after):
    """Per notebook, the gemeenten whose key changed."""
    out = {}
    for (g, nb), key in after.items():
        if before[(g, nb)] != key:
            out.setdefault(nb, set()).add(g)
    return out


@pytest.fixture(scope="module")
def hilversum_figure(small):
    """The keys of the profiles 'klein' and 'landelijk' before and after the changed figure of
    Hilversum (one store rebuild, shared by the tests that read it; the store is put back after)."""
    proj, _ = small
    _profile(proj, "landelijk", LANDELIJK)
    ensure_store(proj.data, proj.store)
    before = {r: _keys(proj, r) for r in ("klein", "landelijk")}
    demo = proj.data / "observaties" / "demo.csv"
    with _restored(proj, demo):
        demo.write_bytes(_plus_five(demo.read_bytes(), "GM0402,2023-H2,schuldhulp_huishoudens,,,,,"))
        assert ensure_store(proj.data, proj.store)
        after = {r: _keys(proj, r) for r in ("klein", "landelijk")}
    assert {r: _keys(proj, r) for r in ("klein", "landelijk")} == before  # and back again
    return before, after


def test_a_change_in_one_gemeentes_figures_reruns_its_reference_group_only(hilversum_figure):
    """A changed figure of Hilversum changes the keys of Hilversum's and Hengelo's reports (Hengelo
    shows the group average), not Dordrecht's nor Groningen's."""
    before, after = hilversum_figure
    changed = {g for (g, nb), key in after["klein"].items() if before["klein"][(g, nb)] != key}
    assert changed == {"GM0402", "GM0164"}


# -- failure isolation, retry, resume, Dask -------------------------------------------------------

def test_one_broken_gemeente_fails_alone_with_a_table_and_no_page(small):
    project, _ = small
    # The two notebooks and the profile stay in the shared project: its pages name the profile.
    _notebook(project.notebooks / "98_kapot.ipynb",
              "#| label: txt-controle\nif gemeente == 'GM0402':\n    raise ValueError('kapot voor de test')\nprint('ok')")
    # Kills its own kernel the first time it runs (per gemeente): a transient kernel death.
    _notebook(project.notebooks / "97_sterft.ipynb",
              "import os, pathlib\nflag = pathlib.Path(project) / 'reports' / f'gestorven-{gemeente}'\n"
              "if not flag.exists():\n    flag.touch()\n    os._exit(1)\nprint('overleefd')")
    _profile(project, "test", ["07_financien.ipynb", "97_sterft.ipynb", "98_kapot.ipynb"])
    proc = _sdrapport("batch", "--gemeenten", "GM0505,GM0402", "--perioden", "2023-H2", "--rapport", "test",
                      "--workers", "2", project=project)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 1, err
    assert "Mislukte items" in err
    row = next(line for line in err.splitlines() if "GM0402" in line and "98_kapot.ipynb" in line)
    assert "2023-H2" in row and "3 (txt-controle)" in row and "ValueError: kapot voor de test" in row
    assert "GM0505" not in "".join(line for line in err.splitlines() if "98_kapot" in line)
    assert (project.report_dir("2023-H2", "GM0505", "test") / "index.qmd").exists()
    assert (project.report_dir("2023-H2", "GM0505", "test") / "data" / "GM0505-2023-H2-test.xlsx").exists()
    broken = project.report_dir("2023-H2", "GM0402", "test")
    assert not (broken / "index.qmd").exists()  # no half page
    assert not list((broken / "data").glob("*.xlsx"))  # and no workbook
    assert (broken / "98_kapot.mislukt.ipynb").exists() and (broken / "07_financien.ipynb").exists()
    assert "GM0402" not in "".join(p.read_text(encoding="utf-8") for p in project.reports.glob("*/*/test/index.qmd"))
    manifest = json.loads(sorted((project.reports / "batches").glob("*.json"))[-1].read_text(encoding="utf-8"))
    assert manifest["summary"][FAILED] == 1 and manifest["summary"]["pages"] == 1
    assert manifest["failures"] == [{"gemeente": "GM0402", "periode": "2023-H2", "notebook": "98_kapot.ipynb",
                                     "cel": "3 (txt-controle)", "fout": "ValueError: kapot voor de test"}]
    died = [i for i in manifest["items"] if i["notebook"] == "97_sterft.ipynb"]
    assert [(i["outcome"], i["retries"]) for i in died] == [(OK, 1)] * 2  # the dead kernel was retried once
    assert check_project(project) == []


def test_a_killed_batch_resumes_where_it_stopped(small):
    project, _ = small
    _profile(project, "hervat", ["01_uitgangspositie.ipynb", "07_financien.ipynb"])
    codes = ["GM0505", "GM0402", "GM0164"]
    proc = _sdrapport("batch", "--gemeenten", ",".join(codes), "--perioden", "2023-H2", "--rapport", "hervat",
                      "--workers", "2", "--quiet", "--geen-site", project=project, start_new_session=True)
    deadline = time.monotonic() + 300
    while not list(project.reports.glob("2023-H2/*/hervat/.batch/*.json")):
        assert proc.poll() is None and time.monotonic() < deadline, "batch ended before it could be killed"
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole batch: parent, Dask workers (kernels exit with them)
    proc.communicate()
    time.sleep(1)
    finished = {p: p.stat().st_mtime_ns for p in project.reports.glob("2023-H2/*/hervat/.batch/*.json")}
    items = len(codes) * len(load_profile(project, "hervat").notebooks)
    assert 0 < len(finished) < items
    res = build_batch(project, codes, [H2], "hervat", workers=2)
    assert res.ok and res.count(SKIPPED) == len(finished) and res.count(OK) == items - len(finished)
    assert {p: p.stat().st_mtime_ns for p in finished} == finished  # finished items were not redone
    assert all((project.report_dir("2023-H2", g, "hervat") / "index.qmd").exists() for g in codes)
    assert not list(project.reports.glob("2023-H2/*/hervat/.*.bezig-*.ipynb"))  # no half-written leftovers


def test_batch_runs_on_a_dask_cluster_given_its_address(small):
    from distributed import LocalCluster

    project, _ = small
    _profile(project, "dask", ["07_financien.ipynb"])
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        res = build_batch(project, ["GM0505", "GM0402"], [H2], "dask", dask=cluster.scheduler_address)
    assert res.ok and res.count(OK) == 2 and res.workers == 2
    manifest = json.loads(res.manifest.read_text(encoding="utf-8"))
    assert manifest["executor"]["dask"].startswith("tcp://")
    for gem in ("GM0505", "GM0402"):
        assert (project.report_dir("2023-H2", gem, "dask") / "index.qmd").exists()


def test_warm_process_cache_of_the_reference_group_is_per_copy_and_follows_the_store(small):
    from sdrapport.presentation import report

    project, _ = small
    a = report.Rapport("GM0505", "2023-H2", project=project.root)
    b = report.Rapport("GM0153", "2023-H2", project=project.root)  # same size class: served from the cache
    assert a.grootteklasse == b.grootteklasse and len(report._GROUP_CACHE) == 1
    assert set(b._eigen["gemeente"]) == {"GM0153"} and set(a._eigen["gemeente"]) == {"GM0505"}
    b.obs["waarde"] = -1.0  # a notebook that changes its frame changes only its own copy
    c = report.Rapport("GM0505", "2023-H2", project=project.root)
    # Series.equals: '?' and '-' values are NaN in both frames, at the same places.
    assert c.obs["waarde"].equals(a.obs["waarde"]) and (c.obs["waarde"] != -1.0).any()
    before = next(iter(report._GROUP_CACHE))
    gemeenten = project.data / "gemeenten.csv"
    with _restored(project, project.data):  # the whole folder: the demo is made again for a changed registry
        gemeenten.write_text(gemeenten.read_text(encoding="utf-8").replace("Dordrecht", "Dordrecht-Test"), encoding="utf-8")
        d = report.Rapport("GM0505", "2023-H2", project=project.root)  # data changed: store rebuilt, cache re-read
        assert d.naam == "Dordrecht-Test" and next(iter(report._GROUP_CACHE)) != before


def test_opvallend_is_redone_when_a_notebook_it_links_to_changes(small):
    """13_opvallend links to the labels of the report's other notebooks and takes its figures from
    them (it calls components.opvallend), so its key covers them; the other items keep their keys."""
    project, _ = small
    ensure_store(project.data, project.store)
    keys = lambda: {i.notebook: i.key for i in plan(project, ["GM0505"], [H2], "monitor").items}  # noqa: E731
    before = keys()
    wmo = project.notebooks / "02_wmo.ipynb"
    with _restored(project, wmo):
        nb = nbformat.read(wmo, as_version=4)
        nb.cells.append(nbformat.v4.new_markdown_cell("Een nieuwe alinea."))
        nbformat.write(nb, wmo)
        after = keys()
    changed = {n for n in before if before[n] != after[n]}
    assert changed == {"13_opvallend.ipynb", "02_wmo.ipynb"}


def test_a_change_in_one_gemeentes_figures_reruns_the_maps_of_all_and_the_tables_that_show_it(small, hilversum_figure):
    """A changed figure of Hilversum (GM0402): the plain chapter reruns for Hilversum and Hengelo
    (same size class) only; the chapter with a similar-gemeenten table also for Dordrecht, whose most
    similar gemeente Hilversum is (data/profiel/kwb-2024.csv), though in another size class; the
    maps for every gemeente, Groningen too, when the figure is mapped (a map's classes depend on all
    gemeenten), else like a plain chapter. A changed boundary file reruns the maps only, a changed
    profile the similar-gemeenten tables only."""
    from sdrapport.indicators.similar import stored_neighbours
    import duckdb

    proj, _ = small
    ensure_store(proj.data, proj.store)
    con = duckdb.connect(str(proj.store), read_only=True)
    try:
        _, buren = stored_neighbours(con, H2)
    finally:
        con.close()
    assert buren["GM0505"][0] == ("GM0402", "Hilversum") and not {"GM0402", "GM0164"} & {c for c, _ in buren["GM0014"]}

    plain = {"GM0402", "GM0164"}
    # Hilversum's schuldhulp_huishoudens is on no map (the module's shared change).
    before, after = hilversum_figure
    before = before["landelijk"]
    assert _changed(before, after["landelijk"]) == {"05_schuldhulp_minima.ipynb": plain, "02_wmo.ipynb": plain | {"GM0505"},
                                                    "14_kaarten.ipynb": plain}
    assert _keys(proj, "landelijk") == before
    # Hengelo's wmo_clienten (same size class, no one's similar gemeente here) is the teller of a mapped figure.
    demo = proj.data / "observaties" / "demo.csv"
    with _restored(proj, demo):
        demo.write_bytes(_plus_five(demo.read_bytes(), "GM0164,2023-H2,wmo_clienten,,,,,"))
        assert ensure_store(proj.data, proj.store)
        assert _changed(before, _keys(proj, "landelijk")) == {"05_schuldhulp_minima.ipynb": plain, "02_wmo.ipynb": plain,
                                                              "14_kaarten.ipynb": set(CODES)}
    assert _keys(proj, "landelijk") == before
    for folder, notebook in (("kaart", "14_kaarten.ipynb"), ("profiel", "02_wmo.ipynb")):
        path = sorted((proj.data / folder).iterdir())[-1]
        with _restored(proj, path):
            path.write_bytes(path.read_bytes().replace(b"Dordrecht", b"Dordrecht "))  # a name in the file, not a figure
            assert ensure_store(proj.data, proj.store)
            assert _changed(before, _keys(proj, "landelijk")) == {notebook: set(CODES)}
    assert _keys(proj, "landelijk") == before
