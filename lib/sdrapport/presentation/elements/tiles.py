"""Key-figure tiles "gemeente versus size class", as the GMSD report prints them (seed 002):

    Mantelzorgers                       <- the indicator
    %                                   <- its unit
    14,4%        12,6%                  <- the gemeente (large) and the reference group
    Dordrecht    100.000 - 300.000 inw.
    RIVM | 2022                         <- source and period of this tile

One definition, written as HTML for the site and as Typst for the PDF from the same texts, like
tabellen.Tabel: every text is escaped (veilig.html) or a Typst string literal, never markup.
"""
from __future__ import annotations

from dataclasses import dataclass

from sdrapport.presentation.text import escaping
from sdrapport.presentation.elements.tables import _raw_blocks, _typst_array, _typst_dict


@dataclass
class Vergelijkingstegel:
    """One tile: the indicator, its unit, the gemeente's value and the reference group's (as shown,
    '?' when unknown), who they belong to, and the tile's own source and period."""

    label: str
    eenheid: str
    waarde: str
    referentie: str
    gemeente: str
    groep: str
    voet: str  # "RIVM | 2022"


def vergelijking_markdown(tegels: list[Vergelijkingstegel], *, titel: str, bron: str) -> escaping.Markdown:
    """The tiles as a list of cards on the site and a grid of boxes in the PDF, then the source line."""
    cards = []
    for t in tegels:
        cards.append(
            '<li class="sd-vergelijking">'
            f'<p class="sd-vergelijking-label">{escaping.html(t.label)}</p>'
            f'<p class="sd-vergelijking-eenheid">{escaping.html(t.eenheid)}</p>'
            '<div class="sd-vergelijking-waarden">'
            f'<p class="sd-vergelijking-eigen"><span class="sd-vergelijking-getal">{escaping.html(t.waarde)}</span>'
            f'<span class="sd-vergelijking-wie">{escaping.html(t.gemeente)}</span></p>'
            f'<p class="sd-vergelijking-groep"><span class="sd-vergelijking-getal">{escaping.html(t.referentie)}</span>'
            f'<span class="sd-vergelijking-wie">{escaping.html(t.groep)}</span></p>'
            "</div>"
            f'<p class="sd-vergelijking-voet">{escaping.html(t.voet)}</p></li>')
    html = f'<ul class="sd-vergelijkingen" aria-label="{escaping.html(titel)}">' + "".join(cards) + "</ul>"
    items = _typst_array(_typst_dict({
        "label": t.label, "eenheid": t.eenheid, "waarde": t.waarde, "referentie": t.referentie,
        "gemeente": t.gemeente, "groep": t.groep, "voet": t.voet}) for t in tegels)
    return _raw_blocks(html, f"#sd-vergelijking({items})", bron)


__all__ = ["Vergelijkingstegel", "vergelijking_markdown"]
