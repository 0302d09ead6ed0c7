"""Every change to customer records goes through these functions.

The customers app knows nothing of tickets: the workflows that span both (the intake, a
contact merge) are in :mod:`sampark.workflows`."""

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.translation import gettext as _

from sampark.core.errors import Conflict, InvalidInput, check_unique_name
from sampark.db import configuration, transactions
from sampark.db.inserts import insert, insert_with_children
from sampark.db.prepared import Prepared

from .models import (
    Asset,
    Contact,
    ContactMerge,
    Identity,
    Language,
    Organization,
    OrganizationDomain,
)

# Checking an address or a number is pure, and the intake does it twice: before its
# transaction (check_requester, so that bad details never take the write lock) and inside it.
# Each process keeps the answers for the addresses and numbers it saw last.
CHECKED_PER_PROCESS = 4096


def normalise_email(value: str) -> str:
    email = (value or "").strip().lower()
    if not _valid_email(email):
        raise InvalidInput(
            _("“%(value)s” is not a valid email address.") % {"value": value}, field="email"
        )
    return email


@functools.lru_cache(maxsize=CHECKED_PER_PROCESS)
def _valid_email(email: str) -> bool:
    try:
        validate_email(email)
    except ValidationError:
        return False
    return True


def normalise_phone(value: str, region: str | None = None) -> str:
    """E.164 form of a phone number; numbers with no country code are read in the default
    region (+91 unless SAMPARK_DEFAULT_PHONE_REGION says otherwise)."""
    number = _e164((value or "").strip(), region or settings.SAMPARK_DEFAULT_PHONE_REGION)
    if number is None:
        raise InvalidInput(
            _("“%(value)s” is not a valid phone number.") % {"value": value}, field="phone"
        )
    return number


@functools.lru_cache(maxsize=CHECKED_PER_PROCESS)
def _e164(value: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_handle(value: str) -> str:
    handle = (value or "").strip()
    if not handle or len(handle) > 254:
        raise InvalidInput(_("A handle must be 1 to 254 characters long."), field="value")
    return handle


def normalise_identity(kind: str, value: str) -> str:
    if kind == Identity.Kind.EMAIL:
        return normalise_email(value)
    if kind == Identity.Kind.PHONE:
        return normalise_phone(value)
    if kind in (Identity.Kind.CHAT, Identity.Kind.MESSAGING):
        return normalise_handle(value)
    raise InvalidInput(_("Unknown identity kind “%(kind)s”.") % {"kind": kind}, field="kind")


# Every ticket opened looks its requester up by identity and email domain: compiled once.
_identities = Prepared(
    lambda kinds, values: Identity.objects.select_related("contact").filter(
        kind__in=kinds, value__in=values
    ),
    Prepared.TEXTS,
    Prepared.TEXTS,
)
# Which organization an email domain joins, kept in each process under the configuration
# generation (which any change to organizations or their domains moves). Kept as column
# values; each caller gets its own instance.
_ORGANIZATION_COLUMNS = [f.attname for f in Organization._meta.concrete_fields]


@configuration.keyed(size=4096)
def _organization_of_domain(domain: str) -> tuple | None:
    return (
        Organization.objects.filter(domains__domain=domain)
        .values_list(*_ORGANIZATION_COLUMNS)
        .first()
    )


def find_contact(kind: str, value: str) -> Contact | None:
    found = _identities([kind], [normalise_identity(kind, value)])
    return found[0].contact if found else None


def organization_for_email(email: str) -> Organization | None:
    row = _organization_of_domain(email.rsplit("@", 1)[-1])
    if row is None:
        return None
    return Organization.from_db(DEFAULT_DB_ALIAS, _ORGANIZATION_COLUMNS, row)


@dataclass(frozen=True)
class RequesterDetails:
    """Who a ticket is from, as an intake channel knows them."""

    name: str = ""
    email: str = ""
    phone: str = ""
    language: str = ""
    time_zone: str = ""


def _validate_language(language: str) -> str:
    if language and language not in Language.values:
        raise InvalidInput(
            _("Language must be one of: %(choices)s.") % {"choices": ", ".join(Language.values)},
            field="language",
        )
    return language


def check_requester(details: RequesterDetails) -> None:
    """Refuse details that name nobody: no email address or phone number, a bad one, or an
    unknown language (InvalidInput). Reads nothing."""
    _wanted_identities(details)


def _wanted_identities(details: RequesterDetails) -> tuple[tuple[str, str], ...]:
    """The requester's identities, checked and normalised, in the order they are matched
    (email, then phone)."""
    email = normalise_email(details.email) if details.email else ""
    phone = normalise_phone(details.phone) if details.phone else ""
    _validate_language(details.language)
    if not email and not phone:
        raise InvalidInput(
            _("A requester needs an email address or a phone number."), field="requester"
        )
    wanted = [(Identity.Kind.EMAIL, email), (Identity.Kind.PHONE, phone)]
    return tuple((kind, value) for kind, value in wanted if value)


def find_or_create_contact(details: RequesterDetails) -> tuple[Contact, bool]:
    """The contact these details belong to, matched by email then phone; created if new.

    A known contact gains any identity it did not have yet (when nobody else holds it), so
    the next contact through any channel finds the same person. A new contact whose email
    domain belongs to an organization joins that organization; so does a known one that has
    none yet. Bad details are refused before the transaction begins. Should another request
    add one of the identities between the look-up and the insert, the insert fails with
    IntegrityError (the intake then runs again and finds it)."""
    return _find_or_create(details, _wanted_identities(details))


@transactions.step
def _find_or_create(
    details: RequesterDetails, wanted: tuple[tuple[str, str], ...]
) -> tuple[Contact, bool]:
    known = {
        (i.kind, i.value): i for i in _identities([k for k, _v in wanted], [v for _k, v in wanted])
    }
    contact = next((known[key].contact for key in wanted if key in known), None)
    email = next((v for k, v in wanted if k == Identity.Kind.EMAIL), "")
    # A new contact joins its email domain's organization; a known one without any, too.
    organization = (
        organization_for_email(email)
        if email and (contact is None or contact.organization_id is None)
        else None
    )
    created = contact is None
    if created:
        phone = next((v for k, v in wanted if k == Identity.Kind.PHONE), "")
        name = (details.name or "").strip() or (email.split("@")[0] if email else phone)
        contact = Contact(
            name=name[:200],
            language=details.language or Language.ENGLISH,
            time_zone=details.time_zone or "Asia/Kolkata",
            organization=organization,
        )
    identities = [
        Identity(contact=contact, kind=kind, value=value)
        for kind, value in wanted
        if (kind, value) not in known
    ]
    if created:  # on PostgreSQL in one statement
        insert_with_children(contact, identities, link="contact")
    else:
        insert(identities)
    if not created and contact.organization_id is None and organization is not None:
        contact.organization = organization
        contact.save(update_fields=["organization"])
    return contact, created


@transaction.atomic
def add_identity(contact: Contact, kind: str, value: str) -> Identity:
    value = normalise_identity(kind, value)
    existing = Identity.objects.filter(kind=kind, value=value).first()
    if existing:
        if existing.contact_id == contact.pk:
            return existing
        raise Conflict(
            _("%(kind)s “%(value)s” already belongs to another contact; merge the two instead.")
            % {"kind": kind, "value": value}
        )
    return Identity.objects.create(contact=contact, kind=kind, value=value)


@transaction.atomic
def mark_bounced(value: str, *, reason: str, at) -> Identity | None:
    """Flag an email address whose mail bounced for good; None when no contact has it."""
    identity = Identity.objects.filter(kind=Identity.Kind.EMAIL, value=normalise_email(value))
    identity = identity.select_for_update().first()
    if identity is not None:
        identity.bounced_at, identity.bounce_reason = at, reason[:500]
        identity.save(update_fields=["bounced_at", "bounce_reason"])
    return identity


# The flagged identity of a bounced email address: every incoming mail asks, and almost never
# finds one.
_bounced = Prepared(
    lambda value: Identity.objects.filter(
        kind=Identity.Kind.EMAIL, value=value, bounced_at__isnull=False
    ).values_list("pk")[:1],
    str,
)


@transactions.step
def clear_bounce(value: str) -> None:
    """The address works again (its owner wrote from it): the bounce flag goes."""
    for (pk,) in _bounced(normalise_email(value)):
        Identity.objects.filter(pk=pk).update(bounced_at=None, bounce_reason="")


@transaction.atomic
def create_contact(
    *,
    name: str,
    language: str = Language.ENGLISH,
    time_zone: str = "Asia/Kolkata",
    organization: Organization | None = None,
    identities: list[tuple[str, str]] = (),
) -> Contact:
    if not name.strip():
        raise InvalidInput(_("A contact needs a name."), field="name")
    contact = Contact.objects.create(
        name=name.strip(),
        language=_validate_language(language) or Language.ENGLISH,
        time_zone=time_zone,
        organization=organization,
    )
    for kind, value in identities:
        add_identity(contact, kind, value)
    if organization is None:
        email = next((v for k, v in identities if k == Identity.Kind.EMAIL), None)
        if email and (org := organization_for_email(normalise_email(email))):
            contact.organization = org
            contact.save(update_fields=["organization"])
    return contact


@transaction.atomic
def update_contact(contact: Contact, **changes) -> Contact:
    allowed = {"name", "language", "time_zone", "organization"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(_("Unknown contact fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "language" in changes:
        _validate_language(changes["language"])
    if "name" in changes and not (changes["name"] or "").strip():
        raise InvalidInput(_("A contact needs a name."), field="name")
    for field, value in changes.items():
        setattr(contact, field, value)
    contact.save(update_fields=list(changes))
    return contact


def check_merge(source: Contact, target: Contact) -> None:
    """Refuse a contact merge that cannot be: a contact into itself, or one already merged."""
    if source.pk == target.pk:
        raise InvalidInput(_("A contact cannot be merged into itself."))
    if source.merged_into_id or target.merged_into_id:
        raise Conflict(_("One of these contacts has already been merged."))


@transaction.atomic
def fold_contact(
    source: Contact, target: Contact, *, actor=None, moved_ticket_ids: Sequence[int] = ()
) -> ContactMerge:
    """The customer records' side of a contact merge: ``source``'s identities and assets move
    to ``target``, which joins ``source``'s organization if it has none, ``source`` is marked
    as merged, and the merge is recorded with the tickets that moved
    (``moved_ticket_ids``). :func:`sampark.workflows.contact_merge.merge_contacts` is the whole
    merge: it moves the tickets, then calls this."""
    check_merge(source, target)
    identities = list(source.identities.values_list("kind", "value"))
    source.identities.update(contact=target)
    source.assets.update(contact=target)
    if target.organization_id is None and source.organization_id:
        target.organization_id = source.organization_id
        target.save(update_fields=["organization"])
    source.merged_into = target
    source.save(update_fields=["merged_into"])
    return ContactMerge.objects.create(
        source=source,
        target=target,
        actor=actor,
        moved_identities=[f"{k}:{v}" for k, v in identities],
        moved_ticket_ids=list(moved_ticket_ids),
    )


def normalise_domain(value: str) -> str:
    domain = (value or "").strip().lower().lstrip("@")
    if not domain or "." not in domain or len(domain) > 253 or " " in domain:
        raise InvalidInput(
            _("“%(value)s” is not a valid email domain.") % {"value": value}, field="domains"
        )
    return domain


@transaction.atomic
def save_organization(
    organization: Organization | None = None, *, domains: list[str] | None = None, **fields
) -> Organization:
    """Create (no ``organization``) or update an organization and replace its domains."""
    if "tier" in fields and fields["tier"] not in Organization.Tier.values:
        raise InvalidInput(_("Unknown tier."), field="tier")
    check_unique_name(
        Organization,
        fields,
        organization,
        missing=_("An organization needs a name."),
        taken=_("An organization with this name already exists."),
    )
    if organization is None:
        organization = Organization.objects.create(**fields)
    elif fields:
        for field, value in fields.items():
            setattr(organization, field, value)
        organization.save(update_fields=list(fields))
    if domains is not None:
        wanted = {normalise_domain(d) for d in domains}
        taken = OrganizationDomain.objects.filter(domain__in=wanted).exclude(
            organization=organization
        )
        if taken.exists():
            raise Conflict(
                _("Domain %(d)s already belongs to another organization.")
                % {"d": ", ".join(sorted(taken.values_list("domain", flat=True)))}
            )
        organization.domains.exclude(domain__in=wanted).delete()
        have = set(organization.domains.values_list("domain", flat=True))
        OrganizationDomain.objects.bulk_create(
            OrganizationDomain(organization=organization, domain=d) for d in sorted(wanted - have)
        )
    return organization


ASSET_FIELDS = ("name", "model_number", "serial_number", "licence", "account_number", "location")


@transaction.atomic
def save_asset(
    asset: Asset | None = None,
    *,
    contact: Contact | None = None,
    organization: Organization | None = None,
    **fields,
) -> Asset:
    unknown = set(fields) - set(ASSET_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown asset fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    fields = {k: (v or "").strip() for k, v in fields.items()}
    if asset is None:
        return Asset.objects.create(contact=contact, organization=organization, **fields)
    changed = list(fields)
    for field, value in fields.items():
        setattr(asset, field, value)
    if contact is not None:
        asset.contact = contact
        changed.append("contact")
    if organization is not None:
        asset.organization = organization
        changed.append("organization")
    if changed:
        asset.save(update_fields=changed)
    return asset


@transaction.atomic
def find_or_create_asset(*, contact: Contact, **fields) -> Asset | None:
    """The asset described at intake: matched by serial number (else licence, else account
    number) within the customer's organization (or the contact's own assets), else recorded
    as new. Empty details: None."""
    fields = {k: (fields.get(k) or "").strip() for k in ASSET_FIELDS}
    if not any(fields.values()):
        return None
    # Matched by serial number; software and contracts without one by licence or account.
    key = next(
        (
            (name, fields[name])
            for name in ("serial_number", "licence", "account_number")
            if fields[name]
        ),
        None,
    )
    if key is not None:
        scope = Asset.objects.filter(**{key[0]: key[1]})
        if contact.organization_id:
            scope = scope.filter(organization_id=contact.organization_id)
        else:
            scope = scope.filter(contact=contact)
        if found := scope.first():
            updates = {k: v for k, v in fields.items() if v and getattr(found, k) != v}
            return save_asset(found, **updates) if updates else found
    return save_asset(contact=contact, organization=contact.organization, **fields)
