"""Figures of all gemeenten (national.py): the same published values and group averages as the
Rapport computes, with the interval that rounding allows."""
import pytest

from sdrapport.indicators import national
from sdrapport.indicators.analysis import WAARDE
from sdrapport.periods import Period
from sdrapport.presentation.report import Rapport

INDICATOREN = ("wmo_clienten", "wmo_clienten_per_1000", "bijstand_huishoudens_aandeel", "grijze_druk", "ses_woa",
               "kindermishandeling_per_100000", "huishoudensgrootte", "stapeling_per_1000")


@pytest.mark.parametrize("gemeente", ["GM0505", "GM0088", "GM0363"])
def test_values_and_group_averages_are_the_reports_own(demo_project, gemeente):
    r = Rapport(gemeente, "2023-H2", project=demo_project.root)
    for ind_id in INDICATOREN:
        ind = r.catalogus[ind_id]
        p = r.peilperiode(ind, r.periode)
        vals = national.values(r.store, r.catalogus, ind, p)
        own, row = r.waarde(ind_id), national.figure(vals, gemeente)
        if not own.beschikbaar:
            assert row is None or row["waarde_status"] != WAARDE
            continue
        assert row["waarde"] == own.waarde, ind_id
        assert row["laag"] <= row["waarde"] <= row["hoog"], ind_id
        if ind.referentie:
            ref, group = r.referentie(ind_id), national.group(r.store, r.catalogus, ind, p, r.referentiegroep)
            assert group.waarde == pytest.approx(ref.waarde, rel=1e-12) and group.n == ref.n, ind_id
            assert group.laag <= group.waarde <= group.hoog
    # every gemeente of the store is there, not only the reference group
    vals = national.values(r.store, r.catalogus, r.catalogus["wmo_clienten"], Period.parse("2023-H2"))
    assert len(vals) >= 26


def test_the_interval_of_a_rounded_count_and_of_a_rate_computed_from_it(demo_project):
    r = Rapport("GM0505", "2023-H2", project=demo_project.root)
    p = Period.parse("2023-H2")
    count = national.figure(national.values(r.store, r.catalogus, "wmo_clienten", p), "GM0505")
    assert (count["laag"], count["hoog"]) == (count["waarde"] - 2, count["waarde"] + 2)
    rate = national.figure(national.values(r.store, r.catalogus, "wmo_clienten_per_1000", p), "GM0505")
    assert rate["laag"] == pytest.approx((count["waarde"] - 2) / rate["noemer"] * 1000)
    assert rate["hoog"] == pytest.approx((count["waarde"] + 2) / rate["noemer"] * 1000)
    pct = national.figure(national.values(r.store, r.catalogus, "grijze_druk", r.peilperiode(r.catalogus["grijze_druk"], p)), "GM0505")
    assert pct["hoog"] - pct["laag"] == pytest.approx(0.1)  # a delivered 33,4 is known to its decimal
