"""SQLite's planner statistics: measured when a table has grown, and again when an index is
added.

SQLite plans by the statistics in ``sqlite_stat1``, and without them by rules of thumb that
pick the wrong index for Sampark's busiest reads. At a million tickets, with no statistics (a
database that grew from empty has none: nothing runs ``ANALYZE`` by itself), the sidebar's
count of a group's active tickets walked the plain ``group_id`` index and read every ticket
of the group, 200 ms instead of 3 ms by its partial index, and the queue page took 380 ms
instead of 40. Statistics sampled with ``PRAGMA analysis_limit`` are no better: two indexes
that differ by ten times in rows measure the same.

So the worker checks at every sweep (:func:`keep_current`, one ``max(rowid)`` lookup per
table) whether a table has no statistics yet or has grown by a quarter since it was measured,
and measures those tables again, each alone (``ANALYZE "table"``): milliseconds for the small
busy ones (sessions, who is viewing, SLA alerts), about a second for the tickets at a million,
during which other writers wait. Measuring the whole database whenever any table had grown
took 2.5 s at a million tickets, and a small table passes its mark every few minutes on a busy
desk: the workspace stalled for two seconds each time. A migration that adds an index to a
measured table measures that table again (:func:`measure_again`), so the new index is not
judged without figures beside measured ones. PostgreSQL's autovacuum keeps its own
statistics: both are no-ops there.
"""

from __future__ import annotations

import logging

from django.db import connection as default_connection

logger = logging.getLogger("sampark.db.statistics")

GROWTH = 1.25  # measured again when a table has grown by a quarter ...
SMALL = 1000  # ... or has no figures and more rows than this


def _has_figures(cursor) -> bool:
    """Whether the database was ever measured (``sqlite_stat1`` exists)."""
    cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
    return cursor.fetchone() is not None


def measure_again(schema_editor, table: str) -> None:
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        measured = _has_figures(cursor)
    if measured:
        measure([table], connection)


def stale_tables(connection=default_connection) -> list[str]:
    """The tables whose figures are missing (with more than ``SMALL`` rows) or older than a
    quarter's growth. Each table's highest rowid (an index lookup) rules most out; a table it
    does not rule out is counted, since rows deleted (sessions, viewers' beats) leave the
    highest rowid above the count."""
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND sql NOT LIKE '%WITHOUT ROWID%'"
        )
        tables = [name for (name,) in cursor.fetchall()]
        measured: dict[str, int] = {}
        if _has_figures(cursor):
            cursor.execute("SELECT tbl, stat FROM sqlite_stat1")
            for table, stat in cursor.fetchall():
                rows = int((stat or "0").split(" ", 1)[0] or 0)
                measured[table] = max(measured.get(table, 0), rows)
        stale = []
        for table in tables:
            mark = SMALL if table not in measured else measured[table] * GROWTH + SMALL
            name = connection.ops.quote_name(table)  # a name from sqlite_master: not input
            cursor.execute(f"SELECT max(rowid) FROM {name}")  # noqa: S608
            if (cursor.fetchone()[0] or 0) <= mark:
                continue
            cursor.execute(f"SELECT count(*) FROM {name}")  # noqa: S608
            if cursor.fetchone()[0] > mark:
                stale.append(table)
        return stale


def measure(tables: list[str], connection=default_connection) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def keep_current(connection=default_connection) -> list[str]:
    """Measure again the tables that need it; their names."""
    stale = stale_tables(connection)
    if stale:
        measure(stale, connection)
        logger.info("planner statistics measured again (grown or new: %s)", ", ".join(stale))
    return stale
