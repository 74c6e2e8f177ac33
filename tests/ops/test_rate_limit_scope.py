"""Where rate limits may live, so that the before-request check can skip other requests."""

import functools

import pytest

from lms.extensions import limiter
from lms.ops.limiter_hooks import LIMITED_BLUEPRINTS, UNLIMITED_METHODS, cannot_be_limited


def test_blueprint_limits_are_only_on_the_blueprints_the_check_looks_at(make_app):
    app = make_app("testing", RATELIMIT_ENABLED=True)
    manager = limiter.limit_manager
    assert set(manager._blueprint_limits) == LIMITED_BLUEPRINTS
    # Unless configured, there are no limits that apply to every request.
    assert manager.application_limits == [] and manager.default_limits == []
    # The limiter's hooks are there only inside wrappers that skip unlimited requests.
    for hooks in (
        app.before_request_funcs[None],
        app.after_request_funcs[None],
        app.teardown_request_funcs[None],
    ):
        assert not [h for h in hooks if owner(h) is limiter]
        (wrapper,) = [h for h in hooks if owner(getattr(h, "__wrapped__", None)) is limiter]


def owner(hook):
    if isinstance(hook, functools.partial):
        return hook.args[0] if hook.args else None
    return getattr(hook, "__self__", None)


def test_limits_on_single_views_are_for_methods_that_are_never_skipped(make_app):
    make_app("testing", RATELIMIT_ENABLED=True)
    decorated = limiter.limit_manager._decorated_limits
    assert decorated  # sign-in and the password views
    for view, limits in decorated.items():
        for limit in limits:
            assert limit.methods, f"{view}: a limit on every method, GET included"
            assert not {m.upper() for m in limit.methods} & UNLIMITED_METHODS, view


def test_limited_requests_still_get_their_headers_and_unlimited_ones_none(make_app):
    app = make_app("testing", RATELIMIT_ENABLED=True)
    client = app.test_client()
    limited = client.get("/verify/K7QD9XRMP2VAT3NB")
    assert "X-RateLimit-Limit" in limited.headers
    assert "X-RateLimit-Limit" not in client.get("/login").headers
    # Sign-in allows 60 a minute from one address (a store's staff share one; lms.auth.routes).
    refused = [client.post("/login", data={}).status_code for _ in range(61)]
    assert refused[-1] == 429


def test_configured_default_limits_keep_the_check_on_every_request(make_app):
    app = make_app("testing", RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute")
    try:
        client = app.test_client()
        statuses = [client.get("/").status_code for _ in range(3)]
    finally:
        limiter.limit_manager.set_default_limits([])  # a module singleton: leave it as found
    assert statuses[-1] == 429


@pytest.mark.parametrize(
    "method, path, skipped",
    [
        ("GET", "/", True),
        ("GET", "/modules/dignity", True),
        ("GET", "/login", True),
        ("POST", "/login", False),
        ("GET", "/verify/K7QD9XRMP2VAT3NB", False),
        ("GET", "/api/v1/employees", False),
        ("POST", "/attempts/1", False),
    ],
)
def test_only_reading_a_page_outside_the_limited_blueprints_skips_the_check(
    app, method, path, skipped
):
    with app.test_request_context(path, method=method):
        assert cannot_be_limited() is skipped
