"""Report definitions, draft and issued packs, the archive, downloads and job progress (issue 5).

Who may do what:
- the performance unit of a council sets up its reports, prepares drafts, retries failed jobs and issues packs;
- internal audit reads every report and pack, drafts included;
- everybody else signed in to the council reads the issued packs (committee papers) in the archive;
- the public reads issued packs of published reports on the public site (``views_public``).
A pack someone may not read is a 404; an action they may not take on one they can read is a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from pmf import audit, clock
from pmf.access import can_configure, can_read_audit, council_ids_for, restrict
from pmf.choices import AuditAction
from pmf.downloads import file_download
from pmf.models import Committee, Council, Period
from pmf.pagination import int_param, paginate
from reporting import services
from reporting.access import councils_refused, refused_message
from reporting.forms import ArchiveFilterForm, PackRequestForm, ReportDefinitionForm
from reporting.models import FORMAT_CONTENT_TYPES, Pack, PackFile, PackStatus, ReportDefinition, TimetableEntry
from reporting.rendering import web

PER_PAGE = 25
#: Which timetable dates say when a report of each type is due (D1).
DUE_KINDS = {"cabinet": "cabinet", "portfolio": "cabinet", "scrutiny": "scrutiny", "management_team":
             "management_team", "exception": "cabinet", "exception_tracker": "cabinet", "directorate":
             "management_team", "annual_statement": "publication", "technical_spec": "publication"}


# -- who reads what --------------------------------------------------------------------------------------------

def _configurable_councils(user) -> list[int]:
    return [pk for pk in council_ids_for(user) if can_configure(user, pk)]


def _sees_drafts(user, council_id: int) -> bool:
    return can_configure(user, council_id) or can_read_audit(user, council_id)


def _pack(request: HttpRequest, pk: int) -> Pack:
    return get_object_or_404(restrict(Pack.objects.all(), request.user).select_related(
        "definition", "council", "period", "issued_by", "requested_by"), pk=pk)


def _must_configure(user, council_id: int) -> None:
    if not can_configure(user, council_id):
        raise PermissionDenied("Only the performance unit prepares and issues reports.")


def _say_queued(request: HttpRequest, pack: Pack, started: str, again: str) -> None:
    """What the person is told once the job is queued: ``started`` normally; if the job runner (the Celery broker)
    could not be reached, that the request is recorded and will start by itself, so that they do not ``again``."""
    pack.refresh_from_db(fields=["status", "step"])
    if services.waiting_for_runner(pack):
        messages.warning(request, f"“{pack.title}” was recorded, but the job runner cannot be reached just now. The "
                                  f"job will start by itself when it is back: there is no need to {again}.")
    else:
        messages.info(request, started)


# -- report definitions ----------------------------------------------------------------------------------------

@require_safe
@login_required
def definition_list(request: HttpRequest) -> HttpResponse:
    councils = [pk for pk in council_ids_for(request.user) if _sees_drafts(request.user, pk)]
    if not councils:
        raise PermissionDenied("Report set-up is for the performance unit and internal audit.")
    definitions = (restrict(ReportDefinition.objects.all(), request.user)
                   .select_related("council", "portfolio", "committee", "directorate", "service", "team")
                   .order_by("council__name", "name"))
    q = request.GET.get("q", "").strip()
    if q:
        definitions = definitions.filter(Q(name__icontains=q) | Q(committee__name__icontains=q))
    page, querystring = paginate(request, definitions, PER_PAGE)
    return render(request, "reporting/definition_list.html", {
        "nav": "reports", "page_obj": page, "querystring_without_page": querystring, "q": q,
        "can_add": bool(_configurable_councils(request.user)),
    })


def _council_for_new(request: HttpRequest) -> Council:
    councils = _configurable_councils(request.user)
    if not councils:
        raise PermissionDenied("Only the performance unit sets up reports.")
    chosen = int_param(request.GET.get("council", "") or request.POST.get("council", ""))
    return get_object_or_404(Council, pk=chosen if chosen in councils else councils[0])


def _audit_text(value) -> str:
    """A changed field's new value for the audit trail: the names of the councils a report also covers, say."""
    if isinstance(value, QuerySet):
        return ", ".join(str(v) for v in value)
    return str(value)


@login_required
def definition_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if pk is None:
        council, definition = _council_for_new(request), None
    else:
        definition = get_object_or_404(
            restrict(ReportDefinition.objects.all(), request.user).select_related("council"), pk=pk)
        council = definition.council
        _must_configure(request.user, council.pk)
    form = ReportDefinitionForm(request.POST or None, request.FILES or None, instance=definition, council=council,
                                user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            locked = None
            if definition is not None:
                locked = ReportDefinition.objects.select_for_update().get(pk=definition.pk)
                if locked.version != form.cleaned_data.get("version"):
                    form.add_error(None, "Someone else changed this report while you were editing it. Reload "
                                         "the page to see their changes, then make yours again.")
                    return render(request, "reporting/definition_form.html",
                                  {"nav": "reports", "form": form, "definition": definition, "council": council},
                                  status=409)
            # Again where it is saved, against the stored report: which other councils it may cover.
            refused = councils_refused(request.user, council, form.cleaned_data, locked)
            if refused:
                form.add_error("other_councils", refused_message(refused))
                return render(request, "reporting/definition_form.html",
                              {"nav": "reports", "form": form, "definition": definition, "council": council},
                              status=400)
            saved = form.save(commit=False)
            saved.version = (definition.version + 1) if definition is not None else 1
            saved.save()
            form.save_m2m()  # the other councils a joint committee's report covers
            audit.record(user=request.user, action=AuditAction.UPDATE if definition else AuditAction.CREATE,
                         obj=saved, changes={k: [None, _audit_text(v)] for k, v in form.cleaned_data.items()
                                             if k in form.changed_data and k != "word_template"})
        messages.success(request, f"Report “{saved.name}” saved.")
        return redirect("reporting:definition", saved.pk)
    return render(request, "reporting/definition_form.html",
                  {"nav": "reports", "form": form, "definition": definition, "council": council},
                  status=400 if request.method == "POST" else 200)


def _periods_for(definition: ReportDefinition) -> QuerySet[Period]:
    """The periods a pack may be asked for: those ended (and, for an annual document, the year under way)."""
    today = clock.today()
    open_ok = Q(start__lte=today) if definition.report_type in services.TO_DATE_TYPES else Q(end__lt=today)
    return Period.objects.filter(open_ok, frequency=definition.frequency).order_by("-financial_year", "-number")[:12]


@login_required
def definition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    definition = get_object_or_404(restrict(ReportDefinition.objects.all(), request.user).select_related(
        "council", "portfolio", "committee", "directorate"), pk=pk)
    can_act = can_configure(request.user, definition.council_id)
    periods = Period.objects.filter(pk__in=[p.pk for p in _periods_for(definition)]).order_by(
        "-financial_year", "-number")
    form = PackRequestForm(request.POST or None, periods=periods)
    if request.method == "POST":
        _must_configure(request.user, definition.council_id)
        if form.is_valid():
            try:
                pack = services.request_pack(definition, form.cleaned_data["period"], user=request.user,
                                             regenerate=request.POST.get("regenerate") == "1")
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("period", message)
            else:
                _say_queued(request, pack, f"“{pack.title}” is being prepared.", "prepare it again")
                return redirect(pack)
    due = TimetableEntry.objects.filter(council_id=definition.council_id, kind=DUE_KINDS[definition.report_type],
                                        date__gte=clock.today())
    if definition.committee_id and definition.report_type == "scrutiny":
        due = due.filter(committee_id=definition.committee_id)
    return render(request, "reporting/definition_detail.html", {
        "nav": "reports", "definition": definition, "form": form, "can_act": can_act,
        "packs": definition.packs.select_related("period", "issued_by").order_by("-requested_at")[:20],
        "due": due.order_by("date")[:4],
    }, status=400 if request.method == "POST" else 200)


@login_required
def definition_delete(request: HttpRequest, pk: int) -> HttpResponse:
    definition = get_object_or_404(restrict(ReportDefinition.objects.all(), request.user), pk=pk)
    _must_configure(request.user, definition.council_id)
    if request.method == "POST":
        name = definition.name
        try:
            with transaction.atomic():
                audit.record(user=request.user, action=AuditAction.DELETE, obj=definition)
                definition.delete()
        except ProtectedError:
            messages.error(request, f"“{name}” has packs in the archive, so it cannot be deleted (issued reports "
                                    "are kept for ever). Untick “active” to stop preparing it.")
            return redirect("reporting:definition", pk)
        messages.success(request, f"Report “{name}” deleted.")
        return redirect("reporting:definitions")
    return render(request, "reporting/definition_delete.html", {"nav": "reports", "definition": definition})


# -- packs -----------------------------------------------------------------------------------------------------

@require_safe
@login_required
def archive(request: HttpRequest) -> HttpResponse:
    """D7: every pack by year, quarter and committee, searchable."""
    packs = restrict(Pack.objects.all(), request.user).select_related(
        "definition__committee", "period", "council", "issued_by")
    years = sorted(set(packs.values_list("period__financial_year", flat=True)), reverse=True)
    committees = Committee.objects.filter(councils__in=council_ids_for(request.user)).distinct().order_by("name")
    form = ArchiveFilterForm(request.GET or None, years=years, committees=committees,
                             statuses=PackStatus.choices)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("q"):
            packs = packs.filter(Q(title__icontains=data["q"]) | Q(definition__committee__name__icontains=data["q"]))
        if data.get("year"):
            packs = packs.filter(period__financial_year=data["year"])
        if data.get("quarter"):
            packs = packs.filter(period__frequency="quarterly", period__number=data["quarter"])
        if data.get("committee"):
            packs = packs.filter(definition__committee_id=data["committee"])
        if data.get("status"):
            packs = packs.filter(status=data["status"])
    packs = packs.order_by("-period__financial_year", "-period__end", "definition__name", "-issue_number", "-pk")
    # A joint pack names every council it covers (in the Report cell, and in the Council column when shown).
    packs = packs.prefetch_related("definition__other_councils")
    page, querystring = paginate(request, packs, PER_PAGE)
    return render(request, "reporting/archive.html", {
        "nav": "reports", "form": form, "page_obj": page, "querystring_without_page": querystring,
        "can_set_up": bool(_configurable_councils(request.user)) or any(
            can_read_audit(request.user, pk) for pk in council_ids_for(request.user)),
    })


@require_safe
@login_required
def pack_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pack = _pack(request, pk)
    return render(request, "reporting/pack_detail.html", {
        "nav": "reports", "pack": pack, "snap": pack.snapshot, "files": list(pack.files.order_by("format")),
        "can_act": can_configure(request.user, pack.council_id),
        **(web.body_context(pack.snapshot) if pack.snapshot else {}),
    })


@require_safe
@login_required
def pack_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's state, polled by the pack page (htmx) while it runs; when it stops, the page reloads itself."""
    pack = _pack(request, pk)
    response = render(request, "reporting/_pack_progress.html", {
        "pack": pack, "can_act": can_configure(request.user, pack.council_id), "polling": pack.is_active})
    if not pack.is_active and request.GET.get("was") in ("queued", "running"):
        response["HX-Refresh"] = "true"  # the job finished: show the pack
    return response


@require_safe
@login_required
def pack_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    pack = _pack(request, pk)
    row = PackFile.objects.filter(pack=pack, format=fmt).first()
    if row is None or fmt not in FORMAT_CONTENT_TYPES:
        raise Http404("No such file for this pack.")
    return file_download(row.file.open("rb"), filename=row.filename, content_type=FORMAT_CONTENT_TYPES[row.format])


@login_required
def pack_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Issuing cannot be undone, so it asks first (GET: the confirmation; POST: issue)."""
    pack = _pack(request, pk)
    _must_configure(request.user, pack.council_id)
    if request.method != "POST":
        if pack.status != PackStatus.READY:
            messages.error(request, "Only a ready draft can be issued.")
            return redirect(pack)
        return render(request, "reporting/pack_issue.html", {"nav": "reports", "pack": pack})
    version = int_param(request.POST.get("version", ""))
    try:
        services.issue(pack, user=request.user, version=version or 0)
    except services.Refused as exc:
        messages.error(request, str(exc))
        return redirect(pack)
    _say_queued(request, pack, f"“{pack.title}” is being issued: its final files are being written.", "issue it again")
    return redirect(pack)


def _confirm(request: HttpRequest, pack: Pack, heading: str, text: str, button: str) -> HttpResponse:
    return render(request, "reporting/pack_confirm.html",
                  {"nav": "reports", "pack": pack, "heading": heading, "text": text, "button": button})


@login_required
def pack_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation; POST: queue the failed job again."""
    pack = _pack(request, pk)
    _must_configure(request.user, pack.council_id)
    if request.method != "POST":
        return _confirm(request, pack, f"Retry “{pack.title}”?",
                        f"The last attempt failed: {pack.error or 'no reason was recorded'}", "Retry the job")
    try:
        pack = services.retry(pack, user=request.user)
    except ValidationError as exc:  # a services.Refused, or the period refused
        messages.error(request, " ".join(exc.messages))
        return redirect(pack)
    _say_queued(request, pack, "The job was queued again.", "retry it")
    return redirect(pack)


@login_required
def pack_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation; POST: prepare the draft again from the latest approved figures."""
    pack = _pack(request, pk)
    _must_configure(request.user, pack.council_id)
    if request.method != "POST":
        return _confirm(request, pack, f"Prepare “{pack.title}” again?",
                        "The draft's figures and files are replaced by new ones from the figures approved today.",
                        "Prepare it again")
    if pack.status != PackStatus.READY:
        messages.error(request, "Only a ready draft can be prepared again.")
        return redirect(pack)
    try:
        pack = services.request_pack(pack.definition, pack.period, user=request.user, regenerate=True)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(pack)
    _say_queued(request, pack, "The draft is being prepared again from the latest approved figures.",
                "prepare it again")
    return redirect(pack)
