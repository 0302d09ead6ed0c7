"""The Django admin: the configuration UI until the agent workspace lands. Only admins reach
it, every page opens, configuration is saved through the services, and the records that only
services write (tickets, events, merges, identities, tokens) are read-only."""

import itertools

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core import checks
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sampark.core.errors import Conflict
from sampark.customers.models import Contact, ContactMerge, Identity, Organization
from sampark.customers.services import (
    create_contact,
    save_asset,
    save_organization,
)
from sampark.routing.services import save_routing_rule
from sampark.team import services as team
from sampark.team.models import AgentProfile, ApiToken, Group
from sampark.team.services import authenticate_token, issue_token
from sampark.tickets import services as tickets
from sampark.tickets.models import (
    FieldDefinition,
    Priority,
    PriorityMatrixCell,
    PriorityRule,
    Tag,
    Ticket,
    TicketEvent,
)
from sampark.workflows.contact_merge import merge_contacts

ADMIN = AgentProfile.Role.ADMIN
User = get_user_model()
SAMPARK_APPS = {"customers", "team", "tickets", "routing", "auth"}


@pytest.fixture
def sampark_admin(make_agent):
    return make_agent(role=ADMIN, name="Asha Admin")


@pytest.fixture
def browser(client, sampark_admin):
    client.force_login(sampark_admin)
    return client


def url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def form_data(response) -> dict:
    """What a browser posts back for the admin form on ``response`` when nothing is edited."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value
    return data


def change(client, obj, **edits):
    """Open ``obj``'s admin change page, apply ``edits`` and save it."""
    page = client.get(url(type(obj), "change", obj.pk))
    assert page.status_code == 200
    return client.post(url(type(obj), "change", obj.pk), {**form_data(page), **edits})


@pytest.fixture
def one_of_everything(make_agent, make_contact, make_ticket, make_group, sampark_admin):
    """At least one row of every model the admin shows, made through the services."""
    agent = make_agent(groups=[make_group(name="Printers", tier="L2")], presence="online")
    p1 = Priority.objects.get(code="P1")
    organization = save_organization(
        name="Tata Steel", domains=["tata.example"], account_manager=agent
    )
    contact = create_contact(
        name="रवि कुमार",
        organization=organization,
        identities=[("email", "ravi@tata.example"), ("phone", "98765 43210")],
    )
    asset = save_asset(contact=contact, name="LaserJet", serial_number="SN-1")
    ticket = make_ticket(
        requester=contact, subject="प्रिंटर काग़ज़ नहीं ले रहा", tags=["printer"], asset=asset
    )
    tickets.add_message(ticket.pk, body="Checked the tray.", public=False, agent=agent)
    tickets.save_field_definition(key="branch", label="Branch")
    tickets.save_priority_rule(name="Enterprise outage", keywords=["outage", "बंद"], priority=p1)
    save_routing_rule(
        name="Outages", keywords=["outage"], tags=["outage"], organizations=[organization]
    )
    merge_contacts(make_contact(), make_contact(), actor=sampark_admin)
    issue_token(agent, name="laptop")
    return {"agent": agent, "contact": contact, "ticket": ticket}


def test_the_admin_configuration_passes_djangos_checks():
    assert [str(e) for e in checks.run_checks(tags=[checks.Tags.admin])] == []


def test_every_admin_page_opens_for_an_admin(browser, sampark_admin, one_of_everything):
    request = RequestFactory().get("/")
    request.user = sampark_admin
    failures = []
    for model, model_admin in admin.site._registry.items():
        changelist = browser.get(url(model, "changelist"))
        listed = changelist.context["cl"].result_count if changelist.status_code == 200 else None
        if listed != model._default_manager.count():
            failures.append((url(model, "changelist"), changelist.status_code, listed))
        pages = []
        obj = model._default_manager.first()
        if obj is not None:
            pages.append(url(model, "change", obj.pk))
        elif model._meta.app_label in SAMPARK_APPS:
            failures.append((model.__name__, "nothing to open"))
        if model_admin.has_add_permission(request):
            pages.append(url(model, "add"))
        failures += [
            (page, status) for page in pages if (status := browser.get(page).status_code) != 200
        ]
    assert failures == []


@pytest.mark.parametrize("role", [AgentProfile.Role.SUPERVISOR, AgentProfile.Role.AGENT])
def test_supervisors_and_agents_are_sent_to_the_admin_login(client, make_agent, role):
    client.force_login(make_agent(role=role))
    for page in (reverse("admin:index"), url(Ticket, "changelist")):
        response = client.get(page)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_ticket_search_finds_by_number_and_by_devanagari_subject(browser, one_of_everything):
    ticket = one_of_everything["ticket"]
    changelist = url(Ticket, "changelist")
    for term in (f"#{ticket.number}", str(ticket.number), "प्रिंटर", "रवि"):
        response = browser.get(changelist, {"q": term})
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [ticket], term
    assert not browser.get(changelist, {"q": "टोनर"}).context["cl"].result_list


def test_contact_search_finds_devanagari_names_and_phone_numbers_in_any_format(
    browser, one_of_everything
):
    contact = one_of_everything["contact"]
    for term in ("रवि", "+91 98765 43210", "098765-43210", "RAVI@tata.example", "ravi@"):
        response = browser.get(url(Contact, "changelist"), {"q": term})
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [contact], term


def test_event_search_takes_a_ticket_number(browser, one_of_everything):
    ticket = one_of_everything["ticket"]
    response = browser.get(url(TicketEvent, "changelist"), {"q": f"#{ticket.number}"})
    assert {e.ticket_id for e in response.context["cl"].result_list} == {ticket.pk}
    response = browser.get(url(TicketEvent, "changelist"), {"q": "paper"})
    assert response.status_code == 200
    assert not response.context["cl"].result_list


def test_links_from_records_open_their_filtered_lists(browser, one_of_everything):
    ticket = one_of_everything["ticket"]
    links = {
        url(Contact, "changelist"): f"organization__id__exact={ticket.organization_id}",
        url(Ticket, "changelist"): [
            f"organization__id__exact={ticket.organization_id}",
            f"requester__id__exact={ticket.requester_id}",
            f"group__id__exact={ticket.group_id}",
            f"priority__id__exact={ticket.priority_id}",
            f"tags__id__exact={ticket.tags.get().pk}",
        ],
        url(TicketEvent, "changelist"): f"ticket__id__exact={ticket.pk}",
        url(get_user_model(), "changelist"): "agent__role__exact=admin",
    }
    for changelist, queries in links.items():
        for query in [queries] if isinstance(queries, str) else queries:
            response = browser.get(f"{changelist}?{query}")
            assert response.status_code == 200, query
            assert response.context["cl"].result_count >= 1, query


def test_lookups_no_link_draws_are_still_refused(browser, one_of_everything):
    response = browser.get(
        f"{url(Ticket, 'changelist')}?requester__identities__value__startswith=a"
    )

    assert response.status_code == 400


def test_new_priority_rank_saved_in_the_admin_is_copied_to_its_tickets(browser, make_ticket):
    routine = Priority.objects.get(code="P3")
    opened = [make_ticket(priority="P3"), make_ticket(priority="P3")]
    urgent = make_ticket(priority="P1")

    response = change(browser, routine, rank=7)

    assert response.status_code == 302
    assert {t.priority_rank for t in Ticket.objects.filter(pk__in=[t.pk for t in opened])} == {7}
    assert Ticket.objects.get(pk=urgent.pk).priority_rank == 1


def test_a_change_the_service_refuses_is_shown_on_the_form(browser):
    routine = Priority.objects.get(code="P3")

    response = change(browser, routine, rank=100)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["rank"] == [
        "Rank must be a whole number from 1 to 99."
    ]
    assert Priority.objects.get(pk=routine.pk).rank == 3


def test_organization_domains_are_saved_normalised_and_a_taken_domain_is_refused(browser):
    save_organization(name="Infosys", domains=["infosys.example"])
    add = url(Organization, "add")
    page = browser.get(add)

    response = browser.post(
        add,
        {
            **form_data(page),
            "name": "Wipro",
            "tier": "business",
            "domains": "Wipro.example, @WIPRO.in",
        },
    )

    assert response.status_code == 302
    wipro = Organization.objects.get(name="Wipro")
    assert set(wipro.domains.values_list("domain", flat=True)) == {"wipro.example", "wipro.in"}

    response = change(browser, wipro, domains="wipro.example, infosys.example")
    assert response.status_code == 200
    assert "infosys.example already belongs to another organization" in response.content.decode()
    assert set(wipro.domains.values_list("domain", flat=True)) == {"wipro.example", "wipro.in"}


def test_adding_a_contact_records_its_identities(browser):
    page = browser.get(url(Contact, "add"))

    response = browser.post(
        url(Contact, "add"),
        {**form_data(page), "name": "प्रिया", "email": "Priya@Example.org", "phone": "98111 22233"},
    )

    assert response.status_code == 302
    contact = Contact.objects.get(name="प्रिया")
    assert set(contact.identities.values_list("kind", "value")) == {
        ("email", "priya@example.org"),
        ("phone", "+919811122233"),
    }


def test_tickets_events_and_identities_cannot_be_changed_in_the_admin(browser, one_of_everything):
    ticket = one_of_everything["ticket"]
    identity = Identity.objects.first()
    for obj in (ticket, ticket.events.first(), identity, ContactMerge.objects.first()):
        page = browser.get(url(type(obj), "change", obj.pk))
        assert page.status_code == 200
        assert browser.post(url(type(obj), "change", obj.pk), {}).status_code == 403
    assert browser.get(url(Ticket, "add")).status_code == 403


def test_ticket_page_shows_its_latest_events_and_links_to_all(browser, one_of_everything):
    ticket = one_of_everything["ticket"]

    content = browser.get(url(Ticket, "change", ticket.pk)).content.decode()

    assert "Checked the tray." in content
    assert f"?ticket__id__exact={ticket.pk}" in content


def test_revoke_action_revokes_only_the_selected_tokens(browser, make_agent):
    agent = make_agent()
    chosen, _secret = issue_token(agent, name="old laptop")
    kept, _secret = issue_token(agent, name="phone")

    response = browser.post(
        url(ApiToken, "changelist"),
        {"action": "revoke_selected", "_selected_action": [chosen.pk]},
    )

    assert response.status_code == 302
    chosen.refresh_from_db()
    kept.refresh_from_db()
    assert chosen.revoked_at is not None
    assert kept.revoked_at is None


def test_token_pages_never_show_the_digest(browser, make_agent):
    token, _secret = issue_token(make_agent(), name="laptop")
    for page in (url(ApiToken, "changelist"), url(ApiToken, "change", token.pk)):
        assert token.digest not in browser.get(page).content.decode()


def test_merge_action_folds_the_selected_contacts_into_the_oldest(
    browser, make_contact, make_ticket
):
    oldest, newer, newest = make_contact(), make_contact(), make_contact()
    ticket = make_ticket(requester=newest)

    response = browser.post(
        url(Contact, "changelist"),
        {"action": "merge_into_oldest", "_selected_action": [newest.pk, oldest.pk, newer.pk]},
        follow=True,
    )

    assert {c.merged_into_id for c in Contact.objects.filter(pk__in=[newer.pk, newest.pk])} == {
        oldest.pk
    }
    assert Ticket.objects.get(pk=ticket.pk).requester_id == oldest.pk
    assert "1 ticket moved" in response.content.decode()


def test_an_agent_added_in_the_admin_is_created_by_the_team_service(browser, make_group):
    group = make_group(name="Billing")
    page = browser.get(url(get_user_model(), "add"))
    data = {**form_data(page), "email": "Meera@Sampark.test", "name": "Meera Iyer"}

    response = browser.post(
        url(get_user_model(), "add"),
        {**data, "role": "agent", "tier": "L2", "support_groups": [group.pk]},
    )

    assert response.status_code == 302
    profile = AgentProfile.objects.get(user__email="meera@sampark.test")
    assert (profile.role, profile.tier, profile.user.get_full_name()) == (
        "agent",
        "L2",
        "Meera Iyer",
    )
    assert list(profile.groups.all()) == [group]
    assert not profile.user.is_staff


def test_promoting_an_agent_to_admin_in_the_roster_gives_admin_access(browser, make_agent):
    profile = make_agent().agent

    response = change(browser, profile, role=ADMIN, skills="printers, billing")

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.role == ADMIN
    assert profile.skills == ["printers", "billing"]
    assert profile.user.is_staff and profile.user.is_superuser


def test_an_agent_added_in_the_admin_can_be_narrowed_to_their_own_tickets(browser):
    page = browser.get(url(get_user_model(), "add"))
    data = {**form_data(page), "email": "ravi@sampark.test", "role": "agent", "tier": "L1"}

    narrowed = browser.post(url(get_user_model(), "add"), {**data, "ticket_access": "own"})
    default = browser.post(
        url(get_user_model(), "add"),
        {**data, "email": "sita@sampark.test", "role": "supervisor", "ticket_access": ""},
    )

    assert narrowed.status_code == default.status_code == 302
    assert AgentProfile.objects.get(user__email="ravi@sampark.test").ticket_access == "own"
    assert AgentProfile.objects.get(user__email="sita@sampark.test").ticket_access == "all"


def test_ticket_access_changed_in_the_roster_goes_through_update_agent(browser, make_agent):
    profile = make_agent().agent

    response = change(browser, profile, ticket_access="all")

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.ticket_access == "all"


def test_an_admin_narrowed_to_a_group_sees_only_its_tickets_in_the_admin(
    client, make_agent, make_group, make_ticket
):
    mine, other = make_group(name="Mine"), make_group(name="Other")
    narrowed = make_agent(role=ADMIN, groups=[mine], ticket_access="groups")
    inside = make_ticket(group=mine, subject="Inside")
    outside = make_ticket(group=other, subject="Outside")
    client.force_login(narrowed)

    listed = client.get(url(Ticket, "changelist"))

    assert [t.pk for t in listed.context["cl"].result_list] == [inside.pk]
    assert client.get(url(Ticket, "change", outside.pk)).status_code == 302  # "doesn't exist"


def test_role_changed_on_the_user_page_goes_through_update_agent(browser, make_agent):
    user = make_agent()

    response = change(browser, user, **{"agent-0-role": ADMIN, "agent-0-capacity": "12"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.agent.role, user.agent.capacity) == (ADMIN, 12)
    assert user.is_staff and user.is_superuser


def test_a_group_made_default_in_the_admin_takes_over_from_the_old_default(
    browser, make_group, default_group
):
    group = make_group(name="Walk-in counter")

    assert change(browser, group, is_default="on").status_code == 302

    assert list(Group.objects.filter(is_default=True)) == [group]


def test_a_choice_field_without_choices_is_refused_on_the_form(browser):
    page = browser.get(url(FieldDefinition, "add"))

    response = browser.post(
        url(FieldDefinition, "add"),
        {**form_data(page), "key": "region", "label": "Region", "kind": "choice", "choices": "[]"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["choices"] == [
        "A choice field needs a list of text choices."
    ]
    assert not FieldDefinition.objects.filter(key="region").exists()


def test_asset_details_change_but_its_contact_cannot_be_cleared(browser, make_contact):
    asset = save_asset(contact=make_contact(), name="LaserJet", serial_number="SN-1")

    assert change(browser, asset, serial_number=" SN-2 ").status_code == 302
    asset.refresh_from_db()
    assert asset.serial_number == "SN-2"

    response = change(browser, asset, contact="")
    assert response.status_code == 200
    assert "contact" in response.context["adminform"].form.errors
    asset.refresh_from_db()
    assert asset.contact_id is not None


def test_a_priority_rule_added_in_the_admin_is_saved_by_the_rules_service(browser):
    page = browser.get(url(PriorityRule, "add"))
    data = {
        **form_data(page),
        "name": "Bank branch down",
        "position": "10",
        "active": "on",
        "channels": ["phone", "email"],
        "keywords": "ATM down, एटीएम बंद",
        "impact": "high",
        "urgency": "high",
    }

    response = browser.post(url(PriorityRule, "add"), data)

    assert response.status_code == 302
    rule = PriorityRule.objects.get(name="Bank branch down")
    assert rule.keywords == ["ATM down", "एटीएम बंद"]
    assert sorted(rule.channels) == ["email", "phone"]
    assert (rule.impact, rule.urgency, rule.priority) == ("high", "high", None)


def test_a_rule_that_sets_nothing_is_refused_on_the_form(browser):
    page = browser.get(url(PriorityRule, "add"))

    response = browser.post(url(PriorityRule, "add"), {**form_data(page), "name": "Empty"})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["priority"] == [
        "A rule must set a priority, or an impact and urgency."
    ]


def test_a_matrix_cell_changed_in_the_admin_points_at_the_new_priority(browser):
    cell = PriorityMatrixCell.objects.get(impact="low", urgency="low")
    planned = Priority.objects.get(code="P3")

    assert change(browser, cell, priority=planned.pk).status_code == 302

    assert PriorityMatrixCell.objects.get(impact="low", urgency="low").priority == planned


def test_tags_added_in_the_admin_are_normalised_like_ticket_tags(browser):
    response = browser.post(url(Tag, "add"), {"name": "  Paper   JAM "})

    assert response.status_code == 302
    assert list(Tag.objects.values_list("name", flat=True)) == ["paper jam"]


def test_renaming_a_tag_in_the_admin_renames_it_on_every_tagged_ticket(browser, make_ticket):
    first = make_ticket(tags=["papr jam"])
    second = make_ticket(tags=["papr jam", "printer"])
    tag = Tag.objects.get(name="papr jam")

    response = change(browser, tag, name="Paper Jam")

    assert response.status_code == 302
    assert list(first.tags.values_list("name", flat=True)) == ["paper jam"]
    assert sorted(second.tags.values_list("name", flat=True)) == ["paper jam", "printer"]
    assert Tag.objects.count() == 2


def test_a_tag_cannot_be_renamed_to_a_name_another_tag_has(browser):
    tags = [tickets.add_tag("printer"), tickets.add_tag("paper jam")]

    response = change(browser, tags[1], name="Printer")

    assert response.status_code == 200  # the form again, with the error
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["paper jam", "printer"]
    with pytest.raises(Conflict):
        tickets.rename_tag(tags[1], "PRINTER")


def test_deactivating_an_agent_in_the_admin_revokes_their_tokens(browser, make_agent):
    agent = make_agent()
    token, secret = issue_token(agent, name="laptop")
    AgentProfile.objects.filter(user=agent).update(presence=AgentProfile.Presence.ONLINE)
    page = browser.get(url(User, "change", agent.pk))
    data = form_data(page)
    del data["is_active"]  # the box unticked

    response = browser.post(url(User, "change", agent.pk), data)

    assert response.status_code == 302
    agent.refresh_from_db()
    token.refresh_from_db()
    assert not agent.is_active
    assert token.revoked_at is not None
    assert authenticate_token(secret) is None
    assert agent.agent.presence == AgentProfile.Presence.OFFLINE


def test_reactivating_an_agent_brings_back_no_old_token(browser, make_agent):
    agent = make_agent()
    _token, secret = issue_token(agent, name="laptop")
    team.deactivate_agent(agent)

    response = change(browser, agent, is_active="on")

    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.is_active
    assert authenticate_token(secret) is None


def test_an_agents_name_changed_in_the_admin_is_saved_by_the_team_service(browser, make_agent):
    agent = make_agent(name="Ravi Kumar")

    response = change(browser, agent, first_name="  Ravindra ", last_name="Kumar")

    assert response.status_code == 302
    agent.refresh_from_db()
    assert (agent.first_name, agent.last_name, agent.is_active) == ("Ravindra", "Kumar", True)


def test_merging_needs_two_unmerged_contacts(browser, make_contact):
    contact = make_contact()

    response = browser.post(
        url(Contact, "changelist"),
        {"action": "merge_into_oldest", "_selected_action": [contact.pk]},
        follow=True,
    )

    assert "Select at least two contacts" in response.content.decode()
    assert not ContactMerge.objects.exists()


def test_ticket_changelist_runs_a_bounded_number_of_queries(
    browser, make_ticket, make_agent, make_group, django_assert_max_num_queries
):
    owners = [make_agent() for _ in range(3)]
    groups = [make_group() for _ in range(3)]
    for n in range(30):
        make_ticket(owner=owners[n % 3], group=groups[n % 3], subject=f"Ticket {n}")

    with django_assert_max_num_queries(12):
        response = browser.get(url(Ticket, "changelist"))

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 30


@pytest.mark.parametrize("model", [Contact, Ticket, ApiToken, AgentProfile, Organization])
def test_changelist_queries_do_not_grow_with_its_rows(browser, model, make_ticket, make_agent):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert browser.get(url(model, "changelist")).status_code == 200
        return len(captured)

    numbers = itertools.count()

    def add_rows():
        for n in itertools.islice(numbers, 5):
            agent = make_agent()
            issue_token(agent)
            save_organization(name=f"Org {n}", domains=[f"org{n}.example"], account_manager=agent)
            make_ticket(owner=agent)

    add_rows()
    few = queries()
    add_rows()
    add_rows()
    assert queries() == few
