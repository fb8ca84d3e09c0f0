"""Single sign-on by OpenID Connect (issue 11), end to end against a real provider: tests/oidc_provider (a small
django-oauth-toolkit project standing in for the council's Microsoft Entra ID) runs in a process of its own on
127.0.0.1, with its own SQLite file and an RSA key made at its start. Our app is driven with the Django test client;
the provider with HTTP requests. Every sign-in goes through the provider's discovery document, authorisation page,
its sign-in form (with the person's password), its token endpoint (with PKCE), its JWKS and its userinfo endpoint.

No live server is needed (the provider never calls our app: the browser carries the code back), so the tests run in
the main suite, each in its rolled-back transaction."""

from __future__ import annotations

import json
import os
import queue
import re
import secrets
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client

from pmf.choices import AuditAction, Role
from pmf.models import AuditEntry, RoleAssignment, User
from tests import factories as f
from tests.oidc_provider.claims import oid_of

pytestmark = pytest.mark.django_db

CLIENT_ID = "performance-framework"
CLIENT_SECRET = secrets.token_urlsafe(32)
TEST_TOKEN = secrets.token_urlsafe(16)
PASSWORD = "council-account-pw-1"
OUR_SITE = "http://testserver"
LEADS = "1f3a0c62-7d0e-4e59-8f1f-waste-leads"  # group object IDs, as Entra sends them
DIRECTORS = "9b2d55aa-3c41-4d7e-a0c8-place-directors"
UNMAPPED = "c0ffee00-0000-4000-8000-all-staff"
TIMINGS = Path(django_settings.BASE_DIR) / "test-artifacts" / "sso_timings.txt"

PEOPLE = [
    {"username": "bob", "email": "bob.lead@testshire.gov.uk", "first_name": "Bob", "last_name": "Lead",
     "groups": [LEADS, UNMAPPED]},
    {"username": "carol", "email": "carol.new@testshire.gov.uk", "first_name": "Carol", "last_name": "New",
     "groups": [LEADS]},
    {"username": "dave", "email": "dave.nogroup@testshire.gov.uk", "first_name": "Dave", "last_name": "Nogroup",
     "groups": [UNMAPPED]},
]


@dataclass
class Provider:
    url: str  # http://127.0.0.1:<port>

    def set_groups(self, username: str, groups: list[str]) -> None:
        response = requests.post(f"{self.url}/testing/groups/", data=json.dumps({"username": username,
                                 "groups": groups}), headers={"X-Test-Token": TEST_TOKEN}, timeout=10)
        response.raise_for_status()


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    """The OpenID Connect provider in its own process, on 127.0.0.1 and a free port; stopped at the end (and it
    stops by itself if this process goes)."""
    folder = tmp_path_factory.mktemp("oidc-provider")
    setup = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
             "redirect_uris": [f"{OUR_SITE}/accounts/sso/callback/"],
             "post_logout_redirect_uris": [f"{OUR_SITE}/accounts/login/"],
             "users": [{**p, "password": PASSWORD} for p in PEOPLE]}
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
           "PROVIDER_DB": str(folder / "provider.sqlite3"), "PROVIDER_SETUP": json.dumps(setup),
           "PROVIDER_TEST_TOKEN": TEST_TOKEN, "PROVIDER_MAX_SECONDS": "900"}
    started = time.perf_counter()
    log = open(folder / "provider.log", "w")  # noqa: SIM115 - closed in the finally
    process = subprocess.Popen([sys.executable, "-m", "tests.oidc_provider.serve"], cwd=django_settings.BASE_DIR,
                               env=env, stdout=subprocess.PIPE, stderr=log, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    try:
        try:
            line = lines.get(timeout=90)
        except queue.Empty:
            line = ""
        if not line.startswith("READY "):
            log.flush()
            pytest.fail(f"the test provider did not start: {line!r} {(folder / 'provider.log').read_text()[-2000:]}")
        _record(f"provider process ready (migrated, key made) in {time.perf_counter() - started:.2f} s")
        yield Provider(url=f"http://127.0.0.1:{int(line.split()[1])}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def _record(line: str) -> None:
    TIMINGS.parent.mkdir(exist_ok=True)
    with TIMINGS.open("a") as out:
        out.write(line + "\n")
    print(line)


@pytest.fixture
def org():
    c = f.council("Testshire Council")
    waste = f.service(c)
    other = f.service(c)
    ind = f.indicator(c, service=waste)
    ind.current_spec.performance_lead = bob = User.objects.create_user(
        "bob.existing", email="bob.lead@testshire.gov.uk", password="local-password-1", first_name="Bob",
        last_name="Lead")
    ind.current_spec.save(update_fields=["performance_lead"])
    f.target(ind, 2026, 100)
    elsewhere = f.indicator(c, service=other)
    for measure in (ind, elsewhere):  # a figure each (the indicators page lists figures)
        f.ret(measure, 2026, 5, 80)
    RoleAssignment.objects.create(user=bob, council=c, role=Role.STAFF)  # given by hand: never ended by SSO
    return {"council": c, "waste": waste, "other": other, "indicator": ind, "elsewhere": elsewhere, "bob": bob}


@pytest.fixture
def sso(settings, provider, org):
    """Single sign-on switched on as a council would: discovery URL, client, group mapping, allowed domain."""
    c, waste = org["council"], org["waste"]
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_DISCOVERY_URL = f"{provider.url}/o/.well-known/openid-configuration"
    cache.delete(f"pmf:oidc-discovery:{settings.OIDC_OP_DISCOVERY_URL}")  # only ours: the cache may be shared
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "pmf.sso.SsoBackend"]
    settings.OIDC_GROUP_ROLES = {
        LEADS: {"council": c.slug, "role": "service_lead", "service": waste.name},
        DIRECTORS: [{"council": c.slug, "role": "director", "directorate": waste.directorate.code}],
    }
    settings.OIDC_ALLOWED_DOMAINS = ["testshire.gov.uk"]
    settings.OIDC_MATCH_EMAIL = True
    provider.set_groups("bob", [LEADS, UNMAPPED])
    return provider


class Browser:
    """One person's browser: our app through the Django test client, the provider over HTTP; redirects followed
    from one to the other."""

    def __init__(self, provider: Provider):
        self.provider = provider
        self.app = Client()
        self.web = requests.Session()
        self.url = ""

    def go(self, url: str, *, data: dict | None = None, stop_at_callback: bool = False):
        """Fetch the URL (POST with data) and follow redirects; returns (status, text) of the last page."""
        for _ in range(20):
            self.url = url
            if stop_at_callback and urlsplit(url).path == "/accounts/sso/callback/":
                return 302, ""
            if url.startswith(self.provider.url):
                response = (self.web.post(url, data=data, allow_redirects=False, timeout=15) if data is not None
                            else self.web.get(url, allow_redirects=False, timeout=15))
                status, text, location = response.status_code, response.text, response.headers.get("Location")
            else:
                parts = urlsplit(url)
                path = urlunsplit(("", "", parts.path, parts.query, ""))
                started = time.perf_counter()
                response = self.app.post(path, data) if data is not None else self.app.get(path)
                if parts.path == "/accounts/sso/callback/":  # the code exchanged, the token checked, the roles set
                    self.callback_seconds = time.perf_counter() - started
                status, text, location = response.status_code, response.content.decode(), response.get("Location")
            data = None
            if status in (301, 302, 303) and location:
                url = requests.compat.urljoin(url, location)
                continue
            return status, text
        raise AssertionError(f"too many redirects, last {url}")

    def start_sso(self):
        """Our sign-in page, then its "Sign in with your council account": lands on the provider's sign-in form."""
        status, page = self.go(f"{OUR_SITE}/accounts/login/")
        assert status == 200
        link = re.search(r'href="([^"]+)">Sign in with your council account<', page)
        assert link, "the sign-in page offers single sign-on"
        status, page = self.go(f"{OUR_SITE}{unescape(link.group(1))}")
        assert status == 200 and "Sign in to your council account" in page, page
        assert self.url.startswith(f"{self.provider.url}/accounts/login/")
        return page

    def provider_login(self, page: str, username: str, *, stop_at_callback: bool = False):
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        nxt = re.search(r'name="next" value="([^"]*)"', page).group(1)
        return self.go(self.url, data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD,
                                       "next": unescape(nxt)}, stop_at_callback=stop_at_callback)

    def sign_in(self, username: str):
        started = time.perf_counter()
        status, page = self.provider_login(self.start_sso(), username)
        took = time.perf_counter() - started
        _record(f"single sign-on of {username}: {took:.3f} s in all (our sign-in page, the provider's pages, "
                f"the callback, the home page); the callback {getattr(self, 'callback_seconds', 0):.3f} s")
        return status, page, took

    def sign_out(self):
        page = self.app.post("/accounts/logout/")
        assert page.status_code == 200, page.status_code
        text = page.content.decode()
        assert "You are signed out" in text
        link = unescape(re.search(r'href="([^"]+)">Sign out of your council account<', text).group(1))
        assert link.startswith(f"{self.provider.url}/o/logout/?")
        status, login = self.go(link)  # the provider signs them out, and sends them back to our sign-in page
        assert status == 200 and self.url == f"{OUR_SITE}/accounts/login/"
        assert "Sign in with your council account" in login


def roles_of(user: User) -> set[tuple[str, str, bool]]:
    return {(ra.role, str(ra.service or ra.directorate or ""), ra.from_sso) for ra in user.role_assignments.all()}


def test_sign_in_through_the_provider_gives_the_mapped_role_and_a_change_of_groups_changes_it(sso, org):
    browser = Browser(sso)
    status, home, _ = browser.sign_in("bob")
    assert status == 200 and browser.url == f"{OUR_SITE}/", home[:500]
    bob = User.objects.get(pk=org["bob"].pk)  # linked by email (OIDC_MATCH_EMAIL), then by the provider's oid
    assert bob.sso_subject == oid_of("bob")
    assert "Welcome, Bob Lead" in home
    # what a service lead sees: their returns due, and their service's measures
    assert 'id="my-returns"' in home and org["indicator"].title in home
    assert f"Performance / service lead, {org['waste']}" in home
    assert roles_of(bob) == {(Role.SERVICE_LEAD, str(org["waste"]), True), (Role.STAFF, "", False)}
    assert browser.app.session["sso_authenticated"] is True  # the hook two-factor authentication reads
    created = AuditEntry.objects.get(object_type="pmf.RoleAssignment", action=AuditAction.CREATE)
    assert created.user == bob and "Single sign-on" in created.reason and LEADS in created.reason

    # The IT team moves Bob from the service leads' group to the directors'; his next sign-in follows.
    sso.set_groups("bob", [DIRECTORS, UNMAPPED])
    f.ret(org["indicator"], 2026, 6, 90, state="submitted", by=bob)
    browser.sign_out()
    status, home, _ = browser.sign_in("bob")
    assert status == 200 and browser.url == f"{OUR_SITE}/"
    assert roles_of(bob) == {(Role.DIRECTOR, str(org["waste"].directorate), True), (Role.STAFF, "", False)}
    assert "1 return waiting for your sign-off" in home  # what a director sees
    assert f"Director, {org['waste'].directorate}" in home and "Performance / service lead" not in home
    ended = AuditEntry.objects.get(object_type="pmf.RoleAssignment", action=AuditAction.DELETE)
    assert ended.changes["role"][0].startswith("Bob Lead — Performance / service lead")

    # Signing in again with the same groups changes nothing.
    browser.sign_out()
    before = AuditEntry.objects.count()
    browser.sign_in("bob")
    assert AuditEntry.objects.count() == before


def test_a_new_person_in_a_mapped_group_gets_an_account_without_a_password(sso, org):
    browser = Browser(sso)
    status, home, _ = browser.sign_in("carol")
    assert status == 200 and "Welcome, Carol New" in home
    carol = User.objects.get(sso_subject=oid_of("carol"))
    assert carol.username == carol.email == "carol.new@testshire.gov.uk"
    assert not carol.has_usable_password()
    assert roles_of(carol) == {(Role.SERVICE_LEAD, str(org["waste"]), True)}
    assert AuditEntry.objects.filter(object_type="pmf.User", object_id=str(carol.pk),
                                     action=AuditAction.CREATE).exists()
    # their service's measures, not another service's
    page = browser.app.get("/indicators/").content.decode()
    assert org["indicator"].title in page and org["elsewhere"].title not in page


def test_someone_in_no_mapped_group_is_refused_with_a_page_that_says_why(sso, org):
    browser = Browser(sso)
    status, page, _ = browser.sign_in("dave")
    assert status == 403
    assert "You were not signed in" in page
    assert "not in any group that gives access to the performance framework" in page
    assert not User.objects.filter(email="dave.nogroup@testshire.gov.uk").exists()
    assert "_auth_user_id" not in browser.app.session

    # Someone signed in before whose groups no longer give a role: their roles from single sign-on end too.
    Browser(sso).sign_in("bob")
    sso.set_groups("bob", [UNMAPPED])
    status, page, _ = Browser(sso).sign_in("bob")
    assert status == 403 and "not in any group" in page
    assert roles_of(org["bob"]) == {(Role.STAFF, "", False)}  # the role given by hand stays


def test_a_tampered_state_is_refused(sso):
    browser = Browser(sso)
    status, _ = browser.provider_login(browser.start_sso(), "bob", stop_at_callback=True)
    parts = urlsplit(browser.url)
    query = parse_qs(parts.query)
    assert set(query) == {"code", "state"}
    forged = urlunsplit(("", "", parts.path, urlencode({"code": query["code"][0], "state": "forged-state"}), ""))
    page = browser.app.get(forged)
    assert page.status_code == 400
    assert "could not be checked" in page.content.decode()
    assert "_auth_user_id" not in browser.app.session


def test_a_tampered_nonce_is_refused(sso):
    """The ID token's nonce must be the one this browser's sign-in sent: one that differs (a token replayed from
    another sign-in) is refused, even with the right state and a code the provider really issued."""
    browser = Browser(sso)
    page = browser.start_sso()
    session = browser.app.session
    (state,) = session["oidc_states"]
    session["oidc_states"][state]["nonce"] = "a-nonce-of-another-sign-in"
    session.save()
    status, text = browser.provider_login(page, "bob")
    assert status == 400 and "could not be checked" in text
    assert "_auth_user_id" not in browser.app.session
    assert not User.objects.filter(sso_subject=oid_of("bob")).exists()


def test_off_by_default(client):
    assert not django_settings.OIDC_RP_CLIENT_ID
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and "council account</a>" not in page.content.decode()
    assert client.get("/accounts/sso/start/").status_code == 404
    assert client.get("/accounts/sso/callback/?code=x&state=y").status_code == 404


def test_password_sign_in_still_works_and_never_calls_the_provider(client, settings, org):
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_DISCOVERY_URL = "http://127.0.0.1:9/nothing-listens-here"  # any call to it would fail
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "pmf.sso.SsoBackend"]
    page = client.get("/accounts/login/")
    assert "Sign in with your council account" in page.content.decode()
    response = client.post("/accounts/login/", {"username": "bob.existing", "password": "local-password-1"})
    assert response.status_code == 302 and client.get("/").status_code == 200

    # the provider away: a page that says so, not an error
    started = Client().get("/accounts/sso/start/")
    assert started.status_code == 503
    assert "sign-in service could not be reached" in started.content.decode()


def test_two_factor_hook(rf, settings):
    from pmf.sso import two_factor_done_by_provider

    request = rf.get("/")
    request.session = {}
    assert not two_factor_done_by_provider(request)  # signed in with a password: two-factor asks
    request.session = {"sso_authenticated": True, "sso_mfa": False}
    settings.OIDC_PROVIDER_DOES_MFA = True
    assert two_factor_done_by_provider(request)
    settings.OIDC_PROVIDER_DOES_MFA = False
    assert not two_factor_done_by_provider(request)
    request.session["sso_mfa"] = True  # the provider's ID token said "amr": ["mfa"]
    assert two_factor_done_by_provider(request)


def test_the_check_names_what_is_wrong_with_the_group_mapping():
    from pmf.sso import mapping_problems

    assert mapping_problems({LEADS: {"council": "harrowdale", "role": "service_lead", "service": "Waste"}}) == []
    problems = mapping_problems({LEADS: [{"role": "boss", "unit": "x"}], DIRECTORS: "director"})
    assert any('"council"' in p and LEADS in p for p in problems)
    assert any("\"role\" must be one of" in p and "'boss'" in p for p in problems)
    assert any("unknown keys unit" in p for p in problems)
    assert any(DIRECTORS in p and "JSON object" in p for p in problems)
    assert mapping_problems(["not", "an", "object"]) == [
        "OIDC_GROUP_ROLES must be a JSON object: group ID -> role (or a list of roles)."]
