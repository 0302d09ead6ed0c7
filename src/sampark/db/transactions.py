"""Transactions for services that are also steps of a larger, all-or-nothing change.

A service is atomic on its own: called alone it is one transaction; called inside another
transaction it runs in a savepoint, so that its caller may catch its failure and keep the rest.
A workflow that fails as a whole whenever any step fails (the intake: find or create the
contact, then open the ticket) has no use for those savepoints, and on PostgreSQL each one is
two more statements a create waits for (``SAVEPOINT``, ``RELEASE``).

Inside :func:`all_or_nothing`, services decorated with :func:`step` join the transaction
without a savepoint; a failure in one then fails the whole block, which is what the block
promised. Everywhere else :func:`step` is ``transaction.atomic``. Service signatures do not
change: whether a savepoint is worth its round trips is the caller's knowledge, and it says so
by how it opens its transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.db import transaction

F = TypeVar("F", bound=Callable)
# The depth of atomic blocks (``connection.atomic_blocks``) at which a step may join without a
# savepoint: the all-or-nothing block itself, or a step that joined it.
_JOINABLE = "_sampark_joinable_depth"


@contextmanager
def all_or_nothing() -> Iterator[None]:
    """One transaction in which every :func:`step` commits together or not at all."""
    with transaction.atomic():
        connection = transaction.get_connection()
        previous = getattr(connection, _JOINABLE, None)
        setattr(connection, _JOINABLE, len(connection.atomic_blocks))
        try:
            yield
        finally:
            setattr(connection, _JOINABLE, previous)


def step(service: F) -> F:
    """``transaction.atomic`` for a service, without a savepoint inside :func:`all_or_nothing`."""

    @functools.wraps(service)
    def run(*args, **kwargs):
        connection = transaction.get_connection()
        depth = len(connection.atomic_blocks)
        joins = connection.in_atomic_block and getattr(connection, _JOINABLE, None) == depth
        with transaction.atomic(savepoint=not joins):
            if not joins:
                return service(*args, **kwargs)
            setattr(connection, _JOINABLE, depth + 1)
            try:
                return service(*args, **kwargs)
            finally:
                setattr(connection, _JOINABLE, depth)

    return run
