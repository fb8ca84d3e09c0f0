"""Bulk returns (issue 12): a month's figures for many measures in one sheet, downloaded pre-filled with the
returns due and uploaded filled in. Each row goes through the entry form's own service (``services.save_return``:
who may enter, the period open, the figure's data-quality checks, the version the person downloaded), saved as
drafts or submitted for the usual sign-off. All or nothing: one refused row and nothing is saved; every refusal
is listed by row and column."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from indicators import selectors, services
from indicators.choices import Confidence, SelfAssessment
from indicators.models import Indicator, Return
from pmf import access, imports
from pmf.errors import Conflict
from pmf.imports import Column as C
from pmf.models import Period, User
from pmf.periods import periods_per_year

SHEET = imports.Sheet("Returns due", (
    C("measure", required=True, help="The measure's reference (leave as downloaded).", example="WAS02"),
    C("title", help="The measure's title (for reading only).", example="Household waste recycled"),
    C("year", "year", required=True, help="The financial year (leave as downloaded).", example="2026/27"),
    C("period", "int", required=True, help="The period in the year: months 1-12 from April, quarters 1-4 "
                                           "(leave as downloaded).", example="6"),
    C("period name", help="The period (for reading only).", example="September 2026"),
    C("due on", "date", help="When the figure is due (for reading only).", example="2026-10-14"),
    C("value", "decimal", help="The figure, for a measure entered as a value.", example="51.2"),
    C("numerator", "decimal", help="For a measure computed from a numerator and denominator.", example="512"),
    C("denominator", "decimal", help="For a measure computed from a numerator and denominator.", example="1000"),
    C("no data reason", max_length=300, help="Why there is no figure this period (instead of one).", example=""),
    C("commentary", help="What the figure means; needed for a big change or a red figure.",
      example="Up on last month after the new round started."),
    C("self-assessed status", allowed=tuple(SelfAssessment.values),
      help="For a narrative measure only: the status you judge from the commentary (green, amber or red), with no "
           "figure.", example=""),
    C("forecast", "decimal", help="The year-end forecast.", example=""),
    C("forecast confidence", allowed=tuple(Confidence.values), help="How sure the forecast is.", example="medium"),
    C("estimate", "bool", help="yes for an estimated figure.", example="no"),
    C("version", "int", help="The version of the return when the sheet was downloaded (leave as downloaded).",
      example="1"),
), help="One row per return due: fill in the figure (or the reason there is none) and the commentary; rows "
        "left empty are skipped.", key=("measure", "year", "period"))

#: The service's field names, as the sheet's columns.
COLUMN_FOR = {"value": "value", "numerator": "numerator", "denominator": "denominator",
              "no_data_reason": "no data reason", "commentary": "commentary", "forecast": "forecast",
              "forecast_confidence": "forecast confidence", "is_estimate": "estimate", "evidence": "value",
              "self_assessed_rag": "self-assessed status",
              "period": "period", "state": "version", "__all__": "measure"}
GUIDANCE = """Bulk returns: fill in this month's figures for many measures at once.
Each row of the "Returns due" sheet is one return due. Fill in the figure (or, for a measure with a numerator and
denominator, both of them), or the reason there is no data, and the commentary. For a narrative measure, write the
commentary and choose the self-assessed status (green, amber or red) instead of a figure. Leave the measure, year,
period and version as they were downloaded. Rows left empty are skipped. The same checks as the entry form apply to
every row; if any row is refused, nothing is saved and every refusal is listed by row and column."""


def due(user: User, *, today: date, month: str = "") -> list[selectors.DueReturn]:
    """The returns due that ``user`` enters: their own as a performance lead, or, for the performance unit, every
    measure of the councils they configure. ``month`` (YYYY-MM): only those due in that month."""
    scope = access.scope_for(user)
    if user.is_superuser or scope.configure:
        councils = scope.configure if not user.is_superuser else list(scope.councils)
        rows = selectors.owed_returns(Indicator.objects.filter(council__in=councils, current_spec__isnull=False),
                                      today=today)
        mine = {d.indicator.pk for d in selectors.due_returns(user, today=today)}
        rows = sorted(rows, key=lambda d: (d.indicator.pk not in mine, d.due_on, d.indicator.ref))
    else:
        rows = selectors.due_returns(user, today=today)
    if month:
        rows = [d for d in rows if d.due_on.strftime("%Y-%m") == month]
    return rows


def prefilled(rows: list[selectors.DueReturn]) -> bytes:
    """The sheet to download: one row per return due, with what is saved of it already (a draft, or one sent
    back)."""
    out = []
    for d in rows:
        r = d.ret
        out.append({"measure": d.indicator.ref, "title": d.indicator.title, "year": d.period.financial_year_id,
                    "period": d.period.number, "period name": d.period.label, "due on": d.due_on,
                    "value": r.value if r and r.numerator is None else None,
                    "numerator": r.numerator if r else None, "denominator": r.denominator if r else None,
                    "no data reason": r.no_data_reason if r else None, "commentary": r.commentary if r else None,
                    "forecast": r.forecast if r else None,
                    "forecast confidence": (r.forecast_confidence or None) if r else None,
                    "estimate": r.is_estimate if r else None, "version": r.version if r else None,
                    "self-assessed status": (r.self_assessed_rag or None) if r else None})
    return imports.write_xlsx([(SHEET, out)], guidance=GUIDANCE)


@dataclass
class Outcome:
    file_name: str
    submit: bool
    problems: list[imports.Problem] = field(default_factory=list)
    saved: list = field(default_factory=list)
    skipped: int = 0
    rows: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


class _Rollback(Exception):
    pass


def _filled(row: imports.Row) -> bool:
    return any(row[c] not in (None, "", False) for c in ("value", "numerator", "denominator", "no data reason",
                                                         "commentary", "forecast", "self-assessed status"))


def save_bulk(*, user: User, book: imports.Book, submit: bool, today: date | None = None) -> Outcome:
    """Save every filled row of the sheet as a draft (or submitted) through ``services.save_return``, or none."""
    started = time.perf_counter()
    outcome = Outcome(file_name=book.name, submit=submit)
    problems = imports.Problems()
    raw = book.rows(SHEET.name)
    if raw is None and len(book.sheets) == 1:
        raw = next(iter(book.sheets.values()))  # a CSV file, or a workbook whose one sheet was renamed
    rows = imports.read_sheet(SHEET, raw, problems)
    outcome.rows = len(rows)
    indicators = {i.ref.lower(): i for i in Indicator.objects.filter(
        council__in=access.scope_for(user).councils if not user.is_superuser else Indicator.objects.values(
            "council")).select_related("current_spec", "council", "service")}
    periods = {(p.financial_year_id, p.frequency, p.number): p for p in Period.objects.all()}
    try:
        with transaction.atomic():
            for row in rows:
                if not _filled(row):
                    outcome.skipped += 1
                    continue
                _save_row(user, row, indicators, periods, problems, outcome, submit, today)
            if problems:
                raise _Rollback
    except _Rollback:
        outcome.saved = []
    outcome.problems = list(problems)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _unchanged(ret: Return, entry: services.Entry) -> bool:
    def same(a, b):
        return (a in (None, "") and b in (None, "")) or a == b

    return all(same(getattr(ret, name), getattr(entry, name)) for name in (
        "numerator", "denominator", "forecast", "forecast_confidence", "commentary", "no_data_reason",
        "is_estimate", "self_assessed_rag")) and (ret.numerator is not None or same(ret.value, entry.value))


def _save_row(user, row, indicators, periods, problems, outcome, submit, today) -> None:
    ind = indicators.get(row["measure"].lower())
    if ind is None or ind.current_spec is None:
        problems.at(row, "measure", "unknown code", f"“{row['measure']}” is not a measure you can see.")
        return
    spec = ind.current_spec
    if not 1 <= row["period"] <= periods_per_year(spec.frequency):
        problems.at(row, "period", "period outside its year",
                    f"{ind.ref} reports {spec.get_frequency_display().lower()}: a year has periods 1 to "
                    f"{periods_per_year(spec.frequency)}, not {row['period']}.")
        return
    period = periods.get((row["year"], spec.frequency, row["period"]))
    if period is None:
        problems.at(row, "year", "period outside its year", f"There is no {row['year']} period {row['period']}.")
        return
    if row["numerator"] is not None and row["denominator"] is not None and spec.unit == "percent" \
            and row["numerator"] > row["denominator"]:
        problems.at(row, "numerator", "numerator above denominator",
                    f"The numerator ({row['numerator']}) is above the denominator ({row['denominator']}): a "
                    "percentage of more than 100.")
        return
    entry = services.Entry(value=row["value"], numerator=row["numerator"], denominator=row["denominator"],
                           forecast=row["forecast"], forecast_confidence=row.get("forecast confidence", ""),
                           commentary=row.get("commentary", ""), no_data_reason=row.get("no data reason", ""),
                           is_estimate=bool(row["estimate"]),
                           self_assessed_rag=row.get("self-assessed status") or "")
    current = next((r for r in Return.objects.filter(indicator=ind, period=period)), None)
    if current is not None and not submit and current.version == row["version"] and _unchanged(current, entry):
        outcome.skipped += 1  # downloaded as saved, and left as it was
        return
    try:
        with transaction.atomic():
            ret = services.save_return(user=user, indicator=ind, period=period, entry=entry, version=row["version"],
                                       submit=submit, today=today)
    except PermissionDenied as refusal:
        problems.at(row, "measure", "not yours", str(refusal) or "You may not enter this measure's returns.")
    except Conflict as conflict:
        current = conflict.current
        message = str(conflict)
        if current is not None and row["version"] is not None and current.version != row["version"]:
            message = (f"Someone saved this return since the sheet was downloaded (it is now version "
                       f"{current.version}, the sheet says {row['version']}): download the sheet again.")
        elif current is not None and current.state == "approved":
            message = "This return has been approved and is locked."
        problems.at(row, "version", "changed since downloaded", message)
    except ValidationError as refusal:
        by_field = refusal.message_dict if hasattr(refusal, "error_dict") else {"__all__": refusal.messages}
        for name, messages in by_field.items():
            for message in messages:
                problems.at(row, COLUMN_FOR.get(name, "measure"), "entry rule", message)
    else:
        outcome.saved.append(ret)
