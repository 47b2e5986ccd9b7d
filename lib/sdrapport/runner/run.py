"""Executing the domain notebooks with papermill, one folder per period and gemeente.

reports/<periode>/<gemeente>/<rapport>/
    01_uitgangspositie.ipynb      executed notebook (only when it succeeded)
    02_wmo.mislukt.ipynb          executed copy of a notebook that failed, kept for debugging
    data/*.csv                    the figures behind every table and figure (data downloads)
    data/<gemeente>-<periode>-<rapport>.xlsx  all of them in one workbook (only when every notebook succeeded)
    run.json                      run manifest: parameters, code version, data files, outcome
    index.qmd                     the generated Quarto page (only when every notebook succeeded)

papermill writes into a temporary file; only a successful execution is renamed to its final name,
so an executed notebook in the folder is always a complete one.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import time
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import nbformat
import papermill as pm

from sdrapport.version import __version__
from sdrapport.presentation.text import formatting
from sdrapport.atomic import write_json
from sdrapport.errors import NotebookFailed
from sdrapport.inputs.profiles import Profile, load_profile
from sdrapport.manifest import MANIFEST, cell_label
from sdrapport.periods import Period
from sdrapport.project import Project
from sdrapport.presentation.output.herkomst import elements as lineage_elements
from sdrapport.presentation.output.herkomst import problems as label_problems
from sdrapport.presentation.report import META_KEY
from sdrapport.inputs.cbs import used_snapshots
from sdrapport.store.database import DataSet, ensure_store, file_sha256

KERNEL = "python3"
CELL_TIMEOUT = 600  # seconds per cell
QUARTO_OPTIONS = ("fig-cap", "fig-alt", "tbl-cap")


PERIODESOORTEN = {"jaar": "J", "halfjaar": "H", "kwartaal": "Q"}


def check_period(profile: Profile, periode: Period) -> None:
    """A report made for one kind of period (the dashboard: a quarter) refuses another; no report
    is made for a year to date (2024-T3 is a column of the dashboard, not a report period)."""
    if periode.kind == "T":
        raise ValueError(f"{periode.code} (januari tot en met september) is geen rapportperiode; "
                         "geef een jaar, halfjaar of kwartaal, bijvoorbeeld --periode 2024-Q3")
    if profile.periodesoort and PERIODESOORTEN[profile.periodesoort] != periode.kind:
        voorbeeld = {"J": "2024", "H": "2024-H2", "Q": "2024-Q1"}[PERIODESOORTEN[profile.periodesoort]]
        raise ValueError(f"rapport {profile.naam!r} is voor een {profile.periodesoort}, niet voor {periode.code}; "
                         f"geef bijvoorbeeld --periode {voorbeeld}")


class NoData(ValueError):
    """A report period for which the gemeente has no figures (before its first inhabitants figure,
    without any observation, or not yet begun): refused before any notebook runs."""


@dataclass
class Coverage:
    """What the store holds per gemeente: name, the years of its inhabitants figures and the
    periods of its observations (inhabitants excluded). One query for a whole batch."""

    namen: dict[str, str]
    inwonerjaren: dict[str, list[int]]
    perioden: dict[str, list[Period]]

    @classmethod
    def read(cls, project: Project, gemeenten: list[str] | None = None) -> Coverage:
        import duckdb

        con = duckdb.connect(str(project.store), read_only=True)
        try:
            namen = dict(con.execute("SELECT code, naam FROM gemeenten ORDER BY code").fetchall())
            jaren: dict[str, list[int]] = {}
            for g, jaar in con.execute("SELECT gemeente, jaar FROM inwoners ORDER BY gemeente, jaar").fetchall():
                jaren.setdefault(g, []).append(int(jaar))
            perioden: dict[str, list[Period]] = {}
            rows = con.execute("SELECT DISTINCT gemeente, periode FROM observaties WHERE indicator <> 'inwoners' "
                               "ORDER BY gemeente, periode").fetchall()
        finally:
            con.close()
        for g, code in rows:
            perioden.setdefault(g, []).append(Period.parse(code))
        return cls(namen, jaren, perioden)

    def refusal(self, gemeente: str, periode: Period, today: dt.date | None = None) -> str | None:
        """Why a report on this gemeente and period cannot be made (a Dutch message naming the
        first and last period with figures), or None. A period with partial data is fine."""
        from sdrapport.indicators.analysis import stock_year

        today = today or dt.date.today()
        naam = f"{self.namen.get(gemeente, gemeente)} ({gemeente})"
        have = self.perioden.get(gemeente, [])
        same_kind = [p for p in have if p.kind == periode.kind] or have
        span = ""
        if same_kind:
            first = min(same_kind, key=lambda p: (p.start, p.end))
            last = max(same_kind, key=lambda p: (p.end, p.start))
            span = (f" De eerste periode met cijfers voor {naam} is {first.code}, de laatste {last.code}; "
                    "kies een periode daartussen.")
        if periode.start > today:
            return (f"over {periode.label} ({periode.code}) zijn nog geen cijfers: die periode begint pas op "
                    f"{formatting.datum(periode.start)}.{span}")
        jaren = [j for j in self.inwonerjaren.get(gemeente, []) if j <= stock_year(periode)]
        if not jaren:
            eerste = min(self.inwonerjaren.get(gemeente, []), default=None)
            waar = (f"het eerste inwonertal in data/inwoners.csv is dat van 1 januari {eerste}" if eerste
                    else "data/inwoners.csv heeft geen inwonertal voor deze gemeente")
            return (f"voor {naam} is er geen inwonertal op of voor 1 januari {stock_year(periode)}, dat de grootteklasse en "
                    f"de referentiegroep van {periode.code} bepaalt: {waar}.{span}")
        if not any(p.start <= periode.end and p.end >= periode.start for p in have):
            return f"voor {naam} zijn er over {periode.label} ({periode.code}) geen cijfers.{span}"
        return None


def check_report_data(project: Project, gemeente: str, periode: Period) -> None:
    """Refuse (NoData) a report period without figures for the gemeente, before any notebook runs."""
    reason = Coverage.read(project).refusal(gemeente, periode)
    if reason:
        raise NoData(reason)


def code_version(project: Project) -> str:
    """'0.1.0+g1a2b3c4' (with '-dirty' for uncommitted changes), or the package version alone."""
    try:
        out = subprocess.run(
            ["git", "-C", str(project.root), "describe", "--always", "--dirty", "--abbrev=10"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()
        return f"{__version__}+g{out}" if out else __version__
    except (OSError, subprocess.SubprocessError):
        return __version__


def apply_cell_options(nb: nbformat.NotebookNode) -> None:
    """Write the caption and alt text that the library attached to outputs into the cell's
    `#|` options, where Quarto reads them when it embeds the cell."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        opts: dict[str, str] = {}
        for out in cell.get("outputs", []):
            opts.update({k: v for k, v in out.get("metadata", {}).get(META_KEY, {}).items() if k in QUARTO_OPTIONS})
        if not opts:
            continue
        lines = cell.source.splitlines()
        header_end = 0
        while header_end < len(lines) and lines[header_end].startswith("#|"):
            header_end += 1
        header = [ln for ln in lines[:header_end] if not any(ln.startswith(f"#| {k}:") for k in opts)]
        # JSON strings are valid YAML scalars and escape quotes and colons safely.
        header += [f"#| {k}: {json.dumps(opts[k], ensure_ascii=False)}" for k in QUARTO_OPTIONS if k in opts]
        cell.source = "\n".join(header + lines[header_end:])


def _failed_cell(executed: Path, source: Path) -> tuple[int | None, str | None, str]:
    """(cell number in the *source* notebook, label, 'ErrorName: message') of the failed cell.

    papermill adds cells to the executed copy (injected parameters, an error banner), so the cell
    is found by its id in the source notebook the analyst edits; numbering is 1-based.
    """
    nb = nbformat.read(executed, as_version=4)
    src_ids = [c.get("id") for c in nbformat.read(source, as_version=4).cells]
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                number = src_ids.index(cell.get("id")) + 1 if cell.get("id") in src_ids else None
                return number, cell_label(cell), f"{out.get('ename')}: {out.get('evalue')}"
    return None, None, "onbekende fout"


@dataclass
class NotebookResult:
    notebook: str
    ok: bool
    seconds: float
    output: str
    error: str | None = None
    cell: int | None = None
    label: str | None = None
    kernel_seconds: float = 0.0  # summed cell execution time in the kernel
    kernel_died: bool = False  # failed outside a cell (dead kernel, timeout): worth one retry


def execute(project: Project, notebook: str, gemeente: str, periode: Period, outdir: Path,
            rapport: str = "monitor", kernel=None, metadata: dict | None = None) -> NotebookResult:
    """Execute one notebook; on failure keep '<naam>.mislukt.ipynb' and remove any older output.

    `kernel` (a kernels.WarmKernel) runs the notebook in an already started kernel through the
    papermill engine 'sdrapport-warm'; without it papermill starts and stops a kernel itself.
    `metadata` is stored under the executed notebook's metadata key 'sdrapport' (the batch puts
    the item's input key there)."""
    source = project.notebooks / notebook
    stem = Path(notebook).stem
    final, failed = outdir / notebook, outdir / f"{stem}.mislukt.ipynb"
    running = outdir / f".{stem}.bezig-{os.getpid()}.ipynb"
    outdir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    # Paths relative to the kernel's working folder (notebooks/): the executed notebooks, which
    # the site publishes, then name no folder of the machine that built them.
    params = {"gemeente": gemeente, "periode": periode.code, "rapport": rapport, "project": "..",
              "uitvoer": os.path.relpath(outdir, project.notebooks)}

    def finish(nb: nbformat.NotebookNode) -> None:
        apply_cell_options(nb)
        nb.metadata["papermill"].update(input_path=os.path.relpath(source, project.root),
                                        output_path=os.path.relpath(final, project.root))
        if metadata:
            nb.metadata.setdefault(META_KEY, {}).update(metadata)

    from sdrapport.runner.kernels import KERNEL_ARGUMENTS

    engine = {"extra_arguments": KERNEL_ARGUMENTS}  # papermill's own kernel: no log of the kernel machinery
    if kernel is not None:
        from sdrapport.runner.kernels import ENGINE

        # A batch writes thousands of notebooks: papermill writes each once, at the end (not after
        # every cell), with the cell options already applied by the engine (`finish`).
        engine = {"engine_name": ENGINE, "warm": kernel, "request_save_on_cell_execute": False, "finish": finish}
    try:
        executed = pm.execute_notebook(
            str(source), str(running), parameters=params, kernel_name=KERNEL, progress_bar=False,
            # A warm kernel already works in notebooks/ (and is reset to it); papermill's cwd is a
            # process-wide chdir (papermill#473) that would race between batch worker threads.
            cwd=None if kernel is not None else str(project.notebooks), execution_timeout=CELL_TIMEOUT, **engine,
        )
    except Exception as exc:  # noqa: BLE001 - PapermillExecutionError, a dead kernel, a timeout: all fail the notebook
        final.unlink(missing_ok=True)
        if running.exists():
            os.replace(running, failed)
            cell, label, error = _failed_cell(failed, source)
        else:
            cell, label, error = None, None, f"{type(exc).__name__}: {exc}"
        if isinstance(exc, pm.PapermillExecutionError):
            error = f"{exc.ename}: {exc.evalue}"
        return NotebookResult(notebook, False, time.perf_counter() - start, str(failed), error, cell, label,
                              kernel_died=not isinstance(exc, pm.PapermillExecutionError))
    nb = executed  # with a warm kernel, papermill wrote it complete (engine applied `finish`)
    if kernel is None:
        nb = nbformat.read(running, as_version=4)
        finish(nb)
        nbformat.write(nb, running)
    mislabelled = label_problems(nb)
    if mislabelled:
        # A label that disagrees with what was delivered is a defect of the page, not a detail:
        # the notebook fails (kept for inspection) and its report gets no page.
        final.unlink(missing_ok=True)
        os.replace(running, failed)
        element, message = mislabelled[0]
        more = f" (en nog {len(mislabelled) - 1} andere)" if len(mislabelled) > 1 else ""
        return NotebookResult(notebook, False, time.perf_counter() - start, str(failed),
                              f"Label wijkt af van de herkomst: {message}{more}", element.cel, element.label)
    os.replace(running, final)
    failed.unlink(missing_ok=True)
    return NotebookResult(notebook, True, time.perf_counter() - start, str(final), kernel_seconds=kernel_seconds(nb))


def kernel_seconds(nb: nbformat.NotebookNode) -> float:
    """Time spent executing cells in the kernel: the sum of papermill's per-cell durations."""
    return float(sum((c.get("metadata", {}).get("papermill", {}).get("duration") or 0.0) for c in nb.cells))


@dataclass
class RunResult:
    gemeente: str
    periode: Period
    rapport: str
    outdir: Path
    notebooks: list[NotebookResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(n.ok for n in self.notebooks)

    def failures(self) -> list[NotebookFailed]:
        return [NotebookFailed(n.notebook, n.cell, n.label, n.error or "", n.output) for n in self.notebooks if not n.ok]


def run_report(project: Project, gemeente: str, periode: str | Period, rapport: str = "monitor",
               progress=None, finished=None) -> RunResult:
    """Execute every notebook of the report profile for one gemeente and period, then write the
    manifest (run.json, with what its page shows: `pagina`) and (when all succeeded) the Excel
    download. The page itself is the publisher's (publisher.site). `progress(notebook)` is called
    before each one, `finished(NotebookResult)` after each one.

    The notebooks run one after another in one kernel, started once over IPC and reset between
    notebooks (kernels.WarmKernel, as a batch worker does): kernel start-up and imports are paid
    once per report, and the kernel prints no TCP warning."""
    from sdrapport.inputs.params import check_report_params
    from sdrapport.presentation.output.downloads import label_rows, remove_workbook, write_workbook

    periode = Period.parse(periode)
    profile = load_profile(project, rapport)
    check_period(profile, periode)
    # Everything the notebooks read is checked before the first one runs: a refusal leaves no
    # files behind and never removes a published page.
    check_report_params(project, rapport, [gemeente]).raise_for([gemeente])
    ensure_store(project.data, project.store)
    check_report_data(project, gemeente, periode)
    outdir = project.report_dir(periode.code, gemeente, profile.naam)
    result = RunResult(gemeente, periode, rapport, outdir)
    kernel = _report_kernel(project)
    try:
        for nb in profile.notebooks:
            if progress:
                progress(nb)
            if kernel is not None:
                kernel = _report_kernel(project, kernel)  # a new one after a notebook killed it
            result.notebooks.append(execute(project, nb, gemeente, periode, outdir, profile.naam, kernel=kernel))
            if finished:
                finished(result.notebooks[-1])
    finally:
        if kernel is not None:
            kernel.shutdown()
    write_manifest(project, result, profile)
    if result.ok:
        label_rows(outdir)  # gemeente and period on every row of every CSV
        write_workbook(outdir)  # data/<gemeente>-<periode>-<rapport>.xlsx
    else:
        remove_workbook(outdir)  # its CSVs may mix old and new figures; the publisher drops the page
    return result


def _report_kernel(project: Project, kernel=None):
    """The running kernel of a report, (re)started when needed; None when no kernel can be started
    over IPC, and papermill then starts one per notebook itself."""
    from sdrapport.runner.kernels import KernelStartError, WarmKernel

    if kernel is not None and kernel.alive():
        return kernel
    kernel = kernel or WarmKernel(project.notebooks, KERNEL)
    try:
        kernel.restart()
    except KernelStartError:
        return None
    return kernel


PACKAGES = ("pandas", "duckdb", "papermill", "seaborn", "matplotlib", "babel", "pandera", "nbformat")


def package_versions(names=PACKAGES) -> dict[str, str | None]:
    packages = {}
    for name in names:
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            packages[name] = None
    return packages


def environment(project: Project) -> dict:
    """What a manifest records about code, environment and data; computed once per batch (hashing
    the data files is the costly part) and passed to write_manifest for every report."""
    data = DataSet(project.data)
    files = {str(p.relative_to(project.root)): file_sha256(p) for p in data.files() if p.exists()}
    return {
        "code_version": code_version(project),
        "python": platform.python_version(),
        "packages": package_versions(),
        "data_fingerprint": data.fingerprint(),
        "data_files": files,
        "cbs_snapshots": used_snapshots(project),
    }


def page_facts(project: Project, gemeente: str, periode: Period, con=None, profile: Profile | None = None) -> dict:
    """What the publisher needs to know about a report besides its notebooks, read from the store
    once, at run time: name, province, size class and reference group of the gemeente, the sources
    of its figures (and whether they are demo data) and its registrations' peildatum and disclosure
    method; for a report with a similar-gemeenten table (`profile` given) also those five gemeenten,
    `vergelijkbaar`, which its page links to. Stored in run.json as `pagina`: the publisher never
    opens the store. A few small queries, not a Rapport (a batch records hundreds of reports)."""
    import duckdb

    from sdrapport.indicators.analysis import stock_year
    from sdrapport.inputs.demo import DEMO_BRON
    from sdrapport.presentation.report import REGISTRY_INDICATORS, gemeente_row, registration_facts, size_class

    own = con is None
    con = con or duckdb.connect(str(project.store), read_only=True)
    try:
        _, naam, provincie = gemeente_row(con, gemeente)
        jaar, inwoners, klasse = size_class(con, gemeente, periode)
        groep = [{"code": c, "naam": n} for c, n in con.execute(
            "SELECT i.gemeente, g.naam FROM inwoners i JOIN gemeenten g ON g.code = i.gemeente "
            "WHERE i.jaar = ? AND i.grootteklasse = ? ORDER BY g.naam, i.gemeente", [jaar, klasse]).fetchall()]
        bronnen = [r[0] for r in con.execute(
            "SELECT DISTINCT bron FROM observaties WHERE gemeente = ? AND bron IS NOT NULL ORDER BY bron", [gemeente]).fetchall()]
        eigen = [r[0] for r in con.execute(
            "SELECT DISTINCT bron FROM observaties WHERE gemeente = ? AND bron IS NOT NULL AND NOT list_contains(?, indicator) "
            "ORDER BY bron", [gemeente, list(REGISTRY_INDICATORS)]).fetchall()]
        reg = registration_facts(con, gemeente)
        vergelijkbaar = _similar_facts(project, con, gemeente, periode, profile)
    finally:
        if own:
            con.close()
    registraties = None
    if reg.peildatum:
        # The disclosure control as applied to the stored counts (not as params say now) and the
        # kinds of export delivered, so the page names exactly what its figures rest on.
        registraties = {"peildatum": reg.peildatum.isoformat(), "methode": reg.methode or "cbs", "drempel": reg.drempel,
                        "soorten": list(reg.soorten)}
    # 'demo': some figure is fictitious; 'alleen_demo': every figure is (else the page mixes the
    # gemeente's own figures with demo figures, and the banner says which ones are fictitious).
    return {"naam": naam, "provincie": provincie, "grootteklasse": klasse, "peiljaar": jaar, "inwoners": inwoners,
            "referentiegroep": groep, "bronnen": bronnen, "demo": DEMO_BRON in bronnen, "alleen_demo": eigen == [DEMO_BRON],
            "registraties": registraties, "stockjaar": stock_year(periode),
            **({"vergelijkbaar": vergelijkbaar} if vergelijkbaar is not None else {})}


def _similar_facts(project: Project, con, gemeente: str, periode: Period, profile: Profile | None) -> list[dict] | None:
    """The similar gemeenten (code, name as in the registry) of a report that shows them, most
    similar first; None for a report without a similar-gemeenten table."""
    from sdrapport.indicators.similar import stored_neighbours
    from sdrapport.presentation.elements.signals import PROFIEL, VERGELIJKBAAR, notebook_reach

    if profile is None or not any(notebook_reach(project.notebooks / nb).gegevens & {VERGELIJKBAAR, PROFIEL}
                                  for nb in profile.notebooks):
        return None
    _, buren = stored_neighbours(con, periode)
    own = buren.get(gemeente, [])
    namen = dict(con.execute("SELECT code, naam FROM gemeenten WHERE code IN (SELECT unnest(?))", [[c for c, _ in own]]).fetchall())
    return [{"code": code, "naam": namen.get(code, naam)} for code, naam in own]


def report_lineage(result: RunResult) -> list[dict]:
    """Per shown element of the report's executed notebooks (figure, table, tiles, text) where its
    values came from: indicator, gemeente or the gemeenten of a reference value, periods, sources,
    demo or delivered, disclosure rule (presentation.output.herkomst)."""
    out = []
    for n in result.notebooks:
        if not n.ok:
            continue
        try:
            nb = nbformat.read(n.output, as_version=4)
        except (OSError, ValueError):
            continue
        out += [el.as_dict(n.notebook) for el in lineage_elements(nb)]
    return out


def write_manifest(project: Project, result: RunResult, profile: Profile, env: dict | None = None,
                   extra: dict | None = None, facts: dict | None = None) -> Path:
    env = env or environment(project)
    manifest = {
        "parameters": {"gemeente": result.gemeente, "periode": result.periode.code, "rapport": result.rapport},
        **env,  # code_version, python, packages, data_fingerprint, data_files, cbs_snapshots
        "notebooks": [
            {"notebook": n.notebook, "ok": n.ok, "seconds": round(n.seconds, 2), "output": str(Path(n.output).relative_to(project.root)),
             "error": n.error, "cell": n.cell, "label": n.label}
            for n in result.notebooks
        ],
        "profile": {"naam": profile.naam, "titel": profile.titel, "notebooks": profile.notebooks},
        "pagina": facts if facts is not None else page_facts(project, result.gemeente, result.periode, profile=profile),
        "herkomst": report_lineage(result),
        **(extra or {}),
    }
    return write_json(result.outdir / MANIFEST, manifest)
