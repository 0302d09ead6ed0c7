"""Querysets compiled to SQL once per connection, then run many times with new values.

Profiles of the hot read paths (a ticket page, a queue page, a customer timeline, token
authentication) showed Django spending about half of each request turning querysets into SQL
(``SQLCompiler.as_sql``, ``filter``, query cloning), against a tenth in SQLite itself. The same
few query shapes run thousands of times with different ids, so :class:`Prepared` builds such a
queryset once with marker values, records where each marker lands among the SQL parameters,
and afterwards runs the stored SQL with the caller's values through Django's own iterables:
rows become model instances, ``values()`` dicts or tuples exactly as before, converters and
``select_related`` included, and queries still go through the connection's cursor wrappers
(query logging, ``CaptureQueriesContext``).

Rules for a prepared query:

- ``build(*markers, **shape)`` must return a finished queryset: slice it, order it and select
  what it needs. The result is a list; chaining on it is not possible.
- Each value is an ``int``, ``str``, aware ``datetime``, or a list of ints or of strings
  (``Prepared.INTS``, ``Prepared.TEXTS``), and must reach the SQL as a plain parameter
  (``=``, ``<``, ``__in``): not through ``LIKE`` patterns or functions. Compiling checks
  that every marker was found and refuses otherwise. Integer markers are far beyond any
  id, which Django range-checks on PostgreSQL: a value compared with a 32-bit column (a
  user's id) is ``Prepared.INT32``, one compared with a small integer column goes in
  ``shape``. Compiling refuses a query that markers make match nothing, but cannot see it
  when Django drops only a part of it (one side of a union, a subquery).
  A list is padded to the next power of two with its last item, for ``__in`` only.
- Anything that changes the SQL text itself (a limit, an optional filter) goes in ``shape``
  keywords; every distinct shape (and every length of a list value) is compiled once per
  connection, up to ``MAX_SHAPES``, after which queries are built the ordinary way.
- ``prefetch_related`` on the built queryset still works: prefetches run as ordinary queries.
- A builder whose values vary in number and kind with its input (a queue's filters) gets one
  prepared query per set of kinds from :meth:`Prepared.of_kinds`; with ``or_plain``, a shape
  whose values do not all reach the SQL is logged once and from then on built the ordinary
  way, instead of refused.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.sql.query import Query

logger = logging.getLogger("sampark.db.prepared")

MAX_SHAPES = 64
# Far outside any id, time or text the application stores.
_INT_BASE = 7_340_000_000_000_000
# For a 32-bit integer column (a user's id on PostgreSQL), which Django checks a value against:
# near the top of its range, far beyond any user id a help desk reaches.
_INT32_BASE = 2_147_000_000
_TIME_BASE = datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC)
_TEXT_BASE = "\ue000prepared-marker-"
_serial = itertools.count()
_UNSEEN = object()
_OF_KINDS: dict[tuple, Prepared] = {}


class _PreparedQuery(Query):
    """A compiled query: hands out its stored compiler, whose SQL takes this call's values."""

    bound: tuple = ()
    compiler_template: Any = None
    converters: Any = None
    sql: str = ""

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        compiler = object.__new__(type(self.compiler_template))
        compiler.__dict__.update(self.compiler_template.__dict__)
        sql, bound, converters = self.sql, self.bound, self.converters
        compiler.as_sql = lambda *args, **kwargs: (sql, bound)
        # Results are read through results_iter(), which looks the converters up per query.
        compiler.get_converters = lambda expressions: converters
        return compiler

    def chain(self, klass=None):
        raise TypeError("A prepared query is finished: build the variation in its build().")

    clone = chain


@dataclass
class _Entry:
    queryset: QuerySet | None  # None: the query can match nothing (an empty IN list)
    query: _PreparedQuery | None
    # For each SQL parameter: (index of the value that fills it, function adapting that value
    # as Django would), or (None, the constant the compiled query had there).
    slots: list[tuple[int | None, Any]]


class Prepared:
    """A query shape compiled once per database connection.

    ``Prepared(build, int, datetime)`` then ``query(42, some_time, limit=50)`` returns the list
    ``build(42, some_time, limit=50)`` would, without building or compiling it again.
    """

    INTS = "ints"
    # An int compared with a 32-bit integer column (``auth_user.id`` and the foreign keys to
    # it): PostgreSQL's 64-bit marker would fall outside the column's range.
    INT32 = "int32"
    INT32S = "int32s"  # a list of them
    TEXTS = "texts"
    LISTS = (INTS, TEXTS, INT32S)
    KINDS = (int, str, datetime, INTS, TEXTS, INT32, INT32S)

    def __init__(
        self,
        build: Callable[..., QuerySet],
        *kinds,
        using: str = DEFAULT_DB_ALIAS,
        or_plain: bool = False,
    ):
        for kind in kinds:
            if kind not in self.KINDS:
                raise ImproperlyConfigured(f"Not a kind of prepared value: {kind!r}")
        self.build = build
        self.kinds = kinds
        self.using = using
        self.or_plain = or_plain
        self.key = f"prepared-{next(_serial)}"

    @classmethod
    def of_kinds(cls, build: Callable, kinds: tuple, **options) -> Prepared:
        """The one prepared query of ``build`` for values of these ``kinds``, made on first
        use and kept for the process."""
        key = (cls, build, kinds, tuple(sorted(options.items())))
        made = _OF_KINDS.get(key)
        if made is None:
            made = _OF_KINDS.setdefault(key, cls(build, *kinds, **options))
        return made

    def __call__(self, *values, **shape) -> list:
        values, entry, bound = self._bind(values, shape)
        if entry is None:  # not prepared (past MAX_SHAPES, or or_plain): the ordinary way
            return list(self.build(*values, **shape))
        if entry.queryset is None:
            return []
        query = _PreparedQuery.__new__(_PreparedQuery)
        query.__dict__.update(entry.query.__dict__)
        query.bound = bound
        queryset = QuerySet.__new__(type(entry.queryset))
        queryset.__dict__.update(entry.queryset.__dict__)
        queryset._query = query
        return list(queryset)

    def _bind(self, values, shape) -> tuple[tuple, Any, tuple]:
        """The values (lists padded), the compiled entry of their shape (None when it is
        built the ordinary way) and the SQL parameters they fill."""
        if len(values) != len(self.kinds):
            raise TypeError(f"expected {len(self.kinds)} values, got {len(values)}")
        values = tuple(
            _padded(list(v)) if k in self.LISTS else v
            for v, k in zip(values, self.kinds, strict=True)
        )
        connection = connections[self.using]
        entries = connection.__dict__.setdefault("sampark_prepared", {}).setdefault(self.key, {})
        lengths = tuple(len(v) for v, k in zip(values, self.kinds, strict=True) if k in self.LISTS)
        key = (lengths, tuple(sorted(shape.items())))
        entry = entries.get(key, _UNSEEN)
        if entry is _UNSEEN:
            if len(entries) >= MAX_SHAPES:
                return values, None, ()
            entry = entries[key] = self._compile_or_plain(connection, lengths, shape)
        if entry is None:
            return values, None, ()
        flat = self._flatten(values)
        bound = tuple(fill if index is None else fill(flat[index]) for index, fill in entry.slots)
        return values, entry, bound

    def _compile_or_plain(self, connection, lengths, shape):
        """The compiled entry of a shape; with ``or_plain``, None for one that cannot be
        prepared (said once in the log)."""
        try:
            return self._compile(connection, lengths, shape)
        except ImproperlyConfigured:
            if not self.or_plain:
                raise
            logger.warning(
                "%s: built the ordinary way for %s",
                self.build.__qualname__,
                shape,
                exc_info=True,
            )
            return None

    def _flatten(self, values) -> list:
        flat = []
        for value, kind in zip(values, self.kinds, strict=True):
            if kind in self.LISTS:
                flat.extend(value)
            else:
                flat.append(value)
        return flat

    def _markers(self, lengths: tuple[int, ...]) -> tuple[list, list]:
        """The marker values to build with, and the same flattened in parameter order."""
        counter = itertools.count()
        lists = iter(lengths)
        args, flat = [], []
        for kind in self.kinds:
            if kind in self.LISTS:
                item = {self.INTS: int, self.INT32S: self.INT32}.get(kind, str)
                items = [_marker(item, next(counter)) for _ in range(next(lists))]
                args.append(items)
                flat.extend(items)
            else:
                marker = _marker(kind, next(counter))
                args.append(marker)
                flat.append(marker)
        return args, flat

    def _compile(self, connection, lengths, shape) -> _Entry:
        args, flat = self._markers(lengths)
        queryset = self.build(*args, **shape)
        if not isinstance(queryset, QuerySet):
            raise ImproperlyConfigured("A prepared build() must return a QuerySet.")
        compiler = queryset.query.get_compiler(connection=connection)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            if 0 in lengths:
                return _Entry(None, None, [])  # an empty IN list: nothing can match
            # Django drops a comparison whose value is out of the field's range (PostgreSQL
            # knows the range of a small integer column), so a marker did not fit.
            raise ImproperlyConfigured(
                f"{self.build.__qualname__}: the query matches nothing with marker values; "
                "a value for a small integer column must go in shape."
            ) from None
        slots = self._slots(connection, params, flat)
        query = _PreparedQuery.__new__(_PreparedQuery)
        query.__dict__.update(queryset.query.__dict__)
        query.compiler_template = compiler
        query.converters = compiler.get_converters(
            [column[0] for column in compiler.select[0 : compiler.col_count]]
        )
        query.sql = sql
        return _Entry(queryset, query, slots)

    def _slots(self, connection, params, flat: list) -> list[tuple[int | None, Any]]:
        """For each SQL parameter, the value that fills it (and how it is adapted), or the
        constant the compiled SQL had there; refused unless every marker reached the SQL."""
        slots: list[tuple[int | None, Any]] = []
        found = set()
        for param in params:
            slot = _find(connection, param, flat)
            if slot is None:
                slots.append((None, param))
            else:
                found.add(slot[0])
                slots.append(slot)
        missing = set(range(len(flat))) - found
        if missing:
            raise ImproperlyConfigured(
                f"{self.build.__qualname__}: values {sorted(missing)} do not reach the SQL as "
                "plain parameters, so the query cannot be prepared."
            )
        return slots


class PreparedSQL(Prepared):
    """One statement assembled from querysets (several counts in one ``SELECT``, say),
    compiled once per shape as :class:`Prepared` compiles a queryset: ``build(*markers,
    **shape)`` returns ``(sql, params, layout)``, and a call returns ``(sql, params,
    layout)`` with the caller's values in the parameters, for the caller to run. ``layout``
    is whatever the builder needs to read the result (kept with the compiled shape)."""

    def __call__(self, *values, **shape) -> tuple[str, tuple, Any]:
        values, entry, bound = self._bind(values, shape)
        if entry is None:
            return self.build(*values, **shape)
        return entry.sql, bound, entry.layout

    def _compile(self, connection, lengths, shape) -> _SQLEntry:
        args, flat = self._markers(lengths)
        sql, params, layout = self.build(*args, **shape)
        return _SQLEntry(sql, layout, self._slots(connection, params, flat))


@dataclass
class _SQLEntry:
    sql: str
    layout: Any
    slots: list[tuple[int | None, Any]]


def _marker(kind, n: int):
    if kind is int:
        return _INT_BASE + n
    if kind == Prepared.INT32:
        return _INT32_BASE + n
    if kind is str:
        return f"{_TEXT_BASE}{n}"
    return _TIME_BASE + timedelta(microseconds=n + 1)


# psycopg caches how it splits a statement into its parameters only for statements of at most
# 50 parameters, and re-parses longer ones on every call (psycopg._queries).
PSYCOPG_CACHED_PARAMS = 50


def _padded(items: list) -> list:
    """The list grown to the next power of two by repeating its last item, so that lists of
    many lengths share a few compiled shapes (``IN`` ignores the repeats). From 33 to 50 items
    it is grown to 50, not 64: a page of 50 tickets then stays within psycopg's cache."""
    size = 1
    while size < len(items):
        size *= 2
    if len(items) <= PSYCOPG_CACHED_PARAMS < size:
        size = PSYCOPG_CACHED_PARAMS
    return items + items[-1:] * (size - len(items)) if items else items


def _same(value):
    return value


def _adapters(connection, marker) -> tuple[Callable, ...]:
    """How a value of the marker's kind may look among the SQL parameters."""
    if isinstance(marker, datetime):
        return (_same, connection.ops.adapt_datetimefield_value)
    return (_same,)


def _find(connection, param, flat: list) -> tuple[int, Callable] | None:
    for index, marker in enumerate(flat):
        for adapt in _adapters(connection, marker):
            adapted = adapt(marker)
            if type(param) is type(adapted) and param == adapted:
                return index, adapt
            if type(adapted) is int and isinstance(param, int) and param == adapted:
                # Django hands PostgreSQL some integers typed (psycopg's Int4 for a 32-bit
                # column): the value is bound in the same type.
                return index, type(param)
    return None
