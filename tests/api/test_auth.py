"""Tokens: created once by the CLI, kept only as a hash, refused when missing, wrong or revoked."""

import hashlib

import pytest
from sqlalchemy import select

from lms.api.tokens import TOUCH_EVERY
from lms.extensions import db
from lms.models import ApiToken, AuditEvent
from lms.models.base import utcnow
from tests.api.conftest import Api


def test_create_token_prints_the_token_once_and_keeps_only_its_hash(app, runner):
    result = runner.invoke(args=["lms", "create-token", "--name", "Workday"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert secret.startswith("atk_") and len(secret) >= 40
    assert "not shown again" in result.stderr
    token = db.session.scalar(select(ApiToken))
    assert token.name == "Workday"
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:12] and secret not in token.prefix + token.token_hash
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.created"))
    assert event.details == {"token_id": token.id, "name": "Workday", "prefix": token.prefix}
    assert secret not in str(event.details)


def test_each_token_is_different(app, runner):
    one = runner.invoke(args=["lms", "create-token", "--name", "Workday"]).stdout.strip()
    two = runner.invoke(args=["lms", "create-token", "--name", "BambooHR"]).stdout.strip()
    assert one != two


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Workday", "a token named 'Workday' is already in use"),
        ("   ", "give the token a name"),
        ("x" * 121, "longer than 120 characters"),
    ],
)
def test_create_token_refuses_a_name_in_use_or_empty(app, runner, token, name, message):
    result = runner.invoke(args=["lms", "create-token", "--name", name])
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(select(db.func.count(ApiToken.id))) == 1


def test_the_token_opens_the_api_and_its_use_is_recorded(api):
    response = api.get("/api/v1/employees")
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken.last_used_at)) is not None


def test_last_use_is_written_at_most_once_a_minute(api):
    assert api.get("/api/v1/modules").status_code == 200
    first = db.session.scalar(select(ApiToken.last_used_at))
    assert api.get("/api/v1/modules").status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken.last_used_at)) == first
    db.session.execute(db.update(ApiToken).values(last_used_at=utcnow() - TOUCH_EVERY * 2))
    db.session.commit()
    assert api.get("/api/v1/modules").status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken.last_used_at)) > first


def test_a_request_without_a_token_is_refused_with_a_bearer_challenge(api):
    response = api.get("/api/v1/employees", token=None)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="Attest API"'
    assert response.json["error"] == "unauthorized"
    assert "Authorization: Bearer" in response.json["detail"]


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "atk_abc"])
def test_an_authorization_header_that_is_not_a_bearer_token_is_refused(api, header):
    response = api.get("/api/v1/employees", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "not a bearer token" in response.json["detail"]


@pytest.mark.parametrize("secret", ["atk_wrong", "not-even-our-format", "atk_" + "x" * 43])
def test_an_unknown_token_is_refused(api, secret):
    response = api.get("/api/v1/employees", token=secret)
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert (
        response.json["detail"] == "The API token is not valid: it is mistyped, unknown or revoked."
    )


def test_the_scheme_name_is_case_insensitive(api):
    response = api.get("/api/v1/modules", headers={"Authorization": f"bearer {api.token}"})
    assert response.status_code == 200


def test_a_revoked_token_stops_working_at_once(api, runner):
    assert api.get("/api/v1/modules").status_code == 200
    result = runner.invoke(args=["lms", "revoke-token", "--name", "Workday"])
    assert result.exit_code == 0, result.output
    assert "revoked" in result.output
    response = api.get("/api/v1/modules")
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-1] == "api_token.revoked"


def test_a_revoked_name_can_be_used_again_for_a_new_token(app, runner, token, client):
    assert runner.invoke(args=["lms", "revoke-token", "--name", "Workday"]).exit_code == 0
    result = runner.invoke(args=["lms", "create-token", "--name", "Workday"])
    assert result.exit_code == 0, result.output
    fresh = Api(app, client, result.stdout.strip())
    assert fresh.get("/api/v1/modules").status_code == 200
    assert fresh.get("/api/v1/modules", token=token).status_code == 401


def test_revoking_a_name_not_in_use_fails(app, runner):
    result = runner.invoke(args=["lms", "revoke-token", "--name", "Nobody"])
    assert result.exit_code != 0
    assert "no token named 'Nobody' is in use" in result.output


def test_the_openapi_document_needs_no_token(api):
    response = api.get("/api/v1/openapi.json", token=None)
    assert response.status_code == 200
    assert response.json["openapi"].startswith("3.")
