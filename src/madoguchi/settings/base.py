"""All settings, read from the environment with safe defaults (documented in .env.example).

`dev.py`, `ci.py` and `test.py` only pre-set environment values before importing this module.
"""

from __future__ import annotations

from pathlib import Path

import environ

from madoguchi.cli import default_threads

SRC_DIR = Path(__file__).resolve().parents[2]
PROJECT_DIR = SRC_DIR.parent

env = environ.Env()
# A .env file beside the project (see .env.example) fills in what the environment leaves unset.
if (PROJECT_DIR / ".env").is_file():
    environ.Env.read_env(PROJECT_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY")  # required: no default outside dev/test
# Former keys still accepted for sessions while rotating (docs/operations.md, Secrets).
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A refused form gets the product's own page in the reader's language (tenancy/views.py).
CSRF_FAILURE_VIEW = "madoguchi.tenancy.views.csrf_failure"

# Where the instance keeps its data (SQLite database, attachments) — never under the web root.
DATA_DIR = Path(env.str("MADOGUCHI_DATA_DIR", default=str(PROJECT_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    "madoguchi.accounts.admin_apps.StaffAdminConfig",  # the admin behind the staff login (2FA)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_htmx",
    "ninja",  # serves the API docs' own static files (no CDN)
    "django_tasks",
    "django_tasks_db",
    "madoguchi.core",
    "madoguchi.tenancy",
    "madoguchi.accounts",
    "madoguchi.notifications",
    "madoguchi.jobs",
    "madoguchi.procedures",
    "madoguchi.applications",
    "madoguchi.intake",
    "madoguchi.reservations",
    "madoguchi.faq",
    "madoguchi.counter",
    "madoguchi.catalogue",
    "madoguchi.insights",
    "madoguchi.region",
]

MIDDLEWARE = [
    # First: everything after it (rate limits, lockouts) sees the client's address (core.proxy).
    "madoguchi.core.proxy.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "madoguchi.core.languages.StaffLanguageMiddleware",
    # After the language is chosen, so the refusal speaks it; before anything reads input.
    "madoguchi.core.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "madoguchi.accounts.middleware.StaffSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "madoguchi.tenancy.middleware.MunicipalityMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "madoguchi.urls"
WSGI_APPLICATION = "madoguchi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "madoguchi.tenancy.context_processors.municipality",
                "madoguchi.core.languages.language_menu",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
# SQLite (WAL) by default: zero set-up for a small town. PostgreSQL through DATABASE_URL.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'madoguchi.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue on `timeout`
            # instead of failing with "database is locked" on lock upgrade.
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;"
            ),
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, lockouts) ----------------------------------------------------------
# Shared by every process and server without a new service: a table in the database (created by
# core's migrations, so `madoguchi migrate` sets it up). Redis optional: CACHE_URL=redis://…
CACHE_TABLE = "madoguchi_cache"
CACHES = {"default": env.cache_url("CACHE_URL", default=f"dbcache://{CACHE_TABLE}")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
    # Culling counts the table on every write: keep it bounded, but large enough that live
    # rate-limit counters are not culled before they expire.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault(
        "MAX_ENTRIES", env.int("CACHE_MAX_ENTRIES", default=200000)
    )

# Rate limits (core/ratelimit.py RULES) changed per deployment, as JSON {"rule": [count, seconds]},
# e.g. where many residents share one address (a library's or a post office's terminals).
RATE_LIMITS = env.json("RATE_LIMITS", default={})

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.StaffUser"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "madoguchi.accounts.permissions.RolePermissionBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Staff sign-in locks after repeated failures (django-axes).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
# Per account and address together: locking by account alone would let anyone lock a named
# colleague out by guessing; by address alone, one person behind a city hall's NAT would lock
# out every counter PC. Wrong second-factor codes count too (accounts/second_factor.py).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "madoguchi.accounts.views.locked_out"
# Masked in axes' log lines and stored request data (the password always is).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token", "token"]
AXES_VERBOSE = False
# What was typed as the username, cut to the column (see core.params.login_username).
AXES_USERNAME_CALLABLE = "madoguchi.core.params.login_username"
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Madoguchi")
# The admin never shows an authenticator's secret (nor answers 500 for a missing device).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

# --- HTTPS behind a TLS proxy (production.py turns HSTS on; see docs/operations.md) ------------
# HSTS is sent on requests Django sees as HTTPS: gunicorn marks them so from X-Forwarded-Proto when
# the proxy is in FORWARDED_ALLOW_IPS (default: this host); a proxy elsewhere can instead be
# trusted here, e.g. SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https (opt-in: only when the
# proxy always sets or strips that header).
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# /healthz answers over plain HTTP too, for monitoring from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Addresses or networks of the reverse proxies whose X-Forwarded-For names the client.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
_proxy_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
SECURE_PROXY_SSL_HEADER = (
    (_proxy_ssl_header[0], _proxy_ssl_header[1]) if len(_proxy_ssl_header) == 2 else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- Internationalisation: Japanese first, English complete ---------------------------------
# Residents may also read the languages Japan's foreign residents read most; every
# resident-facing string is translated into them (core/resident_messages.py says which strings
# those are). Each name is written in its own language: it is what the switcher shows.
# Staff pages stay in Japanese and English (STAFF_LANGUAGES; core.languages.StaffLanguageMiddleware).
LANGUAGE_CODE = "ja"
LANGUAGES = [
    ("ja", "日本語"),
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("ko", "한국어"),
    ("vi", "Tiếng Việt"),
    ("pt-br", "Português (Brasil)"),
]
STAFF_LANGUAGES = ("ja", "en")
FORMAT_MODULE_PATH = ["madoguchi.formats"]
LOCALE_PATHS = [SRC_DIR / "madoguchi" / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

# --- Static files and uploads -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {
        # Attachments: a private store outside the web root; never served directly.
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "private"), "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# Processes checking manifests in `madoguchi intake import` (0: one per CPU; 1: none).
INTAKE_WORKERS = env.int("INTAKE_WORKERS", default=0)

# --- Mail -----------------------------------------------------------------------------------
# Outside DEBUG a console, locmem or dummy backend is a start-up error (core.checks): mail would
# be printed to the log or lost. The demo writes files to MADOGUCHI_DATA_DIR/mail.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = str(DATA_DIR / "mail")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="madoguchi@localhost")

# Public base URL used in links sent by e-mail (resume a draft, status page).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")

# --- Background tasks (Django's tasks framework) --------------------------------------------
# Immediate by default (one process, nothing to run beside it); "database" for a task worker.
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[env.str("TASKS_BACKEND", default="immediate")]
    }
}
# `madoguchi tasks prune` deletes finished task rows and finished notifications older than these.
TASKS_RESULT_RETENTION_DAYS = env.int("TASKS_RESULT_RETENTION_DAYS", default=7)
NOTIFICATIONS_RETENTION_DAYS = env.int("NOTIFICATIONS_RETENTION_DAYS", default=30)

# A running job whose worker has not reported for this long is shown as interrupted and can
# be resumed from the staff screen (it reports at least once per chunk of work).
JOBS_STALE_AFTER_SECONDS = env.int("JOBS_STALE_AFTER_SECONDS", default=600)
# `madoguchi jobs prune` deletes finished jobs (and the files they kept) older than this.
JOBS_RETENTION_DAYS = env.int("JOBS_RETENTION_DAYS", default=30)
EXPORT_STREAM_MAX_ROWS = env.int("EXPORT_STREAM_MAX_ROWS", default=2000)
# Stored FAQ indexes (built by a background job, loaded by every process).
FAQ_INDEX_DIR = DATA_DIR / "faq-index"

# --- Serving (madoguchi.gunicorn_config) ----------------------------------------------------
# Threads per web process, and how many of them may serve the calling display's event stream at
# once (the rest always serve pages; a stream beyond the cap gets 503 and the display polls).
WEB_THREADS = default_threads()
DISPLAY_STREAMS_PER_PROCESS = env.int(
    "DISPLAY_STREAMS_PER_PROCESS", default=max(0, min(2, WEB_THREADS // 4))
)

# --- Logging: no personal data in logs -------------------------------------------------------
# gunicorn's access log: madoguchi.core.access_log (no query strings, secrets in paths redacted).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_paths": {"()": "madoguchi.core.access_log.RedactRequestPath"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_paths"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Request logs carry URLs only; URLs never carry personal data.
        "django.request": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}
