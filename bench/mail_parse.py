"""How long ``sampark.mail.parsing.parse`` takes per message, in process (no database).

    .venv/bin/python -m bench.mail_parse [--rounds 20]

Parses the hand-written fixtures (tests/data/mail) and, when it is there, the shared real-world
corpus (../shared/email-corpus), ``--rounds`` times each, and prints the median and p95 CPU time
per message for each set. Speed is measured here, never asserted in a unit test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _sets() -> dict[str, list[bytes]]:
    sets = {"fixtures": [p.read_bytes() for p in sorted((ROOT / "tests/data/mail").glob("*.eml"))]}
    corpus = ROOT.parent / "shared" / "email-corpus"
    if corpus.is_dir():
        sets["corpus"] = [
            p.read_bytes()
            for p in sorted(corpus.rglob("*"))
            if p.is_file() and p.parent != corpus and p.suffix in {".eml", ".txt", ""}
        ]
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sampark.settings")
    import django

    django.setup()
    from sampark.mail.parsing import parse

    for name, messages in _sets().items():
        for raw in messages:  # warm up imports and caches
            parse(raw)
        samples = []
        for _round in range(args.rounds):
            for raw in messages:
                started = time.process_time()
                parse(raw)
                samples.append(time.process_time() - started)
        samples.sort()
        print(
            f"{name}: {len(messages)} messages × {args.rounds}: "
            f"median {statistics.median(samples) * 1000:.2f} ms, "
            f"p95 {samples[int(len(samples) * 0.95)] * 1000:.2f} ms, "
            f"mean {statistics.fmean(samples) * 1000:.2f} ms CPU per message"
        )


if __name__ == "__main__":
    main()
