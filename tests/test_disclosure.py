import math

import numpy as np
import pytest

from sdrapport.indicators.disclosure import cbs_round, relative


@pytest.mark.parametrize(
    "count, rounded",
    [(0, 0), (1, 0), (4, 0), (5, 10), (9, 10), (10, 10), (11, 10), (12, 10), (13, 15), (14, 15),
     (17, 15), (18, 20), (1503, 1505), (3309, 3310), (9785, 9785), (9787, 9785), (9788, 9790)],
)
def test_cbs_rounding_rule(count, rounded):
    assert cbs_round(count) == rounded


def test_rounding_keeps_missing_and_refuses_negative_counts():
    out = cbs_round(np.array([3.0, np.nan, 7.0]))
    assert out[0] == 0 and math.isnan(out[1]) and out[2] == 10
    with pytest.raises(ValueError):
        cbs_round(-1)


def test_relative_figures_come_from_rounded_counts():
    # 1503 is published as 1505, so the rate is 1505 / 20.000 * 1.000, not 1503 / 20.000 * 1.000.
    assert relative(1503, 20_000) == pytest.approx(75.25)
    assert relative(1503, 20_000, round_numerator=False) == pytest.approx(75.15)
    assert math.isnan(relative(5, 0))
    assert list(relative([4, 6], [1000, 1000])) == [0.0, 10.0]


def test_rounding_interval_holds_exactly_the_counts_that_round_to_the_published_value():
    from sdrapport.indicators.disclosure import cbs_round_interval

    published = sorted({cbs_round(n) for n in range(2000)})  # every value up to 2000
    lo, hi = cbs_round_interval(np.array(published, dtype=float))
    for value, a, b in zip(published, lo, hi):
        exact = [n for n in range(2010) if cbs_round(n) == value]
        assert (a, b) == (min(exact), max(exact)), value
    lo, hi = cbs_round_interval([0, 10, 15, np.nan])
    assert list(lo[:3]) == [0, 5, 13] and list(hi[:3]) == [4, 12, 17] and math.isnan(lo[3]) and math.isnan(hi[3])
