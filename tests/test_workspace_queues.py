"""The queues: the sidebar's counts, the queue page, saved views and bulk actions, each seen
by the personas of the access layer (an agent of the front line, one of billing, a
supervisor), and never a ticket outside someone's scope."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from sampark.db import prepared
from sampark.sla import services as sla
from sampark.team.models import AgentProfile
from sampark.tickets import access
from sampark.tickets import services as tickets
from sampark.tickets.models import ACTIVE_Q, Ticket
from sampark.workspace import queues
from sampark.workspace.models import SavedView
from sampark.workspace.services import ticket_page as page_services
from tests.sidebar import counts_address, sidebar_counts


@pytest.fixture
def front_desk(make_group):
    return make_group(name="Front line")


@pytest.fixture
def billing(make_group):
    return make_group(name="Billing desk")


@pytest.fixture
def asha(make_agent, front_desk):
    return make_agent(email="asha@sampark.test", name="Asha Rao", groups=[front_desk])


@pytest.fixture
def ravi(make_agent, front_desk):
    return make_agent(email="ravi@sampark.test", name="Ravi Kumar", groups=[front_desk])


@pytest.fixture
def bina(make_agent, billing):
    return make_agent(email="bina@sampark.test", name="Bina Das", groups=[billing])


@pytest.fixture
def meenakshi(make_agent, front_desk):
    return make_agent(
        email="meenakshi@sampark.test",
        name="Meenakshi Rao",
        role=AgentProfile.Role.SUPERVISOR,
        groups=[front_desk],
    )


def counts(response) -> dict[str, int]:
    """The sidebar's counts as the page's browser gets them."""
    found = sidebar_counts(response)
    found.pop("swarm_requests")
    return found


def listed(response) -> list[int]:
    return [ticket.number for ticket in response.context["page"].items]


def test_the_sidebar_counts_every_queue_in_the_agents_scope(
    signed_in, asha, ravi, front_desk, billing, make_ticket
):
    mine = make_ticket(group=front_desk, owner=asha)
    tickets.update_ticket(mine.pk, actor=asha, expected_version=mine.version, status="pending")
    make_ticket(group=front_desk, owner=asha)
    make_ticket(group=front_desk, owner=ravi)
    make_ticket(group=front_desk, owner=None)
    make_ticket(group=billing, owner=None)  # another group: never counted for Asha

    response = signed_in(asha).get("/home/")

    shown = counts(response)
    shown.pop("updates")  # its own test below: it depends on the business calendar
    assert shown == {
        "mine": 2,
        "groups": 4,
        "unassigned": 1,
        "pending": 1,
        "sla": 0,
        "escalated": 0,
    }


def test_a_ticket_of_another_group_is_in_no_queue_count_or_page(
    signed_in, asha, billing, make_ticket
):
    hidden = make_ticket(group=billing, owner=None, subject="Invoice printer jams")
    client = signed_in(asha)

    for name in queues.NAMED_QUEUES:
        response = client.get(f"/queues/{name}/")
        assert response.status_code == 200
        assert hidden.number not in listed(response), name
        assert "Invoice printer jams" not in response.content.decode()
    assert sum(counts(client.get("/home/")).values()) == 0


def test_an_agent_sees_a_ticket_of_another_group_they_own(
    signed_in, bina, billing, front_desk, make_ticket, asha, django_capture_on_commit_callbacks
):
    ticket = make_ticket(group=billing, owner=bina)
    # After commit the SLA clocks follow the new owner, as they do in production.
    with django_capture_on_commit_callbacks(execute=True):
        tickets.update_ticket(ticket.pk, actor=bina, expected_version=ticket.version, owner=asha)

    response = signed_in(asha).get("/queues/mine/")

    assert listed(response) == [ticket.number]
    assert counts(response)["mine"] == 1


def test_a_supervisor_sees_every_unassigned_ticket(
    signed_in, meenakshi, front_desk, billing, make_ticket
):
    make_ticket(group=front_desk, owner=None)
    make_ticket(group=billing, owner=None)

    response = signed_in(meenakshi).get("/queues/unassigned/")

    assert len(listed(response)) == 2
    assert counts(response)["unassigned"] == 2


def test_sla_at_risk_counts_and_lists_tickets_past_the_warning_point(
    signed_in, asha, front_desk, make_ticket
):
    ticket = make_ticket(group=front_desk, owner=asha)
    clock_row = sla.recompute(ticket.pk)
    assert clock_row.at_risk_from is not None
    client = signed_in(asha)
    assert counts(client.get("/queues/sla/"))["sla"] == 0

    # Outside business hours the due times can be more than a session (12 hours) away: each
    # moment signs in again.
    with time_machine.travel(clock_row.at_risk_from + dt.timedelta(seconds=1), tick=False):
        response = signed_in(asha).get("/queues/sla/")
        assert counts(response)["sla"] == 1
        assert listed(response) == [ticket.number]
        assert "At risk" in response.content.decode()
    with time_machine.travel(clock_row.sla_due + dt.timedelta(minutes=5), tick=False):
        response = signed_in(asha).get("/queues/sla/")
        assert "Overdue" in response.content.decode()


def test_the_counts_come_after_the_page_and_a_change_of_the_agents_renews_their_address(
    signed_in, asha, front_desk, make_ticket
):
    ticket = make_ticket(group=front_desk, owner=None)
    client = signed_in(asha)
    page = client.get("/queues/unassigned/")
    first = counts_address(page)
    answer = client.get(first)
    assert answer["Cache-Control"] == "private, max-age=30"  # the browser may reuse them
    assert "Cookie" in answer["Vary"]  # but not for whoever signs in next on that browser
    assert sidebar_counts(page)["unassigned"] == 1

    # A ticket page's own requests (who is viewing, the draft) change no count: same address.
    client.post(f"/tickets/{ticket.pk}/viewers/", {"replying": "0"})
    assert counts_address(client.get("/queues/unassigned/")) == first
    # A form that may change tickets gives the next page a new address, so the browser asks
    # again and the agent sees their own change at once.
    client.post(f"/tickets/{ticket.pk}/owner/", {"take": "1", "version": ticket.version})
    after = client.get("/queues/unassigned/")
    assert counts_address(after) != first
    assert sidebar_counts(after)["unassigned"] == 0
    assert sidebar_counts(after)["mine"] == 1


def test_the_counts_cost_the_same_queries_for_any_number_of_tickets(
    signed_in, asha, front_desk, make_ticket, django_assert_num_queries
):
    client = signed_in(asha)
    address = counts_address(client.get("/home/"))
    client.get(address)
    # Session; the user with their profile and settings; the agent's groups; every count in
    # one query.
    with django_assert_num_queries(4) as few:
        client.get(address)
    for _ in range(20):
        make_ticket(group=front_desk, owner=None)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(address)


def test_the_counts_need_a_signed_in_agent(client, signed_in, asha):
    assert client.get("/queues/counts/").status_code == 302  # to the sign-in page
    assert signed_in(asha).post("/queues/counts/").status_code == 405


def test_the_current_queue_is_marked_in_the_sidebar(signed_in, asha):
    page = signed_in(asha).get("/queues/pending/").content.decode()

    assert 'href="/queues/pending/" aria-current="page"' in page
    assert 'href="/queues/mine/" aria-current' not in page


def test_an_unknown_queue_is_not_found(signed_in, asha):
    assert signed_in(asha).get("/queues/everything/").status_code == 404


def test_each_row_links_to_its_ticket_and_marks_a_hindi_subject(
    signed_in, asha, front_desk, make_ticket
):
    ticket = make_ticket(group=front_desk, subject="राउटर बार-बार बंद हो रहा है", language="hi")

    page = signed_in(asha).get("/queues/groups/").content.decode()

    assert f'href="/tickets/{ticket.pk}/">#{ticket.number}</a>' in page
    assert '<td class="subject" lang="hi">' in page
    assert f'value="{ticket.pk}:{ticket.version}"' in page


def test_the_queue_pages_with_cursors_and_never_repeats_a_ticket(
    signed_in, asha, front_desk, make_ticket
):
    made = [make_ticket(group=front_desk).number for _ in range(7)]
    client = signed_in(asha)
    for order in ("sla", "priority", "age"):
        seen, cursor = [], None
        pages = []
        while True:
            params = {"order": order, **({"cursor": cursor} if cursor else {})}
            response = client.get("/queues/groups/", params)
            assert response.status_code == 200
            page = response.context["page"]
            seen += [t.number for t in page.items]
            pages.append(page)
            cursor = page.next_cursor
            if not cursor:
                break
        assert sorted(seen) == sorted(made), order
        assert len(seen) == len(set(seen))


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(queues, "PAGE_SIZE", 3)
    defaults = queues.queue_page.__kwdefaults__
    monkeypatch.setitem(defaults, "limit", 3)


def test_pages_of_three_walk_forward_and_back(
    signed_in, asha, front_desk, make_ticket, small_pages
):
    for _ in range(7):
        make_ticket(group=front_desk)
    client = signed_in(asha)
    first = client.get("/queues/groups/", {"order": "age"}).context["page"]
    second = client.get("/queues/groups/", {"order": "age", "cursor": first.next_cursor})
    back = client.get(
        "/queues/groups/", {"order": "age", "cursor": second.context["page"].previous_cursor}
    )

    assert [t.pk for t in back.context["page"].items] == [t.pk for t in first.items]
    assert first.previous_cursor is None


def test_a_forged_cursor_is_a_bad_request(signed_in, asha):
    assert signed_in(asha).get("/queues/groups/", {"cursor": "bm9wZQ"}).status_code == 400


def test_the_queue_page_costs_the_same_queries_for_3_or_30_tickets(
    signed_in, asha, front_desk, make_ticket, django_assert_num_queries
):
    client = signed_in(asha)
    for _ in range(3):
        make_ticket(group=front_desk, owner=asha)
    client.get("/queues/groups/")
    # Session; the user with their profile and settings (the shortcuts setting among them);
    # the configuration generation (once for the page: the access layer's groups and the bulk
    # form's priorities and agents are kept under it); the SLA part and the rest of the page's
    # ids; the tickets and their clocks (what a row shows: no tags or collaborators); who else
    # is on the rows' tickets; saved views. The sidebar's counts come in a request of their
    # own (below).
    with django_assert_num_queries(9) as few:
        client.get("/queues/groups/")
    for _ in range(27):
        make_ticket(group=front_desk, owner=asha, language="hi", subject="प्रिंटर")
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/queues/groups/")


def test_rows_say_who_else_is_viewing_or_replying(
    signed_in, asha, ravi, meenakshi, front_desk, make_ticket
):
    viewed = make_ticket(group=front_desk, subject="Printer offline")
    answered = make_ticket(group=front_desk, subject="VPN drops")
    alone = make_ticket(group=front_desk, subject="Mouse broken")
    page_services.record_viewer(ravi, viewed.pk, replying=False)
    page_services.record_viewer(ravi, answered.pk, replying=False)
    page_services.record_viewer(meenakshi, answered.pk, replying=True)
    page_services.record_viewer(asha, alone.pk, replying=True)  # oneself: no marker

    page = signed_in(asha).get("/queues/groups/").content.decode()

    assert "Ravi is viewing" in page
    assert "Meenakshi is replying, and 1 more" in page
    row = page[page.index("Mouse broken") :]
    assert "on-ticket" not in row[: row.index("</tr>")]


def test_a_beat_older_than_half_a_minute_marks_no_row(
    signed_in, asha, ravi, front_desk, make_ticket
):
    ticket = make_ticket(group=front_desk)
    with time_machine.travel(timezone.now() - dt.timedelta(minutes=5)):
        page_services.record_viewer(ravi, ticket.pk, replying=True)

    assert "Ravi is replying" not in signed_in(asha).get("/queues/groups/").content.decode()


# --- saved views ----------------------------------------------------------------------------


def make_view(client, **fields):
    data = {"name": "P1 front line", "order": "sla", **fields}
    return client.post("/views/new/", data)


def test_an_agent_saves_a_view_from_filters_and_sees_only_what_matches(
    signed_in, asha, front_desk, make_ticket
):
    urgent = make_ticket(group=front_desk, priority="P1", channel="phone")
    make_ticket(group=front_desk, priority="P3", channel="phone")
    make_ticket(group=front_desk, priority="P1", channel="email")
    client = signed_in(asha)

    response = make_view(
        client, priorities=["P1"], channels=["phone", "chat"], owners=["nobody", "me"]
    )
    view = SavedView.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/views/{view.pk}/"

    page = client.get(f"/views/{view.pk}/")
    assert listed(page) == [urgent.number]
    assert 'aria-current="page">P1 front line' in page.content.decode()


def test_a_view_by_tag_language_and_sla_state(signed_in, asha, front_desk, make_ticket):
    tagged = make_ticket(group=front_desk, language="hi", tags=["vip"])
    make_ticket(group=front_desk, language="hi")
    client = signed_in(asha)
    make_view(client, tags="VIP", languages=["hi"], sla_states=["on_track", "none"])

    assert listed(client.get(f"/views/{SavedView.objects.get().pk}/")) == [tagged.number]


def test_a_saved_view_never_shows_tickets_outside_the_viewers_scope(
    signed_in, asha, billing, make_ticket
):
    make_ticket(group=billing)
    client = signed_in(asha)
    make_view(client, groups=[billing.pk])

    assert listed(client.get(f"/views/{SavedView.objects.get().pk}/")) == []


def test_a_shared_view_is_visible_to_the_group_and_nobody_else(
    signed_in, asha, ravi, bina, meenakshi, front_desk
):
    make_view(signed_in(asha), shared_with=front_desk.pk)
    view = SavedView.objects.get()

    assert signed_in(ravi).get(f"/views/{view.pk}/").status_code == 200
    assert signed_in(meenakshi).get(f"/views/{view.pk}/").status_code == 200
    assert "P1 front line" in signed_in(ravi).get("/home/").content.decode()
    assert signed_in(bina).get(f"/views/{view.pk}/").status_code == 404
    assert "P1 front line" not in signed_in(bina).get("/home/").content.decode()


def test_a_private_view_is_the_owners_alone(signed_in, asha, ravi):
    make_view(signed_in(asha))
    view = SavedView.objects.get()

    assert signed_in(ravi).get(f"/views/{view.pk}/").status_code == 404


def test_a_view_cannot_be_shared_with_a_group_one_is_not_in(signed_in, asha, billing):
    response = make_view(signed_in(asha), shared_with=billing.pk)

    assert response.status_code == 422
    assert not SavedView.objects.exists()


def test_only_the_owner_renames_edits_or_deletes_a_view(signed_in, asha, ravi, front_desk):
    make_view(signed_in(asha), shared_with=front_desk.pk)
    view = SavedView.objects.get()
    other = signed_in(ravi)

    assert other.get(f"/views/{view.pk}/edit/").status_code == 404
    assert (
        other.post(f"/views/{view.pk}/edit/", {"name": "Mine now", "order": "age"}).status_code
        == 404
    )
    assert other.post(f"/views/{view.pk}/delete/").status_code == 404
    view.refresh_from_db()
    assert view.name == "P1 front line"

    owner = signed_in(asha)
    response = owner.post(
        f"/views/{view.pk}/edit/",
        {"name": "Front line, by age", "order": "age", "statuses": ["open"]},
    )
    assert response.status_code == 302
    view.refresh_from_db()
    assert (view.name, view.order, view.filters, view.shared_with) == (
        "Front line, by age",
        "age",
        {"statuses": ["open"]},
        None,
    )
    assert owner.post(f"/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.exists()


def test_a_view_without_a_name_is_refused_with_the_form(signed_in, asha):
    response = make_view(signed_in(asha), name="   ")

    assert response.status_code == 422
    assert not SavedView.objects.exists()


# --- bulk actions --------------------------------------------------------------------------


def selected(*ticket_list):
    return [f"{t.pk}:{t.version}" for t in ticket_list]


def test_bulk_priority_changes_each_ticket_with_the_reason(
    signed_in, asha, front_desk, make_ticket
):
    first, second = make_ticket(group=front_desk), make_ticket(group=front_desk)

    response = signed_in(asha).post(
        "/queues/bulk/",
        {
            "selected": selected(first, second),
            "action": "priority",
            "priority": "P1",
            "reason": "Whole office down",
        },
    )

    assert response.status_code == 200
    assert "2 tickets changed." in response.content.decode()
    assert set(Ticket.objects.values_list("priority__code", flat=True)) == {"P1"}
    event = first.events.get(kind="priority")
    assert event.body == "Whole office down"


def test_bulk_refuses_a_ticket_changed_since_it_was_shown_and_does_the_rest(
    signed_in, asha, ravi, front_desk, make_ticket
):
    stale, fresh = make_ticket(group=front_desk), make_ticket(group=front_desk)
    shown = selected(stale, fresh)
    tickets.update_ticket(stale.pk, actor=ravi, expected_version=stale.version, category="x")

    response = signed_in(asha).post(
        "/queues/bulk/", {"selected": shown, "action": "status", "status": "open"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "1 ticket changed." in page
    assert f"#{stale.number}: Changed by someone else since you saw it." in page
    assert Ticket.objects.get(pk=fresh.pk).status == "open"
    assert Ticket.objects.get(pk=stale.pk).status == "new"


def test_bulk_on_a_ticket_outside_the_scope_answers_as_if_missing(
    signed_in, asha, billing, make_ticket
):
    hidden = make_ticket(group=billing, subject="Invoice printer jams")

    response = signed_in(asha).post(
        "/queues/bulk/", {"selected": selected(hidden), "action": "tag", "tag": "vip"}
    )

    page = response.content.decode()
    assert "Ticket not found." in page and f"<li>#{hidden.number}" not in page
    assert not Ticket.objects.get(pk=hidden.pk).tags.exists()


def test_bulk_assign_is_refused_where_the_agent_may_not_reassign(
    signed_in, asha, ravi, front_desk, make_ticket
):
    ravis = make_ticket(group=front_desk, owner=ravi)

    response = signed_in(asha).post(
        "/queues/bulk/", {"selected": selected(ravis), "action": "owner", "owner": asha.pk}
    )

    assert "0 tickets changed." in response.content.decode()
    assert Ticket.objects.get(pk=ravis.pk).owner == ravi


def test_bulk_add_tag_and_merge(signed_in, asha, front_desk, make_ticket):
    one, two, target = (make_ticket(group=front_desk) for _ in range(3))
    client = signed_in(asha)

    client.post("/queues/bulk/", {"selected": selected(one), "action": "tag", "tag": "Router"})
    client.post(
        "/queues/bulk/", {"selected": selected(two), "action": "merge", "into": target.number}
    )

    assert list(Ticket.objects.get(pk=one.pk).tags.values_list("name", flat=True)) == ["router"]
    assert Ticket.objects.get(pk=two.pk).merged_into_id == target.pk


def test_bulk_priority_without_a_reason_is_refused_with_the_form(
    signed_in, asha, front_desk, make_ticket
):
    ticket = make_ticket(group=front_desk)

    response = signed_in(asha).post(
        "/queues/bulk/", {"selected": selected(ticket), "action": "priority", "priority": "P1"}
    )

    assert response.status_code == 422
    assert "Say why the priority changes." in response.content.decode()


# --- keyboard shortcuts --------------------------------------------------------------------


def test_an_agent_turns_the_keyboard_shortcuts_off_and_on(signed_in, asha):
    client = signed_in(asha)
    assert 'data-shortcuts="on"' in client.get("/queues/mine/").content.decode()

    client.post("/queues/shortcuts/", {"enabled": "off", "next": "/queues/mine/"})
    assert 'data-shortcuts="off"' in client.get("/queues/mine/").content.decode()

    client.post("/queues/shortcuts/", {"enabled": "on"})
    assert 'data-shortcuts="on"' in client.get("/queues/mine/").content.decode()


def test_customer_updates_due_counts_those_due_before_the_end_of_the_day(
    signed_in, asha, front_desk, make_ticket
):
    ticket = make_ticket(group=front_desk, owner=asha)
    update_due = sla.recompute(ticket.pk).update_due

    with time_machine.travel(update_due - dt.timedelta(days=3), tick=False):
        assert counts(signed_in(asha).get("/queues/updates/"))["updates"] == 0
    with time_machine.travel(update_due - dt.timedelta(minutes=1), tick=False):
        response = signed_in(asha).get("/queues/updates/")
        assert counts(response)["updates"] == 1
        assert listed(response) == [ticket.number]
    assert timezone.is_aware(update_due)


def test_a_prepared_walk_lists_what_the_plain_query_lists(
    asha, ravi, meenakshi, front_desk, billing, make_ticket, make_agent, monkeypatch
):
    """The queue page's walks are compiled once per shape with marker values and then bound
    (``queues._walk_keys``); every filter, scope, order and cursor here gives the same keys as
    the walk built through the ORM with the real values, and none falls back."""
    admin = make_agent(role=AgentProfile.Role.ADMIN, ticket_access="all")
    own = make_agent(groups=[front_desk], ticket_access="own")
    for n in range(12):
        ticket = make_ticket(
            group=front_desk if n % 3 else billing,
            owner=(asha, ravi, None)[n % 3],
            language="hi" if n % 2 else "en",
            subject=f"Inverter band hai {n}",
            tags=["power"] if n % 4 == 0 else [],
        )
        if n % 5 == 0:
            Ticket.objects.filter(pk=ticket.pk).update(group=None)
    now = timezone.now()
    shapes = [
        queues.QueueFilters(),
        queues.QueueFilters(groups=(front_desk.pk,)),
        queues.QueueFilters(groups=(front_desk.pk, billing.pk, None)),
        queues.QueueFilters(owners=("me",)),
        queues.QueueFilters(owners=("nobody", str(ravi.pk))),
        queues.QueueFilters(statuses=("new", "open"), priorities=("P2", "P3")),
        queues.QueueFilters(priorities=("P3",), languages=("hi",), tags=("power",)),
        queues.QueueFilters(sla_states=("at_risk", "breached", "none"), channels=("web",)),
        queues.QueueFilters(updates=("overdue", "today"), day_end=now + dt.timedelta(hours=5)),
        queues.QueueFilters(tiers=("L1",), escalated_to=(front_desk.pk, billing.pk)),
        queues.QueueFilters(
            created_after=now - dt.timedelta(hours=1), created_before=now + dt.timedelta(1)
        ),
    ]
    plain_calls, warnings = [], []
    monkeypatch.setattr(prepared.logger, "warning", lambda *a, **k: warnings.append(a))
    walk_keys = queues._walk_keys

    def plain_call(prepared, *values, **shape):
        return list(prepared.build(*values, **shape))

    def both(*args, **kwargs):
        prepared = walk_keys(*args, **kwargs)
        with monkeypatch.context() as plainly:
            plainly.setattr(queues.Prepared, "__call__", plain_call)
            plain = walk_keys(*args, **kwargs)
        plain_calls.append(kwargs["phase"])
        assert prepared == plain, (args[0], kwargs)
        return prepared

    monkeypatch.setattr(queues, "_walk_keys", both)
    for user in (asha, meenakshi, admin, own):
        for filters in shapes:
            for order in queues.ORDERS:
                first = queues.queue_page(user, filters, order=order, limit=4)
                if first.next_cursor:
                    second = queues.queue_page(
                        user, filters, order=order, limit=4, cursor=first.next_cursor
                    )
                    if second.previous_cursor:
                        queues.queue_page(
                            user, filters, order=order, limit=4, cursor=second.previous_cursor
                        )
    assert len(plain_calls) > 100 and {"sla", "priority", "age"} <= set(plain_calls)
    assert not warnings


def test_the_counts_from_the_rollup_are_the_active_tickets_after_every_kind_of_write(
    signed_in, asha, ravi, bina, meenakshi, front_desk, billing, make_ticket, make_agent
):
    """My tickets, my groups and unassigned are sums of the rollup the database's triggers
    keep (``tickets.active_counts``), not counts of the tickets: after writes through the
    services and behind their back (bulk updates, a deletion), each is still what counting
    the tickets gives, for agents, a supervisor and an admin who sees every ticket."""
    admin = make_agent(role=AgentProfile.Role.ADMIN, groups=[billing], ticket_access="all")
    front, back = front_desk, billing
    made = [
        make_ticket(group=group, owner=owner)
        for group, owner in [
            (front, asha), (front, None), (front, ravi), (front, None), (back, bina),
            (back, None), (front, asha), (back, None), (front, None), (back, bina),
        ]
    ]  # fmt: skip
    solved, taken = made[0], made[1]
    tickets.update_ticket(solved.pk, actor=asha, expected_version=solved.version, status="solved")
    tickets.update_ticket(taken.pk, actor=asha, expected_version=taken.version, owner=asha)
    Ticket.objects.filter(pk=made[2].pk).update(group=billing, owner=None)
    Ticket.objects.filter(pk=made[4].pk).update(status="on_hold", owner=None)
    Ticket.objects.filter(pk=made[6].pk).update(group=None)
    Ticket.objects.filter(pk=made[8].pk).delete()

    active = Ticket.objects.filter(ACTIVE_Q)
    for user in (asha, ravi, bina, meenakshi, admin):
        groups = queues.my_group_ids(user)
        unowned = active.filter(owner=None)
        if not access.scope_of(user).sees_all:  # a supervisor sees every unassigned ticket
            unowned = unowned.filter(group_id__in=groups)
        expected = {
            "mine": active.filter(owner=user).count(),
            "groups": active.filter(group_id__in=groups).count(),
            "unassigned": unowned.count(),
        }
        shown = counts(signed_in(user).get("/home/"))
        assert {name: shown[name] for name in expected} == expected, user
    assert counts(signed_in(asha).get("/home/"))["mine"] == 2  # the one taken, the one moved out


def test_prepared_counts_are_the_plain_counts_for_every_kind_of_scope(
    asha, meenakshi, front_desk, billing, make_ticket, make_agent, monkeypatch
):
    """The sidebar's counts are one statement compiled per kind of scope
    (``queues.queue_counts``); bound with each agent's values they count what the statement
    built with the real values counts, for an agent of a group, a supervisor, an agent who
    sees every ticket and one who sees their own, none falling back."""
    admin = make_agent(role=AgentProfile.Role.ADMIN, groups=[billing], ticket_access="all")
    own = make_agent(groups=[front_desk, billing], ticket_access="own")
    for n in range(9):
        make_ticket(group=(front_desk, billing)[n % 2], owner=(asha, None, own)[n % 3])
    warnings = []
    monkeypatch.setattr(prepared.logger, "warning", lambda *a, **k: warnings.append(a))

    def plain(user, group_ids):
        scope = access.scope_of(user)
        now, day_end = timezone.now(), queues.end_of_day("")
        sql, params, layout = queues._count_sql(
            queues._counted(scope, user.pk, group_ids, now, day_end)
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            values = iter(cursor.fetchone())
        return {name: sum(next(values) for _ in range(parts)) for name, parts in layout}

    with time_machine.travel(timezone.now(), tick=False):
        for user in (asha, meenakshi, admin, own, asha):  # asha again: the compiled shape
            access.attach_scope(user)
            group_ids = queues.my_group_ids(user)
            assert queues.queue_counts(user, group_ids) == plain(user, group_ids)
    assert queues.queue_counts(asha, queues.my_group_ids(asha))["groups"] >= 1
    assert not warnings
