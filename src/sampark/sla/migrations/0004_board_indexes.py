"""The SLA due time beside the at-risk moment in ``clock_at_risk_from``: the coordinator board
counts each group's tickets at risk and breached from this index alone, where it read every
at-risk clock's row to learn its due time."""

from django.db import migrations, models

from sampark.db.statistics import measure_again


def measure_clocks_again(apps, schema_editor):
    measure_again(schema_editor, "sla_ticketclock")


class Migration(migrations.Migration):

    dependencies = [
        ('sla', '0003_clock_due_times'),
        ('tickets', '0010_unowned_queue_index'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='ticketclock',
            name='clock_at_risk_from',
        ),
        migrations.AddIndex(
            model_name='ticketclock',
            index=models.Index(condition=models.Q(('at_risk_from__isnull', False)), fields=['at_risk_from', 'ticket_group', 'ticket_owner', 'sla_due'], name='clock_at_risk_from'),
        ),
        migrations.RunPython(measure_clocks_again, migrations.RunPython.noop),
    ]
