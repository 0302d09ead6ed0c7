"""Mailbox passwords, encrypted at rest.

A token or an API key is hashed, because Sampark only ever compares it. A mailbox password is
sent to the IMAP or SMTP server, so it must be read back: it is kept encrypted (Fernet: AES in
CBC mode with an HMAC) under a key derived from the instance's secret key. Whoever reads the
database alone learns nothing; a changed secret key makes the stored passwords unreadable, and
the mailbox screen then asks for them again."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

_PURPOSE = b"sampark.mail.secrets.v1"


def _fernet() -> Fernet:
    key = hashlib.sha256(_PURPOSE + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(password: str) -> str:
    """The stored form of ``password`` ("" stays "")."""
    return _fernet().encrypt(password.encode()).decode() if password else ""


def unseal(stored: str) -> str | None:
    """The password back, "" when none is stored, None when it cannot be read (the secret key
    changed, or the value was tampered with)."""
    if not stored:
        return ""
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except (InvalidToken, ValueError):
        return None
