"""Case-system exports as they come out of the system: read through a mapping in params/bronnen/
(codes of the iStandaarden, Windows-1252, dd/mm/jjjj, extra columns, a beschikkingnummer repeated
over product lines, no gemeente or wet column) they give the same figures as the contract's own
form; and every problem of every file is reported, grouped per file, also as a CSV."""
from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sdrapport.indicators.definitions import derive_exact
from sdrapport.errors import ContractError
from sdrapport.inputs.params import ParamsError
from sdrapport.inputs.registrations import parse_dates, read_registraties
from tests.conftest import REPO
from tests.test_cli import sdrapport
from tests.test_registraties import CATALOGUE, GEMEENTEN, config, value

# One row per provision: beschikking, line, client, iJw product category, product code, iJw
# referrer code, start, end (None: running), iJw reason of ending.
PROVISIONS = [
    ("B-1001", 1, "111", "45", "45A01", "01", "2020-01-15", "2020-06-30", "31"),
    ("B-1001", 2, "111", "43", "43A02", "01", "2020-03-01", "2020-12-31", "34"),
    ("B-1002", 1, "222", "45", "45A01", "02", "2020-02-01", None, None),
    ("B-1003", 1, "333", "48", "48B01", "04", "2020-04-10", "2021-02-28", "35"),
    ("B-1004", 1, "444", "45", "45A03", "06", "2020-07-01", "2020-09-30", "32"),
    ("B-1004", 2, "444", "41", "41A01", "06", "2020-07-01", "2021-03-31", "33"),
    ("B-1005", 1, "555", "47", "47B01", "08", "2020-10-01", None, None),
    ("B-1006", 1, "666", "45", "45A01", "07", "2021-01-04", "2021-05-31", "20"),
    ("B-1007", 1, "777", "44", "44A01", "01", "2021-02-01", None, None),
    ("B-1007", 2, "777", "45", "45A02", "03", "2021-02-01", "2021-04-30", "31"),
    ("B-1008", 1, "888", "31", "31X01", "05", "2019-11-01", "2020-02-29", "02"),
]
CATEGORIE = {"45": "Jeugdhulp zonder verblijf", "43": "Jeugdhulp met verblijf", "44": "Jeugdhulp met verblijf",
             "41": "Jeugdhulp zonder verblijf", "31": "Jeugdhulp zonder verblijf", "47": "Jeugdreclassering",
             "48": "Jeugdbescherming"}
VERWIJZER = {"01": "gemeente", "02": "huisarts", "03": "jeugdarts", "04": "gecertificeerde_instelling",
             "05": "medisch_specialist", "06": "geen", "07": "onbekend", "08": "rechter"}
REDEN = {"31": "Beëindigd volgens plan", "34": "In overeenstemming", "35": "Externe omstandigheden",
         "32": "Eenzijdig door cliënt", "33": "Eenzijdig door aanbieder", "20": "Overig", "02": "Externe omstandigheden"}


def clean_form() -> str:
    """The contract's own form: unique ids, contract codes, ISO dates, every row its gemeente and wet."""
    lines = ["id,client,gemeente,wet,product,categorie,verwijzer,startdatum,einddatum,reden_einde"]
    for besch, line, client, cat, product, verw, start, end, reden in PROVISIONS:
        lines.append(f"{besch}-{line},C{client},GM0402,jeugd,{product},{CATEGORIE[cat]},{VERWIJZER[verw]},{start},"
                     f"{end or ''},{REDEN[reden] if reden else ''}")
    return "\n".join(lines) + "\n"


def dutch(iso: str | None, open_end: str = "31/12/9999") -> str:
    if iso is None:
        return open_end
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


def export_form() -> bytes:
    """The same provisions as a case system exports them: its own headers, extra columns, the
    beschikkingnummer repeated over product lines, iJw codes (some without their leading zero, as
    Excel writes them), dd/mm/jjjj with 31/12/9999 for 'no end', ';', Windows-1252, CRLF."""
    lines = ["Beschikkingnummer;BSN;Productcategorie;Productcode;Verwijzer;Ingangsdatum;Einddatum;Reden beëindiging;"
             "Zorgaanbieder;Opmerking"]
    for i, (besch, _line, client, cat, product, verw, start, end, reden) in enumerate(PROVISIONS):
        verwijzer = verw.lstrip("0") if i % 2 else verw  # '1' for '01' in every other row
        lines.append(f"{besch};C{client};{cat};{product};{verwijzer};{dutch(start)};{dutch(end)};{reden or ''};"
                     f"Zorgaanbieder {i % 3} – Enschede;één regel")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def project_params(tmp_path: Path) -> Path:
    """params/registraties.yml of the tests plus the shipped export mappings and codelists."""
    params = config(tmp_path)
    shutil.copytree(REPO / "params" / "bronnen", params / "bronnen")
    return params


def derived(tmp_path: Path, files: dict[str, bytes | str]) -> pd.DataFrame:
    data = tmp_path / "data"
    folder = data / "registraties"
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    records, cfg, _ = read_registraties(data, project_params(tmp_path), GEMEENTEN, tmp_path, key=b"k" * 32)
    try:
        return derive_exact(records, cfg, CATALOGUE).observaties, records.gelezen
    finally:
        records.close()


def test_a_real_export_through_the_shipped_mapping_gives_the_same_figures_as_the_contract_form(tmp_path):
    export = export_form()
    assert b"Reden be\xebindiging" in export and b";31/12/9999;" in export  # Windows-1252, open end as written
    clean, _ = derived(tmp_path / "clean", {"voorzieningen.csv": clean_form()})
    mapped, gelezen = derived(tmp_path / "export", {"voorbeeld-ijw-export-2021.csv": export})
    key = ["gemeente", "periode", "indicator", "dim", "dimwaarde"]
    a = clean.fillna({"dim": "", "dimwaarde": ""}).sort_values(key).reset_index(drop=True)
    b = mapped.fillna({"dim": "", "dimwaarde": ""}).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a[[*key, "waarde"]], b[[*key, "waarde"]])
    # The figures themselves: unique clients per quarter, by referrer combination and category.
    assert value(mapped, "jeugd_jongeren", "2020-Q1") == 3  # 111, 222, 888
    assert value(mapped, "jeugd_jongeren", "2020") == 6 and value(mapped, "jeugd_jongeren", "2021-Q1") == 6
    assert value(mapped, "jeugd_jongeren", "2020-Q3", "verwijzer", "Alleen anderen") == 3  # 222, 333, 444 (geen verwijzer)
    assert value(mapped, "jeugd_jongeren", "2020-Q4", "verwijzer", "Alleen anderen") == 4  # 222, 333, 444 (geen), 555 (rechter)
    assert value(mapped, "jeugd_jongeren", "2021-Q1", "verwijzer", "Onbekend") == 1  # 666: code 07 only
    assert value(mapped, "jeugd_jongeren", "2021-Q1", "verwijzer", "Gemeente en anderen") == 1  # 777: 01 and 03
    assert value(mapped, "jeugd_jongeren", "2020-Q4", "categorie", "Jeugdhulp met verblijf") == 1
    # Without zwaarte in the export every client counts as 'onbekend', none as licht, middel or zwaar.
    assert value(mapped, "jeugd_jongeren", "2020-Q1", "zwaarte", "onbekend") == 3
    # Ended provisions by the iJw reason (JZ588), per product line.
    assert value(mapped, "jeugd_trajecten_beeindigd", "2020-Q3", "reden", "Eenzijdig door cliënt") == 1
    assert value(mapped, "jeugd_trajecten_beeindigd", "2020") == 4  # an end after the peildatum (2021-02-01) is no end yet
    assert value(mapped, "jeugd_trajecten_beeindigd", "2020-Q1", "reden", "Externe omstandigheden") == 1  # 02 Overlijden
    # The ingest report says how the file was read and which columns were left out.
    (g,) = gelezen
    assert (g.mapping, g.codelijsten, g.codering, g.scheidingsteken, g.rijen) == (
        "params/bronnen/voorbeeld-ijw-export.yml", "iJw 3.2", "Windows-1252", "puntkomma", len(PROVISIONS))
    assert g.genegeerd == ["Zorgaanbieder", "Opmerking"]
    assert "genegeerde kolommen: Zorgaanbieder, Opmerking" in g.regel()


def test_the_same_export_in_utf8_with_bom_and_tabs_reads_the_same(tmp_path):
    text = export_form().decode("cp1252").replace(";", "\t")
    a, _ = derived(tmp_path / "a", {"voorbeeld-ijw-export.csv": export_form()})
    b, gelezen = derived(tmp_path / "b", {"voorbeeld-ijw-export.csv": "\ufeff" + text})
    assert (gelezen[0].codering, gelezen[0].scheidingsteken) == ("UTF-8", "tab")
    pd.testing.assert_frame_equal(a, b)


def test_a_beschikking_may_repeat_over_product_lines_but_not_a_line_itself(tmp_path):
    lines = export_form().decode("cp1252").splitlines()
    twice = "\r\n".join([*lines, lines[1]]) + "\r\n"
    with pytest.raises(ContractError) as err:
        derived(tmp_path, {"voorbeeld-ijw-export.csv": twice.encode("cp1252")})
    assert ("voorbeeld-ijw-export.csv, rij 13, kolom 'id': dubbele regel: dezelfde id, hetzelfde product en dezelfde "
            "startdatum staan al in rij 2") in err.value.render()


def test_zwaarte_from_the_category_when_the_export_has_none(tmp_path):
    params = project_params(tmp_path)
    mapping = params / "bronnen" / "voorbeeld-ijw-export.yml"
    mapping.write_text(mapping.read_text(encoding="utf-8") + 'zwaarte_per_categorie: {"45": licht, "41": middel, '
                       '"43": zwaar, "44": zwaar, "Jeugdbescherming": middel}\n', encoding="utf-8")
    data = tmp_path / "data" / "registraties"
    data.mkdir(parents=True)
    (data / "voorbeeld-ijw-export.csv").write_bytes(export_form())
    records, cfg, _ = read_registraties(tmp_path / "data", params, GEMEENTEN, tmp_path, key=b"k" * 32)
    try:
        obs = derive_exact(records, cfg, CATALOGUE).observaties
    finally:
        records.close()
    # 2020-Q2: 111 (45 licht + 43 zwaar: zwaar), 222 (45 licht), 333 (48 -> Jeugdbescherming: middel).
    assert value(obs, "jeugd_jongeren", "2020-Q2", "zwaarte", "zwaar") == 1
    assert value(obs, "jeugd_jongeren", "2020-Q2", "zwaarte", "licht") == 1
    assert value(obs, "jeugd_jongeren", "2020-Q2", "zwaarte", "middel") == 1
    assert value(obs, "jeugd_jongeren", "2020-Q4", "zwaarte", "onbekend") == 1  # 555: 47, not classified


def test_contract_form_without_a_mapping_is_tolerant_where_that_loses_nothing(tmp_path):
    text = ("Id;Client;Gemeente;Wet;Categorie;Verwijzer;Startdatum;Einddatum;Beschikkingnummer;Productcode\n"
            "v1;A;GM0402;Wmo 2015;begeleiding;Gemeentelijke toegang;15-01-2020;31-12-9999;B1;P1\n"
            "v2;B;GM0402;JW;Jeugdhulp zonder verblijf;Geen verwijzer;20200201;;B2;P2\n"
            "v3;C;GM0402;Jeugdwet;Jeugdhulp zonder verblijf;onbekend;1/3/2020 00:00;2020-06-30;B3;P3\n")
    obs, gelezen = derived(tmp_path, {"voorzieningen-2020.csv": text.encode("cp1252")})
    assert gelezen[0].genegeerd == ["Beschikkingnummer", "Productcode"] and gelezen[0].mapping == ""
    assert value(obs, "wmo_clienten", "2020-Q1") == 1
    assert value(obs, "jeugd_jongeren", "2020-Q1") == 2
    assert value(obs, "jeugd_jongeren", "2020-Q1", "verwijzer", "Alleen anderen") == 1  # geen verwijzer
    assert value(obs, "jeugd_jongeren", "2020-Q1", "verwijzer", "Onbekend") == 1


def test_dates_in_every_form_case_systems_write():
    cells = pd.Series(["2020-01-31", "31-01-2020", "31/01/2020", "20200131", "1-2-2020", "2020-01-31T00:00:00",
                       "31-01-2020 00:00", "31/13/2020", "2020131", "", "gisteren"])
    got = parse_dates(cells)
    assert list(got[:4].dt.date.astype(str)) == ["2020-01-31"] * 4
    assert str(got[4].date()) == "2020-02-01" and str(got[5].date()) == "2020-01-31" and str(got[6].date()) == "2020-01-31"
    assert got[7:].isna().all()
    assert parse_dates(pd.Series(["31/01/2020", "2020-01-31"]), "%d/%m/%Y").isna().tolist() == [False, True]


def test_every_problem_of_every_file_is_reported_grouped_per_file_and_as_csv(tmp_path):
    bad_export = [line.split(";") for line in export_form().decode("cp1252").splitlines()]
    bad_export[1][2] = "46"  # row 2: crisis, deliberately not translated by the codelist
    bad_export[3][5] = "31/02/2020"  # row 4
    bad_export[5][1] = "123456782"  # row 6: a BSN as client id is pseudonymised, no problem
    bad_export[6][4] = "09"  # row 7: no referrer code
    bad_export = [";".join(fields) for fields in bad_export]
    klachten = "id,gemeente,datum,norm,gegrond\nk1,GM0402,2021-01-10,bejegening,ja\nk2,GM9999,2021-13-01,bejegen,misschien\n"
    with pytest.raises(ContractError) as err:
        derived(tmp_path, {"voorbeeld-ijw-export.csv": "\r\n".join(bad_export).encode("cp1252"), "klachten-2021.csv": klachten})
    exc = err.value
    assert exc.files == ["data/registraties/voorbeeld-ijw-export.csv", "data/registraties/klachten-2021.csv"]
    text = exc.render()
    assert "data/registraties/voorbeeld-ijw-export.csv: 3 problemen" in text
    assert "data/registraties/klachten-2021.csv: 4 problemen" in text
    assert "voorbeeld-ijw-export.csv, rij 2, kolom 'categorie': onbekende categorie voor Jeugdwet" in text
    assert "rij 4, kolom 'startdatum': geen datum in het formaat van de mapping (DD/MM/JJJJ" in text
    assert "rij 7, kolom 'verwijzer': onbekende verwijzer" in text
    assert "klachten-2021.csv, rij 3, kolom 'gemeente'" in text and "klachten-2021.csv, rij 3, kolom 'gegrond'" in text
    rows = list(csv.DictReader(io.StringIO(exc.csv_text())))
    assert {r["bestand"] for r in rows} == set(exc.files) and len(rows) == 7
    by_cell = {(r["bestand"].rsplit("/", 1)[1], r["rij"], r["kolom"]): r for r in rows}
    assert by_cell[("voorbeeld-ijw-export.csv", "2", "categorie")]["waarde"] == "46"  # a code: shown
    assert by_cell[("voorbeeld-ijw-export.csv", "4", "startdatum")]["waarde"] == "31/02/2020"
    assert by_cell[("klachten-2021.csv", "3", "norm")]["waarde"] == "bejegen"
    assert "123456782" not in exc.csv_text() and "C111" not in exc.csv_text()
    path = exc.write_csv(tmp_path / "problemen.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_problem_report_never_shows_an_identifier_or_number_like_cell(tmp_path):
    text = "id,client,gemeente,wet,categorie,startdatum\nv1,A,GM0402,wmo,Begeleiding,2020-01-01\nv1,B,GM0402,wmo,Begeleiding,2020-01-01\n" \
           "v3,C,GM0402,wmo,CL-998877,2020-01-01\n"
    with pytest.raises(ContractError) as err:
        derived(tmp_path, {"voorzieningen.csv": text})
    rows = list(csv.DictReader(io.StringIO(err.value.csv_text())))
    assert rows and all(r["waarde"] == "[verborgen]" for r in rows)
    assert "998877" not in err.value.csv_text() and "998877" not in err.value.render()


def test_a_mapping_is_checked_like_every_params_file(tmp_path):
    params = project_params(tmp_path)
    (params / "bronnen" / "fout.yml").write_text(
        "soort: voorzieningen\nbestanden: [x*.csv]\nkolommen:\n  klant: BSN\nvast:\n  wet: jeugd\ncodelijsten: [ijw-9]\n"
        "datumformaat: mm/dd/jjjj\n", encoding="utf-8")
    data = tmp_path / "data" / "registraties"
    data.mkdir(parents=True)
    (data / "x.csv").write_text("BSN\n1\n", encoding="utf-8")
    with pytest.raises(ParamsError) as err:
        read_registraties(tmp_path / "data", params, GEMEENTEN, tmp_path, key=b"k" * 32)
    text = err.value.render()
    assert "params/bronnen/fout.yml, regel 8, kolom 15, sleutel 'datumformaat': kies uit auto, jjjj-mm-dd" in text
    # (the schema is checked first; the semantic checks follow once the schema is met)
    (params / "bronnen" / "fout.yml").write_text(
        "soort: voorzieningen\nbestanden: [x*.csv]\nkolommen:\n  klant: BSN\nvast:\n  wet: jeugd\ncodelijsten: [ijw-9]\n",
        encoding="utf-8")
    with pytest.raises(ParamsError) as err:
        read_registraties(tmp_path / "data", params, GEMEENTEN, tmp_path, key=b"k" * 32)
    text = err.value.render()
    assert "sleutel 'kolommen.klant': 'klant' is geen kolom van voorzieningen" in text
    assert "sleutel 'codelijsten.0': codelijst 'ijw-9' bestaat niet" in text


def test_a_column_the_mapping_names_but_the_export_lacks_is_named(tmp_path):
    export = export_form().decode("cp1252").replace("Ingangsdatum", "Begindatum")
    with pytest.raises(ContractError) as err:
        derived(tmp_path, {"voorbeeld-ijw-export.csv": export.encode("cp1252")})
    assert ("voorbeeld-ijw-export.csv, rij 1, kolom 'Ingangsdatum': kolom 'Ingangsdatum' uit de mapping "
            "(params/bronnen/voorbeeld-ijw-export.yml) (kolommen.startdatum) staat niet in het bestand") in err.value.render()


def test_cli_ingest_lists_ignored_columns_and_writes_both_reports(project):
    # Hilversum's own export beside the demo: its figures are its own, no longer 'Demodata'.
    settings = project.params / "registraties.yml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("  GM0402:\n    bron: Demodata", "  GM0402:\n    bron: Gemeente Hilversum"),
                        encoding="utf-8")
    (project.data / "registraties" / "voorbeeld-ijw-export-2021.csv").write_bytes(export_form())
    proc = sdrapport("ingest", project=project)
    assert proc.returncode == 0, proc.stderr
    assert "voorbeeld-ijw-export-2021.csv: 11 rijen; voorzieningen; mapping params/bronnen/voorbeeld-ijw-export.yml (iJw 3.2); " \
           "codering Windows-1252, scheidingsteken puntkomma; genegeerde kolommen: Zorgaanbieder, Opmerking" in proc.stderr
    report = pd.read_csv(project.store.parent / "ingest-rapport.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert report.set_index("bestand").loc["data/registraties/voorbeeld-ijw-export-2021.csv", "genegeerde_kolommen"] == \
        "Zorgaanbieder; Opmerking"
    assert "C111" not in proc.stderr + proc.stdout
    # The demo leaves out the jeugd figures for every gemeente, also those Vlieland's demo exports compute.
    assert "Let op: demodata van jeugd_jongeren weggelaten (GM0096)" in proc.stderr
    # Two broken files: both are named, and the CSV holds every problem.
    (project.data / "registraties" / "klachten-extra.csv").write_text(
        "id,gemeente,datum,norm\nk1,GM0402,2021-13-01,bejegening\n", encoding="utf-8")
    (project.data / "registraties" / "voorbeeld-ijw-export-2021.csv").write_bytes(export_form().replace(b";45;", b";46;"))
    proc = sdrapport("ingest", project=project)
    assert proc.returncode == 2
    assert "in 2 bestanden" in proc.stderr
    assert "data/registraties/klachten-extra.csv: 1 probleem" in proc.stderr
    assert "data/registraties/voorbeeld-ijw-export-2021.csv: 5 problemen" in proc.stderr  # five lines of category 45
    problems = pd.read_csv(project.store.parent / "ingest-problemen.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert set(problems["bestand"]) == {"data/registraties/klachten-extra.csv", "data/registraties/voorbeeld-ijw-export-2021.csv"}
    assert list(problems.columns) == ["bestand", "rij", "kolom", "waarde", "probleem"]


def test_periods_before_the_export_begins_are_unknown_never_zero(tmp_path):
    # A case system in use since July 2020: its export holds nothing earlier, although vanaf is 2019.
    text = ("id,client,gemeente,wet,categorie,startdatum,einddatum\n"
            "v1,A,GM0402,jeugd,Jeugdhulp zonder verblijf,2020-07-06,2020-12-31\n"
            "v2,B,GM0402,jeugd,Jeugdhulp zonder verblijf,2021-02-01,\n"
            "w1,C,GM0402,wmo,Begeleiding,2019-03-01,\n")
    obs, _ = derived(tmp_path / "a", {"voorzieningen.csv": text})
    jeugd = set(obs.loc[obs["indicator"] == "jeugd_jongeren", "periode"])
    assert {"2019", "2019-Q4", "2020-Q1", "2020-Q2", "2020-H1", "2020"}.isdisjoint(jeugd)  # not computed: shown as '?'
    assert value(obs, "jeugd_jongeren", "2020-Q3") == 1 and value(obs, "jeugd_jongeren", "2020-H2") == 1
    assert value(obs, "jeugd_jongeren", "2021-Q1") == 1 and value(obs, "jeugd_jongeren", "2021") == 1
    assert value(obs, "wmo_clienten", "2019-Q1") == 1  # each wet from its own first record
    # A gemeente that says its exports are complete from an earlier day gets zeros there, not '?'.
    (tmp_path / "b" / "params").mkdir(parents=True)
    data = tmp_path / "b" / "data" / "registraties"
    data.mkdir(parents=True)
    (data / "voorzieningen.csv").write_text(text, encoding="utf-8")
    params = config(tmp_path / "b", "gemeenten:\n  GM0402:\n    vanaf: 2020-01-01\n")
    records, cfg, _ = read_registraties(tmp_path / "b" / "data", params, GEMEENTEN, tmp_path / "b", key=b"k" * 32)
    try:
        own = derive_exact(records, cfg, CATALOGUE).observaties
    finally:
        records.close()
    assert value(own, "jeugd_jongeren", "2020-Q1") == 0 and value(own, "jeugd_jongeren", "2020") == 1
    assert "2019-Q4" not in set(own.loc[own["indicator"] == "wmo_clienten", "periode"])  # before 2020-01-01: not covered
