"""Small builders for tests that need their own data beside the demo council."""

from __future__ import annotations

import itertools
from decimal import Decimal

from django.utils import timezone

from indicators.models import Indicator, Return, Specification, Target, TrajectoryPoint
from pmf.models import Council, Directorate, Period, RoleAssignment, Service, User
from pmf.services import ensure_financial_year

__all__ = ["ensure_financial_year"]

_seq = itertools.count(1)


def council(name: str | None = None) -> Council:
    n = next(_seq)
    name = name or f"Testshire Council {n}"
    return Council.objects.create(name=name, slug=f"testshire-{n}", short_name=name.split()[0])


def service(c: Council) -> Service:
    n = next(_seq)
    d = Directorate.objects.create(name=f"Directorate {n}", code=f"T{n}")
    d.councils.add(c)
    return Service.objects.create(directorate=d, name=f"Service {n}")


def user(c: Council | None = None, role: str | None = None, **scope) -> User:
    n = next(_seq)
    u = User.objects.create_user(
        username=f"user{n}", password="test-password-1", first_name="Test", last_name=f"User{n}"
    )
    if c is not None and role is not None:
        RoleAssignment.objects.create(user=u, council=c, role=role, **scope)
    return u


def indicator(c: Council, *, frequency="monthly", measure_type="snapshot", polarity="higher", calculation="value",
              decimal_places=0, kind="kpi", multiplier="1", forecast_method="", **kwargs) -> Indicator:
    n = next(_seq)
    ind = Indicator.objects.create(council=c, ref=f"T{n:03d}", title=f"Test measure {n}", kind=kind,
                                   service=kwargs.pop("service", None) or service(c), **kwargs)
    ensure_financial_year(2024)
    spec = Specification.objects.create(
        indicator=ind, valid_from_id=2024, definition="Test", data_source="Test system", frequency=frequency,
        measure_type=measure_type, polarity=polarity, calculation=calculation, decimal_places=decimal_places,
        multiplier=Decimal(multiplier), numerator_label="n" if calculation == "ratio" else "",
        denominator_label="d" if calculation == "ratio" else "", forecast_method=forecast_method,
    )
    ind.current_spec = spec
    ind.save(update_fields=["current_spec"])
    return ind


def target(ind: Indicator, year: int, annual=None, *, trajectory=None, **kwargs) -> Target:
    ensure_financial_year(year)
    t = Target.objects.create(indicator=ind, financial_year_id=year,
                              annual_target=None if annual is None else Decimal(str(annual)), **kwargs)
    for number, value in (trajectory or {}).items():
        TrajectoryPoint.objects.create(target=t, period_number=number, value=Decimal(str(value)))
    return t


def ret(ind: Indicator, year: int, number: int, value=None, *, numerator=None, denominator=None,
        state="approved", **kwargs) -> Return:
    ensure_financial_year(year)
    spec = ind.current_spec
    period = Period.objects.get(financial_year_id=year, frequency=spec.frequency, number=number)
    if numerator is not None:
        value = Decimal(str(numerator)) / Decimal(str(denominator)) * spec.multiplier
    who = kwargs.pop("by", None) or User.objects.filter(is_superuser=True).first() or user()
    now = timezone.now()
    extra = {}
    if state in ("submitted", "approved"):
        extra.update(submitted_by=who, submitted_at=now)
    if state == "approved":
        extra.update(approved_by=who, approved_at=now)
    return Return.objects.create(
        indicator=ind, period=period, value=None if value is None else Decimal(str(value)),
        numerator=None if numerator is None else Decimal(str(numerator)),
        denominator=None if denominator is None else Decimal(str(denominator)), state=state, **extra, **kwargs,
    )
