"""Where rate limits may live, so that the before-request check can skip other requests."""

import pytest

from lms import LIMITED_BLUEPRINTS, cannot_be_limited
from lms.extensions import limiter


def test_blueprint_limits_are_only_on_the_blueprints_the_check_looks_at(make_app):
    app = make_app("testing", RATELIMIT_ENABLED=True)
    manager = limiter.limit_manager
    assert set(manager._blueprint_limits) == LIMITED_BLUEPRINTS
    # Unless configured, there are no limits that apply to every request.
    assert manager.application_limits == [] and manager.default_limits == []
    # The limiter's own check is there only inside the wrapper that skips unlimited requests.
    hooks = app.before_request_funcs[None]
    assert [h for h in hooks if getattr(h, "__self__", None) is limiter] == []
    (wrapper,) = [h for h in hooks if getattr(h, "__wrapped__", None) is not None]
    assert wrapper.__wrapped__.__self__ is limiter


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
