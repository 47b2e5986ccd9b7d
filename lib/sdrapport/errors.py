"""Errors that reach users: each names the file, row and column and says what is expected."""
from __future__ import annotations

from dataclasses import dataclass

MAX_SHOWN = 25


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # 1-based line number in the file (the header is line 1 in a CSV)
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"rij {self.row}")
        if self.column is not None:
            where.append(f"kolom '{self.column}'")
        return f"{', '.join(where)}: {self.message}"


class ContractError(Exception):
    """Input that breaks the data contract (docs/data-contract.md)."""

    def __init__(self, problems: list[Problem], more: int = 0):
        self.problems = list(problems)
        self.more = more  # problems found but not kept (a large file full of errors)
        super().__init__(self.render())

    def render(self) -> str:
        lines = [str(p) for p in self.problems[:MAX_SHOWN]]
        hidden = len(self.problems) - len(lines) + self.more
        if hidden > 0:
            lines.append(f"... en nog {hidden} problemen")
        return "\n".join(lines)


class NotebookFailed(Exception):
    """A domain notebook raised during execution; the executed copy is kept for debugging."""

    def __init__(self, notebook: str, cell: int | None, label: str | None, error: str, kept: str):
        self.notebook, self.cell, self.label, self.error, self.kept = notebook, cell, label, error, kept
        where = f"cel {cell}" if cell is not None else "onbekende cel"
        if label:
            where += f" ({label})"
        super().__init__(f"{notebook}, {where}: {error}. Uitgevoerde kopie: {kept}")
