"""The council workbook in the browser, for the performance unit (issue 12): the blank template, the council's
own workbook, and importing one: upload, a dry run shown as a table of problems (or of what would change), then
the import once confirmed. The upload waits between the two steps in the server's storage under a random name
kept in the person's session; nothing of it is stored in the database until the import is confirmed."""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import slug_re
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from pmf import imports
from pmf.access import can_configure, scope_for
from pmf.models import Council
from reporting.workbook import export, layout, load

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "workbook_upload"
REFUSED = "Only the performance unit imports and exports the council workbook."


class UploadForm(forms.Form):
    file = forms.FileField(label="Workbook", help_text="The council workbook (.xlsx), or its sheets as CSV files "
                                                       "in a .zip. Up to 50 MB.")


def _council(request: HttpRequest) -> Council:
    """``?council=<slug>`` (or the form's), else the first council the person configures; a council they have
    nothing to do with is not found, one they do not configure refused."""
    user = request.user
    scope = scope_for(user)
    slug = request.POST.get("council") or request.GET.get("council")
    if slug:
        council = Council.objects.filter(slug=slug).first() if slug_re.fullmatch(slug) else None
        if council is None or not (user.is_superuser or council.pk in scope.councils):
            raise Http404("No such council.")
    else:
        mine = Council.objects.all() if user.is_superuser else Council.objects.filter(pk__in=scope.configure)
        council = mine.order_by("name").first()
        if council is None:
            raise PermissionDenied(REFUSED)
    if not can_configure(user, council.pk):
        raise PermissionDenied(REFUSED)
    return council


def _download(data: bytes, name: str, content_type: str = XLSX) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def template(request: HttpRequest) -> HttpResponse:
    _council(request)
    return _download(export.template_xlsx(), "council-workbook-template.xlsx")


@login_required
def export_council(request: HttpRequest) -> HttpResponse:
    council = _council(request)
    return _download(export.export_xlsx(council), f"{council.slug}-workbook.xlsx")


def _page(request, council, *, form, outcome=None, status=200, token="") -> HttpResponse:
    councils = Council.objects.all() if request.user.is_superuser else Council.objects.filter(
        pk__in=scope_for(request.user).configure)
    return render(request, "reporting/workbook.html", {
        "council": council, "councils": list(councils.order_by("name")), "form": form, "outcome": outcome,
        "sheets": layout.SHEETS, "token": token}, status=status)


def _stored_path(council: Council, token: str, extension: str) -> str:
    return f"imports/{council.pk}/{token}{extension}"


@login_required
def workbook(request: HttpRequest) -> HttpResponse:
    """GET: the page. POST: upload a workbook and run the dry run; the page shows its problems, or what the
    import would do with a button to confirm it."""
    council = _council(request)
    if request.method != "POST":
        return _page(request, council, form=UploadForm())
    if request.POST.get("step") == "import":
        return _import_confirmed(request, council)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, council, form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        book = imports.read_book(upload)
    except ValidationError as error:
        form.add_error("file", error)
        return _page(request, council, form=form, status=400)
    outcome = load.import_workbook(book=book, user=request.user, council=council, dry_run=True)
    if outcome.ok:
        extension = ".zip" if book.name.lower().endswith(".zip") else (
            ".csv" if book.name.lower().endswith(".csv") else ".xlsx")
        token = secrets.token_hex(16)
        upload.seek(0)
        default_storage.save(_stored_path(council, token, extension), ContentFile(upload.read()))
        previous = request.session.get(SESSION_KEY)
        if previous:
            default_storage.delete(previous["path"])
        request.session[SESSION_KEY] = {"token": token, "path": _stored_path(council, token, extension),
                                        "council": council.pk, "name": book.name}
        return _page(request, council, form=UploadForm(), outcome=outcome, token=token)
    return _page(request, council, form=UploadForm(), outcome=outcome, status=400)


def _import_confirmed(request: HttpRequest, council: Council) -> HttpResponse:
    """Import the workbook checked by the dry run (all or nothing, checked again as it is read)."""
    waiting = request.session.get(SESSION_KEY)
    back = reverse("reporting:workbook") + f"?council={council.slug}"
    if not waiting or waiting.get("token") != request.POST.get("token") or waiting.get("council") != council.pk \
            or request.POST.get("confirm") != "yes":
        messages.error(request, "There is no checked workbook waiting to be imported: upload it again.")
        return redirect(back)
    path = waiting["path"]
    try:
        with default_storage.open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        messages.error(request, "The checked workbook is no longer on the server: upload it again.")
        request.session.pop(SESSION_KEY, None)
        return redirect(back)
    book = imports.read_book(ContentFile(data, name=waiting["name"]))
    outcome = load.import_workbook(book=book, user=request.user, council=council)
    default_storage.delete(path)
    request.session.pop(SESSION_KEY, None)
    if not outcome.ok:
        return _page(request, council, form=UploadForm(), outcome=outcome, status=400)
    created, changed = sum(outcome.created.values()), sum(outcome.changed.values())
    messages.success(request, f"Imported “{book.name}” into {council}: {created:,} new, {changed:,} changed, "
                              f"{sum(outcome.unchanged.values()):,} unchanged. Every change is in the audit trail.")
    return redirect(back)
