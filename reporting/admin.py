from django.contrib import admin

from pmf.admin_base import ScopedModelAdmin
from reporting.models import TimetableEntry


@admin.register(TimetableEntry)
class TimetableEntryAdmin(ScopedModelAdmin):
    """D1: the reporting timetable, kept by the performance unit; the public entries are published."""

    list_display = ["date", "kind", "title", "period", "committee", "is_public", "council"]
    list_filter = ["kind", "is_public", "financial_year", "council"]
    search_fields = ["title", "notes", "committee__name"]
    date_hierarchy = "date"
    list_select_related = ["council", "period", "committee"]
    fields = ["council", "kind", "title", "date", "financial_year", "period", "committee", "notes", "is_public"]
