"""Where the shared email corpus is (other mail libraries' test messages, never copied into
this repository): the folder ``SAMPARK_EMAIL_CORPUS`` names, else ``shared/email-corpus`` beside
this checkout, or beside the repository it was cloned from (a clone in a temporary folder, as
CI makes). None when none of them has it: the corpus tests then skip and say so."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKERS = ("FEATURES.tsv", "MANIFEST.tsv")


def _cloned_from() -> Path | None:
    try:
        url = subprocess.run(  # noqa: S603 - git, with fixed arguments
            ["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    path = Path(url.removeprefix("file://"))
    return path if url and path.is_absolute() and path.is_dir() else None


def find_corpus() -> Path | None:
    candidates = []
    if named := os.environ.get("SAMPARK_EMAIL_CORPUS"):
        candidates.append(Path(named))
    candidates.append(ROOT.parent / "shared" / "email-corpus")
    if origin := _cloned_from():
        candidates.append(origin.parent / "shared" / "email-corpus")
    for candidate in candidates:
        if all((candidate / marker).is_file() for marker in MARKERS):
            return candidate
    return None
