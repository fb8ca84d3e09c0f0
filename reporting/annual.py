"""The parts of the annual documents (D6, F2, W 4.2, S 14), as snapshot data for the pack renderers:

- ``specifications``: the technical specification and rationale document: every field of the specification in
  force for the year of every measure in scope (B2), grouped by the Council Plan priority it serves;
- ``year_in_priorities``: each priority's year in measures and actions, at the year end (or at the latest quarter
  ended, for a report prepared before the year ends: "to date");
- ``success``: recognising success: measures Green and improving, actions delivered in the year;
- ``case_studies``: the approved case studies of staff work for the year, pictures with their descriptions.
"""

from __future__ import annotations

import base64
import io
from collections import defaultdict
from datetime import date

from PIL import Image

from indicators.choices import Direction, Rag
from indicators.formatting import figure
from indicators.selectors import Series
from plans.assessment import ActionStatus, action_status
from plans.models import Action, PlanItem
from pmf.models import User
from pmf.periods import financial_year_label, period_bounds, period_for_date, previous_period
from reporting.models import CaseStudy, CaseStudyStatus
from reporting.selectors import quarter_assessment

PICTURE_MAX_PX = 1000


def year_quarter(year: int, as_of: date) -> tuple[int, bool]:
    """The quarter of ``year`` the annual documents report at, and whether the year has ended (else "to date")."""
    if as_of > period_bounds(frequency="annual", year_start=year, period_number=1)[1]:
        return 4, True
    now_year, now_quarter = period_for_date(frequency="quarterly", on=as_of)
    ended_year, ended_quarter = previous_period(frequency="quarterly", year_start=now_year,
                                                period_number=now_quarter)
    return (ended_quarter if ended_year == year else 0), False


def _priority_of(paths: list[str], priorities: list[PlanItem]) -> PlanItem | None:
    for priority in priorities:
        if any(p.startswith(priority.path) for p in paths):
            return priority
    return None


def _grouped(items, paths_of, priorities: list[PlanItem]) -> list[tuple[str, list]]:
    groups: dict[int | None, list] = defaultdict(list)
    for item in items:
        found = _priority_of(paths_of(item), priorities)
        groups[found.pk if found else None].append(item)
    out = [(f"{p.ref} {p.title}", groups[p.pk]) for p in priorities if groups.get(p.pk)]
    if groups.get(None):
        out.append(("Not linked to a Council Plan priority", groups[None]))
    return out


def _person(user) -> str:
    return user.display_name if user is not None else "—"


def _spec_fields(spec, risks: list[str]) -> list[list[str]]:
    if spec.calculation == "ratio":
        calculation = (f"{spec.numerator_label or 'Numerator'} ÷ {spec.denominator_label or 'denominator'} × "
                       f"{spec.multiplier.normalize():f}")
    else:
        calculation = spec.get_calculation_display()
    unit = spec.get_unit_display()
    if spec.unit == "rate" and spec.rate_per:
        unit += f" per {spec.rate_per:,}"
    plausible = "—"
    if spec.plausible_min is not None or spec.plausible_max is not None:
        plausible = f"{figure(spec.plausible_min, spec)} to {figure(spec.plausible_max, spec)}"
    deputy = lambda u: f" (deputy: {_person(u)})" if u is not None else ""  # noqa: E731
    return [
        ["Definition", spec.definition],
        ["Rationale", spec.rationale or "—"],
        ["Data source", spec.data_source],
        ["Unit", unit],
        ["Calculation", calculation],
        ["Decimal places", str(spec.decimal_places)],
        ["Polarity", spec.get_polarity_display()],
        ["Frequency", spec.get_frequency_display()],
        ["Measure type", spec.get_measure_type_display()],
        ["Data due", f"{spec.due_working_days} working days after the period ends"],
        ["Accountable officer", _person(spec.accountable_officer) + deputy(spec.deputy_accountable_officer)],
        ["Performance lead", _person(spec.performance_lead) + deputy(spec.deputy_performance_lead)],
        ["Comparator group", spec.comparator_group or "—"],
        ["National code", spec.national_code or "—"],
        ["Statutory return", "Yes" if spec.is_statutory_return else "No"],
        ["Level of stretch", spec.get_stretch_display()],
        ["Forecast method", spec.get_forecast_method_display() or "The default for the measure type"],
        ["Plausible range", plausible],
        ["Change needing commentary",
         f"{spec.change_threshold_pct.normalize():f}%" if spec.change_threshold_pct is not None else "—"],
        ["Linked corporate risks", "; ".join(risks) or "—"],
        ["Specification version", f"{spec.version}, in force from {financial_year_label(spec.valid_from_id)}"],
    ]


def specifications(series: list[Series], year: int, priorities: list[PlanItem]) -> list[dict]:
    """B2: every field of every measure's specification in force for ``year``, grouped by priority. The series
    come with their indicators' plan items and risks prefetched; the officers are read in one query here."""
    specs = {s.indicator.pk: s.spec_for(year) for s in series}
    people = {pk for spec in specs.values() for pk in (
        spec.accountable_officer_id, spec.deputy_accountable_officer_id, spec.performance_lead_id,
        spec.deputy_performance_lead_id)} - {None}
    users = {u.pk: u for u in User.objects.filter(pk__in=people)}
    for spec in specs.values():  # the users of the specification without a query each
        for name in ("accountable_officer", "deputy_accountable_officer", "performance_lead",
                     "deputy_performance_lead"):
            setattr(spec, name, users.get(getattr(spec, f"{name}_id")))
    groups = []
    for title, members in _grouped(series, lambda s: [i.path for i in s.indicator.plan_items.all()], priorities):
        measures = []
        for s in members:
            ind = s.indicator
            risks = [f"{r.ref} {r.title}" for r in ind.risks.all()]
            measures.append({"ref": ind.ref, "name": ind.title, "kind": ind.get_kind_display(),
                             "fields": _spec_fields(specs[ind.pk], risks)})
        groups.append({"priority": title, "measures": measures})
    return groups


def _year_end_row(series: Series, year: int, quarter: int) -> dict:
    ind = series.indicator
    spec = series.spec_for(year)
    a = quarter_assessment(series, year_start=year, quarter=quarter) if quarter else None
    rag = a.rag if a is not None else Rag.MEASURED
    return {"ref": ind.ref, "name": ind.title,
            "value": figure(a.value, spec) if a is not None and a.value is not None else "M",
            "target": figure(a.annual_target, spec) if a is not None and a.annual_target is not None else "—",
            "period": a.label if a is not None else "",
            "rag": {Rag.GREEN: "green", Rag.AMBER: "amber", Rag.RED: "red"}.get(rag, "not_rated"),
            "rag_label": (Rag(rag).label if rag != Rag.MEASURED else "Not rated")
            + (" (self-assessed)" if a is not None and a.self_assessed else ""),
            "direction": str(a.direction) if a is not None else Direction.NOT_MEASURED.value,
            "direction_label": Direction(a.direction).label if a is not None else Direction.NOT_MEASURED.label}


def _action_rows(actions: list[Action], as_of: date) -> list[dict]:
    rows = []
    for action in actions:
        status = action_status(as_of=as_of, start=action.start, approved_end=action.approved_end,
                               forecast_end=action.forecast_end, completed_on=action.completed_on,
                               no_longer_viable=action.no_longer_viable)
        rows.append({"ref": action.ref, "title": action.title, "status": status.value, "status_label": status.label,
                     "owner": _person(action.owner), "completed": f"{action.completed_on:%-d %b %Y}"
                     if action.completed_on else ""})
    return rows


def year_in_priorities(series: list[Series], actions: list[Action], year: int, quarter: int, as_of: date,
                       priorities: list[PlanItem]) -> list[dict]:
    """Each priority's year: its measures at the year end (to date) and its actions' status."""
    end = min(as_of, period_bounds(frequency="annual", year_start=year, period_number=1)[1])
    measures = dict(_grouped(series, lambda s: [i.path for i in s.indicator.plan_items.all()], priorities))
    acts = dict(_grouped(actions, lambda a: [i.path for i in a.plan_items.all()], priorities))
    out = []
    for title in [*measures, *[t for t in acts if t not in measures]]:
        out.append({"priority": title,
                    "measures": [_year_end_row(s, year, quarter) for s in measures.get(title, [])],
                    "actions": _action_rows(acts.get(title, []), end)})
    return out


def success(series: list[Series], actions: list[Action], year: int, quarter: int, as_of: date) -> dict:
    """F2: what went well: measures Green and improving at the year end (to date), actions delivered in the year."""
    rows = [_year_end_row(s, year, quarter) for s in series] if quarter else []
    start, end = period_bounds(frequency="annual", year_start=year, period_number=1)
    end = min(end, as_of)
    delivered = [a for a in actions if a.completed_on is not None and start <= a.completed_on <= end]
    return {"measures": [r for r in rows if r["rag"] == "green" and r["direction"] == Direction.IMPROVING],
            "actions": [r for r in _action_rows(delivered, end) if r["status"] == ActionStatus.DELIVERED]}


def _picture_data(study: CaseStudy) -> str:
    """The picture as a JPEG data URI, at most ``PICTURE_MAX_PX`` wide: the snapshot carries it, so the pack's
    formats need nothing else and the issued pack keeps it."""
    if not study.picture:
        return ""
    try:
        with study.picture.open("rb") as fh, Image.open(fh) as image:
            image = image.convert("RGB")
            image.thumbnail((PICTURE_MAX_PX, PICTURE_MAX_PX))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=80)
    except (OSError, ValueError):
        return ""
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def case_studies(council_id: int, year: int, *, public: bool) -> list[dict]:
    """The approved case studies of the year (only the published ones for a published report)."""
    studies = (CaseStudy.objects.filter(council_id=council_id, financial_year_id=year,
                                        status=CaseStudyStatus.APPROVED)
               .select_related("team", "priority", "author").order_by("quarter", "title"))
    if public:
        studies = studies.filter(is_published=True)
    return [{"title": s.title, "story": s.story, "team": s.team.name if s.team else "",
             "priority": f"{s.priority.ref} {s.priority.title}" if s.priority else "",
             "period": (f"Q{s.quarter} " if s.quarter else "") + financial_year_label(year),
             "author": s.author.display_name, "picture": _picture_data(s), "picture_alt": s.picture_alt}
            for s in studies]
