from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models

from pmf.admin_base import AuditedAdminMixin, ScopedMixin, ScopedModelAdmin, ScopedTabularInline
from pmf.models import (
    Committee,
    Council,
    Directorate,
    FinancialYear,
    Period,
    Portfolio,
    ReminderPreference,
    ReminderSettings,
    RoleAssignment,
    Service,
    Team,
    User,
)

admin.site.site_header = "Performance framework administration"
admin.site.site_title = "Performance framework"
admin.site.index_title = "Performance unit configuration"


@admin.register(Council)
class CouncilAdmin(ScopedModelAdmin):
    list_display = ["name", "short_name", "council_type", "ons_code", "default_tolerance_pct"]
    search_fields = ["name", "short_name", "ons_code"]
    list_filter = ["council_type"]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class PeriodInline(ScopedTabularInline):
    model = Period
    extra = 0
    fields = ["frequency", "number", "start", "end"]
    readonly_fields = ["start", "end"]


@admin.register(FinancialYear)
class FinancialYearAdmin(ScopedModelAdmin):
    list_display = ["label", "start", "end"]
    inlines = [PeriodInline]


@admin.register(Period)
class PeriodAdmin(ScopedModelAdmin):
    list_display = ["label", "frequency", "number", "start", "end"]
    list_filter = ["frequency", "financial_year"]
    readonly_fields = ["start", "end"]


class RoleAssignmentInline(ScopedTabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["directorate", "service", "team", "committee", "portfolio", "delegate_for"]


@admin.register(User)
class UserAdmin(AuditedAdminMixin, ScopedMixin, BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "job_title", "is_member", "is_active"]
    list_filter = ["is_member", "is_active", "is_staff", "role_assignments__role", "role_assignments__council"]
    search_fields = ["username", "first_name", "last_name", "email", "job_title"]
    fieldsets = BaseUserAdmin.fieldsets + (("Council", {"fields": ["job_title", "is_member"]}),)
    inlines = [RoleAssignmentInline]

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser grants superuser status or individual permissions; the performance unit manages
        # people, their roles and groups.
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["is_superuser", "user_permissions", "last_login", "date_joined"]


class ServiceInline(ScopedTabularInline):
    model = Service
    extra = 0
    autocomplete_fields = ["head"]
    show_change_link = True


@admin.register(Directorate)
class DirectorateAdmin(ScopedModelAdmin):
    list_display = ["name", "code", "director"]
    search_fields = ["name", "code"]
    list_filter = ["councils"]
    autocomplete_fields = ["director"]
    filter_horizontal = ["councils"]
    inlines = [ServiceInline]


class TeamInline(ScopedTabularInline):
    model = Team
    extra = 0
    autocomplete_fields = ["manager"]
    show_change_link = True
    exclude = ["members"]


@admin.register(Service)
class ServiceAdmin(ScopedModelAdmin):
    list_display = ["name", "kind", "provider", "directorate", "head"]
    search_fields = ["name", "provider", "directorate__name"]
    list_filter = ["kind", "directorate"]
    fields = ["directorate", "name", "kind", "provider", "head"]
    autocomplete_fields = ["head", "directorate"]
    list_select_related = ["directorate", "head"]
    inlines = [TeamInline]


@admin.register(Team)
class TeamAdmin(ScopedModelAdmin):
    list_display = ["name", "service", "manager"]
    search_fields = ["name", "service__name"]
    list_filter = ["service__directorate"]
    autocomplete_fields = ["service", "manager", "members"]
    list_select_related = ["service", "manager"]


@admin.register(Portfolio)
class PortfolioAdmin(ScopedModelAdmin):
    list_display = ["name", "council", "holder"]
    search_fields = ["name"]
    list_filter = ["council"]
    autocomplete_fields = ["holder"]


@admin.register(Committee)
class CommitteeAdmin(ScopedModelAdmin):
    list_display = ["name", "kind", "chair"]
    search_fields = ["name"]
    list_filter = ["kind", "councils"]
    autocomplete_fields = ["chair"]  # its remit is edited in a section the plans app adds (plans/admin.py)
    filter_horizontal = ["councils"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ScopedModelAdmin):
    list_display = ["user", "role", "council", "directorate", "service", "committee", "portfolio"]
    list_filter = ["role", "council", "directorate"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "directorate", "service", "team", "committee", "portfolio", "delegate_for"]
    list_select_related = ["user", "council", "directorate", "service", "committee", "portfolio"]


# -- Reminders and the schedule (E5) ---------------------------------------------------------------------

@admin.register(ReminderSettings)
class ReminderSettingsAdmin(ScopedModelAdmin):
    list_display = ["council", "enabled", "days_before_due", "repeat_every_days", "updated_at"]


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(ScopedModelAdmin):
    list_display = ["user", "returns_due", "returns_overdue", "sign_offs", "recovery_plans", "action_updates"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


# ReminderLog (what was reminded, a record the reminder runs write) and ScheduledJob (kept by reporting.schedule) are
# not registered: neither is added or changed by hand; the schedule page shows both.

# Two-factor devices (django-otp) hold secrets and are never edited by hand: the performance unit resets someone's
# two-factor authentication from the product (pmf/views_two_factor.py), audited. Their admin pages are imported
# here first, so that they are registered before being taken off whatever order the apps load in.
from django_otp.plugins.otp_static import admin as _otp_static_admin  # noqa: E402, F401
from django_otp.plugins.otp_static.models import StaticDevice  # noqa: E402
from django_otp.plugins.otp_totp import admin as _otp_totp_admin  # noqa: E402, F401
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

for _device_model in (StaticDevice, TOTPDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)
