"""Benchmark of `sdrapport site` rendering: incremental and parallel against one `quarto render`
(not a test; run it by hand; needs `quarto` on the PATH).

    python benchmarks/site.py                  # the demo's 27 gemeenten, monitor, 2023-H2
    python benchmarks/site.py --gemeenten 8    # a quick check
    python benchmarks/site.py --gemeenten 342  # national scale (synthetic gemeenten; takes long)

In a temporary copy of the project it builds the reports with
`sdrapport batch --gemeenten all --perioden 2023-H2 --geen-site` (the first N demo gemeenten for
N < 27; synthetic ones beyond 27, see benchmarks/batch.py; not timed) and writes the site pages,
then measures:

- naive_s: one `quarto render` of the whole project in one process (a copy of the project);
- full_s: `site.render(full=True)`: every page, report pages in parallel workers;
- rerun_s: `site.render()` again without changes (nothing is rendered);
- one_change_s: `site.render()` after one gemeente's download (data/*.csv) changed: that page and
  the listings.

The last line is machine-readable:
    reports=N full_s= naive_s= speedup= rerun_s= one_change_s= peak_mib=
speedup = naive_s / full_s; peak_mib = peak resident memory of this process and its children
(the Quarto, pandoc and Typst processes) during the parallel full render.
"""
from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from batch import PeakMemory, REPO, make_project
from sdrapport.project import Project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gemeenten", type=int, default=27, help="number of gemeenten (default 27, the demo's; 342 national)")
    parser.add_argument("--periode", default="2023-H2")
    parser.add_argument("--rapport", default="monitor")
    parser.add_argument("--workers", type=int, default=None, help="Quarto processes at once (default: the number of cores)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary project")
    parser.add_argument("--project", type=Path, help="reuse a project kept by an earlier --keep run (skips the build)")
    args = parser.parse_args()
    quarto = shutil.which("quarto")
    if quarto is None:
        print("benchmarks/site.py: quarto is not on the PATH; nothing measured.")
        return

    from sdrapport.publisher.site import render, write_site
    from sdrapport.publisher.check import check_project
    from sdrapport.publisher.render import default_workers, render_site

    tmp = args.project.resolve() if args.project else Path(tempfile.mkdtemp(prefix="sdrapport-sitebench-"))
    try:
        if args.project:
            shutil.rmtree(tmp / "naive", ignore_errors=True)
            shutil.rmtree(tmp / "project" / "reports" / "_site", ignore_errors=True)
        with open(REPO / "data" / "gemeenten.csv", encoding="utf-8") as fh:
            demo_codes = [r["code"] for r in csv.DictReader(fh)]
        if args.project:
            project = Project(tmp / "project")
        elif args.gemeenten <= len(demo_codes):  # the demo project itself, the first N of its gemeenten
            root = tmp / "project"
            root.mkdir()
            for part in ("_quarto.yml", "notebooks", "params", "data"):
                (shutil.copytree if (REPO / part).is_dir() else shutil.copy2)(REPO / part, root / part)
            (root / "reports").mkdir()
            project = Project(root)
            gemeenten = ",".join(demo_codes[: args.gemeenten]) if args.gemeenten < len(demo_codes) else "all"
        else:  # synthetic gemeenten (benchmarks/batch.py), without the demo's own registrations
            project = make_project(tmp / "project", args.gemeenten)
            shutil.rmtree(project.data / "registraties", ignore_errors=True)
            gemeenten = "all"
        if not args.project:
            shutil.copytree(REPO / "assets", project.root / "assets")
        start = time.perf_counter()
        if not args.project:
            subprocess.run([sys.executable, "-m", "sdrapport.cli", "batch", "--gemeenten", gemeenten, "--perioden",
                            args.periode, "--rapport", args.rapport, "--geen-site", "-q", "--project", str(project.root)],
                           check=True)
        pages = write_site(project)
        problems = check_project(project)
        if problems:
            raise SystemExit("the Quarto project has problems:\n" + "\n".join(problems))
        reports = sum(1 for p in pages if len(p.relative_to(project.root).parts) == 5)
        print(f"build: {reports} reports and site pages in {time.perf_counter() - start:.0f} s (not timed below)", flush=True)

        naive_root = tmp / "naive"
        shutil.copytree(project.root, naive_root, ignore=shutil.ignore_patterns("_site", "store", "batches", ".quarto"))
        with PeakMemory() as mem_naive:
            start = time.perf_counter()
            subprocess.run([quarto, "render"], cwd=naive_root, check=True, capture_output=True)
            naive = time.perf_counter() - start
        print(f"naive: one quarto render of the project: {naive:.1f} s, peak {mem_naive.peak / 2**20:.0f} MiB", flush=True)

        workers = args.workers or default_workers()
        with PeakMemory() as mem:
            start = time.perf_counter()
            plan, _ = render_site(project, quarto, full=True, workers=workers)
            full = time.perf_counter() - start
        phases = ", ".join(f"{k} {v:.1f} s" for k, v in plan.seconds.items())
        print(f"full: sdrapport render, {workers} workers: {full:.1f} s ({phases}), peak {mem.peak / 2**20:.0f} MiB",
              flush=True)

        start = time.perf_counter()
        _, message = render(project, workers=workers)
        rerun = time.perf_counter() - start
        print(f"rerun without changes: {rerun:.2f} s ({message})", flush=True)

        download = sorted(project.reports.glob(f"{args.periode}/*/{args.rapport}/data/*.csv"))[0]
        download.write_text(download.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        start = time.perf_counter()
        _, message = render(project, workers=workers)
        one = time.perf_counter() - start
        print(f"one report changed: {one:.1f} s ({message})", flush=True)
        print(f"reports={reports} full_s={full:.1f} naive_s={naive:.1f} speedup={naive / full:.2f} rerun_s={rerun:.2f} "
              f"one_change_s={one:.1f} peak_mib={mem.peak / 2**20:.0f}")
    finally:
        if not args.keep and not args.project:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"project kept in {tmp}")


if __name__ == "__main__":
    main()
