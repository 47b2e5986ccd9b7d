"""Signals of "Opvallend" (signals.py): rounding noise is no signal, a real jump is; '?' and '-' never
give one; thresholds from params/signalen.yml; every signal links to a figure the report shows."""
import nbformat
import pytest

from sdrapport.indicators import national
from sdrapport.inputs.params import ParamsError
from sdrapport.presentation.report import Rapport
from sdrapport.presentation.elements.signals import (LANDELIJK, PROFIEL, VERGELIJKBAAR, Bereik, Cijfer, Drempel, candidates, compute, gap,
                                            load_config, notebook_reach, report_elements, sterkte, target)
from sdrapport.store.database import build_store
from tests.conftest import REPO

TIEN_PROCENT = Drempel(relatief=10)


def count(published: float) -> Cijfer:
    """A CBS-rounded count and what it may have been."""
    from sdrapport.indicators.disclosure import cbs_round_interval

    lo, hi = cbs_round_interval([published])
    return Cijfer(published, float(lo[0]), float(hi[0]))


def test_a_change_that_rounding_can_explain_is_no_signal():
    # 10 -> 15 looks like +50%, but may be 12 -> 13
    assert gap(count(15), count(10)) == 1 and sterkte(count(15), count(10), Drempel(relatief=20)) < 1
    # 15 -> 20 may be 17 -> 18; 20 -> 15 may be 18 -> 17
    assert sterkte(count(20), count(15), TIEN_PROCENT) < 1 and sterkte(count(15), count(20), TIEN_PROCENT) < 1
    # overlapping intervals: no difference at all (0 -> 10 may be 4 -> 5 ... even 4 -> 5 is a gap of 1)
    assert gap(count(10), count(10)) == 0 and sterkte(count(10), count(10), Drempel(absoluut=0.001)) == 0


def test_a_real_jump_is_a_signal_and_its_strength_is_measured_against_the_rounding():
    assert gap(count(150), count(100)) == 46  # at least 102 -> 148
    s = sterkte(count(150), count(100), Drempel(relatief=20))
    assert s == pytest.approx(46 / 102 * 100 / 20)
    assert sterkte(count(100), count(150), Drempel(relatief=20)) == pytest.approx(46 / 148 * 100 / 20)  # a fall
    # a delivered percentage is known to its decimal: 33,4 may be 33,35 to 33,45
    pct = lambda v: Cijfer(v, v - 0.05, v + 0.05)  # noqa: E731
    assert sterkte(pct(36.4), pct(33.4), Drempel(procentpunt=3)) < 1  # the gap is 2,9 procentpunt
    assert sterkte(pct(36.6), pct(33.4), Drempel(procentpunt=3)) >= 1
    # several parts: each must be reached
    assert sterkte(count(40), count(20), Drempel(relatief=20, absoluut=20)) < 1  # +16 at least, not 20
    assert sterkte(count(40), count(20), Drempel(relatief=20, absoluut=10)) >= 1


def test_a_difference_is_said_in_the_terms_of_its_unit():
    from sdrapport.presentation.elements.signals import _verschil_tekst

    assert _verschil_tekst(2930 / 120, 2000 / 120, "per 1.000 inwoners") == "+47%"
    assert _verschil_tekst(36.8, 42.1, "%") == "−5,3 procentpunt"
    assert _verschil_tekst(79.9, 80.9, "jaar") == "−1,0 jaar"  # a life expectancy, not −1,2%
    assert _verschil_tekst(7.7, 7.4, "rapportcijfer") == "+0,3" and _verschil_tekst(-0.109, -0.336, "score") == "+0,227"


def test_the_configuration_is_checked_with_file_line_and_key(tmp_path):
    params = tmp_path / "params"
    params.mkdir()
    (params / "signalen.yml").write_text("drempels:\n  stuks:\n    verandering: {relatief: 10}\n  '%':\n"
                                         "    verandering: {procent: 3}\n", encoding="utf-8")
    with pytest.raises(ParamsError) as info:
        load_config(params)
    text = str(info.value)
    assert "params/signalen.yml, regel 2" in text and "sleutel 'drempels.stuks'" in text and "een eenheid uit de catalogus" in text
    assert "sleutel 'drempels.%.verandering.procent': onbekende sleutel; toegestaan: relatief, procentpunt, absoluut" in text
    real = load_config(REPO / "params")
    assert real.drempels["per 1.000 inwoners"]["verandering"] == Drempel(relatief=10)
    assert real.maximum_voor("monitor") == real.maximum == 8
    (params / "signalen.yml").write_text("maximum: 6\nrapporten:\n  dashboard: {maximum: 2}\ndrempels: {}\n", encoding="utf-8")
    assert load_config(params).maximum_voor("dashboard") == 2 and load_config(params).maximum_voor("monitor") == 6


def test_the_report_elements_are_read_from_the_notebooks_with_their_labels(demo_project):
    from sdrapport.inputs.catalogue import load_catalogue

    cat = load_catalogue(demo_project.catalogue)
    elements = report_elements(demo_project, "monitor", cat)
    by_label = {e.label: e for e in elements}
    assert by_label["fig-bijstand-reeks"].figuren == (("bijstand_personen_per_1000", ()),)
    assert by_label["fig-kaart-wmo"].soort == "kaart" and by_label["fig-kaart-wmo"].hoofdstuk == "Alle gemeenten in kaart"
    assert set(by_label["tbl-participatie-vergelijkbaar"].figuren) == {
        ("bijstand_personen_per_1000", ()), ("bijstand_huishoudens_aandeel", ()), ("reintegratie_per_1000", ())}
    assert (("tijdigheid", (("wet", "Wmo"),))) in by_label["tbl-tijdigheid-doelen"].figuren
    assert by_label["fig-wmo-leeftijd-vrouwen"].figuren == ()  # a figure per category shows no total
    assert target(elements, "bijstand_personen_per_1000", (), "verandering").label == "fig-bijstand-reeks"
    assert target(elements, "bijstand_personen_per_1000", (), "referentie").label == "fig-kaart-bijstand"
    assert ("wmo_clienten_per_1000", ()) in candidates(elements)
    # In print a signal names the chapter as the numbered report does (Opvallend itself is unnumbered).
    assert by_label["fig-bijstand-reeks"].plaats == "paragraaf 4.1 Bijstand"
    assert by_label["fig-kaart-wmo"].plaats == "hoofdstuk 9 Alle gemeenten in kaart"  # no section of its own
    dashboard = {e.label: e for e in report_elements(demo_project, "dashboard", cat)}  # one chapter: its sections
    assert dashboard["tbl-kw-schuldhulp"].plaats == "het onderdeel ‘Schuldhulpverlening’"
    assert set(by_label["tbl-wmo-uitkomsten"].figuren) >= {("eenzaamheid", ()), ("mantelzorgers", ())}  # key-figure tiles


def test_what_a_notebook_reads_is_found_from_its_component_calls():
    reach = {nb: notebook_reach(REPO / "notebooks" / nb) for nb in (
        "14_kaarten.ipynb", "02_wmo.ipynb", "01_uitgangspositie.ipynb", "13_opvallend.ipynb", "05_schuldhulp_minima.ipynb")}
    assert reach["14_kaarten.ipynb"] == Bereik(frozenset({LANDELIJK}), kaarten=frozenset(
        {"wmo_clienten_per_1000", "jeugd_jongeren_aandeel", "bijstand_personen_per_1000"}))
    assert reach["02_wmo.ipynb"] == Bereik(frozenset({VERGELIJKBAAR}))
    assert reach["01_uitgangspositie.ipynb"] == Bereik(frozenset({PROFIEL}))
    assert reach["13_opvallend.ipynb"] == Bereik(frozenset(), rapport=True)
    assert reach["05_schuldhulp_minima.ipynb"] == Bereik()


def test_a_map_whose_indicator_is_not_written_out_reads_every_figure(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('#| label: fig-kaart\nfor ind in ["a", "b"]:\n    components.figuur_kaart(r, ind, naam=ind, titel=ind)')]
    nbformat.write(nb, tmp_path / "kaart.ipynb")
    assert notebook_reach(tmp_path / "kaart.ipynb") == Bereik(frozenset({LANDELIJK}), kaarten=None)


def _small_project(project, rows: list[tuple[str, str, str, str]]) -> None:
    """The project with three gemeenten and only the given observations (gemeente, periode,
    indicator, waarde): the demo data and the registrations are left out."""
    import shutil

    data = project.data
    for name in ("gemeente-historie.csv",):
        (data / name).unlink(missing_ok=True)
    shutil.rmtree(data / "registraties", ignore_errors=True)
    shutil.rmtree(data / "observaties")
    (data / "observaties").mkdir()
    (data / "gemeenten.csv").write_text("code,naam,provincie\nGM0505,Dordrecht,Zuid-Holland\nGM0014,Groningen,Groningen\n"
                                       "GM0088,Schiermonnikoog,Fryslân\n", encoding="utf-8")
    (data / "inwoners.csv").write_text("gemeente,jaar,inwoners,bron\n" + "".join(
        f"{g},{j},{n},CBS\n" for g, n in (("GM0505", 121_434), ("GM0014", 243_000), ("GM0088", 950)) for j in (2023, 2024)),
        encoding="utf-8")
    (data / "observaties" / "test.csv").write_text("gemeente,periode,indicator,waarde,bron,status\n" + "".join(
        f"{g},{p},{i},{w},Test,definitief\n" for g, p, i, w in rows), encoding="utf-8")


def test_signals_on_real_reports_rounding_noise_no_jump_yes_unknown_never(project):
    _small_project(project, [
        ("GM0088", "2023-H1", "wmo_clienten", "11"),  # published 10 ...
        ("GM0088", "2023-H2", "wmo_clienten", "13"),  # ... and 15: +50% per 1.000 inwoners, all rounding
        ("GM0505", "2023-H1", "bijstand_personen", "2000"),  # a real jump
        ("GM0505", "2023-H2", "bijstand_personen", "2929"),
        ("GM0014", "2023-H1", "bijstand_personen", "9000"),
        ("GM0014", "2023-H2", "bijstand_personen", "9100"),
        ("GM0505", "2023-H1", "kindermishandeling_meldingen", "?"),  # unknown: never a signal
        ("GM0505", "2023-H2", "kindermishandeling_meldingen", "900"),
        ("GM0014", "2023-H2", "kindermishandeling_meldingen", "400"),
    ])
    build_store(project.data, project.store)
    national.clear()
    schier = Rapport("GM0088", "2023-H2", project=project.root)
    naive = schier.waarde("wmo_clienten_per_1000").waarde / schier.waarde("wmo_clienten_per_1000", "2023-H1").waarde - 1
    assert naive > 0.4  # a naive rule would call this +50%
    assert not [s for s in compute(schier) if s.indicator in ("wmo_clienten", "wmo_clienten_per_1000")]

    dordrecht = Rapport("GM0505", "2023-H2", project=project.root)
    found = compute(dordrecht)
    jump = [s for s in found if s.indicator == "bijstand_personen_per_1000" and s.soort == "verandering"]
    assert len(jump) == 1
    before, now = dordrecht.waarde("bijstand_personen_per_1000", "2023-H1"), dordrecht.waarde("bijstand_personen_per_1000")
    change = round((now.waarde / before.waarde - 1) * 100)
    assert change == round((2930 / 2000 - 1) * 100)  # published 2000 and 2930, the same inhabitants
    assert jump[0].zin == (f"Personen met bijstand per 1.000 inwoners: gestegen van {before.tekst} in het eerste halfjaar 2023 "
                           f"naar {now.tekst} in het tweede halfjaar 2023 (+{change}%).")
    assert jump[0].element.label == "fig-bijstand-reeks"
    assert jump[0].data["waarde"] == pytest.approx(now.waarde)  # the report's own figure
    # unknown before: no change; against the group (Dordrecht and Groningen: 900 and 400 meldingen) a difference
    assert not [s for s in found if s.indicator.startswith("kindermishandeling") and s.soort == "verandering"]
    ref = [s for s in found if s.indicator == "kindermishandeling_per_100000" and s.soort == "referentie"]
    assert len(ref) == 1 and "hoger dan gemiddeld in gemeenten met 100.000 - 300.000 inwoners" in ref[0].zin
    assert found == sorted(found, key=lambda s: -s.sterkte)


def test_every_signal_links_to_a_labelled_cell_of_the_report(demo_project):
    labels = {}
    from sdrapport.inputs.profiles import load_profile
    from sdrapport.manifest import cell_label

    for rapport, gemeente, periode in (("monitor", "GM0505", "2023-H2"), ("dashboard", "GM0402", "2021-Q1")):
        for nb in load_profile(demo_project, rapport).notebooks:
            for cell in nbformat.read(demo_project.notebooks / nb, as_version=4).cells:
                if cell.cell_type == "code" and cell_label(cell):
                    labels[cell_label(cell)] = nb
        r = Rapport(gemeente, periode, project=demo_project.root, rapport=rapport)
        found = compute(r)
        assert len(found) <= load_config(demo_project.params).maximum_voor(rapport)
        for s in found:
            assert s.element is not None and s.element.label in labels, s
            assert s.zin.endswith(".") and "?" not in s.zin


def test_the_thresholds_table_scrolls_by_itself_on_a_phone_in_both_html_versions():
    """The method notes' thresholds table is wider than 320 px (axe found the site's method page
    scrolling sideways): it sits in a named, focusable region that scrolls by itself. nbconvert's
    markdown (the HTML version without Quarto) must read it as a table inside that region, not as text."""
    import re

    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from sdrapport.presentation.reports.annex import comparison_notes

    html = markdown2html_mistune(comparison_notes(REPO / "params"))
    region = re.search(r'<div class="sd-tabel" role="region" tabindex="0" aria-label="Drempels voor Opvallend">(.*?)</div>',
                       html, re.S)
    assert region is not None, html
    assert "<table>" in region.group(1) and "<th>verschil met referentiegroep</th>" in region.group(1)
    assert "<td>aantallen</td>" in region.group(1) and html.count("<table>") == 1
    assert ":::" not in html and "| cijfers |" not in html
