"""Tiered escalation as a work item: the chain, the two modes (the owner stays the customer's
contact by default; hand-off moves ownership when the group says so), the item's assignee,
due time and internal thread, de-escalation, and the SLA engine's breach action."""

import datetime as dt

import pytest
import time_machine

from sampark.core.errors import InvalidInput, InvalidTransition, NotFound
from sampark.notifications.models import Notification
from sampark.sla import services as sla
from sampark.team.models import AgentProfile
from sampark.team.services import save_group
from sampark.tickets import services as tickets
from sampark.tickets.models import Escalation, Ticket, TicketEvent

Kind = TicketEvent.Kind
NOON = dt.datetime(2026, 12, 7, 6, 30, tzinfo=dt.UTC)
MONDAY_10 = dt.datetime(2026, 12, 7, 4, 30, tzinfo=dt.UTC)  # 10:00 in India


def reload(ticket):
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def chain(make_group, default_group):
    """Front desk (L1) → Network (L2) → Engineering (L3), each with an always-open day."""
    network = make_group(name="Network", tier="L2")
    engineering = make_group(name="Engineering", tier="L3")
    save_group(default_group, escalates_to=network)
    save_group(network, escalates_to=engineering)
    return default_group, network, engineering


@pytest.fixture
def owner(make_agent, default_group):
    return make_agent(name="Priya Owner", groups=[default_group])


@pytest.fixture
def specialist(make_agent, chain):
    return make_agent(name="Farhan Specialist", tier="L2", groups=[chain[1]])


@pytest.fixture
def ticket(make_ticket, owner, chain):
    return make_ticket(owner=owner)


def test_escalation_without_a_group_goes_to_the_next_in_the_chain(ticket, owner, chain):
    item = tickets.escalate_ticket(ticket.pk, actor=owner, reason="Packet loss on the core")

    escalated = reload(ticket)
    assert (escalated.tier, escalated.group, escalated.owner) == ("L2", chain[1], owner)
    assert (item.from_tier, item.to_tier, item.to_group, item.mode) == (
        "L1",
        "L2",
        chain[1],
        "keep_owner",
    )
    assert item.is_open and item.raised_by == owner


def test_the_chain_falls_back_to_the_first_group_of_the_next_tier(
    make_ticket, owner, make_group, default_group
):
    make_group(name="B specialists", tier="L2")
    first = make_group(name="A specialists", tier="L2")
    ticket = make_ticket(owner=owner)

    item = tickets.escalate_ticket(ticket.pk, actor=owner, reason="Hard one")

    assert item.to_group == first


def test_escalating_twice_climbs_the_chain_and_keeps_the_spoc(ticket, owner, chain):
    tickets.escalate_ticket(ticket.pk, actor=owner, reason="L2 please")
    tickets.escalate_ticket(ticket.pk, actor=owner, reason="Firmware bug")

    escalated = reload(ticket)
    assert (escalated.tier, escalated.group, escalated.owner) == ("L3", chain[2], owner)
    assert ticket.escalations.filter(closed_at__isnull=True).count() == 2


def test_there_is_nothing_above_the_top_tier(ticket, owner, chain):
    tickets.escalate_ticket(ticket.pk, actor=owner, reason="L2 please")
    tickets.escalate_ticket(ticket.pk, actor=owner, reason="L3 please")

    with pytest.raises(InvalidTransition):
        tickets.escalate_ticket(ticket.pk, actor=owner, reason="Higher!")
    assert reload(ticket).tier == "L3"


def test_the_escalation_is_due_within_the_groups_minutes(ticket, owner, chain):
    save_group(chain[1], escalation_response_minutes=90)
    with time_machine.travel(NOON, tick=False):
        item = tickets.escalate_ticket(ticket.pk, actor=owner, reason="Packet loss")

    # The default calendar may close for the night; never sooner than 90 minutes.
    assert item.due_at >= NOON + dt.timedelta(minutes=90)


def test_hand_off_mode_moves_ownership_to_the_groups_queue(ticket, owner, chain):
    save_group(chain[1], escalation_mode="hand_off")

    item = tickets.escalate_ticket(ticket.pk, actor=owner, reason="Field visit needed")

    escalated = reload(ticket)
    assert (escalated.owner, escalated.group, escalated.tier) == (None, chain[1], "L2")
    assert (item.mode, item.previous_owner) == ("hand_off", owner)
    assert ticket.events.filter(kind=Kind.ASSIGNED, data__reason="escalation").exists()


def test_deescalation_closes_the_item_and_returns_the_tier_below(ticket, owner, chain):
    item = tickets.escalate_ticket(ticket.pk, actor=owner, reason="L2 please")

    closed = tickets.deescalate_ticket(ticket.pk, actor=owner, reason="Fixed the route map")

    back = reload(ticket)
    assert (back.tier, back.group, back.owner) == ("L1", chain[0], owner)
    assert closed.pk == item.pk and closed.closed_at is not None
    assert (closed.closed_by, closed.close_reason) == (owner, "Fixed the route map")
    event = ticket.events.get(kind=Kind.DEESCALATED)
    assert event.data["escalation"] == item.pk and event.data["to_tier"] == "L1"


def test_deescalation_goes_one_step_down_at_a_time(ticket, owner, chain):
    tickets.escalate_ticket(ticket.pk, actor=owner, reason="L2 please")
    tickets.escalate_ticket(ticket.pk, actor=owner, reason="L3 please")

    tickets.deescalate_ticket(ticket.pk, actor=owner, reason="Firmware patched")

    assert (reload(ticket).tier, reload(ticket).group) == ("L2", chain[1])
    assert ticket.escalations.filter(closed_at__isnull=True).count() == 1


def test_deescalation_after_a_hand_off_gives_the_ticket_back_to_its_owner(
    ticket, owner, specialist, chain
):
    save_group(chain[1], escalation_mode="hand_off")
    tickets.escalate_ticket(ticket.pk, actor=owner, reason="Field visit needed")

    # Handed off, the ticket left the owner's sight: the higher tier hands it back.
    tickets.deescalate_ticket(ticket.pk, actor=specialist, reason="Visit done")

    assert (reload(ticket).owner, reload(ticket).tier) == (owner, "L1")


def test_deescalation_without_an_open_escalation_is_refused(ticket, owner):
    with pytest.raises(InvalidTransition):
        tickets.deescalate_ticket(ticket.pk, actor=owner, reason="Nothing to close")
    assert not ticket.events.filter(kind=Kind.DEESCALATED).exists()


def test_the_work_item_goes_to_an_agent_of_the_group(ticket, owner, specialist, chain):
    item = tickets.escalate_ticket(ticket.pk, actor=owner, reason="L2 please")

    tickets.assign_escalation(item.pk, assignee=specialist, actor=specialist)

    item.refresh_from_db()
    assert item.assignee == specialist
    assert ticket.collaborators.filter(pk=specialist.pk).exists()
    assert reload(ticket).owner == owner
    assert ticket.events.filter(kind=Kind.ESCALATION_ASSIGNED).count() == 1


def test_the_work_item_cannot_go_to_someone_outside_the_group(ticket, owner, chain, make_agent):
    item = tickets.escalate_ticket(ticket.pk, actor=owner, reason="L2 please")
    stranger = make_agent(groups=[chain[2]])

    with pytest.raises(InvalidInput):
        tickets.assign_escalation(item.pk, assignee=stranger, actor=owner)


def test_the_internal_thread_notifies_the_owner(ticket, owner, specialist):
    item = tickets.escalate_ticket(ticket.pk, actor=owner, reason="L2 please")

    note = tickets.add_escalation_note(item.pk, actor=specialist, body="Trace shows BGP flaps.")

    assert (note.kind, note.public, note.data) == ("note", False, {"escalation": item.pk})
    assert Notification.objects.filter(recipient=owner, ticket=ticket, kind="escalation").exists()


def test_a_closed_item_takes_no_more_notes(ticket, owner):
    item = tickets.escalate_ticket(ticket.pk, actor=owner, reason="L2 please")
    tickets.deescalate_ticket(ticket.pk, actor=owner, reason="Done")

    with pytest.raises(InvalidTransition):
        tickets.add_escalation_note(item.pk, actor=owner, body="Late")


def test_an_item_on_a_ticket_out_of_scope_answers_like_a_missing_one(ticket, owner, make_agent):
    item = tickets.escalate_ticket(ticket.pk, actor=owner, reason="L2 please")
    outsider = make_agent(groups=[])
    AgentProfile.objects.filter(user=outsider).update(ticket_access="own")

    with pytest.raises(NotFound):
        tickets.add_escalation_note(item.pk, actor=outsider, body="Peek")


def test_a_breach_escalates_through_the_sla_engines_action_hook(
    make_ticket, owner, chain, django_capture_on_commit_callbacks
):
    # The seeded P1 policy escalates when its first response breaches (30 business minutes).
    with time_machine.travel(MONDAY_10, tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            ticket = make_ticket(priority="P1", owner=owner)
        traveller.move_to(MONDAY_10 + dt.timedelta(minutes=31))
        with django_capture_on_commit_callbacks(execute=True):
            sla.sweep()

    escalated = reload(ticket)
    item = Escalation.objects.get(ticket=ticket)
    assert (escalated.tier, escalated.owner) == ("L2", owner)
    assert (item.source, item.raised_by, item.to_group) == ("sla", None, chain[1])
    assert Notification.objects.filter(recipient=owner, kind="escalation").exists()


# --- due times: the worker's sweep ------------------------------------------------------------


def escalation_notices(user):
    return list(
        Notification.objects.filter(recipient=user, kind="escalation").values_list(
            "title", flat=True
        )
    )


@pytest.fixture
def escalated(ticket, owner, chain):
    """The ticket escalated to Network at 10:00 on a Monday (due within its 240 minutes)."""
    with time_machine.travel(MONDAY_10, tick=False):
        return tickets.escalate_ticket(ticket.pk, actor=owner, reason="Packet loss on the core")


def sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        return tickets.sweep_escalations()


def test_the_escalation_is_due_soon_three_quarters_of_the_way(escalated):
    assert escalated.opened_at < escalated.warn_at < escalated.due_at
    assert sweep_at(escalated.warn_at - dt.timedelta(seconds=1)) == tickets.EscalationSweep()


def test_an_overdue_escalation_tells_its_assignee_and_the_owner_once(
    escalated, ticket, owner, specialist
):
    tickets.assign_escalation(escalated.pk, assignee=specialist, actor=specialist)
    past_due = escalated.due_at + dt.timedelta(minutes=1)

    first = sweep_at(past_due)
    again = sweep_at(past_due + dt.timedelta(hours=1))

    assert (first.overdue, again.overdue) == (1, 0)
    event = ticket.events.get(kind=Kind.ESCALATION_OVERDUE)
    assert event.data["escalation"] == escalated.pk and event.data["group"] == "Network"
    assert event.data["assignee"]["id"] == specialist.pk
    title = f"Escalation on #{ticket.number} is overdue"
    assert escalation_notices(specialist) == [title]
    assert escalation_notices(owner) == [title]
    escalated.refresh_from_db()
    assert escalated.overdue_at == past_due


def test_an_unassigned_overdue_escalation_tells_the_groups_supervisors(
    escalated, owner, specialist, make_agent, chain
):
    lead = make_agent(name="Network lead", role=AgentProfile.Role.SUPERVISOR, groups=[chain[1]])

    sweep_at(escalated.due_at)

    assert len(escalation_notices(lead)) == 1
    assert escalation_notices(specialist) == []  # the lead answers for the group
    assert len(escalation_notices(owner)) == 1


def test_a_group_without_supervisors_hears_through_its_agents(escalated, owner, specialist):
    sweep_at(escalated.due_at)

    assert len(escalation_notices(specialist)) == 1


def test_an_escalation_due_soon_warns_whoever_works_it_then_goes_overdue(
    escalated, ticket, owner, specialist
):
    with time_machine.travel(MONDAY_10 + dt.timedelta(minutes=5), tick=False):
        tickets.assign_escalation(escalated.pk, assignee=specialist, actor=specialist)

    warned = sweep_at(escalated.warn_at)

    assert (warned.warnings, warned.overdue) == (1, 0)
    assert escalation_notices(specialist) == [f"Escalation on #{ticket.number} is due soon"]
    assert escalation_notices(owner) == []  # the owner hears when it is overdue
    assert sweep_at(escalated.due_at).overdue == 1
    kinds = ticket.events.filter(data__escalation=escalated.pk).values_list("kind", flat=True)
    assert list(kinds.filter(kind__startswith="escalation_")) == [
        Kind.ESCALATION_ASSIGNED,
        Kind.ESCALATION_WARNING,
        Kind.ESCALATION_OVERDUE,
    ]


def test_a_late_sweep_says_overdue_without_the_warning(escalated, ticket):
    late = sweep_at(escalated.due_at + dt.timedelta(days=2))

    assert (late.warnings, late.overdue) == (0, 1)
    assert not ticket.events.filter(kind=Kind.ESCALATION_WARNING).exists()
    assert sweep_at(escalated.due_at + dt.timedelta(days=3)) == tickets.EscalationSweep()


def test_an_escalation_closed_in_time_is_never_overdue(escalated, ticket, owner):
    tickets.deescalate_ticket(ticket.pk, actor=owner, reason="Fixed the route map")

    assert sweep_at(escalated.due_at + dt.timedelta(hours=1)) == tickets.EscalationSweep()
    assert not ticket.events.filter(kind=Kind.ESCALATION_OVERDUE).exists()


def test_an_escalation_of_a_solved_ticket_passes_its_due_time_quietly(
    escalated, ticket, owner, specialist
):
    tickets.update_ticket(
        ticket.pk, actor=owner, expected_version=reload(ticket).version, status="solved"
    )

    result = sweep_at(escalated.due_at)

    assert (result.overdue, result.quiet) == (0, 1)
    assert not ticket.events.filter(kind=Kind.ESCALATION_OVERDUE).exists()
    assert escalation_notices(owner) == escalation_notices(specialist) == []
    assert sweep_at(escalated.due_at + dt.timedelta(days=1)) == tickets.EscalationSweep()


def test_after_a_hand_off_the_owner_it_had_hears_of_the_overdue_escalation(
    ticket, owner, specialist, chain
):
    save_group(chain[1], escalation_mode="hand_off")
    with time_machine.travel(MONDAY_10, tick=False):
        item = tickets.escalate_ticket(ticket.pk, actor=owner, reason="Field visit needed")

    sweep_at(item.due_at)

    assert len(escalation_notices(owner)) == 1
    assert len(escalation_notices(specialist)) == 1


def test_the_workers_sweep_notices_overdue_escalations(escalated, ticket):
    from sampark.serving.worker import Worker

    with time_machine.travel(escalated.due_at, tick=False):
        Worker(sweep_seconds=0).sweep()

    assert ticket.events.filter(kind=Kind.ESCALATION_OVERDUE).count() == 1
