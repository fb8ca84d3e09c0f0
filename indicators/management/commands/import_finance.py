"""``manage.py import_finance --council SLUG FILE.csv [--dry-run] [--user USERNAME]``."""

import os

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from indicators import finance
from pmf import imports
from pmf.models import Council, User


class Command(BaseCommand):
    help = ("Import services' budgets, forecast outturns and spend to date per quarter from the CSV file a finance "
            "system exports (columns: service, directorate, plan item, year, quarter, budget, forecast outturn, "
            "spent to date, commentary). All or nothing: any problem and nothing is stored.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file (or a workbook with a sheet called Finance).")
        parser.add_argument("--council", required=True, help="The council's slug, e.g. harrowdale.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and say what would change; "
                                                                   "store nothing.")
        parser.add_argument("--user", default="", help="Who the audit trail names: someone of the council's "
                            "performance unit (default: the system).")

    def handle(self, *args, file, council, dry_run, user, **options):
        target = Council.objects.filter(slug=council).first()
        if target is None:
            raise CommandError(f"There is no council “{council}”.")
        who = User.objects.filter(username=user).first() if user else None
        if user and who is None:
            raise CommandError(f"There is no user “{user}”.")
        try:
            with open(file, "rb") as handle:
                book = imports.read_book(File(handle, name=os.path.basename(file)), default_sheet=finance.SHEET.name)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        try:
            outcome = finance.import_finance(book=book, council=target, user=who, dry_run=dry_run)
        except PermissionDenied:
            raise CommandError(f"{who.username} does not enter {target}'s finance figures: only its performance "
                               "unit does (or leave out --user: the system imports).") from None
        for p in outcome.problems:
            self.stdout.write(f"row {p.row or '-'}\t{p.column or '-'}\t{p.rule}\t{p.message}")
        if outcome.problems:
            raise CommandError(f"{len(outcome.problems)} problems: nothing was imported.")
        self.stdout.write(f"{len(outcome.lines):,} rows for {target}: {outcome.summary}."
                          + (" Dry run: nothing was stored." if dry_run else ""))
