"""What must never be stored is refused by the database itself, whatever code path tries to write it."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from indicators.models import Return, Specification, Target
from plans.models import Action, Plan, PlanItem, PlanLevel
from pmf.models import Period, RoleAssignment
from tests import factories as f

pytestmark = pytest.mark.django_db


def refused(fn) -> str:
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        fn()
    return str(exc.value)


def test_period_outside_its_financial_year():
    f.ensure_financial_year(2025)
    msg = refused(lambda: Period.objects.bulk_create(
        [Period(financial_year_id=2025, frequency="monthly", number=3, start=date(2027, 1, 1), end=date(2027, 1, 31))]
    ))
    assert "period_inside_its_year" in msg or "CHECK" in msg.upper()


def test_period_number_outside_its_frequency():
    f.ensure_financial_year(2025)
    refused(lambda: Period.objects.bulk_create(
        [Period(financial_year_id=2025, frequency="quarterly", number=5, start=date(2025, 4, 1),
                end=date(2025, 6, 30))]
    ))


def test_a_second_return_for_the_same_indicator_and_period():
    c = f.council()
    ind = f.indicator(c)
    f.ret(ind, 2025, 1, 10)
    msg = refused(lambda: f.ret(ind, 2025, 1, 11))
    assert "unique" in msg.lower()


def test_numerator_without_denominator():
    c = f.council()
    ind = f.indicator(c, calculation="ratio", multiplier="100")
    period = Period.objects.get(financial_year_id=2024, frequency="monthly", number=1)
    refused(lambda: Return.objects.create(indicator=ind, period=period, numerator=Decimal(5), value=Decimal(5)))


def test_zero_denominator_and_value_beside_no_data_reason():
    c = f.council()
    ind = f.indicator(c, calculation="ratio", multiplier="100")
    period = Period.objects.get(financial_year_id=2024, frequency="monthly", number=1)
    refused(lambda: Return.objects.create(indicator=ind, period=period, numerator=Decimal(5), denominator=Decimal(0),
                                          value=Decimal(1)))
    refused(lambda: Return.objects.create(indicator=ind, period=period, value=Decimal(1), no_data_reason="System down"))


def test_submitted_return_needs_a_value_or_a_reason_and_who_submitted():
    c = f.council()
    ind = f.indicator(c)
    period = Period.objects.get(financial_year_id=2024, frequency="monthly", number=2)
    refused(lambda: Return.objects.create(indicator=ind, period=period, state="submitted",
                                          submitted_by=f.user(), submitted_at=timezone.now()))
    refused(lambda: Return.objects.create(indicator=ind, period=period, state="submitted", value=Decimal(3)))
    refused(lambda: Return.objects.create(indicator=ind, period=period, state="returned", value=Decimal(3)))


def test_target_rules():
    c = f.council()
    ind = f.indicator(c)
    f.ensure_financial_year(2025)
    refused(lambda: Target.objects.create(indicator=ind, financial_year_id=2025, annual_target=Decimal(1),
                                          tolerance_pct=Decimal(5), tolerance_abs=Decimal(1)))
    refused(lambda: Target.objects.create(indicator=ind, financial_year_id=2025, band_low=Decimal(5),
                                          band_high=Decimal(4)))
    refused(lambda: Target.objects.create(indicator=ind, financial_year_id=2025, band_low=Decimal(5)))
    refused(lambda: Target.objects.create(indicator=ind, financial_year_id=2025, annual_target=Decimal(1),
                                          tolerance_pct=Decimal(-1)))
    Target.objects.create(indicator=ind, financial_year_id=2025, annual_target=Decimal(1))
    refused(lambda: Target.objects.create(indicator=ind, financial_year_id=2025, annual_target=Decimal(2)))


def test_specification_rules():
    c = f.council()
    ind = f.indicator(c)
    refused(lambda: Specification.objects.create(indicator=ind, version=1, valid_from_id=2024, definition="x",
                                                 data_source="x"))
    refused(lambda: Specification.objects.create(indicator=ind, version=2, valid_from_id=2024, definition="x",
                                                 data_source="x", multiplier=Decimal(0)))
    refused(lambda: Specification.objects.create(indicator=ind, version=3, valid_from_id=2024, definition="x",
                                                 data_source="x", unit="rate"))
    refused(lambda: Specification.objects.create(indicator=ind, version=4, valid_from_id=2024, definition="x",
                                                 data_source="x", plausible_min=Decimal(5), plausible_max=Decimal(1)))


def test_plan_approval_and_years():
    c = f.council()
    level = PlanLevel.objects.create(council=c, name="Council Plan", rank=1, is_plan=True)
    f.ensure_financial_year(2024)
    f.ensure_financial_year(2025)
    refused(lambda: Plan.objects.create(council=c, level=level, title="x", start_year_id=2025, end_year_id=2024,
                                        status="draft"))
    refused(lambda: Plan.objects.create(council=c, level=level, title="x", start_year_id=2024, end_year_id=2025,
                                        status="approved"))
    plan = Plan.objects.create(council=c, level=level, title="ok", start_year_id=2024, end_year_id=2025,
                               status="approved", approved_by=f.user(), approved_at=timezone.make_aware(
                                   datetime(2024, 3, 1)))
    item = PlanItem.objects.create(plan=plan, level=level, ref="P1", title="x")
    refused(lambda: PlanItem.objects.filter(pk=item.pk).update(parent=item))


def test_action_rules():
    c = f.council()
    refused(lambda: Action.objects.create(council=c, ref="A1", title="x", start=date(2025, 5, 1),
                                          approved_end=date(2025, 4, 1)))
    refused(lambda: Action.objects.create(council=c, ref="A2", title="x", approved_end=date(2025, 4, 1),
                                          no_longer_viable=True))
    refused(lambda: Action.objects.create(council=c, ref="A3", title="x", approved_end=date(2025, 4, 1),
                                          no_longer_viable=True, no_longer_viable_reason="Funding withdrawn",
                                          completed_on=date(2025, 3, 1)))
    refused(lambda: Action.objects.create(council=c, ref="A4", title="x", approved_end=date(2025, 4, 1),
                                          progress_pct=101))


def test_role_needs_the_part_of_the_organisation_it_covers():
    c = f.council()
    u = f.user()
    refused(lambda: RoleAssignment.objects.create(user=u, council=c, role="director"))
    refused(lambda: RoleAssignment.objects.create(user=u, council=c, role="scrutiny_member"))
    refused(lambda: RoleAssignment.objects.create(user=u, council=c, role="cabinet_member"))
