"""Single sign-on's addresses (pmf/views_sso.py), under /accounts/sso/. The callback's name is the one
mozilla-django-oidc builds the redirect URI from: register https://<this site>/accounts/sso/callback/ at the
provider."""

from django.urls import path

from pmf import views_sso

urlpatterns = [
    path("start/", views_sso.Start.as_view(), name="sso_start"),
    path("callback/", views_sso.Callback.as_view(), name="oidc_authentication_callback"),
]
