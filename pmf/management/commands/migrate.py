"""``migrate`` as the schema's owner: with ``DATABASE_OWNER_URL`` set, migrations run on the owner's connection
(the app role may not create or alter tables), and the app role is granted its data privileges afterwards
(pmf/apps.py, after every migrate). Without it, Django's migrate unchanged."""

from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import DEFAULT_DB_ALIAS, connections

from pmf.db import owner_alias


class Command(MigrateCommand):
    help = MigrateCommand.help + " Runs as the schema's owner (DATABASE_OWNER_URL) when that is configured."

    def handle(self, *args, **options):
        owner = owner_alias()
        # only when the owner's alias is the same database (a test database being created is not, yet)
        if options.get("database") == DEFAULT_DB_ALIAS and (
                connections[owner].settings_dict["NAME"] == connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]):
            options["database"] = owner
        return super().handle(*args, **options)
