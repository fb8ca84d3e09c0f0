"""Reads shared by dashboards, scorecards, reports and the public site."""

from __future__ import annotations

from django.db.models import QuerySet

from indicators import assessment as rules
from indicators.selectors import PeriodAssessment, Series, assess
from pmf.choices import ServiceKind
from pmf.periods import period_bounds

#: Who delivers the measures a dashboard or scorecard shows (A1): a filter by the kind of the owning service.
EXTERNAL_KINDS = [k for k in ServiceKind.values if k != ServiceKind.SERVICE]
DELIVERY_CHOICES = {
    "council": "Council services",
    "external": "Companies and contracts",
    ServiceKind.COMPANY.value: "Wholly-owned companies",
    ServiceKind.PARTNERSHIP.value: "Partnerships",
    ServiceKind.CONTRACT.value: "Commissioned contracts",
}


def delivered_by(qs: QuerySet, delivery: str) -> QuerySet:
    """Measures or actions whose service is of the chosen delivery (a key of ``DELIVERY_CHOICES``); anything else,
    e.g. blank, leaves ``qs`` as it is."""
    field = "service__kind"
    if delivery == "council":
        return qs.filter(**{field: ServiceKind.SERVICE})
    if delivery == "external":
        return qs.filter(**{f"{field}__in": EXTERNAL_KINDS})
    if delivery in EXTERNAL_KINDS:
        return qs.filter(**{field: delivery})
    return qs


def quarter_assessment(series: Series, *, year_start: int, quarter: int) -> PeriodAssessment:
    """C6: a measure's figure in a quarterly report for quarter ``quarter`` of ``year_start``.

    - quarterly: that quarter, by C1 and C2;
    - monthly: its figure at the quarter's last month (snapshot: that month; cumulative: year to date at it),
      rated against that month's target, its direction of travel comparing quarter with quarter by C2 (June
      with March, March with the March a year earlier), not month with month;
    - half-yearly and annual (reported less often): the latest period ended by the quarter's end, with that
      period named in the assessment's label;
    - no figure for the period: 'M' there, never silently an earlier figure.
    """
    if not 1 <= quarter <= 4:
        raise ValueError(f"quarter must be 1 to 4, got {quarter}")
    spec = series.spec_for(year_start)
    frequency = spec.frequency
    if frequency == "quarterly":
        return assess(series, (year_start, quarter))
    if frequency == "monthly":
        compare_year, compare_quarter = rules.comparison_period(
            frequency="quarterly", measure_type=spec.measure_type, year_start=year_start, period_number=quarter)
        return assess(series, (year_start, quarter * 3), comparison=(compare_year, compare_quarter * 3))
    quarter_end = period_bounds(frequency="quarterly", year_start=year_start, period_number=quarter)[1]
    if frequency == "half_yearly":
        if quarter >= 2:
            key = (year_start, 2 if quarter == 4 else 1)
        else:
            key = (year_start - 1, 2)
    else:  # annual: the year ends at Q4
        key = (year_start, 1) if quarter == 4 else (year_start - 1, 1)
    assert period_bounds(frequency=frequency, year_start=key[0], period_number=key[1])[1] <= quarter_end
    return assess(series, key)


def month_assessment(series: Series, *, year_start: int, month: int) -> PeriodAssessment:
    """A measure's figure in a monthly report (a monthly scorecard) for month ``month`` (1 is April) of
    ``year_start``: a monthly measure's figure for that month, by C1 and C2 (compared with the month before); a
    measure reported less often shows its latest figure for a period ended by the month's end (as C6 does for a
    quarter), that period named; 'M' where there is none, never silently an earlier figure."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1 to 12, got {month}")
    if series.spec_for(year_start).frequency == "monthly":
        return assess(series, (year_start, month))
    if month >= 3:
        return quarter_assessment(series, year_start=year_start, quarter=month // 3)
    return quarter_assessment(series, year_start=year_start - 1, quarter=4)
