"""REST endpoints for customer records: contacts (with the customer-360 timeline),
organizations and assets."""

import zoneinfo
from datetime import datetime
from typing import Literal

from django.contrib.auth import get_user_model
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from sampark.api.pagination import decode_cursor, encode_cursor
from sampark.api.schema import (
    AgentRef,
    Id,
    Input,
    Limit,
    OrganizationRef,
    PathId,
    Text,
    agent_ref,
    organization_ref,
    referenced,
    referenced_agent,
)
from sampark.core.errors import Forbidden, InvalidInput, NotFound
from sampark.team.permissions import can_manage_accounts, can_merge_contacts
from sampark.workflows.contact_merge import merge_contacts

from . import services
from .models import Asset, Contact, Identity, Organization

router = Router(tags=["customers"])
User = get_user_model()

IdentityKind = Literal["email", "phone", "chat", "messaging"]
TierName = Literal["standard", "business", "enterprise"]


# --- schemas ------------------------------------------------------------------------------


class IdentityIn(Input):
    kind: IdentityKind
    value: Text(254, 1)


class IdentityOut(Schema):
    kind: str
    value: str


class ContactIn(Input):
    name: Text(200, 1)
    language: Literal["en", "hi"] = "en"
    time_zone: Text(64) = "Asia/Kolkata"
    organization: Id | None = None
    identities: list[IdentityIn] = Field(default_factory=list, max_length=20)


class ContactPatchIn(Input):
    name: Text(200, 1) | None = None
    language: Literal["en", "hi"] | None = None
    time_zone: Text(64) | None = None
    organization: Id | None = None


class ContactOut(Schema):
    id: int
    name: str
    language: str
    time_zone: str
    organization: OrganizationRef | None
    identities: list[IdentityOut]
    merged_into: int | None
    created_at: datetime


class ContactPage(Schema):
    items: list[ContactOut]
    next_cursor: str | None


class MergeContactIn(Input):
    into: Id


class OrganizationIn(Input):
    name: Text(200, 1)
    tier: TierName = "standard"
    account_manager: Id | None = None
    domains: list[Text(253, 1)] = Field(default_factory=list, max_length=50)
    notes: Text(10000) = ""


class OrganizationPatchIn(Input):
    name: Text(200, 1) | None = None
    tier: TierName | None = None
    account_manager: Id | None = None
    domains: list[Text(253, 1)] | None = Field(None, max_length=50)
    notes: Text(10000) | None = None


class OrganizationOut(Schema):
    id: int
    name: str
    tier: str
    account_manager: AgentRef | None
    domains: list[str]
    notes: str
    created_at: datetime


class OrganizationPage(Schema):
    items: list[OrganizationOut]
    next_cursor: str | None


class AssetFieldsIn(Input):
    name: Text(200) | None = None
    model_number: Text(100) | None = None
    serial_number: Text(100) | None = None
    licence: Text(100) | None = None
    account_number: Text(100) | None = None
    location: Text(300) | None = None
    contact: Id | None = None
    organization: Id | None = None


class AssetOut(Schema):
    id: int
    name: str
    model_number: str
    serial_number: str
    licence: str
    account_number: str
    location: str
    contact: int | None
    organization: int | None
    created_at: datetime


class AssetPage(Schema):
    items: list[AssetOut]
    next_cursor: str | None


# --- rendering and lookups ----------------------------------------------------------------


def contact_out(contact: Contact) -> dict:
    return {
        "id": contact.pk,
        "name": contact.name,
        "language": contact.language,
        "time_zone": contact.time_zone,
        "organization": organization_ref(contact.organization),
        "identities": [{"kind": i.kind, "value": i.value} for i in contact.identities.all()],
        "merged_into": contact.merged_into_id,
        "created_at": contact.created_at,
    }


def organization_out(org: Organization) -> dict:
    return {
        "id": org.pk,
        "name": org.name,
        "tier": org.tier,
        "account_manager": agent_ref(org.account_manager),
        "domains": sorted(d.domain for d in org.domains.all()),
        "notes": org.notes,
        "created_at": org.created_at,
    }


def asset_out(asset: Asset) -> dict:
    return {
        "id": asset.pk,
        **{field: getattr(asset, field) for field in services.ASSET_FIELDS},
        "contact": asset.contact_id,
        "organization": asset.organization_id,
        "created_at": asset.created_at,
    }


def _organization(org_id: int | None, field: str = "organization") -> Organization | None:
    return referenced(Organization, org_id, field=field)


def _contact_ref(contact_id: int | None, field: str = "contact") -> Contact | None:
    return referenced(Contact, contact_id, field=field)


def _account_manager(user_id: int | None):
    return referenced_agent(user_id, field="account_manager")


def _check_time_zone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInput(
            _("Unknown time zone “%(name)s”.") % {"name": name[:64]}, field="time_zone"
        ) from None
    return name


def _id_page(rows, cursor: str | None, limit: int, render) -> dict:
    rows = rows.order_by("id")
    if cursor:
        rows = rows.filter(id__gt=decode_cursor(cursor, int)[0])
    items = list(rows[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return {
        "items": [render(i) for i in items],
        "next_cursor": encode_cursor(items[-1].pk) if more else None,
    }


def _contacts():
    return Contact.objects.select_related("organization").prefetch_related("identities")


def _organizations():
    return Organization.objects.select_related("account_manager").prefetch_related("domains")


def _get(rows, pk: int):
    found = rows.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("%(what)s not found.") % {"what": capfirst(rows.model._meta.verbose_name)})
    return found


# --- contacts -----------------------------------------------------------------------------


@router.get("/contacts", response=ContactPage, summary="Find contacts")
def list_contacts(
    request,
    email: Text(254) | None = None,
    phone: Text(40) | None = None,
    organization: Id | None = None,
    cursor: Text(500) | None = None,
    limit: Limit = 50,
):
    """Contacts, optionally found by an email address or phone number (in any common
    format; it is normalised first) or by organization."""
    rows = _contacts().filter(merged_into__isnull=True)
    if email:
        rows = rows.filter(
            identities__kind=Identity.Kind.EMAIL, identities__value=services.normalise_email(email)
        )
    if phone:
        rows = rows.filter(
            identities__kind=Identity.Kind.PHONE, identities__value=services.normalise_phone(phone)
        )
    if organization is not None:
        rows = rows.filter(organization_id=organization)
    return _id_page(rows, cursor, limit, contact_out)


@router.post("/contacts", response={201: ContactOut}, summary="Create a contact")
def create_contact(request, payload: ContactIn):
    contact = services.create_contact(
        name=payload.name,
        language=payload.language,
        time_zone=_check_time_zone(payload.time_zone),
        organization=_organization(payload.organization),
        identities=[(i.kind, i.value) for i in payload.identities],
    )
    return Status(201, contact_out(_get(_contacts(), contact.pk)))


@router.get("/contacts/{contact_id}", response=ContactOut, summary="A contact")
def get_contact(request, contact_id: PathId):
    return contact_out(_get(_contacts(), contact_id))


@router.patch("/contacts/{contact_id}", response=ContactOut, summary="Change a contact")
def patch_contact(request, contact_id: PathId, payload: ContactPatchIn):
    contact = _get(_contacts(), contact_id)
    given = payload.dict(exclude_unset=True)
    changes = {}
    for field in ("name", "language"):
        if given.get(field) is not None:
            changes[field] = given[field]
    if given.get("time_zone") is not None:
        changes["time_zone"] = _check_time_zone(given["time_zone"])
    if "organization" in given:
        changes["organization"] = _organization(given["organization"])
    services.update_contact(contact, **changes)
    return contact_out(_get(_contacts(), contact_id))


@router.post(
    "/contacts/{contact_id}/identities",
    response={201: ContactOut},
    summary="Add an email, phone or handle",
)
def add_identity(request, contact_id: PathId, payload: IdentityIn):
    contact = _get(Contact.objects.all(), contact_id)
    services.add_identity(contact, payload.kind, payload.value)
    return Status(201, contact_out(_get(_contacts(), contact_id)))


@router.post(
    "/contacts/{contact_id}/merge", response=ContactOut, summary="Merge this contact into another"
)
def merge_contact(request, contact_id: PathId, payload: MergeContactIn):
    """Identities, tickets and assets move to ``into``; supervisors only."""
    if not can_merge_contacts(request.auth):
        raise Forbidden(_("Only supervisors and admins can merge contacts."))
    source = _get(Contact.objects.all(), contact_id)
    target = _contact_ref(payload.into, "into")
    merge_contacts(source, target, actor=request.auth)
    return contact_out(_get(_contacts(), target.pk))


# --- organizations ------------------------------------------------------------------------


@router.get("/organizations", response=OrganizationPage, summary="Organizations")
def list_organizations(
    request, domain: Text(253) | None = None, cursor: Text(500) | None = None, limit: Limit = 50
):
    rows = _organizations()
    if domain:
        rows = rows.filter(domains__domain=domain.strip().lower())
    return _id_page(rows, cursor, limit, organization_out)


@router.post("/organizations", response={201: OrganizationOut}, summary="Create an organization")
def create_organization(request, payload: OrganizationIn):
    if not can_manage_accounts(request.auth):
        raise Forbidden(_("Only supervisors and admins can manage organizations."))
    org = services.save_organization(
        name=payload.name,
        tier=payload.tier,
        account_manager=_account_manager(payload.account_manager),
        notes=payload.notes,
        domains=payload.domains,
    )
    return Status(201, organization_out(_get(_organizations(), org.pk)))


@router.get("/organizations/{org_id}", response=OrganizationOut, summary="An organization")
def get_organization(request, org_id: PathId):
    return organization_out(_get(_organizations(), org_id))


@router.patch("/organizations/{org_id}", response=OrganizationOut, summary="Change an organization")
def patch_organization(request, org_id: PathId, payload: OrganizationPatchIn):
    if not can_manage_accounts(request.auth):
        raise Forbidden(_("Only supervisors and admins can manage organizations."))
    org = _get(Organization.objects.all(), org_id)
    given = payload.dict(exclude_unset=True)
    fields = {k: given[k] for k in ("name", "tier", "notes") if given.get(k) is not None}
    if "account_manager" in given:
        fields["account_manager"] = _account_manager(given["account_manager"])
    services.save_organization(org, domains=given.get("domains"), **fields)
    return organization_out(_get(_organizations(), org_id))


# --- assets -------------------------------------------------------------------------------


@router.get("/assets", response=AssetPage, summary="Assets")
def list_assets(
    request,
    contact: Id | None = None,
    organization: Id | None = None,
    serial_number: Text(100) | None = None,
    cursor: Text(500) | None = None,
    limit: Limit = 50,
):
    rows = Asset.objects.all()
    if contact is not None:
        rows = rows.filter(contact_id=contact)
    if organization is not None:
        rows = rows.filter(organization_id=organization)
    if serial_number:
        rows = rows.filter(serial_number=serial_number.strip())
    return _id_page(rows, cursor, limit, asset_out)


@router.post("/assets", response={201: AssetOut}, summary="Record an asset")
def create_asset(request, payload: AssetFieldsIn):
    given = payload.dict(exclude_unset=True)
    contact = _contact_ref(given.pop("contact", None))
    organization = _organization(given.pop("organization", None))
    fields = {k: v for k, v in given.items() if v is not None}
    if not any(fields.values()):
        raise InvalidInput(_("Describe the asset: at least a name, model or serial number."))
    asset = services.save_asset(contact=contact, organization=organization, **fields)
    return Status(201, asset_out(asset))


@router.get("/assets/{asset_id}", response=AssetOut, summary="An asset")
def get_asset(request, asset_id: PathId):
    return asset_out(_get(Asset.objects.all(), asset_id))


@router.patch("/assets/{asset_id}", response=AssetOut, summary="Change an asset")
def patch_asset(request, asset_id: PathId, payload: AssetFieldsIn):
    asset = _get(Asset.objects.all(), asset_id)
    given = payload.dict(exclude_unset=True)
    contact = _contact_ref(given.pop("contact", None))
    organization = _organization(given.pop("organization", None))
    fields = {k: v for k, v in given.items() if v is not None}
    services.save_asset(asset, contact=contact, organization=organization, **fields)
    return asset_out(_get(Asset.objects.all(), asset_id))
