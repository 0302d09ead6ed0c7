"""Configuration cached per process, trusted while the database's generation is unchanged."""

import time

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models.signals import post_migrate
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sampark.calendars import services as calendars
from sampark.customers.models import Organization, OrganizationDomain
from sampark.customers.services import organization_for_email, save_organization
from sampark.db import configuration
from sampark.sla import services as sla
from sampark.team import services as team
from sampark.team.models import AgentProfile, ApiToken, Group
from sampark.team.permissions import profile_of
from sampark.team.services import authenticate_token, issue_token
from sampark.tickets import rules
from sampark.tickets import services as tickets
from sampark.tickets.fields import validate_custom_fields
from sampark.tickets.models import FieldDefinition, Priority
from sampark.tickets.services import opening

pytestmark = pytest.mark.django_db


def _triggers_on(table: str) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [table],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
            )
        return {name for (name,) in cursor.fetchall()}


def test_every_configuration_table_has_its_triggers():
    names = list(configuration.watched())
    assert {"tickets_priority", "team_group", "sla_slapolicy", "sla_slapolicy_groups"} <= set(names)
    # One statement trigger on PostgreSQL; a row trigger per kind of change on SQLite.
    expected = 1 if connection.vendor == "postgresql" else 3
    for table in names:
        assert len(_triggers_on(table)) == expected, table


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE tickets_priority SET name = name",
        "UPDATE team_group SET description = description",
        "UPDATE calendars_businesscalendar SET revision = revision",
        "UPDATE calendars_workinghours SET weekday = weekday",
        "UPDATE sla_slapolicy SET revision = revision",
        "DELETE FROM sla_slapolicy_priorities",
        "UPDATE tickets_prioritymatrixcell SET impact = impact",
    ],
)
def test_any_statement_on_configuration_moves_the_generation(change):
    """Raw SQL included: the triggers see what Django's signals would miss."""
    before = configuration.generation()
    with connection.cursor() as cursor:
        cursor.execute(change)
    assert configuration.generation() not in (None, before)


def test_a_change_made_any_way_is_seen_by_the_next_read():
    assert tickets.resolve_priority("P3").name == "Routine service"
    # A queryset update sends no signal, and is what another process's change looks like.
    Priority.objects.filter(code="P3").update(name="Routine visit")
    assert tickets.resolve_priority("P3").name == "Routine visit"

    FieldDefinition.objects.create(key="site_code", label="Site code", kind="text")
    assert validate_custom_fields({"site_code": "PUN-4"}) == {"site_code": "PUN-4"}

    Group.objects.update(is_default=False)
    assert opening._default_group() is None


def test_unchanged_configuration_is_not_read_again():
    tickets.resolve_priority("P2"), sla.active_policies(), calendars.default_calendar()
    with CaptureQueriesContext(connection) as captured:
        tickets.resolve_priority("P2"), sla.active_policies(), calendars.default_calendar()
    assert [q["sql"] for q in captured] == [configuration._READ] * 3


def test_a_snapshot_reads_the_generation_once():
    tickets.resolve_priority("P2"), rules.matrix_priority("high", "high")
    with CaptureQueriesContext(connection) as captured, configuration.snapshot():
        assert tickets.resolve_priority("P2").code == "P2"
        assert rules.matrix_priority("high", "high").code == "P1"
        with configuration.snapshot():  # nested: still the outer one's reading
            calendars.default_calendar()
    assert [q["sql"] for q in captured] == [configuration._READ]


def test_a_rolled_back_change_is_forgotten():
    """Its generation is never used again, so what was cached under it is never trusted."""
    before = configuration.generation()
    with pytest.raises(RuntimeError), transaction.atomic():
        Priority.objects.filter(code="P1").update(name="Everything is on fire")
        assert tickets.resolve_priority("P1").name == "Everything is on fire"
        raise RuntimeError
    assert configuration.generation() == before
    assert tickets.resolve_priority("P1").name == "Enterprise failure"

    # A second, different change gets a different generation than the rolled-back one had.
    seen = set()
    for name in ("One", "Two", "Three"):
        with pytest.raises(RuntimeError), transaction.atomic():
            Priority.objects.filter(code="P1").update(name=name)
            seen.add(configuration.generation())
            raise RuntimeError
    assert len(seen) == 3 and before not in seen


def test_install_is_idempotent_and_restores_dropped_triggers():
    table = "tickets_priority"
    installed = _triggers_on(table)
    with connection.cursor() as cursor:
        for name in installed:  # as a SQLite table rebuild in a migration would
            on = f" ON {table}" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}{on}")
    assert _triggers_on(table) == set()
    configuration.install()
    configuration.install()
    assert _triggers_on(table) == installed
    # ... and migrate runs it after every migration (a rebuilt SQLite table loses them).
    assert any(key[0] == "sampark-configuration" for key, *_ in post_migrate.receivers)


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_by_another_connection_is_seen_at_once():
    """Another process's change: a second connection commits it, this one's cache follows."""
    assert tickets.resolve_priority("P4").name == "Planned event"
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:  # autocommit: committed when it returns
            cursor.execute("UPDATE tickets_priority SET name = 'Planned visit' WHERE code = 'P4'")
    finally:
        other.close()
    assert tickets.resolve_priority("P4").name == "Planned visit"


# --- the directory: API tokens and organizations by email domain ---------------------------


def _reads(captured) -> list[str]:
    return [q["sql"] for q in captured]


@pytest.mark.parametrize(
    "routine",
    [
        "UPDATE team_apitoken SET last_used_at = CURRENT_TIMESTAMP",
        "UPDATE auth_user SET last_login = CURRENT_TIMESTAMP",
        "UPDATE team_agentprofile SET presence = 'online'",
        "UPDATE mail_mailbox SET imap_last_uid = 7, last_polled_at = CURRENT_TIMESTAMP",
        "UPDATE mail_mailbox SET imap_uidvalidity = 3, last_error = 'timed out'",
    ],
)
def test_routine_columns_leave_the_generation_alone(make_agent, routine):
    issue_token(make_agent())
    before = configuration.generation()
    with connection.cursor() as cursor:
        cursor.execute(routine)
    assert configuration.generation() == before


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE team_apitoken SET revoked_at = CURRENT_TIMESTAMP",
        "UPDATE auth_user SET is_active = is_active",
        "UPDATE team_agentprofile SET role = role",
        "UPDATE team_agentprofile SET presence = 'away', capacity = capacity",
        "DELETE FROM team_agentprofile_groups",
        "UPDATE customers_organization SET account_manager_id = NULL",
        "UPDATE customers_organizationdomain SET domain = domain",
        "UPDATE mail_mailbox SET auto_reply = auto_reply",
    ],
)
def test_directory_changes_move_the_generation(make_agent, default_group, change):
    issue_token(make_agent(groups=[default_group]))
    save_organization(name="Kaveri Textiles", domains=["kaveri.example"])
    before = configuration.generation()
    with connection.cursor() as cursor:
        cursor.execute(change)
    assert configuration.generation() not in (None, before)


def test_a_known_token_costs_one_generation_read(make_agent):
    user = make_agent()
    _token, secret = issue_token(user)
    first = authenticate_token(secret)  # looks it up, and touches last_used_at
    with CaptureQueriesContext(connection) as captured:
        again = authenticate_token(secret)
    assert _reads(captured) == [configuration._READ]
    assert again == first and again.user == user
    assert again is not first and again.user is not first.user  # each request its own


def test_a_token_revoked_elsewhere_stops_at_once(make_agent):
    token, secret = issue_token(make_agent())
    assert authenticate_token(secret) is not None
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())  # no signal
    assert authenticate_token(secret) is None


def test_deactivating_or_promoting_the_agent_is_seen_at_once(make_agent):
    user = make_agent()
    _token, secret = issue_token(user)
    assert profile_of(authenticate_token(secret).user).role == "agent"

    AgentProfile.objects.filter(user=user).update(role="admin")
    assert profile_of(authenticate_token(secret).user).role == "admin"

    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert authenticate_token(secret) is None


def test_routine_columns_are_read_fresh_not_from_the_cache(make_agent):
    user = make_agent()
    _token, secret = issue_token(user)
    authenticate_token(secret)
    AgentProfile.objects.filter(user=user).update(presence="online")  # moves nothing
    found = authenticate_token(secret)
    assert found.user.agent.presence == "online"  # deferred: loaded when read


def test_a_user_without_an_agent_profile_is_known_to_have_none(make_agent):
    user = make_agent()
    _token, secret = issue_token(user)
    AgentProfile.objects.filter(user=user).delete()
    found = authenticate_token(secret)
    with CaptureQueriesContext(connection) as captured:
        assert profile_of(found.user) is None
    assert _reads(captured) == []


def test_last_use_is_written_at_most_once_a_minute(make_agent, monkeypatch):
    token, secret = issue_token(make_agent())
    authenticate_token(secret)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=None)
    authenticate_token(secret)
    assert ApiToken.objects.get(pk=token.pk).last_used_at is None  # within the minute

    later = time.monotonic() + team.TOUCH_EVERY
    monkeypatch.setattr(team.time, "monotonic", lambda: later)
    authenticate_token(secret)
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


def test_an_email_domain_finds_its_organization_from_the_cache():
    assert organization_for_email("meera@kaveri.example") is None  # a miss is kept too
    kaveri = save_organization(name="Kaveri Textiles", domains=["kaveri.example"])
    found = organization_for_email("meera@kaveri.example")
    assert found == kaveri and found.name == "Kaveri Textiles"
    with CaptureQueriesContext(connection) as captured:
        again = organization_for_email("arjun@kaveri.example")
    assert _reads(captured) == [configuration._READ]
    assert again == kaveri and again is not found

    Organization.objects.filter(pk=kaveri.pk).update(name="Kaveri Mills")
    assert organization_for_email("arjun@kaveri.example").name == "Kaveri Mills"
    OrganizationDomain.objects.filter(domain="kaveri.example").delete()
    assert organization_for_email("arjun@kaveri.example") is None


def test_creating_a_ticket_over_the_api_reads_the_generation_once(api, default_group):
    api.post("/api/v1/tickets", _payload(1))  # warms what the first request loads
    with CaptureQueriesContext(connection) as captured:
        response = api.post("/api/v1/tickets", _payload(2))
    assert response.status_code == 201, response.content
    assert _reads(captured).count(configuration._READ) == 1


def _payload(n: int) -> dict:
    return {
        "subject": "UPS भी बीप कर रहा है",
        "description": "Server room UPS beeps every minute since the power cut.",
        "channel": "phone",
        "requester": {"name": "Meera Iyer", "phone": f"+91 98450 1{n:04d}", "language": "hi"},
    }


def test_a_keyed_cache_stays_within_its_size():
    loads = []

    @configuration.keyed(size=2)
    def square(n: int) -> int:
        loads.append(n)
        return n * n

    assert [square(n) for n in (1, 2, 1, 2)] == [1, 4, 1, 4]
    assert loads == [1, 2]
    square(3)  # full: starts again
    assert square(3) == 9 and loads == [1, 2, 3]
    assert square(1) == 1 and loads == [1, 2, 3, 1]
