"""The one text analyser for Hindi, English and Hinglish: normalisation and tokenisation.

Rules (keywords), routing and search all read text through these functions, so a keyword
written "नेटवर्क" or "Network" matches the same way wherever it is used.
"""

import re
import unicodedata

# Letters, digits and the combining vowel signs and viramas of Indic scripts stay inside a
# word; everything else separates words.
_WORD = re.compile(r"[\w\u0900-\u097F\u0980-\u0DFF]+")
# Zero-width joiners change rendering, not meaning.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"), None)


def normalise(text: str) -> str:
    """NFC, case-folded, without zero-width characters."""
    return unicodedata.normalize("NFC", text or "").translate(_INVISIBLE).casefold()


def tokens(text: str) -> list[str]:
    return _WORD.findall(normalise(text))


def contains_phrase(haystack: list[str], phrase: str) -> bool:
    """Whether the words of ``phrase`` appear consecutively in the token list ``haystack``."""
    needle = tokens(phrase)
    if not needle:
        return False
    width = len(needle)
    return any(haystack[i : i + width] == needle for i in range(len(haystack) - width + 1))


_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """``text`` as every database can keep it: a NUL (which PostgreSQL refuses in text) and
    lone surrogates (what a decoder leaves of undecodable bytes, which no UTF-8 encoder takes)
    become U+FFFD, the replacement character."""
    return _UNSTORABLE.sub("\ufffd", text) if _UNSTORABLE.search(text) else text
