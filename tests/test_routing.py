"""Routing rules: ordered, admin-defined, deciding a new ticket's group, skills, category, tags and
priority at intake, and recording which rule did it and why. Through the service that opens
tickets, as every channel's intake does."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sampark.core.errors import InvalidInput
from sampark.customers.models import Organization
from sampark.customers.services import save_asset, save_organization
from sampark.routing import engine, queries
from sampark.routing import route as public_route
from sampark.routing.services import save_routing_rule
from sampark.tickets.models import Priority, TicketEvent
from sampark.tickets.services import save_field_definition, save_priority_rule, update_ticket

# A Tuesday: 11:00 and 22:00 in Kolkata, inside and outside the default calendar's hours.
OFFICE_HOURS = datetime(2027, 3, 2, 5, 30, tzinfo=UTC)
NIGHT = datetime(2027, 3, 2, 16, 30, tzinfo=UTC)


@pytest.fixture
def groups(make_group):
    return {
        name: make_group(name=name, tier=tier)
        for name, tier in (
            ("Printers", "L1"),
            ("Network", "L1"),
            ("Hindi desk", "L1"),
            ("Key accounts", "L1"),
            ("Night shift", "L1"),
        )
    }


def rule(name="Rule", group=None, **fields):
    return save_routing_rule(name=name, group=group, **fields)


def routing_of(ticket) -> dict | None:
    created = ticket.events.get(kind=TicketEvent.Kind.CREATED)
    return created.data["routing"]


# --- order ----------------------------------------------------------------------------------


def test_the_first_matching_rule_in_position_order_decides_the_group(make_ticket, groups):
    rule("Later", groups["Network"], keywords=["printer"], position=20)
    rule("Earlier", groups["Printers"], keywords=["printer"], position=10)

    ticket = make_ticket(subject="Printer is offline")

    assert ticket.group == groups["Printers"]
    assert routing_of(ticket)["rule_name"] == "Earlier"


def test_a_rule_that_goes_on_lets_later_rules_fill_only_what_it_left_unset(make_ticket, groups):
    rule("Tag VIPs", tags=["vip"], skills=["gst"], continue_matching=True, position=1)
    rule("Printers", groups["Printers"], keywords=["printer"], skills=["hp"], position=2)
    rule("Never reached", groups["Network"], tags=["late"], position=3)

    ticket = make_ticket(subject="Printer jam")
    record = routing_of(ticket)

    assert ticket.group == groups["Printers"]
    assert ticket.tag_names == ["vip"]
    assert record["skills"] == ["gst", "hp"]
    assert [m["name"] for m in record["matches"]] == ["Tag VIPs", "Printers"]
    assert record["matches"][1]["applied"] == ["group", "skills"]


def test_inactive_rules_do_not_route(make_ticket, groups, default_group):
    rule("Off", groups["Printers"], active=False)

    ticket = make_ticket()

    assert ticket.group == default_group
    assert routing_of(ticket) is None


def test_a_changed_rule_routes_the_very_next_ticket(make_ticket, groups):
    printers = rule("Printers", groups["Printers"], keywords=["printer"])
    assert make_ticket(subject="Printer jam").group == groups["Printers"]

    save_routing_rule(printers, group=groups["Network"])

    assert make_ticket(subject="Printer jam").group == groups["Network"]


def test_a_rule_given_other_organizations_routes_by_them_from_the_next_ticket(
    make_ticket, make_contact, groups, default_group
):
    from sampark.customers.services import update_contact

    tata, infosys = save_organization(name="Tata Motors"), save_organization(name="Infosys")
    contact = make_contact()
    update_contact(contact, organization=infosys)
    contact.refresh_from_db()
    tata_only = rule("Key accounts", groups["Key accounts"], organizations=[tata])
    assert make_ticket(requester=contact).group == default_group

    save_routing_rule(tata_only, organizations=[tata, infosys])

    assert make_ticket(requester=contact).group == groups["Key accounts"]


# --- each condition ---------------------------------------------------------------------------


def test_channel_condition(make_ticket, groups, default_group):
    rule("Phone", groups["Network"], channels=["phone"])

    assert make_ticket(channel="phone").group == groups["Network"]
    assert make_ticket(channel="email").group == default_group


def test_language_condition(make_ticket, make_contact, groups, default_group):
    rule("Hindi", groups["Hindi desk"], languages=["hi", "hinglish"])

    hindi = make_ticket(
        requester=make_contact(language="hi"),
        subject="प्रिंटर खराब है",
        description="पेपर जाम की बत्ती जल रही है।",
    )
    english = make_ticket(requester=make_contact(language="en"))
    given = make_ticket(language="hi")

    assert hindi.group == groups["Hindi desk"]
    assert routing_of(hindi)["matches"][0]["reasons"] == [["language", "hi"]]
    assert english.group == default_group
    assert given.group == groups["Hindi desk"]


def test_organization_and_tier_conditions(make_ticket, make_contact, groups, default_group):
    tata = save_organization(name="Tata Motors", tier=Organization.Tier.ENTERPRISE)
    small = save_organization(name="Corner shop", tier=Organization.Tier.STANDARD)
    rule("Tata", groups["Key accounts"], organizations=[tata], position=1)
    rule("Enterprise", groups["Network"], organization_tiers=["enterprise"], position=2)
    big = save_organization(name="Infosys", tier=Organization.Tier.ENTERPRISE)

    def from_org(org):
        contact = make_contact()
        from sampark.customers.services import update_contact

        update_contact(contact, organization=org)
        contact.refresh_from_db()
        return make_ticket(requester=contact)

    assert from_org(tata).group == groups["Key accounts"]
    assert from_org(big).group == groups["Network"]
    assert from_org(small).group == default_group
    assert routing_of(from_org(tata))["matches"][0]["reasons"] == [["organization", "Tata Motors"]]


def test_asset_product_and_model_conditions(make_ticket, make_contact, groups, default_group):
    contact = make_contact()
    laser = save_asset(contact=contact, serial_number="SN-1", name="LaserJet", model_number="M404")
    other = save_asset(contact=contact, serial_number="SN-2", name="Router", model_number="X1")
    rule("Model", groups["Printers"], asset_models=["m404"], position=1)
    rule("Product", groups["Network"], asset_products=["router"], position=2)

    assert make_ticket(requester=contact, asset=laser).group == groups["Printers"]
    assert make_ticket(requester=contact, asset=other).group == groups["Network"]
    assert make_ticket(requester=contact).group == default_group


def test_category_condition_ignores_case(make_ticket, groups, default_group):
    rule("Billing", groups["Network"], categories=["Billing"])

    assert make_ticket(category="billing").group == groups["Network"]
    assert make_ticket(category="Printers").group == default_group


@pytest.mark.parametrize(
    ("subject", "routed"),
    [
        ("Internet is down since morning", True),
        ("इंटरनेट बंद है", True),
        ("Mera NETWORK nahi chal raha", True),
        ("The network cable is fine, the printer is not", False),
        ("Printer jam", False),
    ],
)
def test_keywords_in_hindi_and_english_and_phrases(make_ticket, groups, subject, routed):
    rule("Outages", groups["Network"], keywords=["internet is down", "इंटरनेट", "network nahi"])

    ticket = make_ticket(subject=subject, description="")

    assert (ticket.group == groups["Network"]) is routed


def test_keyword_in_the_description_counts(make_ticket, groups):
    rule("Outages", groups["Network"], keywords=["नेटवर्क"])

    ticket = make_ticket(subject="Help", description="कल से नेटवर्क नहीं है")

    assert ticket.group == groups["Network"]
    assert routing_of(ticket)["matches"][0]["reasons"] == [["keyword", "नेटवर्क"]]


def test_custom_field_condition(make_ticket, groups, default_group):
    save_field_definition(key="warranty", label="Warranty", kind="choice", choices=["amc", "none"])
    rule("AMC", groups["Key accounts"], custom_fields={"warranty": "amc"})

    assert make_ticket(custom_fields={"warranty": "amc"}).group == groups["Key accounts"]
    assert make_ticket(custom_fields={"warranty": "none"}).group == default_group


def test_priority_condition_reads_the_priority_decided_before_routing(
    make_ticket, groups, default_group
):
    rule("Urgent", groups["Key accounts"], priorities=["P1"])

    assert make_ticket(priority="P1").group == groups["Key accounts"]
    assert make_ticket(priority="P3").group == default_group


@pytest.mark.parametrize(("moment", "expected"), [(OFFICE_HOURS, "Printers"), (NIGHT, "Night")])
def test_inside_and_outside_business_hours(make_ticket, groups, moment, expected):
    rule("Night", groups["Night shift"], business_hours="outside", position=1)
    rule("Day", groups["Printers"], business_hours="inside", position=2)

    with time_machine.travel(moment, tick=False):
        ticket = make_ticket()

    assert ticket.group.name.startswith(expected)


def test_all_conditions_of_a_rule_must_hold(make_ticket, groups, default_group):
    rule("Phone outages", groups["Network"], channels=["phone"], keywords=["down"])

    assert make_ticket(channel="phone", subject="Line down").group == groups["Network"]
    assert make_ticket(channel="email", subject="Line down").group == default_group
    assert make_ticket(channel="phone", subject="Printer jam").group == default_group


# --- actions -----------------------------------------------------------------------------------


def test_actions_set_category_tags_and_priority_with_the_reason_recorded(make_ticket, groups):
    rule(
        "Outages",
        groups["Network"],
        keywords=["down"],
        set_category="Connectivity",
        tags=["Outage", "network"],
        priority=Priority.objects.get(code="P1"),
        skills=["fibre"],
    )

    ticket = make_ticket(subject="Link down", tags=["customer"])
    record = routing_of(ticket)

    assert ticket.category == "Connectivity"
    assert ticket.tag_names == ["customer", "network", "outage"]
    assert ticket.priority.code == "P1"
    assert ticket.priority_source == "routing"
    assert record == {
        "rule": record["rule"],
        "rule_name": "Outages",
        "matches": [
            {
                "rule": record["rule"],
                "name": "Outages",
                "reasons": [["keyword", "down"]],
                "applied": ["group", "skills", "category", "tags", "priority"],
            }
        ],
        "group": "Network",
        "skills": ["fibre"],
        "category": "Connectivity",
        "tags": ["outage", "network"],
        "priority": "P1",
        "escalate": False,
        "kept": [],
    }


def test_what_the_caller_chose_stands_and_is_recorded_as_kept(make_ticket, groups):
    rule(
        "Everything",
        groups["Network"],
        set_category="Connectivity",
        priority=Priority.objects.get(code="P1"),
    )

    ticket = make_ticket(group=groups["Printers"], category="Printers", priority="P4")

    assert (ticket.group, ticket.category, ticket.priority.code) == (
        groups["Printers"],
        "Printers",
        "P4",
    )
    assert sorted(routing_of(ticket)["kept"]) == ["category", "group", "priority"]


def test_a_routing_priority_stays_when_fields_change_later(make_ticket, groups, agent):
    save_priority_rule(
        name="Billing waits", categories=["Billing"], priority=Priority.objects.get(code="P4")
    )
    rule("Outages", keywords=["down"], priority=Priority.objects.get(code="P1"))
    ticket = make_ticket(subject="Link down")

    changed = update_ticket(
        ticket.pk, actor=agent, expected_version=ticket.version, category="Billing"
    )

    assert changed.priority.code == "P1"


def test_route_is_the_public_entry_point(groups):
    rule("Phone", groups["Network"], channels=["phone"])

    decision = public_route(engine.Facts(channel="phone"))

    assert decision.group == groups["Network"]
    assert decision.rule.rule_name == "Phone"
    assert decision.reasons == (("channel", "phone"),)


# --- cost ----------------------------------------------------------------------------------------


def test_routing_costs_no_query_per_rule(make_ticket, make_contact, groups):
    contact = make_contact()
    make_ticket(requester=contact)  # warm the caches

    def queries_of_a_create():
        make_ticket(requester=contact, subject="Printer jam")  # compiles, if rules changed
        with CaptureQueriesContext(connection) as captured:
            make_ticket(requester=contact, subject="Printer jam")
        return len(captured)

    few = queries_of_a_create()
    for n in range(60):
        rule(f"Rule {n}", groups["Network"], keywords=[f"word{n}"], channels=["phone"])
    many = queries_of_a_create()

    assert many == few


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": " "}, "name"),
        ({"channels": ["pigeon"]}, "channels"),
        ({"languages": ["fr"]}, "languages"),
        ({"organization_tiers": ["gold"]}, "organization_tiers"),
        ({"keywords": ["!!!"]}, "keywords"),
        ({"keywords": "printer"}, "keywords"),
        ({"custom_fields": {"nope": 1}}, "custom_fields"),
        ({"priorities": ["P9"]}, "priorities"),
        ({"business_hours": "lunch"}, "business_hours"),
        ({"tags": ["x" * 60]}, "tags"),
        ({"position": -1}, "position"),
    ],
)
def test_bad_rules_are_refused_with_the_field_to_fix(groups, fields, field):
    with pytest.raises(InvalidInput) as refused:
        save_routing_rule(**{"name": "Bad", "group": groups["Network"], **fields})

    assert refused.value.field == field


def test_a_rule_that_sets_nothing_is_refused(db):
    with pytest.raises(InvalidInput) as refused:
        save_routing_rule(name="Idle", keywords=["printer"])

    assert refused.value.field == "group"


def test_a_change_that_would_leave_a_rule_setting_nothing_is_refused(groups):
    saved = rule("Printers", groups["Printers"])

    with pytest.raises(InvalidInput):
        save_routing_rule(saved, group=None)


# --- preview -----------------------------------------------------------------------------------


def test_preview_lists_the_recent_tickets_a_draft_rule_would_have_matched(
    make_ticket, make_agent, groups
):
    admin = make_agent(role="admin")
    jam = make_ticket(subject="Printer jam", channel="phone")
    make_ticket(subject="Printer jam", channel="email")
    make_ticket(subject="Password reset", channel="phone")
    from sampark.routing.models import RoutingRule

    draft = RoutingRule(name="Draft", channels=["phone"], keywords=["printer"])

    shown = queries.preview(admin, queries.compile_one(draft, organizations=[]))

    assert shown.matched == 1
    assert [(t.pk, reasons) for t, reasons in shown.tickets] == [
        (jam.pk, (("channel", "phone"), ("keyword", "printer")))
    ]


def test_preview_holds_only_tickets_the_user_may_see(make_ticket, make_agent, groups):
    scoped = make_agent(groups=[groups["Printers"]])
    make_ticket(subject="Printer jam", group=groups["Network"])
    mine = make_ticket(subject="Printer jam", group=groups["Printers"])
    saved = rule("Printers", groups["Printers"], keywords=["printer"])

    shown = queries.preview(scoped, queries.compile_one(queries.rule_by_id(saved.pk)))

    assert [t.pk for t, _reasons in shown.tickets] == [mine.pk]


def test_the_preview_reads_tickets_in_one_query(make_ticket, make_agent, groups):
    admin = make_agent(role="admin")
    for _ in range(5):
        make_ticket(subject="Printer jam")
    compiled = queries.compile_one(rule("Printers", groups["Printers"], keywords=["printer"]))

    with CaptureQueriesContext(connection) as captured:
        shown = queries.preview(admin, compiled)

    assert shown.matched == 5
    assert len(captured) <= 2  # the scope, then the tickets with their relations


# --- escalation by a rule ---------------------------------------------------------------------


def test_a_rule_can_escalate_a_new_ticket_to_the_next_tier_keeping_its_owner(
    make_ticket, make_group, make_agent, make_contact, default_group
):
    from sampark.customers.services import update_contact
    from sampark.team.services import save_group
    from sampark.tickets.models import Escalation

    network = make_group(name="Network L2", tier="L2")
    save_group(default_group, escalates_to=network)
    manager = make_agent(name="Asha Manager", groups=[default_group], presence="online")
    acme = save_organization(
        name="Acme Hospital", tier=Organization.Tier.ENTERPRISE, account_manager=manager
    )
    acme_contact = make_contact()
    update_contact(acme_contact, organization=acme)
    rule(
        "Outage at a key account",
        keywords=["outage"],
        organization_tiers=["enterprise"],
        escalate=True,
    )

    urgent = make_ticket(requester=acme_contact, subject="Total outage at the ICU")
    calm = make_ticket(requester=acme_contact, subject="Printer is slow")

    assert urgent.group == network and urgent.tier == "L2"
    assert urgent.owner == manager  # the owner stays the customer's contact
    item = Escalation.objects.get(ticket=urgent)
    assert item.source == Escalation.Source.RULE and item.closed_at is None
    assert "Outage at a key account" in item.reason
    assert routing_of(urgent)["matches"][0]["applied"] == ["escalate"]
    assert routing_of(urgent)["escalate"] is True
    assert calm.group == default_group and calm.tier == "L1"
    assert not Escalation.objects.filter(ticket=calm).exists()


def test_a_rule_that_escalates_a_group_with_no_tier_above_leaves_the_ticket_where_it_is(
    make_ticket, default_group
):
    from sampark.tickets.models import Escalation

    rule("Escalate everything", escalate=True)

    ticket = make_ticket()

    assert ticket.group == default_group and ticket.tier == "L1"
    assert not Escalation.objects.filter(ticket=ticket).exists()


def test_escalating_is_an_action_of_its_own(db):
    saved = rule("Only escalates", keywords=["outage"], escalate=True)

    assert saved.escalate is True
