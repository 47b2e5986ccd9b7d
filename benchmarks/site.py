"""Benchmark of national publishing: `sdrapport site` (incremental, parallel) against one
`quarto render` (not a test; run it by hand; needs `quarto` on the PATH, else it says so and exits 0).

    python benchmarks/site.py                  # all 342 gemeenten, monitor, 2023-H2 (takes long)
    python benchmarks/site.py --gemeenten 24   # a quicker check on 24 of them (all size classes)

In a temporary copy of the project whose registry holds N of the 342 real gemeenten (see
benchmarks/batch.py) it builds the reports with `sdrapport batch --geen-site` (not timed) and
writes the site pages, then measures:

- naive_s: one `quarto render` of the whole project in one process, measured on a copy holding a
  sample of the reports (--sample) and extrapolated to all of them (the site pages counted once);
- full_s: `sdrapport site --volledig`: every page, report pages in parallel workers;
- rerun_s: `sdrapport site` again without changes (pages written, nothing rendered);
- one_change_s: `sdrapport batch` plus site after one figure of one gemeente changed: the store is
  rebuilt, the reports of that gemeente's reference group run again, their pages and the listings
  are rendered.

The last line is machine-readable:
    reports=N full_s= naive_s= speedup= rerun_s= one_change_s= peak_mib=
speedup = naive_s / full_s; peak_mib = peak resident memory of this process and its children
(the Quarto, pandoc and Typst processes) during the parallel full render. The naive and the full
render also print their CPU time and the cores it kept busy (CPU / wall): on 2 cores the speedup
cannot pass 2 / (cores busy in the naive render).
"""
from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from batch import PeakMemory, REPO, make_project
from sdrapport.project import Project


def children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes of this process and theirs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def change_one_figure(project: Project, periode: str) -> str:
    """Add 5 to one figure (households in debt counselling) of the first gemeente in the demo observations; returns its code."""
    path = project.data / "observaties" / "demo.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    header = lines[0].split(",")
    for i, line in enumerate(lines[1:], start=1):
        cells = line.split(",")
        if len(cells) == len(header) and cells[1] == periode and cells[2] == "schuldhulp_huishoudens":
            cells[header.index("waarde")] = str(int(cells[header.index("waarde")]) + 5)
            lines[i] = ",".join(cells)
            path.write_text("\n".join(lines), encoding="utf-8")
            return cells[0]
    raise SystemExit("no figure to change")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gemeenten", type=int, default=342, help="number of gemeenten (default all 342)")
    parser.add_argument("--sample", type=int, default=8, help="reports in the naive render's sample")
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

    from sdrapport.publisher.site import write_site
    from sdrapport.publisher.check import check_project
    from sdrapport.publisher.render import default_workers, render_site

    tmp = args.project.resolve() if args.project else Path(tempfile.mkdtemp(prefix="sdrapport-sitebench-"))
    try:
        if args.project:
            project = Project(tmp / "project")
            shutil.rmtree(project.reports / "_site", ignore_errors=True)
        else:
            project = make_project(tmp / "project", args.gemeenten)
            shutil.copytree(REPO / "assets", project.root / "assets")
        start = time.perf_counter()
        batch = [sys.executable, "-m", "sdrapport.cli", "batch", "--gemeenten", "all", "--perioden", args.periode,
                 "--rapport", args.rapport, "-q", "--project", str(project.root)]
        if not args.project:
            subprocess.run([*batch, "--geen-site"], check=True)
        pages = write_site(project)
        problems = check_project(project)
        if problems:
            raise SystemExit("the Quarto project has problems:\n" + "\n".join(problems))
        reports = sum(1 for p in pages if len(p.relative_to(project.root).parts) == 5)
        print(f"build: {reports} reports and site pages in {time.perf_counter() - start:.0f} s (not timed below)", flush=True)

        # naive: one quarto render of a copy that holds a sample of the reports, extrapolated
        naive_root = tmp / "naive"
        shutil.rmtree(naive_root, ignore_errors=True)
        shutil.copytree(project.root, naive_root, ignore=shutil.ignore_patterns("_site", "store", "batches", ".quarto", "_site.*"))
        naive_project = Project(naive_root)
        all_reports = sorted(p.parent for p in naive_project.reports.glob(f"{args.periode}/*/{args.rapport}"))
        sample = all_reports[:: max(1, len(all_reports) // args.sample)][: args.sample]
        for folder in all_reports:
            if folder not in sample:
                shutil.rmtree(folder)
        write_site(naive_project)  # listings and navigation of the sample
        with PeakMemory() as mem_naive:
            start, cpu = time.perf_counter(), children_cpu()
            subprocess.run([quarto, "render"], cwd=naive_root, check=True, capture_output=True)
            naive_sample = time.perf_counter() - start
            naive_cpu = children_cpu() - cpu
        # the site pages (index, listing, methode, begrippen) once; the report pages scale
        start = time.perf_counter()
        subprocess.run([quarto, "render", "index.qmd", "reports/methode.qmd", "reports/begrippen.qmd",
                        f"reports/{args.periode}/index.qmd"], cwd=naive_root, check=True, capture_output=True)
        site_part = time.perf_counter() - start
        per_report = max(naive_sample - site_part, 0.0) / len(sample)
        naive = site_part + per_report * reports
        print(f"naive: one quarto render of {len(sample)} reports: {naive_sample:.1f} s, CPU {naive_cpu:.1f} s "
              f"({naive_cpu / naive_sample:.2f} cores busy; {per_report:.2f} s per report, "
              f"site pages {site_part:.1f} s) -> estimate {naive:.0f} s for {reports} reports, "
              f"peak {mem_naive.peak / 2**20:.0f} MiB", flush=True)

        workers = args.workers or default_workers()
        with PeakMemory() as mem:
            start, cpu = time.perf_counter(), children_cpu()
            plan, _ = render_site(project, quarto, full=True, workers=workers)
            full = time.perf_counter() - start
            full_cpu = children_cpu() - cpu
        phases = ", ".join(f"{k} {v:.1f} s" for k, v in plan.seconds.items())
        print(f"full: sdrapport render, {workers} workers: {full:.1f} s, CPU {full_cpu:.1f} s ({full_cpu / full:.2f} cores busy; "
              f"{phases}), peak {mem.peak / 2**20:.0f} MiB", flush=True)

        site_cmd = [sys.executable, "-m", "sdrapport.cli", "site", "--project", str(project.root)]
        start = time.perf_counter()
        proc = subprocess.run(site_cmd, check=True, capture_output=True, text=True)
        rerun = time.perf_counter() - start
        print(f"rerun without changes (sdrapport site): {rerun:.2f} s ({(proc.stdout + proc.stderr).strip().splitlines()[-1]})", flush=True)

        gemeente = change_one_figure(project, args.periode)
        start = time.perf_counter()
        proc = subprocess.run(batch, check=True, capture_output=True, text=True)
        one = time.perf_counter() - start
        print(f"one figure of {gemeente} changed (sdrapport batch + site): {one:.1f} s\n{(proc.stdout + proc.stderr).strip()}", flush=True)
        print(f"reports={reports} full_s={full:.1f} naive_s={naive:.1f} speedup={naive / full:.2f} rerun_s={rerun:.2f} "
              f"one_change_s={one:.1f} peak_mib={mem.peak / 2**20:.0f}")
    finally:
        if not args.keep and not args.project:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"project kept in {tmp}")


if __name__ == "__main__":
    main()
