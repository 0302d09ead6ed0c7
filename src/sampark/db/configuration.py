"""Configuration kept in each process, and trusted exactly while the database says it is current.

Opening a ticket read five pieces of configuration on every request: the active custom-field
definitions, the priority, the default group, the SLA policies and the default calendar. They
change a few times a month and were read a few hundred times a second: on PostgreSQL those
five round trips were an eighth of a create's CPU. A cache per process is only safe if every
process learns of a change at once, whichever process (or ``psql`` session) made it.

So the database keeps a *configuration generation*: one row in ``sampark_configuration``, which
triggers on every configuration table set to a value never used before on any insert, update,
delete (and, on PostgreSQL, truncate). A sequence supplies it on PostgreSQL and a random 64-bit
number on SQLite, never ``+ 1``: a transaction that changed configuration and rolled back must
not leave behind a generation that a later, different change could reach again. A function
wrapped in :func:`cached` reads the generation (one single-row query) and reloads only when it
differs from the one its value was loaded under. Reading the generation, then the rows, means
a value is never older than the generation it is kept under; a transaction that changes
configuration sees its own new generation and so its own changes.

:func:`snapshot` reads the generation once for a whole block, for a service that reads several
pieces of configuration and writes none (opening a ticket): one query instead of five.

The same generation covers the *directory*, what a request looks up by key and what changes a
few times a day: API tokens with their users and agent profiles, organizations with their
email domains. :func:`keyed` keeps such lookups per key, as column values from which each
request builds its own instances. Columns written as routine (:data:`UNWATCHED`: a token's
last use, a login, an agent's presence) do not move the generation, and are left deferred.

The triggers are (re)installed after every ``migrate`` (:func:`install`), so a table rebuilt by
a migration, which on SQLite drops its triggers, gets them back. A configuration table added
later belongs in :data:`MODELS`. Cached values are shared by every request of the process:
treat them as read-only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

TABLE = "sampark_configuration"
SEQUENCE = "sampark_configuration_generation"
# The configuration behind cached values; their many-to-many link tables count too.
MODELS = (
    "tickets.Priority",
    "tickets.FieldDefinition",
    "tickets.PriorityRule",
    "tickets.PriorityMatrixCell",
    "team.Group",
    "calendars.BusinessCalendar",
    "calendars.WorkingHours",
    "calendars.Holiday",
    "sla.SLAPolicy",
    "routing.RoutingRule",
    "assignment.Strategy",
    "assignment.Leave",
    # The directory a request looks up by key: who an API token belongs to, and which
    # organization an email domain joins.
    "team.ApiToken",
    settings.AUTH_USER_MODEL,
    "team.AgentProfile",
    "customers.Organization",
    "customers.OrganizationDomain",
    # The mailboxes every incoming message is addressed against.
    "mail.Mailbox",
)
# Columns written as a matter of routine that no cached value holds: updating only these
# leaves the generation alone. (Cached lookups leave them deferred, so reading one asks the
# database.)
UNWATCHED = {
    "team.ApiToken": ("last_used_at",),
    settings.AUTH_USER_MODEL: ("last_login",),
    "team.AgentProfile": ("presence",),
    "mail.Mailbox": ("imap_uidvalidity", "imap_last_uid", "last_polled_at", "last_error"),
}
_READ = f"SELECT generation FROM {TABLE} WHERE id = 1"  # noqa: S608 (constant)
K = TypeVar("K", bound=Hashable)
T = TypeVar("T")
_snapshot: ContextVar[dict | None] = ContextVar("sampark_configuration_snapshot", default=None)


def watched() -> dict[str, list[str] | None]:
    """The database tables whose changes change the generation, each with the columns an
    update must set to count (None: any update counts)."""
    found: dict[str, list[str] | None] = {}
    for label in MODELS:
        opts = apps.get_model(label)._meta
        unwatched = UNWATCHED.get(label)
        found[opts.db_table] = (
            [f.column for f in opts.concrete_fields if f.name not in unwatched]
            if unwatched
            else None
        )
        for field in opts.local_many_to_many:
            found[field.remote_field.through._meta.db_table] = None
    return found


def generation(using: str = DEFAULT_DB_ALIAS) -> int | None:
    """The current configuration generation; None if the database has none (then nothing is
    cached). Inside :func:`snapshot`, read once."""
    memo = _snapshot.get()
    if memo is not None and using in memo:
        return memo[using]
    with connections[using].cursor() as cursor:
        cursor.execute(_READ)
        row = cursor.fetchone()
    value = row[0] if row else None
    if memo is not None:
        memo[using] = value
    return value


@contextmanager
def snapshot(reading: dict | None = None) -> Iterator[dict]:
    """Read the configuration generation at most once in the block. For reads only: a change
    made inside the block is not seen by cached functions until it ends.

    Yields the reading. Passing an earlier block's reading back in (``reading=``) carries it on,
    for a request that wrote nothing in between: the API reads the generation to check the
    token, and opening a ticket goes on with that reading instead of another round trip."""
    outer = _snapshot.get()
    token = _snapshot.set({} if reading is None else reading) if outer is None else None
    try:
        yield _snapshot.get()
    finally:
        if token is not None:
            _snapshot.reset(token)


def cached(load: Callable[[], T]) -> Callable[[], T]:
    """``load()`` (no arguments, default database), kept until the generation changes."""
    held: tuple = (None, None)

    @functools.wraps(load)
    def current() -> T:
        nonlocal held
        stamp = generation()
        kept_under, value = held
        if stamp is not None and kept_under == stamp:
            return value
        value = load()
        if stamp is not None:
            held = (stamp, value)
        return value

    return current


def keyed(size: int) -> Callable[[Callable[[K], T]], Callable[[K], T]]:
    """``load(key)``, kept per key until the generation changes: at most ``size`` keys (when
    full, it starts again empty). A miss (None) is kept too. Values are shared by every request of
    the process, so keep them immutable (a tuple of column values, not a model instance)."""

    def decorate(load: Callable[[K], T]) -> Callable[[K], T]:
        # (generation, {key: value}), replaced whole on a new generation. A thread that read
        # an older generation only ever writes into that generation's dict.
        held: tuple = (None, {})

        @functools.wraps(load)
        def current(key: K) -> T:
            nonlocal held
            stamp = generation()
            if stamp is None:
                return load(key)
            kept_under, values = held
            if kept_under != stamp:
                values = {}
                held = (stamp, values)
            try:
                return values[key]
            except KeyError:
                pass
            value = load(key)
            if len(values) >= size:
                values.clear()
            values[key] = value
            return value

        return current

    return decorate


def install(using: str = DEFAULT_DB_ALIAS, **_signal) -> None:
    """Create the generation row and the triggers, where missing (idempotent). Connected to
    ``post_migrate``."""
    connection = connections[using]
    vendor = connection.vendor
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE}")
            fresh = f"nextval('{SEQUENCE}')"
        elif vendor == "sqlite":
            fresh = "random()"
        else:  # pragma: no cover - Sampark runs on SQLite and PostgreSQL only
            return
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} "
            "(id integer PRIMARY KEY CHECK (id = 1), generation bigint NOT NULL)"
        )
        cursor.execute(
            f"INSERT INTO {TABLE} (id, generation) SELECT 1, {fresh} "  # noqa: S608
            f"WHERE NOT EXISTS (SELECT 1 FROM {TABLE})"
        )
        bump = f"UPDATE {TABLE} SET generation = {fresh} WHERE id = 1"  # noqa: S608
        if vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION sampark_configuration_changed() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$ BEGIN {bump}; RETURN NULL; END $$"
            )
        for table, columns in watched().items():
            name = f"sampark_configuration_{table}"
            update = f"UPDATE OF {', '.join(map(quote, columns))}" if columns else "UPDATE"
            if vendor == "postgresql":
                cursor.execute(
                    f"CREATE OR REPLACE TRIGGER {quote(name)} "
                    f"AFTER INSERT OR {update} OR DELETE OR TRUNCATE ON {quote(table)} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION sampark_configuration_changed()"
                )
                continue
            # Dropped first, so that a column list that changed with a migration is renewed.
            for event in ("INSERT", update, "DELETE"):
                trigger = quote(f"{name}_{event.split()[0].lower()}")
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
                cursor.execute(
                    f"CREATE TRIGGER {trigger} AFTER {event} ON {quote(table)} BEGIN {bump}; END"
                )
