"""The corporate risk register (E4): the register with its filters, a risk's page, and "My risks" for a risk owner.

Everything is read through ``pmf.access.restrict``: a risk outside the reader's councils is not found (404). The
flags come from ``reporting.risk_register`` (the rule itself is ``indicators.risk_rules.measure_warning``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from indicators import risk_rules
from indicators.models import CorporateRisk
from pmf import access
from pmf.models import Directorate, User
from pmf.pagination import int_param, paginate
from reporting import risk_register
from reporting.risk_register import RegisterFilter

PER_PAGE = 25

FLAGGED_CHOICES = [("", "Any"), ("yes", "Flagged"), ("no", "Not flagged")]


def _risks(request: HttpRequest):
    return access.restrict(CorporateRisk.objects.all(), request.user)


@login_required
def risk_list(request: HttpRequest) -> HttpResponse:
    """The register: every risk the reader may see, highest current score first, with its flag."""
    get = request.GET
    flt = RegisterFilter(owner=int_param(get.get("owner", "")), directorate=int_param(get.get("directorate", "")),
                         band=get.get("band", "") if get.get("band", "") in risk_rules.ScoreBand else "",
                         flagged=get.get("flagged", "") if get.get("flagged", "") in ("yes", "no") else "",
                         q=get.get("q", "").replace("\x00", "").strip()[:100])
    everything = _risks(request)
    views = risk_register.risk_views(risk_register.filter_risks(everything, flt), request.user)
    views = risk_register.apply_flag_filter(views, flt.flagged)
    views.sort(key=lambda v: (-(v.risk.score or 0), v.risk.council_id, v.risk.ref))
    page, querystring = paginate(request, views, per_page=PER_PAGE)
    owners = User.objects.filter(pk__in=everything.filter(owner__isnull=False).values("owner")).order_by(
        "first_name", "last_name", "username")
    directorates = Directorate.objects.filter(
        pk__in=everything.filter(directorate__isnull=False).values("directorate")).order_by("name")
    return render(request, "reporting/risks/list.html", {
        "nav": "risks", "page_obj": page, "querystring_without_page": querystring, "filters": flt,
        "owners": owners, "directorates": directorates, "bands": risk_rules.ScoreBand.choices,
        "flagged_choices": FLAGGED_CHOICES, "count": len(views),
        "several_councils": access.councils_in_view(request.user) > 1,
    })


@login_required
def risk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    views = risk_register.risk_views(_risks(request).filter(pk=pk), request.user)
    if not views:
        raise Http404("No such risk.")
    return render(request, "reporting/risks/detail.html", {"nav": "risks", "v": views[0]})


@login_required
def my_risks(request: HttpRequest) -> HttpResponse:
    """The risks the reader owns, each with the measures on it: their latest RAG and direction of travel."""
    views = risk_register.risk_views(_risks(request).filter(owner=request.user), request.user)
    views.sort(key=lambda v: (not v.flagged, -(v.risk.score or 0), v.risk.ref))
    return render(request, "reporting/risks/mine.html", {
        "nav": "risks", "views": views, "flagged_count": sum(v.flagged for v in views)})
