"""Settings for backpainlog, driven by environment variables (see README).

Every variable is read through a small typed helper that refuses a bad value with
``ImproperlyConfigured`` at start-up rather than misbehaving later.
"""

from __future__ import annotations

import ipaddress
import os
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from backpainlog.chart_css import FALLBACK_CSS_CSP_SOURCE
from backpainlog.push_endpoints import DEFAULT_PUSH_ENDPOINT_HOSTS, HostRule, parse_host_rules

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
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
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")
HTTPS = env_bool("DJANGO_HTTPS")


def env_trusted_proxies(name: str) -> int | list[str]:
    """The proxies whose ``X-Forwarded-For`` entries are believed: a count of proxies in
    front of the app (``1``: the one reverse proxy), or the networks they connect from
    (``10.0.0.0/8,127.0.0.1``). Unset: none, and the header is ignored."""
    raw = env_str(name).strip()
    if not raw:
        return 0
    if raw.isdigit():
        return int(raw)
    networks = [item.strip() for item in raw.split(",") if item.strip()]
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"{name} must be a number of proxies or comma-separated networks; {network!r} is neither"
            ) from exc
    return networks


# Who sent a request, for the lock-out, the rate limits and the account activity
# (backpainlog/clients.py): the connection's address unless a trusted proxy says so.
TRUSTED_PROXIES = env_trusted_proxies("DJANGO_TRUSTED_PROXIES")

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set DJANGO_SECRET_KEY (a long random string), or DJANGO_DEBUG=1 for development."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    # Sign-in protection: failed-attempt lock-out, and the authenticator-app device of
    # two-step sign-in.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # The task queue (docs/product.md#the-task-queue): Django 6.0's tasks framework, backported,
    # on the database.
    "django_tasks",
    "django_tasks_db",
    "backpainlog",
    "backpainlog.accounts",
    "shoes",
    "runs",
    "exports",
    "imports",
    "sharing",
    "audit",
    "clinical",
    "reminders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the rest, so that it sees every answer to a signed-in request, errors and
    # the lock-out's included.
    "backpainlog.middleware.PrivateNoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "backpainlog.accounts.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that it sees (and answers) a sign-in refused because of the lock-out.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backpainlog.urls"
WSGI_APPLICATION = "backpainlog.wsgi.application"

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
            ],
        },
    },
]


def database_from_url(url: str) -> dj_database_url.DBConfig:
    try:
        return dj_database_url.parse(
            url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0), conn_health_checks=True
        )
    except ValueError as exc:  # unknown scheme or a malformed URL
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a database URL ({exc}); use e.g. postgres://user:password@host:5432/name"
        ) from exc


DATABASES = {"default": database_from_url(env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at
    # the start of a transaction so concurrent writers wait (busy timeout) instead of
    # failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # The test database is a file, not Django's in-memory default: shared-cache memory
    # databases lock whole tables and fail at once instead of waiting, so the browser tests'
    # server threads (a page and a background send at the same moment) would fail where a
    # real deployment waits. One file per test process, so parallel runs do not collide.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"backpainlog-test-{os.getpid()}.sqlite3")
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    # Rendered dashboard parts: their keys carry the user's analytics version, so each
    # process may keep its own copy without ever serving a stale one.
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Counts every process must agree on (rate limits): in the database, which all the
    # app's processes and machines share. Its table comes with a migration (sharing 0002).
    # Room for every live count: past MAX_ENTRIES the cache first drops expired entries,
    # then a third of all of them, live counts included (Django's default is 300).
    "shared": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "backpainlog_cache",
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    },
}

# The lock-out backend first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Argon2 for new and changed passwords; older PBKDF2 hashes still work and are
# re-hashed with Argon2 at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Lock-out (see README, "Signing in"): 5 failed sign-ins (passwords or two-step codes)
# for one username, from any number of addresses, or from one address, for any
# usernames, pause signing in for 15 minutes. Attempts while paused are not counted.
# A successful sign-in clears only that username's failures (lockout.clear_own_failures),
# never what the same address did to other accounts: signing in to one's own account
# between guesses must not reset the count of the account being guessed.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = False
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"  # every process sees the same counts
AXES_CLIENT_IP_CALLABLE = "backpainlog.accounts.lockout.client_ip"  # the address behind the trusted proxy
AXES_USERNAME_CALLABLE = "backpainlog.accounts.lockout.username_of"
AXES_LOCKOUT_CALLABLE = "backpainlog.accounts.lockout.lockout_response"
# Successful sign-ins are recorded in the user's own audit log; not a second time here.
AXES_DISABLE_ACCESS_LOG = True
# Masked in the attempts' stored form data, beside the password: a typed two-step code
# and the CSRF token are not for the database either.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "otp", "csrfmiddlewaretoken"]

# Two-step sign-in: the issuer shown in authenticator apps. The device's own back-off
# after wrong codes is off: the lock-out above counts them for the username instead.
OTP_TOTP_ISSUER = "backpainlog"
OTP_TOTP_THROTTLE_FACTOR = 0

# Signed in for DJANGO_SESSION_DAYS (14 by default) from the sign-in, then asked again.
SESSION_DAYS = env_int("DJANGO_SESSION_DAYS", 14)
if SESSION_DAYS < 1:
    raise ImproperlyConfigured(f"DJANGO_SESSION_DAYS must be 1 or more; got {SESSION_DAYS}")
SESSION_COOKIE_AGE = SESSION_DAYS * 24 * 60 * 60

# An API token not used for DJANGO_API_TOKEN_DAYS (90 by default) stops working.
API_TOKEN_IDLE_DAYS = env_int("DJANGO_API_TOKEN_DAYS", 90)
if API_TOKEN_IDLE_DAYS < 1:
    raise ImproperlyConfigured(f"DJANGO_API_TOKEN_DAYS must be 1 or more; got {API_TOKEN_IDLE_DAYS}")

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
# English is the app's only language: with translation off, the numbers and dates the
# templates write cost no lookup of the active language. What pages say stays the same:
# "en" needs no translating.
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploads (imports) are capped well above the 25 MB file limit checked by the importer.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# The task queue: tasks are rows in the app's own database, run by `manage.py worker`
# (several may run at once, on several machines). Nothing else to install or run.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# What the worker does on a schedule besides running queued tasks: dotted path → seconds
# between runs. Every job must be safe to run in several workers at once.
WORKER_PERIODIC_JOBS: dict[str, int] = {
    "backpainlog.worker.prune_finished_tasks": 24 * 60 * 60,
    # Imports whose worker stopped under them (a restart, a crash) are queued again.
    "imports.jobs.import_jobs_recover": 60,
    # Makes the reminders whose local time has come and sends those due (docs/product.md#reminders).
    "reminders.jobs.reminders_tick": 60,
    "reminders.jobs.prune_old_reminders": 24 * 60 * 60,
}
WORKER_POLL_SECONDS = 1.0


def env_push_hosts(name: str) -> tuple[HostRule, ...]:
    """The hosts push messages may be posted to: ``name``, ``*.name`` (its subdomains) or
    either with ``:port`` (443 otherwise), comma-separated; the major push services if unset."""
    entries = env_list(name) or list(DEFAULT_PUSH_ENDPOINT_HOSTS)
    try:
        return parse_host_rules(entries)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from exc


# Reminders by Web Push: the server posts only to these hosts (never to an address a client
# chose), signing with the VAPID key of the environment or, when unset, one made once and
# kept in the database (reminders.vapid).
PUSH_ENDPOINT_HOSTS = env_push_hosts("PUSH_ENDPOINT_HOSTS")
VAPID_PRIVATE_KEY = env_str("VAPID_PRIVATE_KEY")
VAPID_PUBLIC_KEY = env_str("VAPID_PUBLIC_KEY")
VAPID_SUBJECT = env_str("VAPID_SUBJECT")

# E-mail: password reset, and reminders for those who ask (only offered with EMAIL_HOST).
# SMTP when EMAIL_HOST is set, the console otherwise.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "backpainlog <noreply@localhost>")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Everything the pages load comes from this origin: no inline script, no inline style
# (htmx is told not to inject any: <meta name="htmx-config"> in base.html), no eval. The one
# exception is the chart fallback rules that every server-drawn SVG carries, allowed by
# their hash. The API docs widen img-src for Swagger UI's icons (backpainlog/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, FALLBACK_CSS_CSP_SOURCE],
        "img-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features the app never uses, switched off for it and anything it could embed.
# Only names Chromium knows: an unknown one is an error in the browser console.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The __Host- prefix makes browsers accept these cookies only when secure, for this
    # host alone and the whole site: no subdomain and no plain-HTTP page can set or
    # shadow them (the pages' script reads either name of the CSRF cookie).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # No "preload": entering the browsers' preload list binds every subdomain of the whole
    # registrable domain for months, which only its owner may decide, not the app.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
    # /healthz is probed by load balancers over plain HTTP from inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

REST_FRAMEWORK = {
    # Token first, so that a request without credentials gets 401 with a
    # WWW-Authenticate header rather than 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "backpainlog.accounts.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "backpainlog.pagination.Pagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["backpainlog.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "backpainlog.schema.AutoSchema",
    "EXCEPTION_HANDLER": "backpainlog.api.exception_handler",
    "PAGE_SIZE": 50,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "backpainlog API",
    "DESCRIPTION": (
        "Runs, pain check-ins, shoes and insoles of the signed-in user. SI units "
        "(metres, seconds); date-times ISO 8601 with offset. Authenticate with "
        "`Authorization: Token <token>` from `POST /api/v1/auth/token/`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two models have a "status": each enum keeps a name of its own.
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "shoes.models.Gear.Status",
        "ImportJobStatusEnum": "imports.models.JobStatus",
    },
}

LOG_LEVEL = env_str("DJANGO_LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured("DJANGO_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # The lock-out logs failed sign-ins and lock-outs as warnings; its info lines (every
    # successful sign-in) would only be noise.
    # The queue worker says "no more tasks" at info level on every poll.
    "loggers": {
        name: {"level": "WARNING" if LOG_LEVEL in {"DEBUG", "INFO"} else LOG_LEVEL}
        for name in ("axes", "django_tasks_db")
    },
}
