"""Routing rules in the Django admin: saved through the routing service (so refused the same
way as over the API), and every rule's page previews the recent tickets it would have matched,
also for a draft not yet saved."""

import pytest
from django.urls import reverse

from sampark.customers.services import save_organization
from sampark.routing.models import RoutingRule
from sampark.routing.services import save_routing_rule
from sampark.team.models import AgentProfile

ADD = "admin:routing_routingrule_add"


@pytest.fixture
def browser(client, make_agent):
    client.force_login(make_agent(role=AgentProfile.Role.ADMIN))
    return client


@pytest.fixture
def network(make_group):
    return make_group(name="Network")


def _form(browser, page_url) -> dict:
    form = browser.get(page_url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value in (None, False, [], ""):
            continue
        data[name] = "on" if value is True else value
    return data


def test_a_rule_added_in_the_admin_is_saved_by_the_routing_service(browser, network):
    tata = save_organization(name="Tata Motors")
    data = {
        **_form(browser, reverse(ADD)),
        "name": "Tata outages",
        "position": "5",
        "active": "on",
        "channels": ["phone", "email"],
        "languages": ["hi", "hinglish"],
        "organizations": [tata.pk],
        "keywords": "internet down, नेटवर्क बंद",
        "business_hours": "outside",
        "group": network.pk,
        "tags": "Outage, VIP",
    }

    response = browser.post(reverse(ADD), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    rule = RoutingRule.objects.get(name="Tata outages")
    assert rule.keywords == ["internet down", "नेटवर्क बंद"]
    assert sorted(rule.languages) == ["hi", "hinglish"]
    assert list(rule.organizations.all()) == [tata]
    assert rule.tags == ["outage", "vip"]
    assert rule.business_hours == "outside"


def test_a_rule_that_does_nothing_is_refused_on_the_form(browser):
    data = {**_form(browser, reverse(ADD)), "name": "Idle", "keywords": "printer"}

    response = browser.post(reverse(ADD), data)

    assert response.status_code == 200
    assert "group" in response.context["adminform"].form.errors
    assert not RoutingRule.objects.exists()


def test_preview_shows_the_recent_tickets_a_draft_would_match_and_saves_nothing(
    browser, make_ticket, network
):
    jam = make_ticket(subject="Printer jam")
    make_ticket(subject="Password reset")
    data = {
        **_form(browser, reverse(ADD)),
        "name": "Printers",
        "keywords": "printer",
        "group": network.pk,
        "_preview": "Preview",
    }

    response = browser.post(reverse(ADD), data)

    assert response.status_code == 200
    assert not RoutingRule.objects.exists()
    preview = response.context["routing_preview"]
    assert (preview.examined, preview.matched) == (2, 1)
    assert response.context["preview_rows"] == [(jam, ["keyword “printer”"])]
    assert f"#{jam.number}" in response.content.decode()


def test_a_saved_rules_page_previews_its_matches(browser, make_ticket, network):
    jam = make_ticket(subject="Printer jam", channel="phone")
    rule = save_routing_rule(name="Phones", channels=["phone"], group=network)

    page = browser.get(reverse("admin:routing_routingrule_change", args=[rule.pk]))

    assert page.status_code == 200
    assert [t for t, _words in page.context["preview_rows"]] == [jam]
    assert "channel Phone" in page.context["preview_rows"][0][1]
