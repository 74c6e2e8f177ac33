"""The database layer: what differs between SQLite and PostgreSQL, and the speed-ups there.

Each speed-up has one home here, with its measured reason in its docstring:

- `engine`: engine options, pinging only idle connections, reads in autocommit on
  PostgreSQL, SQLite's pragmas;
- `bulk`: `insert_rows`, COPY on PostgreSQL; `indexes_built_after` (bulk loads);
  `among` (a batch's ids as one array parameter on PostgreSQL); `room_to_sort` (a bulk
  load's transaction sorts in memory on PostgreSQL);
- `driver_query`: `DriverQuery`, the signed-in person's row read on the driver's cursor;
- `sqlite_writers`: SQLite writers queue on a lock file (no Flask).

Callers import the names below from `lms.database`.
"""

from lms.database.bulk import (
    COPY_MIN_ROWS,
    among,
    indexes_built_after,
    insert_rows,
    room_to_sort,
)
from lms.database.driver_query import DriverQuery
from lms.database.engine import (
    AUTOCOMMIT,
    READS,
    add_reads_engine,
    autocommit_connection,
    configure_engine,
    dispose_engines,
    engine_options,
    init_database,
    ping_idle_connections,
    reads_need_autocommit,
    session_reads_in_autocommit,
)

__all__ = [
    "AUTOCOMMIT",
    "READS",
    "add_reads_engine",
    "COPY_MIN_ROWS",
    "among",
    "indexes_built_after",
    "room_to_sort",
    "DriverQuery",
    "autocommit_connection",
    "configure_engine",
    "dispose_engines",
    "engine_options",
    "init_database",
    "insert_rows",
    "ping_idle_connections",
    "reads_need_autocommit",
    "session_reads_in_autocommit",
]
