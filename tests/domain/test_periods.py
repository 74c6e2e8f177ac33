from datetime import date

import pytest

from lms.periods import Period, add_period, approximate_days, parse_period, subtract_period


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 year", Period(1, "year")),
        ("2 years", Period(2, "year")),
        ("30 days", Period(30, "day")),
        ("1 day", Period(1, "day")),
        ("6 Months", Period(6, "month")),
        (" 3 weeks ", Period(3, "week")),
    ],
)
def test_parse_period_accepts_amount_and_unit(text, expected):
    assert parse_period(text) == expected


@pytest.mark.parametrize(
    "text", ["", "year", "0 days", "-1 year", "1 fortnight", "1.5 years", "12"]
)
def test_parse_period_refuses_anything_else(text):
    with pytest.raises(ValueError, match="is not a period"):
        parse_period(text)


@pytest.mark.parametrize(
    ("start", "period", "expected"),
    [
        (date(2026, 1, 31), "1 month", date(2026, 2, 28)),  # clamps to month end
        (date(2028, 1, 31), "1 month", date(2028, 2, 29)),  # leap year
        (date(2028, 2, 29), "1 year", date(2029, 2, 28)),  # 29 Feb + 1 year
        (date(2028, 2, 29), "4 years", date(2032, 2, 29)),
        (date(2026, 12, 31), "1 month", date(2027, 1, 31)),  # over the year end
        (date(2026, 12, 31), "1 day", date(2027, 1, 1)),
        (date(2026, 11, 30), "3 months", date(2027, 2, 28)),
        (date(2026, 3, 15), "2 weeks", date(2026, 3, 29)),
        (date(2026, 3, 15), "1 year", date(2027, 3, 15)),
    ],
)
def test_add_period_adds_calendar_months_and_clamps(start, period, expected):
    assert add_period(start, parse_period(period)) == expected


@pytest.mark.parametrize(
    ("end", "period", "expected"),
    [
        (date(2027, 3, 31), "1 month", date(2027, 2, 28)),
        (date(2027, 1, 15), "30 days", date(2026, 12, 16)),
        (date(2027, 1, 1), "1 week", date(2026, 12, 25)),
        (date(2027, 1, 1), "3 weeks", date(2026, 12, 11)),
        (date(2027, 3, 31), "1 year", date(2026, 3, 31)),  # years are 12 months
        (date(2027, 3, 31), "2 years", date(2025, 3, 31)),
        (date(2029, 2, 28), "1 year", date(2028, 2, 28)),
        (date(2032, 2, 29), "1 year", date(2031, 2, 28)),  # clamps like add_period
    ],
)
def test_subtract_period_mirrors_add(end, period, expected):
    assert subtract_period(end, parse_period(period)) == expected


@pytest.mark.parametrize(
    ("period", "text"),
    [
        (Period(1, "year"), "1 year"),
        (Period(2, "year"), "2 years"),
        (Period(1, "day"), "1 day"),
        (Period(30, "day"), "30 days"),
        (Period(0, "week"), "0 weeks"),
    ],
)
def test_a_period_reads_as_amount_and_unit_plural_past_one(period, text):
    assert str(period) == text


@pytest.mark.parametrize(
    ("period", "days"),
    [("1 day", 1), ("3 weeks", 21), ("2 months", 60), ("1 year", 365), ("2 years", 730)],
)
def test_approximate_days_counts_months_as_30_days_and_years_as_365(period, days):
    assert approximate_days(parse_period(period)) == days
