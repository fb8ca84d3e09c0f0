"""The project's URLs: the wiring of every app's pages.

The URL space follows what people see (``/plans/``, ``/indicators/``, ``/reporting/``, ``/public/``), not which
app's code answers: a few pages under ``/plans/`` and ``/indicators/`` read across apps, so the reporting app (or,
for the sign-off of an action update, the indicators app) answers them. They are added to those namespaces here,
so their names and addresses stay what they always were.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from indicators import urls as indicator_urls
from indicators import views_plans, views_returns, views_spot_checks
from plans import urls as plan_urls
from pmf import views, views_audit
from reporting import views_home, views_indicator, views_public, views_reminders, views_thread

plan_pages = [
    *plan_urls.urlpatterns,
    path("thread/", views_thread.thread, name="thread"),
    path("items/<int:pk>/", views_thread.item_detail, name="item"),
    path("updates/<int:pk>/decide/", views_returns.decide_update, name="decide_update"),
    path("<int:pk>/approval/", views_plans.plan_approval, name="approval"),
    path("refresh/", views_plans.refresh, name="refresh"),
]
indicator_pages = [
    *indicator_urls.urlpatterns,
    path("<int:pk>/", views_indicator.indicator_detail, name="detail"),
]

urlpatterns = [
    path("", views_home.home, name="home"),
    path("health/", views.health, name="health"),
    path("accessibility/", views_public.accessibility, name="accessibility"),
    path("audit/", views_audit.audit_list, name="audit"),
    path("audit/export.csv", views_audit.audit_export, name="audit_export"),
    path("audit/sign-ins/", views_audit.sign_in_log, name="sign_in_log"),
    path("audit/spot-checks/", views_spot_checks.spot_check_list, name="spot_checks"),
    path("audit/spot-checks/<int:pk>/", views_spot_checks.spot_check_detail, name="spot_check"),
    path("audit/spot-checks/<int:pk>/export.csv", views_spot_checks.spot_check_export, name="spot_check_export"),
    path("account/reminders/", views_reminders.reminder_preferences, name="reminder_preferences"),
    path("schedule/", views_reminders.schedule_page, name="schedule"),
    path("schedule/jobs/<int:pk>/", views_reminders.schedule_job, name="schedule_job"),
    path("schedule/send-now/", views_reminders.send_now, name="schedule_send_now"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(extra_context={"nav": "password"}),
         name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("plans/", include((plan_pages, "plans"))),
    path("indicators/", include((indicator_pages, "indicators"))),
    path("reporting/", include("reporting.urls")),
    path("public/", include("reporting.public_urls")),
    path("admin/", admin.site.urls),
]
