"""The top bar's search: a ticket number, a requester's email address or phone number, or words
of the subject; and never a ticket the agent may not see."""

import pytest

from sampark.team.models import AgentProfile
from sampark.tickets import services as tickets


@pytest.fixture
def front_desk(make_group):
    return make_group(name="Front line")


@pytest.fixture
def billing(make_group):
    return make_group(name="Billing desk")


@pytest.fixture
def asha(make_agent, front_desk):
    """An agent of the front line."""
    return make_agent(email="asha@sampark.test", groups=[front_desk])


@pytest.fixture
def sunita(make_contact):
    return make_contact(
        email="sunita.verma@acme.example", phone="+91 98765 43210", name="Sunita Verma"
    )


@pytest.fixture
def router_ticket(make_ticket, sunita, front_desk):
    return make_ticket(requester=sunita, subject="राउटर बार-बार बंद हो रहा है", group=front_desk)


@pytest.fixture
def invoice_ticket(make_ticket, make_contact, billing):
    """A ticket of another group, which the front line may not see."""
    requester = make_contact(
        email="accounts@other.example", phone="+91 91234 56789", name="Other Accounts"
    )
    return make_ticket(
        requester=requester, subject="Invoice printer jams on page two", group=billing
    )


def numbers(response) -> list[int]:
    return [ticket.number for ticket in response.context["tickets"]]


def test_finds_a_ticket_by_its_number_with_or_without_the_hash(signed_in, asha, router_ticket):
    client = signed_in(asha)

    for query in (
        f"#{router_ticket.number}",
        str(router_ticket.number),
        f"# {router_ticket.number}",
    ):
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200
        assert numbers(response) == [router_ticket.number], query


def test_finds_tickets_by_the_requesters_email_in_any_case(signed_in, asha, router_ticket):
    response = signed_in(asha).get("/search/", {"q": " Sunita.Verma@ACME.example "})

    assert numbers(response) == [router_ticket.number]


def test_finds_tickets_by_the_requesters_phone_written_any_way(signed_in, asha, router_ticket):
    client = signed_in(asha)

    for query in ("98765 43210", "+919876543210", "098765-43210"):
        assert numbers(client.get("/search/", {"q": query})) == [router_ticket.number], query


def test_finds_tickets_by_words_of_the_subject_in_any_order(
    signed_in, asha, router_ticket, make_ticket, front_desk, make_contact
):
    other = make_ticket(requester=make_contact(), subject="Router lights blink", group=front_desk)
    client = signed_in(asha)

    assert numbers(client.get("/search/", {"q": "बंद राउटर"})) == [router_ticket.number]
    assert numbers(client.get("/search/", {"q": "ROUTER blink"})) == [other.number]


def test_finds_tickets_by_words_of_the_requesters_name(signed_in, asha, router_ticket):
    assert numbers(signed_in(asha).get("/search/", {"q": "sunita"})) == [router_ticket.number]


def test_the_results_show_the_ticket_row(signed_in, asha, router_ticket):
    page = signed_in(asha).get("/search/", {"q": "राउटर"}).content.decode()

    assert f"#{router_ticket.number}" in page
    assert "1 ticket matches." in page
    assert ">राउटर बार-बार बंद हो रहा है</a>" in page
    assert "Sunita Verma" in page and "Front line" in page


def test_an_agent_never_finds_a_ticket_of_another_group(signed_in, asha, invoice_ticket):
    client = signed_in(asha)

    for query in (
        f"#{invoice_ticket.number}",
        "accounts@other.example",
        "+91 91234 56789",
        "invoice printer",
        "Other Accounts",
    ):
        response = client.get("/search/", {"q": query})
        assert numbers(response) == [], query
        assert "Invoice printer" not in response.content.decode()


def test_an_agent_finds_tickets_outside_their_groups_that_they_own_or_help_on(
    signed_in, asha, invoice_ticket, make_ticket, make_contact, billing, make_agent
):
    owned = make_ticket(
        requester=make_contact(), subject="Invoice copy needed", group=billing, owner=asha
    )
    supervisor = make_agent(role=AgentProfile.Role.SUPERVISOR)
    tickets.add_collaborator(invoice_ticket.pk, agent=asha, actor=supervisor)

    found = numbers(signed_in(asha).get("/search/", {"q": "invoice"}))

    assert sorted(found) == sorted([owned.number, invoice_ticket.number])


def test_supervisors_and_admins_find_every_ticket(
    signed_in, make_agent, invoice_ticket, router_ticket
):
    for role in (AgentProfile.Role.SUPERVISOR, AgentProfile.Role.ADMIN):
        client = signed_in(make_agent(role=role))
        assert numbers(client.get("/search/", {"q": f"#{invoice_ticket.number}"})) == [
            invoice_ticket.number
        ]


def test_an_empty_search_shows_the_form_and_no_results(signed_in, asha, router_ticket):
    response = signed_in(asha).get("/search/")

    assert response.status_code == 200
    assert "<table" not in response.content.decode()


def test_no_match_says_so(signed_in, asha, router_ticket):
    page = signed_in(asha).get("/search/", {"q": "nothing-like-this"}).content.decode()

    assert "No ticket matches. Try fewer words" in page
    assert "<table" not in page


def test_a_very_long_search_is_refused_with_400(signed_in, asha):
    response = signed_in(asha).get("/search/", {"q": "x" * 201})

    assert response.status_code == 400
    assert "Search for at most 200 characters." in response.content.decode()


def test_the_list_stops_at_fifty_and_says_there_are_more(
    signed_in, asha, make_ticket, make_contact, front_desk, django_assert_max_num_queries
):
    for n in range(52):
        make_ticket(requester=make_contact(), subject=f"Scanner fault {n}", group=front_desk)
    client = signed_in(asha)

    # 8 for the page, 2 for the sidebar's queues (the agent's groups, the views).
    with django_assert_max_num_queries(10):
        response = client.get("/search/", {"q": "scanner"})

    assert len(response.context["tickets"]) == 50
    assert "The newest 50 tickets that match" in response.content.decode()


def test_the_search_query_count_does_not_grow_with_the_results(
    signed_in, asha, make_ticket, make_contact, front_desk, django_assert_num_queries
):
    client = signed_in(asha)
    make_ticket(requester=make_contact(), subject="Scanner fault", group=front_desk)
    client.get("/search/", {"q": "scanner"})  # warm the session and the profile

    # Session; the user with their profile and settings; the configuration generation that
    # vouches for the agent's cached groups (the access layer), and the tickets with their
    # joins; then the sidebar's queues: the saved views (the counts come afterwards).
    with django_assert_num_queries(5):
        client.get("/search/", {"q": "scanner"})
    for n in range(10):
        make_ticket(requester=make_contact(), subject=f"Scanner fault {n}", group=front_desk)
    with django_assert_num_queries(5):
        client.get("/search/", {"q": "scanner"})
