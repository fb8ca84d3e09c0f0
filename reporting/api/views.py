"""The API's views: thin, like the pages. Every queryset goes through ``pmf.access.restrict`` (outsiders get 404);
every write goes through the service the page uses (same checks, permissions, optimistic locking, audit)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from indicators import selectors, services
from indicators.models import Indicator, Return, Specification, Target, TrajectoryPoint
from plans.models import Action, ActionUpdate, Plan, PlanItem
from plans.services import save_action_update
from pmf import access, clock
from pmf.errors import Refused
from pmf.models import Period
from pmf.periods import periods_per_year
from reporting.api import errors, filters
from reporting.api import serializers as s
from reporting.scorecard import LOOKBACK_YEARS, latest_complete_quarter
from reporting.selectors import month_assessment, quarter_assessment

errors.CONFLICT_SERIALIZERS.update({"indicators.Return": s.ReturnSerializer,
                                    "plans.ActionUpdate": s.ActionUpdateSerializer})


class Scoped(viewsets.GenericViewSet):
    """A read-only resource, scoped to the person (``pmf.access.restrict``)."""

    model = None
    filter_backends = [DjangoFilterBackend]
    lookup_value_regex = r"[^/]+"  # anything else than a number is a 404 in the API's own shape, not a page's

    def base_queryset(self):
        return self.model.objects.all()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular building the schema
            return self.model.objects.none()
        return access.restrict(self.base_queryset(), self.request.user).order_by("pk")

    def visible_items(self) -> Prefetch:
        """The plan items each object links to that the person may read (others' individual objectives are not)."""
        return Prefetch("plan_items", queryset=access.restrict(PlanItem.objects.only("pk"), self.request.user),
                        to_attr="visible_items")


class ReadOnly(mixins.ListModelMixin, mixins.RetrieveModelMixin, Scoped):
    pass


@extend_schema(tags=["plans"])
class PlanViewSet(ReadOnly):
    """Plans of the golden thread."""

    model = Plan
    serializer_class = s.PlanSerializer
    filterset_class = filters.PlanFilter

    def base_queryset(self):
        return Plan.objects.select_related("level")


@extend_schema(tags=["plans"])
class PlanItemViewSet(ReadOnly):
    """Plan items: priorities, outcomes and the items beneath them."""

    model = PlanItem
    serializer_class = s.PlanItemSerializer
    filterset_class = filters.PlanItemFilter

    def base_queryset(self):
        return PlanItem.objects.select_related("level")


@extend_schema(tags=["measures"])
class IndicatorViewSet(ReadOnly):
    """Measures (indicators)."""

    model = Indicator
    serializer_class = s.IndicatorSerializer
    filterset_class = filters.IndicatorFilter

    def base_queryset(self):
        return Indicator.objects.select_related("service").prefetch_related(self.visible_items())


@extend_schema(tags=["measures"])
class SpecificationViewSet(ReadOnly):
    """Technical specifications, every version."""

    model = Specification
    serializer_class = s.SpecificationSerializer
    filterset_class = filters.SpecificationFilter


@extend_schema(tags=["measures"])
class TargetViewSet(ReadOnly):
    """Targets with their trajectory (the target by period) and tolerance."""

    model = Target
    serializer_class = s.TargetSerializer
    filterset_class = filters.TargetFilter

    def base_queryset(self):
        return Target.objects.prefetch_related(
            Prefetch("trajectory", queryset=TrajectoryPoint.objects.order_by("period_number")))


def _indicator(request, pk: int) -> Indicator:
    return get_object_or_404(access.restrict(Indicator.objects.all(), request.user)
                             .select_related("council", "current_spec", "service"), pk=pk)


def _entry(data: dict, ret: Return | None = None) -> services.Entry:
    """The entry: the fields given, the others as the stored return has them."""
    names = ["value", "numerator", "denominator", "forecast", "forecast_confidence", "commentary", "no_data_reason",
             "is_estimate", "self_assessed_rag"]
    base = {n: getattr(ret, n) for n in names} if ret is not None else {}
    base.update({n: data[n] for n in names if n in data})
    for text in ("forecast_confidence", "commentary", "no_data_reason", "self_assessed_rag"):
        base[text] = base.get(text) or ""
    base["is_estimate"] = bool(base.get("is_estimate"))
    return services.Entry(**base)


@extend_schema(tags=["returns"])
class ReturnViewSet(ReadOnly, mixins.CreateModelMixin):
    """Returns (a period's figure of a measure) with their state. Written exactly as on the entry form."""

    model = Return
    serializer_class = s.ReturnSerializer
    filterset_class = filters.ReturnFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self):
        return Return.objects.select_related("indicator", "period")

    def _save(self, *, indicator, period, data, ret, version, submit) -> Return:
        if indicator.current_spec is None:
            raise Refused({"indicator": f"{indicator.ref} has no specification yet, so it takes no returns."})
        return services.save_return(user=self.request.user, indicator=indicator, period=period,
                                    entry=_entry(data, ret), version=version, submit=submit)

    @extend_schema(request=s.ReturnWriteSerializer, responses={200: s.ReturnSerializer, 201: s.ReturnSerializer},
                   summary="Save a return as a draft, or submit it (a new return, or one you read with its version)")
    def create(self, request: Request, *args, **kwargs) -> Response:
        form = s.ReturnWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        indicator = _indicator(request, data["indicator"])
        period = Period.objects.filter(pk=data["period"]).first()
        if period is None:
            raise Refused({"period": "There is no period with that id."})
        existing = Return.objects.filter(indicator=indicator, period=period).first()
        ret = self._save(indicator=indicator, period=period, data=data, ret=existing, version=data.get("version"),
                         submit=data["submit"])
        ret = self.base_queryset().get(pk=ret.pk)
        return Response(s.ReturnSerializer(ret).data,
                        status=status.HTTP_200_OK if existing else status.HTTP_201_CREATED)

    @extend_schema(request=s.ReturnUpdateSerializer, responses={200: s.ReturnSerializer},
                   summary="Change a return's figures (those not given are kept), as a draft or submitted")
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        ret = self.get_object()
        form = s.ReturnUpdateSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        if "version" not in data:
            raise Refused({"version": "Give the version of the return you read."})
        indicator = _indicator(request, ret.indicator_id)
        ret = self._save(indicator=indicator, period=ret.period, data=data, ret=ret, version=data["version"],
                         submit=data.get("submit", False))
        return Response(s.ReturnSerializer(self.base_queryset().get(pk=ret.pk)).data)

    @extend_schema(request=s.SubmitSerializer, responses={200: s.ReturnSerializer},
                   summary="Submit a return for sign-off, as it is stored")
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk=None) -> Response:
        ret = self.get_object()
        form = s.SubmitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        indicator = _indicator(request, ret.indicator_id)
        ret = self._save(indicator=indicator, period=ret.period, data={}, ret=ret,
                         version=form.validated_data["version"], submit=True)
        return Response(s.ReturnSerializer(self.base_queryset().get(pk=ret.pk)).data)


@extend_schema(tags=["actions"])
class ActionViewSet(ReadOnly):
    """Actions, with their status (C3) today."""

    model = Action
    serializer_class = s.ActionSerializer
    filterset_class = filters.ActionFilter

    def base_queryset(self):
        return Action.objects.select_related("service").prefetch_related(self.visible_items())


@extend_schema(tags=["actions"])
class ActionUpdateViewSet(ReadOnly, mixins.CreateModelMixin):
    """Action updates (progress, forecast end, completion), signed off like returns."""

    model = ActionUpdate
    serializer_class = s.ActionUpdateSerializer
    filterset_class = filters.ActionUpdateFilter
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=s.ActionUpdateWriteSerializer,
                   responses={200: s.ActionUpdateSerializer, 201: s.ActionUpdateSerializer},
                   summary="Save the action's open update as a draft, or submit it (version null to start one)")
    def create(self, request: Request, *args, **kwargs) -> Response:
        form = s.ActionUpdateWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        act = get_object_or_404(access.restrict(Action.objects.all(), request.user).select_related("council"),
                                pk=data.pop("action"))
        had_open = act.updates.filter(state__in=["draft", "submitted", "returned"]).exists()
        update = save_action_update(user=request.user, action=act, data=data, version=data.pop("version", None),
                                    submit=data.pop("submit", False))
        return Response(s.ActionUpdateSerializer(update).data,
                        status=status.HTTP_200_OK if had_open else status.HTTP_201_CREATED)


# -- Assessments --------------------------------------------------------------------------------------------------

class AssessmentQuery(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100,
                                    help_text="Financial year (2026 is 2026/27); the latest complete quarter's "
                                              "year if not given.")
    quarter = serializers.IntegerField(required=False, min_value=1, max_value=4,
                                       help_text="A quarterly report's figure for the quarter, as the scorecard "
                                                 "and report packs show it.")
    month = serializers.IntegerField(required=False, min_value=1, max_value=12,
                                     help_text="A monthly report's figure for the month (1 is April).")
    period = serializers.IntegerField(required=False, min_value=1, max_value=12,
                                      help_text="One period of the year, in each measure's own frequency.")
    figures = serializers.ChoiceField(choices=[("approved", "Approved figures only, as reports use"),
                                               ("all", "Every figure entered, each with its state")],
                                      required=False, default="approved")

    def validate(self, attrs):
        if sum(1 for k in ("quarter", "month", "period") if k in attrs) > 1:
            raise serializers.ValidationError({"quarter": "Give one of quarter, month or period, not several."})
        return attrs


@extend_schema(tags=["measures"], parameters=[AssessmentQuery])
class AssessmentViewSet(ReadOnly):
    """Each measure's assessment by period: value, target, RAG, direction of travel and the period compared with,
    by the same rules as the pages and reports. Without quarter, month or period: every period of the year up to
    the latest with a figure."""

    model = Indicator
    serializer_class = s.MeasureAssessmentSerializer
    filterset_class = filters.IndicatorFilter

    def base_queryset(self):
        return Indicator.objects.filter(current_spec__isnull=False)

    def _query(self) -> dict:
        form = AssessmentQuery(data=self.request.query_params)
        form.is_valid(raise_exception=True)
        query = dict(form.validated_data)
        query.setdefault("year", latest_complete_quarter(clock.today())[0])
        return query

    def _rows(self, indicators) -> list[dict]:
        query = self._query()
        year = query["year"]
        states = selectors.APPROVED_ONLY if query["figures"] == "approved" else selectors.ALL_STATES
        ids = [i.pk for i in indicators]
        loaded = {x.indicator.pk: x for x in selectors.load_series(
            Indicator.objects.filter(pk__in=ids), states=states, since_year=year - LOOKBACK_YEARS)}
        rows = []
        for pk in ids:
            series = loaded[pk]
            spec = series.spec_for(year)
            if "quarter" in query:
                found = [quarter_assessment(series, year_start=year, quarter=query["quarter"])]
            elif "month" in query:
                found = [month_assessment(series, year_start=year, month=query["month"])]
            elif "period" in query:
                found = ([selectors.assess(series, (year, query["period"]))]
                         if query["period"] <= periods_per_year(spec.frequency) else [])
            else:
                found = selectors.assess_all(series, years=[year])
            ind = series.indicator
            rows.append({"indicator": ind.pk, "ref": ind.ref, "title": ind.title, "frequency": spec.frequency,
                         "polarity": spec.polarity, "assessments": [s.assessment_data(a) for a in found]})
        return rows

    def list(self, request: Request, *args, **kwargs) -> Response:
        self._query()  # refuse a bad query before anything is loaded
        qs = self.filter_queryset(self.get_queryset()).order_by("ref", "pk")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.MeasureAssessmentSerializer(self._rows(page), many=True).data)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return Response(s.MeasureAssessmentSerializer(self._rows([self.get_object()])[0]).data)


def not_found(request, *args, **kwargs):
    """Any other address under /api/: 404 in the API's shape (not the HTML page)."""
    from django.http import JsonResponse

    return JsonResponse(errors.errors("There is no such address in the API (every address ends with “/”): see "
                                      "/api/docs/."), status=404)
