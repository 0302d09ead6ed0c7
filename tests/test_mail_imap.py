"""Mail in by IMAP (sampark.mail.imap) against a real Dovecot (tests/dovecot.py): a message is
marked or moved only once it is stored, nothing is taken twice, a renumbered folder starts
over without duplicates, IDLE wakes the watcher, and TLS and STARTTLS are checked against a
certificate authority of the test's own. Skipped where Dovecot is not installed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from sampark.cli import main as sampark
from sampark.mail import imap, secrets
from sampark.mail.models import InboundMessage, Mailbox
from sampark.serving.worker import Worker
from tests.dovecot import PASSWORD, running_dovecot
from tests.test_mail_ingest import mail

Outcome = InboundMessage.Outcome
SEEN = b"\\Seen"


@pytest.fixture
def dovecot():
    with running_dovecot() as server:
        yield server


def connect(server, security="none", **fields) -> Mailbox:
    """The default mailbox, set to poll ``server``."""
    mailbox = Mailbox.objects.get(is_default=True)
    for name, value in {**server.mailbox_settings(security), **fields}.items():
        setattr(mailbox, name, value)
    mailbox.imap_password = secrets.seal(PASSWORD)
    mailbox.save()
    return mailbox


def fresh(mailbox: Mailbox) -> Mailbox:
    return Mailbox.objects.get(pk=mailbox.pk)


def test_a_poll_takes_in_new_mail_and_marks_it_seen_after_storing(db, dovecot):
    first = dovecot.append(mail(subject="Router restarts every hour"))
    second = dovecot.append(mail(subject="राउटर बार-बार बंद हो रहा है"))
    mailbox = connect(dovecot)

    done = imap.poll(mailbox)

    assert done.error == ""
    assert [uid for uid, _result in done.taken] == [first, second]
    assert all(result.outcome == Outcome.CREATED for _uid, result in done.taken)
    assert InboundMessage.objects.filter(via="imap").count() == 2
    assert all(SEEN in flags for flags in dovecot.flags().values())
    mailbox = fresh(mailbox)
    assert mailbox.imap_last_uid == second and mailbox.last_error == ""
    assert mailbox.last_polled_at is not None
    assert imap.poll(mailbox).taken == []


def test_mail_polled_from_a_mailbox_goes_to_that_mailbox_whatever_its_headers(
    db, dovecot, make_group
):
    billing = Mailbox.objects.create(
        name="Billing", address="billing@sampark.localhost", group=make_group()
    )
    dovecot.append(mail(to="accounts-list@example.in"))  # we were in Bcc
    connect_to = {**dovecot.mailbox_settings(), "imap_password": secrets.seal(PASSWORD)}
    Mailbox.objects.filter(pk=billing.pk).update(**connect_to)

    done = imap.poll(fresh(billing))

    assert [r.outcome for _uid, r in done.taken] == [Outcome.CREATED]
    assert InboundMessage.objects.get().mailbox == billing


def test_stored_mail_is_moved_to_the_done_folder(db, dovecot):
    client = dovecot.client()
    client.create_folder("Done")
    client.logout()
    dovecot.append(mail())
    mailbox = connect(dovecot, imap_done_folder="Done")

    done = imap.poll(mailbox)

    assert len(done.taken) == 1 and done.error == ""
    assert dovecot.flags("INBOX") == {}
    assert len(dovecot.flags("Done")) == 1


def test_without_move_stored_mail_is_copied_then_deleted_and_expunged(db):
    with running_dovecot(capabilities="IMAP4rev1 LITERAL+ UIDPLUS IDLE") as server:
        client = server.client()
        client.create_folder("Done")
        client.logout()
        server.append(mail())
        mailbox = connect(server, imap_done_folder="Done")

        done = imap.poll(mailbox)

        assert len(done.taken) == 1 and done.error == ""
        assert server.flags("INBOX") == {}
        assert len(server.flags("Done")) == 1


def test_a_missing_done_folder_is_reported_and_nothing_is_taken(db, dovecot):
    dovecot.append(mail())
    mailbox = connect(dovecot, imap_done_folder="Nowhere")

    done = imap.poll(mailbox)

    assert done.taken == [] and "Nowhere" in done.error
    assert "Nowhere" in fresh(mailbox).last_error
    assert not InboundMessage.objects.exists()


def test_a_message_that_cannot_be_stored_stays_unmarked_for_the_next_round(
    db, dovecot, settings, tmp_path
):
    first = dovecot.append(mail(subject="first"))
    second = dovecot.append(mail(subject="second"))
    mailbox = connect(dovecot)
    media = settings.MEDIA_ROOT
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("the disk where the raw mail goes is broken")
    settings.MEDIA_ROOT = str(blocker / "media")

    broken = imap.poll(mailbox)

    assert broken.taken == []
    assert f"UID {first} could not be stored" in broken.error
    assert f"UID {first} could not be stored" in fresh(mailbox).last_error
    assert all(SEEN not in flags for flags in dovecot.flags().values())
    assert fresh(mailbox).imap_last_uid == 0

    settings.MEDIA_ROOT = media
    mended = imap.poll(fresh(mailbox))

    assert [uid for uid, _result in mended.taken] == [first, second]
    assert fresh(mailbox).last_error == ""
    assert all(SEEN in flags for flags in dovecot.flags().values())


def test_the_same_message_delivered_twice_is_stored_once_and_both_are_marked(db, dovecot):
    raw = mail()
    dovecot.append(raw)
    dovecot.append(raw)
    mailbox = connect(dovecot)

    done = imap.poll(mailbox)

    assert [result.outcome for _uid, result in done.taken] == [Outcome.CREATED, "duplicate"]
    assert InboundMessage.objects.count() == 1
    assert all(SEEN in flags for flags in dovecot.flags().values())


def test_the_first_round_takes_only_unseen_mail_and_later_rounds_everything_new(db, dovecot):
    dovecot.append(mail(subject="read years ago"), flags=[SEEN])
    dovecot.append(mail(subject="waiting for us"))
    mailbox = connect(dovecot)

    first = imap.poll(mailbox)
    dovecot.append(mail(subject="read by a person before the next round"), flags=[SEEN])
    later = imap.poll(fresh(mailbox))

    assert [r.outcome for _uid, r in first.taken] == [Outcome.CREATED]
    assert [r.outcome for _uid, r in later.taken] == [Outcome.CREATED]
    subjects = set(InboundMessage.objects.values_list("subject", flat=True))
    assert subjects == {"waiting for us", "read by a person before the next round"}


def test_read_mail_passed_over_on_the_first_round_is_not_taken_later(db, dovecot):
    dovecot.append(mail(subject="waiting for us"))
    dovecot.append(mail(subject="read years ago"), flags=[SEEN])
    mailbox = connect(dovecot)

    imap.poll(mailbox)
    later = imap.poll(fresh(mailbox))

    assert later.taken == []
    assert list(InboundMessage.objects.values_list("subject", flat=True)) == ["waiting for us"]


def test_a_renumbered_folder_starts_over_without_taking_anything_twice(db, dovecot):
    kept = mail(subject="kept across the renumbering")
    dovecot.append(kept, folder="Support")
    mailbox = connect(dovecot, imap_folder="Support")
    imap.poll(mailbox)
    before = fresh(mailbox).imap_uidvalidity
    client = dovecot.client()
    client.delete_folder("Support")  # a new folder of the same name: a new UIDVALIDITY
    client.logout()
    dovecot.append(kept, folder="Support")
    dovecot.append(mail(subject="new after the renumbering"), folder="Support")

    done = imap.poll(fresh(mailbox))

    assert fresh(mailbox).imap_uidvalidity != before
    assert [r.outcome for _uid, r in done.taken] == ["duplicate", Outcome.CREATED]
    assert InboundMessage.objects.count() == 2
    assert fresh(mailbox).imap_last_uid == done.taken[-1][0]


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_tls_and_starttls_check_the_servers_certificate(db, dovecot, settings, security):
    dovecot.append(mail())
    mailbox = connect(dovecot, security)

    settings.SAMPARK_MAIL_CA_FILE = ""
    refused = imap.poll(mailbox)
    settings.SAMPARK_MAIL_CA_FILE = str(dovecot.ca_file)
    accepted = imap.poll(fresh(mailbox))

    assert refused.taken == [] and "certificate" in refused.error.lower()
    assert len(accepted.taken) == 1 and accepted.error == ""


def test_a_wrong_password_is_recorded_on_the_mailbox(db, dovecot):
    mailbox = connect(dovecot)
    mailbox.imap_password = secrets.seal("not the password")
    mailbox.save()

    done = imap.poll(mailbox)

    assert done.taken == [] and done.error
    assert fresh(mailbox).last_error == done.error


def test_sampark_mail_poll_prints_a_line_per_message(db, dovecot, capsys):
    uid = dovecot.append(mail())
    mailbox = connect(dovecot)

    code = sampark(["mail", "poll", "--mailbox", mailbox.address.upper()])

    assert code == 0
    assert capsys.readouterr().out.startswith(f"{mailbox.address} UID {uid}: stored as ticket #")
    assert sampark(["mail", "poll"]) == 0
    assert capsys.readouterr().out == f"{mailbox.address}: nothing new\n"


def test_the_worker_polls_each_mailbox_once_per_interval(db, dovecot):
    dovecot.append(mail())
    connect(dovecot)
    worker = Worker(mail_poll_seconds=3600)

    worker.poll_mail()
    dovecot.append(mail())
    worker.poll_mail()  # another worker sharing the database, within the interval

    assert InboundMessage.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_polls_mail_in_a_thread_of_its_own_beside_its_tasks(dovecot):
    dovecot.append(mail())
    connect(dovecot)
    worker = Worker(mail_poll_seconds=3600)

    worker.run_once()
    worker._mail_thread.join(30)

    assert InboundMessage.objects.filter(via="imap").count() == 1


def wait_until(condition, seconds=20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_idle_wakes_the_watcher_when_mail_arrives(dovecot):
    mailbox = connect(dovecot)
    # A poll far away: only IDLE can bring the message in within the test.
    watcher = imap.Watcher(mailbox.pk, poll_seconds=3600)
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        wait_until(watcher.idling.is_set)
        dovecot.append(mail(subject="arrives while the watcher is idle"))
        wait_until(lambda: InboundMessage.objects.filter(via="imap").exists())
    finally:
        watcher.stopping.set()
        thread.join(30)
    assert not thread.is_alive()
    assert all(SEEN in flags for flags in dovecot.flags().values())


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_without_idle_the_watcher_polls():
    with running_dovecot(capabilities="IMAP4rev1 LITERAL+ UIDPLUS MOVE") as server:
        mailbox = connect(server)
        watcher = imap.Watcher(mailbox.pk, poll_seconds=0.2)
        thread = threading.Thread(target=watcher.run, daemon=True)
        thread.start()
        try:
            server.append(mail())
            wait_until(lambda: InboundMessage.objects.filter(via="imap").exists())
        finally:
            watcher.stopping.set()
            thread.join(30)
        assert not watcher.idling.is_set() and not thread.is_alive()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_watcher_reconnects_after_the_server_restarts(dovecot):
    mailbox = connect(dovecot)
    watcher = imap.Watcher(mailbox.pk, poll_seconds=3600)
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        wait_until(watcher.idling.is_set)
        dovecot.restart()  # the connection in IDLE ends with a BYE a few seconds later
        wait_until(lambda: watcher.connections == 2 and watcher.idling.is_set(), seconds=60)
        dovecot.append(mail(subject="after the restart"))
        wait_until(lambda: InboundMessage.objects.filter(subject="after the restart").exists())
    finally:
        watcher.stopping.set()
        thread.join(30)
    assert not thread.is_alive()


@pytest.mark.slow
def test_sampark_mail_watch_takes_mail_in_until_it_is_stopped(dovecot, shared_database_url):
    connect(dovecot)
    env = {**os.environ, "SAMPARK_DATABASE_URL": shared_database_url}
    watch = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "sampark.cli", "mail", "watch"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        uid = dovecot.append(mail(subject="while sampark mail watch runs"))
        wait_until(lambda: InboundMessage.objects.filter(via="imap").exists())
    finally:
        watch.send_signal(signal.SIGTERM)
        code = watch.wait(30)
    assert code == 0
    assert f"UID {uid}: stored as ticket #" in watch.stdout.read()
