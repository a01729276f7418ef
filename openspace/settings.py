"""Settings, read from environment variables.

Every variable has a safe development default, except where production needs a
real value: with DEBUG off, a missing or placeholder SECRET_KEY stops start-up.
Bad values fail loudly rather than being silently ignored.
"""

import atexit
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}"
    )


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envrate(name: str, default: str) -> tuple[int, int] | None:
    """A rate limit written "count/period" (period: s, m or h, as in "20/10m"), or "off"."""
    value = os.environ.get(name, default).strip().lower()
    if value in ("off", "none", "0"):
        return None
    match = re.fullmatch(r"(\d+)\s*/\s*(\d*)\s*([smh])", value)
    if not match or int(match[1]) < 1 or match[2] == "0":
        raise ImproperlyConfigured(
            f"{name} must be a count per period such as 20/10m, 300/h or 5/30s, or off; "
            f"got {value!r}"
        )
    return int(match[1]), int(match[2] or 1) * {"s": 1, "m": 60, "h": 3600}[match[3]]


def envurl(name: str, default: str = "") -> str:
    """An absolute http(s) address, or '' when unset."""
    value = os.environ.get(name, default).strip()
    if value and not value.lower().startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"{name} must start with https:// or http://; got {value!r}")
    return value


DEBUG = envbool("DEBUG", "false")
# Under pytest the test settings apply without any environment variable.
TESTING = envbool("OPENSPACE_TESTING", "false") or "pytest" in sys.modules

_DEV_SECRET = "dev-insecure-secret-key-do-not-use-in-production"  # noqa: S105
# Commands that only read the code (they serve no request and sign nothing) run
# without a SECRET_KEY, so `manage.py makemigrations --check` works on a bare checkout.
_OFFLINE_COMMANDS = {"makemigrations", "makemessages", "compilemessages"}
_OFFLINE = sys.argv[0].endswith("manage.py") and sys.argv[1:2] and sys.argv[1] in _OFFLINE_COMMANDS
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING or _OFFLINE):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random value "
            '(python -c "import secrets; print(secrets.token_urlsafe(50))"), '
            "or set DEBUG=true for local development."
        )
    SECRET_KEY = _DEV_SECRET
elif not (DEBUG or TESTING) and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "SECRET_KEY is too short or a known placeholder; use 50 random characters."
    )

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
# The absolute address printed on posters and QR codes, e.g. https://openspace.example.org
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "openspace",
    "events",
    "agenda",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "openspace.middleware.BodyCharsetMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "openspace.middleware.TextGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "openspace.live.WritesMiddleware",
    "openspace.middleware.EventLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "openspace.middleware.NotAllowedPageMiddleware",
]

ROOT_URLCONF = "openspace.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "openspace.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "openspace.wsgi.application"

# Database: SQLite by default (WAL, IMMEDIATE transactions so concurrent writers
# queue on the busy timeout instead of failing with "database is locked").
SQLITE_PATH = Path(os.environ.get("SQLITE_PATH", BASE_DIR / "var" / "db.sqlite3"))
_database_url = os.environ.get("DATABASE_URL", "")
if _database_url:
    try:
        DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, whose check of a kept connection at the start of a request
        # asks the server only when the connection has something to say
        # (openspace/postgresql/base.py): a restart of the database costs no request.
        DATABASES["default"]["ENGINE"] = "openspace.postgresql"
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        # Server-side binding, so that psycopg prepares a statement the fifth time a
        # connection runs it and PostgreSQL then skips parsing and planning it. Every
        # request runs the same few lookups (event, participant, sign-up), so this
        # halved PostgreSQL's own CPU per lookup (docs/performance.md, "Seventh
        # pass"). Turn it off behind a pooler that cannot keep prepared statements
        # (PgBouncer in transaction mode before 1.21): docs/deploy.md.
        if envbool("PG_PREPARED_STATEMENTS", "true"):
            DATABASES["default"]["OPTIONS"] = {
                **DATABASES["default"].get("OPTIONS", {}),
                "server_side_binding": True,
                "prepare_threshold": 5,
            }
else:
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": envint("SQLITE_BUSY_TIMEOUT", "20"),
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA cache_size=-20000;"
                ),
            },
            # Keep each thread's connection: opening one and running the PRAGMAs above
            # cost more than a whole 304 poll (docs/performance.md, "Load").
            "CONN_MAX_AGE": envint("SQLITE_CONN_MAX_AGE", "600"),
            # A file, not memory, so concurrency tests can race real connections.
            "TEST": {"NAME": str(BASE_DIR / "var" / f"test-db-{os.getpid()}.sqlite3")},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "events:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Languages: the four the product ships. "no" from a browser means Bokmål.
LANGUAGE_CODE = "sv"
LANGUAGES = [
    ("sv", _("Swedish")),
    ("da", _("Danish")),
    ("nb", _("Norwegian Bokmål")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "lang"
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Stockholm")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["openspace.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
if TESTING and "MEDIA_ROOT" not in os.environ:
    # Tests that forget to point MEDIA_ROOT elsewhere must not litter the demo's photos.
    MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="openspace-test-media-"))
    atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Security. Production defaults are strict; local http development relaxes the
# cookie flags only when DEBUG is on.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "false" if DEBUG or TESTING else "true")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "false" if DEBUG or TESTING else "true")
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG or TESTING else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "false" if DEBUG or TESTING else "true"
)
# Preloading is a commitment of the whole domain, the operator's call (docs/deploy.md):
# off unless asked for, and its deploy-check warning silenced for that reason.
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "false")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if envbool("BEHIND_PROXY", "false"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# A poll of the agenda may get a grid rendered this many seconds before the last write
# (agenda/rendering.py): in a marketplace burst the grid is then rendered once a moment
# per worker, not once per poll. 0 turns it off.
POLL_COALESCE_SECONDS = envint("POLL_COALESCE_SECONDS", "2")

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "openspace",
    }
}

# Rate limits (openspace/ratelimit.py; the reasoning behind each number is in
# docs/security.md). Each action has a limit per person (a participant, or for logging
# in a user name) and one per client address, as "count/period"; every one can be set
# with RATELIMIT_<ACTION>_PER_PERSON / _PER_IP (e.g. RATELIMIT_TOPIC_PER_IP=2000/10m)
# or turned off with "off". Per-address limits are far higher than per-person ones: a
# venue's whole Wi-Fi, 2,000 phones, may reach the server through one NAT address.
# Counters live in the database (table openspace_ratelimitcounter), shared by every
# worker process; facilitators of an event are never limited on its pages.
_RATE_LIMIT_DEFAULTS = {
    # action: (per person, per address)
    "join": (None, "3000/10m"),  # new participants
    "join-code": (None, "300/10m"),  # wrong join codes only
    "login": ("10/10m", "100/10m"),  # per user name: failed logins only
    "account": (None, "30/h"),  # accounts made from a facilitator invitation
    "topic": ("20/10m", "1000/10m"),
    "signup": ("200/10m", "30000/10m"),
    "comment": ("30/10m", "2000/10m"),
    "report": ("600/10m", "30000/10m"),  # saves and autosaves of a report
    "photo": ("60/10m", "1000/10m"),
    "initiative": ("20/10m", "1000/10m"),
    "reflection": ("30/10m", "3000/10m"),
}
RATE_LIMITS = {
    action: {
        "person": envrate(f"RATELIMIT_{action.upper().replace('-', '_')}_PER_PERSON", person)
        if person
        else None,
        "ip": envrate(f"RATELIMIT_{action.upper().replace('-', '_')}_PER_IP", ip),
    }
    for action, (person, ip) in _RATE_LIMIT_DEFAULTS.items()
}
RATELIMIT_ENABLED = envbool("RATELIMIT_ENABLED", "true")
# How many proxies of our own stand in front (nginx: 1). The client address is then
# the entry that many places from the right of X-Forwarded-For; the entries further
# left are written by the client and never trusted. 0: the socket's address.
TRUSTED_PROXY_COUNT = envint(
    "TRUSTED_PROXY_COUNT", "1" if envbool("BEHIND_PROXY", "false") else "0"
)
# A retried create POST replays its first answer for this long (openspace/idempotency.py).
IDEMPOTENCY_TTL = envint("IDEMPOTENCY_TTL", str(24 * 60 * 60))

# Participants are identified by a signed cookie that holds their secret token.
PARTICIPANT_COOKIE_NAME = "participant"
PARTICIPANT_COOKIE_MAX_AGE = 60 * 60 * 24 * 365

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
# The footer's accessibility statement (an event may point to its own instead).
ACCESSIBILITY_STATEMENT_URL = envurl("ACCESSIBILITY_STATEMENT_URL")

# Background work (the documentation PDF of a large event): Django's tasks framework.
# "database" stores tasks in the database; a worker runs them: `manage.py db_worker`.
# "immediate" runs them in the request (tests, and a single-process setup without a worker).
_TASKS_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
_tasks_backend = os.environ.get("TASKS_BACKEND", "immediate" if TESTING else "database")
if _tasks_backend not in _TASKS_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be database or immediate; got {_tasks_backend!r}"
    )
TASKS = {"default": {"BACKEND": _TASKS_BACKENDS[_tasks_backend], "QUEUES": ["default"]}}

# Serve uploaded media from Django itself: for the local demo (scripts/run) only.
# In production the web server serves MEDIA_ROOT (docs/deploy.md).
SERVE_MEDIA = envbool("SERVE_MEDIA", "true" if DEBUG else "false")
