"""The ticket page answers "why did this ticket come here?": the routing rules that matched,
the values that made them match, what they set, and how the owner was chosen, in the agent's
language."""

import pytest
from django.urls import reverse

from sampark.routing.services import save_routing_rule
from sampark.team.services import save_group
from sampark.tickets.models import Priority


@pytest.fixture
def network(make_group):
    return make_group(name="Network")


@pytest.fixture
def neha(make_agent, network):
    return make_agent(name="Neha Gupta", groups=[network])


def page(client, ticket, **headers):
    response = client.get(reverse("workspace:ticket", args=[ticket.pk]), headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_names_the_rule_its_reasons_and_what_it_set(signed_in, neha, network, make_ticket):
    save_routing_rule(
        name="Outages",
        keywords=["नेटवर्क"],
        channels=["phone"],
        group=network,
        skills=["fibre"],
        priority=Priority.objects.get(code="P1"),
    )
    ticket = make_ticket(subject="नेटवर्क बंद है", channel="phone")

    html = page(signed_in(neha), ticket)

    assert "Why this ticket came here" in html
    assert "Routing rule <strong>Outages</strong> matched:" in html
    assert "channel Phone; keyword “नेटवर्क”." in html
    assert "It set: group, skills, priority." in html
    assert "fibre" in html


def test_the_page_says_so_when_no_rule_matched(signed_in, make_agent, default_group, make_ticket):
    ticket = make_ticket()

    html = page(signed_in(make_agent(groups=[default_group])), ticket)

    assert "No routing rule matched." in html
    assert "nobody yet: waiting in the group&#x27;s queue" in html


def test_the_reason_reads_in_hindi(signed_in, neha, network, make_ticket):
    save_group(network, name_hi="नेटवर्क टीम")
    save_routing_rule(name="Outages", keywords=["नेटवर्क"], group=network)
    ticket = make_ticket(subject="नेटवर्क बंद है")

    html = page(signed_in(neha), ticket, **{"accept-language": "hi"})

    assert "यह टिकट यहाँ क्यों आया" in html
    assert "रूटिंग नियम <strong>Outages</strong> मेल खाया:" in html
    assert "कीवर्ड “नेटवर्क”" in html
    assert "<dd>नेटवर्क टीम</dd>" in html
