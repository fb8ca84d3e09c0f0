from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from indicators import selectors
from indicators.choices import Frequency, IndicatorKind
from indicators.models import Indicator
from pmf.access import restrict
from pmf.models import Directorate
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
    directorates = restrict(Directorate.objects.all(), request.user)
    return render(request, "indicators/indicator_list.html", {
        "nav": "indicators", "page_obj": page, "querystring_without_page": querystring, "rows": rows,
        "q": q, "kind": kind, "frequency": frequency, "directorate": directorate, "headline": headline,
        "kinds": IndicatorKind.choices, "frequencies": Frequency.choices,
        "directorates": directorates.order_by("name"),
    })
