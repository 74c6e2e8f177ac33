"""Flask-WTF's CSRF check asks the method first: the same requests are checked, GETs skip the rest."""

import pytest

from lms.web.csrf import CHECK_MODULE, CHECK_NAME


def test_flask_wtfs_check_is_found_and_wrapped(make_app):
    app = make_app("testing", WTF_CSRF_ENABLED=True)
    (check,) = [h for h in app.before_request_funcs[None] if h.__name__ == CHECK_NAME]
    # The wrapper (functools.wraps keeps the name), around Flask-WTF's own check.
    assert check.__wrapped__.__module__ == CHECK_MODULE
    assert not hasattr(check.__wrapped__, "__wrapped__")


@pytest.mark.parametrize("url", ["/login", "/logout", "/forgot-password"])
def test_a_post_without_a_token_is_still_refused(make_app, url):
    app = make_app("testing", WTF_CSRF_ENABLED=True)
    response = app.test_client().post(url, data={"email": "x@example.com"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_a_page_read_is_not_checked(make_app):
    app = make_app("testing", WTF_CSRF_ENABLED=True)
    assert app.test_client().get("/login").status_code == 200


def test_an_exempt_blueprint_stays_exempt(make_app):
    app = make_app("testing", WTF_CSRF_ENABLED=True)
    # The API is exempt (bearer tokens): a POST without a token meets its own 401, not CSRF's 400.
    assert app.test_client().post("/api/v1/employees", json={}).status_code == 401
