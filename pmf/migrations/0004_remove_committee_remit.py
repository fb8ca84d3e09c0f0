"""A committee's remit moves to the plans app (``PlanItem.committees``): the core no longer names plan items. The
table stays as it is (``pmf_committee_remit``); only Django's record of which model holds the field changes."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("pmf", "0003_reminders_schedule"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveField(model_name="committee", name="remit")],
            database_operations=[],
        ),
    ]
