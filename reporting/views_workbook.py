"""The council workbook in the browser, for the performance unit (issue 12): the blank template, the council's
own workbook, and importing one: upload, a dry run shown as a table of problems (or of what would change), then
the import once confirmed. The upload waits between the two steps in the server's storage under a random name
kept in the person's session; nothing of it is stored in the database until the import is confirmed."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from pmf import imports
from pmf.access import council_from_request, scope_for
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
    return council_from_request(request, refused=REFUSED)


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
        token = imports.stash_upload(request, SESSION_KEY, council.pk, upload, book.name)
        return _page(request, council, form=UploadForm(), outcome=outcome, token=token)
    return _page(request, council, form=UploadForm(), outcome=outcome, status=400)


def _import_confirmed(request: HttpRequest, council: Council) -> HttpResponse:
    """Import the workbook checked by the dry run (all or nothing, checked again as it is read)."""
    try:
        waiting = imports.take_upload(request, SESSION_KEY, council.pk, what="workbook")
    except imports.NotWaiting as missing:
        messages.error(request, str(missing))
        return redirect(reverse("reporting:workbook") + f"?council={council.slug}")
    book = waiting.book()
    outcome = load.import_workbook(book=book, user=request.user, council=council)
    if not outcome.ok:
        return _page(request, council, form=UploadForm(), outcome=outcome, status=400)
    created, changed = sum(outcome.created.values()), sum(outcome.changed.values())
    messages.success(request, f"Imported “{book.name}” into {council}: {created:,} new, {changed:,} changed, "
                              f"{sum(outcome.unchanged.values()):,} unchanged. Every change is in the audit trail.")
    return redirect(reverse("reporting:workbook") + f"?council={council.slug}")
