"""Schemathesis against /api/v1/openapi.json, on the WSGI app: no 5xx, every response as documented.

Examples are generated from the document itself (valid and invalid parameters and
bodies), sent with a real token to an organisation with people, managers and
every training status, and each response is checked: never a server error, and
its status code, content type, headers and body are those the document gives for
that operation. Bounded and derandomised, so a run takes seconds and fails the
same way every time.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lms.api.openapi import openapi_document

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 20  # per operation and generation mode: 17 runs


DOCUMENT = openapi_document()
# Every operation with valid input (positive) and, where it takes any, invalid (negative).
RUNS = [
    (path, method.upper(), mode)
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
    if method != "parameters"
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE
    or "parameters" in item
    or operation.get("parameters")
    or operation.get("requestBody")
]


def load_schema(app):
    def isolated(environ, start_response):
        # Each request in its own app context (and so its own database session), as in
        # production; the test holds one open, which Flask would otherwise reuse.
        with app.app_context():
            return app.wsgi_app(environ, start_response)

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", isolated)


def test_every_api_response_is_documented_and_none_is_a_server_error(app, org, token):
    # One test for every operation: the organisation is made once (a test per operation
    # spent most of its time making it). Schemathesis's pytest plugin (`from_fixture`)
    # reads a private pytest attribute that pytest 9 no longer has, so each operation is
    # driven through its Hypothesis strategy; a failure names the operation and the call.
    schema = load_schema(app)
    headers = {"Authorization": f"Bearer {token}"}
    for path, method, mode in RUNS:
        operation = schema[path][method]

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()
