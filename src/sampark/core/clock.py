"""The time services stamp on what they write.

Normally the current time. Importers and the demo loader replay history through the same
services with :func:`replaying_at`, so an imported reply carries the time it was really sent
and every rule (reopen, first response, SPOC window) sees the time of the replayed action.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

_replay_time: ContextVar[datetime | None] = ContextVar("sampark_replay_time", default=None)


def now() -> datetime:
    return _replay_time.get() or timezone.now()


@contextmanager
def replaying_at(moment: datetime) -> Iterator[None]:
    if timezone.is_naive(moment):
        raise ValueError("replaying_at needs an aware datetime")
    token = _replay_time.set(moment)
    try:
        yield
    finally:
        _replay_time.reset(token)
