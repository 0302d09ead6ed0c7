from django.db import migrations

# (priority, name, first response, next response, resolution, update interval) in minutes,
# business time except for P1, which runs round the clock.
DEFAULTS = [
    ("P1", "P1 Enterprise failure: round the clock", 30, 60, 8 * 60, 2 * 60, False),
    ("P2", "P2 Critical situation", 2 * 60, 4 * 60, 18 * 60, 4 * 60, True),
    ("P3", "P3 Routine service", 9 * 60, 18 * 60, 45 * 60, 27 * 60, True),
    ("P4", "P4 Planned event", 18 * 60, 27 * 60, 90 * 60, 3 * 9 * 60, True),
]


def seed(apps, schema_editor):
    Policy = apps.get_model("sla", "SLAPolicy")
    Priority = apps.get_model("tickets", "Priority")
    if Policy.objects.exists():
        return
    for position, (code, name, first, nxt, resolution, update, business) in enumerate(DEFAULTS):
        policy = Policy.objects.create(
            name=name,
            position=(position + 1) * 10,
            first_response_minutes=first,
            next_response_minutes=nxt,
            resolution_minutes=resolution,
            update_interval_minutes=update,
            first_response_business=business,
            next_response_business=business,
            resolution_business=business,
            update_business=business,
            escalate_on_breach=code == "P1",
        )
        priority = Priority.objects.filter(code=code).first()
        if priority:
            policy.priorities.add(priority)


def unseed(apps, schema_editor):
    apps.get_model("sla", "SLAPolicy").objects.filter(name__in=[d[1] for d in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial"), ("tickets", "0002_seed_priorities")]
    operations = [migrations.RunPython(seed, unseed)]
