"""INSERT statements written once per connection, for the rows every new ticket adds.

Opening a ticket inserts a contact and its identities, the ticket and its first events while it
holds SQLite's single write lock, so every millisecond there is a millisecond no other ticket
can be written. Django's ``create`` and ``bulk_create`` compile the same INSERT for each call
(``SQLInsertCompiler.as_sql``, about a fifth of the lock's time); :func:`insert` keeps the SQL
for each model and row count on the connection and only prepares the values, the way Django
does: ``pre_save`` (``auto_now_add`` and the like), then ``get_db_prep_save``.

Like ``bulk_create``, it sends no ``pre_save``/``post_save`` signals (Sampark connects none). It
falls back to ``bulk_create`` for what it does not cover: a value that is an expression, a field
with its own SQL placeholder, an auto key already set (or another key not set), or a database
that cannot return the new keys from a multi-row INSERT.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

CACHE_KEY = "sampark_inserts"
M = TypeVar("M", bound=Model)


def insert(
    objs: Sequence[M],
    *,
    update_conflicts: tuple[Sequence[str], Sequence[str]] | None = None,
    computed: dict[str, str] | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> list[M]:
    """Insert unsaved instances of one model with one statement; they get their primary keys.
    Returns them, as ``bulk_create`` does. ``update_conflicts=(unique_fields, update_fields)``
    makes it an upsert, as ``bulk_create(update_conflicts=True, ...)`` does.

    ``computed={field name: SQL expression}``: the database computes those columns (a
    constant expression the caller writes, such as ``nextval('a_sequence')``), and each object
    gets the values back from the same statement, as it gets its key (as the driver returns
    them: no field converters run, so keep to integers and text)."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    connection = connections[using]
    opts = model._meta
    pk = opts.pk
    computed = computed or {}
    # An auto field's key comes from the database; any other key (a one-to-one primary key,
    # such as an SLA clock's ticket) is given, and goes in with the other columns.
    generated = pk.db_returning
    fields = [f for f in opts.concrete_fields if not (generated and f is pk)]
    given = [f for f in fields if f.name not in computed]
    if (
        not connection.features.can_return_rows_from_bulk_insert
        or any(type(obj) is not model or (obj.pk is None) != generated for obj in objs)
        or any(hasattr(f, "get_placeholder") for f in fields)
    ):
        if computed:
            raise NotImplementedError("computed columns need INSERT ... RETURNING")
        return _bulk_create(model, objs, update_conflicts, using)
    params = []
    for obj in objs:
        # As bulk_create: refuse an unsaved related object, take a related key set since.
        obj._prepare_related_fields_for_save(operation_name="insert")
        for field in given:
            value = field.pre_save(obj, True)
            if hasattr(value, "resolve_expression"):
                if computed:
                    raise NotImplementedError("an expression value beside computed columns")
                return _bulk_create(model, objs, update_conflicts, using)
            params.append(field.get_db_prep_save(value, connection=connection))
    cache = connection.__dict__.setdefault(CACHE_KEY, {})
    key = (
        model,
        len(objs),
        update_conflicts and tuple(map(tuple, update_conflicts)),
        tuple(computed.items()),
    )
    sql = cache.get(key)
    if sql is None:
        sql = cache[key] = _insert_sql(
            connection, opts, fields, len(objs), update_conflicts, computed
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    back = [pk.attname, *(opts.get_field(name).attname for name in computed)]
    for obj, row in zip(objs, rows, strict=True):
        for attname, value in zip(back, row, strict=True):
            setattr(obj, attname, value)
        obj._state.adding = False
        obj._state.db = using
    return objs


def _bulk_create(model, objs, update_conflicts, using):
    manager = model._default_manager.using(using)
    if update_conflicts is None:
        return manager.bulk_create(objs)
    unique_fields, update_fields = update_conflicts
    return manager.bulk_create(
        objs, update_conflicts=True, unique_fields=unique_fields, update_fields=update_fields
    )


def _insert_sql(connection, opts, fields, rows: int, update_conflicts, computed) -> str:
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    row = "(" + ", ".join(computed.get(f.name, "%s") for f in fields) + ")"
    upsert = ""
    if update_conflicts is not None:
        unique_fields, update_fields = update_conflicts
        target = ", ".join(quote(opts.get_field(name).column) for name in unique_fields)
        updates = ", ".join(
            f"{quote(c)} = EXCLUDED.{quote(c)}"
            for c in (opts.get_field(name).column for name in update_fields)
        )
        upsert = f"ON CONFLICT({target}) DO UPDATE SET {updates} "
    # Quoted names from the model's metadata and placeholders only; values go as parameters.
    return (
        f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * rows)} {upsert}"  # noqa: S608
        "RETURNING "
        + ", ".join(
            f"{table}.{quote(opts.get_field(name).column)}" for name in [opts.pk.name, *computed]
        )
    )
