"""The workspace home and the shell around every page: what an agent sees about themself,
where the links go, and that the page speaks the agent's language."""

import datetime as dt
import re

import pytest

from sampark.team.models import AgentProfile
from sampark.team.services import set_workspace_preferences

DEVANAGARI = re.compile(r"[\u0900-\u097F]")


@pytest.fixture
def asha(make_agent, make_group, default_group):
    billing = make_group(name="Billing", name_hi="बिलिंग", tier="L2")
    return make_agent(
        email="asha@sampark.test",
        name="Asha Rao",
        tier="L2",
        groups=[default_group, billing],
        skills=["printers", "gst"],
        languages=["hi", "en"],
    )


def test_home_shows_the_agents_profile(signed_in, asha):
    response = signed_in(asha).get("/home/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Welcome, Asha" in page
    for shown in ("Asha Rao", "asha@sampark.test", "Agent", "Level 2", "Front desk", "Billing"):
        assert shown in page
    assert "printers, gst" in page
    assert "Hindi, English" in page
    assert 'aria-current="page">Home' in page


def test_home_links_only_to_pages_that_exist(signed_in, asha):
    client = signed_in(asha)
    page = client.get("/home/").content.decode()

    links = set(re.findall(r'href="(/[^"]*)"', page)) - {"#main"}
    assert links
    for link in links:
        if link.startswith("/static/"):
            continue
        assert client.get(link).status_code == 200, link


def test_admins_see_the_configuration_link_and_agents_do_not(signed_in, asha, make_agent):
    assert 'href="/admin/"' not in signed_in(asha).get("/home/").content.decode()

    admin = make_agent(role=AgentProfile.Role.ADMIN)
    assert 'href="/admin/"' in signed_in(admin).get("/home/").content.decode()


def test_the_shell_marks_the_agents_presence(signed_in, asha):
    page = signed_in(asha).get("/home/").content.decode()

    assert re.search(r'value="offline" class="presence-offline" aria-pressed="true"', page)
    assert re.search(r'value="online" class="presence-online" aria-pressed="false"', page)


def test_home_speaks_hindi_to_a_hindi_browser(signed_in, asha):
    response = signed_in(asha).get("/home/", headers={"accept-language": "hi"})

    page = response.content.decode()
    assert '<html lang="hi">' in page
    assert "आपकी प्रोफ़ाइल" in page
    assert "बिलिंग" in page  # the group's Hindi name
    assert "स्तर 2" in page


def test_the_hindi_page_has_no_english_interface_words(signed_in, asha):
    page = signed_in(asha).get("/home/", headers={"accept-language": "hi"}).content.decode()

    body = re.sub(r"<[^>]+>", " ", page.split("<body>", 1)[1])
    data = {
        "Asha",
        "Rao",
        "asha",
        "sampark",
        "test",
        "printers",
        "gst",
        "Front",
        "desk",
        "Sampark",
        "English",
        "Asia",
        "Kolkata",
        "Billing",
        "API",
        "SLA",  # acronyms stay in Latin letters (the glossary)
        "L2",
    }
    english = {word for word in re.findall(r"[A-Za-z]{2,}", body) if word not in data}
    assert not english


def test_the_sign_in_time_is_shown_in_the_agents_time_zone(signed_in, asha):
    client = signed_in(asha)  # signing in sets last_login; pin it afterwards
    type(asha).objects.filter(pk=asha.pk).update(
        last_login=dt.datetime(2026, 12, 7, 6, 0, tzinfo=dt.UTC)
    )

    assert "Dec. 7, 2026, 11:30 a.m." in client.get("/home/").content.decode()
    set_workspace_preferences(asha.agent, time_zone="Europe/London")
    assert "Dec. 7, 2026, 6 a.m." in client.get("/home/").content.decode()
    hindi = client.get("/home/", headers={"accept-language": "hi"}).content.decode()
    assert "7 दिसंबर 2026, 06:00" in hindi
