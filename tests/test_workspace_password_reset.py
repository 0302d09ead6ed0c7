"""Setting a new password by email: only agents get a link, in their own language, and the link
sets a password they can sign in with."""

import re

import pytest
from django.contrib.auth import get_user_model

from sampark.team.services import set_workspace_preferences
from tests.conftest import WORKSPACE_PASSWORD

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
NEW_PASSWORD = "plum-Tiger-4417"  # noqa: S105


@pytest.fixture
def asha(make_agent, default_group):
    return make_agent(
        email="asha@sampark.test",
        name="Asha Rao",
        password=WORKSPACE_PASSWORD,
        groups=[default_group],
    )


def ask_for_link(client, email):
    return client.post("/password-reset/", {"email": email})


def link_in(message) -> str:
    return re.search(r"http://testserver(/password-reset/\S+/\S+/)", message.body).group(1)


def test_the_reset_page_asks_for_the_email_address(client, db):
    page = client.get("/password-reset/").content.decode()

    assert 'autocomplete="email"' in page
    assert "Email me a link" in page


def test_an_agent_gets_a_link_that_sets_a_new_password(client, asha, mailoutbox):
    response = ask_for_link(client, "ASHA@sampark.test")

    assert response.status_code == 302
    assert response.url == "/password-reset/sent/"
    assert "Check your email" in client.get(response.url).content.decode()
    [message] = mailoutbox
    assert message.to == ["asha@sampark.test"]
    assert message.subject == "Sampark: set a new password"
    assert "Hello Asha," in message.body
    assert "for 24 hours" in message.body

    form_page = client.get(link_in(message), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert done.url == "/password-reset/done/"

    signed_in = client.post("/sign-in/", {"email": asha.email, "password": NEW_PASSWORD})
    assert signed_in.url == "/home/"


def test_a_link_works_only_once(client, asha, mailoutbox):
    ask_for_link(client, asha.email)
    link = link_in(mailoutbox[0])
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    page = client.get(link, follow=True).content.decode()

    assert "This link has been used already or is too old." in page


def test_a_weak_or_mismatched_new_password_is_refused_with_reasons(client, asha, mailoutbox):
    ask_for_link(client, asha.email)
    form_url = client.get(link_in(mailoutbox[0]), follow=True).redirect_chain[-1][0]

    weak = client.post(form_url, {"new_password1": "12345678", "new_password2": "12345678"})
    mismatched = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": "other"})

    assert "This password is only digits: add letters." in weak.content.decode()
    assert "The two passwords are not the same." in mismatched.content.decode()


def test_an_unknown_address_gets_the_same_page_and_no_email(client, asha, mailoutbox):
    response = ask_for_link(client, "nobody@sampark.test")

    assert response.url == "/password-reset/sent/"
    assert mailoutbox == []


def test_a_user_who_is_not_an_agent_gets_no_email(client, db, mailoutbox):
    get_user_model().objects.create_user("clerk", email="clerk@sampark.test", password="x-y-z-123")

    ask_for_link(client, "clerk@sampark.test")

    assert mailoutbox == []


def test_the_email_speaks_the_agents_language(client, asha, mailoutbox):
    set_workspace_preferences(asha.agent, language="hi")

    ask_for_link(client, asha.email)

    [message] = mailoutbox
    assert message.subject == "Sampark: नया पासवर्ड सेट करें"
    assert "नमस्ते Asha," in message.body


def test_too_many_reset_requests_from_one_address_are_refused(client, asha, mailoutbox, settings):
    settings.SAMPARK_PASSWORD_RESETS_PER_ADDRESS = "2/h"
    ask_for_link(client, asha.email)
    ask_for_link(client, asha.email)

    response = ask_for_link(client, asha.email)

    assert response.status_code == 429
    assert "Too many password reset requests." in response.content.decode()
    assert len(mailoutbox) == 2


def test_the_reset_pages_speak_hindi(client, db):
    page = client.get("/password-reset/", headers={"accept-language": "hi"}).content.decode()

    assert '<html lang="hi">' in page
    assert "मुझे लिंक ईमेल करें" in page
