"""What kind of mail this is: a person's message, a bounce or an automatic reply, and whether
it may ever be answered automatically.

- A **bounce** is a delivery failure (or delay) report about mail we sent: an RFC 3464
  delivery-status notification (``multipart/report; report-type=delivery-status``, or any
  ``message/delivery-status`` part), or the free-text reports of qmail, Exim, Postfix, Exchange /
  Office 365 and Gmail. Its ``Bounce`` names the failed recipients, the status (5.x.x is
  permanent, 4.x.x is a delay), the server's diagnostic and the Message-ID of our original.
- An **auto_reply** is an out-of-office or other automatic answer (``Auto-Submitted:
  auto-replied``, ``X-Autoreply``, ``X-Autorespond``, "Automatic reply:", "Out of Office",
  "कार्यालय से बाहर", ...), and also a read receipt, a successful delivery report or a spam
  complaint (ARF feedback report): recorded, never reopening a ticket.
- ``auto_submitted`` says never to answer it automatically, for any of: Auto-Submitted other than
  "no", X-Auto-Response-Suppress, Precedence bulk/list/junk, List-Id/List-Unsubscribe, or a
  sender such as mailer-daemon@, postmaster@, noreply@. ``auto_reason`` says which.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from email.message import Message

BOUNCE = "bounce"
AUTO_REPLY = "auto_reply"
MESSAGE = "message"


@dataclass(frozen=True, slots=True)
class Bounce:
    recipients: tuple[str, ...]
    status: str
    diagnostic: str
    original_message_id: str
    permanent: bool


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: str
    auto_submitted: bool
    auto_reason: str
    bounce: Bounce | None


_DAEMON_SENDER = re.compile(
    r"^(?:mailer-daemon|mailer_daemon|mail-daemon|postmaster|mail\.delivery\.system"
    r"|mail-delivery-system)$",
    re.IGNORECASE,
)
_DAEMON_NAME = re.compile(r"mailer-daemon|postmaster|mail delivery|^$", re.IGNORECASE)
_NOREPLY_SENDER = re.compile(
    r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|donotreply|bounces?|notifications?-noreply)"
    r"(?:[-+_.].*)?$",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:undeliver(?:ed|able)\b|undelivered\s+mail|delivery\s+status\s+notification"
    r"|mail\s+delivery\s+failed|delivery\s+failure|failure\s+notice|returned\s+mail\b"
    r"|delivery\s+notification:\s+delivery\s+has\s+failed|non[-\s]?deliver(?:able|y)"
    r"|mail\s+system\s+error|warning:\s+could\s+not\s+send\s+message|delayed\s+mail"
    r"|message\s+delivery\s+(?:failure|delay)|email\s+delivery\s+error|delivery\s+delayed)",
    re.IGNORECASE,
)
_BOUNCE_BODY = re.compile(
    r"this\s+is\s+the\s+qmail-send\s+program"
    r"|this\s+message\s+was\s+created\s+automatically\s+by\s+mail\s+delivery\s+software"
    r"|this\s+is\s+the\s+mail\s+system\s+at\s+host"
    r"|i'm\s+sorry\s+to\s+have\s+to\s+inform\s+you\s+that\s+your\s+message\s+could\s+not"
    r"|delivery\s+has\s+failed\s+to\s+these\s+recipients"
    r"|your\s+message\s+(?:couldn't|could\s+not|wasn't|was\s+not|cannot)\s+be\s+delivered"
    r"|your\s+message\s+wasn't\s+delivered"
    r"|delivery\s+to\s+the\s+following\s+recipients?\s+failed"
    r"|the\s+following\s+(?:message|recipients?)\b[^\n]{0,60}\b(?:undeliverable|failed)"
    r"|message\s+could\s+not\s+be\s+delivered\s+to\s+(?:one\s+or\s+more|the\s+following)"
    r"|delivery\s+failed\s+\d+\s+attempts"
    r"|unable\s+to\s+deliver\s+(?:your\s+)?message",
    re.IGNORECASE,
)
_DELAY_BODY = re.compile(
    r"has\s+not\s+(?:yet\s+)?been\s+delivered|will\s+(?:continue\s+to\s+)?(?:retry|try)"
    r"|delivery\s+(?:is\s+)?delayed|temporar(?:y|ily)\s+(?:failure|error|unavailable)",
    re.IGNORECASE,
)
_RETURNED_COPY = re.compile(
    r"^[-\s]*(?:original\s+message|this\s+is\s+a\s+copy\s+of\s+the\s+message"
    r"|below\s+this\s+line\s+is\s+a\s+copy|the\s+header\s+of\s+the\s+original\s+message"
    r"|original\s+message\s+(?:headers|follows)|undelivered\s+message\s+headers)",
    re.IGNORECASE | re.MULTILINE,
)
_ADDRESS_LINE = re.compile(
    r"^\s*(?:recipient\s+address:\s*)?<?([\w.!#$%&'*+/=?^`{|}~-]{1,64}@[\w-]+(?:\.[\w-]+)+)>?:?\s*$",
    re.IGNORECASE,
)
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_SMTP_CODE = re.compile(r"\b([45])\d\d[\s-]")
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]{1,64}@[\w-]+(?:\.[\w-]+)+")
_MESSAGE_ID_LINE = re.compile(r"^\s*message-id:\s*<([^<>\s]{1,500})>", re.IGNORECASE | re.MULTILINE)
_AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(?:(?:re|aw|sv|vs)\s*:\s*)?(?:out\s+of\s+(?:the\s+)?office(?:\s+auto-?reply)?"
    r"|automatic\s+reply|auto(?:matic)?[-\s]?(?:reply|response|answer)|autoreply|auto"
    r"|away\s+from\s+(?:the\s+)?office|on\s+vacation|vacation\s+(?:reply|message)"
    r"|abwesenheitsnotiz|automatische\s+antwort|réponse\s+automatique|respuesta\s+automática"
    r"|fuera\s+de\s+la\s+oficina|risposta\s+automatica|автоответ|कार्यालय\s+से\s+बाहर"
    r"|ऑफ़िस\s+से\s+बाहर|ऑफिस\s+से\s+बाहर|स्वचालित\s+(?:उत्तर|जवाब)|स्वतः\s+उत्तर|छुट्टी\s+पर)"
    r"\s*(?::|$)",
    re.IGNORECASE,
)
_SCAN_LIMIT = 64 * 1024
_RECIPIENT_FIELDS = ("final-recipient", "original-recipient", "action", "status", "diagnostic-code")


def classify(
    message: Message,
    *,
    headers: Mapping[str, Sequence[str]],
    sender: str,
    subject: str,
    text: str,
) -> Verdict:
    """The verdict on one parsed message. ``headers``: decoded values by lower-cased name;
    ``sender``: the sender's address ("" when unknown); ``text``: its readable text."""
    local = sender.rpartition("@")[0] if "@" in sender else sender
    from_daemon = bool(_DAEMON_SENDER.match(local))
    never = _never_auto_reply(headers, local, from_daemon)

    bounce = _bounce(message, headers, from_daemon, subject, text)
    if bounce is not None:
        return Verdict(BOUNCE, True, never or "delivery status notification", bounce)

    report = _report_type(message)
    if report == "disposition-notification":
        return Verdict(AUTO_REPLY, True, "read receipt", None)
    if report == "feedback-report":
        return Verdict(AUTO_REPLY, True, "feedback report", None)
    if report == "delivery-status" or _has_part(message, "message/delivery-status"):
        # A report whose recipients were all delivered, relayed or expanded.
        return Verdict(AUTO_REPLY, True, "delivery report", None)

    auto_reply = _auto_reply_reason(headers, subject)
    if auto_reply:
        return Verdict(AUTO_REPLY, True, auto_reply, None)
    return Verdict(MESSAGE, bool(never), never, None)


def _first(headers: Mapping[str, Sequence[str]], name: str) -> str:
    values = headers.get(name)
    return values[0].strip() if values else ""


def _never_auto_reply(headers: Mapping[str, Sequence[str]], local: str, daemon: bool) -> str:
    auto_submitted = _first(headers, "auto-submitted").lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return "auto-submitted"
    if "x-auto-response-suppress" in headers:
        return "x-auto-response-suppress"
    precedence = _first(headers, "precedence").lower()
    if precedence in ("bulk", "list", "junk"):
        return f"precedence {precedence}"
    if "list-id" in headers or "list-unsubscribe" in headers:
        return "list"
    if daemon:
        return "mailer-daemon"
    if _NOREPLY_SENDER.match(local):
        return "noreply"
    return ""


def _auto_reply_reason(headers: Mapping[str, Sequence[str]], subject: str) -> str:
    auto_submitted = _first(headers, "auto-submitted").lower()
    if auto_submitted.startswith("auto-replied"):
        return "auto-submitted"
    if _first(headers, "x-autoreply").lower() in ("yes", "true", "1") or (
        "x-autorespond" in headers or "x-autoresponder" in headers
    ):
        return "x-autoreply"
    if _first(headers, "x-autogenerated").lower() == "reply":
        return "x-autogenerated"
    if _first(headers, "precedence").lower() == "auto_reply":
        return "precedence auto_reply"
    if _AUTO_REPLY_SUBJECT.match(subject):
        return "subject"
    return ""


def _parts(message: Message, depth: int = 0) -> Iterator[Message]:
    """Every part, the returned copies of bounced mail excepted (their structure is not
    this message's)."""
    yield message
    if depth > 30 or message.get_content_maintype() == "message":
        return
    payload = message.get_payload()
    if isinstance(payload, list):
        for part in payload:
            if isinstance(part, Message):
                yield from _parts(part, depth + 1)


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:  # a header the parser cannot read is no reason to stop
        return "application/octet-stream"


def _has_part(message: Message, content_type: str) -> bool:
    return any(_content_type(part) == content_type for part in _parts(message))


def _report_type(message: Message) -> str:
    for part in _parts(message):
        if _content_type(part) == "multipart/report":
            try:
                value = part.get_param("report-type")
            except Exception:  # broken parameters
                return ""
            return str(value or "").strip().lower()
    return ""


def _bounce(
    message: Message,
    headers: Mapping[str, Sequence[str]],
    from_daemon: bool,
    subject: str,
    text: str,
) -> Bounce | None:
    fields = _delivery_status_fields(message)
    dsn = fields is not None or _report_type(message) == "delivery-status"
    if dsn:
        bounce = _from_dsn(fields or [], message, headers)
        if bounce is not None and bounce.recipients:
            return bounce
        if bounce is None:  # a report that every recipient was delivered
            return None
        # A report whose machine-readable part is missing or empty: read the human one.
        told = _from_text(text[:_SCAN_LIMIT], message, headers)
        return Bounce(
            recipients=told.recipients,
            status=bounce.status or told.status,
            diagnostic=bounce.diagnostic or told.diagnostic,
            original_message_id=bounce.original_message_id or told.original_message_id,
            permanent=bounce.permanent if bounce.status else told.permanent,
        )
    scanned = text[:_SCAN_LIMIT]
    subject_says = _BOUNCE_SUBJECT.match(subject) is not None
    # The free-text reports come from the mail system, never from a person's own address:
    # the body is searched only when the envelope hints at one (and a person's mail is spared
    # the cost of the search).
    hinted = from_daemon or subject_says or "x-failed-recipients" in headers
    hinted = hinted or "auto-submitted" in headers or _DAEMON_NAME.search(_first(headers, "from"))
    body_says = bool(hinted) and _BOUNCE_BODY.search(scanned) is not None
    if not (
        dsn or body_says or (subject_says and (from_daemon or "x-failed-recipients" in headers))
    ):
        return None
    return _from_text(scanned, message, headers)


def _delivery_status_fields(message: Message) -> list[tuple[str, str]] | None:
    """The fields of the message/delivery-status parts, in order, or None without one."""
    fields: list[tuple[str, str]] | None = None
    for part in _parts(message):
        if _content_type(part) != "message/delivery-status":
            continue
        fields = fields if fields is not None else []
        payload = part.get_payload()
        blocks = payload if isinstance(payload, list) else [part]
        encoded = False
        for block in blocks:
            if not isinstance(block, Message):
                continue
            if block is not part:
                for name, value in block.raw_items():
                    fields.append((name.lower(), str(value)))
                    encoded = encoded or (
                        name.lower() == "content-transfer-encoding"
                        and str(value).strip().lower() == "base64"
                    )
            # Fields after a missing blank line, or base64-encoded ones, sit in the body.
            body = block.get_payload()
            if isinstance(body, str) and body.strip():
                fields.extend(_text_fields(_decoded(body, encoded)))
    return fields


def _decoded(body: str, base64_encoded: bool) -> str:
    if base64_encoded:
        try:
            return base64.b64decode("".join(body.split()) + "==").decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return body
    return body


def _text_fields(text: str) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    for line in text.splitlines():
        if line[:1] in (" ", "\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, value + " " + line.strip())
        elif ":" in line:
            name, _, value = line.partition(":")
            if name.strip() and " " not in name.strip():
                fields.append((name.strip().lower(), value.strip()))
    return fields


def _from_dsn(
    fields: list[tuple[str, str]], message: Message, headers: Mapping[str, Sequence[str]]
) -> Bounce | None:
    recipients: list[dict[str, str]] = []
    for name, value in fields:
        if name not in _RECIPIENT_FIELDS:
            continue
        # One recipient's fields; a field seen again starts the next recipient.
        if not recipients or name in recipients[-1]:
            recipients.append({})
        recipients[-1][name] = " ".join(value.split())
    failed = [
        entry
        for entry in recipients
        if entry.get("action", "failed").lower().split()[0:1] in (["failed"], ["delayed"], [])
    ]
    if recipients and not failed:
        return None
    addresses = []
    for entry in failed:
        address = _dsn_address(entry.get("final-recipient") or entry.get("original-recipient", ""))
        if address and address not in addresses:
            addresses.append(address)
    for value in headers.get("x-failed-recipients", ()):
        for address in _ADDRESS.findall(value):
            if address.lower() not in addresses:
                addresses.append(address.lower())
    first = failed[0] if failed else {}
    diagnostic = _strip_type(first.get("diagnostic-code", ""))
    status = _status(first.get("status", "")) or _status(diagnostic)
    action = first.get("action", "failed").lower()
    permanent = status.startswith("5") if status else not action.startswith("delayed")
    return Bounce(
        recipients=tuple(addresses),
        status=status,
        diagnostic=diagnostic[:1000],
        original_message_id=_original_message_id(message, ""),
        permanent=permanent,
    )


def _dsn_address(value: str) -> str:
    value = _strip_type(value).strip().strip("<>").strip()
    match = _ADDRESS.search(value)
    return _lower_domain(match.group(0)) if match else ""


def _lower_domain(address: str) -> str:
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def _strip_type(value: str) -> str:
    """'rfc822; a@b' -> 'a@b'; 'smtp; 550 ...' -> '550 ...'."""
    kind, separator, rest = value.partition(";")
    if separator and len(kind) <= 20 and " " not in kind.strip():
        return rest.strip()
    return value.strip()


def _status(value: str) -> str:
    match = _STATUS.search(value)
    if match:
        return match.group(0)
    code = _SMTP_CODE.search(value + " ")
    return f"{code.group(1)}.0.0" if code else ""


def _from_text(text: str, message: Message, headers: Mapping[str, Sequence[str]]) -> Bounce:
    """A bounce written for people: the failed addresses are the ones named before the copy of
    the returned message."""
    copy = _RETURNED_COPY.search(text)
    report = text[: copy.start()] if copy else text
    addresses: list[str] = []
    for value in headers.get("x-failed-recipients", ()):
        addresses.extend(address.lower() for address in _ADDRESS.findall(value))
    # The failed addresses stand on lines of their own ("<a@b>:", "    a@b"); otherwise every
    # address the report names is a candidate.
    named = [match.group(1) for line in report.splitlines() if (match := _ADDRESS_LINE.match(line))]
    for address in named or _ADDRESS.findall(report):
        local = address.rpartition("@")[0]
        if _DAEMON_SENDER.match(local) or address.lower() in addresses:
            continue
        addresses.append(_lower_domain(address))
    status = ""
    diagnostic = ""
    for line in report.splitlines():
        found = _status(line)
        if found and found[0] in "45":
            status, diagnostic = found, " ".join(line.split())
            break
    permanent = status.startswith("5") if status else _DELAY_BODY.search(report) is None
    return Bounce(
        recipients=tuple(dict.fromkeys(addresses)),
        status=status,
        diagnostic=diagnostic[:1000],
        original_message_id=_original_message_id(message, text[copy.start() :] if copy else ""),
        permanent=permanent,
    )


def _original_message_id(message: Message, returned_text: str) -> str:
    """The Message-ID of the returned original: from a message/rfc822 or text/rfc822-headers
    part, else from a "Message-ID:" line in the returned copy."""
    for part in _parts(message):
        found = _returned_id(part, _content_type(part))
        if found:
            return found
    match = _MESSAGE_ID_LINE.search(returned_text)
    return match.group(1) if match else ""


def _returned_id(part: Message, content_type: str) -> str:
    try:
        if content_type in ("message/rfc822", "message/global"):
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                for name, value in payload[0].raw_items():
                    if name.lower() == "message-id":
                        return _bare_id(str(value))
        elif content_type in ("text/rfc822-headers", "message/rfc822-headers"):
            raw = part.get_payload(decode=True) or b""
            match = _MESSAGE_ID_LINE.search(raw.decode("utf-8", "replace"))
            if match:
                return match.group(1)
    except Exception:  # a damaged returned copy still leaves the bounce itself
        return ""
    return ""


def _bare_id(value: str) -> str:
    value = " ".join(value.split())
    match = re.search(r"<([^<>\s]{1,500})>", value)
    if match:
        return match.group(1)
    return value if "@" in value and " " not in value and len(value) <= 500 else ""
