"""A committee's remit, held here now (``PlanItem.committees``, ``committee.remit`` the other way), on the table it
always had: nothing changes in the database."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("plans", "0003_action_version_actionupdate"),
        ("pmf", "0004_remove_committee_remit"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="planitem",
                    name="committees",
                    field=models.ManyToManyField(
                        blank=True, db_table="pmf_committee_remit",
                        help_text="The committees whose remit this item is in: they oversee its measures and "
                                  "actions, and everything beneath it.",
                        related_name="remit", to="pmf.committee"),
                ),
            ],
            database_operations=[],
        ),
    ]
