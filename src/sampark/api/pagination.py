"""Keyset (cursor) pagination shared by every list in the API.

A cursor is the sort key of the last row a client saw, opaque to the client. Pages stay fast at
any depth because each one is a bounded index range scan, and rows added meanwhile never shift
a page the way OFFSET does.
"""

import base64
import binascii
import json
from datetime import datetime

from sampark.core.errors import InvalidInput


def encode_cursor(*key) -> str:
    values = [v.isoformat() if isinstance(v, datetime) else v for v in key]
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *types: type) -> tuple:
    """The key of ``cursor`` as values of ``types``; InvalidInput if it is not one of ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if not isinstance(values, list) or len(values) != len(types):
            raise ValueError
        key = []
        for value, kind in zip(values, types, strict=True):
            if kind is datetime:
                parsed = datetime.fromisoformat(value)
                if parsed.tzinfo is None:
                    raise ValueError
                key.append(parsed)
            elif kind is int:
                if not isinstance(value, int) or isinstance(value, bool) or abs(value) >= 2**63:
                    raise ValueError
                key.append(value)
            else:
                key.append(kind(value))
        return tuple(key)
    except (ValueError, TypeError, UnicodeError, binascii.Error, json.JSONDecodeError):
        raise InvalidInput(
            "The cursor is not valid; start again without it.", field="cursor"
        ) from None
