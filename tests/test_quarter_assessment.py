"""C6: a measure in a quarterly report of another frequency."""

from decimal import Decimal

import pytest

from indicators import selectors
from indicators.models import Indicator
from reporting.selectors import quarter_assessment
from tests import factories as f

pytestmark = pytest.mark.django_db


def series(ind):
    return selectors.load_series(Indicator.objects.filter(pk=ind.pk))[0]


def test_monthly_snapshot_uses_the_quarter_end_month_and_compares_quarter_with_quarter():
    c = f.council()
    ind = f.indicator(c, frequency="monthly")
    f.target(ind, 2025, 100, trajectory={3: 90})  # June's own profiled target
    f.ret(ind, 2025, 3, 80)  # June: end of Q1
    f.ret(ind, 2024, 12, 85)  # March 2025: end of the previous Q4
    f.ret(ind, 2025, 2, 99)  # May: not compared with
    a = quarter_assessment(series(ind), year_start=2025, quarter=1)
    assert (a.label, a.value, a.target, a.rag) == ("June 2025", Decimal(80), Decimal(90), "red")
    assert a.comparison_key == (2024, 12) and a.direction == "declining"


def test_monthly_year_end_compares_with_march_a_year_earlier():
    c = f.council()
    ind = f.indicator(c, frequency="monthly")
    f.target(ind, 2025, 100)
    f.ret(ind, 2025, 12, 95)
    f.ret(ind, 2024, 12, 90)
    f.ret(ind, 2025, 9, 99)
    a = quarter_assessment(series(ind), year_start=2025, quarter=4)
    assert a.comparison_key == (2024, 12) and a.direction == "improving"


def test_monthly_cumulative_is_year_to_date_at_the_quarter_end():
    c = f.council()
    ind = f.indicator(c, frequency="monthly", measure_type="cumulative")
    f.target(ind, 2025, 120, trajectory={n: 10 * n for n in range(1, 13)})
    for n in range(1, 7):
        f.ret(ind, 2025, n, 10)
    for n in range(1, 7):
        f.ret(ind, 2024, n, 9)
    a = quarter_assessment(series(ind), year_start=2025, quarter=2)
    assert (a.value, a.target, a.rag, a.comparison_key) == (Decimal(60), Decimal(60), "green", (2024, 6))
    assert a.comparison_value == Decimal(54) and a.direction == "improving"


def test_missing_quarter_end_month_is_measured_not_the_previous_figure():
    c = f.council()
    ind = f.indicator(c, frequency="monthly")
    f.target(ind, 2025, 100)
    f.ret(ind, 2025, 2, 120)
    a = quarter_assessment(series(ind), year_start=2025, quarter=1)
    assert a.rag == "measured" and a.value is None


@pytest.mark.parametrize(("frequency", "quarter", "expected"), [
    ("half_yearly", 1, (2024, 2)), ("half_yearly", 2, (2025, 1)), ("half_yearly", 3, (2025, 1)),
    ("half_yearly", 4, (2025, 2)), ("annual", 1, (2024, 1)), ("annual", 3, (2024, 1)), ("annual", 4, (2025, 1)),
])
def test_less_frequent_measures_show_their_latest_period_named(frequency, quarter, expected):
    c = f.council()
    ind = f.indicator(c, frequency=frequency)
    a = quarter_assessment(series(ind), year_start=2025, quarter=quarter)
    assert a.key == expected
    assert a.label.endswith(f"{expected[0]}/{str(expected[0] + 1)[-2:]}")
