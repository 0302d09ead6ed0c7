"""The background worker: runs queued tasks (Django Tasks on the database queue), sends the
email that is due (every round), polls the mailboxes by IMAP every SAMPARK_MAIL_POLL_SECONDS,
and runs the periodic sweeps (SLA timers and reminders, escalation due times, leave and waiting
tickets, ended rate-limit windows, the active tickets' rollup folded, SQLite's planner
statistics once a table has grown).

``sampark worker`` runs it in the foreground; ``sampark serve`` runs one in a thread unless
told ``--no-worker``. Any number can run against one PostgreSQL database: tasks are claimed
with SKIP LOCKED, every SLA alert is recorded once per clock cycle and every escalation's due
time is noticed once, whoever fires it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from django.db import close_old_connections, connections

from sampark.api import ratelimit
from sampark.assignment import sweep as assignment
from sampark.db import statistics
from sampark.mail import imap
from sampark.mail.services import outbound
from sampark.sla import services as sla
from sampark.tickets import active_counts
from sampark.tickets import services as tickets

logger = logging.getLogger("sampark.serving.worker")


class Worker:
    def __init__(
        self,
        *,
        poll_seconds: float = 1.0,
        sweep_seconds: float | None = None,
        worker_id: str | None = None,
        mail_poll_seconds: float | None = None,
    ):
        from django.conf import settings

        self.poll_seconds = poll_seconds
        self.sweep_seconds = (
            settings.SAMPARK_SWEEP_SECONDS if sweep_seconds is None else sweep_seconds
        )
        self.worker_id = worker_id or f"{socket.gethostname()}-{os.getpid()}"
        self.stopping = threading.Event()
        self._last_sweep = 0.0
        self.mail_poll_seconds = (
            settings.SAMPARK_MAIL_POLL_SECONDS if mail_poll_seconds is None else mail_poll_seconds
        )
        self._last_mail_poll = 0.0
        self._mail_thread: threading.Thread | None = None

    def run_tasks(self) -> None:
        """Run every task that is ready now, then return."""
        from django_tasks_db.management.commands.db_worker import Worker as TaskWorker

        TaskWorker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        ).run()

    def send_mail(self) -> None:
        """Every round, not every sweep: a reply leaves as soon as its undo window ends."""
        sent = outbound.deliver_due()
        if sent:
            logger.info("mail out: %s", sent)

    def sweep(self):
        """The periodic sweep: SLA timers and reminders, escalations due soon and overdue,
        leave starting and ending, tickets waiting for their SPOC, and the rate-limit windows
        that have ended (kept in the database unless Redis expires them), the active tickets'
        rollup folded to a row per key, and SQLite's planner statistics when a table has grown
        by a quarter since they were measured."""
        ratelimit.forget_expired()
        result = sla.sweep()
        if result.tickets:
            logger.info(
                "swept %d tickets: %d warnings, %d breaches, %d reminders",
                result.tickets,
                result.warnings,
                result.breaches,
                result.reminders,
            )
        # After the SLA timers, which must not wait for them.
        passed = tickets.sweep_escalations()
        if passed.overdue or passed.warnings or passed.quiet:
            logger.info("escalations: %s", passed)
        assigned = assignment.sweep()
        if assigned.leaves_started or assigned.leaves_ended or assigned.waiting_assigned:
            logger.info("assignment: %s", assigned)
        active_counts.compact()
        statistics.keep_current()
        return result

    def poll_mail(self) -> None:
        """One IMAP round for each active mailbox that no worker polled in the last half
        interval (several workers on one database share the schedule). A server's fault is
        on the mailbox's ``last_error``, not raised."""
        for round_ in imap.poll_all(claim_every=self.mail_poll_seconds / 2):
            if round_.taken:
                logger.info("mail: %s took in %d messages", round_.mailbox, len(round_.taken))

    def _poll_mail_aside(self) -> None:
        """Poll in a thread of its own, so that a slow or unreachable mail server (20 s to
        time out) never holds up the tasks; a round still running is not started twice."""
        if self._mail_thread is not None and self._mail_thread.is_alive():
            return

        def round_() -> None:
            try:
                self.poll_mail()
            except Exception:
                logger.exception("mail polling failed")
            finally:
                connections.close_all()  # this thread's own, before it ends

        self._mail_thread = threading.Thread(target=round_, name="sampark-mail-poll", daemon=True)
        self._mail_thread.start()

    def run_once(self) -> None:
        close_old_connections()
        try:
            self.run_tasks()
            self.send_mail()
            if time.monotonic() - self._last_sweep >= self.sweep_seconds:
                self._last_sweep = time.monotonic()
                self.sweep()
        except Exception:
            # A failing task or sweep is logged and retried next round; the worker lives on.
            logger.exception("worker round failed")
        finally:
            close_old_connections()
        if time.monotonic() - self._last_mail_poll >= self.mail_poll_seconds:
            self._last_mail_poll = time.monotonic()
            self._poll_mail_aside()

    def run_forever(self) -> None:
        logger.info("worker %s started (sweep every %ss)", self.worker_id, self.sweep_seconds)
        while not self.stopping.is_set():
            self.run_once()
            self.stopping.wait(self.poll_seconds)

    def start_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.run_forever, name="sampark-worker", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.stopping.set()
