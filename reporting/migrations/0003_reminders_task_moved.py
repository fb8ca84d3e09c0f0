"""The reminders task moved from the core to the reporting app (pmf.tasks -> reporting.tasks): point the
councils' beat jobs at its new name, so a deployment that upgrades keeps sending reminders."""

from django.db import migrations

OLD, NEW = "pmf.tasks.send_council_reminders", "reporting.tasks.send_council_reminders"


def rename(old, new):
    def run(apps, schema_editor):
        tasks = apps.get_model("django_celery_beat", "PeriodicTask").objects.using(schema_editor.connection.alias)
        tasks.filter(task=old).update(task=new)
    return run


class Migration(migrations.Migration):
    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("pmf", "0003_reminders_schedule"),
        ("reporting", "0002_packs"),
    ]

    operations = [migrations.RunPython(rename(OLD, NEW), rename(NEW, OLD))]
