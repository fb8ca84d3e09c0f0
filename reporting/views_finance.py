"""Finance beside performance (C 3.1): a council's finance figures per quarter, with filters; entering and changing
a quarter's figures; importing the finance system's CSV export (upload, a dry run shown as a table of problems or of
what would change, then the import once confirmed); the blank file to fill in.

Everyone signed in reads the figures the finance read rule gives them (``indicators.access.finance_q``); only the
performance unit enters and imports them (403 for anyone else; figures outside the reader's scope are not found).
The uploaded file waits between the check and the import in the server's storage under a random name kept in the
person's session, as the council workbook's does; nothing of it is stored in the database until confirmed."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from indicators import finance
from indicators.access import can_edit_finance
from indicators.models import ServiceFinance
from plans.models import PlanItem
from pmf import access, clock, imports
from pmf.downloads import content_download
from pmf.errors import Conflict, Refused
from pmf.forms import VersionField, show_refusal
from pmf.models import Council, Directorate, FinancialYear, Period
from pmf.pagination import int_param, paginate
from pmf.periods import period_for_date
from reporting.finance import Line, quarter_label

PER_PAGE = 50
SESSION_KEY = "finance_upload"
VARIANCE_CHOICES = [("", "Any"), ("overspend", "Overspend"), ("underspend", "Underspend"),
                    ("on_budget", "On budget")]


# -- which council ----------------------------------------------------------------------------------------------

def _council(request: HttpRequest, *, editing: bool = False) -> Council:
    """``?council=<slug>`` (or the form's), else the first council the person works for (may enter figures for,
    when ``editing``); a council they have nothing to do with is not found, one whose figures they may not enter is
    refused."""
    if editing:
        return access.council_from_request(request, refused=finance.REFUSED, may=can_edit_finance)
    return access.council_from_request(request)


def _councils(request: HttpRequest) -> list[Council]:
    return list(access.councils_for(request.user).order_by("name"))


def _latest_quarter() -> tuple[int, int]:
    """The quarter the figures are usually looked at: the one in progress (forecasts are made during it)."""
    return period_for_date(frequency="quarterly", on=clock.today())


# -- forms ------------------------------------------------------------------------------------------------------

class MoneyField(forms.CharField):
    """An amount in pounds, as people type it: "£4,250,000", "4250000", "£4.25m"."""

    def clean(self, value):
        value = super().clean(value)
        try:
            return finance.parse_money(value)
        except ValueError as bad:
            raise ValidationError(f"{bad}.") from None


class FiguresForm(forms.Form):
    budget = MoneyField(label="Budget for the year (£)", max_length=40,
                        help_text="The service's budget for the whole financial year, e.g. £4,250,000.")
    forecast_outturn = MoneyField(label="Forecast outturn (£)", max_length=40,
                                  help_text="What the service expects to spend by the end of the year.")
    spent_to_date = MoneyField(label="Spent to date (£)", max_length=40, required=False,
                               help_text="Optional: what has been spent so far this year.")
    commentary = forms.CharField(label="Commentary", required=False, max_length=finance.MAX_COMMENTARY,
                                 widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text="Why the forecast differs from the budget, and what is being done.")
    source = forms.CharField(label="Source", required=False, max_length=200,
                             help_text="Where the figures came from, e.g. “Budget monitoring report, Q2”.")

    def figures(self) -> finance.Figures:
        d = self.cleaned_data
        return finance.Figures(budget=d.get("budget"), forecast_outturn=d.get("forecast_outturn"),
                               spent_to_date=d.get("spent_to_date"), commentary=d.get("commentary", ""),
                               source=d.get("source", ""))


class NewFiguresForm(FiguresForm):
    field_order = ["service", "period", "plan_item", "budget", "forecast_outturn", "spent_to_date", "commentary",
                   "source"]

    def __init__(self, *args, council: Council, **kwargs):
        super().__init__(*args, **kwargs)
        today = clock.today()
        self.fields["service"] = forms.ModelChoiceField(
            label="Service", queryset=finance.services_of(council).select_related("directorate").order_by(
                "directorate__name", "name"), help_text="The service the figures are for.")
        self.fields["service"].label_from_instance = lambda s: f"{s.name} ({s.directorate.name})"
        self.fields["period"] = forms.ModelChoiceField(
            label="Quarter", queryset=Period.objects.filter(frequency="quarterly", start__lte=today).order_by(
                "-financial_year_id", "-number"),
            help_text="The quarter the forecast was made at.")
        self.fields["period"].label_from_instance = lambda p: quarter_label(p.financial_year_id, p.number)
        year = period_for_date(frequency="annual", on=today)[0]
        self.fields["plan_item"] = forms.ModelChoiceField(
            label="Plan item", required=False, queryset=PlanItem.objects.filter(
                plan__council=council, plan__person__isnull=True, plan__team__isnull=True,
                plan__end_year_id__gte=year - 2).select_related("plan").order_by("plan__title", "path"),
            help_text="Only where the finance system holds the budget per plan item; leave blank for the whole "
                      "service.")
        self.fields["plan_item"].label_from_instance = lambda i: f"{i.ref} {i.title} ({i.plan.title})"
        self.order_fields(self.field_order)


class EditFiguresForm(FiguresForm):
    version = VersionField()


class UploadForm(forms.Form):
    file = forms.FileField(label="Finance file", help_text="The CSV file the finance system exports (or a workbook "
                                                           "with a sheet called Finance). Up to 50 MB.")


# -- the list ---------------------------------------------------------------------------------------------------

@login_required
def finance_list(request: HttpRequest) -> HttpResponse:
    """A council's figures for a quarter, with filters (directorate, overspend or underspend, a search)."""
    council = _council(request)
    get = request.GET
    this_year, this_quarter = _latest_quarter()
    default_year, default_quarter = this_year, this_quarter
    if not get.get("year") and not get.get("quarter"):
        # Opened plain: the latest quarter with figures (the one in progress may have none yet), else that one.
        latest = (ServiceFinance.objects.filter(council=council, period__start__lte=clock.today())
                  .order_by("-period__start").values_list("period__financial_year_id", "period__number").first())
        if latest is not None:
            default_year, default_quarter = latest
    years = list(FinancialYear.objects.filter(start_year__lte=this_year).order_by("-start_year")
                 .values_list("start_year", flat=True))
    year = int_param(get.get("year", ""), maximum=2100)
    year = year if year in years else default_year
    quarter = int_param(get.get("quarter", ""), maximum=4) or (default_quarter if year == default_year else 4)
    directorate = int_param(get.get("directorate", ""))
    variance = get.get("variance", "") if get.get("variance", "") in dict(VARIANCE_CHOICES) else ""
    q = get.get("q", "").replace("\x00", "").strip()[:100]

    everything = access.restrict(ServiceFinance.objects.filter(
        council=council, period__financial_year_id=year, period__frequency="quarterly", period__number=quarter),
        request.user)
    rows = everything.select_related("service__directorate", "plan_item", "period", "updated_by")
    if directorate is not None:
        rows = rows.filter(service__directorate_id=directorate)
    if variance == "overspend":
        rows = rows.filter(forecast_outturn__gt=F("budget"))
    elif variance == "underspend":
        rows = rows.filter(forecast_outturn__lt=F("budget"))
    elif variance == "on_budget":
        rows = rows.filter(forecast_outturn=F("budget"))
    if q:
        rows = rows.filter(Q(service__name__icontains=q) | Q(plan_item__ref__icontains=q)
                           | Q(commentary__icontains=q))
    rows = rows.order_by("service__directorate__name", "service__name", F("plan_item__ref").asc(nulls_first=True),
                         "pk")
    page, querystring = paginate(request, rows, per_page=PER_PAGE)
    lines = [Line(f) for f in page.object_list]
    directorates = Directorate.objects.filter(pk__in=everything.values("service__directorate")).order_by("name")
    return render(request, "reporting/finance/list.html", {
        "nav": "finance", "council": council, "councils": _councils(request), "page_obj": page, "lines": lines,
        "querystring_without_page": querystring, "count": page.paginator.count,
        "years": [(y, quarter_label(y, 1)[3:]) for y in years], "year": year, "quarter": quarter,
        "quarter_label": quarter_label(year, quarter), "directorates": directorates, "directorate": directorate,
        "variance": variance, "variance_choices": VARIANCE_CHOICES, "q": q,
        "can_edit": can_edit_finance(request.user, council.pk),
    })


# -- entering and changing --------------------------------------------------------------------------------------

def _list_url(council: Council, period: Period | None = None) -> str:
    url = reverse("reporting:finance") + f"?council={council.slug}"
    if period is not None:
        url += f"&year={period.financial_year_id}&quarter={period.number}"
    return url


@login_required
def finance_add(request: HttpRequest) -> HttpResponse:
    council = _council(request, editing=True)
    status = 200
    if request.method == "POST":
        form = NewFiguresForm(request.POST, council=council)
        if form.is_valid():
            d = form.cleaned_data
            try:
                row = finance.create_finance(user=request.user, council=council, service=d["service"],
                                             period=d["period"], plan_item=d.get("plan_item"),
                                             figures=form.figures())
            except Refused as refused:
                show_refusal(form, refused)
            except Conflict as conflict:
                messages.error(request, conflict.args[0])
                status = 409
            else:
                messages.success(request, f"Finance figures of {row.service} for {quarter_label(*row.period.key)} "
                                          "recorded.")
                return redirect(_list_url(council, row.period))
        status = 400 if status == 200 else status
    else:
        form = NewFiguresForm(council=council)
    return render(request, "reporting/finance/form.html", {
        "nav": "finance", "council": council, "form": form, "finance": None}, status=status)


@login_required
def finance_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(access.restrict(ServiceFinance.objects.all(), request.user).select_related(
        "council", "service__directorate", "plan_item", "period", "updated_by"), pk=pk)
    if not can_edit_finance(request.user, row.council_id):
        raise PermissionDenied(finance.REFUSED)
    status = 200
    if request.method == "POST":
        form = EditFiguresForm(request.POST)
        if form.is_valid():
            try:
                finance.update_finance(user=request.user, finance=row, figures=form.figures(),
                                       version=form.cleaned_data["version"])
            except Refused as refused:
                show_refusal(form, refused)
            except Conflict as conflict:
                messages.error(request, conflict.args[0])
                current = conflict.current
                if current is None:
                    return redirect(_list_url(row.council, row.period))
                form = EditFiguresForm(initial=_initial(current))
                return render(request, "reporting/finance/form.html", {
                    "nav": "finance", "council": row.council, "form": form, "finance": current,
                    "line": Line(current), "conflict": True}, status=409)
            else:
                messages.success(request, f"Finance figures of {row.service} for {quarter_label(*row.period.key)} "
                                          "changed.")
                return redirect(_list_url(row.council, row.period))
        status = 400
    else:
        form = EditFiguresForm(initial=_initial(row))
    return render(request, "reporting/finance/form.html", {
        "nav": "finance", "council": row.council, "form": form, "finance": row, "line": Line(row)},
        status=status)


def _initial(row: ServiceFinance) -> dict:
    return {"budget": finance.exact(row.budget, pound=False),
            "forecast_outturn": finance.exact(row.forecast_outturn, pound=False),
            "spent_to_date": finance.exact(row.spent_to_date, pound=False), "commentary": row.commentary,
            "source": row.source, "version": row.version}


# -- importing --------------------------------------------------------------------------------------------------

def _import_page(request, council, *, form, outcome=None, status=200, token="") -> HttpResponse:
    return render(request, "reporting/finance/import.html", {
        "nav": "finance", "council": council, "form": form, "outcome": outcome, "token": token,
        "sheet": finance.SHEET}, status=status)


@login_required
def finance_import(request: HttpRequest) -> HttpResponse:
    """GET: the page. POST: upload the file and run the dry run; the page shows its problems, or what the import
    would do with a button to confirm it. POST with ``step=import``: import the file checked."""
    council = _council(request, editing=True)
    if request.method != "POST":
        return _import_page(request, council, form=UploadForm())
    if request.POST.get("step") == "import":
        return _import_confirmed(request, council)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, council, form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        book = imports.read_book(upload, default_sheet=finance.SHEET.name)
    except ValidationError as error:
        form.add_error("file", error)
        return _import_page(request, council, form=form, status=400)
    outcome = finance.import_finance(book=book, council=council, user=request.user, dry_run=True)
    if not outcome.ok:
        return _import_page(request, council, form=UploadForm(), outcome=outcome, status=400)
    token = imports.stash_upload(request, SESSION_KEY, council.pk, upload, book.name, prefix="finance-")
    return _import_page(request, council, form=UploadForm(), outcome=outcome, token=token)


def _import_confirmed(request: HttpRequest, council: Council) -> HttpResponse:
    """Import the file checked by the dry run (all or nothing, checked again as it is read)."""
    try:
        waiting = imports.take_upload(request, SESSION_KEY, council.pk)
    except imports.NotWaiting as missing:
        messages.error(request, str(missing))
        return redirect(reverse("reporting:finance_import") + f"?council={council.slug}")
    book = waiting.book(default_sheet=finance.SHEET.name)
    outcome = finance.import_finance(book=book, council=council, user=request.user)
    if not outcome.ok:
        return _import_page(request, council, form=UploadForm(), outcome=outcome, status=400)
    messages.success(request, f"Imported “{book.name}” into {council}: {outcome.summary}. Every change is in the "
                              "audit trail.")
    first = outcome.lines[0].period if outcome.lines else None
    return redirect(_list_url(council, first))


@login_required
def finance_template(request: HttpRequest) -> HttpResponse:
    """The file the import reads, filled in with the council's services for a quarter (and their figures where
    held): the example to start from."""
    council = _council(request, editing=True)
    default_year, default_quarter = _latest_quarter()
    year = int_param(request.GET.get("year", ""), maximum=2100) or default_year
    year = year if 2000 <= year <= default_year else default_year
    quarter = int_param(request.GET.get("quarter", ""), maximum=4) or default_quarter
    data = finance.template_csv(council, year=year, quarter=quarter)
    return content_download(data, content_type="text/csv; charset=utf-8",
                            filename=f"{council.slug}-finance-{year}-q{quarter}.csv")
