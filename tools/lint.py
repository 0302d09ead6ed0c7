#!/usr/bin/env python3
"""Sampark's own lint rules: the architecture, stated as regexes (``make lint`` runs them).

In the spirit of Zulip's ``tools/linter_lib/custom_check.py``: each rule is a pattern with a
description, a line it must leave alone and a line it must catch. The script first checks
every rule against its own two examples, so a rule broken by an edit fails loudly instead of
silently passing everything; then it scans ``src/``.

A line that breaks a rule for a good reason says so at its end: ``# lint: allow <reason>``.
The reason is required. Keep such lines few; most of the time the fix is to move the code.

Standard library only, so it runs before anything is installed.

    python tools/lint.py            # check the examples, then scan src/
    python tools/lint.py PATH ...   # scan these files instead
"""

from __future__ import annotations

import io
import re
import sys
import token
import tokenize
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src"
PRAGMA = re.compile(r"#\s*lint:\s*allow\s+\S")


def _relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(SOURCE).as_posix()
    except ValueError:
        return path.as_posix()


def _is_service_module(relative: str) -> bool:
    """``sampark/<app>/services.py`` or a module of a ``services/`` package."""
    parts = relative.split("/")
    return parts[-1] == "services.py" or "services" in parts[:-1]


def _outside_services_and_migrations(relative: str) -> bool:
    return not (_is_service_module(relative) or "/migrations/" in relative) and (
        relative not in MODEL_WRITES_ELSEWHERE
    )


# Files that write models outside services for a reason that holds for the whole file.
MODEL_WRITES_ELSEWHERE = {
    # The rows every installation starts with, filled in after migrate (and after a test
    # flush) as a data migration would write them: the P1-P4 scheme, the matrix, the ticket
    # counter, the front desk, the calendars and a policy per priority.
    "sampark/defaults.py",
}


def _app_of(relative: str) -> str | None:
    """The app a module under ``sampark/<app>/`` belongs to (None for top-level modules)."""
    parts = relative.split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "sampark" else None


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    pattern: re.Pattern
    good: str
    bad: str
    applies_to: Callable[[str], bool] = lambda relative: True
    # Further condition on a match and the file's path; the match counts only when it holds.
    counts: Callable[[re.Match, str], bool] = lambda match, relative: True
    example_path: str = "sampark/tickets/api.py"
    examples: tuple[str, ...] = field(default=())

    def violations(self, line: str, relative: str, code: str | None = None) -> bool:
        """Whether ``line`` breaks the rule; ``code``: the line with its strings and comments
        blanked (worked out here when not given)."""
        if PRAGMA.search(line):
            return False
        match = self.pattern.search((code_lines(line) or [""])[0] if code is None else code)
        return match is not None and self.counts(match, relative)


_BLANKED = {token.STRING, token.COMMENT} | (
    {token.FSTRING_MIDDLE} if hasattr(token, "FSTRING_MIDDLE") else set()
)


def code_lines(text: str) -> list[str]:
    """``text``'s lines with string literals and comments blanked out, so that a rule
    matches code, not a docstring that mentions ``bulk_create(``. Text that does not tokenize
    is returned as it is."""
    lines = text.splitlines()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return lines
    blanked = [list(line) for line in lines]
    for tok in tokens:
        if tok.type not in _BLANKED:
            continue
        (first, start), (last, end) = tok.start, tok.end
        for row in range(first, last + 1):
            chars = blanked[row - 1]
            left = start if row == first else 0
            right = end if row == last else len(chars)
            chars[left:right] = " " * (right - left)
    return ["".join(chars) for chars in blanked]


RULES = [
    Rule(
        name="model-writes-in-services",
        description=(
            "Only services write models: call the app's service (or add one) instead of "
            "save(), create(), update(), delete() or bulk_create() here."
        ),
        pattern=re.compile(
            r"\.save\("
            r"|\bbulk_(?:create|update)\("
            r"|\b(?:objects|_default_manager)\.(?:create|update|delete|get_or_create|update_or_create)\("
            r"|(?:\)|^\s*)\.(?:create|update|delete|get_or_create|update_or_create)\("
        ),
        good="    tag = services.rename_tag(tag, form.cleaned_data['name'])",
        bad="    Ticket.objects.filter(pk=ticket_id).update(status='closed')",
        applies_to=_outside_services_and_migrations,
        example_path="sampark/tickets/admin.py",
        examples=(
            "        obj.save()",
            "    Tag.objects.create(name=name)",
            "    Priority.objects.bulk_create(rows)",
            "        .delete()",
        ),
    ),
    Rule(
        name="no-lazy-import-of-another-apps-services",
        description=(
            "Another app's services are imported at the top of the module. An import inside a "
            "function to dodge a cycle means the boundary is wrong: put the cross-app step "
            "in sampark/workflows/."
        ),
        pattern=re.compile(
            r"^\s+(?:from\s+sampark\.(?P<app>\w+)\.services\b"
            r"|from\s+sampark\.(?P<app_>\w+)\s+import\s+(?:\(\s*)?services\b"
            r"|import\s+sampark\.(?P<app__>\w+)\.services\b)"
        ),
        good="from sampark.tickets.services import transfer_requester",
        bad="    from sampark.tickets.services import transfer_requester  # a cycle",
        counts=lambda match, relative: (
            (match.group("app") or match.group("app_") or match.group("app__")) != _app_of(relative)
        ),
        example_path="sampark/customers/services.py",
        examples=("        from sampark.sla import services",),
    ),
]


def check_examples(rules: list[Rule] = RULES) -> list[str]:
    """What is wrong with the rules themselves: a good example caught, a bad one missed, or
    a pragma not honoured."""
    problems = []
    for rule in rules:
        if not rule.applies_to(rule.example_path):
            problems.append(f"{rule.name}: its example path {rule.example_path} is out of scope")
        if rule.violations(rule.good, rule.example_path):
            problems.append(f"{rule.name}: the good example is caught: {rule.good!r}")
        for bad in (rule.bad, *rule.examples):
            if not rule.violations(bad, rule.example_path):
                problems.append(f"{rule.name}: a bad example is missed: {bad!r}")
            allowed = f"{bad}  # lint: allow an example"
            if rule.violations(allowed, rule.example_path):
                problems.append(f"{rule.name}: the pragma is not honoured: {allowed!r}")
    return problems


def python_files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)
        elif path.suffix == ".py":
            yield path


def scan(paths: list[Path], rules: list[Rule] = RULES) -> list[str]:
    """Every violation in ``paths``, as ``path:line: rule: description`` lines."""
    found = []
    for path in python_files(paths):
        relative = _relative(path)
        active = [rule for rule in rules if rule.applies_to(relative)]
        if not active:
            continue
        text = path.read_text(encoding="utf-8")
        for number, (line, code) in enumerate(
            zip(text.splitlines(), code_lines(text), strict=True), 1
        ):
            for rule in active:
                if rule.violations(line, relative, code):
                    found.append(f"{relative}:{number}: {rule.name}: {line.strip()}")
    return found


def main(argv: list[str]) -> int:
    problems = check_examples()
    if problems:
        print("The lint rules are broken:", *problems, sep="\n  ")
        return 2
    found = scan([Path(arg) for arg in argv] or [SOURCE])
    for line in found:
        print(line)
    if found:
        names = {line.split(": ", 2)[1] for line in found}
        for rule in RULES:
            if rule.name in names:
                print(f"\n{rule.name}: {rule.description}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
