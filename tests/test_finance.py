"""Issue 13 (point 7), C 3.1: finance beside performance. A quarter's figures entered through the service (rules named
by field, audited, version-checked), the import of a finance system's CSV export (good and bad rows, dry run, the
command, the upload page's check and confirm), who reads and who changes them, the dashboard, the scorecard and the
indicator page showing them beside the measures, the pack section in every format, and finance never changing a
measure's rating."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from docx import Document

from demo import DEMO_LOGINS
from indicators import finance
from indicators.models import Indicator, ServiceFinance
from pmf import imports
from pmf.access import restrict
from pmf.choices import Role
from pmf.errors import Conflict, Refused
from pmf.models import AuditEntry, Council, Period, Service, User
from reporting import dashboard as board
from reporting import packs
from reporting.models import ReportDefinition
from reporting.rendering import excel, web, word
from tests import factories as f

pytestmark = pytest.mark.django_db

WASTE = "Waste and Recycling"
DEMO_PAIR_UNIT = DEMO_LOGINS["pair_performance_unit"]  # the performance unit of both councils of the pair
ASC = "Adult Social Care Assessment and Care Management"


def harrowdale() -> Council:
    return Council.objects.get(slug="harrowdale")


def user(name: str) -> User:
    return User.objects.get(username=name)


def service(name: str) -> Service:
    return Service.objects.get(directorate__councils__slug="harrowdale", name=name)


def quarter(year: int = 2026, number: int = 2) -> Period:
    return Period.objects.get(financial_year_id=year, frequency="quarterly", number=number)


def figures(budget="1000000", forecast="1100000", **more) -> finance.Figures:
    return finance.Figures(budget=Decimal(budget), forecast_outturn=Decimal(forecast), **more)


@pytest.fixture
def perf():
    return user("helen.marsh")


def _csv(*rows: str, header: str = "service,year,quarter,budget,forecast outturn,spent to date,commentary"):
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def _book(data: bytes, name: str = "finance-export.csv") -> imports.Book:
    return imports.read_book(SimpleUploadedFile(name, data, content_type="text/csv"),
                             default_sheet=finance.SHEET.name)


# -- words and amounts --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("£4,250,000", Decimal("4250000")), ("4250000.50", Decimal("4250000.50")), (" £ 1,234 ", Decimal("1234")),
    ("(12,000)", Decimal("-12000")), ("-£12,000", Decimal("-12000")), ("£4.2m", Decimal("4200000")),
    ("350k", Decimal("350000")), ("", None), ("-", None),
])
def test_amounts_as_finance_systems_write_them(text, expected):
    assert finance.parse_money(text) == expected


@pytest.mark.parametrize("text", ["lots", "£1.234", "1e400", "£1,000,000,000,000"])
def test_amounts_that_are_not_refused_with_the_reason(text):
    with pytest.raises(ValueError, match="amount of money|decimal places|too large"):
        finance.parse_money(text)


def test_the_variance_is_in_words():
    assert finance.variance_words(Decimal("120000"), Decimal("4.0")) == "£120,000 overspend (4.0%)"
    assert finance.variance_words(Decimal("-35000"), Decimal("-1.2")) == "£35,000 underspend (1.2%)"
    assert finance.variance_words(Decimal("0"), Decimal("0")) == "On budget"
    row = ServiceFinance(budget=Decimal("2000000"), forecast_outturn=Decimal("2150000"))
    assert row.variance == Decimal("150000") and row.variance_pct == Decimal("7.5")


# -- the service ----------------------------------------------------------------------------------------------------

def test_figures_are_recorded_with_their_audit_entry(perf):
    row = finance.create_finance(user=perf, council=harrowdale(), service=service(WASTE), period=quarter(2026, 3),
                                 figures=figures(commentary="Fuel costs."))
    assert (row.budget, row.forecast_outturn, row.version, row.updated_by) == (
        Decimal("1000000"), Decimal("1100000"), 1, perf)
    entry = AuditEntry.objects.get(object_type="indicators.ServiceFinance", object_id=str(row.pk))
    assert entry.action == "create" and entry.changes["budget"] == [None, "1000000"]
    finance.update_finance(user=perf, finance=row, figures=figures(forecast="1050000"), version=1)
    row.refresh_from_db()
    assert row.version == 2 and row.forecast_outturn == Decimal("1050000")
    change = AuditEntry.objects.filter(object_type="indicators.ServiceFinance", action="update").latest("pk")
    assert change.changes["forecast_outturn"] == ["1100000", "1050000"]


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"budget": Decimal("-1")}, "budget", "cannot be negative"),
    ({"budget": None}, "budget", "Enter the budget"),
    ({"forecast_outturn": Decimal("10.005")}, "forecast_outturn", "2 decimal places"),
    ({"spent_to_date": Decimal("1e13")}, "spent_to_date", "too large"),
    ({"commentary": "x" * 4001}, "commentary", "at most 4,000"),
])
def test_bad_figures_are_refused_naming_the_field(perf, changes, field, words):
    values = {"budget": Decimal("1000"), "forecast_outturn": Decimal("1000"), **changes}
    with pytest.raises(Refused) as refused:
        finance.create_finance(user=perf, council=harrowdale(), service=service(WASTE), period=quarter(2026, 3),
                               figures=finance.Figures(**values))
    assert words in " ".join(refused.value.message_dict[field])
    assert not ServiceFinance.objects.filter(service=service(WASTE), period=quarter(2026, 3)).exists()


def test_the_quarter_and_service_rules(perf):
    council = harrowdale()
    month = Period.objects.get(financial_year_id=2026, frequency="monthly", number=5)
    with pytest.raises(Refused, match="not a quarter"):
        finance.create_finance(user=perf, council=council, service=service(WASTE), period=month, figures=figures())
    with pytest.raises(Refused, match="has not started"):
        finance.create_finance(user=perf, council=council, service=service(WASTE), period=quarter(2026, 4),
                               figures=figures())
    elsewhere = f.service(f.council())
    with pytest.raises(Refused, match="is not a service of Harrowdale"):
        finance.create_finance(user=perf, council=council, service=elsewhere, period=quarter(2026, 3),
                               figures=figures())
    with pytest.raises(Refused, match="already has finance figures"):  # the demo's Q2 figures
        finance.create_finance(user=perf, council=council, service=service(WASTE), period=quarter(),
                               figures=figures())


def test_only_the_performance_unit_enters_figures():
    with pytest.raises(PermissionDenied):
        finance.create_finance(user=user("ruth.calloway"), council=harrowdale(), service=service(WASTE),
                               period=quarter(2026, 3), figures=figures())


def test_a_concurrent_change_is_a_conflict_not_an_overwrite(perf):
    row = ServiceFinance.objects.get(service=service(WASTE), period=quarter(), plan_item=None)
    seen = row.version
    finance.update_finance(user=perf, finance=row, figures=figures(), version=seen)
    stale = ServiceFinance.objects.get(pk=row.pk)
    with pytest.raises(Conflict):
        finance.update_finance(user=perf, finance=stale, figures=figures(forecast="5"), version=seen)
    assert ServiceFinance.objects.get(pk=row.pk).forecast_outturn == Decimal("1100000")


def test_the_edit_page_says_so_with_a_409(client, perf):
    row = ServiceFinance.objects.get(service=service(WASTE), period=quarter(), plan_item=None)
    client.force_login(perf)
    url = reverse("reporting:finance_edit", args=[row.pk])
    data = {"budget": "£2,000,000", "forecast_outturn": "2,100,000", "version": row.version}
    assert client.post(url, data).status_code == 302
    row.refresh_from_db()
    assert row.budget == Decimal("2000000") and row.version == 2
    response = client.post(url, data)  # the version the page was loaded with is now stale
    assert response.status_code == 409
    assert "Someone else changed this" in response.content.decode()
    bad = client.post(url, {**data, "budget": "-5", "version": row.version})
    assert bad.status_code == 400 and "The budget cannot be negative." in bad.content.decode()


def test_the_new_figures_page(client, perf):
    client.force_login(perf)
    url = reverse("reporting:finance_add") + "?council=harrowdale"
    assert client.get(url).status_code == 200
    response = client.post(url, {"council": "harrowdale", "service": service(WASTE).pk,
                                 "period": quarter(2026, 3).pk, "budget": "£3.5m", "forecast_outturn": "£3,400,000"})
    assert response.status_code == 302
    row = ServiceFinance.objects.get(service=service(WASTE), period=quarter(2026, 3))
    assert row.budget == Decimal("3500000") and row.variance == Decimal("-100000")


# -- the import -----------------------------------------------------------------------------------------------------

GOOD = _csv(f'{WASTE},2026/27,Q3,"£4,250,000","£4,390,000","£2,010,500",Fuel costs',
            f'{ASC},2026/27,3,"45,000,000.00",44500000,,')


def test_a_good_file_is_imported_and_again_changes_nothing(perf):
    outcome = finance.import_finance(book=_book(GOOD), council=harrowdale(), user=perf)
    assert outcome.ok and outcome.counts == {"new": 2}
    waste = ServiceFinance.objects.get(service=service(WASTE), period=quarter(2026, 3))
    assert (waste.budget, waste.forecast_outturn, waste.spent_to_date) == (
        Decimal("4250000"), Decimal("4390000"), Decimal("2010500"))
    assert waste.source == "finance-export.csv" and waste.commentary == "Fuel costs"
    assert AuditEntry.objects.filter(object_type="indicators.ServiceFinance", object_id=str(waste.pk),
                                     reason__contains="finance-export.csv").exists()
    again = finance.import_finance(book=_book(GOOD), council=harrowdale(), user=perf)
    assert again.counts == {"unchanged": 2}
    changed = finance.import_finance(book=_book(GOOD.replace(b"4,390,000", b"4,400,000")), council=harrowdale(),
                                     user=perf)
    assert changed.counts == {"changed": 1, "unchanged": 1}
    waste.refresh_from_db()
    assert waste.forecast_outturn == Decimal("4400000") and waste.version == 2


def test_a_dry_run_stores_nothing(perf):
    outcome = finance.import_finance(book=_book(GOOD), council=harrowdale(), user=perf, dry_run=True)
    assert outcome.ok and outcome.counts == {"new": 2} and not outcome.stored
    assert not ServiceFinance.objects.filter(period=quarter(2026, 3)).exists()


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_saved(perf):
    data = _csv(f'{WASTE},2026/27,Q3,"£4,250,000","£4,390,000",,',  # good, but not stored: all or nothing
                "Pest Control,2026/27,Q3,100,100,,",
                f"{ASC},2026/27,Q5,100,100,,",
                f"{ASC},2026/27,Q2,-100,100,,",
                f"{WASTE},2026/27,Q1,lots,100,,",
                f'{WASTE},2026/27,Q3,"£4,250,000","£4,390,000",,')
    outcome = finance.import_finance(book=_book(data), council=harrowdale(), user=perf)
    found = {(p.row, p.column) for p in outcome.problems}
    assert found == {(3, "service"), (4, "quarter"), (5, "budget"), (6, "budget"), (7, "service")}
    messages = " ".join(p.message for p in outcome.problems)
    assert "“Pest Control” is not a service of Harrowdale" in messages
    assert "The budget cannot be negative." in messages and "repeats row 2" in messages
    assert not ServiceFinance.objects.filter(period=quarter(2026, 3)).exists()


def test_a_file_without_a_required_column_is_refused(perf):
    outcome = finance.import_finance(book=_book(_csv(f"{WASTE},2026/27,Q3,100", header="service,year,quarter,"
                                                                                      "budget")),
                                     council=harrowdale(), user=perf)
    assert [(p.row, p.column, p.rule) for p in outcome.problems] == [(1, "forecast outturn", "column missing")]


def test_the_command(tmp_path, perf):
    path = tmp_path / "export.csv"
    path.write_bytes(GOOD)
    out = io.StringIO()
    call_command("import_finance", str(path), "--council", "harrowdale", "--dry-run", stdout=out)
    assert "2 new" in out.getvalue() and "Dry run" in out.getvalue()
    assert not ServiceFinance.objects.filter(period=quarter(2026, 3)).exists()
    call_command("import_finance", str(path), "--council", "harrowdale", "--user", "helen.marsh", stdout=out)
    assert ServiceFinance.objects.filter(period=quarter(2026, 3)).count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv("Pest Control,2026/27,Q3,100,100,,"))
    with pytest.raises(CommandError, match="1 problems: nothing was imported"):
        call_command("import_finance", str(bad), "--council", "harrowdale", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no council"):
        call_command("import_finance", str(path), "--council", "nowhere", stdout=io.StringIO())


def test_the_upload_page_checks_then_imports_once_confirmed(client, perf):
    client.force_login(perf)
    url = reverse("reporting:finance_import")
    page = client.get(url + "?council=harrowdale")
    assert page.status_code == 200 and "forecast outturn" in page.content.decode()
    checked = client.post(url, {"council": "harrowdale", "file": SimpleUploadedFile("q3.csv", GOOD)})
    html = checked.content.decode()
    assert checked.status_code == 200 and 'id="preview"' in html and "£140,000 overspend (3.3%)" in html
    assert not ServiceFinance.objects.filter(period=quarter(2026, 3)).exists()  # checked, not stored
    token = checked.context["token"]
    done = client.post(url, {"council": "harrowdale", "step": "import", "token": token, "confirm": "yes"})
    assert done.status_code == 302
    assert ServiceFinance.objects.filter(period=quarter(2026, 3)).count() == 2
    again = client.post(url, {"council": "harrowdale", "step": "import", "token": token, "confirm": "yes"})
    assert again.status_code == 302  # nothing waiting any more: a message, nothing imported twice


def test_the_upload_page_lists_the_problems(client, perf):
    client.force_login(perf)
    response = client.post(reverse("reporting:finance_import"), {
        "council": "harrowdale", "file": SimpleUploadedFile("q3.csv", _csv("Pest Control,2026/27,Q3,100,100,,"))})
    html = response.content.decode()
    assert response.status_code == 400 and 'id="problems"' in html and "Pest Control" in html


def test_the_template_download(client, perf):
    client.force_login(perf)
    response = client.get(reverse("reporting:finance_template") + "?council=harrowdale&year=2026&quarter=2")
    assert response.status_code == 200 and response["Content-Disposition"].endswith('q2.csv"')
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(finance.SHEET.names)
    assert WASTE in text and '2026/27,Q2,"£' in text
    outcome = finance.import_finance(book=_book(response.content), council=harrowdale(), user=perf, dry_run=True)
    assert outcome.ok and set(outcome.counts) == {"unchanged"}  # the demo's own figures, read back


# -- access ---------------------------------------------------------------------------------------------------------

def _visible(name: str) -> set[str]:
    qs = restrict(ServiceFinance.objects.filter(period=quarter(), plan_item=None), user(name))
    return set(qs.values_list("service__name", flat=True))


def test_who_reads_which_services_figures():
    everything = set(ServiceFinance.objects.filter(period=quarter(), council__slug="harrowdale")
                     .values_list("service__name", flat=True))
    assert _visible("helen.marsh") == everything == _visible("nadia.holloway")
    assert _visible("grace.okafor") == {WASTE}  # head of service
    assert WASTE in _visible("tom.ashworth") and ASC not in _visible("tom.ashworth")
    director = _visible("ruth.calloway")
    assert WASTE in director and ASC not in director
    assert set(Service.objects.filter(name__in=director).values_list("directorate__name", flat=True)) == {
        "Place and Environment"}
    cabinet = _visible("owen.hartley")  # portfolio P5: the services with a measure beneath it
    assert WASTE in cabinet and ASC not in cabinet
    assert WASTE in _visible("gareth.whitlow") and ASC not in _visible("gareth.whitlow")
    assert _visible("liam.fenwick") == set()  # staff: no budgets


def test_refusals_are_403_and_404(client):
    asc = ServiceFinance.objects.get(service=service(ASC), period=quarter(), plan_item=None)
    waste = ServiceFinance.objects.get(service=service(WASTE), period=quarter(), plan_item=None)
    client.force_login(user("ruth.calloway"))
    assert client.get(reverse("reporting:finance_edit", args=[waste.pk])).status_code == 403  # reads, may not edit
    assert client.get(reverse("reporting:finance_edit", args=[asc.pk])).status_code == 404  # not hers to read
    assert client.get(reverse("reporting:finance_import")).status_code == 403
    assert client.get(reverse("reporting:finance_add")).status_code == 403
    assert client.get(reverse("reporting:finance_template")).status_code == 403
    page = client.get(reverse("reporting:finance") + "?year=2026&quarter=2")
    assert page.status_code == 200 and WASTE in page.content.decode() and ASC not in page.content.decode()
    outsider = f.user(f.council(), Role.PERFORMANCE_UNIT)
    client.force_login(outsider)
    assert client.get(reverse("reporting:finance_edit", args=[waste.pk])).status_code == 404
    assert client.get(reverse("reporting:finance") + "?council=harrowdale").status_code == 404


def test_the_finance_page_filters_and_pages(client, perf):
    client.force_login(perf)
    url = reverse("reporting:finance") + "?council=harrowdale&year=2026&quarter=2"
    html = client.get(url).content.decode()
    assert "overspend" in html and "underspend" in html and 'id="finance-table"' in html
    over = client.get(url + "&variance=overspend").context["lines"]
    assert over and all(line.kind == "overspend" for line in over)
    only = client.get(url + "&q=waste%20and").context["lines"]
    assert [line.finance.service.name for line in only] == [WASTE]
    assert client.get(url + "&year=abc&quarter=9&directorate=x&page=zz").status_code == 200


def test_the_finance_page_opens_at_the_latest_quarter_with_figures(client, perf):
    """On 16 November 2026 the quarter in progress (Q3) has no forecasts yet: the plain page shows Q2's."""
    client.force_login(perf)
    response = client.get(reverse("reporting:finance"))
    assert (response.context["year"], response.context["quarter"]) == (2026, 2)
    assert response.context["lines"] and "Q2 2026/27" in response.content.decode()
    assert client.get(reverse("reporting:finance") + "?year=2026&quarter=3").context["quarter"] == 3


def test_the_finance_page_query_count_is_flat(client, perf, django_assert_max_num_queries):
    client.force_login(perf)
    url = reverse("reporting:finance") + "?council=harrowdale&year=2026&quarter=2"
    client.get(url)
    with django_assert_max_num_queries(12):
        client.get(url)
    council = harrowdale()
    for _ in range(30):
        ServiceFinance.objects.create(council=council, service=f.service(council), period=quarter(),
                                      budget=Decimal(1000), forecast_outturn=Decimal(1200))
    with django_assert_max_num_queries(12):
        client.get(url)


# -- beside the measures --------------------------------------------------------------------------------------------

def test_the_dashboard_shows_each_services_finance_beside_its_measures(client, perf):
    client.force_login(perf)
    response = client.get(reverse("reporting:dashboard") + "?year=2026&quarter=2&measures=all")
    beside = response.context["finance"]
    waste = next(s for s in beside.services if s.service.name == WASTE)
    assert waste.whole is not None and waste.measures > 0
    html = response.content.decode()
    assert "Finance beside performance, Q2 2026/27" in html and waste.whole.words in html
    assert beside.overspending  # the demo has services overspending


def test_the_scorecard_and_the_indicator_page_show_it(client, perf):
    client.force_login(perf)
    ind = Indicator.objects.get(council__slug="harrowdale", ref="WAS02")
    plan = ind.plan_items.select_related("plan").first().plan
    html = client.get(reverse("reporting:scorecard", args=[plan.pk]) + "?year=2026&quarter=2").content.decode()
    assert 'id="finance-beside"' in html and WASTE in html
    page = client.get(reverse("indicators:detail", args=[ind.pk])).content.decode()
    assert 'id="service-finance"' in page and "Finance is context" in page


def test_finance_never_changes_a_measures_rating(perf):
    filters = board.Filters(year=2026, quarter=2, measures="all")
    before = {r.indicator.pk: (r.assessment.rag, r.assessment.direction) for r in board.build(perf, filters).rows}
    ServiceFinance.objects.filter(council__slug="harrowdale").update(forecast_outturn=Decimal("999999999"))
    after = board.build(perf, filters)
    assert {r.indicator.pk: (r.assessment.rag, r.assessment.direction) for r in after.rows} == before
    assert all(s.whole.kind == "overspend" for s in after.finance.services if s.whole)


# -- the packs ------------------------------------------------------------------------------------------------------

def _cabinet_snapshot() -> dict:
    cabinet = ReportDefinition.objects.get(council__slug="harrowdale", report_type="cabinet")
    return packs.assemble(cabinet, quarter(), as_of=date(2026, 11, 16))


def test_the_demo_cabinet_and_portfolio_reports_ask_for_it():
    for definition in ReportDefinition.objects.filter(council__slug="harrowdale",
                                                      report_type__in=["cabinet", "portfolio"]):
        assert "finance" in definition.sections, definition.name


def test_the_pack_section_per_service_in_scope():
    snap = _cabinet_snapshot()
    part = snap["finance"]
    assert part["quarter"] == "Q2 2026/27" and part["with_figures"] == len(part["services"])
    waste = next(s for s in part["services"] if s["service"] == WASTE)
    line = waste["lines"][0]
    assert line["label"] == "Whole service" and line["kind"] in ("overspend", "underspend", "on budget")
    assert line["budget"].startswith("£") and "rating" in part["note"]
    portfolio = ReportDefinition.objects.filter(council__slug="harrowdale", report_type="portfolio").first()
    scoped = packs.assemble(portfolio, quarter(), as_of=date(2026, 11, 16))["finance"]
    assert 0 < len(scoped["services"]) < len(part["services"])


def test_the_pack_section_in_every_format():
    snap = _cabinet_snapshot()
    words = snap["finance"]["services"][0]["lines"][0]["words"]
    assert {"anchor": "pack-finance", "title": "Finance beside performance", "level": 1} in web.contents(snap)
    html = str(web.render_html_body(snap))
    assert 'id="pack-finance"' in html and words in html
    document = Document(io.BytesIO(word.render_docx(snap)))
    assert "Finance beside performance" in [p.text for p in document.paragraphs]
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert words in cells
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(excel.render_xlsx(snap)))
    sheet = wb["Finance"]
    budget = next(row[4] for row in sheet.iter_rows(min_row=3, values_only=True) if row[0] == WASTE)
    assert isinstance(budget, int | float) and budget > 100_000
    from reporting.rendering import pdf

    assert "Finance beside performance" in pdf.render_pdf_html(snap)


def test_a_pack_not_asking_for_finance_has_none_and_an_old_snapshot_renders():
    snap = _cabinet_snapshot()
    del snap["finance"]
    assert not web.parts_shown(snap)["finance"]
    assert "pack-finance" not in str(web.render_html_body(snap))
    word.render_docx(snap)
    excel.render_xlsx(snap)


def test_figures_held_per_plan_item_show_under_their_service(client, perf):
    ind = Indicator.objects.get(council__slug="harrowdale", ref="WAS02")
    item = ind.plan_items.select_related("plan").order_by("pk").first()
    finance.create_finance(user=perf, council=harrowdale(), service=service(WASTE), period=quarter(),
                           plan_item=item, figures=figures(budget="250000", forecast="240000"))
    client.force_login(perf)
    html = client.get(reverse("reporting:scorecard", args=[item.plan_id]) + "?year=2026&quarter=2").content.decode()
    assert f"{item.ref} {item.title}" in html and "£10,000 underspend (4.0%)" in html
    with pytest.raises(Refused, match="already has finance figures for"):
        finance.create_finance(user=perf, council=harrowdale(), service=service(WASTE), period=quarter(),
                               plan_item=item, figures=figures())


def test_a_report_of_finance_alone_shows_only_it():
    snap = _cabinet_snapshot()
    snap["sections"] = ["finance"]
    shown = web.parts_shown(snap)
    assert shown["finance"] and not shown["overview"] and not shown["plans"]


def test_a_service_shared_by_two_councils_shows_each_councils_figures():
    from reporting import finance as beside

    home, other = harrowdale(), f.council()
    waste = service(WASTE)
    rows = [ServiceFinance(council=home, service=waste, period=quarter(), budget=Decimal(100),
                           forecast_outturn=Decimal(110)),
            ServiceFinance(council=other, service=waste, period=quarter(), budget=Decimal(100),
                           forecast_outturn=Decimal(90))]
    found = beside.build([(home, waste.pk, "red"), (other, waste.pk, "green"), (other, waste.pk, "green")],
                         {waste.pk: waste}, rows, year=2026, quarter=2)
    assert found.several_councils
    views = {v.council.pk: v for v in found.services}
    assert views[home.pk].whole.kind == "overspend" and views[home.pk].performance == "1 measure: 1 Red"
    assert views[other.pk].whole.kind == "underspend" and views[other.pk].performance == "2 measures: 2 Green"


# -- review fixes: a shared service, the dry run, permissions, the words, the import's reads -----------------------

def _pair():
    from demo.pair import pair_councils

    return pair_councils()


def _shared_service_figures():
    """Waste and Street Scene, shared by both councils of the pair: each council's own Q2 2026/27 figures."""
    wyebridge, ashcombe = _pair()
    waste = Service.objects.get(directorate__councils=wyebridge, name="Waste and Street Scene")
    rows = {r.council_id: r for r in ServiceFinance.objects.filter(service=waste, period=quarter(), plan_item=None)}
    return wyebridge, ashcombe, waste, rows


def test_the_pair_holds_each_councils_own_figures_for_its_shared_services():
    wyebridge, ashcombe, waste, rows = _shared_service_figures()
    assert set(rows) == {wyebridge.pk, ashcombe.pk}
    assert rows[wyebridge.pk].budget != rows[ashcombe.pk].budget  # each council's own budget, not a copy
    shared = set(Service.objects.filter(directorate__councils=wyebridge).values_list("pk", flat=True))
    for council in (wyebridge, ashcombe):
        held = set(ServiceFinance.objects.filter(council=council, period=quarter(), plan_item=None)
                   .values_list("service", flat=True))
        assert held == shared


def test_a_measure_page_shows_its_own_councils_figures_for_a_shared_service(client):
    """The shared officer (performance unit of both councils) reads both councils' figures: each council's measure
    page shows that council's, never the other's."""
    wyebridge, ashcombe, waste, rows = _shared_service_figures()
    client.force_login(user(DEMO_PAIR_UNIT))
    for council, other in ((wyebridge, ashcombe), (ashcombe, wyebridge)):
        ind = Indicator.objects.get(council=council, ref="WSS01")
        response = client.get(reverse("indicators:detail", args=[ind.pk]))
        line = response.context["service_finance"]
        assert line.finance.council_id == council.pk and line.finance.service_id == waste.pk
        html = response.content.decode()
        assert f"Budget for the year {finance.money(rows[council.pk].budget)}" in html
        assert f"Budget for the year {finance.money(rows[other.pk].budget)}" not in html


def test_the_dashboard_shows_each_councils_own_figures_for_a_shared_service(client):
    wyebridge, ashcombe, waste, rows = _shared_service_figures()
    client.force_login(user(DEMO_PAIR_UNIT))
    response = client.get(reverse("reporting:dashboard") + "?year=2026&quarter=2&measures=all")
    beside = response.context["finance"]
    views = {v.council.pk: v for v in beside.services if v.service.pk == waste.pk}
    assert set(views) == {wyebridge.pk, ashcombe.pk} and beside.several_councils
    html = response.content.decode()
    for council in (wyebridge, ashcombe):
        assert views[council.pk].whole.finance.pk == rows[council.pk].pk
        assert views[council.pk].whole.budget == finance.money(rows[council.pk].budget)
        assert views[council.pk].whole.words in html


def test_a_pair_councils_pack_has_its_own_finance_figures():
    wyebridge, ashcombe, waste, rows = _shared_service_figures()
    for council in (wyebridge, ashcombe):
        cabinet = next(d for d in ReportDefinition.objects.filter(council=council, report_type="cabinet")
                       if "finance" in d.sections)
        part = packs.assemble(cabinet, quarter(), as_of=date(2026, 11, 16))["finance"]
        assert part["with_figures"] == len(part["services"]) > 0  # no "No finance figures"
        mine = next(s for s in part["services"] if s["service"] == waste.name)
        assert mine["lines"][0]["budget"] == finance.money(rows[council.pk].budget)


def test_importing_into_one_council_leaves_the_other_councils_figures_of_a_shared_service(perf):
    wyebridge, ashcombe, waste, rows = _shared_service_figures()
    data = _csv(f"{waste.name},2026/27,Q2,1000000,1250000,,")
    outcome = finance.import_finance(book=_book(data), council=ashcombe, user=None)
    assert outcome.ok and outcome.counts == {"changed": 1}
    assert ServiceFinance.objects.get(pk=rows[ashcombe.pk].pk).forecast_outturn == Decimal("1250000")
    kept = ServiceFinance.objects.get(pk=rows[wyebridge.pk].pk)
    assert (kept.budget, kept.forecast_outturn, kept.version) == (
        rows[wyebridge.pk].budget, rows[wyebridge.pk].forecast_outturn, rows[wyebridge.pk].version)


def test_a_dry_run_or_a_refused_file_creates_no_financial_year(perf):
    from pmf.models import FinancialYear

    years, periods = FinancialYear.objects.count(), Period.objects.count()
    data = _csv(f"{WASTE},2031/32,Q1,100,100,,", f"{WASTE},2026/27,Q3,100,100,,")
    for dry_run in (True, False):
        outcome = finance.import_finance(book=_book(data), council=harrowdale(), user=perf, dry_run=dry_run)
        assert [(p.row, p.column, p.rule) for p in outcome.problems] == [(2, "quarter", "unknown quarter")]
        assert "There is no quarter Q1 2031/32 in the system" in outcome.problems[0].message
    assert (FinancialYear.objects.count(), Period.objects.count()) == (years, periods)
    assert not FinancialYear.objects.filter(start_year=2031).exists()
    assert not ServiceFinance.objects.filter(period=quarter(2026, 3)).exists()


def test_the_import_service_refuses_someone_outside_the_performance_unit(tmp_path):
    with pytest.raises(PermissionDenied):
        finance.import_finance(book=_book(GOOD), council=harrowdale(), user=user("ruth.calloway"))
    with pytest.raises(PermissionDenied):  # a dry run too: it shows what is held
        finance.import_finance(book=_book(GOOD), council=harrowdale(), user=user("ruth.calloway"), dry_run=True)
    outsider = f.user(f.council(), Role.PERFORMANCE_UNIT)  # another council's performance unit
    with pytest.raises(PermissionDenied):
        finance.import_finance(book=_book(GOOD), council=harrowdale(), user=outsider)
    assert not ServiceFinance.objects.filter(period=quarter(2026, 3)).exists()
    path = tmp_path / "export.csv"
    path.write_bytes(GOOD)
    with pytest.raises(CommandError, match="only its performance unit"):
        call_command("import_finance", str(path), "--council", "harrowdale", "--user", "ruth.calloway",
                     stdout=io.StringIO())
    assert not ServiceFinance.objects.filter(period=quarter(2026, 3)).exists()
    system = finance.import_finance(book=_book(GOOD), council=harrowdale(), user=None)  # the command's default
    assert system.stored and system.counts == {"new": 2}


def test_measured_is_said_once_and_self_assessed_statuses_are_counted():
    from reporting import finance as beside

    home, waste = harrowdale(), service(WASTE)
    found = beside.build([(home, waste.pk, "measured"), (home, waste.pk, "not_rated"), (home, waste.pk, "green", True),
                          (home, waste.pk, "red", False)], {waste.pk: waste}, [], year=2026, quarter=2)
    view = found.services[0]
    assert view.performance == "4 measures: 1 Red, 1 Green, 2 Measured (not rated) (1 self-assessed)"
    assert view.data()["ratings"] == {"red": 1, "green": 1, "measured": 2}
    pack = beside.pack_finance(home, [(waste.pk, "not_rated"), (waste.pk, "not_rated")], year=2026, quarter=2)
    assert pack["services"][0]["performance"] == "2 measures: 2 Measured (not rated)"


def test_the_variance_percentage_is_one_computation():
    from indicators.models import variance_pct

    assert variance_pct(Decimal("150000"), Decimal("2000000")) == Decimal("7.5")
    assert variance_pct(Decimal("5"), Decimal("0")) is None
    line = finance.Line(row=2, service=service(WASTE), plan_item=None, period=quarter(),
                        figures=figures(budget="3000000", forecast="3100000"), action="new")
    row = ServiceFinance(budget=Decimal("3000000"), forecast_outturn=Decimal("3100000"))
    assert line.variance_text == finance.variance_words(row.variance, row.variance_pct) == \
        "£100,000 overspend (3.3%)"


def test_the_import_reads_the_same_number_of_queries_whatever_the_rows(perf):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    names = list(finance.services_of(harrowdale()).values_list("name", flat=True).distinct().order_by("name"))
    names = [n for n in names if finance.services_of(harrowdale()).filter(name=n).count() == 1]
    assert len(names) > 10

    def queries(count: int) -> int:
        data = _csv(*[f'"{n}",2026/27,Q2,"£1,000,000","£1,010,000",,' for n in names[:count]])
        with CaptureQueriesContext(connection) as captured:
            outcome = finance.import_finance(book=_book(data), council=harrowdale(), user=perf, dry_run=True)
        assert outcome.ok, outcome.problems
        return len(captured)

    queries(2)  # the user's scope, read once
    assert queries(2) == queries(len(names))


def test_other_columns_of_a_finance_systems_export_are_ignored(client, perf):
    data = _csv(f'{WASTE},CC1042,2026/27,Q3,"£4,250,000",Employees,"£4,390,000",,',
                header="service,cost centre code,year,quarter,budget,subjective,forecast outturn,spent to date,"
                       "commentary")
    outcome = finance.import_finance(book=_book(data), council=harrowdale(), user=perf)
    assert outcome.stored and outcome.ignored == ["cost centre code", "subjective"]
    assert ServiceFinance.objects.get(service=service(WASTE), period=quarter(2026, 3)).budget == Decimal("4250000")
    client.force_login(perf)
    url = reverse("reporting:finance_import")
    assert "Other columns are ignored" in client.get(url + "?council=harrowdale").content.decode()
    checked = client.post(url, {"council": "harrowdale", "file": SimpleUploadedFile("q3.csv", data)})
    html = checked.content.decode()
    assert checked.status_code == 200 and "Columns ignored: cost centre code, subjective." in html


def test_the_waiting_upload_is_taken_once_and_only_for_its_council(client, perf, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(perf)
    url = reverse("reporting:finance_import")
    checked = client.post(url, {"council": "harrowdale", "file": SimpleUploadedFile("q3.csv", GOOD)})
    token = checked.context["token"]
    stored = list(tmp_path.rglob("finance-*.csv"))
    assert len(stored) == 1 and token in stored[0].name
    wrong = client.post(url, {"council": "harrowdale", "step": "import", "token": "0" * 32, "confirm": "yes"},
                        follow=True)
    assert "There is no checked file waiting to be imported" in wrong.content.decode()
    unconfirmed = client.post(url, {"council": "harrowdale", "step": "import", "token": token})
    assert unconfirmed.status_code == 302 and stored[0].exists()  # still waiting for the confirmation
    client.post(url, {"council": "harrowdale", "step": "import", "token": token, "confirm": "yes"})
    assert not stored[0].exists() and "finance_upload" not in client.session
    assert ServiceFinance.objects.filter(period=quarter(2026, 3)).count() == 2


def test_a_council_that_is_not_a_slug_is_not_found(client, perf):
    client.force_login(perf)
    assert client.get(reverse("reporting:finance") + "?council=har%20rowdale").status_code == 404
    assert client.get(reverse("reporting:finance_import") + "?council=nowhere").status_code == 404
