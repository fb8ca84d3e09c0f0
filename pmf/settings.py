"""Settings, read from the environment.

Defaults run the whole product on one machine with nothing else installed: SQLite, and Celery tasks
executed in-process. ``DATABASE_URL`` switches to PostgreSQL, ``REDIS_URL`` to a Redis broker and a real
Celery worker. ``DEBUG=0`` with ``SECRET_KEY`` and ``ALLOWED_HOSTS`` set gives production settings that
pass ``manage.py check --deploy``.
"""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
_INSECURE_DEV_KEY = "django-insecure-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", _INSECURE_DEV_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_celery_beat",
    "pmf",
    "plans",
    "indicators",
    "reporting",
    "demo",
    "axes",  # sign-in throttling and lock-out, and the sign-in log
    "csp",  # Content Security Policy: the policy below, checked by django-csp's system checks
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # the Content-Security-Policy header (the block "Content Security Policy")
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "pmf.middleware.RefuseNullCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "pmf.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lock-out into its page
]

ROOT_URLCONF = "pmf.urls"
WSGI_APPLICATION = "pmf.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pmf.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite by default, PostgreSQL (or anything dj-database-url reads) from DATABASE_URL.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    # Least privilege (pmf/db.py): the app connects as a role that owns nothing; the schema's owner runs the
    # migrations and the rare maintenance (removing a whole council). Same database, another role.
    DATABASE_OWNER_URL = os.environ.get("DATABASE_OWNER_URL", "")
    if DATABASE_OWNER_URL:
        DATABASES["owner"] = dj_database_url.parse(DATABASE_OWNER_URL, conn_max_age=0)
        DATABASE_APP_ROLE = DATABASES["default"]["USER"]  # granted its privileges after every migrate
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {"timeout": 20},
            # Tests use an in-memory database unless SQLITE_TEST_PATH names a file: the browser tests do, since a
            # live server answering the page and its htmx requests at once needs file locking, not shared cache.
            "TEST": {"NAME": os.environ.get("SQLITE_TEST_PATH") or None},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASE_ROUTERS = ["pmf.db.OwnerRouter"]

AUTH_USER_MODEL = "pmf.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Sign-in: after LOGIN_FAILURE_LIMIT wrong passwords for one account from one address, that account is locked
# there for LOGIN_LOCKOUT_MINUTES (django-axes). A right password resets the count. Every sign-in, sign-out and
# failure is logged; the performance unit reads its council's log on /audit/sign-ins/.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ENABLE_ADMIN = False  # the log is a page of the product, scoped to the reader's councils
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# -- Two-factor authentication (django-otp; pmf/two_factor.py, README "Two-factor authentication") -----------------
# After the password, someone with an authenticator app set up gives its 6-digit code (or a recovery code); wrong
# codes count with wrong passwords towards the lock-out above. Superusers and the roles in TWO_FACTOR_REQUIRED_ROLES
# (comma-separated role values) must set one up before any other page; TWO_FACTOR_REQUIRED=0 switches that
# requirement off entirely (the demo's scripts/run does; production leaves it on). Anyone may set one up.
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
_after_sessions = MIDDLEWARE.index("pmf.middleware.SessionTimeoutMiddleware") + 1
MIDDLEWARE[_after_sessions:_after_sessions] = ["django_otp.middleware.OTPMiddleware",
                                               "pmf.two_factor.TwoFactorMiddleware"]
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", True)
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES", ["performance_unit", "director", "internal_audit"])
TWO_FACTOR_REQUIRED_FOR_SUPERUSERS = True
TWO_FACTOR_RECOVERY_CODES = 10
OTP_TOTP_ISSUER = os.environ.get("TWO_FACTOR_ISSUER", "Performance framework")  # the name the app shows
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Front-end packages come from npm (package.json + package-lock.json, installed by scripts/setup) and are
# served from our own origin: never a CDN, never hand-copied into the repository.
_NODE = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", _NODE / "bootstrap" / "dist"),
    ("vendor/htmx", _NODE / "htmx.org" / "dist"),
    ("vendor/plotly", _NODE / "plotly.js-dist-min"),
    ("vendor/axe-core", _NODE / "axe-core"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: in-process without REDIS_URL, a real broker and worker with it.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Celery beat reads its schedule from the database (django-celery-beat), editable in the product.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_TRACK_STARTED = True
# Jobs every installation runs whatever its councils (beat adds them to its database schedule at start):
# packs whose worker died or whose message was lost are queued again.
CELERY_BEAT_SCHEDULE = {
    "recover-interrupted-packs": {"task": "reporting.tasks.recover_interrupted_packs", "schedule": 5 * 60},
}

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# -- Failure and recovery (issue 11): fail fast when Redis or PostgreSQL is away, and say so -------------------
# Publishing a task with the broker unreachable fails within about a second (not after ~20 s of retries): the
# pack stays queued, the page says the job runner cannot be reached, and the periodic job sends it again once
# the broker is back (reporting.services). The worker itself keeps reconnecting for as long as it takes.
BROKER_TIMEOUT = env_int("BROKER_TIMEOUT_SECONDS", 1)
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": BROKER_TIMEOUT, "socket_timeout": 10,
                                   "max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = BROKER_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = 10
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 1, "interval_start": 0,
                                                            "interval_step": 0.2, "interval_max": 0.2}}
if REDIS_URL:
    CACHES["default"]["OPTIONS"] = {"socket_connect_timeout": BROKER_TIMEOUT, "socket_timeout": 2}
# Beat sends a heartbeat task every minute; the worker that runs it and beat each record when they were last seen,
# for /health/ (pmf/health.py). Not seen for HEALTH_STALE_SECONDS: reported as not seen recently.
CELERY_BEAT_SCHEDULE["health-heartbeat"] = {"task": "pmf.tasks.heartbeat", "schedule": 60}
HEALTH_STALE_SECONDS = env_int("HEALTH_STALE_SECONDS", 3 * 60)
# A connection PostgreSQL dropped (a restart) is noticed and replaced at the start of the next request, and a
# request made while the database is unreachable answers 503 with templates/503.html (pmf.views.server_error).
for _database in DATABASES.values():
    _database["CONN_HEALTH_CHECKS"] = True
    if _database["ENGINE"].endswith("postgresql"):
        _database.setdefault("OPTIONS", {}).setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5))

# The address of the product, for links in emails (reminders): e.g. https://performance.harrowdale.gov.uk
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "performance@localhost")

# -- Content Security Policy (django-csp) -------------------------------------------------------------------------
# Every page may load scripts, styles, fonts and data only from our own origin: no inline <script>, no style="..."
# or <style> (behaviour lives in static/js, looks in static/css), no eval. Images also from data: URIs (Bootstrap's
# icons, the charts and pictures of a report pack) and blob: URIs (which only our own scripts make: plotly draws a
# chart's "Download plot as a PNG" through one). No plugins, no <base>, forms post only to us, and no site may frame
# ours. The same policy with DEBUG on and off. Browsers report a violation to /csp-report/, which logs it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "report-uri": ["/csp-report/"],
    },
}

# -- Single sign-on by OpenID Connect (Microsoft Entra ID): pmf/sso.py, README "Single sign-on" ---------------------
# Off unless OIDC_RP_CLIENT_ID is set; then the sign-in page also offers "Sign in with your council account".
# The provider's endpoints come from its discovery document (OIDC_OP_DISCOVERY_URL) or are set one by one. ID
# tokens are signed RS256 and checked against the provider's JWKS; PKCE, state and nonce on every sign-in.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_DISCOVERY_URL = os.environ.get("OIDC_OP_DISCOVERY_URL", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("OIDC_OP_LOGOUT_ENDPOINT", "")  # optional: sign out at the provider too
OIDC_OP_ISSUER = os.environ.get("OIDC_OP_ISSUER", "")  # optional: the ID token's "iss" must be this
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # for signing out at the provider
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
# Who a person is: this claim, kept on their account at their first sign-in (Entra: oid, the same in every app).
OIDC_USER_CLAIM = os.environ.get("OIDC_USER_CLAIM", "oid")
# Link an account that existed before single sign-on by its email address (once; then by OIDC_USER_CLAIM).
OIDC_MATCH_EMAIL = env_bool("OIDC_MATCH_EMAIL", False)
# Accounts are made at a first sign-in only for email addresses at these domains (comma-separated).
OIDC_ALLOWED_DOMAINS = env_list("OIDC_ALLOWED_DOMAINS", [])
# The roles each group gives: {"<group object ID>": {"council": "<slug>", "role": "<role>", "service": "..."}}
# (or a list of such objects). Checked by manage.py check; see the README for the keys.
_group_roles = os.environ.get("OIDC_GROUP_ROLES", "").strip() or "{}"
try:
    OIDC_GROUP_ROLES = json.loads(_group_roles)
except ValueError as exc:
    raise ImproperlyConfigured(f"OIDC_GROUP_ROLES must be JSON: {exc}") from None
# Two-factor authentication asks nothing more of someone the provider signed in (its Conditional Access asks for
# MFA); off: only when the ID token's "amr" says the provider did MFA. pmf.sso.two_factor_done_by_provider.
OIDC_PROVIDER_DOES_MFA = env_bool("OIDC_PROVIDER_DOES_MFA", True)
if OIDC_RP_CLIENT_ID:
    if not OIDC_RP_CLIENT_SECRET:
        raise ImproperlyConfigured("Single sign-on (OIDC_RP_CLIENT_ID) needs OIDC_RP_CLIENT_SECRET too")
    _endpoints = (OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_TOKEN_ENDPOINT, OIDC_OP_JWKS_ENDPOINT)
    if not OIDC_OP_DISCOVERY_URL and not all(_endpoints):
        raise ImproperlyConfigured("Single sign-on (OIDC_RP_CLIENT_ID) needs OIDC_OP_DISCOVERY_URL, or "
                                   "OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_TOKEN_ENDPOINT and OIDC_OP_JWKS_ENDPOINT")
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "pmf.sso.SsoBackend"]

# Security: strict by default in production (DEBUG off).
SESSION_COOKIE_HTTPONLY = True
# Sessions: signed out after SESSION_IDLE_TIMEOUT seconds without a request (30 minutes) and in any case
# SESSION_ABSOLUTE_TIMEOUT seconds after signing in (12 hours); signing in always starts a new session.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", 12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Uploads checked by their content (pmf/uploads.py): a Word or Excel file may expand to at most this when opened,
# hold at most this many parts, and no part larger than 1 MB may expand more than this many times; an image may
# have at most this many pixels. Each upload's own size limit (evidence 10 MB) is beside its form.
UPLOAD_MAX_EXPANDED_BYTES = 100 * 1024 * 1024
UPLOAD_MAX_ARCHIVE_ENTRIES = 10_000
UPLOAD_MAX_COMPRESSION_RATIO = 100
UPLOAD_MAX_IMAGE_PIXELS = 40_000_000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools narrate every PDF at INFO; their warnings are enough.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools", "matplotlib")},
}

# Product settings: defaults a council changes in its own configuration (Council model) where it may.
PMF_DEFAULT_TOLERANCE_PCT = "5"


def env_date(name: str) -> date | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a date written YYYY-MM-DD; got {raw!r}") from None


# Pins "today" (pmf/clock.py) for a demo or a test; never set in production.
PMF_TODAY = env_date("PMF_TODAY")

# -- REST API (reporting/api/, README "API"): djangorestframework, drf-spectacular, django-filter -------------------
# A personal API token (Authorization: Bearer ..., pmf/api_tokens.py) or the browser's session (with its CSRF
# token); every resource scoped like the person (pmf.access). JSON only; every error in one shape
# ({"errors": [{"field": ..., "message": ...}]}). The schema at /api/schema/, the docs (Swagger UI from the
# drf-spectacular-sidecar package's static files, no CDN) at /api/docs/.
INSTALLED_APPS += ["rest_framework", "django_filters", "drf_spectacular", "drf_spectacular_sidecar"]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["pmf.api_tokens.TokenAuthentication",
                                       "rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "reporting.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "reporting.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "reporting.api.errors.handler",
    "URL_FORMAT_OVERRIDE": None,
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Performance framework API",
    "DESCRIPTION": "Plans, measures, targets, returns, actions and assessments of the councils you work for, "
                   "scoped exactly like your role; returns and action updates written with the same checks as the "
                   "pages. Errors: {\"errors\": [{\"field\": ..., \"message\": ...}]}. Open data per council and "
                   "year under /public/.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/(api|public)/",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "reporting.api.schema.typed_path_parameters"],
}
