"""Benchmark of `sdrapport batch` at national scale (not a test; run it by hand).

    python benchmarks/batch.py                  # 342 gemeenten, one period (2023-H2), rapport monitor
    python benchmarks/batch.py --gemeenten 12   # a quick check

In a temporary copy of the project whose registry holds N of the 342 real gemeenten (all by
default) it generates the demo data for them (as a first use does), builds the store, then in one
run:

- runs the batch for one period (site pages included; Quarto is not needed) and measures its wall
  time, the summed in-kernel execution time of the notebooks (papermill's per-cell durations), the
  CPU time of the whole process tree (this process and its kernels: less sensitive than wall time
  to other jobs on a shared machine, so the measure to compare two versions by) and the peak memory
  of the process tree, sampled; and the mean in-kernel time per notebook;
- times the naive loop, the papermill CLI in a fresh process per notebook, on a sample of items and
  extrapolates it to all items;
- reruns the batch without changes.

The last line is machine-readable:
    items=N wall_s=W cpu_s=C speedup=X overhead_ratio=Y rerun_s=Z peak_mib=M
speedup = naive estimate / wall; overhead_ratio = wall / (summed in-kernel seconds / workers).
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from sdrapport.inputs.demo import generated_paths
from sdrapport.runner.batch import default_workers, run_batch
from sdrapport.periods import Period
from sdrapport.project import Project
from sdrapport.store.database import build_store

REPO = Path(__file__).resolve().parents[1]
PROJECT_PARTS = ("_quarto.yml", "notebooks", "params", "data")


def make_project(dest: Path, n: int) -> Project:
    """A copy of the project whose registry holds n of the 342 real gemeenten (all by default; else
    every k-th, so all size classes stay), with the demo data generated for them."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    generated = {p.name for p in generated_paths(REPO / "data")} | {".demo-stamp", ".demo-full"}
    for part in PROJECT_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=lambda d, names: [x for x in names if x in generated])
        else:
            shutil.copy2(src, dest / part)
    (dest / "reports").mkdir()
    data = dest / "data"
    with open(data / "gemeenten.csv", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows, fields = list(reader), reader.fieldnames
    if n < len(rows):
        step = len(rows) / n
        rows = [rows[int(i * step)] for i in range(n)]
        codes = {r["code"] for r in rows}
        with open(data / "gemeenten.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        with open(data / "inwoners.csv", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            inw, inw_fields = [r for r in reader if r["gemeente"] in codes], reader.fieldnames
        with open(data / "inwoners.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=inw_fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows(inw)
        if not {"GM0014", "GM1942"} <= codes:  # the history names successors that must exist
            (data / "gemeente-historie.csv").unlink(missing_ok=True)
        if "GM0164" not in codes:
            (data / "observaties" / "hengelo-jaarstukken-2024.csv").unlink(missing_ok=True)
    # In a child process: generating the demo for 342 gemeenten grows a Python process by some
    # 2 GB that it does not give back, and the peak memory measured below counts this process.
    subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; from sdrapport.inputs.demo import ensure_demo; "
                    "ensure_demo(Path(sys.argv[1]))", str(data)], check=True)
    return Project(dest)


class PeakMemory:
    """Peak of the summed resident memory of this process and all its descendants, sampled."""

    def __init__(self, interval: float = 0.25):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def naive_seconds(project: Project, items: list[tuple[str, str, str]], periode: str) -> list[float]:
    """Time the papermill CLI, one fresh process (and kernel) per notebook, as a shell loop would."""
    papermill = str(Path(sys.executable).with_name("papermill"))
    out = Path(tempfile.mkdtemp(prefix="naive-", dir=project.reports))
    times = []
    for gemeente, notebook, rapport in items:
        uitvoer = out / gemeente
        uitvoer.mkdir(exist_ok=True)
        cmd = [papermill, str(project.notebooks / notebook), str(uitvoer / notebook), "--cwd", str(project.notebooks),
               "-k", "python3", "--no-progress-bar", "-p", "gemeente", gemeente, "-p", "periode", periode,
               "-p", "rapport", rapport, "-p", "project", "..", "-p", "uitvoer", str(uitvoer)]
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(f"naive papermill run failed for {gemeente} {notebook}:\n{proc.stderr[-2000:]}")
    shutil.rmtree(out, ignore_errors=True)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gemeenten", type=int, default=342, help="number of gemeenten (default 342)")
    parser.add_argument("--sample", type=int, default=8, help="items timed with the naive papermill CLI loop")
    parser.add_argument("--periode", default="2023-H2")
    parser.add_argument("--rapport", default="monitor")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: the number of cores)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary project")
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)  # internal: make data and store only
    args = parser.parse_args()
    if args.prepare:
        start = time.perf_counter()
        project = make_project(args.prepare, args.gemeenten)
        print(f"data: {args.gemeenten} gemeenten generated in {time.perf_counter() - start:.1f} s", flush=True)
        start = time.perf_counter()
        summary = build_store(project.data, project.store)
        print(f"store: {summary['observaties']} observations built in {time.perf_counter() - start:.1f} s (not in wall_s)",
              flush=True)
        return
    workers = args.workers or default_workers()
    tmp = Path(tempfile.mkdtemp(prefix="sdrapport-bench-"))
    try:
        # Data and store are made in a child process: their memory (1,7 million rows for 342
        # gemeenten) is not part of the batch, and would otherwise stay in this process's RSS.
        subprocess.run([sys.executable, __file__, "--prepare", str(tmp / "project"), "--gemeenten", str(args.gemeenten)],
                       check=True)
        project = Project(tmp / "project")
        with open(project.data / "gemeenten.csv", encoding="utf-8") as fh:
            codes = [r["code"] for r in csv.DictReader(fh)]
        periode = Period.parse(args.periode)

        before = os.times()
        with PeakMemory() as mem:
            result = run_batch(project, codes, [periode], args.rapport, workers=workers)
        after = os.times()
        # The kernels are children of this process, waited for when the batch shuts them down: their
        # CPU time is in children_user/children_system.
        cpu = sum(getattr(after, f) - getattr(before, f) for f in ("user", "system", "children_user", "children_system"))
        if not result.ok:
            for row in result.failures()[:10]:
                print("failed:", row)
            raise SystemExit("the batch had failures; the benchmark needs a clean run")
        items = len(result.items)
        kernel = sum(i.kernel_seconds for i in result.items)
        wall = result.wall_seconds
        print(f"batch: {items} items on {result.workers} workers in {wall:.1f} s; in-kernel {kernel:.1f} s "
              f"({kernel / items:.3f} s per item); CPU {cpu:.1f} s ({cpu / items:.3f} s per item); "
              f"peak memory {mem.peak / 2**20:.0f} MiB; load average {os.getloadavg()[0]:.1f}", flush=True)
        per_notebook: dict[str, list[float]] = {}
        for item in result.items:
            per_notebook.setdefault(item.notebook, []).append(item.kernel_seconds)
        print("in-kernel seconds per notebook (mean over the gemeenten): "
              + ", ".join(f"{nb} {sum(v) / len(v):.2f}" for nb, v in per_notebook.items()), flush=True)

        rng = random.Random(20240101)
        sample = [(i.gemeente, i.notebook, i.rapport) for i in rng.sample(result.items, min(args.sample, items))]
        naive = naive_seconds(project, sample, periode.code)
        per_item = sum(naive) / len(naive)
        naive_total = per_item * items
        print(f"naive: papermill CLI per notebook, {len(naive)} sampled items, {per_item:.2f} s per item "
              f"-> estimate {naive_total:.0f} s for {items} items", flush=True)

        with PeakMemory() as mem2:
            rerun = run_batch(project, codes, [periode], args.rapport, workers=workers)
        executed = rerun.count("ok")
        print(f"rerun without changes: {rerun.wall_seconds:.2f} s, {executed} items executed, "
              f"{rerun.count('overgeslagen')} skipped", flush=True)
        peak = max(mem.peak, mem2.peak) / 2**20
        speedup = naive_total / wall
        overhead = wall / (kernel / result.workers)
        print(f"targets: speedup {speedup:.1f} (>= 5), overhead_ratio {overhead:.2f} (<= 1.3), "
              f"rerun {rerun.wall_seconds:.1f} s (< 10), peak {peak:.0f} MiB (< 2048)", flush=True)
        print(f"items={items} wall_s={wall:.1f} cpu_s={cpu:.1f} speedup={speedup:.1f} overhead_ratio={overhead:.2f} "
              f"rerun_s={rerun.wall_seconds:.1f} peak_mib={peak:.0f}")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"project kept in {tmp}", file=sys.stderr)


if __name__ == "__main__":
    main()
