from django.db import migrations, models

from sampark.db.statistics import measure_again


def measure_tickets_again(apps, schema_editor):
    measure_again(schema_editor, "tickets_ticket")


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0007_ticket_number_sequence'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['group', 'id'], name='ticket_group_id'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['owner', 'id'], name='ticket_owner_id'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(
                condition=models.Q(('status__in', ['new', 'open', 'pending', 'on_hold'])),
                fields=['owner', 'priority_rank', 'created_at', 'id'],
                name='ticket_owner_queue',
            ),
        ),
        migrations.RunPython(measure_tickets_again, migrations.RunPython.noop),
    ]
