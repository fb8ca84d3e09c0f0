"""``manage.py import_benchmarks FILE --council SLUG --source "LG Inform" [--published DATE] [--dry-run]``."""

import os
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from indicators import benchmarking
from pmf import imports
from pmf.models import Council, User


class Command(BaseCommand):
    help = "Import national comparator values (an LG Inform or Oflog download: metric, area code, area name, " \
           "period, value), and optionally the council's comparator groups and metric mapping, then refresh the " \
           "council's comparator values. All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A CSV download, or a workbook / ZIP with the sheets National values, "
                                         "Comparator groups, Metric mapping.")
        parser.add_argument("--council", required=True)
        parser.add_argument("--source", default="", help="Where the values come from: LG Inform, Oflog ...")
        parser.add_argument("--published", default="", help="When the source published them (YYYY-MM-DD).")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--user", default="")

    def handle(self, *args, file, council, source, published, dry_run, user, **options):
        target = Council.objects.filter(slug=council).first()
        if target is None:
            raise CommandError(f"There is no council “{council}”.")
        try:
            published_on = date.fromisoformat(published) if published else None
        except ValueError:
            raise CommandError("--published is a date: YYYY-MM-DD.") from None
        who = User.objects.filter(username=user).first() if user else None
        if user and who is None:
            raise CommandError(f"There is no user “{user}”.")
        with open(file, "rb") as handle:
            try:
                book = imports.read_book(File(handle, name=os.path.basename(file)))
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        outcome = benchmarking.import_benchmarks(book=book, council=target, user=who, source=source,
                                                 published_on=published_on, dry_run=dry_run)
        for p in outcome.problems:
            self.stdout.write(f"{p.sheet}\trow {p.row or '-'}\t{p.column or '-'}\t{p.rule}\t{p.message}")
        for line in outcome.not_compared:
            self.stdout.write(f"Not compared: {line}")
        if outcome.problems:
            raise CommandError(f"{len(outcome.problems)} problems: nothing was imported.")
        self.stdout.write(f"{outcome.rows:,} rows in {outcome.seconds:.1f} s; {outcome.benchmarks} comparator values "
                          f"written for {target}." + (" Dry run: nothing was stored." if dry_run else ""))
