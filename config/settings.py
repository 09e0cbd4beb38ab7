"""Settings for the expert advisory committee workbench.

One file. With no environment at all it runs on the embedded default: SQLite, the in-memory
channel layer, immediate tasks, console mail, media under ``var/``. Environment variables
switch on the production parts; ``docs/deployment.md`` lists every one.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DJANGO_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # a fresh clone has none: SQLite needs its folder


def env_bool(name, default=False):
    value = os.environ.get(name) or ""
    return value.strip().lower() in {"1", "true", "yes", "on"} if value else default


def env_list(name):
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def require_env(name):
    value = os.environ.get(name, "").strip()
    if not value:
        raise SystemExit(f"Configuration error: {name} must be set when DJANGO_DEBUG is off (see docs/deployment.md).")
    return value


DEBUG = env_bool("DJANGO_DEBUG", default=True)
TESTING = "pytest" in sys.modules or os.environ.get("DJANGO_TESTING") == "1"
_TEST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # each test worker: its own Redis keys

if DEBUG:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "embedded-default-not-for-production"
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or ["127.0.0.1", "localhost", "[::1]"]
else:
    SECRET_KEY = require_env("DJANGO_SECRET_KEY")
    require_env("DJANGO_ALLOWED_HOSTS")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "core",
    "experts",
    "reviews",
    "consultations",
    "cms",
    "config",  # wiring only; an app for its management command (load_demo)
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "channels",
    "guardian",
    "django_otp",  # the second factor of the back office (experts/second_factor.py)
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.PrivateCacheMiddleware",  # no-store on whatever is personal (above session, CSRF)
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "config.middleware.AdminCspMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.SessionRefreshMiddleware",  # the idle timeout without a write on every read
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "config.middleware.SecondFactorMiddleware",  # accounts that need a second factor give a TOTP code first
    "experts.signin.PasswordExpiryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.errors.DatabaseUnavailableMiddleware",  # 503 while the database is unreachable
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

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
                "config.context_processors.portal",
            ],
        },
    },
]

# Databases: SQLite under var/ unless DATABASE_URL names another (PostgreSQL in production).
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
            # A file (the browser tests' forked live server is handed its name), one per test run.
            "TEST": {"NAME": VAR_DIR / f"test-{os.getpid()}.sqlite3"},
        }
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Live groups: a member per server process (core/fanout.py), or per socket (LIVE_FANOUT=socket).
LIVE_FANOUT = os.environ.get("LIVE_FANOUT", "process").strip() or "process"
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    # Redis pub/sub (the default): one PUBLISH per group message (docs/benchmarks.md, "Live
    # fan-out"). CHANNEL_LAYER=core: the list layer (redis-py 8's 5 s socket timeout meets its
    # 5 s blocking wait and drops idle sockets, hence the longer timeout and the large pool).
    _core = os.environ.get("CHANNEL_LAYER", "pubsub").strip() == "core"
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": f"channels_redis.{'core.RedisChannelLayer' if _core else 'pubsub.RedisPubSubChannelLayer'}",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_timeout": 30, "max_connections": 1000}],
                "prefix": os.environ.get("CHANNELS_PREFIX", "ac") + _TEST_WORKER,
                **({"capacity": 500, "expiry": 30} if _core else {}),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_PREFIX", "ac") + _TEST_WORKER,
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Tasks: run at once on the embedded default; a database queue and `manage.py db_worker` in
# production (TASKS_BACKEND=database).
_TASKS_DB = os.environ.get("TASKS_BACKEND", "").strip() == "database"
_TASKS = "django_tasks_db.DatabaseBackend" if _TASKS_DB else "django.tasks.backends.immediate.ImmediateBackend"
TASKS = {"default": {"BACKEND": _TASKS}}

AUTHENTICATION_BACKENDS = [
    # Django's ModelBackend behind the sign-in lockout (experts/signin.py).
    "experts.signin.LockoutModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "experts.signin.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
]
# Sign-in (experts/signin.py, docs/security.md): the lockout, the optional change interval, the
# audit trail's retention (180 days at least; prune_audit refuses less).
SIGNIN_FAILURE_LIMIT = 5
SIGNIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("SIGNIN_ADDRESS_FAILURE_LIMIT", 20))
SIGNIN_LOCKOUT_MINUTES = int(os.environ.get("SIGNIN_LOCKOUT_MINUTES", 15))
PASSWORD_MAX_AGE_DAYS = int(os.environ.get("PASSWORD_MAX_AGE_DAYS", 0))
AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", 365))
# The second factor (TOTP, experts/second_factor.py): required of these roles and of every
# superuser and staff account. Wrong codes go through the lockout above, not django-otp's own
# throttle (factor 0), so there is one rule for both factors.
SECOND_FACTOR_ROLES = ("secretariat", "auditor", "commission", "department")
OTP_TOTP_ISSUER = "Shenyang SEI Expert Advisory Committee"
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
if TESTING:
    # Tests sign in hundreds of times; a slow hash there measures nothing.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal-home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", 30 * 60))
SESSION_REFRESH_SECONDS = 60  # the idle expiry moves on once a minute, not on each read (core/middleware.py)
API_TOKEN_LIFETIME_HOURS = int(os.environ.get("API_TOKEN_LIFETIME_HOURS", 12))

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None

# Language and time: Chinese first, English complete; Asia/Shanghai.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns at start-up when it is missing
# Until collectstatic has run (development, tests), WhiteNoise finds files where they are.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Uploaded originals (photos, plan documents) live outside MEDIA_ROOT and are never served as-is.
PRIVATE_MEDIA_ROOT = VAR_DIR / "private"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Never served by URL: plan documents and uploaded originals, streamed only after a check.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 20
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Mail and SMS: the console on the embedded default; SMTP in production or when EMAIL_HOST is set
# (a local MTA on localhost:25 unless EMAIL_HOST says otherwise).
if os.environ.get("EMAIL_HOST", "").strip() or not DEBUG:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "").strip() or "localhost",
                "port": int(os.environ.get("EMAIL_PORT", 25)),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS"),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "committee@localhost")
SMS_SENDER = os.environ.get("SMS_SENDER", "").strip() or "console"  # or aliyun, tencent (core/sms.py)
_SMS_KINDS = "invitation reminder signin_code meeting answer consultation appointment".split()
SMS_TEMPLATES = {k: os.environ.get(f"SMS_TEMPLATE_{k.upper()}", "").strip() for k in _SMS_KINDS}  # per kind

# Security headers. Django 6's CSP with nonces; the Wagtail admin gets a looser policy there.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Wagtail: the committee site and the secretariat's back office. No calls to other hosts.
WAGTAIL_SITE_NAME = "沈阳市战略性新兴产业专家顾问委员会"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "txt"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
# cms: no oEmbed lookups on other hosts (the site's blocks offer no embeds).
WAGTAILEMBEDS_FINDERS = []
# The public member directory: members per page (a committee of 40 fits on one).
DIRECTORY_PAGE_SIZE = 100

# API.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "experts.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.rest.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "core.rest.exception_handler",
    # JSON bodies only; the views that take an upload add multipart (docs/api.md, section 1).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_METADATA_CLASS": "core.rest.Metadata",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_THROTTLE_RATES": {"token": "20/min"},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Expert advisory committee workbench API",
    "DESCRIPTION": "The public contract of API.md: the roster, reviews, opinions, consolidations and responses.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Only our contract: Wagtail's own admin API is not part of it.
    "PREPROCESSING_HOOKS": ["core.rest.only_public_api"],
    # Several resources have a field named "state"; give each its own enum name.
    "ENUM_NAME_OVERRIDES": {
        "PlanStateEnum": "reviews.models.Plan.State",
        "ReviewStateEnum": "reviews.models.Review.State",
        "AssignmentStateEnum": "reviews.models.Assignment.State",
        "ExpertStatusEnum": "experts.models.Expert.Status",
        "ProposalStateEnum": "consultations.proposals.models.Proposal.State",
        "ConsultationStateEnum": "consultations.inquiries.models.Consultation.State",
    },
    # Every operation documents the error answers of docs/api.md (checked by Schemathesis in tests/security).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.rest.document_error_responses",
        "core.rest.empty_query_values",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    # Django logs every task's start and end at INFO, and a successful one with whatever exception
    # its caller was handling (get_or_create's DoesNotExist) as if it had failed. Failures: ERROR.
    "loggers": {"django.tasks": {"level": "WARNING"}},
}

ROLE_GROUPS = {
    "secretariat": _("Secretariat"),
    "expert": _("Expert"),
    "commission": _("Commission"),
    "department": _("Department"),
    "auditor": _("Auditor"),
}
