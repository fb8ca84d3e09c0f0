"""The pages of single sign-on (pmf/sso.py): start, the provider's callback, the refusal page, and signing out,
also at the provider when it has an end-session endpoint. Every page but sign-out answers 404 while single sign-on
is off."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from mozilla_django_oidc import views as oidc_views

from pmf import sso

log = logging.getLogger(__name__)

TAMPERED = ("The answer from your council's sign-in service could not be checked (it does not belong to a sign-in "
            "started here, or it was changed on the way), so you were not signed in. Start again from the sign-in "
            "page.")
UNREACHABLE = ("Your council's sign-in service could not be reached or did not answer as expected, so you were not "
               "signed in. Try again in a few minutes, or ask your IT service desk.")
SWITCHED_OFF = "Your account here is switched off. Ask the performance unit if you should still have access."
# the session key of the ID token mozilla-django-oidc keeps (OIDC_STORE_ID_TOKEN), for signing out at the provider
ID_TOKEN = "oidc_id_token"


def refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "registration/sso_refused.html", {"message": message}, status=status)


class Start(oidc_views.OIDCAuthenticationRequestView):
    """"Sign in with your council account": to the provider's authorisation page."""

    get_settings = staticmethod(sso.get_setting)

    def dispatch(self, request, *args, **kwargs):
        if not sso.enabled():
            raise Http404("Single sign-on is not switched on.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = sso.get_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except sso.SsoRefused as exc:
            return refused(request, exc.message, exc.status)
        self.OIDC_RP_CLIENT_ID = sso.get_setting("OIDC_RP_CLIENT_ID")
        return super().dispatch(request, *args, **kwargs)

    def __init__(self, *args, **kwargs):  # the endpoint is read in dispatch, where a refusal can be shown
        super(oidc_views.OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)


class Callback(oidc_views.OIDCAuthenticationCallbackView):
    """The provider sends the person back here with a code; mozilla-django-oidc checks the state, exchanges the
    code (with the PKCE verifier) and checks the ID token (signature, nonce); pmf.sso.SsoBackend does the rest.
    Anything refused is a page saying why, never an error."""

    get_settings = staticmethod(sso.get_setting)

    def get(self, request):
        if not sso.enabled():
            raise Http404("Single sign-on is not switched on.")
        self.user = None
        try:
            return super().get(request)
        except sso.SsoRefused as exc:
            log.info("single sign-on refused: %s", exc.message)
            return refused(request, exc.message, exc.status)
        except SuspiciousOperation as exc:
            log.warning("single sign-on: %s", exc)
            return refused(request, TAMPERED, 400)
        except (requests.RequestException, ValueError, ImproperlyConfigured) as exc:
            log.error("single sign-on: the provider could not be used: %s", exc)
            return refused(request, UNREACHABLE, 503)

    def login_failure(self):
        if self.request.GET.get("error"):  # the provider said no (the person cancelled, or has no access there)
            description = self.request.GET.get("error_description", "")[:300]
            message = "Your council's sign-in service did not sign you in"
            return refused(self.request, f"{message}{': ' + description if description else '.'} Start again "
                                         "from the sign-in page.", 403)
        if getattr(self, "user", None) is not None and not self.user.is_active:
            return refused(self.request, SWITCHED_OFF, 403)
        return refused(self.request, TAMPERED, 400)

    def login_success(self):
        response = super().login_success()
        found = getattr(self.request, "pmf_sso", {})
        # the hook for two-factor authentication: see pmf.sso.two_factor_done_by_provider
        self.request.session[sso.SESSION_SSO] = True
        self.request.session[sso.SESSION_MFA] = bool(found.get("mfa"))
        return response


class Logout(auth_views.LogoutView):
    """Signing out. Someone who signed in through the council's provider is signed out there too when it has an
    end-session endpoint: a page that goes on to it (a link, and a refresh after a moment: a redirect straight after
    the sign-out form would break the pages' rule that forms post only to this site)."""

    def post(self, request, *args, **kwargs):
        provider_logout = self._provider_logout_url(request)
        response = super().post(request, *args, **kwargs)
        if provider_logout:
            return render(request, "registration/sso_signed_out.html", {"provider_logout": provider_logout})
        return response

    def _provider_logout_url(self, request) -> str:
        if not (sso.enabled() and request.session.get(sso.SESSION_SSO) and request.session.get(ID_TOKEN)):
            return ""
        try:
            endpoint = sso.get_setting("OIDC_OP_LOGOUT_ENDPOINT", "")
        except sso.SsoRefused:
            return ""
        if not endpoint:
            return ""
        query = urlencode({"id_token_hint": request.session[ID_TOKEN], "client_id": settings.OIDC_RP_CLIENT_ID,
                           "post_logout_redirect_uri": request.build_absolute_uri(reverse("login"))})
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
