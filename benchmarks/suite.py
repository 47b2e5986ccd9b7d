"""Benchmark of the test suite: runs it as `make test` does and prints its wall time, the load
average it ran under and the slowest tests, so that a change that slows the suite shows (not a
test; run it by hand, on a quiet machine where possible).

    python benchmarks/suite.py                          # the whole suite, as `make test` (-n 2 --dist loadfile)
    python benchmarks/suite.py tests/test_report.py     # only some test files
    python benchmarks/suite.py --workers 0              # in one process, without pytest-xdist

The last line is machine-readable:
    suite_s= passed= failed= skipped= workers= load_before= load_after= cores=
load_before / load_after are the 1-minute load averages of the machine (os.getloadavg) when the
run started and ended; on a machine whose cores are shared, compare times only at a similar load.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="test files or folders (default: the suite's testpaths)")
    parser.add_argument("--workers", type=int, default=2, help="pytest-xdist workers; 0 runs in one process (default 2)")
    parser.add_argument("--slowest", type=int, default=25, help="how many of the slowest tests to print (default 25)")
    args = parser.parse_args(argv)

    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--durations={args.slowest}", *args.paths]
    if args.workers:
        command += ["-n", str(args.workers), "--dist", "loadfile"]
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - started
    load_after = os.getloadavg()[0]

    out = proc.stdout
    slowest = out.split("slowest", 1)[1].split("\n", 1)[1] if "slowest" in out else ""
    print(f"slowest tests:\n{slowest.split('=====', 1)[0].rstrip()}\n")
    summary = out.strip().splitlines()[-1] if out.strip() else proc.stderr.strip()[-500:]
    if proc.returncode:  # what failed, as pytest summarised it
        print(out.split("short test summary info", 1)[-1].split("\n", 1)[-1][-5000:] if "short test summary info" in out else out[-5000:])
    else:
        print(summary)
    counts = {kind: int(n) for n, kind in re.findall(r"(\d+) (passed|failed|skipped|error)", summary)}
    print(f"suite_s={wall:.0f} passed={counts.get('passed', 0)} failed={counts.get('failed', 0) + counts.get('error', 0)} "
          f"skipped={counts.get('skipped', 0)} workers={args.workers} load_before={load_before:.1f} "
          f"load_after={load_after:.1f} cores={os.cpu_count()}")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
