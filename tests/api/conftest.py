"""An API client that signs in with a real token and checks every response against the OpenAPI document.

Every call made through the `api` fixture asserts that the response is JSON,
that its status is documented for that operation and that its body matches
the documented schema, so the document cannot drift from what the routes do.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from lms.api.openapi import openapi_document
from lms.api.tokens import create_token
from lms.extensions import db
from tests.hr.conftest import org, org_content  # noqa: F401 - fixtures reused here
from tests.smtp import smtp_server  # noqa: F401 - the real SMTP server fixture

PREFIX = "/api/v1"
OWN = object()  # `Api.request(token=OWN)`: the client's own token
GENERIC = {"404", "405", "500"}  # any URL can give these; they must still be the Error shape


def template_of(rule: str) -> str:
    """`/api/v1/employees/<employee_id>` -> `/employees/{employee_id}`, as the document names it."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.removeprefix(PREFIX))


def schema_validator(schema: dict, document: dict) -> Draft202012Validator:
    # The document's components ride along so that "#/components/schemas/..." resolves.
    return Draft202012Validator({**schema, "components": document["components"]})


def documented_schema(document: dict, template: str | None, method: str, status: str) -> dict:
    error = {"$ref": "#/components/schemas/Error"}
    operation = document["paths"].get(template, {}).get(method.lower()) if template else None
    if operation is None:
        assert status in GENERIC, f"{method} {template}: {status} from an undocumented operation"
        return error
    response = operation["responses"].get(status)
    if response is None:
        assert status in GENERIC, f"{method} {template}: status {status} is not documented"
        return error
    if "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response["content"]["application/json"]["schema"]


class Api:
    """Call the API as an HR system would; every response is checked against the document."""

    def __init__(self, app, client, token: str):
        self.app, self.client, self.token = app, client, token
        self.document = openapi_document()

    def request(self, method: str, path: str, *, token: Any = OWN, **kwargs):
        """Send a request with this client's token, another (`token=...`) or none (`token=None`)."""
        headers = dict(kwargs.pop("headers", {}))
        if token is not None:
            headers.setdefault("Authorization", f"Bearer {self.token if token is OWN else token}")
        response = self.client.open(path, method=method, headers=headers, **kwargs)
        self.check(method, path, response)
        return response

    def check(self, method: str, path: str, response) -> None:
        assert response.mimetype == "application/json", response.get_data(as_text=True)[:300]
        template = self.template(method, path.split("?")[0])
        schema = documented_schema(self.document, template, method, str(response.status_code))
        errors = list(schema_validator(schema, self.document).iter_errors(response.json))
        assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]

    def template(self, method: str, path: str) -> str | None:
        adapter = self.app.url_map.bind("localhost")
        try:
            rule, _ = adapter.match(path, method=method, return_rule=True)
        except Exception:  # noqa: BLE001 - unknown URL or method: the generic errors apply
            return None
        return template_of(rule.rule)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)


def new_token(name: str = "Workday") -> str:
    _, secret = create_token(name)
    db.session.commit()
    return secret


@pytest.fixture
def token(app) -> str:
    return new_token()


@pytest.fixture
def api(app, client, token) -> Api:
    return Api(app, client, token)
