"""Signals of "Opvallend" (signals.py): rounding noise is no signal, a real jump is; '?' and '-' never
give one; thresholds from params/signalen.yml; every signal links to a figure the report shows."""
import csv

import nbformat
import pytest

from sdrapport import national
from sdrapport.params import ParamsError
from sdrapport.report import Rapport
from sdrapport.signals import Cijfer, Drempel, candidates, compute, gap, load_config, report_elements, sterkte, target
from sdrapport.store import build_store
from tests.conftest import REPO

TIEN_PROCENT = Drempel(relatief=10)


def count(published: float) -> Cijfer:
    """A CBS-rounded count and what it may have been."""
    from sdrapport.disclosure import cbs_round_interval

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
    from sdrapport.catalogue import load_catalogue

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


def _set(project, rows: dict[tuple[str, str, str], str]) -> None:
    """Change the totals of the demo data: {(gemeente, periode, indicator): waarde}."""
    path = project.data / "observaties" / "demo.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, data = reader.fieldnames, list(reader)
    dims = [f for f in fields if f not in ("gemeente", "periode", "indicator", "waarde", "bron", "status")]
    for row in data:
        key = (row["gemeente"], row["periode"], row["indicator"])
        if key in rows and all(row[d] == "" for d in dims):
            row["waarde"] = rows[key]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(data)


def test_signals_on_real_reports_rounding_noise_no_jump_yes_unknown_never(project):
    _set(project, {
        ("GM0088", "2023-H1", "wmo_clienten"): "11",  # published 10 ...
        ("GM0088", "2023-H2", "wmo_clienten"): "13",  # ... and 15: +50% per 1.000 inwoners, all rounding
        ("GM0505", "2023-H1", "bijstand_personen"): "2000",  # a real jump to 2929
        ("GM0505", "2023-H1", "kindermishandeling_meldingen"): "?",  # unknown: never a signal
        ("GM0505", "2023-H2", "kindermishandeling_meldingen"): "900",
    })
    build_store(project.data, project.store)
    national.clear()
    schier = Rapport("GM0088", "2023-H2", project=project.root)
    naive = schier.waarde("wmo_clienten_per_1000").waarde / schier.waarde("wmo_clienten_per_1000", "2023-H1").waarde - 1
    assert naive > 0.4  # a naive rule would call this +50%
    found = compute(schier)
    assert not [s for s in found if s.indicator in ("wmo_clienten", "wmo_clienten_per_1000") and s.soort == "verandering"]

    dordrecht = Rapport("GM0505", "2023-H2", project=project.root)
    found = compute(dordrecht)
    jump = [s for s in found if s.indicator == "bijstand_personen_per_1000" and s.soort == "verandering"]
    assert len(jump) == 1
    before, now = dordrecht.waarde("bijstand_personen_per_1000", "2023-H1"), dordrecht.waarde("bijstand_personen_per_1000")
    change = round((now.waarde / before.waarde - 1) * 100)
    assert 40 <= change <= 50  # 2000 -> 2929 persons, the inhabitants grew a little
    assert jump[0].zin == (f"Personen met bijstand per 1.000 inwoners: gestegen van {before.tekst} in het eerste halfjaar 2023 "
                           f"naar {now.tekst} in het tweede halfjaar 2023 (+{change}%).")
    assert jump[0].element.label == "fig-bijstand-reeks"
    assert not [s for s in found if s.indicator.startswith("kindermishandeling") and s.soort == "verandering"]
    assert found == sorted(found, key=lambda s: -s.sterkte)
    # the values a signal names are the report's own figures
    own = dordrecht.waarde("bijstand_personen_per_1000")
    assert jump[0].data["waarde"] == pytest.approx(own.waarde)


def test_every_signal_links_to_a_labelled_cell_of_the_report(demo_project):
    labels = {}
    from sdrapport.runner import cell_label, load_profile

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
