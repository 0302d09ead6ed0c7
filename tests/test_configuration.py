"""Configuration cached per process, trusted while the database's generation is unchanged."""

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models.signals import post_migrate
from django.test.utils import CaptureQueriesContext

from sampark.calendars import services as calendars
from sampark.db import configuration
from sampark.sla import services as sla
from sampark.team.models import Group
from sampark.tickets import rules
from sampark.tickets import services as tickets
from sampark.tickets.fields import validate_custom_fields
from sampark.tickets.models import FieldDefinition, Priority

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
    names = configuration.tables()
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
    assert tickets._default_group() is None


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
