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

import functools
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
    generated = pk.db_returning
    fields, given, placeholders = _columns(model, tuple(computed))
    if (
        not connection.features.can_return_rows_from_bulk_insert
        or placeholders
        or any(type(obj) is not model or (obj.pk is None) != generated for obj in objs)
    ):
        if computed:
            raise NotImplementedError("computed columns need INSERT ... RETURNING")
        return _bulk_create(model, objs, update_conflicts, using)
    params = []
    for obj in objs:
        values = _values(connection, obj, given)
        if values is None:  # an expression
            if computed:
                raise NotImplementedError("an expression value beside computed columns")
            return _bulk_create(model, objs, update_conflicts, using)
        params += values
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
        _saved(obj, using)
    return objs


def insert_with_children(
    parent: M,
    children: Sequence[Model],
    *,
    link: str,
    computed: dict[str, str] | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> M:
    """Insert ``parent``, then ``children``: unsaved instances of one model whose foreign key
    ``link`` points at ``parent``. As ``insert([parent], computed=computed)`` followed by
    ``insert(children)``, and in the same order: the children's keys ascend as they are given.

    On PostgreSQL both go in one statement, the parent's INSERT in a WITH that the children's
    INSERT ... SELECT reads its key from: one round trip instead of two. Opening a ticket does
    this twice (a new contact with its identities, the ticket with its opening events), and
    every statement a create sends costs it Python's and PostgreSQL's time per statement and a
    wait for the reply. Elsewhere, and for what :func:`insert` would not send as one INSERT
    either, it runs the two inserts."""
    children = list(children)
    connection = connections[using]
    computed = computed or {}
    statement = _family_statement(connection, parent, children, link, computed)
    if statement is None:
        insert([parent], computed=computed, using=using)
        insert(children, using=using)
        return parent
    sql, params = statement
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    opts = type(parent)._meta
    parent_back = [opts.pk.attname, *(opts.get_field(name).attname for name in computed)]
    for attname, value in zip(parent_back, rows[0][1:], strict=True):
        setattr(parent, attname, value)
    _saved(parent, using)
    child_pk = type(children[0])._meta.pk.attname
    for child, row in zip(children, rows, strict=True):
        setattr(child, child_pk, row[0])
        setattr(child, link, parent)  # its key, now that the parent has one
        _saved(child, using)
    return parent


def _saved(obj: Model, using: str) -> None:
    obj._state.adding = False
    obj._state.db = using


def _family_statement(connection, parent, children, link, computed) -> tuple[str, list] | None:
    """The one-statement INSERT of a parent and its children, with its parameters; None when
    it does not apply (not PostgreSQL, no children, or what :func:`insert` falls back on)."""
    if connection.vendor != "postgresql" or not children:
        return None
    model, child_model = type(parent), type(children[0])
    fields, given, placeholders = _columns(model, tuple(computed))
    child_fields, _given, child_placeholders = _columns(child_model, ())
    link_field = child_model._meta.get_field(link)
    child_given = [f for f in child_fields if f is not link_field]
    cache = connection.__dict__.setdefault(CACHE_KEY, {})
    kept = cache.get((child_model, link))
    if kept is None:  # the casts, and the relations to check (a set: looked up per field)
        kept = cache[(child_model, link)] = (
            _casts(connection, child_given) or (),
            frozenset(child_given),
        )
    casts, check = kept
    if (
        placeholders
        or child_placeholders
        or not casts
        or not (model._meta.pk.db_returning and parent.pk is None)
        or not child_model._meta.pk.db_returning
        or any(type(c) is not child_model or c.pk is not None for c in children)
    ):
        return None
    params = _values(connection, parent, given)
    for child in children:
        child_params = _values(connection, child, child_given, check=check)
        if params is None or child_params is None:
            return None
        params += child_params
    key = (model, child_model, link, len(children), tuple(computed.items()))
    sql = cache.get(key)
    if sql is None:
        sql = cache[key] = _family_sql(
            connection,
            model,
            fields,
            computed,
            child_model,
            link_field,
            child_given,
            casts,
            len(children),
        )
    return sql, params


def _values(connection, obj, given, *, check=None) -> list | None:
    """``obj``'s parameters for ``given`` fields, prepared as Django does (``pre_save``, then
    ``get_db_prep_save``); None for an expression value. As ``bulk_create``, it first refuses an
    unsaved related object and takes a related key set since; ``check``: the relations to
    check (all by default)."""
    obj._prepare_related_fields_for_save(operation_name="insert", fields=check)
    params = []
    for field in given:
        value = field.pre_save(obj, True)
        if hasattr(value, "resolve_expression"):
            return None
        params.append(field.get_db_prep_save(value, connection=connection))
    return params


def _casts(connection, fields: list) -> tuple | None:
    """The SQL cast each field's parameter needs inside VALUES in a SELECT, where PostgreSQL
    takes an untyped parameter for text: none for text columns, the column's own type for the
    others. None if a type would change the value on the way (a length or a precision: a cast
    to varchar(n) cuts a longer string instead of refusing it)."""
    casts = []
    for field in fields:
        db_type = field.db_type(connection) or ""
        if db_type.startswith(("varchar", "character varying", "text", "char")):
            casts.append("")
        elif "(" in db_type or not db_type:
            return None
        else:
            casts.append(f"::{db_type}")
    return tuple(casts)


def _family_sql(
    connection, model, fields, computed, child_model, link_field, child_given, casts, count
) -> str:
    quote = connection.ops.quote_name
    opts, child_opts = model._meta, child_model._meta
    parent_sql = _insert_sql(connection, opts, fields, 1, None, computed)
    back = [opts.pk.column, *(opts.get_field(name).column for name in computed)]
    row = ", ".join(f"%s{cast}" for cast in casts)
    values = ", ".join(f"({n}, {row})" for n in range(count))
    names = ", ".join(f"v{i}" for i in range(len(child_given)))
    columns = ", ".join(quote(f.column) for f in [link_field, *child_given])
    child_table = quote(child_opts.db_table)
    # Quoted names from the models' metadata and placeholders only; values go as parameters.
    return (
        f"WITH parent AS ({parent_sql}) "  # noqa: S608
        f"INSERT INTO {child_table} ({columns}) "
        f"SELECT parent.{quote(opts.pk.column)}, {names} FROM parent, "
        f"(VALUES {values}) AS v (n, {names}) ORDER BY v.n "
        f"RETURNING {child_table}.{quote(child_opts.pk.column)}, "
        + ", ".join(f"(SELECT {quote(c)} FROM parent)" for c in back)  # noqa: S608
    )


@functools.cache
def _columns(model: type[Model], computed: tuple[str, ...]) -> tuple[list, list, bool]:
    """The fields that go in the INSERT, those of them whose values are given (not computed),
    and whether any field writes its own SQL placeholder. An auto field's key comes from the
    database; any other key (a one-to-one primary key, such as an SLA clock's ticket) is
    given, and goes in with the other columns."""
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if not (pk.db_returning and f is pk)]
    given = [f for f in fields if f.name not in computed]
    return fields, given, any(hasattr(f, "get_placeholder") for f in fields)


def _bulk_create(model, objs, update_conflicts, using):
    manager = model._default_manager.using(using)
    if update_conflicts is None:
        return manager.bulk_create(objs)  # lint: allow the services' insert path
    unique_fields, update_fields = update_conflicts
    return manager.bulk_create(  # lint: allow the services' insert path
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
