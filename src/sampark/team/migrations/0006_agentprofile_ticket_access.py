from django.db import migrations, models


def backfill_by_role(apps, schema_editor):
    """Existing admins and supervisors keep seeing every ticket; agents get their groups'."""
    AgentProfile = apps.get_model("team", "AgentProfile")
    AgentProfile.objects.filter(role__in=["admin", "supervisor"]).update(ticket_access="all")
    AgentProfile.objects.exclude(role__in=["admin", "supervisor"]).update(ticket_access="groups")


class Migration(migrations.Migration):
    dependencies = [
        ("team", "0005_agent_language_time_zone"),
    ]

    operations = [
        migrations.AddField(
            model_name="agentprofile",
            name="ticket_access",
            field=models.CharField(
                choices=[
                    ("all", "All tickets"),
                    ("groups", "Tickets of their groups"),
                    ("own", "Only tickets they own or collaborate on"),
                ],
                default="groups",
                help_text=(
                    "Which tickets the agent sees and works on. Tickets they own or collaborate "
                    "on are always included."
                ),
                max_length=8,
                verbose_name="ticket access",
            ),
        ),
        migrations.RunPython(backfill_by_role, migrations.RunPython.noop),
    ]
