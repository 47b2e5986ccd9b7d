"""The command line, as a user calls it: Dutch messages and exit codes."""
import os
import subprocess
import sys


def sdrapport(*args, project):
    env = dict(os.environ, COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "sdrapport.cli", *args, "--project", str(project.root)],
                          capture_output=True, text=True, env=env)


def test_bad_period_and_unknown_gemeente_are_refused_clearly(demo_project):
    proc = sdrapport("run", "--gemeente", "GM0505", "--periode", "2023-H3", project=demo_project)
    assert proc.returncode == 2 and "'2023-H3' is geen geldige periode" in proc.stderr
    proc = sdrapport("run", "--gemeente", "GM9999", "--periode", "2023-H2", project=demo_project)
    assert proc.returncode == 2 and "GM9999 staat niet in data/gemeenten.csv" in proc.stderr
    proc = sdrapport("run", "--rapport", "bestaatniet", project=demo_project)
    assert proc.returncode == 2 and "onbekend rapport 'bestaatniet'" in proc.stderr


def test_ingest_reports_contract_errors_and_keeps_the_store(project):
    assert sdrapport("ingest", project=project).returncode == 0
    before = project.store.read_bytes()
    with open(project.data / "observaties" / "demo.csv", "a", encoding="utf-8") as fh:
        fh.write("GM0505,2023-H2,onbekend_ding,,,,,,,,5,Demodata,definitief\n")
    proc = sdrapport("ingest", project=project)
    assert proc.returncode == 2
    assert "data/observaties/demo.csv, rij" in proc.stderr and "kolom 'indicator'" in proc.stderr
    assert "opslag is ongewijzigd" in proc.stderr
    assert project.store.read_bytes() == before


def test_one_command_builds_a_report_and_the_site(project):
    proc = sdrapport("run", "--rapport", "factsheet", "-g", "GM0164", "-p", "2023", project=project)
    assert proc.returncode == 0, proc.stderr
    assert (project.report_dir("2023", "GM0164", "factsheet") / "index.qmd").exists()
    assert (project.root / "index.qmd").exists() and (project.reports / "begrippen.qmd").exists()
    assert "Quarto-project klaar" in proc.stderr
