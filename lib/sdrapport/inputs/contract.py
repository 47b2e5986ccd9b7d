"""The data contract (docs/data-contract.md): reading and validating the input files.

Every file is read as text first, so that a bad cell can be reported with the text the user typed.
Checks run through pandera; each failure becomes a Problem naming file, row and column with a Dutch
message saying what is expected. Rows are numbered as a spreadsheet shows them: in a CSV the header
is row 1 and the first data row is row 2; in a Parquet file the first row is row 1.
"""
from __future__ import annotations

import csv
import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow.parquet as pq

from sdrapport.inputs.catalogue import Catalogue
from sdrapport.errors import ContractError, Problem
from sdrapport.periods import PERIOD_FORMATS, Period, PeriodError

GEMEENTE_CODE = re.compile(r"^GM\d{4}$")
PROVINCIES = (
    "Groningen", "Fryslân", "Drenthe", "Overijssel", "Flevoland", "Gelderland", "Utrecht",
    "Noord-Holland", "Zuid-Holland", "Zeeland", "Noord-Brabant", "Limburg",
)
STATUSSEN = ("voorlopig", "definitief")
ONBEKEND, GEHEIM = "?", "-"
THOUSANDS = r"-?\d{1,3}\.\d{3}"  # 1.234: a point as thousands separator (Dutch)? 1.234.567 is no number at all
# Size classes of the GMSD (waarstaatjegemeente.nl: <25.000 ... >300.000); lower bounds inclusive.
# Written in words: a label starting with '>' would turn into a block quote in markdown.
GROOTTEKLASSEN = (
    (0, "minder dan 25.000 inwoners"),
    (25_000, "25.000 - 50.000 inwoners"),
    (50_000, "50.000 - 100.000 inwoners"),
    (100_000, "100.000 - 300.000 inwoners"),
    (300_000, "meer dan 300.000 inwoners"),
)

GEMEENTEN_COLUMNS = ("code", "naam", "provincie")
GEMEENTEN_OPTIONAL = ("statnaam", "bron")  # the StatLine/KWB name where it differs; the source
HISTORIE_COLUMNS = ("code", "naam", "geldig_van", "geldig_tot", "opvolger")
INWONERS_COLUMNS = ("gemeente", "jaar", "inwoners", "bron")
OBSERVATIE_COLUMNS = ("gemeente", "periode", "indicator", "waarde", "bron", "status")

# Message per pandera check (its `error` key); {value} is the offending cell.
MESSAGES = {
    "leeg": "cel is leeg; vul een waarde in",
    "gm_formaat": "{value!r} is geen gemeentecode; verwacht GM gevolgd door 4 cijfers, bijvoorbeeld GM0505",
    "gm_onbekend": "onbekende gemeente {value!r}; voeg haar toe aan data/gemeenten.csv of corrigeer de code",
    "provincie": "{value!r} is geen provincie; kies uit " + ", ".join(PROVINCIES),
    "jaar": "{value!r} is geen jaartal; verwacht 4 cijfers, bijvoorbeeld 2024",
    "geheel_getal": "{value!r} is geen geheel getal van 0 of meer; verwacht bijvoorbeeld 121434 (zonder punten)",
    "periode": "{value!r} is geen geldige periode; verwacht " + PERIOD_FORMATS,
    "indicator_onbekend": "onbekende indicator {value!r}; zie data/indicatoren.yml voor de geldige id's",
    "indicator_afgeleid": "indicator {value!r} wordt berekend uit teller en noemer; lever die aan in plaats van deze",
    "indicator_inwoners": "inwoners horen in data/inwoners.csv (per leeftijd en geslacht: data/inwoners-doelgroep.csv), niet bij de observaties",
    "numeriek": "{value!r} is geen getal; verwacht een getal met een punt als decimaalteken en zonder "
    "duizendtalscheiding (1234.5), '?' voor onbekend of '-' voor niet publiceerbaar",
    "negatief": "{value!r}: een aantal kan niet negatief zijn",
    "status": "{value!r} is geen status; verwacht voorlopig of definitief",
    "dubbel": "dubbele sleutel {value}: deze combinatie komt al eerder voor; elke waarneming mag één keer voorkomen",
    "datum": "{value!r} is geen datum; verwacht JJJJ-MM-DD, bijvoorbeeld 2021-01-01, of laat de cel leeg",
}


@dataclass
class Table:
    """A file read as text, with the file name and the row numbers to report."""

    path: Path
    frame: pd.DataFrame  # all columns str; index = reported row number
    header_row: bool


def _display(path: Path, root: Path | None) -> str:
    try:
        return str(path.relative_to(root)) if root else str(path)
    except ValueError:
        return str(path)


# -- encodings and separators ------------------------------------------------------------------
ENCODINGS = {"auto": None, "utf-8": "utf-8-sig", "windows-1252": "cp1252"}
ENCODING_LABELS = {"utf-8-sig": "UTF-8", "cp1252": "Windows-1252"}
SEPARATORS = {"auto": None, ";": ";", ",": ",", "tab": "\t", "\t": "\t", "|": "|"}
SEPARATOR_LABELS = {";": "puntkomma", ",": "komma", "\t": "tab", "|": "verticale streep"}
NOT_UTF8 = ("bestand is geen UTF-8 en ook geen Windows-1252; sla het op als 'CSV UTF-8' (Excel) of met codering UTF-8")


@dataclass
class CsvOptions:
    """How to read a CSV or Parquet file that is not in the contract's own form (a case-system
    export through a mapping in params/bronnen/, export_mapping.py).

    encoding: 'auto' (UTF-8 with or without BOM, else Windows-1252, never a mix), 'utf-8' or
    'windows-1252'; separator: 'auto' (the most frequent of ; , tab | in the header) or one of them;
    columns: contract column -> its header in the file (matched without case); fixed: contract
    column -> one value for every row; extra: True ignores columns the contract does not know (they
    are listed in ReadInfo.ignored), False refuses them; source: the mapping file, named in messages."""

    encoding: str = "auto"
    separator: str = "auto"
    columns: dict[str, str] = field(default_factory=dict)
    fixed: dict[str, str] = field(default_factory=dict)
    extra: bool = False
    source: str | None = None


@dataclass
class ReadInfo:
    """What reading a file found: the encoding and separator used, the columns left out."""

    encoding: str = ""
    separator: str = ""
    ignored: list[str] = field(default_factory=list)
    rows: int = 0


def detect_encoding(path: Path, name: str, declared: str = "auto") -> str:
    """The Python codec of a text file: 'utf-8-sig' (UTF-8 with or without byte order mark) or
    'cp1252' (Windows-1252, what Dutch Excel writes with 'CSV (gescheiden door lijstscheidingsteken)').

    Detected, never guessed into mojibake: a file that is valid UTF-8 is UTF-8; a file that is not,
    and has no UTF-8 multi-byte character before its first invalid byte, is Windows-1252; a file
    that mixes both (or has bytes Windows-1252 does not define) is refused with the line of the first
    bad byte. A declared encoding is used as given (a file that is not in it is refused)."""
    import codecs

    codec = ENCODINGS.get(declared, "auto")
    if codec is None:
        codec = "utf-8-sig"
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        line, multibyte = 1, False
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                try:
                    text = decoder.decode(block)
                except UnicodeDecodeError as exc:
                    before = block[: exc.start]
                    multibyte = multibyte or any(b >= 0x80 for b in before)
                    if multibyte:
                        raise ContractError([Problem(name, line + before.count(b"\n"), None,
                                                     "bestand mengt UTF-8 met een andere codering (Windows-1252?); sla het "
                                                     "in één codering op, bij voorkeur als 'CSV UTF-8' (Excel)")]) from None
                    codec = "cp1252"
                    break
                multibyte = multibyte or not text.isascii()
                line += block.count(b"\n")
    where = _first_invalid_line(path, codec)
    if where is not None:
        if declared in ENCODINGS and declared != "auto":
            raise ContractError([Problem(name, where, None, f"bestand is geen {declared}, zoals de mapping zegt; "
                                         "controleer 'codering' of sla het bestand opnieuw op")])
        raise ContractError([Problem(name, where, None, NOT_UTF8)])
    return codec


def detect_separator(header: str, declared: str = "auto") -> str:
    """The separator: as declared, else the most frequent of ; , tab and | in the header line
    (comma when there is none)."""
    sep = SEPARATORS.get(declared)
    if sep:
        return sep
    counts = {s: header.count(s) for s in (";", ",", "\t", "|")}
    best = max(counts, key=lambda s: (counts[s], s == ","))
    return best if counts[best] else ","


def _first_line(path: Path, codec: str) -> str:
    with open(path, encoding=codec, newline="") as fh:
        return fh.readline().rstrip("\r\n")


def read_table(path: Path, required: tuple[str, ...], allowed: tuple[str, ...] | None, root: Path | None = None) -> Table:
    """Read a CSV (UTF-8 or Windows-1252; comma, semicolon or tab) or Parquet file as text, checking its shape."""
    name = _display(path, root)
    if not path.exists():
        raise ContractError([Problem(name, None, None, "bestand ontbreekt")])
    if path.stat().st_size == 0:
        raise ContractError([Problem(name, None, None, "bestand is leeg; verwacht een kopregel met " + ", ".join(required) + " en gegevensrijen")])
    if path.suffix.lower() == ".parquet":
        try:
            frame = pq.read_table(path).to_pandas()
        except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a broken file
            raise ContractError([Problem(name, None, None, f"geen leesbaar Parquet-bestand ({exc})")]) from None
        frame = frame.apply(lambda col: col.map(_cell_text)).astype(object)
        frame.index = range(1, len(frame) + 1)
        header_row = False
    else:
        codec = detect_encoding(path, name)
        sep = detect_separator(_first_line(path, codec))
        try:
            frame = _read_csv_text(path, sep, codec)
        except pd.errors.ParserError as exc:
            raise ContractError([_parser_problem(name, exc)]) from None
        header_row = True
    _check_columns(name, list(frame.columns), required, allowed, 1 if header_row else None)
    if frame.empty:
        raise ContractError([Problem(name, None, None, "bestand bevat geen gegevensrijen, alleen een kopregel")])
    if not header_row:
        for i in range(frame.shape[1]):
            frame.isetitem(i, _stripped(frame.iloc[:, i]))
    return Table(path, frame, header_row)


CSV_CHUNK_ROWS = 250_000


def _read_csv_text(path: Path, sep: str, codec: str) -> pd.DataFrame:
    """A CSV file as text: every column of object dtype holding Python strings stripped of
    surrounding spaces (NaN for a cell missing from a short row), indexed by the row number a
    spreadsheet shows (header row 1), blank lines left out.

    Read in chunks of CSV_CHUNK_ROWS rows, each column kept as codes into the file's distinct
    values, and made into strings at the end, one string object per distinct value shared by its
    cells: the national demo observations (2,3 million rows of some 28 columns) read whole and
    turned into a string object per cell (astype(object)) took gigabytes."""
    reader = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=False, encoding=codec,
                         chunksize=CSV_CHUNK_ROWS)
    header: list[str] | None = None
    codes: list[list[np.ndarray]] = []
    distinct: list[dict] = []  # per column: stripped value -> its position
    blank: list[np.ndarray] = []
    for chunk in reader:
        if header is None:
            header = [str(c).strip() for c in chunk.columns]
            codes, distinct = [[] for _ in header], [{} for _ in header]
        blank.append((chunk == "").all(axis=1).to_numpy(dtype=bool))  # as typed: a row of spaces is not blank
        for i in range(chunk.shape[1]):
            chunk_codes, values = pd.factorize(chunk.iloc[:, i], use_na_sentinel=False)
            known = distinct[i]
            where = np.fromiter((known.setdefault(v.strip() if isinstance(v, str) else v, len(known)) for v in values),
                                dtype=np.int32, count=len(values))
            codes[i].append(where[chunk_codes])
    if header is None:  # a header only
        frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=False, encoding=codec)
        frame.columns = [str(c).strip() for c in frame.columns]
        return frame.astype(object)
    dropped = np.concatenate(blank)
    # Row numbers as a spreadsheet shows them: header is row 1; blank lines count but are dropped.
    frame = pd.DataFrame(index=pd.RangeIndex(2, len(dropped) + 2))
    for i in range(len(header)):  # one column at a time, its codes freed once it is text (no 2-D copy)
        values = np.empty(len(distinct[i]), dtype=object)
        values[:] = list(distinct[i])
        frame.insert(i, i, pd.Series(values[np.concatenate(codes[i])], index=frame.index, dtype=object, copy=False))
        codes[i] = []
    frame.columns = header
    return frame[~dropped] if dropped.any() else frame


def _stripped(col: pd.Series) -> pd.Series:
    """A column of text (object dtype) stripped of surrounding spaces, once per distinct value."""
    codes, uniques = pd.factorize(col, use_na_sentinel=False)
    values = np.empty(len(uniques), dtype=object)
    values[:] = [v.strip() if isinstance(v, str) else v for v in uniques]
    return pd.Series(values[codes], index=col.index, name=col.name, dtype=object)


def _resolve_header(name: str, header: list[str], required: tuple[str, ...], allowed: tuple[str, ...] | None,
                    options: CsvOptions, header_row: int | None, info: ReadInfo) -> dict[int, str]:
    """Position in the file -> contract column, by the mapping's `columns` (headers matched without
    case or surrounding spaces) and otherwise by the contract name (also without case). Columns
    fixed by the mapping and columns the contract does not know are ignored (with `extra`) and
    listed in info.ignored; without `extra` an unknown column is refused."""
    def norm(text: str) -> str:
        return " ".join(str(text).split()).lower()

    positions = {}
    for i, h in enumerate(header):
        positions.setdefault(norm(h), i)
    via = f" ({options.source})" if options.source else ""
    problems, out = [], {}
    for column, source in options.columns.items():
        i = positions.get(norm(source))
        if i is None:
            problems.append(Problem(name, header_row, source, f"kolom '{source}' uit de mapping{via} (kolommen.{column}) staat niet in "
                                    "het bestand; aanwezig zijn " + ", ".join(h for h in header if h.strip())))
            continue
        out[i] = column
    known = allowed if allowed is not None else required
    for i, h in enumerate(header):
        if i in out:
            continue
        col = norm(h)
        if col in known and col not in options.columns and col not in options.fixed and col not in out.values():
            out[i] = col
    for i, h in enumerate(header):
        if i not in out and h.strip():
            if options.extra:
                info.ignored.append(h.strip())
            else:
                problems.append(Problem(name, header_row, h, "onbekende kolom; toegestaan zijn " + ", ".join(known)))
    have = set(out.values()) | set(options.fixed)
    missing = [c for c in required if c not in have]
    for c in missing:
        hint = f"; geef haar kolom in de mapping{via} (kolommen.{c}) of een vaste waarde (vast.{c})" if options.source else \
            "; of lees het bestand met een mapping in params/bronnen/ (kolommen, vaste waarden)" if options.extra else ""
        problems.append(Problem(name, header_row, c, "verplichte kolom ontbreekt; verwachte kolommen: " + ", ".join(required) + hint))
    if problems:
        raise ContractError(problems)
    return out


def read_table_chunks(path: Path, required: tuple[str, ...], allowed: tuple[str, ...] | None, root: Path | None = None,
                      rows: int = 200_000, options: CsvOptions | None = None, info: ReadInfo | None = None):
    """read_table in chunks of `rows` rows, for files too large to hold as text (registrations):
    the same shape checks, row numbers and messages, but only one chunk in memory at a time. Yields
    Tables whose index is the reported row number and whose columns are contract columns.

    With `options` (a mapping) the file's own headers are renamed, fixed values added and unknown
    columns ignored; `info` receives the encoding, separator and ignored columns."""
    name = _display(path, root)
    strict = options is None
    options = options or CsvOptions()
    info = info if info is not None else ReadInfo()
    if not path.exists():
        raise ContractError([Problem(name, None, None, "bestand ontbreekt")])
    if path.stat().st_size == 0:
        raise ContractError([Problem(name, None, None, "bestand is leeg; verwacht een kopregel met " + ", ".join(required) + " en gegevensrijen")])
    found = False

    def shaped(frame: pd.DataFrame, targets: dict[int, str]) -> pd.DataFrame:
        out = pd.DataFrame({col: frame.iloc[:, i] for i, col in targets.items()}, index=frame.index)
        for col, value in options.fixed.items():
            out[col] = str(value)
        return out

    if path.suffix.lower() == ".parquet":
        try:
            parquet = pq.ParquetFile(path)
            columns = list(parquet.schema_arrow.names)
        except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a broken file
            raise ContractError([Problem(name, None, None, f"geen leesbaar Parquet-bestand ({exc})")]) from None
        if strict:
            _check_columns(name, columns, required, allowed, None)
            targets = dict(enumerate(columns))
        else:
            targets = _resolve_header(name, columns, required, allowed, options, None, info)
        offset = 1
        try:
            for batch in parquet.iter_batches(batch_size=rows):
                frame = batch.to_pandas().apply(lambda col: col.map(_cell_text)).astype(object)
                frame.index = range(offset, offset + len(frame))
                offset += len(frame)
                if len(frame):
                    found = True
                    info.rows += len(frame)
                    yield Table(path, shaped(frame, targets), False)
        except ContractError:
            raise
        except Exception as exc:  # noqa: BLE001 - a corrupt page surfaces only while reading
            raise ContractError([Problem(name, None, None, f"geen leesbaar Parquet-bestand ({exc})")]) from None
    else:
        codec = detect_encoding(path, name, options.encoding)
        first = _first_line(path, codec)
        sep = detect_separator(first, options.separator)
        info.encoding, info.separator = ENCODING_LABELS[codec], SEPARATOR_LABELS.get(sep, sep)
        header = [c.strip() for c in next(csv.reader([first], delimiter=sep), [])]
        if strict:
            _check_columns(name, header, required, allowed, 1)
            targets = dict(enumerate(header))
        else:
            targets = _resolve_header(name, header, required, allowed, options, 1, info)
        offset = 2
        try:
            reader = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=False,
                                 chunksize=rows, encoding=codec, header=0, names=list(range(len(header))))
            for frame in reader:
                frame.index = range(offset, offset + len(frame))
                offset += len(frame)
                frame = frame.fillna("")
                frame = frame[~(frame == "").all(axis=1)]
                if frame.empty:
                    continue
                found = True
                info.rows += len(frame)
                frame = shaped(frame, targets).apply(lambda col: col.str.strip())
                yield Table(path, frame.astype(object), True)
        except UnicodeDecodeError:
            raise ContractError([Problem(name, _first_invalid_line(path), None, NOT_UTF8)]) from None
        except pd.errors.ParserError as exc:
            raise ContractError([_parser_problem(name, exc)]) from None
    if not found:
        raise ContractError([Problem(name, None, None, "bestand bevat geen gegevensrijen, alleen een kopregel")])


def _check_columns(name: str, columns: list[str], required, allowed, header_row: int | None) -> None:
    missing = [c for c in required if c not in columns]
    if missing:
        raise ContractError([Problem(name, header_row, c, "verplichte kolom ontbreekt; verwachte kolommen: " + ", ".join(required)) for c in missing])
    if allowed is not None:
        extra = [c for c in columns if c not in allowed]
        if extra:
            raise ContractError([Problem(name, header_row, c, "onbekende kolom; toegestaan zijn " + ", ".join(allowed)) for c in extra])


def _parser_problem(name: str, exc: Exception) -> Problem:
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
    row = int(m.group(2)) if m else None
    detail = f"{m.group(3)} velden waar de kopregel er {m.group(1)} heeft" if m else str(exc)
    return Problem(name, row, None, f"rij heeft {detail}; staat er een komma in een getal of tekst? "
                   "Gebruik een punt als decimaalteken en zet tekst met komma's tussen aanhalingstekens")


def _first_invalid_line(path: Path, codec: str = "utf-8") -> int | None:
    """The line of the first byte that is not in `codec`, read in blocks (the file may be large);
    None when the whole file decodes."""
    import codecs

    decoder = codecs.getincrementaldecoder(codec)()
    line = 1
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                return line + block[: exc.start].count(b"\n")
            line += block.count(b"\n")
    return None


def _cell_text(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
        return ""
    if isinstance(v, dt.datetime) and v.time() == dt.time(0):  # a Parquet date(time) column: the date as typed
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _is_int(v: str) -> bool:
    return v.isdigit()


def _is_number(v: str) -> bool:
    if v in (ONBEKEND, GEHEIM):
        return True
    try:
        return math.isfinite(float(v)) and "," not in v
    except ValueError:
        return False


def _is_period(v: str) -> bool:
    try:
        Period.parse(v)
        return True
    except PeriodError:
        return False


def per_value(values: pd.Series, fn) -> pd.Series:
    """`fn` of every cell, evaluated once per distinct value: an observations file of all 342
    gemeenten holds some 1,7 million rows but only hundreds of distinct periods and indicators."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    results = [fn(v) for v in uniques]
    if results and all(isinstance(r, bool) for r in results):
        return pd.Series(np.asarray(results, dtype=bool)[codes], index=values.index)
    out = np.empty(len(results), dtype=object)
    out[:] = results
    return pd.Series(out[codes], index=values.index)


def _check(fn, key: str) -> pa.Check:
    """A check of every cell, evaluated once per distinct value (failures still point at every row)."""
    return pa.Check(lambda values: per_value(values, lambda v: bool(fn(v))), error=key)


def _not_empty() -> pa.Check:
    return _check(lambda v: v != "", "leeg")


def _validate(schema: pa.DataFrameSchema, table: Table, root: Path | None, extra: list[Problem] | None = None,
              messages: dict[str, str] | None = None) -> None:
    """Run a pandera schema lazily and turn every failure into a Problem; raise if there are any."""
    problems = _problems(schema, table, root, extra, messages)
    if problems:
        raise ContractError(problems)


def _problems(schema: pa.DataFrameSchema, table: Table, root: Path | None, extra: list[Problem] | None = None,
              messages: dict[str, str] | None = None) -> list[Problem]:
    """The failures of a pandera schema (run lazily) as Problems, with `extra`, sorted by row."""
    messages = messages or MESSAGES
    problems = list(extra or [])
    try:
        schema.validate(table.frame, lazy=True, inplace=True)  # the schemas only check (no coercion): no copy
    except pa.errors.SchemaErrors as err:
        fc = err.failure_cases
        seen: set[tuple] = set()
        for rec in fc.itertuples(index=False):
            if rec.index is None or (isinstance(rec.index, float) and math.isnan(rec.index)):
                continue
            key = (int(rec.index), rec.column)
            if key in seen:  # one message per cell: the first failed check says most
                continue
            seen.add(key)
            template = messages.get(rec.check, str(rec.check))
            problems.append(Problem(_display(table.path, root), int(rec.index), rec.column, template.format(value=rec.failure_case),
                                    waarde=str(rec.failure_case)))
    problems.sort(key=lambda p: (p.file, p.row or 0, p.column or ""))
    return problems


# -- gemeenten ------------------------------------------------------------------------------------
def read_gemeenten(path: Path, root: Path | None = None) -> pd.DataFrame:
    table = read_table(path, GEMEENTEN_COLUMNS, GEMEENTEN_COLUMNS + GEMEENTEN_OPTIONAL, root)
    schema = pa.DataFrameSchema(
        {
            "code": pa.Column(object, [_not_empty(), _check(lambda v: bool(GEMEENTE_CODE.match(v)), "gm_formaat")]),
            "naam": pa.Column(object, [_not_empty()]),
            "provincie": pa.Column(object, [_not_empty(), _check(lambda v: v in PROVINCIES, "provincie")]),
        }
    )
    _validate(schema, table, root, _duplicates(table, ["code"], root))
    frame = table.frame.reset_index(drop=True)
    for column in GEMEENTEN_OPTIONAL:
        if column not in frame:
            frame[column] = ""
    return frame[list(GEMEENTEN_COLUMNS + GEMEENTEN_OPTIONAL)].fillna("")


def read_inwoners(path: Path, gemeenten: set[str], root: Path | None = None) -> pd.DataFrame:
    table = read_table(path, INWONERS_COLUMNS, INWONERS_COLUMNS, root)
    schema = pa.DataFrameSchema(
        {
            "gemeente": _gemeente_column(gemeenten),
            "jaar": pa.Column(object, [_not_empty(), _check(lambda v: bool(re.fullmatch(r"\d{4}", v)), "jaar")]),
            "inwoners": pa.Column(object, [_not_empty(), _check(_is_int, "geheel_getal")]),
            "bron": pa.Column(object, [_not_empty()]),
        }
    )
    _validate(schema, table, root, _duplicates(table, ["gemeente", "jaar"], root))
    out = table.frame.reset_index(drop=True)
    out["jaar"] = out["jaar"].astype(int)
    out["inwoners"] = out["inwoners"].astype("int64")
    return out


DOELGROEP_COLUMNS = ("gemeente", "jaar", "leeftijd", "geslacht", "inwoners", "bron")
GESLACHTEN = ("man", "vrouw")
LEEFTIJDSKLASSE = re.compile(r"^(\d{1,3})(?:-(\d{1,3})|\+)$")  # 75-84 or 85+


def _age_band(v: str) -> bool:
    m = LEEFTIJDSKLASSE.match(v)
    return bool(m) and (m.group(2) is None or int(m.group(1)) <= int(m.group(2)))


def read_inwoners_doelgroep(path: Path, gemeenten: set[str], root: Path | None = None,
                            inwoners: pd.DataFrame | None = None) -> pd.DataFrame:
    """data/inwoners-doelgroep.csv (optional): inhabitants on 1 January per gemeente, year, age band
    and sex, the noemer of rates per target group (Wmo clients per 1.000 women of 75-84). An empty
    leeftijd means all ages, an empty geslacht both sexes; one of them is filled. A group cannot
    hold more inhabitants than the gemeente has in data/inwoners.csv that year."""
    table = read_table(path, DOELGROEP_COLUMNS, DOELGROEP_COLUMNS, root)
    name = _display(path, root)
    schema = pa.DataFrameSchema(
        {
            "gemeente": _gemeente_column(gemeenten),
            "jaar": pa.Column(object, [_not_empty(), _check(lambda v: bool(re.fullmatch(r"\d{4}", v)), "jaar")]),
            "leeftijd": pa.Column(object, [_check(lambda v: v == "" or _age_band(v), "leeftijdsklasse")]),
            "geslacht": pa.Column(object, [_check(lambda v: v in ("", *GESLACHTEN), "geslacht")]),
            "inwoners": pa.Column(object, [_not_empty(), _check(_is_int, "geheel_getal")]),
            "bron": pa.Column(object, [_not_empty()]),
        }
    )
    frame = table.frame
    extra = _duplicates(table, ["gemeente", "jaar", "leeftijd", "geslacht"], root)
    for row in frame.index[(frame["leeftijd"] == "") & (frame["geslacht"] == "")]:
        extra.append(Problem(name, int(row), "leeftijd", "leeftijd en geslacht zijn allebei leeg; het totaal hoort in "
                             "data/inwoners.csv, hier staan alleen groepen (vul leeftijd, geslacht of allebei in)"))
    if inwoners is not None and len(inwoners):
        totals = {(g, str(j)): int(n) for g, j, n in zip(inwoners["gemeente"], inwoners["jaar"], inwoners["inwoners"])}
        for row, g, j, n in zip(frame.index, frame["gemeente"], frame["jaar"], frame["inwoners"]):
            total = totals.get((g, j))
            if total is not None and n.isdigit() and int(n) > total:
                extra.append(Problem(name, int(row), "inwoners", f"{n} inwoners in deze groep, maar de gemeente heeft er in {j} "
                                     f"{total} volgens data/inwoners.csv; controleer beide bestanden", waarde=n))
    _validate(schema, table, root, extra, messages={
        **MESSAGES,
        "leeftijdsklasse": "{value!r} is geen leeftijdsklasse; verwacht van-tot in hele jaren (75-84) of vanaf (85+), of een lege cel",
        "geslacht": "{value!r} is geen geslacht; verwacht man, vrouw of een lege cel (beide)",
    })
    out = frame.copy()
    out["rij"] = out.index.astype(int)
    out["inwoners"] = out["inwoners"].astype("int64")
    return out.reset_index(drop=True)


def read_historie(path: Path, root: Path | None = None) -> pd.DataFrame:
    """data/gemeente-historie.csv (optional): codes with their validity and successor, as CBS lists
    the gemeentelijke indeling: code, naam, geldig_van, geldig_tot (empty: open) and opvolger."""
    table = read_table(path, HISTORIE_COLUMNS, HISTORIE_COLUMNS, root)

    def is_date(v: str) -> bool:
        if v == "":
            return True
        try:
            dt.date.fromisoformat(v)
            return True
        except ValueError:
            return False

    code_check = _check(lambda v: bool(GEMEENTE_CODE.match(v)), "gm_formaat")
    schema = pa.DataFrameSchema(
        {
            "code": pa.Column(object, [_not_empty(), code_check]),
            "naam": pa.Column(object, [_not_empty()]),
            "geldig_van": pa.Column(object, [_check(is_date, "datum")]),
            "geldig_tot": pa.Column(object, [_check(is_date, "datum")]),
            "opvolger": pa.Column(object, [_check(lambda v: v == "" or bool(GEMEENTE_CODE.match(v)), "gm_formaat")]),
        }
    )
    extra = _duplicates(table, ["code"], root)
    for row, rec in table.frame.iterrows():
        if rec["opvolger"] and not rec["geldig_tot"]:
            extra.append(Problem(_display(path, root), int(row), "geldig_tot", "een gemeente met een opvolger heeft een einddatum nodig"))
    _validate(schema, table, root, extra)
    out = table.frame.copy()
    out["rij"] = out.index.astype(int)
    return out.reset_index(drop=True)


def boundary_events(historie: pd.DataFrame) -> pd.DataFrame:
    """Per gemeente code the dates its boundary began, ended or changed, with a Dutch note:
    code, datum, soort ('ontstaan' / 'opgeheven' / 'grenswijziging'), toelichting."""
    names = dict(zip(historie["code"], historie["naam"]))
    starts = {c: dt.date.fromisoformat(v) for c, v in zip(historie["code"], historie["geldig_van"]) if v}
    events = []
    for rec in historie.itertuples(index=False):
        if rec.geldig_van:
            sources = historie[(historie["opvolger"] == rec.code) & (historie["geldig_tot"] != "")]
            origin = [n for n, end in zip(sources["naam"], sources["geldig_tot"])
                      if dt.date.fromisoformat(end) + dt.timedelta(days=1) == starts[rec.code]]
            note = f"ontstaan uit {_enumerate(origin)}" if origin else "ontstaan"
            events.append((rec.code, starts[rec.code], "ontstaan", f"de gemeente {rec.naam} is {note}"))
        if rec.geldig_tot:
            end = dt.date.fromisoformat(rec.geldig_tot) + dt.timedelta(days=1)
            events.append((rec.code, end, "opgeheven", f"de gemeente {rec.naam} is opgeheven"))
            if rec.opvolger and starts.get(rec.opvolger) != end:
                events.append((rec.opvolger, end, "grenswijziging",
                               f"{rec.naam} is opgegaan in de gemeente {names.get(rec.opvolger, rec.opvolger)}"))
    frame = pd.DataFrame(events, columns=["code", "datum", "soort", "toelichting"])
    # several gemeenten merging into one on the same day: one event with all their names
    merged = frame[frame["soort"] == "grenswijziging"].groupby(["code", "datum"], as_index=False).agg(
        toelichting=("toelichting", lambda notes: _enumerate([n.split(" is opgegaan")[0] for n in notes]) + " zijn opgegaan in de gemeente "
                     + notes.iloc[0].split("opgegaan in de gemeente ")[1] if len(notes) > 1 else notes.iloc[0]))
    merged["soort"] = "grenswijziging"
    return pd.concat([frame[frame["soort"] != "grenswijziging"], merged], ignore_index=True).sort_values(["code", "datum"])


def _enumerate(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]


def check_boundaries(observaties: pd.DataFrame, events: pd.DataFrame, historie_file: str) -> None:
    """Refuse figures of a gemeente code for a time it did not exist (`events` from
    boundary_events): they describe another boundary, and a series must not silently mix two."""
    problems = []
    for ev in events.itertuples(index=False):
        if ev.soort == "grenswijziging":
            continue
        rows = observaties[observaties["gemeente"] == ev.code]
        if rows.empty:
            continue
        starts = per_value(rows["periode"], lambda c: Period.parse(c).start)
        ends = per_value(rows["periode"], lambda c: Period.parse(c).end)
        bad = rows[starts < ev.datum] if ev.soort == "ontstaan" else rows[ends >= ev.datum]
        for rec in bad.itertuples(index=False):
            when = f"bestaat pas sinds {ev.datum.isoformat()}" if ev.soort == "ontstaan" else \
                f"bestaat niet meer sinds {ev.datum.isoformat()}"
            problems.append(Problem(rec.bestand, int(rec.rij), "periode",
                                    f"{ev.code} {when} ({historie_file}); cijfers over {rec.periode} gaan over een andere "
                                    "gemeentelijke indeling en mogen niet in dezelfde reeks. Lever ze onder de toenmalige "
                                    "gemeentecode(s) aan, of herberekend naar de nieuwe indeling vanaf die datum"))
    if problems:
        raise ContractError(problems)


def _gemeente_column(gemeenten: set[str]) -> pa.Column:
    return pa.Column(
        object,
        [
            _not_empty(),
            _check(lambda v: bool(GEMEENTE_CODE.match(v)), "gm_formaat"),
            _check(lambda v: v in gemeenten, "gm_onbekend"),
        ],
    )


def _duplicates(table: Table, key: list[str], root: Path | None) -> list[Problem]:
    dup = table.frame.duplicated(subset=key, keep="first")
    out = []
    for row in table.frame.index[dup]:
        values = ", ".join(f"{k}={table.frame.at[row, k]}" for k in key if table.frame.at[row, k] != "")
        out.append(Problem(_display(table.path, root), int(row), key[0], MESSAGES["dubbel"].format(value=f"({values})")))
    return out


# -- observaties ----------------------------------------------------------------------------------
def read_observaties(path: Path, catalogue: Catalogue, gemeenten: set[str], root: Path | None = None) -> pd.DataFrame:
    """Validate one observations file and return it with parsed values.

    Output columns: gemeente, periode (our notation), indicator, the breakdown columns (None for a
    total), waarde (float, NaN for '?' and '-'), waarde_status ('waarde' / 'onbekend' / 'geheim'),
    bron, status, bestand, rij.
    """
    dims = catalogue.breakdown_columns
    table = read_table(path, OBSERVATIE_COLUMNS, OBSERVATIE_COLUMNS + tuple(dims), root)
    frame = table.frame
    for d in dims:
        if d not in frame.columns:
            frame[d] = ""

    def known(v: str) -> bool:
        return v in catalogue

    schema = pa.DataFrameSchema(
        {
            "gemeente": _gemeente_column(gemeenten),
            "periode": pa.Column(object, [_not_empty(), _check(_is_period, "periode")]),
            "indicator": pa.Column(
                object,
                [
                    _not_empty(),
                    _check(known, "indicator_onbekend"),
                    _check(lambda v: not (known(v) and catalogue[v].afgeleid), "indicator_afgeleid"),
                    _check(lambda v: v not in ("inwoners", "inwoners_doelgroep"), "indicator_inwoners"),
                ],
            ),
            "waarde": pa.Column(object, [_not_empty(), _check(_is_number, "numeriek")]),
            "bron": pa.Column(object, [_not_empty()]),
            "status": pa.Column(object, [_not_empty(), _check(lambda v: v in STATUSSEN, "status")]),
        }
    )
    extra = _row_problems(table, catalogue, dims, root)
    _validate(schema, table, root, extra)

    out = frame  # the table is not used again: no copy of its 2,3 million rows (national demo)
    out["periode"] = per_value(out["periode"], lambda v: Period.parse(v).code)
    out["waarde_status"] = np.where(out["waarde"] == ONBEKEND, "onbekend", np.where(out["waarde"] == GEHEIM, "geheim", "waarde"))
    out["waarde"] = pd.to_numeric(out["waarde"].where(out["waarde_status"] == "waarde"), errors="coerce").astype(float)
    for d in dims:
        out[d] = out[d].where(out[d] != "", None)
    out["bestand"] = _display(path, root)
    out["rij"] = out.index.astype(int)
    return out.reset_index(drop=True)


def _row_problems(table: Table, catalogue: Catalogue, dims: list[str], root: Path | None) -> list[Problem]:
    """Checks that need the catalogue entry of the row's indicator: counts and breakdowns."""
    problems = []
    name = _display(table.path, root)
    frame = table.frame
    known = per_value(frame["indicator"], lambda i: i in catalogue and not catalogue[i].afgeleid)
    counts = known & per_value(frame["indicator"], lambda i: i in catalogue and catalogue[i].eenheid == "aantal")
    numeric = pd.to_numeric(frame["waarde"].where(counts), errors="coerce")
    # '1.234' in a text file: a Dutch thousands separator or a decimal point? For a count it cannot
    # be a fraction, for an amount in EUR x 1.000 a fraction of a thousand euros is implausible:
    # both are refused with the hint, rather than silently read as 1,234 (docs/data-contract.md).
    grouped = frame["waarde"].str.fullmatch(THOUSANDS) if table.header_row else pd.Series(False, index=frame.index)
    amounts = known & per_value(frame["indicator"], lambda i: i in catalogue and catalogue[i].eenheid == "EUR x 1.000")
    for row in frame.index[grouped & (counts | amounts)]:
        value = frame.at[row, "waarde"]
        unit = "aantal" if counts[row] else "bedrag in duizenden euro's (EUR x 1.000)"
        problems.append(Problem(name, int(row), "waarde", f"{value!r} lijkt een getal met een punt als duizendtalscheiding; een "
                                f"{unit} staat hier zonder scheidingstekens: schrijf {value.replace('.', '')}"
                                + ("" if counts[row] else " (is het echt een breuk van duizend euro, schrijf dan niet precies "
                                   "drie decimalen, bijvoorbeeld 1.2340)")))
    numeric = numeric.where(~grouped)
    for row in frame.index[numeric < 0]:
        problems.append(Problem(name, int(row), "waarde", MESSAGES["negatief"].format(value=frame.at[row, "waarde"])))
    for row in frame.index[(numeric >= 0) & (numeric % 1 != 0)]:
        problems.append(Problem(name, int(row), "waarde", f"{frame.at[row, 'waarde']!r}: een aantal is een geheel getal"))
    for d in dims:
        filled = known & (frame[d] != "")
        if not filled.any():
            continue
        allowed = per_value(frame.loc[filled, "indicator"], lambda i, d=d: d in catalogue[i].uitsplitsingen)
        for row in allowed.index[~allowed]:
            ind = catalogue[frame.at[row, "indicator"]]
            options = ", ".join(ind.uitsplitsingen) or "geen"
            problems.append(Problem(name, int(row), d, f"indicator {ind.id} kent geen uitsplitsing naar {d}; toegestaan: {options}. Laat de cel leeg"))
    return problems


KEY_HASH = "_sleutel"  # column of a validated observations copy: the hash of its row's key


def key_hashes(frame: pd.DataFrame, dims: list[str]) -> pd.Series:
    """A 64-bit hash of each row's key (gemeente, periode, indicator, breakdowns)."""
    return pd.util.hash_pandas_object(frame[["gemeente", "periode", "indicator", *dims]].fillna(""), index=False)


def check_unique_observations(frames: list[pd.DataFrame], dims: list[str]) -> None:
    """The key (gemeente, periode, indicator, breakdowns) is unique over all observation files."""
    if not frames:
        return
    key = ["gemeente", "periode", "indicator", *dims]
    # Rows hashed first (vectorised; a validated copy of a file carries its hashes, KEY_HASH), the
    # full key compared only among equal hashes: at national scale a duplicated() over two dozen
    # text columns costs seconds.
    hashed = pd.concat([f[KEY_HASH] if KEY_HASH in f else key_hashes(f, dims) for f in frames], ignore_index=True)
    candidates = hashed.duplicated(keep=False)
    if not candidates.any():
        return
    allobs = pd.concat(frames, ignore_index=True)
    filled = allobs[key].fillna("")
    dup = pd.Series(False, index=filled.index)
    dup[candidates] = filled[candidates].duplicated(keep=False)
    if not dup.any():
        return
    problems = []
    for _, group in allobs[dup].groupby(filled[dup].apply(tuple, axis=1), sort=False):
        first = group.iloc[0]
        for _, rec in group.iloc[1:].iterrows():
            parts = [f"{k}={rec[k]}" for k in key if rec[k] is not None and rec[k] == rec[k]]
            problems.append(
                Problem(
                    rec["bestand"], int(rec["rij"]), "indicator",
                    MESSAGES["dubbel"].format(value="(" + ", ".join(parts) + ")")
                    + f" (eerder in {first['bestand']}, rij {int(first['rij'])})",
                )
            )
    raise ContractError(problems)


def grootteklasse(inwoners: float | None) -> str | None:
    """The GMSD size class for a number of inhabitants."""
    if inwoners is None or (isinstance(inwoners, float) and math.isnan(inwoners)):
        return None
    label = None
    for lower, name in GROOTTEKLASSEN:
        if inwoners >= lower:
            label = name
    return label
