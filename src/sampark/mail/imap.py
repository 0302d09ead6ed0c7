"""Mail in by IMAP: poll a mailbox's folder, or watch it with IDLE.

One round (:func:`poll`) selects the folder, fetches the messages past the last UID taken in
(``BODY.PEEK[]``, so reading marks nothing), hands each to the ingestion service, and only
once a message is stored (committed) marks it: ``\\Seen``, or moved to the mailbox's done
folder (MOVE, else COPY, ``\\Deleted`` and EXPUNGE). Then the mark (``imap_last_uid``)
advances. A message that could not be stored ends the round unmarked, and the next round
starts from it; a process killed between the commit and the mark finds the message again,
and the ingestion service reports it as a duplicate, which is then marked.

Which messages: on the first round (and after the server renumbered the folder, a new
UIDVALIDITY) only the unseen ones, so that connecting a mailbox with years of read mail does
not turn them all into tickets; after that, every message past the mark, read by a person in
their mail program or not.

:func:`watch` keeps a connection and waits with IDLE where the server has it (re-issued every
few minutes, as RFC 2177 asks), else polls every ``SAMPARK_MAIL_POLL_SECONDS``; it reconnects
with backoff after a failure.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import close_old_connections
from django.utils.translation import gettext as _
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from .connections import ConnectionProblem, open_imap
from .models import InboundMessage, Mailbox
from .services import polling
from .services.ingest import Ingested, ingest

logger = logging.getLogger("sampark.mail.imap")

BATCH = 25  # messages fetched at once: a few MB in memory at most for ordinary mail
IDLE_RENEW_SECONDS = 25 * 60  # servers may drop an IDLE after 30 minutes
IDLE_CHECK_SECONDS = 5.0  # how soon a watcher notices that it was asked to stop
SEEN = b"\\Seen"
DELETED = b"\\Deleted"
IMAP_ERRORS = (OSError, IMAPClientError, ssl.SSLError, socket.timeout)


@dataclass
class Round:
    """What one poll did: each message's UID and what became of it, and the problem that
    ended the round early (empty when it went well)."""

    mailbox: str
    taken: list[tuple[int, Ingested]] = field(default_factory=list)
    error: str = ""

    def lines(self) -> Iterator[str]:
        for uid, result in self.taken:
            yield f"{self.mailbox} UID {uid}: {result.line()}"
        if self.error:
            yield f"{self.mailbox}: {self.error}"


def imap_mailboxes(address: str | None = None) -> list[Mailbox]:
    """The active mailboxes that have an IMAP server (``address``: only that one)."""
    mailboxes = Mailbox.objects.filter(active=True).exclude(imap_host="")
    if address:
        mailboxes = mailboxes.filter(address__iexact=address.strip())
    return list(mailboxes.order_by("address"))


def poll(mailbox: Mailbox, *, client: IMAPClient | None = None) -> Round:
    """One round for ``mailbox``: take in what is new and mark it. Never raises for a
    server's or a message's fault: the problem is in the result and on ``last_error``."""
    result = Round(mailbox.address)
    own_client = client is None
    try:
        if own_client:
            client = open_imap(mailbox)
        _take_new(mailbox, client, result)
    except ConnectionProblem as problem:
        result.error = str(problem)
    except IMAP_ERRORS as error:
        result.error = _("IMAP folder “%(folder)s”: %(error)s") % {
            "folder": mailbox.imap_folder or "INBOX",
            "error": str(error) or type(error).__name__,
        }
    finally:
        if own_client and client is not None:
            with contextlib.suppress(*IMAP_ERRORS):
                client.logout()
    if result.error:
        logger.warning("IMAP %s: %s", mailbox.address, result.error)
    polling.finish_round(mailbox.pk, result.error)
    return result


def _take_new(mailbox: Mailbox, client: IMAPClient, result: Round) -> None:
    folder = mailbox.imap_folder or "INBOX"
    selected = client.select_folder(folder)
    uidvalidity = int(selected[b"UIDVALIDITY"])
    first_round = mailbox.imap_uidvalidity != uidvalidity
    if first_round:
        if mailbox.imap_uidvalidity is not None:
            logger.warning(
                "IMAP %s: UIDVALIDITY of %s changed from %s to %s; starting over",
                mailbox.address,
                folder,
                mailbox.imap_uidvalidity,
                uidvalidity,
            )
        polling.start_over(mailbox.pk, uidvalidity)
        mailbox.imap_uidvalidity, mailbox.imap_last_uid = uidvalidity, 0
    done_folder = mailbox.imap_done_folder
    if done_folder and not client.folder_exists(done_folder):
        result.error = _("The folder “%(folder)s” does not exist on the server.") % {
            "folder": done_folder
        }
        return
    criteria = ["UID", f"{mailbox.imap_last_uid + 1}:*"]
    # On a first round the read mail is passed over, so the mark then goes to the highest UID
    # seen now, lest a later round take read mail that sits above the last unread message.
    passed_over = max(client.search(criteria), default=0) if first_round else 0
    if first_round:
        criteria.append("UNSEEN")
    # "n:*" always matches the last message, even below n.
    uids = sorted(uid for uid in client.search(criteria) if uid > mailbox.imap_last_uid)
    for start in range(0, len(uids), BATCH):
        batch = uids[start : start + BATCH]
        fetched = client.fetch(batch, ["BODY.PEEK[]"])
        stored, done_up_to = [], 0
        for uid in batch:
            raw = fetched.get(uid, {}).get(b"BODY[]")
            if raw is None:  # expunged by someone else meanwhile: nothing to take or mark
                done_up_to = uid
                continue
            try:
                # The polled mailbox received it, whatever its headers say (a Bcc, a list).
                taken = ingest(
                    bytes(raw), via=InboundMessage.Via.IMAP, recipients=(mailbox.address,)
                )
            except Exception as error:  # the database or the disk: nothing was stored
                logger.exception("IMAP %s UID %s could not be stored", mailbox.address, uid)
                result.error = _("Message UID %(uid)s could not be stored: %(error)s") % {
                    "uid": uid,
                    "error": error,
                }
                break
            result.taken.append((uid, taken))
            stored.append(uid)
            done_up_to = uid
        if stored:
            _mark(client, stored, done_folder)
        if done_up_to:
            polling.advance(mailbox.pk, uidvalidity, done_up_to)
            mailbox.imap_last_uid = done_up_to
        if result.error:
            return
    if passed_over > mailbox.imap_last_uid:
        polling.advance(mailbox.pk, uidvalidity, passed_over)
        mailbox.imap_last_uid = passed_over


def _mark(client: IMAPClient, uids: list[int], done_folder: str) -> None:
    """Stored: moved to the done folder, or marked as seen."""
    if not done_folder:
        client.add_flags(uids, [SEEN], silent=True)
    elif client.has_capability("MOVE"):
        client.move(uids, done_folder)
    else:
        client.copy(uids, done_folder)
        client.add_flags(uids, [DELETED], silent=True)
        if client.has_capability("UIDPLUS"):
            client.uid_expunge(uids)
        else:
            client.expunge()


def poll_all(address: str | None = None, *, claim_every: float | None = None) -> list[Round]:
    """One round for every active IMAP mailbox (or the one at ``address``). With
    ``claim_every``, only the mailboxes not polled by anyone in that many seconds (the
    worker's schedule, shared by every worker on the database)."""
    rounds = []
    for mailbox in imap_mailboxes(address):
        if claim_every is not None and not polling.claim_round(mailbox.pk, claim_every):
            continue
        rounds.append(poll(mailbox))
    return rounds


class Watcher:
    """Keeps one mailbox's folder open and takes in mail as it arrives: IDLE where the server
    advertises it, else a poll every ``poll_seconds``. Reconnects with backoff (1 s doubling
    to 5 minutes) after a failure. ``on_round`` sees every round (the CLI prints its lines)."""

    def __init__(
        self,
        mailbox_id: int,
        *,
        poll_seconds: float | None = None,
        on_round: Callable[[Round], None] | None = None,
        stopping: threading.Event | None = None,
    ):
        self.mailbox_id = mailbox_id
        self.poll_seconds = (
            settings.SAMPARK_MAIL_POLL_SECONDS if poll_seconds is None else poll_seconds
        )
        self.on_round = on_round or (lambda _round: None)
        self.stopping = stopping or threading.Event()
        self.idling = threading.Event()  # set while the server is in IDLE for us (tests wait)
        self.connections = 0  # how many times it logged in

    def run(self) -> None:
        backoff = 1.0
        while not self.stopping.is_set():
            close_old_connections()
            mailbox = Mailbox.objects.filter(pk=self.mailbox_id, active=True).first()
            if mailbox is None or not mailbox.imap_host:
                return
            try:
                client = open_imap(mailbox)
                self.connections += 1
            except ConnectionProblem as problem:
                polling.finish_round(mailbox.pk, str(problem))
                logger.warning("IMAP %s: %s; again in %.0f s", mailbox.address, problem, backoff)
                self.stopping.wait(backoff)
                backoff = min(backoff * 2, 300.0)
                continue
            try:
                if self._session(client):
                    backoff = 1.0
            except IMAP_ERRORS as error:
                logger.warning("IMAP %s: %s (reconnecting)", mailbox.address, error)
                polling.finish_round(mailbox.pk, str(error))
                self.stopping.wait(backoff)
                backoff = min(backoff * 2, 300.0)
            finally:
                self.idling.clear()
                with contextlib.suppress(*IMAP_ERRORS):
                    client.logout()
        close_old_connections()

    def _round(self, client: IMAPClient) -> Round | None:
        mailbox = Mailbox.objects.filter(pk=self.mailbox_id, active=True).first()
        if mailbox is None:
            self.stopping.set()
            return None
        result = poll(mailbox, client=client)
        self.on_round(result)
        return result

    def _session(self, client: IMAPClient) -> bool:
        """Rounds on one connection until it fails or the watcher stops. True when at least
        one round went well (the backoff starts again)."""
        went_well = False
        idle = client.has_capability("IDLE")
        while not self.stopping.is_set():
            result = self._round(client)
            if result is None:
                return went_well
            if result.error:
                raise OSError(result.error)  # reconnect, with backoff
            went_well = True
            if not idle:
                self.stopping.wait(self.poll_seconds)
                continue
            self._wait_in_idle(client)
        return went_well

    def _wait_in_idle(self, client: IMAPClient) -> None:
        """IDLE until the folder changes, the renewal is due, or the watcher stops."""
        client.idle()
        self.idling.set()
        renew_at = time.monotonic() + min(IDLE_RENEW_SECONDS, max(self.poll_seconds, 60.0))
        try:
            while not self.stopping.is_set() and time.monotonic() < renew_at:
                started = time.monotonic()
                responses = client.idle_check(timeout=IDLE_CHECK_SECONDS)
                if any(response[:1] == (b"BYE",) for response in responses):
                    raise OSError(_("The server closed the connection."))
                if any(_is_new_mail(response) for response in responses):
                    break
                if not responses and time.monotonic() - started < IDLE_CHECK_SECONDS / 2:
                    # Nothing, yet early: the connection ended (imapclient hides the EOF).
                    # Leaving IDLE either works, and a round runs, or raises, and we reconnect.
                    break
        finally:
            self.idling.clear()
        client.idle_done()


def _is_new_mail(response) -> bool:
    return len(response) >= 2 and response[1] in (b"EXISTS", b"RECENT")


def watch_all(
    *, stopping: threading.Event, on_round: Callable[[Round], None] | None = None
) -> None:
    """Watch every active IMAP mailbox, each in a thread of its own, until ``stopping``."""
    threads = []
    for mailbox in imap_mailboxes():
        watcher = Watcher(mailbox.pk, on_round=on_round, stopping=stopping)
        thread = threading.Thread(
            target=watcher.run, name=f"sampark-imap-{mailbox.pk}", daemon=True
        )
        thread.start()
        threads.append(thread)
    stopping.wait()
    for thread in threads:
        thread.join(timeout=IDLE_CHECK_SECONDS + 5)
