"""Writing a council as the workbook (``manage.py export_workbook``): every sheet of ``layout``, in its order."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from indicators.models import BenchmarkValue, CorporateRisk, Indicator, Return, Specification, Target
from plans.models import Action, Milestone, Plan, PlanItem, PlanLevel
from pmf import imports
from pmf.models import Committee, Council, Directorate, Portfolio, RoleAssignment, Service, Team, User
from reporting.workbook import layout


def _name(user) -> str | None:
    return user.username if user is not None else None


def _dec(value: Decimal) -> str:
    return format(value.normalize(), "f")


def plan_keys(plans) -> dict[int, str]:
    """A plan's key in the workbook: its title, with its first year and whose it is where titles repeat."""
    counts = Counter(p.title for p in plans)
    keys = {}
    for p in plans:
        key = p.title
        if counts[p.title] > 1:
            key = f"{p.title} ({p.start_year_id}{', ' + p.person.username if p.person_id else ''}, #{p.pk})"
        keys[p.pk] = key
    return keys


def tables(council: Council) -> list[tuple[imports.Sheet, list[dict]]]:
    """Every sheet of the workbook with the council's rows, as plain values keyed by column name."""
    L = layout
    users = User.objects.filter(role_assignments__council=council).distinct().order_by("username")
    directorates = Directorate.objects.filter(councils=council).select_related("director").order_by("code")
    services = Service.objects.filter(directorate__in=directorates).select_related("directorate", "head")
    teams = Team.objects.filter(service__in=services).select_related("service__directorate", "manager") \
        .prefetch_related("members")
    levels = PlanLevel.objects.filter(council=council).order_by("rank")
    plans = list(Plan.objects.filter(council=council).select_related(
        "level", "approved_by", "owner", "directorate", "service", "team", "person").order_by("level__rank", "pk"))
    keys = plan_keys(plans)
    items = PlanItem.objects.filter(plan__council=council).select_related(
        "level", "parent", "portfolio", "outcome_owner", "lead_director", "owner").prefetch_related("committees") \
        .order_by("depth", "plan__level__rank", "plan_id", "position", "pk")
    item_key = {i.pk: f"{keys[i.plan_id]} / {i.ref}" for i in items}
    indicators = Indicator.objects.filter(council=council).select_related("service__directorate", "current_spec") \
        .prefetch_related("risks", "plan_items").order_by("ref")
    specs = Specification.objects.filter(indicator__council=council).select_related(
        "indicator__current_spec", "valid_from", "accountable_officer", "deputy_accountable_officer",
        "performance_lead", "deputy_performance_lead").order_by("indicator__ref", "version")
    targets = Target.objects.filter(indicator__council=council).select_related("indicator", "approved_by") \
        .prefetch_related("trajectory").order_by("indicator__ref", "financial_year_id", "revision")
    returns = Return.objects.filter(indicator__council=council).select_related(
        "indicator", "period", "submitted_by", "verified_by", "approved_by").order_by(
        "indicator__ref", "period__start", "period__frequency")
    actions = Action.objects.filter(council=council).select_related("service__directorate", "owner") \
        .prefetch_related("plan_items").order_by("ref")

    return [
        (L.COUNCIL, [{
            "name": council.name, "short name": council.short_name, "type": council.council_type,
            "ONS code": council.ons_code, "website": council.website,
            "default tolerance (%)": council.default_tolerance_pct,
            "returns due after (working days)": council.default_due_working_days,
            "period closes after (days)": council.period_close_days}]),
        (L.PEOPLE, [{"username": u.username, "first name": u.first_name, "last name": u.last_name, "email": u.email,
                     "job title": u.job_title, "elected member": u.is_member} for u in users]),
        (L.DIRECTORATES, [{"code": d.code, "name": d.name, "director": _name(d.director)} for d in directorates]),
        (L.SERVICES, [{"directorate": s.directorate.code, "name": s.name, "head of service": _name(s.head),
                       "kind": s.kind, "provider": s.provider} for s in services]),
        (L.TEAMS, [{"directorate": t.service.directorate.code, "service": t.service.name, "name": t.name,
                    "manager": _name(t.manager), "members": sorted(m.username for m in t.members.all())}
                   for t in teams]),
        (L.PORTFOLIOS, [{"name": p.name, "holder": _name(p.holder)}
                        for p in Portfolio.objects.filter(council=council).select_related("holder")]),
        (L.COMMITTEES, [{"name": c.name, "kind": c.kind, "chair": _name(c.chair)}
                        for c in Committee.objects.filter(councils=council).select_related("chair")]),
        (L.ROLES, [{"username": r.user.username, "role": r.role,
                    "directorate": r.directorate.code if r.directorate_id else
                    (r.service.directorate.code if r.service_id else
                     r.team.service.directorate.code if r.team_id else None),
                    "service": r.service.name if r.service_id else (r.team.service.name if r.team_id else None),
                    "team": r.team.name if r.team_id else None,
                    "committee": r.committee.name if r.committee_id else None,
                    "portfolio": r.portfolio.name if r.portfolio_id else None,
                    "delegate for": _name(r.delegate_for)}
                   for r in RoleAssignment.objects.filter(council=council).select_related(
                       "user", "directorate", "service__directorate", "team__service__directorate", "committee",
                       "portfolio", "delegate_for").order_by("user__username", "role", "pk")]),
        (L.PLAN_LEVELS, [{"rank": lv.rank, "name": lv.name, "is a plan": lv.is_plan,
                          "typical years": lv.typical_years, "description": lv.description} for lv in levels]),
        (L.PLANS, [{
            "plan key": keys[p.pk], "level": p.level.name, "title": p.title, "first year": p.start_year_id,
            "last year": p.end_year_id, "status": p.status, "approved by": _name(p.approved_by),
            "approved at": p.approved_at, "decision reference": p.approval_note, "owner": _name(p.owner),
            "directorate": p.directorate.code if p.directorate_id else None,
            "service": p.service.name if p.service_id else None, "team": p.team.name if p.team_id else None,
            "person": _name(p.person),
            "previous version": keys.get(p.previous_version_id) if p.previous_version_id else None,
        } for p in plans]),
        (L.PLAN_ITEMS, [{
            "plan key": keys[i.plan_id], "ref": i.ref, "level": i.level.name, "title": i.title,
            "description": i.description, "position": i.position,
            "parent plan key": keys[i.parent.plan_id] if i.parent_id and i.parent.plan_id != i.plan_id else None,
            "parent ref": i.parent.ref if i.parent_id else None,
            "portfolio": i.portfolio.name if i.portfolio_id else None,
            "committees": sorted(c.name for c in i.committees.all()),
            "outcome owner": _name(i.outcome_owner), "lead director": _name(i.lead_director),
            "owner": _name(i.owner)} for i in items]),
        (L.RISKS, [{"ref": r.ref, "title": r.title, "owner": _name(r.owner), "likelihood": r.likelihood,
                    "impact": r.impact, "target likelihood": r.target_likelihood, "target impact": r.target_impact,
                    "directorate": r.directorate.code if r.directorate else "",
                    "measures": sorted(i.ref for i in r.indicators.all()),
                    "actions": sorted(a.ref for a in r.actions.all())}
                   for r in CorporateRisk.objects.filter(council=council).select_related("owner", "directorate")
                   .prefetch_related("indicators", "actions")]),
        (L.MEASURES, [{
            "ref": i.ref, "title": i.title, "kind": i.kind, "directorate": i.service.directorate.code,
            "service": i.service.name, "headline": i.is_headline, "qualitative": i.is_qualitative,
            "restricted": i.is_restricted, "perception": i.is_perception,
            "risks": sorted(r.ref for r in i.risks.all()),
            "plan items": sorted(item_key[p.pk] for p in i.plan_items.all())} for i in indicators]),
        (L.SPECIFICATIONS, [{
            "measure": s.indicator.ref, "version": s.version, "valid from": s.valid_from_id,
            "in force": s.indicator.current_spec_id == s.pk, "definition": s.definition, "rationale": s.rationale,
            "data source": s.data_source, "unit": s.unit, "rate per": s.rate_per, "calculation": s.calculation,
            "numerator": s.numerator_label, "denominator": s.denominator_label, "multiplier": s.multiplier,
            "decimal places": s.decimal_places, "polarity": s.polarity, "frequency": s.frequency,
            "measure type": s.measure_type, "due after (working days)": s.due_working_days,
            "accountable officer": _name(s.accountable_officer),
            "deputy accountable officer": _name(s.deputy_accountable_officer),
            "performance lead": _name(s.performance_lead), "deputy performance lead": _name(s.deputy_performance_lead),
            "comparator group": s.comparator_group, "national code": s.national_code,
            "statutory return": s.is_statutory_return, "stretch": s.stretch, "forecast method": s.forecast_method,
            "plausible minimum": s.plausible_min, "plausible maximum": s.plausible_max,
            "change threshold (%)": s.change_threshold_pct} for s in specs]),
        (L.TARGETS, [{
            "measure": t.indicator.ref, "year": t.financial_year_id, "revision": t.revision,
            "annual target": t.annual_target, "band low": t.band_low, "band high": t.band_high,
            "baseline": t.baseline, "needs baseline": t.needs_baseline, "tolerance (%)": t.tolerance_pct,
            "tolerance (absolute)": t.tolerance_abs, "note": t.note, "approved at": t.approved_at,
            "approved by": _name(t.approved_by), "revision reason": t.revision_reason,
            "superseded at": t.superseded_at,
            "trajectory": [_dec(p.value) for p in sorted(t.trajectory.all(), key=lambda p: p.period_number)],
        } for t in targets]),
        (L.RETURNS, [{
            "measure": r.indicator.ref, "year": r.period.financial_year_id, "period": r.period.number,
            "value": r.value, "numerator": r.numerator, "denominator": r.denominator, "forecast": r.forecast,
            "forecast confidence": r.forecast_confidence or None, "commentary": r.commentary,
            "self-assessed status": r.self_assessed_rag or None,
            "no data reason": r.no_data_reason, "estimate": r.is_estimate, "queried": r.is_queried,
            "query note": r.query_note, "state": r.state, "returned reason": r.returned_reason,
            "submitted by": _name(r.submitted_by), "submitted at": r.submitted_at,
            "verified by": _name(r.verified_by), "verified at": r.verified_at,
            "approved by": _name(r.approved_by), "approved at": r.approved_at, "due on": r.due_on,
        } for r in returns.iterator(chunk_size=2000)]),
        (L.ACTIONS, [{
            "ref": a.ref, "title": a.title, "description": a.description,
            "directorate": a.service.directorate.code if a.service_id else None,
            "service": a.service.name if a.service_id else None, "owner": _name(a.owner), "key action": a.is_key,
            "start": a.start, "approved end": a.approved_end, "forecast end": a.forecast_end,
            "completed on": a.completed_on, "no longer viable": a.no_longer_viable,
            "no longer viable reason": a.no_longer_viable_reason, "progress (%)": a.progress_pct,
            "latest update": a.latest_update, "plan items": sorted(item_key[p.pk] for p in a.plan_items.all()),
        } for a in actions]),
        (L.MILESTONES, [{"action": m.action.ref, "title": m.title, "approved date": m.approved_date,
                         "forecast date": m.forecast_date, "completed on": m.completed_on}
                        for m in Milestone.objects.filter(action__council=council).select_related("action")
                        .order_by("action__ref", "approved_date", "pk")]),
        (L.BENCHMARKS, [{"measure": b.indicator.ref, "year": b.financial_year_id, "comparator": b.comparator,
                         "value": b.value, "source": b.source}
                        for b in BenchmarkValue.objects.filter(indicator__council=council).select_related("indicator")
                        .order_by("indicator__ref", "financial_year_id", "comparator")]),
    ]


def export_xlsx(council: Council) -> bytes:
    return imports.write_xlsx(tables(council), guidance=layout.GUIDANCE)


def export_zip(council: Council) -> bytes:
    return imports.write_csv_zip(tables(council))


def template_xlsx() -> bytes:
    """The blank workbook: the guidance sheet first, then every sheet with its columns and no rows."""
    return imports.write_xlsx([(sheet, []) for sheet in layout.SHEETS], guidance=layout.GUIDANCE)
