"""Writes of the organisation core."""

from __future__ import annotations

from django.db import transaction

from pmf.choices import Frequency
from pmf.models import FinancialYear, Period
from pmf.periods import periods_per_year


@transaction.atomic
def ensure_financial_year(start_year: int) -> FinancialYear:
    """Create a financial year with every period of every frequency, if not there already."""
    year, _ = FinancialYear.objects.get_or_create(start_year=start_year)
    existing = set(Period.objects.filter(financial_year=year).values_list("frequency", "number"))
    for frequency in Frequency:
        for number in range(1, periods_per_year(frequency) + 1):
            if (frequency.value, number) not in existing:
                Period(financial_year=year, frequency=frequency, number=number).save()
    return year
