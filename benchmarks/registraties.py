"""Benchmark (not a test): ingest and aggregate one million voorzieningen records.

    python benchmarks/registraties.py [--records 1000000] [--vorm spreiding|een-gemeente] [--demo aan|uit] [--jaren 4]

Generates fictitious record-level exports, in one of two shapes: `spreiding` (default) with the
demo generator (the registry's gemeenten, then synthetic ones, as many as needed for the number of
records, provisions with end dates), or `een-gemeente`: one synthetic gemeente of 20 million
inhabitants with a third as many clients as records and no end dates, starts spread over five years
(the shape that ran out of memory in issue 25). With `--demo aan` data/demo.yml is on and the
national demo data were made beforehand (by a child process, as an earlier ingest would have);
the benchmark says whether the ingest made them again. It writes the export as one CSV, then times
the full ingest with
`store.build_store`: reading and validating the export (pandera), pseudonymising the client ids
(keyed hash), computing every derived indicator for every quarter, half-year and year of the last
`--jaren` years, disclosure control, and writing the DuckDB store. Peak memory is the process's
maximum resident set size. The last line is exactly:

    records=N vorm=V demo=D seconds=S peak_mib=M
"""
from __future__ import annotations

import argparse
import csv
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


REPO = Path(__file__).resolve().parents[1]


def generate(folder: Path, records: int) -> Path:
    """Write `records` voorzieningen to one CSV, gemeente by gemeente (the registry's gemeenten, largest
    first, then synthetic ones GM7001... of 250.000 inhabitants, added to gemeenten.csv beside the
    folder), so the generator's memory stays small whatever the number."""
    from sdrapport.inputs import demo, demo_registrations as dr

    categorieen = {"wmo": demo.PRODUCTCATEGORIE, "jeugd": demo.JEUGD_CATEGORIE, "pw": demo.REINTEGRATIE}
    path = folder / "voorzieningen-benchmark.csv"
    with open(REPO / "data" / "inwoners.csv", encoding="utf-8") as fh:  # the real 1 January 2024 figures
        gemeenten = sorted(((r["gemeente"], int(r["inwoners"])) for r in csv.DictReader(fh) if r["jaar"] == "2024"),
                           key=lambda kv: (-kv[1], kv[0]))
    extra = []
    total, k = 0, 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        while total < records:
            if k < len(gemeenten):
                code, inw = gemeenten[k]
            else:
                code, inw = f"GM{7001 + k - len(gemeenten):04d}", 250_000
                extra.append(code)
            k += 1
            frame = dr.voorzieningen(code, inw, demo._rng(code, 20), categorieen).head(records - total)
            frame.to_csv(fh, index=False, header=total == 0, lineterminator="\n")
            total += len(frame)
    if extra:
        with open(folder.parent / "gemeenten.csv", "a", encoding="utf-8") as fh:
            fh.writelines(f"{code},Synthetisch {code},Utrecht\n" for code in extra)
    return path


ONE_GEMEENTE = "GM7001"
ONE_GEMEENTE_INWONERS = 20_000_000  # so that a third of the records as clients stays a plausible share of inhabitants


def generate_one_gemeente(folder: Path, records: int, jaren: int = 5, clients: int | None = None, seed: int = 25) -> Path:
    """Write `records` voorzieningen of one synthetic gemeente (GM7001, ONE_GEMEENTE_INWONERS
    inhabitants, added to gemeenten.csv and inwoners.csv beside the folder): records // 3 clients,
    every provision without an end date, the starts spread over the last `jaren` years up to
    2024-12-31. The shape that exhausted memory in issue 25: one gemeente, millions of clients, every
    provision still running in every later period. Written a million rows at a time."""
    import numpy as np
    import pandas as pd

    import yaml

    categorieen = yaml.safe_load((REPO / "params" / "registraties.yml").read_text(encoding="utf-8"))["categorieen"]
    clients = clients or max(1, records // 3)
    first = np.datetime64(f"{2025 - jaren}-01-01")
    days = int((np.datetime64("2024-12-31") - first).astype(int)) + 1
    rng = np.random.default_rng(seed)
    start_of = rng.integers(0, days, size=clients)  # each client's first start
    path = folder / "voorzieningen-benchmark.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        for begin in range(0, records, 1_000_000):
            n = min(1_000_000, records - begin)
            index = np.arange(begin, begin + n)
            wet = rng.choice(np.array(["wmo", "jeugd", "pw"], dtype=object), size=n, p=[0.6, 0.3, 0.1])
            categorie = np.empty(n, dtype=object)
            for w in ("wmo", "jeugd", "pw"):
                mask = wet == w
                categorie[mask] = rng.choice(np.array(categorieen[w], dtype=object), size=int(mask.sum()))
            zwaarte = np.where(wet == "jeugd", rng.choice(np.array(["licht", "middel", "zwaar"], dtype=object), size=n), "")
            frame = pd.DataFrame({
                "id": [f"V{i}" for i in index],
                "client": [f"C{c}" for c in index % clients],
                "gemeente": ONE_GEMEENTE, "wet": wet, "categorie": categorie, "zwaarte": zwaarte,
                "verwijzer": np.where(wet == "pw", "", "gemeente"),
                # A client's provisions start on different days (never twice the same provision).
                "startdatum": (first + ((start_of[index % clients] + 97 * (index // clients)) % days)
                               .astype("timedelta64[D]")).astype(str),
            })
            frame.to_csv(fh, index=False, header=begin == 0, lineterminator="\n")
    with open(folder.parent / "gemeenten.csv", "a", encoding="utf-8") as fh:
        fh.write(f"{ONE_GEMEENTE},Synthetisch {ONE_GEMEENTE},Utrecht\n")
    with open(folder.parent / "inwoners.csv", "a", encoding="utf-8") as fh:
        fh.writelines(f"{ONE_GEMEENTE},{year},{ONE_GEMEENTE_INWONERS},Benchmark\n" for year in range(2019, 2025))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--vorm", choices=("spreiding", "een-gemeente"), default="spreiding",
                        help="spreiding: de gemeenten van het register, met einddatums; een-gemeente: één gemeente, "
                        "een derde zoveel cliënten als records, geen einddatums")
    parser.add_argument("--demo", choices=("aan", "uit"), default="uit",
                        help="aan: data/demo.yml staat aan en de landelijke demodata zijn er al (gemaakt door een eerdere "
                        "ingest, in een kindproces); uit: geen demodata")
    parser.add_argument("--jaren", type=int, default=None,
                        help="aantal jaren met perioden tot en met 2024 (standaard 4; bij een-gemeente 5)")
    parser.add_argument("--map", type=Path, help=argparse.SUPPRESS)  # internal: generate into this folder and stop
    parser.add_argument("--demodata-map", type=Path, help=argparse.SUPPRESS)  # internal: make the demo of this data folder
    parser.add_argument("--demo-in-ingest", action="store_true", help=argparse.SUPPRESS)  # demo made inside the timed ingest
    args = parser.parse_args()
    jaren = args.jaren or (5 if args.vorm == "een-gemeente" else 4)
    if args.map:
        if args.vorm == "een-gemeente":
            generate_one_gemeente(args.map, args.records, jaren)
        else:
            generate(args.map, args.records)
        return
    if args.demodata_map:
        from sdrapport.inputs.demo import ensure_demo

        ensure_demo(args.demodata_map)
        return
    os.environ.setdefault("SDRAPPORT_SLEUTEL", "benchmark-sleutel-0123456789abcdef")

    from sdrapport.store.database import build_store

    with tempfile.TemporaryDirectory(prefix="sdrapport-bench-") as tmp:
        root = Path(tmp)
        data = root / "data"
        (data / "registraties").mkdir(parents=True)
        for name in ("indicatoren.yml", "gemeenten.csv", "inwoners.csv", *(("demo.yml",) if args.demo == "aan" else ())):
            shutil.copy(REPO / "data" / name, data / name)
        (root / "params").mkdir()
        config = (REPO / "params" / "registraties.yml").read_text(encoding="utf-8")
        config = config.replace("vanaf: 2019", f"vanaf: {2025 - jaren}")
        (root / "params" / "registraties.yml").write_text(config, encoding="utf-8")
        # Generated in a child process, so that its memory does not count in this process's peak.
        t0 = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--records", str(args.records), "--vorm", args.vorm, "--jaren", str(jaren),
                        "--map", str(data / "registraties")], check=True)
        path = data / "registraties" / "voorzieningen-benchmark.csv"
        print(f"gegenereerd: {args.records} records ({args.vorm}), {path.stat().st_size / 2**20:.0f} MiB CSV in "
              f"{time.perf_counter() - t0:.1f} s", flush=True)
        stamp = data / ".demo-stamp"
        if args.demo == "aan" and not args.demo_in_ingest:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, __file__, "--demodata-map", str(data)], check=True)
            print(f"demodata vooraf gemaakt (kindproces) in {time.perf_counter() - t0:.1f} s", flush=True)
        made = stamp.stat().st_mtime_ns if stamp.exists() else None

        start = time.perf_counter()
        summary = build_store(data, root / "store.duckdb")
        seconds = time.perf_counter() - start
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if args.demo == "aan":
            again = not stamp.exists() or stamp.stat().st_mtime_ns != made
            print(f"demodata tijdens de ingest opnieuw gemaakt: {'ja' if again else 'nee'}", flush=True)
        print(f"opslag: {summary['observaties']} waarnemingen (geaggregeerd) voor {jaren} jaar aan perioden", flush=True)
        print(f"records={args.records} vorm={args.vorm} demo={args.demo} seconds={seconds:.1f} peak_mib={peak_mib:.0f}")


if __name__ == "__main__":
    main()
