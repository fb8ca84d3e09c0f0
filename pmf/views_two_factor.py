"""The pages of two-factor authentication (pmf/two_factor.py): the sign-in page and its code step, set-up with a
QR code, the recovery codes (shown once, and as a .txt download), "Account security", and the performance unit's
reset for a lost phone."""

from __future__ import annotations

import time
from urllib.parse import quote

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from pmf import two_factor
from pmf.errors import Refused
from pmf.forms import show_refusal
from pmf.models import User
from pmf.pagination import paginate

PER_PAGE = 50


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code", max_length=40, strip=True,
        help_text="The 6 digits your authenticator app shows for this account, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false",
                                      "autocapitalize": "none"}),
        error_messages={"required": "Enter the code from your authenticator app, or a recovery code."},
    )


class SetUpForm(forms.Form):
    code = forms.CharField(
        label="6-digit code from the app", max_length=10, strip=True,
        help_text="After scanning, the app shows a new 6-digit code every 30 seconds: type the one it shows now.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": "Enter the 6-digit code the app shows for this account."},
    )


class RemoveForm(forms.Form):
    password = forms.CharField(label="Your password", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                               error_messages={"required": "Enter your password to remove two-factor "
                                                           "authentication."})


class ResetForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="For example: lost phone, identity checked by a call to their manager. Kept "
                                       "in the audit trail.",
                             error_messages={"required": "Say why: the reason is kept in the audit trail."})


def _safe_next(request: HttpRequest, candidate: str | None, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return default


# -- sign-in -----------------------------------------------------------------------------------------------------

class SignInView(auth_views.LoginView):
    """The password step. Someone with an authenticator app is not signed in yet: the code step comes next.
    Someone whose role requires an app and who has none is signed in and sent to set it up."""

    def form_valid(self, form):
        user = form.get_user()
        if two_factor.has_authenticator(user):
            if self.request.user.is_authenticated:  # someone else signed in here: they are signed out first
                logout(self.request)
            self.request.session[two_factor.PENDING] = {
                "user": user.pk, "backend": user.backend, "at": int(time.time()), "next": self.get_success_url()}
            return HttpResponseRedirect(reverse("two_factor_code"))
        response = super().form_valid(form)
        if two_factor.is_required(user):
            return HttpResponseRedirect(f"{reverse('two_factor_set_up')}?next={quote(self.get_success_url())}")
        return response


def _pending(request: HttpRequest) -> tuple[User | None, dict | None]:
    """Who is giving their code: a person half-way through signing in (their password given), or a session
    signed in already without the second factor."""
    if request.user.is_authenticated:
        if request.session.get(two_factor.STATE) == two_factor.CODE:
            return request.user, None
        return None, None
    data = request.session.get(two_factor.PENDING)
    if not data:
        return None, None
    if time.time() - data.get("at", 0) > two_factor.PENDING_SECONDS:
        request.session.pop(two_factor.PENDING, None)
        messages.info(request, "The code was not given within 5 minutes. Please sign in again.")
        return None, None
    user = User.objects.filter(pk=data.get("user"), is_active=True).first()
    return user, data


@never_cache
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second step: the app's code or a recovery code. Wrong codes count with wrong passwords towards the
    lock-out (django-axes) and are in the sign-in log."""
    user, pending = _pending(request)
    if user is None:  # nobody half-way: signed in already, or the password not given (or given too long ago)
        return render(request, "registration/two_factor_code.html", {"person": None})
    credentials = {"username": user.get_username()}
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if not AxesProxyHandler.is_allowed(request, credentials):
            return _locked(request, credentials)
        if form.is_valid():
            outcome, message = two_factor.verify(user, form.cleaned_data["code"])
            if outcome in ("app", "recovery"):
                return _signed_in(request, user, pending, outcome)
            # a wrong code, or any code while the device makes retries wait: one failed attempt
            if outcome in ("wrong", "wait"):
                user_login_failed.send(sender=__name__, credentials=credentials, request=request)
                if getattr(request, "axes_locked_out", False):
                    return _locked(request, credentials)
            form.add_error("code", message)
    return render(request, "registration/two_factor_code.html", {"form": form, "person": user})


def _locked(request: HttpRequest, credentials: dict) -> HttpResponse:
    """Locked out: the half-done sign-in is forgotten; AxesMiddleware answers with the lock-out page."""
    request.session.pop(two_factor.PENDING, None)
    if request.user.is_authenticated:
        logout(request)
    request.axes_locked_out = True
    request.axes_credentials = credentials
    return HttpResponse(status=429)


def _signed_in(request: HttpRequest, user: User, pending: dict | None, outcome: str) -> HttpResponse:
    device = two_factor.device_for(user, outcome)
    if pending is not None:
        user.otp_device = device  # django-otp records it in the session at login; our receiver marks it verified
        login(request, user, backend=pending.get("backend"))
        target = pending.get("next")
    else:
        two_factor.mark_verified(request, device)
        target = request.GET.get("next")
    if outcome == "recovery":
        left = two_factor.recovery_codes_left(user)
        messages.warning(request, f"You signed in with a recovery code, which now no longer works. {left} recovery "
                                  f"code{'s' if left != 1 else ''} left: make new ones from Account security if you "
                                  f"are running out, or if you have lost your phone set up the new one there.")
    return HttpResponseRedirect(_safe_next(request, target, reverse("home")))


# -- set-up and recovery codes -------------------------------------------------------------------------------------

def _verified(request: HttpRequest) -> bool:
    return request.session.get(two_factor.STATE) == two_factor.VERIFIED


@never_cache
@login_required
def set_up(request: HttpRequest) -> HttpResponse:
    """Scan the QR code (or type the key), confirm with a code: the app replaces any earlier one. Someone who has
    an app already must have given its code in this session first."""
    user = request.user
    replacing = two_factor.has_authenticator(user)
    if replacing and not _verified(request) and not two_factor.provider_did_it(request):
        return redirect("two_factor_code")
    device = two_factor.start_set_up(user=user)
    form = SetUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = two_factor.confirm_set_up(user=user, code=form.cleaned_data["code"])
        except Refused as refused:
            show_refusal(form, refused)
            device = two_factor.start_set_up(user=user)
        else:
            two_factor.mark_verified(request, device)
            request.session[two_factor.NEW_CODES] = codes
            messages.success(request, "Two-factor authentication is set up: you will be asked for a code from the "
                                      "app each time you sign in.")
            target = _safe_next(request, request.GET.get("next"), "")
            url = reverse("two_factor_recovery_codes")
            return HttpResponseRedirect(f"{url}?next={quote(target)}" if target else url)
    return render(request, "registration/two_factor_set_up.html", status=400 if form.errors else 200, context={
        "form": form, "qr": two_factor.qr_svg(device), "secret": two_factor.secret_text(device),
        "replacing": replacing, "required": two_factor.is_required(user), "nav": "security",
    })


@never_cache
@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The new recovery codes, shown this once (until the person says they have kept them)."""
    codes = request.session.get(two_factor.NEW_CODES)
    if request.method == "POST":
        request.session.pop(two_factor.NEW_CODES, None)
        return HttpResponseRedirect(_safe_next(request, request.GET.get("next"), reverse("two_factor")))
    return render(request, "registration/two_factor_recovery_codes.html", {"codes": codes, "nav": "security"})


@never_cache
@login_required
def recovery_codes_txt(request: HttpRequest) -> HttpResponse:
    codes = request.session.get(two_factor.NEW_CODES)
    if not codes:
        raise Http404("These recovery codes have been shown already: make new ones from Account security.")
    text = ("Recovery codes for the performance framework, account " + request.user.get_username() + "\n"
            "Each code works once, instead of the code from your authenticator app. Keep them somewhere safe.\n\n"
            + "\n".join(codes) + "\n")
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="recovery-codes.txt"'
    return response


# -- account security ------------------------------------------------------------------------------------------------

@never_cache
@login_required
def account_security(request: HttpRequest) -> HttpResponse:
    """Two-factor authentication for oneself: set it up, make new recovery codes, or remove it (with the password,
    unless one's role requires it)."""
    user = request.user
    remove_form = RemoveForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "new-codes":
            try:
                codes = two_factor.regenerate_recovery_codes(user=user)
            except Refused as refused:
                messages.error(request, str(refused))
                return redirect("two_factor")
            app = two_factor.authenticator(user)
            if app is not None and request.session.get(two_factor.STATE) == two_factor.VERIFIED:
                otp_login(request, app)  # the session may have been verified by a recovery code, now replaced
            request.session[two_factor.NEW_CODES] = codes
            return redirect("two_factor_recovery_codes")
        if action == "remove":
            remove_form = RemoveForm(request.POST)
            if remove_form.is_valid():
                try:
                    two_factor.remove(user=user, password=remove_form.cleaned_data["password"])
                except Refused as refused:
                    show_refusal(remove_form, refused)
                else:
                    request.session.pop(DEVICE_ID_SESSION_KEY, None)
                    request.session[two_factor.STATE] = two_factor.NONE
                    messages.success(request, "Two-factor authentication is removed: you sign in with your "
                                              "password alone.")
                    return redirect("two_factor")
    app = two_factor.authenticator(user)
    return render(request, "registration/two_factor.html", status=400 if remove_form.errors else 200, context={
        "nav": "security", "app": app, "codes_left": two_factor.recovery_codes_left(user) if app else 0,
        "required": two_factor.is_required(user), "role_requires": two_factor.role_requires(user),
        "remove_form": remove_form, "can_reset": two_factor.can_reset(user),
    })


# -- the performance unit's reset ----------------------------------------------------------------------------------

def _reset_allowed(request: HttpRequest) -> None:
    if not two_factor.can_reset(request.user):
        raise PermissionDenied("Resetting two-factor authentication is for the performance unit.")


@login_required
def people(request: HttpRequest) -> HttpResponse:
    """The performance unit: its councils' people, whether each has two-factor authentication, and the reset."""
    _reset_allowed(request)
    q = (request.GET.get("q") or "").strip()[:150]
    found = two_factor.resettable_people(request.user).annotate(
        has_app=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
    if q:
        found = found.filter(Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q))
    page, querystring = paginate(request, found.order_by("last_name", "first_name", "username"), per_page=PER_PAGE)
    return render(request, "registration/two_factor_people.html", {
        "nav": "security", "page_obj": page, "q": q, "querystring_without_page": querystring,
    })


@login_required
def reset(request: HttpRequest, pk: int) -> HttpResponse:
    _reset_allowed(request)
    person = get_object_or_404(two_factor.resettable_people(request.user), pk=pk)
    form = ResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.reset(by=request.user, person=person, reason=form.cleaned_data["reason"])
        except Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, f"Two-factor authentication of {person.display_name} is reset: they set it "
                                      f"up again at their next sign-in.")
            return redirect("two_factor_people")
    return render(request, "registration/two_factor_reset.html", status=400 if form.errors else 200, context={
        "nav": "security", "person": person, "form": form, "has_app": two_factor.has_authenticator(person)})

