"""Reporting data: the reporting timetable (D1), published on the public site (D9)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from pmf.choices import CommitteeKind
from pmf.models import Committee, Council, FinancialYear, Period


class TimetableKind(models.TextChoices):
    """D1: what a date in the reporting timetable is."""

    DATA_DEADLINE = "data_deadline", "Data deadline"
    SIGN_OFF = "sign_off", "Sign-off deadline"
    MANAGEMENT_TEAM = "management_team", "Management team"
    CABINET = "cabinet", "Cabinet"
    SCRUTINY = "scrutiny", "Scrutiny committee"
    PUBLICATION = "publication", "Publication"


#: Kinds that are a committee meeting: the entry names the committee, of a matching kind.
COMMITTEE_KINDS: dict[str, set[str]] = {
    TimetableKind.CABINET: {CommitteeKind.CABINET},
    TimetableKind.SCRUTINY: {CommitteeKind.SCRUTINY, CommitteeKind.JOINT_SCRUTINY},
}


class TimetableEntryQuerySet(models.QuerySet):
    def public(self) -> TimetableEntryQuerySet:
        return self.filter(is_public=True)


class TimetableEntry(models.Model):
    """D1: one date of the reporting timetable (a data deadline, a sign-off deadline, a management-team or
    committee meeting, a publication), for the period it concerns. Public entries are published (D9)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="timetable_entries")
    kind = models.CharField(max_length=20, choices=TimetableKind.choices)
    title = models.CharField(max_length=200, help_text="e.g. “Cabinet: Q2 2026/27 performance report”.")
    date = models.DateField()
    financial_year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+",
                                       help_text="The financial year whose reporting this date belongs to.")
    period = models.ForeignKey(
        Period, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The month or quarter the date concerns, if any (e.g. the data deadline for October).",
    )
    committee = models.ForeignKey(
        Committee, null=True, blank=True, on_delete=models.SET_NULL, related_name="timetable_entries",
        help_text="For a Cabinet or scrutiny meeting: the committee.",
    )
    notes = models.CharField(max_length=300, blank=True)
    is_public = models.BooleanField(
        "published", default=True, help_text="Shown on the public site's reporting timetable (D1, D9)."
    )

    objects = TimetableEntryQuerySet.as_manager()

    class Meta:
        ordering = ["council", "date", "kind", "title"]
        verbose_name = "reporting timetable entry"
        verbose_name_plural = "reporting timetable"
        constraints = [
            models.UniqueConstraint(
                fields=["council", "kind", "date", "title"], name="timetable_entry_unique",
                violation_error_message="This council's timetable already has that entry on that date.",
            ),
            models.CheckConstraint(
                condition=~Q(title=""), name="timetable_entry_has_title",
                violation_error_message="A timetable entry needs a title.",
            ),
        ]
        indexes = [models.Index(fields=["council", "date"], name="timetable_council_date_idx")]

    def __str__(self) -> str:
        return f"{self.date:%d %b %Y} {self.title}"

    @property
    def period_label(self) -> str:
        return self.period.label if self.period_id else (self.financial_year.label if self.financial_year_id else "")

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.period_id and self.financial_year_id and self.period.financial_year_id != self.financial_year_id:
            errors["period"] = f"The period must lie in the financial year {self.financial_year}."
        wanted = COMMITTEE_KINDS.get(self.kind)
        if wanted and not self.committee_id:
            errors["committee"] = f"A {self.get_kind_display()} meeting names its committee."
        elif self.committee_id:
            if wanted and self.committee.kind not in wanted:
                errors["committee"] = (f"“{self.committee}” is a {self.committee.get_kind_display()}, not a "
                                       f"{self.get_kind_display()}.")
            elif self.council_id and not self.committee.councils.filter(pk=self.council_id).exists():
                errors["committee"] = "The committee must be one of the council's committees."
        if errors:
            raise ValidationError(errors)
