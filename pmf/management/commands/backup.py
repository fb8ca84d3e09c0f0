"""``manage.py backup DIR``: the database and every uploaded file into a new or empty directory, with a manifest."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import connections
from django.template.defaultfilters import filesizeformat

from pmf.backup import backup, describe
from pmf.db import owner_alias


class Command(BaseCommand):
    help = ("Back up the database (pg_dump on PostgreSQL, the SQLite backup API on SQLite) and every uploaded file "
            "under MEDIA_ROOT into DIR, which must be new or empty, with a manifest: the migration state, the row "
            "count of every table, and the SHA-256 of every file. Restore it with manage.py restore DIR.")

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", type=Path, help="A new or empty directory for the backup.")

    def handle(self, *args, directory: Path, **options):
        started = time.perf_counter()
        manifest = backup(directory)
        elapsed = time.perf_counter() - started
        files = manifest["files"]
        self.stdout.write(self.style.SUCCESS(
            f"Backed up {describe(connections[owner_alias()])} to {directory} in {elapsed:.1f} s: "
            f"{len(manifest['tables'])} tables, {sum(manifest['tables'].values()):,} rows "
            f"({manifest['database']['file']}, {filesizeformat(manifest['database']['size'])}); "
            f"{len(files)} files, {filesizeformat(sum(f['size'] for f in files))}."))
