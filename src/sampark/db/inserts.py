"""INSERT statements written once per connection, for the rows every new ticket adds.

Opening a ticket inserts a contact and its identities, the ticket and its first events while it
holds SQLite's single write lock, so every millisecond there is a millisecond no other ticket
can be written. Django's ``create`` and ``bulk_create`` compile the same INSERT for each call
(``SQLInsertCompiler.as_sql``, about a fifth of the lock's time); :func:`insert` keeps the SQL
for each model and row count on the connection and only prepares the values, the way Django
does: ``pre_save`` (``auto_now_add`` and the like), then ``get_db_prep_save``.

Like ``bulk_create``, it sends no ``pre_save``/``post_save`` signals (Sampark connects none). It
falls back to ``bulk_create`` for what it does not cover: a value that is an expression, a field
with its own SQL placeholder, a primary key already set, or a database that cannot return the
new keys from a multi-row INSERT.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

CACHE_KEY = "sampark_inserts"
M = TypeVar("M", bound=Model)


def insert(objs: Sequence[M], *, using: str = DEFAULT_DB_ALIAS) -> list[M]:
    """Insert unsaved instances of one model with one statement; they get their primary keys.
    Returns them, as ``bulk_create`` does."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    connection = connections[using]
    opts = model._meta
    pk = opts.pk
    fields = [f for f in opts.concrete_fields if f is not pk]
    if (
        not connection.features.can_return_rows_from_bulk_insert
        or any(type(obj) is not model or obj.pk is not None for obj in objs)
        or any(hasattr(f, "get_placeholder") for f in fields)
    ):
        return model._default_manager.using(using).bulk_create(objs)
    params = []
    for obj in objs:
        for field in fields:
            value = field.pre_save(obj, True)
            if hasattr(value, "resolve_expression"):
                return model._default_manager.using(using).bulk_create(objs)
            params.append(field.get_db_prep_save(value, connection=connection))
    cache = connection.__dict__.setdefault(CACHE_KEY, {})
    sql = cache.get((model, len(objs)))
    if sql is None:
        sql = cache[(model, len(objs))] = _insert_sql(connection, opts, fields, len(objs))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = cursor.fetchall()
    for obj, (key,) in zip(objs, keys, strict=True):
        setattr(obj, pk.attname, key)
        obj._state.adding = False
        obj._state.db = using
    return objs


def _insert_sql(connection, opts, fields, rows: int) -> str:
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Quoted names from the model's metadata and placeholders only; values go as parameters.
    return (
        f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * rows)} "  # noqa: S608
        f"RETURNING {table}.{quote(opts.pk.column)}"
    )
