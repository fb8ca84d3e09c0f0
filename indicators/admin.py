from django.contrib import admin

from indicators.models import (
    BenchmarkValue,
    CorporateRisk,
    Indicator,
    Return,
    Specification,
    Target,
    TrajectoryPoint,
)
from pmf.admin_base import ScopedModelAdmin, ScopedStackedInline, ScopedTabularInline


class SpecificationInline(ScopedStackedInline):
    model = Specification
    extra = 0
    show_change_link = True
    autocomplete_fields = ["accountable_officer", "deputy_accountable_officer", "performance_lead",
                           "deputy_performance_lead", "created_by"]


class TargetInline(ScopedTabularInline):
    model = Target
    extra = 0
    show_change_link = True
    fields = ["financial_year", "annual_target", "band_low", "band_high", "baseline", "tolerance_pct",
              "tolerance_abs"]


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
    model = TrajectoryPoint
    extra = 0


@admin.register(Target)
class TargetAdmin(ScopedModelAdmin):
    list_display = ["indicator", "financial_year", "annual_target", "tolerance_pct", "tolerance_abs"]
    list_filter = ["financial_year", "indicator__council"]
    search_fields = ["indicator__ref", "indicator__title"]
    autocomplete_fields = ["indicator"]
    list_select_related = ["indicator"]
    inlines = [TrajectoryInline]


@admin.register(Return)
class ReturnAdmin(ScopedModelAdmin):
    list_display = ["indicator", "period", "value", "state", "submitted_at", "approved_at"]
    list_filter = ["state", "period__financial_year", "period__frequency", "indicator__council", "is_estimate"]
    search_fields = ["indicator__ref", "indicator__title", "commentary"]
    autocomplete_fields = ["indicator", "submitted_by", "approved_by"]
    list_select_related = ["indicator", "period"]
    readonly_fields = ["version", "updated_at"]


@admin.register(CorporateRisk)
class CorporateRiskAdmin(ScopedModelAdmin):
    list_display = ["ref", "title", "council", "owner"]
    list_filter = ["council"]
    search_fields = ["ref", "title"]
    autocomplete_fields = ["owner"]


@admin.register(BenchmarkValue)
class BenchmarkValueAdmin(ScopedModelAdmin):
    list_display = ["indicator", "financial_year", "comparator", "value"]
    list_filter = ["financial_year"]
    search_fields = ["indicator__ref", "comparator"]
    autocomplete_fields = ["indicator"]
