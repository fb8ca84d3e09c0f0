"""Writes of the organisation core."""

from __future__ import annotations

from contextlib import contextmanager

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from pmf.choices import Frequency
from pmf.models import FinancialYear, MaintenanceWindow, Period
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


PERFORMANCE_UNIT_GROUP = "Performance unit"
_CONFIGURED_APPS = ("pmf", "plans", "indicators", "reporting")


@transaction.atomic
def performance_unit_group():
    """The permission group of the performance unit (E1): configures levels, periods, indicators, targets,
    tolerances and users in the admin. What they see there is still scoped to their councils."""
    group, _ = Group.objects.get_or_create(name=PERFORMANCE_UNIT_GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=_CONFIGURED_APPS))
    return group


@contextmanager
def maintenance_window(purpose: str):
    """Lift the integrity triggers for the current transaction only (see pmf/integrity.py). For removing a
    whole council; never for editing figures."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("A maintenance window must be opened inside a transaction.")
    window = MaintenanceWindow.objects.create(purpose=purpose)
    try:
        yield
    finally:
        MaintenanceWindow.objects.filter(pk=window.pk).delete()
