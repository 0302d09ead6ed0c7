"""The rollup of active tickets (``tickets.active_counts``) against the tickets themselves:
after each kind of write (the services, a bulk update, a deletion, a group taken away, a
rolled-back transaction), its sums are exactly what counting the tickets gives, and folding
or rebuilding it changes nothing but its number of rows."""

from collections import Counter

import pytest
from django.db import transaction
from django.db.models import Count

from sampark.cli import main
from sampark.team.models import AgentProfile, Group
from sampark.tickets import active_counts
from sampark.tickets import services as tickets
from sampark.tickets.models import ACTIVE_Q, ActiveCount, Status, Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def walked(group_ids=None) -> Counter:
    """The active tickets counted from the tickets themselves."""
    rows = Ticket.objects.filter(ACTIVE_Q)
    if group_ids is not None:
        rows = rows.filter(group_id__in=group_ids)
    found = rows.order_by().values_list(*active_counts.KEY).annotate(n=Count("id"))
    return Counter({tuple(row[:-1]): row[-1] for row in found})


def rolled_up(group_ids=None) -> Counter:
    return Counter({tuple(row[:-1]): row[-1] for row in active_counts.counted(group_ids)})


@pytest.fixture
def desk(make_group, make_agent, make_ticket):
    first, second = make_group(name="Billing"), make_group(name="Field service", tier="L2")
    lead = make_agent(role=AgentProfile.Role.SUPERVISOR, groups=[first, second])
    agent = make_agent(groups=[first], presence="online")
    made = [make_ticket(group=first) for _ in range(3)] + [make_ticket(group=second)]
    return first, second, lead, agent, made


def test_every_kind_of_write_is_counted_as_the_tickets_count(desk):
    first, second, lead, agent, made = desk
    assert rolled_up() == walked() and sum(walked().values()) >= 4

    one, two, three, four = (Ticket.objects.get(pk=t.pk) for t in made)
    tickets.assign_ticket(one.pk, agent, reason="handover", actor=lead)
    one.refresh_from_db()
    tickets.update_ticket(
        one.pk,
        actor=lead,
        expected_version=one.version,
        priority="P1",
        priority_reason="Outage for a whole district",
    )
    two.refresh_from_db()
    tickets.update_ticket(
        two.pk, actor=lead, expected_version=two.version, group=second, group_reason="Needs a visit"
    )
    three.refresh_from_db()
    tickets.update_ticket(
        three.pk, actor=lead, expected_version=three.version, status=Status.PENDING
    )
    tickets.escalate_ticket(one.pk, actor=lead, reason="Needs level 2")
    assert rolled_up() == walked()

    three.refresh_from_db()
    tickets.update_ticket(
        three.pk, actor=lead, expected_version=three.version, status=Status.SOLVED
    )
    tickets.merge_tickets(two.pk, into_id=one.pk, actor=lead)
    assert rolled_up() == walked()

    # Writes that bypass the services: a bulk update, a deletion.
    Ticket.objects.filter(pk=four.pk).update(status=Status.ON_HOLD, tier="L3")
    Ticket.objects.filter(pk=one.pk).update(owner=None)
    Ticket.objects.filter(pk=three.pk).update(status=Status.OPEN)  # reopened
    Ticket.objects.filter(pk=four.pk).delete()
    assert rolled_up() == walked()
    assert rolled_up([first.pk]) == walked([first.pk])
    assert rolled_up([]) == Counter()


def test_a_group_taken_away_moves_its_tickets_to_no_group(desk):
    first, second, _lead, _agent, _made = desk
    second_count = sum(walked([second.pk]).values())
    Group.objects.filter(pk=second.pk).delete()
    assert rolled_up() == walked()
    assert rolled_up([second.pk]) == Counter()
    assert sum(n for key, n in rolled_up().items() if key[0] is None) >= second_count


def test_a_rolled_back_write_leaves_no_count_behind(desk):
    _first, _second, _lead, _agent, made = desk
    before = ActiveCount.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        Ticket.objects.filter(pk=made[0].pk).update(status=Status.CLOSED)
        raise RuntimeError("the write fails after the update")
    assert ActiveCount.objects.count() == before
    assert rolled_up() == walked()


def test_writes_that_leave_the_key_alone_write_no_rows(desk):
    _first, _second, _lead, _agent, made = desk
    before = ActiveCount.objects.count()
    Ticket.objects.filter(pk=made[0].pk).update(subject="Printer prints blank pages")
    Ticket.objects.filter(pk=made[1].pk).update(status=Status.OPEN)  # active both before and after
    Ticket.objects.filter(pk=made[1].pk).update(status=Status.PENDING)
    Ticket.objects.filter(status=Status.CLOSED).update(status=Status.SOLVED)  # neither active
    assert ActiveCount.objects.count() == before


def test_folding_keeps_the_sums_in_one_row_per_key(desk):
    first, _second, lead, agent, made = desk
    for ticket in made:
        Ticket.objects.filter(pk=ticket.pk).update(owner=agent)
        Ticket.objects.filter(pk=ticket.pk).update(owner=lead)
    Ticket.objects.filter(pk=made[0].pk).update(status=Status.CLOSED)
    counts = rolled_up()
    assert ActiveCount.objects.count() > len(counts)

    folded = active_counts.compact()
    assert folded > 0
    assert rolled_up() == counts == walked()
    keys = list(ActiveCount.objects.values_list(*active_counts.KEY))
    assert len(keys) == len(set(keys)) == len(counts)  # no key twice, none at zero
    assert all(n > 0 for n in ActiveCount.objects.values_list("n", flat=True))
    assert active_counts.compact() == 0  # one row per key already: nothing to fold


def test_rebuilding_recounts_from_the_tickets(desk):
    ActiveCount.objects.all().delete()
    ActiveCount.objects.create(group_id=None, owner_id=None, priority_rank=9, tier="L1", n=7)
    assert rolled_up() != walked()
    rows = active_counts.rebuild()
    assert rows == len(walked())
    assert rolled_up() == walked()


def test_the_command_rebuilds_and_says_what_it_counted(desk, capsys):
    ActiveCount.objects.all().delete()
    assert main(["counts", "rebuild"]) == 0
    assert rolled_up() == walked()
    said = capsys.readouterr().out
    assert f"Counted {sum(walked().values())} active tickets again, in {len(walked())} rows" in said
