"""The project's URLs: the wiring of every app's pages.

The URL space follows what people see (``/plans/``, ``/indicators/``, ``/reporting/``, ``/public/``), not which
app's code answers: a few pages under ``/plans/`` and ``/indicators/`` read across apps, so the reporting app (or,
for the sign-off of an action update, the indicators app) answers them. They are added to those namespaces here,
so their names and addresses stay what they always were.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from indicators import urls as indicator_urls
from indicators import views_plans, views_returns, views_spot_checks
from plans import urls as plan_urls
from pmf import views, views_api_tokens, views_audit, views_csp, views_sso, views_two_factor
from reporting import views_home, views_indicator, views_programmes, views_public, views_reminders, views_thread
from reporting.api import open_data as api_open_data

plan_pages = [
    *plan_urls.urlpatterns,
    path("thread/", views_thread.thread, name="thread"),
    path("items/<int:pk>/", views_thread.item_detail, name="item"),
    path("projects/<int:pk>/", views_programmes.project_detail, name="project"),  # A6: shows linked measures
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
    path("csp-report/", views_csp.csp_report, name="csp_report"),  # Content Security Policy violations
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
    # the password, then the code of someone with two-factor authentication (pmf/views_two_factor.py)
    path("accounts/login/", views_two_factor.SignInView.as_view(), name="login"),
    path("accounts/login/code/", views_two_factor.sign_in_code, name="two_factor_code"),
    path("accounts/two-factor/", views_two_factor.account_security, name="two_factor"),
    path("accounts/two-factor/set-up/", views_two_factor.set_up, name="two_factor_set_up"),
    path("accounts/two-factor/recovery-codes/", views_two_factor.recovery_codes, name="two_factor_recovery_codes"),
    path("accounts/two-factor/recovery-codes.txt", views_two_factor.recovery_codes_txt,
         name="two_factor_recovery_codes_txt"),
    path("accounts/two-factor/people/", views_two_factor.people, name="two_factor_people"),
    path("accounts/two-factor/people/<int:pk>/reset/", views_two_factor.reset, name="two_factor_reset"),
    # personal API tokens (pmf/api_tokens.py), for the REST API below
    path("accounts/api-tokens/", views_api_tokens.token_list, name="api_tokens"),
    path("accounts/api-tokens/<int:pk>/revoke/", views_api_tokens.token_revoke, name="api_tokens_revoke"),
    # signs out at the council's identity provider too, after a single sign-on (pmf/views_sso.py)
    path("accounts/logout/", views_sso.Logout.as_view(), name="logout"),
    path("accounts/sso/", include("pmf.urls_sso")),  # single sign-on: answers 404 unless switched on
    path("accounts/password/", auth_views.PasswordChangeView.as_view(extra_context={"nav": "password"}),
         name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("plans/", include((plan_pages, "plans"))),
    path("indicators/", include((indicator_pages, "indicators"))),
    path("reporting/", include("reporting.urls")),
    # the REST API, its schema and docs (reporting/api/); a council's open data for one year, at a stable address
    path("api/", include("reporting.api.urls")),
    re_path(r"^public/(?P<council_slug>[^/]+)/open-data/(?P<year>[^/]+)\.json$",
            api_open_data.OpenDataYearJson.as_view(), name="open_data_year_json"),
    re_path(r"^public/(?P<council_slug>[^/]+)/open-data/(?P<year>[^/]+)\.csv$",
            api_open_data.OpenDataYearCsv.as_view(), name="open_data_year_csv"),
    path("public/", include("reporting.public_urls")),
    # the admin's own sign-in form would skip the two-factor step and the lock-out count: ours instead
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True), name="admin_login"),
    path("admin/", admin.site.urls),
]

# The database unreachable (restarting): 503 with a page that says so; any other error: the plain 500 page.
handler500 = "pmf.views.server_error"
