"""Each bad input gets one clear error naming file, row and column; a failed ingest changes nothing."""
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from sdrapport.errors import ContractError
from sdrapport.store.database import VALIDATED, build_store, ensure_store
from tests.conftest import REPO

HEADER = "gemeente,periode,indicator,leeftijd,geslacht,huishoudtype,financieringsvorm,hoofdcategorie,productcategorie,reden,waarde,bron,status\n"
GOOD = [
    "GM0505,2023-H2,wmo_clienten,,,,,,,,9787,CBS GMSD Wmo,definitief",
    "GM0505,2023-H2,wmo_clienten,,,,,Hulp bij het huishouden,,,2100,CBS GMSD Wmo,definitief",
    "GM0164,2023KW01,wmo_clienten,,,,,,,,6000,CBS GMSD Wmo,voorlopig",
    "GM0164,2023-H2,grijze_druk,,,,,,,,?,CBS,definitief",
    "GM0164,2023-H2,wmo_clienten,,,,,,Rolstoelen,,-,CBS GMSD Wmo,definitief",
]


@pytest.fixture
def data(tmp_path) -> Path:
    """A small valid data folder: the real catalogue, three gemeenten, one observations file."""
    d = tmp_path / "data"
    (d / "observaties").mkdir(parents=True)
    shutil.copy(REPO / "data" / "indicatoren.yml", d / "indicatoren.yml")
    (d / "gemeenten.csv").write_text("code,naam,provincie\nGM0505,Dordrecht,Zuid-Holland\nGM0164,Hengelo,Overijssel\n"
                                     "GM0088,Schiermonnikoog,Fryslân\n", encoding="utf-8")
    (d / "inwoners.csv").write_text("gemeente,jaar,inwoners,bron\nGM0505,2024,121434,CBS\nGM0164,2024,82324,CBS\nGM0088,2024,950,CBS\n", encoding="utf-8")
    write_obs(d, GOOD)
    return d


def write_obs(d: Path, lines: list[str], name: str = "eigen.csv", header: str = HEADER) -> Path:
    path = d / "observaties" / name
    path.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def problems(d: Path, store: Path):
    with pytest.raises(ContractError) as info:
        build_store(d, store)
    return info.value.problems, str(info.value)


def test_valid_folder_builds_and_keeps_unknown_and_suppressed_as_states(data, tmp_path):
    summary = build_store(data, tmp_path / "s.duckdb")
    assert summary["gemeenten"] == 3
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    rows = con.execute("SELECT periode, indicator, waarde, waarde_status FROM observaties WHERE gemeente='GM0164' ORDER BY 1, 2, 4").fetchall()
    con.close()
    assert ("2023-Q1", "wmo_clienten", 6000.0, "waarde") in rows  # CBS code normalised
    statuses = {(r[1], r[3]) for r in rows if r[2] is None}
    assert statuses == {("grijze_druk", "onbekend"), ("wmo_clienten", "geheim")}


@pytest.mark.parametrize(
    "line, row, column, fragment",
    [
        ("GM9999,2023-H2,wmo_clienten,,,,,,,,10,CBS,definitief", 7, "gemeente", "onbekende gemeente 'GM9999'"),
        ("G0505,2023-H2,wmo_clienten,,,,,,,,10,CBS,definitief", 7, "gemeente", "'G0505' is geen gemeentecode"),
        ("GM0505,2023-H2,wmo_klanten,,,,,,,,10,CBS,definitief", 7, "indicator", "onbekende indicator 'wmo_klanten'"),
        ("GM0505,2023-H3,wmo_clienten,,,,,,,,10,CBS,definitief", 7, "periode", "'2023-H3' is geen geldige periode"),
        ("GM0505,2022-H2,wmo_clienten,,,,,,,,veel,CBS,definitief", 7, "waarde", "'veel' is geen getal"),
        ("GM0505,2022-H2,wmo_clienten,,,,,,,,\"1.234,5\",CBS,definitief", 7, "waarde", "is geen getal"),
        ("GM0505,2022-H2,wmo_clienten,,,,,,,,-12,CBS,definitief", 7, "waarde", "een aantal kan niet negatief zijn"),
        ("GM0505,2022-H2,wmo_clienten,,,,,,,,12.5,CBS,definitief", 7, "waarde", "een aantal is een geheel getal"),
        ("GM0505,2022-H2,wmo_clienten,,,,,,,,12,CBS,concept", 7, "status", "verwacht voorlopig of definitief"),
        ("GM0505,2022-H2,wmo_clienten_per_1000,,,,,,,,12,CBS,definitief", 7, "indicator", "wordt berekend uit teller en noemer"),
        ("GM0505,2022-H2,grijze_druk,75+,,,,,,,12,CBS,definitief", 7, "leeftijd", "kent geen uitsplitsing naar leeftijd"),
        ("GM0505,2022-H2,wmo_clienten,,,,,,,,,CBS,definitief", 7, "waarde", "cel is leeg"),
    ],
)
def test_each_bad_cell_is_named_by_file_row_and_column(data, tmp_path, line, row, column, fragment):
    write_obs(data, GOOD + [line])
    found, text = problems(data, tmp_path / "s.duckdb")
    assert len(found) == 1, text
    p = found[0]
    assert (p.file, p.row, p.column) == ("data/observaties/eigen.csv", row, column)
    assert fragment in p.message
    assert f"data/observaties/eigen.csv, rij {row}, kolom '{column}'" in text


def test_duplicate_key_names_both_rows_also_across_files(data, tmp_path):
    write_obs(data, [GOOD[0]], name="tweede.csv")
    found, text = problems(data, tmp_path / "s.duckdb")
    assert len(found) == 1
    assert found[0].file == "data/observaties/tweede.csv" and found[0].row == 2
    assert "dubbele sleutel" in text and "eerder in data/observaties/eigen.csv, rij 2" in text


def test_missing_required_and_unknown_columns(data, tmp_path):
    write_obs(data, ["GM0505,2023-H2,wmo_clienten,10,CBS"], header="gemeente,periode,indicator,waarde,bron\n")
    found, text = problems(data, tmp_path / "s.duckdb")
    assert [(p.row, p.column) for p in found] == [(1, "status")]
    assert "verplichte kolom ontbreekt" in text
    write_obs(data, ["GM0505,2023-H2,wmo_clienten,10,CBS,definitief,x"], header="gemeente,periode,indicator,waarde,bron,status,opmerking\n")
    found, text = problems(data, tmp_path / "s.duckdb")
    assert [(p.row, p.column) for p in found] == [(1, "opmerking")] and "onbekende kolom" in text


def test_empty_file_and_header_only(data, tmp_path):
    path = data / "observaties" / "eigen.csv"
    path.write_bytes(b"")
    found, text = problems(data, tmp_path / "s.duckdb")
    assert found[0].file == "data/observaties/eigen.csv" and "bestand is leeg" in text
    path.write_text(HEADER, encoding="utf-8")
    found, text = problems(data, tmp_path / "s.duckdb")
    assert "geen gegevensrijen" in text


def test_file_mixing_utf8_and_another_encoding_names_the_line(data, tmp_path):
    path = write_obs(data, GOOD + ["GM0088,2023-H2,grijze_druk,,,,,,,,12,Fryslân,definitief"])  # UTF-8: â as two bytes
    path.write_bytes(path.read_bytes() + "GM0088,2022-H2,grijze_druk,,,,,,,,12,Fryslân,definitief\n".encode("cp1252"))
    found, text = problems(data, tmp_path / "s.duckdb")
    assert (found[0].file, found[0].row) == ("data/observaties/eigen.csv", 8)
    assert "mengt UTF-8 met een andere codering" in text


def test_windows_1252_file_from_dutch_excel_is_read_without_mojibake(data, tmp_path):
    lines = [line.replace(",", ";") for line in GOOD] + ["GM0088;2023-H2;grijze_druk;;;;;;;;12;Fryslân, CBS;definitief"]
    path = write_obs(data, lines, header=HEADER.replace(",", ";"))
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    assert path.read_bytes().count("â".encode("cp1252")) == 1 and "â".encode() not in path.read_bytes()
    build_store(data, tmp_path / "s.duckdb")
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    bron = con.execute("SELECT bron FROM observaties WHERE indicator = 'grijze_druk' AND waarde = 12").fetchone()[0]
    con.close()
    assert bron == "Fryslân, CBS"


def test_utf8_with_byte_order_mark_is_read(data, tmp_path):
    path = write_obs(data, GOOD)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert build_store(data, tmp_path / "s.duckdb")["observaties"] == len(GOOD) + 3


def test_semicolon_csv_from_dutch_excel_is_read(data, tmp_path):
    write_obs(data, [line.replace(",", ";") for line in GOOD], header=HEADER.replace(",", ";"))
    assert build_store(data, tmp_path / "s.duckdb")["observaties"] == len(GOOD) + 3


def test_gemeenten_and_inwoners_files_are_checked_too(data, tmp_path):
    (data / "gemeenten.csv").write_text("code,naam,provincie\nGM0505,Dordrecht,Zuid-Holland\nGM0505,Dordrecht,Zuid-Holland\n"
                                        "GM164,Hengelo,Twente\n", encoding="utf-8")
    found, text = problems(data, tmp_path / "s.duckdb")
    where = {(p.row, p.column) for p in found}
    assert {(3, "code"), (4, "code"), (4, "provincie")} <= where
    (data / "gemeenten.csv").write_text("code,naam,provincie\nGM0505,Dordrecht,Zuid-Holland\nGM0164,Hengelo,Overijssel\n"
                                        "GM0088,Schiermonnikoog,Fryslân\n", encoding="utf-8")
    (data / "inwoners.csv").write_text("gemeente,jaar,inwoners,bron\nGM0505,2024,121.434,CBS\n", encoding="utf-8")
    found, text = problems(data, tmp_path / "s.duckdb")
    assert (found[0].file, found[0].row, found[0].column) == ("data/inwoners.csv", 2, "inwoners")


def test_parquet_observations_use_the_same_contract(data, tmp_path):
    (data / "observaties" / "eigen.csv").unlink()
    frame = pd.DataFrame({"gemeente": ["GM0505", "GM0505"], "periode": ["2023-H2", "2023-H5"], "indicator": ["wmo_clienten"] * 2,
                          "waarde": [9787.0, 10.0], "bron": ["CBS"] * 2, "status": ["definitief"] * 2})
    frame.to_parquet(data / "observaties" / "eigen.parquet")
    found, text = problems(data, tmp_path / "s.duckdb")
    assert (found[0].file, found[0].row, found[0].column) == ("data/observaties/eigen.parquet", 2, "periode")


def test_failed_ingest_leaves_the_store_exactly_as_before(data, tmp_path):
    store = tmp_path / "s.duckdb"
    build_store(data, store)
    before = store.read_bytes()
    write_obs(data, GOOD + ["GM0505,2023-H3,wmo_clienten,,,,,,,,10,CBS,definitief"])
    with pytest.raises(ContractError):
        ensure_store(data, store)
    assert store.read_bytes() == before
    # No temp files left; beside the store only the validated copies of the (unchanged) good files.
    assert sorted(p.name for p in tmp_path.iterdir()) == [VALIDATED, "data", "s.duckdb"]
    assert not [p for p in (tmp_path / VALIDATED).iterdir() if not p.name.endswith(".parquet")]


def test_store_rebuilds_only_when_a_data_file_changed(data, tmp_path):
    store = tmp_path / "s.duckdb"
    assert ensure_store(data, store) is True
    assert ensure_store(data, store) is False
    write_obs(data, GOOD[:-1])
    assert ensure_store(data, store) is True


def test_many_errors_are_all_reported_with_a_cap(data, tmp_path):
    write_obs(data, [f"GM9{i:03d},2023-H2,wmo_clienten,,,,,,,,10,CBS,definitief" for i in range(40)])
    found, text = problems(data, tmp_path / "s.duckdb")
    assert len(found) == 40
    assert "... en nog 15 problemen" in text


def test_row_with_too_many_fields_is_a_contract_error(data, tmp_path):
    write_obs(data, GOOD + ["GM0505,2022-H2,grijze_druk,,,,,,,,12,5,CBS,definitief"])
    found, text = problems(data, tmp_path / "s.duckdb")
    assert (found[0].file, found[0].row) == ("data/observaties/eigen.csv", 7)
    assert "decimaalteken" in text


def test_blank_lines_do_not_shift_row_numbers(data, tmp_path):
    write_obs(data, [GOOD[0], "", GOOD[1], "GM0505,2023-H3,wmo_clienten,,,,,,,,10,CBS,definitief"])
    found, _ = problems(data, tmp_path / "s.duckdb")
    assert (found[0].row, found[0].column) == (5, "periode")
