"""The active tickets counted by group, owner, priority rank and tier
(:class:`~sampark.tickets.models.ActiveCount`), kept by database triggers.

At a million tickets a supervisor's board walked the 35k to 100k active tickets of their
groups on every refresh: 12 ms of SQLite's time and 15 to 20 ms of PostgreSQL's a board. The
rollup holds a row per change instead (+1 where a ticket became active or moved in, -1 where
it stopped being active or moved out), so a count is the sum of a few hundred rows. How it
stays true:

- **Written by the database, in the writer's transaction.** ``AFTER INSERT``, ``AFTER
  UPDATE OF`` the status and the four key columns, and ``AFTER DELETE`` triggers on
  ``tickets_ticket``: a service, a bulk ``UPDATE``, a merge and a group's deletion (which sets
  its tickets' group to none) are all counted, and a rolled-back write takes its rows with
  it.
- **Insert-only.** Writers never update a count row, so two agents closing tickets of one
  group never wait on each other for it.
- **Folded by the worker** (:func:`compact`, every sweep): the rows become one per key, those
  that sum to nothing go. On PostgreSQL in one statement (``DELETE … RETURNING`` feeding the
  ``INSERT``), so the rows a transaction commits meanwhile are neither folded nor lost; on
  SQLite inside the one writer's transaction.
- **Rebuilt from the tickets** at any time (:func:`rebuild`, ``sampark counts rebuild``),
  also in one statement on PostgreSQL; ``tests/test_active_counts.py`` checks it against the
  tickets after every kind of write.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from .models import ACTIVE_STATUSES

TABLE = "tickets_activecount"
KEY = ("group_id", "owner_id", "priority_rank", "tier")
_ACTIVE = ", ".join(f"'{status.value}'" for status in ACTIVE_STATUSES)
_COLUMNS = ", ".join(KEY)


def _summed(rows: str) -> str:
    """The sums per key of ``rows`` (a table and its condition), leaving out those that come
    to nothing."""
    return f"SELECT {_COLUMNS}, SUM(n) FROM {rows} GROUP BY {_COLUMNS} HAVING SUM(n) <> 0"  # noqa: S608


def _row(side: str, n: int) -> str:
    """The rollup row of the ticket's ``OLD`` or ``NEW`` values."""
    values = ", ".join(f"{side}.{column}" for column in KEY)
    return f"INSERT INTO {TABLE} ({_COLUMNS}, n) SELECT {values}, {n}"  # noqa: S608


def _changed(distinct: str) -> str:
    """An update's condition for new rows: either side active, and the ticket became or
    stopped being active or a key column changed (``distinct``: the vendor's null-safe
    "differs")."""
    was, now = f"OLD.status IN ({_ACTIVE})", f"NEW.status IN ({_ACTIVE})"
    moved = " OR ".join(f"OLD.{column} {distinct} NEW.{column}" for column in KEY)
    return f"({was} OR {now}) AND (({was}) {distinct} ({now}) OR {moved})"


_WATCHED = ", ".join(("status", *KEY))


def _sqlite_triggers() -> list[str]:
    return [
        f"CREATE TRIGGER sampark_active_count_insert AFTER INSERT ON tickets_ticket "
        f"WHEN NEW.status IN ({_ACTIVE}) BEGIN {_row('NEW', 1)}; END",
        f"CREATE TRIGGER sampark_active_count_update AFTER UPDATE OF {_WATCHED} "
        f"ON tickets_ticket WHEN {_changed('IS NOT')} BEGIN "
        f"{_row('OLD', -1)} WHERE OLD.status IN ({_ACTIVE}); "
        f"{_row('NEW', 1)} WHERE NEW.status IN ({_ACTIVE}); END",
        f"CREATE TRIGGER sampark_active_count_delete AFTER DELETE ON tickets_ticket "
        f"WHEN OLD.status IN ({_ACTIVE}) BEGIN {_row('OLD', -1)}; END",
    ]


def _postgresql_triggers() -> list[str]:
    function = (
        "CREATE OR REPLACE FUNCTION sampark_active_count() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN "
        f"IF TG_OP <> 'INSERT' AND OLD.status IN ({_ACTIVE}) THEN {_row('OLD', -1)}; END IF; "
        f"IF TG_OP <> 'DELETE' AND NEW.status IN ({_ACTIVE}) THEN {_row('NEW', 1)}; END IF; "
        "RETURN NULL; END $$"
    )
    each = "FOR EACH ROW"
    run = "EXECUTE FUNCTION sampark_active_count()"
    return [
        function,
        "CREATE OR REPLACE TRIGGER sampark_active_count_insert AFTER INSERT ON tickets_ticket "
        f"{each} WHEN (NEW.status IN ({_ACTIVE})) {run}",
        f"CREATE OR REPLACE TRIGGER sampark_active_count_update AFTER UPDATE OF {_WATCHED} "
        f"ON tickets_ticket {each} WHEN ({_changed('IS DISTINCT FROM')}) {run}",
        "CREATE OR REPLACE TRIGGER sampark_active_count_delete AFTER DELETE ON tickets_ticket "
        f"{each} WHEN (OLD.status IN ({_ACTIVE})) {run}",
    ]


_DROP_SQLITE = [
    f"DROP TRIGGER IF EXISTS sampark_active_count_{event}"
    for event in ("insert", "update", "delete")
]
_DROP_POSTGRESQL = [
    f"DROP TRIGGER IF EXISTS sampark_active_count_{event} ON tickets_ticket"
    for event in ("insert", "update", "delete")
] + ["DROP FUNCTION IF EXISTS sampark_active_count()"]


def install(using: str = DEFAULT_DB_ALIAS, **_signal) -> None:
    """Create (or renew) the triggers and count the tickets afresh. Connected to
    ``post_migrate``, as the configuration generation's triggers are: after every migration,
    and after a test database is flushed (on SQLite, flushing deletes the tickets one by one,
    and their triggers leave rows behind)."""
    db = connections[using]
    if TABLE not in db.introspection.table_names():
        return  # migrated back before the table
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            statements = _postgresql_triggers()
        else:
            statements = _DROP_SQLITE + _sqlite_triggers()
        for statement in statements:
            cursor.execute(statement)
    rebuild(using)


def uninstall(using: str = DEFAULT_DB_ALIAS) -> None:
    """Drop the triggers (the way back from the migration that adds the table)."""
    db = connections[using]
    with db.cursor() as cursor:
        for statement in _DROP_POSTGRESQL if db.vendor == "postgresql" else _DROP_SQLITE:
            cursor.execute(statement)


_REBUILT = (
    f"INSERT INTO {TABLE} ({_COLUMNS}, n) "  # noqa: S608 - our own names
    f"SELECT {_COLUMNS}, COUNT(*) FROM tickets_ticket WHERE status IN ({_ACTIVE}) "
    f"GROUP BY {_COLUMNS}"
)


def rebuild(using: str = DEFAULT_DB_ALIAS) -> int:
    """Count the active tickets again from ``tickets_ticket`` and replace the rollup with
    that; returns how many rows it holds. Safe beside writers: on PostgreSQL the deletion and
    the count share one snapshot (a statement), so a change committed after it keeps its own
    row and one committed before it is in the count; on SQLite the writers wait."""
    db = connections[using]
    with transaction.atomic(using=using), db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(f"WITH gone AS (DELETE FROM {TABLE}) {_REBUILT}")  # noqa: S608
        else:
            cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
            cursor.execute(_REBUILT)
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")  # noqa: S608
        return cursor.fetchone()[0]


def compact(using: str = DEFAULT_DB_ALIAS) -> int:
    """Fold the rows into one per key, leaving out the keys that sum to nothing; returns
    how many rows it folded (none when every key has one row already). The worker runs it
    every sweep."""
    db = connections[using]
    with transaction.atomic(using=using), db.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), MAX(id), (SELECT COUNT(*) FROM ({_summed(TABLE)}) keys) "  # noqa: S608
            f"FROM {TABLE}"
        )
        rows, last, keys = cursor.fetchone()
        if rows == keys:
            return 0
        if db.vendor == "postgresql":
            # Only the rows this statement sees go, and exactly those are summed.
            folding = (
                f"WITH gone AS (DELETE FROM {TABLE} WHERE id <= %s RETURNING {_COLUMNS}, n) "  # noqa: S608
                f"INSERT INTO {TABLE} ({_COLUMNS}, n) {_summed('gone')}"
            )
            cursor.execute(folding, [last])
        else:
            cursor.execute(
                f"INSERT INTO {TABLE} ({_COLUMNS}, n) {_summed(f'{TABLE} WHERE id <= %s')}",  # noqa: S608
                [last],
            )
            cursor.execute(f"DELETE FROM {TABLE} WHERE id <= %s", [last])  # noqa: S608
        return rows


def counted(group_ids: Iterable[int] | None = None) -> list[tuple]:
    """``(group_id, owner_id, priority_rank, tier, count)`` of every key with active
    tickets: all of them, or those of ``group_ids``."""
    where, params = "", []
    if group_ids is not None:
        ids = list(group_ids)
        if not ids:
            return []
        where = f"WHERE group_id IN ({', '.join(['%s'] * len(ids))})"
        params = ids
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(_summed(f"{TABLE} {where}"), params)
        return cursor.fetchall()
