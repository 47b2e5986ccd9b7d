"""No drawing: the check of what an executed notebook's elements say about their lineage, and whether
their labels (source lines, period headers) agree with it.

Each figure, table, tile block and text that shows catalogue values carries the lineage of those
values in its output metadata (`sdrapport.herkomst`, see indicators/lineage.py), with the source
line it shows (`bron`) and, for a table whose column headers name periods, the period codes under
each header (`kolomperioden`). `elements` reads them back (the runner puts them in run.json, the
Excel workbook lists them on its "Over deze cijfers" sheet); `problems` recomputes every label from
the lineage and names each one that disagrees. The runner refuses a notebook with such a problem
(no page is published from it) and `sdrapport controleer` checks every page's notebooks again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sdrapport.indicators import lineage
from sdrapport.indicators.lineage import Herkomst
from sdrapport.manifest import cell_label
from sdrapport.presentation.report import META_KEY

YEAR = re.compile(r"\b(19|20)\d\d\b")


@dataclass(frozen=True)
class Element:
    """One shown element of an executed notebook and the lineage of its values."""

    cel: int  # index of the code cell in the notebook
    label: str | None  # the cell's '#| label:'
    soort: str  # 'figuur', 'tabel' or 'tekst'
    titel: str  # the caption, or the first words of a text
    csv: str | None
    bron: str | None  # the source line shown
    herkomst: tuple[Herkomst, ...]
    kolomperioden: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def as_dict(self, notebook: str) -> dict:
        return {"notebook": notebook, "label": self.label, "soort": self.soort, "titel": self.titel, "csv": self.csv,
                "bron": self.bron, "kolomperioden": {k: list(v) for k, v in self.kolomperioden},
                "waarden": [h.as_dict() for h in self.herkomst]}


def _plain(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text.replace("**", "")).strip()


def elements(nb) -> list[Element]:
    """Every output of the notebook that carries lineage, in order."""
    found = []
    index = -1
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        index += 1
        for output in cell.get("outputs", []):
            meta = ((output.get("metadata") or {}).get(META_KEY)) or {}
            if not meta.get("herkomst") and not meta.get("kolomperioden"):
                continue
            if meta.get("fig-cap"):
                soort, titel = "figuur", _plain(meta["fig-cap"])
            elif meta.get("tbl-cap"):
                soort, titel = "tabel", _plain(meta["tbl-cap"])
            else:
                text = (output.get("data") or {}).get("text/markdown", "")
                text = "".join(text) if isinstance(text, list) else text
                soort, titel = "tekst", _plain(text)[:80]
            found.append(Element(index, cell_label(cell), soort, titel.split(". ")[0].rstrip("."), meta.get("csv"),
                                 meta.get("bron"), tuple(Herkomst.from_dict(h) for h in meta.get("herkomst") or ()),
                                 tuple((k, tuple(v)) for k, v in (meta.get("kolomperioden") or {}).items())))
    return found


def problems(nb) -> list[tuple[Element, str]]:
    """(element, Dutch message) for every label that disagrees with the lineage of its values:
    - the source line must be the one lineage.bron_regel derives (exactly the sources and periods
      of the values, '(voorlopige cijfers)' when any is provisional);
    - a column header that names a period must name the period of the values under it, and a
      column without any value names no year;
    - a value never mixes demo and delivered figures."""
    out = []
    for el in elements(nb):
        wie = f"{el.soort} '{el.titel}'" + (f" (cel {el.label})" if el.label else "")
        if el.bron is not None and any(h.perioden for h in el.herkomst):
            expected = lineage.bron_regel(list(el.herkomst))
            if el.bron != expected:
                out.append((el, f"{wie}: de bronregel is '{el.bron}', maar volgens de herkomst van de cijfers "
                                f"'{expected}'"))
        for header, codes in el.kolomperioden:
            if codes:
                expected = lineage.period_range_label_codes(codes)
                if expected not in header:
                    out.append((el, f"{wie}: kolom '{header}' noemt een andere periode dan die van de cijfers "
                                    f"eronder ({expected})"))
            elif YEAR.search(header):
                out.append((el, f"{wie}: kolom '{header}' noemt een periode, maar er staan geen cijfers onder"))
        for h in el.herkomst:
            if h.gemengd:
                out.append((el, f"{wie}: {h.indicator} mengt demodata met geleverde cijfers ({', '.join(h.bronnen)})"))
    return out


__all__ = ["Element", "elements", "problems"]
