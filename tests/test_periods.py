import datetime as dt

import pytest

from sdrapport.indicators.analysis import stock_year
from sdrapport.periods import Period, PeriodError, period_range_label


@pytest.mark.parametrize(
    "text, code, label",
    [
        ("2024", "2024", "2024"),
        ("2023-H2", "2023-H2", "tweede halfjaar 2023"),
        ("2024-Q1", "2024-Q1", "eerste kwartaal 2024"),
        ("2022-Q4", "2022-Q4", "vierde kwartaal 2022"),
        ("2024JJ00", "2024", "2024"),
        ("2024KW01", "2024-Q1", "eerste kwartaal 2024"),
        ("2023HJ02", "2023-H2", "tweede halfjaar 2023"),
        (" 2023-h1 ".upper().strip(), "2023-H1", "eerste halfjaar 2023"),
    ],
)
def test_parse_our_and_cbs_notation(text, code, label):
    p = Period.parse(text)
    assert p.code == code
    assert p.label == label


@pytest.mark.parametrize("bad", ["2023-H3", "2023-Q5", "2023Q1", "23-H1", "2024JJ01", "2024KW05", "", "H2 2023", "2023-H0"])
def test_malformed_periods_are_refused_with_the_accepted_notations(bad):
    with pytest.raises(PeriodError, match="2024-H2"):
        Period.parse(bad)


def test_calendar_and_series():
    p = Period.parse("2023-H2")
    assert (p.start, p.end) == (dt.date(2023, 7, 1), dt.date(2023, 12, 31))
    assert [x.code for x in p.last(3)] == ["2022-H2", "2023-H1", "2023-H2"]
    assert Period.parse("2024-Q1").shift(-1).code == "2023-Q4"
    assert Period.parse("2023").contains(Period.parse("2023-Q3"))
    assert not Period.parse("2023-H1").contains(Period.parse("2023-Q3"))
    assert Period.parse("2023-Q2").short_label == "Q2 2023"
    assert period_range_label(p.last(6)) == "eerste halfjaar 2021 - tweede halfjaar 2023"


def test_stock_year_is_the_1_january_after_a_period_ending_in_december():
    # Seed 002: the report on the second half of 2023 gives inhabitants on 1 January 2024.
    assert stock_year(Period.parse("2023-H2")) == 2024
    assert stock_year(Period.parse("2023")) == 2024
    assert stock_year(Period.parse("2023-Q4")) == 2024
    assert stock_year(Period.parse("2023-H1")) == 2023
    assert stock_year(Period.parse("2024-Q2")) == 2024
