"""The assignment engine: who a new ticket goes to (the SPOC, checking presence, capacity and
leave, then the group's strategy), "Take next", tickets waiting for a busy SPOC, and leave with
its handover and return."""

import datetime as dt
import threading
from collections import Counter

import pytest
import time_machine
from django.db import connection, transaction

from sampark.assignment.models import Handover, Leave, Reservation, Strategy
from sampark.assignment.services import intake, leave, strategy, taking
from sampark.assignment.sweep import sweep
from sampark.core.errors import Conflict, Forbidden, InvalidInput
from sampark.customers.services import save_organization
from sampark.team.services import set_presence, update_agent
from sampark.tickets import services as tickets
from sampark.tickets.models import Status, Ticket, TicketEvent

Kind = TicketEvent.Kind
T0 = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)  # a Monday, 14:30 in India


def presence(user, value):
    set_presence(user.agent, value)


def created_reason(ticket) -> str:
    return ticket.events.get(kind=Kind.CREATED).data["owner_reason"]


def owners(tickets_):
    return Counter(Ticket.objects.get(pk=t.pk).owner_id for t in tickets_)


@pytest.fixture
def desk(make_group):
    return make_group(name="Delhi desk")


@pytest.fixture
def manager(make_agent, desk):
    """The account manager of Acme: the SPOC of all its people."""
    return make_agent(name="Kavya Manager", groups=[desk], presence="online", capacity=3)


@pytest.fixture
def teammates(make_agent, desk):
    return [
        make_agent(name=f"Teammate {n}", groups=[desk], presence="online", capacity=3)
        for n in range(3)
    ]


@pytest.fixture
def acme_contact(manager, make_contact):
    save_organization(name="Acme Steel", domains=["acme.example"], account_manager=manager)
    return make_contact(email="ravi@acme.example")


@pytest.fixture
def open_for(make_ticket, desk):
    def open_(requester=None, **fields):
        return make_ticket(requester=requester, group=fields.pop("group", desk), **fields)

    return open_


def use(group, **fields):
    return strategy.save_strategy(group, **fields)


# --- the SPOC first ---------------------------------------------------------------------------


def test_an_online_spoc_with_room_gets_the_new_ticket(acme_contact, manager, open_for):
    ticket = open_for(acme_contact)

    assert ticket.owner == manager
    assert ticket.status == Status.OPEN
    assert created_reason(ticket) == "account_manager"


def test_an_away_spoc_without_a_wait_leaves_the_ticket_to_the_groups_strategy(
    acme_contact, manager, teammates, open_for, desk
):
    use(desk, method=Strategy.Method.LEAST_LOADED)
    presence(manager, "away")

    ticket = open_for(acme_contact)

    assert ticket.owner in teammates
    assert created_reason(ticket) == "least_loaded"


def test_an_away_spoc_in_a_queue_group_leaves_the_ticket_unowned(acme_contact, manager, open_for):
    presence(manager, "away")

    ticket = open_for(acme_contact)

    assert ticket.owner is None and ticket.status == Status.NEW
    assert created_reason(ticket) == "queue"


def test_a_spoc_at_capacity_is_passed_over(acme_contact, manager, teammates, open_for, desk):
    use(desk, method=Strategy.Method.LEAST_LOADED)
    first = [open_for(acme_contact) for _ in range(3)]

    fourth = open_for(acme_contact)

    assert {t.owner for t in first} == {manager}
    assert fourth.owner in teammates
    assert intake.load_of([manager.pk])[manager.pk] == 3


def test_a_busy_spoc_is_waited_for_then_gets_the_ticket_when_back(
    acme_contact, manager, teammates, open_for, desk
):
    use(desk, method=Strategy.Method.LEAST_LOADED, spoc_wait_minutes=30)
    presence(manager, "away")
    with time_machine.travel(T0, tick=False):
        ticket = open_for(acme_contact)
        assert ticket.owner is None
        assert created_reason(ticket) == "waiting_for_spoc"
        waiting = Reservation.objects.get(ticket=ticket)
        assert waiting.agent == manager
        assert waiting.until == T0 + dt.timedelta(minutes=30)
        assert sweep().waiting_assigned == 0  # still away, still within the wait

    with time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
        presence(manager, "online")
        assert sweep().waiting_assigned == 1

    ticket.refresh_from_db()
    assert ticket.owner == manager and ticket.status == Status.OPEN
    assigned = ticket.events.get(kind=Kind.ASSIGNED)
    assert assigned.data["reason"] == "spoc_back"
    assert not Reservation.objects.exists()


def test_when_the_wait_for_the_spoc_is_over_the_strategy_decides(
    acme_contact, manager, teammates, open_for, desk
):
    use(desk, method=Strategy.Method.LEAST_LOADED, spoc_wait_minutes=30)
    presence(manager, "offline")
    with time_machine.travel(T0, tick=False):
        ticket = open_for(acme_contact)

    with time_machine.travel(T0 + dt.timedelta(minutes=31), tick=False):
        assert sweep().waiting_assigned == 1

    ticket.refresh_from_db()
    assert ticket.owner in teammates
    assert ticket.events.get(kind=Kind.ASSIGNED).data["reason"] == "wait_over"


def test_other_agents_take_next_passes_over_a_ticket_waiting_for_its_spoc(
    acme_contact, manager, teammates, open_for, desk
):
    use(desk, spoc_wait_minutes=60)
    presence(manager, "away")
    waiting = open_for(acme_contact)
    other = open_for(subject="Someone else's problem")

    assert taking.take_next(teammates[0]) == other
    assert taking.take_next(teammates[0]) is None
    assert taking.take_next(manager) == waiting


def test_a_returning_customers_recent_owner_is_checked_for_presence_too(
    make_contact, teammates, open_for
):
    customer = make_contact()
    first = open_for(customer, owner=teammates[0])
    presence(teammates[0], "offline")

    second = open_for(customer)

    assert first.owner == teammates[0]
    assert second.owner is None


# --- the group's strategy ---------------------------------------------------------------------


def test_least_loaded_gives_the_ticket_to_the_agent_with_the_most_room(
    make_agent, desk, open_for, teammates
):
    use(desk, method=Strategy.Method.LEAST_LOADED)
    big = make_agent(name="Big capacity", groups=[desk], presence="online", capacity=30)
    for teammate in teammates:
        open_for(owner=teammate)
    for _ in range(5):
        open_for(owner=big)  # 5 of 30 is less loaded than 1 of 3

    assert open_for().owner == big


def test_no_agent_goes_over_capacity_and_the_rest_waits_in_the_queue(desk, open_for, teammates):
    use(desk, method=Strategy.Method.LEAST_LOADED)

    opened = [open_for() for _ in range(11)]

    counts = owners(opened)
    assert counts.pop(None) == 2
    assert sorted(counts.values()) == [3, 3, 3]


def test_offline_agents_and_agents_on_leave_get_no_tickets(desk, open_for, teammates, make_agent):
    use(desk, method=Strategy.Method.ROUND_ROBIN)
    presence(teammates[0], "offline")
    leave.record_leave(
        teammates[1],
        delegate=teammates[2],
        starts_on=leave.today(),
        ends_on=leave.today(),
        actor=teammates[1],
    )

    opened = [open_for() for _ in range(3)]

    assert owners(opened) == {teammates[2].pk: 3}


def test_routed_skills_are_required(desk, open_for, teammates):
    use(desk, method=Strategy.Method.LEAST_LOADED)
    update_agent(teammates[2].agent, skills=["sap", "networking"])

    assert open_for(skills=["networking"]).owner == teammates[2]
    assert open_for(skills=["printers"]).owner is None


def test_a_strategy_may_ignore_skills(desk, open_for, teammates):
    use(desk, method=Strategy.Method.LEAST_LOADED, match_skills=False)

    assert open_for(skills=["printers"]).owner in teammates


def test_agents_who_speak_the_tickets_language_come_first(desk, open_for, teammates):
    use(desk, method=Strategy.Method.LEAST_LOADED)
    update_agent(teammates[1].agent, languages=["hi", "en"])
    open_for(owner=teammates[1])  # busier than the others, but the only one with Hindi

    assert open_for(language="hi").owner == teammates[1]
    assert open_for(language="en").owner in (teammates[0], teammates[2])


def test_nobody_speaking_the_language_still_gets_the_ticket(desk, open_for, teammates):
    use(desk, method=Strategy.Method.LEAST_LOADED)

    assert open_for(language="hi").owner in teammates


def test_round_robin_takes_turns(desk, open_for, teammates):
    use(desk, method=Strategy.Method.ROUND_ROBIN)

    opened = [open_for() for _ in range(6)]

    in_turn = sorted(teammates, key=lambda user: user.pk) * 2
    assert [t.owner for t in opened] == in_turn


def test_round_robin_is_fair_over_a_thousand_assignments(make_agent, make_group):
    """The decision itself, 1,000 times through the locked turn, with loads as they are."""
    group = make_group(name="Big desk")
    agents = [make_agent(groups=[group], presence="online", capacity=1000) for _ in range(7)]
    use(group, method=Strategy.Method.ROUND_ROBIN)
    rules = intake.strategy_of(group.pk)

    chosen = Counter()
    with transaction.atomic():
        for _ in range(1000):
            chosen[intake.assign_by_strategy(group.pk, rules).pk] += 1

    assert set(chosen) == {agent.pk for agent in agents}
    assert max(chosen.values()) - min(chosen.values()) <= 1


def test_rank_is_decided_in_memory():
    pool = [
        intake.Candidate(1, capacity=10, load=9, skills=frozenset(), languages=frozenset({"en"})),
        intake.Candidate(2, capacity=10, load=2, skills=frozenset(), languages=frozenset({"en"})),
        intake.Candidate(3, capacity=2, load=2, skills=frozenset(), languages=frozenset({"hi"})),
        intake.Candidate(4, capacity=4, load=3, skills=frozenset({"sap"}), languages=frozenset()),
    ]

    assert intake.rank(pool, method="least_loaded") == [2, 4, 1]
    assert intake.rank(pool, method="least_loaded", skills=["sap"]) == [4]
    assert intake.rank(pool, method="round_robin", last_agent=2) == [4, 1, 2]
    # The only Hindi speaker is full: the others, rather than nobody.
    assert intake.rank(pool, method="least_loaded", language="hinglish") == [2, 4, 1]


def test_a_strategy_is_validated(desk):
    with pytest.raises(InvalidInput):
        use(desk, method="lottery")
    with pytest.raises(InvalidInput):
        use(desk, spoc_wait_minutes=-1)
    with pytest.raises(InvalidInput):
        use(desk, spoc_wait_minutes=7 * 24 * 60 + 1)

    saved = use(desk, method="round_robin", spoc_wait_minutes=15)

    assert (saved.method, saved.spoc_wait_minutes) == ("round_robin", 15)
    assert intake.strategy_of(desk.pk).method == "round_robin"


# --- take next --------------------------------------------------------------------------------


def test_take_next_pulls_the_ticket_with_the_nearest_sla_due(desk, open_for, teammates):
    routine = open_for(subject="Routine", priority="P4")
    urgent = open_for(subject="Urgent", priority="P1")
    middle = open_for(subject="Middle", priority="P2")

    taken = [taking.take_next(teammates[0]) for _ in range(3)]

    assert taken == [urgent, middle, routine]
    assert taken[0].status == Status.OPEN
    event = Ticket.objects.get(pk=urgent.pk).events.get(kind=Kind.ASSIGNED)
    assert (event.actor, event.data["reason"]) == (teammates[0], "take_next")


def test_take_next_only_takes_tickets_of_the_agents_groups(make_group, make_ticket, teammates):
    elsewhere = make_group(name="Mumbai desk")
    make_ticket(group=elsewhere)

    assert taking.take_next(teammates[0]) is None


def test_take_next_is_refused_at_capacity(desk, open_for, teammates):
    for _ in range(3):
        open_for(owner=teammates[0])
    open_for()

    with pytest.raises(Conflict):
        taking.take_next(teammates[0])


# --- leave and handover -----------------------------------------------------------------------


def test_leave_hands_open_tickets_to_the_delegate_with_the_note_and_back_on_return(
    acme_contact, manager, teammates, open_for
):
    delegate = teammates[0]
    with time_machine.travel(T0, tick=False):
        mine = [open_for(acme_contact) for _ in range(2)]
        tickets.update_ticket(
            mine[1].pk, actor=manager, expected_version=mine[1].version, status="solved"
        )
        away = leave.record_leave(
            manager,
            delegate=delegate,
            starts_on=dt.date(2026, 12, 8),
            ends_on=dt.date(2026, 12, 9),
            actor=manager,
            note="Acme's plant shuts on Friday; call Ravi before noon.",
        )
        assert away.state == Leave.State.PLANNED
        assert Ticket.objects.get(pk=mine[0].pk).owner == manager

    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        assert sweep().leaves_started == 1
        handed = Ticket.objects.get(pk=mine[0].pk)
        assert handed.owner == delegate
        note = handed.events.filter(kind=Kind.ASSIGNED).latest("id")
        assert note.data["reason"] == "handover"
        assert note.body == "Acme's plant shuts on Friday; call Ravi before noon."
        assert Ticket.objects.get(pk=mine[1].pk).owner == manager  # solved: stays
        # A new ticket from the agent's customer goes to the delegate.
        during = open_for(acme_contact)
        assert during.owner == delegate
        assert created_reason(during) == "delegate"

    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        assert sweep().leaves_ended == 1
    assert Ticket.objects.get(pk=mine[0].pk).owner == manager
    assert Ticket.objects.get(pk=during.pk).owner == manager
    back = Ticket.objects.get(pk=during.pk).events.filter(kind=Kind.ASSIGNED).latest("id")
    assert back.data["reason"] == "leave_return"
    assert Leave.objects.get(pk=away.pk).state == Leave.State.RETURNED


def test_the_workers_sweep_starts_the_leave_that_begins_today(
    acme_contact, manager, teammates, open_for
):
    from sampark.serving.worker import Worker

    ticket = open_for(acme_contact)
    with time_machine.travel(T0, tick=False):
        leave.record_leave(
            manager,
            delegate=teammates[0],
            starts_on=dt.date(2026, 12, 8),
            ends_on=dt.date(2026, 12, 8),
            actor=manager,
        )
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        Worker(sweep_seconds=0).sweep()

    assert Ticket.objects.get(pk=ticket.pk).owner == teammates[0]


def test_without_return_the_delegate_keeps_the_customers(
    acme_contact, manager, teammates, open_for
):
    ticket = open_for(acme_contact)
    away = leave.record_leave(
        manager,
        delegate=teammates[0],
        starts_on=leave.today(),
        ends_on=leave.today() + dt.timedelta(days=2),
        actor=manager,
        return_customers=False,
    )
    assert Ticket.objects.get(pk=ticket.pk).owner == teammates[0]  # started at once

    leave.end_leave(away, actor=manager)

    assert Ticket.objects.get(pk=ticket.pk).owner == teammates[0]
    assert Handover.objects.filter(leave=away, returned=False).count() == 1


def test_a_ticket_the_delegate_passed_on_is_not_taken_back(
    acme_contact, manager, teammates, open_for
):
    ticket = open_for(acme_contact)
    away = leave.record_leave(
        manager,
        delegate=teammates[0],
        starts_on=leave.today(),
        ends_on=leave.today(),
        actor=manager,
    )
    current = Ticket.objects.get(pk=ticket.pk)
    tickets.update_ticket(
        ticket.pk, actor=teammates[0], expected_version=current.version, owner=teammates[1]
    )

    assert leave.end_leave(away, actor=manager) == 0
    assert Ticket.objects.get(pk=ticket.pk).owner == teammates[1]


def on_leave_today(manager, delegate, **fields):
    return leave.record_leave(
        manager,
        delegate=delegate,
        starts_on=leave.today(),
        ends_on=leave.today(),
        actor=manager,
        note="Acme's plant shuts on Friday; call Ravi before noon.",
        **fields,
    )


def owner_events(ticket):
    return list(
        Ticket.objects.get(pk=ticket.pk)
        .events.filter(kind=Kind.ASSIGNED)
        .order_by("id")
        .values_list("data__reason", "body")
    )


HANDOVER = ("handover", "Acme's plant shuts on Friday; call Ravi before noon.")


def test_a_new_ticket_for_the_agents_customer_reaches_the_delegate_with_the_handover_note(
    acme_contact, manager, teammates, open_for
):
    on_leave_today(manager, teammates[0])

    during = open_for(acme_contact)

    assert (during.owner, created_reason(during)) == (teammates[0], "delegate")
    assert owner_events(during) == [HANDOVER]


def test_a_ticket_that_waited_for_the_delegate_is_handed_over_then_comes_back(
    acme_contact, manager, teammates, open_for, desk
):
    use(desk, spoc_wait_minutes=30)
    delegate = teammates[0]
    presence(delegate, "away")
    with time_machine.travel(T0, tick=False):
        away = on_leave_today(manager, delegate)
        ticket = open_for(acme_contact)
        assert ticket.owner is None
        assert Reservation.objects.get(ticket=ticket).leave == away

    with time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
        presence(delegate, "online")
        assert sweep().waiting_assigned == 1
        assert Ticket.objects.get(pk=ticket.pk).owner == delegate
        assert owner_events(ticket) == [HANDOVER]

        assert leave.end_leave(away, actor=manager) == 1

    assert Ticket.objects.get(pk=ticket.pk).owner == manager
    assert owner_events(ticket) == [HANDOVER, ("leave_return", "")]


def test_the_delegate_taking_a_waiting_ticket_with_take_next_hands_it_over_too(
    acme_contact, manager, teammates, open_for, desk
):
    use(desk, spoc_wait_minutes=60)
    delegate = teammates[0]
    presence(delegate, "away")
    away = on_leave_today(manager, delegate)
    waiting = open_for(acme_contact)

    assert taking.take_next(teammates[1]) is None  # it waits for the delegate
    assert taking.take_next(delegate) == waiting
    assert owner_events(waiting) == [HANDOVER]

    leave.end_leave(away, actor=manager)
    assert Ticket.objects.get(pk=waiting.pk).owner == manager


def test_a_ticket_still_waiting_for_the_delegate_waits_for_the_agent_after_the_leave(
    acme_contact, manager, teammates, open_for, desk
):
    use(desk, spoc_wait_minutes=60)
    presence(teammates[0], "away")
    away = on_leave_today(manager, teammates[0])
    ticket = open_for(acme_contact)

    leave.end_leave(away, actor=manager)

    back = Reservation.objects.get(ticket=ticket)
    assert (back.agent, back.leave) == (manager, None)
    assert sweep().waiting_assigned == 1  # the agent is back online with room
    assert Ticket.objects.get(pk=ticket.pk).owner == manager
    assert owner_events(ticket) == [("spoc_back", "")]


def test_a_ticket_waiting_for_the_agent_when_the_leave_starts_follows_the_delegate_and_back(
    acme_contact, manager, teammates, open_for, desk
):
    use(desk, spoc_wait_minutes=60)
    delegate = teammates[0]
    presence(manager, "away")
    ticket = open_for(acme_contact)  # waits for its busy SPOC
    away = on_leave_today(manager, delegate)
    assert Reservation.objects.get(ticket=ticket).agent == delegate

    assert taking.take_next(delegate) == ticket
    assert owner_events(ticket) == [HANDOVER]
    presence(manager, "online")
    leave.end_leave(away, actor=manager)

    assert Ticket.objects.get(pk=ticket.pk).owner == manager
    assert owner_events(ticket)[-1] == ("leave_return", "")


def test_without_return_the_delegate_keeps_the_tickets_that_waited_for_them(
    acme_contact, manager, teammates, open_for, desk
):
    use(desk, spoc_wait_minutes=60)
    delegate = teammates[0]
    presence(delegate, "away")
    away = on_leave_today(manager, delegate, return_customers=False)
    handed = open_for(acme_contact)
    waiting = open_for(acme_contact)
    assert taking.take_next(delegate) == handed
    assert owner_events(handed) == [HANDOVER]

    leave.end_leave(away, actor=manager)

    assert Ticket.objects.get(pk=handed.pk).owner == delegate
    still = Reservation.objects.get(ticket=waiting)
    assert (still.agent, still.leave) == (delegate, None)


def test_cancelling_a_planned_leave_hands_nothing_over(acme_contact, manager, teammates, open_for):
    ticket = open_for(acme_contact)
    away = leave.record_leave(
        manager,
        delegate=teammates[0],
        starts_on=leave.today() + dt.timedelta(days=5),
        ends_on=leave.today() + dt.timedelta(days=6),
        actor=manager,
    )

    leave.end_leave(away, actor=manager)

    assert Leave.objects.get(pk=away.pk).state == Leave.State.CANCELLED
    assert Ticket.objects.get(pk=ticket.pk).owner == manager


def test_leave_is_validated(manager, teammates, make_agent):
    today = leave.today()
    record = lambda **f: leave.record_leave(  # noqa: E731
        manager,
        **{"delegate": teammates[0], "starts_on": today, "ends_on": today, "actor": manager, **f},
    )
    with pytest.raises(InvalidInput):
        record(delegate=manager)
    with pytest.raises(InvalidInput):
        record(starts_on=today, ends_on=today - dt.timedelta(days=1))
    with pytest.raises(InvalidInput):
        record(starts_on=today - dt.timedelta(days=3), ends_on=today - dt.timedelta(days=1))
    with pytest.raises(Forbidden):
        record(actor=teammates[1])
    record(starts_on=today + dt.timedelta(days=1), ends_on=today + dt.timedelta(days=3))
    with pytest.raises(Conflict):
        record(starts_on=today + dt.timedelta(days=3), ends_on=today + dt.timedelta(days=4))

    supervisor = make_agent(role="supervisor")
    recorded = record(
        starts_on=today + dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=10),
        actor=supervisor,
    )
    assert recorded.recorded_by == supervisor


# --- concurrency --------------------------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrent writers need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("method", ["least_loaded", "round_robin"])
def test_concurrent_assignments_never_put_an_agent_over_capacity(
    make_agent, make_group, make_contact, method
):
    """Twelve customers at once, half of them of one account whose manager has room for two:
    the manager, then the three agents, fill up to capacity and no further."""
    group = make_group(name="Rush desk")
    agents = [make_agent(groups=[group], presence="online", capacity=2) for _ in range(4)]
    save_organization(name="Acme Steel", domains=["acme.example"], account_manager=agents[0])
    use(group, method=method)
    customers = [make_contact(email=f"buyer{n}@acme.example") for n in range(6)]
    customers += [make_contact() for _ in range(6)]
    start = threading.Barrier(len(customers))
    failures = []

    def create(customer):
        try:
            start.wait(10)
            tickets.open_ticket(subject="Line down", requester=customer, group=group)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(c,)) for c in customers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    loads = intake.load_of(agent.pk for agent in agents)
    assert sorted(loads.values()) == [2, 2, 2, 2]
    assert Ticket.objects.filter(group=group, owner__isnull=True).count() == 4


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrent writers need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_take_next_gives_each_ticket_once(make_agent, make_group, make_ticket):
    group = make_group(name="Rush desk")
    agents = [make_agent(groups=[group], presence="online", capacity=5) for _ in range(4)]
    opened = [make_ticket(group=group) for _ in range(6)]
    start = threading.Barrier(len(agents) * 2)
    taken, failures = [], []

    def take(agent):
        try:
            start.wait(10)
            ticket = taking.take_next(agent)
            if ticket is not None:
                taken.append(ticket.pk)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(a,)) for a in agents * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert sorted(taken) == sorted(t.pk for t in opened)
