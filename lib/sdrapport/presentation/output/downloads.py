"""Data downloads of a report for readers: one Excel workbook with every table and figure, and
reader-facing link texts for the workbook and the CSVs.

The CSVs in <report>/data/ stay machine-readable (UTF-8, comma separator, decimal point; written by
report.write_csv). The workbook is made from those CSVs after every notebook of the report
succeeded: a first sheet "Over deze cijfers" (gemeente, periode, rapport, sources, code version,
legend, contents) and a sheet per CSV with a bold, frozen header row, fitted column widths, and
numbers stored as numbers with a thousands-separator format and the decimals of the data, so Excel
shows them in the reader's own notation (a Dutch Excel: 1.234,5). '?' (onbekend) and '-' (niet
publiceerbaar) stay text. The same inputs give the same bytes: the document's created/modified
dates are fixed and XlsxWriter writes the zip members with a fixed timestamp.

Titles come from the executed notebooks beside the data: a table's output metadata carries its CSV
and caption (`csv`, `tbl-cap`); a figure's carries its caption (`fig-cap`), and its CSV is the
`naam="..."` argument of the call in the cell. A CSV that no cell describes gets a label made from
its file name.
"""
from __future__ import annotations

import ast
import csv
import io
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import nbformat

from sdrapport.indicators.disclosure import afronding_zin
from sdrapport.indicators.lineage import herkomst_tekst
from sdrapport.periods import Period
from sdrapport.presentation.report import META_KEY
from sdrapport.manifest import MANIFEST, read_manifest
from sdrapport.presentation.elements.figure_table import (GEMEENTE, MARKERS, NUMBER, PERIODE, decimals_of, is_period_code,
                                                           numeric_columns, read_csv)

WORKBOOK_LABEL = "Alle cijfers in Excel (.xlsx)"
ABOUT_SHEET = "Over deze cijfers"
# Document properties: a fixed date instead of "now", so a rebuild gives the same bytes.
FIXED_DATE = datetime(2000, 1, 1, tzinfo=timezone.utc)
SHEET_NAME_MAX = 31
SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
WIDTH_MIN, WIDTH_MAX = 8, 60


@dataclass(frozen=True)
class Download:
    """A CSV download with what the page says about it."""

    csv: str  # 'data/<naam>.csv', relative to the report folder
    titel: str
    toelichting: str = ""  # the rest of the caption: who, unit, notes
    bron: str = ""  # 'Bron: ... | periode'
    soort: str = ""  # 'tabel', 'figuur' or '' (no cell describes it)
    herkomst: tuple = ()  # lineage of its values (indicators.lineage.Herkomst.as_dict), from the output metadata

    @property
    def perioden(self) -> tuple[str, ...]:
        """The period codes of its values, oldest first (from the lineage)."""
        codes = {c for h in self.herkomst for c in h.get("perioden", ())}
        return tuple(p.code for p in sorted(Period.parse(c) for c in codes))


# -- what the notebooks say about each CSV ----------------------------------------------------------

def _manifest(report_dir: Path) -> dict:
    return read_manifest(report_dir) or {}


def _notebooks(report_dir: Path, manifest: dict) -> list[Path]:
    """The executed notebooks in report order (the profile's), else by name."""
    names = (manifest.get("profile") or {}).get("notebooks")
    if names:
        return [report_dir / n for n in names if (report_dir / n).is_file()]
    return sorted(p for p in report_dir.glob("*.ipynb") if not p.name.startswith(".") and ".mislukt." not in p.name)


def _call_arguments(source: str) -> list[dict[str, str]]:
    """The literal `naam=` and `titel=` arguments of each call in a cell's source."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            args = {k.arg: k.value.value for k in node.keywords
                    if k.arg in ("naam", "titel") and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)}
            if "naam" in args:
                found.append(args)
    return found


def _plain(caption: str) -> str:
    """The caption as readers see it: Markdown escapes and the bold around the title removed."""
    return re.sub(r"\\(.)", r"\1", caption.replace("**", ""))


def _split_caption(caption: str, titel: str | None) -> tuple[str, str]:
    """(title, rest) of a caption 'Titel. Ondertitel...': the title as passed in the cell when the
    caption starts with it, else the text before the first '. '."""
    caption = _plain(caption)
    if titel and caption.startswith(titel.rstrip(".")):
        head = titel.rstrip(".")
        return head, caption[len(head):].lstrip(". ").strip()
    head, _, rest = caption.partition(". ")
    return head.rstrip("."), rest.strip()


def _split_source(text: str) -> tuple[str, str]:
    """(text, source line) of a figure caption's rest, which ends with 'Bron: ...'."""
    at = text.rfind("Bron:")
    if at < 0:
        return text.rstrip(" ."), ""
    return text[:at].rstrip(" ."), text[at:].strip()


def _table_source(output) -> str:
    bron = ((output.get("metadata") or {}).get(META_KEY) or {}).get("bron")
    if bron:
        return bron
    markdown = (output.get("data") or {}).get("text/markdown", "")
    if isinstance(markdown, list):
        markdown = "".join(markdown)
    lines = [ln.strip() for ln in markdown.splitlines() if ln.strip()]
    return lines[-1] if lines and lines[-1].startswith("Bron") else ""


def _described(report_dir: Path, manifest: dict) -> dict[str, Download]:
    """Per CSV ('data/<naam>.csv') its title, rest of the caption and source, in report order. A
    later cell writing the same CSV wrote the file last, so its description wins."""
    found: dict[str, Download] = {}
    for path in _notebooks(report_dir, manifest):
        try:
            nb = nbformat.read(path, as_version=4)
        except (OSError, ValueError):
            continue
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            calls = _call_arguments(cell.source)
            for output in cell.get("outputs", []):
                meta = (output.get("metadata") or {}).get(META_KEY) or {}
                if meta.get("csv") and meta.get("tbl-cap"):
                    naam = Path(meta["csv"]).stem
                    titel = next((c.get("titel") for c in calls if c["naam"] == naam), None)
                    head, rest = _split_caption(meta["tbl-cap"], titel)
                    found.pop(meta["csv"], None)
                    found[meta["csv"]] = Download(meta["csv"], head, rest, _table_source(output), "tabel",
                                                  tuple(meta.get("herkomst") or ()))
                elif meta.get("fig-cap"):
                    for call in calls:
                        head, rest = _split_caption(meta["fig-cap"], call.get("titel"))
                        rest, bron = _split_source(rest)
                        key = f"data/{call['naam']}.csv"
                        found.pop(key, None)
                        found[key] = Download(key, head, rest, bron, "figuur", tuple(meta.get("herkomst") or ()))
    return found


def _label_from_name(stem: str) -> str:
    text = stem.replace("-", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def describe(report_dir: Path, manifest: dict | None = None) -> list[Download]:
    """Every CSV download of a report, in the order the report shows them (CSVs that no cell
    describes last, by name), with its title, caption and source."""
    report_dir = Path(report_dir)
    manifest = _manifest(report_dir) if manifest is None else manifest
    present = {f"data/{p.name}" for p in (report_dir / "data").glob("*.csv")}
    described = _described(report_dir, manifest)
    ordered = [d for key, d in described.items() if key in present]
    ordered += [Download(key, _label_from_name(Path(key).stem)) for key in sorted(present - described.keys())]
    return ordered


def workbook_path(report_dir: Path, manifest: dict | None = None) -> Path:
    """<report>/data/<gemeente>-<periode>-<rapport>.xlsx, e.g. data/GM0505-2023-H2-monitor.xlsx."""
    report_dir = Path(report_dir)
    manifest = _manifest(report_dir) if manifest is None else manifest
    p = manifest.get("parameters") or {}
    parts = [p.get("gemeente"), p.get("periode"), p.get("rapport")]
    if not all(parts):
        raise ValueError(f"{report_dir / MANIFEST}: parameters gemeente, periode en rapport ontbreken")
    return report_dir / "data" / f"{'-'.join(parts)}.xlsx"


def download_links(report_dir: Path) -> list[tuple[str, str]]:
    """Reader-facing (Dutch link text, path relative to the report folder) for the downloads: the
    workbook first (when it exists), then each CSV in report order, labelled by its title."""
    report_dir = Path(report_dir)
    manifest = _manifest(report_dir)
    links: list[tuple[str, str]] = []
    try:
        book = workbook_path(report_dir, manifest)
    except ValueError:
        book = next(iter(sorted((report_dir / "data").glob("*.xlsx"))), None)
    if book is not None and book.is_file():
        links.append((WORKBOOK_LABEL, book.relative_to(report_dir).as_posix()))
    downloads = describe(report_dir, manifest)
    titles = [d.titel for d in downloads]
    for d in downloads:
        # A figure and a table with one title: say which is which.
        kind = f"{d.soort or Path(d.csv).stem}, " if titles.count(d.titel) > 1 else ""
        links.append((f"{d.titel} ({kind}CSV)", d.csv))
    return links


# -- gemeente and period on every row ---------------------------------------------------------------

def label_rows(report_dir: Path, manifest: dict | None = None) -> list[Path]:
    """Give every row of every CSV download the gemeente code and the period of its values, so a
    download opened beside another can be told apart: a first column `gemeente`, and a column
    `periode` with the period codes of the values (their lineage; the report period for an
    element without catalogue values), unless the CSV already names its periods (a `periode` or
    `jaar` column, periods as column headers, or a '<kolom> periode' column per column). Idempotent;
    returns the files rewritten."""
    report_dir = Path(report_dir)
    manifest = _manifest(report_dir) if manifest is None else manifest
    p = manifest.get("parameters") or {}
    gemeente, report_period = p.get("gemeente"), p.get("periode")
    if not gemeente:
        return []
    written = []
    for d in describe(report_dir, manifest):
        path = report_dir / d.csv
        rows = read_csv(path)
        if not rows:
            continue
        header, body = rows[0], rows[1:]
        names = {h.strip().lower() for h in header}
        has_periods = bool(names & {PERIODE, "jaar"}) or any(is_period_code(h) for h in header) \
            or any(h.endswith(f" {PERIODE}") for h in header)
        if GEMEENTE in names and has_periods:
            continue  # already labelled (or a table of several gemeenten, each row naming its own)
        if GEMEENTE not in names:
            header = [GEMEENTE, *header]
            body = [[gemeente, *row] for row in body]
        if not has_periods:
            codes = ", ".join(d.perioden) or str(report_period or "")
            header.insert(1, PERIODE)
            body = [[row[0], codes, *row[1:]] for row in body]
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerows([header, *body])
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        tmp.write_text(buf.getvalue(), encoding="utf-8")
        os.replace(tmp, path)
        written.append(path)
    return written


# -- the workbook -----------------------------------------------------------------------------------

def sheet_names(stems: list[str], reserved: tuple[str, ...] = (ABOUT_SHEET,)) -> list[str]:
    """Excel-safe, unique sheet names from CSV stems: at most 31 characters, none of []:*?/\\, no
    leading or trailing apostrophe, unique regardless of case (as Excel compares them)."""
    taken = {r.casefold() for r in (*reserved, "History")}  # 'History' is reserved by Excel
    names = []
    for stem in stems:
        base = SHEET_NAME_BAD.sub("_", stem).strip("'").strip() or "blad"
        name, n = base[:SHEET_NAME_MAX], 1
        while name.casefold() in taken:
            n += 1
            suffix = f"~{n}"
            name = base[:SHEET_NAME_MAX - len(suffix)] + suffix
        taken.add(name.casefold())
        names.append(name)
    return names


def _number_format(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _shown_width(text: str, decimals: int | None = None) -> int:
    """Characters the cell shows: a number with its thousands separators and decimals."""
    if decimals is not None:
        return len(f"{float(text):,.{decimals}f}")
    return max((len(line) for line in text.splitlines()), default=0)


class _Formats:
    """XlsxWriter formats, made once per workbook."""

    def __init__(self, book) -> None:
        self.book = book
        self.header = book.add_format({"bold": True, "bottom": 1})
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.bold = book.add_format({"bold": True})
        self.marker = book.add_format({"align": "right"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.link = book.add_format({"font_color": "blue", "underline": 1})
        self._numbers: dict[int, object] = {}

    def number(self, decimals: int):
        if decimals not in self._numbers:
            self._numbers[decimals] = self.book.add_format({"num_format": _number_format(decimals)})
        return self._numbers[decimals]


def _write_data_sheet(sheet, header: list[str], rows: list[list[str]], fmt: _Formats) -> None:
    numeric = numeric_columns(header, rows)
    widths = [_shown_width(h) + 2 for h in header]  # bold header: a little extra
    for c, name in enumerate(header):
        sheet.write_string(0, c, name, fmt.header)
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(row[:len(header)]):
            if text == "":
                continue
            if numeric[c] and NUMBER.fullmatch(text):
                d = decimals_of(text)
                sheet.write_number(r, c, int(text) if d == 0 else float(text), fmt.number(d))
                widths[c] = max(widths[c], _shown_width(text, d))
            else:  # write_string: text stays text, never a formula or a link
                sheet.write_string(r, c, text, fmt.marker if numeric[c] else None)
                widths[c] = max(widths[c], _shown_width(text))
    for c, w in enumerate(widths):
        wide = w + 1 > WIDTH_MAX
        sheet.set_column(c, c, min(max(w + 1, WIDTH_MIN), WIDTH_MAX), fmt.wrap if wide and not numeric[c] else None)
    sheet.freeze_panes(1, 0)


def _about_rows(manifest: dict, gemeentenaam: str | None, bronnen: list[str], afronding: str | None = None) -> list[tuple[str, str]]:
    p = manifest.get("parameters") or {}
    gemeente = f"{gemeentenaam} ({p.get('gemeente')})" if gemeentenaam else str(p.get("gemeente", ""))
    try:
        periode = f"{Period.parse(p['periode']).label} ({p['periode']})"
    except Exception:  # noqa: BLE001 - an odd period code is shown as given
        periode = str(p.get("periode", ""))
    profile = manifest.get("profile") or {}
    rapport = f"{profile['titel']} ({p.get('rapport')})" if profile.get("titel") else str(p.get("rapport", ""))
    stand = f"vingerafdruk {str(manifest.get('data_fingerprint', ''))[:12]}"
    if (manifest.get("batch") or {}).get("laatste_periode"):
        stand += f", cijfers tot en met {manifest['batch']['laatste_periode']}"
    return [
        ("Gemeente", gemeente),
        ("Periode", periode),
        ("Rapport", rapport),
        ("Bronnen", "; ".join(bronnen) if bronnen else "zie per blad hieronder"),
        ("Code", f"sdrapport {manifest.get('code_version', '')}".strip()),
        ("Gegevensstand", stand),
        ("Afronding", afronding or "Absolute aantallen zijn afgerond volgens de CBS-regel (0-4 wordt 0, 5-9 wordt 10, overige op "
                      "vijftallen); relatieve cijfers zijn berekend uit de afgeronde aantallen."),
        ("Getallen", "Getallen staan als getal in de cellen; Excel toont ze met de scheidingstekens van uw eigen "
                     "instellingen (in het Nederlands: 1.234,5). De CSV-bestanden in dezelfde map zijn bedoeld voor "
                     "software: UTF-8, komma als scheidingsteken, punt als decimaalteken."),
    ]


def _write_about(sheet, manifest: dict, gemeentenaam: str | None, bronnen: list[str], afronding: str | None,
                 contents: list[tuple[str, Download]], fmt: _Formats) -> None:
    sheet.write_string(0, 0, ABOUT_SHEET, fmt.title)
    row = 2
    for key, value in _about_rows(manifest, gemeentenaam, bronnen, afronding):
        sheet.write_string(row, 0, key, fmt.bold)
        sheet.write_string(row, 1, value, fmt.wrap)
        row += 1
    row += 1
    sheet.write_string(row, 0, "Tekens", fmt.bold)
    for marker, meaning in MARKERS.items():
        sheet.write_string(row, 1, f'"{marker}" {meaning}')
        row += 1
    sheet.write_string(row, 1, "Zulke waarden zijn nooit 0; ze staan als tekst in de cellen.")
    row += 1
    row += 1
    sheet.write_string(row, 0, "Inhoud", fmt.bold)
    row += 1
    columns = ("Blad", "Titel", "Toelichting", "Bron", "CSV-bestand", "Perioden van de cijfers", "Herkomst")
    for c, name in enumerate(columns):
        sheet.write_string(row, c, name, fmt.header)
    for name, d in contents:
        row += 1
        sheet.write_url(row, 0, f"internal:'{name}'!A1", fmt.link, string=name)
        cells = (d.titel, d.toelichting, d.bron, Path(d.csv).name, ", ".join(d.perioden), herkomst_tekst(d.herkomst))
        for c, text in enumerate(cells, start=1):
            sheet.write_string(row, c, text, fmt.wrap)
    widths = [max([len(ABOUT_SHEET), len("Gegevensstand")] + [len(n) for n, _ in contents]) + 2, 50, 50, 45, 30, 25, 60]
    for c, w in enumerate(widths):
        sheet.set_column(c, c, min(w, WIDTH_MAX))


def workbook_bytes(report_dir: Path, manifest: dict | None = None, *, gemeentenaam: str | None = None,
                   bronnen: list[str] | None = None, afronding: str | None = None) -> bytes:
    """The workbook of a report's CSVs as bytes (see the module docstring). `afronding`: the
    rounding and suppression in force for this gemeente (disclosure.afronding_tekst)."""
    import xlsxwriter

    report_dir = Path(report_dir)
    manifest = _manifest(report_dir) if manifest is None else manifest
    downloads = describe(report_dir, manifest)
    names = sheet_names([Path(d.csv).stem for d in downloads])
    if bronnen is None:  # the sources named under the tables and figures, without their periods
        bronnen = sorted({part.strip() for d in downloads
                          for part in d.bron.removeprefix("Bron:").split("|")[0].split(";")} - {""})
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})  # in memory: zip members get a fixed date
    p = manifest.get("parameters") or {}
    book.set_properties({
        "title": f"Cijfers {(manifest.get('profile') or {}).get('titel', p.get('rapport', ''))} "
                 f"{gemeentenaam or p.get('gemeente', '')} {p.get('periode', '')}".strip(),
        "author": "sdrapport",
        "created": FIXED_DATE,
    })
    fmt = _Formats(book)
    about = book.add_worksheet(ABOUT_SHEET)
    _write_about(about, manifest, gemeentenaam, bronnen, afronding, list(zip(names, downloads)), fmt)
    for name, d in zip(names, downloads):
        rows = read_csv(report_dir / d.csv)
        header, body = (rows[0], rows[1:]) if rows else ([], [])
        _write_data_sheet(book.add_worksheet(name), header, body, fmt)
    book.close()
    return buf.getvalue()


def write_workbook(report_dir: Path, manifest: dict | None = None) -> Path:
    """Write <report>/data/<gemeente>-<periode>-<rapport>.xlsx from the report's CSVs and return
    its path. `manifest` is the report's run.json (read when not given); the gemeente's name and
    sources come from its `pagina` facts, as the page shows them. The file is replaced atomically,
    and not rewritten when its bytes are unchanged."""
    report_dir = Path(report_dir)
    manifest = _manifest(report_dir) if manifest is None else manifest
    facts = manifest.get("pagina") or {}
    gemeentenaam, bronnen = facts.get("naam"), facts.get("bronnen")
    afronding = afronding_zin(facts.get("registraties")) + "." if facts else None
    data = workbook_bytes(report_dir, manifest, gemeentenaam=gemeentenaam, bronnen=bronnen, afronding=afronding)
    path = workbook_path(report_dir, manifest)
    if path.is_file() and path.read_bytes() == data:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def remove_workbook(report_dir: Path) -> None:
    """Remove the workbook of a report whose notebooks did not all succeed (its CSVs may be a mix
    of old and new figures), as the runner removes the page."""
    for path in Path(report_dir).glob("data/*.xlsx"):
        path.unlink(missing_ok=True)


__all__ = ["Download", "describe", "download_links", "label_rows", "remove_workbook", "sheet_names", "workbook_bytes",
           "workbook_path", "write_workbook"]
