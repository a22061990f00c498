"""Aizuchi settings: every value comes from the environment (documented in .env.example).

The embedded default (SQLite, a filesystem Celery broker, media under ./var) needs no
server; production sets DATABASE_URL, CELERY_BROKER_URL and DJANGO_SECRET_KEY.
"""

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from aizuchi.env import env_bool, env_choice, env_float, env_int, env_list, env_str, load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent
if not env_bool("AIZUCHI_TESTING", False):
    load_dotenv(Path(env_str("AIZUCHI_ENV_FILE", str(BASE_DIR / ".env"))))
VAR_DIR = Path(env_str("AIZUCHI_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)


def _development_secret_key() -> str:
    """A random key kept under var/ so sessions survive restarts of a development server."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or env_bool("AIZUCHI_TESTING", False)):
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = _development_secret_key()

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "axes",
    "template_partials",
    "accounts",
    "meetings",
    "coaching",
    "reviews",
    "deals",
    "experiments",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc files served from here: docs work offline
    "api",
    "privacy",  # after accounts and meetings: its admin wraps theirs to audit deletions
    "demo",
    "integrations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.PrivatePagesMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "aizuchi.urls"
WSGI_APPLICATION = "aizuchi.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'aizuchi.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write to the same file: wait for locks instead of failing,
    # and use WAL so readers never block the writer.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so that a real worker process in the tests sees the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Login throttling (django-axes): this many wrong passwords for one account lock its sign-in
# for AIZUCHI_LOGIN_LOCKOUT_MINUTES, whatever address they come from (the right password is
# refused too until then). `manage.py axes_reset_username NAME` unlocks an account early.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AIZUCHI_LOGIN_FAILURE_LIMIT", 20, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AIZUCHI_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.login_locked_out"
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "meetings:list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env_str("DJANGO_LANGUAGE_CODE", "ja")
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Asia/Tokyo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("AIZUCHI_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Without collectstatic (development, tests) WhiteNoise finds files in the source tree.
WHITENOISE_USE_FINDERS = DEBUG or env_bool("AIZUCHI_TESTING", False)

# Recordings are private: no MEDIA_URL is served; audio goes out only through a view that
# checks access (and hands the bytes to the web server when AIZUCHI_MEDIA_ACCEL_PREFIX is set).
MEDIA_ROOT = Path(env_str("AIZUCHI_MEDIA_ROOT", str(VAR_DIR / "media")))
AIZUCHI_MEDIA_ACCEL_PREFIX = env_str("AIZUCHI_MEDIA_ACCEL_PREFIX")

# Where recordings, their derived audio and voice clips are stored (meetings/filestore.py):
# "local" keeps them under MEDIA_ROOT (the embedded default); "s3" puts them in an S3-compatible
# bucket through django-storages, so web and workers on different machines share nothing but
# the database, the broker and the bucket. Credentials left empty fall back to boto3's own chain
# (AWS_* variables, an instance or pod role).


def s3_storage_from_env() -> dict:
    """django-storages' S3 backend as the AIZUCHI_S3_* variables describe it (tests/s3.py
    builds the same for its loopback server)."""
    if not env_str("AIZUCHI_S3_BUCKET"):
        raise ImproperlyConfigured("AIZUCHI_S3_BUCKET must be set when AIZUCHI_STORAGE=s3.")
    from boto3.s3.transfer import TransferConfig

    endpoint = env_str("AIZUCHI_S3_ENDPOINT_URL")
    # MinIO and most self-hosted servers want path-style addresses (host/bucket/key).
    addressing = env_str("AIZUCHI_S3_ADDRESSING_STYLE").strip() or ("path" if endpoint else "auto")
    if addressing not in ("auto", "path", "virtual"):
        raise ImproperlyConfigured(
            f"AIZUCHI_S3_ADDRESSING_STYLE must be auto, path or virtual, got {addressing!r}"
        )
    transfer = TransferConfig(multipart_chunksize=8 * 1024 * 1024, max_concurrency=4)
    # An upload read from a file sits in memory part by part until sent: s3transfer keeps up to
    # 10 parts (80 MB); 3 keep the web process near 24 MB whatever the recording's size.
    transfer.max_in_memory_upload_chunks = 3
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("AIZUCHI_S3_BUCKET"),
            "endpoint_url": endpoint or None,
            "region_name": env_str("AIZUCHI_S3_REGION") or None,
            "access_key": env_str("AIZUCHI_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AIZUCHI_S3_SECRET_ACCESS_KEY") or None,
            "location": env_str("AIZUCHI_S3_PREFIX").strip("/"),
            "addressing_style": addressing,
            "signature_version": "s3v4",
            "default_acl": None,  # objects stay private: the bucket's policy decides, never public-read
            "file_overwrite": True,  # names are opaque and per meeting; derived files are replaced
            # An object opened whole (rare: downloads go through filestore) spools to disk past 16 MB.
            "max_memory_size": 16 * 1024 * 1024,
            "transfer_config": transfer,
        },
    }


AIZUCHI_STORAGE = env_choice("AIZUCHI_STORAGE", "local", ("local", "s3"))
STORAGES: dict[str, dict] = {
    "default": (
        s3_storage_from_env()
        if AIZUCHI_STORAGE == "s3"
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploads stream to disk chunk by chunk, never into memory, whatever their size.
FILE_UPLOAD_HANDLERS = ["meetings.uploads.LimitedTemporaryFileUploadHandler"]
FILE_UPLOAD_TEMP_DIR = str(VAR_DIR / "uploads")
FILE_UPLOAD_PERMISSIONS = 0o640
AIZUCHI_MAX_UPLOAD_BYTES = env_int("AIZUCHI_MAX_UPLOAD_BYTES", 2 * 1024**3, minimum=1)
AIZUCHI_MAX_DURATION_SECONDS = env_int("AIZUCHI_MAX_DURATION_SECONDS", 4 * 3600, minimum=1)
AIZUCHI_MAX_FILES_PER_UPLOAD = env_int("AIZUCHI_MAX_FILES_PER_UPLOAD", 10, minimum=1)
# Django's own guard sits above the product's limit, so the form (not a bare 400) says what is wrong.
DATA_UPLOAD_MAX_NUMBER_FILES = max(100, 4 * AIZUCHI_MAX_FILES_PER_UPLOAD)

# Transcription (see meetings/transcription/).
AIZUCHI_WHISPER_ENGINE = env_choice(
    "AIZUCHI_WHISPER_ENGINE", "faster-whisper", ("faster-whisper", "openai-whisper")
)
AIZUCHI_WHISPER_MODEL = env_str("AIZUCHI_WHISPER_MODEL", "base")
AIZUCHI_WHISPER_MODEL_DIR = env_str("AIZUCHI_WHISPER_MODEL_DIR", str(VAR_DIR / "models"))
AIZUCHI_WHISPER_OFFLINE = env_bool("AIZUCHI_WHISPER_OFFLINE", True)
AIZUCHI_WHISPER_DEVICE = env_choice("AIZUCHI_WHISPER_DEVICE", "cpu", ("cpu", "cuda", "auto"))
AIZUCHI_WHISPER_COMPUTE_TYPE = env_str("AIZUCHI_WHISPER_COMPUTE_TYPE", "int8")
AIZUCHI_WHISPER_CPU_THREADS = env_int("AIZUCHI_WHISPER_CPU_THREADS", 0, minimum=0)
AIZUCHI_WHISPER_BEAM_SIZE = env_int("AIZUCHI_WHISPER_BEAM_SIZE", 1, minimum=1)
AIZUCHI_CHUNK_SECONDS = env_int("AIZUCHI_CHUNK_SECONDS", 600, minimum=30)
AIZUCHI_VAD = env_bool("AIZUCHI_VAD", True)
# Backchannels the window decode skipped are decoded again alone (meetings/transcription/islands.py).
AIZUCHI_ASR_ISLANDS = env_bool("AIZUCHI_ASR_ISLANDS", True)

# Speaker attribution: meetings whose rep/customer attribution is less sure than this (0..1) are
# marked "check speakers" and their KPIs shown as provisional.
AIZUCHI_SPEAKER_CONFIDENCE_THRESHOLD = env_float("AIZUCHI_SPEAKER_CONFIDENCE_THRESHOLD", 0.6, minimum=0.0)

# Behaviour detection (see coaching/).
AIZUCHI_LISTENING_WINDOW_FRACTION = env_float("AIZUCHI_LISTENING_WINDOW_FRACTION", 0.4, minimum=0.05)
AIZUCHI_LISTENING_WINDOW_MIN_MINUTES = env_float("AIZUCHI_LISTENING_WINDOW_MIN_MINUTES", 0, minimum=0)
AIZUCHI_LISTENING_WINDOW_MAX_MINUTES = env_float("AIZUCHI_LISTENING_WINDOW_MAX_MINUTES", 0, minimum=0)
# The learned detector beside the rules: "base" (the model that ships), "off" (rules alone), or
# the path of a model file (.npz written by `manage.py train_detector`).
AIZUCHI_DETECTOR = env_str("AIZUCHI_DETECTOR", "base")
# Japanese rules also match stretches whose reading is close to a phrase they spell out
# (Whisper's 「オシャル通り」 for 「おっしゃる通り」; coaching/engine/respell.py). 0: exact text only.
AIZUCHI_TOLERANT_READINGS = env_bool("AIZUCHI_TOLERANT_READINGS", True)

# Celery. Embedded default: a filesystem broker under var/ (no server, but a real worker
# process). At scale: CELERY_BROKER_URL=redis://… and workers per queue.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
_BROKER_DIR = Path(env_str("AIZUCHI_BROKER_DIR", str(VAR_DIR / "broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("queue", "processed", "control"):
        (_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 6 * 3600}
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "analysis"
# Transcription (decoding and Whisper) can run on GPU machines; analysis is light CPU work.
CELERY_TASK_ROUTES = {
    "meetings.tasks.meeting_prepare_audio": {"queue": "transcription"},
    "meetings.tasks.meeting_transcribe_chunk": {"queue": "transcription"},
    "meetings.tasks.meeting_finish": {"queue": "transcription"},  # needs the audio for speakers
    "meetings.tasks.meeting_reanalyse": {"queue": "analysis"},
    "coaching.tasks.rescore_job_run": {"queue": "analysis"},
    "coaching.tasks.rescore_batch": {"queue": "analysis"},
    "coaching.tasks.preview_part_run": {"queue": "analysis"},
    # Webhook deliveries and CRM pushes wait on other people's servers: a queue of their own.
    "integrations.tasks.webhook_deliver": {"queue": "integrations"},
    "integrations.tasks.crm_push_meeting": {"queue": "integrations"},
}
# Rule previews stop after this many seconds and show what they found so far.
AIZUCHI_PREVIEW_SECONDS = env_float("AIZUCHI_PREVIEW_SECONDS", 20.0, minimum=0.1)
CELERY_TASK_ALWAYS_EAGER = False

# Demo (`make run`, `manage.py seed_demo`): besides the demo logins, a quarter of generated
# meetings and deals for the demo team, analysed by the product's own rules. 0 seeds none.
AIZUCHI_DEMO_HISTORY = env_bool("AIZUCHI_DEMO_HISTORY", True)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Retention, erasure and consent (privacy/): each team's periods live in its privacy policy
# (admin); this task applies them. Beat runs inside `make run`'s worker (-B); elsewhere run one
# `celery -A aizuchi beat` (or one worker with -B). 0 hours leaves the task out of the schedule.
AIZUCHI_RETENTION_EVERY_HOURS = env_float("AIZUCHI_RETENTION_EVERY_HOURS", 24.0, minimum=0.0)
CELERY_BEAT_SCHEDULE = (
    {
        "privacy-apply-retention": {
            "task": "privacy.tasks.retention_apply_periodic",
            "schedule": timedelta(hours=AIZUCHI_RETENTION_EVERY_HOURS),
            "options": {"queue": "analysis"},
        }
    }
    if AIZUCHI_RETENTION_EVERY_HOURS > 0
    else {}
)

# Workers that die (README "Workers that die"). A running step writes a heartbeat on its row; one
# silent for AIZUCHI_STUCK_AFTER_SECONDS (its worker was killed, its machine lost) is queued again,
# and a step started AIZUCHI_WORKER_MAX_ATTEMPTS times fails its meeting (or rescoring job) with
# a message instead. Beat (as above) looks for such steps; every worker also looks once when it
# starts.
AIZUCHI_STUCK_AFTER_SECONDS = env_float("AIZUCHI_STUCK_AFTER_SECONDS", 180.0, minimum=2.0)
AIZUCHI_WORKER_MAX_ATTEMPTS = env_int("AIZUCHI_WORKER_MAX_ATTEMPTS", 3, minimum=1)
AIZUCHI_HEARTBEAT_SECONDS = max(0.5, AIZUCHI_STUCK_AFTER_SECONDS / 6)
_REAP_EVERY = max(1.0, AIZUCHI_STUCK_AFTER_SECONDS / 3)
CELERY_BEAT_SCHEDULE |= {
    # A reaper not run in time is dropped: beat sends the next one.
    "meetings-reap-stuck": {
        "task": "meetings.tasks.meetings_reap_stuck",
        "schedule": _REAP_EVERY,
        "options": {"expires": _REAP_EVERY},
    },
    "rescore-reap-stuck": {
        "task": "coaching.tasks.rescore_jobs_reap_stuck",
        "schedule": _REAP_EVERY,
        "options": {"expires": _REAP_EVERY},
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# REST API (api/): personal access keys, or the browser session for the browsable API and docs.
_RATE = r"^\d+/(second|minute|hour|day|s|m|h|d)$"


def _env_rate(name: str, default: str) -> str:
    """A DRF throttle rate such as "600/minute"; a typo fails at start-up, not on first request."""
    import re

    value = env_str(name, default).strip()
    if not re.match(_RATE, value):
        raise ImproperlyConfigured(
            f"{name} must look like 600/minute (per second, minute, hour or day), got {value!r}"
        )
    return value


REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiKeyAuthentication",  # first, so a request without credentials gets 401
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": _env_rate("AIZUCHI_API_THROTTLE_ANON", "60/minute"),
        "user": _env_rate("AIZUCHI_API_THROTTLE_USER", "1200/minute"),
        "upload": _env_rate("AIZUCHI_API_THROTTLE_UPLOAD", "120/hour"),
    },
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": env_int("AIZUCHI_API_PAGE_SIZE", 50, minimum=1),
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Aizuchi API",
    "DESCRIPTION": "Meetings, transcripts, behaviour moments, KPIs, trends and rule versions. "
    "Authenticate with `Authorization: Bearer <personal access key>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,  # multipart upload bodies get their own component
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "PeriodEnum": "coaching.trends.PERIODS",
        "WebhookStatusEnum": "integrations.models.WebhookEndpoint.Status",
        "DeliveryStatusEnum": "integrations.models.Delivery.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
}

# Webhooks and CRM push (integrations/). Links in payloads and CRM notes start with
# AIZUCHI_PUBLIC_URL (e.g. https://aizuchi.example.com; empty: no links).
AIZUCHI_PUBLIC_URL = env_str("AIZUCHI_PUBLIC_URL")
AIZUCHI_WEBHOOK_TIMEOUT_SECONDS = env_float("AIZUCHI_WEBHOOK_TIMEOUT_SECONDS", 10.0, minimum=0.1)
# Attempts per delivery; the wait doubles from AIZUCHI_WEBHOOK_RETRY_SECONDS (30 s, 1, 2, 4, 8 min).
AIZUCHI_WEBHOOK_MAX_ATTEMPTS = env_int("AIZUCHI_WEBHOOK_MAX_ATTEMPTS", 6, minimum=1)
AIZUCHI_WEBHOOK_RETRY_SECONDS = env_float("AIZUCHI_WEBHOOK_RETRY_SECONDS", 30.0, minimum=0.0)
# An endpoint is paused after this many deliveries in a row failed every attempt.
AIZUCHI_WEBHOOK_PAUSE_AFTER = env_int("AIZUCHI_WEBHOOK_PAUSE_AFTER", 5, minimum=1)
AIZUCHI_CRM = env_choice("AIZUCHI_CRM", "off", ("off", "hubspot"))
AIZUCHI_HUBSPOT_TOKEN = env_str("AIZUCHI_HUBSPOT_TOKEN")
AIZUCHI_HUBSPOT_BASE_URL = env_str("AIZUCHI_HUBSPOT_BASE_URL", "https://api.hubapi.com")
if AIZUCHI_CRM == "hubspot" and not AIZUCHI_HUBSPOT_TOKEN:
    raise ImproperlyConfigured(
        "AIZUCHI_CRM=hubspot needs AIZUCHI_HUBSPOT_TOKEN (a private app's access token)."
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("AIZUCHI_LOG_LEVEL", "INFO")},
}

# HTTPS. With DEBUG off the app is served over HTTPS by default: plain-HTTP requests are
# redirected, browsers are told to stay on HTTPS (HSTS) and cookies are sent over HTTPS only.
# AIZUCHI_PLAIN_HTTP=1 relaxes all of that for an intranet without TLS (and for `make run`).
AIZUCHI_PLAIN_HTTP = env_bool("AIZUCHI_PLAIN_HTTP", False)
_HTTPS_ONLY = not (DEBUG or AIZUCHI_PLAIN_HTTP)
SECURE_SSL_REDIRECT = _HTTPS_ONLY
SESSION_COOKIE_SECURE = _HTTPS_ONLY
CSRF_COOKIE_SECURE = _HTTPS_ONLY
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 365 * 24 * 3600, minimum=0) if _HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading is a separate, hard-to-undo submission to the browsers' list: opt in explicitly.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# django-axes warns when lockouts ignore the client's address; ours lock the account itself,
# which rotating addresses or user agents cannot get around, and an office behind one NAT
# address must not lock everyone out because of one person's typos.
SILENCED_SYSTEM_CHECKS.append("axes.W006")
if env_bool("AIZUCHI_TLS_PROXY", False):
    # Behind a proxy that terminates TLS and sets X-Forwarded-Proto (and strips it from clients).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp): scripts and styles come only from our static files, no
# inline script, no inline style attributes, no eval. The one inline <style> (the waveform's,
# inside its shadow root) carries the response's nonce. tests/test_browser_csp.py visits every
# page in Chromium and fails on any reported violation.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "media-src": [SELF],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        **({"upgrade-insecure-requests": True} if _HTTPS_ONLY else {}),
    }
}

for _dir in (MEDIA_ROOT, Path(FILE_UPLOAD_TEMP_DIR), STATIC_ROOT):
    _dir.mkdir(parents=True, exist_ok=True)
