"""The intake workflow: find or create the requester, then open their ticket, in one
transaction in which every decision is read fresh."""

import datetime as dt

import pytest
import time_machine
from django.db import connection

from sampark.core.errors import InvalidInput
from sampark.customers import services as customers
from sampark.customers.models import Contact, Identity
from sampark.customers.services import RequesterDetails, save_organization
from sampark.db import configuration
from sampark.sla.models import TicketClock
from sampark.sla.services import recompute
from sampark.tickets import services as tickets
from sampark.tickets.models import Ticket
from sampark.workflows import contact_merge, intake

pytestmark = pytest.mark.django_db(transaction=True)


def open_from_intake(email="", phone="", **fields):
    return intake.open_ticket_from_intake(
        requester=RequesterDetails(name="Meera Iyer", email=email, phone=phone),
        subject=fields.pop("subject", "ATM card stuck in the machine"),
        description=fields.pop("description", "कार्ड मशीन में फँस गया है"),
        channel="email",
        **fields,
    )


def statements_during(action):
    """``action()``'s result and its statements, each with whether it ran in a transaction."""
    statements = []

    def record(execute, sql, params, many, context):
        statements.append((sql, connection.in_atomic_block))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        result = action()
    return result, statements


def test_the_requester_and_the_owner_are_read_inside_the_transaction(make_contact, make_agent):
    """The owner rests on the requester's other tickets: read where the ticket is written, a
    decision cannot be stale when it commits."""
    owner = make_agent(presence="online")
    known = make_contact(email="meera@example.in")
    tickets.open_ticket(subject="Card blocked", requester=known, owner=owner)

    ticket, statements = statements_during(lambda: open_from_intake(email="Meera@Example.in"))

    outside = [
        sql for sql, in_transaction in statements if not in_transaction and sql != "BEGIN IMMEDIATE"
    ]
    inside = [sql for sql, in_transaction in statements if in_transaction]
    assert ticket.requester == known and ticket.owner == owner
    assert any('FROM "customers_identity"' in sql for sql in inside)
    assert any('FROM "tickets_ticket"' in sql for sql in inside)  # the earlier ticket's owner
    # Outside, at most the configuration generation (the priority scheme, the default group,
    # the policies and the calendar are cached per process under it).
    assert all(configuration.TABLE in sql for sql in outside)


def test_a_requester_added_in_between_gets_the_ticket_not_a_second_contact(monkeypatch):
    """Another request added her after this one looked her up: her identity is refused, and
    the intake runs again, finding her."""
    her, _created = customers.find_or_create_contact(
        RequesterDetails(email="meera@example.in", phone="98111 22334")
    )
    real, calls = customers._identities, []

    def not_seen_the_first_time(kinds, values):
        calls.append(values)
        return [] if len(calls) == 1 else real(kinds, values)

    monkeypatch.setattr(customers, "_identities", not_seen_the_first_time)

    ticket = open_from_intake(email="meera@example.in", phone="98111 22334")

    assert len(calls) == 2
    assert Contact.objects.get() == her == ticket.requester
    assert Identity.objects.filter(contact=her).count() == 2
    assert Ticket.objects.count() == 1


def test_a_requester_merged_away_is_followed_to_the_surviving_contact(make_contact):
    old = make_contact(email="meera.old@example.in")
    survivor = make_contact(email="meera@example.in")
    contact_merge.merge_contacts(old, survivor)

    ticket = open_from_intake(email="meera.old@example.in")

    assert ticket.requester == survivor
    assert Ticket.objects.get(pk=ticket.pk).requester_id == survivor.pk


def test_a_known_requester_joins_their_domains_organization_and_its_account_manager_owns_it(
    make_contact, make_agent
):
    """A known contact without an organization whose email domain now belongs to one joins
    it at intake; the owner is then that organization's account manager."""
    manager = make_agent(name="Kavita Account", presence="online")
    customer = make_contact(email="ravi@bigbank.example")
    save_organization(name="Big Bank", domains=["bigbank.example"], account_manager=manager)

    ticket = open_from_intake(email="ravi@bigbank.example")

    customer.refresh_from_db()
    assert customer.organization.name == "Big Bank"
    assert ticket.organization == customer.organization
    assert ticket.owner == manager


def test_bad_input_is_refused_and_nothing_is_written():
    with pytest.raises(InvalidInput):
        open_from_intake(email="meera@example.in", priority="P9")

    assert not Contact.objects.exists()
    assert not Ticket.objects.exists()


def test_a_new_tickets_clocks_are_the_ones_its_log_gives():
    with time_machine.travel(dt.datetime(2026, 11, 24, 10, 30, tzinfo=dt.UTC), tick=False):
        ticket = open_from_intake(email="meera@example.in", priority="P1")
        stored = TicketClock.objects.get(ticket=ticket)
        rebuilt = recompute(ticket.pk)  # from the ticket's log, inside a transaction

    assert stored.clocks and stored.policy_id is not None
    assert (stored.policy_id, stored.clocks, stored.next_deadline) == (
        rebuilt.policy_id,
        rebuilt.clocks,
        rebuilt.next_deadline,
    )
