"""The one place that scopes what a user may see (E1, E2).

Every view fetches the objects it touches through these functions, so that no council's data reaches
another council's users. Outsiders get 404 (the object is simply not in their queryset).
"""

from __future__ import annotations

from django.db.models import QuerySet

from pmf.models import Council, User


def councils_for(user: User) -> QuerySet[Council]:
    """The councils a user works for: those they hold a role in (all, for a superuser)."""
    if not user.is_authenticated:
        return Council.objects.none()
    if user.is_superuser:
        return Council.objects.all()
    cached = getattr(user, "_pmf_council_ids", None)
    if cached is None:
        cached = list(user.role_assignments.order_by().values_list("council_id", flat=True).distinct())
        user._pmf_council_ids = cached
    return Council.objects.filter(pk__in=cached)


def council_ids_for(user: User) -> list[int]:
    if user.is_superuser:
        return list(Council.objects.values_list("pk", flat=True))
    councils_for(user)
    return list(getattr(user, "_pmf_council_ids", []))


#: How each scoped model reaches its council (or councils). Every view and the admin fetch through ``restrict``.
_COUNCIL_PATH = {
    "pmf.Council": "pk",
    "pmf.Directorate": "councils",
    "pmf.Service": "directorate__councils",
    "pmf.Team": "service__directorate__councils",
    "pmf.Committee": "councils",
    "pmf.Portfolio": "council",
    "pmf.RoleAssignment": "council",
    "pmf.User": "role_assignments__council",
    "plans.PlanLevel": "council",
    "plans.Plan": "council",
    "plans.PlanItem": "plan__council",
    "plans.Action": "council",
    "plans.Milestone": "action__council",
    "plans.Programme": "council",
    "plans.Project": "programme__council",
    "plans.DecisionPoint": "project__programme__council",
    "indicators.Indicator": "council",
    "indicators.Specification": "indicator__council",
    "indicators.Target": "indicator__council",
    "indicators.TrajectoryPoint": "target__indicator__council",
    "indicators.Return": "indicator__council",
    "indicators.CorporateRisk": "council",
    "indicators.BenchmarkValue": "indicator__council",
}
#: Shared by every council: the calendar, and the permission groups.
UNSCOPED = {"pmf.FinancialYear", "pmf.Period", "auth.Group", "auth.Permission", "contenttypes.ContentType"}
_MULTI = {"councils", "role_assignments__council"}


def restrict(qs: QuerySet, user: User) -> QuerySet:
    """Scope a queryset to what the user may read: the councils they work for."""
    label = qs.model._meta.label
    if label in UNSCOPED:
        return qs
    path = _COUNCIL_PATH[label]
    if user.is_superuser:
        return qs
    ids = council_ids_for(user)
    if any(path.startswith(m) or path.endswith(m) for m in _MULTI):
        # Through a many-to-many: a subquery keeps one row per object.
        return qs.filter(pk__in=qs.model._default_manager.filter(**{f"{path}__in": ids}).values("pk"))
    return qs.filter(**{f"{path}__in": ids})
