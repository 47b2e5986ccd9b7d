"""The whole job, composed of its layers: the runner executes the notebooks and records each report
in run.json; the publisher turns the recorded reports into pages (and, with Quarto, the site).

The runner never imports the publisher; this module and the command line are where the two meet.
"""
from __future__ import annotations

from sdrapport.periods import Period
from sdrapport.project import Project
from sdrapport.publisher.site import remove_page, write_page, write_site
from sdrapport.runner.batch import BatchResult, run_batch
from sdrapport.inputs.profiles import load_profile
from sdrapport.runner.run import RunResult, run_report


def publish_report(project: Project, result: RunResult) -> None:
    """The page of one executed report, or no page when a notebook failed (never a half page)."""
    profile = load_profile(project, result.rapport)
    if result.ok:
        write_page(project, result.gemeente, result.periode, profile)
    else:
        remove_page(result.outdir)


def build_report(project: Project, gemeente: str, periode: str | Period, rapport: str = "monitor",
                 progress=None, finished=None) -> RunResult:
    """Run one report (runner.run.run_report) and write its page."""
    result = run_report(project, gemeente, periode, rapport, progress=progress, finished=finished)
    publish_report(project, result)
    return result


def build_batch(project: Project, gemeenten: list[str], perioden: list[Period], rapport: str = "monitor",
                **options) -> BatchResult:
    """Run a batch (runner.batch.run_batch) and then write the pages of every recorded report and
    the site's own pages (not rendered: see publisher.site.render)."""
    return run_batch(project, gemeenten, perioden, rapport, then=lambda executor: write_site(project), **options)
