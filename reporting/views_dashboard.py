"""The quarterly performance dashboard's page: it reads its filters from the URL and shows what
``reporting.dashboard.build`` found. Every filter is a GET parameter, validated against the choices the user may
see: a bad or foreign value is ignored (the default applies), never a 500."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from indicators.choices import Direction, Rag
from pmf import clock, gc_pause
from pmf.pagination import int_param, paginate
from pmf.periods import period_for_date
from reporting import dashboard as board
from reporting.dashboard import DIRECTION_ORDER, MEASURE_SETS, PER_PAGE, RAG_ORDER, Filters, latest_complete_quarter
from reporting.selectors import DELIVERY_CHOICES


def _chosen(raw: str, options: list):
    """The option whose pk is ``raw``, or None for a missing, malformed or unknown id (or one not visible)."""
    pk = int_param(raw)
    return next((o for o in options if o.pk == pk), None) if pk is not None else None


def _filters(request: HttpRequest, options: dict[str, list], default: tuple[int, int]) -> Filters:
    get = request.GET
    year = int_param(get.get("year", ""))
    quarter = int_param(get.get("quarter", ""))
    measures = get.get("measures", "")
    return Filters(
        year=year if year in options["years"] else default[0],
        quarter=quarter if quarter in (1, 2, 3, 4) else default[1],
        priority=_chosen(get.get("priority", ""), options["priorities"]),
        directorate=_chosen(get.get("directorate", ""), options["directorates"]),
        committee=_chosen(get.get("committee", ""), options["committees"]),
        portfolio=_chosen(get.get("portfolio", ""), options["portfolios"]),
        measures=measures if measures in MEASURE_SETS else "kpi",
        rag=get.get("rag", "") if get.get("rag", "") in Rag.values else "",
        direction=get.get("direction", "") if get.get("direction", "") in Direction.values else "",
        delivery=get.get("delivery", "") if get.get("delivery", "") in DELIVERY_CHOICES else "",
    )


@login_required
@gc_pause.paused()  # builds and renders a few thousand objects: see pmf.gc_pause
def dashboard(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    options = board.options(request.user, period_for_date(frequency="annual", on=today)[0])
    filters = _filters(request, options, latest_complete_quarter(today))
    found = board.build(request.user, filters)
    page, _ = paginate(request, found.listed, PER_PAGE)
    return render(request, "reporting/dashboard.html", {
        "nav": "dashboard",
        "filters": filters,
        "options": options,
        "measure_sets": MEASURE_SETS,
        "delivery_choices": DELIVERY_CHOICES,
        "quarter_label": found.quarter_label,
        "selection": found.selection,
        "quarter_end": found.quarter_end,
        "quarter_not_ended": found.quarter_end >= today,
        "total": len(found.rows),
        "listed_count": len(found.listed),
        "rag_counts": [(rag, found.rag_counts.get(rag, 0), filters.query(rag=rag, direction=""))
                       for rag in RAG_ORDER],
        "direction_counts": [(d, found.direction_counts.get(d, 0), filters.query(direction=d, rag=""))
                             for d in DIRECTION_ORDER],
        "clear_list_filter": filters.query(rag="", direction=""),
        "awaiting": found.awaiting,
        "self_assessed": found.self_assessed,
        "top_plans": found.top_plans,
        "actions": found.actions,
        "signals": found.signals,
        "finance": found.finance,
        "page_obj": page,
        "querystring_without_page": filters.query() + "&",
    })
