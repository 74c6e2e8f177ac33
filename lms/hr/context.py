"""What every HR template can use: the navigation, page links and number formats."""

from __future__ import annotations

from flask import g, request, url_for
from flask_login import current_user

from lms.certificates.codes import format_code
from lms.hr.access import nav_label
from lms.status import LABELS


def hr_navigation():
    return {"hr_nav_label": nav_label}


def hr_context():
    return {
        "scope": g.get("scope"),
        "labels": LABELS,
        "hr_sections": hr_sections,
        "page_url": page_url,
        "cursor_url": cursor_url,
        "percent": percent,
        "number": "{:,}".format,
        "format_code": format_code,
    }


def hr_sections() -> list[tuple[str, str]]:
    """Return the (endpoint, label) of the HR pages the viewer may open."""
    sections = [
        ("hr.dashboard", "Dashboard"),
        ("hr.assignments", "Assignments"),
        ("hr.people", "People"),
        ("activation.letters", "Activation letters"),
    ]
    if current_user.is_hr:
        sections.append(("hr.audit", "Audit trail"))
        sections.append(("hr.attempt_requests", "Attempt requests"))
        sections.append(("hr.outbox", "Email"))
        sections.append(("hr.item_analysis", "Item analysis"))
        sections.append(("hrimport.index", "Import hires"))
    return sections


def page_url(number: int) -> str:
    """Return this page's URL with the same query and another page number."""
    args = request.args.to_dict() | {"page": number}
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def cursor_url(**cursor: int) -> str:
    """Return this page's URL with the same query and another keyset cursor (`after` or `before`)."""
    args = {k: v for k, v in request.args.items() if k not in ("after", "before", "page")}
    return url_for(request.endpoint, **(request.view_args or {}), **args, **cursor)


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"
