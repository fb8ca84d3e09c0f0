"""Two-factor authentication (ASVS level 2): an authenticator app's 6-digit code (TOTP, django-otp) after the
password, with 10 one-time recovery codes (django-otp's static device).

Who must have it: superusers and the roles in ``TWO_FACTOR_REQUIRED_ROLES`` (performance unit, directors, internal
audit), unless ``TWO_FACTOR_REQUIRED`` is off (the demo). Everyone else may set it up from "Account security".

How a sign-in goes (``pmf.views_two_factor``):

- the password is right and the person has an app set up: they are not signed in yet; the session remembers who
  is half-way (``PENDING``) and the next page asks for the code. Wrong codes count with wrong passwords towards
  django-axes' lock-out and are in the sign-in log; the device itself also makes each retry wait longer;
- the password is right, no app set up, and their role requires one: they are signed in, but ``TwoFactorMiddleware``
  sends every page but set-up and sign-out to the set-up page (403 for data and htmx requests) until it is done;
- a session signed in some other way (single sign-on whose provider did not do the second factor, a session
  older than this feature) with an app set up is asked for the code the same way.

What the session knows (``STATE``), decided once at sign-in so that pages cost no extra query: ``verified`` (the
code was given: django-otp's ``OTPMiddleware`` checks on each request that the device still exists, so a reset
signs such sessions out), ``code`` (an app is set up, the code not given), ``none`` (no app). ``REQUIRED`` is
whether the person's role requires an app, read against ``TWO_FACTOR_REQUIRED`` on every request.

Recovery codes: 16 characters from a 32-letter alphabet (80 bits), shown once, stored only as SHA-256 digests
(a code that random needs no salt: there is no list of likely codes to precompute). Each works once.

The writes are services: one transaction each, with an audit entry on the person for each of their councils.
"""

from __future__ import annotations

import hashlib
import secrets
from base64 import b32encode, urlsafe_b64encode
from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pmf import audit
from pmf.choices import AuditAction, Role
from pmf.errors import Refused
from pmf.models import Council, User

STATE = "pmf_two_factor"  # "verified", "code" or "none"
REQUIRED = "pmf_two_factor_required"
PENDING = "pmf_two_factor_pending"  # {"user": pk, "backend": ..., "at": unix time, "next": url}: password given
NEW_CODES = "pmf_two_factor_new_codes"  # recovery codes to show once, until the person says they have kept them
VERIFIED, CODE, NONE = "verified", "code", "none"
PENDING_SECONDS = 5 * 60  # how long the code step waits after the password

TOTP_NAME = "Authenticator app"
STATIC_NAME = "Recovery codes"
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz123456789"  # 32 characters, 5 bits each; no 0/o or l/i to misread
RECOVERY_CODE_LENGTH = 16
FIELD = "two-factor authentication"  # the audit entry's field, as the audit trail shows it


# -- who must have it ------------------------------------------------------------------------------------------

def required_roles() -> set[str]:
    roles = set(settings.TWO_FACTOR_REQUIRED_ROLES)
    unknown = roles - set(Role.values)
    if unknown:
        raise ImproperlyConfigured(f"TWO_FACTOR_REQUIRED_ROLES names roles that do not exist: {sorted(unknown)}; "
                                   f"the roles are {', '.join(Role.values)}")
    return roles


def role_requires(user: User) -> bool:
    """Whether the person's roles (or superuser status) call for two-factor authentication, whatever the switch."""
    if user.is_superuser and settings.TWO_FACTOR_REQUIRED_FOR_SUPERUSERS:
        return True
    return user.role_assignments.filter(role__in=required_roles()).exists()


def is_required(user: User) -> bool:
    return bool(settings.TWO_FACTOR_REQUIRED) and role_requires(user)


def authenticator(user: User) -> TOTPDevice | None:
    """The person's confirmed authenticator app, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def has_authenticator(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# -- codes -------------------------------------------------------------------------------------------------------

def _digest(code: str) -> str:
    """What is stored for a recovery code: 96 bits of its SHA-256 digest (the token field holds 16 characters)."""
    return urlsafe_b64encode(hashlib.sha256(code.encode()).digest()).decode()[:16]


def normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _new_recovery_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))


def show_code(code: str) -> str:
    """``abcd-efgh-jkmn-pqrs``: in groups of four, as the person copies it."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def is_app_code(code: str) -> bool:
    code = normalise(code)
    return code.isdigit() and len(code) == 6


def secret_text(device: TOTPDevice) -> str:
    """The key as an authenticator app takes it typed in: base32, in groups of four."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


def qr_svg(device: TOTPDevice) -> SafeString:
    """The device's otpauth:// address as a QR code, an inline SVG made here (no script, no style attribute)."""
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_inline(scale=5, border=4, dark="#000", light="#fff", svgclass="two-factor-qr",
                        title="QR code to scan with your authenticator app", lineclass=None)
    # mark_safe: segno writes the SVG from the QR matrix alone (paths of numbers) and our fixed title; the
    # person's name is inside the QR code's modules, never in the markup.
    return mark_safe(svg)  # nosec B308 B703


def verify(user: User, code: str) -> tuple[str, str]:
    """Check a code the person typed: the app's 6-digit code, or a recovery code. Returns (outcome, message):
    ``("app" | "recovery", "")`` when it is right, ``("wrong" | "wait", message)`` when it is not."""
    code = normalise(code)
    with transaction.atomic():
        if is_app_code(code):
            device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("-pk").first()
            kind = "app"
        else:
            device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            kind = "recovery"
        if device is None:
            return "wrong", "That code is not right." if kind == "app" else "That recovery code is not right."
        allowed, details = device.verify_is_allowed()
        if not allowed:
            return "wait", _wait_message(details)
        if device.verify_token(int(code) if kind == "app" else _digest(code)):
            return kind, ""
    if kind == "app":
        return "wrong", ("That code is not right. Type the 6 digits your authenticator app shows now for this "
                         "account, or use one of your recovery codes.")
    return "wrong", "That recovery code is not right, or it has been used already: each recovery code works once."


def _wait_message(details: dict | None) -> str:
    from django.utils import timezone

    until = (details or {}).get("locked_until")
    seconds = max(1, int((until - timezone.now()).total_seconds()) + 1) if until else 1
    return (f"Too many wrong codes in a row: wait {seconds} second{'s' if seconds != 1 else ''} before trying "
            f"again.")


def device_for(user: User, kind: str):
    """The device that just accepted a code of this kind (for django-otp's session record)."""
    model = TOTPDevice if kind == "app" else StaticDevice
    return model.objects.filter(user=user, confirmed=True).order_by("-pk").first()


# -- services (one transaction each, audited) ---------------------------------------------------------------------

def _councils(user: User) -> list[Council | None]:
    councils = list(Council.objects.filter(role_assignments__user=user).distinct().order_by("pk"))
    return councils or [None]


def _audit(*, by: User, person: User, action: str, before: str, after: str, reason: str) -> None:
    for council in _councils(person):
        audit.record(user=by, action=action, obj=person, changes={FIELD: [before, after]}, reason=reason,
                     council=council)


def start_set_up(*, user: User) -> TOTPDevice:
    """The person's unconfirmed authenticator (made once, so reloading the set-up page keeps the same QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def _make_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=STATIC_NAME, confirmed=True)
    codes = [_new_recovery_code() for _ in range(settings.TWO_FACTOR_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=_digest(code)) for code in codes)
    return [show_code(code) for code in codes]


def confirm_set_up(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the app with a code it shows: it replaces any app set up before, and 10 new recovery codes are
    made (returned, to be shown once). Refused, naming the field, when the code is not right."""
    code = normalise(code)
    if not is_app_code(code):
        raise Refused({"code": "Enter the 6 digits your authenticator app shows for this account."})
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
        if device is None:
            raise Refused({"code": "This set-up has expired: scan the new QR code below and try again."})
        allowed, details = device.verify_is_allowed()
        if not allowed:
            raise Refused({"code": _wait_message(details)})
        if not device.verify_token(int(code)):
            raise Refused({"code": "That code is not right. Check that the app's clock is right and that you "
                                   "scanned the QR code on this page, then type the 6 digits it shows now."})
        replaced = TOTPDevice.objects.filter(user=user).exclude(pk=device.pk)
        had_one = replaced.filter(confirmed=True).exists()
        replaced.delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _make_recovery_codes(user)
        _audit(by=user, person=user, action=AuditAction.UPDATE if had_one else AuditAction.CREATE,
               before="on (an earlier app)" if had_one else "off", after="on (authenticator app)",
               reason="Set up by the person, confirmed with a code from the app.")
    return device, codes


def regenerate_recovery_codes(*, user: User) -> list[str]:
    with transaction.atomic():
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise Refused("Set up two-factor authentication first: recovery codes go with an authenticator app.")
        codes = _make_recovery_codes(user)
        _audit(by=user, person=user, action=AuditAction.UPDATE, before="on", after="on, new recovery codes",
               reason="New recovery codes made by the person; the old ones no longer work.")
    return codes


def remove(*, user: User, password: str) -> None:
    """The person removes their own two-factor authentication, with their password; refused while their role
    requires it."""
    if is_required(user):
        raise Refused({"password": "Your role requires two-factor authentication, so it cannot be removed. To "
                                   "move to a new phone, set up the new one: it replaces this one."})
    if not user.check_password(password):
        raise Refused({"password": "That is not your password, so two-factor authentication was not removed."})
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        _audit(by=user, person=user, action=AuditAction.DELETE, before="on", after="off",
               reason="Removed by the person, with their password.")


def resettable_people(by: User):
    """The people whose two-factor authentication ``by`` may reset: the people of the councils where ``by`` is in
    the performance unit (everyone, for a superuser)."""
    from pmf.access import scope_for

    people = User.objects.all()
    if by.is_superuser:
        return people
    return people.filter(pk__in=User.objects.filter(
        role_assignments__council__in=scope_for(by).configure).values("pk"))


def can_reset(by: User) -> bool:
    from pmf.access import scope_for

    return by.is_authenticated and (by.is_superuser or bool(scope_for(by).configure))


def reset(*, by: User, person: User, reason: str) -> None:
    """The performance unit resets a person's two-factor authentication (a lost phone): their app and recovery
    codes go, sessions that used them are signed out, and the next sign-in asks them to set it up again."""
    if not can_reset(by):
        raise PermissionDenied("Only the performance unit resets someone's two-factor authentication.")
    reason = (reason or "").strip()
    if not reason:
        raise Refused({"reason": "Say why (for example “lost phone, identity checked by a call to their "
                                 "manager”): the reason is kept in the audit trail."})
    if person.pk == by.pk:
        raise Refused({"reason": "You cannot reset your own two-factor authentication: ask someone else in the "
                                 "performance unit. If you still have your app, set up a new phone from Account "
                                 "security instead."})
    if person.is_superuser and not by.is_superuser:
        raise PermissionDenied("Only a superuser resets a superuser's two-factor authentication.")
    with transaction.atomic():
        had = TOTPDevice.objects.filter(user=person, confirmed=True).exists()
        TOTPDevice.objects.filter(user=person).delete()
        StaticDevice.objects.filter(user=person).delete()
        _audit(by=by, person=person, action=AuditAction.DELETE, before="on" if had else "off", after="off (reset)",
               reason=reason)


# -- the session ------------------------------------------------------------------------------------------------

def provider_did_it(request: HttpRequest) -> bool:
    """Signed in by the council's identity provider, whose own multi-factor authentication counts (pmf/sso.py)."""
    try:
        from pmf.sso import two_factor_done_by_provider
    except ImportError:  # single sign-on not installed
        return False
    return two_factor_done_by_provider(request)


@receiver(user_logged_in)
def _record_state_at_sign_in(sender, request, user, **kwargs) -> None:
    """Decide the session's two-factor state once, at sign-in (a few queries then, none on later pages)."""
    if request is None or not hasattr(request, "session"):
        return
    request.session.pop(PENDING, None)
    request.session.pop(NEW_CODES, None)
    if getattr(user, "otp_device", None) is not None:  # the code step signed them in
        state = VERIFIED
    else:
        state = CODE if has_authenticator(user) else NONE
    request.session[STATE] = state
    request.session[REQUIRED] = role_requires(user)


def mark_verified(request: HttpRequest, device) -> None:
    """This session has given a code from ``device`` (set-up, or the code step of a session signed in already)."""
    otp_login(request, device)
    request.session.cycle_key()
    request.session[STATE] = VERIFIED


# -- the guard -------------------------------------------------------------------------------------------------

DATA_SUFFIXES = (".json", ".csv", ".xlsx", ".txt", ".pdf", ".docx", ".xml")


def _wants_data(request: HttpRequest) -> bool:
    """A request a redirect to a page would not help: data downloads, htmx fragments, JSON clients."""
    accept = request.headers.get("Accept", "")
    return (request.path.endswith(DATA_SUFFIXES) or request.headers.get("HX-Request") == "true"
            or ("json" in accept and "html" not in accept))


class TwoFactorMiddleware:
    """Until the two-factor step is done, a signed-in person reaches only the pages of that step and signing out:
    every other page redirects there, and data or htmx requests get 403 (with the reason) rather than a redirect
    they cannot follow."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        session = request.session
        state = session.get(STATE)
        if state is None:  # a session from before two-factor authentication: decide now, once
            _record_state_at_sign_in(None, request, user)
            state = session[STATE]
        if state == VERIFIED:
            if user.otp_device is None:  # the device was reset or removed since: sign in again
                logout(request)
                from django.contrib import messages

                messages.info(request, "Your two-factor authentication was reset or removed. Please sign in again.")
                return HttpResponseRedirect(reverse("login"))
            return self.get_response(request)
        if state == CODE:
            if provider_did_it(request):
                return self.get_response(request)
            return self._hold(request, reverse("two_factor_code"), "Give the code from your authenticator app first.")
        if session.get(REQUIRED) and settings.TWO_FACTOR_REQUIRED and not provider_did_it(request):
            return self._hold(request, reverse("two_factor_set_up"),
                              "Your role requires two-factor authentication: set it up first.")
        return self.get_response(request)

    def _hold(self, request: HttpRequest, to: str, reason: str) -> HttpResponse:
        if request.path in self._open_paths() or request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return self.get_response(request)
        if _wants_data(request):
            if "json" in request.headers.get("Accept", "") or request.path.endswith(".json"):
                return JsonResponse({"error": reason, "set_up": to}, status=403)
            return HttpResponse(f"{reason} {request.build_absolute_uri(to)}", status=403,
                                content_type="text/plain; charset=utf-8")
        if request.method == "GET" and request.path != to:
            return HttpResponseRedirect(f"{to}?next={quote(request.get_full_path())}" if request.path != "/" else to)
        return HttpResponseRedirect(to)

    @staticmethod
    def _open_paths() -> set[str]:
        return {reverse(name) for name in ("two_factor_code", "two_factor_set_up", "two_factor_recovery_codes",
                                           "two_factor_recovery_codes_txt", "logout", "login", "health")}
