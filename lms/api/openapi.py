"""The OpenAPI 3.1 document of the API, served at /api/v1/openapi.json.

Written by hand, next to the views it describes; tests/api/test_openapi.py
checks that it is a valid document, that every /api/v1 route is in it and
that what the routes return matches the schemas here.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from lms.api.employees import MAX_BATCH
from lms.certificates.rules import STATUSES as CERTIFICATE_STATUSES
from lms.imports.csvfile import MAX_LENGTHS
from lms.ops.badinput import MAX_ID
from lms.status import STATUSES

DATE = {"type": "string", "format": "date"}
TIME = {"type": "string", "format": "date-time"}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "type": [schema["type"], "null"]}


def obj(properties: dict[str, Any], required: list[str] | None = None, **more) -> dict[str, Any]:
    """An object with exactly these properties (all required unless `required` says otherwise)."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
        **more,
    }


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def ok(description: str, schema_name: str) -> dict[str, Any]:
    return {"description": description, "content": json_content(ref(schema_name))}


def failure(description: str) -> dict[str, Any]:
    return {"description": description, "content": json_content(ref("Error"))}


def responses(success: dict[str, Any], *errors: str) -> dict[str, Any]:
    """An operation's responses: its own, the errors it names and those every operation can give."""
    return success | {
        code: {"$ref": f"#/components/responses/{ERRORS[code]}"}
        for code in sorted({*errors, "400", "401", "429", "503"})
    }


ERRORS = {
    "400": "BadRequest",
    "401": "Unauthorized",
    "403": "Forbidden",
    "404": "NotFound",
    "409": "Conflict",
    "413": "TooLarge",
    "415": "UnsupportedMediaType",
    "422": "Unprocessable",
    "429": "RateLimited",
    "503": "Unavailable",
}


def query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


EMPLOYEE_ID = {
    "name": "employee_id",
    "in": "path",
    "required": True,
    "description": "The employee's id in the HR system.",
    "schema": {"type": "string", "maxLength": MAX_LENGTHS["employee_id"]},
}
AS_OF = query("as_of", "The day statuses are computed for (YYYY-MM-DD); default today (UTC).", DATE)
INVITE = query(
    "invite",
    "Email each new employee a one-time link (valid 7 days) to set a password.",
    {"type": "boolean", "default": False},
)
DEPARTMENT = query(
    "department", 'Only this department; "-" for people with no department.', {"type": "string"}
)

EMPLOYEE_FIELDS = {
    "employee_id": {"type": "string", "maxLength": MAX_LENGTHS["employee_id"]},
    "email": {
        "type": ["string", "null"],
        "format": "email",
        "maxLength": MAX_LENGTHS["email"],
        "description": "Null for someone without a work email: they sign in with their "
        "employee_id, get an activation letter instead of an invitation, and their reminders "
        "go to their manager.",
    },
    "full_name": {"type": "string", "maxLength": MAX_LENGTHS["full_name"]},
    "department": nullable({"type": "string", "maxLength": MAX_LENGTHS["department"]}),
    "role": nullable({"type": "string", "maxLength": MAX_LENGTHS["role"]}),
    "hire_date": nullable(DATE),
    "manager_email": nullable({"type": "string", "format": "email"}),
    "status": {"type": "string", "enum": ["active", "terminated"]},
}
# What a PUT or POST may send: any field may be null (no value), as an empty cell in the CSV.
INPUT_FIELDS = {
    name: {**schema, "type": [schema["type"], "null"]}
    if isinstance(schema["type"], str)
    else schema
    for name, schema in EMPLOYEE_FIELDS.items()
}
INPUT_FIELDS["status"] = {"type": ["string", "null"], "enum": ["active", "terminated", None]}

STATUS_COUNTS = obj({status: {"type": "integer", "minimum": 0} for status in STATUSES})
FIGURES = {
    "counts": STATUS_COUNTS,
    "rate": {
        "type": ["number", "null"],
        "minimum": 0,
        "maximum": 1,
        "description": "(complete + due_soon + exempt) / (all but pending); null if none count.",
    },
    "compliant": {"type": "integer"},
    "pending": {"type": "integer"},
    "overdue": {"type": "integer"},
    "expired": {"type": "integer"},
    "due_soon": {"type": "integer"},
    "total": {"type": "integer"},
}

SCHEMAS: dict[str, Any] = {
    "Error": obj(
        {
            "error": {"type": "string", "description": "A short code: not_found, unauthorized..."},
            "detail": {
                "type": "string",
                "description": "What went wrong and what to do, for people.",
            },
            "problems": {"type": "array", "items": ref("Problem")},
        },
        required=["error", "detail"],
    ),
    "Problem": obj(
        {
            "field": {"type": "string"},
            "message": {"type": "string"},
            "item": {
                "type": "integer",
                "minimum": 1,
                "description": "Which employee of the request, counting from 1.",
            },
            "employee_id": {"type": ["string", "null"]},
        },
        required=["field", "message"],
    ),
    "Employee": obj(
        {**EMPLOYEE_FIELDS, "employee_id": nullable(EMPLOYEE_FIELDS["employee_id"])},
        description='A person, with the fields of the CSV import (DESIGN.md, "CSV import").',
    ),
    "EmployeeInput": obj(
        INPUT_FIELDS,
        required=["full_name", "hire_date"],
        description='Checked as a row of the CSV import. A missing field, null and "" all mean '
        "no value: a PUT replaces the whole record (no email removes the address: the person "
        "then signs in with their employee_id). `status` defaults to active.",
    ),
    "EmployeeBatch": obj(
        {
            "employees": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_BATCH,
                "items": {"allOf": [ref("EmployeeInput"), {"required": ["employee_id"]}]},
            }
        }
    ),
    "EmployeeBatchResult": obj(
        {
            "counts": obj(
                {k: {"type": "integer"} for k in ("new", "updated", "terminated", "unchanged")}
            ),
            "invited": {"type": "integer"},
            "employees": {
                "type": "array",
                "items": obj(
                    {
                        "item": {"type": "integer"},
                        "employee_id": {"type": "string"},
                        "result": {
                            "type": "string",
                            "enum": ["new", "updated", "terminated", "unchanged"],
                        },
                    }
                ),
            },
        }
    ),
    "EmployeePage": obj(
        {
            "employees": {"type": "array", "items": ref("Employee")},
            "per_page": {"type": "integer"},
            "next": {
                "type": ["string", "null"],
                "description": "The path of the next page (`after` the last employee here, "
                "with the same filters), or null: this is the last page.",
                "examples": ["/api/v1/employees?department=Stores&after=2041"],
            },
            "page": {
                "type": "integer",
                "description": "Without `after` only: the page number (deprecated, as `page`).",
            },
            "pages": {
                "type": "integer",
                "minimum": 1,
                "description": "Without `after` only: at least 1, an empty list is one empty page.",
            },
            "total": {
                "type": "integer",
                "description": "Without `after` only: how many employees match in all.",
            },
        },
        required=["employees", "per_page", "next"],
    ),
    "Transcript": obj(
        {
            "employee": ref("Employee"),
            "as_of": DATE,
            "assignments": {"type": "array", "items": ref("Assignment")},
        }
    ),
    "Assignment": obj(
        {
            "module": {"type": "string"},
            "title": {"type": "string"},
            "version": {"type": ["integer", "null"]},
            "program": {"type": ["string", "null"]},
            "status": {"type": "string", "enum": list(STATUSES)},
            "is_counted": {
                "type": "boolean",
                "description": "false once closed or archived: history, not in the figures.",
            },
            "assigned_on": DATE,
            "due_date": DATE,
            "cycle": {"type": "integer"},
            "started_on": nullable(DATE),
            "completed_on": nullable(DATE),
            "expires_on": nullable(DATE),
            "renewal_opens_on": nullable(DATE),
            "last_score": {"type": ["integer", "null"]},
            "attempts_used": {"type": "integer"},
            "attempts_left": {"type": ["integer", "null"]},
            "exempt_reason": {"type": ["string", "null"]},
            "closed_on": nullable(DATE),
            "revoked_on": {
                **nullable(DATE),
                "description": "the day a revoked certificate took the completion away; "
                "null again once completed anew.",
            },
            "completions": {"type": "array", "items": ref("Completion")},
        }
    ),
    "Completion": obj(
        {
            "cycle": {"type": "integer"},
            "version": {"type": "integer"},
            "completed_at": TIME,
            "completed_on": DATE,
            "expires_on": nullable(DATE),
            "score": {"type": ["integer", "null"]},
            "superseded_at": nullable(TIME),
            "certificate": {"oneOf": [ref("CertificateRef"), {"type": "null"}]},
        }
    ),
    "CertificateRef": obj(
        {
            "code": {"type": "string", "examples": ["K7QD-9XRM-P2VA-T3NB"]},
            "status": {"type": "string", "enum": list(CERTIFICATE_STATUSES)},
            "issued_at": TIME,
            "verify_url": {"type": "string", "format": "uri"},
        }
    ),
    "Compliance": obj(
        {
            "as_of": DATE,
            "department": {"type": ["string", "null"]},
            "module": {"type": ["string", "null"]},
            "program": {"type": ["string", "null"]},
            "overall": obj(FIGURES),
            "by_department": {
                "type": "array",
                "items": obj({"department": {"type": ["string", "null"]}, **FIGURES}),
            },
            "by_module": {
                "type": "array",
                "items": obj(
                    {"module": {"type": "string"}, "title": {"type": "string"}, **FIGURES}
                ),
            },
        },
        description="Open assignments of active people on modules in use, counted on as_of.",
    ),
    "Module": obj(
        {
            "slug": {"type": "string"},
            "title": {"type": "string"},
            "version": {"type": ["integer", "null"]},
            "summary": {"type": "string"},
            "minutes": {"type": ["integer", "null"]},
            "renew_every": {"type": ["string", "null"], "examples": ["1 year"]},
            "window": {"type": ["string", "null"], "examples": ["30 days"]},
            "pass_mark": {"type": ["integer", "null"]},
            "attempts": {"type": ["integer", "null"]},
            "questions_per_attempt": {"type": ["integer", "null"]},
            "question_count": {"type": "integer"},
            "retrain_on_change": {"type": "boolean"},
            "is_archived": {"type": "boolean"},
            "programs": {"type": "array", "items": {"type": "string"}},
        }
    ),
    "ModuleList": obj({"modules": {"type": "array", "items": ref("Module")}}),
    "Verification": obj(
        {
            "code": {"type": "string"},
            "status": {"type": "string", "enum": list(CERTIFICATE_STATUSES)},
            "status_label": {"type": "string"},
            "holder_name": {"type": "string"},
            "module_title": {"type": "string"},
            "module_version": {"type": "integer"},
            "completed_on": DATE,
            "expires_on": nullable(DATE),
            "score": {"type": ["integer", "null"]},
            "issued_at": TIME,
            "superseded_at": nullable(TIME),
            "revoked_at": nullable(TIME),
            "verify_url": {"type": "string", "format": "uri"},
        }
    ),
}

RESPONSES = {
    "BadRequest": failure(
        "Bad input: not JSON, a query parameter or a field is wrong, a query "
        "parameter the operation does not take, or text that cannot be stored "
        "(a NUL character, a lone surrogate, JSON nested too deep); `problems` "
        "lists each field at fault. Nothing was changed."
    ),
    "Unauthorized": {
        **failure("No token, or one that is unknown or revoked."),
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
    },
    "Forbidden": failure(
        "A change the HR system may not make: an HR user's email cannot be "
        "changed through the API (`problems` names each employee). Nothing "
        "was changed."
    ),
    "NotFound": failure("No such employee or certificate."),
    "Conflict": failure("Another request changed the same people at the same moment; retry."),
    "TooLarge": failure("The body, or the number of employees, is over the limit."),
    "UnsupportedMediaType": failure("The body is not sent as application/json."),
    "Unprocessable": failure(
        "Well-formed, but the employees clash with each other or with the "
        "people already here (`problems` lists each). Nothing was changed."
    ),
    "RateLimited": {
        **failure("Too many requests with this token; wait for Retry-After seconds."),
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
    "Unavailable": {
        **failure(
            "The database cannot be reached just now; nothing was read or changed. "
            "Retry after Retry-After seconds."
        ),
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
}

UPSERT_RULES = (
    'Employees are checked and applied by the rules of the CSV import (DESIGN.md, "CSV '
    'import"): the same messages, managers named by email (of someone already here or in the '
    "same request), `status: terminated` to sign someone out for good, and programs assigned "
    "as for any hire or transfer. A change is recorded in the audit trail with the token's name. "
    "Employees are matched by employee_id only: an email that belongs to someone else (even "
    "someone with no employee_id) is refused (422). A changed email signs that person out "
    "everywhere, retires their unused reset and invitation links and emails a notice to the "
    "old address; an HR user's email cannot be changed here at all (403)."
)

PATHS: dict[str, Any] = {
    "/employees": {
        "get": {
            "operationId": "listEmployees",
            "summary": "List employees, a page at a time, in a stable order (by when they were added).",
            "description": "Follow `next` from the first page to the last: each page after the "
            "first is read by keyset (`after`), costing the same at any depth. Without `after` "
            "the answer is also page `page` (default 1) with `total` and `pages`; paging by "
            "`page` is deprecated (each page's cost grows with its number).",
            "parameters": [
                DEPARTMENT,
                query(
                    "status",
                    "Only active or only terminated people.",
                    {"type": "string", "enum": ["active", "terminated"]},
                ),
                query(
                    "after",
                    "The employees after this cursor: `next` carries it (0: from the start). "
                    "Not with `page`.",
                    {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                ),
                {
                    **query(
                        "page",
                        "Page number, from 1. Deprecated: follow `next` instead.",
                        {"type": "integer", "minimum": 1, "maximum": 10**6, "default": 1},
                    ),
                    "deprecated": True,
                },
                query(
                    "per_page",
                    "People per page.",
                    {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
                ),
            ],
            "responses": responses({"200": ok("A page of employees.", "EmployeePage")}, "400"),
        },
        "post": {
            "operationId": "upsertEmployees",
            "summary": "Create or update many employees: all of them, or none if any has a problem.",
            "description": UPSERT_RULES,
            "parameters": [INVITE],
            "requestBody": {"required": True, "content": json_content(ref("EmployeeBatch"))},
            "responses": responses(
                {
                    "200": ok(
                        "Every employee was applied (or was already up to date).",
                        "EmployeeBatchResult",
                    )
                },
                "400",
                "403",
                "409",
                "413",
                "415",
                "422",
            ),
        },
    },
    "/employees/{employee_id}": {
        "parameters": [EMPLOYEE_ID],
        "get": {
            "operationId": "getEmployee",
            "summary": "Show one employee.",
            "responses": responses({"200": ok("The employee.", "Employee")}, "404"),
        },
        "put": {
            "operationId": "putEmployee",
            "summary": "Create or update one employee (the whole record).",
            "description": UPSERT_RULES,
            "parameters": [INVITE],
            "requestBody": {"required": True, "content": json_content(ref("EmployeeInput"))},
            "responses": responses(
                {
                    "200": ok("Updated, or already up to date.", "Employee"),
                    "201": ok("Created.", "Employee"),
                },
                "400",
                "403",
                "409",
                "413",
                "415",
                "422",
            ),
        },
    },
    "/employees/{employee_id}/transcript": {
        "parameters": [EMPLOYEE_ID],
        "get": {
            "operationId": "getTranscript",
            "summary": "One employee's assignments with their status, completions and certificates.",
            "parameters": [AS_OF],
            "responses": responses({"200": ok("The transcript.", "Transcript")}, "400", "404"),
        },
    },
    "/compliance": {
        "get": {
            "operationId": "getCompliance",
            "summary": "Compliance on a day, overall, by department and by module.",
            "parameters": [
                AS_OF,
                DEPARTMENT,
                query("module", "Only this module (slug).", {"type": "string"}),
                query(
                    "program", "Only assignments made by this program (slug).", {"type": "string"}
                ),
            ],
            "responses": responses({"200": ok("Compliance figures.", "Compliance")}, "400"),
        },
    },
    "/modules": {
        "get": {
            "operationId": "listModules",
            "summary": "List the training modules, by slug, with their current version.",
            "parameters": [
                query(
                    "include_archived",
                    "Include modules removed from content/.",
                    {"type": "boolean", "default": False},
                )
            ],
            "responses": responses({"200": ok("The modules.", "ModuleList")}, "400"),
        },
    },
    "/certificates/{code}": {
        "parameters": [
            {
                "name": "code",
                "in": "path",
                "required": True,
                "description": "A certificate code, with or without dashes, any case.",
                "schema": {"type": "string"},
            }
        ],
        "get": {
            "operationId": "verifyCertificate",
            "summary": "Verify a certificate code: valid, expired, superseded or revoked.",
            "responses": responses(
                {"200": ok("What the certificate certifies.", "Verification")}, "404"
            ),
        },
    },
    "/openapi.json": {
        "get": {
            "operationId": "getOpenApi",
            "summary": "This document (no token needed).",
            "security": [],
            "responses": {
                "200": {
                    "description": "The OpenAPI document.",
                    "content": json_content({"type": "object"}),
                },
                "400": {"$ref": "#/components/responses/BadRequest"},
                "429": {"$ref": "#/components/responses/RateLimited"},
                "503": {"$ref": "#/components/responses/Unavailable"},
            },
        },
    },
}


def query_parameters(rule: str, method: str) -> tuple[str, ...]:
    """Return the query parameters the operation at a URL rule (`/employees/<employee_id>`) takes."""
    template = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)
    method = "get" if method.upper() == "HEAD" else method.lower()
    operation = PATHS.get(template, {}).get(method, {})
    return tuple(p["name"] for p in operation.get("parameters", []) if p["in"] == "query")


def openapi_document() -> dict[str, Any]:
    """Return the OpenAPI document (a fresh copy; callers may change it)."""
    return copy.deepcopy(
        {
            "openapi": "3.1.0",
            "info": {
                "title": "Attest API",
                "version": "1.0.0",
                "description": (
                    "For HR systems: keep employees in step, read transcripts and compliance, "
                    "verify certificates. Send `Authorization: Bearer <token>` (an operator "
                    "creates one with `flask lms create-token --name NAME`). Every error is "
                    'JSON: `{"error": code, "detail": message}`, with `problems` for bad input. '
                    "A query parameter an operation does not list is refused with 400 (its "
                    "`problems` name it), so a mistyped filter never returns everything. While "
                    "the database is unreachable every operation answers 503 with Retry-After."
                ),
            },
            "servers": [{"url": "/api/v1"}],
            "security": [{"bearerToken": []}],
            "paths": PATHS,
            "components": {
                "schemas": SCHEMAS,
                "responses": RESPONSES,
                "securitySchemes": {"bearerToken": {"type": "http", "scheme": "bearer"}},
            },
        }
    )
