"""Who may see what (E1, E2): the one scoping mechanism every view, the admin, every service and every report uses.

The core owns the mechanism; each app owns how its own models are scoped. An app says, in its ``access.py``
(loaded by its ``AppConfig.ready``), which objects of each of its models a user may read, as a ``Q`` over the
user's ``Scope`` (``register``); ``restrict(qs, user)`` applies that rule. Outsiders get 404 (the object is not in
their queryset); a user who may read an object but not change it gets 403 from the ``can_*`` functions, which
live beside the rules they belong to (``indicators.access.can_enter_return``, ``plans.access.can_update_action``).

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.validators import slug_re
from django.db.models import Model, Q, QuerySet
from django.http import Http404

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
    audit: set[int] = field(default_factory=set)  # councils whose audit trail the user reads
    internal_audit: set[int] = field(default_factory=set)  # councils the user is internal auditor of
    configure: set[int] = field(default_factory=set)
    directorates: set[int] = field(default_factory=set)
    sign_off: set[int] = field(default_factory=set)  # directorates the user signs off
    # services whose returns the user verifies: head of service, in a council that asks for verification
    verifies: set[int] = field(default_factory=set)
    services: set[int] = field(default_factory=set)
    teams: set[int] = field(default_factory=set)
    portfolios: set[int] = field(default_factory=set)  # held as a Cabinet member
    committees: set[int] = field(default_factory=set)  # sat on as a scrutiny member
    item_paths: list[str] = field(default_factory=list)  # portfolio priorities and committee remits (plans)
    roles: set[str] = field(default_factory=set)

    @property
    def read_only(self) -> bool:
        return not self.superuser and bool(self.roles) and self.roles <= READ_ONLY_ROLES


#: Filled in by the apps above the core (``extend_scope``): e.g. the plan-item paths of a portfolio's priorities.
_SCOPE_LOADERS: list[Callable[[Scope], None]] = []


def extend_scope(loader: Callable[[Scope], None]) -> Callable[[Scope], None]:
    """Register a function that completes a user's scope from an app's own models, once per request."""
    _SCOPE_LOADERS.append(loader)
    return loader


def scope_for(user: User) -> Scope:
    if not user.is_authenticated:
        return Scope(user_id=None)
    cached = getattr(user, "_pmf_scope", None)
    if cached is not None:
        return cached
    scope = Scope(user_id=user.pk, superuser=user.is_superuser)
    rows = user.role_assignments.order_by().values_list(
        "council_id", "role", "directorate_id", "service_id", "team_id", "team__service_id", "committee_id",
        "portfolio_id", "council__verification_required",
    )
    for council, role, directorate, service, team, team_service, committee, portfolio, verifying in rows:
        scope.councils.add(council)
        scope.roles.add(role)
        if role in FULL_READ_ROLES:
            scope.full.add(council)
        if role in AUDIT_ROLES:
            scope.audit.add(council)
        if role == Role.INTERNAL_AUDIT:
            scope.internal_audit.add(council)
        if role == Role.PERFORMANCE_UNIT:
            scope.configure.add(council)
        if directorate:
            scope.directorates.add(directorate)
            if role in SIGN_OFF_ROLES:
                scope.sign_off.add(directorate)
        if service:
            scope.services.add(service)
            if role == Role.HEAD_OF_SERVICE and verifying:
                scope.verifies.add(service)
        if team and role != Role.STAFF:
            # A team-level lead reads their team's service; a staff member's team gives them nothing more
            # than their own objectives.
            scope.teams.add(team)
            scope.services.add(team_service)
        if committee and role == Role.SCRUTINY_MEMBER:
            # A scrutiny member reads their committee's remit; sitting on Cabinet gives a Cabinet member
            # their portfolio, not the whole council.
            scope.committees.add(committee)
        if portfolio:
            scope.portfolios.add(portfolio)
    for loader in _SCOPE_LOADERS:
        loader(scope)
    user._pmf_scope = scope
    return scope


def councils_for(user: User) -> QuerySet[Council]:
    """The councils a user works for: those they hold a role in (all, for a superuser)."""
    if not user.is_authenticated:
        return Council.objects.none()
    if user.is_superuser:
        return Council.objects.all()
    return Council.objects.filter(pk__in=scope_for(user).councils)


def councils_in_view(user: User) -> int:
    """How many councils the user's pages span: the councils they hold a role in (every council, for a superuser).
    Where more than one is in view, every row and figure says which council it belongs to (a column or a label);
    a user of one council sees no such column. No query for a user with roles (their scope, loaded once per
    request); one count, once per request, for a superuser."""
    if not user.is_authenticated:
        return 0
    if not user.is_superuser:
        return len(scope_for(user).councils)
    cached = getattr(user, "_pmf_councils_in_view", None)
    if cached is None:
        cached = user._pmf_councils_in_view = Council.objects.count()
    return cached


def council_from_request(request, *, refused: str = "",
                         may: Callable[[User, int], bool] | None = None) -> Council:
    """The council a page is about: ``?council=<slug>`` (or the posted form's), else the first (by name) the person
    works for. A slug that is not one of their councils is not found (404).

    With ``refused`` (a page of the performance unit's, or another action ``may`` allows): without a slug, the first
    council they may act on; a council they may not act on is refused (403, with that message). ``may`` defaults to
    configuring the council."""
    user = request.user
    may = may or can_configure
    slug = request.POST.get("council") or request.GET.get("council")
    if slug:
        # Only a slug can name a council: anything else (a NUL, which PostgreSQL refuses in a query) is not found.
        council = Council.objects.filter(slug=slug).first() if slug_re.fullmatch(slug) else None
        if council is None or not (user.is_superuser or council.pk in scope_for(user).councils):
            raise Http404("No such council.")
    else:
        mine = Council.objects.all() if user.is_superuser else Council.objects.filter(pk__in=scope_for(user).councils)
        council = next((c for c in mine.order_by("name") if not refused or may(user, c.pk)), None)
        if council is None:
            if refused:
                raise PermissionDenied(refused)
            raise Http404("You work for no council.")
    if refused and not may(user, council.pk):
        raise PermissionDenied(refused)
    return council


def council_ids_for(user: User) -> list[int]:
    if user.is_superuser:
        return list(Council.objects.values_list("pk", flat=True))
    return sorted(scope_for(user).councils)


# -- The rules, and restrict ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """Which objects of a model a scope may read. ``subquery``: the condition crosses a many-to-many or a reverse
    relation, so it is applied as ``pk IN (subquery)``, one row per object, no DISTINCT needed."""

    condition: Callable[[Scope], Q]
    subquery: bool = False


_RULES: dict[str, Rule] = {}
#: Shared by every council, or outside the product's data: read by whoever can reach the page.
_UNSCOPED: set[str] = set()


def _label(model: str | type[Model]) -> str:
    return model if isinstance(model, str) else model._meta.label


def register(model: str | type[Model], condition: Callable[[Scope], Q], *, subquery: bool = False) -> None:
    """Say which objects of ``model`` a user may read: ``condition(scope)`` is a ``Q`` over the model."""
    _RULES[_label(model)] = Rule(condition, subquery)


def register_unscoped(*models: str | type[Model]) -> None:
    """Models every signed-in user reads alike (the calendar, permission groups)."""
    _UNSCOPED.update(_label(m) for m in models)


def any_of(conditions: Iterable[Q]) -> Q:
    """Conditions joined by OR; nothing matches when there are none."""
    conditions = list(conditions)
    return reduce(operator.or_, conditions) if conditions else Q(pk__in=[])


def in_councils(path: str) -> Callable[[Scope], Q]:
    """The rule of an object that belongs to a council (through ``path``): read by everyone in that council."""
    return lambda s: Q(**{f"{path}__in": s.councils})


def restrict(qs: QuerySet, user: User) -> QuerySet:
    """Scope a queryset to what the user may read."""
    label = qs.model._meta.label
    if label in _UNSCOPED or user.is_superuser:
        return qs
    rule = _RULES.get(label)
    if rule is None:
        raise ImproperlyConfigured(f"No access rule for {label}: register one in its app's access.py.")
    condition = rule.condition(scope_for(user))
    if rule.subquery:
        return qs.filter(pk__in=qs.model._default_manager.filter(condition).values("pk"))
    return qs.filter(condition)


# -- What a user may do in the core ------------------------------------------------------------------------------

def can_configure(user: User, council_id: int) -> bool:
    """Performance unit: levels, periods, indicators, targets, tolerances, users (E1)."""
    return user.is_superuser or council_id in scope_for(user).configure


def is_internal_audit(user: User, council_id: int) -> bool:
    """Internal audit of the council: draws and records its spot checks (E1)."""
    return user.is_superuser or council_id in scope_for(user).internal_audit


def can_read_audit(user: User, council_id: int | None = None) -> bool:
    s = scope_for(user)
    return user.is_superuser or (bool(s.audit) if council_id is None else council_id in s.audit)


# -- The core's own models ---------------------------------------------------------------------------------------

register("pmf.Council", in_councils("pk"))
register("pmf.Directorate", in_councils("councils"), subquery=True)
register("pmf.Service", in_councils("directorate__councils"), subquery=True)
register("pmf.Team", in_councils("service__directorate__councils"), subquery=True)
register("pmf.Committee", in_councils("councils"), subquery=True)
register("pmf.Portfolio", in_councils("council"))
register("pmf.RoleAssignment", in_councils("council"))
register("pmf.User", in_councils("role_assignments__council"), subquery=True)
register("pmf.AuditEntry", lambda s: Q(council__in=s.audit))
register("pmf.ReminderSettings", in_councils("council"))
register("pmf.ReminderPreference", in_councils("user__role_assignments__council"), subquery=True)
register("pmf.ReminderLog", in_councils("council"))
register("pmf.ScheduledJob", in_councils("council"))
register("pmf.ApiToken", lambda s: Q(user=s.user_id))  # a person's own personal API tokens
# The sign-in log (django-axes): the attempts on the accounts of people of the councils whose audit trail the
# user reads. An attempt on a name that is no one's account belongs to no council: superusers only.
_audited_usernames = lambda s: Q(  # noqa: E731
    username__in=User.objects.filter(role_assignments__council__in=s.audit).values("username"))
register("axes.AccessLog", _audited_usernames)
register("axes.AccessFailureLog", _audited_usernames)
register_unscoped("pmf.FinancialYear", "pmf.Period", "auth.Group", "auth.Permission", "contenttypes.ContentType")
