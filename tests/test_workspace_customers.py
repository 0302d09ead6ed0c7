"""The contact and organization pages and the contact merge, as each persona sees them.

The desk: Home broadband (where Asha works, with a team lead narrowed to that group) and the
Billing desk (where Olu works); a supervisor and an admin see every ticket. Sunita Verma of
Acme writes to both desks. Customer records are open to every agent, as in the API; the
tickets on these pages, their counts and the interactions are only those the agent may see.
Merging is for supervisors and admins."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sampark.customers import services as customers
from sampark.customers.models import Contact, ContactMerge, Identity
from sampark.team.models import AgentProfile
from sampark.tickets import services as tickets
from sampark.tickets.models import Ticket, TicketEvent
from sampark.workflows.contact_merge import merge_contacts
from sampark.workspace import customer_queries

Kind = TicketEvent.Kind
MISSING = 987654


@pytest.fixture
def front_desk(make_group):
    return make_group(name="Home broadband", tier="L1")


@pytest.fixture
def billing(make_group):
    return make_group(name="Billing desk", tier="L1")


@pytest.fixture
def asha(make_agent, front_desk):
    return make_agent(email="asha@sampark.test", name="Asha Rao", groups=[front_desk])


@pytest.fixture
def olu(make_agent, billing):
    return make_agent(email="olu@sampark.test", name="Olu Tside", groups=[billing])


@pytest.fixture
def lead(make_agent, front_desk):
    """A supervisor whose ticket access an admin narrowed to her groups."""
    return make_agent(
        email="lead@sampark.test",
        name="Lata Desai",
        role=AgentProfile.Role.SUPERVISOR,
        groups=[front_desk],
        ticket_access="groups",
    )


@pytest.fixture
def meenakshi(make_agent, front_desk):
    return make_agent(
        email="meenakshi@sampark.test",
        name="Meenakshi Rao",
        role=AgentProfile.Role.SUPERVISOR,
        groups=[front_desk],
    )


@pytest.fixture
def admin(make_agent, billing):
    return make_agent(email="admin@sampark.test", name="Anil Admin", role="admin", groups=[billing])


@pytest.fixture
def rahul(make_agent, front_desk):
    """Acme's account manager."""
    return make_agent(email="rahul@sampark.test", name="Rahul Mehta", groups=[front_desk])


@pytest.fixture
def acme(rahul):
    return customers.save_organization(
        name="Acme Pvt Ltd",
        tier="enterprise",
        account_manager=rahul,
        domains=["acme.example"],
        notes="Pays on the 5th.",
    )


@pytest.fixture
def sunita(make_contact, acme):
    return make_contact(
        email="sunita@acme.example", phone="+91 98765 43210", name="Sunita Verma", language="hi"
    )


@pytest.fixture
def router(make_ticket, sunita, front_desk, asha):
    """Sunita's ticket at Home broadband, with a customer message, a reply, a call and a note."""
    ticket = make_ticket(
        requester=sunita,
        subject="राउटर बार-बार बंद हो रहा है",
        group=front_desk,
        language="hi",
        owner=asha,
    )
    tickets.add_message(ticket.pk, body="Still dropping every hour", public=True, contact=sunita)
    tickets.add_message(ticket.pk, body="Please restart it once", public=True, agent=asha)
    tickets.log_call(
        ticket.pk, agent=asha, direction="outbound", duration_seconds=240, summary="Walked through"
    )
    tickets.add_message(ticket.pk, body="Secret: line card faulty", public=False, agent=asha)
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def invoice(make_ticket, sunita, billing, olu):
    """Sunita's ticket at the Billing desk, which Asha may not see."""
    ticket = make_ticket(requester=sunita, subject="Invoice twice charged", group=billing)
    tickets.add_message(ticket.pk, body="Charged twice in May", public=True, contact=sunita)
    return Ticket.objects.get(pk=ticket.pk)


def contact_url(contact, suffix=""):
    return reverse("workspace:contact", args=[contact.pk]) + suffix


def organization_url(org, suffix=""):
    return reverse("workspace:organization", args=[org.pk]) + suffix


def merge_url(contact):
    return reverse("workspace:contact_merge", args=[contact.pk])


def ticket_url(ticket):
    return reverse("workspace:ticket", args=[ticket.pk])


def listed_numbers(html: str) -> list[int]:
    """The ticket numbers of the page's ticket table, in order."""
    table = html.split('class="list queue-list', 1)[-1].split("</table>", 1)[0]
    return [
        int(n) for n in re.findall(r'<td class="number"><a [^>]*href="[^"]+">#(\d+)</a>', table)
    ]


def interaction_numbers(html: str) -> set[int]:
    return {
        int(n) for n in re.findall(r'<div class="event-ticket"><a href="[^"]+">#(\d+)</a>', html)
    }


# --- the contact page -----------------------------------------------------------------------


def test_the_contact_page_shows_the_profile_identities_assets_and_account(
    signed_in, asha, sunita, router, acme
):
    customers.add_identity(sunita, "messaging", "tg:sunita_verma")
    customers.save_asset(
        contact=sunita, name="Home router", model_number="AX-3000", serial_number="SN-77"
    )

    response = signed_in(asha).get(contact_url(sunita))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Sunita Verma</h1>" in html
    assert "Hindi" in html and "Asia/Kolkata" in html
    assert f'<a href="{organization_url(acme)}">Acme Pvt Ltd</a> · Enterprise' in html
    assert "Rahul Mehta" in html
    for value in ("sunita@acme.example", "+919876543210", "tg:sunita_verma"):
        assert value in html
    assert "Home router" in html and "AX-3000" in html and "SN-77" in html


def test_an_agent_sees_only_the_tickets_of_her_scope_listed_counted_and_in_the_interactions(
    signed_in, asha, sunita, router, invoice
):
    html = signed_in(asha).get(contact_url(sunita)).content.decode()

    assert listed_numbers(html) == [router.number]
    assert f'href="{ticket_url(router)}"' in html
    assert "Invoice twice charged" not in html and "Charged twice in May" not in html
    assert f"#{invoice.number}" not in html
    assert "<strong>1</strong> ticket in all" in html
    assert interaction_numbers(html) == {router.number}


@pytest.mark.parametrize(
    ("persona", "sees_router", "sees_invoice"),
    [
        ("asha", True, False),  # an agent: her groups
        ("olu", False, True),
        ("lead", True, False),  # a supervisor narrowed to her groups
        ("meenakshi", True, True),  # a supervisor: every ticket
        ("admin", True, True),
    ],
)
def test_each_persona_sees_the_tickets_of_their_access_on_both_pages(
    signed_in, request, persona, sees_router, sees_invoice, sunita, acme, router, invoice
):
    client = signed_in(request.getfixturevalue(persona))
    expected = [t.number for t, seen in ((invoice, sees_invoice), (router, sees_router)) if seen]

    contact_page = client.get(contact_url(sunita)).content.decode()
    organization_page = client.get(organization_url(acme)).content.decode()

    assert listed_numbers(contact_page) == expected
    assert interaction_numbers(contact_page) == set(expected)
    assert listed_numbers(organization_page) == expected
    assert client.get(contact_url(sunita)).context["counts"].total == len(expected)
    assert client.get(organization_url(acme)).context["counts"].active == len(expected)


def test_a_contact_none_of_whose_tickets_the_agent_may_see_shows_the_profile_only(
    signed_in, olu, sunita, router
):
    response = signed_in(olu).get(contact_url(sunita))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Sunita Verma" in html and "sunita@acme.example" in html
    assert "None that you may see." in html
    assert "<strong>0</strong> tickets in all" in html
    assert listed_numbers(html) == [] and interaction_numbers(html) == set()
    assert "Still dropping" not in html


def test_interactions_are_messages_replies_calls_and_openings_newest_first_never_notes(
    signed_in, asha, sunita, router
):
    html = signed_in(asha).get(contact_url(sunita)).content.decode()
    interactions = html.split('id="interactions"', 1)[1]

    assert "Secret: line card faulty" not in html
    order = [
        interactions.index(text)
        for text in ("Walked through", "Please restart it once", "Still dropping every hour")
    ]
    assert order == sorted(order)
    assert "Outbound call · 4 minutes" in interactions
    assert "Opened the ticket" in interactions


def test_older_interactions_come_on_demand_a_page_at_a_time(signed_in, asha, sunita, router):
    for n in range(customer_queries.INTERACTIONS):
        tickets.add_message(router.pk, body=f"update {n}", public=True, contact=sunita)
    client = signed_in(asha)

    page = client.get(contact_url(sunita))
    html = page.content.decode()
    assert "update 29" in html and "Still dropping every hour" not in html
    cursor = page.context["timeline"].next_cursor
    assert cursor is not None

    older = client.get(
        reverse("workspace:contact_interactions", args=[sunita.pk]),
        {"cursor": cursor},
        headers={"HX-Request": "true"},
    )
    assert older.status_code == 200
    html = older.content.decode()
    assert "Still dropping every hour" in html and "Opened the ticket" in html
    assert "update 29" not in html and "<html" not in html


def test_the_tickets_of_a_contact_come_a_page_at_a_time(
    signed_in, asha, sunita, make_ticket, front_desk
):
    opened = [
        make_ticket(requester=sunita, subject=f"Problem {n}", group=front_desk)
        for n in range(customer_queries.CONTACT_TICKETS + 3)
    ]
    client = signed_in(asha)

    first = client.get(contact_url(sunita))
    newest = [t.number for t in reversed(opened)]
    assert listed_numbers(first.content.decode()) == newest[: customer_queries.CONTACT_TICKETS]
    cursor = first.context["tickets"].next_cursor
    second = client.get(contact_url(sunita), {"tickets": cursor})
    assert listed_numbers(second.content.decode()) == newest[customer_queries.CONTACT_TICKETS :]
    assert second.context["tickets"].next_cursor is None


def test_the_contact_page_lists_the_contacts_merged_into_it(
    signed_in, asha, sunita, make_contact, meenakshi
):
    old = make_contact(email="sunita.old@mail.example", name="S. Verma")
    merge_contacts(old, sunita, actor=meenakshi)

    html = signed_in(asha).get(contact_url(sunita)).content.decode()

    assert "Merged into this contact" in html
    assert "S. Verma" in html and "by Meenakshi Rao" in html
    assert "email:sunita.old@mail.example" in html


# --- query counts ---------------------------------------------------------------------------


def _count_queries(client, url) -> int:
    client.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# Session, user and profile; the contact with their organization and account manager; the
# agent's groups (the scope, read under the configuration generation); identities; assets;
# the counts; the ticket list's ids, then its tickets with their organizations, clocks, tags
# and collaborators; the interactions' tickets and events; the merges; and the shell's
# generation, sidebar counts and saved views, as on every workspace page.
CONTACT_QUERIES = 20
# The same frame; the organization with its account manager, its domains, the counts, the
# ticket list (six, as above), its people with their identities and open tickets, its assets.
ORGANIZATION_QUERIES = 20


@pytest.mark.parametrize("persona", ["asha", "meenakshi"])
def test_the_contact_page_runs_the_same_queries_however_many_tickets_and_identities(
    signed_in, request, persona, sunita, router, invoice, make_ticket, front_desk, billing
):
    client = signed_in(request.getfixturevalue(persona))
    few = _count_queries(client, contact_url(sunita))
    for n in range(30):
        ticket = make_ticket(
            requester=sunita, subject=f"Problem {n}", group=[front_desk, billing][n % 2]
        )
        tickets.add_message(ticket.pk, body=f"message {n}", public=True, contact=sunita)
        customers.add_identity(sunita, "messaging", f"tg:sunita_{n}")
        customers.save_asset(contact=sunita, name=f"Device {n}", serial_number=f"SN-{n}")

    many = _count_queries(client, contact_url(sunita))

    assert few == many <= CONTACT_QUERIES


@pytest.mark.parametrize("persona", ["asha", "meenakshi"])
def test_the_organization_page_runs_the_same_queries_however_big_the_account(
    signed_in,
    request,
    persona,
    acme,
    sunita,
    router,
    invoice,
    make_contact,
    make_ticket,
    front_desk,
):
    client = signed_in(request.getfixturevalue(persona))
    few = _count_queries(client, organization_url(acme))
    for n in range(30):
        person = make_contact(email=f"person{n}@acme.example", phone=f"+91 98111 000{n:02d}")
        make_ticket(requester=person, subject=f"Problem {n}", group=front_desk)
        customers.save_asset(organization=acme, name=f"Server {n}", serial_number=f"SRV-{n}")

    many = _count_queries(client, organization_url(acme))

    assert few == many <= ORGANIZATION_QUERIES


# --- bad ids and bad links --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["workspace:contact", "workspace:contact_interactions", "workspace:contact_merge"]
)
def test_a_missing_contact_is_not_found(signed_in, meenakshi, name):
    client = signed_in(meenakshi)

    assert client.get(reverse(name, args=[MISSING])).status_code == 404
    assert client.get(f"/contacts/{2**70}/").status_code == 404


def test_a_missing_organization_is_not_found(signed_in, asha):
    client = signed_in(asha)

    assert client.get(reverse("workspace:organization", args=[MISSING])).status_code == 404
    assert client.get(f"/organizations/{2**70}/").status_code == 404


@pytest.mark.parametrize(
    "params",
    [{"cursor": "not-a-cursor"}, {"tickets": "bm90IG91cnM"}, {"cursor": "x" * 600}],
)
def test_a_broken_contact_page_link_is_a_bad_request(signed_in, asha, sunita, router, params):
    client = signed_in(asha)

    assert client.get(contact_url(sunita), params).status_code == 400
    older = reverse("workspace:contact_interactions", args=[sunita.pk])
    if "cursor" in params:
        assert client.get(older, params).status_code == 400


@pytest.mark.parametrize(
    "params",
    [{"show": "closed"}, {"tickets": "broken"}, {"contacts": "WyJhIl0"}, {"assets": "e30"}],
)
def test_a_broken_organization_page_link_is_a_bad_request(signed_in, asha, acme, params):
    assert signed_in(asha).get(organization_url(acme), params).status_code == 400


def test_the_pages_need_a_signed_in_agent(client, sunita, acme):
    for url in (contact_url(sunita), organization_url(acme), merge_url(sunita)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("workspace:sign_in"))


# --- merging two contacts -------------------------------------------------------------------


@pytest.fixture
def duplicate(make_contact, make_ticket, front_desk, billing):
    """Sunita again, from her personal address, with a ticket in each desk."""
    contact = make_contact(email="sunita.verma.bpl@mail.example", name="Sunita V.")
    make_ticket(requester=contact, subject="Modem light red", group=front_desk)
    make_ticket(requester=contact, subject="Refund please", group=billing)
    return contact


def test_a_supervisor_finds_the_other_contact_by_email_phone_or_name(
    signed_in, meenakshi, sunita, duplicate, make_contact
):
    customers.add_identity(duplicate, "phone", "+91 99887 76655")
    client = signed_in(meenakshi)

    for query in ("SUNITA.VERMA.BPL@mail.example", "099887-76655", "sunita v"):
        response = client.get(merge_url(sunita), {"q": query})
        assert response.status_code == 200
        assert [c.pk for c in response.context["candidates"]] == [duplicate.pk], query
    # The contact itself and merged contacts are never offered.
    assert client.get(merge_url(sunita), {"q": "sunita@acme.example"}).context["candidates"] == []
    gone = make_contact(email="sunita.gone@mail.example", name="Sunita Gone")
    merge_contacts(gone, duplicate, actor=meenakshi)
    names = [c.name for c in client.get(merge_url(sunita), {"q": "sunita"}).context["candidates"]]
    assert names == ["Sunita V."]


def test_merging_from_the_contact_page_moves_everything_to_the_contact_that_stays(
    signed_in, meenakshi, sunita, duplicate
):
    client = signed_in(meenakshi)
    assert f'action="{merge_url(sunita)}"' in client.get(contact_url(sunita)).content.decode()

    confirm = client.get(merge_url(sunita), {"other": duplicate.pk})
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "Which contact stays?" in html and "sunita.verma.bpl@mail.example" in html

    response = client.post(merge_url(sunita), {"other": duplicate.pk, "keep": "this"}, follow=True)

    assert response.redirect_chain == [(contact_url(sunita), 302)]
    html = response.content.decode()
    assert "Sunita V. is merged into Sunita Verma" in html
    assert "Modem light red" in html and "Refund please" in html
    assert Contact.objects.get(pk=duplicate.pk).merged_into_id == sunita.pk
    assert Identity.objects.get(value="sunita.verma.bpl@mail.example").contact_id == sunita.pk
    record = ContactMerge.objects.get()
    assert (record.source_id, record.target_id, record.actor) == (
        duplicate.pk,
        sunita.pk,
        meenakshi,
    )
    assert set(Ticket.objects.filter(requester=sunita).values_list("subject", flat=True)) == {
        "Modem light red",
        "Refund please",
    }


def test_the_other_contact_may_be_the_one_that_stays(signed_in, meenakshi, sunita, duplicate):
    response = signed_in(meenakshi).post(
        merge_url(sunita), {"other": duplicate.pk, "keep": "other"}
    )

    assert response.status_code == 302
    assert response["Location"] == contact_url(duplicate)
    assert Contact.objects.get(pk=sunita.pk).merged_into_id == duplicate.pk


def test_a_merged_contacts_page_leads_to_the_contact_that_stayed(
    signed_in, asha, meenakshi, sunita, duplicate, make_contact
):
    third = make_contact(email="s.verma@third.example", name="Third Sunita")
    merge_contacts(duplicate, sunita, actor=meenakshi)
    merge_contacts(sunita, third, actor=meenakshi)
    client = signed_in(asha)

    response = client.get(contact_url(duplicate), follow=True)

    assert response.redirect_chain == [(contact_url(third), 302)]
    assert "Sunita V. was merged into this contact" in response.content.decode()
    merge_page = signed_in(meenakshi).get(merge_url(sunita))
    assert merge_page.status_code == 302 and merge_page["Location"] == merge_url(third)


def test_a_contact_cannot_be_merged_into_itself(signed_in, meenakshi, sunita, router):
    response = signed_in(meenakshi).post(merge_url(sunita), {"other": sunita.pk, "keep": "this"})

    assert response.status_code == 422
    assert "A contact cannot be merged into itself." in response.content.decode()
    assert not ContactMerge.objects.exists()
    assert Contact.objects.get(pk=sunita.pk).merged_into_id is None


def test_a_contact_already_merged_cannot_be_merged_again(
    signed_in, meenakshi, sunita, duplicate, make_contact
):
    other = make_contact(email="someone@else.example", name="Someone Else")
    merge_contacts(duplicate, other, actor=meenakshi)

    response = signed_in(meenakshi).post(merge_url(sunita), {"other": duplicate.pk, "keep": "this"})

    assert response.status_code == 409
    assert "One of these contacts has already been merged." in response.content.decode()
    assert ContactMerge.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"other": MISSING, "keep": "this"}, 422),
        ({"other": "abc", "keep": "this"}, 400),
        ({"keep": "this"}, 400),
        ({"other": 1, "keep": "both"}, 400),
    ],
)
def test_a_merge_with_bad_input_is_refused_and_changes_nothing(
    signed_in, meenakshi, sunita, duplicate, data, status
):
    response = signed_in(meenakshi).post(merge_url(sunita), data)

    assert response.status_code == status
    assert not ContactMerge.objects.exists()


def test_choosing_a_missing_contact_to_merge_with_is_not_found(signed_in, meenakshi, sunita):
    client = signed_in(meenakshi)

    assert client.get(merge_url(sunita), {"other": MISSING}).status_code == 404
    assert client.get(merge_url(sunita), {"other": "x"}).status_code == 400
    assert client.get(merge_url(sunita), {"q": "s" * 201}).status_code == 400


def test_an_agent_may_not_merge_contacts(signed_in, asha, sunita, duplicate):
    client = signed_in(asha)

    assert f'action="{merge_url(sunita)}"' not in client.get(contact_url(sunita)).content.decode()
    refused = client.get(merge_url(sunita), {"q": "sunita"})
    assert refused.status_code == 403
    assert "Only supervisors and admins can merge contacts." in refused.content.decode()
    posted = client.post(merge_url(sunita), {"other": duplicate.pk, "keep": "this"})
    assert posted.status_code == 403
    assert not ContactMerge.objects.exists()


def test_an_admin_may_merge_contacts(signed_in, admin, sunita, duplicate):
    response = signed_in(admin).post(merge_url(sunita), {"other": duplicate.pk, "keep": "this"})

    assert response.status_code == 302
    assert ContactMerge.objects.get().actor == admin


# --- the organization page ------------------------------------------------------------------


def test_the_organization_page_shows_the_account_its_people_and_assets(
    signed_in, asha, acme, sunita, router, make_contact
):
    make_contact(email="kiran@acme.example", name="Kiran Patel")
    customers.save_asset(organization=acme, name="Core switch", serial_number="CS-9")

    html = signed_in(asha).get(organization_url(acme)).content.decode()

    assert "<h1>Acme Pvt Ltd</h1>" in html
    assert "Enterprise" in html and "Rahul Mehta" in html and "rahul@sampark.test" in html
    assert "acme.example" in html and "Pays on the 5th." in html
    people = html.split('id="contacts"', 1)[1]
    assert people.index("Kiran Patel") < people.index("Sunita Verma")
    assert f'href="{contact_url(sunita)}"' in people
    assert "Core switch" in html and "CS-9" in html
    assert f'href="{ticket_url(router)}"' in html


def test_the_organization_counts_and_lists_open_tickets_and_all_on_request(
    signed_in, asha, acme, sunita, router, make_ticket, front_desk
):
    solved = make_ticket(requester=sunita, subject="Old question", group=front_desk)
    tickets.update_ticket(solved.pk, actor=asha, expected_version=solved.version, status="solved")
    client = signed_in(asha)

    open_page = client.get(organization_url(acme))
    html = open_page.content.decode()
    assert listed_numbers(html) == [router.number]
    counts = open_page.context["counts"]
    assert (counts.total, counts.active) == (2, 1)
    assert (
        dict((s, n) for s, _name, n in counts.by_status)[Ticket.objects.get(pk=router.pk).status]
        == 1
    )

    every = client.get(organization_url(acme), {"show": "all"}).content.decode()
    assert listed_numbers(every) == [solved.number, router.number]


def test_the_people_of_an_organization_count_only_open_tickets_the_agent_may_see(
    signed_in, asha, acme, sunita, router, invoice
):
    response = signed_in(asha).get(organization_url(acme))

    (person,) = response.context["contacts"].items
    assert person.pk == sunita.pk and person.open_tickets == 1


def test_the_people_of_an_organization_come_a_page_at_a_time(signed_in, asha, acme, make_contact):
    names = [f"Person {n:02d}" for n in range(customer_queries.ORGANIZATION_CONTACTS + 2)]
    for n, name in enumerate(names):
        make_contact(email=f"p{n}@acme.example", name=name)
    client = signed_in(asha)

    first = client.get(organization_url(acme)).context["contacts"]
    second = client.get(organization_url(acme), {"contacts": first.next_cursor}).context["contacts"]

    assert [c.name for c in first.items + second.items] == names
    assert second.next_cursor is None


# --- links between the pages ----------------------------------------------------------------


def test_the_ticket_page_links_the_requester_and_the_organization(
    signed_in, asha, router, sunita, acme
):
    html = signed_in(asha).get(ticket_url(router)).content.decode()

    assert f'<a href="{contact_url(sunita)}">Sunita Verma</a>' in html
    assert f'<a href="{organization_url(acme)}">Acme Pvt Ltd</a>' in html


def test_search_results_link_each_requester_to_their_contact_page(signed_in, asha, router, sunita):
    html = signed_in(asha).get("/search/", {"q": "sunita@acme.example"}).content.decode()

    assert f'<a href="{contact_url(sunita)}">Sunita Verma</a>' in html
    assert f'href="{ticket_url(router)}"' in html


def test_the_contact_page_in_hindi(signed_in, asha, sunita, router):
    from sampark.team import services as team

    team.set_workspace_preferences(asha.agent, language="hi")

    html = signed_in(asha).get(contact_url(sunita)).content.decode()

    assert '<html lang="hi">' in html
    assert "संपर्क" in html and "संगठन" in html and "अकाउंट मैनेजर" in html
