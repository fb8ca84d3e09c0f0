"""D5: the balanced scorecard of a plan, as a page and as CSV and Excel downloads of the same rows."""

from __future__ import annotations

import calendar

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from plans.models import Plan
from pmf import clock
from pmf.access import restrict
from pmf.downloads import content_download
from reporting import exports, finance
from reporting.scorecard import COLUMNS, MEASURE_CHOICES, Scorecard, build_scorecard, parse_params
from reporting.selectors import DELIVERY_CHOICES


def _scorecard(request: HttpRequest, plan_pk: int) -> Scorecard:
    plan = get_object_or_404(restrict(Plan.objects.all(), request.user).select_related("council", "level"),
                             pk=plan_pk)
    return build_scorecard(plan, request.user, parse_params(request.GET, today=clock.today()))


@require_safe
@login_required
def scorecard(request: HttpRequest, plan_pk: int) -> HttpResponse:
    card = _scorecard(request, plan_pk)
    params = card.params
    headers = []
    for column in COLUMNS:
        sorted_here = params.sort == column.key
        descending = sorted_here and params.descending
        headers.append({
            "column": column,
            "aria_sort": ("descending" if descending else "ascending") if sorted_here else "",
            # A click on the sorted column reverses it; on another column sorts it ascending.
            "query": params.query(sort=column.key if descending or not sorted_here else f"-{column.key}"),
        })
    table = [
        (row, [{"key": c.key, "kind": c.kind, "text": text, "band": row.band(c.key)}
               for c, text in zip(COLUMNS, row.texts(), strict=True)])
        for row in card.rows
    ]
    years = range(params.year - 3, params.year + 2)
    # C 3.1: the figures of the services whose measures the scorecard shows, and of the plan's own items
    beside = finance.beside(request.user, [(r.indicator.council, r.indicator.service_id, r.rag,
                                            r.assessment.self_assessed) for r in card.rows],
                            year=params.year, quarter=params.quarter,
                            item_paths=lambda: sorted(set(card.plan.items.values_list("path", flat=True))))
    return render(request, "reporting/scorecard.html", {
        "nav": "plans", "card": card, "plan": card.plan, "params": params, "headers": headers, "table": table,
        "query": params.query(), "years": [(y, f"{y}/{(y + 1) % 100:02d}") for y in years],
        "quarters": range(1, 5), "measure_choices": MEASURE_CHOICES, "delivery_choices": DELIVERY_CHOICES,
        "months": [(m, calendar.month_name[(m + 2) % 12 + 1]) for m in range(1, 13)],
        "finance": beside,
    })


@require_safe
@login_required
def scorecard_csv(request: HttpRequest, plan_pk: int) -> HttpResponse:
    card = _scorecard(request, plan_pk)
    return content_download(exports.scorecard_csv(card), content_type=exports.CSV_CONTENT_TYPE,
                            filename=card.filename("csv"))


@require_safe
@login_required
def scorecard_xlsx(request: HttpRequest, plan_pk: int) -> HttpResponse:
    card = _scorecard(request, plan_pk)
    return content_download(exports.scorecard_xlsx(card), content_type=exports.XLSX_CONTENT_TYPE,
                            filename=card.filename("xlsx"))
