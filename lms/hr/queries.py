"""Read-side queries for the HR pages: people, one person's transcript, the audit trail.

Each runs a fixed number of SQL statements whatever the size of the
organisation (tests/hr/test_query_counts.py holds them to it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select, tuple_, union
from sqlalchemy.orm import aliased

from lms.compliance.queries import kept
from lms.extensions import db
from lms.models import (
    Assignment,
    AuditEvent,
    Module,
    ModuleVersion,
    User,
)
from lms.models.content import current_version
from lms.reports.assignments import Manager, id_windows
from lms.reports.filters import Filters, counted
from lms.reports.paging import KeysetPage, Page, clamp_page, keyset_rows
from lms.reports.scope import Scope
from lms.status import OVERDUE


def search_condition(q: str):
    """Match people by part of their name, or their exact email or employee id."""
    return or_(name_matches(q), exact_matches(q))


def name_matches(q: str):
    """Match people with `q` in their name, whatever its case."""
    return User.full_name.icontains(q.strip(), autoescape=True)


def exact_matches(q: str):
    """Match the person whose email or employee id `q` is."""
    q = q.strip()
    return or_(User.email == q.lower(), User.employee_id == q)


# -- people ----------------------------------------------------------------------------------

# The people list counts who matches exactly up to this many; past it, "more than" it.
HEADCOUNT_CAP = 10_000
# A search's matches, the same way: a search matching more is too broad to read anyway
# (and a manager's search counted to 1,000 read half their team at 100,000: headcount).
SEARCH_COUNT_CAP = 200


@dataclass
class PersonRow:
    user: User
    manager_name: str | None
    overdue: int


def people_page(
    scope: Scope,
    q: str,
    as_of: date,
    after: int | None = None,
    before: int | None = None,
    per_page: int = 50,
    count_cap: int | None = None,
) -> KeysetPage:
    """Return the people in scope matching `q` after person `after` (or before `before`).

    By name, then id (so people with the same name keep one order); each row with
    the person's overdue count, the page with how many match in all, exactly up to
    `count_cap` and "more than `count_cap`" past it (`headcount`; HEADCOUNT_CAP, or
    SEARCH_COUNT_CAP for a search, unless given). A cursor that
    is no one in scope, or has no one after (before) it, gives the first page.
    Three statements whatever the page and the size of the organisation: the
    count, the page's rows and their overdue counts (tests/hr/test_query_counts.py).
    """
    q = q.strip()
    scope = kept(scope)  # a manager's people from compliance_scopes' index, not the tree
    in_scope = scope.people()
    conditions = [in_scope]
    if q:
        conditions.append(search_condition(q))
    if count_cap is None:
        count_cap = SEARCH_COUNT_CAP if q else HEADCOUNT_CAP
    total, capped = headcount(conditions, count_cap)
    cursor = after if after is not None else before
    forward = before is None or after is not None
    rows = people_rows(in_scope, q, cursor, forward, per_page)
    if cursor is not None and not rows:
        cursor, forward = None, True
        rows = people_rows(in_scope, q, None, True, per_page)
    rows, next_after, previous_before = keyset_rows(
        rows, per_page, cursor=cursor, forward=forward, key=lambda row: row[0].id
    )
    ids = [user.id for user, _ in rows]
    overdue = (
        dict(
            db.session.execute(
                counted(select(User.id, func.count()), scope, Filters(as_of=as_of, status=OVERDUE))
                .where(User.id.in_(ids))
                .group_by(User.id)
            ).all()
        )
        if ids
        else {}
    )
    return KeysetPage(
        [PersonRow(u, m, overdue.get(u.id, 0)) for u, m in rows],
        total,
        per_page,
        after=next_after,
        before=previous_before,
        capped=capped,
    )


def headcount(conditions: list[Any], cap: int) -> tuple[int, bool]:
    """Return how many people match `conditions`, exactly up to `cap`, and whether there are more.

    Measured reason (bench/README.md, issue 18): the exact "N people" was an
    index-only scan of every person in scope, 0.6-0.9 ms at 10,000 and 6.2-6.9 ms at
    100,000 on PostgreSQL, on every page of the list, the part of the page that grew
    with the organisation. Counting stops at `cap` + 1: past HEADCOUNT_CAP the list
    says "more than 10,000 people", and at any size the count reads at most that
    many index entries. Up to the cap, where an exact count is cheap, it is exact.
    A search's count grew with the people who match (on PostgreSQL a recheck of
    every match the trigram index finds: "Patel" matched 428 people at 10,000 and
    4,192 at 100,000), so it stops at SEARCH_COUNT_CAP: 200, since the Stores head's
    search at 100,000 counted to 1,000 by walking 55,000 people in id order (25 ms,
    where the rows take 1 ms; to 200, 5 ms, what all 10,000 take at 10,000). The compliance
    summary (lms.models.compliance) was the other way: it keeps counts of
    assignments, not of people (a person has several, or none), and the people
    under each scope only as one row per person (`compliance_scopes`), whose count
    is the same scan of every person; so it holds no exact headcount to read.
    """
    matching = select(User.id).where(*conditions).limit(cap + 1).subquery()
    found = db.session.scalar(select(func.count()).select_from(matching))
    return (cap, True) if found > cap else (found, False)


def people_rows(in_scope: Any, q: str, cursor: int | None, forward: bool, n: int) -> list[Any]:
    """Return up to n + 1 (person, manager's name) matching `q` beside `cursor`, by name and id.

    `q` comes stripped (people_page); an empty one matches everyone in scope.

    One statement in two steps: the page's ids, then those people's rows and their
    managers' names. The ids come from walking the index on (name, id) from the cursor
    on, a search's `ILIKE` checked on each entry, stopping at the n + 1th match; a
    search's exact email or employee id is the other arm of a UNION (their unique
    indexes). Measured reason (issue 18, bench/README.md "Session 12"): as one plain
    query PostgreSQL read every person matching "Patel" (4,192 at 100,000: a bitmap
    heap scan, a sort and a join of them all, 8.3 ms, twice its time at 10,000); the
    walk is an index-only scan of some 2,500 entries whatever the organisation's size,
    0.7 ms.

    The cursor's name is read in the same statement, and only for someone in
    scope: another team's person is no cursor (no rows), so a cursor tells a
    manager nothing about people outside their team.
    """
    beside: list[Any] = []
    if cursor is not None:
        # Its own FROM users (not the row's): the cursor's name, read first.
        name = (
            select(User.full_name)
            .where(User.id == cursor, in_scope)
            .correlate(None)
            .scalar_subquery()
        )
        # `full_name >=` as well as the pair: the database walks the name index from the
        # cursor's name on, not from the first name.
        if forward:
            beside = [
                User.full_name >= name,
                tuple_(User.full_name, User.id) > tuple_(name, cursor),
            ]
        else:
            beside = [
                User.full_name <= name,
                tuple_(User.full_name, User.id) < tuple_(name, cursor),
            ]
    order = (User.full_name, User.id) if forward else (User.full_name.desc(), User.id.desc())

    def walk(*matching: Any) -> Select:
        ids = (
            select(User.id)
            .where(in_scope, *matching, *beside)
            .order_by(*order)
            .limit(n + 1)
            .subquery()
        )
        # Selected from again: SQLite takes no ORDER BY or LIMIT on an arm of a UNION.
        return select(ids.c.id)

    page = (union(walk(name_matches(q)), walk(exact_matches(q))) if q else walk()).subquery()
    query = (
        select(User, Manager.full_name)
        .join(page, page.c.id == User.id)
        .outerjoin(Manager, Manager.id == User.manager_id)
    )
    return list(db.session.execute(query.order_by(*order).limit(n + 1)).all())


# -- transcript ------------------------------------------------------------------------------


def find_assignment(user_id: int, assignment_id: int) -> tuple[Assignment, str, ModuleVersion]:
    """Return one of the person's assignments with its module slug and current version, or None."""
    return db.session.execute(
        select(Assignment, Module.slug, ModuleVersion)
        .join(Module, Module.id == Assignment.module_id)
        .join(ModuleVersion, current_version())
        .where(Assignment.id == assignment_id, Assignment.user_id == user_id)
    ).first()


# -- audit trail -----------------------------------------------------------------------------

Actor = aliased(User, name="actor")
Subject = aliased(User, name="subject")
AUDIT_COLUMNS = (
    "id",
    "created_at",
    "action",
    "actor_id",
    "actor",
    "user_id",
    "person",
    "person_email",
    "details",
    "prev_hash",
    "hash",
)


def audit_select(action: str | None, person: str | None) -> Select:
    """Select audit events with who did them and to whom, filtered by action and person."""
    e = AuditEvent
    columns = (
        e.id,
        e.created_at,
        e.action,
        e.actor_id,
        Actor.full_name,
        e.user_id,
        Subject.full_name,
        Subject.email,
        e.details,
        e.prev_hash,
        e.hash,
    )
    query = (
        select(*(c.label(n) for c, n in zip(columns, AUDIT_COLUMNS, strict=True)))
        .select_from(AuditEvent)
        .outerjoin(Actor, Actor.id == AuditEvent.actor_id)
        .outerjoin(Subject, Subject.id == AuditEvent.user_id)
    )
    if action:
        query = query.where(AuditEvent.action == action)
    if person and person.strip():
        ids = select(User.id).where(search_condition(person))
        query = query.where(or_(AuditEvent.user_id.in_(ids), AuditEvent.actor_id.in_(ids)))
    return query


def audit_page(action: str | None, person: str | None, page: int, per_page: int = 50) -> Page:
    """Return one page of the audit trail, newest first."""
    query = audit_select(action, person)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = clamp_page(page, total, per_page)
    rows = db.session.execute(
        query.order_by(AuditEvent.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(rows, total, page, per_page)


def audit_actions() -> list[str]:
    return list(
        db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )


def iter_audit_rows(
    action: str | None, person: str | None, batch_size: int = 5000
) -> Iterator[tuple[Any, ...]]:
    """Yield the filtered trail oldest first, as `AUDIT_COLUMNS`, `batch_size` event ids at a time."""
    query = audit_select(action, person).order_by(AuditEvent.id)
    connection = db.session.connection()
    for low, high in id_windows(AuditEvent.id, batch_size):
        yield from connection.execute(query.where(AuditEvent.id > low, AuditEvent.id <= high))
