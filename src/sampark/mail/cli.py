"""``sampark mail ...``: the email channel's commands.

``sampark mail ingest FILE... | -`` takes in messages from files (a folder means every file in
it) or one message from standard input, as procmail or Postfix's pipe transport hands it over.
It prints one line per message and exits 0 when every message was stored, whatever became of
it (a ticket, a duplicate, rejected with a reason); 75 (EX_TEMPFAIL, so that an MTA keeps the
message and tries again) when one could not be stored at all; 2 on bad arguments."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

EX_TEMPFAIL = 75


def _messages(sources: list[str]) -> Iterator[tuple[str, bytes | None, str]]:
    """(name, bytes or None, why not) for each message named by ``sources``."""
    for source in sources:
        if source == "-":
            yield "-", sys.stdin.buffer.read(), ""
            continue
        path = Path(source)
        files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        for file in files:
            try:
                yield str(file), file.read_bytes(), ""
            except OSError as error:
                yield str(file), None, error.strerror or str(error)


def cmd_ingest(args: argparse.Namespace) -> int:
    from sampark.mail.services.ingest import ingest  # lint: allow Django is set up first

    failed = False
    for name, raw, why_not in _messages(args.sources):
        if raw is None:
            print(f"{name}: cannot read: {why_not}", flush=True)
            failed = True
            continue
        try:
            result = ingest(raw, via="pipe")
        except Exception as error:  # the database or the disk: nothing was stored
            print(f"{name}: not stored: {error}", flush=True)
            failed = True
            continue
        print(f"{name}: {result.line()}", flush=True)
    return EX_TEMPFAIL if failed else 0


def add_commands(sub, setup) -> None:
    """Add ``sampark mail`` and its subcommands; ``setup`` prepares Django."""
    mail = sub.add_parser("mail", help="the email channel: ingest, listen, poll")
    mail_sub = mail.add_subparsers(dest="mail_command", required=True)
    ingest = mail_sub.add_parser(
        "ingest", help="take in messages from files, folders, or standard input (-)"
    )
    ingest.add_argument("sources", nargs="+", metavar="FILE", help="a message file, a folder, -")
    ingest.set_defaults(func=lambda args: setup() or cmd_ingest(args))
