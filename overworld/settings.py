"""Settings for Overworld, read from the environment in this one place.

Every variable is listed with its default in README.md. Development defaults are safe;
with DJANGO_DEBUG off the app refuses to start without a real secret key.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name} must be a boolean (1/0, true/false), not {raw!r}"
    )


def env_rate(name: str, default: str) -> str:
    """A throttle rate as DRF writes it: requests/period, e.g. 10/min."""
    rate = os.environ.get(name, default).strip()
    if not re.fullmatch(r"[0-9]+/(s|sec|second|m|min|minute|h|hour|d|day)", rate):
        raise ImproperlyConfigured(
            f"{name} must be a rate such as 10/min or 1000/hour, not {rate!r}"
        )
    return rate


def env_count(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if not raw.strip().isdecimal():
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}")
    return int(raw)


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

DEVELOPMENT_SECRET_KEY = (
    "django-insecure-overworld-development-key-never-use-in-production"
)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "").strip()


def is_weak_key(key: str) -> bool:
    """Django's own test of a weak key, plus keys with spaces (text, not a key)."""
    return (
        key.startswith("django-insecure")
        or len(key) < 50
        or len(set(key)) < 5
        or any(character.isspace() for character in key)
    )


if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set; it is required when DJANGO_DEBUG is off."
        )
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
elif not DEBUG and is_weak_key(SECRET_KEY):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is too weak: use at least 50 random characters when "
        "DJANGO_DEBUG is off."
    )

LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", LOCAL_HOSTS)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "users",
    "games",
    "actions",
]

MIDDLEWARE = [
    "overworld.middleware.log_request",
    "overworld.middleware.head_without_body",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "overworld.urls"
WSGI_APPLICATION = "overworld.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "overworld" / "templates"],
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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers and threads write to one file: WAL lets readers run
    # beside the writer, IMMEDIATE takes the write lock when a transaction starts (no
    # deadlocking lock upgrades), and the timeout makes writers queue instead of
    # failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not the shared-cache in-memory default, so that tests with threads get
    # the same locking as the real server; one per process, so that runs don't collide.
    DATABASES["default"]["TEST"] = {
        "NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters travel apart from the SQL, so that a query run five times on a
    # connection becomes a prepared statement that PostgreSQL no longer plans: planning
    # the relation state's four lookups costs more than running them. Behind
    # PgBouncer in transaction mode this needs its max_prepared_statements.
    DATABASES["default"]["OPTIONS"] = {
        "server_side_binding": True,
        "prepare_threshold": 5,
    }

# With Redis, every worker shares throttle counters, the IGDB token and cached IGDB
# answers; without it each process keeps its own.
REDIS_URL = os.environ.get("REDIS_URL", "")
redis_cache = {
    "BACKEND": "overworld.cache.RedisCache",
    "LOCATION": REDIS_URL,
    # Several deployments may share one Redis.
    "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "overworld"),
}
CACHES = {
    "default": (
        redis_cache
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # The user behind each access token (users/auth_cache.py). Only a cache that every
    # worker shares can be told at once that a user was deactivated: without Redis
    # there is none, and each request reads its user from the database.
    "users": (
        redis_cache
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    ),
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "users.User"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # WhiteNoise serves the admin's files after collectstatic; no manifest, so that a
    # forgotten collectstatic costs the admin its styles, not a 500.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Paths answer with and without their trailing slash (see the URL patterns), so
# CommonMiddleware must never redirect.
APPEND_SLASH = False

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# Health checks come from inside the network, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
SECURE_HSTS_SECONDS = env_count("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool(
    "DJANGO_SECURE_COOKIES", not DEBUG
)
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CORS_ALLOWED_ORIGINS = env_list(
    "CORS_ALLOWED_ORIGINS",
    [
        "http://localhost:3000",
        "http://127.0.0.1:3000",
        "http://localhost:5173",
        "http://127.0.0.1:5173",
    ]
    if DEBUG
    else [],
)
CORS_URLS_REGEX = r"^/api/.*$"
# A front end on another origin reads this from a 429 to know when to try again.
CORS_EXPOSE_HEADERS = ["Retry-After"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "users.authentication.JWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticatedOrReadOnly",
    ],
    # The browsable API helps while developing; in production the API speaks JSON.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    "DEFAULT_PARSER_CLASSES": [
        "overworld.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "overworld.pagination.PageNumberPagination",
    "EXCEPTION_HANDLER": "overworld.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "overworld.schema.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "overworld.throttling.AnonRateThrottle",
        "overworld.throttling.UserRateThrottle",
        "overworld.throttling.ScopedRateThrottle",
    ],
    # Per client address (anonymous) or per user; the scopes guard the endpoints
    # that guess passwords or mint tokens.
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("THROTTLE_ANON_RATE", "600/min"),
        "user": env_rate("THROTTLE_USER_RATE", "1200/min"),
        "login": env_rate("THROTTLE_LOGIN_RATE", "10/min"),
        "register": env_rate("THROTTLE_REGISTER_RATE", "30/hour"),
        "refresh": env_rate("THROTTLE_REFRESH_RATE", "30/min"),
    },
    # Throttles tell clients apart by address. X-Forwarded-For is believed only as far
    # as the proxies in front of the app: anyone can send the header with a new address
    # on every request.
    "NUM_PROXIES": env_count("DJANGO_NUM_PROXIES", 0),
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=14),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

# The OpenAPI schema at /api/schema/, Swagger UI at /api/docs/, ReDoc at /api/redoc/.
# The UIs' scripts and styles are served from this app (the sidecar), never a CDN.
SPECTACULAR_SETTINGS = {
    "TITLE": "Overworld API",
    "DESCRIPTION": (
        "Letterboxd for video games: mark games played, liked, in the backlog or "
        "wishlist, rate them, keep a journal, follow people. Games are identified "
        "by their IGDB id. Send `Authorization: Bearer <access token>` (from "
        "register or login) where an operation lists jwtAuth."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Separate request and response components, so that read-only fields are
    # required in answers and absent from bodies.
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/",
    "PREPROCESSING_HOOKS": ["overworld.schema.expand_choice_paths"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No validator badge: it would send the schema's address to swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

IGDB_CLIENT_ID = os.environ.get("IGDB_CLIENT_ID", "")
IGDB_CLIENT_SECRET = os.environ.get("IGDB_CLIENT_SECRET", "")
IGDB_API_URL = os.environ.get("IGDB_API_URL", "https://api.igdb.com/v4")
TWITCH_TOKEN_URL = os.environ.get(
    "TWITCH_TOKEN_URL", "https://id.twitch.tv/oauth2/token"
)

LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "INFO").strip().upper()
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise ImproperlyConfigured(
        f"DJANGO_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, "
        f"not {LOG_LEVEL!r}"
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "discard": {"class": "logging.NullHandler"},
    },
    "loggers": {
        # Client errors are answered, not logged; overworld.requests has every line.
        "django.request": {"level": "ERROR"},
        # A request with a Host header not allowed is answered 400, not logged.
        "django.security.DisallowedHost": {
            "handlers": ["discard"],
            "propagate": False,
        },
        # urllib3 warns at every retry to IGDB; games.sources reports an outage once.
        "urllib3.connectionpool": {"level": "ERROR"},
    },
    "root": {
        "handlers": ["console"],
        "level": LOG_LEVEL,
    },
}
