"""`current_user` is a SignedInPerson (lms.web.signed_in): exactly what views read, no surprise.

Until session 14 it was a detached ORM `User` with some columns loaded, and reading any
other raised DetachedInstanceError in whichever view first tried. These tests walk the
code: every `current_user.<name>` in lms/ and its templates, and every attribute read
of `current_user` once handed to a function (`rights_of(current_user, ...)` reads
`viewer.is_hr`), must be declared by SignedInPerson.
"""

import ast
import dataclasses
import re
from pathlib import Path

from flask import g, request

from lms.extensions import db
from lms.web.signed_in import SignedInPerson
from tests.factories import make_employee

LMS = Path(__file__).resolve().parents[2] / "lms"
# Flask-Login's side of a user, and werkzeug's proxy method.
DECLARED = {field.name for field in dataclasses.fields(SignedInPerson)} | {
    "is_authenticated",
    "is_active",
    "is_anonymous",
    "get_id",
}
PROXY = {"_get_current_object"}
TEMPLATE_READ = re.compile(r"\bcurrent_user\.(\w+)")


def parsed_modules() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(), str(path)) for path in LMS.rglob("*.py")}


def functions_by_name(modules) -> dict[str, list[ast.FunctionDef]]:
    found: dict[str, list[ast.FunctionDef]] = {}
    for module in modules.values():
        for node in ast.walk(module):
            if isinstance(node, ast.FunctionDef):
                found.setdefault(node.name, []).append(node)
    return found


def is_current_user(node: ast.AST, aliases: set[str]) -> bool:
    return isinstance(node, ast.Name) and (node.id == "current_user" or node.id in aliases)


def reads_of(scope: ast.AST, names: set[str], functions, seen: set, where: str) -> set[tuple]:
    """(attribute, where) read of `names` in `scope`, following calls that pass them on."""
    aliases = set(names)
    for node in ast.walk(scope):  # user = current_user._get_current_object()
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute)
            and node.value.func.attr in PROXY
            and is_current_user(node.value.func.value, aliases)
        ):
            aliases |= {target.id for target in node.targets if isinstance(target, ast.Name)}
    reads = set()
    for node in ast.walk(scope):
        if isinstance(node, ast.Attribute) and is_current_user(node.value, aliases):
            reads.add((node.attr, where))
        if not isinstance(node, ast.Call):
            continue
        callee = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        passed = [i for i, arg in enumerate(node.args) if is_current_user(arg, aliases)]
        keywords = [kw.arg for kw in node.keywords if is_current_user(kw.value, aliases)]
        for function in functions.get(callee, []) if passed or keywords else []:
            params = [a.arg for a in function.args.posonlyargs + function.args.args]
            params += [a.arg for a in function.args.kwonlyargs]
            bound = {params[i] for i in passed if i < len(params)} | set(keywords) & set(params)
            for param in bound:
                if (function.name, param) not in seen:
                    seen.add((function.name, param))
                    reads |= reads_of(function, {param}, functions, seen, function.name)
    return reads


def attributes_read_of_current_user() -> set[tuple[str, str]]:
    modules = parsed_modules()
    functions = functions_by_name(modules)
    reads = set()
    for path, module in modules.items():
        if path.parent == LMS / "models":
            continue  # the ORM models' own attributes, not the request's person
        reads |= reads_of(module, {"current_user"}, functions, set(), str(path.relative_to(LMS)))
    for template in (LMS / "templates").rglob("*.html"):
        for name in TEMPLATE_READ.findall(template.read_text()):
            reads.add((name, str(template.relative_to(LMS))))
    return reads


def test_every_attribute_read_of_current_user_is_declared_by_signed_in_person():
    reads = attributes_read_of_current_user()
    names = {name for name, _where in reads} - PROXY
    # The walk finds the reads it should (a view, a template, a function handed the person).
    assert {"id", "is_hr", "full_name", "session_id", "email", "training_rev"} <= names
    assert ("is_hr", "rights_of") in reads and ("has_reports", "scope_for") in reads
    undeclared = sorted((name, where) for name, where in reads if name not in DECLARED | PROXY)
    assert undeclared == [], f"read of current_user but not in SignedInPerson: {undeclared}"


def test_a_signed_in_request_gets_a_signed_in_person(app, client, auth):
    boss = make_employee(email="boss@example.com", full_name="Bo Boss")
    make_employee(email="erin@example.com", full_name="Erin Example", manager_email=boss.email)
    db.session.commit()
    seen = []

    def note_person(response):
        seen.append((request.path, g.get("_login_user")))
        return response

    app.after_request_funcs.setdefault(None, []).append(note_person)
    assert auth.login(email="boss@example.com").status_code == 302
    assert client.get("/").status_code == 200
    (login, signed_in), (page, person) = seen
    # The sign-in request hands on the same type as every later request.
    assert login == "/login" and isinstance(signed_in, SignedInPerson)
    assert page == "/" and isinstance(person, SignedInPerson)
    assert (person.email, person.full_name, person.is_hr, person.has_reports) == (
        "boss@example.com",
        "Bo Boss",
        False,
        True,
    )
    assert person.is_authenticated and person.get_id() == signed_in.get_id()
    assert person.__dataclass_params__.frozen
