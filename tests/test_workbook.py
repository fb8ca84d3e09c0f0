"""Issue 12: moving a council in from the council workbook (export, import, dry run, the round trip)."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators import selectors
from indicators.models import Indicator, Return, Target
from plans.models import Action, Plan, PlanItem
from pmf import imports
from pmf.models import AuditEntry, Council, User
from reporting.selectors import quarter_assessment
from reporting.workbook import export, layout, load
from tests import factories as f

pytestmark = pytest.mark.django_db
YEARS = (2024, 2025, 2026)


@pytest.fixture
def harrowdale():
    return Council.objects.get(slug="harrowdale")


@pytest.fixture
def helen():
    return User.objects.get(username="helen.marsh")


def book_of(tables, name="council.xlsx", *, zip_=False):
    data = imports.write_csv_zip(tables) if zip_ else imports.write_xlsx(tables, guidance=layout.GUIDANCE)
    return imports.read_book(SimpleUploadedFile(name, data))


def moved(tables):
    """The same council with the codes that are unique across the system changed (usernames, directorate codes,
    committee names), so that it can be imported beside the original."""
    people = {c.name for s in layout.SHEETS for c in s.columns if c.help.startswith(layout.PERSON)}
    people |= {"username", "delegate for", "person"}
    out = []
    for sheet, rows in tables:
        new_rows = []
        for row in rows:
            row = dict(row)
            for name, value in row.items():
                if value in (None, "", []):
                    continue
                if name in people:
                    row[name] = f"m.{value}"
                elif name == "members":
                    row[name] = [f"m.{v}" for v in value]
                elif name == "directorate" or (sheet is layout.DIRECTORATES and name == "code"):
                    row[name] = f"M{value}"
                elif (sheet is layout.COMMITTEES and name == "name") or name == "committee":
                    row[name] = f"{value} (moved)"
                elif name == "committees":
                    row[name] = [f"{v} (moved)" for v in value]
            new_rows.append(row)
        out.append((sheet, new_rows))
    return out


def assessments(council):
    out = {}
    for series in selectors.load_series(Indicator.objects.filter(council=council)):
        for year in YEARS:
            for quarter in (1, 2, 3, 4):
                a = quarter_assessment(series, year_start=year, quarter=quarter)
                out[(series.indicator.ref, year, quarter)] = (a.rag, a.direction, a.value, a.target, a.label)
    return out


def content(council):
    """Plans, measures, targets and returns as plain values, free of ids."""
    return {
        "plans": sorted((p.title, p.level.name, p.start_year_id, p.end_year_id, p.status, p.approval_note)
                        for p in Plan.objects.filter(council=council).select_related("level")),
        "items": sorted((i.plan.title, i.ref, i.title, i.parent.ref if i.parent_id else None, i.depth)
                        for i in PlanItem.objects.filter(plan__council=council).select_related("plan", "parent")),
        "measures": sorted((i.ref, i.title, i.kind, i.service.name, i.current_spec.version,
                            tuple(sorted(p.ref for p in i.plan_items.all())))
                           for i in Indicator.objects.filter(council=council).select_related("service", "current_spec")
                           .prefetch_related("plan_items")),
        "targets": sorted((t.indicator.ref, t.financial_year_id, t.revision, t.annual_target, t.tolerance_pct,
                           t.tolerance_abs, t.band_low, t.band_high, t.approved_at is not None,
                           tuple(p.value for p in t.trajectory.all()))
                          for t in Target.objects.filter(indicator__council=council).select_related("indicator")
                          .prefetch_related("trajectory")),
        "returns": sorted((r.indicator.ref, r.period.label, r.value, r.numerator, r.denominator, r.state,
                           r.commentary, r.no_data_reason, r.forecast, r.due_on,
                           r.submitted_at.replace(microsecond=0) if r.submitted_at else None)
                          for r in Return.objects.filter(indicator__council=council)
                          .select_related("indicator", "period")),
        "actions": sorted((a.ref, a.title, a.approved_end, a.progress_pct, a.milestones.count())
                          for a in Action.objects.filter(council=council)),
        # The register: scores now and at target, the managing directorate (its code, less the move's "M"), links.
        "risks": sorted((r.ref, r.title, r.likelihood, r.impact, r.target_likelihood, r.target_impact,
                         r.directorate.code.removeprefix("M") if r.directorate else None,
                         tuple(sorted(i.ref for i in r.indicators.all())),
                         tuple(sorted(a.ref for a in r.actions.all())))
                        for r in council.risks.select_related("directorate").prefetch_related("indicators", "actions")),
    }


def test_harrowdale_round_trip_keeps_every_rag_and_direction(harrowdale, helen):
    """Done when: Harrowdale exported and imported as a new council gives the same plans, measures, targets,
    returns and, for every measure and quarter, the same RAG and direction of travel; again, nothing changes."""
    tables = export.tables(harrowdale)
    book = book_of(moved(tables), "harrowdale.xlsx")

    outcome = load.import_workbook(book=book, user=helen, create="Harrowdale Moved", slug="harrowdale-moved")

    assert outcome.problems == []
    new = Council.objects.get(slug="harrowdale-moved")
    assert outcome.council == new
    before, after = assessments(harrowdale), assessments(new)
    assert len(before) == Indicator.objects.filter(council=harrowdale).count() * len(YEARS) * 4
    assert after == before
    assert content(new) == content(harrowdale)
    assert any(r[4] and r[6] and r[8] for r in content(new)["risks"])  # target scores, directorate, actions came

    # Approved history came in approved, in the audit trail as imported, by whom and from which file.
    approved = Return.objects.filter(indicator__council=new, state="approved").first()
    original = Return.objects.get(indicator__council=harrowdale, indicator__ref=approved.indicator.ref,
                                  period=approved.period)
    assert approved.approved_by.username == f"m.{original.approved_by.username}"
    assert approved.approved_at == original.approved_at
    entry = AuditEntry.objects.get(object_type="indicators.Return", object_id=str(approved.pk))
    assert (entry.action, entry.user, entry.council) == ("create", helen, new)
    assert "harrowdale.xlsx" in entry.reason and "Imported" in entry.reason

    # Importing again (here as the CSV files in a ZIP) changes nothing.
    audit_rows = AuditEntry.objects.count()
    again = load.import_workbook(book=book_of(moved(tables), "harrowdale.zip", zip_=True), user=helen, council=new)
    assert again.problems == [] and sum(again.created.values()) == 0 and sum(again.changed.values()) == 0
    assert sum(again.unchanged.values()) == again.rows
    assert AuditEntry.objects.count() == audit_rows
    assert assessments(new) == before


def _new_measure_rows():
    """A new measure with its specification, target and returns: what the corrected workbook adds."""
    return {
        layout.MEASURES: {"ref": "NEW01", "title": "Missed bins per 100,000 collections", "kind": "kpi",
                          "directorate": "HAR-PE", "service": "Waste and Recycling", "headline": False,
                          "qualitative": False, "restricted": False, "perception": False, "risks": [],
                          "plan items": []},
        layout.SPECIFICATIONS: {"measure": "NEW01", "version": 1, "valid from": 2026, "in force": True,
                                "definition": "Missed / collections", "data source": "Bartec", "unit": "percent",
                                "calculation": "ratio", "numerator": "Missed", "denominator": "Collections",
                                "multiplier": Decimal(100), "decimal places": 1, "polarity": "lower",
                                "frequency": "quarterly", "measure type": "snapshot"},
        layout.TARGETS: {"measure": "NEW01", "year": 2026, "revision": 1, "annual target": Decimal("0.5"),
                         "tolerance (%)": Decimal(10), "trajectory": ["0.6", "0.55", "0.5", "0.5"]},
        layout.RETURNS: {"measure": "NEW01", "year": 2026, "period": 1, "numerator": Decimal(40),
                         "denominator": Decimal(10000), "state": "draft"},
    }


def _with(tables, extra):
    out = []
    for sheet, rows in tables:
        rows = [dict(r) for r in rows]
        rows += [dict(r) for r in extra.get(sheet, [])]
        out.append((sheet, rows))
    return out


def test_a_workbook_with_errors_is_refused_with_every_error_listed_and_nothing_stored(harrowdale, helen):
    tables = export.tables(harrowdale)
    new = _new_measure_rows()
    good = _with(tables, {sheet: [row] for sheet, row in new.items()})
    bad = copy.deepcopy(good)
    sheets = dict(bad)
    returns, targets = sheets[layout.RETURNS], sheets[layout.TARGETS]
    first_return_row = 2  # the header is row 1
    approved_index = next(i for i, r in enumerate(returns) if r["state"] == "approved" and r["value"] is not None
                          and r["numerator"] is None)
    returns[approved_index]["value"] += 1  # an approved return changed
    returns.append({**returns[approved_index], "measure": "NOPE99"})  # unknown code
    returns.append(dict(returns[0]))  # duplicate row
    returns.append({**new[layout.RETURNS], "period": 5})  # a period outside its year (quarterly)
    returns.append({**new[layout.RETURNS], "period": 2, "numerator": Decimal(20000)})  # numerator above denominator
    returns.append({**new[layout.RETURNS], "period": 3, "value": "lots"})  # wrong type
    locked = next(i for i, t in enumerate(targets) if t["approved at"] is not None and t["annual target"] is not None)
    targets[locked]["annual target"] += 5  # an approved target changed
    counts = (Return.objects.count(), Target.objects.count(), AuditEntry.objects.count(), Indicator.objects.count())

    outcome = load.import_workbook(book=book_of(bad), user=helen, council=harrowdale, dry_run=True)
    real = load.import_workbook(book=book_of(bad), user=helen, council=harrowdale)

    n = len(returns) + first_return_row - 1
    found = {(p.sheet, p.row, p.column, p.rule) for p in real.problems}
    assert found == {
        ("Returns", approved_index + first_return_row, "value", "approved return changed"),
        ("Returns", n - 4, "measure", "unknown code"),
        ("Returns", n - 3, "measure", "duplicate row"),
        ("Returns", n - 2, "period", "period outside its year"),
        ("Returns", n - 1, "numerator", "numerator above denominator"),
        ("Returns", n, "value", "wrong type"),
        ("Targets", locked + first_return_row, "annual target", "approved target changed"),
    }
    assert {(p.sheet, p.row, p.column, p.rule) for p in outcome.problems} == found
    assert all(p.message for p in real.problems)
    assert not real.stored and not outcome.stored
    assert counts == (Return.objects.count(), Target.objects.count(), AuditEntry.objects.count(),
                      Indicator.objects.count())
    assert not Indicator.objects.filter(ref="NEW01").exists()

    # The corrected workbook imports in one go; importing it again changes nothing.
    fixed = load.import_workbook(book=book_of(good, "corrected.xlsx"), user=helen, council=harrowdale)
    assert fixed.problems == [] and fixed.stored
    assert fixed.created == {"Measures": 1, "Specifications": 1, "Targets": 1, "Returns": 1}
    ind = Indicator.objects.get(council=harrowdale, ref="NEW01")
    ret = ind.returns.get()
    assert (ret.value, ret.state) == (Decimal("0.4"), "draft")
    assert [p.value for p in ind.targets.get().trajectory.all()] == [Decimal("0.6"), Decimal("0.55"),
                                                                      Decimal("0.5"), Decimal("0.5")]
    assert AuditEntry.objects.filter(object_type="indicators.Indicator", object_id=str(ind.pk),
                                     reason__contains="corrected.xlsx", user=helen).exists()
    again = load.import_workbook(book=book_of(good, "corrected.xlsx"), user=helen, council=harrowdale)
    assert again.problems == [] and not again.created and not again.changed


def test_unknown_and_missing_columns_and_sheets_are_problems():
    problems = imports.Problems()
    rows = imports.read_sheet(layout.RISKS, [("ref", "titel"), ("CR1", "x")], problems)
    assert rows == []
    assert {(p.row, p.column, p.rule) for p in problems} == {(1, "titel", "unknown column"),
                                                            (1, "title", "column missing")}
    problems = imports.Problems()
    imports.read_sheet(layout.RISKS, None, problems)
    assert [p.rule for p in problems] == ["sheet missing"]


@pytest.mark.parametrize(("kind", "raw", "value"), [
    ("decimal", "1,234.5", Decimal("1234.5")), ("decimal", 12.25, Decimal("12.25")), ("int", "7", 7),
    ("int", 7.0, 7), ("bool", "Yes", True), ("bool", "", None), ("year", "2025/26", 2025), ("year", 2025, 2025),
    ("list", "a; b ;", ["a", "b"]), ("date", "2026-04-01", __import__("datetime").date(2026, 4, 1)),
])
def test_values_are_typed(kind, raw, value):
    assert imports.parse_value(imports.Column("x", kind), raw) == value


@pytest.mark.parametrize(("kind", "raw"), [("decimal", "ten"), ("int", "1.5"), ("bool", "maybe"),
                                           ("year", "2025/27"), ("date", "31/03/2026"), ("decimal", "NaN")])
def test_bad_values_say_what_was_expected(kind, raw):
    with pytest.raises(imports.BadValue):
        imports.parse_value(imports.Column("x", kind), raw)


def test_uploads_are_checked_by_content():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        imports.read_book(SimpleUploadedFile("council.xlsx", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100))
    with pytest.raises(ValidationError, match="not a CSV"):
        import io
        import zipfile
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            z.writestr("Risks.csv", "ref,title\nCR1,Risk\n")
            z.writestr("run.exe", "MZ")
        imports.read_book(SimpleUploadedFile("council.zip", out.getvalue()))
    with pytest.raises(ValidationError, match="path"):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            z.writestr("../Risks.csv", "ref,title\nCR1,Risk\n")
        imports.read_book(SimpleUploadedFile("council.zip", out.getvalue()))


def test_a_new_council_from_a_small_workbook_and_a_person_of_another_council_refused(harrowdale):
    c = f.council()
    tables = [
        (layout.PEOPLE, [{"username": "helen.marsh", "first name": "Helen"}, {"username": "new.person"}]),
        (layout.RISKS, [{"ref": "R1", "title": "A risk", "owner": "new.person"}]),
    ]
    outcome = load.import_workbook(book=book_of(tables), user=None, council=c)
    assert [(p.sheet, p.row, p.column, p.rule) for p in outcome.problems] == [
        ("People", 2, "username", "belongs to another council")]
    assert not User.objects.filter(username="new.person").exists()
    outcome = load.import_workbook(book=book_of([(layout.PEOPLE, tables[0][1][1:]), tables[1]]), user=None,
                                   council=c)
    assert outcome.stored and c.risks.get().owner.username == "new.person"
    assert not User.objects.get(username="new.person").has_usable_password()


def test_export_and_import_commands(tmp_path, harrowdale):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = tmp_path / "h.xlsx"
    call_command("export_workbook", "harrowdale", str(path))
    assert path.stat().st_size > 10_000
    from io import StringIO
    out = StringIO()
    call_command("import_workbook", str(path), "--council", "harrowdale", "--dry-run", stdout=out)
    assert "no problems found" in out.getvalue()
    with pytest.raises(CommandError, match="problems"):
        call_command("import_workbook", str(path), "--council", "elsewhere", "--create", "Elsewhere Council",
                     stdout=StringIO())
    assert not Council.objects.filter(slug="elsewhere").exists()


def test_template_starts_with_guidance_for_every_column():
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(export.template_xlsx()), read_only=True)
    assert book.sheetnames[0] == "Guidance"
    assert book.sheetnames[1:] == [s.name for s in layout.SHEETS]
    rows = list(book["Guidance"].iter_rows(values_only=True))
    listed = {(r[0], r[1]) for r in rows if len(r) > 1 and r[1]}
    assert all((s.name, c.name) in listed for s in layout.SHEETS for c in s.columns)
    assert ("Returns", "state") in listed
    state = next(r for r in rows if r[:2] == ("Returns", "state"))
    assert "approved" in state[5] and state[3] == "Text"


def test_the_performance_unit_checks_then_imports_in_the_browser(client, harrowdale, helen, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(helen)
    url = "/reporting/workbook/"
    page = client.get(url)
    assert page.status_code == 200 and "Download the blank template" in page.content.decode()
    bad = imports.write_xlsx([(layout.RISKS, [{"ref": "NEWR1", "title": "New risk", "owner": "nobody.here"}])])
    response = client.post(url, {"file": SimpleUploadedFile("risks.xlsx", bad)})
    text = response.content.decode()
    assert response.status_code == 400
    assert "1 problem found: nothing was imported" in text and "nobody.here" in text and "unknown person" in text
    good = imports.write_xlsx([(layout.RISKS, [{"ref": "NEWR1", "title": "New risk", "owner": "helen.marsh"}])])
    response = client.post(url, {"file": SimpleUploadedFile("risks.xlsx", good)})
    assert response.status_code == 200 and "Importing it would do this" in response.content.decode()
    assert not harrowdale.risks.filter(ref="NEWR1").exists()  # a dry run stores nothing
    token = response.context["token"]
    unconfirmed = client.post(url, {"step": "import", "token": token, "council": "harrowdale"})
    assert unconfirmed.status_code == 302 and not harrowdale.risks.filter(ref="NEWR1").exists()
    response = client.post(url, {"step": "import", "token": token, "council": "harrowdale", "confirm": "yes"},
                           follow=True)
    assert "Imported “risks.xlsx” into Harrowdale Council: 1 new" in response.content.decode()
    risk = harrowdale.risks.get(ref="NEWR1")
    assert AuditEntry.objects.filter(object_type="indicators.CorporateRisk", object_id=str(risk.pk), user=helen,
                                     reason__contains="risks.xlsx").exists()
    again = client.post(url, {"step": "import", "token": token, "council": "harrowdale", "confirm": "yes"})
    assert again.status_code == 302 and harrowdale.risks.filter(ref="NEWR1").count() == 1
    assert client.get("/reporting/workbook/template.xlsx")["Content-Type"].startswith("application/vnd.openxml")


def test_a_program_uploaded_as_a_workbook_is_refused_by_its_content(client, helen):
    client.force_login(helen)
    response = client.post("/reporting/workbook/", {"file": SimpleUploadedFile("council.xlsx", b"MZ" + b"\0" * 200)})
    assert response.status_code == 400 and "not a real Excel spreadsheet" in response.content.decode()


def test_the_risk_register_comes_in_from_a_csv_through_the_same_machinery(harrowdale, helen):
    """Issue 12, point 4: a risk register in CSV (reference, title, owner, likelihood, impact, linked measures)."""
    text = ("reference,title,owner,likelihood,impact,linked measures\n"
            "CR90,Failure of the waste fleet,ruth.calloway,3,4,WAS01; WAS02\n"
            "CR91,Data breach,nobody.known,7,2,NOPE1\n")
    book = imports.read_book(SimpleUploadedFile("Risks.csv", text.encode()))
    outcome = load.import_workbook(book=book, user=helen, council=harrowdale)
    assert {(p.row, p.column, p.rule) for p in outcome.problems} == {
        (3, "likelihood", "not allowed"), (3, "owner", "unknown person"), (3, "measures", "unknown code")}
    assert not harrowdale.risks.filter(ref__in=["CR90", "CR91"]).exists()

    fixed = text.replace("nobody.known,7,2,NOPE1", "helen.marsh,2,2,")
    outcome = load.import_workbook(book=imports.read_book(SimpleUploadedFile("Risks.csv", fixed.encode())),
                                   user=helen, council=harrowdale)
    assert outcome.stored and outcome.created == {"Risks": 2}
    risk = harrowdale.risks.get(ref="CR90")
    assert (risk.owner.username, risk.likelihood, risk.impact, risk.score) == ("ruth.calloway", 3, 4, 12)
    assert sorted(risk.indicators.values_list("ref", flat=True)) == ["WAS01", "WAS02"]
    again = load.import_workbook(book=imports.read_book(SimpleUploadedFile("Risks.csv", fixed.encode())),
                                 user=helen, council=harrowdale)
    assert again.stored and not again.created and not again.changed


def test_the_workbook_page_takes_a_risk_register_csv(client, harrowdale, helen, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(helen)
    csv_file = SimpleUploadedFile("Risks.csv", b"reference,title,likelihood,impact\nCR95,Flooding of the depot,2,5\n")
    response = client.post("/reporting/workbook/", {"file": csv_file})
    assert response.status_code == 200 and "Importing it would do this" in response.content.decode()
    client.post("/reporting/workbook/", {"step": "import", "token": response.context["token"],
                                         "council": "harrowdale", "confirm": "yes"})
    assert harrowdale.risks.get(ref="CR95").score == 10
