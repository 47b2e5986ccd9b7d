"""Chapter and section numbers in a report's headings, as the GMSD report numbers them (seed 002: 1 Uitgangspositie,
1.1 Bevolking, 2 Wmo, 2.1 ...).

A report profile with `nummering: true` gets numbers in the headings of its chapters: every `##`
heading of a notebook's Markdown starts a chapter (1, 2, ...), every `###` a section in it (2.1,
2.2, ...). The numbers are written into the heading text, so the site, the PDF (Typst), their
tables of contents and the HTML version without Quarto all show the same numbers, whatever the
output format does with numbering. Notebooks listed under `ongenummerd` (the introduction) keep
their headings as they are and do not count. Headings inside cell outputs (generated text) are
not numbered; neither is the Verantwoording the page adds at the end.
"""
from __future__ import annotations

import re
from pathlib import Path

_HEADING = re.compile(r"^(#{2,3})\s+(.+?)\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


class Nummering:
    """Numbers the headings of one report page, notebook by notebook, in profile order."""

    def __init__(self, profile) -> None:
        self.aan = bool(getattr(profile, "nummering", False))
        self.ongenummerd = set(getattr(profile, "ongenummerd", ()) or ())
        self.zonder_toelichting = set(getattr(profile, "zonder_toelichting", ()) or ())
        self.toelichting_aan = bool(getattr(profile, "toelichting", True))
        self.hoofdstuk = 0
        self.paragraaf = 0
        self._actief = False

    def begin(self, notebook: str) -> None:
        """Start the chapter of a notebook (its headings are numbered unless it is unnumbered)."""
        self._actief = self.aan and notebook not in self.ongenummerd

    def toelichting(self, notebook: str) -> bool:
        """Whether the page gives this chapter a "Toelichting gemeente" section."""
        return self.toelichting_aan and notebook not in self.zonder_toelichting

    def kop(self, niveau: int, tekst: str) -> str:
        """The heading text with its number ('2.1 Kwaliteit'), counting it."""
        if not self._actief:
            return tekst
        if niveau == 2:
            self.hoofdstuk += 1
            self.paragraaf = 0
            return f"{self.hoofdstuk} {tekst}"
        if self.hoofdstuk == 0:  # a section before any chapter heading: nothing to number it under
            return tekst
        self.paragraaf += 1
        return f"{self.hoofdstuk}.{self.paragraaf} {tekst}"

    def markdown(self, text: str) -> str:
        """Markdown with its `##` and `###` headings numbered (not inside fenced blocks)."""
        if not self._actief:
            return text
        return "\n".join(f"{m[1]} {self.kop(len(m[1]), m[2])}" if m else line for line, m in _heading_lines(text))


def _heading_lines(text: str):
    """Each line of Markdown text with its `##`/`###` heading match (None inside fenced blocks)."""
    fenced = False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        yield line, None if fenced else _HEADING.match(line)


def headings(text: str) -> list[tuple[int, str]]:
    """The `##` and `###` headings of Markdown text as (level, text), not inside fenced blocks."""
    return [(len(m[1]), m[2]) for _, m in _heading_lines(text) if m]


def chapter_title(nb, nb_name: str) -> str:
    """The chapter's heading as readers see it (its first Markdown heading, unnumbered), else the
    notebook's title. `nb` is a notebook (nbformat) of the chapter."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return str(nb.metadata.get("title") or Path(nb_name).stem)


__all__ = ["Nummering", "chapter_title", "headings"]
