"""In-process domain events, delivered after the transaction that raised them commits.

Services call :func:`publish` inside their transaction; subscribers (SLA clocks, routing,
notifications, search indexing, real-time push) run only once the change is durable, and a
rolled-back change publishes nothing. At scale the same names go onto a task queue.
"""

import logging
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)

Subscriber = Callable[..., None]
_subscribers: dict[str, list[Subscriber]] = defaultdict(list)


def subscribe(name: str, handler: Subscriber) -> None:
    if handler not in _subscribers[name]:
        _subscribers[name].append(handler)


def unsubscribe(name: str, handler: Subscriber) -> None:
    if handler in _subscribers[name]:
        _subscribers[name].remove(handler)


def publish(name: str, **payload) -> None:
    handlers = list(_subscribers.get(name, ()))
    if not handlers:
        return

    def deliver() -> None:
        for handler in handlers:
            try:
                handler(**payload)
            except Exception:
                # A failing subscriber must not undo or hide a committed change.
                logger.exception("subscriber %r failed on %s", handler, name)

    transaction.on_commit(deliver, robust=True)
