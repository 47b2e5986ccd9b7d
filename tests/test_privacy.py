"""No personal data in anything published: a dashboard built from record-level exports (the demo's
and a file keyed by real-looking BSNs) is scanned, file by file, for every identifier in the inputs."""
from __future__ import annotations

import re
import zipfile

import pandas as pd

from tests.test_cli import sdrapport
from tests.test_registraties import BSNS

TOKEN = re.compile(rb"[A-Za-z0-9][A-Za-z0-9-]*")
IDENTIFIERS = ("id", "client", "huishouden")


def identifiers(folder) -> set[bytes]:
    found: set[bytes] = set()
    for path in sorted(folder.glob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for col in IDENTIFIERS:
            if col in frame:
                found |= {v.encode() for v in frame[col] if v}
    return found


def tokens(data: bytes) -> set[bytes]:
    return set(TOKEN.findall(data))


def contents(path) -> bytes:
    """A file's bytes; for the Excel workbook (a zip) the bytes of its compressed members."""
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return b"\n".join(z.read(name) for name in z.namelist())
    return path.read_bytes()


def test_published_files_and_logs_hold_no_client_id_or_bsn(project):
    registraties = project.data / "registraties"
    rows = [f"{bsn},{bsn},GM0402,jeugd,Jeugdhulp zonder verblijf,licht,gemeente,2021-01-0{i + 1}," for i, bsn in enumerate(BSNS)]
    (registraties / "voorzieningen-bsn.csv").write_text(
        "id,client,gemeente,wet,categorie,zwaarte,verwijzer,startdatum,einddatum\n" + "\n".join(rows) + "\n", encoding="utf-8")
    secret = identifiers(registraties)
    assert len(secret) > 10_000 and {b.encode() for b in BSNS} <= secret
    # The scanner finds identifiers where they are: in the inputs.
    assert tokens((registraties / "voorzieningen-bsn.csv").read_bytes()) & secret

    proc = sdrapport("run", "--rapport", "dashboard", "-g", "GM0402", "-p", "2021-Q1", project=project)
    assert proc.returncode == 0, proc.stderr
    proc_small = sdrapport("run", "--rapport", "dashboard", "-g", "GM0096", "-p", "2024-Q4", project=project)
    assert proc_small.returncode == 0, proc_small.stderr
    page = project.report_dir("2021-Q1", "GM0402", "dashboard")
    assert (page / "index.qmd").exists() and any((page / "data").glob("*.csv"))
    assert b"Over deze cijfers" in contents(page / "data" / "GM0402-2021-Q1-dashboard.xlsx")  # the scan reads inside

    scanned = 0
    for path in sorted(project.root.rglob("*")):
        rel = path.relative_to(project.root).parts
        if not path.is_file() or rel[0] == "data" or rel[:2] == ("reports", "store"):
            continue  # the inputs themselves; the store is a build cache, never published (aggregates only)
        data = contents(path)
        leaked = tokens(data) & secret
        assert not leaked, f"{path}: {sorted(leaked)[:5]}"
        assert not any(bsn.encode() in data for bsn in BSNS), path
        scanned += 1
    assert scanned >= 20  # pages, executed notebooks, data downloads, manifests, site pages
    for log in (proc.stdout, proc.stderr, proc_small.stdout, proc_small.stderr):
        assert not tokens(log.encode()) & secret

    # Small counts are rounded by the CBS rule: Vlieland's complaints are 0 or a multiple of 5.
    klachten = pd.read_csv(project.report_dir("2024-Q4", "GM0096", "dashboard") / "data" / "kw-klachten.csv", dtype=str)
    values = [int(v) for v in klachten.drop(columns=klachten.columns[0]).to_numpy().ravel() if str(v).isdigit()]
    assert values and all(v % 5 == 0 for v in values)
