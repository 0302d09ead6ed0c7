"""sampark.db.inserts.insert: the INSERT every new ticket runs, written once per connection."""

import pytest
from django.db import IntegrityError, connections, transaction
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext

from sampark.customers.models import Contact, Identity
from sampark.db.inserts import CACHE_KEY, insert
from sampark.tickets.models import TicketEvent

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

    cached = {key for key in connections["default"].__dict__[CACHE_KEY] if key[0] is Contact}
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
