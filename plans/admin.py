from django import forms
from django.contrib import admin

from plans.choices import Approver
from plans.models import Action, DecisionPoint, Milestone, Plan, PlanItem, PlanLevel, Programme, Project
from pmf.admin import CommitteeAdmin
from pmf.admin_base import ScopedModelAdmin, ScopedTabularInline


class PlanLevelForm(forms.ModelForm):
    approvers = forms.TypedMultipleChoiceField(
        choices=Approver.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Who approves plans at this level (A4). A level of items inside plans needs none.")

    class Meta:
        model = PlanLevel
        fields = ["council", "name", "rank", "is_plan", "typical_years", "description", "approvers",
                  "all_approvers_needed", "decision_needed"]

    def clean(self):
        data = super().clean()
        if data.get("is_plan") and not data.get("approvers"):
            self.add_error("approvers", "Choose who approves plans at this level.")
        return data


@admin.register(PlanLevel)
class PlanLevelAdmin(ScopedModelAdmin):
    form = PlanLevelForm
    list_display = ["name", "council", "rank", "is_plan", "typical_years"]
    list_filter = ["council", "is_plan"]
    search_fields = ["name"]
    ordering = ["council", "rank"]


class PlanItemInline(ScopedTabularInline):
    model = PlanItem
    extra = 0
    fields = ["ref", "title", "level", "parent", "owner", "position"]
    autocomplete_fields = ["parent", "owner"]
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(ScopedModelAdmin):
    list_display = ["title", "level", "council", "years_label", "status", "owner"]
    list_filter = ["council", "level", "status", "start_year", "directorate"]
    search_fields = ["title", "owner__last_name"]
    autocomplete_fields = ["owner", "directorate", "service", "team", "person", "previous_version"]
    list_select_related = ["level", "council", "owner", "start_year", "end_year"]
    inlines = [PlanItemInline]
    # A4: a plan's status changes only through its approval page (submit, approve, send back, activate, close),
    # where approving locks its targets; never by editing it here.
    readonly_fields = ["status", "submitted_by", "submitted_at", "submissions", "approved_by", "approved_at",
                       "approval_note", "returned_reason", "version"]
    # "Refresh into the next year" is added by indicators.admin: it also rolls the plan's measures' targets.


@admin.register(PlanItem)
class PlanItemAdmin(ScopedModelAdmin):
    list_display = ["ref", "title", "level", "plan", "parent", "owner"]
    list_filter = ["plan__council", "level", "plan__status"]
    search_fields = ["ref", "title", "plan__title"]
    autocomplete_fields = ["plan", "parent", "portfolio", "outcome_owner", "lead_director", "owner"]
    list_select_related = ["level", "plan", "parent", "owner"]
    readonly_fields = ["path", "depth"]


class MilestoneInline(ScopedTabularInline):
    model = Milestone
    extra = 0


@admin.register(Action)
class ActionAdmin(ScopedModelAdmin):
    list_display = ["ref", "title", "owner", "approved_end", "forecast_end", "completed_on", "no_longer_viable"]
    list_filter = ["council", "is_key", "no_longer_viable", "service__directorate"]
    search_fields = ["ref", "title", "owner__last_name"]
    autocomplete_fields = ["plan_items", "service", "owner"]
    list_select_related = ["owner"]
    date_hierarchy = "approved_end"
    inlines = [MilestoneInline]


class ProjectInline(ScopedTabularInline):
    model = Project
    extra = 0
    autocomplete_fields = ["manager"]
    show_change_link = True
    exclude = ["actions"]


@admin.register(Programme)
class ProgrammeAdmin(ScopedModelAdmin):
    list_display = ["name", "council", "plan_item", "sponsor"]
    list_filter = ["council"]
    search_fields = ["name"]
    autocomplete_fields = ["plan_item", "sponsor"]
    inlines = [ProjectInline]


class DecisionPointInline(ScopedTabularInline):
    model = DecisionPoint
    extra = 0
    autocomplete_fields = ["decided_by"]


@admin.register(Project)
class ProjectAdmin(ScopedModelAdmin):
    list_display = ["name", "programme", "manager"]
    search_fields = ["name", "programme__name"]
    autocomplete_fields = ["programme", "manager", "actions"]
    inlines = [DecisionPointInline]


class RemitInline(ScopedTabularInline):
    """A committee's remit: the plan items it oversees (their measures and actions, and everything beneath)."""

    model = PlanItem.committees.through
    extra = 0
    autocomplete_fields = ["planitem"]
    verbose_name = "plan item in the remit"
    verbose_name_plural = "remit: the plan items the committee oversees, and everything beneath them"


# The committee admin is the core's, which knows nothing of plan items; this app adds the remit to it.
CommitteeAdmin.inlines = [*CommitteeAdmin.inlines, RemitInline]
