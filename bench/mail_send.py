"""How fast the worker sends queued email to a real SMTP server, in process.

    SAMPARK_HOME=$(mktemp -d) .venv/bin/python -m bench.mail_send [--messages 500]

Migrates a fresh database in ``$SAMPARK_HOME``, starts an aiosmtpd sink on a loopback port,
points the default mailbox at it, takes in ``--messages`` new emails from different senders
(each opens a ticket and queues its acknowledgement, as in production), then runs
``deliver_due`` rounds (50 messages each, one SMTP session per round) until every message is
sent, and prints the ingest rate and the send rate. Speed is measured here, never asserted in
a unit test.
"""

from __future__ import annotations

import argparse
import os
import socket
import time
from email.message import EmailMessage


def _mail(n: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"Customer {n} <customer{n}@example.in>"
    message["To"] = "support@sampark.localhost"
    message["Subject"] = f"Router {n} restarts every hour"
    message["Message-ID"] = f"<bench-{n}-{time.time_ns()}@example.in>"
    message.set_content("Mera router baar baar restart ho raha hai, kripya madad karein.")
    return bytes(message)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sampark.settings")
    os.environ.setdefault("SAMPARK_MAIL_AUTO_REPLIES_PER_SENDER", "off")
    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.core.management import call_command

    from sampark.mail.models import Mailbox, OutboundMessage, Security
    from sampark.mail.services import outbound
    from sampark.mail.services.ingest import ingest

    class Count:
        received = 0

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            Count.received += 1
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Controller(Count(), hostname="127.0.0.1", port=port)
    sink.start()
    try:
        call_command("migrate", verbosity=0)
        mailbox = Mailbox.objects.get(is_default=True)
        mailbox.smtp_host, mailbox.smtp_port, mailbox.smtp_security = (
            "127.0.0.1",
            port,
            Security.NONE,
        )
        mailbox.save()

        started = time.perf_counter()
        for n in range(args.messages):
            ingest(_mail(n), via="pipe")
        took_in = time.perf_counter() - started
        queued = OutboundMessage.objects.filter(status="queued").count()

        started, rounds = time.perf_counter(), 0
        while outbound.deliver_due():
            rounds += 1
        sent_in = time.perf_counter() - started
    finally:
        sink.stop()
    print(
        f"ingest: {args.messages} messages in {took_in:.2f} s "
        f"({args.messages / took_in:.0f}/s, acknowledgement queued with each: {queued})"
    )
    print(
        f"send:   {Count.received} messages in {sent_in:.2f} s over {rounds} rounds "
        f"({Count.received / sent_in:.0f}/s, {1000 * sent_in / max(Count.received, 1):.1f} ms each)"
    )


if __name__ == "__main__":
    main()
