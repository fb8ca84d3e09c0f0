"""Two-factor authentication (issue 11, ASVS level 2): set-up with a QR code and a code, sign-in with the code or a
recovery code, wrong codes refused, counted and locking the account, the requirement for the performance unit,
directors, internal audit and superusers, removal, and the performance unit's reset."""

from __future__ import annotations

import re
from base64 import b32decode
from types import SimpleNamespace

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp import models as totp_models
from django_otp.plugins.otp_totp.models import TOTPDevice

from pmf import two_factor
from pmf.choices import Role
from pmf.models import AuditEntry, User
from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "harrowdale-demo"
PERFORMANCE_UNIT, DIRECTOR, AUDITOR, LEAD = "helen.marsh", "ruth.calloway", "nadia.holloway", "tom.ashworth"
NOW = 1_795_000_000.0  # a fixed moment for the app's codes (November 2026)


@pytest.fixture(autouse=True)
def _required(settings):
    settings.TWO_FACTOR_REQUIRED = True


@pytest.fixture
def clock(monkeypatch):
    """Pins the time the codes are checked at; ``clock.now`` moves it."""
    state = SimpleNamespace(now=NOW)
    monkeypatch.setattr(totp_models, "time", SimpleNamespace(time=lambda: state.now))
    return state


def code_at(key: bytes, moment: float) -> str:
    totp = TOTP(key, step=30, t0=0, digits=6)
    totp.time = moment
    return f"{totp.token():06d}"


def with_app(username: str) -> TOTPDevice:
    user = User.objects.get(username=username)
    return TOTPDevice.objects.create(user=user, name=two_factor.TOTP_NAME, confirmed=True)


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password, **extra})


def give_code(client, code):
    return client.post(reverse("two_factor_code"), {"code": code})


# -- set-up ------------------------------------------------------------------------------------------------------

def test_a_required_role_sets_up_with_the_qr_code_and_gets_ten_recovery_codes_once(client, clock):
    response = sign_in(client, PERFORMANCE_UNIT, next="/indicators/")
    assert response.status_code == 302 and response.url.startswith(reverse("two_factor_set_up"))
    page = client.get(response.url)
    assert page.status_code == 200
    assert "<svg" in page.text and "QR code to scan with your authenticator app" in page.text
    assert "style=" not in page.text and "<script>" not in page.text  # nothing the Content Security Policy refuses
    secret = re.search(r'<code class="two-factor-secret" id="secret">([A-Z2-7 ]+)</code>', page.text).group(1)
    device = TOTPDevice.objects.get(user__username=PERFORMANCE_UNIT, confirmed=False)
    key = b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    assert key == device.bin_key  # the key typed by hand is the QR code's
    assert client.get(response.url).text.count(secret) == 1  # reloading keeps the same key

    wrong = client.post(response.url, {"code": "123456" if code_at(key, NOW) != "123456" else "654321"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.text
    clock.now += 2  # past the wait after a wrong code
    done = client.post(response.url, {"code": code_at(key, clock.now)})
    assert done.status_code == 302 and done.url.startswith(reverse("two_factor_recovery_codes"))
    device.refresh_from_db()
    assert device.confirmed

    codes_page = client.get(done.url)
    codes = re.findall(r"<li><code>([a-z1-9]{4}-[a-z1-9]{4}-[a-z1-9]{4}-[a-z1-9]{4})</code></li>", codes_page.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "shown only this once" in codes_page.text
    download = client.get(reverse("two_factor_recovery_codes_txt"))
    assert download["Content-Disposition"] == 'attachment; filename="recovery-codes.txt"'
    assert all(code in download.text for code in codes)
    stored = set(StaticToken.objects.filter(device__user=device.user).values_list("token", flat=True))
    assert len(stored) == 10 and not stored & {c.replace("-", "") for c in codes}  # digests, not the codes
    kept = client.post(done.url)
    assert kept.status_code == 302 and kept.url == "/indicators/"
    assert "shown already" in client.get(done.url).text
    assert client.get(reverse("two_factor_recovery_codes_txt")).status_code == 404
    assert client.get("/indicators/").status_code == 200

    entry = AuditEntry.objects.get(object_type="pmf.User", object_id=str(device.user.pk))
    assert entry.action == "create" and entry.changes == {two_factor.FIELD: ["off", "on (authenticator app)"]}
    assert entry.council.slug == "harrowdale"


@pytest.mark.parametrize("url", ["/", "/indicators/", "/audit/", "/plans/thread/", "/accounts/password/",
                                 "/admin/", "/accounts/two-factor/"])
def test_until_set_up_every_page_sends_a_required_role_to_set_up(client, url):
    assert sign_in(client, DIRECTOR).status_code == 302
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("two_factor_set_up"))
    assert client.get(response.url).status_code == 200  # and set-up itself is reached: no loop


def test_until_set_up_data_and_htmx_requests_get_403_not_a_redirect(client):
    sign_in(client, AUDITOR)
    export = client.get(reverse("audit_export"))
    assert export.status_code == 403 and "set it up first" in export.text
    as_json = client.get("/indicators/", HTTP_ACCEPT="application/json")
    assert as_json.status_code == 403 and as_json.json()["set_up"] == reverse("two_factor_set_up")
    assert client.get("/indicators/", HTTP_HX_REQUEST="true").status_code == 403
    assert client.post(reverse("logout")).status_code == 302  # signing out still works
    assert client.get("/").status_code == 302 and client.get("/").url.startswith(reverse("login"))


def test_superusers_need_it_and_other_roles_do_not(client):
    admin = User.objects.filter(is_superuser=True).first()
    admin.set_password(PASSWORD)
    admin.save()
    assert sign_in(client, admin.username).url.startswith(reverse("two_factor_set_up"))
    other = Client()
    assert sign_in(other, LEAD).url == reverse("home")
    assert other.get("/indicators/").status_code == 200


def test_switched_off_the_requirement_asks_nothing_of_a_required_role(client, settings):
    settings.TWO_FACTOR_REQUIRED = False
    assert sign_in(client, PERFORMANCE_UNIT).url == reverse("home")
    assert client.get("/audit/").status_code == 200
    page = client.get(reverse("two_factor"))
    assert "Off." in page.text and "the requirement is switched off here" in page.text


def test_the_required_roles_are_a_setting(client, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["service_lead"]
    assert sign_in(client, LEAD).url.startswith(reverse("two_factor_set_up"))
    assert sign_in(Client(), DIRECTOR).url == reverse("home")


# -- signing in with a code ------------------------------------------------------------------------------------------

def test_signing_in_with_the_code_from_the_app(client, clock):
    device = with_app(DIRECTOR)
    response = sign_in(client, DIRECTOR, next="/plans/")
    assert response.status_code == 302 and response.url == reverse("two_factor_code")
    assert client.get("/").status_code == 302 and client.get("/").url.startswith(reverse("login"))  # not yet in
    assert not AccessLog.objects.filter(username=DIRECTOR).exists()
    assert "Code from your authenticator app" in client.get(reverse("two_factor_code")).text
    done = give_code(client, code_at(device.bin_key, clock.now))
    assert done.status_code == 302 and done.url == "/plans/"
    assert client.get("/plans/").status_code == 200
    assert AccessLog.objects.filter(username=DIRECTOR).count() == 1  # the sign-in log has it once, when complete


def test_a_code_is_used_once(client, clock):
    device = with_app(DIRECTOR)
    code = code_at(device.bin_key, clock.now)
    sign_in(client, DIRECTOR)
    assert give_code(client, code).status_code == 302
    client.post(reverse("logout"))
    sign_in(client, DIRECTOR)
    again = give_code(client, code)
    assert again.status_code == 200 and "That code is not right" in again.text


def test_a_wrong_code_is_refused_counted_logged_and_locks_the_account(client, clock, settings):
    device = with_app(DIRECTOR)
    right = code_at(device.bin_key, clock.now)
    wrong = "000000" if right != "000000" else "111111"
    sign_in(client, DIRECTOR)
    first = give_code(client, wrong)
    assert first.status_code == 200 and "That code is not right" in first.text
    assert client.get("/").status_code == 302  # not signed in
    failure = AccessFailureLog.objects.get(username=DIRECTOR)
    assert failure.path_info == reverse("two_factor_code")
    immediately = give_code(client, right)  # the device makes a retry wait after a wrong code
    assert immediately.status_code == 200 and "Too many wrong codes in a row: wait" in immediately.text
    codes = [give_code(client, wrong).status_code for _ in range(settings.AXES_FAILURE_LIMIT - 2)]
    assert codes == [200] * (settings.AXES_FAILURE_LIMIT - 3) + [429]  # wrong codes count with the right one above
    locked = give_code(client, right)
    assert locked.status_code == 200 and "Sign in with your username and password first" in locked.text
    assert client.get("/").status_code == 302  # the half-done sign-in is forgotten
    again = sign_in(Client(), DIRECTOR)
    assert again.status_code == 429 and "Too many wrong" in again.text  # and the password is locked too
    assert AccessFailureLog.objects.filter(username=DIRECTOR, path_info=reverse("two_factor_code")).count() >= 5


def test_a_recovery_code_signs_in_once_only(client, clock):
    device = with_app(PERFORMANCE_UNIT)
    codes = two_factor._make_recovery_codes(device.user)
    sign_in(client, PERFORMANCE_UNIT)
    used = give_code(client, codes[3].upper().replace("-", " "))  # as typed from paper, any case, spaced
    assert used.status_code == 302 and used.url == reverse("home")
    assert "9 recovery codes left" in client.get(reverse("home")).text
    client.post(reverse("logout"))
    sign_in(client, PERFORMANCE_UNIT)
    again = give_code(client, codes[3])
    assert again.status_code == 200 and "it has been used already" in again.text
    clock.now += 30
    device.throttle_reset()
    assert give_code(client, code_at(device.bin_key, clock.now)).status_code == 302


@pytest.mark.parametrize("offset, accepted", [(-30, True), (30, True), (-60, False), (60, False), (0, True)])
def test_the_apps_clock_may_be_one_step_out(clock, offset, accepted):
    """One 30-second step either way is accepted (a phone's clock a little out, a code typed as it changed)."""
    device = with_app(DIRECTOR)
    outcome, _ = two_factor.verify(device.user, code_at(device.bin_key, NOW + offset))
    assert (outcome == "app") is accepted


def test_a_session_signed_in_without_the_code_is_asked_for_it(client, clock):
    device = with_app(LEAD)  # opted in: not required of his role
    client.force_login(device.user)
    response = client.get("/indicators/")
    assert response.status_code == 302 and response.url.startswith(reverse("two_factor_code"))
    assert give_code(client, code_at(device.bin_key, clock.now)).status_code == 302
    assert client.get("/indicators/").status_code == 200


def test_someone_who_opted_in_is_asked_for_the_code_even_with_the_requirement_off(client, clock, settings):
    settings.TWO_FACTOR_REQUIRED = False
    with_app(LEAD)
    assert sign_in(client, LEAD).url == reverse("two_factor_code")


# -- account security: opting in, new codes, removal ----------------------------------------------------------------

def _verified_client(client, username, clock) -> TOTPDevice:
    device = with_app(username)
    sign_in(client, username)
    assert give_code(client, code_at(device.bin_key, clock.now)).status_code == 302
    return device


def test_the_footer_links_to_account_security(client):
    client.force_login(User.objects.get(username=LEAD))
    assert f'<a href="{reverse("two_factor")}">Account security</a>' in client.get("/").text


def test_anyone_may_opt_in_from_account_security(client, clock):
    client.force_login(User.objects.get(username=LEAD))
    page = client.get(reverse("two_factor"))
    assert "Off." in page.text and reverse("two_factor_set_up") in page.text
    client.get(reverse("two_factor_set_up"))
    device = TOTPDevice.objects.get(user__username=LEAD)
    assert client.post(reverse("two_factor_set_up"), {"code": code_at(device.bin_key, NOW)}).status_code == 302
    assert "On." in client.get(reverse("two_factor")).text


def test_removal_is_refused_for_a_required_role(client, clock):
    device = _verified_client(client, PERFORMANCE_UNIT, clock)
    page = client.get(reverse("two_factor"))
    assert "Your role requires two-factor authentication, so it cannot be removed." in page.text
    refused = client.post(reverse("two_factor"), {"action": "remove", "password": PASSWORD})
    assert refused.status_code == 400 and "cannot be removed" in refused.text
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_removal_needs_the_password_and_is_audited(client, clock):
    device = _verified_client(client, LEAD, clock)
    wrong = client.post(reverse("two_factor"), {"action": "remove", "password": "not-it"})
    assert "That is not your password" in wrong.text
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    done = client.post(reverse("two_factor"), {"action": "remove", "password": PASSWORD})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=device.user).exists()
    assert client.get("/indicators/").status_code == 200  # still signed in
    assert AuditEntry.objects.filter(object_type="pmf.User", object_id=str(device.user.pk), action="delete").exists()


def test_new_recovery_codes_replace_the_old(client, clock):
    device = _verified_client(client, PERFORMANCE_UNIT, clock)
    old = two_factor._make_recovery_codes(device.user)
    response = client.post(reverse("two_factor"), {"action": "new-codes"})
    assert response.status_code == 302 and response.url == reverse("two_factor_recovery_codes")
    new = re.findall(r"<li><code>([a-z1-9-]{19})</code></li>", client.get(response.url).text)
    assert len(new) == 10 and not set(new) & set(old)
    assert client.get("/").status_code == 200  # the session stays signed in
    assert two_factor.verify(device.user, old[0])[0] == "wrong"


# -- the performance unit's reset ------------------------------------------------------------------------------------

def test_the_performance_unit_resets_a_lost_phone_audited_and_it_signs_the_person_out(client, clock):
    person = Client()
    device = _verified_client(person, DIRECTOR, clock)
    assert person.get("/").status_code == 200

    _verified_client(client, PERFORMANCE_UNIT, clock)
    listing = client.get(reverse("two_factor_people"), {"q": "calloway"})
    assert listing.status_code == 200 and "Ruth" in listing.text
    url = reverse("two_factor_reset", args=[device.user.pk])
    assert url in listing.text
    no_reason = client.post(url, {"reason": ""})
    assert "Say why" in no_reason.text and TOTPDevice.objects.filter(pk=device.pk).exists()
    done = client.post(url, {"reason": "Lost phone; identity checked with her PA by phone."})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=device.user).exists()
    entry = AuditEntry.objects.get(object_type="pmf.User", object_id=str(device.user.pk), action="delete")
    assert entry.reason.startswith("Lost phone") and entry.user.username == PERFORMANCE_UNIT
    assert entry.changes == {two_factor.FIELD: ["on", "off (reset)"]}

    signed_out = person.get("/")  # the session that used the phone is signed out
    assert signed_out.status_code == 302 and signed_out.url == reverse("login")
    assert sign_in(person, DIRECTOR).url.startswith(reverse("two_factor_set_up"))  # and sets it up again


def test_another_councils_performance_unit_cannot_reset_and_others_may_not_at_all(client, settings):
    settings.TWO_FACTOR_REQUIRED = False  # signed in by force_login, without the code
    device = with_app(DIRECTOR)
    url = reverse("two_factor_reset", args=[device.user.pk])
    outsider = f.user(f.council("Elsewhere Council"), Role.PERFORMANCE_UNIT)
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "Lost phone"}).status_code == 404
    assert "0 people." in client.get(reverse("two_factor_people"), {"q": "calloway"}).text
    client.force_login(User.objects.get(username=LEAD))
    assert client.get(url).status_code == 403
    assert client.get(reverse("two_factor_people")).status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_nobody_resets_their_own():
    me = User.objects.get(username=PERFORMANCE_UNIT)
    with_app(PERFORMANCE_UNIT)
    with pytest.raises(two_factor.Refused, match="cannot reset your own"):
        two_factor.reset(by=me, person=me, reason="Lost phone")
    assert two_factor.has_authenticator(me)


def test_the_code_must_follow_the_password_within_five_minutes(client, clock):
    device = with_app(DIRECTOR)
    sign_in(client, DIRECTOR)
    session = client.session
    session[two_factor.PENDING]["at"] -= two_factor.PENDING_SECONDS + 1
    session.save()
    late = give_code(client, code_at(device.bin_key, clock.now))
    assert late.status_code == 200 and "Sign in with your username and password first" in late.text
    assert client.get("/").status_code == 302


def test_the_sign_in_log_says_which_step_failed(client, clock, settings):
    with_app(DIRECTOR)
    sign_in(Client(), DIRECTOR, password="wrong-password")
    other = Client()
    sign_in(other, DIRECTOR)
    give_code(other, "999999")
    settings.TWO_FACTOR_REQUIRED = False  # the reader signs in without a code here
    client.force_login(User.objects.get(username=PERFORMANCE_UNIT))
    log = client.get(reverse("sign_in_log"), {"q": DIRECTOR})
    assert log.text.count("<td>Code</td>") == 1 and log.text.count("<td>Password</td>") == 1


def test_single_sign_on_whose_provider_did_multi_factor_is_not_asked_again(client, settings):
    settings.OIDC_PROVIDER_DOES_MFA = False
    client.force_login(User.objects.get(username=DIRECTOR))
    session = client.session
    session["sso_authenticated"] = True  # as pmf/views_sso.py marks a single sign-on
    session.save()
    assert client.get("/indicators/").url.startswith(reverse("two_factor_set_up"))  # the provider did not say so
    session["sso_mfa"] = True  # the ID token's "amr" said "mfa"
    session.save()
    assert client.get("/indicators/").status_code == 200
