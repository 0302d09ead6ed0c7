"""What the workspace reads: the tickets an agent may see, and the search over them.

Every list the workspace shows starts from :func:`visible_tickets`, so a ticket outside an
agent's scope never appears in a result, a count or a search.
"""

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from sampark.core.errors import InvalidInput
from sampark.core.text import tokens
from sampark.customers.models import Identity
from sampark.customers.services import normalise_email, normalise_phone
from sampark.tickets import access
from sampark.tickets.models import Ticket

SEARCH_LIMIT = 50
# At most this many words from a query narrow the search; the rest are ignored.
MAX_WORDS = 8
_NUMBER = re.compile(r"#?\s*(\d{1,18})")
_PHONE = re.compile(r"[+\d][\d\s().-]{6,}")


def visible_tickets(user) -> QuerySet[Ticket]:
    """The tickets ``user`` may see, as the ticket access layer decides
    (:func:`sampark.tickets.access.visible`): the same rule as the API's."""
    return access.visible(user, Ticket.objects.all())


@dataclass(frozen=True)
class SearchTerms:
    """What a search box's text asks for: a ticket number, a requester's email address or
    phone number, and words of the subject or the requester's name."""

    number: int | None = None
    email: str = ""
    phone: str = ""
    words: tuple[str, ...] = ()

    @classmethod
    def read(cls, text: str) -> "SearchTerms":
        text = (text or "").strip()
        if not text:
            return cls()
        if match := _NUMBER.fullmatch(text):
            # Seven digits or more may also be a phone number written without spaces.
            return cls(number=int(match.group(1)), phone=_phone_in(text))
        if "@" in text and " " not in text:
            try:
                return cls(email=normalise_email(text))
            except InvalidInput:
                pass
        if phone := _phone_in(text):
            return cls(phone=phone)
        return cls(words=tuple(dict.fromkeys(tokens(text)))[:MAX_WORDS])

    def __bool__(self) -> bool:
        return bool(self.number is not None or self.email or self.phone or self.words)


def _phone_in(text: str) -> str:
    if not _PHONE.fullmatch(text):
        return ""
    try:
        return normalise_phone(text)
    except InvalidInput:
        return ""


def _requesters_with(kind: str, value: str):
    return Identity.objects.filter(kind=kind, value=value).values("contact_id")


def search_tickets(user, terms: SearchTerms, *, limit: int = SEARCH_LIMIT) -> list[Ticket]:
    """The newest ``limit + 1`` tickets ``user`` may see that match ``terms`` (one more than
    shown, so the page can say there are more). An email address or phone number matches the
    requester's identity exactly, as the intake stores it; each word must appear in the
    subject or in the requester's name.

    Words are matched as substrings of those two short columns, inside the agent's visible
    tickets and stopping at the limit; the full-text index that the text analyser feeds
    (sampark.core.text) takes over when it lands."""
    if not terms:
        return []
    match = Q(pk__in=[])
    if terms.number is not None:
        match |= Q(number=terms.number)
    if terms.email:
        match |= Q(requester_id__in=_requesters_with(Identity.Kind.EMAIL, terms.email))
    if terms.phone:
        match |= Q(requester_id__in=_requesters_with(Identity.Kind.PHONE, terms.phone))
    if terms.words:
        every_word = Q()
        for word in terms.words:
            every_word &= Q(subject__icontains=word) | Q(requester__name__icontains=word)
        match |= every_word
    rows = (
        visible_tickets(user)
        .filter(match)
        .select_related("priority", "requester", "owner", "group", "sla_clock")
        .order_by("-id")
    )
    return list(rows[: limit + 1])
