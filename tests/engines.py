"""Listening to every engine the app has: on PostgreSQL the signed-in read has one of its own.

`lms.database.engine.add_reads_engine` gives a server database a second engine, in
autocommit, for that read; a test counting or watching statements listens on both.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event

from lms.extensions import db


@contextmanager
def listening(name: str, listener: Callable) -> Iterator[None]:
    """Have `listener` hear `name` on every engine of the app while the block runs."""
    engines = list(db.engines.values())
    for engine in engines:
        event.listen(engine, name, listener)
    try:
        yield
    finally:
        for engine in engines:
            event.remove(engine, name, listener)
