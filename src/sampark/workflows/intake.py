"""The intake of the help-desk SOP: find or create the customer, then open their ticket.

Every channel (the API, the web form, mail and chat as they come) hands over what it knows of
the person and the problem; this finds the contact (one person across channels), records the
equipment or account named as an Asset, and opens the ticket, all in one transaction: a ticket
never exists without its requester, and a requester is never left behind by a refused ticket.
"""

from __future__ import annotations

from django.db import IntegrityError

from sampark.customers import services as customers
from sampark.customers.services import RequesterDetails
from sampark.db import configuration, transactions
from sampark.tickets import services as tickets
from sampark.tickets.models import Ticket


def open_ticket_from_intake(
    *, requester: RequesterDetails, asset_details: dict | None = None, **ticket_fields
) -> Ticket:
    """Find or create the requester, record the asset, and open the ticket (the arguments of
    :func:`sampark.tickets.services.open_ticket` in ``ticket_fields``).

    Everything is read and decided inside the transaction, the owner above all. Should another
    request add one of this requester's identities between the look-up and the insert (on
    PostgreSQL; SQLite has one writer at a time), the identity is refused, the transaction
    rolls back whole, and the intake runs once more, when it finds that person.

    The requester's details are checked first, before the transaction: checking reads
    nothing and decides nothing, and bad details then never take SQLite's write lock."""
    customers.check_requester(requester)
    try:
        return _intake(requester, asset_details, ticket_fields)
    except IntegrityError:
        return _intake(requester, asset_details, ticket_fields)


def _intake(details: RequesterDetails, asset_details: dict | None, ticket_fields: dict) -> Ticket:
    # One configuration reading for the whole intake; any step that fails fails it all, so
    # the steps share its transaction without savepoints of their own.
    with configuration.snapshot(), transactions.all_or_nothing():
        contact, created = customers.find_or_create_contact(details)
        asset = (
            customers.find_or_create_asset(contact=contact, **asset_details)
            if asset_details
            else None
        )
        return tickets.open_ticket(
            requester=contact, asset=asset, new_requester=created, **ticket_fields
        )
