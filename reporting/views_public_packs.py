"""Issued packs of published reports on the public site (D7, D9): no login, read only."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from pmf.models import Council
from pmf.pagination import paginate
from reporting import rendering
from reporting.models import Pack, PackFile, PackStatus
from reporting.views_packs import _file_response
from reporting.views_public import _context, _read_only


def public_packs(council: Council):
    return Pack.objects.filter(council=council, status=PackStatus.ISSUED, is_public=True,
                               definition__is_public=True)


def reports(request: HttpRequest, council_slug: str) -> HttpResponse:
    council = get_object_or_404(Council, slug=council_slug)
    if (refused := _read_only(request)) is not None:
        return refused
    packs = public_packs(council).select_related("period", "definition__committee").order_by(
        "-period__financial_year", "-period__end", "definition__name", "-issue_number")
    page, querystring = paginate(request, packs, 25)
    return render(request, "public/reports.html", _context(council, page="reports", page_obj=page,
                                                           querystring_without_page=querystring))


def report(request: HttpRequest, council_slug: str, pk: int) -> HttpResponse:
    council = get_object_or_404(Council, slug=council_slug)
    pack = get_object_or_404(public_packs(council).select_related("period", "definition"), pk=pk)
    if (refused := _read_only(request)) is not None:
        return refused
    return render(request, "public/report.html", _context(
        council, page="reports", pack=pack, files=list(pack.files.order_by("format")),
        **rendering.body_context(pack.snapshot)))


def report_file(request: HttpRequest, council_slug: str, pk: int, fmt: str) -> HttpResponse:
    council = get_object_or_404(Council, slug=council_slug)
    pack = get_object_or_404(public_packs(council), pk=pk)
    row = PackFile.objects.filter(pack=pack, format=fmt).first()
    if row is None:
        raise Http404("No such file for this report.")
    if (refused := _read_only(request)) is not None:
        return refused
    response = _file_response(row)
    response["Cache-Control"] = "public, max-age=3600"  # issued packs never change
    return response
