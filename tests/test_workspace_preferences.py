"""The agent's language and time zone: one click to switch, kept on the profile so that they
follow the agent to every computer, and applied to every workspace page."""

import pytest
from django.test import Client

from sampark.team.models import AgentProfile
from tests.conftest import WORKSPACE_PASSWORD

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


@pytest.fixture
def asha(make_agent, default_group):
    return make_agent(
        email="asha@sampark.test", password=WORKSPACE_PASSWORD, groups=[default_group]
    )


def profile(user) -> AgentProfile:
    return AgentProfile.objects.get(user=user)


def test_switching_to_hindi_is_kept_on_the_profile_and_returns_to_the_page(signed_in, asha):
    client = signed_in(asha)

    response = client.post("/language/", {"language": "hi", "next": "/search/?q=1"})

    assert response.status_code == 302
    assert response.url == "/search/?q=1"
    assert profile(asha).language == "hi"
    assert '<html lang="hi">' in client.get("/home/").content.decode()


def test_hindi_follows_the_agent_to_another_computer(signed_in, asha):
    signed_in(asha).post("/language/", {"language": "hi"})
    elsewhere = Client(headers={"accept-language": "en"})

    elsewhere.post("/sign-in/", {"email": asha.email, "password": WORKSPACE_PASSWORD})
    page = elsewhere.get("/home/").content.decode()

    assert '<html lang="hi">' in page
    assert "आपकी प्रोफ़ाइल" in page


def test_signing_in_sets_the_language_cookie_so_the_sign_in_page_stays_hindi(signed_in, asha):
    signed_in(asha).post("/language/", {"language": "hi"})
    elsewhere = Client()

    elsewhere.post("/sign-in/", {"email": asha.email, "password": WORKSPACE_PASSWORD})
    elsewhere.post("/sign-out/")

    assert '<html lang="hi">' in elsewhere.get("/sign-in/").content.decode()


def test_the_switch_on_the_sign_in_page_sets_only_the_cookie(client, asha):
    response = client.post("/language/", {"language": "hi", "next": "/sign-in/"})

    assert response.url == "/sign-in/"
    assert response.cookies["django_language"].value == "hi"
    assert '<html lang="hi">' in client.get("/sign-in/").content.decode()
    assert profile(asha).language == ""


def test_an_agent_without_a_chosen_language_gets_the_browsers(signed_in, asha):
    client = signed_in(asha)

    assert (
        '<html lang="hi">'
        in client.get("/home/", headers={"accept-language": "hi"}).content.decode()
    )
    assert (
        '<html lang="en">'
        in client.get("/home/", headers={"accept-language": "en"}).content.decode()
    )


def test_the_chosen_language_wins_over_the_browsers_on_workspace_pages_only(signed_in, asha):
    client = signed_in(asha)
    client.post("/language/", {"language": "hi"})
    client.cookies.pop("django_language")

    home = client.get("/home/", headers={"accept-language": "en"})
    admin = client.get("/admin/login/", headers={"accept-language": "en"})

    assert '<html lang="hi">' in home.content.decode()
    assert admin.headers["Content-Language"] == "en"


def test_an_unknown_language_is_refused_with_400(signed_in, asha):
    response = signed_in(asha).post("/language/", {"language": "fr"})

    assert response.status_code == 400
    assert profile(asha).language == ""


def test_the_language_switch_never_sends_the_browser_to_another_site(signed_in, asha):
    response = signed_in(asha).post("/language/", {"language": "en", "next": "//evil.example/"})

    assert response.url == "/"


def test_the_language_switch_takes_a_post_only(signed_in, asha):
    assert signed_in(asha).get("/language/?language=hi").status_code == 405


def test_preferences_page_saves_language_and_time_zone(signed_in, asha):
    client = signed_in(asha)

    response = client.post("/preferences/", {"language": "hi", "time_zone": "Asia/Dubai"})

    assert response.status_code == 302
    saved = profile(asha)
    assert (saved.language, saved.time_zone) == ("hi", "Asia/Dubai")
    page = client.get("/preferences/").content.decode()
    assert "आपकी पसंद सहेज ली गई है।" in page
    assert '<option value="Asia/Dubai" selected>' in page


def test_the_time_zone_changes_the_times_on_every_page(signed_in, asha):
    client = signed_in(asha)

    client.post("/preferences/", {"language": "", "time_zone": "America/New_York"})

    assert "in America/New_York" in client.get("/preferences/").content.decode()
    assert "America/New_York" in client.get("/home/").content.decode()


def test_an_unknown_time_zone_is_a_form_error(signed_in, asha):
    response = signed_in(asha).post("/preferences/", {"language": "", "time_zone": "Mars/Olympus"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert profile(asha).time_zone == ""


def test_going_back_to_the_browsers_language_forgets_the_cookie(signed_in, asha):
    client = signed_in(asha)
    client.post("/language/", {"language": "hi"})

    response = client.post("/preferences/", {"language": "", "time_zone": ""})

    assert response.cookies["django_language"].value == ""
    assert profile(asha).language == ""
    assert '<html lang="en">' in client.get("/home/").content.decode()


def test_the_service_refuses_an_unknown_time_zone(asha):
    from sampark.core.errors import InvalidInput
    from sampark.team.services import set_workspace_preferences

    with pytest.raises(InvalidInput) as raised:
        set_workspace_preferences(profile(asha), time_zone="Nowhere/Town")

    assert raised.value.field == "time_zone"
