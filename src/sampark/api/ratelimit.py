"""Fixed-window rate limits that hold across every server process.

``sampark serve`` runs one process per core, and behind a load balancer there are more, so a
count kept in one process's memory would let N processes allow N times the limit. The counts
live where every process sees them: in Redis when ``SAMPARK_REDIS_URL`` is set, else in the
database (``core.RateWindow``, a row per scope, key and window) on PostgreSQL, and on the
embedded SQLite in a small SQLite file of their own beside the database. A hit is one atomic round
trip either way, an upsert that returns the new count or INCR and EXPIREAT in one pipeline,
because the API answers hundreds of requests a second and each one counts. Windows are fixed
(a token's ``3000/m`` counts from the top of each minute): cheap, and at most twice the rate
can pass across a window's edge.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from typing import Protocol

from django.conf import settings
from django.db import connection

logger = logging.getLogger("sampark.api.ratelimit")

# Longer keys are cut: a client address or an agent's id is far shorter.
KEY_LENGTH = 200


def parse_rate(rate: str) -> tuple[int, int] | None:
    """``"3000/m"`` -> (3000, 60). ``"off"`` or an empty string turns the limit off."""
    rate = (rate or "").strip().lower()
    if rate in ("", "off", "none", "0"):
        return None
    count, _sep, unit = rate.partition("/")
    seconds = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400}
    if not count.isdigit() or unit not in seconds:
        raise ValueError(f"rate must look like 3000/m, not {rate!r}")
    return int(count), seconds[unit]


class Store(Protocol):
    def add(self, scope: str, key: str, window_ends: int) -> int:
        """Count one hit in the window that ends at ``window_ends``; the hits so far."""

    def count(self, scope: str, key: str, window_ends: int) -> int:
        """The hits so far in that window, without counting one."""

    def forget_expired(self, now: int) -> int:
        """Drop the windows that ended by ``now``; how many were dropped."""


class DatabaseWindows:
    """The counts in the database, for the embedded default and any install without Redis.
    The same SQL on SQLite (3.35+) and PostgreSQL. On SQLite the upsert takes the writer turn
    like any write outside a transaction (sampark.db.sqlite3)."""

    HIT = (
        'INSERT INTO core_ratewindow (scope, "key", window_ends, hits) VALUES (%s, %s, %s, 1) '
        'ON CONFLICT (scope, "key", window_ends) DO UPDATE SET hits = core_ratewindow.hits + 1 '
        "RETURNING hits"
    )
    SEEN = 'SELECT hits FROM core_ratewindow WHERE scope = %s AND "key" = %s AND window_ends = %s'
    FORGET = "DELETE FROM core_ratewindow WHERE window_ends <= %s"
    ALL = 'SELECT scope, "key", window_ends, hits FROM core_ratewindow ORDER BY 1, 2, 3'

    def add(self, scope: str, key: str, window_ends: int) -> int:
        with connection.cursor() as cursor:
            cursor.execute(self.HIT, (scope, key, window_ends))
            return cursor.fetchone()[0]

    def count(self, scope: str, key: str, window_ends: int) -> int:
        with connection.cursor() as cursor:
            cursor.execute(self.SEEN, (scope, key, window_ends))
            row = cursor.fetchone()
        return row[0] if row else 0

    def forget_expired(self, now: int) -> int:
        with connection.cursor() as cursor:
            cursor.execute(self.FORGET, (now,))
            return cursor.rowcount

    def windows(self) -> list[tuple[str, str, int, int]]:
        """Every window counted: (scope, key, window_ends, hits)."""
        with connection.cursor() as cursor:
            cursor.execute(self.ALL)
            return cursor.fetchall()


class SQLiteFileWindows(DatabaseWindows):
    """On the embedded SQLite: the counts in a file of their own beside the database
    (``<database>-ratelimits``), which every process on the machine opens.

    Counting in the main database made every API request a write there. SQLite has one
    writer at a time, so each count queued with the ticket creates for the write lock, and a
    write makes every other connection drop its page cache at its next read: at 100k tickets
    the group queue fell from about 290 to 120-230 requests a second. A file of its own
    has its own lock and leaves the main database's caches alone. The counts need no
    durability (``synchronous=OFF``): a crash forgets at most the current windows."""

    TABLE = (
        "CREATE TABLE IF NOT EXISTS core_ratewindow (scope TEXT NOT NULL, key TEXT NOT NULL, "
        "window_ends INTEGER NOT NULL, hits INTEGER NOT NULL, "
        "PRIMARY KEY (scope, key, window_ends)) WITHOUT ROWID"
    )

    def __init__(self, path: str):
        self.path = path
        self.local = threading.local()

    def _db(self) -> sqlite3.Connection:
        db = getattr(self.local, "db", None)
        if db is None or self.local.pid != os.getpid():  # a forked worker opens its own
            db = sqlite3.connect(self.path, timeout=5.0, isolation_level=None)
            self._prepare(db)
            self.local.db, self.local.pid = db, os.getpid()
        return db

    def _prepare(self, db: sqlite3.Connection) -> None:
        """WAL and the table. Switching a new file to WAL needs it to itself, and SQLite
        answers "database is locked" at once, without waiting, when another process (a second
        worker starting at the same moment) is doing the same: so wait and try again."""
        for attempt in range(100):
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=OFF")
                db.execute(self.TABLE)
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or attempt == 99:
                    raise
                time.sleep(0.05)

    def add(self, scope: str, key: str, window_ends: int) -> int:
        return (
            self._db().execute(self.HIT.replace("%s", "?"), (scope, key, window_ends)).fetchone()[0]
        )

    def count(self, scope: str, key: str, window_ends: int) -> int:
        row = self._db().execute(self.SEEN.replace("%s", "?"), (scope, key, window_ends)).fetchone()
        return row[0] if row else 0

    def forget_expired(self, now: int) -> int:
        return self._db().execute(self.FORGET.replace("%s", "?"), (now,)).rowcount

    def windows(self) -> list[tuple[str, str, int, int]]:
        return self._db().execute(self.ALL).fetchall()

    def forget_all(self) -> None:
        """Every count (tests start from none; the database's rows roll back by themselves)."""
        self._db().execute("DELETE FROM core_ratewindow")


class RedisWindows:
    """The counts in Redis (``pip install 'sampark[redis]'``): a key per scope, key and window
    that expires when its window ends. If Redis cannot be reached the request is let through
    and a warning logged (at most once a minute): a rate limit is no reason to stop serving."""

    WARN_EVERY = 60.0

    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        self.unreachable = redis.RedisError
        self.warned_at = -self.WARN_EVERY

    def add(self, scope: str, key: str, window_ends: int) -> int:
        name = f"sampark:rl:{scope}:{key}:{window_ends}"
        pipe = self.client.pipeline(transaction=False)
        pipe.incr(name)
        pipe.expireat(name, window_ends + 1)
        try:
            hits, _expiring = pipe.execute()
        except self.unreachable as error:
            self._warn(error)
            return 0
        return hits

    def count(self, scope: str, key: str, window_ends: int) -> int:
        try:
            value = self.client.get(f"sampark:rl:{scope}:{key}:{window_ends}")
        except self.unreachable as error:
            self._warn(error)
            return 0
        return int(value or 0)

    def forget_expired(self, now: int) -> int:
        return 0  # Redis expires each window's key itself

    def _warn(self, error: Exception) -> None:
        if time.monotonic() - self.warned_at >= self.WARN_EVERY:
            self.warned_at = time.monotonic()
            logger.warning("rate limits are not counted: Redis is unreachable (%s)", error)


_store: Store | None = None


def store() -> Store:
    """Redis when SAMPARK_REDIS_URL is set; else on SQLite a file of its own, on PostgreSQL
    the database; chosen once per process."""
    global _store
    if _store is None:
        _store = _choose()
    return _store


def _choose() -> Store:
    if settings.SAMPARK_REDIS_URL:
        return RedisWindows(settings.SAMPARK_REDIS_URL)
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite" and name != ":memory:" and "mode=memory" not in name:
        return SQLiteFileWindows(f"{name}-ratelimits")
    return DatabaseWindows()


def _window_ends(window: int) -> int:
    return (int(time.time()) // window + 1) * window


def hit(scope: str, ident: str, limit: tuple[int, int] | None) -> bool:
    """Count one request for ``ident``; False once it is over the limit in this window."""
    if limit is None:
        return True
    count, window = limit
    return store().add(scope, ident[:KEY_LENGTH], _window_ends(window)) <= count


def seen(scope: str, ident: str, limit: tuple[int, int] | None) -> int:
    """How many hits ``ident`` has in the current window (without counting one)."""
    if limit is None:
        return 0
    _count, window = limit
    return store().count(scope, ident[:KEY_LENGTH], _window_ends(window))


def forget_expired() -> int:
    """Drop the windows that have ended (the worker's sweep calls this); how many."""
    return store().forget_expired(int(time.time()))
