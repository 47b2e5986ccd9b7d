"""The command line, as a user calls it: Dutch messages and exit codes."""
import os
import re
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
    assert proc.returncode == 2 and "gemeente 'GM9999' staat niet in data/gemeenten.csv" in proc.stderr
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


def test_one_command_builds_a_report_and_the_site_quietly_saying_per_notebook_how_long_it_took(project, tmp_path):
    """One `run` builds the report's page and the site's pages; it logs nothing of the kernel
    machinery, one line per notebook with its time and, without Quarto, the report as one HTML file.
    Then `voorbeeld` on that page, with a (stand-in) Quarto and without."""
    no_quarto = dict(os.environ, PATH=str(tmp_path / "leeg"))  # the CLI runs by absolute path; no quarto, no git
    proc = subprocess.run([sys.executable, "-m", "sdrapport.cli", "run", "-r", "factsheet", "-g", "GM0164", "-p", "2023",
                           "--project", str(project.root)], capture_output=True, text=True,
                          env=dict(no_quarto, COLUMNS="200"))
    assert proc.returncode == 0, proc.stderr
    assert (project.root / "index.qmd").exists() and (project.reports / "begrippen.qmd").exists()
    assert "Quarto-project klaar" in proc.stderr
    assert "IPKernelApp" not in proc.stderr and "Traceback" not in proc.stderr and "WARNING" not in proc.stderr, proc.stderr
    assert re.search(r"^GM0164 2023  12_factsheet\.ipynb +\d+,\d s$", proc.stderr, re.M), proc.stderr
    page = project.report_dir("2023", "GM0164", "factsheet") / "index.qmd"
    assert page.exists()
    readable = page.parent / "GM0164-2023-factsheet.html"
    assert f"één HTML-bestand: {readable.relative_to(project.root)}" in proc.stderr and readable.exists()
    readable.unlink()
    (project.reports / "methode.qmd").unlink()  # `voorbeeld` writes the pages the report links to itself

    proc = subprocess.run([sys.executable, "-m", "sdrapport.cli", "voorbeeld", "-r", "factsheet", "-g", "GM0164", "-p", "2023",
                           "--project", str(project.root)], capture_output=True, text=True, env=no_quarto)
    assert proc.returncode == 0 and "Quarto ontbreekt" in proc.stderr and readable.exists(), proc.stderr

    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "quarto").write_text(f'#!/bin/sh\npwd > "{tmp_path}/cwd"\necho "$@" > "{tmp_path}/args"\n', encoding="utf-8")
    (fake / "quarto").chmod(0o755)
    with_quarto = dict(os.environ, PATH=f"{fake}{os.pathsep}{os.environ['PATH']}")
    proc = subprocess.run([sys.executable, "-m", "sdrapport.cli", "voorbeeld", "-r", "factsheet", "-g", "GM0164", "-p", "2023",
                           "--geen-browser", "--project", str(project.root)], capture_output=True, text=True, env=with_quarto)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "args").read_text().split() == ["preview", "reports/2023/GM0164/factsheet/index.qmd", "--no-browser"]
    assert (tmp_path / "cwd").read_text().strip() == str(project.root)
    assert (project.reports / "methode.qmd").exists()  # the pages the report links to are there

    proc = subprocess.run([sys.executable, "-m", "sdrapport.cli", "voorbeeld", "-g", "GM0164", "-p", "2022",
                           "--project", str(project.root)], capture_output=True, text=True, env=with_quarto)
    assert proc.returncode == 2 and "nog geen pagina voor GM0164 2022 (monitor)" in proc.stderr and "sdrapport run" in proc.stderr


def test_a_failed_cell_is_shown_in_one_block(project):
    import nbformat

    from sdrapport.manifest import cell_label

    (project.params / "rapporten" / "klein.yml").write_text("titel: Klein\nnotebooks: [02_wmo.ipynb]\n", encoding="utf-8")
    path = project.notebooks / "02_wmo.ipynb"
    nb = nbformat.read(path, as_version=4)
    target = next(c for c in nb.cells if cell_label(c) == "fig-wmo-hoofdcategorie")
    target.source += '\nraise ValueError("kapotte figuur")'
    nbformat.write(nb, path)
    proc = sdrapport("run", "-r", "klein", "-g", "GM0164", "-p", "2023-H2", "--geen-site", project=project)
    assert proc.returncode == 1
    number = [c.id for c in nb.cells].index(target.id) + 1
    block = re.search(r"^Notebook mislukt: 02_wmo\.ipynb\n((?:  .*\n)+)", proc.stderr, re.M)
    assert block, proc.stderr
    assert f"  cel:    {number} (fig-wmo-hoofdcategorie)\n" in block[1]
    assert "  fout:   ValueError: kapotte figuur\n" in block[1]
    assert f'regel {target.source.count(chr(10)) + 1} van de cel: raise ValueError("kapotte figuur")' in block[1]
    assert "  kopie:  reports/2023-H2/GM0164/klein/02_wmo.mislukt.ipynb" in block[1]
    assert "Traceback" not in proc.stderr and "IPKernelApp" not in proc.stderr
    assert not (project.report_dir("2023-H2", "GM0164", "klein") / "GM0164-2023-H2-klein.html").exists()
