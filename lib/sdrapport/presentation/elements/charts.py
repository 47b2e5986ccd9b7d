"""One seaborn house style and the chart types the reports use.

Charts carry no title of their own: the title, unit and source go into the Quarto caption (so they
are the same in HTML and PDF and readable by screen readers). Axis numbers use Dutch formatting.
Missing values ('?', '-') are left out of a chart, never drawn as 0; the caption says so.

Layout rules (checked by tests/test_charts.py on the drawn figures):

- Figures are 6,3 inch wide, the text width of the A4 PDF, and are printed at that size: chart text
  is 9 pt and tick labels 8,5 pt, like the body text (DejaVu Sans).
- Tick labels never overlap: periods get compact labels (`period_tick`: "K1 '20"), long category
  labels are wrapped at word boundaries, bars whose labels still do not fit turn horizontal and
  period labels that still do not fit are rotated.
- The value axis has headroom: its top is a labelled tick above the largest value (or target), so
  no marker or bar is cut off; counts and bars start at 0.
- A target is a dark dashed line labelled "doel 95%" at the right edge of the plot. A percentage
  line chart with a target whose values are all high starts at about 70% instead of 0.
- Series differ in colour, marker and line style, so they stay apart for colour-blind readers and
  in greyscale print; the reference group is always grey and dashed. One series gets no legend;
  several get a legend below the plot, clear of the tick labels and the axis title.

Output (`svg`, shown by Rapport.figuur): SVG, never a raster image, so a chart stays sharp when
zoomed or printed. Text stays text (`svg.fonttype: none`): matplotlib lays it out with DejaVu Sans
(shipped with matplotlib, so the layout is the same on every machine) and the PDF prints it in
DejaVu Sans, its body font; the web version (`svg(fig, web=True)`) names the site's own font stack
instead (SCHRIFT_WEB, the stack of assets/sdrapport.scss). The bytes are reproducible: no date, no
creator, ids from a fixed salt (`svg.hashsalt`).
"""
from __future__ import annotations

import io
import re
import textwrap
from dataclasses import dataclass
from itertools import pairwise

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from sdrapport.presentation.text import formatting
from sdrapport.periods import Period

# Colour-blind safe (Okabe-Ito); the first colour is the gemeente. Yellow (#F0E442) is left out: it
# disappears on white and in greyscale.
PALET = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000"]
REFERENTIE = "Referentiegroep"
REFERENTIE_KLEUR = "#8C8C8C"  # reference lines: grey, dashed
REFERENTIE_BALK = "#B3B3B3"  # reference bars: a lighter grey, well apart from the house blue in greyscale
REFERENTIE_STIJL = (0, (4, 2))
DOEL_KLEUR = "#333333"
DOEL_STIJL = (0, (6, 3))
# Markers and line styles of a gemeente's series, in order: never colour alone. The square is the
# reference group's own marker (REFERENTIE_MARKER), so no series shares its shape.
REFERENTIE_MARKER = "s"
MARKERS = ["o", "^", "D", "v", "P", "X", "*"]
LIJNSTIJLEN = ["-", (0, (1, 1.5)), "-.", (0, (7, 2)), (0, (3, 1.5, 1, 1.5, 1, 1.5)), (0, (1, 3)), (0, (10, 2, 2, 2))]
# Stacked segments also differ in hatching, so neighbours stay apart in greyscale.
# Line hatches only: dot and circle hatches are drawn as hundreds of little curves in an SVG.
ARCERINGEN = ["", "///", "\\\\\\", "xxx", "---", "|||", "+++"]
# Fits the text width of an A4 Typst PDF (about 6,3 inch) at its natural size; 200 dpi keeps it
# sharp there and on screen. Legends go below the plot so they do not widen the figure.
FIGSIZE = (6.3, 3.4)
DPI = 200
TEKST_PT = 9  # axis titles and legend: the body text size of the PDF
TICK_PT = 8.5
DOEL_PT = 8


@dataclass(frozen=True)
class Opmaak:
    """Size and text of a chart: BREED for the PDF and wide screens, SMAL for phones."""

    breedte: float  # inch
    hoogte: float  # inch
    tekst_pt: float  # axis titles, legend title
    tick_pt: float  # tick labels and legend
    doel_pt: float  # target labels
    regel: int  # characters per line of a horizontal bar's category label


BREED = Opmaak(FIGSIZE[0], FIGSIZE[1], TEKST_PT, TICK_PT, DOEL_PT, 26)
# A phone gives a chart a column of 269 px (320 px screen) to 339 px (390 px screen). Drawn 3 inch
# (288 px) wide with no text below 12,5 pt (16,7 px), every text stays at least the page's small text
# (0,875 x 17 px) at 320 px, where the chart shrinks to the column, and at 390 px, where it has its
# own size. Fewer characters per line, thinned or wrapped period labels, horizontal bars and a
# legend in fewer columns follow from the same fitting rules as the wide chart.
SMAL = Opmaak(3.0, 3.2, 13, 12.5, 12.5, 15)
# On a phone the legend is one column below the plot: each series beyond two gets this much height.
SMAL_LEGENDAREGEL = 0.34  # inch (a wrapped name takes two lines)
SMAL_LEGENDA_REGEL = 22  # characters per line of a series name in the legend
# Percentage lines with a target start here (or lower) instead of 0 when every value is high.
DOEL_ONDERGRENS = 70.0
# Chart text in the PDF: its body font (assets/typst-template.typ); also the layout font everywhere.
SCHRIFT = "DejaVu Sans"
# Chart text on the site: the page's own font stack ($font-family-sans-serif in assets/sdrapport.scss).
SCHRIFT_WEB = ('system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", "DejaVu Sans", '
               "Arial, sans-serif")


def stijl(opmaak: Opmaak = BREED) -> None:
    """Apply the house style (call once per notebook; idempotent); `opmaak` sets size and text."""
    sns.set_theme(context="paper", style="whitegrid", palette=PALET, font="DejaVu Sans")
    matplotlib.rcParams.update(
        {
            "figure.figsize": (opmaak.breedte, opmaak.hoogte),
            "figure.dpi": DPI,
            "savefig.dpi": DPI,
            "font.family": "DejaVu Sans",
            "font.size": opmaak.tekst_pt,
            "axes.labelsize": opmaak.tekst_pt,
            "axes.titlesize": opmaak.tekst_pt,
            "xtick.labelsize": opmaak.tick_pt,
            "ytick.labelsize": opmaak.tick_pt,
            "legend.fontsize": opmaak.tick_pt,
            "legend.title_fontsize": opmaak.tekst_pt,
            "lines.linewidth": 1.6,
            "lines.markersize": 5,
            "axes.linewidth": 0.8,
            "grid.linewidth": 0.6,
            "grid.color": "#DDDDDD",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titleweight": "bold",
            "legend.frameon": False,
            "hatch.linewidth": 0.6,
            # IPython saves with bbox_inches='tight': a small pad keeps the PNG at 6,3 inch
            "savefig.pad_inches": 0.02,
            "svg.hashsalt": "sdrapport",  # reproducible SVG ids
            "svg.fonttype": "none",  # text stays text: selectable, searchable, sharp at any size
            "axes.formatter.use_locale": False,
        }
    )


_FONT_FAMILY = re.compile(r"font-family: '[^']*'; ")
_INDENT = re.compile(r"\n[ ]+")
_PATH_DATA = re.compile(r' d="([^"]*)"')
_PATH_TOKEN = re.compile(r"[MLCQZz]|-?\d+(?:\.\d+)?")
_PATH_ARGS = {"M": 2, "L": 2, "C": 6, "Q": 4}


def _tenths(value: int) -> str:
    """A number of tenths as short text: 12 -> '1.2', -3 -> '-.3', 40 -> '4'."""
    text = f"{value / 10:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def _compact_path(d: str) -> str:
    """matplotlib's path data, shorter: points on a 0,1 pt grid (0,035 mm, far below what print or
    screen shows), straight segments as relative moves without repeated points or commands. The
    maps' hundreds of gemeente borders are what makes an SVG chart big; this halves them."""
    out: list[str] = []
    command, last, start, mode = "M", (0, 0), (0, 0), ""
    tokens = _PATH_TOKEN.findall(d)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in "MLCQZz":
            command, i = token, i + 1
            if token in "Zz":  # back at the start of the subpath
                out.append("z")
                mode, last = "z", start
            continue
        n = _PATH_ARGS[command]
        values = [round(float(v) * 10) for v in tokens[i:i + n]]
        i += n
        point = (values[-2], values[-1])
        if command == "L":
            if point == last:
                continue
            if mode != "l":
                out.append("l")
                mode = "l"
            out.append(f"{_tenths(point[0] - last[0])} {_tenths(point[1] - last[1])}")
        else:
            out += [command, " ".join(_tenths(v) for v in values)]
            mode = command
            if command == "M":
                start = point
        last = point
    return " ".join(out)


def svg(fig, *, web: bool = False) -> str:
    """The figure as SVG text, cut to its drawn content like IPython's inline PNG was. The same figure
    gives the same bytes (no date or creator; ids from `svg.hashsalt`). With `web` the text names the
    site's font stack (one style rule) instead of DejaVu Sans on every text element."""
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "sdrapport"}):
        buf = io.StringIO()
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    text = _PATH_DATA.sub(lambda m: f' d="{_compact_path(m.group(1))}"', buf.getvalue())
    text = _INDENT.sub("\n", text)  # matplotlib indents every element; text content is on one line
    if web:
        text = _FONT_FAMILY.sub("", text)
        font_css = SCHRIFT_WEB.replace('"', "'")
        text = text.replace("<style type=\"text/css\">", f"<style type=\"text/css\">text{{font-family: {font_css}}}\n", 1)
    return text


def period_tick(periode: str | Period) -> str:
    """Compact axis label of a period: "K1 '20" for a quarter (K = kwartaal), else the usual short
    label ("H2 2023", "2023"). Only for chart axes; tables and text keep Period.short_label."""
    p = Period.parse(periode)
    if p.kind == "Q":
        return f"K{p.number} '{p.year % 100:02d}"
    return p.short_label


# -- value axis ---------------------------------------------------------------------------------
def _decimals(ticks) -> int:
    """As many decimals as the ticks need (0,02 steps -> 2; 2,5 steps -> 1)."""
    for d in range(4):
        if all(abs(t * 10**d - round(t * 10**d)) < 1e-6 for t in ticks):
            return d
    return 3


def _value_axis(ax, values, *, axis: str = "y", procent: bool = False, doelen=(), ondergrens: bool = False,
                nbins: int = 5) -> None:
    """Limits, ticks and Dutch tick labels of the value axis. The top is a labelled tick above the
    largest value or target (with room for a marker); the bottom is 0, a tick below a negative
    minimum, or, with `ondergrens` for a percentage with targets, about 70% when everything is high."""
    marks = np.array([float(v) for v in [*values, *doelen] if pd.notna(v)], dtype=float)
    if not len(marks):
        return
    lo, hi = float(marks.min()), float(marks.max())
    bottom = min(0.0, lo)
    if ondergrens and procent and len(doelen) and lo >= 0:
        start = 10 * np.floor((lo - 5) / 10)
        if start >= 50:
            bottom = min(DOEL_ONDERGRENS, start)
    integer = not procent and bool(np.all(np.mod(marks, 1) == 0))
    hi = max(hi, bottom + (1 if integer or hi == bottom else 0))
    ticks = MaxNLocator(nbins=nbins, steps=[1, 2, 2.5, 5, 10], integer=integer).tick_values(bottom, max(hi, 0.0))
    step = float(ticks[1] - ticks[0])
    bottom = step * np.floor(bottom / step + 1e-9)
    if lo < 0:  # a tick below the lowest value as well
        bottom = min(bottom, step * (np.ceil(lo / step - 1e-9) - 1))
    top = step * (np.floor(hi / step + 1e-9) + 1)
    if top < 0:  # negative values only (a score): the axis still reaches 0, the reference
        top = 0.0
    margin = 0.03 * (top - bottom)  # about a marker's radius
    if 0 <= top - hi < margin:
        top += step
    if lo < 0 and lo - bottom < margin:
        bottom -= step
    limit = top
    if procent and top > 100 >= hi:  # no tick above 100%; keep room for a marker at 100%
        top = step * np.floor(100 / step + 1e-9)
        limit = max(top, hi + margin)
    locs = np.round(np.arange(bottom, top + step / 2, step), 10)
    target = ax.yaxis if axis == "y" else ax.xaxis
    (ax.set_ylim if axis == "y" else ax.set_xlim)(bottom, limit)
    target.set_major_locator(FixedLocator(locs))
    decimals = _decimals(locs)
    target.set_major_formatter(FuncFormatter(lambda x, _pos: formatting.getal(x, decimals)))
    if lo < 0:
        (ax.axhline if axis == "y" else ax.axvline)(0, color="#444444", linewidth=0.8)


# -- tick labels ----------------------------------------------------------------------------------
def _overlap(fig, labels, axis: str = "x") -> bool:
    """True when two of the drawn tick labels overlap (or touch)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in labels if t.get_visible() and t.get_text()]
    if axis == "x":
        boxes.sort(key=lambda b: b.x0)
        return any(a.x1 + 2 > b.x0 for a, b in pairwise(boxes))
    boxes.sort(key=lambda b: b.y0)
    return any(a.y1 + 1 > b.y0 for a, b in pairwise(boxes))


def _fit_xticks(fig, ax, texts: list[str], widths: tuple[int, ...], *, rotate: bool = True, thin: bool = False) -> bool:
    """Make the x tick labels fit: as they are, else wrapped at word boundaries (narrower and
    narrower), else (with `thin`, for periods on a phone) only every 2nd, 3rd or 4th label, counted
    back from the last period, else (with `rotate`) turned 45 degrees. False when they still do not fit."""
    locs = list(ax.get_xticks())
    for width in (None, *widths):
        shown = texts if width is None else [textwrap.fill(t, width, break_long_words=False) for t in texts]
        ax.set_xticks(locs, shown)
        if not _overlap(fig, ax.get_xticklabels()):
            return True
    if thin:
        for step in (2, 3, 4):
            for width in (None, *widths):
                shown = [(t if width is None else textwrap.fill(t, width, break_long_words=False))
                         if (len(texts) - 1 - i) % step == 0 else "" for i, t in enumerate(texts)]
                ax.set_xticks(locs, shown)
                if not _overlap(fig, ax.get_xticklabels()):
                    return True
    if not rotate:
        return False
    ax.set_xticks(locs, texts)
    for t in ax.get_xticklabels():
        t.set_rotation(45)
        t.set_horizontalalignment("right")
        t.set_rotation_mode("anchor")
    return not _overlap(fig, ax.get_xticklabels())


PERIODE_BREEDTES = (1,)  # a period label breaks at its space: "K1\n'20"
CATEGORIE_BREEDTES = (18, 14, 11)


# -- legend and targets -----------------------------------------------------------------------------
def _legend(fig, handles, labels, regel: int | None = None) -> None:
    """A legend below the plot (outside it: constrained layout keeps it clear of the tick labels and
    the axis title), in as many columns as fit the figure width. Nothing for a single series.
    `regel` wraps long series names (a phone: a name wider than the chart would widen the SVG and
    so shrink all its text)."""
    if len(labels) < 2:
        return
    if regel:
        labels = [textwrap.fill(str(t), regel, break_long_words=False) for t in labels]
    for ncol in range(min(len(labels), 4), 0, -1):
        legend = fig.legend(handles, labels, loc="outside lower center", ncol=ncol, frameon=False,
                            handlelength=2.8, columnspacing=1.6)
        fig.canvas.draw()
        if legend.get_window_extent().width <= 0.98 * fig.bbox.width or ncol == 1:
            return
        legend.remove()


def target_text(value: float, procent: bool) -> str:
    decimals = 0 if float(value).is_integer() else 1
    return f"{formatting.getal(value, decimals)}{'%' if procent else ''}"


def target_groups(doelen: dict | None) -> dict[float, list]:
    """Series per target value, in order of the first series: {95.0: ['Wmo', 'Jeugdwet'], 80.0: [...]}."""
    groups: dict[float, list] = {}
    for name, value in (doelen or {}).items():
        if value is not None and pd.notna(value):
            groups.setdefault(float(value), []).append(name)
    return groups


def _targets(fig, ax, doelen: dict | None, series: list, procent: bool, fontsize: float = DOEL_PT,
             binnen: bool = False) -> None:
    """A dark dashed line per target value, labelled "doel 95%" (with the series it belongs to when
    not every series has that target) in the right margin, labels pushed apart when they are close.
    With `binnen` (a phone: no width to spare) the label sits on the line at the right inside the plot."""
    groups = target_groups(doelen)
    if not groups:
        return
    own = [s for s in series if s != REFERENTIE]  # the reference group has no target of its own
    named = len(groups) > 1 or (len(own) > 1 and len(next(iter(groups.values()))) < len(own))
    notes = []
    for value, names in groups.items():
        ax.axhline(value, color=DOEL_KLEUR, linestyle=DOEL_STIJL, linewidth=1.1, zorder=1.5, gid="doel")
        text = f"doel {target_text(value, procent)}"
        if named and any(n is not None for n in names):
            text += "\n" + textwrap.fill(", ".join(str(n) for n in names), 16, break_long_words=False)
        if binnen:
            ax.annotate(text, xy=(1, value), xycoords=("axes fraction", "data"), xytext=(-2, 2),
                        textcoords="offset points", va="bottom", ha="right", fontsize=fontsize, color=DOEL_KLEUR,
                        bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
                        gid="doel-label", zorder=2.6)  # under the data: no marker is hidden
            continue
        notes.append(ax.annotate(text, xy=(1, value), xycoords=("axes fraction", "data"), xytext=(4, 0),
                                 textcoords="offset points", va="center", ha="left", fontsize=fontsize,
                                 color=DOEL_KLEUR, annotation_clip=False, gid="doel-label"))
    if len(notes) > 1:  # keep the labels apart, in the order of their values
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        order = sorted(notes, key=lambda n: n.xy[1])
        floor = None
        for note in order:
            box = note.get_window_extent(renderer)
            centre = ax.transData.transform((0, note.xy[1]))[1]
            want = centre if floor is None else max(centre, floor + box.height / 2 + 2)
            note.xyann = (4, (want - centre) * 72 / fig.dpi)
            floor = want + box.height / 2


# -- series styles ------------------------------------------------------------------------------------
def _line_styles(series: list) -> dict:
    """Colour, marker and line style per series: the reference group grey and dashed, the others in
    order from PALET, MARKERS and LIJNSTIJLEN (so no two series differ in colour only)."""
    out, n = {}, 0
    for name in series:
        if name == REFERENTIE:
            out[name] = {"color": REFERENTIE_KLEUR, "marker": REFERENTIE_MARKER, "linestyle": REFERENTIE_STIJL}
        else:
            out[name] = {"color": PALET[n % len(PALET)], "marker": MARKERS[n % len(MARKERS)],
                         "linestyle": LIJNSTIJLEN[n % len(LIJNSTIJLEN)]}
            n += 1
    return out


def _bar_colours(levels: list) -> dict:
    out, n = {}, 0
    for name in levels:
        if name == REFERENTIE:
            out[name] = REFERENTIE_BALK
        else:
            out[name] = PALET[n % len(PALET)]
            n += 1
    return out


def _breaks(ax, breuken: list[int]) -> None:
    for i in breuken:
        ax.axvline(i - 0.5, color="#444444", linestyle="--", linewidth=1.2)


def _draw_lines(ax, data: pd.DataFrame, *, x: str, y: str, hue: str | None, order: list, breuken: list[int]) -> tuple[list, list]:
    """Lines with markers per series, interrupted at each break; returns legend handles and labels."""
    pos = {k: i for i, k in enumerate(order)}
    series = list(dict.fromkeys(data[hue])) if hue else [None]
    styles = _line_styles(series)
    edges = [0, *sorted(breuken), len(order)]
    handles = []
    for name in series:
        part = data if name is None else data[data[hue] == name]
        part = part.assign(_pos=part[x].map(pos)).dropna(subset=["_pos", y]).sort_values("_pos")
        for lo, hi in pairwise(edges):
            seg = part[(part["_pos"] >= lo) & (part["_pos"] < hi)]
            if not seg.empty:
                ax.plot(seg["_pos"], seg[y], markeredgecolor="white", markeredgewidth=0.6, zorder=3, **styles[name])
        handles.append(Line2D([], [], markeredgecolor="white", markeredgewidth=0.6, **styles[name]))
    ax.set_xticks(range(len(order)), order)
    ax.set_xlim(-0.5, len(order) - 0.5)
    ax.grid(False, axis="x")  # periods are categories: no vertical grid lines
    _breaks(ax, breuken)
    return handles, [str(s) for s in series]


def lijn(data: pd.DataFrame, *, x: str, y: str, hue: str | None = None, ylabel: str = "",
         breuken: list[int] | None = None, order: list[str] | None = None, doelen: dict | None = None,
         procent: bool = False, smal: bool = False) -> plt.Figure:
    """Trend lines over periods (x in period order as given). At a break (a boundary change, given
    as the index of the first period after it) the line is interrupted and a dashed line drawn.
    `doelen` maps a series (a value of `hue`, or any key for one series) to its target: a dashed
    line labelled "doel 95%"; `procent` says that y is a percentage (no tick above 100%); `smal`
    draws the phone layout (SMAL)."""
    opmaak = SMAL if smal else BREED
    stijl(opmaak)
    height = opmaak.hoogte + (SMAL_LEGENDAREGEL * max(0, data[hue].nunique() - 2) if smal and hue else 0)
    fig, ax = plt.subplots(figsize=(opmaak.breedte, height), layout="constrained")
    order = order or list(dict.fromkeys(data[x]))  # all periods keep their slot, also without a value
    handles, labels = _draw_lines(ax, data, x=x, y=y, hue=hue, order=order, breuken=breuken or [])
    ax.set_xlabel("")
    ax.set_ylabel(ylabel)
    groups = target_groups(doelen)
    _value_axis(ax, data[y], procent=procent, doelen=list(groups), ondergrens=True)
    _targets(fig, ax, doelen, labels, procent, opmaak.doel_pt, binnen=smal)
    _legend(fig, handles, labels, regel=SMAL_LEGENDA_REGEL if smal else None)
    _fit_xticks(fig, ax, [str(o) for o in order], PERIODE_BREEDTES, thin=smal)
    return fig


def lijn_met_aantal(data: pd.DataFrame, *, x: str, y: str, aantal: str, ylabel: str = "", aantal_label: str = "",
                    order: list[str] | None = None, breuken: list[int] | None = None, doel: float | None = None,
                    procent: bool = False, smal: bool = False) -> plt.Figure:
    """One series as a line (with its target) above bars of the number it is computed over (e.g.
    tijdigheid above the number of decisions), on a shared period axis. Two panels instead of two
    y-axes in one plot, so neither scale can be read against the other's ticks."""
    opmaak = SMAL if smal else BREED
    stijl(opmaak)
    fig, (ax, ax2) = plt.subplots(2, 1, sharex=True, figsize=(opmaak.breedte, opmaak.hoogte + 0.5 + (0.6 if smal else 0)),
                                  layout="constrained",
                                  height_ratios=[2.2, 1])
    fig.get_layout_engine().set(h_pad=0.1)  # room between the panels' tick labels
    order = order or list(dict.fromkeys(data[x]))
    breuken = breuken or []
    _draw_lines(ax, data, x=x, y=y, hue=None, order=order, breuken=breuken)
    ax.set_ylabel(ylabel)
    _value_axis(ax, data[y], procent=procent, doelen=[doel] if doel is not None else [], ondergrens=True)
    _targets(fig, ax, {None: doel} if doel is not None else None, [None], procent, opmaak.doel_pt, binnen=smal)
    pos = {k: i for i, k in enumerate(order)}
    counts = data.assign(_pos=data[x].map(pos)).dropna(subset=["_pos", aantal])
    ax2.bar(counts["_pos"], counts[aantal], width=0.55, color=PALET[5], zorder=2)
    ax2.set_ylabel(textwrap.fill(aantal_label, 14, break_long_words=False))  # fits the low panel
    ax2.set_xlabel("")
    ax2.grid(False, axis="x")
    _breaks(ax2, breuken)
    _value_axis(ax2, counts[aantal], nbins=2)  # a small panel: few ticks
    fig.align_ylabels([ax, ax2])
    _fit_xticks(fig, ax2, [str(o) for o in order], PERIODE_BREEDTES, thin=smal)
    return fig


# -- bars -----------------------------------------------------------------------------------------------
LABEL_BOVEN = 0.75


def _bar_height(n: int, levels: int, texts: list[str], opmaak: Opmaak = BREED) -> float:
    """Height of a horizontal bar chart: room per category, per bar and per wrapped label line."""
    extra = sum(t.count("\n") for t in texts)
    k = opmaak.tick_pt / TICK_PT  # larger text, taller rows
    return max(2.4, k * (n * (0.12 + 0.14 * levels) + 0.14 * extra) + 0.9 * k)


def staaf(data: pd.DataFrame, *, x: str, y: str, hue: str | None = None, ylabel: str = "",
          horizontaal: bool = False, gestapeld: bool = False, breuken: list[int] | None = None,
          order: list[str] | None = None, smal: bool = False) -> plt.Figure:
    """Bars per category; hue splits them (side by side, or stacked with gestapeld=True). Upright
    bars whose category labels do not fit even when wrapped are drawn horizontally instead (on a
    phone, `smal`, that is where many categories end up)."""
    opmaak = SMAL if smal else BREED
    if not horizontaal and not gestapeld:
        fig = _staaf(data, x=x, y=y, hue=hue, ylabel=ylabel, horizontaal=False, gestapeld=False,
                     breuken=breuken, order=order, rotate=False, opmaak=opmaak)
        if fig is not None:
            return fig
        horizontaal = True
    return _staaf(data, x=x, y=y, hue=hue, ylabel=ylabel, horizontaal=horizontaal, gestapeld=gestapeld,
                  breuken=breuken, order=order, rotate=True, opmaak=opmaak)


def _staaf(data: pd.DataFrame, *, x: str, y: str, hue: str | None, ylabel: str, horizontaal: bool,
           gestapeld: bool, breuken: list[int] | None, order: list[str] | None, rotate: bool,
           opmaak: Opmaak = BREED) -> plt.Figure | None:
    stijl(opmaak)
    order = order or list(dict.fromkeys(data[x]))
    levels = list(dict.fromkeys(data[hue])) if hue else [None]
    texts = [str(o) for o in order]
    # On a phone a horizontal bar's category is a line of its own above the bars (LABEL_BOVEN data
    # units, a bar slot being 1): a long name beside the bars would leave them no width.
    boven = horizontaal and opmaak is SMAL
    if horizontaal:
        texts = [textwrap.fill(t, opmaak.regel * 2 if boven else opmaak.regel, break_long_words=False) for t in texts]
        height = _bar_height(len(order), 1 if gestapeld else len(levels), texts, opmaak)
        if boven:
            height += len(order) * (1 + max(t.count("\n") for t in texts)) * opmaak.tick_pt * 1.25 / 72
        fig, ax = plt.subplots(figsize=(opmaak.breedte, height), layout="constrained")
    else:
        height = opmaak.hoogte + (SMAL_LEGENDAREGEL * max(0, len(levels) - 2) if opmaak is SMAL else 0)
        fig, ax = plt.subplots(figsize=(opmaak.breedte, height), layout="constrained")
    pos = np.arange(len(order), dtype=float)
    if boven:
        pos = pos * (1 + LABEL_BOVEN) + LABEL_BOVEN
    bar = ax.barh if horizontaal else ax.bar
    handles, labels = [], []
    if gestapeld and hue:
        wide = data.pivot_table(index=x, columns=hue, values=y, aggfunc="sum", sort=False).reindex(order)
        acc = np.zeros(len(order))
        for j, level in enumerate(wide.columns):
            vals = wide[level].to_numpy(dtype=float)
            kwargs = {"left": acc} if horizontaal else {"bottom": acc}
            bars = bar(pos, np.nan_to_num(vals), 0.7, color=PALET[j % len(PALET)], edgecolor="white", linewidth=0.6,
                       hatch=ARCERINGEN[j % len(ARCERINGEN)], zorder=2, **kwargs)
            acc = acc + np.nan_to_num(vals)
            handles.append(bars)
            labels.append(str(level))
        extent = acc
    else:
        colours = _bar_colours(levels)
        width = 0.8 / len(levels) if horizontaal else min(0.7, 0.8 / len(levels))
        for j, level in enumerate(levels):
            part = data if level is None else data[data[hue] == level]
            vals = part.groupby(x, sort=False)[y].sum(min_count=1).reindex(order).to_numpy(dtype=float)
            offset = (j - (len(levels) - 1) / 2) * width
            bars = bar(pos + offset, np.nan_to_num(vals), width * 0.95, color=colours[level], zorder=2)
            handles.append(bars)
            labels.append(str(level))
        extent = data[y]
    if boven:
        ax.set_yticks([])
        ax.set_ylim(pos[-1] + 0.5, -0.05)  # first category on top
        for p, t in zip(pos, texts):
            ax.text(0, p - 0.45, t, transform=ax.get_yaxis_transform(), ha="left", va="bottom",
                    fontsize=opmaak.tick_pt, gid="categorie")
    if horizontaal:
        if not boven:
            ax.set_yticks(pos, texts)
            ax.set_ylim(len(order) - 0.5, -0.5)  # first category on top
        ax.grid(False, axis="y")
        # on a phone a long unit ('per 1.000 inwoners van 15-74 jaar') would be wider than the chart
        ax.set_xlabel(textwrap.fill(ylabel, SMAL_LEGENDA_REGEL, break_long_words=False) if opmaak is SMAL else ylabel)
        ax.set_ylabel("")
        _value_axis(ax, extent, axis="x", nbins=3 if opmaak is SMAL else 5)
    else:
        ax.set_xticks(pos, texts)
        ax.set_xlim(-0.5, len(order) - 0.5)
        ax.grid(False, axis="x")  # categories: no vertical grid lines
        ax.set_xlabel("")
        ax.set_ylabel(ylabel)
        _breaks(ax, breuken or [])
        _value_axis(ax, extent, nbins=4 if opmaak is SMAL else 5)
    _legend(fig, handles, labels, regel=SMAL_LEGENDA_REGEL if opmaak is SMAL else None)
    if not horizontaal:
        widths = PERIODE_BREEDTES if gestapeld else CATEGORIE_BREEDTES
        if not _fit_xticks(fig, ax, texts, widths, rotate=rotate, thin=gestapeld and opmaak is SMAL) and not rotate:
            plt.close(fig)
            return None
    return fig
