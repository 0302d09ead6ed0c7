"""The ticket page, as each persona sees it and may act on it: the owner, a teammate, a
collaborator from another group, a supervisor, and an agent of another group, for whom the
ticket does not exist (404 like a missing one, on the page and on every action)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from sampark.core import clock
from sampark.team.models import AgentProfile
from sampark.tickets import services as tickets
from sampark.tickets.models import Status, Ticket, TicketEvent
from sampark.workspace import ticket_queries
from sampark.workspace.models import Draft

Kind = TicketEvent.Kind


@pytest.fixture
def front_desk(make_group):
    return make_group(name="Home broadband", tier="L1")


@pytest.fixture
def network(make_group):
    return make_group(name="Network specialists", tier="L2")


@pytest.fixture
def billing(make_group):
    return make_group(name="Billing desk", tier="L1")


@pytest.fixture
def asha(make_agent, front_desk):
    """The ticket's owner."""
    return make_agent(email="asha@sampark.test", name="Asha Rao", groups=[front_desk])


@pytest.fixture
def ravi(make_agent, front_desk):
    """A teammate of the owner, in the same group."""
    return make_agent(email="ravi@sampark.test", name="Ravi Kumar", groups=[front_desk])


@pytest.fixture
def neha(make_agent, network):
    """A specialist of another group, pulled in as a collaborator."""
    return make_agent(email="neha@sampark.test", name="Neha Gupta", groups=[network])


@pytest.fixture
def outsider(make_agent, billing):
    return make_agent(email="outsider@sampark.test", name="Olu Tside", groups=[billing])


@pytest.fixture
def supervisor(make_agent, front_desk):
    return make_agent(
        email="meenakshi@sampark.test",
        name="Meenakshi Rao",
        role=AgentProfile.Role.SUPERVISOR,
        groups=[front_desk],
    )


@pytest.fixture
def sunita(make_contact):
    return make_contact(email="sunita@acme.example", phone="+91 98765 43210", name="Sunita Verma")


@pytest.fixture
def router(make_ticket, sunita, front_desk, asha):
    ticket = make_ticket(
        requester=sunita,
        subject="राउटर बार-बार बंद हो रहा है",
        group=front_desk,
        language="hi",
        description="राउटर हर घंटे बंद हो जाता है।",
    )
    return tickets.update_ticket(ticket.pk, actor=asha, expected_version=ticket.version, owner=asha)


def page_url(ticket, suffix=""):
    return reverse("workspace:ticket", args=[ticket.pk]) + suffix


def fresh(ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def kinds(ticket) -> list[str]:
    return list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))


# Session; the user with their profile and settings; configuration (read once for the page:
# the groups, agents and priorities the action forms offer are kept under it); the ticket and
# its clocks, tags and collaborators; draft, merged tickets (once: the ticket keeps them), the
# newest event, events; why it came here (its opening event); identities, assets, other
# tickets; viewers; open escalations and requests for help; and the sidebar's saved views
# (its counts come in a request of their own). None of them grows with the history.
PAGE_QUERIES = 19


# --- what the page shows --------------------------------------------------------------------


def test_the_owner_sees_the_header_the_customer_and_the_conversation(
    signed_in, asha, router, sunita, make_ticket
):
    older = make_ticket(requester=sunita, subject="Bill is wrong", group=router.group)
    response = signed_in(asha).get(page_url(router))

    assert response.status_code == 200
    html = response.content.decode()
    assert f"#{router.number}" in html
    assert '<span lang="hi">राउटर बार-बार बंद हो रहा है</span>' in html
    assert "Owner (SPOC)" in html and "Asha Rao" in html
    assert "Home broadband" in html
    assert "sunita@acme.example" in html and "+919876543210" in html
    assert "राउटर हर घंटे बंद हो जाता है।" in html
    assert f'href="{page_url(older)}">#{older.number}</a>' in html


def _options(html: str, select_id: str) -> list[tuple[str, str, str]]:
    """(value, " selected" or "", label) of each option of the select ``select_id``."""
    select = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select)


def test_the_action_forms_offer_every_active_agent_by_name_escaped_and_the_owner_chosen(
    signed_in, supervisor, router, asha, ravi, neha, make_agent
):
    make_agent(email="devops@sampark.test", name="Dev <b>Ops</b> & Co")
    retired = make_agent(email="gone@sampark.test", name="Gone Away")
    retired.is_active = False
    retired.save()

    html = signed_in(supervisor).get(page_url(router)).content.decode()

    owner = _options(html, "owner-select")
    assert owner[0] == ("", "", "nobody")
    named = {label: (value, chosen) for value, chosen, label in owner[1:]}
    assert named["Asha Rao"] == (str(asha.pk), " selected")
    assert named["Ravi Kumar"] == (str(ravi.pk), "")
    assert "Dev &lt;b&gt;Ops&lt;/b&gt; &amp; Co" in named and "Gone Away" not in named
    assert [label for _, _, label in owner[1:]] == [
        "Asha Rao",
        "Dev &lt;b&gt;Ops&lt;/b&gt; &amp; Co",
        "Meenakshi Rao",
        "Neha Gupta",
        "Ravi Kumar",
    ]
    # Asking for help leaves the owner out; adding a collaborator offers everyone.
    helpers = [label for _, _, label in _options(html, "swarm-agents")]
    assert "Asha Rao" not in helpers and "Neha Gupta" in helpers
    assert len(_options(html, "collaborator-select")) == len(owner) - 1


def test_other_tickets_of_the_customer_list_only_those_the_agent_may_see(
    signed_in, asha, router, sunita, make_ticket, billing, outsider
):
    hidden = make_ticket(requester=sunita, subject="Invoice query", group=billing, owner=outsider)

    html = signed_in(asha).get(page_url(router)).content.decode()

    assert f"#{hidden.number}" not in html
    assert "Invoice query" not in html


def test_system_events_read_in_words_with_their_reason(signed_in, asha, router):
    tickets.update_ticket(
        router.pk,
        actor=asha,
        expected_version=fresh(router).version,
        priority="P1",
        priority_reason="Whole office offline",
    )

    html = signed_in(asha).get(page_url(router)).content.decode()

    assert "Priority P3 → P1" in html or "Priority P2 → P1" in html
    assert "Reason: Whole office offline" in html


def test_an_internal_note_is_labelled_and_tinted_so_it_is_not_taken_for_a_reply(
    signed_in, asha, router
):
    tickets.add_message(router.pk, body="Checked the line logs", public=False, agent=asha)

    html = signed_in(asha).get(page_url(router)).content.decode()

    assert 'class="event event-note is-note"' in html
    assert '<strong class="note-label">Internal note</strong>' in html


def test_the_timeline_filters_to_notes_and_shows_older_events_on_demand(signed_in, asha, router):
    for n in range(55):
        tickets.add_message(router.pk, body=f"note {n}", public=False, agent=asha)
    tickets.add_message(router.pk, body="a public answer", agent=asha)
    client = signed_in(asha)

    notes = client.get(page_url(router), {"show": "notes"})
    shown = [e.body for e in notes.context["timeline"].items]
    assert shown == [f"note {n}" for n in range(5, 55)]
    cursor = notes.context["timeline"].next_cursor
    assert cursor

    older = client.get(
        reverse("workspace:ticket_older", args=[router.pk]),
        {"show": "notes", "cursor": cursor},
        headers={"HX-Request": "true"},
    )
    assert older.status_code == 200
    html = older.content.decode()
    assert "note 4" in html and "note 0" in html and "note 5" not in html
    assert "<html" not in html


def test_the_ticket_page_runs_the_same_queries_whatever_the_history(
    signed_in, asha, router, django_assert_num_queries, make_agent, front_desk
):
    client = signed_in(asha)
    for n in range(25):
        tickets.add_message(router.pk, body=f"note {n}", public=False, agent=asha)
        tickets.log_call(
            router.pk, agent=asha, direction="outbound", duration_seconds=60, summary=f"call {n}"
        )
    client.get(page_url(router))  # warm the per-process caches
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(page_url(router)).status_code == 200
    for n in range(40):
        tickets.add_message(router.pk, body=f"more {n}", public=False, agent=asha)
    make_agent(groups=[front_desk])
    client.get(page_url(router))  # a new agent moved the configuration: warm again
    with django_assert_num_queries(PAGE_QUERIES):
        client.get(page_url(router))


# --- access -------------------------------------------------------------------------------


ACTION_POSTS = {
    "ticket_send": {"kind": "note", "body": "hello", "version": 1},
    "ticket_draft": {"kind": "note", "body": "hello"},
    "ticket_viewers": {"body": ""},
}


def test_an_agent_of_another_group_gets_404_like_a_missing_ticket_everywhere(
    signed_in, outsider, router, asha
):
    client = signed_in(outsider)
    missing = Ticket(pk=987654)
    for ticket in (router, missing):
        assert client.get(page_url(ticket)).status_code == 404
        older = reverse("workspace:ticket_older", args=[ticket.pk])
        assert client.get(older).status_code == 404
        for name, data in ACTION_POSTS.items():
            assert (
                client.post(reverse(f"workspace:{name}", args=[ticket.pk]), data).status_code == 404
            )
        for action in (
            "owner",
            "collaborator",
            "escalate",
            "deescalate",
            "escalation-note",
            "swarm",
            "swarm-close",
            "split",
            "merge",
            "priority",
            "status",
        ):
            url = reverse("workspace:ticket_action", args=[ticket.pk, action])
            assert (
                client.post(url, {"take": "on", "version": 1, "status": "solved"}).status_code
                == 404
            )
    assert not Draft.objects.exists()
    assert fresh(router).owner == asha
    assert not TicketEvent.objects.filter(ticket=router, actor=outsider).exists()


def test_a_collaborator_may_write_a_note_but_not_a_reply(signed_in, neha, router, asha):
    tickets.add_collaborator(router.pk, agent=neha, actor=asha)
    client = signed_in(neha)

    page = client.get(page_url(router))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="kind-reply"' not in html and 'id="kind-note"' in html

    version = fresh(router).version
    refused = client.post(
        page_url(router, "send/"), {"kind": "reply", "body": "Try a restart", "version": version}
    )
    assert refused.status_code == 200
    assert "Only the ticket&#x27;s owner speaks to the customer" in refused.content.decode()
    assert Kind.MESSAGE_OUT not in kinds(router)

    sent = client.post(
        page_url(router, "send/"), {"kind": "note", "body": "Line is noisy", "version": version}
    )
    assert sent.status_code == 302
    assert TicketEvent.objects.filter(ticket=router, kind=Kind.NOTE, actor=neha).exists()


def test_a_teammate_who_is_not_the_owner_cannot_reassign_and_sees_no_assign_form(
    signed_in, ravi, router, asha
):
    client = signed_in(ravi)
    assert 'id="owner-select"' not in client.get(page_url(router)).content.decode()

    response = client.post(
        page_url(router, "owner/"), {"take": "on", "version": fresh(router).version}, follow=True
    )

    assert "Only the current owner or a supervisor" in response.content.decode()
    assert fresh(router).owner == asha


def test_a_supervisor_may_reply_to_another_agents_ticket(signed_in, supervisor, router):
    client = signed_in(supervisor)
    assert 'id="kind-reply"' in client.get(page_url(router)).content.decode()

    response = client.post(
        page_url(router, "send/"),
        {"kind": "reply", "body": "We are on it", "version": fresh(router).version},
    )

    assert response.status_code == 302
    assert TicketEvent.objects.filter(
        ticket=router, kind=Kind.MESSAGE_OUT, actor=supervisor
    ).exists()


# --- the composer -------------------------------------------------------------------------


def test_a_reply_with_status_solved_answers_and_solves_in_one_go(signed_in, asha, router):
    response = signed_in(asha).post(
        page_url(router, "send/"),
        {
            "kind": "reply",
            "body": "Fixed: firmware updated.",
            "time_spent_minutes": 12,
            "status": "solved",
            "version": fresh(router).version,
        },
    )

    assert response.status_code == 302
    reply = TicketEvent.objects.get(ticket=router, kind=Kind.MESSAGE_OUT)
    assert reply.time_spent == 12 * 60
    assert fresh(router).status == Status.SOLVED


def test_a_logged_call_keeps_its_direction_and_duration(signed_in, asha, router):
    client = signed_in(asha)
    client.post(
        page_url(router, "send/"),
        {
            "kind": "call",
            "body": "Walked her through a reset",
            "call_direction": "inbound",
            "call_minutes": 7,
            "version": fresh(router).version,
        },
    )

    call = TicketEvent.objects.get(ticket=router, kind=Kind.CALL)
    assert call.data == {"direction": "inbound", "duration_seconds": 420}
    html = client.get(page_url(router)).content.decode()
    assert "Inbound call" in html and "7 minutes" in html


def test_an_empty_message_is_a_form_error_not_an_error_page(signed_in, asha, router):
    response = signed_in(asha).post(
        page_url(router, "send/"), {"kind": "reply", "body": "", "version": fresh(router).version}
    )

    assert response.status_code == 200
    assert "Write something to send." in response.content.decode()


def test_a_draft_survives_a_reload_and_goes_when_sent(signed_in, asha, router):
    client = signed_in(asha)
    saved = client.post(
        page_url(router, "draft/"),
        {"kind": "note", "body": "half a thought", "time_spent_minutes": 3},
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200
    assert "draft saved" in saved.content.decode()

    page = client.get(page_url(router))
    assert page.context["composer"]["body"].value() == "half a thought"
    assert page.context["composer"]["kind"].value() == "note"
    assert "draft saved" in page.content.decode()

    client.post(
        page_url(router, "send/"),
        {"kind": "note", "body": "a whole thought", "version": fresh(router).version},
    )
    assert not Draft.objects.filter(user=asha).exists()


def test_a_draft_follows_its_ticket_into_the_merge(signed_in, asha, router, make_ticket, sunita):
    duplicate = make_ticket(requester=sunita, subject="Router again", group=router.group)
    client = signed_in(asha)
    client.post(page_url(duplicate, "draft/"), {"kind": "note", "body": "check the cable"})

    merged = client.post(
        page_url(duplicate, "merge/"),
        {"number": router.number, "version": fresh(duplicate).version},
    )
    assert merged.status_code == 302 and merged.url == page_url(router)

    survivor = client.get(page_url(router))
    assert survivor.context["composer"]["body"].value() == "check the cable"
    on_the_merged = client.get(page_url(duplicate)).content.decode()
    assert "This ticket was merged into" in on_the_merged
    assert "Your draft is kept" in on_the_merged


def test_a_stale_reply_is_caught_shown_and_sent_when_confirmed(signed_in, asha, ravi, router):
    client = signed_in(asha)
    page = client.get(page_url(router))
    version, seen = page.context["ticket"].version, page.context["seen"]
    tickets.add_message(router.pk, body="Customer called the desk too", public=False, agent=ravi)

    caught = client.post(
        page_url(router, "send/"),
        {"kind": "reply", "body": "Please restart it", "version": version, "seen": seen},
    )

    assert caught.status_code == 200
    html = caught.content.decode()
    assert "The ticket changed since you opened it" in html
    assert "Customer called the desk too" in html
    assert "Please restart it" in html
    assert Kind.MESSAGE_OUT not in kinds(router)

    composer = caught.context["composer"]
    confirmed = client.post(
        page_url(router, "send/"),
        {
            "kind": "reply",
            "body": "Please restart it",
            "version": composer["version"].value(),
            "seen": composer["seen"].value(),
        },
    )
    assert confirmed.status_code == 302
    assert Kind.MESSAGE_OUT in kinds(router)


# --- a send from the page (htmx) is answered by what it changed --------------------------------


def send_from_page(client, ticket, shown="", **fields):
    """The composer's send as the page's script makes it: htmx, naming the page it is on."""
    page = f"http://testserver{page_url(ticket)}{shown}"
    return client.post(
        page_url(ticket, "send/"),
        {"kind": "note", **fields},
        headers={"HX-Request": "true", "HX-Current-URL": page},
    )


def test_a_send_from_the_page_answers_with_a_fresh_composer_and_what_changed(
    signed_in, asha, ravi, router
):
    client = signed_in(asha)
    page = client.get(page_url(router))
    seen = page.context["seen"]
    tickets.add_message(router.pk, body="Ravi's note in between", public=False, agent=ravi)
    version = fresh(router).version  # the page was reloaded meanwhile: not stale

    answer = send_from_page(client, router, body="Checked the <line>", version=version, seen=seen)

    assert answer.status_code == 200
    assert "HX-Redirect" not in answer.headers and "HX-Retarget" not in answer.headers
    html = answer.content.decode()
    note = TicketEvent.objects.get(ticket=router, body="Checked the <line>")
    # In its place: an empty composer on the version the note made, having seen the note.
    assert html.lstrip().startswith('<div id="composer-zone"')
    composer = answer.context["composer"]
    assert composer["version"].value() == fresh(router).version
    assert composer["seen"].value() == note.pk
    assert composer["body"].value() in (None, "")
    # Out of band: the events since the page's newest (the teammate's, then the agent's own,
    # escaped), the ticket's facts, the message, and the counts at the new cookie's address.
    timeline = re.search(r'<ol hx-swap-oob="beforeend:#timeline-events">(.*?)</ol>', html, re.S)
    assert timeline is not None
    added = timeline.group(1)
    assert added.index("Ravi&#x27;s note in between") < added.index("Checked the &lt;line&gt;")
    assert f'id="event-{note.pk}"' in added
    assert '<div id="ticket-facts" class="contents" hx-swap-oob="true">' in html
    assert '<div id="messages" role="status" hx-swap-oob="innerHTML">' in html
    assert "Sent." in html
    counts = answer.cookies["sampark_counts"].value
    assert f'id="queue-counts-loader" hidden hx-get="/queues/counts/?v={counts}"' in html
    # The message was shown here, not kept for the next page.
    assert "Sent." not in client.get(page_url(router)).content.decode()


def test_a_send_from_a_filtered_timeline_adds_only_what_the_filter_shows(signed_in, asha, router):
    client = signed_in(asha)
    page = client.get(page_url(router))

    answer = send_from_page(
        client,
        router,
        shown="?show=calls",
        body="Not a call",
        version=page.context["ticket"].version,
        seen=page.context["seen"],
    )

    assert answer.status_code == 200
    assert "beforeend:#timeline-events" not in answer.content.decode()
    assert answer.context["seen"] == TicketEvent.objects.get(body="Not a call").pk


def test_a_send_from_the_page_that_changes_the_status_loads_the_page_again(signed_in, asha, router):
    client = signed_in(asha)
    answer = send_from_page(
        client, router, body="Done", status="pending", version=fresh(router).version
    )

    assert answer.status_code == 200
    assert answer.headers["HX-Redirect"] == page_url(router)
    assert fresh(router).status == Status.PENDING
    # The message waits for the page the browser loads next.
    assert "Sent." in client.get(page_url(router)).content.decode()


def test_a_stale_or_refused_send_from_the_page_answers_with_the_ticket_part_of_the_page(
    signed_in, asha, ravi, router
):
    client = signed_in(asha)
    page = client.get(page_url(router))
    version, seen = page.context["ticket"].version, page.context["seen"]
    tickets.add_message(router.pk, body="Customer called the desk too", public=False, agent=ravi)

    caught = send_from_page(client, router, body="Please restart", version=version, seen=seen)
    refused = send_from_page(client, router, body="", version=fresh(router).version)

    for answer in (caught, refused):
        assert answer.status_code == 200
        assert answer.headers["HX-Retarget"] == answer.headers["HX-Reselect"] == ".ticket-page"
        assert answer.headers["HX-Reswap"] == "outerHTML"
    assert "Customer called the desk too" in caught.content.decode()
    assert "Write something to send." in refused.content.decode()
    assert not TicketEvent.objects.filter(body="Please restart").exists()


def test_a_send_from_the_page_to_a_ticket_out_of_scope_is_a_404(signed_in, outsider, router):
    answer = send_from_page(
        signed_in(outsider), router, body="Hello", version=fresh(router).version
    )

    assert answer.status_code == 404
    assert not TicketEvent.objects.filter(body="Hello").exists()


def test_a_stale_action_changes_nothing_and_shows_what_happened(signed_in, asha, ravi, router):
    client = signed_in(asha)
    version = fresh(router).version
    tickets.add_message(router.pk, body="Teammate's note", public=False, agent=ravi)

    response = client.post(
        page_url(router, "status/"),
        {"status": "pending", "version": version, "seen": 0},
        follow=True,
    )

    assert fresh(router).status != Status.PENDING
    html = response.content.decode()
    assert "The ticket changed since you opened it" in html
    assert "Teammate&#x27;s note" in html


# --- two agents on one ticket -------------------------------------------------------------


def test_the_page_shows_the_other_agent_replying(signed_in, asha, supervisor, router, client):
    signed_in(asha).post(page_url(router, "draft/"), {"kind": "reply", "body": "Dear Sunita"})
    client.logout()

    html = signed_in(supervisor).get(page_url(router)).content.decode()

    assert "Asha Rao is replying" in html


def test_who_is_on_marks_viewers_and_forgets_them_after_half_a_minute(
    signed_in, asha, ravi, router
):
    client = signed_in(ravi)
    beat = client.post(page_url(router, "viewers/"), {"body": ""}, headers={"HX-Request": "true"})
    assert beat.status_code == 200
    assert "hx-trigger" not in beat.content.decode()  # the answer must not beat again at once

    on = ticket_queries.who_is_on([router.pk])
    assert [(user.email, state) for user, state in on[router.pk]] == [(ravi.email, "viewing")]
    assert ticket_queries.who_is_on([router.pk], excluding=ravi) == {}

    with time_machine.travel(clock.now() + timedelta(seconds=31)):
        assert ticket_queries.who_is_on([router.pk]) == {}


def test_the_heartbeat_says_when_the_ticket_moved_on(signed_in, asha, ravi, router):
    version = fresh(router).version
    tickets.add_message(router.pk, body="moved", public=False, agent=ravi)

    beat = signed_in(asha).post(page_url(router, "viewers/"), {"body": "", "version": version})

    assert "This ticket has changed since you opened it." in beat.content.decode()


# --- actions ------------------------------------------------------------------------------


def test_escalation_needs_a_reason_and_goes_to_a_higher_tier(signed_in, asha, router, network):
    client = signed_in(asha)
    version = fresh(router).version
    refused = client.post(
        page_url(router, "escalate/"),
        {"group": network.pk, "reason": "", "version": version},
        follow=True,
    )
    assert "Say why" in refused.content.decode()

    client.post(
        page_url(router, "escalate/"),
        {"group": network.pk, "reason": "Needs line tests", "version": version},
    )
    assert (fresh(router).group, fresh(router).tier) == (network, "L2")
    html = client.get(page_url(router)).content.decode()
    assert "Escalated Home broadband (L1) → Network specialists (L2)" in html


def test_deescalating_returns_the_ticket_to_the_tier_below_with_its_reason(
    signed_in, asha, router, network, front_desk
):
    tickets.escalate_ticket(router.pk, actor=asha, group=network, reason="tests")
    client = signed_in(asha)

    client.post(
        page_url(router, "deescalate/"),
        {"reason": "Line fixed, customer side now", "version": fresh(router).version},
    )

    assert (fresh(router).group, fresh(router).tier) == (front_desk, "L1")
    event = TicketEvent.objects.filter(ticket=router, kind=Kind.DEESCALATED).get()
    assert event.body == "Line fixed, customer side now"


def test_split_moves_the_chosen_messages_into_a_new_ticket(signed_in, asha, router):
    note = tickets.add_message(router.pk, body="Also the printer", public=False, agent=asha)

    response = signed_in(asha).post(
        page_url(router, "split/"),
        {"event_ids": [note.pk], "subject": "Printer", "version": fresh(router).version},
        follow=True,
    )

    new = Ticket.objects.get(split_from=router)
    assert f"The messages are now ticket #{new.number}." in response.content.decode()


def test_merging_into_a_ticket_the_agent_may_not_see_answers_like_a_missing_one(
    signed_in, asha, router, make_ticket, billing
):
    hidden = make_ticket(subject="Elsewhere", group=billing)
    client = signed_in(asha)

    for number in (hidden.number, 99999999):
        response = client.post(
            page_url(router, "merge/"),
            {"number": number, "version": fresh(router).version},
            follow=True,
        )
        assert f"No ticket #{number} that you may see." in response.content.decode()
    assert fresh(router).merged_into is None


def test_collaborators_are_added_and_removed(signed_in, asha, router, neha):
    client = signed_in(asha)
    client.post(page_url(router, "collaborator/"), {"agent": neha.pk})
    assert list(fresh(router).collaborators.all()) == [neha]

    client.post(page_url(router, "collaborator/"), {"agent": neha.pk, "remove": "on"})
    assert not fresh(router).collaborators.exists()


def test_taking_an_unowned_ticket(signed_in, ravi, make_ticket, front_desk):
    ticket = make_ticket(group=front_desk)

    signed_in(ravi).post(page_url(ticket, "owner/"), {"take": "on", "version": ticket.version})

    assert fresh(ticket).owner == ravi


def test_keyboard_shortcuts_turned_off_on_the_ticket_page_are_off_in_the_queues_too(
    signed_in, asha, router
):
    client = signed_in(asha)
    assert 'data-shortcuts="on"' in client.get(page_url(router)).content.decode()

    client.post(reverse("workspace:shortcuts"), {"enabled": "off", "next": page_url(router)})

    assert 'data-shortcuts="off"' in client.get(page_url(router)).content.decode()
    assert 'data-shortcuts="off"' in client.get("/queues/groups/").content.decode()


def test_search_results_link_to_the_ticket_page(signed_in, asha, router):
    html = signed_in(asha).get("/search/", {"q": f"#{router.number}"}).content.decode()

    assert f'href="{page_url(router)}"' in html


def test_a_forged_timeline_cursor_is_a_bad_request_not_an_error(signed_in, asha, router):
    client = signed_in(asha)

    assert client.get(page_url(router), {"cursor": "bm9wZQ"}).status_code == 400
    assert client.get(page_url(router, "older/"), {"cursor": "not-a-cursor"}).status_code == 400
