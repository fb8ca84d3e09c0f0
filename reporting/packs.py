"""Assembly of a report pack's snapshot (D2, D3, C4, C6): every figure of the pack, from approved data only.

``assemble(definition, period, as_of=...)`` reads the council's data once and returns a ``reporting.snapshot``
dict; the renderers (``reporting.rendering``) draw every format from it, and an issued pack keeps it for ever.

Which measures and actions: those in the definition's scope (the whole council; a portfolio's plan items and
everything beneath them; a committee's remit and everything beneath it; a directorate's services), KPIs and key
actions only unless the definition asks for all. A public report leaves restricted measures out.

Where a measure sits: each plan section holds the measures and actions linked to that plan's items. The plans
are those below the top of the golden thread (the Council Plan is the overview, by priority), current in the
period's year; a measure linked to several plans appears in each, as on their scorecards (D5).

The exception rules (D3, C 7.2-7.3 and 9.2), for a quarterly report of quarter Q:
- Q1 and Q3: every measure in scope, KPI or not, that was Red at the previous quarter, with its progress since;
- Q2 and Q4: every KPI in scope that is Red, with the outcome owner's further information;
- every quarter: every action in scope slipped more than 3 months at the quarter's end, with its reasons and
  corrective actions.
A monthly report's exceptions are the measures Red that month; an annual report's, the KPIs Red at year end.

Unapproved data is never used (D2): the series hold approved returns only, and the pack lists every measure
whose figure for the period was missing or not yet approved when it was assembled.

A joint committee's report (a definition that also covers other councils) is one pack: each council's sections
from its own plans and data, side by side, and a combined summary whose counts add up only the measures every
council measures the same way (``COMBINED_RULE``).

A fixed number of queries whatever the number of measures (per council covered).
"""

from __future__ import annotations

import copy
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from indicators import risk_rules
from indicators.choices import AWAITING_SIGN_OFF, Direction, IndicatorKind, Rag, ReturnState
from indicators.formatting import figure
from indicators.models import BenchmarkValue, CorporateRisk, Indicator, RecoveryPlan, Return
from indicators.selectors import APPROVED_ONLY, PeriodAssessment, Series, assess, load_series
from plans.assessment import ActionStatus, action_status
from plans.models import Action, ActionUpdate, DecisionPoint, Plan, PlanItem
from plans.selectors import decisions_due_q, linked_under, remit_paths
from pmf import clock
from pmf.choices import CommitteeKind
from pmf.models import Period, User
from pmf.periods import financial_year_label, period_label, previous_period
from reporting import annual, charts, finance, risk_register, tracker
from reporting.models import ReportDefinition, ScopeKind, Section
from reporting.scorecard import make_row, officer_names
from reporting.selectors import quarter_assessment
from reporting.snapshot import SCHEMA_VERSION
from reporting.tracker import d3_measures

RAG_KEYS = ["green", "amber", "red", "not_rated", "missing"]
RAG_WORDS = {"green": "Green", "amber": "Amber", "red": "Red", "not_rated": "Measured (not rated)",
             "missing": "Missing (M)"}
DIRECTION_KEYS = ["improving", "maintained", "declining", "not_comparable"]
DIRECTION_WORDS = {"improving": "Improving", "maintained": "Maintained", "declining": "Declining",
                   "not_comparable": "Not comparable"}
STATE_WORDS = {ReturnState.SUBMITTED: "Awaiting sign-off", ReturnState.VERIFIED: "Verified, awaiting sign-off",
               ReturnState.DRAFT: "Draft, not submitted",
               ReturnState.RETURNED: "Sent back to the officer"}

Progress = Callable[[int, str], None]


# -- the report's period ----------------------------------------------------------------------------------------

def report_quarter(period: Period) -> tuple[int, int]:
    """The quarter a report of ``period`` shows for measures reported quarterly or less often: the quarter
    itself; for a month, the latest quarter ended by the month's end; for a year, its Q4."""
    year, number = period.financial_year_id, period.number
    if period.frequency == "quarterly":
        return year, number
    if period.frequency == "annual":
        return year, 4
    if number % 3 == 0:
        return year, number // 3
    return previous_period(frequency="quarterly", year_start=year, period_number=(number - 1) // 3 + 1)


def assess_for(series: Series, period: Period) -> PeriodAssessment:
    """A measure's figure in a report of ``period`` (C6)."""
    if period.frequency == "monthly" and series.spec_for(period.financial_year_id).frequency == "monthly":
        return assess(series, (period.financial_year_id, period.number))
    year, quarter = report_quarter(period)
    return quarter_assessment(series, year_start=year, quarter=quarter)


def period_title(period: Period) -> str:
    label = period_label(frequency=period.frequency, year_start=period.financial_year_id,
                         period_number=period.number)
    if period.frequency == "quarterly":
        return (f"Q{period.number} {financial_year_label(period.financial_year_id)}: "
                f"{period.start:%B} to {period.end:%B %Y}")
    return label


def pack_title(definition: ReportDefinition, period: Period) -> str:
    if period.frequency == "quarterly":
        when = f"Q{period.number} {financial_year_label(period.financial_year_id)}"
    else:
        when = period_label(frequency=period.frequency, year_start=period.financial_year_id,
                            period_number=period.number)
    if period.end >= clock.today():
        when += " (to date)"  # an annual document prepared before its year ends
    return f"{definition.name}: {when}"


# -- scope ------------------------------------------------------------------------------------------------------

def _scope_paths(definition: ReportDefinition) -> list[str] | None:
    """The plan-item paths the scope covers (None: the whole council or a directorate)."""
    if definition.scope == ScopeKind.PORTFOLIO:
        return remit_paths(PlanItem.objects.all(), portfolios=[definition.portfolio_id])
    if definition.scope == ScopeKind.COMMITTEE:
        return remit_paths(PlanItem.objects.filter(plan__council_id=definition.council_id),
                           committees=[definition.committee_id])
    if definition.scope == ScopeKind.TEAM:  # the measures and actions of the team's plans
        return sorted(set(PlanItem.objects.filter(plan__team_id=definition.team_id).values_list("path", flat=True)))
    return None


def _scoped(qs: QuerySet, definition: ReportDefinition, paths: list[str] | None) -> QuerySet:
    if definition.scope == ScopeKind.DIRECTORATE:
        return qs.filter(service__directorate_id=definition.directorate_id)
    if definition.scope == ScopeKind.SERVICE:
        return qs.filter(service_id=definition.service_id)
    return qs if paths is None else linked_under(qs, paths)


def scope_indicators(definition: ReportDefinition, paths: list[str] | None) -> QuerySet[Indicator]:
    """Every measure in scope (KPI or not): the Q1/Q3 exception rule needs them all."""
    qs = Indicator.objects.filter(council_id=definition.council_id, current_spec__isnull=False)
    if definition.is_public:
        qs = qs.filter(is_restricted=False)
    return _scoped(qs, definition, paths).order_by("ref")


def scope_actions(definition: ReportDefinition, paths: list[str] | None) -> QuerySet[Action]:
    return _scoped(Action.objects.filter(council_id=definition.council_id), definition, paths).order_by("ref")


# -- rows -------------------------------------------------------------------------------------------------------

def _rag_key(assessment: PeriodAssessment) -> str:
    if assessment.self_assessed:  # a narrative measure's status as its officer chose it (B1): no figure
        return str(assessment.rag)
    if assessment.value is None:
        return "missing"
    return {Rag.GREEN: "green", Rag.AMBER: "amber", Rag.RED: "red"}.get(assessment.rag, "not_rated")


def _direction_key(assessment: PeriodAssessment) -> str:
    return {Direction.IMPROVING: "improving", Direction.MAINTAINED: "maintained",
            Direction.DECLINING: "declining"}.get(assessment.direction, "not_comparable")


def _raw(value) -> str | None:
    """A decimal as plain text for the data annex: 93.4, not 93.400000; 50, not 5E+1."""
    return None if value is None else format(value.normalize(), "f")


def _date(value: date | None) -> str:
    return f"{value:%-d %b %Y}" if value else ""


class _Measure:
    """One measure in scope with its assessment for the period, its row and what the rules need."""

    def __init__(self, series: Series, period: Period, officers: dict[int, str]):
        self.series = series
        self.indicator = series.indicator
        year = period.financial_year_id
        self.spec = series.spec_for(year)
        self.assessment = assess_for(series, period)
        self.row = make_row(series, self.assessment, year=year, officers=officers)
        self.rag = _rag_key(self.assessment)
        self.rag_label = RAG_WORDS[self.rag] + (" (self-assessed)" if self.assessment.self_assessed else "")
        self.direction = _direction_key(self.assessment)

    def data(self) -> dict:
        r = self.row
        return {
            "ref": self.indicator.ref, "name": self.indicator.title, "is_kpi": self.indicator.kind == IndicatorKind.KPI,
            "unit": self.spec.unit, "data_source": r.text("data_source"), "previous": r.text("previous"),
            "target": r.text("target"), "ytd_plan": r.text("ytd_plan"), "ytd": r.text("ytd"),
            "value": figure(self.assessment.value, self.spec) if self.assessment.value is not None
            else "Narrative" if self.assessment.self_assessed else "M",
            "value_raw": _raw(self.assessment.value), "target_raw": _raw(self.assessment.target),
            "rag": self.rag, "rag_label": self.rag_label, "self_assessed": self.assessment.self_assessed,
            "direction": self.direction, "direction_label": DIRECTION_WORDS[self.direction],
            "period": self.assessment.label, "officer": r.officer, "comments": r.comments,
            # a company's, partnership's or contract's measure: "SLA KPI – delivered by ..." (A1); else blank
            "delivered_by": self.indicator.service.measure_label,
        }


def _counts(keys: list[str], values) -> dict[str, int]:
    found = Counter(values)
    return {k: found.get(k, 0) for k in keys}


def _chart(series: Series, year: int) -> dict:
    chart = charts.indicator_chart(series, year=year)
    spec = series.spec_for(year)
    points = chart["points"]
    lower = [p["band_low"] if chart["band"] else p["amber_low"] for p in points]
    upper = [p["band_high"] if chart["band"] else p["amber_high"] for p in points]
    return {
        "title": f"{series.indicator.ref} {series.indicator.title}, {chart['year_label']}",
        "unit": spec.get_unit_display(),
        "labels": [p["label"] for p in points],
        "actual": [_raw(p["actual"]) for p in points],
        "target": [_raw(p["target"]) for p in points],
        "lower": [_raw(v) for v in lower],
        "upper": [_raw(v) for v in upper],
        "last_year": [_raw(p["last_year"]) for p in points],
    }


# -- assembly ---------------------------------------------------------------------------------------------------

#: A council's own assembly reports its progress from 0 to this (``_assemble_council``); a joint pack gives each
#: council an equal share of it, one after another.
COUNCIL_PROGRESS = 50


def assemble(definition: ReportDefinition, period: Period, *, as_of: date,
             progress: Progress | None = None) -> dict:
    """The snapshot of ``definition``'s report for ``period``, from the data approved by now.

    A report that also covers other councils (a joint committee's) is one pack: the issuing council's snapshot,
    with ``joint`` holding each other council's snapshot (the same sections, from its own plans and data) and the
    combined summary (``joint.combined``)."""
    others = list(definition.other_councils.order_by("name")) if definition.pk else []
    if not others:
        return _assemble_council(definition, period, as_of=as_of, progress=progress)
    progress = progress or (lambda percent, step: None)
    share = COUNCIL_PROGRESS // (len(others) + 1)
    measures: list[list[_Measure]] = []
    snapshots = []
    for i, council in enumerate([definition.council, *others]):
        found: list[_Measure] = []
        part = for_council(definition, council)
        snapshots.append(_assemble_council(
            part, period, as_of=as_of, measures_out=found,
            progress=lambda percent, step, i=i, name=council.name: progress(
                i * share + percent * share // COUNCIL_PROGRESS, f"{name}: {step}")))
        measures.append(found)
    snapshot, parts = snapshots[0], snapshots[1:]
    snapshot["joint"] = {
        "councils": [s["council"] for s in snapshots],
        "combined": combined_summary([(s["council"], found) for s, found in zip(snapshots, measures, strict=True)]),
        "others": parts,
    }
    return snapshot


def for_council(definition: ReportDefinition, council) -> ReportDefinition:
    """The definition as it applies to one of the councils it covers (not saved): the same scope, measures and
    sections over that council's plans and data. A committee's remit is the committee's plan items in that
    council; a directorate or service shared by the councils reads each council's own measures of it."""
    part = copy.copy(definition)
    part.council = council
    return part


COMBINED_RULE = ("Combined where every council measures the same thing: the same reference, definition, unit and "
                 "polarity in the year's specification. Every other measure is counted for its own council only.")


def _same_thing(m: _Measure) -> tuple:
    """What makes two councils' measures the same measure: ref, definition (spacing and case aside), unit and
    polarity of the specification in force for the report's year."""
    return (m.indicator.ref.strip().upper(), " ".join((m.spec.definition or "").split()).casefold(), m.spec.unit,
            m.spec.polarity)


def combined_summary(councils: list[tuple[str, list[_Measure]]]) -> dict:
    """Each council's counts side by side, and counts added up over the measures every council measures the same
    way (``COMBINED_RULE``), with each such measure's figures side by side."""
    reported = councils
    keyed = [{_same_thing(m): m for m in found} for _name, found in reported]
    shared_keys = set(keyed[0]).intersection(*keyed[1:]) if keyed else set()
    shared_keys = sorted(shared_keys)
    shared_measures = [k[key] for k in keyed for key in shared_keys]
    return {
        "rule": COMBINED_RULE,
        "councils": [{"name": name, "measures": len(found), "shared": len(shared_keys),
                      "rag_counts": _counts(RAG_KEYS, (m.rag for m in found)),
                      "self_assessed": sum(1 for m in found if m.assessment.self_assessed),  # of those counted
                      "direction_counts": _counts(DIRECTION_KEYS, (m.direction for m in found))}
                     for name, found in reported],
        "shared_rag_counts": _counts(RAG_KEYS, (m.rag for m in shared_measures)),
        "shared_self_assessed": sum(1 for m in shared_measures if m.assessment.self_assessed),
        "shared_direction_counts": _counts(DIRECTION_KEYS, (m.direction for m in shared_measures)),
        "shared": [{"ref": keyed[0][key].indicator.ref, "name": keyed[0][key].indicator.title,
                    "unit": keyed[0][key].spec.get_unit_display(),
                    # a company's, partnership's or contract's measure: "SLA KPI – delivered by ..." (A1), once
                    # for the measure, or the councils' own where they differ
                    "delivered_by": "; ".join(dict.fromkeys(
                        label for k in keyed if (label := k[key].indicator.service.measure_label))),
                    "figures": [{"council": name, "value": k[key].data()["value"], "rag": k[key].rag,
                                 "rag_label": k[key].rag_label,
                                 "self_assessed": k[key].assessment.self_assessed,
                                 "direction_label": DIRECTION_WORDS[k[key].direction],
                                 "period": k[key].assessment.label}
                                for (name, _found), k in zip(reported, keyed, strict=True)]}
                   for key in shared_keys],
    }


def _assemble_council(definition: ReportDefinition, period: Period, *, as_of: date,
                      progress: Progress | None = None, measures_out: list | None = None) -> dict:
    """One council's snapshot of ``definition``'s report (``measures_out``, when given, receives the measures
    reported, for a joint pack's combined summary)."""
    progress = progress or (lambda percent, step: None)
    year = period.financial_year_id
    period_end = period.end
    sections = [s for s in Section.values if s in (definition.sections or [])]
    paths = _scope_paths(definition)

    progress(5, "Reading the approved figures")
    indicators = scope_indicators(definition, paths).prefetch_related("plan_items")
    if Section.SPECIFICATIONS in sections:
        indicators = indicators.prefetch_related("risks")
    series_all = load_series(indicators, states=APPROVED_ONLY)
    officers = officer_names(series_all, year)
    measures_all = [_Measure(s, period, officers) for s in series_all]
    reported = [m for m in measures_all if not definition.kpis_only or m.indicator.kind == IndicatorKind.KPI]
    if measures_out is not None:
        measures_out.extend(reported)

    progress(15, "Assessing actions")
    actions_qs = scope_actions(definition, paths).filter(
        Q(completed_on__isnull=True) | Q(completed_on__gte=date(year, 4, 1))).select_related("owner")
    actions_all = list(actions_qs.prefetch_related("plan_items"))
    statuses = {a.pk: action_status(as_of=period_end, start=a.start, approved_end=a.approved_end,
                                    forecast_end=a.forecast_end, completed_on=a.completed_on,
                                    no_longer_viable=a.no_longer_viable) for a in actions_all}
    actions = [a for a in actions_all if not definition.kpis_only or a.is_key]

    def action_row(action: Action) -> dict:
        status = ActionStatus(statuses[action.pk])
        return {"ref": action.ref, "title": action.title, "owner": action.owner.display_name if action.owner else "",
                "status": status.value, "status_label": status.label, "approved_end": _date(action.approved_end),
                "forecast_end": _date(action.forecast_end), "comment": action.latest_update.strip()}

    overview = _overview(definition, reported, actions, statuses, year)

    progress(25, "Building the plan sections")
    plan_sections = _plan_sections(definition, reported, actions, action_row, year) if Section.PLANS in sections \
        else []

    progress(35, "Applying the exception rules")
    exception_rule, exceptions = ("", {"measures": [], "actions": []})
    if Section.EXCEPTIONS in sections:
        exception_rule, exceptions = _exceptions(period, measures_all, actions_all, statuses, action_row, as_of)

    progress(45, "Benchmarking")
    benchmarking = []
    if Section.BENCHMARKING in sections and period.frequency == "quarterly" and period.number == 2:
        benchmarking = _benchmarking(reported, year - 1)

    missing = _missing(reported, period) if Section.MISSING in sections else []
    decisions = _decisions_due(definition, as_of)
    risks_flagged = _risks_flagged(definition, measures_all, period) if Section.RISKS in sections else None
    finance_part = _finance(definition, measures_all, reported, period, paths) if Section.FINANCE in sections \
        else None

    annual_parts = {}
    if {Section.YEAR, Section.SPECIFICATIONS, Section.SUCCESS, Section.CASE_STUDIES} & set(sections):
        progress(48, "The year's documents")
        annual_parts = _annual_parts(definition, sections, year, as_of, [m.series for m in reported], actions)

    tracked = None
    if Section.TRACKER in sections and period.frequency == "quarterly":
        progress(50, "Following the exceptions")
        tracker.track(definition.council, up_to=(year, period.number))
        tracked = tracker.tracker_rows(definition.council, year, period.number,
                                       indicator_ids={m.indicator.pk for m in measures_all},
                                       action_ids=set(scope_actions(definition, paths).values_list("pk", flat=True)))

    return {
        "schema": SCHEMA_VERSION,
        "title": pack_title(definition, period),
        "council": definition.council.name,
        "report_type": definition.report_type,
        "report_type_label": definition.get_report_type_display(),
        "scope_label": definition.scope_label,
        "measures_label": "Key performance indicators" if definition.kpis_only else "All measures",
        "year_label": financial_year_label(year),
        "quarter": period.number if period.frequency == "quarterly" else 0,
        "period_label": period_title(period),
        "as_of": as_of.isoformat(),
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "sections": sections,
        "overview": overview,
        "plans": plan_sections,
        "exception_rule": exception_rule,
        "exceptions": exceptions,
        "benchmarking": benchmarking,
        "missing": missing,
        "tracker": tracked,
        **({"decisions_due": decisions} if decisions is not None else {}),
        **({"risks_flagged": risks_flagged} if risks_flagged is not None else {}),
        **({"finance": finance_part} if finance_part is not None else {}),
        **annual_parts,
    }


def _decisions_due(definition: ReportDefinition, as_of: date) -> list[dict] | None:
    """A6: in a pack for a board (a report whose scope is a committee of kind board), the decision points of the
    board's programmes whose date has come with no decision recorded. None for every other pack."""
    if definition.scope != ScopeKind.COMMITTEE or not definition.committee_id or \
            definition.committee.kind != CommitteeKind.BOARD:
        return None
    points = (DecisionPoint.objects.filter(decisions_due_q(today=as_of, boards=[definition.committee_id]),
                                           project__programme__council_id=definition.council_id)
              .select_related("project__programme").order_by("due", "pk"))
    return [{"title": p.title, "project": p.project.name, "programme": p.project.programme.name,
             "due": _date(p.due), "recommendation": p.recommendation} for p in points]


def _finance(definition: ReportDefinition, measures_all: list[_Measure], reported: list[_Measure], period: Period,
             paths: list[str] | None) -> dict:
    """C 3.1: each service in the report's scope (of any measure in scope) with its budget, forecast outturn and
    variance at the report's quarter, beside the ratings of its measures in the report. Finance is context: it
    changes no rating. For a portfolio's or committee's report, figures held per plan item are those of items in
    its remit."""
    year, quarter = report_quarter(period)
    shown = {m.indicator.pk for m in reported}
    rated = [(m.indicator.service_id, m.rag if m.indicator.pk in shown else None,
              m.indicator.pk in shown and m.assessment.self_assessed) for m in measures_all]
    part = finance.pack_finance(definition.council, rated, year=year, quarter=quarter, item_paths=paths)
    part["note"] = (f"Budgets and forecast outturns as the finance system held them at {part['quarter']}; the "
                    "variance is the forecast less the budget: above it an overspend, below it an underspend. "
                    "Finance is shown for context: it does not change any measure's rating.")
    return part


def _risk_signal(m: _Measure, period: Period) -> risk_register.MeasureSignal:
    """A measure's signal at the report's period: its figure there against the period before (for a monthly
    measure in a quarterly report, the quarter before, as its direction of travel compares quarters)."""
    current = m.assessment
    if current.value is None:
        return risk_register.signal(m.series, current)
    if m.spec.frequency == "monthly" and period.frequency != "monthly":
        year, quarter = report_quarter(period)
        before_year, before = previous_period(frequency="quarterly", year_start=year, period_number=quarter)
        previous = quarter_assessment(m.series, year_start=before_year, quarter=before)
    else:
        previous = risk_register.previous_of(m.series, current)
    return risk_register.signal(m.series, current, previous)


def _risks_flagged(definition: ReportDefinition, measures_all: list[_Measure], period: Period) -> list[dict]:
    """E4: the council's corporate risks flagged at the report's period by a linked measure in the report's scope
    (Red, or worse two periods running: ``indicators.risk_rules``), from approved figures, highest score first."""
    by_id = {m.indicator.pk: m for m in measures_all}
    risks = (CorporateRisk.objects.filter(council_id=definition.council_id).select_related("owner")
             .prefetch_related(Prefetch("indicators", queryset=Indicator.objects.only("pk"), to_attr="linked")))
    rows = []
    for risk in risks:
        flagged = []
        for ind in risk.linked:
            m = by_id.get(ind.pk)
            sig = _risk_signal(m, period) if m is not None else None
            if sig is not None and sig.flag:
                flagged.append((m, sig))
        if not flagged:
            continue
        band, target_band = (risk_rules.score_band(score=risk.score), risk_rules.score_band(score=risk.target_score))
        rows.append({
            "ref": risk.ref, "title": risk.title, "owner": risk.owner.display_name if risk.owner else "",
            "score": risk.score, "score_label": f"{risk.score} ({band.label})" if band else "Not scored",
            "target_score": risk.target_score,
            "target_label": f"{risk.target_score} ({target_band.label})" if target_band else "Not scored",
            "measures": [{"ref": m.indicator.ref, "name": m.indicator.title, "period": sig.latest.label,
                          "rag": m.rag, "rag_label": m.rag_label,
                          "direction_label": DIRECTION_WORDS[m.direction], "reason": sig.flag.label}
                         for m, sig in sorted(flagged, key=lambda pair: pair[0].indicator.ref)],
        })
    rows.sort(key=lambda r: (-(r["score"] or 0), r["ref"]))
    return rows


def _annual_parts(definition: ReportDefinition, sections: list[str], year: int, as_of: date, series: list[Series],
                  actions: list[Action]) -> dict:
    quarter, ended = annual.year_quarter(year, as_of)
    priorities = _priorities(definition.council_id, year)
    parts: dict = {"year_to_date": not ended,
                   "year_as_at": f"Q{quarter} {financial_year_label(year)}" if quarter else ""}
    if Section.SPECIFICATIONS in sections:
        parts["specifications"] = annual.specifications(series, year, priorities)
    if Section.YEAR in sections:
        parts["year"] = annual.year_in_priorities(series, actions, year, quarter, as_of, priorities)
    if Section.SUCCESS in sections:
        parts["success"] = annual.success(series, actions, year, quarter, as_of)
    if Section.CASE_STUDIES in sections:
        parts["case_studies"] = annual.case_studies(definition.council_id, year, public=definition.is_public)
    return parts


def _priorities(council_id: int, year: int) -> list[PlanItem]:
    return list(PlanItem.objects.filter(
        plan__council_id=council_id, plan__level__rank=1, parent__isnull=True,
        plan__start_year_id__lte=year, plan__end_year_id__gte=year).order_by("position", "pk"))


def _overview(definition, reported: list[_Measure], actions: list[Action], statuses: dict, year: int) -> dict:
    by_priority = []
    for priority in _priorities(definition.council_id, year):
        under = [m for m in reported if any(i.path.startswith(priority.path) for i in m.indicator.plan_items.all())]
        if not under:
            continue
        by_priority.append({
            "title": f"{priority.ref} {priority.title}",
            "rag_counts": _counts(RAG_KEYS, (m.rag for m in under)),
            "direction_counts": _counts(DIRECTION_KEYS, (m.direction for m in under)),
        })
    action_counts = Counter(statuses[a.pk] for a in actions)
    return {
        "rag_counts": _counts(RAG_KEYS, (m.rag for m in reported)),
        "self_assessed": sum(1 for m in reported if m.assessment.self_assessed),  # of those counted: B1
        "direction_counts": _counts(DIRECTION_KEYS, (m.direction for m in reported)),
        "actions_by_status": {s.label: action_counts.get(s.value, 0) for s in ActionStatus},
        "by_priority": by_priority,
    }


def _plan_sections(definition, reported: list[_Measure], actions: list[Action], action_row, year: int) -> list:
    item_ids = {i.pk for m in reported for i in m.indicator.plan_items.all()}
    item_ids |= {i.pk for a in actions for i in a.plan_items.all()}
    plans = {p.pk: p for p in Plan.objects.filter(
        items__in=item_ids, level__rank__gt=1, start_year_id__lte=year, end_year_id__gte=year,
    ).select_related("level", "owner", "directorate").distinct()}
    item_plan = dict(PlanItem.objects.filter(pk__in=item_ids).values_list("pk", "plan_id"))
    sections = []
    for plan in sorted(plans.values(), key=lambda p: (p.level.rank, p.directorate.name if p.directorate else "",
                                                       p.title, p.pk)):
        measures = [m for m in reported if any(item_plan.get(i.pk) == plan.pk for i in m.indicator.plan_items.all())]
        plan_actions = [a for a in actions if any(item_plan.get(i.pk) == plan.pk for i in a.plan_items.all())]
        if not measures and not plan_actions:
            continue
        sections.append({
            "id": plan.pk, "title": plan.title, "level": plan.level.name,
            "owner": plan.owner.display_name if plan.owner else "",
            "rag_counts": _counts(RAG_KEYS, (m.rag for m in measures)),
            "measures": [m.data() for m in measures],
            "actions": [action_row(a) for a in plan_actions],
        })
    return sections


def _exceptions(period: Period, measures_all: list[_Measure], actions_all: list[Action], statuses: dict,
                action_row, as_of: date) -> tuple[str, dict]:
    year = period.financial_year_id
    chosen: list[tuple[_Measure, str, str, str]] = []  # measure, why, previous rating, progress
    if period.frequency == "quarterly" and period.number in (1, 3):
        rule = (f"Q{period.number}: every measure, KPI or not, that was Red at the previous quarter, with its "
                "progress since; every action slipped more than 3 months.")
        prev_year, prev_q = previous_period(frequency="quarterly", year_start=year, period_number=period.number)
        by_indicator = {m.indicator.pk: m for m in measures_all}
        for series, why in d3_measures([m.series for m in measures_all], year, period.number):
            m = by_indicator[series.indicator.pk]
            before = quarter_assessment(m.series, year_start=prev_year, quarter=prev_q)
            then = figure(before.value, m.spec)
            if m.assessment.self_assessed:
                progress = f"Red at Q{prev_q}; now {m.rag_label}."
            elif m.assessment.value is None:
                progress = f"Red at Q{prev_q} ({then}); no approved figure since."
            else:
                now = figure(m.assessment.value, m.spec)
                progress = (f"Red at Q{prev_q} ({then}); now {m.rag_label} ({now}), "
                            f"{DIRECTION_WORDS[m.direction].lower()}.")
            chosen.append((m, why, "Red", progress))
    else:
        if period.frequency == "monthly":
            rule = "Every measure Red this month; every action slipped more than 3 months."
            candidates = measures_all
        else:
            rule = (f"Q{period.number if period.frequency == 'quarterly' else 4}: every KPI that is Red, with the "
                    "outcome owner's further information; every action slipped more than 3 months.")
            candidates = [m for m in measures_all if m.indicator.kind == IndicatorKind.KPI]
        for m in candidates:  # on figures, as the exception tracker follows them: not a self-assessed status
            if m.rag == "red" and not m.assessment.self_assessed:
                chosen.append((m, f"Red at {m.assessment.label}", "", ""))

    ids = [m.indicator.pk for m, *_ in chosen]
    slipped = [a for a in actions_all if statuses[a.pk] == ActionStatus.SLIPPED_GT3]
    plans_by_indicator: dict[int, RecoveryPlan] = {}
    plans_by_action: dict[int, RecoveryPlan] = {}
    recovery = RecoveryPlan.objects.filter(
        Q(indicator_id__in=ids) | Q(action__in=slipped), requested_at__date__lte=as_of,
    ).select_related("owner").order_by("requested_at")
    for plan in recovery:  # the latest plan asked for wins
        if plan.indicator_id:
            plans_by_indicator[plan.indicator_id] = plan
        else:
            plans_by_action[plan.action_id] = plan
    approvers = {m.assessment.ret.approved_by_id for m, *_ in chosen if m.assessment.ret} - {None}
    names = {u.pk: u.display_name for u in User.objects.filter(pk__in=approvers)} if approvers else {}
    plan_titles: dict[tuple[str, int], set[str]] = defaultdict(set)
    for ind_id, title in Indicator.plan_items.through.objects.filter(indicator_id__in=ids).values_list(
            "indicator_id", "planitem__plan__title"):
        plan_titles[("i", ind_id)].add(title)
    for action_id, title in Action.plan_items.through.objects.filter(action__in=slipped).values_list(
            "action_id", "planitem__plan__title"):
        plan_titles[("a", action_id)].add(title)

    measures = []
    for m, why, previous_rag, progress in chosen:
        ret = m.assessment.ret
        if ret is not None and ret.approved_at:
            sign_off = f"Approved by {names.get(ret.approved_by_id, 'unknown')} on {_date(ret.approved_at.date())}"
        else:
            sign_off = "Not signed off"
        plan = plans_by_indicator.get(m.indicator.pk)
        measures.append({
            "row": m.data(),
            "plan": "; ".join(sorted(plan_titles[("i", m.indicator.pk)])),
            "why": why,
            "previous_rag_label": previous_rag,
            "progress": progress,
            "owner_information": ret.commentary.strip() if ret is not None else "",
            "recovery_plan": _recovery(plan),
            "sign_off": sign_off,
            "chart": _chart(m.series, m.assessment.key[0]),
        })

    reasons = _latest_update_commentary(slipped, period.end)
    actions = []
    for a in slipped:
        plan = plans_by_action.get(a.pk)
        actions.append({
            "action": action_row(a),
            "plan": "; ".join(sorted(plan_titles[("a", a.pk)])),
            "reason": reasons.get(a.pk) or a.latest_update.strip() or "No reason given.",
            "corrective": plan.actions.strip() if plan is not None and plan.actions else
            ("Recovery plan requested, not yet provided." if plan is not None else "No recovery plan."),
        })
    return rule, {"measures": measures, "actions": actions}


def _recovery(plan: RecoveryPlan | None) -> dict | None:
    if plan is None:
        return None
    return {"causes": plan.causes, "actions": plan.actions, "owner": plan.action_owner or plan.owner.display_name,
            "expected_date": _date(plan.expected_on_target), "status": plan.get_status_display()}


def _latest_update_commentary(actions: list[Action], until: date) -> dict[int, str]:
    found: dict[int, str] = {}
    for action_id, text in ActionUpdate.objects.filter(
            action__in=actions, state=ActionUpdate.State.APPROVED, as_of__lte=until,
    ).order_by("as_of", "pk").values_list("action_id", "commentary"):
        if text.strip():
            found[action_id] = text.strip()
    return found


def _benchmarking(reported: list[_Measure], year: int) -> list[dict]:
    by_indicator: dict[int, list[BenchmarkValue]] = defaultdict(list)
    for value in BenchmarkValue.objects.filter(indicator__in=[m.indicator.pk for m in reported],
                                               financial_year_id=year):
        by_indicator[value.indicator_id].append(value)
    rows = []
    for m in reported:
        values = by_indicator.get(m.indicator.pk)
        if not values:
            continue
        bench = charts.benchmark(m.series, values)
        if bench is None:
            continue
        spec = m.series.spec_for(year)
        rows.append({
            "ref": m.indicator.ref, "name": m.indicator.title, "year_label": bench.year_label,
            "value": figure(bench.council_value, spec) if bench.council_value is not None else "M",
            "rank": f"{charts._ordinal(bench.rank)} of {bench.of}" if bench.rank else "Not ranked",
            "quartile": f"{charts._ordinal(bench.quartile)} quartile" if bench.quartile else "",
            "median": figure(bench.median, spec),
            "source": bench.sources,
        })
    return rows


def _missing(reported: list[_Measure], period: Period) -> list[dict]:
    """Measures whose figure for the period was missing or unapproved (D2), with the state of what there is."""
    wanted = {}
    for m in reported:
        if m.assessment.ret is None or (m.assessment.value is None and not m.assessment.self_assessed):
            wanted[m.indicator.pk] = m
    if not wanted:
        return []
    keys = {(pk, *m.assessment.key) for pk, m in wanted.items()}
    states: dict[int, tuple[str, date | None]] = {}
    for ind_id, fy, number, state, submitted in Return.objects.filter(
            indicator_id__in=wanted, period__financial_year_id__in={k[1] for k in keys},
    ).exclude(state=ReturnState.APPROVED).values_list(
            "indicator_id", "period__financial_year_id", "period__number", "state", "submitted_at"):
        if (ind_id, fy, number) in keys:
            states[ind_id] = (state, submitted)
    rows = []
    for pk, m in wanted.items():
        state, submitted = states.get(pk, (None, None))
        if state is None:
            reason = "No return"
        else:
            reason = STATE_WORDS.get(state, state)
            if state in AWAITING_SIGN_OFF and submitted:
                reason += f" (submitted {_date(timezone.localtime(submitted).date())})"
        rows.append({"ref": m.indicator.ref, "name": f"{m.indicator.title} ({m.assessment.label})",
                     "reason": reason})
    return rows
