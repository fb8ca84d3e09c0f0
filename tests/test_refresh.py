"""A4: the yearly refresh copies a plan, its items, links and targets into the next year as a draft."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from indicators.models import Target
from indicators.plan_services import refresh_plan
from plans.models import Action, Plan, PlanItem, PlanLevel
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_refresh_copies_into_next_year_keeping_history():
    c = f.council()
    top = PlanLevel.objects.create(council=c, name="Council Plan", rank=1, is_plan=True)
    svc = PlanLevel.objects.create(council=c, name="Service plan", rank=6, is_plan=True)
    for y in (2024, 2025, 2026, 2027):
        f.ensure_financial_year(y)
    council_plan = Plan.objects.create(council=c, level=top, title="CP", start_year_id=2024, end_year_id=2027)
    priority = PlanItem.objects.create(plan=council_plan, level=top, ref="P1", title="Priority")
    plan = Plan.objects.create(council=c, level=svc, title="Waste service plan 2025/26", start_year_id=2025,
                               end_year_id=2025, status="active", approved_by=f.user(), approved_at=timezone.now())
    obj = PlanItem.objects.create(plan=plan, level=svc, ref="S1", title="Recycle more", parent=priority)
    sub = PlanItem.objects.create(plan=plan, level=svc, ref="S1.1", title="Food waste", parent=obj)
    ind = f.indicator(c)
    ind.plan_items.add(sub)
    f.target(ind, 2025, 50, trajectory={1: 10}, tolerance_pct=3)
    done = Action.objects.create(council=c, ref="A1", title="Done", approved_end=date(2025, 6, 1),
                                 completed_on=date(2025, 5, 1))
    open_ = Action.objects.create(council=c, ref="A2", title="Open", approved_end=date(2026, 6, 1))
    done.plan_items.add(sub)
    open_.plan_items.add(sub)

    new = refresh_plan(plan=plan, user=f.user())

    assert (new.title, new.status, new.start_year_id, new.end_year_id) == ("Waste service plan 2026/27", "draft",
                                                                           2026, 2026)
    assert new.previous_version == plan
    new_obj = new.items.get(ref="S1")
    new_sub = new.items.get(ref="S1.1")
    assert new_obj.parent == priority  # still serves the same priority
    assert new_sub.parent == new_obj  # structure inside the plan kept
    assert list(new_sub.actions.all()) == [open_]
    assert list(new_sub.indicators.all()) == [ind]
    rolled = Target.objects.get(indicator=ind, financial_year_id=2026)
    assert (rolled.annual_target, rolled.tolerance_pct) == (50, 3)
    assert [p.value for p in rolled.trajectory.all()] == [10]
    assert plan.items.count() == 2 and sub.actions.count() == 2  # the old plan is untouched
    with pytest.raises(ValidationError):
        refresh_plan(plan=plan, user=f.user())
