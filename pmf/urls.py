from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from pmf import views, views_audit, views_reminders
from reporting import views_public

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("accessibility/", views_public.accessibility, name="accessibility"),
    path("audit/", views_audit.audit_list, name="audit"),
    path("audit/export.csv", views_audit.audit_export, name="audit_export"),
    path("account/reminders/", views_reminders.reminder_preferences, name="reminder_preferences"),
    path("schedule/", views_reminders.schedule_page, name="schedule"),
    path("schedule/jobs/<int:pk>/", views_reminders.schedule_job, name="schedule_job"),
    path("schedule/send-now/", views_reminders.send_now, name="schedule_send_now"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("plans/", include("plans.urls")),
    path("indicators/", include("indicators.urls")),
    path("reporting/", include("reporting.urls")),
    path("public/", include("reporting.public_urls")),
    path("admin/", admin.site.urls),
]
