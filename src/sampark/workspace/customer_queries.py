"""What the contact and organization pages read: the record, how the customer reaches us,
their equipment, their tickets and the interactions over time, and the organization's people.

Customer records are open to every agent, as in the API (``GET /contacts/{id}``): a
contact's name and ways of reaching them are what any agent needs to recognise the person on
the line, whatever queue the call came to. Their tickets are not: every ticket listed,
counted or shown in the interactions is one the agent may see
(:mod:`sampark.tickets.access`), so a customer whose tickets all sit in other groups shows
their profile and no ticket at all.

Each piece is one bounded query, and no page's query count grows with the number of tickets,
events, identities or contacts (tests/test_workspace_customers.py asserts it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Min, Q
from django.utils.translation import gettext as _

from sampark.api.pagination import decode_cursor, encode_cursor
from sampark.core.errors import NotFound
from sampark.customers.models import Asset, Contact, ContactMerge, Identity, Organization
from sampark.tickets import access
from sampark.tickets import queries as tickets
from sampark.tickets.models import ACTIVE_Q, ACTIVE_STATUSES, Ticket, TicketEvent

from . import ticket_words
from .queries import SearchTerms

Kind = TicketEvent.Kind

CONTACT_TICKETS = 20
INTERACTIONS = 30
ORGANIZATION_TICKETS = 25
ORGANIZATION_CONTACTS = 25
ASSETS = 25
IDENTITIES = 50
MERGES_SHOWN = 10
MERGE_CANDIDATES = 20
# A chain of merges (A into B, then B into C) is followed this far to the contact that stayed.
MAX_MERGE_HOPS = 20
# The interactions over time: what passed between the customer and us on any ticket (never
# an internal note), and each ticket's opening.
INTERACTION_KINDS = (Kind.CREATED, Kind.MESSAGE_IN, Kind.MESSAGE_OUT, Kind.CALL)
# Only the columns the pages show: a user's password hash costs a conversion for nothing.
PERSON_COLUMNS = ("first_name", "last_name", "email")


def contact_not_found() -> NotFound:
    return NotFound(_("Contact not found."))


def organization_not_found() -> NotFound:
    return NotFound(_("Organization not found."))


# --- the contact ----------------------------------------------------------------------------


def get_contact(contact_id: int) -> Contact:
    """The contact with their organization and its account manager, or NotFound."""
    found = (
        Contact.objects.select_related("organization", "organization__account_manager")
        .only(
            *(f.name for f in Contact._meta.concrete_fields),
            "organization__name",
            "organization__tier",
            "organization__account_manager",
            *(f"organization__account_manager__{c}" for c in PERSON_COLUMNS),
        )
        .filter(pk=contact_id)
        .first()
    )
    if found is None:
        raise contact_not_found()
    return found


def survivor_id(contact: Contact) -> int:
    """The id of the contact that ``contact`` was merged into, following a chain of merges to
    the one that stayed (``contact``'s own id when it was never merged)."""
    current, next_id = contact.pk, contact.merged_into_id
    for _hop in range(MAX_MERGE_HOPS):
        if next_id is None or next_id == current:
            break
        current = next_id
        next_id = (
            Contact.objects.filter(pk=current).values_list("merged_into_id", flat=True).first()
        )
    return current


def identities_of(contact: Contact) -> list[Identity]:
    return list(
        Identity.objects.filter(contact_id=contact.pk).order_by("kind", "value")[:IDENTITIES]
    )


def assets_of_contact(user, contact: Contact) -> list[Asset]:
    """The contact's own equipment, and what their tickets (those ``user`` may see) were
    about, such as their organization's machines."""
    asked_about = access.visible(user, Ticket.objects.filter(requester_id=contact.pk)).filter(
        asset_id__isnull=False
    )
    rows = Asset.objects.filter(Q(contact_id=contact.pk) | Q(pk__in=asked_about.values("asset_id")))
    return list(rows.order_by("id")[:ASSETS])


def merges_into(contact: Contact) -> list[ContactMerge]:
    """The contacts merged into this one, newest first: who they were, when, and by whom."""
    return list(
        ContactMerge.objects.filter(target_id=contact.pk)
        .select_related("source", "actor")
        .only(
            "created_at",
            "moved_identities",
            "target_id",
            "source__name",
            *(f"actor__{c}" for c in PERSON_COLUMNS),
        )
        .order_by("-created_at", "-id")[:MERGES_SHOWN]
    )


@dataclass
class TicketCounts:
    """Tickets the agent may see, by active status, and in all; when the first of them was
    opened and when the last one moved."""

    total: int
    active: int
    by_status: list[tuple[str, str, int]]  # (status, its name, count), active statuses only
    first_opened: datetime | None = None
    last_updated: datetime | None = None


def ticket_counts(user, **key) -> TicketCounts:
    """How many tickets of a requester or an organization (``key``: ``requester_id=`` or
    ``organization_id=``) ``user`` may see: in all, and active by status; the first opening
    and the last change among them. One query, walking the tickets of that one customer
    (``ticket_requester_created``, ``ticket_org_id``)."""
    rows = access.visible(user, Ticket.objects.filter(**key))
    counts = rows.aggregate(
        total=Count("id"),
        first_opened=Min("created_at"),
        last_updated=Max("updated_at"),
        **{status.value: Count("id", filter=Q(status=status.value)) for status in ACTIVE_STATUSES},
    )
    by_status = [(s.value, str(s.label), counts[s.value]) for s in ACTIVE_STATUSES]
    return TicketCounts(
        counts["total"],
        sum(n for _s, _l, n in by_status),
        by_status,
        counts["first_opened"],
        counts["last_updated"],
    )


def tickets_of_contact(user, contact: Contact, cursor: str | None = None) -> tickets.Page:
    """The contact's tickets on every channel, newest first, a page at a time; only those
    ``user`` may see."""
    return tickets.ticket_page(
        tickets.TicketFilters(requester=contact.pk),
        cursor=cursor,
        limit=CONTACT_TICKETS,
        scope=access.scope_of(user),
    )


def interactions(user, contact: Contact, cursor: str | None = None) -> tickets.Page:
    """Everything that passed between the customer and us, across their tickets (those
    ``user`` may see), newest first: their messages, our public replies, calls, and each
    ticket's opening. Keyset-paginated on ``event_ticket_time``."""
    page = tickets.contact_timeline(
        contact,
        cursor=cursor,
        limit=INTERACTIONS,
        scope=access.scope_of(user),
        kinds=INTERACTION_KINDS,
    )
    ticket_words.as_rows(page.items)
    return page


# --- merging ----------------------------------------------------------------------------------


def merge_candidates(contact: Contact, text: str) -> list[Contact]:
    """Contacts that may be the same person as ``contact``, found as the search box reads its
    text: an email address or a phone number matches an identity exactly (normalised as the
    intake stores it), words match the name. Merged contacts and ``contact`` itself are left
    out; at most :data:`MERGE_CANDIDATES`, by name."""
    terms = SearchTerms.read(text)
    rows = Contact.objects.filter(merged_into__isnull=True).exclude(pk=contact.pk)
    if terms.email:
        rows = rows.filter(pk__in=_holders(Identity.Kind.EMAIL, terms.email))
    elif terms.phone:
        rows = rows.filter(pk__in=_holders(Identity.Kind.PHONE, terms.phone))
    elif terms.words:
        for word in terms.words:
            rows = rows.filter(name__icontains=word)
    else:
        return []
    found = list(rows.select_related("organization").order_by("name", "id")[:MERGE_CANDIDATES])
    attach_identities(found)
    return found


def _holders(kind: str, value: str):
    return Identity.objects.filter(kind=kind, value=value).values("contact_id")


def attach_identities(contacts: list[Contact]) -> None:
    """Each contact's ``identity_list``, with one query for them all."""
    by_contact: dict[int, list[Identity]] = {c.pk: [] for c in contacts}
    if by_contact:
        rows = Identity.objects.filter(contact_id__in=list(by_contact)).order_by("kind", "value")
        for identity in rows:
            by_contact[identity.contact_id].append(identity)
    for contact in contacts:
        contact.identity_list = by_contact[contact.pk]


def merge_partner(contact: Contact, other_id: int) -> Contact:
    """The other contact of a merge, with its identities (``identity_list``), or NotFound."""
    other = Contact.objects.select_related("organization").filter(pk=other_id).first()
    if other is None:
        raise contact_not_found()
    attach_identities([other])
    return other


# --- the organization ---------------------------------------------------------------------


def get_organization(organization_id: int) -> Organization:
    """The organization with its account manager and ``domain_names``, or NotFound."""
    found = (
        Organization.objects.select_related("account_manager")
        .only(
            *(f.name for f in Organization._meta.concrete_fields),
            *(f"account_manager__{c}" for c in PERSON_COLUMNS),
        )
        .filter(pk=organization_id)
        .first()
    )
    if found is None:
        raise organization_not_found()
    found.domain_names = list(found.domains.order_by("domain").values_list("domain", flat=True))
    return found


def tickets_of_organization(
    user, organization: Organization, *, active_only: bool, cursor: str | None = None
) -> tickets.Page:
    """The organization's tickets (its active ones, or all), newest first, a page at a time;
    only those ``user`` may see."""
    filters = tickets.TicketFilters(organization=organization.pk, active=active_only or None)
    return tickets.ticket_page(
        filters, cursor=cursor, limit=ORGANIZATION_TICKETS, scope=access.scope_of(user)
    )


def contacts_of(user, organization: Organization, cursor: str | None = None) -> tickets.Page:
    """The organization's people by name, a page at a time (keyset on name and id), each with
    ``identity_list`` and ``open_tickets``: their active tickets that ``user`` may see."""
    rows = Contact.objects.filter(organization_id=organization.pk, merged_into__isnull=True)
    if cursor:
        name, pk = decode_cursor(cursor, str, int)
        rows = rows.filter(Q(name__gt=name) | Q(name=name, id__gt=pk))
    rows = rows.only("name", "language", "organization_id").order_by("name", "id")
    found = list(rows[: ORGANIZATION_CONTACTS + 1])
    more = len(found) > ORGANIZATION_CONTACTS
    found = found[:ORGANIZATION_CONTACTS]
    attach_identities(found)
    _attach_open_tickets(user, found)
    return tickets.Page(found, encode_cursor(found[-1].name, found[-1].pk) if more else None)


def _attach_open_tickets(user, contacts: list[Contact]) -> None:
    """Each contact's ``open_tickets``: their active tickets that ``user`` may see, counted
    with one query for them all."""
    counted = {}
    if contacts:
        rows = Ticket.objects.filter(ACTIVE_Q, requester_id__in=[c.pk for c in contacts])
        per_requester = access.visible(user, rows).values_list("requester_id")
        counted = dict(per_requester.annotate(n=Count("id")).order_by())
    for contact in contacts:
        contact.open_tickets = counted.get(contact.pk, 0)


def assets_of_organization(organization: Organization, cursor: str | None = None) -> tickets.Page:
    """The organization's equipment, products and contracts, in the order they were recorded,
    a page at a time."""
    rows = Asset.objects.filter(organization_id=organization.pk).order_by("id")
    if cursor:
        rows = rows.filter(id__gt=decode_cursor(cursor, int)[0])
    found = list(rows[: ASSETS + 1])
    more = len(found) > ASSETS
    found = found[:ASSETS]
    return tickets.Page(found, encode_cursor(found[-1].pk) if more else None)
