"""Errors that reach users: each names the file, row and column and says what is expected."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

MAX_SHOWN = 25  # problems shown per file; the rest is counted (and in the CSV report)
CSV_COLUMNS = ("bestand", "rij", "kolom", "waarde", "probleem")


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # 1-based line number in the file (the header is line 1 in a CSV)
    column: str | None
    message: str
    # The cell as typed, for the problem report (CSV); never part of the message. Registrations
    # pass it through registraties.shown_value, which hides identifiers and number-like cells.
    waarde: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"rij {self.row}")
        if self.column is not None:
            where.append(f"kolom '{self.column}'")
        return f"{', '.join(where)}: {self.message}"


class ContractError(Exception):
    """Input that breaks the data contract (docs/data-contract.md): every problem of every file,
    grouped per file. `more` counts problems found but not kept (a large file full of errors),
    in total or per file (`more_per_file`)."""

    def __init__(self, problems: list[Problem], more: int = 0, more_per_file: dict[str, int] | None = None):
        self.problems = list(problems)
        self.more_per_file = dict(more_per_file or {})
        if more:
            first = self.problems[0].file if self.problems else ""
            self.more_per_file[first] = self.more_per_file.get(first, 0) + more
        super().__init__(self.render())

    @property
    def more(self) -> int:
        return sum(self.more_per_file.values())

    @property
    def files(self) -> list[str]:
        """The files with problems, in the order they were found."""
        return list(dict.fromkeys([p.file for p in self.problems] + list(self.more_per_file)))

    def per_file(self) -> dict[str, list[Problem]]:
        out: dict[str, list[Problem]] = {f: [] for f in self.files}
        for p in self.problems:
            out[p.file].append(p)
        return out

    def count(self, file: str) -> int:
        return sum(1 for p in self.problems if p.file == file) + self.more_per_file.get(file, 0)

    def render(self) -> str:
        """One line per problem, grouped per file, at most MAX_SHOWN per file; with several files
        a line per file says how many problems it has."""
        groups = self.per_file()
        lines = []
        for file, problems in groups.items():
            total = self.count(file)
            if len(groups) > 1:
                lines.append(f"{file}: {total} {'probleem' if total == 1 else 'problemen'}")
            shown = problems[:MAX_SHOWN]
            lines += [str(p) for p in shown]
            hidden = total - len(shown)
            if hidden > 0:
                lines.append(f"... en nog {hidden} problemen" + (f" in {file}" if len(groups) > 1 else ""))
        return "\n".join(lines)

    def merged(self, other: ContractError) -> ContractError:
        more = dict(self.more_per_file)
        for f, n in other.more_per_file.items():
            more[f] = more.get(f, 0) + n
        if type(self) is type(other) and type(self) is not ContractError and not more:
            return type(self)(self.problems + other.problems)  # e.g. two ParamsErrors stay one ParamsError
        return ContractError(self.problems + other.problems, more_per_file=more)

    def csv_text(self) -> str:
        """Every kept problem as CSV rows (bestand, rij, kolom, waarde, probleem) that a data team can
        filter, plus per file a row counting the problems found but not kept."""
        buf = io.StringIO()
        out = csv.writer(buf, lineterminator="\n")
        out.writerow(CSV_COLUMNS)
        for file, problems in self.per_file().items():
            for p in problems:
                out.writerow([p.file, "" if p.row is None else p.row, p.column or "", "" if p.waarde is None else p.waarde, p.message])
            if self.more_per_file.get(file):
                out.writerow([file, "", "", "", f"en nog {self.more_per_file[file]} problemen (niet afzonderlijk bewaard)"])
        return buf.getvalue()

    def write_csv(self, path: Path) -> Path:
        """The problem report as CSV (UTF-8 with BOM, so Excel shows the accents)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\ufeff" + self.csv_text(), encoding="utf-8")
        return path


def collect(errors: list[ContractError]) -> ContractError | None:
    """One ContractError with the problems of all `errors` (None when there are none). A
    ParamsError stays a ParamsError when all are."""
    if not errors:
        return None
    out = errors[0]
    for e in errors[1:]:
        out = out.merged(e)
    return out


class NotebookFailed(Exception):
    """A domain notebook raised during execution; the executed copy is kept for debugging."""

    def __init__(self, notebook: str, cell: int | None, label: str | None, error: str, kept: str):
        self.notebook, self.cell, self.label, self.error, self.kept = notebook, cell, label, error, kept
        where = f"cel {cell}" if cell is not None else "onbekende cel"
        if label:
            where += f" ({label})"
        super().__init__(f"{notebook}, {where}: {error}. Uitgevoerde kopie: {kept}")


class ResourceError(Exception):
    """The machine ran out of something a command needs (memory, disk space) or a worker process
    was killed: not bad input, yet an expected failure. The command ends with exit 1 and one Dutch
    paragraph (`paragraph`): what failed, for which file or gemeente, and what to do. The store is
    left as it was (the build writes a new file and renames it only when everything succeeded)."""

    def __init__(self, wat: str, waar: str, advies: str):
        self.wat, self.waar, self.advies = wat, waar, advies
        super().__init__(self.paragraph())

    def paragraph(self) -> str:
        where = f" {self.waar}" if self.waar else ""
        return f"{self.wat}{where}. De opslag is ongewijzigd gebleven. {self.advies}"


MEMORY_SETTINGS = ("minder threads (SDRAPPORT_THREADS=1, of 'sdrapport ingest --threads 1') of, als de machine meer "
                   "vrij geheugen heeft, een hogere geheugengrens voor DuckDB (SDRAPPORT_GEHEUGEN=2GB, of "
                   "'sdrapport ingest --geheugen 2GB')")


def _no_space(exc: BaseException) -> bool:
    import errno

    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    text = str(exc)
    return "No space left on device" in text or "max_temp_directory_size" in text


def resource_error(exc: BaseException, waar: str = "", folder: str | None = None) -> ResourceError | None:
    """The ResourceError an exception stands for (None when it is none of them): DuckDB or Python
    out of memory, a full disk, a killed worker process. `waar` says for which file or gemeente
    ('bij het tellen van wmo_clienten voor GM0402'); `folder` where the temporary files are."""
    if isinstance(exc, ResourceError):
        return exc
    kind = type(exc).__name__
    if _no_space(exc):
        place = f" ({folder})" if folder else ""
        return ResourceError("De schijf is vol geraakt", waar,
                             f"Maak ruimte vrij op de schijf van de opslagmap{place}: daar schrijft DuckDB zijn tijdelijke "
                             "bestanden als het geheugen niet genoeg is, en daar komt de nieuwe opslag. Probeer het daarna opnieuw.")
    if kind == "OutOfMemoryException":  # duckdb.OutOfMemoryException
        return ResourceError("DuckDB kwam geheugen tekort", waar,
                             f"Probeer het opnieuw met {MEMORY_SETTINGS}. Helpt dat niet, lever de export dan in delen "
                             "aan (bijvoorbeeld per jaar) en meld het probleem.")
    if isinstance(exc, MemoryError):
        return ResourceError("Het geheugen van de machine raakte op", waar,
                             "Sluit andere programma's die veel geheugen gebruiken, of geef DuckDB minder geheugen zodat er "
                             "meer overblijft voor het inlezen (SDRAPPORT_GEHEUGEN=500MB, of 'sdrapport ingest --geheugen 500MB') "
                             "en probeer het opnieuw.")
    if kind in ("KilledWorker", "BrokenProcessPool"):
        return ResourceError("Een werkproces is onverwacht gestopt (meestal door geheugentekort: het besturingssysteem "
                             "stopt dan het grootste proces)", waar,
                             "Draai opnieuw met minder processen tegelijk (--workers 1); wat al klaar is, wordt overgeslagen.")
    return None
