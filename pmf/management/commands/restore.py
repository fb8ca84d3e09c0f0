"""``manage.py restore DIR [--replace]``: put a backup made by ``manage.py backup`` back, and check it."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import connections
from django.template.defaultfilters import filesizeformat

from pmf.backup import describe, restore
from pmf.db import owner_alias


class Command(BaseCommand):
    help = ("Restore a backup made by manage.py backup: check every file of it against its manifest, restore the "
            "database (it must be empty, unless --replace), copy the files into MEDIA_ROOT (a different file "
            "already there is refused, unless --replace), then check the row counts and the files.")

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", type=Path, help="The backup's directory.")
        parser.add_argument("--replace", action="store_true",
                            help="Drop everything in the database first, and overwrite files in MEDIA_ROOT that "
                                 "differ from the backup's.")

    def handle(self, *args, directory: Path, replace: bool, **options):
        started = time.perf_counter()
        done = restore(directory, replace=replace)
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(
            f"Restored {directory} into {describe(connections[owner_alias()])} in {elapsed:.1f} s: "
            f"{done['tables']} tables, {done['rows']:,} rows, as many as in the backup; {done['files']} files, "
            f"all matching the backup ({done['copied']} copied, {filesizeformat(done['bytes'])})."))
        if done["unknown"]:
            self.stdout.write(self.style.WARNING(
                f"The backup has {len(done['unknown'])} migrations this version of the code does not know (such as "
                f"{done['unknown'][0]}): it was made by a newer version. Run that version against this database."))
        elif done["unapplied"]:
            self.stdout.write(self.style.WARNING(
                f"{done['unapplied']} migrations of this version are not applied to the restored database: run "
                "manage.py migrate."))
