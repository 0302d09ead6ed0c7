"""Agents, groups and API tokens."""

import hashlib
import secrets
import time
import zoneinfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sampark.core import events
from sampark.core.errors import Conflict, InvalidInput, check_unique_name
from sampark.customers.services import normalise_email
from sampark.db import configuration
from sampark.db.configuration import UNWATCHED

from .models import AgentProfile, ApiToken, Group, Tier

User = get_user_model()

TOKEN_PREFIX = "spk_"  # noqa: S105 - a public marker, not a secret


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_agent(
    *,
    email: str,
    name: str = "",
    password: str | None = None,
    role: str = AgentProfile.Role.AGENT,
    tier: str = Tier.L1,
    groups: list[Group] = (),
    skills: list[str] = (),
    languages: list[str] = ("en",),
    capacity: int = 20,
    password_hash: str | None = None,
    ticket_access: str | None = None,
) -> AgentProfile:
    """A new agent: a Django user (the email address is the login) with a profile. Without a
    password the account cannot sign in until a password is set by email. ``password_hash``
    is a password already hashed by ``make_password``, for a team created in bulk with one
    published password (the demo): hashing is slow on purpose, half a second each.
    ``ticket_access`` defaults to the role's (see ``AgentProfile.default_ticket_access``)."""
    email = normalise_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(_("An agent with this email already exists."))
    if ticket_access is None:
        ticket_access = AgentProfile.default_ticket_access(role)
    _validate_profile(role=role, tier=tier, ticket_access=ticket_access)
    first, _sep, last = (name or email.split("@")[0]).strip().partition(" ")
    user = User(
        username=email[:150],
        email=email,
        first_name=first[:150],
        last_name=last[:150],
        is_staff=role == AgentProfile.Role.ADMIN,
        is_superuser=role == AgentProfile.Role.ADMIN,
    )
    if password:
        user.set_password(password)
    elif password_hash:
        user.password = password_hash
    else:
        user.set_unusable_password()
    user.save()
    profile = AgentProfile.objects.create(
        user=user,
        role=role,
        tier=tier,
        skills=list(skills),
        languages=list(languages),
        capacity=capacity,
        ticket_access=ticket_access,
    )
    profile.groups.set(groups)
    return profile


def _validate_profile(**fields) -> None:
    if "role" in fields and fields["role"] not in AgentProfile.Role.values:
        raise InvalidInput(_("Unknown role."), field="role")
    if "tier" in fields and fields["tier"] not in Tier.values:
        raise InvalidInput(_("Unknown tier."), field="tier")
    if "presence" in fields and fields["presence"] not in AgentProfile.Presence.values:
        raise InvalidInput(_("Unknown presence."), field="presence")
    if (
        "ticket_access" in fields
        and fields["ticket_access"] not in AgentProfile.TicketAccess.values
    ):
        raise InvalidInput(_("Unknown ticket access."), field="ticket_access")


@transaction.atomic
def update_agent(profile: AgentProfile, *, groups: list[Group] | None = None, **fields) -> None:
    """Change an agent's profile.

    A new role brings the new role's ticket access only when the agent had the old role's
    default: an access an admin chose on purpose (narrower, or wider, than the role's) stays
    through promotions and demotions, so a promotion never silently widens a narrowed agent.
    A ``ticket_access`` given in the same change wins."""
    _validate_profile(**fields)
    allowed = {"role", "tier", "skills", "languages", "capacity", "presence", "ticket_access"}
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidInput(_("Unknown agent fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if (
        "role" in fields
        and "ticket_access" not in fields
        and fields["role"] != profile.role
        and profile.ticket_access == AgentProfile.default_ticket_access(profile.role)
    ):
        fields["ticket_access"] = AgentProfile.default_ticket_access(fields["role"])
    for field, value in fields.items():
        setattr(profile, field, value)
    if fields:
        profile.save(update_fields=list(fields))
    if "role" in fields:
        is_admin = fields["role"] == AgentProfile.Role.ADMIN
        profile.user.is_staff = profile.user.is_superuser = is_admin
        profile.user.save(update_fields=["is_staff", "is_superuser"])
    if groups is not None:
        profile.groups.set(groups)


@transaction.atomic
def set_presence(profile: AgentProfile, presence: str) -> None:
    """An agent marks themself online, away or offline, which routing and the board read.
    Presence is routine: it leaves the configuration generation (and every process's cached
    directory) alone."""
    _validate_profile(presence=presence)
    profile.presence = presence
    profile.save(update_fields=["presence"])


def _validate_time_zone(name: str) -> str:
    name = (name or "").strip()
    if not name:
        return ""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInput(
            _("Unknown time zone “%(name)s”.") % {"name": name[:64]}, field="time_zone"
        ) from None
    return name


@transaction.atomic
def set_workspace_preferences(
    profile: AgentProfile, *, language: str | None = None, time_zone: str | None = None
) -> None:
    """The language the workspace speaks to this agent and the time zone it shows times in,
    kept on the profile so that they hold on every computer the agent signs in from. An
    empty value goes back to the default: the browser's language, the help desk's zone.
    ``None`` leaves a preference as it is."""
    changed = []
    if language is not None:
        if language and language not in dict(settings.LANGUAGES):
            raise InvalidInput(_("Unknown language."), field="language")
        profile.language = language
        changed.append("language")
    if time_zone is not None:
        profile.time_zone = _validate_time_zone(time_zone)
        changed.append("time_zone")
    if changed:
        profile.save(update_fields=changed)


@transaction.atomic
def create_admin(*, email: str, password: str, name: str = "") -> AgentProfile:
    """The first administrator, or an existing user promoted to admin with a new password."""
    email = normalise_email(email)
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return create_agent(
            email=email, name=name, password=password, role=AgentProfile.Role.ADMIN, tier=Tier.L3
        )
    user.set_password(password)
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["password", "is_staff", "is_superuser"])
    profile, _created = AgentProfile.objects.get_or_create(user=user)
    update_agent(profile, role=AgentProfile.Role.ADMIN)
    return profile


@transaction.atomic
def save_group(group: Group | None = None, **fields) -> Group:
    _validate_profile(**{k: v for k, v in fields.items() if k == "tier"})
    check_unique_name(
        Group,
        fields,
        group,
        missing=_("A group needs a name."),
        taken=_("A group with this name already exists."),
    )
    target = fields.get("escalates_to")
    if target is not None:
        tier = fields.get("tier", group.tier if group else Tier.L1)
        if (group is not None and target.pk == group.pk) or target.tier <= tier:
            raise InvalidInput(
                _("A group escalates to a group of a higher tier."), field="escalates_to"
            )
    if fields.get("is_default"):
        Group.objects.filter(is_default=True).update(is_default=False)
    if group is None:
        return Group.objects.create(**fields)
    if "calendar" in fields and fields["calendar"] != group.calendar:
        # The group's tickets now count business time on another calendar.
        events.publish("calendar_changed", calendar_id=getattr(fields["calendar"], "pk", None))
    for field, value in fields.items():
        setattr(group, field, value)
    if fields:
        group.save(update_fields=list(fields))
    return group


@transaction.atomic
def issue_token(user, *, name: str = "") -> tuple[ApiToken, str]:
    """A new API token for ``user``. Returns the stored row and the secret, which is shown
    once and never stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=secret[:12], digest=_digest(secret)
    )
    return token, secret


# Who a token belongs to is kept in each process under the configuration generation, which
# issuing or revoking a token, deactivating a user or changing an agent's role moves (see
# sampark.db.configuration): a revoked token stops working at once in every process. The
# columns written as routine (a token's last use, a login, an agent's presence) move nothing;
# each request's instances leave them deferred, so reading one asks the database.
_CREDENTIALS: list[tuple[type, list[str], list[str]]] = []
for _model, _path in ((ApiToken, ""), (User, "user__"), (AgentProfile, "user__agent__")):
    _unwatched = UNWATCHED.get(_model._meta.label, ())
    _kept = [f for f in _model._meta.concrete_fields if f.name not in _unwatched]
    # The model, the names the lookup selects, and the attributes they fill, in that order.
    _CREDENTIALS.append((_model, [_path + f.name for f in _kept], [f.attname for f in _kept]))
# A token is touched at most once a minute by each process, so that reads do not turn into writes.
TOUCH_EVERY = 60.0
_touched: dict[str, float] = {}  # by digest


@configuration.keyed(size=4096)
def _live_credentials(digest: str) -> tuple | None:
    """The column values of the live token with this digest, of its user and of the user's
    agent profile (all None when the user has none); None when there is no such live token."""
    names = [name for _model, selected, _attnames in _CREDENTIALS for name in selected]
    row = (
        ApiToken.objects.filter(digest=digest, revoked_at__isnull=True, user__is_active=True)
        .values_list(*names)
        .first()
    )
    if row is None:
        return None
    values, start = [], 0
    for _model, _selected, attnames in _CREDENTIALS:
        values.append(row[start : start + len(attnames)])
        start += len(attnames)
    return tuple(values)


def _credentials_instances(values: tuple) -> ApiToken:
    """New instances for this request: the token with its user, and the user's profile."""
    token, user, profile = (
        model.from_db(DEFAULT_DB_ALIAS, attnames, row) if row[0] is not None else None
        for (model, _selected, attnames), row in zip(_CREDENTIALS, values, strict=True)
    )
    token.user = user
    if profile is None:
        User.agent.related.set_cached_value(user, None)  # no profile, known without a query
    else:
        user.agent = profile
    return token


def authenticate_token(secret: str) -> ApiToken | None:
    if not secret or len(secret) > 200:
        return None
    digest = _digest(secret)
    found = _live_credentials(digest)
    if found is None:
        return None
    token = _credentials_instances(found)
    clock = time.monotonic()
    if clock - _touched.get(digest, -TOUCH_EVERY) >= TOUCH_EVERY:
        _touched[digest] = clock
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


@transaction.atomic
def revoke_token(token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])


# --- accounts -----------------------------------------------------------------------------

ACCOUNT_FIELDS = ("first_name", "last_name", "is_active")


@transaction.atomic
def update_account(user, **fields):
    """Change an agent's account as Django keeps it: their name, and whether they may sign
    in. Taking that away deactivates the agent (:func:`deactivate_agent`). Returns the user as
    saved."""
    unknown = set(fields) - set(ACCOUNT_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown agent fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    stored = User.objects.select_for_update().get(pk=user.pk)
    active = fields.pop("is_active", None)
    if active is False and stored.is_active:
        deactivate_agent(stored)
    elif active and not stored.is_active:
        stored.is_active = True
        stored.save(update_fields=["is_active"])
    names = {field: (value or "").strip()[:150] for field, value in fields.items()}
    for field, value in names.items():
        setattr(stored, field, value)
    if names:
        stored.save(update_fields=list(names))
    return stored


@transaction.atomic
def deactivate_agent(user) -> int:
    """Take an agent out of service: they can no longer sign in, every API token they hold is
    revoked (revoked, not only refused: reactivating the account later brings no old token
    back), and they show as offline, so nothing routes work to them. Tickets they own keep
    them until a supervisor reassigns them; a new ticket from their customers goes to the
    group's strategy or queue (:func:`sampark.assignment.services.intake.choose_owner` passes
    over inactive owners).
    Returns the number of tokens revoked."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    AgentProfile.objects.filter(user=user).update(presence=AgentProfile.Presence.OFFLINE)
    return revoked
