"""Ingest throughput: a folder of varied messages through ``sampark mail ingest`` on a fresh
SQLite home, end to end (process start, Django set-up, parse, store, thread, open tickets).

    .venv/bin/python -m bench.mail_ingest [--messages 10000] [--runs 3] [--keep DIR] [--jobs N]

Each run makes a new ``SAMPARK_HOME`` under the system's temporary folder, migrates it (not
timed), then times ``sampark mail ingest FOLDER`` over the whole folder and reads its lines
back to check that every message was stored. The command uses its default helper processes
(one fewer than the CPUs), or ``--jobs N`` (0: the command alone). It prints each run's
messages per second and the median, with the CPU time of the command and its helpers (user
and system): on a shared machine the wall-clock rate says as much about the other processes as
about Sampark. The messages (made once, with a fixed seed) are a mix like a
support mailbox's:

- new conversations in English, Hindi and Hinglish, some HTML with a text part, some with a
  PDF or PNG attachment, some with a Cc;
- replies by In-Reply-To/References to messages earlier in the folder (a third of the mail),
  quoting what they answer;
- a few delivery failures (DSNs) and out-of-office replies.
"""

from __future__ import annotations

import argparse
import email.utils
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

SUPPORT = "support@sampark.localhost"
SUBJECTS_EN = [
    "Router restarts every hour",
    "Invoice copy for March needed",
    "Cannot log in to the portal",
    "Printer shows paper jam",
    "Refund not received yet",
    "Broadband speed very slow",
    "Warranty claim for serial {n}",
    "Meter reading looks wrong",
]
SUBJECTS_HI = [
    "राउटर बार-बार बंद हो रहा है",
    "मार्च का बिल दोबारा भेजें",
    "पोर्टल पर लॉगिन नहीं हो रहा",
    "रिफ़ंड अभी तक नहीं मिला",
    "इंटरनेट बहुत धीमा है",
]
BODIES_EN = [
    "Hello,\n\nSince yesterday the {thing} stops working every hour. I have restarted it "
    "twice. Order number {n}.\n\nRegards,\nCustomer {n}",
    "Hi team,\n\nPlease send the invoice copy for account {n}. Our finance team needs it by "
    "Friday.\n\nThanks",
    "Dear support,\n\nThe {thing} shows an error code E{n}. What should I do?\n\n-- \nSent "
    "from my phone",
]
BODIES_HI = [
    "नमस्ते,\n\nकल से {thing} हर घंटे बंद हो जाता है। कृपया जल्दी मदद करें। ऑर्डर नंबर {n}।\n\n"
    "धन्यवाद,\nग्राहक {n}",
    "महोदय,\n\nमेरा खाता {n} है। पिछले महीने का बिल दो बार कटा है। कृपया जाँच करें।\n\nसादर",
]
BODIES_HINGLISH = [
    "Namaste,\n\nMera {thing} baar baar band ho raha hai, kripya madad karein. Order {n}.\n\n"
    "Dhanyavaad",
]
THINGS = ["router", "printer", "modem", "meter", "app"]
# A small PDF and a 1×1 PNG: attachments are stored decoded, as real ones are.
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n" * 40
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def _date(rng: random.Random) -> str:
    return email.utils.formatdate(1_780_000_000 + rng.randint(0, 30 * 86400), localtime=False)


def _new(rng: random.Random, n: int) -> EmailMessage:
    language = rng.choices(["en", "hi", "hinglish"], weights=[5, 3, 2])[0]
    thing = rng.choice(THINGS)
    if language == "hi":
        subject, body = rng.choice(SUBJECTS_HI), rng.choice(BODIES_HI)
    else:
        subject = rng.choice(SUBJECTS_EN)
        body = rng.choice(BODIES_EN if language == "en" else BODIES_HINGLISH)
    message = EmailMessage()
    domain = rng.choice(["example.in", "gmail.example", "corp.example.com", "mail.example.org"])
    message["From"] = email.utils.formataddr((f"Customer {n % 3000}", f"c{n % 3000}@{domain}"))
    message["To"] = SUPPORT
    if rng.random() < 0.1:
        message["Cc"] = f"colleague{n % 500}@{domain}"
    message["Subject"] = subject.format(n=n)
    message["Date"] = _date(rng)
    message["Message-ID"] = f"<bench-{n}@{domain}>"
    text = body.format(thing=thing, n=n)
    message.set_content(text)
    if rng.random() < 0.2:
        paragraphs = "".join(f"<p>{line}</p>" for line in text.split("\n") if line)
        message.add_alternative(f"<html><body>{paragraphs}</body></html>", subtype="html")
    if rng.random() < 0.1:
        message.add_attachment(PDF, maintype="application", subtype="pdf", filename="bill.pdf")
    elif rng.random() < 0.05:
        message.add_attachment(PNG, maintype="image", subtype="png", filename="photo.png")
    return message


def _reply(rng: random.Random, n: int, earlier: tuple[str, str, str]) -> EmailMessage:
    message_id, sender, subject = earlier
    message = EmailMessage()
    message["From"] = sender
    message["To"] = SUPPORT
    message["Subject"] = f"Re: {subject}"
    message["Date"] = _date(rng)
    message["Message-ID"] = f"<bench-{n}@reply.example>"
    message["In-Reply-To"] = message_id
    message["References"] = message_id
    message.set_content(
        rng.choice(["Any update on this?", "अभी भी समस्या है।", "Still not fixed, please call."])
        + f"\n\nOn Mon, 3 Mar 2025 at 10:15, Support <{SUPPORT}> wrote:\n> We are looking "
        "into it.\n> Regards\n"
    )
    return message


def _bounce(rng: random.Random, n: int) -> bytes:
    boundary = f"bounce{n}"
    return (
        f"From: Mail Delivery System <MAILER-DAEMON@mx.example.in>\r\n"
        f"To: {SUPPORT}\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        f"Date: {_date(rng)}\r\nMessage-ID: <bench-{n}@mx.example.in>\r\nAuto-Submitted: "
        f"auto-replied\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; "
        f'report-type=delivery-status; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; "
        f"mx.example.in\r\n\r\nFinal-Recipient: rfc822; gone{n}@example.in\r\nAction: failed\r\n"
        f"Status: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"
        f"--{boundary}--\r\n"
    ).encode()


def _out_of_office(rng: random.Random, n: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Customer {n % 3000} <c{n % 3000}@example.in>"
    message["To"] = SUPPORT
    message["Subject"] = rng.choice(["Automatic reply: your ticket", "कार्यालय से बाहर: आपका संदेश"])
    message["Date"] = _date(rng)
    message["Message-ID"] = f"<bench-{n}@ooo.example.in>"
    message["Auto-Submitted"] = "auto-replied"
    message.set_content("I am out of the office until Monday. / मैं सोमवार तक कार्यालय से बाहर हूँ।")
    return message


def generate(folder: Path, count: int, seed: int = 20) -> None:
    """``count`` messages in ``folder`` as 00001.eml..., in the order they "arrived"."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    sent: list[tuple[str, str, str]] = []
    for n in range(1, count + 1):
        roll = rng.random()
        if roll < 0.01:
            raw = _bounce(rng, n)
        elif roll < 0.03:
            raw = bytes(_out_of_office(rng, n))
        elif roll < 0.36 and sent:
            raw = bytes(_reply(rng, n, rng.choice(sent[-2000:])))
        else:
            message = _new(rng, n)
            sent.append((message["Message-ID"], message["From"], message["Subject"]))
            raw = bytes(message)
        (folder / f"{n:05d}.eml").write_bytes(raw)


def _sampark(home: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "SAMPARK_HOME": str(home)}
    env.pop("SAMPARK_DATABASE_URL", None)
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "sampark.cli", *args], env=env, check=True, **kwargs
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(
    folder: Path, count: int, jobs: int | None = None
) -> tuple[float, float, dict[str, int]]:
    """(messages per second of wall time, per second of the command's CPU time, outcomes)."""
    home = Path(tempfile.mkdtemp(prefix="spk-mail-ingest-"))
    helpers = [] if jobs is None else ["--jobs", str(jobs)]
    try:
        _sampark(home, "migrate", "--verbosity", "0")
        cpu = _children_cpu()
        started = time.perf_counter()
        done = _sampark(
            home, "mail", "ingest", *helpers, str(folder), capture_output=True, text=True
        )
        elapsed = time.perf_counter() - started
        cpu = _children_cpu() - cpu
    finally:
        shutil.rmtree(home, ignore_errors=True)
    lines = done.stdout.splitlines()
    if len(lines) != count or any(": not stored" in line for line in lines):
        raise SystemExit(f"expected {count} stored messages, got:\n{done.stdout[-2000:]}")
    outcomes: dict[str, int] = {}
    for line in lines:
        what = line.split(": ", 1)[1]
        key = what.split(" #")[0].split(" (")[0].split(":")[0]
        outcomes[key] = outcomes.get(key, 0) + 1
    return count / elapsed, count / cpu, outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="make the messages here and keep them")
    parser.add_argument("--jobs", type=int, help="the command's helper processes (0: none)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="spk-mail-folder-"))
    try:
        if not any(folder.glob("*.eml")):
            generate(folder, args.messages)
        count = len(list(folder.glob("*.eml")))
        size = sum(p.stat().st_size for p in folder.glob("*.eml"))
        print(f"{count} messages, {size / 1e6:.1f} MB, in {folder}")
        rates, cpu_rates = [], []
        for run in range(1, args.runs + 1):
            load = os.getloadavg()[0]
            rate, cpu_rate, outcomes = run_once(folder, count, args.jobs)
            rates.append(rate)
            cpu_rates.append(cpu_rate)
            print(
                f"run {run}: {rate:.1f} messages/s ({cpu_rate:.1f} per CPU second; "
                f"load {load:.1f} at start)  {outcomes}",
                flush=True,
            )
        print(
            f"median: {statistics.median(rates):.1f} messages/s, "
            f"{statistics.median(cpu_rates):.1f} per CPU second, over {args.runs} runs"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
