"""The layout rule of README's "Project layout", checked on the source (ast; nothing is imported).

- Every package under lms/ is a feature or plumbing, and every top-level module is a shared
  rule, plumbing or the app's entry point: a new one must be placed before it lands.
- A feature's web layer is its `routes.py` and `forms.py`, and any of its modules that
  reads the request (Flask's request globals or Flask-Login). Plumbing and the shared rules
  never import a feature's web layer, and no module imports another feature's routes;
  only the entry points (the app factory, its error handlers, the CLI) wire features in.
- Every feature has the same inside: `__init__.py` holds only a docstring, the blueprint
  is made in `routes.py`, and only `routes.py` registers views.
"""

from __future__ import annotations

import ast
from pathlib import Path

LMS = Path(__file__).resolve().parents[1] / "lms"

# Packages below the features: what every feature may use.
PLUMBING_PACKAGES = {"models", "ops", "database", "web"}
# Top-level modules: the shared domain rules (plain functions, no Flask, table-tested in
# tests/domain) and the shared operations every feature writes through.
SHARED_RULES = {"status", "periods", "grading", "audience", "assignments", "audit"}
PLUMBING_MODULES = {"extensions", "dates"}
# They assemble the features: the app factory registers blueprints, `errors` answers for
# them all (JSON under /api/), `cli` is the command line's own front end.
ENTRY = {"__init__", "errors", "cli"}
# Modules that read the request, by what they import.
WEB_IMPORTS = {"flask_login", "flask_wtf", "wtforms"}
WEB_NAMES = {
    "request",
    "g",
    "session",
    "abort",
    "redirect",
    "render_template",
    "url_for",
    "flash",
    "jsonify",
    "Blueprint",
    "after_this_request",
    "make_response",
}
# Module names that would be a second convention beside rules/operations/queries/routes/forms.
STRAY = {"views", "view", "handlers", "actions", "services", "service", "logic", "helpers", "utils"}

# Edges that another lane removes; each must go when it is fixed (the test says so).
KNOWN: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    parts = path.relative_to(LMS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(LMS.rglob("*.py"))}


def imports_of(name: str, path: Path) -> set[str]:
    """Every lms module `path` imports, at any depth of its code (lazy imports count)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}  # `from lms.hr import routes`
    known = modules()
    return {m for m in found if m in known}


def kind(name: str) -> str:
    parts = name.split(".")
    if len(parts) == 1 or (len(parts) == 2 and parts[1] in ENTRY):
        return "entry"
    if parts[1] in PLUMBING_PACKAGES or parts[1] in PLUMBING_MODULES:
        return "plumbing"
    if parts[1] in SHARED_RULES:
        return "shared"
    return "feature"


def feature_of(name: str) -> str | None:
    return name.split(".")[1] if kind(name) == "feature" else None


def is_web(name: str, path: Path) -> bool:
    if name.rpartition(".")[2] in ("routes", "forms"):
        return True
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import) and any(a.name in WEB_IMPORTS for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in WEB_IMPORTS:
                return True
            if node.module == "flask" and {a.name for a in node.names} & WEB_NAMES:
                return True
    return False


def features() -> list[Path]:
    return sorted(
        p for p in LMS.iterdir() if (p / "__init__.py").exists() and p.name not in PLUMBING_PACKAGES
    )


def bad_edges() -> list[tuple[str, str, str]]:
    """Return (module, imported, why) for every import the rule forbids."""
    found = modules()
    web = {n for n, p in found.items() if kind(n) == "feature" and is_web(n, p)}
    bad = []
    for name, path in found.items():
        for target in sorted(imports_of(name, path)):
            if kind(name) in ("plumbing", "shared") and target in web:
                bad.append((name, target, f"{kind(name)} imports a feature's web layer"))
            elif (
                kind(name) == "feature"
                and target.endswith(".routes")
                and feature_of(target) != feature_of(name)
            ):
                bad.append((name, target, "imports another feature's routes"))
    return bad


def test_every_package_and_top_level_module_is_placed():
    placed = SHARED_RULES | PLUMBING_MODULES | ENTRY
    unplaced = [p.name for p in LMS.glob("*.py") if p.stem not in placed]
    assert not unplaced, f"top-level modules with no place in the layout rule: {unplaced}"


def test_plumbing_never_imports_a_blueprint_and_no_feature_imports_another_features_routes():
    bad = bad_edges()
    unexpected = [f"{m} -> {t} ({why})" for m, t, why in bad if (m, t) not in KNOWN]
    assert not unexpected, "\n".join(unexpected)
    fixed = KNOWN - {(m, t) for m, t, _ in bad}
    assert not fixed, f"fixed now: remove from KNOWN in tests/test_layout.py: {sorted(fixed)}"


def test_every_feature_has_the_same_inside():
    problems = []
    for package in features():
        init = ast.parse((package / "__init__.py").read_text())
        docstring = ast.get_docstring(init)
        if not docstring or len(init.body) != 1:
            problems.append(f"lms/{package.name}/__init__.py: only a docstring, please")
        for path in sorted(package.rglob("*.py")):
            source = path.read_text()
            where = f"lms/{path.relative_to(LMS)}"
            if path.stem in STRAY:
                problems.append(f"{where}: a second convention (rules/operations/queries/routes)")
            if path.name != "routes.py" and "Blueprint(" in source:
                problems.append(f"{where}: the blueprint is made in routes.py")
            if path.name != "routes.py" and any(
                isinstance(d, ast.Call | ast.Attribute) and "bp." in ast.unparse(d)
                for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.FunctionDef)
                for d in node.decorator_list
            ):
                problems.append(f"{where}: views are registered in routes.py")
    assert not problems, "\n".join(problems)


def test_the_checks_see_a_known_bad_edge():
    """The walk finds what it must: a feature's routes module is web, an entry may import it."""
    found = modules()
    assert is_web("lms.hr.routes", found["lms.hr.routes"])
    assert is_web("lms.hr.access", found["lms.hr.access"])
    assert not is_web("lms.reports.scope", found["lms.reports.scope"])
    assert "lms.hr.routes" in imports_of("lms", found["lms"])
    assert kind("lms") == kind("lms.cli") == "entry"
    assert kind("lms.web.pagecache") == "plumbing" and kind("lms.status") == "shared"
