"""The bilingual demo: what someone exploring Sampark after `make run` finds in it.

Loading the demo takes a few seconds, so it is loaded once for this module inside a
transaction that is rolled back afterwards; every test reads the same data and writes nothing.
"""

import re
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from sampark.core.errors import Conflict
from sampark.customers.models import Asset, Contact, Identity, Organization
from sampark.demo import load_demo
from sampark.mail.models import InboundMessage
from sampark.team.models import AgentProfile, Group
from sampark.tickets.models import (
    ACTIVE_STATUSES,
    Attachment,
    FieldDefinition,
    Ticket,
    TicketEvent,
)
from sampark.tickets.problems import problems_in

DEVANAGARI = re.compile(r"[\u0900-\u097F]")
# Roman Hindi words that only Hinglish text uses.
HINGLISH = re.compile(r"\b(nahi|raha|kar diya|ho gaya|hai)\b")
TICKETS = 40


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo(tickets=TICKETS, seed=7)
        transaction.set_rollback(True)


@pytest.fixture
def summary(demo, db):
    return demo


def test_summary_tells_how_to_log_in_to_the_admin(summary):
    assert "admin@sampark.local" in summary
    assert "sampark-demo" in summary
    assert "/admin/" in summary
    admin = authenticate(username="admin@sampark.local", password="sampark-demo")
    assert admin is not None and admin.is_superuser


def test_demo_agents_sign_in_to_the_workspace_with_the_published_password(summary, client):
    assert "ankit.sharma@sampark.local" in summary and "meenakshi.rao@sampark.local" in summary
    profiles = AgentProfile.objects.select_related("user")
    assert all(profile.user.has_usable_password() for profile in profiles)

    for email in ("ankit.sharma@sampark.local", "meenakshi.rao@sampark.local"):
        response = client.post("/sign-in/", {"email": email, "password": "sampark-demo"})
        assert response.status_code == 302 and response.url == "/home/", email
        assert "Welcome" in client.get("/home/").content.decode()
        client.post("/sign-out/")


def test_summary_counts_what_was_loaded(summary):
    assert f"{TICKETS} tickets" in summary


def test_the_team_has_supervisors_and_agents_in_all_three_tiers(summary):
    profiles = AgentProfile.objects.exclude(role=AgentProfile.Role.ADMIN)
    assert profiles.count() >= 18
    assert set(profiles.values_list("tier", flat=True)) == {"L1", "L2", "L3"}
    assert 1 <= profiles.filter(role=AgentProfile.Role.SUPERVISOR).count() <= 2
    assert any("hi" in profile.languages for profile in profiles)
    assert any(profile.languages == ["en"] for profile in profiles)
    assert all(profile.skills for profile in profiles)


def test_groups_cover_every_tier_and_have_hindi_names(summary):
    groups = Group.objects.all()
    assert Group.objects.get(is_default=True).name == "Front desk"
    assert {"L1", "L2", "L3"} <= set(groups.values_list("tier", flat=True))
    assert all(DEVANAGARI.search(group.name_hi) for group in groups)


def test_business_accounts_have_account_managers(summary):
    large = Organization.objects.exclude(tier=Organization.Tier.STANDARD)
    managed = large.filter(account_manager__isnull=False)
    assert managed.count() > large.count() / 2
    assert Organization.objects.filter(domains__isnull=False).distinct().count() >= 8


def test_contacts_are_reachable_through_several_kinds_of_identity(summary):
    kinds = set(Identity.objects.values_list("kind", flat=True))
    assert kinds == {"email", "phone", "chat", "messaging"}
    multi = Contact.objects.annotate(kinds=Count("identities__kind", distinct=True))
    assert multi.filter(kinds__gte=3).exists()
    phones = Identity.objects.filter(kind="phone").values_list("value", flat=True)
    assert all(re.fullmatch(r"\+91[6-9]\d{9}", phone) for phone in phones)


def test_some_customers_belong_to_no_organization(summary):
    assert Contact.objects.filter(organization__isnull=True, merged_into__isnull=True).exists()
    assert Contact.objects.filter(name__regex=r"[\u0900-\u097F]").exists()


def test_assets_carry_what_the_help_desk_asks_at_intake(summary):
    equipment = Asset.objects.exclude(serial_number="").exclude(location="")
    assert equipment.exclude(model_number="").exists()
    assert Asset.objects.exclude(licence="").exists()
    assert Asset.objects.exclude(account_number="").exists()
    assert Ticket.objects.filter(asset__isnull=False).exists()


def test_tickets_are_written_in_hindi_english_and_hinglish(summary):
    subjects = list(Ticket.objects.values_list("subject", flat=True))
    bodies = list(TicketEvent.objects.exclude(body="").values_list("body", flat=True))
    assert any(DEVANAGARI.search(text) for text in subjects)
    assert any(DEVANAGARI.search(text) for text in bodies)
    assert any(HINGLISH.search(text) and not DEVANAGARI.search(text) for text in bodies)
    assert any(text.isascii() and not HINGLISH.search(text) for text in subjects)
    # The intake reads each ticket's language from its text.
    languages = Counter(Ticket.objects.values_list("language", flat=True))
    assert {"en", "hi", "hinglish"} <= set(languages)


def test_one_open_ticket_opens_with_two_problems_for_its_owner_to_split(summary):
    suggested = [
        ticket
        for ticket in Ticket.objects.filter(status="open", split_from__isnull=True)
        if len(problems_in(ticket.description)) == 2
    ]
    assert suggested
    assert not Ticket.objects.filter(split_from__in=suggested).exists()


def test_timelines_show_every_kind_of_help_desk_work(summary):
    kinds = set(TicketEvent.objects.values_list("kind", flat=True))
    assert {
        "message_in",
        "message_out",
        "note",
        "call",
        "escalated",
        "collaborator_added",
        "split",
        "split_from",
        "merged",
        "merged_from",
        "reopened",
        "priority",
        "requester",
    } <= kinds


def test_calls_go_both_ways_with_durations(summary):
    calls = TicketEvent.objects.filter(kind="call")
    assert {call.data["direction"] for call in calls} == {"inbound", "outbound"}
    assert all(call.data["duration_seconds"] > 0 for call in calls)


def test_escalated_work_climbs_to_l3_while_the_owner_stays(summary):
    ticket = Ticket.objects.filter(tier="L3").first()
    assert ticket is not None
    escalations = ticket.events.filter(kind="escalated").order_by("created_at")
    assert [e.data["to_tier"] for e in escalations] == ["L2", "L3"]
    # Only a leave handover (the demo sends one agent on leave today) may move the owner.
    moves = ticket.events.filter(kind="assigned").exclude(data__reason="handover")
    assert not moves.filter(created_at__gte=escalations[0].created_at).exists()
    assert ticket.collaborators.filter(agent__tier="L3").exists()


def test_a_customer_with_two_problems_gets_two_tickets(summary):
    child = Ticket.objects.filter(split_from__isnull=False).first()
    assert child is not None
    assert child.owner_id == child.split_from.owner_id
    assert child.group != child.split_from.group


def test_a_duplicate_is_merged_into_the_original(summary):
    duplicate = Ticket.objects.filter(merged_into__isnull=False).first()
    assert duplicate is not None
    assert duplicate.status == "closed"
    assert duplicate.requester_id == duplicate.merged_into.requester_id


def test_a_person_who_wrote_from_two_addresses_is_one_contact(summary):
    merged = Contact.objects.filter(merged_into__isnull=False)
    assert merged.exists()
    for source in merged:
        assert not source.identities.exists()
        assert source.merged_into.identities.filter(kind="email").count() >= 2


def test_returning_customers_reach_the_same_owner(summary):
    reasons = {
        event.data.get("owner_reason")
        for event in TicketEvent.objects.filter(kind="created").only("data")
    }
    assert {"account_manager", "returning_customer", "queue"} <= reasons


def test_history_is_replayed_at_its_real_times(summary):
    created = Ticket.objects.order_by("created_at").values_list("created_at", flat=True)
    assert (created.last() - created.first()).days >= 30
    assert not TicketEvent.objects.filter(created_at__gt=timezone.now()).exists()
    for ticket in Ticket.objects.filter(split_from__isnull=True):
        times = list(ticket.events.order_by("id").values_list("created_at", flat=True))
        assert times == sorted(times), f"#{ticket.number} goes back in time"


def test_about_a_third_of_the_tickets_are_still_being_worked(summary):
    active = Ticket.objects.filter(status__in=ACTIVE_STATUSES).count()
    assert 0.15 <= active / TICKETS <= 0.5
    assert Ticket.objects.filter(status="closed").exists()
    assert Ticket.objects.filter(priority__code="P1").count() < TICKETS / 10


def test_custom_fields_are_defined_and_filled_in(summary):
    assert {"warranty", "site_visit_needed"} <= set(
        FieldDefinition.objects.values_list("key", flat=True)
    )
    assert Ticket.objects.filter(custom_fields__has_key="warranty").exists()
    assert Ticket.objects.filter(custom_fields__site_visit_needed=True).exists()


def test_loading_again_with_if_empty_leaves_the_database_alone(summary):
    events = TicketEvent.objects.count()
    message = load_demo(if_empty=True, tickets=TICKETS)
    assert "already loaded" in message
    assert Ticket.objects.count() == TICKETS
    assert TicketEvent.objects.count() == events


def test_loading_again_without_if_empty_is_refused(summary):
    with pytest.raises(Conflict):
        load_demo(tickets=TICKETS)
    assert Ticket.objects.count() == TICKETS


def test_groups_escalate_one_tier_up_and_the_noc_works_round_the_clock(summary):
    from sampark.team.models import Group

    for group in Group.objects.filter(escalates_to__isnull=False).select_related("escalates_to"):
        assert group.escalates_to.tier > group.tier
    assert Group.objects.get(name="Network and hardware").calendar.always_open


def test_priority_rules_turn_an_outage_at_an_enterprise_account_into_p1(summary):
    from sampark.tickets.rules import Facts, decide

    hindi = decide(Facts(subject="पूरा नेटवर्क बंद है", organization_tier="enterprise"))
    hinglish = decide(Facts(subject="Office me net nahi chal raha", organization_tier="standard"))
    assert hindi.priority.code == "P1"
    assert (hinglish.priority.code, hinglish.source) == ("P2", "rule")


def test_the_rota_has_leave_with_a_handover_and_group_strategies(summary):
    from sampark.assignment.models import Leave, Strategy

    states = set(Leave.objects.values_list("state", flat=True))
    assert states == {"on_leave", "planned"}
    assert TicketEvent.objects.filter(kind="assigned", data__reason="handover").exists()
    assert set(Strategy.objects.values_list("method", flat=True)) == {
        "least_loaded",
        "round_robin",
    }


def test_email_conversations_come_in_as_real_mail(summary):
    outcomes = Counter(InboundMessage.objects.values_list("outcome", flat=True))
    assert outcomes["created"] == 3 and outcomes["appended"] == 2
    assert outcomes["bounce"] == 1 and outcomes["auto_reply"] == 1
    replies = TicketEvent.objects.filter(kind="message_in", data__quoted=True)
    languages = {event.data["language"] for event in replies}
    assert {"en", "hi"} <= languages
    assert all("quoted_text" in event.data for event in replies)
    assert TicketEvent.objects.filter(kind="message_in", data__html=True).exists()
    assert TicketEvent.objects.filter(kind="bounce").exists()
    assert TicketEvent.objects.filter(kind="auto_reply").exists()
    bounced = Identity.objects.get(value="it.support@narmadacare.example")
    assert bounced.bounced_at is not None and "user unknown" in bounced.bounce_reason
    assert Attachment.objects.filter(filename="event-log.pdf").exists()
    assert Attachment.objects.filter(inline=True, content_id="logo@narmadacare.example").exists()
