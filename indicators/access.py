"""How measures and their data are scoped (the mechanism is ``pmf.access``), and who may enter, sign off and
reopen a return. Loaded by ``IndicatorsConfig.ready``.

Indicators are read by the full-read roles, and within the council: headline measures, those of the user's
directorate or service, those the user is performance lead or accountable officer for (or deputy), and those
beneath their portfolio's priorities or their committee's remit. Specifications, targets, returns, evidence,
reopenings and benchmarks follow their indicator; a recovery plan follows its indicator or its action.
"""

from __future__ import annotations

from django.db.models import Q

from plans.access import action_q, beneath_remit
from pmf.access import Scope, any_of, can_configure, in_councils, register, register_unscoped, scope_for
from pmf.models import User


def indicator_q(s: Scope, prefix: str = "") -> Q:
    p = prefix
    partial = [
        Q(**{f"{p}is_headline": True}),
        Q(**{f"{p}service__directorate__in": s.directorates}),
        Q(**{f"{p}service__in": s.services}),
        Q(**{f"{p}current_spec__performance_lead": s.user_id}),
        Q(**{f"{p}current_spec__deputy_performance_lead": s.user_id}),
        Q(**{f"{p}current_spec__accountable_officer": s.user_id}),
        Q(**{f"{p}current_spec__deputy_accountable_officer": s.user_id}),
        *beneath_remit(s, f"{p}plan_items__"),
    ]
    return Q(**{f"{p}council__in": s.full}) | (Q(**{f"{p}council__in": s.councils}) & any_of(partial))


register("indicators.Indicator", indicator_q, subquery=True)
register("indicators.Specification", lambda s: indicator_q(s, "indicator__"), subquery=True)
register("indicators.Target", lambda s: indicator_q(s, "indicator__"), subquery=True)
register("indicators.TrajectoryPoint", lambda s: indicator_q(s, "target__indicator__"), subquery=True)
register("indicators.Return", lambda s: indicator_q(s, "indicator__"), subquery=True)
register("indicators.Evidence", lambda s: indicator_q(s, "ret__indicator__"), subquery=True)
register("indicators.EntryReopening", lambda s: indicator_q(s, "indicator__"), subquery=True)
register("indicators.RecoveryPlan", lambda s: indicator_q(s, "indicator__") | action_q(s, "action__"), subquery=True)
register("indicators.CorporateRisk", in_councils("council"))
register("indicators.BenchmarkValue", lambda s: indicator_q(s, "indicator__"), subquery=True)
# National benchmarking data (issue 12): published figures, the same for every council; a council's own groups
# and mappings are read within it.
register_unscoped("indicators.Area", "indicators.NationalMetric", "indicators.NationalValue")
register("indicators.ComparatorGroup", in_councils("council"))
register("indicators.MetricMapping", lambda s: indicator_q(s, "indicator__"), subquery=True)


def finance_q(s: Scope, prefix: str = "") -> Q:
    """A service's finance figures (C 3.1), read as the service's own measures are, headline measures aside: the
    full-read roles; the service's directorate (director, delegate) and the service itself (head of service,
    service lead); a Cabinet or scrutiny member where the service has a measure beneath their portfolio or
    committee remit, or the figures are held for a plan item beneath it. A measure that is headline is read by
    everyone in the council, but that does not open its service's budget to them."""
    p = prefix
    partial = [
        Q(**{f"{p}service__directorate__in": s.directorates}),
        Q(**{f"{p}service__in": s.services}),
        *beneath_remit(s, f"{p}service__indicators__plan_items__"),
        *beneath_remit(s, f"{p}plan_item__"),
    ]
    return Q(**{f"{p}council__in": s.full}) | (Q(**{f"{p}council__in": s.councils}) & any_of(partial))


register("indicators.ServiceFinance", finance_q, subquery=True)


def can_edit_finance(user: User, council_id: int) -> bool:
    """Entering and importing finance figures: the performance unit (on the finance team's behalf)."""
    return can_configure(user, council_id)


# -- What a user may do with a measure's returns ----------------------------------------------------------------

def can_enter_return(user: User, indicator) -> bool:
    """The indicator's performance lead or deputy, or the performance unit (on behalf of a lead)."""
    if user.is_superuser or indicator.council_id in scope_for(user).configure:
        return True
    spec = indicator.current_spec
    return spec is not None and user.pk in (spec.performance_lead_id, spec.deputy_performance_lead_id)


def can_sign_off(user: User, indicator) -> bool:
    """The director of the indicator's directorate, or their named delegate (E2 in C 2.6)."""
    s = scope_for(user)
    return user.is_superuser or (
        indicator.council_id in s.councils and indicator.service.directorate_id in s.sign_off
    )


def can_verify(user: User, indicator) -> bool:
    """The head of the indicator's service, where its council asks heads of service to verify returns (E1)."""
    return indicator.council.verification_required and (
        user.is_superuser or indicator.service_id in scope_for(user).verifies)


def can_send_back(user: User, indicator) -> bool:
    """Whoever signs the return off, or verifies it first."""
    return can_sign_off(user, indicator) or can_verify(user, indicator)


def can_reopen(user: User, indicator) -> bool:
    """Reopening an approved return or a closed period: the performance unit, or whoever signs it off."""
    return can_configure(user, indicator.council_id) or can_sign_off(user, indicator)
# Spot checks: internal audit (who draws and records them) and the performance unit read them.
register("indicators.SpotCheck", lambda s: Q(council__in=s.audit))
register("indicators.SpotCheckItem", lambda s: Q(spot_check__council__in=s.audit))
