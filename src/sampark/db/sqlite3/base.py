"""Django's SQLite backend, with writers taking turns in order instead of in SQLite's busy handler.

SQLite allows one writer at a time, and every Sampark transaction begins IMMEDIATE, so takes
the write lock. A writer that finds it taken waits in SQLite's busy handler, which sleeps in
growing steps (up to 100 ms) whatever the holder is doing: a 3 ms transaction then waits tens
of milliseconds, and one process can lose the race many times in a row. Here a transaction
first takes its process's writer lock (threads queue on it without polling), then an advisory
``flock`` on ``<database>-writer`` shared by every process (polled every 0.1-0.2 ms, by at most
one thread per process), and gives both back when it commits or rolls back. Polling up to
every 1 ms left the lock idle for a quarter of the time when ticket creates queued for it
(190 creates/s; 230/s at 0.2 ms, and no better at 0.05 ms). SQLite's own lock
and busy timeout still guard anything that does not take the lock file (the sqlite3 shell, a
bulk loader).
"""

from __future__ import annotations

import os
import threading
import time

from django.db import OperationalError
from django.db.backends.sqlite3 import base

try:
    import fcntl
except ImportError:  # not POSIX: SQLite's busy handler alone
    fcntl = None

_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


def _process_lock(path: str) -> threading.Lock:
    with _process_locks_guard:
        return _process_locks.setdefault(path, threading.Lock())


class WriterTurn:
    """The right to write: this process's lock for ``path``, then the file lock on it."""

    FIRST_WAIT = 0.0001
    LONGEST_WAIT = 0.0002

    def __init__(self, path: str, timeout: float):
        self.path, self.timeout = path, timeout
        self.local = _process_lock(path)
        self.fd: int | None = None
        self.held = False

    def acquire(self) -> None:
        if self.held:
            return
        deadline = time.monotonic() + self.timeout
        if not self.local.acquire(timeout=self.timeout):
            raise OperationalError("database is locked")
        try:
            if self.fd is None:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            wait = self.FIRST_WAIT
            while True:
                try:
                    fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise OperationalError("database is locked") from None
                    time.sleep(wait)
                    wait = min(wait * 2, self.LONGEST_WAIT)
        except BaseException:
            self.local.release()
            raise
        self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            try:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
            finally:
                self.local.release()

    def close(self) -> None:
        self.release()
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _on_disk(name) -> bool:
    name = str(name)
    return bool(name) and name != ":memory:" and not name.startswith("file:")


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")


class TurnTakingCursor(base.SQLiteCursorWrapper):
    """A write outside a transaction (Django's autocommit, e.g. a task enqueued in an
    on-commit hook) takes the writer turn for its one statement. Left to SQLite's busy
    handler, it lost every race to a stream of transactions, such as a background recompute
    of every active ticket, and failed with "database is locked" after the busy timeout."""

    turn: WriterTurn | None = None
    # The rows of a write that returned some (RETURNING), read while it held the turn.
    held: list | None = None

    def execute(self, query, params=None):
        return self._in_turn(super().execute, query, params)

    def executemany(self, query, param_list):
        return self._in_turn(super().executemany, query, param_list)

    def _in_turn(self, run, query, params):
        self.held = None
        if self.turn is None or self.connection.in_transaction or not _writes(query):
            return run(query, params)
        self.turn.acquire()
        try:
            result = run(query, params)
            if self.description is not None:
                # SQLite commits such a statement, and lets go of its write lock, only once
                # its rows are read: read them before the next writer is let in.
                self.held = super().fetchall()
            return result
        finally:
            self.turn.release()

    def fetchone(self):
        if self.held is None:
            return super().fetchone()
        return self.held.pop(0) if self.held else None

    def fetchmany(self, size=None):
        if self.held is None:
            return super().fetchmany(self.arraysize if size is None else size)
        size = self.arraysize if size is None else size
        rows, self.held = self.held[:size], self.held[size:]
        return rows

    def fetchall(self):
        if self.held is None:
            return super().fetchall()
        rows, self.held = self.held, []
        return rows

    def __next__(self):
        if self.held is None:
            return super().__next__()
        if not self.held:
            raise StopIteration
        return self.held.pop(0)


def _writes(query: str) -> bool:
    return query.lstrip()[:6].upper() in _WRITES


class DatabaseWrapper(base.DatabaseWrapper):
    writer_turn: WriterTurn | None = None

    def create_cursor(self, name=None):
        cursor = self.connection.cursor(factory=TurnTakingCursor)
        cursor.turn = self.writer_turn
        return cursor

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        name = self.settings_dict["NAME"]
        if fcntl is not None and _on_disk(name) and self.writer_turn is None:
            timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5))
            self.writer_turn = WriterTurn(f"{name}-writer", timeout)
        return connection

    def _start_transaction_under_autocommit(self):
        if self.writer_turn is not None:
            self.writer_turn.acquire()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._end_turn()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._end_turn()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._end_turn()

    def _close(self):
        try:
            return super()._close()
        finally:
            if self.writer_turn is not None:
                self.writer_turn.close()
                self.writer_turn = None

    def _end_turn(self) -> None:
        if self.writer_turn is not None:
            self.writer_turn.release()
