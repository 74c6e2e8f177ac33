"""Settings for Attest, read from environment variables (and `.env` when present)."""

import os
from pathlib import Path

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent
load_dotenv(BASE_DIR / ".env")


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # default set in create_app
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    LMS_BASE_URL = os.environ.get("LMS_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    LMS_CONTENT_DIR = os.environ.get("LMS_CONTENT_DIR", str(BASE_DIR / "content"))
    LMS_ORG_NAME = os.environ.get("LMS_ORG_NAME", "Attest Demo Ltd")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Attest <attest@localhost>")
    REDIS_URL = os.environ.get("REDIS_URL")
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    # OWASP password storage cheat sheet: argon2id, m >= 19 MiB, t >= 2, p = 1.
    # argon2-cffi's defaults (m = 64 MiB, t = 3, p = 4) are above that floor.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the signed session


class DevelopmentConfig(Config):
    DEBUG = True
    SECRET_KEY = Config.SECRET_KEY or "dev-only-not-secret"


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing"
    LMS_BASE_URL = "http://attest.test"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = False  # tests of rate limits switch it back on
    WTF_CSRF_ENABLED = False  # tests of CSRF switch it back on
    # Hashing at production strength would dominate the suite's run time.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
