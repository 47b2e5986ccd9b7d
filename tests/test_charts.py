"""The chart functions, checked on the drawn matplotlib figures: compact period labels, tick labels
that do not overlap, headroom above the data, target lines, series that differ in more than colour,
no legend for one series, and text sized for the 6,3 inch PDF width."""
from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from sdrapport.presentation.elements import charts
from sdrapport.periods import Period

QUARTERS = Period.parse("2021-Q1").last(8)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _boxes(fig, texts):
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return [t.get_window_extent(renderer) for t in texts if t.get_visible() and t.get_text()]


def _no_overlap(fig, texts) -> bool:
    boxes = _boxes(fig, texts)
    return not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))


def _series(values: dict[str, list[float]], periods=QUARTERS) -> pd.DataFrame:
    return pd.DataFrame([{"label": charts.period_tick(p), "wet": name, "waarde": v}
                         for name, vs in values.items() for p, v in zip(periods, vs)])


def _data_lines(ax):
    """The drawn series: lines with markers (target, break and zero lines have none)."""
    return [ln for ln in ax.get_lines() if ln.get_marker() not in (None, "None", "", " ")]


def _target_lines(ax, y):
    return [ln for ln in ax.get_lines() if ln.get_gid() == "doel" and np.allclose(ln.get_ydata(), y)]


def test_compact_quarter_labels_only_on_chart_axes():
    assert [charts.period_tick(p) for p in ("2020-Q1", "2021-Q4", "2023-H2", "2024")] == ["K1 '20", "K4 '21", "H2 2023", "2024"]
    assert Period.parse("2020-Q1").short_label == "Q1 2020"  # tables and text keep their label


def test_eight_quarters_get_compact_labels_that_do_not_overlap():
    df = _series({"Wmo": [1800, 1790, 1850, 1820, 1810, 1790, 1830, 1845]})
    fig = charts.lijn(df, x="label", y="waarde", ylabel="aantal")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["K2 '19", "K3 '19", "K4 '19", "K1 '20", "K2 '20", "K3 '20", "K4 '20", "K1 '21"]
    assert _no_overlap(fig, ax.get_xticklabels())
    assert all(t.get_rotation() == 0 for t in ax.get_xticklabels())  # they fit as they are


def test_the_old_long_quarter_labels_did_overlap_so_the_check_can_fail():
    df = _series({"Wmo": [1.0] * 8}).assign(label=[p.short_label for p in QUARTERS])
    stijl_fig, ax = plt.subplots(figsize=charts.FIGSIZE)
    ax.set_xticks(range(8), list(df["label"]))
    for t in ax.get_xticklabels():
        t.set_fontsize(12)  # the old 'notebook' context size
    assert not _no_overlap(stijl_fig, ax.get_xticklabels())


def test_many_periods_are_wrapped_or_rotated_until_they_fit():
    periods = Period.parse("2024-Q4").last(20)
    df = _series({"Wmo": list(range(20))}, periods=periods)
    fig = charts.lijn(df, x="label", y="waarde", ylabel="aantal")
    assert _no_overlap(fig, fig.axes[0].get_xticklabels())


@pytest.mark.parametrize("labels", [
    ["Bejegening", "Voortvarendheid", "Informatievoorziening", "Overig"],
    ["Voortvarendheid van de afhandeling", "Informatievoorziening aan de klant", "Bejegening door medewerkers",
     "Bereikbaarheid telefonisch", "Overige klachten en meldingen", "Informatievoorziening"],
    ["VoortvarendheidInformatievoorziening", "BejegeningBereikbaarheid", "InformatievoorzieningVoortvarendheid",
     "Overig", "BereikbaarheidBejegening"],
])
def test_category_labels_never_overlap(labels):
    df = pd.DataFrame({"norm": labels, "reeks": "Dordrecht", "waarde": np.linspace(10, 40, len(labels))})
    fig = charts.staaf(df, x="norm", y="waarde", hue="reeks", ylabel="%")
    ax = fig.axes[0]
    ticks = ax.get_yticklabels() if ax.get_ylim()[0] > ax.get_ylim()[1] else ax.get_xticklabels()  # may turn horizontal
    assert _no_overlap(fig, ticks)
    shown = [t.get_text().replace("\n", " ") for t in ticks]
    assert shown == labels  # wrapped at word boundaries only: no word is cut


def test_long_single_words_turn_the_bars_horizontal():
    labels = ["VoortvarendheidInformatievoorziening", "InformatievoorzieningVoortvarendheid", "BejegeningBereikbaarheid",
              "BereikbaarheidBejegening", "OverigeKlachtenmeldingen"]
    df = pd.DataFrame({"norm": labels, "reeks": "Dordrecht", "waarde": [1, 2, 3, 4, 5]})
    ax = charts.staaf(df, x="norm", y="waarde", hue="reeks", ylabel="aantal").axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == labels  # categories on the vertical axis, first on top
    assert ax.get_ylim()[0] > ax.get_ylim()[1]


@pytest.mark.parametrize("values", [[33.3, 33.3, 40.0], [12, 47, 50], [12, 30, 39.9], [0.4, 0.9, 1.0], [1795, 1840, 1848]])
def test_value_axis_has_a_labelled_tick_above_the_maximum(values):
    bars = pd.DataFrame({"norm": ["a", "b", "c"], "reeks": "G", "waarde": values})
    line = pd.DataFrame({"label": ["K1 '21", "K2 '21", "K3 '21"], "waarde": values})
    for fig in (charts.staaf(bars, x="norm", y="waarde", hue="reeks", ylabel="aantal"),
                charts.lijn(line, x="label", y="waarde", ylabel="aantal")):
        ax = fig.axes[0]
        top = ax.get_ylim()[1]
        ticks = [t for t in ax.get_yticks() if t <= top + 1e-9]
        assert top > max(values)
        assert max(ticks) > max(values) and np.isclose(max(ticks), top)  # the top is a labelled tick
        assert ax.get_ylim()[0] == 0  # counts and bars start at 0
        # room for a marker: the top is at least 3% of the axis above the highest point
        assert (top - max(values)) >= 0.03 * (top - ax.get_ylim()[0]) - 1e-9


def test_stacked_and_horizontal_bars_leave_room_above_the_total():
    df = pd.DataFrame({"jaar": ["2021", "2021", "2022", "2022"], "cat": ["a", "b", "a", "b"], "waarde": [30, 10, 35, 15]})
    ax = charts.staaf(df, x="jaar", y="waarde", hue="cat", ylabel="EUR x 1.000", gestapeld=True).axes[0]
    assert ax.get_ylim()[1] > 50
    ax = charts.staaf(df, x="jaar", y="waarde", hue="cat", ylabel="aantal", horizontaal=True).axes[0]
    assert ax.get_xlim()[1] > 35


def test_percentages_never_get_a_tick_above_100():
    df = _series({"Wmo": [96, 97, 98, 99, 100, 99, 98, 97]})
    ax = charts.lijn(df, x="label", y="waarde", ylabel="%", procent=True, doelen={"Wmo": 95}).axes[0]
    assert max(ax.get_yticks()) == 100
    assert ax.get_ylim()[1] > 100  # still room for the marker at 100%


def test_negative_scores_keep_zero_and_room_below():
    df = pd.DataFrame({"label": ["2020", "2021", "2022", "2023"], "waarde": [-0.136, -0.121, -0.124, -0.109]})
    ax = charts.lijn(df, x="label", y="waarde", ylabel="score").axes[0]
    bottom, top = ax.get_ylim()
    assert bottom < -0.136 and top >= 0


def test_target_lines_per_value_with_their_label():
    df = _series({"Wmo": [93, 92, 94, 93, 95, 94, 93, 92], "Jeugdwet": [88, 87, 86, 89, 85, 88, 87, 86],
                  "Participatiewet": [96, 95, 97, 96, 95, 96, 97, 96]})
    fig = charts.lijn(df, x="label", y="waarde", hue="wet", ylabel="%", procent=True,
                      doelen={"Wmo": 80, "Jeugdwet": 95, "Participatiewet": 95})
    ax = fig.axes[0]
    assert len(_target_lines(ax, 95)) == 1 and len(_target_lines(ax, 80)) == 1  # one line per target value
    line = _target_lines(ax, 95)[0]
    assert list(line.get_xdata()) == [0, 1]  # an axhline: across the whole plot
    assert line.get_linestyle() == "--"
    notes = {t.get_text() for t in ax.texts if t.get_gid() == "doel-label"}
    assert notes == {"doel 95%\nJeugdwet,\nParticipatiewet", "doel 80%\nWmo"}
    assert _no_overlap(fig, [t for t in ax.texts if t.get_gid() == "doel-label"])
    # all values high: the axis starts around 70% instead of squeezing the lines into the top
    assert 60 <= ax.get_ylim()[0] <= 75


def test_close_target_labels_are_pushed_apart():
    df = _series({"Wmo": [90] * 8, "Jeugdwet": [91] * 8})
    fig = charts.lijn(df, x="label", y="waarde", hue="wet", ylabel="%", procent=True, doelen={"Wmo": 95, "Jeugdwet": 94})
    notes = [t for t in fig.axes[0].texts if t.get_gid() == "doel-label"]
    assert len(notes) == 2 and _no_overlap(fig, notes)


def test_no_target_no_line_and_counts_start_at_zero():
    df = _series({"Wmo": [93, 92, 94, 93, 95, 94, 93, 92]})
    ax = charts.lijn(df, x="label", y="waarde", ylabel="%", procent=True).axes[0]
    assert not [ln for ln in ax.get_lines() if ln.get_gid() == "doel"]
    assert ax.get_ylim()[0] == 0  # without a target a percentage starts at 0
    counts = _series({"Wmo": [930, 920, 940, 930, 950, 940, 930, 920]})
    ax = charts.lijn(counts, x="label", y="waarde", ylabel="aantal", doelen={"Wmo": 900}).axes[0]
    assert len(_target_lines(ax, 900)) == 1 and ax.get_ylim()[0] == 0  # counts always from 0


def test_target_close_to_zero_values_keeps_the_axis_at_zero():
    df = _series({"Wmo": [42, 41, 43, 40, 39, 41, 40, 37]})
    ax = charts.lijn(df, x="label", y="waarde", ylabel="%", procent=True, doelen={"Wmo": 40}).axes[0]
    assert ax.get_ylim()[0] == 0 and len(_target_lines(ax, 40)) == 1
    assert [t.get_text() for t in ax.texts if t.get_gid() == "doel-label"] == ["doel 40%"]  # one series: no name


def test_series_differ_in_marker_and_line_style_and_the_reference_is_grey_dashed():
    df = _series({"Ondersteuning thuis": [1] * 8, "Hulp bij het huishouden": [2] * 8, "Hulpmiddelen": [3] * 8,
                  "Verblijf en opvang": [4] * 8, "Overig": [5] * 8})
    ax = charts.lijn(df, x="label", y="waarde", hue="wet", ylabel="aantal").axes[0]
    lines = _data_lines(ax)
    assert len(lines) == 5
    assert len({ln.get_marker() for ln in lines}) == 5
    # get_linestyle() says '--' for every custom dash tuple; the dash pattern itself must differ
    assert len({str(ln._unscaled_dash_pattern) for ln in lines}) == 5

    ref = pd.concat([_series({"Hilversum": [30, 31, 32, 31, 30, 29, 30, 31]}),
                     _series({charts.REFERENTIE: [35, 35, 34, 34, 33, 33, 32, 32]})])
    ax = charts.lijn(ref, x="label", y="waarde", hue="wet", ylabel="per 1.000 inwoners").axes[0]
    own, grey = _data_lines(ax)
    assert matplotlib.colors.to_hex(grey.get_color()) == charts.REFERENTIE_KLEUR.lower()
    assert grey.get_linestyle() == "--" and own.get_linestyle() == "-"
    assert own.get_marker() != grey.get_marker()


def test_one_series_has_no_legend_several_have_one_below_the_axis():
    one = charts.lijn(_series({"Wmo": [1, 2, 3, 4, 5, 6, 7, 8]}), x="label", y="waarde", ylabel="aantal")
    assert not one.legends and one.axes[0].get_legend() is None
    bars = charts.staaf(pd.DataFrame({"norm": ["a", "b"], "reeks": "Dordrecht", "waarde": [1, 2]}),
                        x="norm", y="waarde", hue="reeks", ylabel="%")
    assert not bars.legends and bars.axes[0].get_legend() is None

    for fig in (charts.lijn(_series({"Wmo": [1] * 8, "Jeugdwet": [2] * 8}), x="label", y="waarde", hue="wet", ylabel="%"),
                charts.staaf(pd.DataFrame({"cat": ["Alleen Wmo", "Wmo en Jeugdwet"] * 2, "reeks": ["Dordrecht"] * 2 + [charts.REFERENTIE] * 2,
                                           "waarde": [90, 5, 92, 6]}),
                             x="cat", y="waarde", hue="reeks", ylabel="per 1.000 huishoudens", horizontaal=True)):
        assert len(fig.legends) == 1
        ax = fig.axes[0]
        below = _boxes(fig, [*ax.get_xticklabels(), ax.xaxis.label])
        legend = fig.legends[0].get_window_extent(fig.canvas.get_renderer())
        assert legend.y1 < min(b.y0 for b in below)  # clear of the tick labels and the axis title
        assert legend.x0 >= 0 and legend.x1 <= fig.bbox.width


def test_no_vertical_grid_on_categorical_axes():
    ax = charts.lijn(_series({"Wmo": [1] * 8}), x="label", y="waarde", ylabel="aantal").axes[0]
    assert not any(g.get_visible() for g in ax.get_xgridlines())
    assert any(g.get_visible() for g in ax.get_ygridlines())
    ax = charts.staaf(pd.DataFrame({"c": ["a", "b"], "waarde": [1, 2]}), x="c", y="waarde", ylabel="aantal").axes[0]
    assert not any(g.get_visible() for g in ax.get_xgridlines())
    ax = charts.staaf(pd.DataFrame({"c": ["a", "b"], "waarde": [1, 2]}), x="c", y="waarde", ylabel="aantal", horizontaal=True).axes[0]
    assert not any(g.get_visible() for g in ax.get_ygridlines())


def test_text_is_sized_for_the_printed_width():
    fig = charts.lijn(_series({"Wmo": [1] * 8, "Jeugdwet": [2] * 8}), x="label", y="waarde", hue="wet", ylabel="%")
    ax = fig.axes[0]
    assert fig.get_figwidth() == pytest.approx(6.3)
    assert all(8 <= t.get_fontsize() <= 9 for t in [*ax.get_xticklabels(), *ax.get_yticklabels()])
    assert 8 <= ax.yaxis.label.get_fontsize() <= 9.5
    assert all(t.get_fontsize() <= 9 for t in fig.legends[0].get_texts())
    assert "DejaVu Sans" in matplotlib.rcParams["font.family"] or matplotlib.rcParams["font.family"] == ["DejaVu Sans"]
    fig.canvas.draw()
    tight = fig.get_tightbbox(fig.canvas.get_renderer())
    assert tight.width + 2 * matplotlib.rcParams["savefig.pad_inches"] <= 6.3 + 1e-6  # the saved PNG is not wider


def test_rate_with_counts_has_target_and_counts_from_zero():
    df = _series({"Wmo": [91.8, 89.5, 91.0, 90.2, 90.8, 91.7, 92.8, 93.3]}).assign(n=[300, 280, 276, 300, 320, 298, 271, 298])
    fig = charts.lijn_met_aantal(df, x="label", y="waarde", aantal="n", ylabel="%", aantal_label="beoordeelde aanvragen",
                                 doel=80, procent=True)
    top, bottom = fig.axes
    assert len(_target_lines(top, 80)) == 1
    assert bottom.get_ylim()[0] == 0 and bottom.get_ylim()[1] > 320
    assert top.get_ylim()[1] > 93.3 and top.get_ylim()[0] >= 50
    assert _no_overlap(fig, bottom.get_xticklabels())
    assert _no_overlap(fig, [*top.get_yticklabels(), *bottom.get_yticklabels()])


# -- the components on the demo data ----------------------------------------------------------------
@pytest.fixture
def captured(monkeypatch):
    """Every figure a component shows, with its caption parts and alt text."""
    from sdrapport.presentation.report import Rapport

    shown = []
    monkeypatch.setattr(Rapport, "figuur", lambda self, fig, **kw: shown.append((fig, kw)))
    return shown


def test_monitor_tijdigheid_has_a_target_line_per_wet(demo_project, captured, tmp_path):
    from sdrapport.presentation.elements import components
    from sdrapport.indicators.targets import target
    from sdrapport.presentation.report import Rapport

    r = Rapport("GM0505", "2023-H2", project=demo_project.root, uitvoer=tmp_path)
    components.figuur_reeks(r, "tijdigheid", by="wet", doel=True, naam="tijdigheid", titel="Tijdigheid van besluiten per wet")
    (fig, kw), = captured
    ax = fig.axes[0]
    for wet in ("Wmo", "Jeugdwet", "Participatiewet"):
        assert _target_lines(ax, target(demo_project, "GM0505", 2023, f"tijdigheid/{wet}"))
    assert "doel 95% (Jeugdwet, Participatiewet)" in kw["ondertitel"] and "doel 80% (Wmo)" in kw["ondertitel"]
    assert "Doel 80% (Wmo); doel 95% (Jeugdwet, Participatiewet)." in kw["alt"]
    assert "De verticale as begint bij 70%" in kw["ondertitel"]  # a cut axis is said in words
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "H2 2023"
    components.figuur_reeks(r, "tijdigheid", by="wet", doel=False, naam="tijdigheid", titel="Tijdigheid")
    assert not [ln for ln in captured[1][0].axes[0].get_lines() if ln.get_gid() == "doel"]


def test_dashboard_tijdigheid_per_wet_with_decisions(demo_project, captured, tmp_path):
    from sdrapport.presentation.elements import components
    from sdrapport.presentation.report import Rapport

    r = Rapport("GM0402", "2021-Q1", project=demo_project.root, uitvoer=tmp_path, rapport="dashboard")
    components.figuur_reeks_met_aantal(r, "tijdigheid", "aanvragen_beslist", wet="Jeugdwet", perioden=r.periode.last(8),
                                      naam="tijdigheid-jeugd", titel="Tijdigheid van besluiten (Jeugdwet)")
    (fig, kw), = captured
    top, bottom = fig.axes
    assert _target_lines(top, 95)  # seed 001: streefcijfer 95% for Jeugd
    assert [t.get_text() for t in bottom.get_xticklabels()] == ["K2 '19", "K3 '19", "K4 '19", "K1 '20", "K2 '20", "K3 '20", "K4 '20", "K1 '21"]
    assert _no_overlap(fig, bottom.get_xticklabels())
    assert "doel 95%" in kw["ondertitel"] and "beoordeelde aanvragen" in kw["ondertitel"]
    assert "Doel 95%" in kw["alt"] and "Q1 2021: " in kw["alt"]
    data = pd.read_csv(tmp_path / "data" / "tijdigheid-jeugd.csv")
    assert list(data.columns) == ["periode", "tijdigheid", "aanvragen_beslist", "doel"]
    assert len(data) == 8 and set(data["doel"]) == {95}
    assert bottom.get_ylim()[0] == 0 and bottom.get_ylim()[1] > pd.to_numeric(data["aanvragen_beslist"], errors="coerce").max()


# -- SVG output -----------------------------------------------------------------------------------------
def _svg_tree(text: str):
    import xml.etree.ElementTree as ET

    return ET.fromstring(text.encode("utf-8"))


SVG_NS = "{http://www.w3.org/2000/svg}"


def _trend_figure():
    return charts.lijn(pd.concat([_series({"Hilversum": [30, 31, 32, 31, 30, 29, 30, 31]}),
                                  _series({charts.REFERENTIE: [35, 35, 34, 34, 33, 33, 32, 32]})]),
                       x="label", y="waarde", hue="wet", ylabel="per 1.000 inwoners", doelen={"Hilversum": 33})


def test_svg_is_vector_with_text_as_text_and_the_same_bytes_every_time():
    first, second = charts.svg(_trend_figure()), charts.svg(_trend_figure())
    assert first == second  # reproducible: no date, no creator, ids from svg.hashsalt
    root = _svg_tree(first)
    assert root.tag == f"{SVG_NS}svg" and root.get("viewBox")
    assert not list(root.iter(f"{SVG_NS}image"))  # no raster image inside
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]
    assert {"K2 '19", "K1 '21", "per 1.000 inwoners", "Referentiegroep", "doel 33"} <= set(texts)
    assert "<dc:date>" not in first and "Matplotlib v" not in first
    # The PDF prints chart text in its body font (assets/typst-template.typ): DejaVu Sans.
    assert all("font-family: 'DejaVu Sans'" in t.get("style") for t in root.iter(f"{SVG_NS}text"))


def test_web_svg_uses_the_page_font_stack():
    from tests.conftest import REPO

    web = charts.svg(_trend_figure(), web=True)
    root = _svg_tree(web)
    assert not any("font-family" in (t.get("style") or "") for t in root.iter(f"{SVG_NS}text"))
    style = "".join(s.text for s in root.iter(f"{SVG_NS}style"))
    assert f"text{{font-family: {charts.SCHRIFT_WEB.replace(chr(34), chr(39))}}}" in style
    scss = (REPO / "assets" / "sdrapport.scss").read_text(encoding="utf-8")
    stack = next(line for line in scss.splitlines() if line.startswith("$font-family-sans-serif:"))
    assert stack == f"$font-family-sans-serif: {charts.SCHRIFT_WEB};"  # the same stack as the page
    rule = f"text{{font-family: {charts.SCHRIFT_WEB.replace(chr(34), chr(39))}}}\n"
    pdf = charts.svg(_trend_figure())
    assert pdf.replace("font-family: 'DejaVu Sans'; ", "") == web.replace(rule, "")  # only the fonts differ


def _luminance(hex_colour: str) -> float:
    r, g, b = matplotlib.colors.to_rgb(hex_colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_series_in_the_svg_differ_in_more_than_colour():
    """Greyscale print and colour-blind readers: in the drawn SVG every series has its own dash
    pattern, the reference group is grey, and stacked segments differ in hatching."""
    import re

    df = _series({"Ondersteuning thuis": [1] * 8, "Hulp bij het huishouden": [2] * 8, "Hulpmiddelen": [3] * 8,
                  "Verblijf en opvang": [4] * 8, charts.REFERENTIE: [5] * 8})
    root = _svg_tree(charts.svg(charts.lijn(df, x="label", y="waarde", hue="wet", ylabel="aantal")))
    plot = next(g for g in root.iter(f"{SVG_NS}g") if g.get("id") == "axes_1")
    styles = [p.get("style") or "" for p in plot.iter(f"{SVG_NS}path")]
    series = {}
    for s in styles:
        colour = re.search(r"stroke: (#[0-9a-f]{6})", s)
        if colour and "stroke-width: 1.6" in s:
            dash = re.search(r"stroke-dasharray: ([^;]+)", s)
            series[colour.group(1)] = dash.group(1).strip() if dash else "solid"
    assert len(series) == 5  # five series, five colours
    assert len(set(series.values())) == 5  # and five dash patterns: apart without colour
    assert charts.REFERENTIE_KLEUR.lower() in series
    # markers: one <defs> marker shape per series
    markers = [d for d in root.iter(f"{SVG_NS}path") if (d.get("id") or "").startswith("m")]
    assert len({m.get("d") for m in markers}) >= 5

    stacked = pd.DataFrame({"jaar": ["2021"] * 3 + ["2022"] * 3, "cat": ["a", "b", "c"] * 2, "waarde": [3, 2, 1, 3, 2, 1]})
    text = charts.svg(charts.staaf(stacked, x="jaar", y="waarde", hue="cat", ylabel="aantal", gestapeld=True))
    hatches = re.findall(r'<pattern id="(h[0-9a-f]+)"', text)
    assert len(hatches) >= 2  # the second and third segment are hatched, the first plain
    # a plain segment is filled with its colour, a hatched one with a pattern over its colour
    fills = [c for c in re.findall(r'fill(?:: |=")(#[0-9a-f]{6})', text) if c in [p.lower() for p in charts.PALET]]
    grey = sorted(_luminance(c) for c in set(fills))
    assert len(grey) == 3 and min(b - a for a, b in itertools.pairwise(grey)) > 0.05  # apart in greyscale too


# -- phone layout ----------------------------------------------------------------------------------------
# Measured in Chromium on the site rendered by Quarto 1.7.34 with assets/sdrapport.scss: the column a
# figure gets on a 320 and a 390 px wide screen, and the page's small text (Bootstrap's <small>,
# 0,875 of the 17 px root).
KOLOM_PX = {320: 269, 390: 339}
KLEINE_TEKST_PX = 0.875 * 17
BREED_MAX_PX = 756  # .sd-grafiek img { max-width } in assets/sdrapport.scss
BODY_PX = 17


def _shown_text_px(svg_text: str, column: float, max_px: float | None = None) -> tuple[float, float]:
    """(smallest, largest) chart text in CSS px when the SVG is shown in a column this wide: at its
    own size (user units are pt) or smaller when the column is narrower; `max_px` caps a wide chart."""
    import re

    root = _svg_tree(svg_text)
    width = float(root.get("viewBox").split()[2])
    shown = column if max_px else min(column, width * 4 / 3)
    if max_px:
        shown = min(shown, max_px)
    sizes = [float(re.search(r"font-size: ([\d.]+)px", t.get("style")).group(1)) for t in root.iter(f"{SVG_NS}text")]
    return min(sizes) * shown / width, max(sizes) * shown / width


def _ten_categories():
    cats = ["Hulp bij het huishouden", "Ondersteuning thuis", "Hulpmiddelen", "Woningaanpassingen", "Vervoersvoorzieningen",
            "Beschermd wonen", "Maatschappelijke opvang", "Dagbesteding", "Kortdurend verblijf", "Overige voorzieningen"]
    return pd.DataFrame({"cat": cats * 2, "reeks": ["Dordrecht"] * 10 + [charts.REFERENTIE] * 10,
                         "waarde": [*range(10, 110, 10), *range(15, 115, 10)]})


PHONE_CHARTS = {
    "trend": lambda **kw: charts.lijn(pd.concat([_series({"Hilversum": [1830, 1790, 1850, 1820, 1810, 1790, 1830, 1845]}),
                                                 _series({charts.REFERENTIE: [1900, 1880, 1870, 1850, 1840, 1860, 1850, 1870]})]),
                                      x="label", y="waarde", hue="wet", ylabel="aantal personen", doelen={"Hilversum": 1800}, **kw),
    "ten-bars": lambda **kw: charts.staaf(_ten_categories(), x="cat", y="waarde", hue="reeks", ylabel="per 1.000 inwoners", **kw),
    "rate-with-counts": lambda **kw: charts.lijn_met_aantal(
        _series({"Wmo": [91.8, 89.5, 91.0, 90.2, 90.8, 91.7, 92.8, 93.3]}).assign(n=[300, 280, 276, 300, 320, 298, 271, 298]),
        x="label", y="waarde", aantal="n", ylabel="%", aantal_label="beoordeelde aanvragen", doel=95, procent=True, **kw),
    "stacked-periods": lambda **kw: charts.staaf(
        _series({"Zorg in natura": [5, 6, 7, 6, 5, 6, 7, 8], "PGB": [2, 2, 3, 3, 2, 2, 3, 3]}), x="label", y="waarde", hue="wet",
        ylabel="EUR x 1.000", gestapeld=True, **kw),
}


@pytest.mark.parametrize("kind", list(PHONE_CHARTS))
def test_on_a_phone_chart_text_is_at_least_the_small_text(kind):
    """The narrow drawing (shown below 576 px) keeps every text of the chart at least the page's small
    text on a 320 and a 390 px screen; the wide drawing would shrink it to about 5-7 px there. On a
    wide screen the wide chart's text stays below the body text."""
    wide, narrow = charts.svg(PHONE_CHARTS[kind](), web=True), charts.svg(PHONE_CHARTS[kind](smal=True), web=True)
    for screen, column in KOLOM_PX.items():
        assert _shown_text_px(narrow, column)[0] >= KLEINE_TEKST_PX, (kind, screen)
        assert _shown_text_px(wide, column)[0] < 0.6 * KLEINE_TEKST_PX, (kind, screen)  # why the narrow drawing exists
    smallest, largest = _shown_text_px(wide, 1280, max_px=BREED_MAX_PX)
    assert 0.7 * BODY_PX <= smallest and largest <= 0.9 * BODY_PX, kind


@pytest.mark.parametrize("kind", list(PHONE_CHARTS))
def test_the_phone_layout_fits_its_labels(kind):
    fig = PHONE_CHARTS[kind](smal=True)
    for ax in fig.axes:
        assert _no_overlap(fig, ax.get_xticklabels()) and _no_overlap(fig, ax.get_yticklabels()), kind
    if fig.legends:
        legend = fig.legends[0].get_window_extent(fig.canvas.get_renderer())
        assert legend.x0 >= 0 and legend.x1 <= fig.bbox.width
    if kind == "ten-bars":  # ten categories on a phone: horizontal bars, every category named
        ax = fig.axes[0]
        assert ax.get_ylim()[0] > ax.get_ylim()[1]
        names = [t for t in ax.texts if t.get_gid() == "categorie"]  # each above its bars, the bars at full width
        assert [t.get_text().replace("\n", " ") for t in names] == list(dict.fromkeys(_ten_categories()["cat"]))
        assert _no_overlap(fig, names)
    if kind in ("trend", "rate-with-counts", "stacked-periods"):  # fewer period labels, the latest always named
        labels = [t.get_text() for t in fig.axes[-1].get_xticklabels()]
        assert labels[-1].replace("\n", " ") == "K1 '21"
        assert 0 < sum(bool(t) for t in labels) < (8 if kind == "trend" else 9)  # the trend's eight do not fit: thinned
