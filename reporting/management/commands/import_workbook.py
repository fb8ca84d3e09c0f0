"""``manage.py import_workbook FILE.xlsx --council SLUG [--create "Council name"] [--dry-run]``."""

import os
import resource
import time

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from pmf import imports
from pmf.models import Council, User
from reporting.workbook import load


class Command(BaseCommand):
    help = "Read the council workbook (.xlsx, or a .zip of CSV files) into a council: all or nothing; a dry run " \
           "lists every problem by sheet, row and column and stores nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--council", required=True, help="The council's address name (its slug).")
        parser.add_argument("--create", metavar="NAME", default="",
                            help="Create the council, with this name and the --council address name.")
        parser.add_argument("--dry-run", action="store_true", help="Check everything, store nothing.")
        parser.add_argument("--user", default="", help="The username recorded in the audit trail as importing.")

    def handle(self, *args, file, council, create, dry_run, user, **options):
        target = Council.objects.filter(slug=council).first()
        if create and target is not None:
            raise CommandError(f"A council “{council}” exists already: leave out --create to import into it.")
        if not create and target is None:
            raise CommandError(f"There is no council “{council}”: add --create \"Council name\" to create it.")
        who = None
        if user:
            who = User.objects.filter(username=user).first()
            if who is None:
                raise CommandError(f"There is no user “{user}”.")
        if not os.path.exists(file):
            raise CommandError(f"There is no file {file}.")
        started = time.perf_counter()
        with open(file, "rb") as handle:
            try:
                book = imports.read_book(File(handle, name=os.path.basename(file)))
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        outcome = load.import_workbook(book=book, user=who, council=target, create=create if create else "",
                                       slug=council, dry_run=dry_run)
        for problem in outcome.problems:
            self.stdout.write(f"{problem.sheet}\trow {problem.row or '-'}\t{problem.column or '-'}\t{problem.rule}\t"
                              f"{problem.message}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        seconds = time.perf_counter() - started  # reading and checking the file, and the import
        rate = outcome.rows / seconds if seconds else 0
        for name, created, changed, unchanged in outcome.summary():
            self.stdout.write(f"{name}: {created} new, {changed} changed, {unchanged} unchanged")
        self.stdout.write(f"{outcome.rows:,} rows in {seconds:.1f} s ({rate:,.0f} rows a second; "
                          f"peak memory {peak:,.0f} MB).")
        if outcome.problems:
            raise CommandError(f"{len(outcome.problems)} problems: nothing was imported.")
        self.stdout.write("Dry run: no problems found; nothing was stored." if dry_run
                          else f"Imported into {outcome.council}.")
