"""Single sign-on by OpenID Connect (councils use Microsoft Entra ID), on only when ``OIDC_RP_CLIENT_ID`` is set.

How a person signed in by their council account is found, created and given roles:

- found by a stable claim of the provider (``OIDC_USER_CLAIM``, Entra's ``oid`` by default), stored on the account
  (``User.sso_subject``) at the first sign-in; by their email address only when ``OIDC_MATCH_EMAIL`` is on (to link
  accounts that existed before single sign-on), and only an account not yet linked to another identity;
- created when nobody matches and their email address is in one of ``OIDC_ALLOWED_DOMAINS``;
- given the roles their ``groups`` claim maps to in ``OIDC_GROUP_ROLES`` (Entra sends the groups' object IDs), at
  every sign-in: roles a mapping gave and no group gives any more are ended, roles given by hand never are
  (``pmf.services.apply_sso_sign_in``, audited);
- refused, with a page that says why (``templates/registration/sso_refused.html``), when none of their groups is
  mapped, when the provider says something we cannot check, or when the provider cannot be reached.

The flow itself (state, nonce, PKCE, the code exchange and the ID token's signature against the provider's JWKS)
is mozilla-django-oidc's; ``SsoBackend`` adds the checks of the token's audience and issuer, the claims and the
roles. Two-factor authentication asks nothing more of a person the provider signed in when
``two_factor_done_by_provider(request)`` is true (the session flag ``sso_authenticated``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db.models import Q
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from pmf.choices import Role
from pmf.models import Committee, Council, Directorate, Portfolio, Service, Team, User

log = logging.getLogger(__name__)

BACKEND = "pmf.sso.SsoBackend"
# Session flags, set at a single sign-on (pmf/views_sso.py): the hook for two-factor authentication.
SESSION_SSO = "sso_authenticated"
SESSION_MFA = "sso_mfa"  # the provider said (``amr`` claim) it did multi-factor authentication

# Endpoints read from the provider's discovery document when not set explicitly: setting -> discovery key.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
    "OIDC_OP_ISSUER": "issuer",
}
DISCOVERY_CACHE_SECONDS = 60 * 60
SCOPE_KEYS = ("directorate", "service", "team", "committee", "portfolio")


class SsoRefused(Exception):
    """A single sign-on that cannot go on: ``message`` is shown to the person, ``status`` is the page's."""

    def __init__(self, message: str, status: int = 403):
        super().__init__(message)
        self.message = message
        self.status = status


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", "")) and BACKEND in settings.AUTHENTICATION_BACKENDS


def discovery() -> dict:
    """The provider's discovery document (``OIDC_OP_DISCOVERY_URL``), cached for an hour; {} without one."""
    url = getattr(settings, "OIDC_OP_DISCOVERY_URL", "")
    if not url:
        return {}
    key = f"pmf:oidc-discovery:{url}"
    document = cache.get(key)
    if document is None:
        try:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            log.error("single sign-on: the discovery document %s could not be read: %s", url, exc)
            raise SsoRefused("The council's sign-in service could not be reached. Try again in a few minutes, or "
                             "ask your IT service desk.", status=503) from exc
        cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document


def get_setting(attr: str, *default):
    """A mozilla-django-oidc setting, the provider's endpoints filled from its discovery document."""
    value = getattr(settings, attr, "")
    if attr in DISCOVERED and not value:
        value = discovery().get(DISCOVERED[attr], "")
        if value or default:
            return value or default[0]
        raise ImproperlyConfigured(f"Single sign-on needs {attr} or a discovery URL that gives it.")
    return import_from_settings(attr, *default)


def two_factor_done_by_provider(request) -> bool:
    """True when the person signed in through the council's provider and the provider's own multi-factor
    authentication counts (``OIDC_PROVIDER_DOES_MFA``, on by default: Entra's Conditional Access asks for it), or
    the provider said it did it (``amr`` holds ``mfa``). Two-factor authentication asks nothing more of them then."""
    session = getattr(request, "session", None)
    if session is None or not session.get(SESSION_SSO):
        return False
    return bool(settings.OIDC_PROVIDER_DOES_MFA or session.get(SESSION_MFA))


# -- the group mapping ------------------------------------------------------------------------------------------

def mapping_entries(group_roles: dict) -> list[tuple[str, dict]]:
    """(group, entry) for every role of ``OIDC_GROUP_ROLES``: a group maps to one role (an object) or several
    (a list of objects)."""
    out = []
    for group, value in group_roles.items():
        for entry in value if isinstance(value, list) else [value]:
            out.append((str(group), entry))
    return out


def mapping_problems(group_roles) -> list[str]:
    """What is wrong with the shape of ``OIDC_GROUP_ROLES``, without looking at the database."""
    if not isinstance(group_roles, dict):
        return ["OIDC_GROUP_ROLES must be a JSON object: group ID -> role (or a list of roles)."]
    problems = []
    known = {"council", "role", "delegate_for", *SCOPE_KEYS}
    for group, entry in mapping_entries(group_roles):
        if not isinstance(entry, dict):
            problems.append(f"OIDC_GROUP_ROLES: group {group}: each role must be a JSON object.")
            continue
        if not entry.get("council"):
            problems.append(f"OIDC_GROUP_ROLES: group {group}: \"council\" (the council's short address name, e.g. "
                            "harrowdale) is missing.")
        if entry.get("role") not in Role.values:
            problems.append(f"OIDC_GROUP_ROLES: group {group}: \"role\" must be one of {', '.join(Role.values)}; "
                            f"got {entry.get('role')!r}.")
        unknown = sorted(set(entry) - known)
        if unknown:
            problems.append(f"OIDC_GROUP_ROLES: group {group}: unknown keys {', '.join(unknown)}; the keys are "
                            f"{', '.join(sorted(known))}.")
    return problems


@checks.register()
def check_group_roles(app_configs=None, **kwargs):
    if not getattr(settings, "OIDC_RP_CLIENT_ID", ""):
        return []
    return [checks.Error(problem, id="pmf.E101") for problem in mapping_problems(settings.OIDC_GROUP_ROLES)]


def _one(queryset, what: str, name: str, group: str):
    found = list(queryset[:2])
    if len(found) != 1:
        problem = "does not exist" if not found else "is ambiguous (name the directorate too)"
        log.error("single sign-on: OIDC_GROUP_ROLES group %s names %s %r, which %s", group, what, name, problem)
        raise SsoRefused(f"The sign-in settings for one of your groups name a {what} ({name}) that {problem}. "
                         "Ask your IT service desk to correct the group mapping.")
    return found[0]


def resolve(group: str, entry: dict) -> dict:
    """The role assignment (its field values) one mapping entry gives.

    ``council`` is the council's slug; ``directorate`` a directorate's code; ``service``, ``team``, ``committee``,
    ``portfolio`` their names (a directorate or service given beside a narrower scope only says which one is
    meant); ``delegate_for`` the username of the director a sign-off delegate signs for. The role covers the
    narrowest of directorate, service and team given."""
    council = _one(Council.objects.filter(slug=entry["council"]), "council", entry["council"], group)
    directorate = service = team = None
    if entry.get("directorate"):
        directorate = _one(Directorate.objects.filter(councils=council, code=entry["directorate"]),
                           "directorate", entry["directorate"], group)
    if entry.get("service"):
        services = Service.objects.filter(directorate__councils=council, name=entry["service"])
        if directorate is not None:
            services = services.filter(directorate=directorate)
        service = _one(services, "service", entry["service"], group)
    if entry.get("team"):
        teams = Team.objects.filter(service__directorate__councils=council, name=entry["team"])
        if service is not None:
            teams = teams.filter(service=service)
        elif directorate is not None:
            teams = teams.filter(service__directorate=directorate)
        team = _one(teams, "team", entry["team"], group)
    spec = {"council": council, "role": entry["role"], "directorate": None, "service": None, "team": None,
            "committee": None, "portfolio": None, "delegate_for": None}
    if team is not None:
        spec["team"] = team
    elif service is not None:
        spec["service"] = service
    elif directorate is not None:
        spec["directorate"] = directorate
    if entry.get("committee"):
        spec["committee"] = _one(Committee.objects.filter(councils=council, name=entry["committee"]),
                                 "committee", entry["committee"], group)
    if entry.get("portfolio"):
        spec["portfolio"] = _one(Portfolio.objects.filter(council=council, name=entry["portfolio"]),
                                 "portfolio", entry["portfolio"], group)
    if entry.get("delegate_for"):
        spec["delegate_for"] = _one(User.objects.filter(username=entry["delegate_for"]),
                                    "director", entry["delegate_for"], group)
    return spec


def roles_for_groups(groups: list[str]) -> list[dict]:
    """The role assignments a person's groups give (none for groups not in the mapping)."""
    mine = set(groups)
    return [resolve(group, entry) for group, entry in mapping_entries(settings.OIDC_GROUP_ROLES) if group in mine]


# -- the backend ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Profile:
    subject: str
    email: str
    first_name: str
    last_name: str


def profile_from(claims: dict) -> Profile:
    claim = settings.OIDC_USER_CLAIM
    subject = str(claims.get(claim) or "")
    if not subject:
        raise SsoRefused(f"Your council's sign-in service did not say who you are (the \"{claim}\" claim is "
                         "missing). Ask your IT service desk.", status=400)
    email = str(claims.get("email") or "")
    if not email:  # Entra: the user principal name, usually the email address, unless the email claim is added
        email = next((str(claims[k]) for k in ("preferred_username", "upn") if "@" in str(claims.get(k, ""))), "")
    first, last = str(claims.get("given_name") or ""), str(claims.get("family_name") or "")
    if not (first or last) and claims.get("name"):
        first, _, last = str(claims["name"]).partition(" ")
    return Profile(subject=subject[:255], email=email.strip().lower()[:254], first_name=first[:150],
                   last_name=last[:150])


def groups_from(claims: dict) -> list[str]:
    names = claims.get("_claim_names") or {}
    if "groups" in names and "groups" not in claims:
        # Entra leaves the groups out when a person is in too many (over 200 in an ID token)
        raise SsoRefused("Your council account is in too many groups for the sign-in service to list them. Ask "
                         "your IT service desk to send only the groups assigned to this application.")
    groups = claims.get("groups") or []
    if isinstance(groups, str):
        groups = [groups]
    return [str(g) for g in groups]


class SsoBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, finding people by the provider's stable identifier and giving them the roles
    their groups map to. Its endpoints are read when a sign-in needs them, so building the backend (Django does on
    every request of someone signed in by it) never calls the provider."""

    get_settings = staticmethod(get_setting)

    def __init__(self, *args, **kwargs):  # noqa: D107 - no endpoints here: see the properties below
        self.UserModel = User
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: get_setting("OIDC_OP_TOKEN_ENDPOINT"))
    OIDC_OP_USER_ENDPOINT = property(lambda self: get_setting("OIDC_OP_USER_ENDPOINT", ""))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: get_setting("OIDC_OP_JWKS_ENDPOINT"))

    def authenticate(self, request, **kwargs):
        # only the callback of a sign-in started here: a password form never reaches the provider
        if request is None or request.path != reverse("oidc_authentication_callback"):
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        if "nonce" in kwargs:  # the ID token (not a signed userinfo answer): it must be ours, from our provider
            audience = payload.get("aud")
            audiences = audience if isinstance(audience, list) else [audience]
            if self.OIDC_RP_CLIENT_ID not in audiences:
                raise SuspiciousOperation("The ID token was not issued to this application.")
            issuer = get_setting("OIDC_OP_ISSUER", "")
            if issuer and payload.get("iss") != issuer:
                raise SuspiciousOperation("The ID token was not issued by the configured provider.")
        self.id_token_claims = payload
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        """The userinfo endpoint's claims (when the provider has one) under the ID token's: Entra sends the groups
        in the ID token only."""
        claims = super().get_userinfo(access_token, id_token, payload) if self.OIDC_OP_USER_ENDPOINT else {}
        return {**claims, **payload}

    def verify_claims(self, claims):
        return True  # checked in get_or_create_user, which says what is missing

    def get_or_create_user(self, access_token, id_token, payload):
        from pmf.services import apply_sso_sign_in

        claims = self.get_userinfo(access_token, id_token, payload)
        profile = profile_from(claims)
        groups = groups_from(claims)
        user = self._match(profile)
        wanted = roles_for_groups(groups)
        if user is None:
            if not wanted:
                raise SsoRefused(_NO_GROUP)
            self._check_may_create(profile)
        user = apply_sso_sign_in(user=user, profile=profile, wanted=wanted, groups=groups)
        if not wanted:
            raise SsoRefused(_NO_GROUP)
        amr = claims.get("amr") or []
        self.request.pmf_sso = {"mfa": "mfa" in amr if isinstance(amr, list) else False}
        return user

    def _match(self, profile: Profile) -> User | None:
        user = User.objects.filter(sso_subject=profile.subject).first()
        if user is None and settings.OIDC_MATCH_EMAIL and profile.email:
            found = list(User.objects.filter(email__iexact=profile.email, sso_subject__isnull=True)[:2])
            if len(found) > 1:
                raise SsoRefused(f"More than one account here has the email address {profile.email}, so yours "
                                 "cannot be told apart. Ask the performance unit to correct the accounts.")
            user = found[0] if found else None
        return user

    def _check_may_create(self, profile: Profile) -> None:
        domain = profile.email.rpartition("@")[2]
        allowed = [d.lower().lstrip("@") for d in settings.OIDC_ALLOWED_DOMAINS]
        if not profile.email or domain not in allowed:
            raise SsoRefused("There is no account here for your council account, and accounts are made at "
                             f"sign-in only for email addresses at {', '.join(allowed) or 'no domain yet'}. Ask the "
                             "performance unit for an account.")
        taken = User.objects.filter(Q(username__iexact=profile.email) | Q(email__iexact=profile.email)).exists()
        if taken:
            raise SsoRefused(f"An account here already has the email address {profile.email} but is not linked to "
                             "your council account. Ask the performance unit to link them.")


_NO_GROUP = ("Your council account is not in any group that gives access to the performance framework, so you "
             "cannot sign in with it. Ask your manager or the IT service desk to add you to the right group.")
