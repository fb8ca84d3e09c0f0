"""Bulk returns in the browser (issue 12): download the returns due as a sheet, pre-filled; upload it filled in,
saved as drafts or submitted. The checks are the entry form's, row by row (``indicators.bulk``)."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from indicators import bulk
from pmf import clock, imports

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class BulkForm(forms.Form):
    file = forms.FileField(label="Filled-in sheet", help_text="The sheet downloaded above (.xlsx), filled in, or "
                                                              "the same columns as a CSV file. Up to 50 MB.")
    submit = forms.TypedChoiceField(
        label="Save the figures as", coerce=lambda v: v == "yes", initial="no", widget=forms.RadioSelect,
        choices=[("no", "Drafts: check them on the entry form before submitting"),
                 ("yes", "Submitted for sign-off")])


def _month(request: HttpRequest) -> str:
    month = request.GET.get("month", "")
    return month if re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", month) else ""


@login_required
def bulk_returns(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    due = bulk.due(request.user, today=clock.today(), month=month)
    form = BulkForm(request.POST or None, request.FILES or None)
    outcome, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                book = imports.read_book(form.cleaned_data["file"], default_sheet=bulk.SHEET.name)
            except ValidationError as error:
                form.add_error("file", error)
            else:
                outcome = bulk.save_bulk(user=request.user, book=book, submit=form.cleaned_data["submit"])
                if outcome.ok:
                    what = "submitted for sign-off" if outcome.submit else "saved as drafts"
                    saved, skipped = len(outcome.saved), outcome.skipped
                    messages.success(request, f"{saved} return{'s' if saved != 1 else ''} {what} from "
                                              f"“{outcome.file_name}” ({skipped} empty row{'s' if skipped != 1 else ''}"
                                              " skipped).")
                    return redirect(request.get_full_path())
        status = 400
    return render(request, "reporting/bulk_returns.html", {
        "due": due, "month": month, "form": form, "outcome": outcome, "sheet": bulk.SHEET}, status=status)


@login_required
def bulk_sheet(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    data = bulk.prefilled(bulk.due(request.user, today=clock.today(), month=month))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="returns-due{"-" + month if month else ""}.xlsx"'
    return response
