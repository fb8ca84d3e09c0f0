"""Request guards every page shares: input no page can use, and how long a signed-in session lasts."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

STARTED = "pmf_session_started"
SEEN = "pmf_session_seen"
# How often the "last seen" time is written back: the idle timeout is counted in minutes, and writing the session
# on every request would cost every page a query.
SEEN_RESOLUTION = 60


class RefuseNullCharactersMiddleware:
    """A NUL character (``%00``) in an address or its parameters is never meaningful and the database refuses it:
    answer 400 with a page naming the parameter (or saying it is the address), not a 500 from deep inside a query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path_info:  # e.g. a measure's reference: the database refuses it too
            return render(request, "400.html", {"in_path": True}, status=400)
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return render(request, "400.html", {"parameter": name.replace("\x00", "")}, status=400)
        return self.get_response(request)


@receiver(user_logged_in)
def _start_session_clock(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[STARTED] = now
        request.session[SEEN] = now


class SessionTimeoutMiddleware:
    """Signs a person out after ``SESSION_IDLE_TIMEOUT`` seconds without a request, and in any case
    ``SESSION_ABSOLUTE_TIMEOUT`` seconds after they signed in; the next page asks them to sign in again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            started = request.session.get(STARTED)
            seen = request.session.get(SEEN)
            if started is None or seen is None:  # a session from before the timeouts: start its clock now
                request.session[STARTED] = started = now
                request.session[SEEN] = seen = now
            idle = now - seen > settings.SESSION_IDLE_TIMEOUT
            if idle or now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
                logout(request)
                if idle:
                    minutes = settings.SESSION_IDLE_TIMEOUT // 60
                    reason = f"You were signed out after {minutes} minutes without activity."
                else:
                    hours = settings.SESSION_ABSOLUTE_TIMEOUT // 3600
                    reason = f"You were signed out because you signed in more than {hours} hours ago."
                messages.info(request, f"{reason} Please sign in again.")
                return redirect(f"{reverse('login')}?next={request.get_full_path()}")
            if now - seen >= SEEN_RESOLUTION:
                request.session[SEEN] = now
        return self.get_response(request)
