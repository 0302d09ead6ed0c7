"""Domain events reach subscribers only once the change that raised them is committed."""

import logging

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from sampark.core import events
from sampark.core.errors import InvalidInput
from sampark.customers.services import RequesterDetails
from sampark.sla.models import TicketClock
from sampark.tickets import services as tickets
from sampark.tickets.models import Tag, Ticket
from sampark.workflows import intake


@pytest.fixture
def listen():
    """``listen(name)``: a list that receives every payload published under ``name``."""
    subscriptions = []

    def make(name, handler=None):
        received = []
        handler = handler or (lambda **payload: received.append(payload))
        events.subscribe(name, handler)
        subscriptions.append((name, handler))
        return received

    yield make
    for name, handler in subscriptions:
        events.unsubscribe(name, handler)


@pytest.fixture
def owner(make_agent):
    return make_agent(name="Asha Owner")


def test_subscriber_hears_of_a_change_only_when_it_commits(
    listen, make_ticket, django_capture_on_commit_callbacks
):
    opened = listen("ticket_opened")

    with django_capture_on_commit_callbacks() as pending:
        ticket = make_ticket()
        assert opened == []

    for deliver in pending:
        deliver()
    assert opened == [{"ticket_id": ticket.pk}]


def test_publishing_without_subscribers_schedules_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as pending:
        events.publish("nobody_listens", ticket_id=1)

    assert pending == []


@pytest.mark.django_db(transaction=True)
def test_event_is_delivered_after_the_enclosing_transaction_commits(listen, make_contact):
    opened = listen("ticket_opened")
    customer = make_contact()

    with transaction.atomic():
        ticket = tickets.open_ticket(subject="Printer down", requester=customer)
        assert opened == []

    assert opened == [{"ticket_id": ticket.pk}]


@pytest.mark.django_db(transaction=True)
def test_nothing_is_delivered_when_the_transaction_rolls_back(listen, make_contact):
    opened = listen("ticket_opened")
    customer = make_contact()

    with pytest.raises(RuntimeError), transaction.atomic():
        tickets.open_ticket(subject="Printer down", requester=customer)
        raise RuntimeError("the caller fails after the service")

    assert opened == []
    assert not Ticket.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_failed_service_call_delivers_nothing(listen, make_contact):
    opened = listen("ticket_opened")

    with pytest.raises(InvalidInput):
        intake.open_ticket_from_intake(
            requester=RequesterDetails(email="ravi@example.org"),
            subject="Printer down",
            custom_fields={"nope": 1},
        )

    assert opened == []


def test_failing_subscriber_does_not_break_the_service_call_or_other_subscribers(
    listen, make_ticket, django_capture_on_commit_callbacks, caplog
):
    def broken(**payload):
        raise RuntimeError("search index is down")

    listen("ticket_opened", broken)
    opened = listen("ticket_opened")

    with (
        caplog.at_level(logging.ERROR, logger="sampark.core.events"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        ticket = make_ticket()

    assert Ticket.objects.filter(pk=ticket.pk).exists()
    assert opened == [{"ticket_id": ticket.pk}]
    assert "search index is down" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_failing_subscriber_after_commit_leaves_the_change_committed(listen, make_contact):
    def broken(**payload):
        raise RuntimeError("push server is down")

    listen("ticket_opened", broken)

    ticket = tickets.open_ticket(subject="Printer down", requester=make_contact())

    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_subscribing_the_same_handler_twice_delivers_once(
    listen, make_ticket, django_capture_on_commit_callbacks
):
    received = []

    def handler(**payload):
        received.append(payload)

    listen("ticket_opened", handler)
    listen("ticket_opened", handler)

    with django_capture_on_commit_callbacks(execute=True):
        make_ticket()

    assert len(received) == 1


def test_unsubscribed_handler_hears_nothing(
    listen, make_ticket, django_capture_on_commit_callbacks
):
    received = []

    def handler(**payload):
        received.append(payload)

    events.subscribe("ticket_opened", handler)
    events.unsubscribe("ticket_opened", handler)

    with django_capture_on_commit_callbacks(execute=True):
        make_ticket()

    assert received == []


# --- what each service announces ----------------------------------------------------------


def test_update_announces_the_changed_fields(
    listen, make_ticket, owner, django_capture_on_commit_callbacks
):
    ticket = make_ticket(owner=owner)
    updated = listen("ticket_updated")

    with django_capture_on_commit_callbacks(execute=True):
        tickets.update_ticket(
            ticket.pk,
            actor=owner,
            expected_version=ticket.version,
            priority="P1",
            subject="Plant down",
            tags=["outage"],
        )

    [announcement] = updated
    assert announcement["ticket_id"] == ticket.pk
    assert {"priority", "subject", "tags"} <= set(announcement["fields"])
    assert not {"status", "owner", "group", "category"} & set(announcement["fields"])


def test_update_that_changes_nothing_announces_nothing(
    listen, make_ticket, owner, django_capture_on_commit_callbacks
):
    ticket = make_ticket(owner=owner)
    updated = listen("ticket_updated")

    with django_capture_on_commit_callbacks(execute=True):
        tickets.update_ticket(
            ticket.pk, actor=owner, expected_version=ticket.version, subject=ticket.subject
        )

    assert updated == []


def test_messages_and_calls_are_announced_with_their_kind(
    listen, make_ticket, owner, django_capture_on_commit_callbacks
):
    ticket = make_ticket(owner=owner)
    messages = listen("ticket_message")

    with django_capture_on_commit_callbacks(execute=True):
        reply = tickets.add_message(ticket.pk, agent=owner, body="On my way.")
        call = tickets.log_call(
            ticket.pk, agent=owner, direction="outbound", duration_seconds=30, summary="Called."
        )

    assert messages == [
        {"ticket_id": ticket.pk, "event_id": reply.pk, "kind": "message_out"},
        {"ticket_id": ticket.pk, "event_id": call.pk, "kind": "call"},
    ]


def test_escalation_merge_and_split_are_announced(
    listen, make_ticket, owner, make_group, django_capture_on_commit_callbacks
):
    ticket, duplicate = make_ticket(owner=owner), make_ticket(owner=owner)
    l2 = make_group(tier="L2")
    escalated, merged, opened = (
        listen("ticket_escalated"),
        listen("ticket_merged"),
        listen("ticket_opened"),
    )

    with django_capture_on_commit_callbacks(execute=True):
        tickets.escalate_ticket(ticket.pk, actor=owner, group=l2, reason="Needs L2")
        tickets.merge_tickets(duplicate.pk, into_id=ticket.pk, actor=owner)
        message = ticket.events.get(kind="message_in")
        new = tickets.split_ticket(
            ticket.pk, actor=owner, event_ids=[message.pk], subject="Second problem"
        )

    assert escalated == [{"ticket_id": ticket.pk, "group_id": l2.pk}]
    assert merged == [{"ticket_id": duplicate.pk, "into_id": ticket.pk}]
    assert opened == [{"ticket_id": new.pk}]


@pytest.mark.django_db(transaction=True)
def test_coalesced_subscriber_hears_once_per_key_with_the_latest_payload():
    heard = []

    def handler(ticket_id, step):
        heard.append((ticket_id, step))

    events.subscribe("coalesce_probe", handler, coalesce=lambda ticket_id, **_: ticket_id)
    try:
        with transaction.atomic():
            for step in range(5):
                events.publish("coalesce_probe", ticket_id=1, step=step)
            events.publish("coalesce_probe", ticket_id=2, step=0)
            assert heard == []
        assert sorted(heard) == [(1, 4), (2, 0)]

        heard.clear()
        with transaction.atomic():
            events.publish("coalesce_probe", ticket_id=1, step=9)
        assert heard == [(1, 9)]
    finally:
        events.unsubscribe("coalesce_probe", handler)


@pytest.mark.django_db(transaction=True)
def test_coalesced_delivery_is_dropped_with_a_rolled_back_transaction():
    heard = []

    def handler(ticket_id):
        heard.append(ticket_id)

    events.subscribe("coalesce_probe", handler, coalesce=lambda ticket_id: ticket_id)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            events.publish("coalesce_probe", ticket_id=1)
            raise RuntimeError
        with transaction.atomic():
            events.publish("coalesce_probe", ticket_id=1)
        assert heard == [1]
    finally:
        events.unsubscribe("coalesce_probe", handler)


# --- subscribers that are part of the change ----------------------------------------------


@pytest.fixture
def in_transaction():
    """``in_transaction(name, handler, recover)``, unsubscribed after the test."""
    subscribed = []

    def make(name, handler, recover, one_statement=False):
        events.subscribe_in_transaction(name, handler, recover=recover, one_statement=one_statement)
        subscribed.append((name, handler))

    yield make
    for name, handler in subscribed:
        events.unsubscribe(name, handler)


@pytest.mark.django_db(transaction=True)
def test_in_transaction_subscriber_gets_the_object_and_rolls_back_with_the_change(
    in_transaction, make_contact
):
    seen = []

    def tag_it(subject, ticket_id, history):
        seen.append((subject, ticket_id))
        assert [kind for kind, _at, _data in history] == ["created"]  # the log so far
        subject.tags.add(Tag.objects.create(name="seen"))

    in_transaction("ticket_opened", tag_it, recover=lambda **payload: None)
    customer = make_contact()

    with pytest.raises(RuntimeError), transaction.atomic():
        ticket = tickets.open_ticket(subject="Printer down", requester=customer)
        assert seen == [(ticket, ticket.pk)]  # at once, with the ticket object itself
        assert list(ticket.tags.values_list("name", flat=True)) == ["seen"]
        raise RuntimeError("the caller's transaction fails")

    assert not Ticket.objects.exists()
    assert not Tag.objects.filter(name="seen").exists()  # the subscriber's write went with it


@pytest.mark.django_db(transaction=True)
def test_failing_in_transaction_subscriber_leaves_the_change_and_recovers_after_commit(
    in_transaction, make_contact, caplog
):
    recovered = []

    def broken(subject, **payload):
        raise RuntimeError("clock maths failed")

    in_transaction("ticket_opened", broken, recover=lambda **payload: recovered.append(payload))

    with caplog.at_level(logging.ERROR, logger="sampark.core.events"):
        ticket = tickets.open_ticket(subject="Printer down", requester=make_contact())

    assert Ticket.objects.filter(pk=ticket.pk).exists()
    assert recovered == [{"ticket_id": ticket.pk}]
    assert "clock maths failed" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_an_intake_sends_no_savepoint():
    """The contact, the ticket and its SLA clocks share the intake's one transaction: no step
    opens a savepoint (two more statements each on PostgreSQL)."""
    with CaptureQueriesContext(connection) as captured:
        ticket = intake.open_ticket_from_intake(
            requester=RequesterDetails(name="Kiran", email="kiran@example.in"),
            subject="डिस्प्ले नहीं चल रहा",
        )
    statements = [q["sql"] for q in captured]
    assert not [sql for sql in statements if "SAVEPOINT" in sql]
    assert TicketClock.objects.filter(ticket=ticket).exists()


@pytest.mark.django_db(transaction=True)
def test_a_python_error_in_a_one_statement_subscriber_is_still_recovered_after_commit(
    in_transaction, caplog
):
    recovered = []

    def broken(subject, *, ticket_id):
        raise RuntimeError("clock maths failed")

    in_transaction(
        "ticket_drafted",
        broken,
        recover=lambda **payload: recovered.append(payload),
        one_statement=True,
    )
    with caplog.at_level(logging.ERROR, logger="sampark.core.events"), transaction.atomic():
        events.publish("ticket_drafted", subject="draft", ticket_id=7)
        Tag.objects.create(name="kept")

    assert Tag.objects.filter(name="kept").exists()
    assert recovered == [{"ticket_id": 7}]
    assert "clock maths failed" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_database_error_in_a_one_statement_subscriber_fails_the_publishers_transaction(
    in_transaction,
):
    def refused(subject, *, ticket_id):
        Tag.objects.create(name="twice")
        Tag.objects.create(name="twice")  # unique: PostgreSQL aborts the transaction here

    in_transaction("ticket_drafted", refused, recover=lambda **payload: None, one_statement=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Tag.objects.create(name="before")
        events.publish("ticket_drafted", subject="draft", ticket_id=7)

    assert not Tag.objects.filter(name__in=["before", "twice"]).exists()
