"""Settings read from environment variables.

Every variable has a default that runs the app on an embedded setup (SQLite and a
filesystem broker under ./var). A malformed value fails loudly at start-up rather
than being silently replaced by a default. With DEBUG false (the default) the app is
safe unless told otherwise (S6): it refuses to start without a real SECRET_KEY or with
a demo webhook credential, and cookies, HSTS, the SSL redirect and the CSP are on.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.getenv("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: use true or false")


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected an integer") from None


def envfloat(name: str, default: str) -> float:
    value = os.getenv(name, default)
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a number") from None


def envrate(name: str, default: str) -> str:
    """A throttle rate, "N/period" as django-ninja reads it (60/m, 1000/h, 10/5s)."""
    value = os.getenv(name, default).strip()
    if not re.fullmatch(r"[1-9][0-9]*/([1-9][0-9]*)?(s|sec|m|min|h|hour|d|day)", value):
        raise ImproperlyConfigured(f"{name}={value!r}: expected a rate such as 60/m (requests per s, m, h or d)")
    return value


def envlist(name: str, default: str) -> list[str]:
    return [v.strip() for v in os.getenv(name, default).split(",") if v.strip()]


def refuse_demo(name: str, value: str, demo: str) -> str:
    """S6: outside DEBUG, a credential left at its published demo value is refused."""
    if not DEBUG and value == demo:
        raise ImproperlyConfigured(
            f"{name} is the demo value; set {name} to your own secret (or leave it unset to turn that provider off)."
        )
    return value


DEBUG = envbool("DEBUG", "false")
DEMO_SECRET_KEY = "dev-only-insecure-key-change-me"
SECRET_KEY = os.getenv("SECRET_KEY", DEMO_SECRET_KEY if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY.startswith("dev-only") or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY is missing, a demo value or shorter than 50 characters. Set SECRET_KEY to a long random string, "
        "e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))', or set DEBUG=true for a local demo."
    )
ALLOWED_HOSTS = [h for h in os.getenv("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.getenv("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000")
# W3/W4: outgoing webhooks. In production only https:// URLs, and never an address
# that resolves inside (loopback, private, link-local, metadata); the demo and the tests
# deliver to a receiver on this machine, so DEBUG allows both.
WEBHOOK_HTTPS_ONLY = envbool("WEBHOOK_HTTPS_ONLY", "false" if DEBUG else "true")
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = envbool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "true" if DEBUG else "false")
WEBHOOK_TIMEOUT = envfloat("WEBHOOK_TIMEOUT", "15")
# A relay that died holding deliveries: after this long another relay sends them again.
WEBHOOK_LEASE_SECONDS = envfloat("WEBHOOK_LEASE_SECONDS", "60")
# bin/run's demo: pages add hints for a newcomer (the Forms page points at the hosted form).
DEMO = envbool("DEMO", "false")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "ninja",
    "axes",
    "anymail",
    "contacts_app",
    "restore",
    "cleaned",
]

MIDDLEWARE = [
    "config.timing.RequestCostMiddleware",  # P5: Server-Timing (when on); a slow request marks the web busy
    "config.middleware.ApiErrorEnvelopeMiddleware",
    "contacts_app.lib.client.ClientAddressMiddleware",  # S7: the one client address (proxies trusted by setting)
    "config.middleware.Utf8BodiesOnlyMiddleware",  # S4: no other charset reaches a form parser
    "config.middleware.AdminQueryGuardMiddleware",  # S4: no NUL or 30-digit year into the admin's filters
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # U3: the browser's language, or the one chosen in the top bar
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.PlainNotFoundMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "contacts_app.web.context_processors.workspace",
            ],
        },
    },
]

DATABASE_URL = os.getenv("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
# P5: a request reuses its thread's database connection for DB_CONN_MAX_AGE seconds
# (checked before reuse): opening one per request cost PostgreSQL 13 ms of CPU each
# (bench_web_fleet). Each gunicorn thread and worker holds one; 0 closes after each
# request (behind a transaction-mode pooler such as PgBouncer).
DB_CONN_MAX_AGE = envint("DB_CONN_MAX_AGE", "60")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=DB_CONN_MAX_AGE, conn_health_checks=DB_CONN_MAX_AGE > 0)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded setup has a web process and a worker writing to one file:
    # WAL plus IMMEDIATE transactions make them queue instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.getenv("TEST_DATABASE_NAME", "test_crm")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# U3: English and French. The language follows the browser (Accept-Language), can be
# switched in the top bar (Django's set_language, remembered in a cookie); dates and
# numbers follow it. The catalogue is in locale/ (compiled by bin/run and bin/test).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", VAR_DIR / "staticfiles"))
# whitenoise serves /static/ from STATIC_ROOT (filled by `manage.py collectstatic`) with
# hashed, compressed, far-future-cached names; /favicon.ico comes from static/root/.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", VAR_DIR / "media"))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# S6: secure unless DEBUG, each switch its own variable (a deployment behind a proxy
# that terminates TLS sets SECURE_PROXY_SSL_HEADER; one on plain HTTP turns them off).
_secure = "false" if DEBUG else "true"
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", _secure)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _secure)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", _secure)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", _secure)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", _secure)
if os.getenv("SECURE_PROXY_SSL_HEADER"):  # e.g. "HTTP_X_FORWARDED_PROTO,https"
    SECURE_PROXY_SSL_HEADER = tuple(envlist("SECURE_PROXY_SSL_HEADER", ""))
SECURE_REDIRECT_EXEMPT = [r"^health$"]  # load balancers probe over plain HTTP
# The pages' scripts and styles are static files: nothing inline is allowed to run.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# --- S7: login lockout (django-axes) and API throttling -----------------------------
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", "10")
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "contacts_app.web.views.login_locked_out"
# S7: how many proxies in front of us append to X-Forwarded-For (0: the header is
# ignored); contacts_app/lib/client.py reads the client's address from it, for axes,
# every throttle and the audit log alike.
TRUSTED_PROXY_COUNT = envint("PROXY_COUNT", "0")
AXES_CLIENT_IP_CALLABLE = "contacts_app.lib.client.client_address"
AXES_VERBOSE = False
# Requests per client, per period (Django cache; Redis when CACHE_URL is set).
THROTTLE_API_TOKEN = envrate("THROTTLE_API_TOKEN", "1200/m")
THROTTLE_FORM_SUBMISSIONS = envrate("THROTTLE_FORM_SUBMISSIONS", "60/m")
# S7: every address together, per form: a flood from many addresses stops at this.
THROTTLE_FORM_PER_FORM = envrate("THROTTLE_FORM_PER_FORM", "600/m")
# S7: the hosted page, per address (a person, not an integration).
THROTTLE_FORM_PAGE = envrate("THROTTLE_FORM_PAGE", "10/m")
THROTTLE_BOUNCE_WEBHOOK = envrate("THROTTLE_BOUNCE_WEBHOOK", "6000/m")  # the signed and the provider webhooks
WEBHOOK_CREDENTIAL_FAILURES = envint(
    "WEBHOOK_CREDENTIAL_FAILURES", "20"
)  # wrong credentials per minute, then refused for a minute
CACHE_URL = os.getenv("CACHE_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# P5: with a shared cache (Redis), a page reads its session from the cache, not from the
# database (one query fewer per request); sessions are still written to the database, so
# a flushed cache logs nobody out.
SESSION_ENGINE = f"django.contrib.sessions.backends.{'cached_db' if CACHE_URL else 'db'}"

# One body limit for the pages, the API and the webhooks (413 body_too_large under /api/).
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("MAX_REQUEST_BODY", str(10 * 1024 * 1024))

# R13: emails go through Django's backend: the console in the demo; SMTP in production
# (EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS).
EMAIL_BACKEND = os.getenv(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = str(VAR_DIR / "emails")  # for the file backend (bin/test)
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "10")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "CRM <no-reply@localhost>")

# --- Product settings -----------------------------------------------------------
ARCHIVE_CHUNK_SIZE = envint("ARCHIVE_CHUNK_SIZE", "1000")
CONTACTS_PAGE_SIZE = envint("CONTACTS_PAGE_SIZE", "50")
MAX_SELECTION_SIZE = envint(
    "MAX_SELECTION_SIZE", "1000000"
)  # one restore or archive request (R14: a fleet restores a million)

# --- Provider bounce webhooks (django-anymail), each with its provider's own check ---
# The demo's published credentials work only with DEBUG on (S6). Without a credential a
# provider's webhook is not routed at all.
DEMO_WEBHOOK_SECRET = "dev-webhook-user:dev-webhook-password"
DEMO_MAILGUN_SIGNING_KEY = "dev-mailgun-signing-key"
_webhook_secret = refuse_demo(
    "ANYMAIL_WEBHOOK_SECRET",
    os.getenv("ANYMAIL_WEBHOOK_SECRET", DEMO_WEBHOOK_SECRET if DEBUG else ""),
    DEMO_WEBHOOK_SECRET,
)
_mailgun_key = refuse_demo(
    "MAILGUN_WEBHOOK_SIGNING_KEY",
    os.getenv("MAILGUN_WEBHOOK_SIGNING_KEY", DEMO_MAILGUN_SIGNING_KEY if DEBUG else ""),
    DEMO_MAILGUN_SIGNING_KEY,
)
ANYMAIL = {
    # Basic auth shared with Amazon SES (SNS), Postmark, SendGrid and Brevo: "user:password".
    "WEBHOOK_SECRET": _webhook_secret or None,
    "MAILGUN_WEBHOOK_SIGNING_KEY": _mailgun_key or None,
    "AMAZON_SES_AUTO_CONFIRM_SNS_SUBSCRIPTIONS": envbool("AMAZON_SES_AUTO_CONFIRM_SNS_SUBSCRIPTIONS", "false"),
}
# Providers whose tracking webhook is routed (the others answer 404): by default every
# provider whose credential is set.
_configured = (["amazon_ses", "postmark", "sendgrid", "brevo"] if _webhook_secret else []) + (
    ["mailgun"] if _mailgun_key and _webhook_secret else []
)
ANYMAIL_TRACKING_PROVIDERS = envlist("ANYMAIL_TRACKING_PROVIDERS", ",".join(_configured))
EXPORTS_DIR = Path(os.getenv("EXPORTS_DIR", VAR_DIR / "exports"))
EXPORT_BATCH_PAUSE = envfloat("EXPORT_BATCH_PAUSE", "0")  # seconds between export chunks, to spare a busy database
# A6: GET /metrics (Prometheus) answers a caller with this bearer token, or from these
# addresses; neither set, it answers nobody.
METRICS_TOKEN = os.getenv("METRICS_TOKEN", "")
METRICS_ALLOWED_IPS = envlist("METRICS_ALLOWED_IPS", "")
EXPORT_CHUNK_SIZE = envint("EXPORT_CHUNK_SIZE", "10000")  # rows an export writes and commits at a time
EXPORT_RETENTION_DAYS = envint("EXPORT_RETENTION_DAYS", "30")  # C4: an export's file is deleted after this
XLSX_MAX_ROWS = envint("XLSX_MAX_ROWS", "100000")  # rows an Excel (.xlsx) download may hold; the CSV has no limit

# --- Celery -----------------------------------------------------------------------
# The broker only carries ids; PostgreSQL (the job rows) is the source of truth.
CELERY_BROKER_URL = os.getenv("CELERY_BROKER_URL", "filesystem://")
_broker_dir = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # kombu's default is ./control, relative to wherever the process started.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        "polling_interval": 0.05,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A task running past this is redelivered: keep it well above task_time_limit.
        "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", "3600"),
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "max_retries": 1,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = envfloat("CELERY_BROKER_CONNECTION_TIMEOUT", "2")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", "600")
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", "540")
# The job machinery (contacts_app/jobs/), for every kind of job. These were called
# RESTORE_* before; an old name is still read when the new one is unset.
JOB_CHUNK_SIZE = envint("JOB_CHUNK_SIZE", os.getenv("RESTORE_CHUNK_SIZE", "1000"))
# Seconds between chunks, to spare a busy database.
JOB_CHUNK_PAUSE = envfloat("JOB_CHUNK_PAUSE", os.getenv("RESTORE_CHUNK_PAUSE", "0"))
# P5: the share of a worker's time a job may spend in its chunks (0 < d <= 1): after a
# chunk of t seconds the worker rests t * (1 - d) / d, so on a machine the web shares,
# 0.5 leaves half the time to the requests. 1 (the default, for a fleet): no rest.
JOB_DUTY_CYCLE = envfloat("JOB_DUTY_CYCLE", "1")
if not 0 < JOB_DUTY_CYCLE <= 1:
    raise ImproperlyConfigured(f"JOB_DUTY_CYCLE={JOB_DUTY_CYCLE}: expected a number above 0 and at most 1")
# P5: "fixed" paces every chunk at JOB_DUTY_CYCLE; "adaptive" runs a job at full speed
# while the web is quiet and at JOB_DUTY_CYCLE while it is busy: within the last
# JOB_BACKOFF_SECONDS a page or API request queued (spent over WEB_QUEUED_AFTER_MS
# neither running nor waiting on the database) or took longer than WEB_BUSY_AFTER_MS.
# Adaptive needs a cache the web and the workers share (CACHE_URL). Fixed by default, for a fleet.
JOB_PACING = os.getenv("JOB_PACING", "fixed").strip().lower()
if JOB_PACING not in ("fixed", "adaptive"):
    raise ImproperlyConfigured(f"JOB_PACING={JOB_PACING!r}: use fixed or adaptive")
if JOB_PACING == "adaptive" and not CACHE_URL:
    raise ImproperlyConfigured(
        "JOB_PACING=adaptive: the workers learn that the web is busy through the cache; set CACHE_URL (Redis)"
    )
WEB_BUSY_AFTER_MS = envint("WEB_BUSY_AFTER_MS", "300")
WEB_QUEUED_AFTER_MS = envint("WEB_QUEUED_AFTER_MS", "20")
JOB_BACKOFF_SECONDS = envint("JOB_BACKOFF_SECONDS", "5")
if JOB_BACKOFF_SECONDS < 1:
    raise ImproperlyConfigured(f"JOB_BACKOFF_SECONDS={JOB_BACKOFF_SECONDS}: expected at least 1 second")
# P5: a Server-Timing header on every answer (the request's CPU and database time);
# off by default, it tells anyone how long a page's queries took (config/timing.py).
SERVER_TIMING = envbool("SERVER_TIMING", "false")
# A running job silent this long is resumed by the sweeper.
JOB_STALE_AFTER = envint("JOB_STALE_AFTER", os.getenv("RESTORE_STALE_AFTER", "60"))
# One task hands over to a new one after this many seconds.
JOB_TASK_BUDGET = envint("JOB_TASK_BUDGET", os.getenv("RESTORE_TASK_BUDGET", "240"))
# R14: how many workers one job may use at once (the claiming task queues this many
# minus one helpers; each free worker that takes one joins and claims chunks).
JOB_WORKERS_PER_JOB = envint("JOB_WORKERS_PER_JOB", os.getenv("RESTORE_WORKERS_PER_JOB", "4"))
# A file: per-chunk timings appended as JSON lines (the benchmarks read it).
JOB_PROFILE = os.getenv("JOB_PROFILE", os.getenv("RESTORE_PROFILE", ""))
ENQUEUE_WAIT = envfloat("ENQUEUE_WAIT", "0.5")  # longest a request waits on the broker
HEALTH_TIMEOUT = envfloat("HEALTH_TIMEOUT", "0.5")  # longest /health waits on the broker
JOB_SWEEP_INTERVAL = envfloat("JOB_SWEEP_INTERVAL", os.getenv("RESTORE_SWEEP_INTERVAL", "30"))
PURGE_INTERVAL = envfloat("PURGE_INTERVAL", "3600")
if JOB_TASK_BUDGET >= CELERY_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured("JOB_TASK_BUDGET must be below CELERY_TASK_SOFT_TIME_LIMIT")
# R14: separate queues, so that one long export never delays a restore. A worker says
# which queues it serves (`celery -A config worker -Q restore`); the demo's single
# worker serves them all (CELERY_QUEUES_ALL). Unrouted tasks go to "maintenance".
CELERY_TASK_DEFAULT_QUEUE = "maintenance"
CELERY_TASK_ROUTES = {
    "restore.tasks.restore_job_run_task": {"queue": "restore"},
    "restore.tasks.restore_job_notify_task": {"queue": "restore"},
    # Bulk archives run beside restores: the contacts' own work, never behind an export.
    "contacts_app.tasks.archive_job_run_task": {"queue": "restore"},
    "contacts_app.tasks.archive_job_notify_task": {"queue": "restore"},
    "contacts_app.tasks.archive_jobs_sweep_task": {"queue": "maintenance"},
    # G1: bulk erasures likewise.
    "contacts_app.tasks.erasure_job_run_task": {"queue": "restore"},
    "contacts_app.tasks.erasure_job_notify_task": {"queue": "restore"},
    "contacts_app.tasks.erasure_jobs_sweep_task": {"queue": "maintenance"},
    "cleaned.tasks.export_run_task": {"queue": "exports"},
    "cleaned.tasks.export_notify_task": {"queue": "exports"},
    "cleaned.tasks.incident_revert_run_task": {"queue": "bounces"},
    "cleaned.tasks.incident_revert_notify_task": {"queue": "bounces"},
    "restore.tasks.restore_jobs_sweep_task": {"queue": "maintenance"},
    "cleaned.tasks.exports_sweep_task": {"queue": "maintenance"},
    "cleaned.tasks.incident_reverts_sweep_task": {"queue": "maintenance"},
    "contacts_app.tasks.contacts_purge_expired_task": {"queue": "maintenance"},
    "contacts_app.tasks.worker_heartbeat_task": {"queue": "maintenance"},
    "contacts_app.tasks.webhooks_relay_task": {"queue": "webhooks"},  # W3: its own queue
}
CELERY_QUEUES_ALL = "restore,exports,bounces,webhooks,maintenance"
CELERY_BEAT_SCHEDULE = {
    "restore-jobs-sweep": {"task": "restore.tasks.restore_jobs_sweep_task", "schedule": JOB_SWEEP_INTERVAL},
    "contacts-purge-expired": {"task": "contacts_app.tasks.contacts_purge_expired_task", "schedule": PURGE_INTERVAL},
    "exports-sweep": {"task": "cleaned.tasks.exports_sweep_task", "schedule": JOB_SWEEP_INTERVAL},
    "incident-reverts-sweep": {"task": "cleaned.tasks.incident_reverts_sweep_task", "schedule": JOB_SWEEP_INTERVAL},
    "archive-jobs-sweep": {"task": "contacts_app.tasks.archive_jobs_sweep_task", "schedule": JOB_SWEEP_INTERVAL},
    "erasure-jobs-sweep": {"task": "contacts_app.tasks.erasure_jobs_sweep_task", "schedule": JOB_SWEEP_INTERVAL},
    "form-confirmations": {"task": "restore.tasks.form_confirmations_send_task", "schedule": 60.0},
    "webhooks-relay": {"task": "contacts_app.tasks.webhooks_relay_task", "schedule": 10.0},
    "worker-heartbeat": {
        "task": "contacts_app.tasks.worker_heartbeat_task",
        "schedule": envfloat("WORKER_HEARTBEAT_INTERVAL", "15"),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}
