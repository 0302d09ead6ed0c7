"""What is new in a reply: quoted history and signatures cut away for the timeline.

``strip_quotes`` works on the readable text of one message, line by line, and never on its own
judgement alone: the full text is always kept by the caller, one click away. It cuts

- at a quote header: "On <date>, <name> wrote:" (also wrapped over two or three lines, and in
  German, French, Spanish, Italian, Portuguese, Dutch, Russian, Polish, Swedish, Hindi and
  Hinglish: "<date> को <name> ने लिखा:", "... ne likha:"), "-----Original Message-----" ("मूल
  संदेश", ...), an Outlook block of "From: ... Sent: ... To: ... Subject: ..." lines (Hindi
  Outlook: "प्रेषक: ... भेजा गया: ..."), or a mailing list's footer;
- the ">"-quoted block at the end, with the line that introduces it;
- a signature: a "-- " line near the end, "Sent from my iPhone", "Get Outlook for Android", and a
  closer ("धन्यवाद", "सादर", "Regards") followed by a short name-like block.

A header block that follows a forward marker ("---------- Forwarded message ---------", "Begin
forwarded message:") is the forwarded mail's own header, not quoted history, and is kept. When
someone answers between the quoted lines, every line they wrote is kept and the quoted lines are
left out. If cutting would leave nothing, the text is returned unchanged: a message that is all
quote stays readable.

Every pattern is anchored to one line and only tried on lines of bounded length, so a 1 MB line
or a 10,000-line quote costs linear time.
"""

from __future__ import annotations

import re

# Longest line worth testing against the header patterns; real quote headers are far shorter.
_HEADER_LINE_MAX = 400
_SIGNATURE_LINES_MAX = 15

_WROTE = (
    r"(?:wrote|writes|has\s+written|schrieb|a\s+écrit|escribió|escribio|ha\s+scritto|escreveu"
    r"|schreef|skrev|kirjoitti|napisał|napisała|написал|написала|написал\(а\)"
    r"|ने\s+लिखा(?:\s+है)?|लिखा\s+है|ne\s+likha(?:\s+hai)?|likha\s+hai)"
)
_WROTE_START = re.compile(rf"^\s*{_WROTE}\s*:", re.IGNORECASE)
_WROTE_LINE = re.compile(rf"(?:^|[\s>\"'\)\]]){_WROTE}\s*:\s*$", re.IGNORECASE)
# Words that open a quote header in the common clients ("On", "Am", "Le", "El", "Il", "Em",
# "Op", "W dniu", "Den"), after any leading dashes ("--- On Wed, 4/4/12, ... wrote:").
_OPENER = re.compile(r"^[\s>*-]*(?:on|am|le|el|il|em|op|w\s+dniu|den|dne)\s", re.IGNORECASE)
_HAS_DIGIT_OR_AT = re.compile(r"[\d@]")

_ORIGINAL_MESSAGE = re.compile(
    r"^\s*[-_=*]*\s*(?:original\s+message|ursprüngliche\s+nachricht|originalnachricht"
    r"|message\s+d'origine|mensaje\s+original|messaggio\s+originale|mensagem\s+original"
    r"|oorspronkelijk\s+bericht|исходное\s+сообщение|मूल\s+संदेश)\s*[-_=*]*\s*:?\s*$",
    re.IGNORECASE,
)
_FORWARD_MARKER = re.compile(
    r"^\s*[-_=*>]*\s*(?:forwarded\s+message|begin\s+forwarded\s+message|weitergeleitete\s+nachricht"
    r"|message\s+transféré|mensaje\s+reenviado|messaggio\s+inoltrato|mensagem\s+encaminhada"
    r"|आगे\s+भेजा\s+गया\s+संदेश|अग्रेषित\s+संदेश)\s*[-_=*]*\s*:?\s*$",
    re.IGNORECASE,
)

# Header names of a quoted Outlook-style block, by role, in the languages above.
_HEADER_KEYS = {
    "from": r"from|von|de|van|da|от|प्रेषक|से",
    "sent": r"sent|gesendet|envoyé|enviado|inviato|verzonden|отправлено|भेजा\s+गया|भेजा",
    "date": r"date|datum|fecha|data|дата|दिनांक|तारीख़|तारीख",
    "to": r"to|an|à|para|a|aan|кому|प्रति|को",
    "cc": r"cc|kopie|cópia|копия|प्रतिलिपि",
    "subject": r"subject|betreff|objet|asunto|oggetto|onderwerp|assunto|тема|विषय",
}
_HEADER_KEY = re.compile(
    r"^\s*\*{0,2}(?:"
    + "|".join(f"(?P<{role}>{names})" for role, names in _HEADER_KEYS.items())
    + r")\s*\*{0,2}\s*:\s*\*{0,2}(?P<value>.*)$",
    re.IGNORECASE,
)
_FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|fw|wg|tr|rv|enc|आगे\s+भेजा)\s*:", re.IGNORECASE)

_SEPARATOR = re.compile(r"^\s*[-_=*]{5,}\s*$")
_LIST_FOOTER = re.compile(r"\bmailing\s+list\s*$", re.IGNORECASE)
_SIGNATURE_DASHES = re.compile(r"^--\s?$")
_MOBILE_SIGNATURE = re.compile(
    r"^\s*(?:sent\s+from\s+my\s+[\w.'’-]+(?:\s+[\w.'’-]+){0,3}"
    r"|sent\s+from\s+(?:mail|outlook|yahoo\s+mail|gmail|aol)(?:\s+[\w.'’-]+){0,4}"
    r"|get\s+outlook\s+for\s+[\w.-]+(?:\s+[\w.-]+)?"
    r"|sent\s+with\s+[\w.-]+(?:\s+\(\S+\))?"
    r"|(?:मेरे\s+)?[\w]+(?:\s+[\w]+)?\s+से\s+भेजा\s+गया)\s*\.?\s*$",
    re.IGNORECASE,
)
_CLOSER = re.compile(
    r"^\s*(?:धन्यवाद|सधन्यवाद|धन्यवाद\s+सहित|सादर|सादर\s+धन्यवाद|भवदीय|भवदीया|आपका|आपकी"
    r"|शुभकामनाओं\s+सहित|regards|best\s+regards|kind\s+regards|warm\s+regards|with\s+regards"
    r"|thanks\s+(?:and|&)\s+regards|sincerely|yours\s+sincerely|yours\s+faithfully|yours\s+truly)"
    r"[\s,.!।]*$",
    re.IGNORECASE,
)
_NAME_LINE_MAX = 60


def strip_quotes(text: str) -> tuple[str, bool]:
    """``text`` without quoted history and signature, and whether anything was removed.

    Nothing removed (or nothing left after removing) gives back ``text`` itself."""
    if not text or not text.strip():
        return text, False
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = lines
    for _ in range(3):
        shorter = _cut_history(kept)
        if len(shorter) == len(kept):
            break
        kept = shorter
    kept = _cut_trailing_quote(kept)
    kept = _cut_signature(kept)
    kept = _trim(kept)
    if not any(line.strip() for line in kept):
        return text, False
    if _content(kept) == _content(lines):
        return text, False
    return "\n".join(kept), True


def has_forward_marker(text: str) -> bool:
    """Whether ``text`` carries a forwarded mail: a forward marker line, or a quoted header
    block whose subject is a forward's ("Subject: Fwd: ...")."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if len(line) > _HEADER_LINE_MAX or _quoted(line):
            continue
        if _FORWARD_MARKER.match(line):
            return True
        block = _header_block(lines, index)
        if block and block[1]:
            return True
    return False


def _content(lines: list[str]) -> list[str]:
    return [line.rstrip() for line in lines if line.strip()]


def _quoted(line: str) -> bool:
    return line.lstrip(" \t").startswith(">")


def _trim(lines: list[str]) -> list[str]:
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    return lines[:end]


def _before(lines: list[str], index: int) -> list[str]:
    """The lines above a cut, without the separator lines that led into it."""
    end = index
    while end and (not lines[end - 1].strip() or _SEPARATOR.match(lines[end - 1])):
        end -= 1
    return lines[:end]


def _cut_history(lines: list[str]) -> list[str]:
    """Everything before the first quote header; for a "wrote:" header followed by quoted
    lines with answers between them, the answers too."""
    protected_until = -1
    for index, line in enumerate(lines):
        if len(line) > _HEADER_LINE_MAX or _quoted(line) or not line.strip():
            continue
        if _FORWARD_MARKER.match(line):
            # The forwarded mail's header block follows within a few lines.
            protected_until = index + 4
            continue
        start = _wrote_header(lines, index)
        if start is not None:
            return _cut_at_wrote(lines, start, index)
        if _ORIGINAL_MESSAGE.match(line):
            return _before(lines, index)
        block = _header_block(lines, index)
        if block is not None:
            end, forward = block
            if forward or index <= protected_until:
                protected_until = -1
                continue
            return _before(lines, index)
        if _SEPARATOR.match(line) and _list_footer_follows(lines, index):
            return _before(lines, index)
    return lines


def _wrote_header(lines: list[str], index: int) -> int | None:
    """The first line of a quote header ending at ``index`` ("... wrote:"), or None."""
    line = lines[index].rstrip()
    if not line.endswith(":") or not _WROTE_LINE.search(line):
        return None
    start = index
    joined = line
    # Wrapped headers: "On Tue, ... Chris Wanstrath" / "<notifications@github.com>wrote:".
    while start > max(0, index - 2) and not _OPENER.match(joined):
        previous = lines[start - 1].rstrip()
        if not previous.strip() or _quoted(previous) or len(previous) > _HEADER_LINE_MAX:
            break
        wrapped = joined.lstrip().startswith("<") or _WROTE_START.match(joined)
        wrapped = wrapped or previous.endswith(("<", ",", '"'))
        if not (
            _OPENER.match(previous)
            or wrapped
            or (not _HAS_DIGIT_OR_AT.search(joined) and _HAS_DIGIT_OR_AT.search(previous))
        ):
            break
        start -= 1
        joined = previous + " " + joined
    if _OPENER.match(joined) or _HAS_DIGIT_OR_AT.search(joined):
        return start
    following = _next_content(lines, index + 1)
    return start if following is not None and _quoted(lines[following]) else None


def _cut_at_wrote(lines: list[str], start: int, end: int) -> list[str]:
    before = _before(lines, start)
    after = lines[end + 1 :]
    first = _next_content(after, 0)
    if first is None or not _quoted(after[first]):
        return before
    answers = [line for line in after if not _quoted(line)]
    if not any(line.strip() for line in answers):
        return before
    # Answers written between the quoted lines (or below them): keep what the sender wrote.
    return before + _collapse_blank_runs(answers)


def _collapse_blank_runs(lines: list[str]) -> list[str]:
    result: list[str] = []
    for line in lines:
        if not line.strip() and (not result or not result[-1].strip()):
            continue
        result.append(line)
    return result


def _next_content(lines: list[str], start: int) -> int | None:
    for index in range(start, len(lines)):
        if lines[index].strip():
            return index
    return None


def _header_block(lines: list[str], index: int) -> tuple[int, bool] | None:
    """An Outlook-style quoted header block starting at ``index``: (its end, whether it is a
    forward's), or None. It needs a sender and a date, or a sender, a recipient and a subject."""
    match = _HEADER_KEY.match(lines[index]) if len(lines[index]) <= _HEADER_LINE_MAX else None
    if match is None:
        return None
    roles: set[str] = set()
    forward = False
    position = index
    last_role = None
    while position < len(lines) and position < index + 12:
        line = lines[position]
        match = _HEADER_KEY.match(line) if len(line) <= _HEADER_LINE_MAX else None
        if match is None:
            # A long To: or Cc: wraps onto the next line.
            if last_role in ("to", "cc") and ("@" in line or line[:1] in (" ", "\t")):
                position += 1
                continue
            break
        role = next(name for name, value in match.groupdict().items() if value and name != "value")
        roles.add(role)
        last_role = role
        if role == "subject" and _FORWARD_SUBJECT.match(match["value"]):
            forward = True
        position += 1
    is_block = "from" in roles and (
        ("sent" in roles or "date" in roles) or {"to", "subject"} <= roles
    )
    return (position, forward) if is_block and len(roles) >= 3 else None


def _list_footer_follows(lines: list[str], index: int) -> bool:
    following = _next_content(lines, index + 1)
    return following is not None and bool(_LIST_FOOTER.search(lines[following][:200]))


def _cut_trailing_quote(lines: list[str]) -> list[str]:
    """The ">"-quoted block at the end, with the line that introduces it ("... wrote:",
    "<date> от <name> <address>:")."""
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    if not end or not _quoted(lines[end - 1]):
        return lines
    start = end
    while start and (_quoted(lines[start - 1]) or not lines[start - 1].strip()):
        start -= 1
    attribution = start - 1
    if attribution >= 0 and len(lines[attribution]) <= _HEADER_LINE_MAX:
        line = lines[attribution].rstrip()
        if line.endswith(":") and (_WROTE_LINE.search(line) or _HAS_DIGIT_OR_AT.search(line)):
            start = attribution
            if (
                not _HAS_DIGIT_OR_AT.search(line)
                and start > 0
                and lines[start - 1].strip()
                and _HAS_DIGIT_OR_AT.search(lines[start - 1][:_HEADER_LINE_MAX])
            ):
                start -= 1
    return _before(lines, start)


def _cut_signature(lines: list[str]) -> list[str]:
    """A "-- " signature, mobile footers and a closer with a name under it, at the end."""
    for _ in range(3):
        before = len(lines)
        lines = _trim(lines)
        end = len(lines)
        if (
            end
            and len(lines[end - 1]) <= _HEADER_LINE_MAX
            and _MOBILE_SIGNATURE.match(lines[end - 1])
        ):
            lines = lines[: end - 1]
            continue
        for index in range(max(0, end - _SIGNATURE_LINES_MAX - 1), end):
            if _SIGNATURE_DASHES.match(lines[index]) and index > 0:
                lines = lines[:index]
                break
        else:
            lines = _cut_closer(lines)
        if len(lines) == before:
            break
    return lines


def _cut_closer(lines: list[str]) -> list[str]:
    end = len(lines)
    for index in range(end - 2, max(-1, end - 7), -1):
        line = lines[index]
        if len(line) > _NAME_LINE_MAX or not _CLOSER.match(line):
            continue
        block = [tail for tail in lines[index + 1 : end] if tail.strip()]
        name_like = 1 <= len(block) <= 4 and all(
            len(tail.strip()) <= _NAME_LINE_MAX
            and not tail.rstrip().endswith(("?", ":"))
            and len(tail.split()) <= 6
            for tail in block
        )
        before = lines[:index]
        if name_like and any(line.strip() for line in before):
            return before
        return lines
    return lines
