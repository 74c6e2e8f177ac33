"""Settings for Attest, read from environment variables (and `.env` when present)."""

import os
from datetime import timedelta
from pathlib import Path

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent
load_dotenv(BASE_DIR / ".env")


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str) -> list[str] | None:
    """A comma-separated list, or None when the variable is unset or empty."""
    items = [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]
    return items or None


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # default set in create_app
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}  # see lms.database.engine_options
    # A pooled database connection idle this long is pinged before use (lms.database).
    LMS_DB_PING_AFTER_IDLE_S = 1.0
    # SQLite: writers queue on a file lock instead of SQLite's busy handler (lms.database.sqlite_writers).
    LMS_SQLITE_WRITERS_QUEUE = env_bool("LMS_SQLITE_WRITERS_QUEUE", True)
    LMS_BASE_URL = os.environ.get("LMS_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    LMS_CONTENT_DIR = os.environ.get("LMS_CONTENT_DIR", str(BASE_DIR / "content"))
    LMS_ORG_NAME = os.environ.get("LMS_ORG_NAME", "Attest Demo Ltd")
    # Flask-Limiter's notation ("300 per minute", "30/minute;500/hour").
    LMS_API_RATE_LIMIT = os.environ.get("LMS_API_RATE_LIMIT", "300 per minute")
    LMS_VERIFY_RATE_LIMIT = os.environ.get("LMS_VERIFY_RATE_LIMIT", "30 per minute")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Attest <attest@localhost>")
    # "smtp" delivers through MAIL_SERVER; "capture" (the development default) sends nothing
    # and keeps each message in the outbox as sent, for HR to read on the outbox page.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp").strip().lower()
    MAIL_CONNECTIONS = env_int("MAIL_CONNECTIONS", 4)  # parallel SMTP sessions per sender
    REDIS_URL = os.environ.get("REDIS_URL")
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    # One Redis may serve several deployments (or test runs); the prefix keeps their counters apart.
    RATELIMIT_KEY_PREFIX = os.environ.get("LMS_RATELIMIT_KEY_PREFIX", "attest")
    # If Redis goes away, limit per instance rather than fail every request that is limited.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    MAX_CONTENT_LENGTH = env_int("LMS_MAX_CONTENT_LENGTH", 5 * 1024 * 1024)
    # A web import of more rows runs in the background (lms.imports.jobs), clear of the
    # worker timeout; smaller ones are imported in the confirm request.
    LMS_IMPORT_INLINE_ROWS = env_int("LMS_IMPORT_INLINE_ROWS", 2000)
    # Host names this site answers to (e.g. "attest.example.com,.example.org"); unset = any.
    TRUSTED_HOSTS = env_list("LMS_TRUSTED_HOSTS")
    # How many proxies in front of the app set each X-Forwarded-* header (werkzeug ProxyFix).
    LMS_PROXY_FIX_X_FOR = env_int("LMS_PROXY_FIX_X_FOR", 0)
    LMS_PROXY_FIX_X_PROTO = env_int("LMS_PROXY_FIX_X_PROTO", 0)
    LMS_PROXY_FIX_X_HOST = env_int("LMS_PROXY_FIX_X_HOST", 0)
    LMS_PROXY_FIX_X_PORT = env_int("LMS_PROXY_FIX_X_PORT", 0)
    LMS_PROXY_FIX_X_PREFIX = env_int("LMS_PROXY_FIX_X_PREFIX", 0)
    LMS_HSTS_SECONDS = 0  # Strict-Transport-Security; on in production only
    # One JSON line per request on stdout, written by the "app" itself, by "gunicorn" as its
    # access line (gunicorn.conf.py sets that), or "off" (lms.ops.requestlog).
    LMS_REQUEST_LOG = os.environ.get("LMS_REQUEST_LOG", "").strip().lower() or "app"
    # Memory each worker process may spend on learners' rendered pages (lms.web.pagecache); 0 is off.
    LMS_PAGE_CACHE_BYTES = env_int("LMS_PAGE_CACHE_BYTES", 32 * 1024 * 1024)
    # OWASP password storage cheat sheet: argon2id, m >= 19 MiB, t >= 2, p = 1.
    # argon2-cffi's defaults (m = 64 MiB, t = 3, p = 4) are above that floor.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4
    # A sign-in ends on its own after LMS_SESSION_HOURS, or LMS_REMEMBER_DAYS with "keep me
    # signed in" (lms.auth.rules.session_expires_at); the server's record decides, not the cookie.
    LMS_SESSION_HOURS = env_int("LMS_SESSION_HOURS", 12)
    LMS_REMEMBER_DAYS = env_int("LMS_REMEMBER_DAYS", 30)
    REMEMBER_COOKIE_DURATION = timedelta(days=LMS_REMEMBER_DAYS)
    # Shared devices: sign a person out after this many minutes without activity, with a
    # countdown on the page first (lms.idle); 0 is off. When set, "keep me signed in" goes.
    LMS_IDLE_SIGNOUT_MINUTES = max(0, env_int("LMS_IDLE_SIGNOUT_MINUTES", 0))
    # Single sign-on through the organisation's OpenID Connect provider (lms.sso), offered
    # when the issuer, client id and client secret are all set. The person is matched by the
    # claim named here: `email` against their email, any other claim against their employee id.
    OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").strip() or None
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "").strip() or None
    OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET") or None
    OIDC_MATCH_CLAIM = os.environ.get("OIDC_MATCH_CLAIM", "").strip() or "email"
    # Password sign-in for HR only (break-glass); everyone else signs in through the provider.
    LMS_SSO_ONLY = env_bool("LMS_SSO_ONLY")
    # Seconds Attest waits for the provider (discovery, token, keys, userinfo) before giving up.
    OIDC_TIMEOUT_S = 10
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the signed session


class DevelopmentConfig(Config):
    DEBUG = True
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "capture").strip().lower()
    SECRET_KEY = Config.SECRET_KEY or "dev-only-not-secret"


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing"  # noqa: S105 - tests only; production has no fallback
    LMS_BASE_URL = "http://attest.test"
    RATELIMIT_STORAGE_URI = "memory://"
    TRUSTED_HOSTS = None  # the test client asks for "localhost"
    RATELIMIT_ENABLED = False  # tests of rate limits switch it back on
    WTF_CSRF_ENABLED = False  # tests of CSRF switch it back on
    # Hashing at production strength would dominate the suite's run time.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1


class ProductionConfig(Config):
    # No SECRET_KEY fallback: create_app refuses to start without one.
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    LMS_HSTS_SECONDS = env_int("LMS_HSTS_SECONDS", 365 * 24 * 3600)


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_name() -> str:
    """Pick the settings: LMS_ENV if set, else development under FLASK_DEBUG, else production.

    Production is the default so that a server started without thought gets
    secure cookies, HSTS and a mandatory SECRET_KEY rather than a dev fallback.
    """
    name = os.environ.get("LMS_ENV", "").strip().lower()
    if not name:
        name = "development" if env_bool("FLASK_DEBUG") else "production"
    if name not in CONFIGS:
        raise RuntimeError(f"LMS_ENV={name!r}: use one of {', '.join(CONFIGS)}")
    return name
