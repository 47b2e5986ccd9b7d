"""Batch runs: many gemeenten and periods, in parallel, incremental, resumable, distributable.

A batch is a list of reports (gemeente x periode x rapport); a report is a list of items, one per
notebook. The parent process plans: it builds the store once, computes every item's input key and
skips what is unchanged. The remaining reports go to Dask workers, one report per task: by default
a LocalCluster of one worker thread per core inside this process (each thread drives its own
kernel process, so the notebooks run in parallel without a worker process per core), or an
existing cluster (`dask=tcp://host:8786`). A worker executes the notebooks of its report with
papermill in its thread's warm kernel (kernels.py), writes run.json and the page, and returns the
results; the parent gathers them as they complete, then writes the batch manifest and the site
pages.

Incremental and resumable: an item's key is a SHA-256 over everything it depends on (notebook
source, parameters, the data fingerprint, the library source and version, the report profile and
the params files the notebooks read). After a notebook succeeded, its key is written beside it in
`.batch/<notebook stem>.json`; an item whose recorded key matches and whose executed notebook
exists is skipped. A killed batch leaves every finished notebook recorded, so the next run redoes
only the rest.
"""
from __future__ import annotations

import contextvars
import hashlib
import json
import logging
import os
import platform
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from sdrapport.version import __version__
from sdrapport.atomic import write_json
from sdrapport.periods import Period
from sdrapport.project import Project

SIDECAR = ".batch"
OK, SKIPPED, FAILED, REFUSED = "ok", "overgeslagen", "mislukt", "geweigerd"
BATCH_PACKAGES = ("pandas", "duckdb", "papermill", "nbclient", "jupyter_client", "ipykernel", "seaborn", "matplotlib",
                  "babel", "pandera", "nbformat", "dask", "distributed")


# -- planning ---------------------------------------------------------------------------------------

def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# The code above the notebooks: the publisher writes pages from executed reports; the pipeline and
# the command line compose runner and publisher. No notebook imports it (tests/test_layers.py), so a
# change there runs no notebook again: it restyles the pages only.
ABOVE_NOTEBOOKS = ("publisher/", "cli.py", "pipeline.py")


def library_hash(*, notebooks: bool = False, root: Path | None = None) -> str:
    """Hash of the installed library's source (every .py and .yml of the package) and version.
    notebooks=True: only the code a notebook can run (every layer up to the runner), the key of
    executed notebooks."""
    root = root or Path(__file__).resolve().parents[1]  # the sdrapport package, all layers
    h = hashlib.sha256(f"sdrapport={__version__}\n".encode())
    for path in sorted([*root.rglob("*.py"), *root.rglob("*.yml")]):
        rel = path.relative_to(root).as_posix()
        if notebooks and rel.startswith(ABOVE_NOTEBOOKS):
            continue
        h.update(rel.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


# The gemeente's own params files that notebooks read (the toelichting only affects the page).
OWN_PARAMS = ("jaarverslag", "monitor", "dashboard", "factsheet")


def _params_files(project: Project, gemeente: str) -> list[Path]:
    """The params files a notebook of this gemeente can read (toelichting only affects the page)."""
    p = project.params
    files = [*sorted(p.glob("*.yml")), *sorted((p / "cbs").glob("*.yml"))]
    own = [p / folder / f"{gemeente}.yml" for folder in OWN_PARAMS]
    return files + [f for f in own if f.exists()]


@dataclass
class Item:
    gemeente: str
    periode: str
    rapport: str
    notebook: str
    key: str
    inputs: dict  # the hashes the key is made of, for the manifest
    outcome: str = ""
    seconds: float = 0.0
    kernel_seconds: float = 0.0
    retries: int = 0
    error: str | None = None
    cell: int | None = None
    label: str | None = None
    output: str | None = None


@dataclass
class Report:
    """One gemeente x periode x rapport: its items in profile order and the key of its page."""

    gemeente: str
    periode: str
    rapport: str
    items: list[Item]
    page_key: str
    page: bool = False  # a page was written (every notebook succeeded)
    error: str | None = None  # failure outside the notebooks (worker lost, page not written)
    refused: str | None = None  # refused before any notebook ran (a params file, no data): its folder is untouched

    @property
    def ok(self) -> bool:
        return self.error is None and self.refused is None and all(i.outcome in (OK, SKIPPED) for i in self.items)


def item_done(project: Project, item: Item) -> bool:
    """True when the item's recorded key matches and its executed notebook exists."""
    outdir = project.report_dir(item.periode, item.gemeente, item.rapport)
    record = outdir / SIDECAR / f"{Path(item.notebook).stem}.json"
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return data.get("key") == item.key and (outdir / item.notebook).is_file()


def _page_done(project: Project, report: Report) -> bool:
    outdir = project.report_dir(report.periode, report.gemeente, report.rapport)
    try:
        manifest = json.loads((outdir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(manifest.get("pagina")) and (manifest.get("batch") or {}).get("page_key") == report.page_key


@dataclass
class Plan:
    project: Project
    reports: list[Report]
    shared: dict  # hashes common to all items: data, library, profile
    todo: list[Report] = field(default_factory=list)  # reports with work to do

    @property
    def items(self) -> list[Item]:
        return [i for r in self.reports for i in r.items]


def resolve_gemeenten(project: Project, spec: str) -> list[str]:
    """'all' / 'alle', or a comma-separated list of codes, names and provincie:<naam>; an unknown
    one is an error (inputs.registry.select_gemeenten)."""
    import duckdb

    from sdrapport.inputs.registry import select_gemeenten

    con = duckdb.connect(str(project.store), read_only=True)
    try:
        cols = ["code", "naam", "provincie", "statnaam"]
        gemeenten = [dict(zip(cols, r)) for r in con.execute(f"SELECT {', '.join(cols)} FROM gemeenten ORDER BY code").fetchall()]
    finally:
        con.close()
    return select_gemeenten(gemeenten, spec)


def plan(project: Project, gemeenten: list[str], perioden: list[Period], rapport: str = "monitor") -> Plan:
    """Every item of the batch with its key, and which reports have work to do. The store must be
    current (build_batch ensures it)."""
    from sdrapport.inputs.params import check_report_params
    from sdrapport.presentation.elements.signals import notebook_reach
    from sdrapport.inputs.profiles import load_profile
    from sdrapport.runner.run import Coverage, check_period
    from sdrapport.store.database import DataSet, gemeente_hashes

    profile = load_profile(project, rapport)
    for p in perioden:
        check_period(profile, p)
    # Checked before anything runs. A problem in a file every report reads raises (exit 2); a
    # gemeente's own params file (jaarverslag, monitor, toelichting) or a period without its data refuses
    # only that report, named with the file in the failure table, and leaves its folder as it was.
    controle = check_report_params(project, rapport, gemeenten)
    controle.raise_for()
    coverage = Coverage.read(project)
    profile_file = project.params / "rapporten" / f"{rapport}.yml"
    # A notebook is run again when the data it shows changed: the shared inputs, or the rows of its
    # own gemeente or of a gemeente in its reference group (whose averages it shows). A change in
    # one gemeente's figures reruns its reference group's reports, not the country's; only a
    # notebook that reads more (a map: every gemeente; a similar-gemeenten table: the five similar
    # ones) is keyed on more (presentation.elements.signals.notebook_reach).
    reach = {nb: notebook_reach(project.notebooks / nb) for nb in profile.notebooks}
    hashes = gemeente_hashes(project.store)
    data_keys = {(b, k): report_data_keys(project, gemeenten, perioden, b, kaarten=k, hashes=hashes)
                 for b, k in {(r.gegevens, r.kaarten) for r in reach.values()}}
    shared = {
        "data": DataSet(project.data).shared_fingerprint(),
        "library": library_hash(notebooks=True),
        "profile": _sha(profile_file.read_bytes()),
    }
    nb_hashes = {nb: _sha((project.notebooks / nb).read_bytes()) for nb in profile.notebooks}
    # A notebook that reads the report's other notebooks (Opvallend links to their figures and
    # takes its candidates from them) depends on all of them.
    whole = _sha(json.dumps(sorted(nb_hashes.items())).encode())
    common_params = {p: _sha(p.read_bytes()) for p in _params_files(project, "")}
    reports = []
    for periode in perioden:
        for gemeente in gemeenten:
            params_files = dict(common_params)
            for folder in OWN_PARAMS:
                own = project.params / folder / f"{gemeente}.yml"
                if own.exists():
                    params_files[own] = _sha(own.read_bytes())
            params_hash = _sha(json.dumps(sorted((str(k.relative_to(project.root)), v) for k, v in params_files.items())).encode())
            items = []
            for nb in profile.notebooks:
                parameters = {"gemeente": gemeente, "periode": periode.code, "rapport": rapport}
                inputs = {"notebook": nb_hashes[nb], "parameters": parameters, "params_files": params_hash,
                          "gegevens": data_keys[(reach[nb].gegevens, reach[nb].kaarten)].get((periode.code, gemeente), "")}
                if reach[nb].rapport:
                    inputs["rapport_notebooks"] = whole
                key = _sha(json.dumps({**inputs, **shared}, sort_keys=True).encode())
                items.append(Item(gemeente, periode.code, rapport, nb, key, inputs))
            toelichting = project.params / "toelichting" / f"{gemeente}.yml"
            page_key = _sha(json.dumps({"items": [i.key for i in items],
                                        "toelichting": _sha(toelichting.read_bytes()) if toelichting.exists() else None}).encode())
            refused = "; ".join(str(p) for p in controle.per_gemeente.get(gemeente, [])[:3]) or None
            if refused is None:
                reason = coverage.refusal(gemeente, periode)
                refused = reason[:1].upper() + reason[1:] if reason else None
            reports.append(Report(gemeente, periode.code, rapport, items, page_key, refused=refused))
    result = Plan(project, reports, shared)
    for report in reports:
        if report.refused:
            for item in report.items:
                item.outcome, item.error = REFUSED, report.refused
            continue
        done = [item_done(project, i) for i in report.items]
        for item, d in zip(report.items, done):
            item.outcome = SKIPPED if d else ""
        if all(done) and _page_done(project, report):
            report.page = True
        else:
            result.todo.append(report)
    return result


# -- the worker side --------------------------------------------------------------------------------

_WORKER_THREAD = threading.local()


def run_report_items(root: str, report: dict, env: dict, batch_info: dict) -> dict:
    """Worker task: execute the items of one report that are not done, in this thread's warm
    kernel, then write run.json and the page (or remove it when a notebook failed).

    Takes and returns plain dicts, so the task travels to a remote Dask worker unchanged."""
    # Dask runs a task in a copy of the submitting context, and jupyter_core keeps the event loop
    # of its synchronous kernel calls in a context variable: in-process workers would inherit the
    # same loop and both try to run it. Each worker thread runs its tasks in a context of its own,
    # so it has one event loop for the life of its kernel.
    context = getattr(_WORKER_THREAD, "context", None)
    if context is None:
        context = _WORKER_THREAD.context = contextvars.Context()
    return context.run(_run_report_items, root, report, env, batch_info)


def _run_report_items(root: str, report: dict, env: dict, batch_info: dict) -> dict:
    from sdrapport.runner.kernels import KernelStartError, warm_kernel
    from sdrapport.inputs.profiles import load_profile
    from sdrapport.runner.run import NotebookResult, RunResult, execute, write_manifest
    from sdrapport.presentation.output.downloads import label_rows, remove_workbook, write_workbook

    project = Project(Path(root))
    rep = Report(report["gemeente"], report["periode"], report["rapport"], [Item(**i) for i in report["items"]],
                 report["page_key"])
    periode = Period.parse(rep.periode)
    profile = load_profile(project, rep.rapport)
    outdir = project.report_dir(rep.periode, rep.gemeente, rep.rapport)
    outdir.mkdir(parents=True, exist_ok=True)
    for stale in outdir.glob(".*.bezig-*.ipynb"):  # left by a killed earlier batch
        stale.unlink(missing_ok=True)
    run = RunResult(rep.gemeente, periode, rep.rapport, outdir)
    for item in rep.items:
        record = outdir / SIDECAR / f"{Path(item.notebook).stem}.json"
        if item_done(project, item):
            previous = json.loads(record.read_text(encoding="utf-8"))
            item.outcome = SKIPPED
            item.output = str((outdir / item.notebook).relative_to(project.root))
            run.notebooks.append(NotebookResult(item.notebook, True, previous.get("seconds", 0.0), str(outdir / item.notebook)))
            continue
        record.unlink(missing_ok=True)
        result = None
        for attempt in range(2):  # a dead kernel (or a failed kernel start) is retried once
            try:
                kernel = warm_kernel(project.notebooks, tag=batch_info.get("library", ""))
                result = execute(project, item.notebook, rep.gemeente, periode, outdir, rep.rapport, kernel=kernel,
                                 metadata={"batch": batch_info.get("id"), "key": item.key})
            except KernelStartError as exc:
                result = NotebookResult(item.notebook, False, 0.0, str(outdir / item.notebook), f"KernelStartError: {exc}",
                                        kernel_died=True)
            if result.ok or not result.kernel_died:
                break
            item.retries += 1
            if attempt == 0:
                kernel_restart(project.notebooks, batch_info.get("library", ""))
        item.seconds, item.kernel_seconds = round(result.seconds, 3), round(result.kernel_seconds, 3)
        item.outcome = OK if result.ok else FAILED
        item.error, item.cell, item.label = result.error, result.cell, result.label
        item.output = os.path.relpath(result.output, project.root)
        run.notebooks.append(result)
        if result.ok:
            write_json(record, {"key": item.key, "batch": batch_info.get("id"), "seconds": item.seconds,
                                 "kernel_seconds": item.kernel_seconds, "inputs": item.inputs})
    extra = {"batch": {**batch_info, "page_key": rep.page_key if run.ok else None,
                       "items": {i.notebook: {"key": i.key, "outcome": i.outcome} for i in rep.items}}}
    try:
        write_manifest(project, run, profile, env=env, extra=extra)
        if run.ok:
            label_rows(outdir)  # gemeente and period on every row of every CSV
            write_workbook(outdir)
            rep.page = True  # publishable: the publisher writes its page after the batch
        else:
            remove_workbook(outdir)  # a gemeente with a failed chapter gets no (half) page
    except Exception as exc:  # noqa: BLE001 - the notebooks are done; report the problem, keep going
        remove_workbook(outdir)
        rep.error = f"{type(exc).__name__}: {exc}"
        rep.page = False
    return _report_dict(rep)


def kernel_restart(cwd: Path, tag: str) -> None:
    from sdrapport.runner.kernels import KernelStartError, warm_kernel

    try:
        warm_kernel(cwd, tag=tag).restart()
    except KernelStartError:
        pass  # the retry reports the start failure


def _report_dict(rep: Report) -> dict:
    return {"gemeente": rep.gemeente, "periode": rep.periode, "rapport": rep.rapport, "page_key": rep.page_key,
            "page": rep.page, "error": rep.error, "items": [asdict(i) for i in rep.items]}


# -- the parent side --------------------------------------------------------------------------------

@dataclass
class BatchResult:
    id: str
    plan: Plan
    reports: list[Report]
    manifest: Path
    wall_seconds: float
    workers: int

    @property
    def items(self) -> list[Item]:
        return [i for r in self.reports for i in r.items]

    def count(self, outcome: str) -> int:
        return sum(1 for i in self.items if i.outcome == outcome)

    def failures(self) -> list[dict]:
        """One row per failed item (and per report that failed outside its notebooks)."""
        rows = []
        for r in self.reports:
            for i in r.items:
                if i.outcome == FAILED:
                    rows.append({"gemeente": r.gemeente, "periode": r.periode, "notebook": i.notebook,
                                 "cel": f"{i.cell or '?'}" + (f" ({i.label})" if i.label else ""), "fout": i.error or ""})
            if r.error:
                rows.append({"gemeente": r.gemeente, "periode": r.periode, "notebook": "(pagina)", "cel": "", "fout": r.error})
            if r.refused:
                rows.append({"gemeente": r.gemeente, "periode": r.periode, "notebook": "(geweigerd)", "cel": "",
                             "fout": r.refused})
        return rows

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.reports)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def data_vintage(project: Project) -> str | None:
    """The newest period in the observations (e.g. '2024-H2'): which data a report reflects."""
    import duckdb

    con = duckdb.connect(str(project.store), read_only=True)
    try:
        codes = [r[0] for r in con.execute("SELECT DISTINCT periode FROM observaties WHERE indicator <> 'inwoners'").fetchall()]
    finally:
        con.close()
    periods = []
    for code in codes:
        try:
            periods.append(Period.parse(str(code)))
        except Exception:  # noqa: BLE001 - the contract already validated periods; ignore odd ones
            continue
    return max(periods, key=lambda p: (p.end, -(p.end - p.start).days)).code if periods else None


def report_data_keys(project: Project, gemeenten: list[str], perioden: list[Period], bereik=frozenset(), *,
                     kaarten: frozenset[str] | None = None, hashes: dict[str, str] | None = None) -> dict[tuple[str, str], str]:
    """(periode, gemeente) -> a hash over the stored rows that a notebook of the report reads: those of
    the gemeente and of every gemeente in its reference group (the same size class on the 1 January
    that belongs to the period, as presentation.report.Rapport finds it). `bereik` says what else the
    notebook reads (presentation.elements.signals.notebook_reach):

    - VERGELIJKBAAR (a similar-gemeenten table): also the rows of its five similar gemeenten and the
      profile file they were chosen on (data/profiel/kwb-<jaar>.csv of the period's profile year);
    - PROFIEL (the table of who the similar gemeenten are): that profile file only;
    - LANDELIJK (a map): the boundary files (data/kaart/) and the rows of every gemeente of the
      mapped indicators `kaarten` and of what they are computed from (teller, noemer): a map's
      classes and colours depend on all gemeenten. Without `kaarten` (not known), every row of
      every gemeente.

    `hashes`: gemeente_hashes of the store, when the caller has them already."""
    import duckdb

    from sdrapport.indicators.analysis import stock_year
    from sdrapport.indicators.similar import stored_neighbours
    from sdrapport.inputs.geodata import boundary_files, profile_files
    from sdrapport.presentation.elements.signals import LANDELIJK, PROFIEL, VERGELIJKBAAR
    from sdrapport.store.database import file_sha256, gemeente_hashes

    per_gemeente = gemeente_hashes(project.store) if hashes is None else hashes
    landelijk = ""
    if LANDELIJK in bereik:
        grenzen = "|".join(f"{p.name}={file_sha256(p)}" for p in boundary_files(project.data).values())
        alle = (_indicator_hash(project, kaarten) if kaarten is not None
                else "|".join(f"{g}={h}" for g, h in sorted(per_gemeente.items())))
        landelijk = "|landelijk=" + _sha(f"{grenzen}\n{alle}".encode())
    profielen = profile_files(project.data) if bereik & {VERGELIJKBAAR, PROFIEL} else {}
    out = {}
    con = duckdb.connect(str(project.store), read_only=True)
    try:
        for p in perioden:
            rows = con.execute(
                "WITH peil AS (SELECT gemeente, max(jaar) AS jaar FROM inwoners WHERE jaar <= ? GROUP BY gemeente), "
                "klasse AS (SELECT i.gemeente, i.jaar, i.grootteklasse FROM inwoners i JOIN peil USING (gemeente, jaar)) "
                "SELECT k.gemeente, list(g.gemeente ORDER BY g.gemeente) FROM klasse k "
                "JOIN inwoners g ON g.jaar = k.jaar AND g.grootteklasse = k.grootteklasse GROUP BY k.gemeente",
                [stock_year(p)]).fetchall()
            groups = dict(rows)
            jaar, buren = stored_neighbours(con, p) if profielen else (None, {})
            if VERGELIJKBAAR not in bereik:
                buren = {}
            profiel = f"|profiel={jaar}:{file_sha256(profielen[jaar])}" if jaar in profielen else ""
            for gemeente in gemeenten:
                members = set(groups.get(gemeente) or []) | {gemeente}
                members |= {code for code, _ in buren.get(gemeente, [])}
                text = "|".join(f"{g}={per_gemeente.get(g, '')}" for g in sorted(members))
                out[(p.code, gemeente)] = _sha((text + profiel + landelijk).encode())
    finally:
        con.close()
    return out


def _indicator_hash(project: Project, indicators: frozenset[str]) -> str:
    """A hash over the stored rows of every gemeente of these indicators and those they are computed
    from (teller, noemer, target-group denominator), without the file and row they came from."""
    import duckdb

    from sdrapport.inputs.catalogue import load_catalogue

    cat = load_catalogue(project.catalogue)
    needed, todo = set(), [i for i in indicators if i in cat]
    while todo:
        ind = cat[todo.pop()]
        if ind.id in needed:
            continue
        needed.add(ind.id)
        todo += [i for i in (ind.teller, ind.noemer, ind.doelgroep) if i and i in cat]
    con = duckdb.connect(str(project.store), read_only=True)
    try:
        row = con.execute("SELECT count(*), sum(hash(t)::HUGEINT) FROM (SELECT * EXCLUDE (bestand, rij) FROM observaties "
                          "WHERE indicator IN (SELECT unnest(?))) t", [sorted(needed)]).fetchone()
    finally:
        con.close()
    return f"{','.join(sorted(needed))}:{row[0]}:{row[1]}"


def size_classes(project: Project, perioden: list[Period]) -> dict[tuple[str, str], str]:
    """(periode, gemeente) -> size class, by the inhabitants on the period's 1 January (or earlier)."""
    import duckdb

    from sdrapport.indicators.analysis import stock_year

    out = {}
    con = duckdb.connect(str(project.store), read_only=True)
    try:
        for p in perioden:
            rows = con.execute("SELECT gemeente, arg_max(grootteklasse, jaar) FROM inwoners WHERE jaar <= ? GROUP BY gemeente",
                               [stock_year(p)]).fetchall()
            out.update({(p.code, g): k or "" for g, k in rows})
    finally:
        con.close()
    return out


def run_batch(project: Project, gemeenten: list[str], perioden: list[Period], rapport: str = "monitor", *,
              dask: str | None = None, workers: int | None = None, on_planned=None, on_report=None,
              then=None) -> BatchResult:
    """Run a batch. `on_planned(plan)` is called once the plan is known, `on_report(report)` as
    each report completes (both optional, for progress). `then(executor)` runs once the reports are
    recorded, e.g. the publisher: with `dask` it is given the Dask client while the cluster is still
    up, so its work (page renders) can be tasks on the same workers; otherwise None. Writes the
    batch manifest reports/batches/<id>.json; never raises for a failing notebook. The runner does
    not publish: it records each report in its run.json."""
    from sdrapport.runner.run import environment
    from sdrapport.store.database import ensure_store

    start = time.perf_counter()
    started = datetime.now(timezone.utc)
    batch_id = started.strftime("%Y%m%dT%H%M%S%fZ")
    ensure_store(project.data, project.store)  # once, before any worker reads it (read-only)
    the_plan = plan(project, gemeenten, perioden, rapport)
    if on_planned:
        on_planned(the_plan)
    env = environment(project)
    vintage = data_vintage(project)
    batch_info = {"id": batch_id, "library": the_plan.shared["library"], "laatste_periode": vintage}
    done: dict[tuple[str, str, str], Report] = {}
    n_workers = 0
    if the_plan.todo:
        # Same size class after each other: a warm kernel then reuses the reference group's
        # observations it read for the previous gemeente (report._group_observations).
        klasse = size_classes(project, perioden)
        todo = sorted(the_plan.todo, key=lambda r: (r.periode, klasse.get((r.periode, r.gemeente), ""), r.gemeente))
        payloads = [_report_dict(r) for r in todo]
        n_workers = _dispatch(project, payloads, env, batch_info, dask, workers, done, on_report, then if dask else None)
        then = None if dask else then
    todo = {id(r) for r in the_plan.todo}
    reports = []
    for r in the_plan.reports:
        got = done.get((r.gemeente, r.periode, r.rapport))
        if got is None and id(r) in todo:  # the task was lost without a result
            r.error = r.error or "geen resultaat van de worker"
            for i in r.items:
                i.outcome = i.outcome or FAILED
            got = r
        reports.append(got or r)
    if then is not None:
        then(None)
    wall = time.perf_counter() - start
    result = BatchResult(batch_id, the_plan, reports, project.reports / "batches" / f"{batch_id}.json", wall, n_workers)
    write_json(result.manifest, _manifest(project, result, env, started, dask, rapport, gemeenten, perioden, vintage))
    return result


def _dispatch(project: Project, payloads: list[dict], env: dict, batch_info: dict, dask: str | None,
              workers: int | None, done: dict, on_report, then=None) -> int:
    """Send one task per report to a Dask cluster (the given scheduler, or a LocalCluster of
    worker threads in this process) and collect results as they complete; then `then(client)`
    while the cluster is up."""
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if dask:
        client = Client(dask, timeout="10s")
    else:
        n = workers or default_workers()
        # Threads, not processes: the notebooks run in the kernels (one per thread, separate
        # processes), so a worker only waits on its kernel and writes files. A worker process per
        # core would add ~240 MiB each (its own pandas, papermill, Dask) for no extra parallelism.
        # Safe in threads because warm execution passes papermill no cwd (its chdir is process-wide,
        # papermill#473); the kernel has its own working folder. The dashboard (if any) on a free
        # port, so 8787 is never contested.
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=False, dashboard_address=":0",
                               silence_logs=logging.ERROR, memory_limit=0)
        client = Client(cluster)
    futures = {}
    try:
        n_workers = len(client.scheduler_info().get("workers", {})) or (workers or 0)
        for payload in payloads:
            fut = client.submit(run_report_items, str(project.root), payload, env, batch_info, pure=False,
                                key=f"sdrapport-{payload['periode']}-{payload['gemeente']}-{payload['rapport']}-{batch_info['id']}")
            futures[fut] = payload
        for fut in as_completed(futures):
            payload = futures[fut]
            try:
                got = fut.result()
                rep = Report(got["gemeente"], got["periode"], got["rapport"], [Item(**i) for i in got["items"]],
                             got["page_key"], got["page"], got["error"])
            except Exception as exc:  # noqa: BLE001 - a lost worker fails its report, not the batch
                rep = Report(payload["gemeente"], payload["periode"], payload["rapport"],
                             [Item(**i) for i in payload["items"]], payload["page_key"], error=f"{type(exc).__name__}: {exc}")
                for i in rep.items:
                    if i.outcome != SKIPPED:
                        i.outcome = FAILED
                        i.error = i.error or rep.error
            done[(rep.gemeente, rep.periode, rep.rapport)] = rep
            if on_report:
                on_report(rep)
        if then is not None:
            then(client)
        return n_workers
    except BaseException:
        # Interrupted (Ctrl-C) or failed while gathering: start no further reports. A report that
        # is running finishes its notebook (a thread cannot be killed); its sidecars stay valid.
        client.cancel(list(futures), force=True)
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
            # The local workers' kernels live in this process: stop them with the batch (a remote
            # worker keeps its kernel warm for the next batch).
            from sdrapport.runner.kernels import shutdown_kernels

            shutdown_kernels()


def _manifest(project: Project, result: BatchResult, env: dict, started: datetime, dask: str | None, rapport: str,
              gemeenten: list[str], perioden: list[Period], vintage: str | None) -> dict:
    from sdrapport.runner.run import package_versions

    return {
        "batch": result.id,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "wall_seconds": round(result.wall_seconds, 2),
        "executor": {"dask": dask or "LocalCluster", "workers": result.workers},
        "arguments": {"gemeenten": gemeenten, "perioden": [p.code for p in perioden], "rapport": rapport},
        "code_version": env["code_version"],
        "library_hash": result.plan.shared["library"],
        "python": platform.python_version(),
        "packages": package_versions(BATCH_PACKAGES),
        "data": {"fingerprint": env["data_fingerprint"], "laatste_periode": vintage, "files": env["data_files"]},
        "profile_hash": result.plan.shared["profile"],
        "summary": {"items": len(result.items), OK: result.count(OK), SKIPPED: result.count(SKIPPED),
                    FAILED: result.count(FAILED), REFUSED: result.count(REFUSED),
                    "pages": sum(1 for r in result.reports if r.page)},
        "items": [asdict(i) for i in result.items],
        "failures": result.failures(),
    }
