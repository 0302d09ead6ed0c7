"""SQLite writers take turns in order (a lock per process, then a lock file shared by all
processes) instead of sleeping in SQLite's busy handler, so the next transaction starts as soon
as the previous one ends."""

import threading
import time

import pytest
from django.db import OperationalError, connection, transaction

from sampark.db.sqlite3.base import WriterTurn
from sampark.tickets.models import Counter

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the writer turn is part of the SQLite backend"
)


def in_thread(function):
    thread = threading.Thread(target=function)
    thread.start()
    return thread


def test_a_turn_is_exclusive_and_waiting_gives_up_after_the_timeout(tmp_path):
    path = str(tmp_path / "db-writer")
    first, second = WriterTurn(path, timeout=5), WriterTurn(path, timeout=0.05)
    first.acquire()
    failed = []

    def wait():
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"):
            second.acquire()
        failed.append(time.monotonic() - started)

    in_thread(wait).join(5)
    assert failed and 0.05 <= failed[0] < 1

    first.release()
    second.acquire()  # free again
    assert second.held
    second.close()
    first.close()


def test_a_waiting_writer_starts_within_milliseconds_of_the_release(tmp_path):
    path = str(tmp_path / "db-writer")
    holder, waiter = WriterTurn(path, timeout=5), WriterTurn(path, timeout=5)
    holder.acquire()
    acquired = []

    def wait():
        waiter.acquire()
        acquired.append(time.monotonic())

    thread = in_thread(wait)
    time.sleep(0.2)  # SQLite's busy handler would be sleeping 100 ms at a time by now
    assert acquired == []
    released = time.monotonic()
    holder.release()
    thread.join(5)

    assert acquired and acquired[0] - released < 0.02
    waiter.close()
    holder.close()


def test_the_lock_file_keeps_out_other_processes(tmp_path):
    """Another process holds the file lock: this one waits for it, not only for its threads."""
    import subprocess
    import sys

    path = str(tmp_path / "db-writer")
    script = (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({path!r}, os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('locked', flush=True)\n"
        "time.sleep(0.3)\n"
    )
    command = [sys.executable, "-c", script]
    other = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
    assert other.stdout.readline().strip() == "locked"
    turn = WriterTurn(path, timeout=5)
    started = time.monotonic()
    turn.acquire()
    waited = time.monotonic() - started
    turn.close()
    other.wait(5)

    assert waited >= 0.1


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_transactions_hold_the_turn_until_they_commit_or_roll_back():
    with transaction.atomic():
        Counter.objects.filter(name="ticket").update(value=Counter.objects.get(name="ticket").value)
        assert connection.writer_turn.held
    assert not connection.writer_turn.held

    with pytest.raises(RuntimeError), transaction.atomic():
        assert connection.writer_turn.held
        raise RuntimeError("rolled back")
    assert not connection.writer_turn.held


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_take_turns_and_lose_nothing():
    def bump(times):
        try:
            for _ in range(times):
                with transaction.atomic():
                    row = Counter.objects.get(name="ticket")
                    time.sleep(0.001)  # a read-modify-write that only turns keep safe
                    Counter.objects.filter(name="ticket").update(value=row.value + 1)
        finally:
            connection.close()

    start = Counter.objects.get(name="ticket").value
    threads = [in_thread(lambda: bump(25)) for _ in range(4)]
    for thread in threads:
        thread.join(60)

    assert Counter.objects.get(name="ticket").value == start + 100


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_write_outside_a_transaction_waits_for_the_turn_not_in_the_busy_handler():
    """An autocommit write (Django's default outside atomic(), e.g. a task enqueued after a
    commit) queues for the turn like a transaction does. In SQLite's busy handler it lost every
    race to a stream of transactions and failed after the busy timeout."""
    holding, release = threading.Event(), threading.Event()

    def hold_the_turn():
        try:
            with transaction.atomic():
                Counter.objects.filter(name="ticket").update(value=0)
                holding.set()
                release.wait(5)
        finally:
            connection.close()

    holder = in_thread(hold_the_turn)
    holding.wait(5)
    try:
        # SQLite alone would give up at once; the turn makes this statement wait instead.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 0")
        threading.Timer(0.2, release.set).start()
        started = time.monotonic()
        Counter.objects.create(name="written-in-autocommit", value=7)
        waited = time.monotonic() - started
        holder.join(5)

        assert waited >= 0.1
        assert not connection.writer_turn.held
        assert Counter.objects.get(name="written-in-autocommit").value == 7
        with connection.cursor() as cursor:  # reads never take it
            cursor.execute("SELECT 1")
            assert not connection.writer_turn.held
    finally:
        release.set()
        connection.close()  # the next test gets the configured busy timeout back


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_a_write_outside_a_transaction_that_returns_rows_ends_within_its_turn():
    """SQLite holds the write lock of a statement with RETURNING until its rows are read, so
    they are read before the turn is given back: the next writer finds the database free."""
    import sqlite3

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tickets_counter SET value = value + 1 WHERE name = %s RETURNING value",
            ["ticket"],
        )
        assert not connection.writer_turn.held
        other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")  # "database is locked" if the statement were open
            other.execute("ROLLBACK")
        finally:
            other.close()

        assert cursor.fetchone() == (Counter.objects.get(name="ticket").value,)
        assert cursor.fetchone() is None
