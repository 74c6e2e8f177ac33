"""Column types and helpers shared by every model."""

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


def utctoday() -> date:
    return utcnow().date()


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database.

    SQLite has no time zones and hands back naive values, so values are
    normalised to UTC on the way in and marked as UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


Model = TypeVar("Model")


def detached(model: type[Model], values: Mapping[str, Any]) -> Model:
    """Return a `model` instance for a row read outside the ORM, as if loaded then detached.

    `values` must hold the primary key and are taken as the row's loaded attributes
    (no change to save); anything not given is unloaded and raises if read. Cheaper
    than a query through the session when the row is only to be read.
    """
    instance = model.__mapper__.class_manager.new_instance()
    instance.__dict__.update(values)
    make_transient_to_detached(instance)
    return instance
