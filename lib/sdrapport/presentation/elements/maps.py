"""Maps of all gemeenten: a choropleth of the Netherlands beside a close-up of the gemeente's
province, drawn with plain matplotlib polygons in the house style of charts.py.

Why no geopandas or shapely: a map here only fills 342 known polygons with a colour each. The
boundaries are a small GeoJSON file (data/kaart, geodata.py) read with `json`; a PolyCollection
per kind of value draws them in about 20 ms, and the whole figure, saved as PNG, takes about a
tenth of a second. Geopandas would add pandas-on-shapely, pyogrio and pyproj to every kernel for
none of its strengths (spatial joins, reprojection, file formats).

The projection is the simplest that keeps the Netherlands' shape: longitude times the cosine of
52.15 degrees north against latitude, with equal axes (at this latitude the distortion within the
country is under 3 %).

Reading rules (tested in tests/test_maps.py on the drawn figure):

- values are put in at most five classes with about as many gemeenten each (quantiles of the
  published values, rounded to the decimals shown); the lowest class starts at or below the
  smallest value and the highest ends at or above the largest, so every value has a class;
- the palette is sequential and colour-blind safe (ColorBrewer YlGnBu, light to dark; also in
  greyscale), '?' (unknown or not delivered) is white with grey hatching and '-' (not publishable)
  solid grey, both in the legend with their number of gemeenten;
- the gemeente is outlined (black over a white halo, visible on every class) in both panels;
- the legend is a bar of the classes with the gemeente's value marked above it and the reference
  group's average below it, so a reader sees in which class each falls.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import patheffects
from matplotlib.collections import PolyCollection
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath

from sdrapport.presentation.elements import charts
from sdrapport.presentation.text import formatting
from sdrapport.inputs.geodata import Kaart, read_boundaries

KLEUREN = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")  # ColorBrewer YlGnBu, 5 classes
ONBEKEND_KLEUR = "#ffffff"
ONBEKEND_ARCERING = "#8c8c8c"
GEHEIM_KLEUR = "#9e9e9e"
CONTEXT_KLEUR = "#eeeeee"  # gemeenten outside the province in the close-up
RAND = "#ffffff"
OMLIJNING = "#000000"
BREEDTEGRAAD = 52.15
SCHAAL_X = math.cos(math.radians(BREEDTEGRAAD))
# Two maps with their captions fit on one A4 page: 6,3 by 4,0 inch, of which the two map panels
# take 2,95 inch, the panel titles above them 0,2 and the legend below them 0,8.
FIGSIZE = (charts.FIGSIZE[0], 4.0)
KAART_HOOGTE = 2.95
LEGENDA_HOOGTE = 0.82
KLASSEN = 5


@dataclass(frozen=True)
class Projected:
    """A Kaart's rings in plot coordinates, with each ring's gemeente."""

    kaart: Kaart
    ringen: list[np.ndarray]
    codes: list[str]
    vakken: np.ndarray  # per ring (x0, y0, x1, y1), to draw only the rings a close-up shows


_PROJECTED: dict[tuple, Projected] = {}


def load(path: Path, root: Path | None = None) -> Projected:
    """The boundaries file, read, checked and projected once per process."""
    st = Path(path).stat()
    key = (str(Path(path).resolve()), st.st_size, st.st_mtime_ns)
    found = _PROJECTED.get(key)
    if found is None:
        kaart = read_boundaries(path, root)
        ringen, codes = [], []
        for code, gebied in kaart.gebieden.items():
            for ring in gebied.ringen:
                ringen.append(np.column_stack([ring[:, 0] * SCHAAL_X, ring[:, 1]]))
                codes.append(code)
        vakken = np.array([(r[:, 0].min(), r[:, 1].min(), r[:, 0].max(), r[:, 1].max()) for r in ringen])
        found = Projected(kaart, ringen, codes, vakken)
        _PROJECTED.clear()
        _PROJECTED[key] = found
    return found


# -- classes ----------------------------------------------------------------------------------------

def klassen(values, decimals: int, n: int = KLASSEN) -> list[float]:
    """Class edges (n + 1 at most) for the published values: quantiles rounded to the decimals
    shown, strictly increasing, the first at or below the smallest value and the last at or above
    the largest. A value equal to an inner edge belongs to the class above it."""
    v = np.sort(np.asarray([x for x in values if x is not None and np.isfinite(x)], dtype=float))
    if not len(v):
        return []
    step = 10.0 ** -decimals
    low = math.floor(round(v[0] / step, 6)) * step
    high = math.ceil(round(v[-1] / step, 6)) * step
    if high <= low:
        high = low + step
    inner = [round(float(q), decimals) for q in np.quantile(v, [i / n for i in range(1, n)])] if len(v) > 1 else []
    edges = [round(low, decimals)]
    for q in inner:
        if edges[-1] < q < high:
            edges.append(q)
    edges.append(round(high, decimals))
    return edges


def klasse(value: float, edges: list[float]) -> int:
    """Index of the class of a value (0 = lowest)."""
    inner = edges[1:-1]
    return int(np.searchsorted(inner, value, side="right"))


def kleuren(n: int) -> list[str]:
    """n colours of the sequential palette, spread over its whole range."""
    if n <= 1:
        return [KLEUREN[2]]
    return [KLEUREN[round(i * (len(KLEUREN) - 1) / (n - 1))] for i in range(n)]


# -- drawing ------------------------------------------------------------------------------------------

def _fit(bounds, aspect: float, margin: float = 0.04):
    """Limits around bounds (x0, y0, x1, y1) with a margin, widened to the panel's aspect (w/h)."""
    x0, y0, x1, y1 = bounds
    w, h = (x1 - x0) * (1 + 2 * margin), (y1 - y0) * (1 + 2 * margin)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return (cx - w / 2, cx + w / 2), (cy - h / 2, cy + h / 2)


def _bounds(rings: list[np.ndarray]):
    points = np.concatenate(rings)
    return points[:, 0].min(), points[:, 1].min(), points[:, 0].max(), points[:, 1].max()


def _draw(ax, proj: Projected, fill: dict[str, tuple[str, str]], gemeente: str, context: set[str] | None = None,
          view=None) -> None:
    """Polygons by kind (class colour, '?' hatched, '-' grey, context grey) and the gemeente's
    outline. `fill` maps a code to (kind, colour); `view` ((x0, x1), (y0, y1)) leaves out the rings
    outside it."""
    groups: dict[tuple[str, str], list[np.ndarray]] = {}
    shown = np.ones(len(proj.ringen), dtype=bool)
    if view is not None:
        (x0, x1), (y0, y1) = view
        b = proj.vakken
        shown = (b[:, 2] >= x0) & (b[:, 0] <= x1) & (b[:, 3] >= y0) & (b[:, 1] <= y1)
    for ring, code, keep in zip(proj.ringen, proj.codes, shown):
        if not keep:
            continue
        kind, colour = ("context", CONTEXT_KLEUR) if context is not None and code not in context else fill.get(code, ("?", ONBEKEND_KLEUR))
        groups.setdefault((kind, colour), []).append(ring)
    for (kind, colour), rings in groups.items():
        # Not antialiased: at 200 dpi the edges look the same, and the PNG is a third of the size and
        # quicker to write (hundreds of polygon edges are what a PNG compresses worst).
        if kind == "?":
            # One compound path, not a collection: a hatch is one pattern per shape in the SVG, and the
            # PDF (Typst) writes a tiling pattern per use, so a hundred '?' gemeenten would cost a
            # hundred patterns.
            coll = PathPatch(MplPath.make_compound_path(*(MplPath(ring, closed=True) for ring in rings)), facecolor=ONBEKEND_KLEUR,
                             edgecolor=ONBEKEND_ARCERING, linewidth=0.25, hatch="////", antialiased=False)
            coll.set_gid(f"gebieden-{kind}")
            ax.add_patch(coll)
            continue
        else:
            coll = PolyCollection(rings, facecolors=colour, edgecolors=RAND, linewidths=0.25, antialiaseds=False)
        coll.set_gid(f"gebieden-{kind}")
        ax.add_collection(coll)
    own = [ring for ring, code in zip(proj.ringen, proj.codes) if code == gemeente]
    outline = PolyCollection(own, facecolors="none", edgecolors=OMLIJNING, linewidths=1.3, zorder=5)
    outline.set_path_effects([patheffects.withStroke(linewidth=3.2, foreground="white")])
    outline.set_gid("gemeente-omlijning")
    ax.add_collection(outline)
    ax.set_aspect("equal")
    ax.set_axis_off()


def kaart(proj: Projected, waarden: dict[str, tuple[float | None, str]], *, gemeente: str, naam: str, edges: list[float],
          eenheid: str, referentie: float | None, referentie_label: str) -> plt.Figure:
    """The map figure: the Netherlands (left) and the gemeente's province (right), classes by
    `edges`, '?' for gemeenten without a value and '-' for values not published; a legend bar with
    the gemeente's value above it and the reference group's average below it.

    `waarden` maps a code to (value, status) with status 'waarde', 'onbekend', 'geheim' (or
    'ontbreekt'); gemeenten without an entry are '?'."""
    charts.stijl()
    decimals = formatting.decimalen(eenheid)
    procent = eenheid == "%"
    n = max(len(edges) - 1, 1)
    colours = kleuren(n)
    fill: dict[str, tuple[str, str]] = {}
    for code in proj.kaart.gebieden:
        value, status = waarden.get(code, (None, "ontbreekt"))
        if status == "geheim":
            fill[code] = ("-", GEHEIM_KLEUR)
        elif status == "waarde" and value is not None and np.isfinite(value) and edges:
            fill[code] = ("klasse", colours[klasse(value, edges)])
        else:
            fill[code] = ("?", ONBEKEND_KLEUR)

    fig = plt.figure(figsize=FIGSIZE)
    width, height = FIGSIZE
    map_y, map_h = LEGENDA_HOOGTE / height, KAART_HOOGTE / height  # in figure fractions
    nl_bounds = _bounds(proj.ringen)
    nl_aspect = (nl_bounds[2] - nl_bounds[0]) / (nl_bounds[3] - nl_bounds[1])
    nl_w = min(0.5, KAART_HOOGTE * nl_aspect * 1.02 / width)
    ax_nl = fig.add_axes((0.0, map_y, nl_w, map_h))
    ax_pr = fig.add_axes((nl_w + 0.02, map_y, 1 - nl_w - 0.02, map_h))
    _draw(ax_nl, proj, fill, gemeente)
    xlim, ylim = _fit(nl_bounds, nl_w * width / KAART_HOOGTE, margin=0.01)
    ax_nl.set_xlim(*xlim)
    ax_nl.set_ylim(*ylim)
    provincie = proj.kaart.gebieden[gemeente].provincie
    members = {g.code for g in proj.kaart.provincie(provincie)}
    pr_rings = [ring for ring, code in zip(proj.ringen, proj.codes) if code in members]
    xlim, ylim = _fit(_bounds(pr_rings), (1 - nl_w - 0.02) * width / KAART_HOOGTE)
    _draw(ax_pr, proj, fill, gemeente, context=members, view=(xlim, ylim))
    ax_pr.set_xlim(*xlim)
    ax_pr.set_ylim(*ylim)
    for ax, title in ((ax_nl, "Nederland"), (ax_pr, f"Provincie {provincie}")):
        ax.text(0.5, 1.005, title, transform=ax.transAxes, ha="center", va="bottom", fontsize=charts.TICK_PT, fontweight="bold")
    _legend(fig, edges, colours, fill, waarden.get(gemeente, (None, ""))[0], referentie, naam, referentie_label,
            decimals, procent)
    return fig


def _tekst(value: float, decimals: int, procent: bool) -> str:
    return formatting.procent(value, decimals) if procent else formatting.getal(value, decimals)


def _within(fig, ax, text, x0: float, x1: float) -> None:
    """Shift a label centred on its marker sideways so that it stays above (or below) the class bar,
    between x0 and x1 in axes coordinates: near either end of the bar a long gemeente name would
    otherwise run into the '?' and '-' entries or off the figure."""
    box = text.get_window_extent(renderer=fig.canvas.get_renderer()).transformed(ax.transAxes.inverted())
    x, y = text.get_position()
    if box.x0 < x0:
        text.set_position((x + (x0 - box.x0), y))
    elif box.x1 > x1:
        text.set_position((x - (box.x1 - x1), y))


def _legend(fig, edges, colours, fill, value, referentie, naam, referentie_label, decimals, procent) -> None:
    """The class bar with its edges, the gemeente's value (above) and the group average (below),
    then '?' and '-' with their counts and the outline."""
    ax = fig.add_axes((0.04, 0.01, 0.92, (LEGENDA_HOOGTE - 0.06) / FIGSIZE[1]))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_axis_off()
    ax.set_gid("legenda")
    n = max(len(edges) - 1, 1)
    bar_x0, bar_w, bar_y, bar_h = 0.0, 0.58, 0.42, 0.16
    seg = bar_w / n
    for i in range(n):
        patch = Rectangle((bar_x0 + i * seg, bar_y), seg, bar_h, facecolor=colours[i], edgecolor="#666666", linewidth=0.5)
        patch.set_gid(f"legenda-klasse-{i}")
        ax.add_patch(patch)
    for i, edge in enumerate(edges):
        ax.text(bar_x0 + i * seg, bar_y - 0.04, _tekst(edge, decimals, procent), ha="center", va="top", fontsize=charts.DOEL_PT)

    def position(v: float) -> float:
        k = klasse(v, edges)
        lo, hi = edges[k], edges[k + 1]
        frac = 0.5 if hi <= lo else min(max((v - lo) / (hi - lo), 0.0), 1.0)
        return bar_x0 + (k + frac) * seg

    if value is not None and np.isfinite(value) and edges:
        x = position(value)
        ax.plot([x], [bar_y + bar_h + 0.07], marker="v", color=OMLIJNING, markersize=6, gid="legenda-gemeente")
        label = ax.text(x, bar_y + bar_h + 0.15, f"{naam}: {_tekst(value, decimals, procent)}", ha="center", va="bottom",
                        fontsize=charts.DOEL_PT, fontweight="bold", gid="legenda-gemeente-tekst")
        _within(fig, ax, label, bar_x0, bar_x0 + bar_w)
    if referentie is not None and np.isfinite(referentie) and edges:
        x = position(referentie)
        ax.plot([x], [bar_y - 0.30], marker="^", color=charts.REFERENTIE_KLEUR, markersize=6, gid="legenda-referentie")
        label = ax.text(x, bar_y - 0.40, f"{referentie_label}: {_tekst(referentie, decimals, procent)}", ha="center", va="top",
                        fontsize=charts.DOEL_PT, color="#4d4d4d", gid="legenda-referentie-tekst")
        _within(fig, ax, label, bar_x0, bar_x0 + bar_w)
    counts = {kind: sum(1 for k, _ in fill.values() if k == kind) for kind in ("?", "-")}
    x0 = bar_x0 + bar_w + 0.06
    entries = (
        ("?", Rectangle((x0, 0.66), 0.035, 0.16, facecolor=ONBEKEND_KLEUR, edgecolor=ONBEKEND_ARCERING, hatch="////", linewidth=0.5),
         f"? onbekend of niet geleverd ({counts['?']})"),
        ("-", Rectangle((x0, 0.40), 0.035, 0.16, facecolor=GEHEIM_KLEUR, edgecolor="#666666", linewidth=0.5),
         f"- niet publiceerbaar ({counts['-']})"),
    )
    for kind, patch, label in entries:
        patch.set_gid(f"legenda-{'onbekend' if kind == '?' else 'geheim'}")
        ax.add_patch(patch)
        ax.text(x0 + 0.05, patch.get_y() + 0.08, label, va="center", fontsize=charts.DOEL_PT)
    outline = Rectangle((x0, 0.14), 0.035, 0.16, facecolor="none", edgecolor=OMLIJNING, linewidth=1.3)
    outline.set_path_effects([patheffects.withStroke(linewidth=3.2, foreground="white")])
    outline.set_gid("legenda-omlijning")
    ax.add_patch(outline)
    ax.text(x0 + 0.05, 0.22, f"{naam} (omlijnd)", va="center", fontsize=charts.DOEL_PT)
