"""One problem, one ticket: the separate problems a customer's message holds, so that the
ticket page can suggest splitting them into tickets of their own. Nothing here splits: an agent
decides (``services.split_ticket``).

A message "clearly" holds several problems when either

- it lists them: two or more items of a numbered or bulleted list (``1.``, ``2)``, ``(3)``,
  ``१.``, ``a)``, ``-``, ``•``, also run together on one line: "1) ... 2) ..."), or
- it says so: "another problem", "ek aur problem", "दूसरी समस्या", "apart from this" ...

and at least two of the parts name a fault (``not working``, ``nahi``, ``खराब``, ``error``...).
The fault words keep a list of steps ("1. open the app 2. tap Login 3. it shows an error")
from passing for three problems: only its last step names a fault.
"""

from __future__ import annotations

import re

from sampark.core.text import normalise, tokens

# A list item at the start of a line: 1. 1) (1) १. a) - * •
_ITEM = re.compile(
    r"^\s*(?:\(?(?:[0-9\u0966-\u096F]{1,2}|[a-hA-H])[.):]|[-*•●▪])\s+(?P<text>\S.*)$"
)
# Numbered items run together on one line: "1) wifi is slow 2) the bill is wrong".
_INLINE_NUMBER = re.compile(r"(?:^|(?<=\s))\(?(?P<n>[1-9])[.)]\s+")
# Phrases with which a customer starts another problem.
_ANOTHER = re.compile(
    r"\b(?:another|second|one more|other|separate)\s+(?:problem|issue|complaint|thing)\b"
    r"|\b(?:apart from this|apart from that|besides this|also another)\b"
    r"|\b(?:ek aur|aur ek|dusri|doosri|doosra|dusra)\s+"
    r"(?:problem|issue|dikkat|samasya|baat|complaint|shikayat)\b"
    r"|\biske (?:alawa|alava|ilawa)\b"
    r"|(?:एक और|और एक|दूसरी|दूसरा)\s+(?:समस्या|दिक्कत|शिकायत|बात)"
    r"|इसके (?:अलावा|अतिरिक्त)",
    re.IGNORECASE,
)


def _words(text: str) -> list[str]:
    return text.split()


# Words that name a fault, in English, Hinglish and Hindi (normalised as tokens() gives them:
# NFC, case folded).
FAULT_WORDS = frozenset(
    normalise(word)
    for word in _words(
        """
    not no never cannot cant can't dont don't doesn't doesnt didn't didnt won't wont isn't error
    errors fail fails failed failing failure broken broke wrong slow issue problem unable
    stopped stops crash crashes crashed missing charged overcharged damaged leak leaking leaks
    noise dead down stuck late delayed incorrect blank overheating overheats refund disconnected
    drops dropping freezes frozen hangs faulty defective poor bad jam jammed jams cracked burnt
    expired blocked locked declined nahi nahin nhi band kharab kharaab galat dikkat samasya atak
    atka atki ruk ruka rukta kat kata kate toota tuta dheema dheemi slow leak awaaz garam नहीं
    नही बंद खराब ख़राब गलत ग़लत समस्या दिक्कत दिक़्क़त अटका अटकी अटक रुक रुका धीमा धीमी टूटा
    टूटी लीक कट कटे गर्म शिकायत परेशानी jamming disconnecting disconnects beeping beeps faded
    keeps cut कटा जाम फ़ेल फेल एरर एक्सपायर लॉक खाली लकीर बीप
    """
    )
)
SHORTEST_PART = 2  # words


def _names_a_fault(text: str) -> bool:
    return any(word in FAULT_WORDS for word in tokens(text))


def _listed(text: str) -> list[str]:
    items = [m.group("text").strip() for line in text.splitlines() if (m := _ITEM.match(line))]
    if len(items) >= 2:
        return items
    for line in text.splitlines():
        marks = list(_INLINE_NUMBER.finditer(line))
        numbers = [int(m.group("n")) for m in marks]
        if len(marks) >= 2 and numbers == list(range(1, len(numbers) + 1)):
            ends = [m.start() for m in marks[1:]] + [len(line)]
            return [line[m.end() : end].strip(" ,;") for m, end in zip(marks, ends, strict=True)]
    return []


def _announced(text: str) -> list[str]:
    starts = [m.start() for m in _ANOTHER.finditer(text)]
    if not starts:
        return []
    # Each announced problem runs from its sentence's start to the next announcement.
    bounds = [0]
    for start in starts:
        sentence = max(text.rfind(mark, 0, start) for mark in (".", "!", "?", "।", "\n"))
        bounds.append(sentence + 1 if sentence >= 0 else start)
    bounds.append(len(text))
    parts = [text[a:b].strip(" \n.,;।") for a, b in zip(bounds, bounds[1:], strict=False)]
    return [part for part in parts if part]


def problems_in(text: str) -> list[str]:
    """The separate problems ``text`` holds, in its order, when it clearly holds two or more
    (each part with at least two words, at least two of them naming a fault); else ``[]``."""
    text = (text or "")[:10000]
    for parts in (_listed(text), _announced(text)):
        parts = [p for p in parts if len(tokens(p)) >= SHORTEST_PART]
        if len(parts) >= 2 and sum(map(_names_a_fault, parts)) >= 2:
            return parts
    return []
