"""All of Sampark's settings, read from ``SAMPARK_*`` environment variables with safe defaults.

Data (the embedded SQLite database, the generated secret key, uploads) lives under
``$SAMPARK_HOME``, which defaults to the per-user data folder. ``SAMPARK_DATABASE_URL`` selects
PostgreSQL for scale-out.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
import platformdirs
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SAMPARK_HOME = Path(
    os.environ.get("SAMPARK_HOME") or platformdirs.user_data_dir("sampark", appauthor=False)
)
SAMPARK_HOME.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The key from the environment, else one generated once and kept in SAMPARK_HOME."""
    if key := os.environ.get("SAMPARK_SECRET_KEY"):
        return key
    key_file = SAMPARK_HOME / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("SAMPARK_DEBUG", False)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("SAMPARK_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(
        ","
    )
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("SAMPARK_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the interactive API docs' JS and CSS locally (no CDN)
    "django_tasks",
    "django_tasks_db",
    "sampark.core",
    "django_htmx",
    # The partials loader is configured in TEMPLATES below, not by the app itself.
    "template_partials.apps.SimpleAppConfig",
    "sampark.calendars",
    "sampark.customers",
    "sampark.team",
    "sampark.tickets",
    "sampark.notifications",
    "sampark.mail",
    "sampark.routing",
    "sampark.sla",
    "sampark.assignment",
    "sampark.workspace",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "sampark.serving.middleware.RequestSizeLimitMiddleware",
    "sampark.serving.middleware.ApiJsonErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After authentication: a signed-in agent's own language and time zone win over the
    # browser's for workspace pages.
    "sampark.workspace.middleware.AgentPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Django's model backend, whose user arrives with their agent profile and workspace settings in
# one query (sampark.team.backends).
AUTHENTICATION_BACKENDS = ["sampark.team.backends.AgentBackend"]

ROOT_URLCONF = "sampark.urls"
ASGI_APPLICATION = "sampark.serving.asgi.application"
WSGI_APPLICATION = "sampark.serving.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # "page.html#fragment" names one partial of a template (django-template-partials,
            # the API Django 6 adopted): an htmx request gets the fragment, a normal one the page.
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    [
                        (
                            "django.template.loaders.cached.Loader",
                            [
                                "django.template.loaders.filesystem.Loader",
                                "django.template.loaders.app_directories.Loader",
                            ],
                        )
                    ],
                )
            ],
            # {% partialdef %} everywhere without {% load %}, as it is built in from Django 6.
            "builtins": ["template_partials.templatetags.partials"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "sampark.workspace.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite is the embedded default: WAL so readers never block the writer, a busy timeout and
# IMMEDIATE transactions so that concurrent writers queue up instead of failing with
# "database is locked" halfway through a transaction.
SQLITE_ENGINE = "sampark.db.sqlite3"
_SQLITE_OPTIONS = {
    "timeout": 30,
    "transaction_mode": "IMMEDIATE",
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA foreign_keys=ON;"
        "PRAGMA cache_size=-16384;"
        "PRAGMA mmap_size=268435456;"
        "PRAGMA temp_store=MEMORY;"
    ),
}
_database_url = os.environ.get("SAMPARK_DATABASE_URL", "").strip()
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url)}
    _engine = DATABASES["default"]["ENGINE"]
    if _engine == "django.db.backends.postgresql":
        # psycopg's pool keeps connections warm across ASGI requests (Django >= 5.1).
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 2,
            "max_size": int(os.environ.get("SAMPARK_DB_POOL_SIZE", "20")),
            "timeout": 10,
        }
        # Parameters bound by the server, and a statement run five times on a connection is
        # prepared: PostgreSQL then stops parsing and planning it on every call, which was
        # half of its time on a queue page (planning the 50-ticket query alone took 0.7 ms).
        # SAMPARK_DB_PREPARED=0 turns this off, for a pooler in transaction mode in between.
        if _env_bool("SAMPARK_DB_PREPARED", True):
            DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
            DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5
    elif _engine in ("django.db.backends.sqlite3", SQLITE_ENGINE):
        DATABASES["default"]["ENGINE"] = SQLITE_ENGINE
        DATABASES["default"]["OPTIONS"] = {**_SQLITE_OPTIONS}
else:
    DATABASES = {
        "default": {
            "ENGINE": SQLITE_ENGINE,
            "NAME": SAMPARK_HOME / "sampark.sqlite3",
            # Tests use a real file (WAL, IMMEDIATE locking), not a shared-cache memory db.
            "TEST": {"NAME": str(SAMPARK_HOME / "test_sampark.sqlite3")},
            "OPTIONS": {**_SQLITE_OPTIONS},
        }
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Threads per server process that run Django's views (sampark/serving/asgi.py). SQLite is in the
# process: a view is all CPU under the GIL, and a second thread only makes the two wait for
# each other (and a create holding the write lock wait for the GIL). On PostgreSQL a create
# spends a third of its time waiting on the database's round trips, and a second thread runs
# another view meanwhile: at 1M tickets, creates went from 349-366/s to 374-382/s.
SAMPARK_THREADS = int(
    os.environ.get("SAMPARK_THREADS", "").strip()
    or (2 if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" else 1)
)
if DATABASES["default"]["ENGINE"] == SQLITE_ENGINE:
    # Keep each server thread's connection (sampark/serving/asgi.py): opening one per request re-ran
    # the PRAGMAs, re-read the schema and started from a cold page cache. PostgreSQL keeps
    # its connections in psycopg's pool instead.
    DATABASES["default"]["CONN_MAX_AGE"] = None
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's four checks, with messages in Sampark's own catalogue (sampark.team.passwords).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "sampark.team.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "sampark.team.passwords.MinimumLengthValidator"},
    {"NAME": "sampark.team.passwords.CommonPasswordValidator"},
    {"NAME": "sampark.team.passwords.NumericPasswordValidator"},
]

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("hi", _("Hindi"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates as the glossary writes them in Hindi ("7 दिसंबर 2026, 14:30"); other languages keep
# Django's formats.
FORMAT_MODULE_PATH = ["sampark.formats"]
USE_I18N = True
TIME_ZONE = os.environ.get("SAMPARK_TIME_ZONE", "Asia/Kolkata")
USE_TZ = True

# --- Static files and uploads ---------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = SAMPARK_HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = SAMPARK_HOME / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Request bodies over this size are refused with 413 before they are parsed: JSON and form
# fields, which are read into memory whole.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("SAMPARK_MAX_REQUEST_BYTES", 2 * 1024 * 1024))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
# Uploads (multipart/form-data: attachments from the workspace and the email channel) have
# their own limit, and are spooled to disk: the server keeps a body larger than a JSON body can
# be in a temporary file, and Django writes each file over FILE_UPLOAD_MAX_MEMORY_SIZE to one.
SAMPARK_UPLOAD_MAX_BYTES = int(os.environ.get("SAMPARK_UPLOAD_MAX_BYTES", 25 * 1024 * 1024))
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# The files of one reply or note together. Below the upload limit, so that a reply over it is
# refused on the page with the agent's text kept, not by the server's 413.
SAMPARK_REPLY_ATTACHMENTS_MAX_BYTES = int(
    os.environ.get("SAMPARK_REPLY_ATTACHMENTS_MAX_BYTES", 20 * 1024 * 1024)
)
FILE_UPLOAD_TEMP_DIR = SAMPARK_HOME / "tmp" / "uploads"
FILE_UPLOAD_TEMP_DIR.mkdir(parents=True, exist_ok=True)

# --- Security -------------------------------------------------------------------------------
# SAMPARK_HTTPS: the site is reached over HTTPS (directly or behind a proxy that terminates
# TLS), so cookies are only ever sent over HTTPS.
SAMPARK_HTTPS = _env_bool("SAMPARK_HTTPS", False)
# Django's database sessions, with the per-request read prepared (sampark.serving.sessions).
SESSION_ENGINE = "sampark.serving.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A workspace session lasts a working day and a half; agents often share desks in shifts.
SESSION_COOKIE_AGE = int(float(os.environ.get("SAMPARK_SESSION_HOURS", "12")) * 3600)
CSRF_COOKIE_HTTPONLY = False
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = _env_bool("SAMPARK_SECURE_COOKIES", SAMPARK_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600

# --- The agent workspace --------------------------------------------------------------------
LOGIN_URL = "workspace:sign_in"
LOGIN_REDIRECT_URL = "workspace:home"
LOGOUT_REDIRECT_URL = "workspace:sign_in"
# Failed sign-ins allowed per account (email address) and per client address before the
# sign-in form refuses to check passwords for the rest of the window ("10/h", or "off").
SAMPARK_SIGN_IN_FAILURES_PER_ACCOUNT = os.environ.get(
    "SAMPARK_SIGN_IN_FAILURES_PER_ACCOUNT", "10/h"
)
SAMPARK_SIGN_IN_FAILURES_PER_ADDRESS = os.environ.get(
    "SAMPARK_SIGN_IN_FAILURES_PER_ADDRESS", "30/h"
)
# Password reset emails one client address may ask for.
SAMPARK_PASSWORD_RESETS_PER_ADDRESS = os.environ.get("SAMPARK_PASSWORD_RESETS_PER_ADDRESS", "10/h")
PASSWORD_RESET_TIMEOUT = int(os.environ.get("SAMPARK_PASSWORD_RESET_HOURS", "24")) * 3600

# --- Outgoing email -------------------------------------------------------------------------
# With SAMPARK_EMAIL_HOST set, mail goes out over SMTP. Without it (the embedded install),
# each message is written as a file to SAMPARK_HOME/outbox, where an admin can read it.
# SAMPARK_EMAIL_BACKEND names any Django email backend instead.
EMAIL_HOST = os.environ.get("SAMPARK_EMAIL_HOST", "").strip()
EMAIL_PORT = int(os.environ.get("SAMPARK_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("SAMPARK_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("SAMPARK_EMAIL_PASSWORD", "")
EMAIL_USE_SSL = _env_bool("SAMPARK_EMAIL_USE_SSL", False)
EMAIL_USE_TLS = _env_bool("SAMPARK_EMAIL_USE_TLS", not EMAIL_USE_SSL)
EMAIL_TIMEOUT = 30
EMAIL_FILE_PATH = SAMPARK_HOME / "outbox"
EMAIL_BACKEND = os.environ.get("SAMPARK_EMAIL_BACKEND", "").strip() or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("SAMPARK_EMAIL_FROM", "Sampark <sampark@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- The email channel (sampark.mail) -------------------------------------------------------
# The largest message taken in whole; a larger one is stored raw and flagged for a person.
SAMPARK_MAIL_MAX_BYTES = int(os.environ.get("SAMPARK_MAIL_MAX_BYTES", 50 * 1024 * 1024))
# Auto-acknowledgements one sender may get (a loop breaker besides the header checks).
SAMPARK_MAIL_AUTO_REPLIES_PER_SENDER = os.environ.get("SAMPARK_MAIL_AUTO_REPLIES_PER_SENDER", "3/h")
# How often the worker polls IMAP mailboxes (IDLE wakes it sooner where the server has it).
SAMPARK_MAIL_POLL_SECONDS = float(os.environ.get("SAMPARK_MAIL_POLL_SECONDS", "60"))
# A private certificate authority for mail servers' TLS (a company's own server, tests).
SAMPARK_MAIL_CA_FILE = os.environ.get("SAMPARK_MAIL_CA_FILE", "").strip()
# Minutes between tries of a send that failed for a passing reason (the server down, a 4xx);
# after the last one it is given up as failed. The default tries for about a day.
SAMPARK_MAIL_RETRY_MINUTES = tuple(
    int(m) for m in os.environ.get("SAMPARK_MAIL_RETRY_MINUTES", "1,5,15,60,240,480,720").split(",")
)

# --- Help desk rules ------------------------------------------------------------------------
# A returning customer reaches the owner of a ticket solved within this many days (SPOC).
SAMPARK_SPOC_WINDOW_DAYS = int(os.environ.get("SAMPARK_SPOC_WINDOW_DAYS", "30"))
# Phone numbers without a country code are read in this region.
SAMPARK_DEFAULT_PHONE_REGION = os.environ.get("SAMPARK_DEFAULT_PHONE_REGION", "IN")
# Failed API authentications allowed per client address per minute before 429.
SAMPARK_AUTH_FAILURES_PER_MINUTE = int(os.environ.get("SAMPARK_AUTH_FAILURES_PER_MINUTE", "30"))
# Requests per agent token, e.g. "3000/m"; "off" lifts the limit (benchmarks do).
SAMPARK_API_RATE = os.environ.get("SAMPARK_API_RATE", "3000/m")
# State every server process must share (the rate limits above) goes to Redis when this is
# set (redis://host:6379/0; `pip install 'sampark[redis]'`), else to the database.
SAMPARK_REDIS_URL = os.environ.get("SAMPARK_REDIS_URL", "").strip()

# Background work: the Django Tasks API on the database queue, so the embedded install needs
# no broker. `sampark worker` (or the worker thread inside `sampark serve`) runs the tasks and
# the periodic SLA sweep.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("SAMPARK_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
SAMPARK_SWEEP_SECONDS = float(os.environ.get("SAMPARK_SWEEP_SECONDS", "30"))

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "sampark",
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SAMPARK_LOG_LEVEL", "WARNING")},
}
