"""From IMAP arrival to ticket: how long a message waits in a mailbox before it is a ticket.

    .venv/bin/python -m bench.mail_latency [--messages 100] [--mode poll|idle] [--interval 1]

Starts a throwaway Dovecot (tests/dovecot.py; Debian's dovecot-imapd), a fresh SQLite home
with the default mailbox pointed at it, and either ``sampark worker`` polling every
``--interval`` seconds (``SAMPARK_MAIL_POLL_SECONDS``; mode ``poll``, the default) or
``sampark mail watch`` (mode ``idle``: IDLE, no polling). Then, one message at a time, it
APPENDs a new message (t0, just before the APPEND) and reads the database every 5 ms until the
message's ticket is there (t1). Between messages it waits a random 0-1 interval, so that
arrivals fall anywhere in the polling cycle. Prints p50, p95 and max of t1 - t0.

With polling, the wait is about half the interval on average plus the work of a round
(log in, select, fetch, ingest, mark); with IDLE it is the server's notice plus that work.
"""

from __future__ import annotations

import argparse
import email.utils
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _message(n: int) -> tuple[bytes, str]:
    message = EmailMessage()
    message["From"] = f"Customer {n} <latency{n}@example.in>"
    message["To"] = "support@sampark.localhost"
    message["Subject"] = f"Latency probe {n}: राउटर बंद है"
    message["Date"] = email.utils.formatdate()
    message_id = f"latency-{n}-{random.getrandbits(40):x}@example.in"
    message["Message-ID"] = f"<{message_id}>"
    message.set_content(f"Namaste, mera router {n} baar band hua. Kripya madad karein.")
    return bytes(message), message_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--mode", choices=["poll", "idle"], default="poll")
    parser.add_argument("--interval", type=float, default=1.0, help="poll interval, seconds")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="spk-mail-latency-"))
    os.environ["SAMPARK_HOME"] = str(home)
    os.environ.pop("SAMPARK_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "sampark.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import close_old_connections

    from sampark.mail import secrets
    from sampark.mail.models import InboundMessage, Mailbox
    from tests.dovecot import PASSWORD, running_dovecot

    call_command("migrate", verbosity=0)
    env = {
        **os.environ,
        "SAMPARK_MAIL_POLL_SECONDS": str(args.interval),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    try:
        with running_dovecot() as server:
            mailbox = Mailbox.objects.get(is_default=True)
            for name, value in server.mailbox_settings("none").items():
                setattr(mailbox, name, value)
            mailbox.imap_password = secrets.seal(PASSWORD)
            mailbox.save()
            if args.mode == "poll":
                # The worker's round every 0.1 s, so that the mail schedule decides.
                command = ["worker", "--no-migrate", "--poll", "0.1"]
            else:
                command = ["mail", "watch"]
            background = subprocess.Popen(  # noqa: S603 - our own command
                [sys.executable, "-m", "sampark.cli", *command],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                waits = _measure(server, args, InboundMessage, close_old_connections)
            finally:
                background.terminate()
                background.wait(30)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    waits.sort()
    p95 = waits[min(len(waits) - 1, round(0.95 * (len(waits) - 1)))]
    print(
        f"{args.mode} (interval {args.interval:g} s), {len(waits)} messages: "
        f"p50 {statistics.median(waits) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {waits[-1] * 1000:.0f} ms"
    )


def _measure(server, args, InboundMessage, close_old_connections) -> list[float]:  # noqa: N803
    client = server.client()
    waits = []
    try:
        # A first message, not measured: the worker's first round and Django's warm-up.
        for n in range(args.messages + 1):
            raw, message_id = _message(n)
            started = time.perf_counter()
            client.append("INBOX", raw)
            deadline = started + 120
            while not InboundMessage.objects.filter(
                message_id=message_id, ticket__isnull=False
            ).exists():
                if time.perf_counter() > deadline:
                    raise SystemExit(f"message {n} did not become a ticket within 120 s")
                time.sleep(0.005)
                close_old_connections()
            if n:
                waits.append(time.perf_counter() - started)
            time.sleep(random.uniform(0, args.interval))
    finally:
        client.logout()
    return waits


if __name__ == "__main__":
    main()
