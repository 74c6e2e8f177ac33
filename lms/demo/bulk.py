"""Bulk inserts that give the ids themselves, fast on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text

from lms.database import insert_rows
from lms.extensions import db


def insert_returning(model: Any, rows: list[dict[str, Any]], batch_size: int = 5000) -> list[int]:
    """Bulk insert `rows` with ids given here, and return the ids in the same order.

    Giving the ids is what makes this fast: `INSERT ... RETURNING` in bulk is
    slow on SQLite. PostgreSQL's id sequences are moved past them afterwards
    (`advance_sequences`). The rows go in with `lms.database.insert_rows`: COPY on
    PostgreSQL (an executemany there was most of a 100,000-employee demo's time).
    """
    if not rows:
        return []
    first = (db.session.scalar(select(func.max(model.id))) or 0) + 1
    for offset, row in enumerate(rows):
        row["id"] = first + offset
    for start in range(0, len(rows), batch_size):
        insert_rows(model.__table__, rows[start : start + batch_size])
    return [row["id"] for row in rows]


def advance_sequences(*tables_models: Any) -> None:
    """Move PostgreSQL's id sequences past the ids `insert_returning` gave (SQLite needs nothing)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for model in tables_models:
        table = model.__tablename__
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - our own table names
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        )
