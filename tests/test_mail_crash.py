"""A process killed in the middle of taking in a message: nothing of it is committed but the
raw file, and the message is stored exactly once when it is delivered again (an MTA retries a
pipe that did not finish; IMAP finds the message still unmarked)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings

from sampark.mail.models import InboundMessage
from sampark.tickets.models import Ticket
from tests.test_mail_ingest import mail

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# `sampark mail ingest`, stopped inside the transaction: the record and the ticket are
# written but not committed when the test kills it.
STOPPED_IN_THE_MIDDLE = """
import os, pathlib, sys, time
from sampark.cli import _setup_django, main
_setup_django()
from sampark.mail.services import ingest as service
take_in = service._take_in
def stop_in_the_middle(*args, **kwargs):
    result = take_in(*args, **kwargs)
    pathlib.Path(os.environ["SAMPARK_TEST_IN_THE_MIDDLE"]).touch()
    time.sleep(600)
    return result
service._take_in = stop_in_the_middle
sys.exit(main(["mail", "ingest", *sys.argv[1:]]))
"""


def ingest_command(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "sampark.cli", "mail", "ingest", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_killed_mid_ingestion_the_message_is_stored_exactly_once_after_a_restart(
    shared_database_url, tmp_path
):
    raw = mail(subject="Killed half-way")
    message = tmp_path / "1.eml"
    message.write_bytes(raw)
    flag = tmp_path / "in-the-middle"
    env = {
        **os.environ,
        "SAMPARK_DATABASE_URL": shared_database_url,
        "SAMPARK_TEST_IN_THE_MIDDLE": str(flag),
    }
    process = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-c", STOPPED_IN_THE_MIDDLE, str(message)], env=env
    )
    deadline = time.monotonic() + 120
    while not flag.exists():
        assert process.poll() is None, "the ingest ended before the middle"
        assert time.monotonic() < deadline, "the ingest never reached the middle"
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(30)

    digest = hashlib.sha256(raw).hexdigest()
    assert (settings.MEDIA_ROOT / f"mail/raw/{digest[:2]}/{digest}.eml").exists()
    assert not InboundMessage.objects.exists()
    assert not Ticket.objects.filter(subject="Killed half-way").exists()

    again = ingest_command(str(message), env=env)
    once_more = ingest_command(str(message), env=env)

    assert again.returncode == 0 and ": stored as ticket #" in again.stdout
    assert once_more.returncode == 0 and ": duplicate (#" in once_more.stdout
    assert InboundMessage.objects.count() == 1
    assert Ticket.objects.filter(subject="Killed half-way").count() == 1
