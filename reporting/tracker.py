"""D3: the quarterly exception tracker. An exception opens when a measure or an action first meets the exception
rule of a quarter (the rule of the exception report: at Q1 and Q3 every measure Red at the previous quarter, at Q2
and Q4 every KPI that is Red, every quarter every action slipped more than three months), and the tracker follows
it every quarter (figure, rating, direction of travel, recovery plan and its progress) until it recovers: a measure
back within tolerance (Green or Amber) at a quarter end, an action delivered or slipped less than three months. Then
it closes, with the quarter it closed.

Each quarter is tracked once, in order (``TrackedQuarter``), from approved figures, so the tracker is a record of
what each quarter showed. ``track`` catches up every quarter not yet tracked up to the one asked for; the exception
tracker report calls it before it is assembled, and the demo runs it over its history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q

from indicators.choices import IndicatorKind, Rag
from indicators.formatting import figure
from indicators.models import Indicator, RecoveryPlan
from indicators.selectors import APPROVED_ONLY, Series, load_series
from plans.assessment import ActionStatus, action_status
from plans.models import Action
from pmf.models import Council
from pmf.periods import financial_year_label, period_bounds, period_for_date, previous_period
from reporting.models import ExceptionCase, ExceptionReview, TrackedQuarter
from reporting.selectors import quarter_assessment

Quarter = tuple[int, int]  # (financial year start, quarter)


def d3_measures(series: list[Series], year: int, quarter: int) -> list[tuple[Series, str]]:
    """The measures the exception rule (D3) picks at a quarter, each with why: at Q1 and Q3 every measure, KPI or
    not, Red at the previous quarter; at Q2 and Q4 every KPI Red at this one."""
    chosen = []
    if quarter in (1, 3):
        prev_year, prev_q = previous_period(frequency="quarterly", year_start=year, period_number=quarter)
        for s in series:
            before = quarter_assessment(s, year_start=prev_year, quarter=prev_q)
            if before.value is not None and before.rag == Rag.RED:
                chosen.append((s, f"Red at Q{prev_q} {financial_year_label(prev_year)}"))
    else:
        for s in series:
            if s.indicator.kind != IndicatorKind.KPI:
                continue
            now = quarter_assessment(s, year_start=year, quarter=quarter)
            if now.value is not None and now.rag == Rag.RED:
                chosen.append((s, f"Red at {now.label}"))
    return chosen


def _quarters(start: Quarter, end: Quarter) -> list[Quarter]:
    out, q = [], start
    while q <= end:
        out.append(q)
        q = (q[0] + 1, 1) if q[1] == 4 else (q[0], q[1] + 1)
    return out


@dataclass
class Tracked:
    quarters: list[Quarter]
    opened: int = 0
    closed: int = 0


def _recovery_text(plan: RecoveryPlan | None) -> str:
    if plan is None:
        return "No recovery plan."
    text = f"Recovery plan: {plan.get_status_display().lower()}"
    if plan.expected_on_target:
        text += f", back on target by {plan.expected_on_target:%-d %B %Y}"
    if plan.actions:
        text += f". {plan.actions.strip()}"
    return text[:300]


@transaction.atomic
def track(council: Council, *, up_to: Quarter, since: Quarter | None = None) -> Tracked:
    """Track every quarter of the council not tracked yet, in order, up to ``up_to``; the first time, from
    ``since`` (default: Q1 of the year before ``up_to``'s). A second call for the same quarter does nothing."""
    done = set(TrackedQuarter.objects.filter(council=council).values_list("year", "quarter"))
    first = min(done) if done else (since or (up_to[0] - 1, 1))
    todo = [q for q in _quarters(first, up_to) if q not in done]
    result = Tracked(quarters=todo)
    if not todo:
        return result
    series = load_series(Indicator.objects.filter(council=council, current_spec__isnull=False).order_by("ref"),
                         states=APPROVED_ONLY, since_year=todo[0][0] - 2)
    by_indicator = {s.indicator.pk: s for s in series}
    actions = list(Action.objects.filter(council=council).order_by("ref"))
    plans = list(RecoveryPlan.objects.filter(Q(indicator__council=council) | Q(action__council=council))
                 .order_by("requested_at"))
    for year, quarter in todo:
        end = period_bounds(frequency="quarterly", year_start=year, period_number=quarter)[1]
        open_cases = {("i", c.indicator_id) if c.indicator_id else ("a", c.action_id): c
                      for c in ExceptionCase.objects.filter(council=council, closed_year__isnull=True)}
        statuses = {a.pk: action_status(as_of=end, start=a.start, approved_end=a.approved_end,
                                        forecast_end=a.forecast_end, completed_on=a.completed_on,
                                        no_longer_viable=a.no_longer_viable) for a in actions}
        new = []
        for s, why in d3_measures(series, year, quarter):
            if ("i", s.indicator.pk) not in open_cases:
                new.append(ExceptionCase(council=council, indicator=s.indicator, opened_year=year,
                                         opened_quarter=quarter, opened_because=why))
        for action in actions:
            if statuses[action.pk] == ActionStatus.SLIPPED_GT3 and ("a", action.pk) not in open_cases:
                if action.start is None or action.start <= end:
                    new.append(ExceptionCase(council=council, action=action, opened_year=year, opened_quarter=quarter,
                                             opened_because="Slipped more than 3 months"))
        ExceptionCase.objects.bulk_create(new)
        result.opened += len(new)
        reviews, closing = [], []
        for case in [*open_cases.values(), *new]:
            latest = None
            for plan in plans:
                if plan.requested_at.date() <= end and (
                        (case.indicator_id and plan.indicator_id == case.indicator_id)
                        or (case.action_id and plan.action_id == case.action_id)):
                    latest = plan
            if case.indicator_id:
                s = by_indicator[case.indicator_id]
                a = quarter_assessment(s, year_start=year, quarter=quarter)
                recovered = a.value is not None and a.rag in (Rag.GREEN, Rag.AMBER)
                review = ExceptionReview(
                    case=case, year=year, quarter=quarter,
                    figure=figure(a.value, s.spec_for(year)) if a.value is not None else "No approved figure",
                    rating=Rag(a.rag).label, direction=str(a.direction).replace("_", " ").capitalize(),
                    recovery=_recovery_text(latest), recovered=recovered)
                because = f"{Rag(a.rag).label} at {a.label}"
            else:
                status = ActionStatus(statuses[case.action_id])
                recovered = status != ActionStatus.SLIPPED_GT3
                review = ExceptionReview(case=case, year=year, quarter=quarter, rating=status.label,
                                         recovery=_recovery_text(latest), recovered=recovered)
                because = status.label
            reviews.append(review)
            opened_now = (case.opened_year, case.opened_quarter) == (year, quarter)
            if recovered and not opened_now:
                case.closed_year, case.closed_quarter, case.closed_because = year, quarter, because[:200]
                closing.append(case)
        ExceptionReview.objects.bulk_create(reviews)
        ExceptionCase.objects.bulk_update(closing, ["closed_year", "closed_quarter", "closed_because"])
        result.closed += len(closing)
        TrackedQuarter.objects.create(council=council, year=year, quarter=quarter)
    return result


def tracker_rows(council: Council, year: int, quarter: int, *, indicator_ids: set[int] | None = None,
                 action_ids: set[int] | None = None) -> dict:
    """The tracker at a quarter for a report: the exceptions open at its end with their age in quarters and
    their history, and those closed in it. Limited to the measures and actions in the report's scope, if given."""
    cases = (ExceptionCase.objects.filter(council=council)
             .filter(Q(opened_year__lt=year) | Q(opened_year=year, opened_quarter__lte=quarter))
             .filter(Q(closed_year__isnull=True) | Q(closed_year__gt=year) | Q(closed_year=year,
                                                                               closed_quarter__gte=quarter))
             .select_related("indicator", "action").prefetch_related("reviews")
             .order_by("opened_year", "opened_quarter", "pk"))
    open_rows, closed_rows = [], []
    for case in cases:
        if case.indicator_id and indicator_ids is not None and case.indicator_id not in indicator_ids:
            continue
        if case.action_id and action_ids is not None and case.action_id not in action_ids:
            continue
        subject = case.indicator or case.action
        history = [{"quarter": f"Q{r.quarter} {financial_year_label(r.year)}", "figure": r.figure,
                    "rating": r.rating, "direction": r.direction, "recovery": r.recovery}
                   for r in case.reviews.all() if (r.year, r.quarter) <= (year, quarter)]
        row = {"ref": subject.ref, "title": subject.title, "kind": "measure" if case.indicator_id else "action",
               "opened": f"Q{case.opened_quarter} {financial_year_label(case.opened_year)}",
               "because": case.opened_because, "age": case.age(year, quarter),
               "latest": history[-1] if history else None, "history": history}
        if case.closed_year == year and case.closed_quarter == quarter:
            row["closed_because"] = case.closed_because
            closed_rows.append(row)
        else:
            open_rows.append(row)
    open_rows.sort(key=lambda r: (-r["age"], r["ref"]))
    return {"quarter": f"Q{quarter} {financial_year_label(year)}", "open": open_rows, "closed": closed_rows}


def latest_quarter(today: date) -> Quarter:
    """The latest quarter ended by ``today``."""
    year, quarter = period_for_date(frequency="quarterly", on=today)
    return previous_period(frequency="quarterly", year_start=year, period_number=quarter)
