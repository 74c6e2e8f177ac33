"""lms.database.indexes_built_after: a bulk load's indexes and foreign keys come back, checked."""

import pytest
from sqlalchemy import insert, inspect, select
from sqlalchemy.exc import IntegrityError

from lms.database import indexes_built_after
from lms.extensions import db
from lms.models import Attempt, AttemptAnswer, AttemptPick, User


def schema_of(*tables) -> dict:
    """Each table's indexes and foreign keys as the database reports them."""
    inspector = inspect(db.session.connection())
    return {
        table.name: (
            sorted(
                (i["name"], tuple(i["column_names"])) for i in inspector.get_indexes(table.name)
            ),
            sorted(
                (k["name"], tuple(k["constrained_columns"]), k["referred_table"])
                for k in inspector.get_foreign_keys(table.name)
            ),
        )
        for table in tables
    }


TABLES = (Attempt.__table__, AttemptAnswer.__table__, AttemptPick.__table__)


def test_the_indexes_and_keys_are_the_same_after_a_load(synced):
    before = schema_of(*TABLES)
    assert any(indexes and keys for indexes, keys in before.values())
    with indexes_built_after(*TABLES):
        if db.engine.dialect.name == "postgresql":
            assert all(not keys for _, keys in schema_of(*TABLES).values())
    assert schema_of(*TABLES) == before
    db.session.commit()
    assert schema_of(*TABLES) == before


def test_a_row_breaking_a_key_fails_the_load_and_the_schema_is_kept(synced):
    before = schema_of(*TABLES)
    with pytest.raises(IntegrityError), indexes_built_after(*TABLES):
        # An attempt of nobody: refused by the key once it is made again (at once on SQLite).
        db.session.execute(
            insert(Attempt.__table__),
            [
                {
                    "user_id": 999_999,
                    "assignment_id": 999_999,
                    "module_version_id": 1,
                    "cycle": 1,
                    "drawn": [],
                }
            ]
            * 2,
        )
    db.session.rollback()
    assert schema_of(*TABLES) == before
    assert db.session.scalar(select(Attempt.id)) is None
    assert db.session.scalar(select(User.id).where(User.id == 999_999)) is None


def test_among_selects_the_ids_given_with_one_parameter_on_postgresql(synced):
    from lms.database import among
    from tests.factories import make_employee

    people = [make_employee(email=f"p{n}@example.com") for n in range(5)]
    db.session.commit()
    wanted = [people[0].id, people[3].id, people[4].id, 999_999]
    query = select(User.id).where(among(User.id, wanted)).order_by(User.id)
    assert db.session.scalars(query).all() == wanted[:3]
    assert db.session.scalars(select(User.id).where(among(User.id, []))).all() == []
    if db.engine.dialect.name == "postgresql":
        compiled = query.compile(dialect=db.engine.dialect)
        assert "= ANY (%(param_1)s" in str(compiled) and compiled.params["param_1"] == wanted


def test_among_selects_by_text_keys_too(synced):
    from lms.database import among
    from tests.factories import make_employee

    for n in range(4):
        make_employee(email=f"p{n}@example.com", employee_id=f"E{n}")
    db.session.commit()
    query = select(User.employee_id).where(among(User.employee_id, ["E1", "E3", "E9"]))
    assert sorted(db.session.scalars(query)) == ["E1", "E3"]
    if db.engine.dialect.name == "postgresql":
        assert "= ANY (%(param_1)s::VARCHAR(64)[])" in str(query.compile(dialect=db.engine.dialect))
