"""What must never be stored is refused by the database itself, whatever code path tries to write it."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.db.models import UniqueConstraint
from django.utils import timezone

from indicators.models import Return, Specification, Target
from plans.models import Action, Plan, PlanItem, PlanLevel
from pmf.models import Period, RoleAssignment
from tests import factories as f

pytestmark = pytest.mark.django_db


def _constraint(name: str):
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if constraint.name == name:
                return model, constraint
    raise LookupError(f"no constraint named {name}")


def refused(constraint: str, fn) -> None:
    """``fn`` is refused by the database, and by the named constraint. PostgreSQL and SQLite name a check
    constraint in their message; for a unique constraint SQLite lists its columns instead, which are checked."""
    model, found = _constraint(constraint)
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        fn()
    message = str(exc.value)
    if constraint in message:
        return
    assert connection.vendor == "sqlite" and isinstance(found, UniqueConstraint), message
    columns = ", ".join(f"{model._meta.db_table}.{model._meta.get_field(f).column}" for f in found.fields)
    assert f"UNIQUE constraint failed: {columns}" in message, (constraint, message)


def test_period_outside_its_financial_year():
    f.ensure_financial_year(2025)
    refused("period_inside_its_year", lambda: Period.objects.bulk_create(
        [Period(financial_year_id=2025, frequency="monthly", number=3, start=date(2027, 1, 1), end=date(2027, 1, 31))]
    ))


def test_period_number_outside_its_frequency():
    f.ensure_financial_year(2025)
    refused("period_number_in_range", lambda: Period.objects.bulk_create(
        [Period(financial_year_id=2025, frequency="quarterly", number=5, start=date(2025, 4, 1),
                end=date(2025, 6, 30))]
    ))


def test_a_second_return_for_the_same_indicator_and_period():
    c = f.council()
    ind = f.indicator(c)
    f.ret(ind, 2025, 1, 10)
    refused("return_one_per_period",
            lambda: f.ret(ind, 2025, 1, 11))


def test_numerator_without_denominator():
    c = f.council()
    ind = f.indicator(c, calculation="ratio", multiplier="100")
    period = Period.objects.get(financial_year_id=2024, frequency="monthly", number=1)
    refused("return_numerator_with_denominator",
            lambda: Return.objects.create(indicator=ind, period=period, numerator=Decimal(5), value=Decimal(5)))


def test_zero_denominator_and_value_beside_no_data_reason():
    c = f.council()
    ind = f.indicator(c, calculation="ratio", multiplier="100")
    period = Period.objects.get(financial_year_id=2024, frequency="monthly", number=1)
    refused("return_denominator_not_zero",
            lambda: Return.objects.create(indicator=ind, period=period, numerator=Decimal(5), denominator=Decimal(0),
                                          value=Decimal(1)))
    refused("return_value_or_no_data",
            lambda: Return.objects.create(indicator=ind, period=period, value=Decimal(1), no_data_reason="System down"))


def test_submitted_return_needs_a_value_or_a_reason_and_who_submitted():
    c = f.council()
    ind = f.indicator(c)
    period = Period.objects.get(financial_year_id=2024, frequency="monthly", number=2)
    refused("return_submitted_has_value_or_reason",
            lambda: Return.objects.create(indicator=ind, period=period, state="submitted",
                                          submitted_by=f.user(), submitted_at=timezone.now()))
    refused("return_submission_recorded",
            lambda: Return.objects.create(indicator=ind, period=period, state="submitted", value=Decimal(3)))
    refused("return_returned_has_reason",
            lambda: Return.objects.create(indicator=ind, period=period, state="returned", value=Decimal(3)))


def test_target_rules():
    c = f.council()
    ind = f.indicator(c)
    f.ensure_financial_year(2025)
    refused("target_one_tolerance",
            lambda: Target.objects.create(indicator=ind, financial_year_id=2025, annual_target=Decimal(1),
                                          tolerance_pct=Decimal(5), tolerance_abs=Decimal(1)))
    refused("target_band_complete_and_ordered",
            lambda: Target.objects.create(indicator=ind, financial_year_id=2025, band_low=Decimal(5),
                                          band_high=Decimal(4)))
    refused("target_band_complete_and_ordered",
            lambda: Target.objects.create(indicator=ind, financial_year_id=2025, band_low=Decimal(5)))
    refused("target_tolerance_pct_not_negative",
            lambda: Target.objects.create(indicator=ind, financial_year_id=2025, annual_target=Decimal(1),
                                          tolerance_pct=Decimal(-1)))
    Target.objects.create(indicator=ind, financial_year_id=2025, annual_target=Decimal(1))
    refused("target_one_per_year",
            lambda: Target.objects.create(indicator=ind, financial_year_id=2025, annual_target=Decimal(2)))


def test_specification_rules():
    c = f.council()
    ind = f.indicator(c)
    refused("spec_version_unique",
            lambda: Specification.objects.create(indicator=ind, version=1, valid_from_id=2024, definition="x",
                                                 data_source="x"))
    refused("spec_multiplier_positive",
            lambda: Specification.objects.create(indicator=ind, version=2, valid_from_id=2024, definition="x",
                                                 data_source="x", multiplier=Decimal(0)))
    refused("spec_rate_has_base",
            lambda: Specification.objects.create(indicator=ind, version=3, valid_from_id=2024, definition="x",
                                                 data_source="x", unit="rate"))
    refused("spec_plausible_range_ordered",
            lambda: Specification.objects.create(indicator=ind, version=4, valid_from_id=2024, definition="x",
                                                 data_source="x", plausible_min=Decimal(5), plausible_max=Decimal(1)))


def test_plan_approval_and_years():
    c = f.council()
    level = PlanLevel.objects.create(council=c, name="Council Plan", rank=1, is_plan=True)
    f.ensure_financial_year(2024)
    f.ensure_financial_year(2025)
    refused("plan_end_not_before_start",
            lambda: Plan.objects.create(council=c, level=level, title="x", start_year_id=2025, end_year_id=2024,
                                        status="draft"))
    refused("plan_approval_recorded",
            lambda: Plan.objects.create(council=c, level=level, title="x", start_year_id=2024, end_year_id=2025,
                                        status="approved"))
    plan = Plan.objects.create(council=c, level=level, title="ok", start_year_id=2024, end_year_id=2025,
                               status="approved", approved_by=f.user(), approved_at=timezone.make_aware(
                                   datetime(2024, 3, 1)))
    item = PlanItem.objects.create(plan=plan, level=level, ref="P1", title="x")
    refused("plan_item_not_own_parent",
            lambda: PlanItem.objects.filter(pk=item.pk).update(parent=item))


def test_action_rules():
    c = f.council()
    refused("action_end_after_start",
            lambda: Action.objects.create(council=c, ref="A1", title="x", start=date(2025, 5, 1),
                                          approved_end=date(2025, 4, 1)))
    refused("action_nlv_has_reason",
            lambda: Action.objects.create(council=c, ref="A2", title="x", approved_end=date(2025, 4, 1),
                                          no_longer_viable=True))
    refused("action_not_both_done_and_nlv",
            lambda: Action.objects.create(council=c, ref="A3", title="x", approved_end=date(2025, 4, 1),
                                          no_longer_viable=True, no_longer_viable_reason="Funding withdrawn",
                                          completed_on=date(2025, 3, 1)))
    refused("action_progress_max_100",
            lambda: Action.objects.create(council=c, ref="A4", title="x", approved_end=date(2025, 4, 1),
                                          progress_pct=101))


def test_role_needs_the_part_of_the_organisation_it_covers():
    c = f.council()
    u = f.user()
    refused("role_director_has_directorate",
            lambda: RoleAssignment.objects.create(user=u, council=c, role="director"))
    refused("role_scrutiny_has_committee",
            lambda: RoleAssignment.objects.create(user=u, council=c, role="scrutiny_member"))
    refused("role_cabinet_has_portfolio",
            lambda: RoleAssignment.objects.create(user=u, council=c, role="cabinet_member"))
