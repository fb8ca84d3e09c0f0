"""The demo council's reporting timetable for a financial year (D1): every month's data deadline by the B2 due
rule, the directors' sign-off deadline and the management team's performance meeting; every quarter's Cabinet
and scrutiny committee meetings and the publication of the quarter's figures.

Deterministic (dates computed from the year and the council's rules, nothing from the clock) and idempotent
(an entry already there is left alone).
"""

from __future__ import annotations

from datetime import date, timedelta

from pmf.calendar import bank_holidays, due_date
from pmf.choices import CommitteeKind, Frequency
from pmf.models import Committee, Council, Period
from pmf.periods import add_working_days, financial_year_label, period_bounds, period_label
from reporting.models import TimetableEntry

SIGN_OFF_WORKING_DAYS = 5  # directors sign off this many working days after the data deadline
MANAGEMENT_TEAM_WORKING_DAYS = 3  # the management team meets this many working days after sign-off
CABINET_WEEKS = 7  # Cabinet meets on the first Thursday at least this many weeks after the quarter ends
SCRUTINY_DAYS = (7, 14)  # the scrutiny committees meet one and two weeks after Cabinet
THURSDAY = 3


def _working_days_after(day: date, days: int) -> date:
    return add_working_days(day, days, holidays=bank_holidays(day.year) | bank_holidays(day.year + 1))


def _thursday_on_or_after(day: date) -> date:
    return day + timedelta(days=(THURSDAY - day.weekday()) % 7)


def timetable_rows(council: Council, year_start: int, committees: list[Committee]) -> list[dict]:
    """The year's entries, as field values (no database writes)."""
    rows: list[dict] = []
    fy = financial_year_label(year_start)
    for month in range(1, 13):
        _, end = period_bounds(frequency=Frequency.MONTHLY, year_start=year_start, period_number=month)
        label = period_label(frequency=Frequency.MONTHLY, year_start=year_start, period_number=month)
        deadline = due_date(end, council.default_due_working_days)
        sign_off = _working_days_after(deadline, SIGN_OFF_WORKING_DAYS)
        meeting = _working_days_after(sign_off, MANAGEMENT_TEAM_WORKING_DAYS)
        period = ("monthly", month)
        rows += [
            {"kind": "data_deadline", "title": f"{label} data due", "date": deadline, "period": period,
             "notes": f"{council.default_due_working_days} working days after the month ends."},
            {"kind": "sign_off", "title": f"{label} figures signed off by directors", "date": sign_off,
             "period": period},
            {"kind": "management_team", "title": f"Management team: {label} performance report", "date": meeting,
             "period": period, "is_public": False},
        ]
    cabinet = [c for c in committees if c.kind == CommitteeKind.CABINET]
    scrutiny = sorted((c for c in committees if c.kind == CommitteeKind.SCRUTINY), key=lambda c: c.name)
    for quarter in range(1, 5):
        _, end = period_bounds(frequency=Frequency.QUARTERLY, year_start=year_start, period_number=quarter)
        label = f"Q{quarter} {fy}"
        period = ("quarterly", quarter)
        meets = _thursday_on_or_after(end + timedelta(weeks=CABINET_WEEKS))
        for committee in cabinet:
            rows.append({"kind": "cabinet", "title": f"Cabinet: {label} performance report", "date": meets,
                         "period": period, "committee": committee})
        for committee, days in zip(scrutiny, SCRUTINY_DAYS, strict=False):
            rows.append({"kind": "scrutiny", "title": f"{committee.name}: {label} performance report",
                         "date": meets + timedelta(days=days), "period": period, "committee": committee})
        rows.append({"kind": "publication", "title": f"{label} performance published on the public site",
                     "date": meets + timedelta(days=1), "period": period,
                     "notes": "The approved figures, with the Cabinet report."})
    return rows


def make_timetable(council: Council, *, year_start: int) -> int:
    """Write the year's timetable for the council (entries already there are kept). Returns how many were added."""
    committees = list(Committee.objects.filter(councils=council).order_by("name"))
    periods = {(p.frequency, p.number): p for p in Period.objects.filter(
        financial_year_id=year_start, frequency__in=["monthly", "quarterly"])}
    existing = set(TimetableEntry.objects.filter(council=council, financial_year_id=year_start)
                   .values_list("kind", "date", "title"))
    new = []
    for row in timetable_rows(council, year_start, committees):
        if (row["kind"], row["date"], row["title"]) in existing:
            continue
        period = periods.get(row.pop("period"))
        new.append(TimetableEntry(council=council, financial_year_id=year_start, period=period, **row))
    TimetableEntry.objects.bulk_create(new)
    return len(new)
