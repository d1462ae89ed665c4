"""TAM Portal settings.

One module, read from the environment (django-environ). With nothing set it runs the
embedded default: SQLite in the checkout, Celery tasks executed in-process, DEBUG on.
Production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY and ALLOWED_HOSTS (DEBUG goes
off once SECRET_KEY is set); see `.env.example`.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# A deployment sets its own SECRET_KEY; without one this is the embedded default, a
# developer's machine (DEBUG on, a fixed key that must never serve users). So production
# is secure by default: setting the key alone turns DEBUG off. DEBUG=true|false overrides.
DEBUG = env.bool("DEBUG", default="SECRET_KEY" not in os.environ)
SECRET_KEY = env(
    "SECRET_KEY",
    default="insecure-development-key-only-used-when-DEBUG" if DEBUG else environ.Env.NOTSET,
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "django_htmx",
    "csp",
    "axes",
    "core",
    "people",
    "accounts",
    "segments",
    "prioritization",
    "metrics",
    "rhythm",
    "health",
    # Risk triage (issue 13 point 6): reads accounts, people and health.
    "triage",
    "ingestion",
    "orchestration",
    "portal",
    "dashboard",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Serves the collected static files in production, so gunicorn needs no proxy for them.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files keep their cache headers), before the rest, so it sees
    # every final response: signed-in answers and downloads are not stored (issue 11).
    "people.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signs out a session idle longer than the admin's setting (needs the user and messages).
    "people.middleware.IdleSessionMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tam_portal.urls"

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

WSGI_APPLICATION = "tam_portal.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A kept connection is tested before a request reuses it: after a database restart each
# worker reconnects instead of serving one 500 on the dead connection.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # An unreachable server fails a request (and /health/) in seconds, not a TCP timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # No JIT compilation (issue 14): PostgreSQL compiles any statement priced above
    # jit_above_cost, and here only the widest ones get there, where compiling costs far
    # more than it saves: 560 ms on the recompute's first-value UPDATE that runs in 90 ms
    # without, ~500 ms on the company-wide dashboard's burn-down lists (README, "Pages").
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Threads the recompute spreads its chunks over, each with its own connection: one
# computes while another waits on PostgreSQL. SQLite allows one writer, so one thread.
RECOMPUTE_WORKERS = env.int(
    "RECOMPUTE_WORKERS", default=2 if DATABASES["default"]["ENGINE"].endswith("postgresql") else 1
)
# How long the recompute's lock outlives its holder's last renewal: a live run renews it
# from a background thread every quarter of this, whatever step it is in; a run whose
# worker died is noticed (and redone) this long after at most.
RECOMPUTE_LOCK_SECONDS = env.int("RECOMPUTE_LOCK_SECONDS", default=90)
# After a bulk write (an import, an API request) the changed accounts wait this long for
# more writes, then one task recomputes them all; above this many, as one full run (a few
# accounts are ranked one COUNT each, so past a couple of hundred a full run is cheaper).
RECOMPUTE_DEBOUNCE_SECONDS = env.int("RECOMPUTE_DEBOUNCE_SECONDS", default=30)
RECOMPUTE_FULL_RUN_ABOVE = env.int("RECOMPUTE_FULL_RUN_ABOVE", default=200)
# --- Recompute fan-out (orchestration/fanout.py) -----------------------------------------
# With a broker, a run sends this many helper tasks per phase; each claims the run's chunks
# on whatever worker takes it, beside the run's own threads. 0: the run's worker alone.
RECOMPUTE_FANOUT_TASKS = env.int("RECOMPUTE_FANOUT_TASKS", default=8)
if RECOMPUTE_FANOUT_TASKS < 0:
    raise environ.ImproperlyConfigured("RECOMPUTE_FANOUT_TASKS must be 0 or more.")

AUTH_USER_MODEL = "people.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# --- Sign-in (issue 11; people/sign_in.py, people/sessions.py) ------------------------
# django-axes' backend comes first: a locked-out username+address pair is refused before
# ModelBackend hashes the password, so a brute-force stream does not eat the CPU.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("SIGN_IN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIGN_IN_COOLOFF_MINUTES", default=15))
# A refused attempt during the lockout does not restart it, so "try again in 15 minutes"
# holds; a successful sign-in clears the count.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "people.sign_in.locked_out_response"
AXES_CLIENT_IP_CALLABLE = "people.sign_in.client_address"
AXES_VERBOSE = False  # no banner on every command; failures are still logged
# Reverse proxies in front of gunicorn that append to X-Forwarded-For; 0 (the default)
# ignores the header, which a client could otherwise forge to dodge the lockout.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Sessions end after the admin's idle time (people.SecuritySettings, 12 hours by default).
# The cookie's age is renewed with the last-seen time once a minute, so it is no absolute
# limit either; it is the longest idle time an admin may choose (14 days).
SESSION_COOKIE_AGE = 14 * 24 * 60 * 60
# Password reset mails: SMTP from EMAIL_URL in production (smtp+tls://user:pass@host:587);
# without it they are written to the server's output (console backend).
EMAIL = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = EMAIL["EMAIL_BACKEND"]
EMAIL_HOST = EMAIL["EMAIL_HOST"] or "localhost"
EMAIL_PORT = EMAIL["EMAIL_PORT"] or 25
EMAIL_HOST_USER = EMAIL["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = EMAIL["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = EMAIL.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = EMAIL.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="TAM Portal <tam-portal@localhost>")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- One date format everywhere (issue 12 point 8) --------------------------------------
# ISO 2026-12-01 wherever a date is rendered without a filter. Django 5 always localises,
# so the format module (tam_portal/formats/en/formats.py) is what wins over the "en"
# locale; the settings below say the same for anything that reads them directly.
FORMAT_MODULE_PATH = ["tam_portal.formats"]
DATE_FORMAT = SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "Y-m-d H:i"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Security: secure by default in production (DEBUG off) -----------------------------
# Only SECRET_KEY, ALLOWED_HOSTS and the database and broker URLs need setting for
# `check --deploy` to pass. Behind a proxy that already redirects to HTTPS and sends HSTS,
# SECURE_SSL_REDIRECT=false and SECURE_HSTS_SECONDS=0 turn ours off.
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The container health check asks over plain HTTP from inside the container.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
# Only sent when SECURE_HSTS_SECONDS > 0, so these defaults cost development nothing.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy (django-csp 4): nothing inline, nothing from elsewhere. Scripts
# and styles are files under static/ (data reaches JavaScript through json_script), so an
# injected <script> or style attribute does not run. Chart.js and the admin comply; htmx
# is told not to inject its indicator <style> (templates/base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# --- API (DESIGN 10; decisions in api/__init__.py) -------------------------------------
# Bearer tokens for programs; the session too, so the docs page can try calls as the
# signed-in user (same scope as the pages, CSRF enforced on writes).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerCredentialThrottle"],
    # Per integration key, and per user (their tokens and session together).
    "DEFAULT_THROTTLE_RATES": {"api": "600/minute"},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "TAM Portal API",
    "DESCRIPTION": (
        "Read the portfolio in your scope. Authenticate with `Authorization: Bearer <token>`: "
        "a personal token (your own scope, as in the browser) or an integration key "
        "(every account, within its scopes). Outside your scope is 404."
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Domain -------------------------------------------------------------------------
# Fiscal year starts on the 1st of this month; FY is labelled by its ending calendar year
# (DESIGN section 2: with February, FY22 = Feb 2021 to Jan 2022).
FISCAL_YEAR_START_MONTH = env.int("FISCAL_YEAR_START_MONTH", default=2)

# The import page (DESIGN 10): uploads up to this size in all (larger: `import_data` on the
# server); a confirmed import of more rows than this runs as a background task.
IMPORT_MAX_UPLOAD_MB = env.int("IMPORT_MAX_UPLOAD_MB", default=50)
IMPORT_BACKGROUND_ROWS = env.int("IMPORT_BACKGROUND_ROWS", default=5_000)

# --- Celery -------------------------------------------------------------------------
# No broker configured means the embedded default: tasks run in-process, synchronously.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "nightly-recompute": {
        "task": "prioritization.recompute_portfolio",
        "schedule": crontab(
            hour=env.int("NIGHTLY_RECOMPUTE_HOUR", default=2),
            minute=env.int("NIGHTLY_RECOMPUTE_MINUTE", default=30),
        ),
        "kwargs": {"trigger": "nightly"},
    },
}
# --- Recompute delivery (orchestration/tasks.py) --------------------------------------
# A publish gives up within 1.5 s when the broker is down or stalled (one connection
# attempt, no publish retry): the request is already in the database (the outbox) and the
# sweep below delivers it once the broker is back. The worker's own reconnection is
# separate (broker_connection_max_retries). An unacknowledged task (its whole worker was
# killed) is handed out again after `visibility_timeout`: just above the hard time limit,
# so a live run is never handed to a second worker.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 1.5,
    "max_retries": 0,
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + 5 * 60,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_REDIS_SOCKET_TIMEOUT = 1.5
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 0}}
CELERY_BEAT_SCHEDULE["recompute-sweep"] = {
    "task": "orchestration.sweep_recompute_requests",
    "schedule": 60.0,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # django-axes logs every failed sign-in twice, at INFO and WARNING: keep the WARNING.
    "loggers": {"axes": {"level": "WARNING"}},
}
