"""Finance beside performance (C 3.1, Breckland, Blackpool): a service's budget for the year, its forecast outturn and
the variance between them, per quarter (and per plan item where the finance system holds it), entered by the
performance unit or imported from the CSV file a finance system exports.

Finance is context: it is shown beside the service's measures and never changes a measure's status.

Writes: ``create_finance`` and ``update_finance`` (one transaction each, with the audit entry, the update conditional
on the version the user saw), and ``import_finance`` (all or nothing through the core's import machinery,
``pmf.imports``: every problem named by row and column, a dry run stores nothing). The words a page shows for a
variance ("overspend", "underspend") come from ``variance_words``, here, for every page and pack alike.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Upper
from django.utils import timezone

from indicators.access import can_edit_finance
from indicators.models import ServiceFinance, variance_pct
from plans.models import PlanItem
from pmf import audit, clock, imports
from pmf.errors import Conflict, Refused
from pmf.imports import Column as C
from pmf.models import Council, Period, Service, User
from pmf.periods import financial_year_label

FINANCE_FIELDS = ["budget", "forecast_outturn", "spent_to_date", "commentary", "source"]
#: The largest amount a figure holds (14 digits, 2 of them after the point).
LIMIT = Decimal(10) ** 12
PENNY = Decimal("0.01")
MAX_COMMENTARY = 4000
REFUSED = "Only the performance unit enters and imports finance figures."


# -- Words ------------------------------------------------------------------------------------------------------

def money(value: Decimal | None) -> str:
    """£12,345,678 (whole pounds; pence shown only below £1,000): how pages and packs show an amount."""
    if value is None:
        return "—"
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value < 1000 and value != value.to_integral_value():
        return f"{sign}£{value:,.2f}"
    return f"{sign}£{value.quantize(Decimal(1)):,}"


def variance_kind(variance: Decimal) -> str:
    """"overspend" (forecast above budget), "underspend" (below it) or "on budget"."""
    if variance > 0:
        return "overspend"
    if variance < 0:
        return "underspend"
    return "on budget"


def variance_words(variance: Decimal, pct: Decimal | None) -> str:
    """"£120,000 overspend (4.0%)", "£35,000 underspend (1.2%)" or "On budget": always a word, never a colour."""
    kind = variance_kind(variance)
    if kind == "on budget":
        return "On budget"
    share = f" ({abs(pct)}%)" if pct is not None else ""
    return f"{money(abs(variance))} {kind}{share}"


# -- Entering one quarter's figures -----------------------------------------------------------------------------

@dataclass
class Figures:
    """What the performance unit typed (or a row of the finance system's file held)."""

    budget: Decimal | None
    forecast_outturn: Decimal | None
    spent_to_date: Decimal | None = None
    commentary: str = ""
    source: str = ""


def services_of(council: Council):
    """The services of a council (through their directorates; a shared directorate's services are each council's)."""
    return Service.objects.filter(directorate__councils=council)


def _check_amount(errors: dict, name: str, label: str, value: Decimal | None, *, required: bool,
                  not_negative: bool = False) -> None:
    if value is None:
        if required:
            errors[name] = f"Enter the {label}."
        return
    if not value.is_finite() or abs(value) >= LIMIT:
        errors[name] = f"The {label} is too large: at most £999,999,999,999.99."
    elif value != value.quantize(PENNY):
        errors[name] = f"The {label} is in pounds and pence: at most 2 decimal places."
    elif not_negative and value < 0:
        errors[name] = f"The {label} cannot be negative."


def validate(*, council: Council, service: Service | None, period: Period | None, plan_item: PlanItem | None,
             figures: Figures, today=None, service_ids: set[int] | None = None) -> None:
    """Refuse (``Refused``, by field) figures that break a rule; nothing is saved. ``service_ids``: the council's
    services, where the caller has read them already (an import, checking many rows)."""
    today = today or clock.today()
    errors: dict[str, str] = {}
    if service is None:
        errors["service"] = "Choose the service."
    elif not (service.pk in service_ids if service_ids is not None
              else services_of(council).filter(pk=service.pk).exists()):
        errors["service"] = f"{service} is not a service of {council}."
    if period is None:
        errors["period"] = "Choose the quarter."
    elif period.frequency != "quarterly":
        errors["period"] = f"Finance figures are held per quarter: {period.label} is not a quarter."
    elif period.start > today:
        errors["period"] = f"{period.label} has not started yet: enter the forecast made at a quarter that has."
    if plan_item is not None:
        if plan_item.plan.council_id != council.pk:
            errors["plan_item"] = f"{plan_item.ref} is not a plan item of {council}."
        elif period is not None and not (plan_item.plan.start_year_id <= period.financial_year_id
                                         <= plan_item.plan.end_year_id):
            errors["plan_item"] = (f"{plan_item.ref} belongs to {plan_item.plan}, which does not cover "
                                   f"{financial_year_label(period.financial_year_id)}.")
    _check_amount(errors, "budget", "budget", figures.budget, required=True, not_negative=True)
    _check_amount(errors, "forecast_outturn", "forecast outturn", figures.forecast_outturn, required=True)
    _check_amount(errors, "spent_to_date", "spent to date", figures.spent_to_date, required=False)
    if len(figures.commentary or "") > MAX_COMMENTARY:
        errors["commentary"] = f"The commentary is {len(figures.commentary):,} characters long; at most " \
                               f"{MAX_COMMENTARY:,} are allowed."
    if len(figures.source or "") > 200:
        errors["source"] = "The source is at most 200 characters long."
    if errors:
        raise Refused(errors)


def _values(figures: Figures) -> dict:
    return {"budget": figures.budget, "forecast_outturn": figures.forecast_outturn,
            "spent_to_date": figures.spent_to_date, "commentary": (figures.commentary or "").strip(),
            "source": (figures.source or "").strip()}


def existing(*, council: Council, service: Service, period: Period,
             plan_item: PlanItem | None) -> ServiceFinance | None:
    """The council's figures for the service, quarter and plan item (a shared service has each council's own)."""
    return ServiceFinance.objects.filter(council=council, service=service, period=period,
                                         plan_item=plan_item).first()


@transaction.atomic
def create_finance(*, user: User, council: Council, service: Service | None, period: Period | None,
                   figures: Figures, plan_item: PlanItem | None = None) -> ServiceFinance:
    """Record a service's figures for a quarter (and plan item). Refused when that quarter already has figures:
    they are changed on their own page, on the version the user saw."""
    if not can_edit_finance(user, council.pk):
        raise PermissionDenied(REFUSED)
    validate(council=council, service=service, period=period, plan_item=plan_item, figures=figures)
    if existing(council=council, service=service, period=period, plan_item=plan_item) is not None:
        where = f" for {plan_item.ref}" if plan_item else ""
        raise Refused({"period": f"{service} already has finance figures{where} for {period.label}: change "
                                 "those instead."})
    try:
        with transaction.atomic():
            row = ServiceFinance.objects.create(council=council, service=service, plan_item=plan_item,
                                                period=period, updated_by=user, **_values(figures))
    except IntegrityError:
        raise Conflict(existing(council=council, service=service, period=period, plan_item=plan_item),
                       "Someone else entered this service's figures for that quarter first.") from None
    audit.record(user=user, action="create", obj=row, council=council,
                 changes=audit.diff({}, audit.snapshot(row, FINANCE_FIELDS)))
    return row


@transaction.atomic
def update_finance(*, user: User, finance: ServiceFinance, figures: Figures, version: int | None) -> ServiceFinance:
    """Change a quarter's figures, conditional on the version the user loaded (``Conflict`` when someone else
    changed them since)."""
    council = finance.council
    if not can_edit_finance(user, council.pk):
        raise PermissionDenied(REFUSED)
    if version is None or version != finance.version:
        raise Conflict(ServiceFinance.objects.filter(pk=finance.pk).first())
    validate(council=council, service=finance.service, period=finance.period, plan_item=finance.plan_item,
             figures=figures)
    before = audit.snapshot(finance, FINANCE_FIELDS)
    updated = ServiceFinance.objects.filter(pk=finance.pk, version=version).update(
        version=F("version") + 1, updated_at=timezone.now(), updated_by=user, **_values(figures))
    if not updated:
        raise Conflict(ServiceFinance.objects.filter(pk=finance.pk).first())
    finance.refresh_from_db()
    audit.record(user=user, action="update", obj=finance, council=council,
                 changes=audit.diff(before, audit.snapshot(finance, FINANCE_FIELDS)))
    return finance


# -- Importing the finance system's export ----------------------------------------------------------------------

SHEET = imports.Sheet("Finance", (
    C("service", required=True, max_length=150, aliases=("service name", "service area", "cost centre name"),
      help="The service's name, as it is in the system.", example="Waste and Recycling"),
    C("directorate", max_length=150, aliases=("directorate name", "directorate code"),
      help="The directorate's name or code: needed only where two directorates have a service of that name.",
      example="PLA"),
    C("plan item", max_length=30, aliases=("plan item ref", "plan item reference", "plan ref"),
      help="Where the budget is held per plan item: the item's reference (blank: the whole service).",
      example=""),
    C("year", "year", required=True, aliases=("financial year",),
      help="The financial year.", example="2026/27"),
    C("quarter", required=True, max_length=10, aliases=("period", "qtr"),
      help="The quarter the forecast was made at: Q1, Q2, Q3 or Q4.", example="Q2"),
    C("budget", required=True, max_length=40, aliases=("budget (£)", "annual budget", "current budget",
                                                        "revised budget"),
      help="The budget for the year, in pounds (£ signs and thousands separators are fine).", example="£4,250,000"),
    C("forecast outturn", required=True, max_length=40, aliases=("forecast outturn (£)", "forecast",
                                                                  "projected outturn", "outturn"),
      help="What the service expects to spend by the end of the year, in pounds.", example="£4,390,000"),
    C("spent to date", max_length=40, aliases=("spent to date (£)", "actual to date", "actuals to date",
                                               "spend to date"),
      help="Spent so far this year, in pounds (optional).", example="£2,010,500"),
    C("commentary", max_length=MAX_COMMENTARY, aliases=("comment", "comments", "notes"),
      help="Why the forecast differs from the budget (optional).",
      example="Higher fuel and vehicle hire costs while the new fleet is delivered."),
), help="One row per service (or plan item) per quarter, as the finance system exports it.",
    key=("service", "directorate", "plan item", "year", "quarter"))

_QUARTER = re.compile(r"^(?:q|quarter\s*)?([1-4])$", re.IGNORECASE)
_MONEY_JUNK = re.compile(r"[£,\s]|GBP", re.IGNORECASE)


class _BadMoney(ValueError):
    pass


def parse_money(text: str | None) -> Decimal | None:
    """An amount as a finance system writes it: "£1,234,567.89", "1234567", "(12,000)" or "-12,000" (negative),
    "£4.2m" and "£350k". None when empty; ``_BadMoney`` saying what was expected otherwise."""
    raw = (text or "").strip()
    if not raw or raw in ("-", "–"):
        return None
    negative = raw.startswith("(") and raw.endswith(")")
    body = raw[1:-1] if negative else raw
    body = _MONEY_JUNK.sub("", body)
    if body.startswith("-"):
        negative, body = not negative, body[1:]
    if body.startswith("£"):
        body = body[1:]
    scale = Decimal(1)
    if body[-1:].lower() in ("k", "m"):
        scale = Decimal(1000) if body[-1].lower() == "k" else Decimal(1_000_000)
        body = body[:-1]
    try:
        value = Decimal(body) * scale
    except InvalidOperation:
        raise _BadMoney(f"“{raw}” is not an amount of money, such as £1,250,000") from None
    if not value.is_finite():
        raise _BadMoney(f"“{raw}” is not an amount of money, such as £1,250,000")
    if abs(value) >= LIMIT:
        raise _BadMoney(f"{raw} is too large: at most £999,999,999,999.99")
    if value != value.quantize(PENNY):
        raise _BadMoney(f"{raw} has more than 2 decimal places (pounds and pence)")
    return -value if negative else value


@dataclass
class Line:
    """A row of the file, resolved: what the import would do with it."""

    row: int
    service: Service
    plan_item: PlanItem | None
    period: Period
    figures: Figures
    action: str  # "new", "changed" or "unchanged"

    @property
    def variance(self) -> Decimal:
        return self.figures.forecast_outturn - self.figures.budget

    @property
    def budget_text(self) -> str:
        return money(self.figures.budget)

    @property
    def forecast_text(self) -> str:
        return money(self.figures.forecast_outturn)

    @property
    def variance_text(self) -> str:
        return variance_words(self.variance, variance_pct(self.variance, self.figures.budget))


@dataclass
class Outcome:
    file_name: str
    dry_run: bool
    problems: list[imports.Problem] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    ignored: list[str] = field(default_factory=list)  # the file's other columns (a finance system's own), skipped

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def stored(self) -> bool:
        return self.ok and not self.dry_run

    @property
    def summary(self) -> str:
        c = self.counts
        return f"{c['new']:,} new, {c['changed']:,} changed, {c['unchanged']:,} unchanged"


class _Rollback(Exception):
    pass


def _index_services(council: Council) -> dict[str, list[Service]]:
    found: dict[str, list[Service]] = {}
    for service in services_of(council).select_related("directorate").order_by("pk"):
        found.setdefault(service.name.casefold(), []).append(service)
    return found


def _service_for(row: imports.Row, services: dict[str, list[Service]], council: Council,
                 problems: imports.Problems) -> Service | None:
    name = row["service"]
    candidates = services.get(name.casefold(), [])
    directorate = (row["directorate"] or "").casefold()
    if directorate:
        candidates = [s for s in candidates if directorate in (s.directorate.name.casefold(),
                                                               s.directorate.code.casefold())]
    if not candidates:
        where = f" in the directorate “{row['directorate']}”" if directorate else ""
        problems.at(row, "service", "unknown service", f"“{name}” is not a service of {council}{where}.")
        return None
    if len(candidates) > 1:
        problems.at(row, "directorate", "ambiguous", f"Two directorates have a service called “{name}”: say which "
                                                     "in the directorate column.")
        return None
    return candidates[0]


def _index_plan_items(council: Council, rows: list[imports.Row]) -> dict[str, list[PlanItem]]:
    """The council's plan items with the references the file names, by reference (any case): one query."""
    refs = {row["plan item"].upper() for row in rows if row["plan item"]}
    found: dict[str, list[PlanItem]] = {}
    if refs:
        for item in (PlanItem.objects.annotate(upper_ref=Upper("ref")).filter(plan__council=council, upper_ref__in=refs)
                     .select_related("plan").order_by("pk")):
            found.setdefault(item.upper_ref, []).append(item)
    return found


def _plan_item_for(row: imports.Row, items: dict[str, list[PlanItem]], council: Council, year: int,
                   problems: imports.Problems) -> PlanItem | None:
    ref = row["plan item"]
    matches = [i for i in items.get(ref.upper(), []) if i.plan.start_year_id <= year <= i.plan.end_year_id]
    if not matches:
        problems.at(row, "plan item", "unknown plan item",
                    f"“{ref}” is not a plan item of {council} in {financial_year_label(year)}.")
        return None
    if len(matches) > 1:
        problems.at(row, "plan item", "ambiguous", f"More than one plan of {financial_year_label(year)} has an item "
                                                   f"“{ref}”.")
        return None
    return matches[0]


def import_finance(*, book: imports.Book, council: Council, user: User | None, dry_run: bool = False) -> Outcome:
    """Import the finance system's file (one sheet: a CSV file, or the sheet "Finance" of a workbook): every row
    checked first, then all of them stored in one transaction, or none when any row has a problem (or for a dry
    run). A row for a service and quarter that already has figures changes them (audited, its version bumped, so
    someone editing them at the time is told); the same file imported again changes nothing. Columns of the
    finance system's own (a cost-centre code) are skipped, named in ``Outcome.ignored``.

    ``user``: who imports (refused unless they may enter the council's figures); None for the system (the
    ``import_finance`` command run without ``--user``). Reads the same number of queries whatever the number of
    rows: the council's services, plan items, quarters and existing figures are read once, before the rows."""
    if user is not None and not can_edit_finance(user, council.pk):
        raise PermissionDenied(REFUSED)
    started = time.perf_counter()
    outcome = Outcome(file_name=book.name, dry_run=dry_run)
    problems = imports.Problems()
    raw = book.rows(SHEET.name)
    if raw is None and len(book.sheets) == 1:
        raw = next(iter(book.sheets.values()))
    rows = imports.read_sheet(SHEET, raw, problems, ignored=outcome.ignored)
    if raw is not None and not rows and not problems:
        problems.add(SHEET.name, None, "", "empty", "The file has no rows of figures.")
    services = _index_services(council)
    service_ids = {s.pk for found in services.values() for s in found}
    items = _index_plan_items(council, rows)
    # The quarters of the file's years, looked up, never created: a year the system does not hold is the row's
    # problem (a dry run, or a refused file, stores nothing, not even a financial year).
    periods = {(p.financial_year_id, p.number): p for p in Period.objects.filter(
        frequency="quarterly", financial_year_id__in={row["year"] for row in rows})} if rows else {}
    today = clock.today()
    seen: dict[tuple, int] = {}
    resolved = []
    for row in rows:
        ok = True
        amounts = {}
        for name in ("budget", "forecast outturn", "spent to date"):
            try:
                amounts[name] = parse_money(row[name])
            except _BadMoney as bad:
                problems.at(row, name, "wrong type", f"{name.capitalize()}: {bad}.")
                ok = False
        match = _QUARTER.match((row["quarter"] or "").strip())
        if match is None:
            problems.at(row, "quarter", "not allowed", f"“{row['quarter']}” is not a quarter: write Q1, Q2, Q3 or Q4.")
            ok = False
        else:
            period = periods.get((row["year"], int(match.group(1))))
            if period is None:
                problems.at(row, "quarter", "unknown quarter",
                            f"There is no quarter Q{match.group(1)} {financial_year_label(row['year'])} in the "
                            "system: its financial year is not set up.")
                ok = False
        service = _service_for(row, services, council, problems)
        plan_item = _plan_item_for(row, items, council, row["year"], problems) if row["plan item"] else None
        if not ok or service is None or (row["plan item"] and plan_item is None):
            continue
        figures = Figures(budget=amounts["budget"], forecast_outturn=amounts["forecast outturn"],
                          spent_to_date=amounts["spent to date"], commentary=row["commentary"] or "",
                          source=book.name[:200])
        try:
            validate(council=council, service=service, period=period, plan_item=plan_item, figures=figures,
                     today=today, service_ids=service_ids)
        except Refused as refused:
            columns = {"budget": "budget", "forecast_outturn": "forecast outturn", "spent_to_date": "spent to date",
                       "period": "quarter", "plan_item": "plan item", "service": "service",
                       "commentary": "commentary", "source": ""}
            for name, messages in refused.message_dict.items():
                for message in messages:
                    problems.at(row, columns.get(name, ""), "rule", message)
            continue
        identity = (service.pk, period.pk, plan_item.pk if plan_item else None)
        if identity in seen:
            problems.at(row, "service", "duplicate row", f"This row repeats row {seen[identity]}: the same service, "
                                                         "plan item and quarter.")
            continue
        seen[identity] = row.number
        resolved.append((row.number, service, plan_item, period, figures))
    reason = f"Imported from the finance system's file “{book.name}”"
    held = {(r.service_id, r.period_id, r.plan_item_id): r for r in ServiceFinance.objects.filter(
        council=council, period__in={line[3].pk for line in resolved})} if resolved and not problems else {}
    try:
        with transaction.atomic():
            if not problems:
                for number, service, plan_item, period, figures in resolved:
                    row = held.get((service.pk, period.pk, plan_item.pk if plan_item else None))
                    outcome.lines.append(_store(number, council, service, plan_item, period, figures, user, reason,
                                                row=row, write=not dry_run))
                    outcome.counts[outcome.lines[-1].action] += 1
            if problems or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    outcome.problems = list(problems)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _same(row: ServiceFinance, values: dict) -> bool:
    return all(getattr(row, name) == value for name, value in values.items() if name != "source")


def _store(number, council, service, plan_item, period, figures, user, reason, *, row: ServiceFinance | None,
           write: bool) -> Line:
    """What the import does with a row (``row``: the council's figures already held for it): stored, with its audit
    entry, when ``write``; else (a dry run) only said."""
    values = _values(figures)
    if not write:
        action = "new" if row is None else "unchanged" if _same(row, values) else "changed"
    elif row is None:
        row = ServiceFinance.objects.create(council=council, service=service, plan_item=plan_item, period=period,
                                            updated_by=user, **values)
        audit.record(user=user, action="create", obj=row, council=council, reason=reason,
                     changes=audit.diff({}, audit.snapshot(row, FINANCE_FIELDS)))
        action = "new"
    elif _same(row, values):
        action = "unchanged"
    else:
        before = audit.snapshot(row, FINANCE_FIELDS)
        now = timezone.now()
        ServiceFinance.objects.filter(pk=row.pk).update(version=F("version") + 1, updated_at=now,
                                                        updated_by=user, **values)
        for name, value in values.items():
            setattr(row, name, value)
        row.version, row.updated_at, row.updated_by = row.version + 1, now, user
        audit.record(user=user, action="update", obj=row, council=council, reason=reason,
                     changes=audit.diff(before, audit.snapshot(row, FINANCE_FIELDS)))
        action = "changed"
    return Line(row=number, service=service, plan_item=plan_item, period=period, figures=figures, action=action)


def exact(value: Decimal | None, *, pound: bool = True) -> str:
    """An amount to the penny, as a form or a file to fill in shows it: "£4,250,000.00" ("4,250,000.00" without
    ``pound``); blank for none."""
    return "" if value is None else f"{'£' if pound else ''}{value:,.2f}"


def template_csv(council: Council, *, year: int, quarter: int) -> bytes:
    """The file the import reads, as an example: the header, then a row per service of the council for the
    quarter (its figures where it has some, else blank to fill in). UTF-8 with a byte-order mark, so that Excel
    opens the £ sign correctly."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(SHEET.names)
    have = {f.service_id: f for f in ServiceFinance.objects.filter(
        council=council, period__financial_year_id=year, period__frequency="quarterly", period__number=quarter,
        plan_item__isnull=True)}
    names = Counter(s.name.casefold() for s in services_of(council))
    for service in services_of(council).select_related("directorate").order_by("directorate__name", "name"):
        f = have.get(service.pk)
        writer.writerow([
            service.name, service.directorate.code if names[service.name.casefold()] > 1 else "", "",
            financial_year_label(year), f"Q{quarter}",
            exact(f.budget) if f else "", exact(f.forecast_outturn) if f else "",
            exact(f.spent_to_date) if f else "", f.commentary if f else ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
