"""Every error under /api/ is JSON with the right status; the rate limit is per token."""

from tests.api.conftest import Api, new_token


def test_an_unknown_api_url_is_a_json_404(api):
    response = api.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["error"] == "not_found"


def test_a_wrong_method_is_a_json_405_with_the_allowed_methods(api):
    response = api.request("DELETE", "/api/v1/employees/E1")
    assert response.status_code == 405
    assert response.json["error"] == "method_not_allowed"
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "PUT"}


def test_pages_outside_the_api_keep_their_html_errors(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_an_unexpected_failure_is_a_json_500(app, client, token):
    def boom():
        raise RuntimeError("a bug")

    app.add_url_rule("/api/v1/boom", "boom", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/api/v1/boom", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 500
    assert response.json == {
        "error": "server_error",
        "detail": "Something went wrong on the server. Please try again later.",
    }


def test_requests_are_limited_per_token(app_with, token, synced):
    limited = app_with(RATELIMIT_ENABLED=True, LMS_API_RATE_LIMIT="3 per minute")
    with limited.app_context():
        other = new_token("BambooHR")
    api = Api(limited, limited.test_client(), token)
    assert [api.get("/api/v1/modules").status_code for _ in range(3)] == [200] * 3
    response = api.get("/api/v1/modules")
    assert response.status_code == 429
    assert response.json["error"] == "rate_limited"
    assert "3 per 1 minute" in response.json["detail"]
    assert int(response.headers["Retry-After"]) > 0
    assert api.get("/api/v1/employees").status_code == 429  # one budget for the whole API
    assert api.get("/api/v1/modules", token=other).status_code == 200


def test_requests_without_a_token_are_limited_per_address(app_with, token, synced):
    limited = app_with(RATELIMIT_ENABLED=True, LMS_API_RATE_LIMIT="2 per minute")
    api = Api(limited, limited.test_client(), token)
    statuses = [api.get("/api/v1/modules", token=None).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    assert api.get("/api/v1/modules").status_code == 200


def test_the_api_needs_no_csrf_token_even_where_forms_do(app_with, token, synced):
    strict = app_with(WTF_CSRF_ENABLED=True)
    api = Api(strict, strict.test_client(), token)
    body = {"email": "ana@example.com", "full_name": "Ana Lima", "hire_date": "2026-03-02"}
    assert api.put("/api/v1/employees/E1", json=body).status_code == 201
    assert strict.test_client().post("/logout").status_code == 400  # forms still need one


def test_an_api_response_sets_no_cookie(api, synced):
    response = api.get("/api/v1/modules")
    assert "Set-Cookie" not in response.headers
