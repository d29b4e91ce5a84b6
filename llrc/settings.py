"""Django settings for llrc. Everything an operator changes comes from the environment (docs/operations/settings.md)."""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from llrc.lib.env import env_bool, env_float, env_int, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = env_path("LLRC_DATA_DIR", "./var")
FILES_DIR = DATA_DIR / "files"
INDEX_DIR = DATA_DIR / "index"

DEBUG = env_bool("LLRC_DEBUG", False)
# The demo key is only acceptable on the embedded default; deployments set LLRC_SECRET_KEY.
SECRET_KEY = env_str("LLRC_SECRET_KEY", "llrc-demo-key-change-me-in-production-0123456789abcdef")
ALLOWED_HOSTS = env_list("LLRC_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # Field types of the PostgreSQL search index (llrc.search.models); inert on SQLite.
    "django.contrib.postgres",
    "django_tasks_db",
    "llrc.accounts",
    "llrc.vocabularies",
    "llrc.catalogue",
    "llrc.search",
    "llrc.web",
    "llrc.api",
    "llrc.operations",
]

MIDDLEWARE = [
    # First, so that it sees every answer as it leaves (llrc.lib.compression).
    "llrc.lib.compression.PageCompression",
    # Inside the compression: the ETag is of the plain page, a repeat visit that still has it gets a
    # 304 of a few hundred bytes instead of the page again.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Just before LocaleMiddleware, to see its answers after it: files do not vary by language.
    "llrc.lib.vary.LanguageIndependentAnswers",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "llrc.urls"
WSGI_APPLICATION = "llrc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "llrc.web.context.site",
            ],
        },
    }
]

_database_url = env_str("DATABASE_URL", "")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "llrc.sqlite3"),
            # WAL + busy timeout + IMMEDIATE: parallel writers wait instead of failing with
            # "database is locked" (DESIGN.md, growing past one machine).
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Interface languages. The six UN languages are all supported for content; an interface language is
# switched on here once its catalogue in web/locale is complete (docs/decisions/0003-languages.md).
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
]
CONTENT_LANGUAGES = ["en", "zh-hans", "fr", "es", "ar", "ru"]
# The language a reader picks in the switcher, kept for `/` (web.views.choose_language) for a year: it
# was a cookie of the browser session at most, so / went by the browser's language again next time.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True  # no script reads it (the pages have none)
LOCALE_PATHS = [BASE_DIR / "web" / "locale"]
FORMAT_MODULE_PATH = ["llrc.web.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
# `llrc init` collects the static files here (collectstatic), each under a name holding a hash of its
# content (site.3f2a….css) with a gzipped copy beside it. A changed file gets a new name, so WhiteNoise
# lets browsers keep a hashed file for a year without asking again (`immutable`): a reader on a metered
# network fetches the CSS once, not a revalidation every 60 s, and a gzip-accepting one 2 KB of its 6.
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
# With LLRC_DEBUG the pages name the files unhashed and WhiteNoise reads them from the apps as they change.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": FILES_DIR},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

SEARCH_BACKEND = env_str("LLRC_SEARCH_BACKEND", "tantivy")
SEARCH_PAGE_SIZE = env_int("LLRC_SEARCH_PAGE_SIZE", 20)
# Processes that build index documents in a rebuild; 0 = one per available core, for large rebuilds only.
INDEX_WORKERS = env_int("LLRC_INDEX_WORKERS", 0)
# The means of finding resources across languages, each switchable (bench/relevance.py measures each).
SEARCH_CONCEPTS = env_bool("LLRC_SEARCH_CONCEPTS", True)  # thesaurus labels in every language
SEARCH_DICTIONARY = env_bool("LLRC_SEARCH_DICTIONARY", True)  # CC-CEDICT query translation
SEARCH_VECTORS = env_bool(
    "LLRC_SEARCH_VECTORS", True
)  # multilingual sentence vectors, fused by RRF
# Cosine similarity a resource needs to be found by meaning alone (tuned with bench/relevance.py).
SEARCH_VECTOR_THRESHOLD = env_float("LLRC_SEARCH_VECTOR_THRESHOLD", 0.30)
# Longest a statement of one search may run in PostgreSQL before it is stopped and the reader asked to
# narrow the query (issue 3, limits). The broadest one-word query takes 1.7 s at a million records on two
# busy cores, a query of 32 common words 5.4 s (measured 2026-11-29). 0: no limit.
SEARCH_TIMEOUT_MS = env_int("LLRC_SEARCH_TIMEOUT_MS", 3000)
if not 0 <= SEARCH_TIMEOUT_MS <= 2_147_483_647:  # PostgreSQL's statement_timeout takes no more
    raise ValueError(
        "LLRC_SEARCH_TIMEOUT_MS must be 0 (no limit) or a number of milliseconds up to 2147483647, "
        f"not {SEARCH_TIMEOUT_MS}"
    )

# No page asks another host for anything (README, "works on a closed network"); the CSP says so to browsers.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "style-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.SELF],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LLRC_LOG_LEVEL", "WARNING")},
}
