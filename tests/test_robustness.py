"""Robustness found by an acceptance run: params files through one loader, refusals before any
notebook runs, future dates and periods, duplicate provisions, bounded memory, deterministic
order, unknown totals and thousands separators."""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sdrapport.errors import ContractError
from sdrapport.inputs.params import ParamsError, check_report_params, load_params
from sdrapport.periods import Period
from sdrapport.runner.run import Coverage
from tests.conftest import REPO, copy_project


def sdrapport(*args, project, timeout=600):
    env = dict(os.environ, COLUMNS="250")
    return subprocess.run([sys.executable, "-m", "sdrapport.cli", *args, "--project", str(project.root)],
                          capture_output=True, text=True, env=env, timeout=timeout)


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under a folder with its size and mtime: to show that nothing changed."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.rglob("*")) if p.is_file()}


# -- 4. params files: one loader, Dutch messages with file, line and column ------------------------------
@pytest.mark.parametrize("relpath, text, expected", [
    ("doelen.yml", "standaard:\n  tijdigheid/Wmo: hoog\n",
     "params/doelen.yml, regel 2, kolom 19, sleutel 'standaard.tijdigheid/Wmo': verwacht een getal"),
    ("doelen.yml", "standaard:\n  tijdigheid/Wmo: 95\n   stabilisatie_succes: 60\n",
     "params/doelen.yml, regel 3, kolom 23: geen geldige YAML"),
    ("registraties.yml", "onthulling:\n  methode: cbs\n  drempel: 1\n",
     "params/registraties.yml, regel 3, kolom 12, sleutel 'onthulling.drempel': verwacht een geheel getal van 2 of meer"),
    ("registraties.yml", "vanaf: 2019\nvanaf: 2020\n", "params/registraties.yml, regel 2, kolom 1, sleutel 'vanaf': deze sleutel staat twee keer"),
    ("rapporten/monitor.yml", "titel: Monitor\nnotebooks: 01_uitgangspositie.ipynb\n",
     "params/rapporten/monitor.yml, regel 2, kolom 12, sleutel 'notebooks': verwacht een lijst"),
    ("rapporten/monitor.yml", "titel: Monitor\nnotebooks: [01_uitgangspositie.ipynb]\nperiodesoort: maand\n",
     "params/rapporten/monitor.yml, regel 3, kolom 15, sleutel 'periodesoort': kies uit jaar, halfjaar, kwartaal"),
    ("toelichting/GM0505.yml", "02_wmo:\n  - een lijst\n", "params/toelichting/GM0505.yml, regel 2, kolom 3, sleutel '02_wmo': verwacht tekst"),
    ("jaarverslag/GM0164.yml", "2024:\n  drempel: vijftig\n",
     "params/jaarverslag/GM0164.yml, regel 2, kolom 12, sleutel '2024.drempel': verwacht een getal"),
    ("iv3-taakvelden.yml", "2024:\n  6.10: Overig\n",
     "params/iv3-taakvelden.yml, regel 2, kolom 3, sleutel '2024.6.1': taakveld 6.1 staat niet tussen aanhalingstekens"),
    ("cbs/85099NED.yml", "tabel: 85099NED\nbron: CBS\nregio: RegioS\n",
     "params/cbs/85099NED.yml, regel 1, kolom 1, sleutel 'onderwerpen': verplichte sleutel ontbreekt"),
])
def test_every_params_file_reports_file_line_column_and_what_is_expected(tmp_path, relpath, text, expected):
    path = tmp_path / "params" / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParamsError) as err:
        load_params(path)
    assert expected in err.value.render(), err.value.render()


def test_the_repository_params_files_pass_their_schemas():
    for path in sorted((REPO / "params").rglob("*.yml")):
        load_params(path)


def test_no_params_file_is_read_around_the_loader():
    """Only the data catalogue and Quarto's files are read with yaml directly."""
    offenders = []
    for path in sorted((REPO / "lib" / "sdrapport").glob("*.py")):
        if path.name in ("params.py", "catalogue.py", "sitecheck.py"):
            continue
        if re.search(r"yaml\.(safe_)?load\(", path.read_text(encoding="utf-8")):
            offenders.append(path.name)
    assert offenders == []


def test_a_broken_params_file_refuses_the_run_before_any_notebook_and_keeps_the_page(demo_project, tmp_path):
    proj = copy_project(tmp_path / "p")
    published = proj.report_dir("2023-H2", "GM0505", "monitor")
    published.mkdir(parents=True)
    (published / "index.qmd").write_text("---\ntitle: gepubliceerd\n---\n", encoding="utf-8")
    (published / "01_uitgangspositie.ipynb").write_text("{}", encoding="utf-8")
    before = tree(proj.reports)
    doelen = proj.params / "doelen.yml"
    doelen.write_text(doelen.read_text(encoding="utf-8").replace("tijdigheid/Wmo: 80", "tijdigheid/Wmo: '80%'", 1), encoding="utf-8")
    proc = sdrapport("run", "-g", "GM0505", "-p", "2023-H2", project=proj)
    assert proc.returncode == 2, proc.stderr
    assert "params/doelen.yml, regel 6, kolom 19, sleutel 'standaard.tijdigheid/Wmo': verwacht een getal" in proc.stderr
    assert "Er is niets uitgevoerd" in proc.stderr and "Traceback" not in proc.stderr
    assert tree(proj.reports) == before  # no notebook ran, the published page is still there
    # A gemeente's own commentary is checked too, including chapter names.
    doelen.write_text((REPO / "params" / "doelen.yml").read_text(encoding="utf-8"), encoding="utf-8")
    (proj.params / "toelichting" / "GM0505.yml").write_text("02_wm0: Tekst met een tikfout in de naam.\n", encoding="utf-8")
    proc = sdrapport("run", "-g", "GM0505", "-p", "2023-H2", "--geen-site", project=proj)
    assert proc.returncode == 2 and "params/toelichting/GM0505.yml, regel 1, kolom 1, sleutel '02_wm0': onbekend hoofdstuk" in proc.stderr
    assert tree(proj.reports) == before


def test_check_report_params_separates_shared_and_own_files(project):
    (project.params / "toelichting" / "GM0402.yml").write_text("01_uitgangspositie: [kapot\n", encoding="utf-8")
    controle = check_report_params(project, "monitor", ["GM0505", "GM0402"])
    assert controle.algemeen == [] and list(controle.per_gemeente) == ["GM0402"]
    assert "params/toelichting/GM0402.yml, regel 2" in str(controle.per_gemeente["GM0402"][0])
    controle.raise_for(["GM0505"])  # another gemeente's file does not stop this one
    with pytest.raises(ParamsError):
        controle.raise_for(["GM0402"])


# -- 7. a period without data is refused before any notebook runs -------------------------------------------
def test_a_period_before_the_first_inhabitants_figure_is_refused_and_leaves_nothing(demo_project):
    proc = sdrapport("run", "-g", "GM0505", "-p", "2015-H2", "--geen-site", project=demo_project)
    assert proc.returncode == 2, proc.stderr
    assert "geen inwonertal op of voor 1 januari 2016" in proc.stderr
    assert "De eerste periode met cijfers voor Dordrecht (GM0505) is 2019-H1, de laatste 2024-H2" in proc.stderr
    assert not (demo_project.reports / "2015-H2").exists()
    assert "KeyError" not in proc.stderr and "Traceback" not in proc.stderr


def test_a_period_without_data_or_not_begun_is_refused_with_the_periods_that_have_data(demo_project):
    cov = Coverage.read(demo_project)
    today = dt.date(2026, 11, 29)
    # After the last data: nothing for the gemeente in that period.
    text = cov.refusal("GM0096", Period.parse("2025-Q1"), today)
    assert "voor Vlieland (GM0096) zijn er over eerste kwartaal 2025 (2025-Q1) geen cijfers" in text
    assert "De eerste periode met cijfers voor Vlieland (GM0096) is 2019-Q1, de laatste 2024-Q4" in text
    # Not begun yet: no data yet, whatever is delivered.
    text = cov.refusal("GM0096", Period.parse("2027-Q1"), today)
    assert text.startswith("over eerste kwartaal 2027 (2027-Q1) zijn nog geen cijfers: die periode begint pas op 1 januari 2027")
    # A period with data, and one with partial data (only yearly figures), still build.
    assert cov.refusal("GM0505", Period.parse("2023-H2"), today) is None
    cov.perioden["GM0505"] = [Period(2019)]
    assert cov.refusal("GM0505", Period.parse("2019-Q3"), today) is None


def test_a_future_period_is_refused_on_the_command_line(demo_project):
    future = Period(dt.date.today().year + 1, "Q", 1)
    proc = sdrapport("run", "--rapport", "dashboard", "-g", "GM0096", "-p", future.code, "--geen-site", project=demo_project)
    assert proc.returncode == 2 and f"({future.code}) zijn nog geen cijfers" in proc.stderr, proc.stderr
    assert not (demo_project.reports / future.code).exists()


def test_batch_refuses_reports_without_data_or_with_a_broken_own_file_and_names_them(tmp_path):
    from tests.test_batch import _notebook, _profile

    proj = copy_project(tmp_path / "p")
    _notebook(proj.notebooks / "99_klein.ipynb", "#| label: txt-klein\nprint(gemeente, periode)")
    _profile(proj, "klein", ["99_klein.ipynb"])
    (proj.params / "toelichting" / "GM0402.yml").write_text("99_klein: [kapot\n", encoding="utf-8")
    published = proj.report_dir("2023-H2", "GM0402", "klein")
    published.mkdir(parents=True)
    (published / "index.qmd").write_text("---\ntitle: gepubliceerd\n---\n", encoding="utf-8")
    proc = sdrapport("batch", "--gemeenten", "GM0505,GM0402", "--perioden", "2023-H2,2015-H2", "--rapport", "klein",
                     "--workers", "1", "--geen-site", project=proj)
    assert proc.returncode == 2, proc.stderr
    assert "Mislukte en geweigerde items" in proc.stderr
    rows = [line for line in proc.stderr.splitlines() if "(geweigerd)" in line]
    assert any("GM0402" in r and "params/toelichting/GM0402.yml" in r for r in rows), proc.stderr
    assert any("GM0505" in r and "2015-H2" in r for r in rows), proc.stderr
    assert (proj.report_dir("2023-H2", "GM0505", "klein") / "index.qmd").exists()  # the good one is built
    assert (published / "index.qmd").read_text(encoding="utf-8").startswith("---\ntitle: gepubliceerd")  # kept
    assert not (proj.reports / "2015-H2").exists()


# -- 2. the peildatum never lies in the future ------------------------------------------------------------
from tests.test_registraties import config as registratie_params  # noqa: E402
from tests.test_registraties import exact, refused, value, write  # noqa: E402

HEADER_V = "id,client,gemeente,wet,product,categorie,zwaarte,verwijzer,startdatum,einddatum\n"


def test_an_event_after_today_is_refused_per_row(tmp_path):
    soon = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    text = HEADER_V + "v1,A,GM0402,pw,,Jobcoach,,,2020-01-01,\n" + f"v2,B,GM0402,pw,,Jobcoach,,,{soon},\n"
    err = refused(tmp_path / "a", "voorzieningen.csv", text)
    assert "voorzieningen.csv, rij 3, kolom 'startdatum': datum ligt na vandaag" in err.render()
    assert soon not in err.render()  # never the cell's value
    # A planned end date is fine, and so is a decision today.
    text = HEADER_V + f"v1,A,GM0402,pw,,Jobcoach,,,2020-01-01,{soon}\n"
    assert value(exact(tmp_path / "b", {"voorzieningen.csv": text}), "reintegratie", "2020-Q1") == 1


def test_an_event_after_the_export_date_is_refused_and_the_export_date_cannot_be_in_the_future(tmp_path):
    peil = "gemeenten:\n  GM0402:\n    peildatum: 2024-12-31\n"
    text = HEADER_V + "v1,A,GM0402,pw,,Jobcoach,,,2024-06-01,\nv2,B,GM0402,pw,,Jobcoach,,,2025-02-27,\n"
    err = refused(tmp_path / "a", "voorzieningen.csv", text, peil)
    assert ("voorzieningen.csv, rij 3, kolom 'startdatum': datum ligt na de peildatum van de export van GM0402 (2024-12-31, "
            "params/registraties.yml: gemeenten.GM0402.peildatum)") in err.render()
    future = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    with pytest.raises(ParamsError) as err:
        exact(tmp_path / "b", {"voorzieningen.csv": HEADER_V + "v1,A,GM0402,pw,,Jobcoach,,,2024-06-01,\n"},
              f"gemeenten:\n  GM0402:\n    peildatum: {future}\n")
    assert re.search(r"params/registraties\.yml, regel \d+, kolom 16, sleutel 'gemeenten\.GM0402\.peildatum': de peildatum "
                     rf"\({future}\) ligt na vandaag", err.value.render()), err.value.render()


def test_no_period_after_the_peildatum_is_computed(tmp_path):
    text = HEADER_V + "v1,A,GM0402,pw,,Jobcoach,,,2024-06-01,\n"
    obs = exact(tmp_path, {"voorzieningen.csv": text}, "gemeenten:\n  GM0402:\n    peildatum: 2024-08-15\n")
    periods = {Period.parse(p) for p in obs["periode"]}
    assert max(p.start for p in periods) <= dt.date(2024, 8, 15)
    assert "2024-Q4" not in set(obs["periode"]) and "2024-Q3" in set(obs["periode"])  # Q3 counted up to the peildatum


# -- 3. a provision delivered twice -------------------------------------------------------------------------
def test_a_provision_delivered_twice_under_another_id_is_refused_with_both_rows(tmp_path):
    data = tmp_path / "data"
    write(data / "registraties", "voorzieningen-a.csv", HEADER_V + "v1,A,GM0402,pw,Jobcoach intern,Jobcoach,,,2023-10-01,\n"
          "v2,B,GM0402,pw,,Jobcoach,,,2023-10-01,")
    write(data / "registraties", "voorzieningen-b.csv", HEADER_V + "v3,C,GM0402,pw,,Jobcoach,,,2023-11-01,\n"
          "w9,A,GM0402,pw,jobcoach INTERN,Jobcoach,,,2023-10-01,\nw8,B,GM0402,pw,,Jobcoach,,,2023-10-01,")
    from sdrapport.inputs.registrations import read_registraties
    from tests.test_registraties import GEMEENTEN

    with pytest.raises(ContractError) as err:
        read_registraties(data, registratie_params(tmp_path), GEMEENTEN, tmp_path, key=b"k" * 32)
    text = err.value.render()
    assert ("data/registraties/voorzieningen-b.csv, rij 3, kolom 'startdatum': dubbele voorziening: dezelfde cliënt, wet, "
            "hetzelfde product en dezelfde startdatum als data/registraties/voorzieningen-a.csv, rij 2, onder een ander id") in text
    assert "voorzieningen-b.csv, rij 4" in text and "voorzieningen-a.csv, rij 3" in text
    assert "dubbele_voorzieningen: eerste_houden" in text


def test_keeping_the_first_of_a_provision_delivered_twice_counts_it_once(tmp_path):
    text = HEADER_V + "v1,A,GM0402,pw,,Jobcoach,,,2023-10-01,\nv2,B,GM0402,pw,,Jobcoach,,,2023-10-02,\n" \
                      "v3,A,GM0402,pw,,Jobcoach,,,2023-10-01,\n"
    obs = exact(tmp_path, {"voorzieningen.csv": text}, "dubbele_voorzieningen: eerste_houden\n")
    assert value(obs, "reintegratie", "2023-Q4") == 2  # not 3


def test_the_store_build_says_how_many_duplicates_it_dropped(tmp_path):
    from sdrapport.store.database import build_store

    proj = copy_project(tmp_path / "p")
    path = proj.data / "registraties" / "voorzieningen-demo.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    pw = [ln for ln in lines if ",GM0402,pw," in ln][:10]
    extra = ["X" + ln.split(",", 1)[0] + "," + ln.split(",", 1)[1] for ln in pw]  # same provision, another id
    # Hilversum's own export and a late delivery (with own exports it gets no demo exports: issue 23).
    write(proj.data / "registraties", "voorzieningen-eigen.csv", lines[0] + "\n" + "\n".join(pw))
    write(proj.data / "registraties", "voorzieningen-nalevering.csv", lines[0] + "\n" + "\n".join(extra))
    with pytest.raises(ContractError, match="dubbele voorziening"):
        build_store(proj.data, proj.store)
    settings = proj.params / "registraties.yml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("dubbele_voorzieningen: weigeren", "dubbele_voorzieningen: eerste_houden"),
                        encoding="utf-8")
    assert build_store(proj.data, proj.store)["weggelaten"] == {"voorzieningen": 10}


# -- 5. bounded memory: records are read in chunks ---------------------------------------------------------
def test_an_export_is_read_in_chunks_with_the_same_rows_and_messages(tmp_path, monkeypatch):
    from sdrapport.inputs import contract, registrations

    sizes = []
    original = contract.read_table_chunks

    def spy(*args, **kwargs):
        for table in original(*args, **kwargs):
            sizes.append(len(table.frame))
            yield table

    monkeypatch.setattr(registrations, "CHUNK_ROWS", 3)
    monkeypatch.setattr(registrations, "read_table_chunks", spy)
    rows = [f"v{i},C{i % 4},GM0402,pw,,Jobcoach,,,2023-0{1 + i % 9}-01," for i in range(10)]
    text = HEADER_V + "\n".join(rows[:6]) + "\n\n" + "\n".join(rows[6:])  # a blank line counts as a row
    obs = exact(tmp_path / "a", {"voorzieningen.csv": text})
    assert max(sizes) <= 3 and sum(sizes) == 10
    assert value(obs, "reintegratie", "2023") == 10
    # Row numbers run on over chunk boundaries (row 12 is the tenth record: header, 6 rows, blank line).
    bad = rows[:9] + ["v9,C1,GM0402,pw,,Jobcoach,,,2023-13-01,"]
    err = refused(tmp_path / "b", "voorzieningen.csv", HEADER_V + "\n".join(bad[:6]) + "\n\n" + "\n".join(bad[6:]))
    assert "voorzieningen.csv, rij 12, kolom 'startdatum': geen datum" in err.render()
    # A duplicate line (id, product and start) in another chunk is found too.
    dup = rows[:9] + [rows[1]]
    err = refused(tmp_path / "c", "voorzieningen.csv", HEADER_V + "\n".join(dup))
    assert ("voorzieningen.csv, rij 11, kolom 'id': dubbele regel: dezelfde id, hetzelfde product en dezelfde startdatum "
            "staan al in rij 3") in err.render()


# -- 6. deterministic order ------------------------------------------------------------------------------------
STORE_TABLES = ("gemeenten", "inwoners", "indicatoren", "observaties", "bestanden", "meta", "historie", "definities",
                "definitievergelijking", "registraties")


def _export(store: Path) -> dict[str, bytes]:
    """Every store table as CSV bytes, in the order the library returns it (no ORDER BY)."""
    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    try:
        return {t: con.execute(f"SELECT * FROM {t}").df().to_csv(index=False, lineterminator="\n").encode() for t in STORE_TABLES}
    finally:
        con.close()


def _build_in_subprocess(data: Path, store: Path, seed: str) -> None:
    code = "import sys; from sdrapport.store.database import build_store; build_store(sys.argv[1], sys.argv[2])"
    env = dict(os.environ, PYTHONHASHSEED=seed)
    proc = subprocess.run([sys.executable, "-c", code, str(data), str(store)], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr


def test_the_same_inputs_give_the_same_store_in_every_process(demo_project, tmp_path):
    """The demo store was built once for the run, in a test process with its own random hash seed;
    a process with another seed (set and dict order of strings) builds the same tables."""
    reference = _export(demo_project.store)
    _build_in_subprocess(demo_project.data, tmp_path / "again.duckdb", "4242")
    exported = _export(tmp_path / "again.duckdb")
    assert [t for t in STORE_TABLES if exported[t] != reference[t]] == []


def test_a_reports_data_downloads_are_the_same_bytes_in_separate_processes(other_reports, tmp_path):
    """The dashboard built once for the run (in a test process, random hash seed) and the same
    dashboard run by the command line in a fresh project, in a process with a fixed seed."""
    built, results = other_reports
    outputs = [{p.name: p.read_bytes() for p in sorted((results["dashboard"].outdir / "data").glob("*.csv"))}]
    proj = copy_project(tmp_path / "p")
    env = dict(os.environ, COLUMNS="250", PYTHONHASHSEED="77")
    proc = subprocess.run([sys.executable, "-m", "sdrapport.cli", "run", "--rapport", "dashboard", "-g", "GM0402", "-p", "2021-Q1",
                           "--geen-site", "--project", str(proj.root)], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    folder = proj.report_dir("2021-Q1", "GM0402", "dashboard") / "data"
    outputs.append({p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))})
    assert len(outputs[0]) > 5 and outputs[0] == outputs[1]


def test_categories_follow_the_catalogue_not_the_order_of_delivery(tmp_path):
    from sdrapport.inputs.catalogue import load_catalogue
    from sdrapport.presentation.report import Rapport
    from sdrapport.store.database import build_store

    proj = copy_project(tmp_path / "p")
    demo = proj.data / "observaties" / "demo.csv"
    header, *rows = demo.read_text(encoding="utf-8").splitlines()
    demo.write_text("\n".join([header, *reversed(rows)]) + "\n", encoding="utf-8")  # delivered the other way round
    build_store(proj.data, proj.store)
    cat = load_catalogue(proj.catalogue)
    r = Rapport("GM0505", "2023-H2", project=proj.root, uitvoer=tmp_path / "out")
    shown = list(r.verdeling("wmo_clienten", "productcategorie")["productcategorie"])
    assert shown == [c for c in cat.volgorde["productcategorie"] if c in shown] and len(shown) > 5
    leeftijd = list(r.verdeling("wmo_clienten", "leeftijd")["leeftijd"])
    assert leeftijd == ["0-17", "18-64", "65-74", "75-84", "85+"]
    # Values the catalogue does not list follow in natural order.
    assert cat.order("iv3_lasten", "taakveld", ["6.10", "6.71A", "6.2", "6.72", "6.71"]) == ["6.2", "6.10", "6.71", "6.71A", "6.72"]


# -- 8. unknown totals are said; thousands separators are refused ------------------------------------------------
def test_an_unknown_or_suppressed_total_gets_its_sentence(demo_project):
    from sdrapport.presentation.elements import texts
    from sdrapport.presentation.report import Rapport

    r = Rapport("GM0505", "2023-H2", project=demo_project.root)
    eigen = r._eigen
    total = (eigen["indicator"] == "wmo_clienten_75plus") & (eigen["periode"] == "2023-H2")
    r._eigen = eigen.assign(waarde=eigen["waarde"].mask(total), waarde_status=eigen["waarde_status"].mask(total, "onbekend"))
    assert texts.wmo_75plus(r).startswith("Het aantal cliënten met een maatwerkvoorziening Wmo per 1.000 inwoners van 75 jaar "
                                            "en ouder in het tweede halfjaar 2023 is onbekend.")
    total = (eigen["indicator"] == "wmo_clienten") & (eigen["periode"] == "2023-H2") & eigen[["financieringsvorm", "hoofdcategorie",
                                                                                             "productcategorie", "leeftijd", "geslacht"]].isna().all(axis=1)
    r._eigen = eigen.assign(waarde=eigen["waarde"].mask(total), waarde_status=eigen["waarde_status"].mask(total, "onbekend"))
    assert texts.wmo_clienten(r) == ("Het aantal unieke cliënten met een maatwerkvoorziening Wmo in de gemeente Dordrecht in het "
                                       "tweede halfjaar 2023 is onbekend.")
    r._eigen = eigen.assign(waarde=eigen["waarde"].mask(total), waarde_status=eigen["waarde_status"].mask(total, "geheim"))
    assert "wordt niet gepubliceerd: het is zo klein dat personen herkenbaar zouden kunnen zijn" in texts.wmo_clienten(r)
    flows = eigen["indicator"].isin(["bijstand_instroom"]) & (eigen["periode"] == "2023-H2")
    r._eigen = eigen.assign(waarde=eigen["waarde"].mask(flows), waarde_status=eigen["waarde_status"].mask(flows, "onbekend"))
    assert "Het aantal personen dat de bijstand instroomde in het tweede halfjaar 2023 is onbekend." in texts.bijstand_stromen(r)


@pytest.mark.parametrize("indicator, waarde, fragment", [
    ("wmo_uitgaven_gerealiseerd", "1.234", "'1.234' lijkt een getal met een punt als duizendtalscheiding; een bedrag in duizenden "
                                           "euro's (EUR x 1.000) staat hier zonder scheidingstekens: schrijf 1234"),
    ("wmo_clienten", "7.530", "'7.530' lijkt een getal met een punt als duizendtalscheiding; een aantal staat hier zonder "
                              "scheidingstekens: schrijf 7530"),
    ("wmo_uitgaven_gerealiseerd", "12.345.678", "'12.345.678' is geen getal; verwacht een getal met een punt als decimaalteken en zonder "
                                                "duizendtalscheiding"),
])
def test_a_thousands_separator_in_an_amount_or_count_is_refused(tmp_path, indicator, waarde, fragment):
    from sdrapport.inputs.catalogue import load_catalogue
    from sdrapport.inputs.contract import read_observaties

    path = tmp_path / "obs.csv"
    path.write_text(f"gemeente,periode,indicator,waarde,bron,status\nGM0505,2023,{indicator},{waarde},Gemeente,definitief\n", encoding="utf-8")
    with pytest.raises(ContractError) as err:
        read_observaties(path, load_catalogue(REPO / "data" / "indicatoren.yml"), {"GM0505"}, tmp_path)
    text = err.value.render()
    assert f"obs.csv, rij 2, kolom 'waarde': {fragment}" in text and text.count("\n") == 0, text


def test_a_fraction_of_a_thousand_euros_and_decimals_elsewhere_stay_possible(tmp_path):
    from sdrapport.inputs.catalogue import load_catalogue
    from sdrapport.inputs.contract import read_observaties

    path = tmp_path / "obs.csv"
    path.write_text("gemeente,periode,indicator,waarde,bron,status\nGM0505,2023,wmo_uitgaven_gerealiseerd,1.2340,G,definitief\n"
                    "GM0505,2023,ses_woa,1.234,G,definitief\n", encoding="utf-8")
    out = read_observaties(path, load_catalogue(REPO / "data" / "indicatoren.yml"), {"GM0505"}, tmp_path)
    assert list(out["waarde"]) == [1.234, 1.234]


# -- issue 25: never a traceback for an expected failure -----------------------------------------------
def small_demo_project(root: Path) -> Path:
    """A project with one gemeente (Hilversum) whose demo data include record-level exports: the
    demo generator, the contract and the records database all run, in seconds."""
    import shutil

    root.mkdir(parents=True)
    shutil.copy(REPO / "_quarto.yml", root / "_quarto.yml")
    shutil.copytree(REPO / "params", root / "params")
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    data = root / "data"
    (data / "observaties").mkdir(parents=True)
    for name in ("indicatoren.yml", "demo.yml"):
        shutil.copy(REPO / "data" / name, data / name)
    (data / "gemeenten.csv").write_text("code,naam,provincie\nGM0402,Hilversum,Noord-Holland\n", encoding="utf-8")
    rows = [line for line in (REPO / "data" / "inwoners.csv").read_text(encoding="utf-8").splitlines() if line.startswith("GM0402,")]
    (data / "inwoners.csv").write_text("gemeente,jaar,inwoners,bron\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return root


class _Proj:
    def __init__(self, root: Path):
        self.root = root


def _no_traceback(result) -> None:
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr


@pytest.mark.parametrize("command", [("ingest",), ("run", "-g", "GM0402", "-p", "2023", "--geen-site")])
def test_an_empty_observation_file_is_refused_with_its_name_not_a_traceback(tmp_path, command):
    root = small_demo_project(tmp_path / "project")
    (root / "data" / "observaties" / "leeg.csv").write_bytes(b"")
    result = sdrapport(*command, project=_Proj(root))
    assert result.returncode == 2, result.stderr
    _no_traceback(result)
    assert "data/observaties/leeg.csv: bestand is leeg (0 bytes)" in result.stderr
    assert "haal het weg uit data/observaties/" in result.stderr


def test_an_empty_export_a_blank_file_and_an_unreadable_file_are_refused_together(tmp_path):
    root = small_demo_project(tmp_path / "project")
    (root / "data" / "registraties").mkdir()
    (root / "data" / "registraties" / "voorzieningen-2024.csv").write_bytes(b"")
    (root / "data" / "observaties" / "kapot.csv").mkdir()  # a folder where a file is expected: cannot be read
    (root / "data" / "observaties" / "blanco.csv").write_bytes(b"\xef\xbb\xbf\r\n\r\n")  # the demo's sniffer fails on it
    result = sdrapport("ingest", project=_Proj(root))
    assert result.returncode == 2, result.stderr
    _no_traceback(result)
    assert "data/registraties/voorzieningen-2024.csv: bestand is leeg (0 bytes)" in result.stderr
    assert "data/observaties/kapot.csv: bestand is niet te lezen" in result.stderr
    assert "data/observaties/blanco.csv: bestand bevat alleen lege regels" in result.stderr
    assert not (root / "reports" / "store" / "sdrapport.duckdb").exists()


def test_out_of_memory_ends_with_one_dutch_paragraph_and_leaves_the_store_as_it_was(tmp_path):
    root = small_demo_project(tmp_path / "project")
    assert sdrapport("ingest", project=_Proj(root)).returncode == 0
    store = root / "reports" / "store"
    before = tree(store)
    env_limit = dict(os.environ, SDRAPPORT_GEHEUGEN="1MB", COLUMNS="250")  # far too little for DuckDB
    cmd = [sys.executable, "-m", "sdrapport.cli", "ingest", "--threads", "1", "--project", str(root)]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env_limit, timeout=600)
    assert result.returncode == 1, result.stderr
    _no_traceback(result)
    text = " ".join(result.stderr.split())
    assert "DuckDB kwam geheugen tekort bij het inlezen van data/registraties/" in text
    assert "De opslag is ongewijzigd gebleven" in text and "SDRAPPORT_GEHEUGEN=2GB" in text and "--threads 1" in text
    assert tree(store) == before  # not a byte or a timestamp changed, no temporary file left behind
    debug = subprocess.run([sys.executable, "-m", "sdrapport.cli", "--debug", *cmd[3:]], capture_output=True, text=True,
                           env=env_limit, timeout=600)
    assert debug.returncode == 1 and "Traceback" in debug.stderr and "OutOfMemoryException" in debug.stderr


def test_a_malformed_memory_setting_is_refused(tmp_path):
    root = small_demo_project(tmp_path / "project")
    result = sdrapport("ingest", "--geheugen", "veel", project=_Proj(root))
    assert result.returncode == 2
    _no_traceback(result)
    assert "SDRAPPORT_GEHEUGEN: verwacht een hoeveelheid geheugen zoals 900MB of 2GB" in result.stderr


def test_disk_full_memory_error_and_a_killed_worker_each_say_what_to_do():
    import errno

    from sdrapport.errors import resource_error

    class KilledWorker(Exception):  # distributed.scheduler.KilledWorker, recognised by name
        pass

    disk = resource_error(OSError(errno.ENOSPC, "No space left on device"), "bij het bouwen van de opslag", "reports/store")
    assert disk.paragraph().startswith("De schijf is vol geraakt bij het bouwen van de opslag. De opslag is ongewijzigd")
    assert "Maak ruimte vrij op de schijf van de opslagmap (reports/store)" in disk.paragraph()
    memory = resource_error(MemoryError(), "bij het inlezen van data/registraties/voorzieningen.csv")
    assert "Het geheugen van de machine raakte op bij het inlezen van data/registraties/voorzieningen.csv" in memory.paragraph()
    assert "SDRAPPORT_GEHEUGEN=500MB" in memory.paragraph()
    killed = resource_error(KilledWorker("task"), "in de batch")
    assert "werkproces is onverwacht gestopt" in killed.paragraph() and "--workers 1" in killed.paragraph()
    assert resource_error(ValueError("iets anders")) is None  # not a resource problem: not disguised as one
