"""Signing in to and out of the agent workspace: who gets in, who is refused and how, and how
guessing passwords is slowed down."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from sampark.serving.sessions import SessionStore
from sampark.team.backends import AgentBackend
from sampark.team.models import AgentProfile
from sampark.workspace.models import WorkspaceSettings
from sampark.workspace.services.queues import set_keyboard_shortcuts
from tests.conftest import WORKSPACE_PASSWORD

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
User = get_user_model()


@pytest.fixture
def asha(make_agent, default_group):
    return make_agent(
        email="asha@sampark.test",
        name="Asha Rao",
        password=WORKSPACE_PASSWORD,
        groups=[default_group],
    )


def sign_in(client, email, password=WORKSPACE_PASSWORD, **extra):
    return client.post("/sign-in/", {"email": email, "password": password, **extra})


def test_root_sends_a_signed_out_visitor_to_the_sign_in_page(client, db):
    response = client.get("/")

    assert response.status_code == 302
    assert response.url == "/sign-in/"


def test_root_opens_the_home_page_for_a_signed_in_agent(client, asha):
    client.force_login(asha)

    response = client.get("/")

    assert response.status_code == 302
    assert response.url == "/home/"


def test_a_workspace_page_sends_a_signed_out_visitor_to_sign_in_and_back(client, db):
    response = client.get("/search/?q=printer")

    assert response.status_code == 302
    assert response.url == "/sign-in/?next=/search/%3Fq%3Dprinter"


def test_sign_in_page_shows_the_form(client, db):
    response = client.get("/sign-in/")

    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert 'name="email"' in page and 'autocomplete="current-password"' in page
    assert 'href="/password-reset/"' in page


def test_an_agent_signs_in_with_their_email_address_in_any_case(client, asha):
    response = sign_in(client, "  ASHA@Sampark.test ")

    assert response.status_code == 302
    assert response.url == "/home/"
    assert client.session["_auth_user_id"] == str(asha.pk)


def test_sign_in_returns_to_the_page_that_was_asked_for(client, asha):
    response = sign_in(client, asha.email, next="/search/?q=printer")

    assert response.url == "/search/?q=printer"


def test_sign_in_never_sends_the_browser_to_another_site(client, asha):
    response = sign_in(client, asha.email, next="https://evil.example/phish")

    assert response.url == "/home/"


def test_a_wrong_password_says_so_and_does_not_sign_in(client, asha):
    response = sign_in(client, asha.email, password="not-the-password")

    assert response.status_code == 200
    assert "The email address or the password is wrong." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_unknown_address_gets_the_same_answer_as_a_wrong_password(client, asha):
    response = sign_in(client, "nobody@sampark.test")

    assert response.status_code == 200
    assert "The email address or the password is wrong." in response.content.decode()


def test_empty_fields_are_named(client, db):
    page = client.post("/sign-in/", {"email": "", "password": ""}).content.decode()

    assert "Enter your email address." in page
    assert "Enter your password." in page


def test_a_user_without_an_agent_profile_is_refused_at_sign_in(client, db):
    User.objects.create_user("clerk", email="clerk@sampark.test", password=WORKSPACE_PASSWORD)

    response = sign_in(client, "clerk@sampark.test")

    assert response.status_code == 200
    assert "This account has no agent profile" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_switched_off_agent_is_told_so_once_the_password_is_right(client, asha):
    User.objects.filter(pk=asha.pk).update(is_active=False)

    right = sign_in(client, asha.email).content.decode()
    wrong = sign_in(client, asha.email, password="guess").content.decode()

    assert "This account is switched off." in right
    assert "switched off" not in wrong
    assert "_auth_user_id" not in client.session


def test_a_signed_in_user_without_an_agent_profile_is_refused_with_403(client, db):
    clerk = User.objects.create_user("clerk", email="clerk@sampark.test")
    client.force_login(clerk)

    for path in ("/home/", "/search/?q=1", "/preferences/"):
        response = client.get(path)
        assert response.status_code == 403
        assert "no agent profile" in response.content.decode()


def test_too_many_failed_sign_ins_for_an_account_stop_even_the_right_password(
    client, asha, settings
):
    settings.SAMPARK_SIGN_IN_FAILURES_PER_ACCOUNT = "3/h"
    for _attempt in range(3):
        assert sign_in(client, asha.email, password="guess").status_code == 200

    response = sign_in(client, asha.email)

    assert response.status_code == 429
    assert "Too many failed sign-ins." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_account_limit_does_not_lock_out_other_accounts(client, asha, make_agent, settings):
    settings.SAMPARK_SIGN_IN_FAILURES_PER_ACCOUNT = "2/h"
    other = make_agent(email="ravi@sampark.test", password=WORKSPACE_PASSWORD)
    for _attempt in range(2):
        sign_in(client, asha.email, password="guess")

    assert sign_in(client, other.email).status_code == 302


def test_failed_sign_ins_from_one_address_are_limited_across_accounts(client, asha, settings):
    settings.SAMPARK_SIGN_IN_FAILURES_PER_ADDRESS = "4/h"
    for n in range(4):
        sign_in(client, f"someone{n}@sampark.test", password="guess")

    assert sign_in(client, asha.email).status_code == 429
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert sign_in(elsewhere, asha.email).status_code == 302


def test_sign_out_takes_a_post_and_ends_the_session(client, asha):
    client.force_login(asha)

    assert client.get("/sign-out/").status_code == 405
    response = client.post("/sign-out/")

    assert response.status_code == 302
    assert response.url == "/sign-in/"
    assert client.get("/home/").status_code == 302


def test_the_sign_in_form_needs_the_csrf_token(asha):
    strict = Client(enforce_csrf_checks=True)

    response = sign_in(strict, asha.email)

    assert response.status_code == 403


def test_the_session_cookie_is_http_only_and_same_site_lax(client, asha):
    response = sign_in(client, asha.email)

    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_a_signed_in_agent_opening_the_sign_in_page_goes_home(client, asha):
    client.force_login(asha)

    response = client.get("/sign-in/")

    assert response.status_code == 302
    assert response.url == "/home/"


def test_admins_sign_in_to_the_workspace_too(client, make_agent):
    admin = make_agent(role=AgentProfile.Role.ADMIN, password=WORKSPACE_PASSWORD)

    assert sign_in(client, admin.email).url == "/home/"


# --- the signed-in user, found again on every request ----------------------------------------


def test_a_request_finds_the_user_with_profile_and_settings_in_one_query(
    client, asha, django_assert_num_queries
):
    set_keyboard_shortcuts(asha, False)
    client.force_login(asha)
    request = client.get("/home/").wsgi_request
    with django_assert_num_queries(0):  # the session and the user were read for the page
        user = request.user
        assert user.agent.role == AgentProfile.Role.AGENT
        assert user.workspace_settings.keyboard_shortcuts is False


def test_a_user_without_a_profile_or_settings_is_told_so_without_asking_again(
    client, db, django_assert_num_queries
):
    clerk = User.objects.create_user("clerk", "clerk@sampark.test", WORKSPACE_PASSWORD)
    with django_assert_num_queries(1):
        found = AgentBackend().get_user(clerk.pk)
    with django_assert_num_queries(0):
        with pytest.raises(AgentProfile.DoesNotExist):
            found.agent  # noqa: B018 - reading the relation is the test
        with pytest.raises(WorkspaceSettings.DoesNotExist):
            found.workspace_settings  # noqa: B018


def test_a_deactivated_or_deleted_user_is_signed_out_on_the_next_request(client, asha):
    client.force_login(asha)
    asha.is_active = False
    asha.save(update_fields=["is_active"])
    assert client.get("/home/").status_code == 302

    client.force_login(User.objects.create_user("temp", "temp@sampark.test", "x"))
    User.objects.filter(email="temp@sampark.test").delete()
    assert client.get("/home/").status_code == 302


def test_an_expired_or_unknown_session_reads_as_signed_out(client, asha):
    client.force_login(asha)
    assert client.get("/home/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/home/").status_code == 302

    unknown = SessionStore(session_key="no-such-session-key-1234")
    assert unknown.load() == {}
    assert unknown.session_key is None


def test_a_user_id_that_names_nobody_finds_nobody(asha):
    backend = AgentBackend()
    assert backend.get_user(asha.pk) == asha
    for nobody in (asha.pk + 1000, 0, -1, 2**40, "x", None):
        assert backend.get_user(nobody) is None
