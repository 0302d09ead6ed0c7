"""One problem, one ticket, at intake: which customer messages clearly hold several problems,
and the ticket page's suggestion to split them, which splits nothing until an agent chooses."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sampark.tickets.models import Ticket, TicketEvent
from sampark.tickets.problems import problems_in

# --- which messages hold several problems ---------------------------------------------------


def test_a_numbered_list_of_unrelated_faults_is_several_problems():
    text = (
        "Hello,\n1. My wifi keeps dropping every hour\n2. The bill for March is wrong\n"
        "3. The TV remote does not work\nThanks"
    )
    assert problems_in(text) == [
        "My wifi keeps dropping every hour",
        "The bill for March is wrong",
        "The TV remote does not work",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "मेरी दो समस्याएँ हैं:\n१. इंटरनेट बंद है\n२. बिल गलत आया है",
        "1) internet band hai 2) bill galat aaya hai",
        "- router is not working\n- the invoice amount is wrong",
        "(a) printer is jammed\n(b) scanner is slow",
    ],
)
def test_lists_in_any_script_and_style_are_read(text):
    assert len(problems_in(text)) == 2


@pytest.mark.parametrize(
    ("text", "second"),
    [
        (
            "Router is not working. Another problem: I was charged twice for the installation.",
            "Another problem: I was charged twice for the installation",
        ),
        ("wifi nahi chal raha. ek aur problem, bill mein galat amount hai", None),
        ("इंटरनेट बंद है। इसके अलावा बिल भी गलत आया है।", None),
    ],
)
def test_a_customer_who_says_there_is_another_problem_is_read(text, second):
    parts = problems_in(text)
    assert len(parts) == 2
    if second:
        assert parts[1] == second


@pytest.mark.parametrize(
    "text",
    [
        "My router is not working since yesterday, please help.",
        "Steps:\n1. open the app\n2. tap Login\n3. it shows an error",
        "- router not working\n- please call me after 5 pm",
        "1. Name: Sunita Verma\n2. Phone: 98765 43210",
        "",
    ],
)
def test_one_problem_or_a_list_of_steps_is_not_several_problems(text):
    assert problems_in(text) == []


# --- the ticket page's suggestion -----------------------------------------------------------

SEVERAL = "1. Internet is down since morning\n2. The bill amount is wrong\n3. Router makes a noise"


@pytest.fixture
def desk(make_group):
    return make_group(name="Home broadband", tier="L1")


@pytest.fixture
def asha(make_agent, desk):
    return make_agent(email="asha@sampark.test", name="Asha Rao", groups=[desk])


@pytest.fixture
def outsider(make_agent, make_group):
    return make_agent(email="olu@sampark.test", name="Olu", groups=[make_group(name="Billing")])


@pytest.fixture
def several(make_ticket, desk, asha):
    return make_ticket(subject="Many problems", group=desk, owner=asha, description=SEVERAL)


def page(ticket):
    return reverse("workspace:ticket", args=[ticket.pk])


def test_the_page_suggests_splitting_each_other_problem_and_splits_nothing(
    signed_in, asha, several
):
    html = signed_in(asha).get(page(several)).content.decode()

    assert "This message seems to hold 3 problems" in html
    assert "Internet is down since morning" in html and "stays on this ticket" in html
    assert html.count("Make it a ticket of its own") == 2
    assert 'value="The bill amount is wrong"' in html
    assert not Ticket.objects.filter(split_from=several).exists()


def test_the_suggestion_splits_one_problem_into_a_ticket_through_the_split_action(
    signed_in, asha, several
):
    message = TicketEvent.objects.get(ticket=several, kind=TicketEvent.Kind.MESSAGE_IN)
    client = signed_in(asha)

    response = client.post(
        page(several) + "split/",
        {"event_ids": [message.pk], "subject": "The bill amount is wrong", "version": 1},
        follow=True,
    )

    new = Ticket.objects.get(split_from=several)
    assert new.subject == "The bill amount is wrong"
    assert new.owner == asha  # the customer keeps their single point of contact
    html = response.content.decode()
    assert f"Already split off from this message: #{new.number}" in html


def test_a_message_with_one_problem_gets_no_suggestion(signed_in, asha, make_ticket, desk):
    ticket = make_ticket(group=desk, owner=asha, description="The printer is jammed.")
    html = signed_in(asha).get(page(ticket)).content.decode()
    assert "problems" not in html.split('id="timeline"')[0]


def test_the_suggestion_shows_in_hindi(signed_in, asha, several):
    response = signed_in(asha).get(page(several), headers={"accept-language": "hi"})
    html = response.content.decode()
    assert "इसे अलग टिकट बनाएँ" in html and "लगता है इस संदेश में 3 समस्याएँ हैं" in html


def test_an_agent_who_may_not_see_the_ticket_gets_404_for_the_split(signed_in, outsider, several):
    message = TicketEvent.objects.get(ticket=several, kind=TicketEvent.Kind.MESSAGE_IN)
    response = signed_in(outsider).post(
        page(several) + "split/",
        {"event_ids": [message.pk], "subject": "Bill", "version": 1},
    )
    assert response.status_code == 404
    assert not Ticket.objects.filter(split_from=several).exists()


def test_the_suggestion_costs_the_page_no_query(signed_in, asha, several, make_ticket, desk):
    plain = make_ticket(group=desk, owner=asha, description="The printer is jammed.")
    client = signed_in(asha)
    client.get(page(plain))  # the session and the caches, once
    counts = []
    for ticket in (plain, several):
        with CaptureQueriesContext(connection) as queries:
            client.get(page(ticket))
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_proposed_subject_is_the_problems_first_sentence(signed_in, asha, make_ticket, desk):
    ticket = make_ticket(
        group=desk,
        owner=asha,
        description="1. Wifi is slow. It drops at noon.\n2. मीटर खराब है। रीडिंग गलत आती है।",
    )
    html = signed_in(asha).get(page(ticket)).content.decode()
    assert 'value="मीटर खराब है।"' in html
