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
        cached = list(user.role_assignments.values_list("council_id", flat=True).distinct())
        user._pmf_council_ids = cached
    return Council.objects.filter(pk__in=cached)


def council_ids_for(user: User) -> list[int]:
    if user.is_superuser:
        return list(Council.objects.values_list("pk", flat=True))
    councils_for(user)
    return list(getattr(user, "_pmf_council_ids", []))


#: How each scoped model reaches its council. Every view fetches through ``restrict``.
_COUNCIL_PATH = {
    "pmf.Council": "pk",
    "pmf.Portfolio": "council",
    "plans.Plan": "council",
    "plans.PlanItem": "plan__council",
    "plans.Action": "council",
    "plans.Programme": "council",
    "indicators.Indicator": "council",
    "indicators.Specification": "indicator__council",
    "indicators.Target": "indicator__council",
    "indicators.Return": "indicator__council",
    "indicators.CorporateRisk": "council",
}


def restrict(qs: QuerySet, user: User) -> QuerySet:
    """Scope a queryset to what the user may read: the councils they work for."""
    path = _COUNCIL_PATH[qs.model._meta.label]
    return qs.filter(**{f"{path}__in": council_ids_for(user)})
