from django.db import migrations

# (impact, urgency) -> priority code: the usual three-by-three matrix.
MATRIX = {
    ("high", "high"): "P1",
    ("high", "medium"): "P2",
    ("medium", "high"): "P2",
    ("high", "low"): "P3",
    ("medium", "medium"): "P3",
    ("low", "high"): "P3",
    ("medium", "low"): "P4",
    ("low", "medium"): "P4",
    ("low", "low"): "P4",
}


def seed(apps, schema_editor):
    Cell = apps.get_model("tickets", "PriorityMatrixCell")
    Priority = apps.get_model("tickets", "Priority")
    by_code = {p.code: p for p in Priority.objects.all()}
    for (impact, urgency), code in MATRIX.items():
        if code in by_code:
            Cell.objects.get_or_create(
                impact=impact, urgency=urgency, defaults={"priority": by_code[code]}
            )


def unseed(apps, schema_editor):
    apps.get_model("tickets", "PriorityMatrixCell").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0004_priority_rules")]
    operations = [migrations.RunPython(seed, unseed)]
