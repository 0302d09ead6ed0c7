"""On PostgreSQL, ticket numbers come from a sequence (see tickets.services.next_ticket_number);
it starts after the highest number the counter row or any ticket holds."""

from django.db import migrations

SEQUENCE = "tickets_ticket_number"


def create_sequence(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} AS bigint")
        cursor.execute(
            "SELECT GREATEST("
            " (SELECT COALESCE(MAX(value), 0) FROM tickets_counter WHERE name = 'ticket'),"
            " (SELECT COALESCE(MAX(number), 0) FROM tickets_ticket))"
        )
        (last,) = cursor.fetchone()
        if last:
            cursor.execute(f"SELECT setval('{SEQUENCE}', %s)", [last])


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0006_priority_source_sla"),
    ]

    operations = [migrations.RunPython(create_sequence, drop_sequence)]
