"""Swarming: the owner asks named agents, a group or a skill for help without handing the
ticket over; those asked see the request, join as collaborators and write notes the owner
hears of; the request closes with a summary."""

import pytest

from sampark.core.errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from sampark.notifications.models import Notification
from sampark.team.models import AgentProfile
from sampark.tickets import access
from sampark.tickets import escalation_queries as queries
from sampark.tickets import services as tickets
from sampark.tickets.models import SwarmInvitation, Ticket, TicketEvent

Kind = TicketEvent.Kind


@pytest.fixture
def owner(make_agent, default_group):
    return make_agent(name="Priya Owner", groups=[default_group])


@pytest.fixture
def specialists(make_group):
    return make_group(name="Network", tier="L2")


@pytest.fixture
def farhan(make_agent, specialists):
    """An L2 agent outside the ticket's group: the ticket is out of his scope until he joins."""
    return make_agent(name="Farhan", tier="L2", groups=[specialists], skills=["bgp"])


@pytest.fixture
def ticket(make_ticket, owner):
    return make_ticket(owner=owner, subject="Leased line flaps every hour")


def test_asking_named_agents_invites_them_and_keeps_the_owner(ticket, owner, farhan):
    swarm = tickets.request_swarm(ticket.pk, actor=owner, message="BGP?", agents=[farhan])

    assert list(swarm.invitations.values_list("agent", "state")) == [(farhan.pk, "invited")]
    assert Ticket.objects.get(pk=ticket.pk).owner == owner
    event = ticket.events.get(kind=Kind.SWARM_REQUESTED)
    assert event.data["swarm"] == swarm.pk and event.body == "BGP?"
    assert Notification.objects.filter(recipient=farhan, kind="swarm").exists()


def test_asking_a_group_invites_its_members(ticket, owner, farhan, make_agent, specialists):
    other = make_agent(groups=[specialists])

    swarm = tickets.request_swarm(ticket.pk, actor=owner, message="Help", group=specialists)

    assert set(swarm.invitations.values_list("agent", flat=True)) == {farhan.pk, other.pk}


def test_asking_a_skill_invites_the_agents_who_have_it(ticket, owner, farhan, make_agent):
    make_agent(skills=["printers"])

    swarm = tickets.request_swarm(ticket.pk, actor=owner, message="Help", skill="BGP")

    assert list(swarm.invitations.values_list("agent", flat=True)) == [farhan.pk]


def test_asking_nobody_is_refused(ticket, owner):
    with pytest.raises(InvalidInput):
        tickets.request_swarm(ticket.pk, actor=owner, message="Help")
    with pytest.raises(InvalidInput):
        tickets.request_swarm(ticket.pk, actor=owner, message="Help", agents=[owner])


def test_only_the_owner_or_a_supervisor_asks(ticket, owner, farhan, make_agent, default_group):
    teammate = make_agent(groups=[default_group])
    supervisor = make_agent(role=AgentProfile.Role.SUPERVISOR)

    with pytest.raises(Forbidden):
        tickets.request_swarm(ticket.pk, actor=teammate, message="Help", agents=[farhan])
    assert tickets.request_swarm(ticket.pk, actor=supervisor, message="Help", agents=[farhan])


def test_the_request_shows_in_swarm_requests_for_me_before_the_ticket_is_in_scope(
    ticket, owner, farhan
):
    swarm = tickets.request_swarm(ticket.pk, actor=owner, message="BGP?", agents=[farhan])

    assert not access.can_see(farhan, ticket)
    assert [i.swarm_id for i in queries.swarm_requests_for(farhan)] == [swarm.pk]
    assert queries.swarm_request_count(farhan) == 1


def test_joining_makes_a_collaborator_and_tells_the_owner(ticket, owner, farhan):
    swarm = tickets.request_swarm(ticket.pk, actor=owner, message="BGP?", agents=[farhan])

    tickets.join_swarm(swarm.pk, agent=farhan)

    assert access.can_see(farhan, Ticket.objects.get(pk=ticket.pk))
    assert ticket.collaborators.filter(pk=farhan.pk).exists()
    assert SwarmInvitation.objects.get(swarm=swarm).state == "joined"
    assert queries.swarm_requests_for(farhan) == []
    assert Notification.objects.filter(recipient=owner, kind="swarm").count() == 1
    assert ticket.events.filter(kind=Kind.SWARM_JOINED, actor=farhan).exists()


def test_declining_leaves_the_ticket_out_of_scope(ticket, owner, farhan):
    swarm = tickets.request_swarm(ticket.pk, actor=owner, message="BGP?", agents=[farhan])

    tickets.decline_swarm(swarm.pk, agent=farhan)

    assert not access.can_see(farhan, Ticket.objects.get(pk=ticket.pk))
    with pytest.raises(InvalidTransition):
        tickets.join_swarm(swarm.pk, agent=farhan)


def test_an_agent_not_asked_cannot_join(ticket, owner, farhan, make_agent):
    swarm = tickets.request_swarm(ticket.pk, actor=owner, message="BGP?", agents=[farhan])
    stranger = make_agent(groups=[])

    with pytest.raises(NotFound):
        tickets.join_swarm(swarm.pk, agent=stranger)


def test_each_contribution_notifies_the_owner(ticket, owner, farhan):
    swarm = tickets.request_swarm(ticket.pk, actor=owner, message="BGP?", agents=[farhan])
    tickets.join_swarm(swarm.pk, agent=farhan)

    tickets.add_swarm_note(swarm.pk, actor=farhan, body="Peer resets at :00.")
    tickets.add_swarm_note(swarm.pk, actor=farhan, body="Timer mismatch, fixed.")

    notes = ticket.events.filter(kind=Kind.NOTE, data__swarm=swarm.pk)
    assert notes.count() == 2 and not notes.filter(public=True).exists()
    assert Notification.objects.filter(recipient=owner, kind="swarm").count() == 3  # join + 2


def test_an_invitee_must_join_before_writing(ticket, owner, farhan):
    swarm = tickets.request_swarm(ticket.pk, actor=owner, message="BGP?", agents=[farhan])

    with pytest.raises(InvalidTransition):
        tickets.add_swarm_note(swarm.pk, actor=farhan, body="Drive-by")


def test_closing_records_the_summary_and_ends_the_requests(ticket, owner, farhan, make_agent):
    other = make_agent(skills=["bgp"])
    swarm = tickets.request_swarm(ticket.pk, actor=owner, message="BGP?", skill="bgp")
    tickets.join_swarm(swarm.pk, agent=farhan)

    tickets.close_swarm(swarm.pk, actor=owner, summary="Hold timer fixed on the PE.")

    swarm.refresh_from_db()
    assert (swarm.summary, swarm.closed_by) == ("Hold timer fixed on the PE.", owner)
    assert queries.swarm_requests_for(other) == []
    assert ticket.events.get(kind=Kind.SWARM_CLOSED).body == "Hold timer fixed on the PE."
    with pytest.raises(InvalidTransition):
        tickets.add_swarm_note(swarm.pk, actor=farhan, body="Late")


def test_a_collaborator_cannot_close_the_owners_request(ticket, owner, farhan):
    swarm = tickets.request_swarm(ticket.pk, actor=owner, message="BGP?", agents=[farhan])
    tickets.join_swarm(swarm.pk, agent=farhan)

    with pytest.raises(Forbidden):
        tickets.close_swarm(swarm.pk, actor=farhan, summary="Done")


def test_the_requests_list_costs_the_same_for_many_rows(
    make_ticket, owner, farhan, django_assert_max_num_queries
):
    for n in range(6):
        t = make_ticket(owner=owner, subject=f"Problem {n}")
        tickets.request_swarm(t.pk, actor=owner, message="Help", agents=[farhan])

    with django_assert_max_num_queries(1):
        found = queries.swarm_requests_for(farhan)
        assert [i.swarm.ticket.number for i in found]
        assert [i.swarm.requested_by.email for i in found]


# --- a helper's notes in the ticket's composer ------------------------------------------------


def owners_swarm_notices(owner):
    return Notification.objects.filter(recipient=owner, kind="swarm")


def test_a_helpers_note_in_the_composer_tells_the_owner_as_one_in_the_swarm_does(
    ticket, owner, farhan
):
    swarm = tickets.request_swarm(ticket.pk, actor=owner, message="BGP?", agents=[farhan])
    tickets.join_swarm(swarm.pk, agent=farhan)
    joined = owners_swarm_notices(owner).count()

    note = tickets.add_message(ticket.pk, body="Peer resets at :00.", public=False, agent=farhan)
    tickets.add_message(ticket.pk, body="Timer mismatch.", public=False, agent=farhan)

    assert (note.kind, note.public, note.data) == (Kind.NOTE, False, {"swarm": swarm.pk})
    told = owners_swarm_notices(owner)
    assert told.count() == joined + 2  # one per note
    assert told.latest("id").title == f"Farhan helped on #{ticket.number}"
    thread = queries.ticket_swarms(ticket)[0].thread
    assert [n.body for n in thread] == ["Peer resets at :00.", "Timer mismatch."]


def test_the_owners_own_note_tells_nobody(ticket, owner, farhan):
    swarm = tickets.request_swarm(ticket.pk, actor=owner, message="BGP?", agents=[farhan])
    tickets.join_swarm(swarm.pk, agent=farhan)
    before = Notification.objects.count()

    note = tickets.add_message(ticket.pk, body="Thanks, trying it", public=False, agent=owner)

    assert note.data == {} and Notification.objects.count() == before


def test_a_note_by_a_collaborator_who_was_not_asked_is_a_plain_note(ticket, owner, farhan):
    tickets.add_collaborator(ticket.pk, agent=farhan, actor=owner)

    note = tickets.add_message(ticket.pk, body="Drive-by idea", public=False, agent=farhan)

    assert note.data == {} and not owners_swarm_notices(owner).exists()


def test_after_the_swarm_closes_a_helpers_notes_are_plain_notes(ticket, owner, farhan):
    swarm = tickets.request_swarm(ticket.pk, actor=owner, message="BGP?", agents=[farhan])
    tickets.join_swarm(swarm.pk, agent=farhan)
    tickets.close_swarm(swarm.pk, actor=owner, summary="Fixed")
    before = owners_swarm_notices(owner).count()

    note = tickets.add_message(ticket.pk, body="One more thing", public=False, agent=farhan)

    assert note.data == {} and owners_swarm_notices(owner).count() == before
