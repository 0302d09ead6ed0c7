"""Prepared queries give exactly what building the queryset each time gives, on both backends,
with one query and no compiling after the first call."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from sampark.customers.models import Contact, Identity
from sampark.db import prepared
from sampark.db.prepared import Prepared
from sampark.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db(transaction=True)


def _tickets_of(contact_id, since):
    return (
        Ticket.objects.select_related("priority", "requester", "group")
        .filter(requester_id=contact_id, created_at__gte=since)
        .order_by("id")
    )


def test_same_rows_as_the_queryset_for_each_call(make_contact, make_ticket):
    alice, bob = make_contact(), make_contact()
    for person in (alice, bob, alice):
        make_ticket(requester=person)
    query = Prepared(_tickets_of, int, dt.datetime)
    long_ago = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    for person in (alice, bob, alice):
        got = query(person.pk, long_ago)
        assert got == list(_tickets_of(person.pk, long_ago))
        assert {t.requester_id for t in got} == {person.pk}
    assert query(alice.pk, dt.datetime(2999, 1, 1, tzinfo=dt.UTC)) == []


def test_related_rows_come_with_the_one_query(make_ticket):
    ticket = make_ticket()
    query = Prepared(_tickets_of, int, dt.datetime)
    query(ticket.requester_id, ticket.created_at)  # compiles
    with CaptureQueriesContext(connection) as captured:
        (found,) = query(ticket.requester_id, ticket.created_at)
        assert found.priority.code and found.group.name and found.requester.name
    assert len(captured) == 1
    assert found.created_at == ticket.created_at  # converters applied: an aware datetime


def test_lists_of_any_length_share_padded_shapes(make_ticket):
    ids = [make_ticket().pk for _ in range(5)]
    query = Prepared(lambda pks: Ticket.objects.filter(pk__in=pks).order_by("id"), Prepared.INTS)
    for n in range(6):
        assert [t.pk for t in query(ids[:n])] == ids[:n]
    shapes = connections["default"].__dict__["sampark_prepared"][query.key]
    # Lengths 1, 2, 4 and 8 (3 and 4 pad to 4, 5 to 8), and the empty list.
    assert sorted(lengths for (lengths,), _shape in shapes) == [0, 1, 2, 4, 8]


def test_text_lists_and_values_querysets(make_contact):
    contact = make_contact(email="Meera.Iyer@Example.in", phone="98450 12345")
    query = Prepared(
        lambda kinds, values: (
            Identity.objects.filter(kind__in=kinds, value__in=values)
            .order_by("kind")
            .values_list("kind", "contact_id")
        ),
        Prepared.TEXTS,
        Prepared.TEXTS,
    )
    got = query(["email", "phone"], ["meera.iyer@example.in", "+919845012345"])
    assert got == [("email", contact.pk), ("phone", contact.pk)]
    assert query(["email"], ["nobody@example.in"]) == []


def test_shape_keywords_change_the_sql(make_ticket):
    ticket = make_ticket()
    query = Prepared(
        lambda pk, *, newest_first: TicketEvent.objects.filter(ticket_id=pk).order_by(
            "-id" if newest_first else "id"
        ),
        int,
    )
    oldest_first = [e.pk for e in query(ticket.pk, newest_first=False)]
    assert len(oldest_first) >= 2
    assert [e.pk for e in query(ticket.pk, newest_first=True)] == oldest_first[::-1]


def test_a_value_that_does_not_reach_the_sql_plainly_is_refused(make_contact):
    query = Prepared(lambda name: Contact.objects.filter(name__icontains=name), str)
    with pytest.raises(ImproperlyConfigured, match="cannot be prepared"):
        query("meera")


def test_or_plain_builds_a_shape_it_cannot_prepare_the_ordinary_way_and_says_so_once(
    make_contact, monkeypatch
):
    said = []
    monkeypatch.setattr(prepared.logger, "warning", lambda *a, **k: said.append(a))
    meera, ravi = make_contact(name="Meera Nair"), make_contact(name="Ravi Iyer")
    query = Prepared(lambda name: Contact.objects.filter(name__icontains=name), str, or_plain=True)
    assert query("meera") == [meera]
    assert query("iyer") == [ravi]
    assert len(said) == 1


def test_of_kinds_makes_one_prepared_query_per_build_and_kinds():
    def build(*ids):
        return Ticket.objects.filter(pk__in=ids).order_by("id")

    two = Prepared.of_kinds(build, (int, int))
    assert Prepared.of_kinds(build, (int, int)) is two
    assert Prepared.of_kinds(build, (int,)) is not two
    assert Prepared.of_kinds(build, (int, int), or_plain=True) is not two


def test_wrong_number_of_values_is_a_type_error():
    query = Prepared(lambda pk: Contact.objects.filter(pk=pk), int)
    with pytest.raises(TypeError):
        query(1, 2)


def test_unknown_kind_is_refused():
    with pytest.raises(ImproperlyConfigured):
        Prepared(lambda x: Contact.objects.filter(pk=x), float)


def test_past_the_shape_limit_queries_are_built_as_usual(make_ticket, monkeypatch):
    monkeypatch.setattr(prepared, "MAX_SHAPES", 2)
    ticket = make_ticket()
    query = Prepared(lambda pk, *, limit: Ticket.objects.filter(pk=pk)[:limit], int)
    for limit in (1, 2, 3, 4):
        assert [t.pk for t in query(ticket.pk, limit=limit)] == [ticket.pk]
    assert len(connections["default"].__dict__["sampark_prepared"][query.key]) == 2


def test_each_thread_compiles_on_its_own_connection(make_ticket):
    ticket = make_ticket()
    query = Prepared(lambda pk: Ticket.objects.filter(Q(pk=pk) | Q(merged_into_id=pk)), int)
    assert [t.pk for t in query(ticket.pk)] == [ticket.pk]
    found, errors = [], []

    def other():
        try:
            found.extend(t.pk for t in query(ticket.pk))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    worker = threading.Thread(target=other)
    worker.start()
    worker.join()
    assert not errors
    assert found == [ticket.pk]


def test_a_marker_out_of_a_small_integer_columns_range_is_refused_not_silently_empty(
    make_ticket,
):
    """On PostgreSQL Django drops a comparison with a value beyond a small integer column's
    range, so a marker there would have made the query match nothing, for every value."""
    make_ticket()
    query = Prepared(lambda rank: Ticket.objects.filter(priority_rank=rank), int)
    if connection.vendor != "postgresql":
        assert query(3) == list(Ticket.objects.filter(priority_rank=3))
        return
    with pytest.raises(ImproperlyConfigured, match="shape"):
        query(3)


def test_a_page_of_up_to_50_ids_pads_to_50_within_psycopgs_statement_cache():
    """psycopg re-parses a statement of more than 50 parameters on every call."""
    sizes = {n: len(prepared._padded(list(range(n)))) for n in (1, 3, 17, 32, 33, 50, 51, 100)}

    assert sizes == {1: 1, 3: 4, 17: 32, 32: 32, 33: 50, 50: 50, 51: 64, 100: 128}
    assert prepared._padded([7, 8, 9])[-1] == 9  # padded with the last item


@pytest.mark.skipif(connection.vendor != "postgresql", reason="server-side prepared statements")
def test_postgresql_prepares_a_statement_after_five_runs_and_stops_planning_it(make_ticket):
    ticket = make_ticket()
    query = Prepared(lambda pk: Ticket.objects.filter(pk=pk).values_list("subject"), int)

    for _ in range(6):
        assert query(ticket.pk) == [(ticket.subject,)]

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['SELECT "tickets_ticket"."subject" AS "subject" FROM "tickets_ticket"%'],
        )
        assert cursor.fetchone()[0] == 1
