from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from indicators import selectors
from indicators.choices import Frequency, IndicatorKind
from indicators.models import Indicator
from pmf import access
from pmf.access import restrict
from pmf.models import Directorate, Period
from pmf.pagination import int_param, paginate


@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    qs = restrict(Indicator.objects.all(), request.user)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(ref__icontains=q) | Q(title__icontains=q) | Q(current_spec__national_code__icontains=q))
    kind = request.GET.get("kind", "")
    if kind in IndicatorKind.values:
        qs = qs.filter(kind=kind)
    frequency = request.GET.get("frequency", "")
    if frequency in Frequency.values:
        qs = qs.filter(current_spec__frequency=frequency)
    directorate = request.GET.get("directorate", "")
    if (directorate_id := int_param(directorate)) is not None:
        qs = qs.filter(service__directorate_id=directorate_id)
    headline = request.GET.get("headline") == "1"
    if headline:
        qs = qs.filter(is_headline=True)
    page, querystring = paginate(request, qs.order_by("council__name", "ref").values_list("pk", flat=True))
    series = selectors.load_series(Indicator.objects.filter(pk__in=list(page)).select_related("service")
                                   .order_by("council__name", "ref"))
    rows = [(s, selectors.latest(s)) for s in series]
    directorates = Directorate.objects.filter(councils__in=request.user.role_assignments.values("council")) \
        if not request.user.is_superuser else Directorate.objects.all()
    return render(request, "indicators/indicator_list.html", {
        "nav": "indicators", "page_obj": page, "querystring_without_page": querystring, "rows": rows,
        "q": q, "kind": kind, "frequency": frequency, "directorate": directorate, "headline": headline,
        "kinds": IndicatorKind.choices, "frequencies": Frequency.choices,
        "directorates": directorates.distinct().order_by("name"),
    })


@login_required
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The indicator page: specification, targets with trajectories, and every period's figure with its RAG
    and direction of travel, and the year-end forecast for each year; the chart of a year (``chart_year``)
    against target, tolerance, forecast and last year, the comparators (C4) and the XmR chart (SPC)."""
    from indicators.models import BenchmarkValue
    from pmf import clock
    from reporting import charts

    indicator = get_object_or_404(
        selectors.series_queryset(
            restrict(Indicator.objects.all(), request.user).select_related(
                "service__directorate", "current_spec__accountable_officer",
                "current_spec__deputy_accountable_officer", "current_spec__performance_lead",
                "current_spec__deputy_performance_lead", "current_spec__valid_from",
            )
        ),
        pk=pk,
    )
    series = selectors.series_for(indicator)
    spec = indicator.current_spec if indicator.current_spec_id else series.specs[-1]
    assessments = selectors.assess_all(series)
    years = sorted({a.year_start for a in assessments} | set(series.targets), reverse=True)
    by_year = []
    for year in years:
        target = series.targets.get(year)
        by_year.append({
            "year": year,
            "label": f"{year}/{str(year + 1)[-2:]}",
            "target": target,
            "trajectory": list(target.trajectory.all()) if target else [],
            "rows": [a for a in assessments if a.year_start == year],
            "forecast": selectors.forecast(series, year),
            "original": series.original_targets.get(year),
            "spec": series.spec_for(year),
        })
    recovery_plans = list(indicator.recovery_plans.select_related("owner", "period").order_by("-requested_at"))
    chart_years = charts.years_with_data(series)
    chart_year = int_param(request.GET.get("chart_year", ""), maximum=2100)
    if chart_year not in chart_years:
        chart_year = charts.default_year(series, clock.today())
    chart = None
    if not indicator.is_qualitative:
        chart = charts.indicator_chart(series, year=chart_year, recovery_plans=recovery_plans)
    benchmark = charts.benchmark(series, restrict(
        BenchmarkValue.objects.filter(indicator=indicator, financial_year_id=chart_year - 1), request.user
    ).order_by("comparator")) if chart is not None else None
    xmr = charts.xmr_chart(series) if chart is not None else None
    latest = selectors.latest(series)
    return render(request, "indicators/indicator_detail.html", {
        "nav": "indicators", "indicator": indicator, "spec": spec, "years": by_year,
        "versions": series.specs, "plan_items": indicator.plan_items.select_related("plan").order_by("ref"),
        "risks": indicator.risks.all(),
        "can_enter": access.can_enter_return(request.user, indicator),
        "can_reopen": access.can_reopen(request.user, indicator),
        "can_configure": access.can_configure(request.user, indicator.council_id),
        "recovery_plans": recovery_plans[:5],
        "periods": {p.key: p for p in Period.objects.filter(frequency=indicator.current_spec.frequency,
                                                            financial_year__in=years)}
        if indicator.current_spec_id else {},
        "chart": chart, "chart_years": [(y, charts.financial_year_label(y)) for y in chart_years],
        "chart_year": chart_year, "chart_spec": series.spec_for(chart_year), "benchmark": benchmark, "xmr": xmr,
        "latest": latest,
    })
