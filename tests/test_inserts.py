"""sampark.db.inserts.insert: the INSERT every new ticket runs, written once per connection."""

import pytest
from django.db import DataError, IntegrityError, connections, transaction
from django.db.models import Value
from django.db.models.functions import Lower, Now
from django.test.utils import CaptureQueriesContext

from sampark.customers.models import Contact, Identity
from sampark.db.inserts import CACHE_KEY, insert, insert_with_children
from sampark.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def stored(model, objs) -> list[dict]:
    return list(model.objects.filter(pk__in=[o.pk for o in objs]).order_by("pk").values())


def test_rows_get_their_keys_and_store_what_bulk_create_stores(make_ticket):
    ticket = make_ticket()
    ours = insert(
        [
            TicketEvent(ticket=ticket, kind="note", body="ग्राहक से बात हुई", data={"a": [1, "दो"]}),
            TicketEvent(ticket=ticket, kind="note", body="second", public=True),
        ]
    )
    theirs = TicketEvent.objects.bulk_create(
        [
            TicketEvent(ticket=ticket, kind="note", body="ग्राहक से बात हुई", data={"a": [1, "दो"]}),
            TicketEvent(ticket=ticket, kind="note", body="second", public=True),
        ]
    )

    assert all(o.pk and not o._state.adding and o._state.db == "default" for o in ours)
    assert ours[0].pk < ours[1].pk  # in the order given
    mine, reference = stored(TicketEvent, ours), stored(TicketEvent, theirs)
    for row in mine + reference:
        row.pop("id")
        assert row.pop("created_at") is not None  # auto_now_add filled in by pre_save
    assert mine == reference


def test_the_statement_is_written_once_per_model_and_row_count():
    insert([Contact(name="Asha Verma")])
    insert([Contact(name="अमित शर्मा")])
    insert([Contact(name="Ravi"), Contact(name="Meena")])

    cache = connections["default"].__dict__[CACHE_KEY]
    cached = {key for key in cache if key[0] is Contact and isinstance(key[1], int)}
    assert cached == {(Contact, 1, None, ()), (Contact, 2, None, ())}
    assert (
        Contact.objects.filter(name__in=["Asha Verma", "अमित शर्मा", "Ravi", "Meena"]).count() == 4
    )


def test_computed_columns_come_back_from_the_same_statement():
    with CaptureQueriesContext(connections["default"]) as captured:
        ravi, meena = insert(
            [Contact(name="ignored", language="hi"), Contact(name="ignored")],
            computed={"name": "upper('kabir')"},
        )

    assert len(captured) == 1
    assert (ravi.name, meena.name) == ("KABIR", "KABIR") and ravi.pk < meena.pk
    assert list(Contact.objects.filter(pk__in=[ravi.pk, meena.pk]).values_list("name", flat=True))
    assert Contact.objects.get(pk=ravi.pk).language == "hi"


def test_an_expression_value_goes_through_bulk_create():
    (contact,) = insert([Contact(name="Kabir", created_at=Now())])

    assert Contact.objects.get(pk=contact.pk).created_at is not None


def test_a_duplicate_identity_is_refused_and_nothing_of_the_statement_is_kept():
    contact = insert([Contact(name="Sunita")])[0]
    insert([Identity(contact=contact, kind="email", value="sunita@example.in")])

    with pytest.raises(IntegrityError), transaction.atomic():
        insert(
            [
                Identity(contact=contact, kind="phone", value="+919812345678"),
                Identity(contact=contact, kind="email", value="sunita@example.in"),
            ]
        )

    assert list(contact.identities.values_list("kind", flat=True)) == ["email"]


def test_nothing_to_insert_is_no_statement():
    assert insert([]) == []


def test_an_upsert_updates_the_row_that_holds_the_unique_value(make_ticket):
    from sampark.sla.models import TicketClock

    ticket = make_ticket()
    TicketClock.objects.filter(ticket=ticket).delete()
    (first,) = insert([TicketClock(ticket=ticket, clocks={"v": 1}, computed_at=ticket.created_at)])
    again = TicketClock(ticket=ticket, clocks={"v": 2}, computed_at=ticket.created_at)

    insert([again], update_conflicts=(["ticket"], ["clocks", "computed_at"]))

    assert again.pk == first.pk == ticket.pk
    assert list(TicketClock.objects.filter(ticket=ticket).values_list("clocks", flat=True)) == [
        {"v": 2}
    ]
    # A given key (the clock's ticket) goes in as a column: the statement is kept, not left
    # to bulk_create.
    upsert = (TicketClock, 1, (("ticket",), ("clocks", "computed_at")), ())
    assert upsert in connections["default"].__dict__[CACHE_KEY]


def test_an_unsaved_related_row_is_refused_before_any_sql():
    unsaved = Contact(name="Not saved yet")

    with pytest.raises(ValueError, match="unsaved related object"):
        insert([Identity(contact=unsaved, kind="email", value="nobody@example.in")])


# --- a row and its children in one statement ------------------------------------------------


def _copy_of(ticket) -> Ticket:
    """An unsaved ticket with ``ticket``'s values and a number of its own."""
    values = {f.attname: getattr(ticket, f.attname) for f in Ticket._meta.concrete_fields}
    values.pop("id")
    values["number"] += 10_000
    return Ticket(**values)


def _events(ticket) -> list[TicketEvent]:
    return [
        TicketEvent(ticket=ticket, kind="created", body="", data={"subject": "छपाई बंद", "n": [1]}),
        TicketEvent(ticket=ticket, kind="message", body="प्रिंटर काम नहीं कर रहा", public=True),
        TicketEvent(ticket=ticket, kind="note", body="third", time_spent=90),
    ]


def test_a_parent_and_its_children_are_stored_as_two_inserts_store_them(make_ticket):
    source = make_ticket()
    ours, theirs = _copy_of(source), _copy_of(source)
    theirs.number += 1
    our_events, their_events = _events(ours), _events(theirs)
    connection = connections["default"]

    with CaptureQueriesContext(connection) as captured:
        assert insert_with_children(ours, our_events, link="ticket") is ours
    insert([theirs])
    insert(their_events)

    # One statement on PostgreSQL; SQLite, in the process, runs the two inserts.
    assert len(captured) == (1 if connection.vendor == "postgresql" else 2)
    assert ours.pk and not ours._state.adding and ours._state.db == "default"
    assert [e.ticket_id for e in our_events] == [ours.pk] * 3
    assert all(not e._state.adding and e._state.db == "default" for e in our_events)
    assert [e.pk for e in our_events] == sorted(e.pk for e in our_events)  # in the order given
    mine, reference = stored(TicketEvent, our_events), stored(TicketEvent, their_events)
    for row in mine + reference:
        row.pop("id"), row.pop("ticket_id")
        assert row.pop("created_at") is not None
    assert mine == reference
    assert [row["body"] for row in mine] == ["", "प्रिंटर काम नहीं कर रहा", "third"]


def test_computed_parent_columns_come_back_with_the_children():
    kabir = Contact(name="ignored", language="hi")
    identities = [
        Identity(contact=kabir, kind="email", value="kabir@example.in"),
        Identity(contact=kabir, kind="phone", value="+919845012345"),
    ]
    insert_with_children(kabir, identities, link="contact", computed={"name": "upper('kabir')"})

    assert kabir.name == "KABIR"
    assert Contact.objects.get(pk=kabir.pk).name == "KABIR"
    assert set(Identity.objects.filter(contact=kabir).values_list("kind", "value")) == {
        ("email", "kabir@example.in"),
        ("phone", "+919845012345"),
    }


def test_a_refused_child_keeps_nothing_of_the_statement():
    insert([Identity(contact=insert([Contact(name="Asha")])[0], kind="email", value="a@x.in")])
    before = Contact.objects.count()
    latha = Contact(name="Latha")
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_with_children(
            latha, [Identity(contact=latha, kind="email", value="a@x.in")], link="contact"
        )
    assert Contact.objects.count() == before


def test_an_over_long_child_value_is_refused_never_cut():
    """The parameters go through VALUES in a SELECT, typed by casts; a cast to varchar(n)
    would cut a longer string, so text is not cast and the column refuses it."""
    meena = Contact(name="Meena")
    long_value = "m" * 300 + "@example.in"
    identity = Identity(contact=meena, kind="email", value=long_value)
    if connections["default"].vendor == "postgresql":
        with pytest.raises(DataError), transaction.atomic():
            insert_with_children(meena, [identity], link="contact")
    else:  # SQLite keeps text whole whatever the declared length
        insert_with_children(meena, [identity], link="contact")
        assert Identity.objects.get(pk=identity.pk).value == long_value


def test_without_children_or_with_an_expression_it_runs_plain_inserts():
    alone = insert_with_children(Contact(name="Alone"), [], link="contact")
    assert Contact.objects.filter(pk=alone.pk).exists()

    nila = Contact(name="Nila")
    lowered = Identity(contact=nila, kind="email", value=Lower(Value("Nila@Example.in")))
    with CaptureQueriesContext(connections["default"]) as captured:
        insert_with_children(nila, [lowered], link="contact")
    assert len(captured) >= 2  # the parent, then the child through bulk_create
    assert Identity.objects.get(contact=nila).value == "nila@example.in"
