"""The people and things of the demo, created through the services as an admin would."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from sampark.calendars.models import BusinessCalendar
from sampark.core.errors import InvalidInput
from sampark.customers import services as customers
from sampark.customers.models import Asset, Contact, Identity
from sampark.routing.services import save_routing_rule
from sampark.team import services as team
from sampark.team.models import Group
from sampark.tickets.models import FieldDefinition, Priority
from sampark.tickets.services import save_field_definition, save_priority_rule

from . import content
from .content import AgentSpec, AssetSpec, ContactSpec, OrgSpec
from .stories import Stage

User = get_user_model()


@dataclass
class Cast:
    """Everything the stories need to find: agents, groups, contacts and their equipment."""

    stage: Stage
    agents: dict[str, object] = field(default_factory=dict)  # agent key -> User
    groups: dict[str, Group] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)
    contact_specs: dict[str, ContactSpec] = field(default_factory=dict)
    organization_of: dict[str, OrgSpec | None] = field(default_factory=dict)
    equipment: dict[str, list[AssetSpec]] = field(default_factory=dict)  # what they ask about
    phones: dict[str, str] = field(default_factory=dict)  # contact key -> 10-digit mobile
    taken_phones: set[str] = field(default_factory=set)
    _specs_by_user: dict[int, AgentSpec] = field(default_factory=dict)

    @property
    def supervisor(self):
        return self.agents["meenakshi"]

    def spec_of(self, user) -> AgentSpec:
        return self._specs_by_user[user.pk]

    def pick(self, group: str, register: str, rng: random.Random, exclude=()):
        """An agent of ``group`` who can take the ticket, preferring one who speaks the
        customer's language; supervisors only when nobody else is there."""
        members = [s for s in content.AGENTS if group in s.groups]
        members = [s for s in members if self.agents[s.key].pk not in exclude] or members
        agents = [s for s in members if s.role == "agent"] or members
        needed = "en" if register == "en" else "hi"
        speakers = [s for s in agents if needed in s.languages] or agents
        return self.agents[rng.choice(speakers).key]

    def dialled(self, contact: str, rng: random.Random) -> str:
        """The contact's mobile number, written the way people type it."""
        return _written(self.phones[contact], rng)

    def walk_in(self, rng: random.Random) -> str:
        """A new customer who has never been in touch: only their spec exists until their
        first message creates them. Returns their key."""
        key = f"walk-in-{len(self.contact_specs)}"
        (first, first_hi), (last, last_hi) = (
            rng.choice(content.FIRST_NAMES),
            rng.choice(content.SURNAMES),
        )
        language = "hi" if rng.random() < 0.6 else "en"
        in_devanagari = language == "hi" and rng.random() < 0.5
        emails = ()
        if rng.random() < 0.75:
            local = rng.choice([f"{first}.{last}", f"{first}{last[0]}", f"{last}.{first}"])
            email = f"{local.lower()}{rng.randint(1, 99)}@{rng.choice(content.MAIL_DOMAINS)}"
            emails = (email,)
        kinds, name, model, prefix, card = rng.choice(content.HOME_EQUIPMENT)
        serial = f"{prefix}{rng.randint(1000, 9999)}"
        town = rng.choice(content.TOWNS)
        lekha = "lekha" in kinds
        number = rng.randint(1000, 9999)
        asset = AssetSpec(
            kinds=kinds,
            name=name,
            model=model,
            serial=serial,
            licence=f"LKH-PER-{number}" if lekha else (f"WTY-{serial}" if card else ""),
            account=f"SAH-ACC-C-{number}" if lekha else "",
            location=f"{rng.randint(2, 250)}, Ward {rng.randint(1, 40)}, {town}",
            site="the shop" if lekha else "home",
            site_hi="दुकान" if lekha else "घर",
            cover="" if lekha else rng.choice(["in_warranty", "out_of_warranty"]),
        )
        spec = ContactSpec(
            key=key,
            name=f"{first_hi} {last_hi}" if in_devanagari else f"{first} {last}",
            language=language,
            short=first,
            short_hi=first_hi,
            emails=emails,
        )
        _register(self, spec, None, _mobile(rng, self.taken_phones), None, [asset])
        return key


def _written(digits: str, rng: random.Random) -> str:
    return rng.choice(
        [
            digits,
            f"{digits[:5]} {digits[5:]}",
            f"+91 {digits[:5]} {digits[5:]}",
            f"0{digits}",
            f"+91-{digits}",
        ]
    )


def _mobile(rng: random.Random, taken: set[str]) -> str:
    """A valid Indian mobile number that no other demo contact has."""
    while True:
        digits = f"{rng.choice('6789')}{rng.randrange(10**9):09d}"
        if digits in taken:
            continue
        try:
            customers.normalise_phone(digits)
        except InvalidInput:
            continue
        taken.add(digits)
        return digits


def _email_for(spec: AgentSpec) -> str:
    return f"{spec.name.lower().replace(' ', '.')}@{content.AGENT_DOMAIN}"


def demo_emails() -> list[str]:
    return [content.ADMIN_EMAIL, *(_email_for(spec) for spec in content.AGENTS)]


def _save_asset(spec: AssetSpec, *, contact=None, organization=None) -> Asset:
    return customers.save_asset(
        contact=contact,
        organization=organization,
        name=spec.name,
        model_number=spec.model,
        serial_number=spec.serial,
        licence=spec.licence,
        account_number=spec.account,
        location=spec.location,
    )


def _identities(spec: ContactSpec, phone: str, rng: random.Random) -> list[tuple[str, str]]:
    identities = [(Identity.Kind.EMAIL, email) for email in spec.emails]
    identities.append((Identity.Kind.PHONE, _written(phone, rng)))
    if spec.messaging:
        identities.append((Identity.Kind.MESSAGING, spec.messaging))
    if spec.chat:
        identities.append((Identity.Kind.CHAT, f"visitor-{rng.getrandbits(40):010x}"))
    return identities


def build_cast(rng: random.Random, stage: Stage) -> Cast:
    cast = Cast(stage=stage)
    team.create_admin(
        email=content.ADMIN_EMAIL, password=content.ADMIN_PASSWORD, name=content.ADMIN_NAME
    )

    cast.groups["front"] = Group.objects.get(is_default=True)
    for spec in content.GROUPS:
        cast.groups[spec.key] = team.save_group(
            name=spec.name, name_hi=spec.name_hi, tier=spec.tier, description=spec.description
        )

    _service_levels(cast)

    # Every demo agent signs in to the workspace with the published demo password.
    password_hash = make_password(content.AGENT_PASSWORD)
    for spec in content.AGENTS:
        profile = team.create_agent(
            email=_email_for(spec),
            name=spec.name,
            role=spec.role,
            tier=spec.tier,
            groups=[cast.groups[key] for key in spec.groups],
            skills=list(spec.skills),
            languages=list(spec.languages),
            capacity=15 if spec.tier == "L1" else 25,
            password_hash=password_hash,
        )
        # At work while the history is replayed, so that returning customers can reach their
        # agent; each agent's presence of "now" is set after it (:func:`set_presence`).
        team.update_agent(profile, presence="online")
        cast.agents[spec.key] = profile.user
        cast._specs_by_user[profile.user.pk] = spec

    existing = set(FieldDefinition.objects.values_list("key", flat=True))
    for definition in content.FIELD_DEFINITIONS:
        if definition["key"] not in existing:
            save_field_definition(**definition)

    taken = cast.taken_phones
    for org_spec in content.ORGANIZATIONS:
        organization = customers.save_organization(
            name=org_spec.name,
            tier=org_spec.tier,
            account_manager=cast.agents[org_spec.manager] if org_spec.manager else None,
            notes=org_spec.notes,
            domains=list(org_spec.domains),
        )
        for asset in org_spec.assets:
            _save_asset(asset, organization=organization)
        for spec in org_spec.contacts:
            phone = _mobile(rng, taken)
            contact = customers.create_contact(
                name=spec.name,
                language=spec.language,
                organization=organization,
                identities=_identities(spec, phone, rng),
            )
            seen = org_spec.assets if spec.sees is None else [org_spec.assets[i] for i in spec.sees]
            _register(cast, spec, contact, phone, org_spec, seen)

    # Consumers arrive the way an intake channel finds them: by email or phone, then the
    # other ways of reaching them are added to the same person.
    for spec in content.CONSUMERS:
        phone = _mobile(rng, taken)
        contact, _created = customers.find_or_create_contact(
            customers.RequesterDetails(
                name=spec.name,
                email=spec.emails[0] if spec.emails else "",
                phone=_written(phone, rng),
                language=spec.language,
            )
        )
        for kind, value in _identities(spec, phone, rng):
            customers.add_identity(contact, kind, value)
        for asset in spec.assets:
            _save_asset(asset, contact=contact)
        _register(cast, spec, contact, phone, None, list(spec.assets))
    return cast


def _register(cast: Cast, spec, contact, phone, org_spec, equipment) -> None:
    if contact is not None:
        cast.contacts[spec.key] = contact
    cast.contact_specs[spec.key] = spec
    cast.organization_of[spec.key] = org_spec
    cast.phones[spec.key] = phone
    cast.equipment[spec.key] = equipment


def _service_levels(cast: Cast) -> None:
    """Where escalations go, the network NOC's round-the-clock calendar, and the company's
    priority and routing rules for new tickets."""
    groups = cast.groups
    for source, target in content.ESCALATIONS:
        team.save_group(groups[source], escalates_to=groups[target])
    round_the_clock = BusinessCalendar.objects.filter(always_open=True).first()
    if round_the_clock is not None:
        team.save_group(groups["network"], calendar=round_the_clock)
    for rule in content.PRIORITY_RULES:
        fields = dict(rule)
        if code := fields.pop("priority_code", None):
            fields["priority"] = Priority.objects.get(code=code)
        save_priority_rule(**fields)
    for rule in content.ROUTING_RULES:
        save_routing_rule(**rule)


def set_presence(cast: Cast) -> None:
    """Each agent's presence as the demo's "now" finds them: the history was replayed with
    everyone at work; at the end of it some have gone away or signed off."""
    for spec in content.AGENTS:
        if spec.presence != "online":
            team.update_agent(cast.agents[spec.key].agent, presence=spec.presence)
