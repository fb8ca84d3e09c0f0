"""The API's filters (django-filter): by year, period, plan, directorate and state, wherever they apply. A value
that is not understood is refused with the field named (400), never ignored silently."""

from __future__ import annotations

from datetime import date

import django_filters as filters
from django.db.models import Exists, OuterRef, Q

from indicators.choices import ReturnState
from indicators.models import Indicator, Return, Specification, Target
from plans.choices import PlanStatus
from plans.models import Action, ActionUpdate, Plan, PlanItem
from plans.selectors import linked_under
from pmf.choices import ServiceKind

INT = {"min_value": 1, "max_value": 2**31 - 1}
YEAR = {"min_value": 2000, "max_value": 2100}


def _plan_paths(plan_id: int) -> list[str]:
    paths = sorted(set(PlanItem.objects.filter(plan_id=plan_id).values_list("path", flat=True)))
    return [p for p in paths if not any(p != other and p.startswith(other) for other in paths)]


def under_plan(qs, plan_id: int):
    """Indicators or actions linked to the plan's items or beneath them (as the plan's scorecard takes them)."""
    return linked_under(qs, _plan_paths(plan_id))


class PlanFilter(filters.FilterSet):
    year = filters.NumberFilter(method="in_year", help_text="Plans in force in this financial year (2026 = 2026/27).",
                                **YEAR)
    directorate = filters.NumberFilter(field_name="directorate", **INT)
    state = filters.ChoiceFilter(field_name="status", choices=PlanStatus.choices)
    level = filters.CharFilter(field_name="level__name", max_length=100)

    class Meta:
        model = Plan
        fields = ["council"]

    def in_year(self, qs, name, value):
        return qs.filter(start_year_id__lte=value, end_year_id__gte=value)


class PlanItemFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan", **INT)
    year = filters.NumberFilter(method="in_year", **YEAR)
    directorate = filters.NumberFilter(field_name="plan__directorate", **INT)

    class Meta:
        model = PlanItem
        fields = ["parent"]

    def in_year(self, qs, name, value):
        return qs.filter(plan__start_year_id__lte=value, plan__end_year_id__gte=value)


class IndicatorFilter(filters.FilterSet):
    plan = filters.NumberFilter(method="in_plan", help_text="Measures of the plan's items and beneath them.", **INT)
    directorate = filters.NumberFilter(field_name="service__directorate", **INT)
    service = filters.NumberFilter(field_name="service", **INT)
    kind = filters.CharFilter(field_name="kind", max_length=12)
    service_kind = filters.ChoiceFilter(field_name="service__kind", choices=ServiceKind.choices,
                                        help_text="Measures of council services, or of companies, partnerships or "
                                                  "contracts.")
    headline = filters.BooleanFilter(field_name="is_headline")

    class Meta:
        model = Indicator
        fields = ["council"]

    def in_plan(self, qs, name, value):
        return under_plan(qs, int(value))


class SpecificationFilter(filters.FilterSet):
    indicator = filters.NumberFilter(field_name="indicator", **INT)
    directorate = filters.NumberFilter(field_name="indicator__service__directorate", **INT)
    year = filters.NumberFilter(method="in_year", help_text="The version in force in this financial year.", **YEAR)

    class Meta:
        model = Specification
        fields = []

    def in_year(self, qs, name, value):
        later = Specification.objects.filter(indicator=OuterRef("indicator"), valid_from_id__lte=value,
                                             version__gt=OuterRef("version"))
        return qs.filter(valid_from_id__lte=value).exclude(Exists(later))


class TargetFilter(filters.FilterSet):
    indicator = filters.NumberFilter(field_name="indicator", **INT)
    year = filters.NumberFilter(field_name="financial_year", **YEAR)
    plan = filters.NumberFilter(method="in_plan", **INT)
    directorate = filters.NumberFilter(field_name="indicator__service__directorate", **INT)
    state = filters.ChoiceFilter(method="in_state", choices=[("approved", "Approved"), ("draft", "Not approved yet"),
                                                             ("superseded", "Replaced by a re-approval")])

    class Meta:
        model = Target
        fields = []

    def in_plan(self, qs, name, value):
        return qs.filter(indicator__in=under_plan(Indicator.objects.all(), int(value)).values("pk"))

    def in_state(self, qs, name, value):
        if value == "superseded":
            return qs.filter(superseded_at__isnull=False)
        return qs.filter(superseded_at__isnull=True, approved_at__isnull=(value == "draft"))


class ReturnFilter(filters.FilterSet):
    indicator = filters.NumberFilter(field_name="indicator", **INT)
    year = filters.NumberFilter(field_name="period__financial_year", **YEAR)
    period = filters.NumberFilter(field_name="period__number", min_value=1, max_value=12,
                                  help_text="The period within the year (1 to 12), in the measure's frequency.")
    plan = filters.NumberFilter(method="in_plan", **INT)
    directorate = filters.NumberFilter(field_name="indicator__service__directorate", **INT)
    state = filters.ChoiceFilter(field_name="state", choices=ReturnState.choices)

    class Meta:
        model = Return
        fields = []

    def in_plan(self, qs, name, value):
        return qs.filter(indicator__in=under_plan(Indicator.objects.all(), int(value)).values("pk"))


class ActionFilter(filters.FilterSet):
    plan = filters.NumberFilter(method="in_plan", **INT)
    directorate = filters.NumberFilter(field_name="service__directorate", **INT)
    service = filters.NumberFilter(field_name="service", **INT)
    key = filters.BooleanFilter(field_name="is_key")
    year = filters.NumberFilter(method="in_year", help_text="Actions running in this financial year.", **YEAR)

    class Meta:
        model = Action
        fields = ["council"]

    def in_plan(self, qs, name, value):
        return under_plan(qs, int(value))

    def in_year(self, qs, name, value):
        value = int(value)
        return qs.filter(Q(start__isnull=True) | Q(start__lt=date(value + 1, 4, 1)),
                         approved_end__gte=date(value, 4, 1))


class ActionUpdateFilter(filters.FilterSet):
    action = filters.NumberFilter(field_name="action", **INT)
    directorate = filters.NumberFilter(field_name="action__service__directorate", **INT)
    state = filters.ChoiceFilter(field_name="state", choices=ActionUpdate.State.choices)

    class Meta:
        model = ActionUpdate
        fields = []
