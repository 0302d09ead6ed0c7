"""Every change to customer records goes through these functions."""

from dataclasses import dataclass

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.translation import gettext as _

from sampark.core.errors import Conflict, InvalidInput, check_unique_name
from sampark.db import configuration
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


def normalise_email(value: str) -> str:
    email = (value or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(
            _("“%(value)s” is not a valid email address.") % {"value": value}, field="email"
        ) from None
    return email


def normalise_phone(value: str, region: str | None = None) -> str:
    """E.164 form of a phone number; numbers with no country code are read in the default
    region (+91 unless SAMPARK_DEFAULT_PHONE_REGION says otherwise)."""
    region = region or settings.SAMPARK_DEFAULT_PHONE_REGION
    try:
        number = phonenumbers.parse((value or "").strip(), region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidInput(
            _("“%(value)s” is not a valid phone number.") % {"value": value}, field="phone"
        )
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


@dataclass(frozen=True)
class RequesterMatch:
    """What the database holds for a requester's details: their identities, normalised and in
    the order they are matched (email, then phone), the ones already known, the contact they
    belong to, and the organization a new contact would join by its email domain."""

    details: RequesterDetails
    wanted: tuple[tuple[str, str], ...]
    known: frozenset[tuple[str, str]]
    contact: Contact | None
    organization: Organization | None

    def new_contact(self) -> Contact:
        """The contact these details would create (not saved): the same instance on every
        call, so that a ticket planned on it before the transaction is the one saved with it."""
        contact = self.__dict__.get("_new_contact")
        if contact is None:
            details = self.details
            email = next((v for k, v in self.wanted if k == Identity.Kind.EMAIL), "")
            phone = next((v for k, v in self.wanted if k == Identity.Kind.PHONE), "")
            name = (details.name or "").strip() or (email.split("@")[0] if email else phone)
            contact = Contact(
                name=name[:200],
                language=details.language or Language.ENGLISH,
                time_zone=details.time_zone or "Asia/Kolkata",
                organization=self.organization,
            )
            object.__setattr__(self, "_new_contact", contact)  # a frozen dataclass
        return contact


def match_requester(details: RequesterDetails) -> RequesterMatch:
    """Check and normalise the details and look them up; reads, never writes."""
    email = normalise_email(details.email) if details.email else ""
    phone = normalise_phone(details.phone) if details.phone else ""
    _validate_language(details.language)
    if not email and not phone:
        raise InvalidInput(
            _("A requester needs an email address or a phone number."), field="requester"
        )
    wanted = [(Identity.Kind.EMAIL, email), (Identity.Kind.PHONE, phone)]
    wanted = tuple((kind, value) for kind, value in wanted if value)
    known = {
        (i.kind, i.value): i for i in _identities([k for k, _v in wanted], [v for _k, v in wanted])
    }
    contact = next((known[key].contact for key in wanted if key in known), None)
    # A new contact joins its email domain's organization; a known one without any, too.
    organization = (
        organization_for_email(email)
        if email and (contact is None or contact.organization_id is None)
        else None
    )
    return RequesterMatch(details, wanted, frozenset(known), contact, organization)


_still_current = Prepared(
    lambda pk: Contact.objects.filter(pk=pk, merged_into__isnull=True).values_list("pk")[:1], int
)


def find_or_create_contact(
    details: RequesterDetails, *, match: RequesterMatch | None = None, savepoint: bool = True
) -> tuple[Contact, bool]:
    """The contact these details belong to, matched by email then phone; created if new.

    A known contact gains any identity it did not have yet (when nobody else holds it), so
    the next contact through any channel finds the same person. A new contact whose email
    domain belongs to an organization joins that organization.

    ``match`` is :func:`match_requester`'s answer from before this transaction: it is used as
    it is, unless the contact it found has since been merged away. If another request has
    since added one of the identities, inserting it fails with IntegrityError.

    ``savepoint=False``: a caller whose own transaction fails as a whole when this step fails
    (the intake) saves a SAVEPOINT and a RELEASE, two round trips on PostgreSQL.
    """
    with transaction.atomic(savepoint=savepoint):
        if match is None or (match.contact is not None and not _still_current(match.contact.pk)):
            match = match_requester(details)
        contact = match.contact
        created = contact is None
        if created:
            contact = match.new_contact()
        identities = [
            Identity(contact=contact, kind=kind, value=value)
            for kind, value in match.wanted
            if (kind, value) not in match.known
        ]
        if created:  # on PostgreSQL in one statement
            insert_with_children(contact, identities, link="contact")
        else:
            insert(identities)
        if not created and contact.organization_id is None and match.organization is not None:
            contact.organization = match.organization
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


@transaction.atomic
def merge_contacts(source: Contact, target: Contact, *, actor=None) -> ContactMerge:
    """Fold ``source`` into ``target``: identities, tickets and assets move, the source is
    marked as merged, and the merge is recorded (also on each moved ticket's timeline)."""
    from sampark.tickets.services import transfer_requester  # tickets depend on customers

    if source.pk == target.pk:
        raise InvalidInput(_("A contact cannot be merged into itself."))
    if source.merged_into_id or target.merged_into_id:
        raise Conflict(_("One of these contacts has already been merged."))
    identities = list(source.identities.values_list("kind", "value"))
    source.identities.update(contact=target)
    moved_tickets = transfer_requester(source, target, actor=actor)
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
        moved_ticket_ids=moved_tickets,
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
