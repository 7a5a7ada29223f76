"""Vigil settings: every value comes from the environment.

VIGIL_ENV chooses the mode:
- "development" (the default): SQLite, Celery on its filesystem transport, console email,
  files on local disk. What `make run` uses on a fresh machine.
- "production": refuses to start without a real SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL.
DATABASE_URL and REDIS_URL switch either mode to PostgreSQL and Redis.
"""

import datetime
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from safeguard.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VIGIL_VAR_DIR", str(BASE_DIR / "var")))

VIGIL_ENV = env_str("VIGIL_ENV", "development")
if VIGIL_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("VIGIL_ENV must be 'development' or 'production'")
PRODUCTION = VIGIL_ENV == "production"

DEVELOPMENT_SECRET_KEY = "development-only-not-secret-vigil-key-0123456789abcdefghijklmnop"
SECRET_KEY = env_secret("SECRET_KEY", "" if PRODUCTION else DEVELOPMENT_SECRET_KEY)
DEBUG = env_bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
DATABASE_URL = env_secret("DATABASE_URL")

if PRODUCTION:
    if not SECRET_KEY or SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("Production needs SECRET_KEY: a random value of 50 characters or more.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Production needs ALLOWED_HOSTS.")
    if not DATABASE_URL:
        raise ImproperlyConfigured("Production needs DATABASE_URL.")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production.")

# Demo accounts and data may be loaded only outside production.
VIGIL_DEMO = env_bool("VIGIL_DEMO", default=not PRODUCTION) and not PRODUCTION

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guardian",
    "auditlog",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "accounts",
    "audit",
    "concerns",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # request.htmx: the triage forms answer htmx with the part of the page to swap.
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.MembershipsPerRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.PermissionsPolicyMiddleware",
    "audit.context.CorrelationIdMiddleware",
    "audit.context.LedgerContextMiddleware",
    "accounts.middleware.AuditActorRolesMiddleware",
    # After the audit context, so a timed-out sign-out is on the ledger with its request id.
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.MFARequiredMiddleware",
    "accounts.middleware.NoStoreForSignedInMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "safeguard.urls"
WSGI_APPLICATION = "safeguard.wsgi.application"

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
                "accounts.context_processors.navigation",
                "concerns.views.alerts.alerts_in_header",
                "concerns.context_processors.console_background_warnings",
            ],
        },
    },
]

if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "vigil.sqlite3",
            # WAL lets the web server and the Celery worker read while the other writes.
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"},
        }
    }
# Each request is one transaction: a page's audit entry commits with it, or neither does.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out email and address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "concerns:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Second factor (django-otp): TOTP authenticator apps and single-use recovery codes.
OTP_TOTP_ISSUER = "Vigil"
# A fresh code within this many seconds before sharing, exporting, transferring or changing roles.
VIGIL_MFA_FRESH_SECONDS = env_int("VIGIL_MFA_FRESH_SECONDS", 10 * 60)

# Lockout (django-axes): five failures in a row for one email from one address cools that pair off.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.services.auth.axes_username"
AXES_CLIENT_IP_CALLABLE = "accounts.services.auth.axes_client_ip"
AXES_RESET_ON_SUCCESS = True
# The cool-off runs from the fifth failure; tries during it are refused but do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# Sign-ins are on Vigil's own ledger already: no second, unsealed record of who signed in from where.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
if not PRODUCTION:
    # Served straight from static/ by WhiteNoise's finders; no collectstatic step in development.
    WHITENOISE_USE_FINDERS = True
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Attachments are never at a public URL: they are served only through the download view,
# which asks the access policy first. Local disk by default, S3-compatible in production.
ATTACHMENTS_BUCKET = env_str("ATTACHMENTS_S3_BUCKET")
if ATTACHMENTS_BUCKET:
    attachments_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": ATTACHMENTS_BUCKET,
            "endpoint_url": env_str("ATTACHMENTS_S3_ENDPOINT_URL") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    attachments_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "attachments"), "base_url": None},
    }
STORAGES = {
    "default": attachments_storage,
    "attachments": attachments_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENT_MAX_FILES = 10
# A whole concern's upload: ten files at the cap, plus the form itself.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Sessions and cookies. The idle and absolute limits are enforced by
# accounts.middleware.SessionTimeoutMiddleware, which reads these at each request.
VIGIL_SESSION_IDLE_SECONDS = env_int("VIGIL_SESSION_IDLE_SECONDS", 30 * 60)
# DSLs, deputies, administrators and auditors reach the most: a shorter idle limit.
VIGIL_SESSION_IDLE_SECONDS_PRIVILEGED = env_int("VIGIL_SESSION_IDLE_SECONDS_PRIVILEGED", 15 * 60)
VIGIL_SESSION_ABSOLUTE_SECONDS = env_int("VIGIL_SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
VIGIL_SESSION_WARNING_SECONDS = env_int("VIGIL_SESSION_WARNING_SECONDS", 2 * 60)
# A backstop a little past the longest idle limit, so the middleware still finds an idle session
# and can tell the person why they were signed out.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", VIGIL_SESSION_IDLE_SECONDS + 10 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
# A load balancer or monitor asks /healthz over plain HTTP from inside; it names no one.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY") else None
# How many reverse proxies in front of Vigil append to X-Forwarded-For. 0: none, so the client's
# address is REMOTE_ADDR and the header is ignored (a client could write anything in it).
VIGIL_TRUSTED_PROXY_COUNT = env_int("VIGIL_TRUSTED_PROXY_COUNT", 0)
if VIGIL_TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("VIGIL_TRUSTED_PROXY_COUNT must be 0 (no proxy) or the number of proxies.")
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# accounts.middleware.PermissionsPolicyMiddleware sends this: no page needs these devices.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=()"
# No inline script or style anywhere: scripts are files (with the request's nonce), data goes
# in data-* attributes. data: images are Bootstrap's own SVG icons in its stylesheet.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Email: the console by default. Alerts carry no child names or concern text.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
# Seconds before a mail server that does not answer counts as a failed attempt (retried later).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Vigil <vigil@localhost>")
VIGIL_BASE_URL = env_str("VIGIL_BASE_URL", "http://127.0.0.1:8000")

# Celery: Redis when REDIS_URL is set, otherwise the filesystem transport under var/.
# The database is the source of truth; Celery only carries messages.
REDIS_URL = env_secret("REDIS_URL")
CELERY_BROKER_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "out"),
        "data_folder_out": str(CELERY_BROKER_DIR / "out"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
    # The web process publishes and the worker reads here; both need the folders to exist.
    for folder in ("out", "processed", "control"):
        (CELERY_BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# How often beat sends the sweeps that deliver alerts and escalate overdue concerns: every minute,
# as DESIGN.md section 3 asks; the reliability tests run real beats every few seconds.
VIGIL_SWEEP_SECONDS = float(env_int("VIGIL_SWEEP_SECONDS", 60))
CELERY_BEAT_SCHEDULE = {
    "alerts-deliver-pending": {"task": "concerns.tasks.alerts_deliver_pending", "schedule": VIGIL_SWEEP_SECONDS},
    # Overdue concerns escalate within a minute of falling due. A message no worker took within the
    # minute expires: the next one does the same work, so a stopped worker returns to one sweep, not a pile.
    "escalations-sweep": {
        "task": "concerns.tasks.escalations_sweep",
        "schedule": VIGIL_SWEEP_SECONDS,
        "options": {"expires": VIGIL_SWEEP_SECONDS * 0.9},
    },
    "password-resets-deliver-pending": {"task": "accounts.tasks.password_resets_deliver_pending", "schedule": 60.0},
    "shares-expire": {"task": "concerns.tasks.shares_expire", "schedule": 300.0},
    "imports-resume": {"task": "concerns.tasks.imports_resume", "schedule": 300.0},
    # Links new ledger entries into the hash chain; a few seconds is how long an entry waits unsealed.
    "audit-seal": {"task": "audit.tasks.audit_seal", "schedule": 5.0},
}

# django-auditlog writes into Vigil's own ledger table.
AUDITLOG_LOGENTRY_MODEL = "audit.AuditEntry"
AUDITLOG_INCLUDE_ALL_MODELS = False
# The address comes from audit.context.LedgerContextMiddleware, which believes no client header.
AUDITLOG_DISABLE_REMOTE_ADDR = False
AUDITLOG_CID_GETTER = "audit.context.current_cid"
# auditlog's own migrations would create its unused default table beside ours (they do not mark
# it swappable); without migrations, the swapped model gets no table.
MIGRATION_MODULES = {"auditlog": None}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"denial_on_one_line": {"()": "safeguard.log_filters.DenialOnOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-axes logs every sign-in at INFO; the ledger already holds what matters.
        "axes": {"level": "WARNING"},
        # A denied request is one line (its ledger entry has the rest), not a traceback.
        "django.request": {"filters": ["denial_on_one_line"]},
    },
}
