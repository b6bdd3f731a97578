"""EV Entry Tracker settings: one module, configured only from the environment.

See README.md, "Configuration", for every variable. A local checkout reads `.env` (written by
`make run`, never committed) which switches on DJANGO_DEBUG; anywhere else debug is off and a
secret key is required.
"""

import re
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_HASHES
from django.core.exceptions import ImproperlyConfigured

from evtracker.env import env_bool, env_int, env_list, env_str, load_env_file
from evtracker.security import csp_hash

BASE_DIR = Path(__file__).resolve().parent.parent
ENV_FILE = env_str("DJANGO_ENV_FILE", ".env")
if ENV_FILE:  # an empty DJANGO_ENV_FILE means: read no file (tests, production)
    load_env_file(BASE_DIR / ENV_FILE)

DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off. Set it to a long random "
            "string (for local development, set DJANGO_DEBUG=1 instead, as `make run` does)."
        )
    SECRET_KEY = "insecure-local-development-key-never-used-with-debug-off"  # noqa: S105 (debug only)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # Trigram and full-text search on PostgreSQL (public/search_postgres.py); unused on SQLite.
    "django.contrib.postgres",
    "django_filters",
    # Before import_export: its `import` and `export` commands are replaced by dataio's.
    "core",
    "dataio",
    "import_export",
    "simple_history",
    "csp",
    "axes",
    "companies",
    "sources",
    "public",
    "ingest",
    "django_tasks",
    "django_tasks_db",
    # The read API (public/api/): DRF, its OpenAPI schema, Swagger UI's files served from here, CORS.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A database that cannot be reached: the site's 503 page with Retry-After, not a 500.
    "evtracker.unavailable.DatabaseUnavailableMiddleware",
    # Content-Security-Policy on every page: the strict public policy, or the admin's (see below).
    "evtracker.security.SiteCSPMiddleware",
    # CORS headers on /api/ answers: outside the page cache, so kept answers and 304s get them too,
    # and the cache never sees their `Vary: Origin`.
    "corsheaders.middleware.CorsMiddleware",
    # Public pages from the page cache, and 304s: after the https redirect and the security
    # headers (added to every response), before the session is loaded (a cached page touches none).
    "public.caching.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Attributes every change made in a request (admin form, action, import) to its user.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a refused (locked-out) login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "evtracker.urls"
WSGI_APPLICATION = "evtracker.wsgi.application"

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
                "public.context_processors.canonical_url",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60))}
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a usable database URL: {error}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections are kept (DATABASE_CONN_MAX_AGE) as for PostgreSQL: in WAL mode an idle one
    # holds no lock, and reusing it spares every request opening the file and running the PRAGMAs
    # below (a page served from the page cache costs one small query; opening would cost more).
    # Several processes (web workers, the job worker, the command line) share the file. WAL lets
    # readers go on while one writer writes; IMMEDIATE takes the write lock when a transaction
    # starts, so a writer waits its turn (up to the timeout, in seconds) instead of failing with
    # "database is locked" halfway through. README, "SQLite or PostgreSQL".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("DJANGO_SQLITE_TIMEOUT", 60),
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The list pages' per-row subqueries (counts, certainty) have a high estimated cost, which makes
    # PostgreSQL's JIT compile them: 1.6 s of compiling for a 0.3 s query on 2,000 companies. Short
    # web queries gain nothing from JIT; an `options` in DATABASE_URL (?options=...) still wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Where a login goes when its `?next=` is refused (another site) or missing: the admin, the only
# place with a login (Django's default, /accounts/profile/, does not exist here).
LOGIN_REDIRECT_URL = "admin:index"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files (run collectstatic) unless debugging or testing.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("DJANGO_STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

SEEDS_DIR = BASE_DIR / "seeds"

# Import/export: each behind its own permission (import_<model>, export_<model>), every file
# applied in one transaction, and each imported row logged against the user who confirmed it.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
# Uploads over this size are refused as they stream in (dataio/uploads.py): nothing past the
# limit is kept. 25 MB takes 100,000 deals (about 20 MB of CSV), the row limit below.
IMPORT_MAX_UPLOAD_MB = env_int("DJANGO_IMPORT_MAX_UPLOAD_MB", 25)
FILE_UPLOAD_HANDLERS = [
    "dataio.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Django's defaults, spelled out: a file over 2.5 MB waits in a temporary file, not in memory;
# a request's other fields (forms, never files) may hold 2.5 MB in all.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# What one import file may hold, on every path (admin, `manage.py import`, `load_seeds`), checked
# before it is read into a dataset (dataio/limits.py): a small file must not be able to
# ask for hours of work or gigabytes of memory. The defaults fit a 100,000-row import.
IMPORT_MAX_ROWS = env_int("DJANGO_IMPORT_MAX_ROWS", 100_000)
IMPORT_MAX_CELL_CHARS = env_int("DJANGO_IMPORT_MAX_CELL_CHARS", 500_000)  # a book-length article
# An XLSX unpacked; any file's text. A CSV's text is held about three times over while it is read
# (the file, its text, its cells): 95 MB peaked at 366 MB, 190 MB at 652 MB (bound: 500 MB); a
# 100,000-deal XLSX unpacks to about 90 MB.
IMPORT_MAX_UNPACKED_MB = env_int("DJANGO_IMPORT_MAX_UNPACKED_MB", 100)
for _name, _value in [
    ("DJANGO_IMPORT_MAX_UPLOAD_MB", IMPORT_MAX_UPLOAD_MB),
    ("DJANGO_IMPORT_MAX_ROWS", IMPORT_MAX_ROWS),
    ("DJANGO_IMPORT_MAX_CELL_CHARS", IMPORT_MAX_CELL_CHARS),
    ("DJANGO_IMPORT_MAX_UNPACKED_MB", IMPORT_MAX_UNPACKED_MB),
]:
    if _value < 1:
        raise ImproperlyConfigured(f"{_name}={_value}: must be at least 1.")
# Where an uploaded file waits between preview and confirm. "folder": a private folder on this
# machine (one app server); "cache": Django's cache (CACHES below; shared when it is the
# database); "media": the default file storage (shared when that is shared).
IMPORT_TMP_STORAGE = env_str("DJANGO_IMPORT_TMP_STORAGE", "folder")
IMPORT_TMP_DIR = Path(env_str("DJANGO_IMPORT_TMP_DIR", str(Path(tempfile.gettempdir()) / "evtracker-imports")))
# The table downloads are written here once per dataset version and served from the file
# (public/downloads/files.py); empty (DJANGO_DOWNLOAD_CACHE_DIR=): built on every request.
DOWNLOAD_CACHE_DIR = env_str("DJANGO_DOWNLOAD_CACHE_DIR", str(Path(tempfile.gettempdir()) / "evtracker-downloads"))
IMPORT_EXPORT_TMP_STORAGE_CLASS = {
    "folder": "dataio.storage.PrivateFolderStorage",
    "cache": "import_export.tmp_storages.CacheStorage",
    "media": "import_export.tmp_storages.MediaStorage",
}.get(IMPORT_TMP_STORAGE)
if IMPORT_EXPORT_TMP_STORAGE_CLASS is None:
    raise ImproperlyConfigured(f"DJANGO_IMPORT_TMP_STORAGE={IMPORT_TMP_STORAGE!r}: use folder, cache or media.")
# Background jobs (README: "Background jobs"): django-tasks with its database backend, so the
# queue is a table of the site's own database and `manage.py db_worker` runs it; no other service.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A running job whose worker has shown no sign of life for this long is failed (its import rolled back).
JOBS_STALE_SECONDS = env_int("DJANGO_JOBS_STALE_SECONDS", 300)
# An admin export of more rows than this runs as a background job (a download link when done);
# a smaller one is written in the request, as a plain download.
EXPORT_JOB_ROWS = env_int("DJANGO_EXPORT_JOB_ROWS", 5000)
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
# "local": each process its own memory; "database": tables all app servers share (run
# `manage.py createcachetable` once); "redis://host:6379/0" (or rediss://): a Redis server they share.
CACHE_KIND = env_str("DJANGO_CACHE", "local")
PAGE_CACHE_ENTRIES = env_int("DJANGO_PAGE_CACHE_ENTRIES", 2000)


def cache_backend(*, name: str, max_entries: int = 300) -> dict | None:
    if CACHE_KIND.startswith(("redis://", "rediss://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_KIND, "KEY_PREFIX": name}
    backend = {
        "local": "django.core.cache.backends.locmem.LocMemCache",
        "database": "django.core.cache.backends.db.DatabaseCache",  # `name` is the table
    }.get(CACHE_KIND)
    return backend and {"BACKEND": backend, "LOCATION": name, "OPTIONS": {"MAX_ENTRIES": max_entries}}


CACHES = {
    "default": cache_backend(name="evtracker_cache"),
    # Public pages (public/caching.py) apart from the rest, so that filling it with pages never
    # evicts an import file waiting for its confirmation.
    "pages": cache_backend(name="evtracker_page_cache", max_entries=PAGE_CACHE_ENTRIES),
}
if CACHES["default"] is None:
    raise ImproperlyConfigured(f"DJANGO_CACHE={CACHE_KIND!r}: use local, database or a redis:// URL.")
# Public pages, downloads, feeds and sitemaps are kept under the dataset version (public/caching.py).
# Off (DJANGO_PAGE_CACHE=0): every request builds its page and no ETag or Last-Modified is sent.
PAGE_CACHE = env_bool("DJANGO_PAGE_CACHE", default=True)
PAGE_CACHE_ALIAS = "pages"
PAGE_CACHE_SECONDS = env_int("DJANGO_PAGE_CACHE_SECONDS", 24 * 3600)  # how long a superseded page lingers
# What browsers and a CDN in front may do with a public response: keep it a minute, then serve it
# while asking again (a 304 is cheap). `public, no-cache` makes them ask on every request.
PAGE_CACHE_CONTROL = env_str("DJANGO_PAGE_CACHE_CONTROL", "public, max-age=60, stale-while-revalidate=300")
PAGE_CACHE_RELEASE = env_str("DJANGO_PAGE_CACHE_RELEASE", "")  # empty: a digest of the code
for _name, _value in [
    ("DJANGO_PAGE_CACHE_ENTRIES", PAGE_CACHE_ENTRIES),
    ("DJANGO_PAGE_CACHE_SECONDS", PAGE_CACHE_SECONDS),
]:
    if _value < 1:
        raise ImproperlyConfigured(f"{_name}={_value}: must be at least 1.")

# -- The read API (public/api/, README: "API") --
# No authentication (the API reads no session or user, so its answers are the same for everyone
# and the page cache keeps them), JSON only (one renderer: no `Vary: Accept`), a per-client rate.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": ["public.api.throttling.PerClientRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Proxies in front whose X-Forwarded-For is believed (the client is the address the nearest
    # one saw); 0 ignores the header, which any client could otherwise forge to dodge the limit.
    "NUM_PROXIES": env_int("DJANGO_API_PROXY_COUNT", 0),
}
# Requests per client, "<number>/<s|min|h|day>"; empty: no limit. Counted in the default cache
# (DJANGO_CACHE): per process with `local`, shared by every instance with `database` or Redis.
API_RATE = env_str("DJANGO_API_RATE", "120/min")
if API_RATE and not re.fullmatch(r"[1-9]\d*/(s|sec|m|min|h|hour|d|day)", API_RATE):
    raise ImproperlyConfigured(f"DJANGO_API_RATE={API_RATE!r}: use <number>/<s|min|h|day>, e.g. 120/min, or empty.")
SPECTACULAR_SETTINGS = {
    "TITLE": "EV Entry Tracker read API",
    "DESCRIPTION": "Published companies, deals, sources, excerpts and stories of the EV Entry Tracker, "
    "read-only. Every fact is backed by a verbatim excerpt of an archived source.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/",
    # Several models have a `kind`: each set of codes under its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "CompanyKindEnum": "companies.models.Company.Kind",
        "DealKindEnum": "companies.models.Deal.Kind",
        "AliasKindEnum": "companies.models.Alias.Kind",
        "DatePrecisionEnum": "core.partial_dates.DatePrecision",
    },
}
# CORS (django-cors-headers): any site may read the API from a browser; nothing else is opened.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After"]

# -- HTTPS (README: "Running in production") --
# Behind a TLS-terminating proxy or load balancer Django sees plain http; the proxy tells it what
# the client used in X-Forwarded-Proto. Trust that header only when a proxy sets it (and drops a
# client's own), or anyone can claim https.
if env_bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer probes each instance over plain http
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
# Django's defaults, spelled out so the whole header set can be read here.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# -- Content-Security-Policy (django-csp; Django 5.2 has none built in) --
# Public pages: this site's own files only, no inline script or style of any kind.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "form-action": [SELF],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}
# Everything under /admin/ (evtracker.security.SiteCSPMiddleware): the same, plus requests from
# the autocomplete widgets, plus the few inline attributes Django's admin libraries write, each
# allowed by the hash of its exact text (any other inline script or style is still refused).
ADMIN_INLINE_STYLE_ATTRIBUTES = [
    # The import preview's diff (diff-match-patch's diff_prettyHtml). import.css colours it too;
    # allowed so that the console shows no violation on every preview.
    "background:#e6ffe6;",
    "background:#ffe6e6;",
    "padding: 0;",  # import-export's export.html
    "font-weight: bold;",  # import-export's export.html, "Select all"
    "border-top: 0",  # simple-history's object_history_list.html, the paginator
]
ADMIN_INLINE_SCRIPT_ATTRIBUTES = ["onSelectToggleChange(event)"]  # export.html's "Select all" toggle
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "connect-src": [SELF],
        "script-src-attr": [UNSAFE_HASHES, *map(csp_hash, ADMIN_INLINE_SCRIPT_ATTRIBUTES)],
        "style-src-attr": [UNSAFE_HASHES, *map(csp_hash, ADMIN_INLINE_STYLE_ATTRIBUTES)],
    }
}

# -- Login protection (django-axes) --
# After this many failed logins for one username from one client address, that pair is locked for
# the cool-off time (locking a whole address would lock every editor out when they share one, as
# all clients do behind a proxy). Attempts live in the database, so every instance sees them;
# superusers see and clear them in the admin (Axes › Access attempts).
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "evtracker.lockout.login_locked_out"
if AXES_FAILURE_LIMIT < 1 or AXES_COOLOFF_TIME.total_seconds() < 60:
    raise ImproperlyConfigured("DJANGO_LOGIN_FAILURE_LIMIT and DJANGO_LOGIN_COOLOFF_MINUTES must be at least 1.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "WARNING").upper()},
}
