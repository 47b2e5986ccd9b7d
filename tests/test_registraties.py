"""Record-level registrations: each definition on small hand-made exports, the input contract,
pseudonymisation, disclosure control, and a definition change shown side by side."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

import pytest

from tests.conftest import html_rows

from sdrapport.inputs.catalogue import load_catalogue
from sdrapport.indicators.definitions import derive, derive_exact
from sdrapport.indicators.disclosure import protect
from sdrapport.errors import ContractError
from sdrapport.inputs.registrations import Config, elfproef, load_config, load_key, read_registraties
from sdrapport.presentation.report import Rapport
from sdrapport.store.database import build_store
from tests.conftest import REPO
import itertools

CATALOGUE = load_catalogue(REPO / "data" / "indicatoren.yml")
GEMEENTEN = {"GM0402", "GM0505"}
# Valid BSNs by the elfproef (9*d1 + 8*d2 + ... + 2*d8 - d9 is a multiple of 11): made up for tests.
BSNS = ("111222333", "123456782", "999999990")


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


def config(tmp_path: Path, yaml_text: str = "") -> Path:
    """A params folder with registraties.yml (the repository's code lists, plus `yaml_text`)."""
    params = tmp_path / "params"
    base = (REPO / "params" / "registraties.yml").read_text(encoding="utf-8")
    base = base[: base.index("gemeenten:")] + base[base.index("# Categories per wet"):]  # no demo gemeenten
    write(params, "registraties.yml", _without_keys(base, yaml_text) + "\n" + yaml_text)
    return params


def _without_keys(base: str, override: str) -> str:
    """`base` without the top-level blocks that `override` sets (a key may occur once in a file)."""
    import re

    import yaml

    keys = set((yaml.safe_load(override) or {}) if override.strip() else {})
    out, skip = [], False
    for line in base.splitlines():
        m = re.match(r"^([A-Za-z_]\w*):", line)
        if m:
            skip = m.group(1) in keys
        elif line and not line[0].isspace() and not line.startswith("#"):
            skip = False
        if not skip:
            out.append(line)
    return "\n".join(out)


def exact(tmp_path: Path, files: dict[str, str], yaml_text: str = "") -> pd.DataFrame:
    data = tmp_path / "data"
    for name, text in files.items():
        write(data / "registraties", name, text)
    frames, cfg, _ = read_registraties(data, config(tmp_path, yaml_text), GEMEENTEN, tmp_path, key=b"k" * 32)
    return derive_exact(frames, cfg, CATALOGUE).observaties


def value(obs: pd.DataFrame, indicator: str, periode: str, dim: str | None = None, dimwaarde: str | None = None) -> int:
    rows = obs[(obs["indicator"] == indicator) & (obs["periode"] == periode)]
    rows = rows[rows["dim"].isna()] if dim is None else rows[(rows["dim"] == dim) & (rows["dimwaarde"] == dimwaarde)]
    assert len(rows) == 1, rows
    return int(rows["waarde"].iloc[0])


VOORZIENINGEN = """
id,client,gemeente,wet,product,categorie,zwaarte,verwijzer,startdatum,einddatum
v1,A,GM0402,jeugd,,Jeugdhulp zonder verblijf,licht,gemeente,2020-01-15,2020-02-10
v2,A,GM0402,jeugd,,Jeugdhulp met verblijf,zwaar,huisarts,2020-11-01,2020-12-31
v3,B,GM0402,jeugd,,Jeugdhulp zonder verblijf,middel,huisarts,2020-03-20,2020-04-10
v4,B,GM0402,jeugd,,Jeugdbescherming,licht,gecertificeerde_instelling,2020-03-25,2020-03-30
v5,C,GM0402,jeugd,Ambulante jeugdhulp (trajectfinanciering),Jeugdhulp zonder verblijf,licht,gemeente,2019-06-01,
v6,D,GM0402,jeugd,,Jeugdhulp zonder verblijf,licht,,2021-01-05,2021-02-01
v7,E,GM0402,wmo,,Begeleiding,,gemeente,2020-02-01,9999-12-31
"""


def test_unique_clients_count_once_per_period_so_a_year_is_not_the_sum_of_its_quarters(tmp_path):
    obs = exact(tmp_path, {"voorzieningen.csv": VOORZIENINGEN})
    quarters = [value(obs, "jeugd_jongeren", f"2020-Q{q}") for q in range(1, 5)]
    # Q1: A, B, C; Q2: B (until 10 April), C; Q3: C; Q4: A (again), C.
    assert quarters == [3, 2, 1, 2]
    assert value(obs, "jeugd_jongeren", "2020-H1") == 3 and value(obs, "jeugd_jongeren", "2020-H2") == 2
    assert value(obs, "jeugd_jongeren", "2020") == 3 < sum(quarters)
    # C's provision has no end date: it runs on to the peildatum (end of the quarter of the last start).
    assert value(obs, "jeugd_jongeren", "2021-Q1") == 2
    # 9999-12-31 is read as 'no end date'.
    assert value(obs, "wmo_clienten", "2021-Q1") == 1


def test_breakdowns_by_heaviest_care_referrer_combination_and_category(tmp_path):
    obs = exact(tmp_path, {"voorzieningen.csv": VOORZIENINGEN})
    # 2020-Q1: A licht (gemeente), B middel+licht (huisarts, GI), C licht (gemeente).
    assert value(obs, "jeugd_jongeren", "2020-Q1", "zwaarte", "middel") == 1  # B at its heaviest
    assert value(obs, "jeugd_jongeren", "2020-Q1", "zwaarte", "licht") == 2
    assert value(obs, "jeugd_jongeren", "2020-Q1", "zwaarte", "zwaar") == 0  # no record: zero, not unknown
    assert value(obs, "jeugd_jongeren", "2020-Q1", "verwijzer", "Alleen gemeente") == 2
    assert value(obs, "jeugd_jongeren", "2020-Q1", "verwijzer", "Alleen anderen") == 1
    # 2020: A had the gemeente and a huisarts.
    assert value(obs, "jeugd_jongeren", "2020", "verwijzer", "Gemeente en anderen") == 1
    # Exclusive breakdowns add up to the total; categories do not (B had two).
    for dim in ("zwaarte", "verwijzer"):
        parts = obs[(obs["indicator"] == "jeugd_jongeren") & (obs["periode"] == "2020-Q1") & (obs["dim"] == dim)]
        assert parts["waarde"].sum() == 3
    cats = obs[(obs["indicator"] == "jeugd_jongeren") & (obs["periode"] == "2020-Q1") & (obs["dim"] == "categorie")]
    assert cats.set_index("dimwaarde")["waarde"].to_dict() == {
        "Jeugdhulp zonder verblijf": 3, "Jeugdhulp met verblijf": 0, "Jeugdbescherming": 1}


def test_old_budget_definition_counts_trajectory_care_only_where_it_starts(tmp_path):
    history = """
gemeenten:
  GM0402:
    definities:
      jeugd_jongeren:
        - definitie: toegewezen_budget/1
          tot: 2020-12-31
        - definitie: zorgperiode/2
"""
    data = tmp_path / "data"
    write(data / "registraties", "voorzieningen.csv", VOORZIENINGEN)
    frames, cfg, _ = read_registraties(data, config(tmp_path, history), GEMEENTEN, tmp_path, key=b"k" * 32)
    result = derive_exact(frames, cfg, CATALOGUE)
    # The report's series uses the newest definition for every period.
    assert value(result.observaties, "jeugd_jongeren", "2020-Q3") == 1
    comp = result.vergelijking[result.vergelijking["dim"].isna()]
    side = comp.pivot(index="periode", columns="definitie", values="waarde")
    # C's trajectory started in 2019-Q2: the old definition counts it there and nowhere after.
    assert side.loc["2019-Q2", "toegewezen_budget/1"] == 1 and side.loc["2019-Q3", "toegewezen_budget/1"] == 0
    assert side.loc["2020-Q3", "zorgperiode/2"] == 1 and side.loc["2020-Q3", "toegewezen_budget/1"] == 0
    assert side.loc["2020-Q1", "toegewezen_budget/1"] == 2 and side.loc["2020-Q1", "zorgperiode/2"] == 3
    # Side by side only for the periods of the old definition.
    assert not any(p.startswith("2021") for p in side.index)
    assert set(result.definities.loc[result.definities["indicator"] == "jeugd_jongeren", "definitie"]) == {
        "toegewezen_budget/1", "zorgperiode/2"}


def test_unknown_definition_and_missing_end_of_an_old_one_are_refused(tmp_path):
    bad = "gemeenten:\n  GM0402:\n    definities:\n      jeugd_jongeren:\n        - definitie: zorgperiode/9\n"
    with pytest.raises(ContractError, match="definitie 'zorgperiode/9' bestaat niet voor jeugd_jongeren"):
        exact(tmp_path / "a", {"voorzieningen.csv": VOORZIENINGEN}, bad)
    bad = ("gemeenten:\n  GM0402:\n    definities:\n      jeugd_jongeren:\n        - definitie: toegewezen_budget/1\n"
           "        - definitie: zorgperiode/2\n")
    with pytest.raises(ContractError, match="heeft een 'tot' nodig"):
        exact(tmp_path / "b", {"voorzieningen.csv": VOORZIENINGEN}, bad)


AANVRAGEN = """
id,gemeente,wet,datum_ontvangst,datum_besluit,uitkomst
a1,GM0402,wmo,2020-01-02,2020-02-20,toegekend
a2,GM0402,wmo,2020-01-02,2020-02-27,toegekend
a3,GM0402,wmo,2020-01-02,2020-02-28,afgewezen
a4,GM0402,wmo,2020-02-01,,
a5,GM0402,wmo,2020-03-20,,
a6,GM0402,wmo,2020-01-10,,ingetrokken
a7,GM0402,jeugd,2020-01-02,2020-02-28,toegekend
a8,GM0402,pw,2020-06-01,2020-06-15,toegekend
"""


def test_timeliness_counts_open_applications_past_the_term_as_late(tmp_path):
    obs = exact(tmp_path, {"aanvragen.csv": AANVRAGEN}, "termijn_weken:\n  jeugd: 6\n")
    # Wmo, 8 weeks: a1 (49 days) and a2 (56 days, the last day of the term) on time, a3 (57 days)
    # late; a4 received 1 February is still open on 31 March after its term ended on 28 March:
    # late; a5 is open but within its term: not counted; a6 was withdrawn: not counted.
    assert value(obs, "aanvragen_tijdig", "2020-Q1", "wet", "Wmo") == 2
    assert value(obs, "aanvragen_beslist", "2020-Q1", "wet", "Wmo") == 4
    # In Q2 a4 and a5 are still open and both past their term.
    assert value(obs, "aanvragen_beslist", "2020-Q2", "wet", "Wmo") == 2
    assert value(obs, "aanvragen_tijdig", "2020-Q2", "wet", "Wmo") == 0
    # The term is per wet: jeugd has 6 weeks here, so 57 days is late.
    assert value(obs, "aanvragen_tijdig", "2020-Q1", "wet", "Jeugdwet") == 0
    assert value(obs, "aanvragen_beslist", "2020-Q1", "wet", "Jeugdwet") == 1
    assert value(obs, "aanvragen_tijdig", "2020-Q2", "wet", "Participatiewet") == 1
    # The totals over all wetten (for the overall tijdigheid).
    assert value(obs, "aanvragen_beslist", "2020-Q1") == 5 and value(obs, "aanvragen_tijdig", "2020-Q1") == 2
    # The year is counted up to the peildatum (15 June, the last decision): a4 and a5 are still open and late.
    assert value(obs, "aanvragen_beslist", "2020") == 7 and value(obs, "aanvragen_tijdig", "2020") == 3


UITKERINGEN = """
id,client,huishouden,gemeente,startdatum,einddatum,reden_einde
u1,P,H1,GM0402,2019-05-01,2020-04-30,werk
u2,Q,H1,GM0402,2019-05-01,2020-04-30,werk
u3,R,H2,GM0402,2020-02-01,,
u4,S,,GM0402,2020-03-01,2020-03-31,verhuizing
u5,T,,GM0402,2020-03-31,2020-06-30,ander_inkomen
u6,U,,GM0402,2020-08-01,2020-09-30,
"""


def test_benefits_stock_inflow_and_outflow_by_reason_add_up(tmp_path):
    obs = exact(tmp_path, {"uitkeringen.csv": UITKERINGEN}, "gemeenten:\n  GM0402:\n    peildatum: 2020-12-31\n")
    quarters = ["2019-Q4", "2020-Q1", "2020-Q2", "2020-Q3", "2020-Q4"]
    stock = {q: value(obs, "bijstand_personen", q) for q in quarters}
    assert stock == {"2019-Q4": 2, "2020-Q1": 4, "2020-Q2": 1, "2020-Q3": 1, "2020-Q4": 1}
    # Stock after a period = stock after the one before + inflow - outflow.
    for before, q in itertools.pairwise(quarters):
        assert stock[before] + value(obs, "bijstand_instroom", q) - value(obs, "bijstand_uitstroom", q) == stock[q], q
    assert value(obs, "bijstand_uitstroom", "2020-Q2", "reden", "Werk") == 2
    assert value(obs, "bijstand_uitstroom", "2020-Q1", "reden", "Verhuizing") == 1
    assert value(obs, "bijstand_uitstroom", "2020-Q3", "reden", "Onbekend") == 1
    # Households: P and Q share one; a client without a household id is a household of their own.
    assert value(obs, "bijstand_huishoudens", "2020-Q1") == 3


def test_complaints_per_norm_and_upheld(tmp_path):
    klachten = """
id,gemeente,datum,norm,gegrond
k1,GM0402,2020-01-10,bejegening,ja
k2,GM0402,2020-02-10,Bejegening,deels
k3,GM0402,2020-03-10,voortvarendheid,nee
k4,GM0402,2020-05-10,rechtszekerheid,
"""
    obs = exact(tmp_path, {"klachten.csv": klachten})
    assert value(obs, "klachten", "2020-Q1") == 3 and value(obs, "klachten_gegrond", "2020-Q1") == 2
    assert value(obs, "klachten_afgehandeld", "2020-Q2") == 0  # k4 is still being handled: not in the share's base
    assert value(obs, "klachten", "2020-Q1", "norm", "Bejegening") == 2
    assert value(obs, "klachten_gegrond", "2020-Q1", "norm", "Voortvarendheid") == 0
    assert value(obs, "klachten", "2020", "norm", "Rechtszekerheid") == 1
    assert value(obs, "klachten_gegrond", "2020-Q2") == 0  # still being handled


def test_periods_after_the_peildatum_are_provisional_and_none_before_vanaf(tmp_path):
    data = tmp_path / "data"
    write(data / "registraties", "voorzieningen.csv", VOORZIENINGEN)
    frames, cfg, _ = read_registraties(data, config(tmp_path, ""), GEMEENTEN, tmp_path, key=b"k" * 32)
    cfg.vanaf = 2020
    obs = derive(frames, cfg, CATALOGUE).observaties
    status = obs[obs["dim"].isna() & (obs["indicator"] == "jeugd_jongeren")].set_index("periode")["status"]
    # Without a peildatum in the params: the day of the latest event (a start on 5 January 2021).
    assert status["2020-Q4"] == "definitief" and status["2020"] == "definitief"
    assert status["2021-Q1"] == "voorlopig" and status["2021"] == "voorlopig" and status["2021-H1"] == "voorlopig"
    assert "2021-Q2" not in status.index and "2019" not in status.index
    # D's care (5 January - 1 February) is counted up to the peildatum in the running quarter.
    assert value(obs, "jeugd_jongeren", "2021-Q1") == 0  # CBS-rounded: C and D are 2 -> 0


# -- disclosure control -----------------------------------------------------------------------------
def cells(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["gemeente", "periode", "indicator", "dim", "dimwaarde", "waarde", "definitie"])


def test_cbs_rounding_of_every_registration_count(tmp_path):
    frame = cells([("GM0402", "2020-Q1", "klachten", None, None, n, "d/1") for n in (0, 3, 4, 5, 9, 12, 13, 1941)])
    out = protect(frame, "cbs", 10, additive=set(), flows=set())
    assert list(out["waarde"]) == [0, 0, 0, 10, 10, 10, 15, 1940]


def test_threshold_suppresses_small_cells_and_a_complement_so_totals_reveal_nothing():
    rows = [("GM0402", "2020-Q1", "klachten", None, None, 53, "d/1"),
            ("GM0402", "2020-Q1", "klachten", "norm", "Bejegening", 3, "d/1"),
            ("GM0402", "2020-Q1", "klachten", "norm", "Voortvarendheid", 20, "d/1"),
            ("GM0402", "2020-Q1", "klachten", "norm", "Overig", 30, "d/1")]
    out = protect(cells(rows), "drempel", 10, additive={"norm"}, flows=set()).set_index("dimwaarde", drop=False)
    assert out.loc["Bejegening", "waarde_status"] == "geheim"
    # 53 - 20 - 30 would give the 3 back: the smallest other part is suppressed too.
    assert out.loc["Voortvarendheid", "waarde_status"] == "geheim" and pd.isna(out.loc["Voortvarendheid", "waarde"])
    assert out.loc["Overig", "waarde"] == 30 and out["waarde"].iloc[0] == 53

    # Flows over time: a year is the sum of its quarters, so one small quarter takes another with it.
    rows = [("GM0402", "2020", "klachten", None, None, 70, "d/1")] + [
        ("GM0402", f"2020-Q{q}", "klachten", None, None, n, "d/1") for q, n in zip(range(1, 5), (4, 20, 21, 25))]
    rows += [("GM0402", "2020-H1", "klachten", None, None, 24, "d/1"), ("GM0402", "2020-H2", "klachten", None, None, 46, "d/1")]
    out = protect(cells(rows), "drempel", 10, additive=set(), flows={"klachten"}).set_index("periode")
    hidden = set(out.index[out["waarde_status"] == "geheim"])
    assert "2020-Q1" in hidden and len(hidden) >= 2
    # No relation (year = quarters, year = halves, half = quarters) is left with one hidden cell.
    for total, parts in (("2020", ["2020-Q1", "2020-Q2", "2020-Q3", "2020-Q4"]), ("2020", ["2020-H1", "2020-H2"]),
                         ("2020-H1", ["2020-Q1", "2020-Q2"]), ("2020-H2", ["2020-Q3", "2020-Q4"])):
        assert len(hidden & {total, *parts}) != 1, (total, parts, hidden)


# -- the input contract ---------------------------------------------------------------------------------
def refused(tmp_path, name: str, text: str, yaml_text: str = "") -> ContractError:
    with pytest.raises(ContractError) as err:
        exact(tmp_path, {name: text}, yaml_text)
    return err.value


@pytest.mark.parametrize("row, column, fragment", [
    ("v1,A,GM0402,jeugd,,Jeugdhulp zonder verblijf,licht,,2020-03-01,2020-02-01", "einddatum", "einddatum ligt voor de startdatum"),
    ("v1,A,GM0402,jeugd,,Jeugdhulp zonder verblijf,licht,,1890-03-01,", "startdatum", "valt buiten 1990-2099"),
    ("v1,A,GM0402,jeugd,,Jeugdhulp zonder verblijf,licht,,2020-13-01,", "startdatum", "geen datum; verwacht JJJJ-MM-DD"),
    ("v1,A,GM0402,jeugd,,Huishoudelijke hulp,licht,,2020-03-01,", "categorie", "onbekende categorie voor Jeugdwet"),
    ("v1,A,GM0402,zorgverzekering,,Jeugdhulp zonder verblijf,licht,,2020-03-01,", "wet", "onbekende wet"),
    ("v1,A,GM0402,jeugd,,Jeugdhulp zonder verblijf,zwaarst,,2020-03-01,", "zwaarte", "onbekende zwaarte"),
    ("v1,A,GM0402,jeugd,,Jeugdhulp zonder verblijf,licht,buurvrouw,2020-03-01,", "verwijzer", "onbekende verwijzer"),
    ("v1,A,GM9999,jeugd,,Jeugdhulp zonder verblijf,licht,,2020-03-01,", "gemeente", "staat niet in data/gemeenten.csv"),
    ("v1,,GM0402,jeugd,,Jeugdhulp zonder verblijf,licht,,2020-03-01,", "client", "lege cel"),
])
def test_bad_provision_rows_name_file_row_and_column(tmp_path, row, column, fragment):
    header = "id,client,gemeente,wet,product,categorie,zwaarte,verwijzer,startdatum,einddatum"
    err = refused(tmp_path, "voorzieningen.csv", f"{header}\nv0,Z,GM0402,wmo,,Begeleiding,,,2020-01-01,\n{row}")
    text = err.render()
    assert f"registraties/voorzieningen.csv, rij 3, kolom '{column}'" in text and fragment in text, text


def test_other_kinds_are_checked_too(tmp_path):
    err = refused(tmp_path / "a", "aanvragen.csv", "id,gemeente,wet,datum_ontvangst,datum_besluit,uitkomst\n"
                  "a1,GM0402,wmo,2020-03-01,2020-02-01,toegekend\na2,GM0402,wmo,2020-03-01,,misschien")
    # Both problems at once: a check between columns and a check of one cell.
    assert "rij 2, kolom 'datum_besluit': datum_besluit ligt voor de datum_ontvangst" in err.render()
    assert "rij 3, kolom 'uitkomst': onbekende uitkomst" in err.render() and "misschien" not in err.render()
    err = refused(tmp_path / "b", "uitkeringen.csv", "id,client,gemeente,startdatum,einddatum,reden_einde\n"
                  "u1,P,GM0402,2020-01-01,,werk")
    assert "rij 2, kolom 'reden_einde': een reden van beëindiging zonder einddatum" in err.render()
    err = refused(tmp_path / "c", "klachten.csv", "id,gemeente,datum,norm,gegrond\nk1,GM0402,2020-01-01,humeur,ja")
    assert "rij 2, kolom 'norm': onbekende klachtnorm" in err.render()
    err = refused(tmp_path / "d", "klachtenlijst.txt.csv", "id\n1")  # starts with a kind: read as klachten
    assert "verplichte kolom ontbreekt" in err.render()
    (tmp_path / "e" / "data" / "registraties").mkdir(parents=True)
    with pytest.raises(ContractError, match="onbekende soort registratie"):
        exact(tmp_path / "e", {"beschikkingen.csv": "id\n1"})


def test_duplicate_ids_within_and_across_files_without_echoing_the_id(tmp_path):
    header = "id,gemeente,datum,norm,gegrond\n"
    err = refused(tmp_path / "a", "klachten.csv", header + "K-778899,GM0402,2020-01-01,bejegening,ja\nK-778899,GM0402,2020-01-02,bejegening,nee")
    assert "klachten.csv, rij 3, kolom 'id': dubbele id: dezelfde id staat al in rij 2" in err.render()
    assert "778899" not in err.render()
    data = tmp_path / "b" / "data"
    write(data / "registraties", "klachten-2020.csv", header + "K-1,GM0402,2020-01-01,bejegening,ja")
    write(data / "registraties", "klachten-2021.csv", header + "K-2,GM0402,2021-01-01,bejegening,ja\nK-1,GM0402,2021-01-02,bejegening,ja")
    with pytest.raises(ContractError) as err:
        read_registraties(data, config(tmp_path / "b"), GEMEENTEN, tmp_path / "b", key=b"k" * 32)
    assert "klachten-2021.csv, rij 3, kolom 'id': dubbele id: dezelfde id staat al in data/registraties/klachten-2020.csv, rij 2" in err.value.render()


def test_dutch_dates_are_accepted(tmp_path):
    obs = exact(tmp_path, {"klachten.csv": "id,gemeente,datum,norm,gegrond\nk1,GM0402,10-01-2020,bejegening,ja"})
    assert value(obs, "klachten", "2020-Q1") == 1


# -- pseudonymisation and BSNs ---------------------------------------------------------------------------
def test_elfproef():
    s = pd.Series([*BSNS, "123456789", "000000000", "12345678", "abcdefghi", ""])
    assert list(elfproef(s)) == [True, True, True, False, False, False, False, False]


def test_bsn_column_refused_without_pseudonymisation_and_never_shown(tmp_path):
    text = "id,client,gemeente,wet,categorie,startdatum\n" + "\n".join(
        f"v{i},{bsn},GM0402,wmo,Begeleiding,2020-01-01" for i, bsn in enumerate(BSNS))
    err = refused(tmp_path / "a", "voorzieningen.csv", text, "pseudonimisering: false\n")
    rendered = err.render()
    assert "voorzieningen.csv, rij 2, kolom 'client': waarde lijkt een BSN" in rendered
    assert "zet pseudonimisering aan" in rendered
    assert not any(bsn in rendered for bsn in BSNS)
    # With pseudonymisation on, the identifiers are hashed and the file is accepted ...
    obs = exact(tmp_path / "b", {"voorzieningen.csv": text})
    assert value(obs, "wmo_clienten", "2020-Q1") == 3
    # ... but a BSN in a column that is not pseudonymised is refused all the same.
    text = "id,client,gemeente,wet,product,categorie,startdatum\nv1,A,GM0402,wmo,111222333,Begeleiding,2020-01-01"
    err = refused(tmp_path / "c", "voorzieningen.csv", text)
    assert "kolom 'product': waarde lijkt een BSN" in err.render() and "111222333" not in err.render()


def test_pseudonyms_are_keyed_and_link_a_client_across_files(tmp_path):
    data = tmp_path / "data"
    write(data / "registraties", "voorzieningen-a.csv", "id,client,gemeente,wet,categorie,startdatum,einddatum\n"
          "v1,111222333,GM0402,wmo,Begeleiding,2020-01-01,2020-01-31")
    write(data / "registraties", "voorzieningen-b.csv", "id,client,gemeente,wet,categorie,startdatum,einddatum\n"
          "v2,111222333,GM0402,wmo,Dagbesteding,2020-03-01,2020-03-31")
    params = config(tmp_path)
    one, cfg, _ = read_registraties(data, params, GEMEENTEN, tmp_path, key=b"a" * 32)
    two, _, _ = read_registraties(data, params, GEMEENTEN, tmp_path, key=b"b" * 32)
    ids = one["voorzieningen"]["client"]
    assert ids.nunique() == 1 and str(ids.iloc[0]) != "111222333"  # same client in both files, not the BSN
    assert ids.iloc[0] != two["voorzieningen"]["client"].iloc[0]  # another key, another pseudonym
    assert "111222333" not in one["voorzieningen"].to_csv()
    # Counts do not depend on the key.
    a = derive_exact(one, cfg, CATALOGUE).observaties
    b = derive_exact(two, cfg, CATALOGUE).observaties
    assert value(a, "wmo_clienten", "2020-Q1") == value(b, "wmo_clienten", "2020-Q1") == 1


def test_key_file_is_created_outside_the_project_and_refused_inside(tmp_path, monkeypatch):
    monkeypatch.delenv("SDRAPPORT_SLEUTEL", raising=False)
    outside = tmp_path / "home" / "sleutel"
    cfg = Config(tmp_path / "params" / "registraties.yml", sleutelbestand=str(outside))
    key, created = load_key(cfg, tmp_path / "project")
    assert created == outside and len(key) == 64 and (outside.stat().st_mode & 0o777) == 0o600
    assert load_key(cfg, tmp_path / "project") == (key, None)  # the same key next time
    inside = Config(tmp_path / "params" / "registraties.yml", sleutelbestand=str(tmp_path / "project" / "sleutel"))
    with pytest.raises(ContractError, match="mag niet in de projectmap staan"):
        load_key(inside, tmp_path / "project")


def test_config_errors_name_the_setting(tmp_path):
    params = config(tmp_path, "")
    text = (params / "registraties.yml").read_text(encoding="utf-8").replace("methode: cbs", "methode: schatten")
    (params / "registraties.yml").write_text(text, encoding="utf-8")
    with pytest.raises(ContractError, match=r"onthulling\.methode.*kies uit cbs, drempel"):
        load_config(params)


# -- the store, the report ------------------------------------------------------------------------------
@pytest.fixture
def small_project(tmp_path):
    """A project with one gemeente fed by hand-made registrations and a definition change."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(REPO / "_quarto.yml", root / "_quarto.yml")
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    shutil.copytree(REPO / "params", root / "params")
    config(root, "gemeenten:\n  GM0402:\n    definities:\n      jeugd_jongeren:\n"
                 "        - definitie: toegewezen_budget/1\n          tot: 2020-12-31\n        - definitie: zorgperiode/2\n"
                 "onthulling:\n  methode: drempel\n  drempel: 2\n")
    data = root / "data"
    data.mkdir()
    shutil.copy(REPO / "data" / "indicatoren.yml", data / "indicatoren.yml")
    write(data, "gemeenten.csv", "code,naam,provincie\nGM0402,Hilversum,Noord-Holland")
    write(data, "inwoners.csv", "gemeente,jaar,inwoners,bron\nGM0402,2020,90000,CBS\nGM0402,2021,91000,CBS")
    write(data / "registraties", "voorzieningen.csv", VOORZIENINGEN)
    write(data / "registraties", "klachten.csv", "id,gemeente,datum,norm,gegrond\nk1,GM0402,2020-01-10,bejegening,ja\n"
          "k2,GM0402,2020-02-10,bejegening,nee\nk3,GM0402,2020-02-11,bejegening,nee")
    build_store(data, root / "reports" / "store" / "sdrapport.duckdb")
    return root


def test_store_holds_protected_aggregates_and_the_report_reads_them_like_any_indicator(small_project):
    r = Rapport("GM0402", "2020-Q1", project=small_project, uitvoer=small_project / "out", rapport="dashboard")
    assert r.waarde("jeugd_jongeren").waarde == 3  # drempel 2: 3 is published as is, not CBS-rounded again
    assert r.waarde("klachten").waarde == 3
    assert r.waarde("klachten_gegrond").tekst == "-"  # 1 is below the threshold
    assert r.waarde("klachten_gegrond_aandeel").tekst == "-"  # and so is the share computed from it
    assert r.registratie_peildatum.isoformat() == "2021-01-05"
    side = r.definitievergelijking("jeugd_jongeren").pivot(index="periode", columns="definitie", values="waarde")
    assert side.loc["2020-Q1"].to_dict() == {"toegewezen_budget/1": 2, "zorgperiode/2": 3}


def test_definition_change_is_shown_side_by_side_with_the_explanation(small_project, monkeypatch):
    import IPython.display

    from sdrapport.presentation.elements import components

    seen = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, metadata=None: seen.append(getattr(obj, "data", obj)))
    r = Rapport("GM0402", "2021-Q1", project=small_project, uitvoer=small_project / "out", rapport="dashboard")
    components.tabel_definitiewijziging(r, "jeugd_jongeren", naam="definitie-jeugd", titel="Unieke jeugdigen")
    components.tekst_definitiewijziging(r, "jeugd_jongeren")
    table, text = seen[0], seen[1]
    rows = html_rows(table)
    assert rows["Periode"] == ["Toegewezen budget (versie 1)", "Zorgperiode (versie 2)", "Verschil", "Verschil in %"]
    assert rows["Q1 2020"] == ["2", "3", "+1", "+50,0%"], rows
    assert "Tot en met 31 december 2020" in text and "*Toegewezen budget* (versie 1)" in text and "*Zorgperiode* (versie 2)" in text
    csv = (small_project / "out" / "data" / "definitie-jeugd.csv").read_text(encoding="utf-8")
    assert "2020-Q1,toegewezen_budget/1,2,zorgperiode/2,3" in csv


def test_a_figure_delivered_and_derived_is_refused(small_project):
    write(small_project / "data" / "observaties", "eigen.csv",
          "gemeente,periode,indicator,waarde,bron,status\nGM0402,2020-Q1,klachten,13,eigen telling,definitief")
    with pytest.raises(ContractError, match="klachten voor GM0402 2020-Q1 wordt ook berekend uit de registraties"):
        build_store(small_project / "data", small_project / "reports" / "store" / "sdrapport.duckdb")


def test_ingest_creates_the_key_outside_the_project_and_says_so(project, tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "SDRAPPORT_SLEUTEL"}
    env["HOME"] = str(tmp_path / "home")
    proc = subprocess.run([sys.executable, "-m", "sdrapport.cli", "ingest", "--project", str(project.root)],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    key = tmp_path / "home" / ".config" / "sdrapport" / "pseudoniem.sleutel"
    assert key.exists() and f"sleutel voor het pseudonimiseren van registraties gemaakt: {key}" in proc.stderr.replace("\n", "")
    assert not list(project.root.rglob("*.sleutel"))


def test_parquet_exports_with_date_columns(tmp_path):
    data = tmp_path / "data"
    (data / "registraties").mkdir(parents=True)
    pd.DataFrame({"id": ["k1", "k2"], "gemeente": ["GM0402", "GM0402"],
                  "datum": pd.to_datetime(["2020-01-10", "2020-04-02"]), "norm": ["bejegening", "overig"],
                  "gegrond": ["ja", None]}).to_parquet(data / "registraties" / "klachten.parquet")
    frames, cfg, names = read_registraties(data, config(tmp_path), GEMEENTEN, tmp_path, key=b"k" * 32)
    obs = derive_exact(frames, cfg, CATALOGUE).observaties
    assert names == ["data/registraties/klachten.parquet"]
    assert value(obs, "klachten", "2020-Q1") == 1 and value(obs, "klachten", "2020-Q2") == 1


def test_a_bsn_in_a_coded_column_is_not_repeated_by_other_checks(tmp_path):
    text = "id,client,gemeente,wet,categorie,startdatum\nv1,A,GM0402,wmo,123456782,2020-01-01"
    err = refused(tmp_path, "voorzieningen.csv", text)
    assert "kolom 'categorie': waarde lijkt een BSN" in err.render() and "123456782" not in err.render()


def test_a_gemeente_with_one_wet_gets_no_zeros_for_the_others(tmp_path):
    only_wmo = "id,client,gemeente,wet,categorie,startdatum\nd1,A,GM0505,wmo,Begeleiding,2020-01-01"
    obs = exact(tmp_path, {"voorzieningen.csv": VOORZIENINGEN, "voorzieningen-dordrecht.csv": only_wmo})
    dordrecht = obs[obs["gemeente"] == "GM0505"]
    assert set(dordrecht["indicator"]) == {"wmo_clienten", "wmo_stapeling"}  # only Wmo figures
    assert {"jeugd_jongeren", "wmo_clienten"} <= set(obs.loc[obs["gemeente"] == "GM0402", "indicator"])


def test_without_pseudonymisation_ids_are_still_one_code_across_files(tmp_path):
    header = "id,gemeente,datum,norm,gegrond\n"
    obs = exact(tmp_path, {"klachten-2020.csv": header + "K-1,GM0402,2020-01-01,bejegening,ja",
                           "klachten-2021.csv": header + "K-2,GM0402,2020-02-01,bejegening,ja"},
                "pseudonimisering: false\n")
    assert value(obs, "klachten", "2020-Q1") == 2


def test_open_end_only_in_end_dates_and_no_events_far_ahead(tmp_path):
    header = "id,gemeente,datum,norm,gegrond\n"
    err = refused(tmp_path / "a", "klachten.csv", header + "k1,GM0402,9999-12-31,bejegening,ja")
    assert "rij 2, kolom 'datum': datum valt buiten 1990-2099" in err.render()
    err = refused(tmp_path / "b", "klachten.csv", header + "k1,GM0402,2092-01-10,bejegening,ja")
    assert "rij 2, kolom 'datum': datum ligt na vandaag" in err.render()
    # A planned end may lie far ahead.
    obs = exact(tmp_path / "c", {"voorzieningen.csv": "id,client,gemeente,wet,categorie,startdatum,einddatum\n"
                                 "v1,A,GM0402,wmo,Begeleiding,2020-01-01,2092-12-31"})
    assert value(obs, "wmo_clienten", "2020-Q1") == 1


def test_a_shifted_row_does_not_echo_the_client_number(tmp_path):
    # One field short: the client number lands in the date column.
    text = "id,client,gemeente,wet,categorie,startdatum,einddatum\nv1,GM0402,wmo,Begeleiding,CL-99812"
    err = refused(tmp_path, "voorzieningen.csv", text)
    assert "rij 2" in err.render() and "CL-99812" not in err.render()


def test_settings_are_checked(tmp_path):
    for i, (yaml_text, fragment) in enumerate([
        ("gemeenten:\n  GM0402:\n    definities:\n      jeugd:\n        - definitie: zorgperiode/2\n", "'jeugd' wordt niet uit registraties berekend"),
        ("gemeenten:\n  GM0402:\n    peildatum: 31-03-2020\n", "gemeenten.GM0402.peildatum"),
    ]):
        with pytest.raises(ContractError, match=fragment):
            exact(tmp_path / str(i), {"voorzieningen.csv": VOORZIENINGEN}, yaml_text)
    params = config(tmp_path / "x", "")
    text = (params / "registraties.yml").read_text(encoding="utf-8")
    for bad, fragment in (("vanaf: 2019", "vanaf: abc"), ("categorieen:\n  wmo: [", "categorieen:\n  wmo: Begeleiding\n  oud: [")):
        (params / "registraties.yml").write_text(text.replace(bad, fragment, 1), encoding="utf-8")
        with pytest.raises(ContractError):
            load_config(params)


def test_comparison_of_definitions_is_protected_too(tmp_path):
    history = ("gemeenten:\n  GM0402:\n    definities:\n      jeugd_jongeren:\n        - definitie: toegewezen_budget/1\n"
               "          tot: 2020-12-31\n        - definitie: zorgperiode/2\n")
    data = tmp_path / "data"
    write(data / "registraties", "voorzieningen.csv", VOORZIENINGEN)
    frames, cfg, _ = read_registraties(data, config(tmp_path, history), GEMEENTEN, tmp_path, key=b"k" * 32)
    exact_comp = derive_exact(frames, cfg, CATALOGUE).vergelijking
    assert set(exact_comp["waarde"]) & {1, 2, 3}  # small exact counts exist ...
    comp = derive(frames, cfg, CATALOGUE).vergelijking
    assert len(comp) == len(exact_comp) and set(comp["waarde"]) <= {0.0, 10.0}  # ... and none is stored


def test_threshold_also_guards_stock_and_flow_and_small_differences():
    # Outflow 3 is suppressed; stock before 33, inflow 12 and stock after 42 would give it back.
    rows = [("GM0402", "2020-Q1", "bijstand_personen", None, None, 33, "d/1"),
            ("GM0402", "2020-Q2", "bijstand_personen", None, None, 42, "d/1"),
            ("GM0402", "2020-Q2", "bijstand_instroom", None, None, 12, "d/1"),
            ("GM0402", "2020-Q2", "bijstand_uitstroom", None, None, 3, "d/1"),
            # 40 decided, 37 on time: 3 late decisions would show.
            ("GM0402", "2020-Q2", "aanvragen_beslist", "wet", "Wmo", 40, "d/1"),
            ("GM0402", "2020-Q2", "aanvragen_tijdig", "wet", "Wmo", 37, "d/1")]
    out = protect(cells(rows), "drempel", 10, additive=set(), flows=set(),
                  differences=(("aanvragen_beslist", "aanvragen_tijdig"),),
                  balance=("bijstand_personen", "bijstand_instroom", "bijstand_uitstroom"))
    hidden = out.loc[out["waarde_status"] == "geheim", "indicator"].tolist()
    assert "bijstand_uitstroom" in hidden and len([h for h in hidden if h.startswith("bijstand")]) == 2
    assert "aanvragen_tijdig" in hidden and "aanvragen_beslist" not in hidden


# -- issue 25: memory bounded by design ----------------------------------------------------------------
def test_counts_spill_to_disk_under_a_low_memory_limit_and_equal_the_unlimited_run(tmp_path):
    """The shape that ran out of memory (one gemeente, many clients, provisions without an end date
    over five years), small: 30.000 records of 10.000 clients. Under a DuckDB limit of 20MB the
    counts are made in batches of periods and DuckDB writes to its temporary folder; the published
    figures are exactly those of a run without a tight limit."""
    from benchmarks.registraties import ONE_GEMEENTE, generate_one_gemeente

    data = tmp_path / "data"
    (data / "registraties").mkdir(parents=True)
    write(data, "gemeenten.csv", "code,naam,provincie")
    write(data, "inwoners.csv", "gemeente,jaar,inwoners,bron")
    generate_one_gemeente(data / "registraties", 30_000)
    params = config(tmp_path, "vanaf: 2020\n")

    def run(memory_limit: str) -> tuple[pd.DataFrame, bool]:
        records, cfg, _ = read_registraties(data, params, {ONE_GEMEENTE}, tmp_path, key=b"k" * 32, workdir=tmp_path / "work",
                                            memory_limit=memory_limit, threads=1)
        try:
            afgeleid = derive(records, cfg, CATALOGUE)
            spilled = any((records.folder / "spill").glob("*"))
        finally:
            records.close()
        key = ["gemeente", "periode", "indicator", "dim", "dimwaarde"]
        return afgeleid.observaties.sort_values(key, na_position="first").reset_index(drop=True), spilled

    low, spilled = run("20MB")
    unlimited, spilled_unlimited = run("4GB")
    assert spilled and not spilled_unlimited
    assert len(low) > 3000 and (low["indicator"] == "wmo_clienten").any()
    pd.testing.assert_frame_equal(low, unlimited)
    # every period of five years is there, and the open-ended provisions keep counting: the last
    # quarter holds (after CBS rounding) every client who ever started Wmo care
    wmo = low[(low["indicator"] == "wmo_clienten") & low["dim"].isna()].set_index("periode")["waarde"]
    assert {"2020-Q1", "2024-Q4", "2024"} <= set(wmo.index)
    assert wmo["2024-Q4"] > wmo["2020-Q1"] > 0


# -- issue 25: plausibility before arithmetic ------------------------------------------------------------
def plausibility_data(tmp_path: Path, inwoners: int, clients: int, yaml_text: str = "", start: str = "2020-03-01",
                      code: str = "GM0402", historie: str | None = None) -> Path:
    """A data folder with one gemeente of `inwoners` inhabitants and `clients` Wmo clients whose
    provisions start on `start` and never end."""
    data = tmp_path / "data"
    shutil.copy(REPO / "data" / "indicatoren.yml", write(data, "x", "") and data / "indicatoren.yml")
    write(data, "gemeenten.csv", f"code,naam,provincie\n{code},Testgemeente,Utrecht")
    write(data, "inwoners.csv", "gemeente,jaar,inwoners,bron\n" + "\n".join(f"{code},{y},{inwoners},CBS" for y in (2020, 2021)))
    rows = "\n".join(f"v{i},C{i},{code},wmo,Begeleiding,{start}" for i in range(clients))
    write(data / "registraties", "voorzieningen-2021.csv", "id,client,gemeente,wet,categorie,startdatum\n" + rows + "\n"
          f"z1,Z,{code},wmo,Begeleiding,2021-12-31")  # the peildatum: end of 2021
    if historie:
        write(data, "gemeente-historie.csv", historie)
    config(tmp_path, yaml_text)
    return data


def test_more_clients_than_inhabitants_is_refused_before_anything_is_counted(tmp_path):
    data = plausibility_data(tmp_path, inwoners=20, clients=30)
    with pytest.raises(ContractError) as err:
        build_store(data, tmp_path / "store.duckdb")
    text = err.value.render()
    assert ("data/registraties/voorzieningen-2021.csv, kolom 'client': GM0402, periode 2020: 30 unieke cliënten Wmo, "
            "meer dan de 20 inwoners van GM0402 in 2020 (data/inwoners.csv)") in text
    assert "GM0402, periode 2021: 31 unieke cliënten Wmo" in text  # every year, each with its own numbers
    assert not (tmp_path / "store.duckdb").exists()


def test_more_than_the_configured_share_of_inhabitants_is_refused_and_the_share_can_be_raised(tmp_path):
    data = plausibility_data(tmp_path, inwoners=100, clients=30)
    with pytest.raises(ContractError) as err:
        build_store(data, tmp_path / "store.duckdb")
    assert ("GM0402, periode 2020: 30 unieke cliënten Wmo, 30% van de 100 inwoners van GM0402 in 2020 (data/inwoners.csv); "
            "meer dan het maximum van 25% (params/registraties.yml: plausibiliteit.max_aandeel_clienten)") in err.value.render()
    config(tmp_path, "plausibiliteit:\n  max_aandeel_clienten: 0.5\n")
    build_store(data, tmp_path / "store.duckdb")
    assert (tmp_path / "store.duckdb").exists()


def test_the_share_is_checked_by_the_settings_schema(tmp_path):
    params = config(tmp_path, "plausibiliteit:\n  max_aandeel_clienten: 25\n")
    with pytest.raises(ContractError, match=r"plausibiliteit\.max_aandeel_clienten.*verwacht een getal van hoogstens 1"):
        load_config(params)


def test_a_provision_that_starts_before_the_gemeente_existed_is_refused(tmp_path):
    historie = "code,naam,geldig_van,geldig_tot,opvolger\nGM1942,Gooise Meren,2016-01-01,,"
    data = plausibility_data(tmp_path, inwoners=50000, clients=3, start="2015-06-01", code="GM1942", historie=historie)
    with pytest.raises(ContractError) as err:
        build_store(data, tmp_path / "store.duckdb")
    text = err.value.render()
    assert ("data/registraties/voorzieningen-2021.csv, rij 2, kolom 'startdatum': startdatum ligt voor 2016-01-01, de dag "
            "waarop GM1942 ontstond (data/gemeente-historie.csv)") in text
    assert "rij 4, kolom 'startdatum'" in text and "rij 5," not in text  # the last row starts in 2021: fine


def test_a_numerator_above_its_denominator_a_rate_above_a_thousand_per_thousand_is_refused(tmp_path):
    data = plausibility_data(tmp_path, inwoners=4000, clients=3)
    write(data / "observaties", "eigen.csv", "gemeente,periode,indicator,waarde,bron,status\n"
          "GM0402,2021,kindermishandeling_meldingen,4100,Eigen,definitief\n"
          "GM0402,2021,bijstand_personen,5000,Eigen,definitief\n"
          "GM0402,2020,bijstand_personen,3000,Eigen,definitief")
    with pytest.raises(ContractError) as err:
        build_store(data, tmp_path / "store.duckdb")
    text = err.value.render()
    assert ("data/observaties/eigen.csv, rij 2, kolom 'waarde': kindermishandeling_meldingen voor GM0402, periode 2021: 4.100, "
            "meer dan inwoners in 2021 (4.000); kindermishandeling_per_100000 zou boven 100.000 per 100.000 inwoners uitkomen") in text
    assert ("data/observaties/eigen.csv, rij 3, kolom 'waarde': bijstand_personen voor GM0402, periode 2021: 5.000, meer dan "
            "inwoners in 2021 (4.000); bijstand_personen_per_1000 zou boven 1.000 per 1.000 inwoners uitkomen") in text
    assert "rij 4" not in text  # 3.000 of 4.000 inhabitants is high, not impossible
