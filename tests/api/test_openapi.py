"""The OpenAPI document is valid and describes exactly the routes under /api/v1.

Responses are checked against it in every other API test (tests/api/conftest.py, `Api.check`).
"""

import pytest
from openapi_spec_validator import validate

from lms.api.employees import FIELDS
from lms.api.openapi import openapi_document
from tests.api.conftest import PREFIX, schema_validator, template_of

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def routes(app) -> set[tuple[str, str]]:
    return {
        (template_of(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PREFIX + "/")
        for method in rule.methods - IGNORED_METHODS
    }


def documented(document) -> set[tuple[str, str]]:
    return {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method != "parameters"
    }


def test_the_document_is_valid_openapi_3_1():
    document = openapi_document()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_api_route_is_documented_and_every_documented_operation_exists(app):
    assert routes(app) - documented(openapi_document()) == set(), "routes missing from openapi.py"
    assert documented(openapi_document()) - routes(app) == set(), "documented but not routed"


def test_every_path_parameter_is_described(app):
    document = openapi_document()
    for path, item in document["paths"].items():
        named = {p["name"] for p in item.get("parameters", []) if p["in"] == "path"}
        for method, operation in item.items():
            if method == "parameters":
                continue
            named_here = named | {
                p["name"] for p in operation.get("parameters", []) if p["in"] == "path"
            }
            assert named_here == set(
                segment[1:-1] for segment in path.split("/") if segment.startswith("{")
            ), path


def test_every_operation_but_the_document_itself_needs_a_token_and_says_so(app):
    document = openapi_document()
    assert document["security"] == [{"bearerToken": []}]
    for path, method in documented(document):
        operation = document["paths"][path][method]
        if path == "/openapi.json":
            assert operation["security"] == []
        else:
            assert "security" not in operation
            assert {"401", "429"} <= set(operation["responses"]), (path, method)


def test_the_served_document_is_the_one_in_openapi_py(api):
    response = api.get("/api/v1/openapi.json")
    assert response.json == openapi_document()


def test_the_employee_schema_has_the_csv_imports_fields():
    schemas = openapi_document()["components"]["schemas"]
    assert tuple(schemas["Employee"]["properties"]) == FIELDS
    assert tuple(schemas["EmployeeInput"]["properties"]) == FIELDS


@pytest.mark.parametrize(
    ("schema", "value", "is_valid"),
    [
        ("EmployeeInput", {"email": "a@b.c", "full_name": "A", "hire_date": "2026-01-02"}, True),
        (
            "EmployeeInput",
            {"email": "a@b.c", "full_name": "A", "hire_date": None, "status": None},
            True,
        ),
        ("EmployeeInput", {"email": "a@b.c", "full_name": "A"}, False),
        ("EmployeeInput", {"email": "a@b.c", "full_name": "A", "hire_date": "x", "age": 3}, False),
        (
            "EmployeeBatch",
            {"employees": [{"email": "a@b.c", "full_name": "A", "hire_date": "x"}]},
            False,
        ),
        ("EmployeeBatch", {"employees": []}, False),
        ("Error", {"error": "not_found", "detail": "No."}, True),
        ("Error", {"error": "not_found"}, False),
    ],
)
def test_the_schemas_accept_and_refuse_what_the_routes_do(schema, value, is_valid):
    document = openapi_document()
    validator = schema_validator({"$ref": f"#/components/schemas/{schema}"}, document)
    assert validator.is_valid(value) is is_valid
