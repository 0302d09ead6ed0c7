"""Customer records: one person across every channel, found by normalised identities."""

import pytest

from sampark.core.errors import Conflict, InvalidInput
from sampark.customers.models import Asset, Contact, ContactMerge, Identity
from sampark.customers.services import (
    RequesterDetails,
    add_identity,
    create_contact,
    find_contact,
    find_or_create_contact,
    normalise_email,
    normalise_phone,
    save_asset,
    save_organization,
    update_contact,
)
from sampark.tickets.models import Ticket, TicketEvent
from sampark.workflows import intake
from sampark.workflows.contact_merge import merge_contacts

EMAIL = Identity.Kind.EMAIL
PHONE = Identity.Kind.PHONE


def identities_of(contact):
    return set(Identity.objects.filter(contact=contact).values_list("kind", "value"))


# --- normalisation ------------------------------------------------------------------------


def test_email_is_lower_cased_and_stripped():
    assert normalise_email("  Priya.Sharma@Example.ORG \n") == "priya.sharma@example.org"


@pytest.mark.parametrize("raw", ["98765 43210", "098765-43210", "+91 98765 43210", "9876543210"])
def test_indian_phone_numbers_become_e164_with_plus_91(raw):
    assert normalise_phone(raw) == "+919876543210"


def test_phone_number_with_another_country_code_keeps_it():
    assert normalise_phone("+44 7911 123456") == "+447911123456"


@pytest.mark.parametrize("raw", ["", "priya", "priya@", "@example.org", "priya sharma@example.org"])
def test_invalid_email_is_refused(raw):
    with pytest.raises(InvalidInput) as error:
        normalise_email(raw)
    assert error.value.field == "email"


@pytest.mark.parametrize("raw", ["", "12345", "call me", "+91 98765"])
def test_invalid_phone_is_refused(raw):
    with pytest.raises(InvalidInput) as error:
        normalise_phone(raw)
    assert error.value.field == "phone"


def test_identities_are_stored_normalised(db):
    contact = create_contact(
        name="Priya Sharma",
        identities=[(EMAIL, " Priya@Example.ORG "), (PHONE, "098765-43210")],
    )

    assert identities_of(contact) == {(EMAIL, "priya@example.org"), (PHONE, "+919876543210")}


def test_contact_is_found_by_an_identity_written_differently(make_contact):
    contact = make_contact(email="priya@example.org", phone="98765 43210")

    assert find_contact(EMAIL, "PRIYA@example.org ") == contact
    assert find_contact(PHONE, "+91 98765 43210") == contact


def test_second_contact_cannot_take_an_existing_email(make_contact):
    make_contact(email="priya@example.org")

    with pytest.raises(Conflict):
        create_contact(name="Someone else", identities=[(EMAIL, "Priya@Example.org")])
    assert Contact.objects.filter(name="Someone else").count() == 0


def test_second_contact_cannot_take_an_existing_phone_written_differently(make_contact):
    make_contact(phone="+91 98765 43210")
    other = make_contact(email="other@example.org")

    with pytest.raises(Conflict):
        add_identity(other, PHONE, "098765-43210")
    assert identities_of(other) == {(EMAIL, "other@example.org")}


def test_adding_an_identity_a_contact_already_has_changes_nothing(make_contact):
    contact = make_contact(email="priya@example.org")

    identity = add_identity(contact, EMAIL, "PRIYA@example.org")

    assert identity.contact == contact
    assert Identity.objects.filter(contact=contact).count() == 1


def test_unknown_identity_kind_is_refused(make_contact):
    with pytest.raises(InvalidInput):
        add_identity(make_contact(), "fax", "0123")


def test_requester_without_email_or_phone_is_refused(db):
    with pytest.raises(InvalidInput):
        find_or_create_contact(RequesterDetails(name="Anonymous"))


# --- intake: one person across channels ---------------------------------------------------


def test_ticket_from_a_known_email_goes_to_that_contact_and_adds_the_new_phone(make_contact):
    contact = make_contact(email="priya@example.org")

    ticket = intake.open_ticket_from_intake(
        requester=RequesterDetails(email="Priya@Example.org", phone="98765 43210"),
        subject="Router keeps restarting",
    )

    assert ticket.requester == contact
    assert identities_of(contact) == {(EMAIL, "priya@example.org"), (PHONE, "+919876543210")}
    assert Contact.objects.count() == 1


def test_ticket_from_a_known_phone_goes_to_that_contact_and_adds_the_new_email(make_contact):
    contact = make_contact(phone="+91 98765 43210")

    ticket = intake.open_ticket_from_intake(
        requester=RequesterDetails(email="priya@example.org", phone="098765-43210"),
        subject="Router keeps restarting",
    )

    assert ticket.requester == contact
    assert identities_of(contact) == {(EMAIL, "priya@example.org"), (PHONE, "+919876543210")}


def test_ticket_from_new_details_creates_the_contact(db):
    ticket = intake.open_ticket_from_intake(
        requester=RequesterDetails(name="Ravi Kumar", phone="98765 43210", language="hi"),
        subject="Bill is wrong",
    )

    contact = ticket.requester
    assert contact.name == "Ravi Kumar"
    assert contact.language == "hi"
    assert identities_of(contact) == {(PHONE, "+919876543210")}


def test_new_contact_from_an_organization_domain_joins_the_organization(db):
    acme = save_organization(name="Acme Steel", domains=["acme.co.in"])

    ticket = intake.open_ticket_from_intake(
        requester=RequesterDetails(email="Ravi@ACME.co.in"), subject="Plant printer down"
    )

    assert ticket.requester.organization == acme
    assert ticket.organization == acme


def test_new_contact_from_an_unknown_domain_has_no_organization(db):
    save_organization(name="Acme Steel", domains=["acme.co.in"])

    ticket = intake.open_ticket_from_intake(
        requester=RequesterDetails(email="ravi@gmail.com"), subject="Printer down"
    )

    assert ticket.requester.organization is None


def test_known_contact_writing_from_an_organization_email_joins_the_organization(make_contact):
    acme = save_organization(name="Acme Steel", domains=["acme.co.in"])
    contact = make_contact(phone="98765 43210")

    intake.open_ticket_from_intake(
        requester=RequesterDetails(email="ravi@acme.co.in", phone="98765 43210"),
        subject="Plant printer down",
    )

    contact.refresh_from_db()
    assert contact.organization == acme


def test_intake_records_the_equipment_and_finds_it_again_by_serial_number(db):
    requester = RequesterDetails(email="ravi@example.org")
    equipment = {"model_number": "LJ-400", "serial_number": "SN123", "location": "Pune plant"}

    first = intake.open_ticket_from_intake(
        requester=requester, asset_details=equipment, subject="Paper jam"
    )
    second = intake.open_ticket_from_intake(
        requester=requester, asset_details={"serial_number": "SN123"}, subject="Toner empty"
    )

    assert first.asset is not None
    assert first.asset.location == "Pune plant"
    assert second.asset == first.asset
    assert Asset.objects.count() == 1


# --- merging duplicate contacts -----------------------------------------------------------


@pytest.fixture
def duplicates(make_contact):
    """The same person known twice: once by email, once by phone."""
    source = make_contact(email="ravi.k@example.org", name="Ravi K")
    target = make_contact(phone="98765 43210", name="Ravi Kumar")
    return source, target


def test_merge_moves_identities_to_the_target(duplicates):
    source, target = duplicates

    merge_contacts(source, target)

    assert identities_of(source) == set()
    assert identities_of(target) == {(EMAIL, "ravi.k@example.org"), (PHONE, "+919876543210")}
    assert find_contact(EMAIL, "ravi.k@example.org") == target


def test_merge_moves_tickets_and_records_the_requester_change_on_each(
    duplicates, make_ticket, make_agent
):
    source, target = duplicates
    supervisor = make_agent(role="supervisor")
    first, second = make_ticket(requester=source), make_ticket(requester=source)

    merge = merge_contacts(source, target, actor=supervisor)

    assert set(Ticket.objects.filter(requester=target).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert sorted(merge.moved_ticket_ids) == sorted([first.pk, second.pk])
    for ticket in (first, second):
        event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.REQUESTER)
        assert event.actor == supervisor
        assert event.data["from"]["id"] == source.pk
        assert event.data["to"]["id"] == target.pk
        assert event.data["reason"] == "contact_merge"


def test_merge_moves_tickets_as_a_new_version(duplicates, make_ticket):
    source, target = duplicates
    ticket = make_ticket(requester=source)

    merge_contacts(source, target)

    ticket.refresh_from_db()
    assert ticket.version == 2


def test_merge_moves_assets(duplicates):
    source, target = duplicates
    asset = save_asset(contact=source, serial_number="SN123")

    merge_contacts(source, target)

    asset.refresh_from_db()
    assert asset.contact == target


def test_merge_marks_the_source_merged_and_records_the_merge(duplicates, make_agent):
    source, target = duplicates
    supervisor = make_agent(role="supervisor")

    merge_contacts(source, target, actor=supervisor)

    source.refresh_from_db()
    assert source.merged_into == target
    merge = ContactMerge.objects.get()
    assert (merge.source, merge.target, merge.actor) == (source, target, supervisor)
    assert merge.moved_identities == ["email:ravi.k@example.org"]


def test_merge_gives_the_target_the_source_organization_when_it_has_none(duplicates):
    source, target = duplicates
    acme = save_organization(name="Acme Steel")
    update_contact(source, organization=acme)

    merge_contacts(source, target)

    target.refresh_from_db()
    assert target.organization == acme


def test_contact_cannot_be_merged_into_itself(make_contact):
    contact = make_contact()

    with pytest.raises(InvalidInput):
        merge_contacts(contact, contact)
    contact.refresh_from_db()
    assert contact.merged_into is None


def test_contact_cannot_be_merged_twice(duplicates, make_contact):
    source, target = duplicates
    merge_contacts(source, target)
    third = make_contact()

    with pytest.raises(Conflict):
        merge_contacts(Contact.objects.get(pk=source.pk), third)
    assert ContactMerge.objects.count() == 1


def test_contact_cannot_be_merged_into_a_merged_contact(duplicates, make_contact):
    source, target = duplicates
    merge_contacts(source, target)

    with pytest.raises(Conflict):
        merge_contacts(make_contact(), Contact.objects.get(pk=source.pk))


def test_new_ticket_for_a_merged_contact_goes_to_the_surviving_contact(duplicates, make_ticket):
    source, target = duplicates
    merge_contacts(source, target)

    ticket = make_ticket(requester=Contact.objects.get(pk=source.pk))

    assert ticket.requester == target
