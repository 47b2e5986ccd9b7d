"""The demo policy (issue 23): the demo never fills a gap in an indicator that another source
delivers for any gemeente; it makes no record-level exports for a gemeente that delivers its own;
and the ingest checks the user's own files before any demo work, redoing only what a change affects.
Found cases 2, 3 and 6 of the issue, on real files in a copy of the project."""
from __future__ import annotations

import csv
from collections import Counter

import duckdb
import pandas as pd
import pytest

from sdrapport.errors import ContractError
from sdrapport.inputs import demo
from sdrapport.inputs.contract import grootteklasse
from sdrapport.inputs.demo import DEMO_BRON, delivered_indicators, ensure_demo, generated_paths, own_registrations
from sdrapport.presentation.report import Rapport
from sdrapport.store import database
from sdrapport.store.database import build_store
from tests.test_cli import sdrapport
from tests.test_exports import clean_form, export_form


def _demo_obs(proj) -> pd.DataFrame:
    return pd.read_csv(proj.data / "observaties" / "demo.csv", dtype=str, keep_default_na=False)


def _store(proj, sql: str, params=()) -> list[tuple]:
    con = duckdb.connect(str(proj.store), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def _mtimes(proj) -> dict[str, int]:
    paths = [*generated_paths(proj.data), proj.data / ".demo-stamp"]
    return {p.name: p.stat().st_mtime_ns for p in paths if p.exists()}


def _partly_delivered_class(proj) -> tuple[list[str], list[str]]:
    """Two gemeenten of a size class (the same in 2023 and 2024) that has more members, and all its members."""
    with open(proj.data / "inwoners.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["jaar"] in ("2023", "2024")]
    klasse: dict[str, set[str]] = {}
    for r in rows:
        klasse.setdefault(r["gemeente"], set()).add(grootteklasse(int(r["inwoners"])))
    stable = {g: next(iter(k)) for g, k in klasse.items() if len(k) == 1}
    name, _ = Counter(stable.values()).most_common(1)[0]
    members = sorted(g for g, k in stable.items() if k == name)
    assert len(members) >= 3, members
    return members[:2], members


# -- found case 2: demo figures inside real reference values ---------------------------------------------
def test_found_case_2_a_reference_over_a_partly_delivered_size_class_is_over_the_delivering_gemeenten_only(project):
    delivering, members = _partly_delivered_class(project)
    figures = {delivering[0]: (1200, 10_000), delivering[1]: (800, 12_000)}  # Wmo clients 75+, inhabitants 75+
    lines = ["gemeente,periode,indicator,waarde,bron,status"]
    for g, (clients, inhabitants) in figures.items():
        lines += [f"{g},2023,wmo_clienten_75plus,{clients},Eigen Wmo-registratie,definitief",
                  f"{g},2023,inwoners_75plus,{inhabitants},CBS,definitief"]
    (project.data / "observaties" / "eigen-wmo-75plus.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    build_store(project.data, project.store)

    # The demo has neither indicator for any gemeente (before: for every gemeente but the two).
    obs = _demo_obs(project)
    assert not obs["indicator"].isin(["wmo_clienten_75plus", "inwoners_75plus"]).any()
    assert set(obs.loc[obs["indicator"] == "wmo_clienten", "gemeente"]) >= set(members)  # other indicators stay
    assert _store(project, "SELECT count(*) FROM observaties WHERE indicator IN ('wmo_clienten_75plus', 'inwoners_75plus') "
                           "AND bron = ?", [DEMO_BRON]) == [(0,)]

    r = Rapport(delivering[0], "2023", project=project.root, uitvoer=project.root / "uit")
    assert set(delivering) < set(r.referentiegroep)  # the size class is delivered partly
    ref = r.referentie("wmo_clienten_75plus_per_1000", "2023")
    expected = sum(c for c, _ in figures.values()) / sum(n for _, n in figures.values()) * 1000
    assert ref.n == 2 and ref.waarde == pytest.approx(expected)  # 90,9: over exactly the two that delivered


def test_figures_the_demo_computes_from_its_own_exports_leave_a_delivered_indicator_too(project):
    # Dordrecht delivers its complaints; the demo's exports of Hilversum and Vlieland compute complaints too.
    (project.data / "observaties" / "klachten-dordrecht.csv").write_text(
        "gemeente,periode,indicator,waarde,bron,status\nGM0505,2023,klachten,40,Klachtenregistratie Dordrecht,definitief\n",
        encoding="utf-8")
    summary = build_store(project.data, project.store)
    assert "klachten" not in set(_demo_obs(project)["indicator"])
    assert _store(project, "SELECT DISTINCT gemeente, bron FROM observaties WHERE indicator = 'klachten'") == \
        [("GM0505", "Klachtenregistratie Dordrecht")]
    dropped = summary["demo_weggelaten"]
    assert set(dropped.loc[dropped["indicator"] == "klachten", "gemeente"]) == {"GM0096", "GM0402"}
    # Another indicator of the same exports stays: only what is delivered goes.
    assert _store(project, "SELECT count(*) > 0 FROM observaties WHERE indicator = 'aanvragen_beslist' AND gemeente = 'GM0402'") == [(True,)]


def test_delivered_inhabitants_per_group_leave_the_demo_without_groups(project):
    (project.data / "inwoners-doelgroep.csv").write_text(
        "gemeente,jaar,leeftijd,geslacht,inwoners,bron\nGM0505,2024,75-84,,7000,CBS Bevolking (03759ned)\n", encoding="utf-8")
    assert "inwoners_doelgroep" in delivered_indicators(project.data)
    assert ensure_demo(project.data) is True
    assert not (project.data / "inwoners-doelgroep-demo.csv").exists()


# -- found case 3: demo registrations against a gemeente's own settings -----------------------------------
def test_found_case_3_a_gemeente_with_its_own_export_and_peildatum_gets_no_demo_registrations(project):
    # Hilversum's jeugd export as its case system writes it (the shipped mapping fixes gemeente GM0402),
    # and its own settings: its source and the export date. The demo's exports run to 31 December 2024.
    (project.data / "registraties" / "voorbeeld-ijw-export-2021.csv").write_bytes(export_form())
    settings = project.params / "registraties.yml"
    text = settings.read_text(encoding="utf-8").replace(
        "  GM0402:\n    bron: Demodata\n    peildatum: 2024-12-31", "  GM0402:\n    bron: Gemeente Hilversum\n    peildatum: 2021-06-30")
    assert "peildatum: 2021-06-30" in text
    settings.write_text(text, encoding="utf-8")

    own = own_registrations(project.data)
    assert set(own) == {"GM0402"}
    assert {"jeugd_jongeren", "jeugd_trajecten_beeindigd"} <= own["GM0402"] and "wmo_clienten" not in own["GM0402"]
    proc = sdrapport("ingest", project=project)
    assert proc.returncode == 0, proc.stderr
    for path in (project.data / "registraties").glob("*-demo.csv"):  # no demo records of any kind for Hilversum
        rows = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert "GM0402" not in set(rows["gemeente"]) and "GM0096" in set(rows["gemeente"]), path.name
    # Its jeugd figures are its own; the demo has them for no gemeente (Vlieland's computed ones left out too).
    assert _store(project, "SELECT DISTINCT gemeente, bron FROM observaties WHERE indicator = 'jeugd_jongeren'") == \
        [("GM0402", "Gemeente Hilversum")]
    assert _store(project, "SELECT peildatum FROM registraties WHERE gemeente = 'GM0402'") == [("2021-06-30",)]
    # Its other figures are demo aggregates now, labelled as such.
    assert _store(project, "SELECT DISTINCT bron FROM observaties WHERE indicator = 'klachten' AND gemeente = 'GM0402'") == \
        [(DEMO_BRON,)]


def test_the_gemeenten_and_wetten_of_an_export_are_read_from_its_columns_alone(tmp_path):
    data = tmp_path / "data"
    (data / "registraties").mkdir(parents=True)
    (tmp_path / "params").mkdir()
    text = clean_form().replace(",jeugd,", ",Jeugdwet,")  # the wet as a case system may write it
    text += "X-1,C9,GM0096,wmo,,Begeleiding,gemeente,2021-01-01,,\n"
    (data / "registraties" / "voorzieningen-eigen.csv").write_text(text, encoding="utf-8")
    (data / "registraties" / "klachten-demo.csv").write_text("id,gemeente,datum,norm\nk,GM0014,2021-01-01,overig\n", encoding="utf-8")
    pd.DataFrame({"id": ["a"], "gemeente": ["GM0505"], "datum": ["2021-01-01"], "norm": ["overig"]}).to_parquet(
        data / "registraties" / "klachten-eigen.parquet")
    own = own_registrations(data)
    assert set(own) == {"GM0402", "GM0096", "GM0505"}  # not GM0014: *-demo.csv is the demo's
    assert "jeugd_trajecten_beeindigd" in own["GM0402"] and "wmo_clienten" not in own["GM0402"]
    assert "wmo_clienten" in own["GM0096"] and "wmo_trajecten_beeindigd" not in own["GM0096"]  # no reason of ending given
    assert own["GM0505"] == {"klachten", "klachten_afgehandeld", "klachten_gegrond"}


# -- found case 6: any new file regenerated the whole demo first ------------------------------------------
def test_found_case_6_an_invalid_new_file_is_refused_before_any_demo_work(project, monkeypatch):
    before = _mtimes(project)
    (project.data / "observaties" / "fout.csv").write_text(
        "gemeente,periode,indicatr,waarde,bron,status\nGM0505,2023,klachten,40,Eigen,definitief\n", encoding="utf-8")
    proc = sdrapport("ingest", project=project)
    assert proc.returncode == 2 and "data/observaties/fout.csv" in proc.stderr and "indicator" in proc.stderr
    assert "Demodata maken" not in proc.stderr
    assert _mtimes(project) == before  # no demo file and no stamp rewritten
    # In process: the demo is not even looked at.
    monkeypatch.setattr(database, "ensure_demo", lambda *a, **k: pytest.fail("demo work before the user's files were checked"))
    with pytest.raises(ContractError, match=r"fout\.csv"):
        build_store(project.data, project.store)


def test_an_invalid_file_and_an_invalid_export_are_refused_together_before_any_demo_work(project, monkeypatch):
    (project.data / "observaties" / "fout.csv").write_text(
        "gemeente,periode,indicator,waarde,bron,status\nGM0505,2023-H3,klachten,40,Eigen,definitief\n", encoding="utf-8")
    (project.data / "registraties" / "klachten-extra.csv").write_text(
        "id,gemeente,datum,norm\nk1,GM0402,2021-13-01,bejegening\n", encoding="utf-8")
    monkeypatch.setattr(database, "ensure_demo", lambda *a, **k: pytest.fail("demo work before the user's files were checked"))
    with pytest.raises(ContractError) as err:
        build_store(project.data, project.store)
    text = err.value.render()
    assert "data/observaties/fout.csv" in text and "data/registraties/klachten-extra.csv" in text  # both, in one refusal


def test_found_case_6_a_new_file_redoes_only_what_it_affects(project, monkeypatch):
    assert ensure_demo(project.data) is False  # up to date
    monkeypatch.setattr(demo, "generate_full", lambda *a, **k: pytest.fail("the full demo generated again"))
    before = _mtimes(project)
    # An indicator the demo leaves out already (Hengelo delivers its Iv3 figures): nothing to redo.
    (project.data / "observaties" / "iv3-dordrecht.csv").write_text(
        "gemeente,periode,indicator,taakveld,begrotingsfase,waarde,bron,status\n"
        "GM0505,2024,iv3_lasten,6.1,primitief,480,Begroting Dordrecht,definitief\n", encoding="utf-8")
    assert ensure_demo(project.data) is False and _mtimes(project) == before
    # A newly delivered indicator: selected again from the kept generation; the files it does not
    # touch keep their bytes and modification time.
    (project.data / "observaties" / "klachten-dordrecht.csv").write_text(
        "gemeente,periode,indicator,waarde,bron,status\nGM0505,2023,klachten,40,Klachtenregistratie Dordrecht,definitief\n",
        encoding="utf-8")
    assert ensure_demo(project.data) is True
    after = _mtimes(project)
    assert after["demo.csv"] != before["demo.csv"] and "klachten" not in set(_demo_obs(project)["indicator"])
    assert {k: v for k, v in after.items() if k not in ("demo.csv", ".demo-stamp")} == \
        {k: v for k, v in before.items() if k not in ("demo.csv", ".demo-stamp")}
    # Removing it again brings the figures back, still without generating anew.
    (project.data / "observaties" / "klachten-dordrecht.csv").unlink()
    assert ensure_demo(project.data) is True and "klachten" in set(_demo_obs(project)["indicator"])
