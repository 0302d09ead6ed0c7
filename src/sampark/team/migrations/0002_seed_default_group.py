from django.db import migrations


def seed(apps, schema_editor):
    Group = apps.get_model("team", "Group")
    if not Group.objects.exists():
        Group.objects.create(
            name="Front desk",
            name_hi="फ्रंट डेस्क",
            tier="L1",
            is_default=True,
            description="First-level support: every new ticket without a group lands here.",
        )


def unseed(apps, schema_editor):
    apps.get_model("team", "Group").objects.filter(name="Front desk", tickets__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("team", "0001_initial"), ("tickets", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
