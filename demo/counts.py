"""The counts ``load_demo`` prints: what the demo council holds, and the state of its data at the as-of date."""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.db.models import Count
from django.utils import timezone

from demo import DEMO_AS_OF
from indicators.choices import Frequency, IndicatorKind, MeasureType, Polarity, ReturnState, Unit
from indicators.models import (
    BenchmarkValue,
    CorporateRisk,
    Indicator,
    Return,
    Specification,
    Target,
    TrajectoryPoint,
)
from plans.assessment import action_status
from plans.choices import ActionStatus
from plans.models import Action, DecisionPoint, Milestone, Plan, PlanItem, PlanLevel, Programme, Project
from pmf.calendar import due_date
from pmf.choices import Role
from pmf.models import Committee, Council, Directorate, Period, RoleAssignment, Service, Team, User
from pmf.periods import period_for_date

Counts = dict[str, "int | dict[str, int]"]


def _breakdown(choices, counted: Counter) -> dict[str, int]:
    return {value: counted.get(value, 0) for value in choices.values}


def missing_returns(council: Council, as_of: date) -> int:
    """Periods in the three reporting years that ended and fell due before ``as_of`` with no return at all."""
    current, _ = period_for_date(frequency="annual", on=as_of)
    years = (current - 2, current - 1, current)
    specs: dict[int, list[Specification]] = {}
    for spec in Specification.objects.filter(indicator__council=council).order_by("indicator_id", "version"):
        specs.setdefault(spec.indicator_id, []).append(spec)
    periods = list(Period.objects.filter(financial_year_id__in=years, end__lt=as_of))
    have = set(Return.objects.filter(indicator__council=council).values_list("indicator_id", "period_id"))
    missing = 0
    for indicator_id, versions in specs.items():
        frequency = versions[-1].frequency
        for period in periods:
            if period.frequency != frequency:
                continue
            in_force = [s for s in versions if s.valid_from_id <= period.financial_year_id] or versions[:1]
            if due_date(period.end, in_force[-1].due_working_days) >= as_of:
                continue
            if (indicator_id, period.pk) not in have:
                missing += 1
    return missing


def demo_counts(council: Council, as_of: date = DEMO_AS_OF) -> Counts:
    people = User.objects.filter(role_assignments__council=council).distinct()
    roles = Counter(dict(
        RoleAssignment.objects.filter(council=council).values("role").annotate(n=Count("user", distinct=True))
        .values_list("role", "n")))
    levels = list(PlanLevel.objects.filter(council=council).order_by("rank"))
    plans = Counter(dict(Plan.objects.filter(council=council).values("level").annotate(n=Count("pk"))
                         .values_list("level", "n")))
    items = Counter(dict(PlanItem.objects.filter(plan__council=council).values("level").annotate(n=Count("pk"))
                         .values_list("level", "n")))
    indicators = Indicator.objects.filter(council=council)
    specs = list(Specification.objects.filter(pk__in=indicators.values("current_spec")))
    returns = Return.objects.filter(indicator__council=council)
    states = Counter(dict(returns.values("state").annotate(n=Count("pk")).values_list("state", "n")))
    late = sum(
        1 for submitted, due in returns.filter(submitted_at__isnull=False, due_on__isnull=False)
        .values_list("submitted_at", "due_on")
        if timezone.localdate(submitted) > due
    )
    statuses = Counter(
        action_status(as_of=as_of, start=start, approved_end=end, forecast_end=forecast, completed_on=done,
                      no_longer_viable=nlv).value
        for start, end, forecast, done, nlv in Action.objects.filter(council=council).values_list(
            "start", "approved_end", "forecast_end", "completed_on", "no_longer_viable")
    )
    # the items at the second and third levels: Harrowdale's priorities and outcomes, the pair's themes and objectives
    priority = next((lv for lv in levels if lv.rank == 2), None)
    outcome = next((lv for lv in levels if lv.rank == 3), None)
    directorates = Directorate.objects.filter(councils=council)
    return {
        "councils": Council.objects.filter(pk=council.pk).count(),
        "directorates": directorates.count(),
        "services": Service.objects.filter(directorate__in=directorates).count(),
        "teams": Team.objects.filter(service__directorate__in=directorates).count(),
        "people": people.count(),
        "people by role": _breakdown(Role, roles),
        "committees": Committee.objects.filter(councils=council).count(),
        "plans by level": {lv.name: plans.get(lv.pk, 0) for lv in levels if lv.is_plan},
        "plan items by level": {lv.name: items.get(lv.pk, 0) for lv in levels},
        "priorities": items.get(priority.pk, 0) if priority else 0,
        "outcomes": items.get(outcome.pk, 0) if outcome else 0,
        "indicators": indicators.count(),
        "indicators by kind": _breakdown(IndicatorKind, Counter(indicators.values_list("kind", flat=True))),
        "indicators by unit": _breakdown(Unit, Counter(s.unit for s in specs)),
        "indicators by polarity": _breakdown(Polarity, Counter(s.polarity for s in specs)),
        "indicators by frequency": _breakdown(Frequency, Counter(s.frequency for s in specs)),
        "indicators by measure type": _breakdown(MeasureType, Counter(s.measure_type for s in specs)),
        "headline indicators": indicators.filter(is_headline=True).count(),
        "qualitative indicators": indicators.filter(is_qualitative=True).count(),
        "perception indicators": indicators.filter(is_perception=True).count(),
        "restricted indicators": indicators.filter(is_restricted=True).count(),
        "specifications": Specification.objects.filter(indicator__council=council).count(),
        "targets": Target.objects.filter(indicator__council=council).count(),
        "trajectory points": TrajectoryPoint.objects.filter(target__indicator__council=council).count(),
        "corporate risks": CorporateRisk.objects.filter(council=council).count(),
        "benchmark values": BenchmarkValue.objects.filter(indicator__council=council).count(),
        "returns": returns.count(),
        "returns by state": _breakdown(ReturnState, states),
        "late returns": late,
        "missing returns": missing_returns(council, as_of),
        "actions": Action.objects.filter(council=council).count(),
        f"actions by status at {as_of.isoformat()}": _breakdown(ActionStatus, statuses),
        "milestones": Milestone.objects.filter(action__council=council).count(),
        "programmes": Programme.objects.filter(council=council).count(),
        "projects": Project.objects.filter(programme__council=council).count(),
        "decision points": DecisionPoint.objects.filter(project__programme__council=council).count(),
    }


def format_counts(counts: Counts) -> list[str]:
    lines = []
    for name, value in counts.items():
        if isinstance(value, dict):
            lines.append(f"  {name}:")
            lines += [f"    {key}: {n}" for key, n in value.items()]
        else:
            lines.append(f"  {name}: {value}")
    return lines
