"""Tiles: a KPI tile (value, target, status, change), a key figure in large type, and a key-figure
tile "gemeente versus size class". Each is one definition, written as cards for the site (HTML) and
as boxes for the PDF (Typst) from the same texts, like tables.Tabel: every text is escaped
(escaping.html) or a Typst string literal, never markup.

The key-figure tile "gemeente versus size class", as the GMSD report prints them (seed 002):

    Mantelzorgers                       <- the indicator
    %                                   <- its unit
    14,4%        12,6%                  <- the gemeente (large) and the reference group
    Dordrecht    100.000 - 300.000 inw.
    RIVM | 2022                         <- source and period of this tile
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


# KPI status: never colour alone (WCAG 1.4.1): a symbol and a word, and colours with at least
# 4,5:1 contrast on white.
STATUS = {
    "behaald": ("✓", "#1a6e2e"),
    "niet behaald": ("✗", "#b00020"),
}
STATUS_NEUTRAAL = ("–", "#4d4d4d")


@dataclass
class Tegel:
    """One KPI tile: domain, indicator, value, target, status and change."""

    domein: str
    indicator: str
    waarde: str
    doel: str
    status: str
    verandering: str
    zin: str = ""  # a generated sentence under the tile: how the value relates to its target and a year earlier

    @property
    def symbool(self) -> str:
        return STATUS.get(self.status, STATUS_NEUTRAAL)[0]

    @property
    def kleur(self) -> str:
        return STATUS.get(self.status, STATUS_NEUTRAAL)[1]


def tegels_markdown(tegels: list[Tegel], *, titel: str, bron: str) -> escaping.Markdown:
    """KPI tiles: a grid of cards on the site (value large, status as symbol + word + colour),
    the same grid of boxes in the PDF."""
    cards = []
    for t in tegels:
        cards.append(
            f'<li class="sd-tegel sd-status-{"ok" if t.status == "behaald" else "nee" if t.status == "niet behaald" else "neutraal"}">'
            f'<p class="sd-tegel-domein">{escaping.html(t.domein)}</p>'
            f'<p class="sd-tegel-indicator">{escaping.html(t.indicator)}</p>'
            f'<p class="sd-tegel-waarde">{escaping.html(t.waarde)}</p>'
            f'<p class="sd-tegel-doel">{"Doel: " + escaping.html(t.doel) if t.doel else "Geen doel vastgesteld"}</p>'
            f'<p class="sd-tegel-status" style="color:{t.kleur}"><span aria-hidden="true">{t.symbool}</span> {escaping.html(t.status)}</p>'
            f'<p class="sd-tegel-verandering">{escaping.html(t.verandering)}</p>'
            + (f'<p class="sd-tegel-zin">{escaping.html(t.zin)}</p>' if t.zin else "") + "</li>")
    html = f'<ul class="sd-tegels" aria-label="{escaping.html(titel)}">' + "".join(cards) + "</ul>"
    items = _typst_array(_typst_dict({
        "domein": t.domein, "indicator": t.indicator, "waarde": t.waarde,
        "doel": f"Doel: {t.doel}" if t.doel else "Geen doel vastgesteld",
        "status": f"{t.symbool} {t.status}", "kleur": t.kleur, "verandering": t.verandering, "zin": t.zin}) for t in tegels)
    return _raw_blocks(html, f"#sd-tegels({items})", bron)


@dataclass
class Kerncijfer:
    """One key figure of a factsheet: label, value as shown, and a line under it (period, meaning)."""

    label: str
    waarde: str
    toelichting: str = ""


def kerncijfers_markdown(cijfers: list[Kerncijfer], *, titel: str, bron: str) -> escaping.Markdown:
    """Key figures in large type: cards on the site, a grid in the PDF."""
    cards = "".join(
        f'<li class="sd-kerncijfer"><p class="sd-kerncijfer-waarde">{escaping.html(c.waarde)}</p>'
        f'<p class="sd-kerncijfer-label">{escaping.html(c.label)}</p>'
        + (f'<p class="sd-kerncijfer-toelichting">{escaping.html(c.toelichting)}</p>' if c.toelichting else "")
        + "</li>" for c in cijfers)
    html = f'<ul class="sd-kerncijfers" aria-label="{escaping.html(titel)}">{cards}</ul>'
    items = _typst_array(_typst_dict({"waarde": c.waarde, "label": c.label, "toelichting": c.toelichting}) for c in cijfers)
    return _raw_blocks(html, f"#sd-kerncijfers({items})", bron)


__all__ = ["Kerncijfer", "Tegel", "Vergelijkingstegel", "kerncijfers_markdown", "tegels_markdown", "vergelijking_markdown"]
