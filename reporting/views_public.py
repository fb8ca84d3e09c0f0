"""The public site (D9): the council's performance, its open data, its timetable and its issued reports; and the
accessibility statement. No login, nothing from the signed-in scope.

Every page selects by the council's slug, published measures and approved figures, through
``reporting.open_data`` (the one place that decides what is published), and answers GET and HEAD only.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from pmf import clock, gc_pause
from pmf.downloads import file_download
from pmf.models import Council
from pmf.pagination import paginate
from pmf.periods import financial_year_label
from reporting import open_data as od
from reporting.models import FORMAT_CONTENT_TYPES, Pack, PackFile, PackStatus, TimetableEntry
from reporting.rendering import web

ACCESSIBILITY_PREPARED = date(2026, 11, 22)


def _read_only(request: HttpRequest) -> HttpResponse | None:
    """405 for anything but GET and HEAD, once the page is known to exist (what does not exist is a 404 first)."""
    return None if request.method in ("GET", "HEAD") else HttpResponseNotAllowed(["GET", "HEAD"])


def _context(council, **extra) -> dict:
    return {"council": council, "licence": od.licence(council), **extra}


@gc_pause.paused()  # builds and renders a few thousand objects: see pmf.gc_pause
def home(request: HttpRequest, council_slug: str) -> HttpResponse:
    """The council's Council Plan priorities with their outcomes, and how its published measures stand at the
    latest quarter, by RAG, overall and per priority."""
    council = od.council_or_404(council_slug)
    if refused := _read_only(request):
        return refused
    year, quarter = od.latest_quarter()
    plan = od.council_plan(council, year)
    tops = od.priorities(plan)
    measures = od.load_measures(od.published_indicators(council), quarter=(year, quarter), with_paths=True)
    for top in tops:
        top.counts = od.rag_counts(od.measures_under(measures, top))
    upcoming = list(TimetableEntry.objects.public().filter(council=council, date__gte=clock.today())
                    .select_related("committee").order_by("date", "kind")[:4])
    return render(request, "public/home.html", _context(
        council, plan=plan, priorities=tops, counts=od.rag_counts(measures),
        quarter_label=od.quarter_label(year, quarter), upcoming=upcoming, page="home",
    ))


@gc_pause.paused()  # builds and renders a few thousand objects: see pmf.gc_pause
def priority(request: HttpRequest, council_slug: str, pk: int) -> HttpResponse:
    """A priority's published measures: latest approved figure, target, RAG, direction of travel and commentary,
    each with a chart of its approved figures against the target and the same figures in a table."""
    council = od.council_or_404(council_slug)
    plan, item = od.priority_or_404(council, pk)
    if refused := _read_only(request):
        return refused
    year, quarter = od.latest_quarter()
    outcomes = list(item.children.filter(plan=plan).order_by("position", "ref"))
    measures = od.measures_under(od.load_measures(od.evidencing(od.published_indicators(council), item),
                                                  quarter=(year, quarter), with_paths=True), item)
    charts = [m.chart() for m in measures if not m.indicator.is_qualitative and m.figures]
    return render(request, "public/priority.html", _context(
        council, plan=plan, priority=item, outcomes=outcomes, measures=measures, charts=charts,
        counts=od.rag_counts(measures), quarter_label=od.quarter_label(year, quarter), page="home",
    ))


@gc_pause.paused()  # builds and renders a few thousand objects: see pmf.gc_pause
def measure(request: HttpRequest, council_slug: str, ref: str) -> HttpResponse:
    """One published measure: what it is, its chart, and every approved figure with its commentary."""
    council = od.council_or_404(council_slug)
    m = od.measure_or_404(council, ref)
    if refused := _read_only(request):
        return refused
    year, _ = od.latest_quarter()
    plan = od.council_plan(council, year)
    serves = [p for p in od.priorities(plan) if od.measures_under([m], p)] if m.paths else []
    years = []
    for y in sorted({a.year_start for a in m.rows}, reverse=True):
        years.append({"year": y, "label": financial_year_label(y), "spec": m.series.spec_for(y),
                      "rows": [a for a in m.rows if a.year_start == y]})
    chart = m.chart() if not m.indicator.is_qualitative and m.figures else None
    return render(request, "public/measure.html", _context(
        council, measure=m, spec=m.series.specs[-1], years=years, chart=chart, serves=serves, page="home",
    ))


def timetable(request: HttpRequest, council_slug: str) -> HttpResponse:
    """D1: the published reporting timetable: upcoming dates first (soonest first), then past dates (latest
    first)."""
    council = od.council_or_404(council_slug)
    if refused := _read_only(request):
        return refused
    today = clock.today()
    entries = list(TimetableEntry.objects.public().filter(council=council)
                   .select_related("period", "committee", "financial_year").order_by("date", "kind", "title"))
    upcoming = [e for e in entries if e.date >= today]
    past = [e for e in reversed(entries) if e.date < today]
    return render(request, "public/timetable.html", _context(
        council, upcoming=upcoming, past=past, today=today, page="timetable",
    ))


def open_data(request: HttpRequest, council_slug: str) -> HttpResponse:
    """The open data: what it holds, the licence, and the downloads."""
    council = od.council_or_404(council_slug)
    if refused := _read_only(request):
        return refused
    return render(request, "public/open_data.html", _context(
        council, fields=od.FIELDS, measure_count=od.published_indicators(council).count(), page="open_data",
    ))


def _source_url(request: HttpRequest, council) -> str:
    return request.build_absolute_uri(reverse("public:open_data", args=[council.slug]))


@gc_pause.paused()  # builds and renders a few thousand objects: see pmf.gc_pause
def open_data_csv(request: HttpRequest, council_slug: str) -> HttpResponse:
    council = od.council_or_404(council_slug)
    if refused := _read_only(request):
        return refused
    body = od.open_data_csv(od.open_data_rows(council))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{council.slug}-performance-open-data.csv"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@gc_pause.paused()  # builds and renders a few thousand objects: see pmf.gc_pause
def open_data_json(request: HttpRequest, council_slug: str) -> HttpResponse:
    council = od.council_or_404(council_slug)
    if refused := _read_only(request):
        return refused
    document = od.open_data_document(council, od.open_data_rows(council), source_url=_source_url(request, council),
                                     generated_at=timezone.now())
    response = JsonResponse(document, json_dumps_params={"indent": 1, "ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


# -- Issued packs of published reports (D7, D9) ------------------------------------------------------------------

def public_packs(council: Council):
    """The council's issued packs of published reports, a joint committee's that cover the council included (each
    council's public site shows them; its own site stays the council's own)."""
    covering = Pack.objects.filter(definition__other_councils=council).values("pk")
    return Pack.objects.filter(Q(council=council) | Q(pk__in=covering), status=PackStatus.ISSUED, is_public=True,
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
        **web.body_context(pack.snapshot)))


def report_file(request: HttpRequest, council_slug: str, pk: int, fmt: str) -> HttpResponse:
    council = get_object_or_404(Council, slug=council_slug)
    pack = get_object_or_404(public_packs(council), pk=pk)
    row = PackFile.objects.filter(pack=pack, format=fmt).first()
    if row is None:
        raise Http404("No such file for this report.")
    if (refused := _read_only(request)) is not None:
        return refused
    # issued packs never change: a shared cache may keep them
    return file_download(row.file.open("rb"), filename=row.filename, content_type=FORMAT_CONTENT_TYPES[row.format],
                         cache_control="public, max-age=3600")


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement UK public-sector websites must publish (PSBAR 2018)."""
    if refused := _read_only(request):
        return refused
    councils = Council.objects.only("name", "website").order_by("name")
    return render(request, "pmf/accessibility.html", {"prepared": ACCESSIBILITY_PREPARED, "councils": councils})
