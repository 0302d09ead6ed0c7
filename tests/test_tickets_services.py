"""The rules of a ticket's life, tested through tickets.services."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from sampark.core.errors import Conflict, InvalidInput, InvalidTransition
from sampark.customers.models import Asset, Contact, Identity
from sampark.customers.services import RequesterDetails
from sampark.tickets import services as tickets
from sampark.tickets.models import Channel, Status, Tag, Ticket, TicketEvent
from sampark.workflows import intake

Kind = TicketEvent.Kind
T0 = dt.datetime(2025, 3, 3, 10, 0, tzinfo=dt.UTC)


def update(ticket, actor, **edits):
    """update_ticket at the ticket's current version."""
    version = Ticket.objects.values_list("version", flat=True).get(pk=ticket.pk)
    return tickets.update_ticket(ticket.pk, actor=actor, expected_version=version, **edits)


def reload(ticket):
    return Ticket.objects.get(pk=ticket.pk)


def kinds(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))


@pytest.fixture
def owner(make_agent, default_group):
    return make_agent(name="Asha Owner", groups=[default_group])


@pytest.fixture
def ticket(make_ticket, owner):
    """An open ticket owned by ``owner``."""
    return make_ticket(owner=owner)


@pytest.fixture
def l2_group(make_group):
    return make_group(name="Network specialists", tier="L2")


@pytest.fixture
def l3_group(make_group):
    return make_group(name="Engineering", tier="L3")


def put_in_status(ticket, actor, status):
    path = {
        Status.OPEN: [],
        Status.PENDING: ["pending"],
        Status.ON_HOLD: ["on_hold"],
        Status.SOLVED: ["solved"],
        Status.CLOSED: ["solved", "closed"],
    }[status]
    for step in path:
        update(ticket, actor, status=step)
    return reload(ticket)


# --- opening ------------------------------------------------------------------------------


def test_new_ticket_gets_the_default_priority_and_its_rank(make_ticket):
    ticket = make_ticket()

    assert ticket.priority.code == "P3"
    assert ticket.priority_rank == ticket.priority.rank == 3


def test_opening_records_created_and_the_customers_first_message(make_ticket, make_contact):
    customer = make_contact()

    with time_machine.travel(T0, tick=False):
        ticket = make_ticket(requester=customer, channel=Channel.EMAIL, description="Paper jam.")

    created, message = TicketEvent.objects.filter(ticket=ticket)
    assert (created.kind, created.channel, created.contact, created.created_at) == (
        Kind.CREATED,
        Channel.EMAIL,
        customer,
        T0,
    )
    assert (message.kind, message.body, message.public, message.contact) == (
        Kind.MESSAGE_IN,
        "Paper jam.",
        True,
        customer,
    )
    assert ticket.created_at == ticket.updated_at == T0


def test_ticket_opened_by_an_agent_records_who_opened_it(make_ticket, owner):
    ticket = make_ticket(actor=owner, channel=Channel.PHONE)

    created = ticket.events.get(kind=Kind.CREATED)
    assert (created.actor, created.contact, created.channel) == (owner, None, Channel.PHONE)


@pytest.mark.parametrize(
    "bad",
    [
        {"subject": "   "},
        {"subject": "x" * 256},
        {"channel": "carrier-pigeon"},
        {"ticket_type": "rant"},
        {"priority": "P9"},
        {"language": "fr"},
        {"tags": [""]},
    ],
)
def test_opening_with_invalid_details_is_refused(make_contact, bad):
    details = {"subject": "Printer down", "requester": make_contact(), **bad}

    with pytest.raises(InvalidInput):
        tickets.open_ticket(**details)
    assert not Ticket.objects.exists()


def test_opening_with_tags_that_are_not_a_list_is_refused(make_contact):
    with pytest.raises(InvalidInput):
        tickets.open_ticket(subject="VPN down", requester=make_contact(), tags="vpn")


def test_ticket_numbers_follow_each_other(make_ticket):
    first, second = make_ticket(), make_ticket()

    assert second.number == first.number + 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the number sequence is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_create_does_not_wait_for_another_to_commit(make_contact):
    """Numbers come from a sequence: with a counter row, the second create would wait for the
    first to commit and, here, give up after lock_timeout."""
    first_customer, second_customer = make_contact(), make_contact()
    holding, release = threading.Event(), threading.Event()

    def first_create_stays_open():
        try:
            with transaction.atomic():
                tickets.open_ticket(subject="Open and waiting", requester=first_customer)
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=first_create_stays_open)
    thread.start()
    assert holding.wait(10)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '500ms'")
            second = tickets.open_ticket(subject="Not kept waiting", requester=second_customer)
    finally:
        release.set()
        thread.join()

    first = Ticket.objects.get(subject="Open and waiting")
    assert second.number == first.number + 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the number sequence is PostgreSQL's")
def test_on_postgresql_the_number_comes_back_from_the_ticket_insert(make_contact):
    customer = make_contact()
    with CaptureQueriesContext(connection) as captured:
        ticket = tickets.open_ticket(subject="Numbered by the insert", requester=customer)

    numbered = [q["sql"] for q in captured if "nextval" in q["sql"]]
    # One statement draws the number and writes the ticket and its opening events.
    assert len(numbered) == 1 and numbered[0].startswith(
        'WITH parent AS (INSERT INTO "tickets_ticket"'
    )
    assert 'INSERT INTO "tickets_ticketevent"' in numbered[0]
    assert Ticket.objects.get(pk=ticket.pk).number == ticket.number > 0
    assert TicketEvent.objects.filter(ticket=ticket).exists()


# --- Hindi, Hinglish and emoji ------------------------------------------------------------


def test_devanagari_subject_description_and_name_survive_byte_for_byte(db):
    name = "सुनीता शर्मा"
    subject = "प्रिंटर काम नहीं कर रहा है"
    description = "नमस्ते,\nकल से प्रिंटर पर ‘पेपर जाम’ लिखा आ रहा है। क्‍या कोई इंजीनियर आ सकता है?"

    ticket = intake.open_ticket_from_intake(
        requester=RequesterDetails(name=name, phone="98765 43210", language="hi"),
        subject=subject,
        description=description,
    )

    stored = Ticket.objects.select_related("requester").get(pk=ticket.pk)
    assert stored.subject.encode() == subject.encode()
    assert stored.description.encode() == description.encode()
    assert stored.requester.name.encode() == name.encode()
    assert stored.language == "hi"
    message = stored.events.get(kind=Kind.MESSAGE_IN)
    assert message.body.encode() == description.encode()


def test_hinglish_and_emoji_survive_byte_for_byte(make_ticket, owner):
    subject = "Mera internet 2 din se band hai 😡"
    reply = "Aapka connection theek kar diya hai 🙏 — dhanyavaad!"
    ticket = make_ticket(subject=subject, description="Please jaldi fix karo 🙏🏽")

    event = tickets.add_message(ticket.pk, agent=owner, body=reply)

    assert reload(ticket).subject.encode() == subject.encode()
    assert reload(ticket).description.encode() == "Please jaldi fix karo 🙏🏽".encode()
    assert TicketEvent.objects.get(pk=event.pk).body.encode() == reply.encode()


def test_devanagari_is_kept_as_written_not_unicode_normalised(make_ticket):
    precomposed, decomposed = "\u095b", "\u091c\u093c"  # ज़ written two ways
    subject = f"{precomposed}रूरी / {decomposed}रूरी"

    ticket = make_ticket(subject=subject)

    assert reload(ticket).subject == subject
    assert len(reload(ticket).subject) == len(subject)


def test_subject_of_255_devanagari_characters_is_stored_whole(make_ticket):
    subject = ("प्रिंटर " * 32)[:255]

    ticket = make_ticket(subject=subject)

    assert reload(ticket).subject == subject


def test_hindi_tags_are_kept(make_ticket):
    ticket = make_ticket(tags=["बिलिंग", "Internet "])

    assert sorted(ticket.tags.values_list("name", flat=True)) == ["internet", "बिलिंग"]


# --- status -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "final"),
    [
        (["pending"], Status.PENDING),
        (["on_hold"], Status.ON_HOLD),
        (["solved"], Status.SOLVED),
        (["pending", "open"], Status.OPEN),
        (["on_hold", "pending"], Status.PENDING),
        (["solved", "closed"], Status.CLOSED),
    ],
)
def test_allowed_status_change_is_recorded(ticket, owner, path, final):
    for step in path:
        update(ticket, owner, status=step)

    assert reload(ticket).status == final
    event = ticket.events.filter(kind=Kind.STATUS).last()
    assert (event.actor, event.channel) == (owner, Channel.AGENT)
    assert event.data["to"] == final


def test_new_ticket_can_be_opened_by_an_agent(make_ticket, owner):
    ticket = make_ticket()

    update(ticket, owner, status="open")

    assert reload(ticket).status == Status.OPEN
    event = ticket.events.get(kind=Kind.STATUS)
    assert event.data == {"from": "new", "to": "open"}


def test_solving_a_ticket_stamps_solved_at(ticket, owner):
    with time_machine.travel(T0, tick=False):
        update(ticket, owner, status="solved")

    assert reload(ticket).solved_at == T0


def test_closing_a_solved_ticket_stamps_closed_at(ticket, owner):
    update(ticket, owner, status="solved")

    with time_machine.travel(T0, tick=False):
        update(ticket, owner, status="closed")

    assert reload(ticket).closed_at == T0


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (Status.OPEN, "closed"),
        (Status.OPEN, "new"),
        (Status.PENDING, "closed"),
        (Status.ON_HOLD, "new"),
        (Status.SOLVED, "pending"),
        (Status.SOLVED, "new"),
    ],
)
def test_disallowed_status_change_is_refused(ticket, owner, start, target):
    ticket = put_in_status(ticket, owner, start)

    with pytest.raises(InvalidTransition):
        update(ticket, owner, status=target)
    assert reload(ticket).status == start
    assert reload(ticket).version == ticket.version


def test_new_ticket_cannot_be_closed(make_ticket, owner):
    ticket = make_ticket()

    with pytest.raises(InvalidTransition):
        update(ticket, owner, status="closed")


def test_unknown_status_is_refused(ticket, owner):
    with pytest.raises(InvalidInput):
        update(ticket, owner, status="archived")


def test_closed_ticket_cannot_be_reopened(ticket, owner):
    ticket = put_in_status(ticket, owner, Status.CLOSED)

    with pytest.raises(InvalidTransition):
        update(ticket, owner, status="open")
    assert reload(ticket).status == Status.CLOSED


def test_closed_ticket_cannot_be_edited(ticket, owner):
    ticket = put_in_status(ticket, owner, Status.CLOSED)

    with pytest.raises(Conflict):
        update(ticket, owner, subject="Changed after closing")
    assert reload(ticket).subject == ticket.subject


def test_agent_reopening_a_solved_ticket_records_reopened_and_clears_solved_at(ticket, owner):
    update(ticket, owner, status="solved")

    update(ticket, owner, status="open")

    reopened = reload(ticket)
    assert (reopened.status, reopened.solved_at) == (Status.OPEN, None)
    event = ticket.events.get(kind=Kind.REOPENED)
    assert event.actor == owner
    assert event.data == {"from": "solved", "to": "open", "reason": "agent"}


# --- conversation -------------------------------------------------------------------------


def test_customer_reply_to_a_solved_ticket_reopens_it(ticket, owner):
    update(ticket, owner, status="solved")

    message = tickets.add_message(
        ticket.pk, contact=ticket.requester, body="Still broken.", channel=Channel.EMAIL
    )

    reopened = reload(ticket)
    assert (reopened.status, reopened.solved_at) == (Status.OPEN, None)
    event = ticket.events.get(kind=Kind.REOPENED)
    assert (event.contact, event.channel) == (ticket.requester, Channel.EMAIL)
    assert event.data["reason"] == "customer_reply"
    assert (message.kind, message.public, message.contact) == (
        Kind.MESSAGE_IN,
        True,
        ticket.requester,
    )


def test_customer_reply_to_a_pending_ticket_puts_it_back_to_open(ticket, owner):
    update(ticket, owner, status="pending")

    tickets.add_message(ticket.pk, contact=ticket.requester, body="Here is the photo.")

    assert reload(ticket).status == Status.OPEN


def test_customer_reply_to_a_pending_ticket_records_the_status_change(ticket, owner):
    update(ticket, owner, status="pending")

    tickets.add_message(
        ticket.pk, contact=ticket.requester, body="Here is the photo.", channel=Channel.EMAIL
    )

    event = ticket.events.filter(kind=Kind.STATUS).last()
    assert (event.data["from"], event.data["to"]) == ("pending", "open")
    assert (event.actor, event.contact, event.channel) == (None, ticket.requester, Channel.EMAIL)


def test_first_reply_records_the_change_from_new_to_open(make_ticket, owner):
    ticket = make_ticket()

    tickets.add_message(ticket.pk, agent=owner, body="Looking into it.")

    event = ticket.events.get(kind=Kind.STATUS)
    assert (event.data["from"], event.data["to"]) == ("new", "open")
    assert (event.actor, event.channel) == (owner, Channel.AGENT)


def test_first_call_records_the_change_from_new_to_open(make_ticket, owner):
    ticket = make_ticket()

    tickets.log_call(
        ticket.pk, agent=owner, direction="outbound", duration_seconds=60, summary="Called."
    )

    event = ticket.events.get(kind=Kind.STATUS)
    assert (event.data["from"], event.data["to"]) == ("new", "open")
    assert (event.actor, event.channel) == (owner, Channel.PHONE)


def test_customer_reply_to_a_new_ticket_leaves_it_new(make_ticket):
    ticket = make_ticket()

    tickets.add_message(ticket.pk, contact=ticket.requester, body="Any update?")

    assert reload(ticket).status == Status.NEW


def test_customer_reply_to_a_closed_ticket_is_refused(ticket, owner):
    ticket = put_in_status(ticket, owner, Status.CLOSED)

    with pytest.raises(Conflict):
        tickets.add_message(ticket.pk, contact=ticket.requester, body="Hello again")
    assert not ticket.events.filter(kind=Kind.MESSAGE_IN, body="Hello again").exists()


def test_agent_reply_to_a_closed_ticket_is_refused(ticket, owner):
    ticket = put_in_status(ticket, owner, Status.CLOSED)

    with pytest.raises(Conflict):
        tickets.add_message(ticket.pk, agent=owner, body="One more thing")


def test_agent_reply_is_public_and_records_time_spent(ticket, owner):
    reply = tickets.add_message(ticket.pk, agent=owner, body="Please restart it.", time_spent=90)

    assert (reply.kind, reply.public, reply.actor, reply.time_spent) == (
        Kind.MESSAGE_OUT,
        True,
        owner,
        90,
    )


def test_internal_note_is_not_public(ticket, owner):
    note = tickets.add_message(
        ticket.pk, agent=owner, body="Customer is on old firmware.", public=False
    )

    assert (note.kind, note.public) == (Kind.NOTE, False)
    assert reload(ticket).first_responded_at is None


def test_internal_note_can_be_added_to_a_closed_ticket(ticket, owner):
    ticket = put_in_status(ticket, owner, Status.CLOSED)

    note = tickets.add_message(ticket.pk, agent=owner, body="Refund approved.", public=False)

    assert note.kind == Kind.NOTE


@pytest.mark.parametrize("body", ["", "   ", None])
def test_empty_message_is_refused(ticket, owner, body):
    with pytest.raises(InvalidInput):
        tickets.add_message(ticket.pk, agent=owner, body=body)


def test_message_must_come_from_exactly_one_of_agent_or_customer(ticket, owner):
    with pytest.raises(InvalidInput):
        tickets.add_message(ticket.pk, agent=owner, contact=ticket.requester, body="Hi")
    with pytest.raises(InvalidInput):
        tickets.add_message(ticket.pk, body="Hi")


def test_message_from_someone_who_is_not_an_agent_is_refused(ticket, make_agent):
    former = make_agent()
    former.is_active = False
    former.save(update_fields=["is_active"])

    with pytest.raises(InvalidInput):
        tickets.add_message(ticket.pk, agent=former, body="Hi")


def test_negative_time_spent_on_a_message_is_refused(ticket, owner):
    with pytest.raises(InvalidInput):
        tickets.add_message(ticket.pk, agent=owner, body="Done.", time_spent=-60)


# --- calls --------------------------------------------------------------------------------


def test_call_is_recorded_with_direction_duration_and_summary(ticket, owner):
    with time_machine.travel(T0, tick=False):
        call = tickets.log_call(
            ticket.pk,
            agent=owner,
            direction="outbound",
            duration_seconds=240,
            summary="Walked the customer through a reset.",
        )

    call = TicketEvent.objects.get(pk=call.pk)
    assert (call.kind, call.channel, call.public, call.actor, call.contact) == (
        Kind.CALL,
        Channel.PHONE,
        True,
        owner,
        ticket.requester,
    )
    assert call.data == {"direction": "outbound", "duration_seconds": 240}
    assert call.body == "Walked the customer through a reset."
    assert call.time_spent == 240
    assert reload(ticket).first_responded_at == T0


def test_call_can_record_handle_time_apart_from_talk_time(ticket, owner):
    call = tickets.log_call(
        ticket.pk,
        agent=owner,
        direction="inbound",
        duration_seconds=240,
        summary="Customer called back.",
        time_spent=600,
    )

    assert call.time_spent == 600


def test_call_direction_must_be_inbound_or_outbound(ticket, owner):
    with pytest.raises(InvalidInput) as error:
        tickets.log_call(
            ticket.pk, agent=owner, direction="sideways", duration_seconds=60, summary="Hi"
        )
    assert error.value.field == "direction"


@pytest.mark.parametrize("duration", [-1, 86_401, "60", 1.5, None])
def test_call_duration_must_be_whole_seconds_within_a_day(ticket, owner, duration):
    with pytest.raises(InvalidInput) as error:
        tickets.log_call(
            ticket.pk, agent=owner, direction="inbound", duration_seconds=duration, summary="Hi"
        )
    assert error.value.field == "duration_seconds"
    assert not ticket.events.filter(kind=Kind.CALL).exists()


def test_call_needs_a_summary(ticket, owner):
    with pytest.raises(InvalidInput):
        tickets.log_call(
            ticket.pk, agent=owner, direction="inbound", duration_seconds=60, summary="  "
        )


def test_negative_time_spent_on_a_call_is_refused(ticket, owner):
    with pytest.raises(InvalidInput):
        tickets.log_call(
            ticket.pk,
            agent=owner,
            direction="inbound",
            duration_seconds=60,
            summary="Hi",
            time_spent=-1,
        )


# --- priority, tags and fields ------------------------------------------------------------


def test_priority_change_records_from_to_and_reason_and_updates_the_rank(ticket, owner):
    update(ticket, owner, priority="P1", priority_reason="Whole plant is down")

    changed = reload(ticket)
    assert (changed.priority.code, changed.priority_rank) == ("P1", 1)
    event = ticket.events.get(kind=Kind.PRIORITY)
    assert event.data == {"from": "P3", "to": "P1", "manual": True}
    assert event.body == "Whole plant is down"
    assert event.actor == owner


def test_setting_the_same_priority_records_nothing(ticket, owner):
    update(ticket, owner, priority="P3")

    assert reload(ticket).version == ticket.version
    assert not ticket.events.filter(kind=Kind.PRIORITY).exists()


def test_unknown_priority_is_refused(ticket, owner):
    with pytest.raises(InvalidInput):
        update(ticket, owner, priority="P9")


def test_tags_are_lower_cased_trimmed_and_deduplicated(make_ticket):
    ticket = make_ticket(tags=[" VPN ", "vpn", "Network   Outage"])

    assert sorted(ticket.tags.values_list("name", flat=True)) == ["network outage", "vpn"]


def test_tag_changes_are_recorded_as_a_fields_diff(make_ticket, owner):
    ticket = make_ticket(owner=owner, tags=["vpn", "billing"])

    update(ticket, owner, tags=["VPN", "Outage"])

    assert sorted(ticket.tags.values_list("name", flat=True)) == ["outage", "vpn"]
    event = ticket.events.get(kind=Kind.FIELDS)
    assert event.data == {"tags": {"from": ["billing", "vpn"], "to": ["outage", "vpn"]}}
    assert reload(ticket).version == ticket.version + 1


def test_unchanged_tags_record_nothing(make_ticket, owner):
    ticket = make_ticket(owner=owner, tags=["vpn", "billing"])

    update(ticket, owner, tags=["Billing", " vpn"])

    assert not ticket.events.filter(kind=Kind.FIELDS).exists()
    assert reload(ticket).version == ticket.version


@pytest.mark.parametrize("tags", ["vpn", [""], ["x" * 51], [42], [f"t{i}" for i in range(21)]])
def test_invalid_tags_are_refused(ticket, owner, tags):
    with pytest.raises(InvalidInput):
        update(ticket, owner, tags=tags)


def test_subject_and_category_changes_are_recorded_as_a_fields_diff(ticket, owner):
    update(ticket, owner, subject="Printer at Pune plant offline", category="hardware")

    event = ticket.events.get(kind=Kind.FIELDS)
    assert event.data == {
        "subject": {"from": "Printer does not print", "to": "Printer at Pune plant offline"},
        "category": {"from": "", "to": "hardware"},
    }


# --- custom fields ------------------------------------------------------------------------


@pytest.fixture
def custom_fields(db):
    tickets.save_field_definition(key="units", label="Units affected", kind="number")
    tickets.save_field_definition(
        key="site", label="Site", kind="choice", choices=["Pune", "Delhi"]
    )
    tickets.save_field_definition(key="under_warranty", label="Under warranty", kind="boolean")
    tickets.save_field_definition(key="visit_on", label="Visit on", kind="date")


def test_custom_fields_are_stored_coerced(make_ticket, custom_fields):
    ticket = make_ticket(
        custom_fields={
            "units": "12",
            "site": "Pune",
            "under_warranty": True,
            "visit_on": "2025-03-04",
        }
    )

    assert reload(ticket).custom_fields == {
        "units": 12,
        "site": "Pune",
        "under_warranty": True,
        "visit_on": "2025-03-04",
    }


@pytest.mark.parametrize(
    "values",
    [
        {"colour": "red"},
        {"units": "a dozen"},
        {"units": True},
        {"under_warranty": "yes"},
        {"site": "Mumbai"},
        {"visit_on": "04/03/2025"},
        ["units", 12],
    ],
)
def test_invalid_custom_fields_are_refused(make_contact, custom_fields, values):
    with pytest.raises(InvalidInput) as error:
        tickets.open_ticket(subject="Printer down", requester=make_contact(), custom_fields=values)
    assert error.value.field == "custom_fields"
    assert not Ticket.objects.exists()


def test_required_custom_field_is_needed_to_open_a_ticket(make_contact, custom_fields):
    tickets.save_field_definition(key="account_no", label="Account number", required=True)

    with pytest.raises(InvalidInput):
        tickets.open_ticket(subject="Printer down", requester=make_contact())


def test_field_made_required_later_does_not_block_edits_to_older_tickets(ticket, owner):
    tickets.save_field_definition(key="account_no", label="Account number", required=True)

    update(ticket, owner, subject="Printer offline")

    assert reload(ticket).subject == "Printer offline"


def test_inactive_custom_field_is_unknown(make_contact):
    definition = tickets.save_field_definition(key="legacy", label="Legacy")
    tickets.save_field_definition(definition, active=False)

    with pytest.raises(InvalidInput):
        tickets.open_ticket(
            subject="Printer down", requester=make_contact(), custom_fields={"legacy": "x"}
        )


def test_custom_field_change_is_recorded_and_none_removes_a_value(
    make_ticket, owner, custom_fields
):
    ticket = make_ticket(owner=owner, custom_fields={"units": 3, "site": "Delhi"})

    update(ticket, owner, custom_fields={"units": 5, "site": None})

    assert reload(ticket).custom_fields == {"units": 5}
    event = ticket.events.get(kind=Kind.FIELDS)
    assert event.data == {
        "custom_fields": {"from": {"units": 3, "site": "Delhi"}, "to": {"units": 5}}
    }


# --- split: one problem, one ticket -------------------------------------------------------


@pytest.fixture
def conversation(ticket, owner):
    """A ticket about a printer whose customer then raises a second problem."""
    with time_machine.travel(T0, tick=False):
        reply = tickets.add_message(ticket.pk, agent=owner, body="Please send a photo.")
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        second_problem = tickets.add_message(
            ticket.pk, contact=ticket.requester, body="Also my scanner makes a noise."
        )
    return ticket, reply, second_problem


def test_split_opens_a_linked_ticket_for_the_same_customer_owner_and_group(conversation, owner):
    source, _reply, second_problem = conversation

    new = tickets.split_ticket(
        source.pk, actor=owner, event_ids=[second_problem.pk], subject="Scanner noise"
    )

    assert new.pk != source.pk
    assert new.split_from == source
    assert (new.requester, new.owner, new.group, new.priority) == (
        source.requester,
        source.owner,
        source.group,
        source.priority,
    )
    assert (new.subject, new.description) == ("Scanner noise", "Also my scanner makes a noise.")
    assert new.status == Status.OPEN


def test_split_copies_the_chosen_messages_with_their_original_times(conversation, owner):
    source, reply, second_problem = conversation

    new = tickets.split_ticket(
        source.pk, actor=owner, event_ids=[second_problem.pk, reply.pk], subject="Scanner noise"
    )

    copies = list(new.events.filter(kind__in=TicketEvent.MESSAGE_KINDS))
    assert [(c.kind, c.body, c.created_at) for c in copies] == [
        (Kind.MESSAGE_OUT, "Please send a photo.", T0),
        (Kind.MESSAGE_IN, "Also my scanner makes a noise.", T0 + dt.timedelta(hours=1)),
    ]
    assert copies[1].data["copied_from"] == {"ticket": source.pk, "event": second_problem.pk}
    assert source.events.filter(pk=second_problem.pk).exists()


def test_split_records_split_on_the_source_and_split_from_on_the_new_ticket(conversation, owner):
    source, _reply, second_problem = conversation

    new = tickets.split_ticket(
        source.pk, actor=owner, event_ids=[second_problem.pk], subject="Scanner noise"
    )

    split = source.events.get(kind=Kind.SPLIT)
    assert split.actor == owner
    assert split.data == {"ticket": new.pk, "number": new.number, "event_ids": [second_problem.pk]}
    split_from = new.events.get(kind=Kind.SPLIT_FROM)
    assert split_from.data["ticket"] == source.pk
    assert reload(source).version == source.version + 3  # two messages, then the split


def test_split_refuses_events_that_are_not_messages(conversation, owner):
    source, _reply, _second = conversation
    created = source.events.get(kind=Kind.CREATED)

    with pytest.raises(InvalidInput):
        tickets.split_ticket(source.pk, actor=owner, event_ids=[created.pk], subject="Split")
    assert Ticket.objects.count() == 1


def test_split_refuses_messages_of_another_ticket(conversation, owner, make_ticket):
    source, _reply, second_problem = conversation
    other = make_ticket(owner=owner)
    foreign = other.events.get(kind=Kind.MESSAGE_IN)

    with pytest.raises(InvalidInput):
        tickets.split_ticket(
            source.pk, actor=owner, event_ids=[second_problem.pk, foreign.pk], subject="Split"
        )
    assert Ticket.objects.count() == 2


def test_split_needs_at_least_one_message(ticket, owner):
    with pytest.raises(InvalidInput):
        tickets.split_ticket(ticket.pk, actor=owner, event_ids=[], subject="Split")


def test_closed_ticket_cannot_be_split(ticket, owner):
    message = ticket.events.get(kind=Kind.MESSAGE_IN)
    put_in_status(ticket, owner, Status.CLOSED)

    with pytest.raises(Conflict):
        tickets.split_ticket(ticket.pk, actor=owner, event_ids=[message.pk], subject="Split")


# --- merge --------------------------------------------------------------------------------


def test_merge_closes_the_duplicate_as_merged_into_the_survivor(make_ticket, owner):
    survivor, duplicate = make_ticket(owner=owner), make_ticket(owner=owner)

    with time_machine.travel(T0, tick=False):
        result = tickets.merge_tickets(duplicate.pk, into_id=survivor.pk, actor=owner)

    assert result == survivor
    closed = reload(duplicate)
    assert (closed.status, closed.merged_into, closed.closed_at) == (Status.CLOSED, survivor, T0)


def test_merge_records_merged_and_merged_from_on_both_tickets(make_ticket, owner):
    survivor, duplicate = make_ticket(owner=owner), make_ticket(owner=owner)

    tickets.merge_tickets(duplicate.pk, into_id=survivor.pk, actor=owner)

    merged = duplicate.events.get(kind=Kind.MERGED)
    assert merged.actor == owner
    assert merged.data == {"into": survivor.pk, "number": survivor.number, "from_status": "open"}
    merged_from = survivor.events.get(kind=Kind.MERGED_FROM)
    assert merged_from.data == {"ticket": duplicate.pk, "number": duplicate.number}


def test_merging_an_active_ticket_into_a_solved_one_reopens_it(make_ticket, owner):
    survivor, duplicate = make_ticket(owner=owner), make_ticket(owner=owner)
    update(survivor, owner, status="solved")

    tickets.merge_tickets(duplicate.pk, into_id=survivor.pk, actor=owner)

    assert reload(survivor).status == Status.OPEN
    assert survivor.events.get(kind=Kind.REOPENED).data["reason"] == "merge"


def test_ticket_cannot_be_merged_into_itself(ticket, owner):
    with pytest.raises(InvalidInput):
        tickets.merge_tickets(ticket.pk, into_id=ticket.pk, actor=owner)


def test_ticket_cannot_be_merged_into_a_closed_ticket(make_ticket, owner):
    closed = put_in_status(make_ticket(owner=owner), owner, Status.CLOSED)
    duplicate = make_ticket(owner=owner)

    with pytest.raises(Conflict):
        tickets.merge_tickets(duplicate.pk, into_id=closed.pk, actor=owner)
    assert reload(duplicate).status == Status.OPEN


def test_ticket_cannot_be_merged_twice(make_ticket, owner):
    first, second, duplicate = make_ticket(owner=owner), make_ticket(), make_ticket(owner=owner)
    tickets.merge_tickets(duplicate.pk, into_id=first.pk, actor=owner)

    with pytest.raises(Conflict):
        tickets.merge_tickets(duplicate.pk, into_id=second.pk, actor=owner)
    assert reload(duplicate).merged_into == first
    assert not second.events.filter(kind=Kind.MERGED_FROM).exists()


# --- escalation ---------------------------------------------------------------------------


def test_escalation_moves_the_ticket_to_a_higher_tier_and_keeps_the_owner(ticket, owner, l2_group):
    tickets.escalate_ticket(ticket.pk, actor=owner, group=l2_group, reason="Needs a packet trace")

    escalated = reload(ticket)
    assert (escalated.group, escalated.tier, escalated.owner) == (l2_group, "L2", owner)


def test_escalation_records_the_reason_and_the_tiers(ticket, owner, l2_group, default_group):
    tickets.escalate_ticket(ticket.pk, actor=owner, group=l2_group, reason="Needs a packet trace")

    event = ticket.events.get(kind=Kind.ESCALATED)
    item = ticket.escalations.get()
    assert (event.actor, event.body) == (owner, "Needs a packet trace")
    assert event.data == {
        "from": default_group.name,
        "to": l2_group.name,
        "from_tier": "L1",
        "to_tier": "L2",
        "escalation": item.pk,
        "mode": "keep_owner",
        "source": "agent",
    }


def test_escalation_can_skip_a_tier(ticket, owner, l3_group):
    tickets.escalate_ticket(ticket.pk, actor=owner, group=l3_group, reason="Firmware bug")

    assert reload(ticket).tier == "L3"


def test_escalation_to_the_same_tier_is_refused(ticket, owner, make_group):
    other_l1 = make_group(tier="L1")

    with pytest.raises(InvalidInput):
        tickets.escalate_ticket(ticket.pk, actor=owner, group=other_l1, reason="Busy")
    assert not ticket.events.filter(kind=Kind.ESCALATED).exists()


def test_escalation_to_a_lower_tier_is_refused(ticket, owner, l2_group, l3_group):
    tickets.escalate_ticket(ticket.pk, actor=owner, group=l3_group, reason="Firmware bug")

    with pytest.raises(InvalidInput):
        tickets.escalate_ticket(ticket.pk, actor=owner, group=l2_group, reason="Back down")
    assert reload(ticket).group == l3_group


def test_escalation_needs_a_reason(ticket, owner, l2_group):
    with pytest.raises(InvalidInput):
        tickets.escalate_ticket(ticket.pk, actor=owner, group=l2_group, reason=" ")


def test_solved_ticket_cannot_be_escalated(ticket, owner, l2_group):
    update(ticket, owner, status="solved")

    with pytest.raises(InvalidTransition):
        tickets.escalate_ticket(ticket.pk, actor=owner, group=l2_group, reason="Too late")


# --- every change leaves an attributed, timed event ---------------------------------------


def _agent_actions():
    def status(t, agent, ctx):
        update(t, agent, status="pending")

    def priority(t, agent, ctx):
        update(t, agent, priority="P2", priority_reason="VIP")

    def fields(t, agent, ctx):
        update(t, agent, subject="New subject", tags=["vpn"])

    def reassign(t, agent, ctx):
        update(t, agent, owner=ctx["make_agent"]())

    def reply(t, agent, ctx):
        tickets.add_message(t.pk, agent=agent, body="Reply")

    def note(t, agent, ctx):
        tickets.add_message(t.pk, agent=agent, body="Note", public=False)

    def call(t, agent, ctx):
        tickets.log_call(t.pk, agent=agent, direction="inbound", duration_seconds=5, summary="S")

    def collaborate(t, agent, ctx):
        helper = ctx["make_agent"]()
        tickets.add_collaborator(t.pk, agent=helper, actor=agent)
        tickets.remove_collaborator(t.pk, agent=helper, actor=agent)

    def escalate(t, agent, ctx):
        group = ctx["make_group"](tier="L2")
        tickets.escalate_ticket(t.pk, actor=agent, group=group, reason="Hard")

    def split(t, agent, ctx):
        message = t.events.get(kind=Kind.MESSAGE_IN)
        tickets.split_ticket(t.pk, actor=agent, event_ids=[message.pk], subject="Other problem")

    def merge(t, agent, ctx):
        tickets.merge_tickets(t.pk, into_id=ctx["other_ticket"].pk, actor=agent)

    def reopen(t, agent, ctx):
        update(t, agent, status="solved")
        update(t, agent, status="open")

    return [
        status,
        reopen,
        priority,
        fields,
        reassign,
        reply,
        note,
        call,
        collaborate,
        escalate,
        split,
        merge,
    ]


@pytest.mark.parametrize("action", _agent_actions(), ids=lambda f: f.__name__)
def test_every_agent_action_is_recorded_with_actor_channel_and_time(
    ticket, owner, make_agent, make_group, make_ticket, action
):
    context = {
        "make_agent": make_agent,
        "make_group": make_group,
        "other_ticket": make_ticket(owner=owner),
    }
    last_seen = TicketEvent.objects.order_by("-id").values_list("id", flat=True).first()

    with time_machine.travel(T0, tick=False):
        action(ticket, owner, context)

    # Messages copied by a split keep their original author and time on purpose.
    new_events = [
        event
        for event in TicketEvent.objects.filter(id__gt=last_seen)
        if "copied_from" not in event.data
    ]
    assert new_events
    for event in new_events:
        assert event.actor == owner, event.kind
        assert event.channel in Channel.values, event.kind
        assert event.created_at == T0, event.kind
    assert reload(ticket).updated_at == T0


def test_customer_message_is_recorded_with_contact_channel_and_time(ticket, owner):
    update(ticket, owner, status="solved")

    with time_machine.travel(T0, tick=False):
        tickets.add_message(
            ticket.pk, contact=ticket.requester, body="Still broken", channel=Channel.CHAT
        )

    for event in ticket.events.filter(kind__in=[Kind.REOPENED, Kind.MESSAGE_IN], created_at=T0):
        assert (event.contact, event.channel) == (ticket.requester, Channel.CHAT)
    assert ticket.events.filter(created_at=T0).count() == 2


# --- atomicity: a failure leaves nothing behind -------------------------------------------


def test_intake_with_a_bad_custom_field_creates_no_contact_asset_or_ticket(db):
    with pytest.raises(InvalidInput):
        intake.open_ticket_from_intake(
            requester=RequesterDetails(name="Ravi", email="ravi@example.org", phone="9876543210"),
            asset_details={"serial_number": "SN1"},
            subject="Printer down",
            custom_fields={"no_such_field": 1},
        )

    assert not Contact.objects.exists()
    assert not Identity.objects.exists()
    assert not Asset.objects.exists()
    assert not Ticket.objects.exists()


def test_failed_update_leaves_no_partial_change(make_ticket, owner):
    ticket = make_ticket(owner=owner, tags=["vpn"])
    events_before = kinds(ticket)

    with pytest.raises(InvalidTransition):
        update(ticket, owner, priority="P1", tags=["outage"], subject="Changed", status="new")

    unchanged = reload(ticket)
    assert (unchanged.priority.code, unchanged.subject, unchanged.version) == (
        "P3",
        ticket.subject,
        ticket.version,
    )
    assert list(unchanged.tags.values_list("name", flat=True)) == ["vpn"]
    assert not Tag.objects.filter(name="outage").exists()
    assert kinds(ticket) == events_before


def test_failed_escalation_leaves_no_partial_change(ticket, owner, make_group):
    with pytest.raises(InvalidInput):
        tickets.escalate_ticket(ticket.pk, actor=owner, group=make_group(tier="L1"), reason="x")

    assert reload(ticket).version == ticket.version
