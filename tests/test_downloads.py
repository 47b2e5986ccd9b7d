"""The reader downloads: the Excel workbook the runner writes beside the CSVs, and the link texts.

Read back with openpyxl, as another program would: sheets, header, numbers stored as numbers with
a thousands-separator format and the data's decimals, '?' and '-' kept as text, the same bytes on
every rewrite."""
from __future__ import annotations

import csv
import json

import openpyxl
import pytest

from sdrapport.presentation.output.downloads import (ABOUT_SHEET, WORKBOOK_LABEL, download_links, remove_workbook, sheet_names,
                                 workbook_bytes, workbook_path, write_workbook)

MANIFEST = {
    "parameters": {"gemeente": "GM0505", "periode": "2023-H2", "rapport": "monitor"},
    "code_version": "0.1.0+gabcdef1234",
    "data_fingerprint": "0123456789abcdef" * 4,
    "profile": {"naam": "monitor", "titel": "Monitor sociaal domein", "notebooks": []},
}


def _csv_rows(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _values(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture(scope="module")
def monitor(built):
    """The demo monitor (GM0505, 2023-H2) as the real runner built it, and its workbook."""
    project, result = built
    outdir = result.outdir
    path = outdir / "data" / "GM0505-2023-H2-monitor.xlsx"
    return outdir, path, openpyxl.load_workbook(path)


def test_runner_writes_one_workbook_with_a_sheet_per_download(monitor):
    outdir, path, book = monitor
    assert path == workbook_path(outdir)
    stems = [p.stem for p in sorted((outdir / "data").glob("*.csv"))]
    assert len(stems) > 30
    assert book.sheetnames[0] == ABOUT_SHEET
    assert sorted(book.sheetnames[1:]) == sorted(stems)  # the demo's CSV names are short and Excel-safe
    assert book.sheetnames[1:4] == ["kerncijfers", "leeftijd", "huishoudens"]  # in the order of the report


def test_about_sheet_names_gemeente_period_report_sources_code_and_legend(monitor):
    outdir, _, book = monitor
    manifest = json.loads((outdir / "run.json").read_text(encoding="utf-8"))
    rows = {r[0]: r[1] for r in _values(book[ABOUT_SHEET]) if r[0]}
    assert rows["Gemeente"] == "Dordrecht (GM0505)"
    assert rows["Periode"] == "tweede halfjaar 2023 (2023-H2)"
    assert rows["Rapport"] == "Monitor sociaal domein (monitor)"
    assert "Demodata" in rows["Bronnen"]
    assert rows["Code"] == f"sdrapport {manifest['code_version']}"
    text = " ".join(str(v) for r in _values(book[ABOUT_SHEET]) for v in r if v)
    assert '"?" onbekend' in text and '"-" niet publiceerbaar' in text
    assert "UTF-8, komma als scheidingsteken, punt als decimaalteken" in text
    contents = {r[0]: r for r in _values(book[ABOUT_SHEET]) if r[0] in book.sheetnames[1:]}
    # Contents: sheet, title, rest of the caption, source line, CSV; for a figure and for a table.
    blad, titel, toelichting, bron, bestand = contents["leeftijd"][:5]
    assert (titel, toelichting, bestand) == ("Inwoners naar leeftijd", "Dordrecht en referentiegroep, %", "leeftijd.csv")
    assert bron.startswith("Bron: ") and "|" in bron
    assert contents["kerncijfers"][1] == "Kerncijfers bevolking" and contents["kerncijfers"][3].startswith("Bron: ")
    link = book[ABOUT_SHEET].cell(row=next(i for i, r in enumerate(_values(book[ABOUT_SHEET]), 1) if r[0] == "wmo-uitgaven"),
                                  column=1)
    assert link.hyperlink.location == "'wmo-uitgaven'!A1"
    assert book.properties.created == book.properties.modified  # fixed, not the time of writing


def test_data_sheets_hold_numbers_as_numbers_and_markers_as_text(monitor):
    _, _, book = monitor
    sheet = book["kerncijfers"]
    assert [c.value for c in sheet[1]] == ["gemeente", "indicator", "waarde", "referentiegroep", "eenheid", "periode"]
    assert all(c.font.b for c in sheet[1]) and sheet.freeze_panes == "A2"
    inwoners = {c.column_letter: c for c in sheet[2]}
    assert inwoners["A"].value == "GM0505" and inwoners["A"].data_type == "s"
    assert inwoners["B"].value == "inwoners"
    assert inwoners["C"].value == 122070 and inwoners["C"].data_type == "n" and inwoners["C"].number_format == "#,##0"
    assert inwoners["D"].value == "?" and inwoners["D"].data_type == "s"
    assert inwoners["F"].value == "2024" and inwoners["F"].data_type == "s"  # a period, not 2.024
    grootte = {c.column_letter: c for c in sheet[4]}
    assert grootte["B"].value == "huishoudensgrootte"
    assert grootte["C"].value == pytest.approx(122070 / 57353, abs=1e-6) and grootte["C"].number_format == "#,##0.000000"
    assert {c.column_letter: c for c in sheet[5]}["C"].number_format == "#,##0.0"  # 33.6
    # (Hengelo delivers its own Iv3 figures, so the demo has none for any gemeente (issue 23): Dordrecht's
    # monitor has no taakveld sheet; test_workbook_from_a_folder_of_csvs keeps codes as text.)
    uitgaven = book["wmo-uitgaven"]  # gemeente, hoofdcategorie, then each column with its period
    assert uitgaven["B2"].value == "Ondersteuning thuis" and uitgaven["B2"].data_type == "s"
    assert isinstance(uitgaven["C2"].value, int) and uitgaven["C2"].number_format == "#,##0"
    assert uitgaven["D2"].value == "2023" and uitgaven["D2"].data_type == "s"  # the period of the column, not 2.023
    # Widths fitted to the content: the label column is wider than the default, never absurdly wide.
    widths = [uitgaven.column_dimensions[c].width for c in "ABCDEF"]
    assert all(8 <= w <= 61 for w in widths) and widths[1] > 8
    assert book["wmo-productcategorie"].column_dimensions["C"].width > len("Hulp bij het huishouden")


def test_every_sheet_matches_its_csv_cell_for_cell(monitor):
    outdir, _, book = monitor
    for name in book.sheetnames[1:]:
        rows = _csv_rows(outdir / "data" / f"{name}.csv")
        sheet = _values(book[name])
        assert len(sheet) == len(rows), name
        for csv_row, xl_row in zip(rows, sheet):
            for text, value in zip(csv_row, xl_row):
                if text == "":
                    assert value is None
                elif isinstance(value, (int, float)):
                    assert value == pytest.approx(float(text)) and text not in ("?", "-"), (name, text)
                else:
                    assert value == text, (name, text)


def test_rewrite_gives_the_same_bytes(monitor):
    outdir, path, _ = monitor
    first = path.read_bytes()
    path.unlink()
    assert write_workbook(outdir) == path  # names and sources from run.json, as the runner wrote it
    assert path.read_bytes() == first
    assert workbook_bytes(outdir) == workbook_bytes(outdir)


def test_download_links_label_every_csv_by_its_title(monitor):
    outdir, _, _ = monitor
    links = download_links(outdir)
    assert links[0] == (WORKBOOK_LABEL, "data/GM0505-2023-H2-monitor.xlsx")
    paths = [p for _, p in links[1:]]
    assert sorted(paths) == sorted(f"data/{p.name}" for p in (outdir / "data").glob("*.csv"))
    labels = {p: label for label, p in links}
    assert labels["data/kerncijfers.csv"] == "Kerncijfers bevolking (CSV)"  # a table
    assert labels["data/leeftijd.csv"] == "Inwoners naar leeftijd (CSV)"  # a figure
    assert labels["data/wmo-hoofdcategorie.csv"] == "Unieke cliënten per hoofdcategorie (CSV)"  # the table wrote it last
    assert len(set(labels.values())) == len(labels)
    assert all(not label.startswith(p.split("/")[1].removesuffix(".csv")) for p, label in labels.items())


# -- a small folder of CSVs, without notebooks ------------------------------------------------------

def _folder(tmp_path):
    report = tmp_path / "rapport"
    (report / "data").mkdir(parents=True)
    (report / "data" / "reeks.csv").write_text(
        "periode,Gemeente A,Referentiegroep\n2022,1234,1234.5\n2023,?,-\n2024,,0.25\n", encoding="utf-8")
    (report / "data" / "codes.csv").write_text(
        "code,omschrijving,aantal,postcode\nA,Eerste,-7,0123\nB,\"Tweede, met komma\",1000000,1234\n", encoding="utf-8")
    (report / "data" / "een-heel-lange-naam-voor-een-tabel-met-cijfers-1.csv").write_text("a,b\nx,1\n", encoding="utf-8")
    (report / "data" / "een-heel-lange-naam-voor-een-tabel-met-cijfers-2.csv").write_text("a,b\ny,2\n", encoding="utf-8")
    (report / "run.json").write_text(json.dumps(MANIFEST), encoding="utf-8")
    return report


def test_workbook_from_a_folder_of_csvs(tmp_path):
    report = _folder(tmp_path)
    path = write_workbook(report)
    assert path == report / "data" / "GM0505-2023-H2-monitor.xlsx"
    book = openpyxl.load_workbook(path)
    assert len(book.sheetnames) == 5 and all(len(n) <= 31 for n in book.sheetnames)
    assert len({n.casefold() for n in book.sheetnames}) == 5
    reeks = book["reeks"]
    assert _values(reeks) == [["periode", "Gemeente A", "Referentiegroep"], ["2022", 1234, 1234.5], ["2023", "?", "-"],
                              ["2024", None, 0.25]]
    assert [reeks["B2"].number_format, reeks["C2"].number_format, reeks["C4"].number_format] == ["#,##0", "#,##0.0", "#,##0.00"]
    assert reeks["B3"].data_type == "s" and reeks["C3"].data_type == "s"
    codes = book["codes"]
    # A column with a text cell stays text; a number with a leading zero is a code, not 123.
    assert _values(codes)[1:] == [["A", "Eerste", -7, "0123"], ["B", "Tweede, met komma", 1000000, "1234"]]
    about = {r[0]: r[1] for r in _values(book[ABOUT_SHEET]) if r[0]}
    assert about["Gemeente"] == "GM0505" and about["Code"] == "sdrapport 0.1.0+gabcdef1234"
    assert about["Gegevensstand"] == "vingerafdruk 0123456789ab"

    before = path.stat().st_mtime_ns
    assert write_workbook(report).read_bytes() == path.read_bytes() and path.stat().st_mtime_ns == before
    path.unlink()
    first = workbook_bytes(report)
    assert write_workbook(report).read_bytes() == first

    links = download_links(report)
    assert links[0] == (WORKBOOK_LABEL, "data/GM0505-2023-H2-monitor.xlsx")
    assert ("Reeks (CSV)", "data/reeks.csv") in links and len(links) == 5  # no notebook: a label from the name

    remove_workbook(report)
    assert not path.exists() and download_links(report)[0][0] != WORKBOOK_LABEL


def test_sheet_names_are_excel_safe_short_and_unique():
    long = "x" * 40
    names = sheet_names([long, long, "a/b:c", "Over deze cijfers", "'quoted'", "History", "KPI", "kpi"])
    assert names[0] == "x" * 31 and names[1] == "x" * 29 + "~2"
    assert names[2] == "a_b_c" and names[3] == "Over deze cijfers~2" and names[4] == "quoted"
    assert names[5] == "History~2" and names[6] == "KPI" and names[7] == "kpi~2"
    assert all(len(n) <= 31 for n in names)
