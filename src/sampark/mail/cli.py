"""``sampark mail ...``: the email channel's commands.

``sampark mail poll [--mailbox ADDRESS]`` runs one IMAP round for every active mailbox with an
IMAP server (or the one named) and prints one line per message; ``sampark mail watch`` keeps
watching them (IDLE where the server has it); ``sampark mail listen [--host H] [--port P]
[--lmtp] [--accept-any]`` is the SMTP/LMTP server an MTA delivers to.

``sampark mail ingest FILE... | -`` takes in messages from files (a folder means every file in
it) or one message from standard input, as procmail or Postfix's pipe transport hands it over.
It prints one line per message and exits 0 when every message was stored, whatever became of
it (a ticket, a duplicate, rejected with a reason); 75 (EX_TEMPFAIL, so that an MTA keeps the
message and tries again) when one could not be stored at all; 2 on bad arguments.

Messages are stored one after another, in the order given: a reply must find the ticket that
the message it answers opened. Reading a message (parsing, decoding, sanitising, keeping the
raw file) needs no database, so for a large batch ``--jobs N`` helper processes read the next
messages while this one stores (by default one fewer than the CPUs, for a hundred messages or
more). A helper that fails leaves its message to be read here."""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from collections import deque
from collections.abc import Iterator
from pathlib import Path

EX_TEMPFAIL = 75
LISTEN_PORT = 2525
# Below this many messages, starting helper processes costs more than they save.
HELPERS_FROM = 100
# Messages read ahead per helper, at most: what waits for the database is held in memory.
AHEAD_PER_HELPER = 8


def _names(sources: list[str]) -> list[str]:
    """Each message named by ``sources``: files, every file of a folder, ``-``."""
    names = []
    for source in sources:
        path = Path(source)
        if source != "-" and path.is_dir():
            names.extend(str(p) for p in sorted(path.iterdir()) if p.is_file())
        else:
            names.append(source)
    return names


def _read(name: str):
    """(the message ``name`` holds, as ``receive`` read it, "") or (None, what went wrong). In
    a helper process or in this one; it raises nothing."""
    from sampark.mail.services.ingest import receive  # lint: allow Django is set up first

    try:
        raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as error:
        return None, f"cannot read: {error.strerror or error}"
    try:
        return receive(raw), ""
    except Exception as error:  # the disk: its raw file could not be kept, so nothing is stored
        return None, f"not stored: {error}"


def _helper_ready() -> None:
    from sampark.cli import _setup_django  # lint: allow the helper's own Django

    _setup_django()


def _helpers(wanted: int | None, count: int) -> int:
    if wanted is not None:
        return max(wanted, 0)
    return max((os.cpu_count() or 1) - 1, 0) if count >= HELPERS_FROM else 0


def _received(names: list[str], helpers: int) -> Iterator[tuple[str, object, str]]:
    """(name, what ``_read`` made of it) for each message, in order; read ahead by ``helpers``
    processes when there are any (standard input is always read here)."""
    if helpers < 1:
        for name in names:
            yield name, *_read(name)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")  # no database connection is inherited
    with ProcessPoolExecutor(helpers, mp_context=context, initializer=_helper_ready) as pool:

        def ask(name: str):
            if name == "-":
                return None
            try:
                return pool.submit(_read, name)
            except RuntimeError:  # the pool broke (a helper died): read it here
                return None

        waiting = iter(names)
        first = itertools.islice(waiting, helpers * AHEAD_PER_HELPER)
        ahead = deque((name, ask(name)) for name in first)
        while ahead:
            name, future = ahead.popleft()
            if (following := next(waiting, None)) is not None:
                ahead.append((following, ask(following)))
            try:
                read = future.result() if future is not None else _read(name)
            except Exception:  # the helper failed on it: read it here, where errors are reported
                read = _read(name)
            yield name, *read


def cmd_ingest(args: argparse.Namespace) -> int:
    from sampark.mail.services.ingest import take_in  # lint: allow Django is set up first

    names = _names(args.sources)
    failed = False
    for name, received, what_went_wrong in _received(names, _helpers(args.jobs, len(names))):
        if received is None:
            print(f"{name}: {what_went_wrong}", flush=True)
            failed = True
            continue
        try:
            result = take_in(received, via="pipe")
        except Exception as error:  # the database or the disk: nothing was stored
            print(f"{name}: not stored: {error}", flush=True)
            failed = True
            continue
        print(f"{name}: {result.line()}", flush=True)
    return EX_TEMPFAIL if failed else 0


def cmd_poll(args: argparse.Namespace) -> int:
    from sampark.mail import imap  # lint: allow Django is set up first

    rounds = imap.poll_all(args.mailbox)
    if not rounds:
        which = args.mailbox or "any active mailbox"
        print(f"no IMAP server is set for {which}", file=sys.stderr)
        return 2
    failed = False
    for one in rounds:
        for line in one.lines():
            print(line, flush=True)
        if not one.taken and not one.error:
            print(f"{one.mailbox}: nothing new", flush=True)
        failed = failed or bool(one.error)
    return 1 if failed else 0


def _stop_on_signals(stopping) -> None:
    import signal

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_args: stopping.set())


def cmd_watch(args: argparse.Namespace) -> int:
    import threading

    from sampark.mail import imap  # lint: allow Django is set up first

    if not imap.imap_mailboxes():
        print("no active mailbox has an IMAP server", file=sys.stderr)
        return 2
    stopping = threading.Event()
    _stop_on_signals(stopping)

    def show(one) -> None:
        for line in one.lines():
            print(line, flush=True)

    imap.watch_all(stopping=stopping, on_round=show)
    return 0


def cmd_listen(args: argparse.Namespace) -> int:
    import threading

    from sampark.mail.listen import Listener  # lint: allow Django is set up first

    listener = Listener(host=args.host, port=args.port, lmtp=args.lmtp, accept_any=args.accept_any)
    try:
        listener.start()
    except OSError as error:
        print(f"cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 2
    protocol = "LMTP" if args.lmtp else "SMTP"
    print(f"Sampark takes in mail by {protocol} on {args.host}:{args.port}", flush=True)
    stopping = threading.Event()
    _stop_on_signals(stopping)
    stopping.wait()
    listener.stop()
    return 0


def add_commands(sub, setup) -> None:
    """Add ``sampark mail`` and its subcommands; ``setup`` prepares Django."""
    mail = sub.add_parser("mail", help="the email channel: ingest, listen, poll")
    mail_sub = mail.add_subparsers(dest="mail_command", required=True)
    ingest = mail_sub.add_parser(
        "ingest", help="take in messages from files, folders, or standard input (-)"
    )
    ingest.add_argument("sources", nargs="+", metavar="FILE", help="a message file, a folder, -")
    ingest.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="helper processes that read the next messages while this one stores them "
        f"(default: one fewer than the CPUs from {HELPERS_FROM} messages on, else none; "
        "0: none)",
    )
    ingest.set_defaults(func=lambda args: setup() or cmd_ingest(args))

    poll = mail_sub.add_parser("poll", help="one IMAP round for every active mailbox")
    poll.add_argument("--mailbox", metavar="ADDRESS", help="only the mailbox at this address")
    poll.set_defaults(func=lambda args: setup() or cmd_poll(args))

    watch = mail_sub.add_parser(
        "watch", help="keep taking in IMAP mail as it arrives (IDLE where the server has it)"
    )
    watch.set_defaults(func=lambda args: setup() or cmd_watch(args))

    listen = mail_sub.add_parser("listen", help="an SMTP (or LMTP) server for an MTA to deliver to")
    listen.add_argument("--host", default="127.0.0.1")
    listen.add_argument("--port", type=int, default=LISTEN_PORT)
    listen.add_argument("--lmtp", action="store_true", help="speak LMTP instead of SMTP")
    listen.add_argument(
        "--accept-any",
        action="store_true",
        help="accept every recipient; mail to an unknown one goes to the default mailbox",
    )
    listen.set_defaults(func=lambda args: setup() or cmd_listen(args))
