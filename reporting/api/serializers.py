"""What the API shows of each object, and what it accepts for the writes (returns and action updates)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from indicators.choices import Confidence, ForecastMethod, SelfAssessment
from indicators.models import Indicator, Return, Specification, Target, TrajectoryPoint
from plans.models import Action, ActionUpdate, Plan, PlanItem
from pmf import clock
from pmf.choices import ServiceKind

FIGURE = {"max_digits": 18, "decimal_places": 6, "coerce_to_string": True}


class PlanSerializer(serializers.ModelSerializer):
    level = serializers.CharField(source="level.name", read_only=True)
    start_year = serializers.IntegerField(source="start_year_id", read_only=True)
    end_year = serializers.IntegerField(source="end_year_id", read_only=True)

    class Meta:
        model = Plan
        fields = ["id", "council", "title", "level", "start_year", "end_year", "status", "owner", "directorate",
                  "service", "team", "approved_at", "approval_note", "version"]


class PlanItemSerializer(serializers.ModelSerializer):
    level = serializers.CharField(source="level.name", read_only=True)

    class Meta:
        model = PlanItem
        fields = ["id", "plan", "parent", "ref", "title", "description", "level", "depth", "portfolio", "owner",
                  "lead_director", "outcome_owner"]


class IndicatorSerializer(serializers.ModelSerializer):
    directorate = serializers.IntegerField(source="service.directorate_id", read_only=True)
    plan_items = serializers.SerializerMethodField()
    current_specification = serializers.IntegerField(source="current_spec_id", read_only=True, allow_null=True)
    service_kind = serializers.ChoiceField(
        source="service.kind", choices=ServiceKind.choices, read_only=True,
        help_text="Who delivers the measure: a council service, or a wholly-owned company, partnership or "
                  "commissioned contract.")
    provider = serializers.CharField(
        source="service.provider", read_only=True,
        help_text="The company, lead partner or contractor delivering it; blank for a council service.")

    class Meta:
        model = Indicator
        fields = ["id", "council", "ref", "title", "kind", "is_headline", "is_qualitative", "is_restricted",
                  "is_perception", "service", "service_kind", "provider", "directorate", "plan_items",
                  "current_specification"]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_plan_items(self, obj) -> list[int]:
        return [item.pk for item in getattr(obj, "visible_items", [])]


class SpecificationSerializer(serializers.ModelSerializer):
    valid_from = serializers.IntegerField(source="valid_from_id", read_only=True)
    multiplier = serializers.DecimalField(max_digits=12, decimal_places=4, read_only=True)
    plausible_min = serializers.DecimalField(**FIGURE, read_only=True, allow_null=True)
    plausible_max = serializers.DecimalField(**FIGURE, read_only=True, allow_null=True)
    change_threshold_pct = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True, allow_null=True)
    forecast_method = serializers.ChoiceField(choices=ForecastMethod.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Specification
        fields = ["id", "indicator", "version", "valid_from", "definition", "rationale", "data_source", "unit",
                  "rate_per", "calculation", "numerator_label", "denominator_label", "multiplier", "decimal_places",
                  "polarity", "frequency", "measure_type", "due_working_days", "accountable_officer",
                  "performance_lead", "comparator_group", "national_code", "is_statutory_return", "stretch",
                  "forecast_method", "plausible_min", "plausible_max", "change_threshold_pct"]


class TrajectoryPointSerializer(serializers.ModelSerializer):
    value = serializers.DecimalField(**FIGURE, read_only=True)

    class Meta:
        model = TrajectoryPoint
        fields = ["period_number", "value"]


class TargetSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="financial_year_id", read_only=True)
    annual_target = serializers.DecimalField(**FIGURE, read_only=True, allow_null=True)
    band_low = serializers.DecimalField(**FIGURE, read_only=True, allow_null=True)
    band_high = serializers.DecimalField(**FIGURE, read_only=True, allow_null=True)
    baseline = serializers.DecimalField(**FIGURE, read_only=True, allow_null=True)
    tolerance_pct = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True, allow_null=True)
    tolerance_abs = serializers.DecimalField(**FIGURE, read_only=True, allow_null=True)
    trajectory = TrajectoryPointSerializer(many=True, read_only=True)
    approved = serializers.SerializerMethodField()

    class Meta:
        model = Target
        fields = ["id", "indicator", "year", "annual_target", "band_low", "band_high", "baseline", "needs_baseline",
                  "tolerance_pct", "tolerance_abs", "trajectory", "note", "approved", "approved_at", "revision",
                  "revises", "revision_reason", "superseded_at", "version"]

    def get_approved(self, obj) -> bool:
        return obj.approved_at is not None


class ReturnSerializer(serializers.ModelSerializer):
    indicator_ref = serializers.CharField(source="indicator.ref", read_only=True)
    period_label = serializers.CharField(source="period.label", read_only=True)
    year = serializers.IntegerField(source="period.financial_year_id", read_only=True)
    period_number = serializers.IntegerField(source="period.number", read_only=True)
    value = serializers.DecimalField(**FIGURE, read_only=True, allow_null=True)
    numerator = serializers.DecimalField(**FIGURE, read_only=True, allow_null=True)
    denominator = serializers.DecimalField(**FIGURE, read_only=True, allow_null=True)
    forecast = serializers.DecimalField(**FIGURE, read_only=True, allow_null=True)
    forecast_confidence = serializers.ChoiceField(choices=Confidence.choices, allow_blank=True, read_only=True)
    # Blank on a numeric measure's return: declared so that the schema says so (a read-only model field would not).
    self_assessed_rag = serializers.ChoiceField(
        choices=SelfAssessment.choices, allow_blank=True, read_only=True,
        help_text="For a narrative measure: the status the officer judges from the narrative. Never computed. "
                  "Blank for a numeric measure.")

    class Meta:
        model = Return
        fields = ["id", "indicator", "indicator_ref", "period", "period_label", "year", "period_number", "value",
                  "numerator", "denominator", "forecast", "forecast_confidence", "commentary", "self_assessed_rag",
                  "no_data_reason", "is_estimate", "is_queried", "state", "returned_reason", "submitted_by",
                  "submitted_at", "verified_at", "approved_by", "approved_at", "due_on", "version", "updated_at"]
        read_only_fields = fields


class ReturnWriteSerializer(serializers.Serializer):
    """A return's figures as the entry form takes them. ``version``: the version you read (null for a new return)."""

    indicator = serializers.IntegerField(min_value=1, max_value=2**53)
    period = serializers.IntegerField(min_value=1, max_value=2**53, help_text="The period's id (see a return's "
                                                                              "``period``).")
    value = serializers.DecimalField(max_digits=18, decimal_places=6, required=False, allow_null=True)
    numerator = serializers.DecimalField(max_digits=18, decimal_places=6, required=False, allow_null=True)
    denominator = serializers.DecimalField(max_digits=18, decimal_places=6, required=False, allow_null=True)
    forecast = serializers.DecimalField(max_digits=18, decimal_places=6, required=False, allow_null=True)
    forecast_confidence = serializers.ChoiceField(choices=Confidence.choices, required=False, allow_blank=True)
    commentary = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    no_data_reason = serializers.CharField(required=False, allow_blank=True, max_length=300)
    is_estimate = serializers.BooleanField(required=False, default=False)
    self_assessed_rag = serializers.ChoiceField(
        choices=SelfAssessment.choices, required=False, allow_blank=True,
        help_text="A narrative measure's status as you judge it from the narrative (the commentary): green, amber or "
                  "red. A numeric measure refuses it: its status is worked out from its figure.")
    version = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**31 - 1)
    submit = serializers.BooleanField(required=False, default=False,
                                      help_text="True submits the return for sign-off; false saves a draft.")


class ReturnUpdateSerializer(ReturnWriteSerializer):
    """Changing a stored return: its figures (those not given are kept), with the version you read."""

    indicator = None
    period = None
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class SubmitSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The version you read.")


class ActionSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    directorate = serializers.IntegerField(source="service.directorate_id", read_only=True, allow_null=True)
    plan_items = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = ["id", "council", "ref", "title", "description", "plan_items", "service", "directorate", "owner",
                  "is_key", "start", "approved_end", "forecast_end", "completed_on", "no_longer_viable",
                  "no_longer_viable_reason", "progress_pct", "latest_update", "status", "version"]

    def get_status(self, obj) -> str:
        return str(obj.status(clock.today()).value)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_plan_items(self, obj) -> list[int]:
        return [item.pk for item in getattr(obj, "visible_items", [])]


class ActionUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActionUpdate
        fields = ["id", "action", "as_of", "progress_pct", "forecast_end", "completed_on", "no_longer_viable",
                  "no_longer_viable_reason", "commentary", "state", "returned_reason", "submitted_by",
                  "submitted_at", "approved_by", "approved_at", "version"]
        read_only_fields = fields


class ActionUpdateWriteSerializer(serializers.Serializer):
    """The owner's progress update, as the action page takes it. ``version``: the open update's version you read
    (null to start one)."""

    action = serializers.IntegerField(min_value=1, max_value=2**53)
    as_of = serializers.DateField()
    progress_pct = serializers.IntegerField(min_value=0, max_value=100, required=False, allow_null=True)
    forecast_end = serializers.DateField(required=False, allow_null=True)
    completed_on = serializers.DateField(required=False, allow_null=True)
    no_longer_viable = serializers.BooleanField(required=False, default=False)
    no_longer_viable_reason = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    commentary = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    version = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**31 - 1)
    submit = serializers.BooleanField(required=False, default=False)


# -- Assessments --------------------------------------------------------------------------------------------------

class AssessmentSerializer(serializers.Serializer):
    """One measure at one period, by the same rules as every page and report (C1 RAG, C2 direction of travel)."""

    year = serializers.IntegerField(help_text="The financial year's first calendar year (2026 is 2026/27).")
    period_number = serializers.IntegerField(help_text="The period within the year, in the measure's frequency.")
    period = serializers.CharField(help_text="The period, in words.")
    value = serializers.DecimalField(**FIGURE, allow_null=True,
                                     help_text="The figure rated: year to date for a cumulative measure.")
    period_value = serializers.DecimalField(**FIGURE, allow_null=True, help_text="The period's own figure.")
    target = serializers.DecimalField(**FIGURE, allow_null=True, help_text="The target for that point in the year.")
    annual_target = serializers.DecimalField(**FIGURE, allow_null=True)
    band_low = serializers.DecimalField(**FIGURE, allow_null=True)
    band_high = serializers.DecimalField(**FIGURE, allow_null=True)
    rag = serializers.CharField(help_text="green, amber, red or measured (not rated).")
    self_assessed = serializers.BooleanField(
        help_text="True where rag is a narrative measure's status as its officer chose it, not worked out from "
                  "figures.")
    rag_reason = serializers.CharField(help_text="Why a measure is not rated; empty when it is.")
    direction = serializers.CharField(help_text="Direction of travel.")
    comparison_year = serializers.IntegerField()
    comparison_period_number = serializers.IntegerField()
    comparison_value = serializers.DecimalField(**FIGURE, allow_null=True)
    state = serializers.CharField(allow_null=True, help_text="The return's state; null when there is none.")


def assessment_data(a) -> dict:
    band = a.band or (None, None)
    return {"year": a.key[0], "period_number": a.key[1], "period": a.label, "value": a.value,
            "period_value": a.period_value, "target": a.target, "annual_target": a.annual_target,
            "band_low": band[0], "band_high": band[1], "rag": str(a.rag.value), "self_assessed": a.self_assessed,
            "rag_reason": a.rag_reason,
            "direction": str(a.direction.value), "comparison_year": a.comparison_key[0],
            "comparison_period_number": a.comparison_key[1], "comparison_value": a.comparison_value,
            "state": a.ret.state if a.ret is not None else None}


class MeasureAssessmentSerializer(serializers.Serializer):
    indicator = serializers.IntegerField()
    ref = serializers.CharField()
    title = serializers.CharField()
    frequency = serializers.CharField()
    polarity = serializers.CharField()
    assessments = AssessmentSerializer(many=True)
