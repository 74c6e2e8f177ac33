"""The SQL that keeps the compliance summary current: triggers, and the full recount.

Triggers rather than calls in each write path, for the reason `lms.models.revisions`
gives: bulk UPDATEs (renewal, retraining, imports, revocation) bypass ORM events,
and a summary that a forgotten path leaves behind is worse than none. Every write
to `assignments`, and every change of a person's department, active flag or
manager, moves its counts in the same statement, so in the same transaction: a
rollback takes the summary back with it.

- `assignments`: SQLite row triggers; PostgreSQL statement triggers with transition
  tables, so a bulk write (COPY, executemany, one UPDATE of many rows) is one
  grouped upsert per statement.
- `users`: row triggers, except PostgreSQL's on INSERT, a statement trigger like
  the assignments' (a bulk load of people is one INSERT of their scopes). A new
  person gets their scopes (0 and every manager above, whatever order one INSERT of
  many people lists them in); a change of department or active flag moves their
  assignments' counts; a change of manager moves the counts of them and everyone
  below them between the old managers' scopes and the new ones.

The SELECT that turns assignment rows into (kind, key day) rows is
`lms.compliance.rules.contributions` written in SQL; `operations.recount` uses the
same text over every assignment, and the tests compare both with a recount in Python.
The migration holds a copy of these statements, as migrations must.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import event

from lms.extensions import db
from lms.models.compliance import EVERYONE, NO_DAY, NO_DEPARTMENT_KEY

COUNTS = "compliance_counts"
SCOPES = "compliance_scopes"
MANAGERS = "compliance_managers"
# A manager gets figures of their own once this many people are below them; a smaller
# team is counted from its assignments, which is as quick as reading a summary.
SUMMARISED_TEAM = 200
KEY = "scope_id, level, day, department, module_id, kind"


@dataclass(frozen=True)
class Dialect:
    name: str
    no_day: str
    distinct: str  # "a IS NOT b" on SQLite, "a IS DISTINCT FROM b" on PostgreSQL

    def next_day(self, column: str) -> str:
        if self.name == "sqlite":
            return f"date({column}, '+1 day')"
        return f"({column} + 1)"

    def bucket(self, column: str) -> str:
        if self.name == "sqlite":
            return (
                f"CASE l.level WHEN 'y' THEN strftime('%Y-01-01', {column}) "
                f"WHEN 'm' THEN strftime('%Y-%m-01', {column}) ELSE {column} END"
            )
        return (
            f"CASE l.level WHEN 'y' THEN date_trunc('year', {column})::date "
            f"WHEN 'm' THEN date_trunc('month', {column})::date ELSE {column} END"
        )

    def differ(self, a: str, b: str) -> str:
        return f"({a} {self.distinct} {b})"


SQLITE = Dialect("sqlite", f"'{NO_DAY.isoformat()}'", "IS NOT")
POSTGRESQL = Dialect("postgresql", f"DATE '{NO_DAY.isoformat()}'", "IS DISTINCT FROM")


def dialect_for(name: str) -> Dialect:
    if name == "sqlite":
        return SQLITE
    if name == "postgresql":
        return POSTGRESQL
    raise ValueError(f"no compliance summary triggers for the {name} dialect")


def kinds_select(d: Dialect, source: str, sign: int, department: str, active: str) -> str:
    """Select (user_id, department, module_id, kind, day, n) of the counted assignments `r` in `source`.

    `source` is a FROM clause with a WHERE (`r` the assignment, `u` its person when
    joined); `department` and `active` are the person's values to count them under.
    """
    counted = f"r.closed_on IS NULL AND ({active})"
    after_expiry = d.next_day("r.expires_on")
    window = (
        f"CASE WHEN r.renewal_opens_on IS NULL OR r.renewal_opens_on > {after_expiry} "
        f"THEN {after_expiry} ELSE r.renewal_opens_on END"
    )
    columns = (
        f"r.user_id AS user_id, COALESCE({department}, '{NO_DEPARTMENT_KEY}') AS department, "
        "r.module_id AS module_id"
    )
    return (
        f"SELECT {columns}, "
        "CASE WHEN r.exempt_reason IS NOT NULL THEN 'x' "
        "WHEN r.completed_on IS NULL AND r.started_on IS NOT NULL THEN 'p' "
        "WHEN r.completed_on IS NULL THEN 'n' "
        "WHEN r.expires_on IS NULL THEN 'c' ELSE 'w' END AS kind, "
        f"CASE WHEN r.exempt_reason IS NOT NULL THEN {d.no_day} "
        "WHEN r.completed_on IS NULL THEN r.due_date "
        f"WHEN r.expires_on IS NULL THEN {d.no_day} ELSE {window} END AS day, "
        f"{sign} AS n {source} AND {counted} "
        f"UNION ALL SELECT {columns}, 'e' AS kind, r.expires_on AS day, {sign} AS n "
        f"{source} AND {counted} AND r.exempt_reason IS NULL "
        "AND r.completed_on IS NOT NULL AND r.expires_on IS NOT NULL"
    )


COUNTED_SCOPES = f"(s.scope_id = {EVERYONE} OR s.scope_id IN (SELECT user_id FROM {MANAGERS}))"


def upsert(d: Dialect, kinds: list[str], scopes: str = COUNTED_SCOPES) -> str:
    """Add the (signed) kind rows of `kinds` to every counted scope of their person, at every level.

    Summed per scope and day first, then per level: a bulk write's rows are grouped
    once before they are tripled for the levels (a 48,000-assignment COPY at 100,000
    people: 95,000 rows hashed into 32,000, where sorting 285,000 took 0.7 s of the
    trigger's 1.5 s; issue 18). The final rows go in in key order, so two writers
    touch the counts in the same order.
    """
    levels = "SELECT 'y' AS level UNION ALL SELECT 'm' UNION ALL SELECT 'd'"
    return (
        f"INSERT INTO {COUNTS} ({KEY}, n) "
        f"SELECT g.scope_id, l.level, {d.bucket('g.day')}, g.department, g.module_id, g.kind, "
        "SUM(g.n) FROM (SELECT s.scope_id, k.day, k.department, k.module_id, k.kind, "
        f"SUM(k.n) AS n FROM ({' UNION ALL '.join(kinds)}) k "
        f"JOIN {SCOPES} s ON s.user_id = k.user_id WHERE {scopes} GROUP BY 1, 2, 3, 4, 5) g "
        f"CROSS JOIN ({levels}) l "
        "GROUP BY 1, 2, 3, 4, 5, 6 HAVING SUM(g.n) <> 0 ORDER BY 1, 2, 3, 4, 5, 6 "
        f"ON CONFLICT ({KEY}) DO UPDATE SET n = {COUNTS}.n + excluded.n"
    )


def assignment_rows(d: Dialect, row: str, sign: int) -> str:
    """Kind rows of one assignment row (`OLD`/`NEW` on SQLite, a transition table on PostgreSQL)."""
    if d.name == "sqlite":
        columns = (
            "user_id",
            "module_id",
            "exempt_reason",
            "completed_on",
            "started_on",
            "due_date",
            "expires_on",
            "renewal_opens_on",
            "closed_on",
        )
        values = ", ".join(f"{row}.{c} AS {c}" for c in columns)
        source = f"FROM (SELECT {values}) r JOIN users u ON u.id = r.user_id WHERE 1 = 1"
    else:
        source = f"FROM {row} r JOIN users u ON u.id = r.user_id WHERE 1 = 1"
    return kinds_select(d, source, sign, "u.department", "u.is_active")


def person_rows(d: Dialect, sign: int, old: bool) -> str:
    """Kind rows of the assignments of a person whose row changed (`OLD`/`NEW`), and of
    everyone below them when their manager changed; the person's own values from `OLD` or `NEW`."""
    moved = d.differ("OLD.manager_id", "NEW.manager_id")
    values = "OLD" if old else "NEW"
    source = (
        "FROM assignments r JOIN users u ON u.id = r.user_id "
        f"WHERE (u.id = NEW.id OR ({moved} AND u.id IN "
        f"(SELECT user_id FROM {SCOPES} WHERE scope_id = NEW.id)))"
    )
    department = f"CASE WHEN u.id = NEW.id THEN {values}.department ELSE u.department END"
    active = f"CASE WHEN u.id = NEW.id THEN {values}.is_active ELSE u.is_active END"
    if d.name == "postgresql":
        active = f"({active}) IS TRUE"
    return kinds_select(d, source, sign, department, active)


def person_changed(d: Dialect) -> list[str]:
    """The statements run when a person's department, active flag or manager changes."""
    moved = d.differ("OLD.manager_id", "NEW.manager_id")
    below = f"SELECT user_id FROM {SCOPES} WHERE scope_id = NEW.id"
    return [
        upsert(d, [person_rows(d, -1, old=True)]),
        # Everyone below loses the managers above this person, then this person does.
        f"DELETE FROM {SCOPES} WHERE {moved} AND user_id IN ({below}) AND scope_id IN "
        f"(SELECT scope_id FROM {SCOPES} WHERE user_id = NEW.id AND scope_id <> {EVERYONE})",
        f"DELETE FROM {SCOPES} WHERE {moved} AND user_id = NEW.id AND scope_id <> {EVERYONE}",
        f"INSERT INTO {SCOPES} (user_id, scope_id) SELECT p.user_id, a.scope_id "
        f"FROM (SELECT NEW.id AS user_id UNION {below}) p CROSS JOIN "
        "(SELECT NEW.manager_id AS scope_id WHERE NEW.manager_id IS NOT NULL "
        f"UNION SELECT scope_id FROM {SCOPES} WHERE user_id = NEW.manager_id "
        f"AND scope_id <> {EVERYONE}) a WHERE {moved} "
        "ON CONFLICT DO NOTHING",
        upsert(d, [person_rows(d, 1, old=False)]),
    ]


def person_added() -> list[str]:
    """SQLite's row trigger: a new person's scopes, and theirs to anyone already below them.

    SQLite fires a row trigger as each row goes in, so in one INSERT of many people a
    person may come before their own new manager: they get the manager's scopes when
    the manager arrives.
    """
    above = (
        "SELECT NEW.manager_id AS scope_id WHERE NEW.manager_id IS NOT NULL "
        f"UNION SELECT scope_id FROM {SCOPES} WHERE user_id = NEW.manager_id "
        f"AND scope_id <> {EVERYONE}"
    )
    return [
        f"INSERT INTO {SCOPES} (user_id, scope_id) SELECT NEW.id, {EVERYONE} "
        f"UNION SELECT NEW.id, scope_id FROM ({above}) WHERE 1 ON CONFLICT DO NOTHING",
        f"INSERT INTO {SCOPES} (user_id, scope_id) SELECT b.user_id, a.scope_id "
        f"FROM {SCOPES} b CROSS JOIN ({above}) a WHERE b.scope_id = NEW.id "
        "ON CONFLICT DO NOTHING",
    ]


def people_added() -> str:
    """A statement's new people (PostgreSQL's transition table `new_rows`) get their scopes.

    Everyone's scope, and every manager above them: up through the statement's own new
    people (a manager added in the same COPY, in any order), then from the first
    manager already here, whose scopes hold everyone above them. One statement for a
    bulk load, where a row trigger ran one INSERT per person (~7 s of a 100,000-person
    import, issue 18). No ON CONFLICT: nobody has scopes before their own row exists,
    and the UNION leaves no duplicates (checking each row for a conflict took 3.1 s of
    100,000 people's scopes, 1.7 s without).
    """
    return (
        f"INSERT INTO {SCOPES} (user_id, scope_id) "
        "WITH RECURSIVE up(user_id, scope_id) AS ("
        "SELECT id, manager_id FROM new_rows WHERE manager_id IS NOT NULL "
        "UNION SELECT up.user_id, n.manager_id FROM up JOIN new_rows n ON n.id = up.scope_id "
        "WHERE n.manager_id IS NOT NULL) "
        f"SELECT id, {EVERYONE} FROM new_rows UNION SELECT user_id, scope_id FROM up "
        f"UNION SELECT up.user_id, s.scope_id FROM up JOIN {SCOPES} s ON s.user_id = up.scope_id "
        f"WHERE s.scope_id <> {EVERYONE}"
    )


PERSON_COLUMNS = ("department", "is_active", "manager_id")


def create_statements(dialect: str) -> list[str]:
    """Return the DDL that installs the summary's triggers (each may run again harmlessly)."""
    d = dialect_for(dialect)
    changed = " OR ".join(d.differ(f"OLD.{c}", f"NEW.{c}") for c in PERSON_COLUMNS)
    if d.name == "sqlite":
        relevant = (
            "user_id, module_id, exempt_reason, completed_on, started_on, due_date, "
            "expires_on, renewal_opens_on, closed_on"
        )

        def trigger(name: str, when: str, body: list[str]) -> str:
            return f"CREATE TRIGGER IF NOT EXISTS {name} {when} BEGIN {'; '.join(body)}; END"

        return [
            trigger(
                "assignments_compliance_insert",
                "AFTER INSERT ON assignments",
                [upsert(d, [assignment_rows(d, "NEW", 1)])],
            ),
            trigger(
                "assignments_compliance_update",
                f"AFTER UPDATE OF {relevant} ON assignments",
                [upsert(d, [assignment_rows(d, "OLD", -1), assignment_rows(d, "NEW", 1)])],
            ),
            trigger(
                "assignments_compliance_delete",
                "AFTER DELETE ON assignments",
                [upsert(d, [assignment_rows(d, "OLD", -1)])],
            ),
            trigger("users_compliance_insert", "AFTER INSERT ON users", person_added()),
            trigger(
                "users_compliance_update",
                f"AFTER UPDATE OF {', '.join(PERSON_COLUMNS)} ON users WHEN {changed}",
                person_changed(d),
            ),
            trigger(
                "users_compliance_delete",
                "AFTER DELETE ON users",
                [f"DELETE FROM {SCOPES} WHERE user_id = OLD.id"],
            ),
        ]

    def function(name: str, body: str) -> str:
        return (
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n{body}\nRETURN NULL;\nEND $$"
        )

    assignments_body = (
        f"IF TG_OP = 'INSERT' THEN {upsert(d, [assignment_rows(d, 'new_rows', 1)])};\n"
        f"ELSIF TG_OP = 'DELETE' THEN {upsert(d, [assignment_rows(d, 'old_rows', -1)])};\n"
        "ELSE "
        f"{upsert(d, [assignment_rows(d, 'old_rows', -1), assignment_rows(d, 'new_rows', 1)])};\n"
        "END IF;"
    )
    person_body = (
        "IF TG_OP = 'DELETE' THEN "
        + f"DELETE FROM {SCOPES} WHERE user_id = OLD.id;\n"
        + "ELSE "
        + ";\n".join(person_changed(d))
        + ";\nEND IF;"
    )
    references = {
        "INSERT": "REFERENCING NEW TABLE AS new_rows",
        "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "DELETE": "REFERENCING OLD TABLE AS old_rows",
    }
    return [
        function("attest_compliance_assignments", assignments_body),
        function("attest_compliance_people", person_body),
        function("attest_compliance_people_added", people_added() + ";"),
        *(
            f"CREATE OR REPLACE TRIGGER assignments_compliance_{op.lower()} AFTER {op} "
            f"ON assignments {refs} FOR EACH STATEMENT "
            "EXECUTE FUNCTION attest_compliance_assignments()"
            for op, refs in references.items()
        ),
        "CREATE OR REPLACE TRIGGER users_compliance_insert AFTER INSERT ON users "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION attest_compliance_people_added()",
        "CREATE OR REPLACE TRIGGER users_compliance_update AFTER UPDATE OF "
        f"{', '.join(PERSON_COLUMNS)} ON users FOR EACH ROW WHEN ({changed}) "
        "EXECUTE FUNCTION attest_compliance_people()",
        "CREATE OR REPLACE TRIGGER users_compliance_delete AFTER DELETE ON users "
        "FOR EACH ROW EXECUTE FUNCTION attest_compliance_people()",
    ]


def recount_statements(
    dialect: str, choose_managers: bool = True, team_size: int = SUMMARISED_TEAM
) -> list[str]:
    """Return the statements that rebuild the summary from the people and assignments.

    Scopes by walking up `users.manager_id`; the managers with figures of their own
    chosen again by team size, `team_size` people or more (or kept, with `choose_managers=False`); counts by the
    triggers' own SELECT over every assignment. Run with nothing else writing
    (`operations.recount` takes care).
    """
    d = dialect_for(dialect)
    source = "FROM assignments r JOIN users u ON u.id = r.user_id WHERE 1 = 1"
    choose = [
        f"DELETE FROM {MANAGERS}",
        f"INSERT INTO {MANAGERS} (user_id) SELECT scope_id FROM {SCOPES} "
        f"WHERE scope_id <> {EVERYONE} GROUP BY scope_id HAVING COUNT(*) >= {int(team_size)}",
    ]
    return [
        f"DELETE FROM {COUNTS}",
        f"DELETE FROM {SCOPES}",
        f"INSERT INTO {SCOPES} (user_id, scope_id) "
        "WITH RECURSIVE up(user_id, scope_id) AS ("
        "SELECT id, manager_id FROM users WHERE manager_id IS NOT NULL "
        "UNION SELECT up.user_id, u.manager_id FROM up JOIN users u ON u.id = up.scope_id "
        "WHERE u.manager_id IS NOT NULL) "
        f"SELECT id, {EVERYONE} FROM users UNION SELECT user_id, scope_id FROM up",
        *(choose if choose_managers else []),
        upsert(d, [kinds_select(d, source, 1, "u.department", "u.is_active")]),
    ]


# Every write moves a few rows of compliance_counts: room on each page lets PostgreSQL
# update them in place (HOT) and prune the old versions without index entries.
POSTGRESQL_STORAGE = (
    f"ALTER TABLE {COUNTS} SET (fillfactor = 50, autovacuum_vacuum_scale_factor = 0.02)"
)
TRIGGER_TABLES = {
    "assignments": [
        "assignments_compliance_insert",
        "assignments_compliance_update",
        "assignments_compliance_delete",
    ],
    "users": ["users_compliance_insert", "users_compliance_update", "users_compliance_delete"],
}


def drop_statements(dialect: str) -> list[str]:
    """Return the DDL that removes the triggers (for a bulk load followed by a recount)."""
    on = dialect == "postgresql"
    return [
        f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if on else "")
        for table, names in TRIGGER_TABLES.items()
        for name in names
    ]


def adopt_statements(dialect: str, team_size: int = SUMMARISED_TEAM) -> list[str]:
    """Return the statements that give figures of their own to managers whose team has grown
    to `team_size` people, counting their people's assignments under their scope only."""
    d = dialect_for(dialect)
    # On most days nobody is adopted: the EXISTS, evaluated once, then skips reading every
    # assignment (1.7 M rows, 2 s, at 100,000 people on PostgreSQL: renew runs this daily).
    source = (
        "FROM assignments r JOIN users u ON u.id = r.user_id "
        "WHERE EXISTS (SELECT 1 FROM compliance_adopted)"
    )
    return [
        "DROP TABLE IF EXISTS compliance_adopted",
        "CREATE TEMPORARY TABLE compliance_adopted AS SELECT scope_id AS user_id "
        f"FROM {SCOPES} WHERE scope_id <> {EVERYONE} "
        f"AND scope_id NOT IN (SELECT user_id FROM {MANAGERS}) "
        f"GROUP BY scope_id HAVING COUNT(*) >= {int(team_size)}",
        f"INSERT INTO {MANAGERS} (user_id) SELECT user_id FROM compliance_adopted",
        upsert(
            d,
            [kinds_select(d, source, 1, "u.department", "u.is_active")],
            "s.scope_id IN (SELECT user_id FROM compliance_adopted)",
        ),
        "DROP TABLE compliance_adopted",
    ]


@event.listens_for(db.metadata, "after_create")
def install_triggers(target, connection, **kw) -> None:
    """Install the triggers whenever `db.create_all()` builds the schema (tests, benches)."""
    for statement in create_statements(connection.dialect.name):
        connection.exec_driver_sql(statement)
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(POSTGRESQL_STORAGE)
