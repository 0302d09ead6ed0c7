"""Optimistic locking: an edit made on a stale read is refused instead of overwriting."""

import threading

import pytest
from django.db import connection

from sampark.core.errors import StaleVersion
from sampark.tickets import services as tickets
from sampark.tickets.models import Ticket, TicketEvent

Kind = TicketEvent.Kind


@pytest.fixture
def owner(make_agent):
    return make_agent(name="Asha Owner")


@pytest.fixture
def ticket(make_ticket, owner):
    return make_ticket(owner=owner)


def snapshot(ticket):
    """Everything an edit could change, to show that a refused edit changed nothing."""
    row = Ticket.objects.filter(pk=ticket.pk).values().get()
    events = list(TicketEvent.objects.filter(ticket=ticket).values_list("id", flat=True))
    return row, events


def test_accepted_edit_is_one_new_version(ticket, owner):
    tickets.update_ticket(
        ticket.pk,
        actor=owner,
        expected_version=ticket.version,
        subject="Printer offline",
        priority="P2",
        tags=["printer"],
    )

    assert Ticket.objects.get(pk=ticket.pk).version == ticket.version + 1


def test_edit_on_a_stale_version_is_refused_and_changes_nothing(ticket, owner):
    read_version = ticket.version
    tickets.update_ticket(ticket.pk, actor=owner, expected_version=read_version, subject="First")
    before = snapshot(ticket)

    with pytest.raises(StaleVersion):
        tickets.update_ticket(
            ticket.pk,
            actor=owner,
            expected_version=read_version,
            subject="Second",
            priority="P1",
            tags=["urgent"],
        )

    assert snapshot(ticket) == before
    assert not Ticket.objects.get(pk=ticket.pk).tags.exists()


def test_stale_version_error_tells_the_current_version(ticket, owner):
    tickets.update_ticket(ticket.pk, actor=owner, expected_version=ticket.version, subject="New")

    with pytest.raises(StaleVersion) as error:
        tickets.update_ticket(ticket.pk, actor=owner, expected_version=ticket.version, subject="X")

    assert error.value.current_version == ticket.version + 1


def test_edit_after_reloading_the_new_version_succeeds(ticket, owner):
    tickets.update_ticket(ticket.pk, actor=owner, expected_version=ticket.version, subject="One")
    current = Ticket.objects.get(pk=ticket.pk).version

    tickets.update_ticket(ticket.pk, actor=owner, expected_version=current, subject="Two")

    assert Ticket.objects.get(pk=ticket.pk).subject == "Two"


def test_reply_written_on_a_stale_version_is_refused(ticket, owner):
    tickets.add_message(ticket.pk, contact=ticket.requester, body="Any news?")
    before = snapshot(ticket)

    with pytest.raises(StaleVersion):
        tickets.add_message(
            ticket.pk, agent=owner, body="All fixed.", expected_version=ticket.version
        )

    assert snapshot(ticket) == before


def test_escalation_on_a_stale_version_is_refused(ticket, owner, make_group):
    tickets.add_message(ticket.pk, agent=owner, body="Checking.")

    with pytest.raises(StaleVersion):
        tickets.escalate_ticket(
            ticket.pk,
            actor=owner,
            group=make_group(tier="L2"),
            reason="Hard one",
            expected_version=ticket.version,
        )
    assert not TicketEvent.objects.filter(ticket=ticket, kind=Kind.ESCALATED).exists()


def test_merge_on_a_stale_version_is_refused(ticket, owner, make_ticket):
    survivor = make_ticket(owner=owner)
    tickets.add_message(ticket.pk, agent=owner, body="Checking.")

    with pytest.raises(StaleVersion):
        tickets.merge_tickets(
            ticket.pk, into_id=survivor.pk, actor=owner, expected_version=ticket.version
        )
    assert Ticket.objects.get(pk=ticket.pk).merged_into is None


def test_customer_messages_are_never_refused_for_staleness(ticket, owner):
    tickets.update_ticket(ticket.pk, actor=owner, expected_version=ticket.version, subject="New")

    tickets.add_message(ticket.pk, contact=ticket.requester, body="Hello?")

    assert TicketEvent.objects.filter(ticket=ticket, body="Hello?").exists()


@pytest.mark.django_db(transaction=True)
def test_two_agents_editing_the_same_version_at_once_one_wins_and_one_is_told_it_is_stale(
    make_agent, make_ticket
):
    owner = make_agent(name="Asha Owner", role="supervisor")
    ticket = make_ticket(owner=owner)
    start = Ticket.objects.get(pk=ticket.pk).version
    both_have_read = threading.Barrier(2, timeout=30)
    outcomes: dict[str, object] = {}

    def edit(name: str) -> None:
        try:
            read_version = Ticket.objects.get(pk=ticket.pk).version
            both_have_read.wait()
            tickets.update_ticket(
                ticket.pk, actor=owner, expected_version=read_version, subject=f"Edited by {name}"
            )
            outcomes[name] = "saved"
        except StaleVersion:
            outcomes[name] = "stale"
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcomes[name] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(name,)) for name in ("asha", "tarun")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(map(str, outcomes.values())) == ["saved", "stale"], outcomes
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    final = Ticket.objects.get(pk=ticket.pk)
    assert final.version == start + 1
    assert final.subject == f"Edited by {winner}"
    assert TicketEvent.objects.filter(ticket=ticket, kind=Kind.FIELDS).count() == 1
