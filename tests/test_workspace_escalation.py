"""Escalation and swarming in the workspace: the ticket page's panels and their actions, the
queue "Escalated to my group" with each escalation's due time, and the page "Swarm requests
for me", as each persona uses them; with query counts that do not grow with the number of
escalations or requests."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from sampark.notifications.models import Notification
from sampark.team.services import save_group
from sampark.tickets import services as tickets
from sampark.tickets.models import Escalation, SwarmInvitation, Ticket, TicketEvent
from tests.sidebar import sidebar_counts

Kind = TicketEvent.Kind

# Escalations are due in business minutes: each test that follows one to its due time starts it
# at 10:00 on a working Monday in India, so that it falls due within a signed-in session.
MONDAY_10 = dt.datetime(2026, 12, 7, 4, 30, tzinfo=dt.UTC)


@pytest.fixture
def front_desk(make_group):
    return make_group(name="Home broadband", tier="L1")


@pytest.fixture
def network(make_group, front_desk):
    group = make_group(name="Network specialists", tier="L2")
    save_group(front_desk, escalates_to=group)
    return group


@pytest.fixture
def asha(make_agent, front_desk):
    return make_agent(email="asha@sampark.test", name="Asha Rao", groups=[front_desk])


@pytest.fixture
def neha(make_agent, network):
    return make_agent(email="neha@sampark.test", name="Neha Gupta", groups=[network])


@pytest.fixture
def router(make_ticket, front_desk, asha):
    return make_ticket(subject="Router keeps restarting", group=front_desk, owner=asha)


def page_url(ticket, suffix=""):
    return reverse("workspace:ticket", args=[ticket.pk]) + suffix


def fresh(ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def test_escalating_with_no_group_goes_to_the_next_in_the_chain(signed_in, asha, router, network):
    client = signed_in(asha)
    page = client.get(page_url(router)).content.decode()
    assert "Next in the chain: Network specialists · L2" in page

    client.post(page_url(router, "escalate/"), {"reason": "Line test", "version": 1, "group": ""})

    assert (fresh(router).tier, fresh(router).owner) == ("L2", asha)
    page = client.get(page_url(router)).content.decode()
    assert "1 open escalation" in page
    assert "L1 → L2 · Network specialists" in page


def test_the_higher_tier_takes_the_work_and_writes_in_its_thread(
    signed_in, asha, neha, router, network
):
    item = tickets.escalate_ticket(router.pk, actor=asha, reason="Line test")
    client = signed_in(neha)

    client.post(page_url(router, "escalation-assign/"), {"escalation": item.pk, "take": "on"})
    client.post(page_url(router, "escalation-note/"), {"escalation": item.pk, "body": "SNR is low"})

    item.refresh_from_db()
    assert item.assignee == neha
    page = signed_in(asha).get(page_url(router)).content.decode()
    assert "SNR is low" in page
    assert "Escalation work assigned to Neha Gupta" in page


def test_a_refused_escalation_note_says_why(signed_in, asha, router, network):
    item = tickets.escalate_ticket(router.pk, actor=asha, reason="Line test")

    response = signed_in(asha).post(
        page_url(router, "escalation-note/"), {"escalation": item.pk, "body": ""}, follow=True
    )

    assert "Write something to send." in response.content.decode()


def test_swarm_from_the_ticket_page_to_the_requests_page_and_back(
    signed_in, asha, neha, router, network
):
    signed_in(asha).post(
        page_url(router, "swarm/"), {"message": "Seen this firmware?", "agents": [neha.pk]}
    )
    swarm = router.swarms.get()
    helper = signed_in(neha)
    assert helper.get(page_url(router)).status_code == 404

    listing = helper.get(reverse("workspace:swarm_requests")).content.decode()
    assert "Seen this firmware?" in listing and f"#{router.number}" in listing

    joined = helper.post(reverse("workspace:swarm_answer", args=[swarm.pk]), {"answer": "join"})
    assert joined.url == page_url(router)
    helper.post(page_url(router, "swarm-note/"), {"swarm": swarm.pk, "body": "Yes: v2.1 bug"})
    signed_in(asha).post(
        page_url(router, "swarm-close/"), {"swarm": swarm.pk, "summary": "Firmware rolled back"}
    )

    swarm.refresh_from_db()
    assert swarm.summary == "Firmware rolled back"
    assert TicketEvent.objects.filter(ticket=router, kind=Kind.NOTE, data__swarm=swarm.pk).exists()
    page = signed_in(asha).get(page_url(router)).content.decode()
    assert "Request for help closed" in page and "Firmware rolled back" in page


def test_declining_from_the_requests_page(signed_in, asha, neha, router):
    swarm = tickets.request_swarm(router.pk, actor=asha, message="Help?", agents=[neha])

    signed_in(neha).post(reverse("workspace:swarm_answer", args=[swarm.pk]), {"answer": "decline"})

    assert SwarmInvitation.objects.get().state == "declined"


def test_answering_a_request_one_was_not_asked_to_is_404(signed_in, asha, neha, router, make_agent):
    swarm = tickets.request_swarm(router.pk, actor=asha, message="Help?", agents=[neha])
    stranger = make_agent()

    response = signed_in(stranger).post(
        reverse("workspace:swarm_answer", args=[swarm.pk]), {"answer": "join"}
    )

    assert response.status_code == 404
    assert SwarmInvitation.objects.get().state == "invited"


def test_escalated_to_my_group_lists_the_tickets_and_counts_them(
    signed_in, asha, neha, router, make_ticket, front_desk, django_capture_on_commit_callbacks
):
    other = make_ticket(subject="Another one", group=front_desk, owner=asha)
    # After commit the SLA clock takes the ticket's new group (the queue's index reads it).
    with django_capture_on_commit_callbacks(execute=True):
        tickets.escalate_ticket(router.pk, actor=asha, reason="Line test")
    client = signed_in(neha)

    response = client.get(reverse("workspace:queue", args=["escalated"]))
    page = response.content.decode()

    assert "Router keeps restarting" in page and "Another one" not in page
    assert other.pk
    assert sidebar_counts(response)["escalated"] == 1


def test_the_sidebar_counts_requests_for_help(signed_in, asha, neha, router):
    tickets.request_swarm(router.pk, actor=asha, message="Help?", agents=[neha])

    response = signed_in(neha).get(reverse("workspace:swarm_requests"))

    assert 'aria-current="page"><span>Swarm requests for me</span>' in response.content.decode()
    assert sidebar_counts(response)["swarm_requests"] == 1


def test_the_ticket_page_costs_the_same_with_many_escalations_and_swarms(
    signed_in,
    asha,
    neha,
    router,
    make_group,
    make_agent,
    django_assert_num_queries,
    django_assert_max_num_queries,
):
    client = signed_in(asha)
    tickets.escalate_ticket(router.pk, actor=asha, reason="L2")
    tickets.request_swarm(router.pk, actor=asha, message="Help?", agents=[neha])
    client.get(page_url(router))
    with django_assert_max_num_queries(40) as counted:
        client.get(page_url(router))
    baseline = len(counted.captured_queries)

    l3 = make_group(name="Engineering", tier="L3")
    tickets.escalate_ticket(router.pk, actor=asha, group=l3, reason="L3")
    for n in range(3):
        helper = make_agent(groups=[l3])
        swarm = tickets.request_swarm(router.pk, actor=asha, message=f"Help {n}", agents=[helper])
        tickets.join_swarm(swarm.pk, agent=helper)
        tickets.add_swarm_note(swarm.pk, actor=helper, body=f"Idea {n}")
    client.get(page_url(router))  # new agents moved the configuration: warm again
    with django_assert_num_queries(baseline):
        client.get(page_url(router))
    assert Escalation.objects.filter(ticket=router, closed_at__isnull=True).count() == 2


def test_the_requests_page_costs_the_same_for_many_requests(
    signed_in,
    asha,
    neha,
    make_ticket,
    front_desk,
    django_assert_num_queries,
    django_assert_max_num_queries,
):
    client = signed_in(neha)
    first = make_ticket(subject="First", group=front_desk, owner=asha)
    tickets.request_swarm(first.pk, actor=asha, message="Help?", agents=[neha])
    client.get(reverse("workspace:swarm_requests"))
    with django_assert_max_num_queries(40) as counted:
        client.get(reverse("workspace:swarm_requests"))
    baseline = len(counted.captured_queries)
    for n in range(5):
        ticket = make_ticket(subject=f"More {n}", group=front_desk, owner=asha)
        tickets.request_swarm(ticket.pk, actor=asha, message="Help?", agents=[neha])

    with django_assert_num_queries(baseline):
        page = client.get(reverse("workspace:swarm_requests"))
    assert page.content.decode().count("Join to help") == 6


# --- due times ------------------------------------------------------------------------------


def escalated_queue(client) -> str:
    return client.get(reverse("workspace:queue", args=["escalated"])).content.decode()


def test_escalated_to_my_group_shows_when_each_escalation_is_due_and_when_it_is_overdue(
    signed_in, asha, neha, router, django_capture_on_commit_callbacks
):
    with time_machine.travel(MONDAY_10, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            item = tickets.escalate_ticket(router.pk, actor=asha, reason="Line test")
        client = signed_in(neha)
        assert "Escalation due · in " in escalated_queue(client)
    with time_machine.travel(item.warn_at, tick=False):
        assert "Escalation due soon · in " in escalated_queue(client)
    with time_machine.travel(item.due_at + dt.timedelta(hours=2), tick=False):
        assert "Escalation overdue · 2 h 0 min ago" in escalated_queue(client)
        # Other queues do not say it: there it is one ticket among the group's.
        groups = client.get(reverse("workspace:queue", args=["groups"])).content.decode()
        assert "Escalation overdue" not in groups


def test_the_escalated_queue_costs_the_same_for_many_escalations(
    signed_in,
    asha,
    neha,
    router,
    make_ticket,
    front_desk,
    django_assert_num_queries,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    client = signed_in(neha)
    with django_capture_on_commit_callbacks(execute=True):
        tickets.escalate_ticket(router.pk, actor=asha, reason="Line test")
    escalated_queue(client)
    with django_assert_max_num_queries(40) as counted:
        escalated_queue(client)
    baseline = len(counted.captured_queries)
    for n in range(4):
        other = make_ticket(subject=f"Outage {n}", group=front_desk, owner=asha)
        with django_capture_on_commit_callbacks(execute=True):
            tickets.escalate_ticket(other.pk, actor=asha, reason="Line test")

    with django_assert_num_queries(baseline):
        page = escalated_queue(client)
    assert page.count("Escalation due · in ") == 5


def test_the_ticket_page_marks_an_escalation_due_soon_then_overdue_on_its_timeline(
    signed_in, asha, router, network
):
    with time_machine.travel(MONDAY_10, tick=False):
        item = tickets.escalate_ticket(router.pk, actor=asha, reason="Line test")
        client = signed_in(asha)

    with time_machine.travel(item.warn_at, tick=False):
        tickets.sweep_escalations()
        page = client.get(page_url(router)).content.decode()
        assert '<span class="sla sla-at_risk">Due soon</span>' in page
        assert "Escalation to Network specialists (L2) is due soon" in page
    with time_machine.travel(item.due_at, tick=False):
        tickets.sweep_escalations()
        page = client.get(page_url(router)).content.decode()
        assert '<span class="sla sla-breached">Overdue</span>' in page
        assert "Escalation to Network specialists (L2) is overdue" in page


# --- a helper's note in the composer ------------------------------------------------------------


def test_a_helpers_note_from_the_composer_tells_the_owner(signed_in, asha, neha, router):
    swarm = tickets.request_swarm(router.pk, actor=asha, message="Seen this?", agents=[neha])
    tickets.join_swarm(swarm.pk, agent=neha)
    helper = signed_in(neha)

    helper.post(
        page_url(router, "send/"),
        {"kind": "note", "body": "Firmware 2.1 bug", "version": fresh(router).version},
    )

    note = TicketEvent.objects.get(ticket=router, kind=Kind.NOTE, actor=neha)
    assert note.data == {"swarm": swarm.pk}
    told = Notification.objects.filter(recipient=asha, kind="swarm").latest("id")
    assert (told.title, told.body) == (f"Neha Gupta helped on #{router.number}", "Firmware 2.1 bug")
    page = signed_in(asha).get(page_url(router)).content.decode()
    assert "Firmware 2.1 bug" in page
