import json
import logging

import pytest

from lms import create_app
from lms.extensions import db
from tests.conftest import dispose_apps

SECRET = "a-long-random-secret-for-tests-only-0123456789"


@pytest.fixture
def make_app(tmp_path, content_dir, monkeypatch):
    """Build apps under a chosen LMS_ENV (production by default) on a SQLite file."""
    made = []

    def make(env="production", **config):
        monkeypatch.setenv("LMS_ENV", env)
        settings = {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / f'ops{len(made)}.db'}",
            "LMS_CONTENT_DIR": str(content_dir),
            "SECRET_KEY": SECRET,
            # Errors propagate and no log handler is installed on this process; everything
            # else (cookies, CSRF, HSTS, hashing) is the production class's own setting.
            "TESTING": True,
        }
        app = create_app(settings | config)
        with app.app_context():
            db.create_all()
        made.append(app)
        return app

    yield make
    dispose_apps(made)


@pytest.fixture
def request_log():
    """Collect the parsed JSON request-log lines written while the test runs."""
    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(json.loads(record.getMessage()))

    logger = logging.getLogger("lms.request")
    handler = Collect()
    saved = logger.level, logger.disabled
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.disabled = False
    yield lines
    logger.removeHandler(handler)
    logger.setLevel(saved[0])
    logger.disabled = saved[1]
