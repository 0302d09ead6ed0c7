from django.db import migrations

PRIORITIES = [
    ("P1", "Enterprise failure", "एंटरप्राइज़ विफलता", 1,
     "A customer's business is down or a whole site cannot work."),
    ("P2", "Critical situation", "गंभीर स्थिति", 2,
     "A critical function is failing for many users; no workaround."),
    ("P3", "Routine service", "सामान्य सेवा", 3,
     "Routine scheduled service, a question or a problem with a workaround."),
    ("P4", "Planned event", "नियोजित कार्य", 4,
     "Planned work: an installation, a move or a scheduled change."),
]


def seed(apps, schema_editor):
    Priority = apps.get_model("tickets", "Priority")
    Counter = apps.get_model("tickets", "Counter")
    for code, name, name_hi, rank, description in PRIORITIES:
        Priority.objects.get_or_create(
            code=code,
            defaults={"name": name, "name_hi": name_hi, "rank": rank,
                      "description": description, "is_default": code == "P3"},
        )
    Counter.objects.get_or_create(name="ticket", defaults={"value": 0})


def unseed(apps, schema_editor):
    apps.get_model("tickets", "Priority").objects.filter(
        code__in=[p[0] for p in PRIORITIES], tickets__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
