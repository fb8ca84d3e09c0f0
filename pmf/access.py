"""The one place that decides what a user may see and do (E1, E2).

Every view, the admin and every service fetch through ``restrict`` and ask the ``can_*`` functions here.
What a user may read is scoped to their councils and, within a council, to their role and the part of the
organisation it covers. Outsiders get 404 (the object is not in their queryset); a user who may read an
object but not change it gets 403.

Read scope within a council:
- performance unit, internal audit: everything;
- director / sign-off delegate: their directorate; head of service and service lead: their service (a team's
  service for a team-level lead); anyone: what is assigned to them (performance lead, accountable officer,
  action owner, their own objectives);
- Cabinet member: everything beneath the priorities of their portfolio; scrutiny member: everything beneath
  their committee's remit;
- everybody in the council: the golden thread's plans and items (not other people's individual objectives),
  headline indicators and key actions, which are reported to members and the public anyway.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from functools import reduce

from django.db.models import Q, QuerySet

from pmf.choices import Role
from pmf.models import Council, User

FULL_READ_ROLES = {Role.PERFORMANCE_UNIT, Role.INTERNAL_AUDIT}
AUDIT_ROLES = {Role.PERFORMANCE_UNIT, Role.INTERNAL_AUDIT}
SIGN_OFF_ROLES = {Role.DIRECTOR, Role.DELEGATE}
#: Roles that never change anything: members read, audit reads, staff read their own.
READ_ONLY_ROLES = {Role.INTERNAL_AUDIT, Role.CABINET_MEMBER, Role.SCRUTINY_MEMBER, Role.STAFF}


@dataclass
class Scope:
    """A user's roles, loaded once per request (cached on the user object)."""

    user_id: int | None
    superuser: bool = False
    councils: set[int] = field(default_factory=set)
    full: set[int] = field(default_factory=set)
    audit: set[int] = field(default_factory=set)
    configure: set[int] = field(default_factory=set)
    directorates: set[int] = field(default_factory=set)
    sign_off: set[int] = field(default_factory=set)  # directorates the user signs off
    services: set[int] = field(default_factory=set)
    teams: set[int] = field(default_factory=set)
    item_paths: list[str] = field(default_factory=list)  # portfolio priorities and committee remits
    roles: set[str] = field(default_factory=set)

    @property
    def read_only(self) -> bool:
        return not self.superuser and bool(self.roles) and self.roles <= READ_ONLY_ROLES


def scope_for(user: User) -> Scope:
    if not user.is_authenticated:
        return Scope(user_id=None)
    cached = getattr(user, "_pmf_scope", None)
    if cached is not None:
        return cached
    scope = Scope(user_id=user.pk, superuser=user.is_superuser)
    portfolios, committees = set(), set()
    rows = user.role_assignments.order_by().values_list(
        "council_id", "role", "directorate_id", "service_id", "team_id", "team__service_id", "committee_id",
        "portfolio_id",
    )
    for council, role, directorate, service, team, team_service, committee, portfolio in rows:
        scope.councils.add(council)
        scope.roles.add(role)
        if role in FULL_READ_ROLES:
            scope.full.add(council)
        if role in AUDIT_ROLES:
            scope.audit.add(council)
        if role == Role.PERFORMANCE_UNIT:
            scope.configure.add(council)
        if directorate:
            scope.directorates.add(directorate)
            if role in SIGN_OFF_ROLES:
                scope.sign_off.add(directorate)
        if service:
            scope.services.add(service)
        if team and role != Role.STAFF:
            # A team-level lead reads their team's service; a staff member's team gives them nothing more
            # than their own objectives.
            scope.teams.add(team)
            scope.services.add(team_service)
        if committee and role == Role.SCRUTINY_MEMBER:
            # A scrutiny member reads their committee's remit; sitting on Cabinet gives a Cabinet member
            # their portfolio, not the whole council.
            committees.add(committee)
        if portfolio:
            portfolios.add(portfolio)
    if portfolios or committees:
        from plans.models import PlanItem

        scope.item_paths = sorted(set(
            PlanItem.objects.filter(Q(portfolio__in=portfolios) | Q(committees__in=committees))
            .values_list("path", flat=True)
        ))
    user._pmf_scope = scope
    return scope


def councils_for(user: User) -> QuerySet[Council]:
    """The councils a user works for: those they hold a role in (all, for a superuser)."""
    if not user.is_authenticated:
        return Council.objects.none()
    if user.is_superuser:
        return Council.objects.all()
    return Council.objects.filter(pk__in=scope_for(user).councils)


def council_ids_for(user: User) -> list[int]:
    if user.is_superuser:
        return list(Council.objects.values_list("pk", flat=True))
    return sorted(scope_for(user).councils)


def _any(conditions: list[Q]) -> Q:
    return reduce(operator.or_, conditions) if conditions else Q(pk__in=[])


def _under(prefix: str, paths: list[str]) -> list[Q]:
    return [Q(**{f"{prefix}path__startswith": p}) for p in paths]


def _indicator_q(s: Scope, prefix: str = "") -> Q:
    p = prefix
    partial = [
        Q(**{f"{p}is_headline": True}),
        Q(**{f"{p}service__directorate__in": s.directorates}),
        Q(**{f"{p}service__in": s.services}),
        Q(**{f"{p}current_spec__performance_lead": s.user_id}),
        Q(**{f"{p}current_spec__deputy_performance_lead": s.user_id}),
        Q(**{f"{p}current_spec__accountable_officer": s.user_id}),
        Q(**{f"{p}current_spec__deputy_accountable_officer": s.user_id}),
        *_under(f"{p}plan_items__", s.item_paths),
    ]
    return Q(**{f"{p}council__in": s.full}) | (Q(**{f"{p}council__in": s.councils}) & _any(partial))


def _action_q(s: Scope, prefix: str = "") -> Q:
    p = prefix
    partial = [
        Q(**{f"{p}is_key": True}),
        Q(**{f"{p}service__directorate__in": s.directorates}),
        Q(**{f"{p}service__in": s.services}),
        Q(**{f"{p}owner": s.user_id}),
        *_under(f"{p}plan_items__", s.item_paths),
    ]
    return Q(**{f"{p}council__in": s.full}) | (Q(**{f"{p}council__in": s.councils}) & _any(partial))


def _plan_q(s: Scope, prefix: str = "") -> Q:
    """Plans are read council-wide, except individual objectives: the person's own, their managers' and the
    full-read roles'."""
    p = prefix
    personal = [
        Q(**{f"{p}person": s.user_id}),
        Q(**{f"{p}team__in": s.teams}),
        Q(**{f"{p}team__service__in": s.services}),
        Q(**{f"{p}team__service__directorate__in": s.directorates}),
    ]
    return Q(**{f"{p}council__in": s.full}) | (
        Q(**{f"{p}council__in": s.councils}) & (Q(**{f"{p}person__isnull": True}) | _any(personal))
    )


def _council_q(path: str):
    return lambda s: Q(**{f"{path}__in": s.councils})


#: How each model is scoped. Many-to-many paths are applied through a subquery (one row per object).
_RULES = {
    "pmf.Council": _council_q("pk"),
    "pmf.Directorate": _council_q("councils"),
    "pmf.Service": _council_q("directorate__councils"),
    "pmf.Team": _council_q("service__directorate__councils"),
    "pmf.Committee": _council_q("councils"),
    "pmf.Portfolio": _council_q("council"),
    "pmf.RoleAssignment": _council_q("council"),
    "pmf.User": _council_q("role_assignments__council"),
    "pmf.AuditEntry": lambda s: Q(council__in=s.audit),
    "plans.PlanLevel": _council_q("council"),
    "plans.Plan": _plan_q,
    "plans.PlanItem": lambda s: _plan_q(s, "plan__"),
    "plans.Action": _action_q,
    "plans.ActionUpdate": lambda s: _action_q(s, "action__"),
    "plans.Milestone": lambda s: _action_q(s, "action__"),
    "plans.Programme": _council_q("council"),
    "plans.Project": _council_q("programme__council"),
    "plans.DecisionPoint": _council_q("project__programme__council"),
    "indicators.Indicator": _indicator_q,
    "indicators.Specification": lambda s: _indicator_q(s, "indicator__"),
    "indicators.Target": lambda s: _indicator_q(s, "indicator__"),
    "indicators.TrajectoryPoint": lambda s: _indicator_q(s, "target__indicator__"),
    "indicators.Return": lambda s: _indicator_q(s, "indicator__"),
    "indicators.Evidence": lambda s: _indicator_q(s, "ret__indicator__"),
    "indicators.EntryReopening": lambda s: _indicator_q(s, "indicator__"),
    "indicators.RecoveryPlan": lambda s: _indicator_q(s, "indicator__") | _action_q(s, "action__"),
    "indicators.CorporateRisk": _council_q("council"),
    "indicators.BenchmarkValue": lambda s: _indicator_q(s, "indicator__"),
    "reporting.TimetableEntry": _council_q("council"),
}
#: Shared by every council: the calendar, and the permission groups.
UNSCOPED = {"pmf.FinancialYear", "pmf.Period", "auth.Group", "auth.Permission", "contenttypes.ContentType"}
#: Rules that cross a many-to-many or a reverse relation, and so need a subquery against duplicates.
_NEEDS_SUBQUERY = {"pmf.Directorate", "pmf.Service", "pmf.Team", "pmf.Committee", "pmf.User", "plans.Action",
                   "plans.ActionUpdate", "plans.Milestone", "indicators.Indicator", "indicators.Specification",
                   "indicators.Target", "indicators.TrajectoryPoint", "indicators.Return", "indicators.Evidence",
                   "indicators.EntryReopening", "indicators.RecoveryPlan", "indicators.BenchmarkValue"}


def restrict(qs: QuerySet, user: User) -> QuerySet:
    """Scope a queryset to what the user may read."""
    label = qs.model._meta.label
    if label in UNSCOPED or user.is_superuser:
        return qs
    condition = _RULES[label](scope_for(user))
    if label in _NEEDS_SUBQUERY:
        return qs.filter(pk__in=qs.model._default_manager.filter(condition).values("pk"))
    return qs.filter(condition)


# -- What a user may do ----------------------------------------------------------------------------------

def can_configure(user: User, council_id: int) -> bool:
    """Performance unit: levels, periods, indicators, targets, tolerances, users (E1)."""
    return user.is_superuser or council_id in scope_for(user).configure


def can_read_audit(user: User, council_id: int | None = None) -> bool:
    s = scope_for(user)
    return user.is_superuser or (bool(s.audit) if council_id is None else council_id in s.audit)


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


def can_reopen(user: User, indicator) -> bool:
    """Reopening an approved return or a closed period: the performance unit, or whoever signs it off."""
    return can_configure(user, indicator.council_id) or can_sign_off(user, indicator)


def can_update_action(user: User, action) -> bool:
    return user.is_superuser or action.owner_id == user.pk or action.council_id in scope_for(user).configure


def can_sign_off_action(user: User, action) -> bool:
    s = scope_for(user)
    return user.is_superuser or (
        action.council_id in s.councils and action.service is not None and action.service.directorate_id in s.sign_off
    )
