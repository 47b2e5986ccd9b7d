"""Tables as readers get them: one table definition, written as HTML for the site and as Typst for
the PDF, both from the same cells.

Why not a Markdown pipe table: pandoc sizes a pipe table's columns by its separator dashes and
Typst then hyphenates or overprints whatever does not fit, and Quarto puts a captioned table in a
figure that cannot break across pages. Here:

- HTML: a real `<table>` (column headers `th scope=col`, row labels `th scope=row`, numbers
  right-aligned with tabular figures and never wrapped) inside a focusable region that scrolls on
  its own when the screen is narrow, so the page itself never scrolls sideways.
- Typst: `#sd-tabel(...)` from `_typst/sdrapport.typ`, which measures the cells with the real
  font, gives number columns the width they need (numbers never wrap or hyphenate), lets text
  columns wrap at word boundaries, steps the font size down when a wide table would not fit, and
  repeats the header row on every page of a long table.

Every cell is untrusted text (gemeente names, categories, params texts): HTML-escaped on the site
and a Typst string literal in the PDF, never markup.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sdrapport.presentation.text import escaping

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def noot_teken(n: int) -> str:
    """The footnote marker put after a cell text: superscript digits, as annual reports print them."""
    return str(n).translate(SUPERSCRIPT)


_NUMBER = re.compile(r"^[-+−]?(€\u00a0?)?\d[\d.,]*(\u00a0?%)?( \(\d{4}\))?$")


def looks_numeric(text: str) -> bool:
    """A cell that holds a number as formatted for readers (1.234; 12,5%; € 651; -15; 15% (2023))
    or stands for one (? unknown, - not publishable, empty)."""
    text = str(text).strip().replace("€ ", "€\u00a0")
    return text in ("?", "-", "–", "") or bool(_NUMBER.match(text))


@dataclass
class Tabel:
    """Cells exactly as readers see them. `nadruk` rows are bold (totals), `inspringen` rows are
    indented under the row above (e.g. baten and lasten under their taakveld); `noten` are printed
    under the table, numbered with the superscript markers the cells carry."""

    kop: list[str]
    rijen: list[list[str]]
    titel: str
    bron: str = ""
    noten: list[str] = field(default_factory=list)
    nadruk: set[int] = field(default_factory=set)
    inspringen: set[int] = field(default_factory=set)
    numeriek: list[bool] | None = None

    def __post_init__(self) -> None:
        self.kop = [str(k) for k in self.kop]
        self.rijen = [["" if c is None else str(c) for c in rij] for rij in self.rijen]
        if self.numeriek is None:
            # A value column may mix in a word ("Geen", "15% (2023)"): numeric when most cells are
            # numbers and none is running text; its cells then never wrap.
            self.numeriek = [bool(self.rijen)
                             and sum(looks_numeric(r[j]) for r in self.rijen) * 2 >= len(self.rijen)
                             and all(len(r[j]) <= 16 for r in self.rijen)
                             and not all(r[j] == "" for r in self.rijen)
                             for j in range(len(self.kop))]
        for i, rij in enumerate(self.rijen):
            if rij and rij[0].lower().startswith(("totaal", "saldo")):
                self.nadruk.add(i)

    @classmethod
    def uit_frame(cls, frame, **kwargs) -> Tabel:
        return cls(kop=list(frame.columns), rijen=[list(r) for r in frame.itertuples(index=False)], **kwargs)

    # -- HTML -----------------------------------------------------------------------------------
    def html(self, bijschrift: str | None = None) -> str:
        """The table as HTML; `bijschrift` becomes its <caption> (a table that stands alone, such
        as the data under a figure, names itself; a captioned figure's table is named by Quarto)."""
        row_header = bool(self.kop) and not self.numeriek[0]

        def cls(j: int, extra: str = "") -> str:
            names = (["sd-num"] if self.numeriek[j] else []) + ([extra] if extra else [])
            return f' class="{" ".join(names)}"' if names else ""

        head = "".join(f'<th scope="col"{cls(j)}>{escaping.html(k)}</th>' for j, k in enumerate(self.kop))
        body = []
        for i, rij in enumerate(self.rijen):
            classes = [c for c, on in (("sd-nadruk", i in self.nadruk), ("sd-inspringen", i in self.inspringen)) if on]
            tr = f'<tr class="{" ".join(classes)}">' if classes else "<tr>"
            cells = []
            for j, c in enumerate(rij):
                tag = "th" if j == 0 and row_header else "td"
                scope = ' scope="row"' if tag == "th" else ""
                cells.append(f"<{tag}{scope}{cls(j)}>{escaping.html(c)}</{tag}>")
            body.append(tr + "".join(cells) + "</tr>")
        # data-quarto-disable-processing: Quarto would otherwise parse the table into pandoc's
        # model and drop the scopes and classes.
        return (f'<div class="sd-tabel" role="region" tabindex="0" aria-label="{escaping.html(self.titel)}">'
                f'<table class="table sd-tabel-tabel" data-quarto-disable-processing="true">'
                + (f"<caption>{escaping.html(bijschrift)}</caption>" if bijschrift else "")
                + f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")

    # -- Typst ----------------------------------------------------------------------------------
    def typst(self) -> str:
        rijen = _typst_array(_typst_array(escaping.typst_string(c) for c in rij) for rij in self.rijen)
        return ("#sd-tabel(kop: " + _typst_array(escaping.typst_string(k) for k in self.kop)
                + ", rijen: " + rijen
                + ", numeriek: " + _typst_array("true" if n else "false" for n in self.numeriek)
                + ", nadruk: " + _typst_array(str(i) for i in sorted(self.nadruk))
                + ", inspringen: " + _typst_array(str(i) for i in sorted(self.inspringen)) + ")")

    # -- both -----------------------------------------------------------------------------------
    def markdown(self) -> escaping.Markdown:
        """The output cell's Markdown: raw HTML for the site, raw Typst for the PDF, then the notes
        and the source line in each."""
        notes = [f"{noot_teken(i)} {text}" for i, text in enumerate(self.noten, start=1)]
        html = [self.html()]
        typst = [self.typst()]
        if notes:
            html.append('<ol class="sd-noten">' + "".join(f"<li>{escaping.html(n)}</li>" for n in notes) + "</ol>")
            typst.append("#sd-noten(" + ", ".join(escaping.typst_string(n) for n in notes) + ")")
        return _raw_blocks("\n".join(html), "\n".join(typst), self.bron)


# Quarto parses raw HTML tables into its own table model (and, for the PDF, runs a CSS inliner
# over them) unless the block carries this comment.
NO_TABLE_PROCESSING = "<!--| quarto-html-table-processing: none -->"


def _raw_blocks(html: str, typst: str, bron: str = "") -> escaping.Markdown:
    """The same element for both outputs: a raw HTML block for the site, raw Typst for the PDF,
    each ending with the source line."""
    if bron:
        html += f'\n<p class="sd-bron">{escaping.html(bron)}</p>'
        typst += f"\n#sd-bron({escaping.typst_string(bron)})"
    return escaping.Markdown(f"```{{=html}}\n{NO_TABLE_PROCESSING}\n{html}\n```\n\n```{{=typst}}\n{typst}\n```\n")


def _typst_array(items) -> str:
    """A Typst array literal of already-written Typst values (one item needs a trailing comma)."""
    items = list(items)
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


def _typst_dict(fields: dict[str, str]) -> str:
    """A Typst dictionary of string values, each a string literal."""
    return "(" + ", ".join(f"{k}: {escaping.typst_string(v)}" for k, v in fields.items()) + ")"


__all__ = ["Tabel", "looks_numeric", "noot_teken"]
