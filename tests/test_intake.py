"""open_ticket_from_intake: it looks up and decides before its transaction, and gives the same
ticket as deciding inside it, whatever changes in between."""

import datetime as dt

import pytest
import time_machine
from django.db import connection

from sampark.customers import services as customers
from sampark.customers.models import Contact, Identity
from sampark.customers.services import RequesterDetails, save_organization
from sampark.db import configuration
from sampark.tickets import services as tickets
from sampark.tickets.models import Ticket
from sampark.tickets.services import opening

pytestmark = pytest.mark.django_db(transaction=True)


def intake(email="", phone="", **fields):
    return tickets.open_ticket_from_intake(
        requester=RequesterDetails(name="Meera Iyer", email=email, phone=phone),
        subject=fields.pop("subject", "ATM card stuck in the machine"),
        description=fields.pop("description", "कार्ड मशीन में फँस गया है"),
        channel="email",
        **fields,
    )


def interleave(monkeypatch, between):
    """Run ``between(match)`` after the intake's look-up and before its transaction, as a
    concurrent request would."""
    real = customers.match_requester
    calls = []

    def match_then_interleave(details):
        match = real(details)
        calls.append(match)
        if len(calls) == 1:
            between(match)
        return match

    monkeypatch.setattr(opening, "match_requester", match_then_interleave)
    return calls


def test_lookups_and_decisions_run_before_the_transaction(make_contact):
    known = make_contact(email="meera@example.in")
    statements = []

    def record(execute, sql, params, many, context):
        statements.append((sql, connection.in_atomic_block))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        ticket = intake(email="Meera@Example.in", priority="P2")

    outside = [sql for sql, in_transaction in statements if not in_transaction]
    inside = [sql for sql, in_transaction in statements if in_transaction]
    assert ticket.requester == known and ticket.priority.code == "P2"
    assert any('"customers_identity"' in sql for sql in outside)
    # Priority, group, policies and calendar come from the configuration cached per process:
    # its generation is read once, outside (rows only when another test changed them).
    assert sum(configuration.TABLE in sql for sql in outside) == 1
    assert [sql for sql in outside if sql.lstrip().startswith(("INSERT", "UPDATE"))] == []
    # Inside: a check that she was not merged away, the ticket number, the rows and the
    # clocks; she and the configuration are not looked up again.
    assert not any('"tickets_priority"' in sql for sql in inside)
    assert not any(configuration.TABLE in sql for sql in inside)
    assert not any('FROM "customers_identity"' in sql for sql in inside)


@pytest.mark.parametrize("known", [False, True])
def test_the_ticket_built_before_the_transaction_is_the_one_saved(monkeypatch, known):
    """A new requester is saved as the very contact planned on, so nothing is built twice."""
    if known:
        customers.find_or_create_contact(RequesterDetails(email="meera@example.in"))
    real, built = opening._build, []
    monkeypatch.setattr(opening, "_build", lambda *a: built.append(real(*a)) or built[-1])

    ticket = intake(email="meera@example.in")

    assert len(built) == 1 and built[0][0] is ticket
    assert ticket.requester_id == Contact.objects.get().pk
    assert Ticket.objects.get(pk=ticket.pk).requester_id == ticket.requester_id


def test_a_requester_added_in_between_gets_the_ticket_not_a_second_contact(monkeypatch):
    def another_request_adds_her(match):
        assert match.contact is None
        customers.find_or_create_contact(match.details)

    interleave(monkeypatch, another_request_adds_her)

    # Her new contact was refused (the identity is taken); the intake ran again, inside.
    ticket = intake(email="meera@example.in", phone="98111 22334")

    assert Contact.objects.count() == 1
    assert ticket.requester == Contact.objects.get()
    assert Identity.objects.filter(contact=ticket.requester).count() == 2
    assert Ticket.objects.count() == 1


def test_a_requester_merged_away_in_between_is_followed_to_the_surviving_contact(
    monkeypatch, make_contact
):
    old = make_contact(email="meera.old@example.in")
    survivor = make_contact(email="meera@example.in")

    def an_agent_merges_them(match):
        assert match.contact == old
        customers.merge_contacts(old, survivor)

    interleave(monkeypatch, an_agent_merges_them)

    ticket = intake(email="meera.old@example.in")

    assert ticket.requester == survivor
    assert Ticket.objects.get(pk=ticket.pk).requester_id == survivor.pk


def test_decisions_are_made_again_when_the_requester_joins_an_organization_inside(
    make_contact, make_agent
):
    """A known contact without an organization whose email domain now belongs to one joins
    it at intake, inside the transaction; the owner is then that organization's account
    manager, as if everything had been decided inside."""
    manager = make_agent(name="Kavita Account")
    customer = make_contact(email="ravi@bigbank.example")
    save_organization(name="Big Bank", domains=["bigbank.example"], account_manager=manager)

    ticket = intake(email="ravi@bigbank.example")

    customer.refresh_from_db()
    assert customer.organization.name == "Big Bank"
    assert ticket.organization == customer.organization
    assert ticket.owner == manager


def test_bad_input_is_refused_before_anything_is_written():
    from sampark.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        intake(email="meera@example.in", priority="P9")

    assert not Contact.objects.exists()
    assert not Ticket.objects.exists()


def test_clocks_worked_out_before_the_transaction_are_the_ones_the_log_gives():
    from sampark.sla.models import TicketClock
    from sampark.sla.services import recompute

    with time_machine.travel(dt.datetime(2026, 11, 24, 10, 30, tzinfo=dt.UTC), tick=False):
        ticket = intake(email="meera@example.in", priority="P1")
        stored = TicketClock.objects.get(ticket=ticket)
        rebuilt = recompute(ticket.pk)  # from the ticket's log, inside a transaction

    assert stored.clocks and stored.policy_id is not None
    assert (stored.policy_id, stored.clocks, stored.next_deadline) == (
        rebuilt.policy_id,
        rebuilt.clocks,
        rebuilt.next_deadline,
    )
