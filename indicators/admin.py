from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone

from indicators.choices import ReturnState
from indicators.models import (
    BenchmarkValue,
    ComparatorGroup,
    CorporateRisk,
    Indicator,
    Return,
    Specification,
    Target,
    TrajectoryPoint,
)
from indicators.plan_services import refresh_plan
from plans.admin import PlanAdmin
from pmf import access
from pmf.admin_base import ScopedModelAdmin, ScopedStackedInline, ScopedTabularInline

TARGET_LOCKED = ("This target is approved and locked (B4): its figures, trajectory and tolerance change only by a "
                 "recorded re-approval.")
TARGET_SUPERSEDED = ("This target was replaced by a re-approval on {when}; it is kept unchanged as the target "
                     "originally approved (B4).")
RETURN_LOCKED = ("This return is approved and locked (B5): its figures change only by reopening it with a reason, "
                 "which is recorded.")


def _target_locked_message(target: Target) -> str:
    if target.superseded_at is not None:
        return TARGET_SUPERSEDED.format(when=f"{timezone.localtime(target.superseded_at):%d %B %Y}")
    return TARGET_LOCKED if target.is_locked else ""


def _reapproval_link(request, target: Target) -> tuple[str, str] | None:
    if target.is_locked and target.superseded_at is None and access.can_configure(
            request.user, target.indicator.council_id):
        return reverse("indicators:target_reapprove", args=[target.pk]), "Record a re-approval"
    return None


class SpecificationInline(ScopedStackedInline):
    model = Specification
    extra = 0
    show_change_link = True
    autocomplete_fields = ["accountable_officer", "deputy_accountable_officer", "performance_lead",
                           "deputy_performance_lead", "created_by"]


class LockedTargetFormSet(BaseInlineFormSet):
    """B4 in the indicator's target rows: a locked target's row is shown disabled (what is posted for it is
    ignored) and cannot be ticked for deletion; unapproved targets stay editable."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if form.instance.pk is not None and form.instance.is_locked:
            keys = {self.model._meta.pk.name, self.fk.name}  # posted, so the row finds its target
            for name, field in form.fields.items():
                if name not in keys:
                    field.disabled = True


class TargetInline(ScopedTabularInline):
    model = Target
    formset = LockedTargetFormSet
    extra = 0
    show_change_link = True
    fields = ["financial_year", "annual_target", "band_low", "band_high", "baseline", "tolerance_pct",
              "tolerance_abs", "lock_status"]
    readonly_fields = ["lock_status"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("indicator")

    @admin.display(description="Approval")
    def lock_status(self, obj):
        if obj is None or obj.pk is None or not obj.is_locked:
            return "Not approved: editable"
        if obj.superseded_at is not None:
            return _target_locked_message(obj)
        return _target_locked_message(obj) + " Open it to record a re-approval."


@admin.register(Indicator)
class IndicatorAdmin(ScopedModelAdmin):
    list_display = ["ref", "title", "kind", "is_headline", "service", "is_restricted"]
    list_filter = ["council", "kind", "is_headline", "is_qualitative", "is_restricted",
                   "current_spec__frequency", "current_spec__polarity", "current_spec__measure_type",
                   "service__directorate"]
    search_fields = ["ref", "title", "current_spec__national_code"]
    autocomplete_fields = ["service", "plan_items", "risks", "current_spec"]
    list_select_related = ["service", "current_spec"]
    inlines = [SpecificationInline, TargetInline]


@admin.register(Specification)
class SpecificationAdmin(ScopedModelAdmin):
    list_display = ["indicator", "version", "valid_from", "unit", "polarity", "frequency", "measure_type"]
    list_filter = ["unit", "polarity", "frequency", "measure_type", "is_statutory_return"]
    search_fields = ["indicator__ref", "indicator__title", "definition"]
    autocomplete_fields = ["indicator", "accountable_officer", "deputy_accountable_officer", "performance_lead",
                           "deputy_performance_lead", "created_by"]
    list_select_related = ["indicator"]


class TrajectoryInline(ScopedTabularInline):
    """B4: a locked target's trajectory is read-only."""

    model = TrajectoryPoint
    extra = 0

    def has_add_permission(self, request, obj=None):
        return not (obj is not None and obj.is_locked) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not (obj is not None and obj.is_locked) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and obj.is_locked) and super().has_delete_permission(request, obj)


@admin.register(Target)
class TargetAdmin(ScopedModelAdmin):
    list_display = ["indicator", "financial_year", "revision", "annual_target", "tolerance_pct", "tolerance_abs",
                    "approved_at", "superseded_at"]
    list_filter = ["financial_year", "indicator__council"]
    search_fields = ["indicator__ref", "indicator__title"]
    autocomplete_fields = ["indicator"]
    list_select_related = ["indicator", "financial_year"]
    # Approval comes from approving the plan holding the target, re-approval from its own page (B4).
    readonly_fields = ["approved_at", "approved_by", "revision", "revises", "revision_reason", "superseded_at"]
    inlines = [TrajectoryInline]

    def locked_message(self, obj) -> str:
        return _target_locked_message(obj)

    def locked_link(self, request, obj):
        return _reapproval_link(request, obj)


@admin.register(Return)
class ReturnAdmin(ScopedModelAdmin):
    list_display = ["indicator", "period", "value", "state", "submitted_at", "approved_at"]
    list_filter = ["state", "period__financial_year", "period__frequency", "indicator__council", "is_estimate"]
    search_fields = ["indicator__ref", "indicator__title", "commentary"]
    autocomplete_fields = ["indicator", "submitted_by", "approved_by"]
    list_select_related = ["indicator", "period"]
    readonly_fields = ["version", "updated_at"]

    def locked_message(self, obj) -> str:
        return RETURN_LOCKED if obj.state == ReturnState.APPROVED else ""


@admin.register(CorporateRisk)
class CorporateRiskAdmin(ScopedModelAdmin):
    list_display = ["ref", "title", "council", "owner", "directorate", "likelihood", "impact", "target_likelihood",
                    "target_impact"]
    list_filter = ["council"]
    search_fields = ["ref", "title"]
    autocomplete_fields = ["owner", "directorate", "actions"]


@admin.register(BenchmarkValue)
class BenchmarkValueAdmin(ScopedModelAdmin):
    list_display = ["indicator", "financial_year", "comparator", "value"]
    list_filter = ["financial_year"]
    search_fields = ["indicator__ref", "comparator"]
    autocomplete_fields = ["indicator"]


@admin.register(ComparatorGroup)
class ComparatorGroupAdmin(ScopedModelAdmin):
    """C4: a council's comparator groups, as data (also imported with ``manage.py import_benchmarks``)."""

    list_display = ["name", "council", "kind"]
    list_filter = ["council", "kind"]
    search_fields = ["name", "areas__name", "areas__code"]
    filter_horizontal = ["areas"]


# -- The plan admin's action that reaches into measures ----------------------------------------------------------

@admin.action(description="Refresh into the next year as a new draft (A4)", permissions=["add"])
def refresh_into_next_year(modeladmin, request, queryset):
    for plan in queryset:
        try:
            new = refresh_plan(plan=plan, user=request.user)
        except ValidationError as exc:
            modeladmin.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            modeladmin.message_user(request, f"Created the draft “{new}” from “{plan}”.", messages.SUCCESS)


# The plan admin belongs to the plans app, which knows nothing of measures; refreshing a plan rolls its measures'
# targets forward too, so this app adds the action to it.
PlanAdmin.actions = [*(PlanAdmin.actions or []), refresh_into_next_year]
