"""Settings, read from the environment.

With nothing set the platform runs on embedded defaults: SQLite and a Celery
broker on the file system under var/, e-mail to the console. Real services are
named by URL: DATABASE_URL, CELERY_BROKER_URL, CELERY_RESULT_BACKEND, EMAIL_URL.
A value that cannot be understood stops the start with a message naming it.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _bool(name: str, default: bool) -> bool:
    raw = env.str(name, default=str(default)).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false.")


def _int(name: str, default: int) -> int:
    raw = env.str(name, default=str(default)).strip()
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def _url(name: str, default: str, parse):
    raw = env.str(name, default=default)
    try:
        return parse(raw)
    except Exception as exc:  # environ raises several types for bad URLs
        raise ImproperlyConfigured(f"{name} is not a usable URL ({raw!r}): {exc}") from exc


# Off unless asked for: a server started with nothing configured must not show
# tracebacks and the URL list. ./dev turns it on for the developer.
DEBUG = _bool("DEBUG", False)

# The development key is stable so that sessions survive restarts. With DEBUG
# off the start is refused without a key of one's own: the development key is
# in the repository, and anyone could sign sessions with it.
DEV_SECRET_KEY = "dev-insecure-3e1f0c5a-safety-city-platform-not-for-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default="").strip()
if not SECRET_KEY and DEBUG:
    SECRET_KEY = DEV_SECRET_KEY
if not DEBUG and SECRET_KEY in {"", DEV_SECRET_KEY}:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value of your own when DEBUG is off "
        "(on a developer's machine set DEBUG=true)."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The platform's own apps, lowest layer first: each imports only from itself and the apps before
# it (campaign/tests/test_layering.py holds every import to this order; campaign/lib, plumbing
# that knows no domain, sits below them all).
PLATFORM_APPS = [
    # Long work as watched jobs; knows no domain (below districts).
    "jobs",
    "districts",
    "risks",
    "hazards",
    "campaign",
    "reporting",
    # Templates, rounds and scores; a finding raises a hazard and a report is evidence, so it sits
    # above hazards and reporting; the bulletins (oversight) rank its scores.
    "assessments",
    # Reads the records and counts them: rollups and dashboards; nothing below imports it.
    "oversight",
    # Reminders, digests and the notification centre: reads the records; nothing below imports it.
    "notifications",
    # Listens to everything above and is imported by nothing: the security audit trail.
    "audit",
]

INSTALLED_APPS = [
    # django.contrib.admin, admitting the three admin roles only.
    "districts.apps.PlatformAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "mptt",
    "simple_history",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "districts.apps.LockoutConfig",  # django-axes
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    *PLATFORM_APPS,
]

MIDDLEWARE = [
    # Outermost: one line a request (LOG_FORMAT), timed around everything, redirects included.
    "campaign.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Above everything that can answer, so that every answer carries the policy.
    "csp.middleware.CSPMiddleware",
    "campaign.middleware.NoStoreMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages are compressed here: below WhiteNoise, which answers static files with its own
    # precompressed copies (and ranges) before this is reached; above everything that reads or
    # writes a page's body, for those must see it uncompressed. The middleware above only set
    # headers. Under 200 bytes, or when compressing would not shrink it, a page goes as it is.
    # BREACH (a secret guessed from the compressed length of pages that also echo the
    # attacker's input): the CSRF token in a form is masked afresh in every response, so no
    # two pages carry the same bytes for it and the cookie's secret never appears in a page;
    # and Django pads every compressed answer with 0-99 random bytes ("Heal the Breach"), so
    # lengths do not add up across requests. A page with another secret (the authenticator key
    # while it is set up) is not compressed at all (campaign.lib.http.uncompressed).
    "campaign.middleware.CompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "campaign.middleware.ChineseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "campaign.middleware.NullCharacterMiddleware",
    # Sign-in security (districts/middleware.py), in this order: a session past its
    # time ends first; then the second factor; then a password that must change.
    "districts.middleware.SessionLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "districts.middleware.SecondFactorMiddleware",
    "districts.middleware.PasswordChangeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "campaign.urls"
WSGI_APPLICATION = "campaign.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "campaign.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": _url("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}", env.db_url_config),
}
if DATABASES["default"]["ENGINE"] not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
    raise ImproperlyConfigured("DATABASE_URL must name PostgreSQL (postgres://…) or SQLite (sqlite:///…).")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a Celery worker started by a test sees the
    # test database too.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(VAR_DIR / "test-db.sqlite3")
    # The worker's heartbeat, housekeeping and the web process write to one file. WAL lets readers
    # go on while one writes; IMMEDIATE takes the write lock when a transaction begins, so that
    # two read-then-write transactions queue behind the busy timeout instead of one failing at
    # once with "database is locked" (a deferred transaction cannot wait for a lock it upgrades to).
    _sqlite_options = DATABASES["default"].setdefault("OPTIONS", {})
    _sqlite_options.setdefault("timeout", 20)
    _sqlite_options.setdefault("transaction_mode", "IMMEDIATE")
    _sqlite_options.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
else:
    DATABASES["default"]["CONN_MAX_AGE"] = _int("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "districts.User"

AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out user before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Length (from the security policy), three of four character classes, nothing repetitive or patterned.
    {"NAME": "districts.passwords.PolicyPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in security. The security administrator keeps the policy (districts.SecurityPolicy,
# in the back office); until it is first saved these defaults hold.
SECURITY_POLICY_DEFAULTS = {
    "password_min_length": _int("PASSWORD_MIN_LENGTH", 10),
    "password_expiry_days": _int("PASSWORD_EXPIRY_DAYS", 90),
    "lockout_failure_limit": _int("AXES_FAILURE_LIMIT", 5),
    "lockout_address_accounts": _int("AXES_ADDRESS_ACCOUNT_LIMIT", 10),
    "lockout_cooloff_minutes": _int("AXES_COOLOFF_MINUTES", 30),
    "idle_minutes_privileged": _int("SESSION_IDLE_MINUTES_PRIVILEGED", 30),
    # SESSION_COOKIE_AGE (seconds) is the older name of SESSION_IDLE_MINUTES.
    "idle_minutes": _int("SESSION_IDLE_MINUTES", _int("SESSION_COOKIE_AGE", 2 * 60 * 60) // 60),
    "session_hours": _int("SESSION_ABSOLUTE_HOURS", 12),
}

# Lockout (districts/lockout.py): an account after its failure limit from any address, and
# an address after failing on too many different accounts; both for the policy's cool-off.
AXES_HANDLER = "districts.lockout.PolicyLockoutHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = "districts.lockout.failure_limit"
AXES_COOLOFF_TIME = "districts.lockout.cool_off"
AXES_LOCKOUT_CALLABLE = "districts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Second factor: TOTP, recovery codes as static tokens. Wrong codes wait 1, 2, 4, 8 … seconds.
OTP_TOTP_ISSUER = "安全发展示范城市创建工作平台"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Sessions end after the policy's idle time and its longest session (districts/middleware.py);
# the session's own lifetime only outlasts both, so that the sign-in page can say why. The
# session is written when it changes (its last request's time does once a minute), not on
# every request.
SESSION_COOKIE_AGE = SECURITY_POLICY_DEFAULTS["session_hours"] * 60 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# HTTPS: on unless DEBUG is on. One switch for the redirect, HSTS and the
# secure cookies; each HSTS value can be set on its own.
HTTPS = _bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", HTTPS)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
# Browsers' preload list is for public internet domains; an intranet host has
# no use for it, so the deploy check's reminder about it is silenced unless asked.
SECURE_HSTS_PRELOAD = _bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]


def _proxy_ssl_header(raw: str):
    """Django's (META key, value) from "X-Forwarded-Proto" (value https) or "X-Forwarded-Ssl=on"."""
    if not raw.strip():
        return None
    name, _sep, value = raw.partition("=")
    name, value = name.strip(), value.strip() or "https"
    if not name.replace("-", "").isalnum() or not name.isascii():
        raise ImproperlyConfigured(f"SECURE_PROXY_SSL_HEADER={raw!r} is not a header name (e.g. X-Forwarded-Proto).")
    return ("HTTP_" + name.upper().replace("-", "_"), value)


# Behind a proxy that ends TLS: the header it sets on HTTPS requests (and must
# strip from the client's). Without it, the redirect would loop.
SECURE_PROXY_SSL_HEADER = _proxy_ssl_header(env.str("SECURE_PROXY_SSL_HEADER", default=""))
# The health check answers on plain HTTP too: a load balancer asks a node directly, behind TLS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy: scripts, styles, fonts and fetches only from the
# platform itself; nothing inline. data: images are Bootstrap's drawn icons
# (select arrows, check marks, the menu button).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Where `manage.py backup` writes its folders (backup-YYYYmmdd-HHMMSS/) unless told --output.
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(VAR_DIR / "backups")))


def _vendor_static_dirs():
    # Front-end assets come from PyPI at install time, never from a CDN.
    import xstatic.pkg.bootstrap

    return [("vendor/bootstrap", xstatic.pkg.bootstrap.BASE_DIR)]


STATICFILES_DIRS += _vendor_static_dirs()

EMAIL_CONFIG = _url("EMAIL_URL", "consolemail://", env.email_url_config)
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="safety-city@localhost")
# Reminders go by e-mail too only where an e-mail server is named: with none, in-app only.
REMINDER_EMAIL = bool(env.str("EMAIL_URL", default=""))
# The address the e-mails link to (the platform as its users reach it).
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")

# Celery. The default broker needs no server: kombu's file-system transport
# in var/celery. CELERY_BROKER_URL=redis://... switches to Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=f"file://{VAR_DIR / 'celery' / 'results'}")
if CELERY_BROKER_URL.split("://", 1)[0] not in {"filesystem", "redis", "rediss", "amqp", "memory", "sqla+sqlite"}:
    raise ImproperlyConfigured(f"CELERY_BROKER_URL={CELERY_BROKER_URL!r}: unsupported transport.")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL == "filesystem://":
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "processed", "results", "control"):
        _folder = VAR_DIR / "celery" / _folder
        _folder.mkdir(parents=True, exist_ok=True)
CELERY_TIMEZONE = TIME_ZONE
# A message is acknowledged when its task ends, not when it starts: a worker killed mid-task
# (out of memory, restarted machine) leaves it to be delivered again. A job claims its work with
# a conditional UPDATE (jobs.runner), so a second delivery never runs it twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# On SQLite one worker process: every write takes the one file's lock, so more processes only wait
# for each other (and for the web process). On PostgreSQL as many as CELERY_WORKER_CONCURRENCY says.
CELERY_WORKER_CONCURRENCY = (
    1 if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" else _int("CELERY_WORKER_CONCURRENCY", 2)
)
# Time limits, in seconds. At the soft limit the task is told (SoftTimeLimitExceeded): an import
# rolls back and its job says it took too long. At the hard limit the worker kills it.
CELERY_TASK_SOFT_TIME_LIMIT = _int("CELERY_TASK_SOFT_TIME_LIMIT", 10 * 60)
CELERY_TASK_TIME_LIMIT = _int("CELERY_TASK_TIME_LIMIT", CELERY_TASK_SOFT_TIME_LIMIT + 60)
# Redis gives an unacknowledged message to another worker this long after it was delivered
# (kombu's default is an hour, so a killed worker's job waited an hour). It must exceed the hard
# limit: a message handed out again while its task still ran would start the task twice.
_visibility_timeout = _int("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT + 4 * 60)
if not 0 < CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < _visibility_timeout:
    raise ImproperlyConfigured(
        f"CELERY_TASK_SOFT_TIME_LIMIT ({CELERY_TASK_SOFT_TIME_LIMIT}) < CELERY_TASK_TIME_LIMIT "
        f"({CELERY_TASK_TIME_LIMIT}) < CELERY_VISIBILITY_TIMEOUT ({_visibility_timeout}) must hold, in seconds."
    )
# A job no worker has started after this long is failed by housekeeping (jobs.runner), so
# that no one waits for a message the broker lost.
JOB_QUEUE_TIMEOUT = _int("JOB_QUEUE_TIMEOUT", 30 * 60)
# A request that queues a job must not hang when the broker is down or does not answer: connect
# and socket timeouts, and few quick retries; then the job fails and the page says why.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.25, "interval_max": 0.5}
# (Redis options; the file-system transport ignores them.)
CELERY_BROKER_TRANSPORT_OPTIONS |= {
    "visibility_timeout": _visibility_timeout,
    "socket_connect_timeout": 2,
    "socket_timeout": 3,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 3
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": CELERY_TASK_PUBLISH_RETRY_POLICY}
CELERY_TASK_ALWAYS_EAGER = _bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# The audit trail keeps every row at least this long (GB/T 22239-2019 asks for
# six months; audit.models.MINIMUM_RETENTION_DAYS, enforced on PostgreSQL by a trigger).
AUDIT_RETENTION_DAYS = _int("AUDIT_RETENTION_DAYS", 365)
if AUDIT_RETENTION_DAYS < 184:
    raise ImproperlyConfigured(
        f"AUDIT_RETENTION_DAYS={AUDIT_RETENTION_DAYS}: audit rows must be kept at least 184 days."
    )

# import-export: every import runs in a transaction, so one bad row keeps
# the whole file out.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# Request bodies (form fields, not files) up to 10 MB; files stream to disk above 2.5 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
IMPORT_MAX_UPLOAD_BYTES = _int("IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# Photos and attachments (campaign/lib/uploads.py): refused above these sizes.
UPLOAD_MAX_IMAGE_BYTES = _int("UPLOAD_MAX_IMAGE_BYTES", 10 * 1024 * 1024)
UPLOAD_MAX_ATTACHMENT_BYTES = _int("UPLOAD_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024)

# LOG_FORMAT=json (the default with DEBUG off): every log line one JSON object on stdout, and a
# line per request from campaign.requests (campaign.middleware.RequestLogMiddleware).
# LOG_FORMAT=plain (the default with DEBUG on): text on stderr, and no line per request, so that
# ./dev up stays quiet.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json").strip().lower()
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use json or plain.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "campaign.lib.logs.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"}
        if LOG_FORMAT == "plain"
        else {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "campaign.requests": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
        # Django's loggers write through the root's console only: its default configuration
        # gives "django" a console of its own too, and with DEBUG on every warning and every
        # traceback came out twice.
        "django": {"level": "INFO"},
        # runserver's access log (a line per request) shows server errors only: django.request
        # already reports every 4xx and 5xx, a 5xx with its traceback.
        "django.server": {"level": "ERROR", "propagate": True},
        # runserver's "Watching for file changes" and "… changed, reloading".
        "django.utils.autoreload": {"level": "WARNING"},
        # Axes logs every successful sign-in at INFO; its access log already keeps them.
        "axes": {"level": "WARNING"},
    },
}
if CELERY_BROKER_URL == "filesystem://":
    # The embedded broker has no host, and kombu warns so ("No hostname was supplied") at every
    # connection, in the web process and the worker; its only other warning is about rediss://.
    LOGGING["loggers"]["kombu.connection"] = {"level": "ERROR"}

VAR_DIR.mkdir(parents=True, exist_ok=True)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

PLATFORM_NAME = _("Safe Development Demonstration City campaign platform")
