"""Command line: `sdrapport run | batch | site | voorbeeld | lab | demo | ingest | controleer | demodata`. Messages in Dutch."""
from __future__ import annotations

import functools
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from sdrapport.errors import ContractError, resource_error
from sdrapport.periods import Period, PeriodError
from sdrapport.project import Project

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Reproduceerbare rapportages sociaal domein.")
console = Console(stderr=True, highlight=False, soft_wrap=True)  # one message, one line

DEFAULT_GEMEENTE = "GM0505"  # Dordrecht, the seed 002 report
DEFAULT_PERIODE = "2023-H2"

ProjectOpt = typer.Option(None, "--project", help="Projectmap (standaard: de map met _quarto.yml rond de huidige map).")
GemeenteOpt = typer.Option(DEFAULT_GEMEENTE, "--gemeente", "-g",
                           help="Gemeentecode of -naam, bijvoorbeeld GM0505, Dordrecht of 'Hengelo (O.)'.")
PeriodeOpt = typer.Option(DEFAULT_PERIODE, "--periode", "-p", help="2024, 2024-H2 of 2024-Q1.")
RapportOpt = typer.Option("monitor", "--rapport", "-r", help="Rapportprofiel uit params/rapporten/.")


DEBUG_ENV = "SDRAPPORT_DEBUG"


@app.callback()
def _main(debug: bool = typer.Option(False, "--debug", help="Toon bij een fout de volledige traceback (bij het melden "
                                     "van een probleem). Ook: SDRAPPORT_DEBUG=1.")) -> None:
    if debug:
        os.environ[DEBUG_ENV] = "1"


def _debug() -> bool:
    return os.environ.get(DEBUG_ENV, "") not in ("", "0")


def _guarded(command):
    """Never a traceback for an expected failure: bad input ends with its message and exit 2; out
    of memory, a full disk or a killed worker (errors.ResourceError) with one Dutch paragraph and
    exit 1; anything else with a short message and exit 1. With --debug the traceback is shown."""
    import click

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, click.exceptions.Exit, click.exceptions.Abort, click.ClickException, KeyboardInterrupt):
            raise
        except ContractError as exc:
            if _debug():
                raise
            _contract_error(exc)
            raise typer.Exit(2) from None
        except Exception as exc:
            if _debug():
                raise
            res = resource_error(exc)
            if res is not None:
                console.print(f"[red]Gestopt:[/red] {res.paragraph()}", soft_wrap=True)
                console.print("Met 'sdrapport --debug ...' ziet u de volledige foutmelding.", markup=False)
            else:
                console.print(f"[red]Onverwachte fout:[/red] {type(exc).__name__}: {exc}", soft_wrap=True)
                console.print("Dit is waarschijnlijk een fout in sdrapport. Draai de opdracht opnieuw als 'sdrapport --debug "
                              "...' en meld de volledige foutmelding die dan verschijnt.", markup=False)
            raise typer.Exit(1) from None

    return wrapper


def _project(path: Path | None) -> Project:
    try:
        return Project.locate(path)
    except FileNotFoundError as exc:
        console.print(f"[red]Fout:[/red] {exc}")
        raise typer.Exit(2) from None


def _periode(text: str) -> Period:
    try:
        return Period.parse(text)
    except PeriodError as exc:
        console.print(f"[red]Fout in --periode:[/red] {exc}")
        raise typer.Exit(2) from None


PROBLEMS_CSV = "ingest-problemen.csv"


def _contract_error(exc: ContractError, proj: Project | None = None) -> None:
    from sdrapport.inputs.params import ParamsError

    if isinstance(exc, ParamsError):
        console.print("[red]Een instellingenbestand onder params/ is niet in orde:[/red]")
    else:
        files = exc.files
        console.print("[red]De invoer voldoet niet aan het gegevenscontract (docs/data-contract.md)[/red]"
                      + (f" [red]in {len(files)} bestanden:[/red]" if len(files) > 1 else "[red]:[/red]"))
    for line in exc.render().splitlines():
        console.print(f"  {line}", markup=False)
    if proj is not None and not isinstance(exc, ParamsError):
        path = exc.write_csv(proj.store.parent / PROBLEMS_CSV)
        console.print(f"Alle problemen per bestand, rij en kolom (om te filteren): {_rel(path, proj)}", markup=False)
    if isinstance(exc, ParamsError):
        console.print("Er is niets uitgevoerd: de opslag, de rapporten en de pagina's zijn ongewijzigd. "
                      "Herstel het bestand en probeer opnieuw.")
    else:
        console.print("De opslag is ongewijzigd gebleven. Herstel de bestanden en probeer opnieuw.")


def _rel(path: Path, proj: Project) -> str:
    try:
        return str(Path(path).relative_to(proj.root))
    except ValueError:
        return str(path)


@contextmanager
def _input_errors(proj: Project | None = None) -> Iterator[None]:
    """Bad input (data contract, profile, period, gemeente) ends the command with its message and exit 2."""
    try:
        yield
    except ContractError as exc:
        _contract_error(exc, proj)
        raise typer.Exit(2) from None
    except (FileNotFoundError, KeyError, ValueError) as exc:
        console.print(f"[red]Fout:[/red] {exc.args[0] if exc.args else exc}")
        raise typer.Exit(2) from None


@app.command()
@_guarded
def ingest(
    geheugen: str = typer.Option(None, "--geheugen", help="Geheugengrens van DuckDB bij het tellen van registraties, "
                                 "bijvoorbeeld 900MB of 2GB (standaard 900MB; ook: SDRAPPORT_GEHEUGEN). Daarboven schrijft "
                                 "DuckDB tijdelijk naar schijf."),
    threads: int = typer.Option(None, "--threads", min=1, help="Aantal threads van DuckDB (standaard 2; ook: SDRAPPORT_THREADS). "
                                "Minder threads gebruiken minder geheugen."),
    project: Path = ProjectOpt,
) -> None:
    """Controleer alle bestanden onder data/ en bouw de DuckDB-opslag opnieuw op."""
    from sdrapport.store.database import build_store

    from sdrapport.inputs.registrations import MEMORY_ENV, THREADS_ENV, load_config, load_key, registratie_files

    proj = _project(project)
    if geheugen:
        os.environ[MEMORY_ENV] = geheugen
    if threads:
        os.environ[THREADS_ENV] = str(threads)
    try:
        if any(registratie_files(proj.data).values()):
            config = load_config(proj.params)
            if config.pseudonimisering:
                _, created = load_key(config, proj.root)
                if created:
                    console.print(f"Nieuwe sleutel voor het pseudonimiseren van registraties gemaakt: {created} (buiten de projectmap)")
        summary = build_store(proj.data, proj.store)
    except ContractError as exc:
        _contract_error(exc, proj)
        raise typer.Exit(2) from None
    (proj.store.parent / PROBLEMS_CSV).unlink(missing_ok=True)  # no problems left: no stale report
    console.print(f"Opslag gebouwd: {summary['gemeenten']} gemeenten, {summary['observaties']} waarnemingen -> {summary['store']}")
    gelezen = summary.get("gelezen") or []
    if gelezen:
        console.print("Ingelezen registraties:")
        for g in gelezen:
            console.print(f"  {g.regel()}", markup=False)
        report = _write_ingest_report(proj, gelezen)
        console.print(f"Overzicht per bestand (CSV): {_rel(report, proj)}", markup=False)
    dropped = summary.get("weggelaten", {}).get("voorzieningen")
    if dropped:
        console.print(f"Let op: {dropped} dubbel geleverde voorziening(en) weggelaten; van elk paar telt de eerste "
                      "(params/registraties.yml: dubbele_voorzieningen: eerste_houden).")
    demo = summary.get("demo_weggelaten")
    if demo is not None and len(demo):
        for indicator, rows in demo.groupby("indicator", sort=True):
            gemeenten = sorted(rows["gemeente"])
            console.print(f"Let op: demodata van {indicator} weggelaten ({', '.join(gemeenten[:5])}"
                          f"{f' en {len(gemeenten) - 5} andere' if len(gemeenten) > 5 else ''}): dat cijfer wordt voor een of "
                          "meer gemeenten zelf geleverd (eigen waarnemingen of registraties), en de demo vult geen gaten "
                          "in een geleverde indicator.", markup=False)


def _write_ingest_report(proj: Project, gelezen: list) -> Path:
    """The ingest report as CSV: per file what was read (kind, mapping, encoding, rows, ignored columns)."""
    import csv
    import io

    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(["bestand", "soort", "mapping", "codelijsten", "codering", "scheidingsteken", "rijen", "genegeerde_kolommen"])
    for g in gelezen:
        out.writerow([g.bestand, g.soort, g.mapping, g.codelijsten, g.codering, g.scheidingsteken, g.rijen, "; ".join(g.genegeerd)])
    path = proj.store.parent / "ingest-rapport.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\ufeff" + buf.getvalue(), encoding="utf-8")
    return path


@app.command()
@_guarded
def run(
    gemeente: str = GemeenteOpt,
    periode: str = PeriodeOpt,
    rapport: str = RapportOpt,
    site: bool = typer.Option(True, "--site/--geen-site", help="Daarna ook het Quarto-project schrijven en renderen."),
    project: Path = ProjectOpt,
) -> None:
    """Voer de notebooks van een rapport uit voor één gemeente en periode en maak pagina en site."""
    proj = _project(project)
    p = _periode(periode)
    code = _gemeente(proj, gemeente)
    ok = _run_one(proj, code, p, rapport)
    if site:
        _site(proj)
    else:
        _page(proj, code, p, rapport, ok)
    _readable_without_quarto(proj, code, p, rapport, ok)
    raise typer.Exit(0 if ok else 1)


def _page(proj: Project, gemeente: str, p: Period, rapport: str, ok: bool) -> None:
    """The report's page only (publisher), without the rest of the site and without rendering."""
    from sdrapport.publisher.site import remove_page, write_page
    from sdrapport.inputs.profiles import load_profile

    profile = load_profile(proj, rapport)
    if ok:
        write_page(proj, gemeente, p, profile)
    else:
        remove_page(proj.report_dir(p.code, gemeente, profile.naam))


def _readable_without_quarto(proj: Project, gemeente: str, p: Period, rapport: str, ok: bool) -> None:
    """Without Quarto there is no website: the report as one HTML file instead (leesversie.py)."""
    from sdrapport.publisher.standalone import remove_html, write_html
    from sdrapport.inputs.profiles import load_profile
    from sdrapport.publisher.site import quarto_binary

    outdir = proj.report_dir(p.code, gemeente, rapport)
    if not ok:
        remove_html(outdir)  # never a readable version of a report that has no page
        return
    if quarto_binary() is None:
        try:
            path = write_html(proj, gemeente, p, load_profile(proj, rapport))
        except Exception as exc:  # noqa: BLE001 - the report itself is built; only its HTML version failed
            console.print(f"Let op: de HTML-versie van het rapport kon niet worden gemaakt ({type(exc).__name__}: {exc}).",
                          markup=False)
            return
        console.print(f"Quarto ontbreekt; het rapport is te lezen in één HTML-bestand: {_relative(proj, path)}", markup=False)


def _relative(proj: Project, path: Path) -> Path:
    return path.relative_to(proj.root) if path.is_relative_to(proj.root) else path


def _run_one(proj: Project, gemeente: str, p: Period, rapport: str) -> bool:
    from sdrapport.inputs.params import check_report_params
    from sdrapport.inputs.profiles import load_profile
    from sdrapport.runner.run import check_period, check_report_data, run_report
    from sdrapport.store.database import ensure_store

    # Every check before the first notebook: a refusal (exit 2) leaves no files and no page changed.
    with _input_errors(proj):
        profile = load_profile(proj, rapport)
        check_period(profile, p)
        check_report_params(proj, rapport, [gemeente]).raise_for([gemeente])
        if ensure_store(proj.data, proj.store):
            console.print("Gegevens gewijzigd: opslag opnieuw opgebouwd.")
        _check_gemeente(proj, gemeente)
        check_report_data(proj, gemeente, p)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, disable=not sys.stderr.isatty(), transient=True) as bar:
        task = bar.add_task(f"{gemeente} {p.code}", total=len(profile.notebooks))

        def step(nb: str) -> None:
            bar.update(task, description=f"{gemeente} {p.code}: {nb}")

        def finished(res) -> None:  # one line per notebook, with its time
            bar.advance(task)
            status = "" if res.ok else "  [red]mislukt[/red]"
            console.print(f"{gemeente} {p.code}  {res.notebook:<28} {_seconds(res.seconds)}{status}")

        result = run_report(proj, gemeente, p, rapport, progress=step, finished=finished)
    if result.ok:
        console.print(f"Klaar: {len(result.notebooks)} notebooks uitgevoerd voor {gemeente} {p.code} -> {result.outdir}")
        return True
    for failure in result.failures():
        _failure_block(proj, failure)
    console.print(f"{gemeente} {p.code} krijgt geen pagina zolang een notebook mislukt.")
    return False


def _seconds(seconds: float) -> str:
    return f"{seconds:.1f} s".replace(".", ",")


def _failure_block(proj: Project, failure) -> None:
    """A failed notebook in one block: notebook, cell with its label, the error and where it was
    raised, and the executed copy to open in JupyterLab."""
    from sdrapport.runner.failures import error_location

    cel = f"{failure.cell}" if failure.cell is not None else "onbekend"
    lines = [f"[red]Notebook mislukt: {failure.notebook}[/red]",
             f"  cel:    {cel}" + (f" ({failure.label})" if failure.label else " (zonder label)"),
             f"  fout:   {failure.error}"]
    where = error_location(Path(failure.kept))
    if where:
        lines.append(f"  waar:   {where}")
    lines.append(f"  kopie:  {_relative(proj, Path(failure.kept))} (open het in JupyterLab: sdrapport lab)")
    console.print(lines[0])
    for line in lines[1:]:
        console.print(line, markup=False)


def _gemeente(proj: Project, text: str) -> str:
    """The code of the gemeente named by --gemeente: a code, or its name as CBS writes it."""
    from sdrapport.inputs.registry import read_registry, resolve_gemeente

    with _input_errors(proj):
        return resolve_gemeente(read_registry(proj.data / "gemeenten.csv"), text)


def _check_gemeente(proj: Project, gemeente: str) -> None:
    import duckdb

    con = duckdb.connect(str(proj.store), read_only=True)
    try:
        found = con.execute("SELECT count(*) FROM gemeenten WHERE code = ?", [gemeente]).fetchone()[0]
    finally:
        con.close()
    if not found:
        raise KeyError(f"gemeente {gemeente} staat niet in data/gemeenten.csv; voeg haar toe of kies een bestaande code")


@app.command()
@_guarded
def batch(
    gemeenten: str = typer.Option("all", "--gemeenten", help="all; of codes, namen of provincie:<naam>, gescheiden door "
                                  "komma's (GM0505,Hilversum,provincie:Utrecht)."),
    perioden: str = typer.Option(DEFAULT_PERIODE, "--perioden", help="Een of meer perioden, gescheiden door komma's (2023-H1,2023-H2)."),
    rapport: str = RapportOpt,
    dask: str = typer.Option(None, "--dask", help="Adres van een Dask-scheduler (tcp://host:8786); standaard een lokaal cluster."),
    workers: int = typer.Option(None, "--workers", min=1, help="Aantal notebooks tegelijk, elk in een eigen kernel (standaard: het aantal cores)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Geen voortgang, alleen de samenvatting en de mislukte items (voor CI-logs)."),
    site: bool = typer.Option(True, "--site/--geen-site", help="Daarna ook het Quarto-project controleren en renderen."),
    project: Path = ProjectOpt,
) -> None:
    """Bouw rapporten voor veel gemeenten en perioden tegelijk: parallel, incrementeel en hervatbaar."""
    from sdrapport.runner.batch import resolve_gemeenten, run_batch
    from sdrapport.inputs.params import check_report_params
    from sdrapport.inputs.profiles import load_profile
    from sdrapport.runner.run import check_period
    from sdrapport.store.database import ensure_store

    proj = _project(project)
    periods = [_periode(p.strip()) for p in perioden.split(",") if p.strip()]
    if not periods:
        console.print("[red]Fout in --perioden:[/red] geef minstens één periode, bijvoorbeeld 2023-H2")
        raise typer.Exit(2)
    with _input_errors(proj):
        profile = load_profile(proj, rapport)
        for p in periods:
            check_period(profile, p)
        check_report_params(proj, rapport, []).raise_for()  # the files every report reads: exit 2
        if ensure_store(proj.data, proj.store):
            console.print("Gegevens gewijzigd: opslag opnieuw opgebouwd.")
        codes = resolve_gemeenten(proj, gemeenten)

    tty = sys.stderr.isatty()
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("items"),
                   TimeElapsedColumn(), TextColumn("nog"), TimeRemainingColumn(), console=console,
                   disable=quiet or not tty)
    state = {"task": None, "total": 0, "done": 0}

    def planned(plan) -> None:
        todo = sum(1 for r in plan.todo for i in r.items if i.outcome != "overgeslagen")
        refused = sum(1 for i in plan.items if i.outcome == "geweigerd")
        skipped = len(plan.items) - todo - refused
        state["total"] = todo
        if not quiet:
            console.print(f"Batch: {len(plan.items)} items ({len(codes)} gemeenten x {len(periods)} perioden x "
                          f"{len(profile.notebooks)} notebooks); {skipped} ongewijzigd en overgeslagen, {todo} uit te voeren"
                          + (f", {refused} geweigerd (zie de tabel aan het eind)." if refused else "."))
        state["task"] = bar.add_task(f"{rapport} {','.join(p.code for p in periods)}", total=todo)

    def reported(rep) -> None:
        ran = sum(1 for i in rep.items if i.outcome != "overgeslagen")
        state["done"] += ran
        bar.advance(state["task"], ran)
        if not quiet and not tty:
            failed = sum(1 for i in rep.items if i.outcome == "mislukt")
            console.print(f"[{state['done']}/{state['total']}] {rep.gemeente} {rep.periode}: "
                          f"{'klaar' if rep.ok else f'{failed} notebook(s) mislukt'}", markup=False)

    # With --dask the site is published while the cluster is up, its page renders tasks on the
    # same workers; otherwise after the batch, with a Quarto process per core here.
    site_exit: list[typer.Exit] = []

    def publish(executor) -> None:
        try:
            _site(proj, executor=executor)
        except typer.Exit as exc:
            site_exit.append(exc)

    try:
        with bar:
            result = run_batch(proj, codes, periods, rapport, dask=dask, workers=workers, on_planned=planned,
                               on_report=reported, then=publish if site and dask else None)
    except OSError as exc:  # distributed raises OSError (or TimeoutError, a subclass) for a dead address
        console.print(f"[red]Fout:[/red] de Dask-scheduler {dask} is niet bereikbaar: {exc}", markup=True)
        raise typer.Exit(2) from None
    pages = sum(1 for r in result.reports if r.page)
    console.print(f"Batch {result.id}: {len(result.items)} items, {result.count('ok')} uitgevoerd, "
                  f"{result.count('overgeslagen')} overgeslagen, {result.count('mislukt')} mislukt, "
                  f"{result.count('geweigerd')} geweigerd; "
                  f"{pages} pagina's; {result.wall_seconds:.1f} s. Manifest: {result.manifest.relative_to(proj.root)}",
                  markup=False)
    failures = result.failures()
    if failures:
        from rich.table import Table

        any_refused = any(f["notebook"] == "(geweigerd)" for f in failures)
        table = Table(title="Mislukte en geweigerde items" if any_refused else "Mislukte items", title_justify="left")
        for col in ("gemeente", "periode", "notebook", "cel", "fout"):
            table.add_column(col, overflow="fold")
        for row in failures:
            table.add_row(*(str(row[c]) for c in ("gemeente", "periode", "notebook", "cel", "fout")))
        console.print(table)
        failed_reports = sorted({(f["gemeente"], f["periode"]) for f in failures if f["notebook"] != "(geweigerd)"})
        refused_reports = sorted({(f["gemeente"], f["periode"]) for f in failures if f["notebook"] == "(geweigerd)"})
        if failed_reports:
            console.print(f"{len(failed_reports)} rapport(en) krijgen geen pagina zolang een notebook mislukt; "
                          "draai de batch opnieuw om alleen de mislukte items over te doen.")
        if refused_reports:
            console.print(f"{len(refused_reports)} rapport(en) geweigerd vóór het uitvoeren (instellingen of gegevens): "
                          "er is niets uitgevoerd en een bestaande pagina is gebleven. Herstel wat de tabel noemt.")
    if site and not dask:
        _site(proj)
    elif not site:
        from sdrapport.publisher.site import write_site

        write_site(proj)  # the pages, not rendered
    if site_exit:
        raise site_exit[0]
    failed = any(f["notebook"] != "(geweigerd)" for f in failures)
    raise typer.Exit(1 if failed else 2 if failures else 0)


@app.command()
def site(
    volledig: bool = typer.Option(False, "--volledig", help="Render alle pagina's opnieuw, ook ongewijzigde (bijv. na een nieuwe Quarto-versie)."),
    workers: int = typer.Option(None, "--workers", min=1, help="Aantal Quarto-processen tegelijk (standaard: het aantal cores)."),
    project: Path = ProjectOpt,
) -> None:
    """Schrijf het Quarto-project en render website en PDF's (als Quarto is geïnstalleerd): alleen wat gewijzigd is, parallel."""
    _site(_project(project), full=volledig, workers=workers)


def _site(proj: Project, *, full: bool = False, workers: int | None = None, executor=None) -> None:
    from sdrapport.publisher.site import render, write_site
    from sdrapport.publisher.check import check_project

    pages = write_site(proj)
    problems = check_project(proj)
    if problems:
        console.print("[red]Het Quarto-project is niet in orde:[/red]")
        for line in problems:
            console.print(f"  {line}", markup=False)
        raise typer.Exit(1)
    reports = sum(1 for p in pages if len(p.relative_to(proj.root).parts) == 5)  # reports/<periode>/<gemeente>/<rapport>/index.qmd
    console.print(f"Quarto-project klaar: {len(pages)} pagina's ({reports} gemeenterapporten).")
    try:
        rendered, message = render(proj, full=full, workers=workers, executor=executor)
    except RuntimeError as exc:
        console.print(f"[red]{exc}[/red]", markup=False)
        raise typer.Exit(1) from None
    console.print(message, markup=False)


@app.command()
def controleer(project: Path = ProjectOpt) -> None:
    """Controleer het Quarto-project statisch (pagina's, embeds, links, YAML) zonder te renderen."""
    from sdrapport.publisher.check import check_project

    problems = check_project(_project(project))
    for line in problems:
        console.print(line, markup=False)
    if problems:
        raise typer.Exit(1)
    console.print("Quarto-project in orde.")


@app.command()
@_guarded
def demo(project: Path = ProjectOpt) -> None:
    """De hoofdtaak op de demodata: rapport voor Dordrecht, tweede halfjaar 2023, plus de site."""
    proj = _project(project)
    p = Period.parse(DEFAULT_PERIODE)
    ok = _run_one(proj, DEFAULT_GEMEENTE, p, "monitor")
    _site(proj)  # also when the report failed: the site then simply lacks that page
    _readable_without_quarto(proj, DEFAULT_GEMEENTE, p, "monitor", ok)
    raise typer.Exit(0 if ok else 1)


@app.command()
def voorbeeld(
    gemeente: str = GemeenteOpt,
    periode: str = PeriodeOpt,
    rapport: str = RapportOpt,
    browser: bool = typer.Option(True, "--browser/--geen-browser", help="De pagina openen in de browser (met Quarto)."),
    project: Path = ProjectOpt,
) -> None:
    """Bekijk de pagina van één gebouwd rapport: quarto preview, of zonder Quarto de HTML-versie."""
    import subprocess

    from sdrapport.publisher.standalone import write_html
    from sdrapport.inputs.profiles import load_profile
    from sdrapport.publisher.site import PAGE, quarto_binary, write_site

    proj = _project(project)
    p = _periode(periode)
    code = _gemeente(proj, gemeente)
    with _input_errors(proj):
        profile = load_profile(proj, rapport)
    page = proj.report_dir(p.code, code, profile.naam) / PAGE
    if not page.exists():
        console.print(f"[red]Fout:[/red] er is nog geen pagina voor {code} {p.code} ({profile.naam}); maak hem eerst met "
                      f"'sdrapport run -g {code} -p {p.code} -r {profile.naam} --geen-site'.")
        raise typer.Exit(2)
    quarto = quarto_binary()
    if quarto is None:
        path = write_html(proj, code, p, profile)
        console.print(f"Quarto ontbreekt, dus geen live voorbeeld. Het rapport als één HTML-bestand: {_relative(proj, path)}",
                      markup=False)
        return
    write_site(proj)  # the pages the report links to (methode, begrippen) and this page, current
    target = page.relative_to(proj.root).as_posix()
    console.print(f"quarto preview {target}: de pagina wordt bijgewerkt zodra hij verandert. Stoppen met Ctrl+C.", markup=False)
    args = [quarto, "preview", target] + ([] if browser else ["--no-browser"])
    try:
        code_ = subprocess.run(args, cwd=proj.root).returncode
    except KeyboardInterrupt:
        code_ = 0
    raise typer.Exit(0 if code_ in (0, 130) else 1)


@app.command()
def lab(
    browser: bool = typer.Option(True, "--browser/--geen-browser", help="JupyterLab openen in de browser."),
    poort: int = typer.Option(None, "--poort", help="Poort van JupyterLab (standaard 8888 of de eerste vrije daarna)."),
    project: Path = ProjectOpt,
) -> None:
    """Open JupyterLab op notebooks/, met een kernel waarin sdrapport is geïnstalleerd."""
    import importlib.util
    import os

    proj = _project(project)
    if importlib.util.find_spec("jupyterlab") is None:
        console.print("[red]Fout:[/red] JupyterLab is niet geïnstalleerd in deze omgeving. Installeer het met 'make' "
                      "(of: pip install -c requirements.lock -e '.[test,lab]').")
        raise typer.Exit(2)
    # The notebooks' kernel 'python3' is this interpreter (with sdrapport installed): kernel specs of
    # this environment come before those of the user, and the project is the one opened here.
    env = dict(os.environ, SDRAPPORT_PROJECT=str(proj.root), JUPYTER_PREFER_ENV_PATH="1")
    args = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={proj.notebooks}"]
    args += [] if browser else ["--no-browser"]
    args += [f"--ServerApp.port={poort}"] if poort else []
    args += ["--ServerApp.allow_root=True"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []  # containers
    console.print(f"JupyterLab start op {_relative(proj, proj.notebooks)}/ met de standaardparameters van elk notebook. "
                  "Stoppen met Ctrl+C (twee keer).", markup=False)
    sys.stderr.flush()
    os.execve(sys.executable, args, env)  # JupyterLab takes over this process (and its Ctrl+C)


@app.command()
def demodata(project: Path = ProjectOpt) -> None:
    """Schrijf de demodata opnieuw (deterministisch: dezelfde bytes bij elke run)."""
    from sdrapport.inputs.demo import write_demo

    proj = _project(project)
    for path in write_demo(proj.data):
        console.print(f"geschreven: {path.relative_to(proj.root)}")


cbs_app = typer.Typer(add_completion=False, no_args_is_help=True, help="CBS StatLine: tabellen bekijken, ophalen en omzetten.")
app.add_typer(cbs_app, name="cbs")


@cbs_app.command("fetch")
def cbs_fetch(
    tabel: list[str] = typer.Option(None, "--tabel", "-t", help="Tabel-id(s) uit params/cbs/; standaard alle."),
    gemeenten: str = typer.Option("alle", "--gemeenten", help="alle, of codes gescheiden door komma's (GM0505,GM0402)."),
    refresh: bool = typer.Option(False, "--refresh", help="Opnieuw ophalen, ook als er al een snapshot is."),
    catalogus: str = typer.Option(None, "--catalogus", help="Andere catalogus-URL dan in de mapping (spiegel of proxy)."),
    project: Path = ProjectOpt,
) -> None:
    """Haal CBS-tabellen op (of gebruik de opgeslagen snapshot) en zet ze om naar waarnemingen."""
    import pandas as pd

    from sdrapport.inputs.cbs import CbsError, MappingError, fetch, mappings, write_observations

    proj = _project(project)
    known = list(pd.read_csv(proj.data / "gemeenten.csv", dtype=str)["code"])
    wanted = known if gemeenten == "alle" else [g.strip().upper() for g in gemeenten.split(",") if g.strip()]
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        console.print(f"[red]Fout:[/red] onbekende gemeente(n) {', '.join(unknown)}; voeg ze toe aan data/gemeenten.csv")
        raise typer.Exit(2)
    failed = 0
    try:
        todo = mappings(proj, tabel or None)
    except (CbsError, ContractError) as exc:
        console.print(f"[red]Fout:[/red] {exc}", markup=False)
        raise typer.Exit(2) from None
    for mapping in todo:
        if catalogus:
            mapping.catalogus = catalogus
        try:
            snapshot = fetch(proj, mapping, wanted, refresh=refresh)
            summary = write_observations(proj, mapping, snapshot, wanted)
        except CbsError as exc:
            console.print(f"Fout: {exc}", markup=False)
            failed = max(failed, 2 if isinstance(exc, MappingError) else 1)  # a mapping that does not fit is bad input
            continue
        console.print(f"{mapping.tabel}: snapshot {snapshot.name}, {summary['observaties']} waarnemingen"
                      f"{', ' + str(summary['inwoners']) + ' inwonertallen' if summary['inwoners'] else ''}", markup=False)
        if summary["titel_oud"]:
            console.print(f"Let op: tabel {mapping.tabel} heet nu '{summary['titel']}' (in {mapping.path.name}: "
                          f"'{summary['titel_oud']}'); controleer met 'sdrapport cbs tabel {mapping.tabel}' of de inhoud "
                          "gelijk bleef en pas 'titel' aan.", markup=False)
        if summary["herzieningen"]:
            console.print(f"{mapping.tabel}: {len(summary['herzieningen'])} al opgehaalde cijfers herzien door CBS "
                          "(indicator, gemeente, periode: oud -> nieuw):", markup=False)
            for h in summary["herzieningen"]:
                status = f" ({h['status_oud']} -> {h['status_nieuw']})" if h["status_oud"] != h["status_nieuw"] else ""
                extra = f" [{h['uitsplitsing']}]" if h["uitsplitsing"] else ""
                console.print(f"  {h['indicator']}{extra}, {h['gemeente']}, {h['periode']}: {h['oud']} -> {h['nieuw']}{status}",
                              markup=False)
    raise typer.Exit(failed)


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    """'A=b' options as a dict; exit 2 naming the option for a value without '='."""
    out = {}
    for value in values or []:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip() or not rest.strip():
            console.print(f"[red]Fout:[/red] {option} {value!r}: schrijf SLEUTEL=WAARDE, bijvoorbeeld {option} "
                          + ("WmoClienten_1=wmo_clienten" if option == "--onderwerp" else "TypeMaatwerkvoorziening=T001024,A019507"
                             if option == "--code" else "TypeMaatwerkvoorziening=hoofdcategorie"), markup=False)
            raise typer.Exit(2)
        out[key.strip()] = rest.strip()
    return out


@cbs_app.command("tabel")
def cbs_tabel(
    tabel: str = typer.Argument(..., help="Tabel-id, bijvoorbeeld 86050NED."),
    catalogus: str = typer.Option(None, "--catalogus", help="Catalogus-URL (standaard die uit de mapping, anders opendata.cbs.nl)."),
    snapshot: bool = typer.Option(False, "--snapshot", help="Lees de nieuwste opgeslagen snapshot in cache/cbs/ (zonder netwerk)."),
    alle: bool = typer.Option(False, "--alle", help="Alle codes van lange dimensies tonen (zoals RegioS)."),
    concept: Path = typer.Option(None, "--concept", help="Schrijf een concept-mapping (YAML) naar dit bestand."),
    onderwerp: list[str] = typer.Option(None, "--onderwerp", help="Voor --concept: SLEUTEL=indicator, herhaalbaar."),
    code: list[str] = typer.Option(None, "--code", help="Voor --concept: DIMENSIE=CODE[,CODE...]; standaard alleen het totaal."),
    kolom: list[str] = typer.Option(None, "--kolom", help="Voor --concept: DIMENSIE=uitsplitsing uit de catalogus."),
    jaar: int = typer.Option(None, "--jaar", help="Voor --concept van een tabel zonder periodedimensie: het jaar (peildatum)."),
    overschrijven: bool = typer.Option(False, "--overschrijven", help="Een bestaand conceptbestand vervangen."),
    project: Path = ProjectOpt,
) -> None:
    """Toon wat een CBS-tabel bevat (titel, perioden, status, dimensies, onderwerpen) en maak desgewenst een concept-mapping."""
    from sdrapport.inputs.cbs import CbsError, MappingError
    from sdrapport.inputs.cbs_tabel import describe, draft, load_table, write_draft

    proj = _project(project)
    picks = _pairs(onderwerp, "--onderwerp")
    codes = {dim: [c.strip() for c in value.split(",") if c.strip()] for dim, value in _pairs(code, "--code").items()}
    kolommen = _pairs(kolom, "--kolom")
    if (picks or codes or kolommen or jaar) and concept is None:
        console.print("[red]Fout:[/red] --onderwerp, --code, --kolom en --jaar horen bij --concept <bestand>", markup=False)
        raise typer.Exit(2)
    try:
        table = load_table(proj, tabel, catalogus, snapshot=snapshot)
        for line in describe(table, alle):
            console.print(line, markup=False, highlight=False, soft_wrap=True)
        if concept is not None:
            write_draft(proj, table, concept, draft(proj, table, picks, codes, kolommen, jaar), overschrijven=overschrijven)
            console.print(f"\nConcept-mapping geschreven: {concept}. Controleer hem en haal de cijfers op met "
                          f"'sdrapport cbs fetch --tabel {table.info.get('Identifier', tabel)}' (zet het bestand in params/cbs/).",
                          markup=False, soft_wrap=True)
    except MappingError as exc:
        console.print(f"Fout: {exc}", markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except ContractError as exc:
        console.print(f"Fout: {exc}", markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except CbsError as exc:
        console.print(f"Fout: {exc}", markup=False, soft_wrap=True)
        raise typer.Exit(1) from None


if __name__ == "__main__":
    app()
