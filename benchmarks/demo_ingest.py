"""Benchmark: what `sdrapport ingest` costs when one observation file is added (not a test; run it by hand).

    python benchmarks/demo_ingest.py                  # the national registry (342 gemeenten)
    python benchmarks/demo_ingest.py --gemeenten 27   # a quick check

In a temporary copy of the project (demo on, as by default) it runs, each as a fresh
`sdrapport ingest` process, and times:

1. the first ingest (the demo is generated for the registry);
2. an ingest after adding one small valid observation file (an indicator the demo also makes);
3. an ingest after adding one invalid observation file, (a) with a misspelt column, (b) with the
   right columns but a period that does not exist: it must be refused (exit 2), and the seconds
   until the user hears so are the measure;
4. an ingest after removing the invalid file again (nothing changed since step 2).

It also reports whether each step rewrote the demo's observations file (its modification time).
The last line is machine-readable:
    gemeenten=N first_s=A valid_s=B invalid_column_s=C invalid_value_s=E invalid_rc=R,R unchanged_s=D demo_rewritten=...
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

REPO = Path(__file__).resolve().parents[1]
PROJECT_PARTS = ("_quarto.yml", "notebooks", "params", "data", "assets")
GENERATED = {"demo.csv", "inwoners-doelgroep-demo.csv", ".demo-stamp", ".demo-full"}


def make_project(dest: Path, n: int | None) -> Path:
    dest.mkdir(parents=True)
    for part in PROJECT_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=lambda d, names: [x for x in names if x in GENERATED or x.endswith("-demo.csv")])
        else:
            shutil.copy2(src, dest / part)
    (dest / "reports").mkdir()
    if n is not None:
        keep = _every_kth(dest / "data" / "gemeenten.csv", n)
        for name, column in (("gemeenten.csv", "code"), ("inwoners.csv", "gemeente")):
            path = dest / "data" / name
            with open(path, encoding="utf-8", newline="") as fh:
                reader = csv.DictReader(fh)
                rows, fields = [r for r in reader if r[column] in keep], reader.fieldnames
            with open(path, "w", encoding="utf-8", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)
    return dest


def _every_kth(path: Path, n: int) -> set[str]:
    with open(path, encoding="utf-8", newline="") as fh:
        codes = [r["code"] for r in csv.DictReader(fh)]
    step = max(1, len(codes) // n)
    return set(codes[::step][:n]) | {"GM0164", "GM0505", "GM0096", "GM0402"}


def ingest(project: Path) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "sdrapport.cli", "ingest", "--project", str(project)],
                          capture_output=True, text=True)
    return time.perf_counter() - start, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gemeenten", type=int, default=None, help="registry size (default: all 342)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sdrapport-demo-ingest-") as tmp:
        project = make_project(Path(tmp) / "project", args.gemeenten)
        data = project / "data"
        demo = data / "observaties" / "demo.csv"
        n = sum(1 for _ in open(data / "gemeenten.csv", encoding="utf-8")) - 1
        first, rc = ingest(project)
        print(f"1. first ingest (demo generated): {first:.1f} s, exit {rc}", flush=True)

        def step(label: str) -> tuple[float, int, bool]:
            before = demo.stat().st_mtime_ns
            seconds, code = ingest(project)
            rewritten = demo.stat().st_mtime_ns != before
            print(f"{label}: {seconds:.1f} s, exit {code}, demo rewritten: {rewritten}", flush=True)
            return seconds, code, rewritten

        (data / "observaties" / "eigen-klachten.csv").write_text(
            "gemeente,periode,indicator,norm,waarde,bron,status\n"
            "GM0505,2023,klachten,,40,Klachtenregistratie Dordrecht,definitief\n", encoding="utf-8")
        valid = step("2. after adding one small valid file")
        bad = data / "observaties" / "fout.csv"
        bad.write_text("gemeente,periode,indicatr,waarde,bron,status\nGM0505,2023,klachten,40,Eigen,definitief\n", encoding="utf-8")
        column = step("3a. after adding one invalid file (a misspelt column)")
        # Columns right, one value wrong (a period that does not exist), of an indicator not delivered yet.
        bad.write_text("gemeente,periode,indicator,waarde,bron,status\nGM0505,2023-H3,wmo_clienten,40,Eigen,definitief\n",
                       encoding="utf-8")
        value = step("3b. after adding one invalid file (a wrong value)")
        bad.unlink()
        unchanged = step("4. after removing the invalid file")
        print(f"gemeenten={n} first_s={first:.1f} valid_s={valid[0]:.1f} invalid_column_s={column[0]:.1f} "
              f"invalid_value_s={value[0]:.1f} invalid_rc={column[1]},{value[1]} unchanged_s={unchanged[0]:.1f} "
              f"demo_rewritten=valid:{valid[2]},invalid:{column[2] or value[2]},unchanged:{unchanged[2]}")


if __name__ == "__main__":
    main()
