"""One seaborn house style and the chart types the reports use.

Charts carry no title of their own: the title, unit and source go into the Quarto caption (so they
are the same in HTML and PDF and readable by screen readers). Axis numbers use Dutch formatting.
Missing values ('?', '-') are left out of a chart, never drawn as 0; the caption says so.
"""
from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import FuncFormatter, MaxNLocator

from . import formatting

# Colour-blind safe (Okabe-Ito based); first colour is the gemeente, grey the reference group.
PALET = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
REFERENTIE_KLEUR = "#8C8C8C"
# Fits the text width of an A4 Typst PDF (about 6,3 inch) at its natural size; 200 dpi keeps it
# sharp there and on screen. Legends go below the plot so they do not widen the figure.
FIGSIZE = (6.3, 3.6)
DPI = 200


def stijl() -> None:
    """Apply the house style (call once per notebook; idempotent)."""
    sns.set_theme(context="notebook", style="whitegrid", palette=PALET, font="DejaVu Sans")
    matplotlib.rcParams.update(
        {
            "figure.figsize": FIGSIZE,
            "figure.dpi": DPI,
            "savefig.dpi": DPI,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titleweight": "bold",
            "legend.frameon": False,
            "svg.hashsalt": "sdrapport",  # reproducible SVG ids
            "axes.formatter.use_locale": False,
        }
    )


def _dutch_axis(ax, axis: str = "y") -> None:
    """Dutch tick labels with as many decimals as the tick spacing needs (0,02 steps -> 2)."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(MaxNLocator(nbins=6))

    def fmt(x, _pos):
        ticks = target.get_majorticklocs()
        step = min((abs(b - a) for a, b in zip(ticks, ticks[1:]) if b != a), default=1.0)
        decimals = max(0, -int(np.floor(np.log10(step)))) if step < 1 else 0
        return formatting.getal(x, decimals)

    target.set_major_formatter(FuncFormatter(fmt))


def _palette(data: pd.DataFrame, hue: str | None) -> dict | None:
    """The gemeente in the house blue, the reference group always in grey."""
    if not hue or "Referentiegroep" not in set(data[hue]):
        return None
    return {n: (REFERENTIE_KLEUR if n == "Referentiegroep" else PALET[0]) for n in dict.fromkeys(data[hue])}


def _breaks(ax, breuken: list[int]) -> None:
    for i in breuken:
        ax.axvline(i - 0.5, color="#444444", linestyle="--", linewidth=1.2)


def lijn(data: pd.DataFrame, *, x: str, y: str, hue: str | None = None, ylabel: str = "",
         breuken: list[int] | None = None, order: list[str] | None = None) -> plt.Figure:
    """Trend lines over periods (x in period order as given). At a break (a boundary change, given
    as the index of the first period after it) the line is interrupted and a dashed line drawn."""
    stijl()
    fig, ax = plt.subplots()
    order = order or list(dict.fromkeys(data[x]))  # all periods keep their slot, also without a value
    plot = data.assign(_pos=data[x].map({k: i for i, k in enumerate(order)}))
    edges = [0, *sorted(breuken or []), len(order)]
    for n, (lo, hi) in enumerate(zip(edges, edges[1:])):
        part = plot[(plot["_pos"] >= lo) & (plot["_pos"] < hi)]
        if not part.empty:
            sns.lineplot(data=part, x="_pos", y=y, hue=hue, marker="o", ax=ax, errorbar=None, sort=True,
                         palette=_palette(plot, hue), legend=n == 0)
    _breaks(ax, breuken or [])
    ax.set_xticks(range(len(order)), order)
    ax.set_xlabel("")
    ax.set_ylabel(ylabel)
    if (plot[y].dropna() >= 0).all():
        ax.set_ylim(bottom=0)  # counts and rates start at zero; scores may be negative
    else:
        ax.axhline(0, color="#444444", linewidth=0.8)
    _dutch_axis(ax)
    if hue:
        _legend_below(ax)
    fig.tight_layout()
    return fig


def _legend_below(ax) -> None:
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles, labels, title=None, loc="upper center", bbox_to_anchor=(0.5, -0.12),
              ncol=min(3, max(1, len(labels))), fontsize="small")


def staaf(data: pd.DataFrame, *, x: str, y: str, hue: str | None = None, ylabel: str = "",
          horizontaal: bool = False, gestapeld: bool = False, breuken: list[int] | None = None,
          order: list[str] | None = None) -> plt.Figure:
    """Bars per category; hue splits them (side by side, or stacked with gestapeld=True)."""
    stijl()
    fig, ax = plt.subplots(figsize=(FIGSIZE[0], max(FIGSIZE[1], 0.36 * data[x].nunique() + 1.2)) if horizontaal else FIGSIZE)
    if gestapeld and hue:
        wide = data.pivot_table(index=x, columns=hue, values=y, aggfunc="sum", sort=False)
        wide = wide.reindex(order or list(dict.fromkeys(data[x])))
        wide.plot(kind="barh" if horizontaal else "bar", stacked=True, ax=ax, color=PALET[: wide.shape[1]], width=0.7)
        if not horizontaal:
            ax.tick_params(axis="x", rotation=0)
        _legend_below(ax)
    else:
        palette = _palette(data, hue)
        kwargs = {"y": x, "x": y} if horizontaal else {"x": x, "y": y}
        sns.barplot(data=data, hue=hue, ax=ax, errorbar=None, palette=palette, **kwargs)
        if hue:
            _legend_below(ax)
    ax.set_xlabel(ylabel if horizontaal else "")
    ax.set_ylabel("" if horizontaal else ylabel)
    if not horizontaal:
        _breaks(ax, breuken or [])
    _dutch_axis(ax, "x" if horizontaal else "y")
    fig.tight_layout()
    return fig
