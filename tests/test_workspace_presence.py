"""Presence in the top bar: one click, through the team service, as a fragment for htmx and as
a redirect without JavaScript."""

import pytest

from sampark.team.models import AgentProfile


@pytest.fixture
def asha(make_agent, default_group):
    return make_agent(groups=[default_group])


def presence_of(user) -> str:
    return AgentProfile.objects.get(user=user).presence


def test_one_click_sets_presence_and_returns_to_the_page(signed_in, asha):
    response = signed_in(asha).post("/presence/", {"presence": "online", "next": "/search/"})

    assert response.status_code == 302
    assert response.url == "/search/"
    assert presence_of(asha) == "online"


def test_an_htmx_click_gets_back_only_the_presence_control(signed_in, asha):
    response = signed_in(asha).post(
        "/presence/",
        {"presence": "away"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/home/"},
    )

    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<form class="presence"')
    assert "<html" not in fragment
    assert 'value="away" class="presence-away" aria-pressed="true"' in fragment
    assert 'name="next" value="/home/"' in fragment
    assert presence_of(asha) == "away"


def test_an_unknown_presence_is_refused_with_400(signed_in, asha):
    response = signed_in(asha).post("/presence/", {"presence": "asleep"})

    assert response.status_code == 400
    assert presence_of(asha) == "offline"


def test_presence_takes_a_post_only(signed_in, asha):
    assert signed_in(asha).get("/presence/").status_code == 405


def test_a_signed_out_visitor_cannot_change_presence(client, asha):
    response = client.post("/presence/", {"presence": "online"})

    assert response.status_code == 302
    assert response.url.startswith("/sign-in/")
    assert presence_of(asha) == "offline"


def test_presence_changes_leave_cached_configuration_alone(signed_in, asha):
    """Presence is routine: a change does not make every process reload its directory."""
    from sampark.db import configuration

    client = signed_in(asha)
    before = configuration.generation()

    client.post("/presence/", {"presence": "online"})

    assert configuration.generation() == before
