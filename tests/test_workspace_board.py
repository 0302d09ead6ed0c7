"""The coordinator board: who may open it, what each persona's numbers count (never a ticket
outside their scope), that every number equals the rows of the queue it links to, its query
budget, and the ad-hoc queues its numbers lead to (/queues/filter/)."""

import datetime as dt
import html
import re

import pytest
import time_machine
from django.utils import translation

from sampark.customers.services import save_organization
from sampark.db.prepared import Prepared
from sampark.sla import services as sla
from sampark.team.models import AgentProfile
from sampark.team.services import set_presence, update_agent
from sampark.tickets import access
from sampark.tickets import services as tickets
from sampark.workspace import board as boards
from sampark.workspace import queues
from sampark.workspace.queue_forms import QueueFilterForm

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
# A Tuesday morning in India: inside the default office hours, far from midnight.
NOW = dt.datetime(2026, 12, 8, 10, 0, tzinfo=IST)
SUPERVISOR = AgentProfile.Role.SUPERVISOR


@pytest.fixture
def front(make_group):
    return make_group(name="Front line")


@pytest.fixture
def billing(make_group):
    return make_group(name="Billing desk")


@pytest.fixture
def network(make_group):
    return make_group(name="Network team", tier="L2")


@pytest.fixture
def engineering(make_group):
    return make_group(name="Engineering", tier="L3")


@pytest.fixture
def asha(make_agent, front):
    return make_agent(email="asha@sampark.test", name="Asha Rao", groups=[front])


@pytest.fixture
def bina(make_agent, billing):
    return make_agent(email="bina@sampark.test", name="Bina Das", groups=[billing], capacity=1)


@pytest.fixture
def neel(make_agent, network):
    return make_agent(email="neel@sampark.test", name="Neel Shah", groups=[network], tier="L2")


@pytest.fixture
def meenakshi(make_agent, front, network):
    """A supervisor whose ticket access is her groups: the front line and the network team."""
    return make_agent(
        email="meenakshi@sampark.test",
        name="Meenakshi Rao",
        role=SUPERVISOR,
        groups=[front, network],
        ticket_access="groups",
    )


@pytest.fixture
def admin(make_agent):
    return make_agent(email="admin@sampark.test", name="Ada Admin", role="admin")


def opened(make_ticket, at, **fields):
    with time_machine.travel(at, tick=False):
        return make_ticket(**fields)


@pytest.fixture
def desk(make_ticket, front, billing, network, engineering, asha, bina, neel, admin):
    """A help desk at NOW: tickets of every priority in four groups, owned and unassigned,
    waiting for minutes to days, at every SLA state (P1 runs round the clock: first response
    in 30 minutes, a warning at 22.5, customer updates every 2 hours), some escalated."""
    made = []

    def make(minutes_ago, **fields):
        made.append(opened(make_ticket, NOW - dt.timedelta(minutes=minutes_ago), **fields))
        return made[-1]

    make(5, group=front, owner=asha, priority="P1")  # on track
    make(25, group=front, owner=asha, priority="P1")  # at risk; update due today
    make(40, group=front, owner=None, priority="P1")  # breached, unassigned under an hour
    make(60, group=front, owner=None, priority="P2")  # exactly an hour: a band's edge
    make(150, group=front, owner=None, priority="P3")  # 1 to 4 hours
    make(300, group=front, owner=None, priority="P1")  # update overdue
    make(600, group=billing, owner=None, priority="P4")  # 4 to 24 hours
    make(3 * 24 * 60, group=billing, owner=None, priority="P3")  # over a day
    make(90, group=billing, owner=bina, priority="P2")
    make(100, group=billing, owner=bina, priority="P3")  # over Bina's capacity of 1
    make(30, group=network, owner=neel, priority="P1")
    make(2000, group=network, owner=None, priority="P2")
    make(45, group=engineering, owner=admin, priority="P1")
    solved = make(20, group=front, owner=asha, priority="P1")
    with time_machine.travel(NOW - dt.timedelta(minutes=10), tick=False):
        tickets.update_ticket(
            solved.pk, actor=asha, expected_version=solved.version, status="solved"
        )
        sla.recompute(solved.pk)
    escalated = make(70, group=front, owner=asha, priority="P2")
    with time_machine.travel(NOW - dt.timedelta(minutes=50), tick=False):
        tickets.escalate_ticket(
            escalated.pk, actor=asha, group=network, reason="Needs the network team"
        )
        sla.recompute(escalated.pk)  # its clocks follow the new group, as after a commit
    return made


def numbers_of(board) -> list:
    """Every number on the board: each table's cells, row totals and totals; the agents'."""
    found = []
    for table in (board.open, board.service, board.unassigned, board.escalated):
        for row in table.rows:
            found += row.numbers + ([row.total] if row.total else [])
        found += table.totals + ([table.total] if table.total else [])
    return found + [member.load for member in board.agents]


def rows_of(client, url: str) -> list[int]:
    """The ticket numbers the queue at ``url`` lists, over every page."""
    listed, cursor = [], None
    while True:
        response = client.get(url + (f"&cursor={cursor}" if cursor else ""))
        assert response.status_code == 200, response.content
        page = response.context["page"]
        listed += [ticket.number for ticket in page.items]
        cursor = page.next_cursor
        if not cursor:
            return listed


def board_of(client, **extra):
    response = client.get("/board/", **extra)
    assert response.status_code == 200
    return response.context["board"]


# --- who may open it ------------------------------------------------------------------------


def test_an_agent_is_refused_the_board_and_not_offered_it(signed_in, asha):
    client = signed_in(asha)

    response = client.get("/board/")

    assert response.status_code == 403
    assert "for supervisors and admins" in response.content.decode()
    assert 'href="/board/"' not in client.get("/home/").content.decode()


def test_supervisors_and_admins_find_the_board_in_the_navigation(signed_in, meenakshi, admin):
    for person in (meenakshi, admin):
        page = signed_in(person).get("/board/").content.decode()
        assert '<a href="/board/" aria-current="page">Board</a>' in page


def test_a_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/board/")

    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


# --- what each persona counts -----------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_supervisor_of_some_groups_counts_only_their_groups(
    signed_in, meenakshi, desk, front, network, bina
):
    board = board_of(signed_in(meenakshi))

    assert [row.place.group for row in board.open.rows] == [front.pk, network.pk]
    assert board.open.total.count == 9  # 6 active of the front line, 3 of the network team
    assert [row.total.count for row in board.open.rows] == [6, 3]
    assert board.unassigned.total.count == 5
    assert "Bina Das" not in [m.profile.user.get_full_name() for m in board.agents]
    for number in numbers_of(board):
        assert number.filters.groups, number.url  # every link names the groups it counts
        assert set(number.filters.groups) <= {front.pk, network.pk}


@time_machine.travel(NOW, tick=False)
def test_an_agents_load_counts_only_the_tickets_the_supervisor_may_see(
    signed_in, meenakshi, desk, asha, billing, make_ticket
):
    make_ticket(group=billing, owner=asha)  # Asha's, in a group Meenakshi does not cover

    board = board_of(signed_in(meenakshi))

    load = next(m.load for m in board.agents if m.profile.user_id == asha.pk)
    assert load.count == 3  # two on the front line, one escalated to the network team
    assert load.filters.groups == tuple(sorted(meenakshi.agent.groups.values_list("pk", flat=True)))


@time_machine.travel(NOW, tick=False)
def test_an_admin_counts_every_group_and_every_agent(signed_in, admin, desk, bina):
    board = board_of(signed_in(admin))

    assert board.sees_all
    assert len(board.open.rows) == 5  # the four groups and the default one
    assert board.open.total.count == 14
    assert board.open.total.filters == queues.QueueFilters()
    member = next(m for m in board.agents if m.profile.user_id == bina.pk)
    assert member.load.count == 2
    assert member.over_capacity


@time_machine.travel(NOW, tick=False)
def test_a_supervisor_who_sees_only_their_own_tickets_has_nothing_to_count(
    signed_in, make_agent, front, desk
):
    own = make_agent(role=SUPERVISOR, groups=[front], ticket_access="own")

    response = signed_in(own).get("/board/")

    assert response.context["board"].groups == []
    assert "covers no whole group" in response.content.decode()
    assert numbers_of(response.context["board"]) == []


@time_machine.travel(NOW, tick=False)
def test_the_board_shows_each_kind_of_number(signed_in, admin, desk):
    board = board_of(signed_in(admin))

    assert [n.count for n in board.open.totals] == [6, 4, 3, 1]
    # At risk: the P1 of 25 minutes. Breached: the P1s of 30, 40, 45 and 300 minutes, the P2
    # of 2,000 minutes and the P3 of three days (business hours). Updates overdue: the P1 of
    # 300 minutes and the P2 of 2,000; due today: the other P1s and the P2s of this morning.
    service = zip(board.service.columns, board.service.totals, strict=True)
    assert {column.name: number.count for column, number in service} == {
        "at_risk": 1,
        "breached": 6,
        "overdue": 2,
        "today": 8,
    }
    assert [n.count for n in board.unassigned.totals] == [2, 1, 2, 2]  # the hour's edge: under
    assert [n.count for n in board.escalated.totals] == [3, 1]
    breached = board.service.totals[1]
    assert breached.tone == "breached"


# --- every number is its queue ------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin", "meenakshi"])
def test_every_number_is_the_number_of_rows_its_link_lists(signed_in, desk, persona, request):
    """For every cell, row total and total of every table and every agent's load: the queue
    the number links to lists exactly that many tickets, over all its pages."""
    with time_machine.travel(NOW, tick=False):
        client = signed_in(request.getfixturevalue(persona))
        numbers = numbers_of(board_of(client))
        assert sum(n.count for n in numbers) > 0
        for number in numbers:
            assert len(rows_of(client, number.url)) == number.count, number.url


@time_machine.travel(NOW, tick=False)
def test_tickets_without_a_group_have_a_row_of_their_own_for_an_admin(
    signed_in, admin, meenakshi, desk, front
):
    ticket = desk[2]  # the front line's unassigned P1 of 40 minutes
    tickets.update_ticket(ticket.pk, actor=admin, expected_version=ticket.version, group=None)
    sla.recompute(ticket.pk)
    client = signed_in(admin)

    board = board_of(client)

    row = board.open.rows[-1]
    assert (row.place.label, row.place.group, row.total.count) == ("No group", None, 1)
    assert "group=none" in row.total.url
    assert board.open.total.count == 14
    for number in numbers_of(board):
        assert len(rows_of(client, number.url)) == number.count, number.url
    assert client.get(row.total.url).context["title"] == "No group"
    assert None not in [r.place.group for r in board_of(signed_in(meenakshi)).open.rows]


@time_machine.travel(NOW, tick=False)
def test_the_board_links_the_numbers_it_shows(signed_in, admin, desk):
    response = signed_in(admin).get("/board/")
    page = response.content.decode()

    for number in numbers_of(response.context["board"]):
        assert f'href="{html.escape(number.url)}">{number.count}</a>' in page


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setitem(queues.queue_page.__kwdefaults__, "limit", 2)


@time_machine.travel(NOW, tick=False)
def test_a_numbers_queue_pages_forward_and_back_in_every_order(signed_in, admin, desk, small_pages):
    client = signed_in(admin)
    board = board_of(client)
    url = board.unassigned.total.url
    for order in queues.ORDERS:
        forward, cursor, pages = [], None, []
        while True:
            response = client.get(f"{url}&order={order}" + (f"&cursor={cursor}" if cursor else ""))
            page = response.context["page"]
            pages.append([t.number for t in page.items])
            forward += pages[-1]
            cursor = page.next_cursor
            if not cursor:
                break
        assert len(forward) == len(set(forward)) == board.unassigned.total.count, order
        back = client.get(f"{url}&order={order}&cursor={page.previous_cursor}")
        assert [t.number for t in back.context["page"].items] == pages[-2], order


# --- refreshing, words, languages ----------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_htmx_gets_the_numbers_alone_and_the_page_asks_for_them_every_30_seconds(
    signed_in, admin, desk
):
    client = signed_in(admin)

    page = client.get("/board/").content.decode()
    numbers = client.get("/board/", headers={"HX-Request": "true"}).content.decode()

    assert 'hx-trigger="every 30s [document.visibilityState === ' in page
    assert "Open tickets by group and priority" in numbers
    assert "<nav" not in numbers and "<html" not in numbers
    assert 'href="/board/">Refresh now</a>' in numbers  # the page works without JavaScript


@time_machine.travel(NOW, tick=False)
def test_the_board_marks_an_agent_over_capacity_in_words(signed_in, admin, desk, bina):
    set_presence(bina.agent, "away")

    page = signed_in(admin).get("/board/").content.decode()

    row = re.search(r'<tr class="over">.*?</tr>', page, re.S).group(0)
    assert "Bina Das" in row and "over capacity" in row and "Away" in row


@time_machine.travel(NOW, tick=False)
def test_the_board_in_hindi(signed_in, admin, desk):
    client = signed_in(admin)
    client.post("/language/", {"language": "hi"})

    page = client.get("/board/").content.decode()

    assert "समन्वयक बोर्ड" in page
    assert "समूह और प्राथमिकता के अनुसार खुले टिकट" in page
    assert "SLA उल्लंघन" in page


# --- the query budget ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("access", "queries", "numbers_alone"), [("all", 12, 9), ("groups", 12, 10)]
)
def test_the_board_costs_the_same_queries_for_few_or_many_groups_agents_and_tickets(
    signed_in,
    make_group,
    make_agent,
    make_ticket,
    django_assert_num_queries,
    access,
    queries,
    numbers_alone,
):
    group = make_group()
    supervisor = make_agent(role=SUPERVISOR, groups=[group], ticket_access=access)
    make_ticket(group=group, owner=make_agent(groups=[group]))
    client = signed_in(supervisor)
    client.get("/board/")
    # Session; the user with their profile and settings; the groups, the priorities, the
    # active tickets by group and owner, the clocks at risk, the updates due, the unassigned
    # tickets, the agents; the sidebar's groups and saved views, the count of mail needing
    # attention (and, for a groups scope, the generation the scope's groups are kept under).
    # The queues' counts come in a request of their own.
    with django_assert_num_queries(queries):
        client.get("/board/")
    for n in range(6):
        more = make_group(tier=("L1", "L2", "L3")[n % 3])
        owner = make_agent(groups=[more], capacity=1)
        update_agent(supervisor.agent, groups=[*supervisor.agent.groups.all(), more])
        for priority in ("P1", "P2", "P3"):
            make_ticket(group=more, owner=owner, priority=priority)
            make_ticket(group=more, owner=None, priority=priority)
    assert len(client.get("/board/").context["board"].groups) == (7 if access == "groups" else 8)
    with django_assert_num_queries(queries):
        client.get("/board/")
    with django_assert_num_queries(numbers_alone):
        client.get("/board/", headers={"HX-Request": "true"})  # the numbers alone: no sidebar


# --- the ad-hoc queue ----------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_an_ad_hoc_queue_says_what_it_lists_in_words(signed_in, admin, desk, billing):
    client = signed_in(admin)

    response = client.get(f"/queues/filter/?priority=P1&group={billing.pk}&sla=breached")
    unowned = client.get("/queues/filter/?owner=nobody&tier=L2&update=overdue")

    assert response.context["title"] == "P1 · Billing desk · SLA: Breached"
    assert "<h1>P1 · Billing desk · SLA: Breached</h1>" in response.content.decode()
    assert unowned.context["title"] == "Unassigned · Level 2 · Customer update overdue"
    assert client.get("/queues/filter/").context["title"] == "All open tickets"


@time_machine.travel(NOW, tick=False)
def test_an_ad_hoc_queue_keeps_its_filters_in_its_sort_and_page_links(
    signed_in, admin, desk, front, small_pages
):
    page = signed_in(admin).get(f"/queues/filter/?group={front.pk}&owner=nobody").content.decode()

    query = f"group={front.pk}&amp;owner=nobody&amp;"
    assert f'href="?{query}order=age"' in page
    assert f'href="?{query}order=sla&amp;cursor=' in page


@time_machine.travel(NOW, tick=False)
def test_a_band_of_age_is_shown_in_the_viewers_time_zone(signed_in, admin, desk):
    client = signed_in(admin)
    client.post("/preferences/", {"language": "en", "time_zone": "Asia/Kolkata"})
    url = board_of(client).unassigned.totals[1].url

    title = client.get(url).context["title"]

    assert title == "Unassigned · Opened from Dec. 8, 2026, 6 a.m. to Dec. 8, 2026, 9 a.m."


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("priority=P9", "priority: “P9” is not one of the values this filter takes."),
        ("group=abc", "group: “abc” is not a number."),
        ("group=987654", "group: Nothing has the number 987654."),
        ("owner=someone", "owner: “someone” is not a number."),
        ("owner=987654", "owner: No agent has the number 987654."),
        ("sla=late", "sla: “late” is not one of the values"),
        ("tier=L9", "tier: “L9” is not one of the values"),
        ("update=tomorrow", "update: “tomorrow” is not one of the values"),
        ("created_after=yesterday", "created_after: Enter a valid date/time."),
        (
            "created_after=2026-12-08T04:00:00Z&created_before=2026-12-08T03:00:00Z",
            "created_before: Comes before the start of the range.",
        ),
        ("colour=red", "“colour” is not a filter of a queue."),
        ("status=solved", "status: “solved” is not one of the values"),
    ],
)
def test_an_address_the_queue_cannot_read_exactly_is_a_bad_request(signed_in, admin, query, says):
    response = signed_in(admin).get(f"/queues/filter/?{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "This queue's address is not valid: " in response.content.decode()
    assert says in response.content.decode()


def test_a_value_in_a_bad_address_is_never_echoed_as_html(signed_in, admin):
    response = signed_in(admin).get("/queues/filter/?sla=<script>x</script>")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_every_filter_survives_the_round_trip_through_its_address(front, asha):
    organization = save_organization(name="Acme Pvt Ltd")
    filters = queues.QueueFilters(
        statuses=("open", "pending"),
        priorities=("P1",),
        groups=(front.pk,),
        owners=("me", "nobody", str(asha.pk)),
        channels=("email",),
        languages=("hi",),
        tags=("printer jam",),
        organizations=(organization.pk,),
        sla_states=("breached", "at_risk"),
        tiers=("L2",),
        escalated_to=(front.pk,),
        updates=("overdue", "today"),
        created_after=dt.datetime(2026, 12, 8, 3, 0, tzinfo=dt.UTC),
        created_before=dt.datetime(2026, 12, 8, 4, 30, 15, tzinfo=dt.UTC),
    )
    assert set(queues.QUERY_PARAMETERS) == set(queues.QueueFilters.__dataclass_fields__) - {
        "day_end"
    }

    from django.http import QueryDict

    with translation.override("en"):
        form = QueueFilterForm(QueryDict(filters.as_query()))
        assert form.is_valid(), form.errors

    assert form.filters() == filters


@pytest.mark.parametrize("persona", ["admin", "meenakshi"])
def test_the_prepared_counts_are_the_plain_ones(desk, persona, request, monkeypatch):
    """The board's grouped counts are compiled once and bound with the moment, the end of the
    day and the groups (``board._count``); they count what the same queries built with the
    real values count."""
    user = request.getfixturevalue(persona)
    with time_machine.travel(NOW, tick=False):
        access.attach_scope(user)
        prepared = [n.count for n in numbers_of(boards.board(user, "Asia/Kolkata"))]
        monkeypatch.setattr(Prepared, "__call__", lambda self, *v, **s: list(self.build(*v, **s)))
        plain = [n.count for n in numbers_of(boards.board(user, "Asia/Kolkata"))]
    assert prepared == plain and sum(prepared) > 0
