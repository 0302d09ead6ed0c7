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
ticket's log so far). A publisher that knows its subject before its transaction can have them
:func:`prepare` their work there (the SLA clocks compute due times before a ticket create takes
SQLite's write lock) and pass the result on; a handler given prepared work writes it in one
statement and runs without a savepoint. Should one fail, the change still commits and the
subscriber's ``recover`` callback runs after commit instead; only a database error in prepared
work, which leaves PostgreSQL's transaction aborted, fails the publisher's transaction.
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
_in_transaction: dict[str, list[tuple[Subscriber, Subscriber]]] = defaultdict(list)
_preparers: dict[str, dict[Subscriber, Subscriber]] = defaultdict(dict)


def subscribe(name: str, handler: Subscriber, *, coalesce: KeyFunction | None = None) -> None:
    if all(existing is not handler for existing, _key in _subscribers[name]):
        _subscribers[name].append((handler, coalesce))


def subscribe_in_transaction(
    name: str, handler: Subscriber, *, recover: Subscriber, prepare: Subscriber | None = None
) -> None:
    """``handler(subject, **payload, **detail)`` runs inside the publisher's transaction;
    ``recover(**payload)`` runs after commit if the handler raised. ``prepare(subject,
    **detail)``, if given, runs when the publisher calls :func:`prepare`; what it returns
    reaches the handler as ``prepared=``, and the handler then runs without a savepoint: it
    must write that work in one statement (then nothing of it can be left half written)."""
    if all(existing is not handler for existing, _recover in _in_transaction[name]):
        _in_transaction[name].append((handler, recover))
    if prepare is not None:
        _preparers[name][handler] = prepare


def prepare(name: str, subject, **detail) -> dict:
    """Let the in-transaction subscribers of ``name`` do their work for ``subject`` now,
    before the publisher's transaction; pass the result to :func:`publish` as ``prepared``.
    A subscriber whose preparing fails does its work inside the transaction as usual."""
    prepared = {}
    for handler, prepare_for in list(_preparers.get(name, {}).items()):
        try:
            prepared[handler] = prepare_for(subject, **detail)
        except Exception:
            logger.exception("subscriber %r could not prepare for %s", handler, name)
    return prepared


def unsubscribe(name: str, handler: Subscriber) -> None:
    _subscribers[name] = [(h, k) for h, k in _subscribers[name] if h is not handler]
    _in_transaction[name] = [(h, r) for h, r in _in_transaction[name] if h is not handler]
    _preparers[name].pop(handler, None)


def _run_in_transaction(name: str, subject, detail: dict, prepared: dict, payload: dict) -> None:
    for handler, recover in list(_in_transaction.get(name, ())):
        ready = handler in prepared
        extra = {"prepared": prepared[handler]} if ready else {}
        try:
            # Work prepared before the transaction is only written now, in one statement: no
            # savepoint of its own, which was a SAVEPOINT and a RELEASE, two of the nine
            # statements of a ticket create on PostgreSQL. A Python error is still recovered
            # after commit; a database error fails the publisher's transaction, as one of its
            # own statements would (PostgreSQL has aborted it).
            with nullcontext() if ready else transaction.atomic():
                handler(subject, **payload, **detail, **extra)
        except DatabaseError:
            if ready:
                raise
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


def publish(
    name: str, *, subject=None, detail: dict | None = None, prepared: dict | None = None, **payload
) -> None:
    """Announce a change. ``payload`` (plain values) reaches every subscriber; ``subject``, the
    changed object itself, ``detail`` (keyword arguments) and what :func:`prepare` returned
    only the in-transaction ones."""
    if _in_transaction.get(name):
        _run_in_transaction(name, subject, detail or {}, prepared or {}, payload)
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
