"""Single point of contact: who owns a ticket, and who may speak to the customer on it.

Also the role helpers in team/permissions.py and API tokens, which decide who may act at all.
"""

import datetime as dt
import hashlib

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from sampark.core.errors import Forbidden, InvalidInput
from sampark.customers.services import save_organization
from sampark.team import permissions
from sampark.team.models import ApiToken
from sampark.team.services import authenticate_token, issue_token, revoke_token
from sampark.tickets import services as tickets
from sampark.tickets.models import Status, Ticket, TicketEvent

Kind = TicketEvent.Kind
T0 = dt.datetime(2025, 3, 3, 10, 0, tzinfo=dt.UTC)


def update(ticket, actor, **edits):
    """update_ticket at the ticket's current version."""
    version = Ticket.objects.values_list("version", flat=True).get(pk=ticket.pk)
    return tickets.update_ticket(ticket.pk, actor=actor, expected_version=version, **edits)


def deactivate(user):
    user.is_active = False
    user.save(update_fields=["is_active"])


@pytest.fixture
def owner(make_agent, default_group):
    """At work: a new ticket from her customer reaches her."""
    return make_agent(name="Asha Owner", groups=[default_group], presence="online")


@pytest.fixture
def teammate(make_agent, default_group):
    """In the owner's group, so the group's tickets are in the teammate's scope too."""
    return make_agent(name="Tarun Teammate", groups=[default_group], presence="online")


@pytest.fixture
def supervisor(make_agent):
    return make_agent(name="Sunil Supervisor", role="supervisor")


@pytest.fixture
def customer(make_contact):
    return make_contact(email="meera@example.org")


@pytest.fixture
def owned_ticket(make_ticket, customer, owner):
    return make_ticket(requester=customer, owner=owner)


@pytest.fixture
def account(make_agent, make_contact):
    """An organization with an account manager, and one of its people."""
    manager = make_agent(name="Kavya Manager", presence="online")
    organization = save_organization(
        name="Acme Steel", domains=["acme.co.in"], account_manager=manager
    )
    return organization, manager, make_contact(email="ravi@acme.co.in")


# --- choosing the owner of a new ticket ---------------------------------------------------


def test_account_manager_of_the_organization_owns_a_new_ticket(account, make_ticket):
    _organization, manager, contact = account

    ticket = make_ticket(requester=contact)

    assert ticket.owner == manager
    assert ticket.status == Status.OPEN
    created = ticket.events.get(kind=Kind.CREATED)
    assert created.data["owner"]["id"] == manager.pk
    assert created.data["owner_reason"] == "account_manager"


def test_account_manager_wins_over_the_owner_of_an_active_ticket(account, make_ticket, teammate):
    _organization, manager, contact = account
    make_ticket(requester=contact, owner=teammate)

    ticket = make_ticket(requester=contact)

    assert ticket.owner == manager


def test_inactive_account_manager_is_skipped(account, make_ticket, teammate):
    _organization, manager, contact = account
    make_ticket(requester=contact, owner=teammate)
    deactivate(manager)

    ticket = make_ticket(requester=contact)

    assert ticket.owner == teammate


def test_account_manager_without_an_agent_profile_is_skipped(make_contact, make_ticket):
    outsider = get_user_model().objects.create_user(username="sales", email="sales@sampark.test")
    save_organization(name="Acme Steel", domains=["acme.co.in"], account_manager=outsider)

    ticket = make_ticket(requester=make_contact(email="ravi@acme.co.in"))

    assert ticket.owner is None


def test_owner_of_the_customers_active_ticket_owns_the_new_ticket(owned_ticket, make_ticket, owner):
    ticket = make_ticket(requester=owned_ticket.requester, subject="Another problem")

    assert ticket.owner == owner
    assert ticket.status == Status.OPEN
    assert ticket.events.get(kind=Kind.CREATED).data["owner_reason"] == "returning_customer"


def test_owner_of_a_ticket_solved_within_the_window_owns_the_new_ticket(
    make_ticket, customer, owner
):
    with time_machine.travel(T0, tick=False):
        update(make_ticket(requester=customer, owner=owner), owner, status="solved")

    with time_machine.travel(T0 + dt.timedelta(days=29), tick=False):
        ticket = make_ticket(requester=customer)

    assert ticket.owner == owner


def test_owner_of_a_ticket_solved_and_closed_within_the_window_owns_the_new_ticket(
    make_ticket, customer, owner
):
    with time_machine.travel(T0, tick=False):
        previous = make_ticket(requester=customer, owner=owner)
        update(previous, owner, status="solved")
        update(previous, owner, status="closed")

    with time_machine.travel(T0 + dt.timedelta(days=10), tick=False):
        ticket = make_ticket(requester=customer)

    assert ticket.owner == owner


def test_owner_of_a_ticket_solved_31_days_ago_is_not_chosen(
    make_ticket, customer, owner, default_group
):
    with time_machine.travel(T0, tick=False):
        update(make_ticket(requester=customer, owner=owner), owner, status="solved")

    with time_machine.travel(T0 + dt.timedelta(days=31), tick=False):
        ticket = make_ticket(requester=customer)

    assert ticket.owner is None
    assert ticket.status == Status.NEW
    assert ticket.group == default_group


@pytest.mark.parametrize(("days_ago", "returns_to_owner"), [(6, True), (8, False)])
def test_spoc_window_follows_the_setting(
    settings, make_ticket, customer, owner, days_ago, returns_to_owner
):
    settings.SAMPARK_SPOC_WINDOW_DAYS = 7
    with time_machine.travel(T0, tick=False):
        update(make_ticket(requester=customer, owner=owner), owner, status="solved")

    with time_machine.travel(T0 + dt.timedelta(days=days_ago), tick=False):
        ticket = make_ticket(requester=customer)

    assert (ticket.owner == owner) is returns_to_owner


def test_owner_of_an_active_ticket_wins_over_the_owner_of_a_more_recently_solved_one(
    make_ticket, customer, owner, teammate
):
    with time_machine.travel(T0, tick=False):
        make_ticket(requester=customer, owner=owner)
        solved = make_ticket(requester=customer, owner=teammate)
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        update(solved, teammate, status="solved")

    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        ticket = make_ticket(requester=customer)

    assert ticket.owner == owner


def test_inactive_previous_owner_is_not_chosen(owned_ticket, make_ticket, owner):
    deactivate(owner)

    ticket = make_ticket(requester=owned_ticket.requester)

    assert ticket.owner is None


def test_new_customer_waits_unowned_in_the_default_group_queue(make_ticket, default_group):
    ticket = make_ticket()

    assert ticket.owner is None
    assert ticket.status == Status.NEW
    assert ticket.group == default_group
    assert ticket.events.get(kind=Kind.CREATED).data["owner_reason"] == "queue"


# --- swarming: collaborators work around the owner ----------------------------------------


def test_adding_a_collaborator_keeps_the_owner(owned_ticket, owner, teammate):
    ticket = tickets.add_collaborator(owned_ticket.pk, agent=teammate, actor=owner)

    ticket.refresh_from_db()
    assert ticket.owner == owner
    assert list(ticket.collaborators.all()) == [teammate]
    event = ticket.events.get(kind=Kind.COLLABORATOR_ADDED)
    assert (event.actor, event.data["agent"]["id"]) == (owner, teammate.pk)


def test_owner_cannot_be_added_as_a_collaborator(owned_ticket, owner):
    with pytest.raises(InvalidInput):
        tickets.add_collaborator(owned_ticket.pk, agent=owner, actor=owner)


def test_collaborator_cannot_reply_to_the_customer(owned_ticket, owner, teammate):
    tickets.add_collaborator(owned_ticket.pk, agent=teammate, actor=owner)

    with pytest.raises(Forbidden):
        tickets.add_message(owned_ticket.pk, agent=teammate, body="Try restarting it.")
    assert not owned_ticket.events.filter(kind=Kind.MESSAGE_OUT).exists()


def test_collaborator_cannot_log_a_call_with_the_customer(owned_ticket, owner, teammate):
    tickets.add_collaborator(owned_ticket.pk, agent=teammate, actor=owner)

    with pytest.raises(Forbidden):
        tickets.log_call(
            owned_ticket.pk,
            agent=teammate,
            direction="outbound",
            duration_seconds=120,
            summary="Called the customer.",
        )
    assert not owned_ticket.events.filter(kind=Kind.CALL).exists()


def test_collaborator_can_add_an_internal_note(owned_ticket, owner, teammate):
    tickets.add_collaborator(owned_ticket.pk, agent=teammate, actor=owner)

    note = tickets.add_message(
        owned_ticket.pk, agent=teammate, body="Firmware 2.1 fixes this.", public=False
    )

    assert (note.kind, note.public, note.actor) == (Kind.NOTE, False, teammate)
    owned_ticket.refresh_from_db()
    assert owned_ticket.owner == owner


def test_supervisor_can_reply_to_the_customer_without_taking_the_ticket(
    owned_ticket, owner, supervisor
):
    reply = tickets.add_message(owned_ticket.pk, agent=supervisor, body="Sorry for the wait.")

    assert (reply.kind, reply.public, reply.actor) == (Kind.MESSAGE_OUT, True, supervisor)
    owned_ticket.refresh_from_db()
    assert owned_ticket.owner == owner


def test_agent_who_is_not_the_owner_cannot_reassign_the_ticket(owned_ticket, owner, teammate):
    with pytest.raises(Forbidden):
        update(owned_ticket, teammate, owner=teammate)

    owned_ticket.refresh_from_db()
    assert owned_ticket.owner == owner
    assert not owned_ticket.events.filter(kind=Kind.ASSIGNED).exists()


def test_owner_can_hand_the_ticket_to_another_agent(owned_ticket, owner, teammate):
    update(owned_ticket, owner, owner=teammate)

    owned_ticket.refresh_from_db()
    assert owned_ticket.owner == teammate
    event = owned_ticket.events.get(kind=Kind.ASSIGNED)
    assert event.actor == owner
    assert (event.data["from"]["id"], event.data["to"]["id"]) == (owner.pk, teammate.pk)


def test_supervisor_can_reassign_and_every_handover_stays_in_the_history(
    owned_ticket, owner, teammate, supervisor, make_agent
):
    specialist = make_agent(name="Sara Specialist", tier="L2")
    update(owned_ticket, owner, owner=teammate)
    update(owned_ticket, supervisor, owner=specialist)

    owned_ticket.refresh_from_db()
    assert owned_ticket.owner == specialist
    handovers = [
        (e.actor, e.data["from"]["id"], e.data["to"]["id"])
        for e in owned_ticket.events.filter(kind=Kind.ASSIGNED)
    ]
    assert handovers == [(owner, owner.pk, teammate.pk), (supervisor, teammate.pk, specialist.pk)]


def test_ticket_cannot_be_handed_to_a_deactivated_agent(owned_ticket, owner, teammate):
    deactivate(teammate)

    with pytest.raises(InvalidInput):
        update(owned_ticket, owner, owner=teammate)
    owned_ticket.refresh_from_db()
    assert owned_ticket.owner == owner


def test_escalated_ticket_keeps_its_owner_as_the_face_to_the_customer(
    owned_ticket, owner, make_agent, make_group
):
    specialists = make_group(name="Network specialists", tier="L2")
    specialist = make_agent(name="Sara Specialist", tier="L2", groups=[specialists])
    tickets.escalate_ticket(owned_ticket.pk, actor=owner, group=specialists, reason="Packet loss")

    with pytest.raises(Forbidden):
        tickets.add_message(owned_ticket.pk, agent=specialist, body="Hello, I am from L2.")
    note = tickets.add_message(
        owned_ticket.pk, agent=specialist, body="Upstream router is dropping packets.", public=False
    )
    reply = tickets.add_message(owned_ticket.pk, agent=owner, body="We found the cause.")

    assert note.kind == Kind.NOTE
    assert reply.actor == owner
    owned_ticket.refresh_from_db()
    assert owned_ticket.owner == owner


def test_customer_returning_during_an_escalation_reaches_the_same_owner(
    owned_ticket, owner, make_group, make_ticket
):
    specialists = make_group(name="Network specialists", tier="L2")
    tickets.escalate_ticket(owned_ticket.pk, actor=owner, group=specialists, reason="Packet loss")

    follow_up = make_ticket(requester=owned_ticket.requester, subject="Any news?")

    assert follow_up.owner == owner


def test_new_owner_stops_being_a_collaborator(owned_ticket, owner, teammate):
    tickets.add_collaborator(owned_ticket.pk, agent=teammate, actor=owner)

    update(owned_ticket, owner, owner=teammate)

    owned_ticket.refresh_from_db()
    assert owned_ticket.owner == teammate
    assert not owned_ticket.collaborators.exists()


def test_any_agent_can_take_an_unowned_ticket(make_ticket, teammate):
    ticket = make_ticket()

    update(ticket, teammate, owner=teammate)

    ticket.refresh_from_db()
    assert ticket.owner == teammate


def test_first_public_reply_on_an_unowned_ticket_makes_the_agent_its_owner(make_ticket, teammate):
    ticket = make_ticket()

    with time_machine.travel(T0, tick=False):
        tickets.add_message(ticket.pk, agent=teammate, body="I am looking into it.")

    ticket.refresh_from_db()
    assert ticket.owner == teammate
    assert ticket.status == Status.OPEN
    assert ticket.first_responded_at == T0
    event = ticket.events.get(kind=Kind.ASSIGNED)
    assert event.data["to"]["id"] == teammate.pk
    assert event.data["reason"] == "first_reply"


def test_later_replies_do_not_move_the_first_response_time(owned_ticket, owner):
    with time_machine.travel(T0, tick=False):
        tickets.add_message(owned_ticket.pk, agent=owner, body="Looking into it.")
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        tickets.add_message(owned_ticket.pk, agent=owner, body="Fixed now.")

    owned_ticket.refresh_from_db()
    assert owned_ticket.first_responded_at == T0


def test_internal_note_on_an_unowned_ticket_neither_takes_it_nor_counts_as_a_response(
    make_ticket, teammate
):
    ticket = make_ticket()

    tickets.add_message(ticket.pk, agent=teammate, body="Looks like a paper jam.", public=False)

    ticket.refresh_from_db()
    assert ticket.owner is None
    assert ticket.first_responded_at is None
    assert ticket.status == Status.NEW


# --- roles (team/permissions.py) ----------------------------------------------------------


def test_admin_may_configure_manage_accounts_and_merge_contacts(make_agent):
    admin = make_agent(role="admin")

    assert permissions.is_agent(admin)
    assert permissions.can_configure(admin)
    assert permissions.can_manage_accounts(admin)
    assert permissions.can_merge_contacts(admin)


def test_supervisor_may_manage_accounts_and_merge_contacts_but_not_configure(supervisor):
    assert permissions.is_agent(supervisor)
    assert not permissions.can_configure(supervisor)
    assert permissions.can_manage_accounts(supervisor)
    assert permissions.can_merge_contacts(supervisor)


def test_agent_may_work_tickets_but_not_configure_manage_accounts_or_merge(teammate):
    assert permissions.is_agent(teammate)
    assert not permissions.can_configure(teammate)
    assert not permissions.can_manage_accounts(teammate)
    assert not permissions.can_merge_contacts(teammate)


def test_user_without_an_agent_profile_has_no_rights(db):
    user = get_user_model().objects.create_user(
        username="boss", email="boss@sampark.test", is_staff=True, is_superuser=True
    )

    assert permissions.profile_of(user) is None
    assert not permissions.is_agent(user)
    assert not permissions.can_configure(user)
    assert not permissions.can_manage_accounts(user)
    assert not permissions.can_merge_contacts(user)


def test_deactivated_admin_has_no_rights(make_agent):
    admin = make_agent(role="admin")
    deactivate(admin)

    assert permissions.profile_of(admin) is None
    assert not permissions.can_configure(admin)


@pytest.mark.parametrize("user", [None, AnonymousUser()])
def test_anonymous_visitor_has_no_rights(db, user):
    assert permissions.profile_of(user) is None
    assert not permissions.is_agent(user)
    assert not permissions.can_configure(user)


# --- API tokens ---------------------------------------------------------------------------


def test_token_is_stored_only_as_its_sha256_digest(teammate):
    token, secret = issue_token(teammate, name="laptop")

    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert row["digest"] == hashlib.sha256(secret.encode()).hexdigest()
    assert all(secret not in str(value) for value in row.values())


def test_token_authenticates_its_agent(teammate):
    token, secret = issue_token(teammate)

    found = authenticate_token(secret)

    assert found == token
    assert found.user == teammate
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


@pytest.mark.parametrize("secret", ["", "spk_wrong", "x" * 500])
def test_unknown_secret_does_not_authenticate(teammate, secret):
    issue_token(teammate)

    assert authenticate_token(secret) is None


def test_revoked_token_does_not_authenticate(teammate):
    token, secret = issue_token(teammate)

    revoke_token(token)

    assert authenticate_token(secret) is None


def test_token_of_a_deactivated_agent_does_not_authenticate(teammate):
    _token, secret = issue_token(teammate)
    deactivate(teammate)

    assert authenticate_token(secret) is None
