"""Two gunicorn instances on one database: sessions and rate limits hold across them.

Nothing an instance needs lives in another's memory: the session (and the CSRF secret
in it) is a signed cookie, and rate-limit counters are in Redis. Runs on this pass's
database: a SQLite file, or a fresh PostgreSQL schema under TEST_DATABASE_URL.
"""

from __future__ import annotations

import os
import uuid

import pytest
import redis

from tests.factories import PASSWORD
from tests.ops.support import (
    Browser,
    database_with_an_employee,
    production_env,
    start_gunicorn,
    wait_until_up,
)

SECRET = "shared-secret-of-both-instances-0123456789abcdef"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="module")
def redis_url():
    url = os.environ.get("TEST_REDIS_URL") or DEFAULT_REDIS
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        if os.environ.get("TEST_REDIS_URL"):
            raise  # `make test` asked for Redis: its absence is a failure, not a skip
        pytest.skip(f"no Redis at {url}; set TEST_REDIS_URL")
    return url


@pytest.fixture(scope="module")
def instances(tmp_path_factory, redis_url):
    """Start two gunicorn instances in production mode on one fresh database."""
    tmp_path = tmp_path_factory.mktemp("instances")
    prefix = f"attest-test-{uuid.uuid4().hex[:12]}"
    with database_with_an_employee(tmp_path) as (url, _):
        env = production_env(
            url,
            SECRET,
            REDIS_URL=redis_url,
            LMS_RATELIMIT_KEY_PREFIX=prefix,
            GUNICORN_ACCESS_LOG="off",
        )
        started = [start_gunicorn(env, tmp_path / f"instance{n}.log") for n in range(2)]
        try:
            for instance in started:
                wait_until_up(instance)
            yield started
        finally:
            for instance in started:
                instance.process.terminate()
                instance.process.wait(timeout=30)
                instance.log.close()
            client = redis.Redis.from_url(redis_url)
            for key in client.scan_iter(match=f"*{prefix}*"):
                client.delete(key)
            client.close()


def test_a_session_started_on_one_instance_works_on_the_other(instances):
    a, b = instances
    browser = Browser()
    token = browser.csrf_token(a)  # the CSRF secret lives in the session cookie...
    response, _ = browser.request(
        b,
        "POST",
        "/login",
        {"email": "erin@example.com", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status == 302, "...so instance B accepts the token instance A issued"
    for instance in (a, b):
        response, html = browser.request(instance, "GET", "/")
        assert response.status == 200
        assert "Erin Example" in html
    assert Browser().request(b, "GET", "/")[0].status == 302  # no cookie, no session


def test_rate_limits_are_shared_through_redis(instances):
    a, b = instances
    browser = Browser()
    token = browser.csrf_token(a)
    wrong = {"email": "erin@example.com", "password": "not the password", "csrf_token": token}
    statuses = []
    for attempt in range(24):
        instance = (a, b)[attempt % 2]
        statuses.append(browser.request(instance, "POST", "/login", wrong)[0].status)
        if statuses[-1] == 429 and len(statuses) >= 2 and statuses[-2] == 429:
            break
    # /login allows 10 POSTs a minute per address. Counted per instance, the first 429
    # would come at the 21st POST; counted together it comes by the 11th, and then
    # both instances refuse.
    first = statuses.index(429)
    assert set(statuses[:first]) == {401}
    assert first <= 10
    assert statuses[first : first + 2] == [429, 429]
