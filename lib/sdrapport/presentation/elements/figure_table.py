"""The table under a figure: its CSV download as an accessible HTML table in a native <details>
element ("Tabel bij deze figuur"), and the reading of a download's cells that the workbook shares.

The figure's Rapport.figuur puts it under the chart on the site and in the HTML report; the PDF
leaves it out (the download and the report's tables hold the numbers there)."""
from __future__ import annotations

import csv
import re
from pathlib import Path

from sdrapport.periods import Period
from sdrapport.presentation.text import formatting

# The legend, worded as on the method page.
MARKERS = {"?": "onbekend of onvoldoende betrouwbaar",
           "-": "niet publiceerbaar: het cijfer zou herleidbaar zijn tot personen"}
TEXT_COLUMNS = {"gemeente", "periode", "jaar", "taakveld"}  # codes that look like numbers ('2024', '6.1')
GEMEENTE, PERIODE = "gemeente", "periode"  # the columns every download row carries
NUMBER = re.compile(r"-?(0|[1-9][0-9]{0,14})(\.[0-9]+)?")  # report.write_csv's plain notation


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def is_period_code(text: str) -> bool:
    try:
        Period.parse(text)
    except Exception:  # noqa: BLE001 - any header that is not a period code
        return False
    return bool(re.fullmatch(r"\d{4}(-[HQT]\d)?", text.strip()))


def numeric_columns(header: list[str], rows: list[list[str]]) -> list[bool]:
    """A column holds numbers when it is not the row label (the first column) or a code column,
    and every filled cell is a number, '?' or '-'; some cell must be a number."""
    numeric = []
    for i, name in enumerate(header):
        cells = [r[i] for r in rows if i < len(r) and r[i] != ""]
        numeric.append(i > 0 and name.strip().lower() not in TEXT_COLUMNS and not name.endswith(f" {PERIODE}")
                       and any(NUMBER.fullmatch(c) for c in cells)
                       and all(NUMBER.fullmatch(c) or c in MARKERS for c in cells))
    return numeric


def decimals_of(text: str) -> int:
    return len(text.partition(".")[2])


FIGUUR_TABEL = "Tabel bij deze figuur"


def _shown_cell(text: str, numeric: bool, decimals: int | None = None) -> str:
    """A CSV cell as the page shows it: a number in Dutch notation with the decimals the report
    shows it with (`decimals`, else those of the data), a period code as its label ('H2 2023'),
    '?' and '-' as they are."""
    if numeric and NUMBER.fullmatch(text):
        return formatting.getal(float(text), decimals_of(text) if decimals is None else min(decimals, decimals_of(text)))
    if is_period_code(text):
        return Period.parse(text).short_label
    return text


def figure_table(path: Path, titel: str, decimalen: dict[str, int] | None = None) -> str:
    """The figure's CSV download as an accessible HTML table (caption, th scope), the same numbers in
    Dutch notation, inside a native <details> element "Tabel bij deze figuur" (HTML only).

    `decimalen` gives the decimals of the units shown (catalogue.decimalen), per indicator id: a
    column named after an indicator gets its own, every other number column those of the figure's
    one unit (key ''); the download keeps the full precision, the table rounds as the figure's alt
    text and the report's tables do."""
    from sdrapport.presentation.elements.tables import Tabel

    rows = read_csv(Path(path))
    if not rows:
        return ""
    header, body = rows[0], rows[1:]
    numeric = numeric_columns(header, body)
    decimalen = decimalen or {}
    places = [decimalen.get(h, decimalen.get("")) for h in header]
    tabel = Tabel(kop=[_shown_cell(h, False) for h in header],
                  rijen=[[_shown_cell(c, numeric[j], places[j]) for j, c in enumerate(r)] for r in body],
                  titel=f"Gegevens: {titel}", numeriek=numeric)
    return (f'<details class="sd-figuurtabel"><summary>{FIGUUR_TABEL}</summary>'
            f"{tabel.html(bijschrift=f'Gegevens bij de figuur: {titel}')}</details>")
