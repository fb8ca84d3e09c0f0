"""Personal API tokens (the REST API): made, listed and revoked by their person on the "API tokens" page, and
the REST framework authentication class that reads them.

A token is a random secret shown once when it is made; only its SHA-256 digest is stored, so a copy of the database
gives no working token. It acts as its person, with exactly their scope (``pmf.access``), until it expires (90 days
by default, a year at most) or is revoked. Sent as ``Authorization: Bearer <secret>``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from rest_framework import authentication, exceptions

from pmf import audit
from pmf.errors import Refused
from pmf.models import ApiToken, User

DEFAULT_DAYS = 90
MAX_DAYS = 365
SECRET_PREFIX = "pmf_"
#: Updating "last used" on every request would write a row per call: once a minute is enough to show it.
LAST_USED_EVERY = timedelta(minutes=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Made:
    token: ApiToken
    secret: str  # shown once, never stored


def _record(user: User, action: str, token: ApiToken, changes: dict) -> None:
    """Each of the person's councils' audit trails shows the token made or revoked."""
    councils = {a.council for a in user.role_assignments.select_related("council")}
    for council in councils or {None}:
        audit.record(user=user, action=action, obj=token, council=council, changes=changes)


@transaction.atomic
def create_token(*, user: User, name: str, days: int | None = DEFAULT_DAYS) -> Made:
    """Make a token for ``user`` lasting ``days`` (1 to 365; 90 if not given)."""
    errors = {}
    if not (name or "").strip():
        errors["name"] = "Give the token a name that says what it is for."
    days = DEFAULT_DAYS if days is None else days
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = f"A token lasts from 1 to {MAX_DAYS} days."
    if errors:
        raise Refused(errors)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(user=user, name=name.strip()[:100], digest=digest(secret),
                                    prefix=secret[:12], created_at=now, expires_at=now + timedelta(days=days))
    _record(user, "create", token, {"name": [None, token.name], "expires_at": [None, token.expires_at.isoformat()]})
    return Made(token, secret)


@transaction.atomic
def revoke_token(*, user: User, token: ApiToken) -> ApiToken:
    """Revoke one of the person's own tokens (revoking twice changes nothing)."""
    if token.user_id != user.pk:
        raise Refused({"token": "Only the token's own person revokes it."})
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        token.refresh_from_db()
        _record(user, "update", token, {"revoked_at": [None, token.revoked_at.isoformat()]})
    return token


def authenticate(secret: str) -> ApiToken | None:
    """The active token with this secret, or None (unknown, expired or revoked)."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=digest(secret)).first()
    now = timezone.now()
    if token is None or token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


class TokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <secret>`` with a personal API token."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Give the token after “Bearer ”, with no spaces in it.")
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("That token is not valid.") from None
        token = authenticate(secret)
        if token is None:
            raise exceptions.AuthenticationFailed("That token is not valid: it is unknown, expired or revoked.")
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword
