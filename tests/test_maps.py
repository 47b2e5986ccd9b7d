"""Maps (maps.py): every map outlines the gemeente, its legend covers every value and shows '?' and
'-'; checked on the drawn figures."""
import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from sdrapport.presentation.elements import maps
from sdrapport.inputs.geodata import boundary_files
from tests.conftest import REPO


@pytest.fixture(scope="module")
def proj():
    return maps.load(boundary_files(REPO / "data")[2023])


def _values(proj, seed=1):
    rng = np.random.default_rng(seed)
    codes = list(proj.kaart.gebieden)
    out = {c: (float(rng.gamma(4, 12)), "waarde") for c in codes}
    for c in codes[:7]:
        out[c] = (None, "onbekend")
    for c in codes[7:10]:
        out[c] = (None, "geheim")
    del out[codes[10]]  # not delivered at all: also '?'
    return out


def _draw(proj, values, gemeente, referentie=50.0):
    shown = [v for v, s in values.values() if s == "waarde"]
    edges = maps.klassen(shown, 1)
    fig = maps.kaart(proj, values, gemeente=gemeente, naam="Gemeente", edges=edges, eenheid="per 1.000 inwoners",
                     referentie=referentie, referentie_label="Referentiegroep")
    fig.canvas.draw()
    return fig, edges, shown


def _by_gid(fig, gid):
    return [a for ax in fig.axes for a in [*ax.collections, *ax.patches, *ax.lines, *ax.texts] if a.get_gid() == gid]


@pytest.mark.parametrize("gemeente", ["GM0505", "GM0088", "GM1680", "GM0034"])  # Dordrecht, Schiermonnikoog, Aa en Hunze, Almere
def test_the_gemeente_is_outlined_in_both_panels_and_inside_the_close_up(proj, gemeente):
    fig, _, _ = _draw(proj, _values(proj), gemeente)
    outlines = _by_gid(fig, "gemeente-omlijning")
    assert len(outlines) == 2
    rings = [r for r, c in zip(proj.ringen, proj.codes) if c == gemeente]
    for outline in outlines:
        paths = outline.get_paths()
        assert len(paths) == len(rings)
        for path, ring in zip(paths, rings):
            assert np.allclose(path.vertices[: len(ring)], ring)
        assert to_hex(outline.get_edgecolor()[0]) == maps.OMLIJNING
    close_up = outlines[1].axes
    (x0, x1), (y0, y1) = close_up.get_xlim(), close_up.get_ylim()
    points = np.concatenate(rings)
    assert x0 <= points[:, 0].min() and points[:, 0].max() <= x1 and y0 <= points[:, 1].min() and points[:, 1].max() <= y1
    plt.close(fig)


def test_the_legend_covers_every_value_and_shows_unknown_and_secret(proj):
    values = _values(proj)
    fig, edges, shown = _draw(proj, values, "GM0505")
    assert edges[0] <= min(shown) and max(shown) <= edges[-1]
    assert all(0 <= maps.klasse(v, edges) < len(edges) - 1 for v in shown)
    assert len(_by_gid(fig, "legenda-klasse-0")) == 1 and len(_by_gid(fig, f"legenda-klasse-{len(edges) - 2}")) == 1
    assert _by_gid(fig, f"legenda-klasse-{len(edges) - 1}") == []
    texts = [t.get_text() for t in fig.axes[-1].texts]
    # every class edge is labelled, in Dutch notation
    for edge in edges:
        assert any(t == f"{edge:.1f}".replace(".", ",") for t in texts), edge
    assert "? onbekend of niet geleverd (8)" in texts and "- niet publiceerbaar (3)" in texts
    assert _by_gid(fig, "legenda-onbekend")[0].get_hatch() and _by_gid(fig, "legenda-geheim")[0].get_hatch() is None
    assert any(t.startswith("Gemeente: ") for t in texts) and any(t.startswith("Referentiegroep: 50,0") for t in texts)
    assert len(_by_gid(fig, "legenda-gemeente")) == 1 and len(_by_gid(fig, "legenda-referentie")) == 1
    plt.close(fig)


@pytest.mark.parametrize("waarde", [0.0, 100.0])
def test_the_labels_on_the_class_bar_stay_above_and_below_it_at_either_end(proj, waarde):
    """A long name at the top or bottom class is shifted to stay over the bar, clear of the '?' and
    '-' entries beside it."""
    values = _values(proj)
    values["GM0088"] = (waarde, "waarde")
    edges = maps.klassen([v for v, s in values.values() if s == "waarde"], 1)
    fig = maps.kaart(proj, values, gemeente="GM0088", naam="Schiermonnikoog met een lange naam", edges=edges, eenheid="%",
                     referentie=waarde, referentie_label="Referentiegroep van de gemeente")
    ax = fig.axes[-1]
    renderer = fig.canvas.get_renderer()
    bar = [p for p in ax.patches if (p.get_gid() or "").startswith("legenda-klasse-")]
    left, right = bar[0].get_x(), bar[-1].get_x() + bar[-1].get_width()
    entries = min(p.get_x() for p in ax.patches if p.get_gid() in ("legenda-onbekend", "legenda-geheim"))
    for gid in ("legenda-gemeente-tekst", "legenda-referentie-tekst"):
        box = _by_gid(fig, gid)[0].get_window_extent(renderer=renderer).transformed(ax.transAxes.inverted())
        assert left - 1e-6 <= box.x0 and box.x1 <= right + 1e-6 < entries, (gid, box)
    plt.close(fig)


def test_every_gemeente_gets_the_colour_of_its_class_or_the_unknown_or_secret_fill(proj):
    values = _values(proj, seed=4)
    fig, edges, _ = _draw(proj, values, "GM0363")
    national = fig.axes[0]
    colours = maps.kleuren(len(edges) - 1)
    rings_of = {}
    for code in proj.codes:
        rings_of[code] = rings_of.get(code, 0) + 1
    want = {}
    for code, n in rings_of.items():
        value, status = values.get(code, (None, "ontbreekt"))
        kind = colours[maps.klasse(value, edges)] if status == "waarde" else ("-" if status == "geheim" else "?")
        want[kind] = want.get(kind, 0) + n
    got = {}
    for coll in national.collections:
        gid = coll.get_gid()
        if gid == "gebieden-klasse":
            got[to_hex(coll.get_facecolor()[0])] = len(coll.get_paths())
        elif gid in ("gebieden-?", "gebieden--"):
            got[gid[-1]] = len(coll.get_paths())
    for patch in national.patches:  # the hatched '?' gemeenten: one compound path (one hatch pattern)
        if patch.get_gid() == "gebieden-?":
            got["?"] = int((patch.get_path().codes == matplotlib.path.Path.MOVETO).sum())
    assert got == want
    assert _by_gid(fig, "gebieden-?")[0].get_hatch()
    plt.close(fig)


def test_classes_hold_about_as_many_gemeenten_each_and_never_leave_a_value_out():
    rng = np.random.default_rng(0)
    values = rng.lognormal(3.5, 0.4, 342)
    edges = maps.klassen(values, 1)
    assert len(edges) == 6 and edges == sorted(set(edges))
    counts = np.bincount([maps.klasse(v, edges) for v in values], minlength=5)
    assert counts.min() >= 342 // 5 - 10 and counts.sum() == 342
    assert maps.klassen([], 1) == []
    assert maps.klassen([7.0], 1) == [7.0, 7.1]  # one value: one class around it
    assert maps.klassen([5.0, 5.0, 5.0], 0) == [5.0, 6.0]
    few = maps.klassen([1.0, 1.0, 1.0, 9.0], 1)  # ties: fewer classes, still covering every value
    assert few[0] <= 1.0 and few[-1] >= 9.0 and len(few) >= 2
    assert maps.kleuren(5) == list(maps.KLEUREN) and len(maps.kleuren(2)) == 2
