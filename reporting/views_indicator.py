"""The indicator page: a measure's specification, targets with trajectories, every period's figure with its RAG
and direction of travel, the year-end forecasts, and its charts (``reporting.charts``): a year against target,
tolerance, forecast and last year, the comparators (C4) and the XmR chart (SPC)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from indicators import selectors, spot_checks
from indicators.access import can_enter_return, can_reopen
from indicators.models import BenchmarkValue, Indicator
from pmf import access, clock
from pmf.access import restrict
from pmf.models import Period
from pmf.pagination import int_param
from reporting import charts, finance


@login_required
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The indicator page: specification, targets with trajectories, and every period's figure with its RAG
    and direction of travel, and the year-end forecast for each year; the chart of a year (``chart_year``)
    against target, tolerance, forecast and last year, the comparators (C4) and the XmR chart (SPC)."""
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
    checked = spot_checks.outcomes_of([ret.pk for ret in series.returns.values()])  # internal audit's (E1)
    service_finance = finance.latest_for_service(request.user, indicator.service_id,  # C 3.1: context only
                                                 indicator.council_id)
    return render(request, "reporting/indicator_detail.html", {
        "spot_checks": checked,
        "nav": "indicators", "indicator": indicator, "spec": spec, "years": by_year,
        "versions": series.specs, "plan_items": indicator.plan_items.select_related("plan").order_by("ref"),
        "risks": indicator.risks.all(),
        "can_enter": can_enter_return(request.user, indicator),
        "can_reopen": can_reopen(request.user, indicator),
        "can_configure": access.can_configure(request.user, indicator.council_id),
        "recovery_plans": recovery_plans[:5],
        "periods": {p.key: p for p in Period.objects.filter(frequency=indicator.current_spec.frequency,
                                                            financial_year__in=years)}
        if indicator.current_spec_id else {},
        "chart": chart, "chart_years": [(y, charts.financial_year_label(y)) for y in chart_years],
        "chart_year": chart_year, "chart_spec": series.spec_for(chart_year), "benchmark": benchmark, "xmr": xmr,
        "latest": latest,
        "service_finance": service_finance,
    })
