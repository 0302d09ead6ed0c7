"""In-process domain events, delivered after the transaction that raised them commits.

Services call :func:`publish` inside their transaction; subscribers (SLA clocks, routing,
notifications, search indexing, real-time push) run only once the change is durable, and a
rolled-back change publishes nothing. At scale the same names go onto a task queue.

A subscriber that recomputes state from the database (like the SLA clocks) can subscribe with
a ``coalesce`` key function: within one transaction, events with the same key reach it once,
after commit, with the latest payload. A bulk load that touches a ticket eight times then
recomputes it once.

A few derived rows must change atomically with what they derive from (a new ticket's SLA
clocks). Their subscribers use :func:`subscribe_in_transaction`: they run at once, inside the
publisher's transaction and a savepoint of their own, and receive the ``subject`` object the
publisher passed along (the ticket itself, so nothing is read twice) and any ``detail`` (a new
ticket's log so far). Should one fail, the change still commits and the subscriber's
``recover`` callback runs after commit instead. A subscriber whose only write is one statement,
its last (``one_statement=True``), runs without the savepoint: a Python error before it has
written nothing and is still recovered after commit; a database error, which leaves
PostgreSQL's transaction aborted, fails the publisher's transaction.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Hashable
from contextlib import nullcontext

from django.db import DatabaseError, connection, transaction

logger = logging.getLogger(__name__)

Subscriber = Callable[..., None]
KeyFunction = Callable[..., Hashable]
_subscribers: dict[str, list[tuple[Subscriber, KeyFunction | None]]] = defaultdict(list)
_in_transaction: dict[str, list[tuple[Subscriber, Subscriber, bool]]] = defaultdict(list)


def subscribe(name: str, handler: Subscriber, *, coalesce: KeyFunction | None = None) -> None:
    if all(existing is not handler for existing, _key in _subscribers[name]):
        _subscribers[name].append((handler, coalesce))


def subscribe_in_transaction(
    name: str, handler: Subscriber, *, recover: Subscriber, one_statement: bool = False
) -> None:
    """``handler(subject, **payload, **detail)`` runs inside the publisher's transaction;
    ``recover(**payload)`` runs after commit if the handler raised. ``one_statement``: the
    handler writes with one statement, its last, so it runs without a savepoint (on
    PostgreSQL a SAVEPOINT and a RELEASE, two more statements the publisher waits for)."""
    if all(existing is not handler for existing, _recover, _one in _in_transaction[name]):
        _in_transaction[name].append((handler, recover, one_statement))


def unsubscribe(name: str, handler: Subscriber) -> None:
    _subscribers[name] = [(h, k) for h, k in _subscribers[name] if h is not handler]
    _in_transaction[name] = [entry for entry in _in_transaction[name] if entry[0] is not handler]


def _run_in_transaction(name: str, subject, detail: dict, payload: dict) -> None:
    for handler, recover, one_statement in list(_in_transaction.get(name, ())):
        try:
            with nullcontext() if one_statement else transaction.atomic():
                handler(subject, **payload, **detail)
        except DatabaseError:
            if one_statement:
                raise  # PostgreSQL has aborted the transaction, as for a statement of its own
            _recover_later(handler, recover, name, payload)
        except Exception:
            _recover_later(handler, recover, name, payload)


def _recover_later(handler: Subscriber, recover: Subscriber, name: str, payload: dict) -> None:
    logger.exception("subscriber %r failed on %s; recovering after commit", handler, name)
    transaction.on_commit(lambda: _deliver(recover, payload, name), robust=True)


def _deliver(handler: Subscriber, payload: dict, name: str) -> None:
    try:
        handler(**payload)
    except Exception:
        # A failing subscriber must not undo or hide a committed change.
        logger.exception("subscriber %r failed on %s", handler, name)


class _Delivery:
    """One coalesced delivery: registered once per transaction, it sends the latest payload."""

    def __init__(self, handler: Subscriber, name: str, key: tuple):
        self.handler, self.name, self.key = handler, name, key
        self.payload: dict = {}
        self.position = -1
        self.done = False

    def __call__(self) -> None:
        self.done = True
        pending = getattr(connection, "_sampark_coalesced", {})
        if pending.get(self.key) is self:
            del pending[self.key]
        _deliver(self.handler, self.payload, self.name)

    def is_pending(self) -> bool:
        """Still registered for this transaction's commit (a rollback drops registrations)."""
        callbacks = connection.run_on_commit
        return (
            not self.done and self.position < len(callbacks) and callbacks[self.position][1] is self
        )


def _coalesce(handler: Subscriber, name: str, key: Hashable, payload: dict) -> None:
    pending = getattr(connection, "_sampark_coalesced", None)
    if pending is None or not connection.run_on_commit:
        pending = {}  # nothing is pending: forget entries a rollback left behind
        connection._sampark_coalesced = pending
    delivery = pending.get((handler, key))
    if delivery is None or not delivery.is_pending():
        delivery = _Delivery(handler, name, (handler, key))
        transaction.on_commit(delivery, robust=True)
        delivery.position = len(connection.run_on_commit) - 1
        pending[(handler, key)] = delivery
    delivery.payload = payload


def publish(name: str, *, subject=None, detail: dict | None = None, **payload) -> None:
    """Announce a change. ``payload`` (plain values) reaches every subscriber; ``subject``, the
    changed object itself, and ``detail`` (keyword arguments) only the in-transaction ones."""
    if _in_transaction.get(name):
        _run_in_transaction(name, subject, detail or {}, payload)
    handlers = list(_subscribers.get(name, ()))
    if not handlers:
        return
    plain = [handler for handler, key in handlers if key is None]
    coalesced = [(handler, key) for handler, key in handlers if key is not None]
    if plain:

        def deliver() -> None:
            for handler in plain:
                _deliver(handler, payload, name)

        transaction.on_commit(deliver, robust=True)
    if coalesced:
        if not connection.in_atomic_block:
            for handler, _key in coalesced:
                _deliver(handler, payload, name)
            return
        for handler, key in coalesced:
            _coalesce(handler, name, key(**payload), payload)
