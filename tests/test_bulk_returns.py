"""Issue 12: bulk returns: the sheet of the returns due, filled in and uploaded, through the entry form's checks."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from indicators import bulk
from indicators.models import Return
from indicators.services import approve_return
from pmf import clock, imports
from pmf.models import AuditEntry, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def tom():
    return User.objects.get(username="tom.ashworth")


@pytest.fixture
def helen():
    """The performance unit: enters on behalf of the leads, so the sheet has every return due in the council."""
    return User.objects.get(username="helen.marsh")


def sheet_rows(data: bytes) -> list[dict]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    assert book.sheetnames == ["Guidance", "Returns due"]
    header, *rows = list(book["Returns due"].iter_rows(values_only=True))
    return [dict(zip(header, (*r, *[None] * (len(header) - len(r))), strict=True)) for r in rows]


def upload(rows: list[dict], name="returns.xlsx") -> imports.Book:
    parsed = []
    for row in rows:
        parsed.append({c.name: row.get(c.name) for c in bulk.SHEET.columns})
    data = imports.write_xlsx([(bulk.SHEET, parsed)])
    return imports.read_book(SimpleUploadedFile(name, data), default_sheet=bulk.SHEET.name)


def fill(row: dict, due) -> dict:
    """A plausible figure for the row's measure: last period's approved figure, or the middle of its range."""
    ind = due.indicator
    spec = ind.current_spec
    last = Return.objects.filter(indicator=ind, value__isnull=False).order_by("-period__start").first()
    if spec.calculation == "ratio":
        num, den = (last.numerator, last.denominator) if last and last.numerator is not None else (50, 100)
        return {**row, "numerator": num, "denominator": den, "commentary": "As last period (bulk test)."}
    value = last.value if last else (spec.plausible_min or Decimal(1))
    return {**row, "value": value, "commentary": "As last period (bulk test)."}


def test_the_sheet_is_prefilled_with_the_returns_due(tom):
    due = bulk.due(tom, today=clock.today())
    assert due, "the demo's service lead has returns due"
    rows = sheet_rows(bulk.prefilled(due))
    assert [(r["measure"], r["period name"]) for r in rows] == [(d.indicator.ref, d.period.label) for d in due]
    month = due[0].due_on.strftime("%Y-%m")
    assert all(d.due_on.strftime("%Y-%m") == month for d in bulk.due(tom, today=clock.today(), month=month))


def test_filled_rows_are_saved_as_drafts_and_submitted_rows_go_to_sign_off(helen):
    due = bulk.due(helen, today=clock.today())
    rows = sheet_rows(bulk.prefilled(due))
    new = [i for i, d in enumerate(due) if d.ret is None][:3]
    filled = [fill(r, due[i]) if i in new else r for i, r in enumerate(rows)]  # the rest as downloaded

    outcome = bulk.save_bulk(user=helen, book=upload(filled), submit=False)

    assert outcome.problems == []
    assert len(outcome.saved) == 3 and outcome.skipped == len(rows) - 3
    for ret, d in zip(outcome.saved, [due[i] for i in new], strict=True):
        assert (ret.indicator, ret.period, ret.state) == (d.indicator, d.period, "draft")
        assert AuditEntry.objects.filter(object_type="indicators.Return", object_id=str(ret.pk), user=helen).exists()

    # The re-downloaded sheet carries the drafts and their versions; submitted, they wait for the director.
    again = {(r["measure"], r["period"]): r
             for r in sheet_rows(bulk.prefilled(bulk.due(helen, today=clock.today())))}
    ret = outcome.saved[0]
    row = again[(ret.indicator.ref, ret.period.number)]
    assert row["version"] == ret.version and row["commentary"] == "As last period (bulk test)."
    outcome = bulk.save_bulk(user=helen, book=upload([row]), submit=True)
    assert outcome.problems == []
    ret.refresh_from_db()
    assert ret.state == "submitted" and ret.submitted_by == helen
    director = User.objects.filter(directorates_led=ret.indicator.service.directorate).first()
    assert approve_return(user=director, ret=ret, version=ret.version).state == "approved"


def test_every_refusal_is_listed_by_row_and_column_and_nothing_is_saved(helen, tom):
    due = bulk.due(helen, today=clock.today())
    rows = sheet_rows(bulk.prefilled(due))
    good = fill(rows[0], due[0])
    ratio = next((r, d) for r, d in zip(rows, due, strict=True) if d.indicator.current_spec.unit == "percent"
                 and d.indicator.current_spec.calculation == "ratio")
    elsewhere = {"measure": "GONE1", "year": "2026/27", "period": 1, "value": 5, "commentary": "No such."}
    bad_rows = [
        good,
        {**rows[1], "value": "a lot", "commentary": "x"},  # wrong type (row 3)
        {**rows[2], "measure": "NOPE1", "value": 1},  # unknown code (row 4)
        {**ratio[0], "numerator": 300, "denominator": 100},  # numerator above denominator (row 5)
        elsewhere,  # a measure that is not there (row 6)
        {**fill(rows[3], due[3]), "version": 99},  # changed since it was downloaded (row 7)
    ]
    before = (Return.objects.count(), AuditEntry.objects.count())

    outcome = bulk.save_bulk(user=helen, book=upload(bad_rows), submit=False)

    found = {(p.row, p.column, p.rule) for p in outcome.problems}
    assert (3, "value", "wrong type") in found
    assert (4, "measure", "unknown code") in found
    assert (5, "numerator", "numerator above denominator") in found
    assert any(r == 6 and c == "measure" for r, c, _ in found)
    assert any(r == 7 and c == "version" for r, c, _ in found)
    assert not any(r == 2 for r, _, _ in found)
    assert outcome.saved == [] and (Return.objects.count(), AuditEntry.objects.count()) == before

    # A service lead's sheet with another service's measure: refused by the entry form's own rule.
    other = {"measure": "ASC01", "year": "2026/27", "period": 1, "value": 5, "commentary": "Not mine."}
    outcome = bulk.save_bulk(user=tom, book=upload([other]), submit=False)
    assert [(p.row, p.column) for p in outcome.problems] == [(2, "measure")]
    assert outcome.saved == [] and (Return.objects.count(), AuditEntry.objects.count()) == before


def test_the_page_uploads_and_reports(client, tom):
    client.force_login(tom)
    page = client.get("/reporting/bulk-returns/")
    assert page.status_code == 200 and "Download the sheet" in page.content.decode()
    sheet = client.get("/reporting/bulk-returns/sheet.xlsx")
    rows = sheet_rows(sheet.content)
    due = bulk.due(tom, today=clock.today())
    filled = [fill(rows[0], due[0])]
    data = imports.write_xlsx([(bulk.SHEET, [{c.name: r.get(c.name) for c in bulk.SHEET.columns} for r in filled])])
    response = client.post("/reporting/bulk-returns/", {"file": SimpleUploadedFile("mine.xlsx", data),
                                                        "submit": "no"}, follow=True)
    assert "1 return saved as drafts from “mine.xlsx”" in response.content.decode()
    bad = imports.write_xlsx([(bulk.SHEET, [{"measure": "NOPE1", "year": "2026/27", "period": 1, "value": 1}])])
    response = client.post("/reporting/bulk-returns/", {"file": SimpleUploadedFile("bad.xlsx", bad), "submit": "no"})
    assert response.status_code == 400 and "NOPE1" in response.content.decode()
