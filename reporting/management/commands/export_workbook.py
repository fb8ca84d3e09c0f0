"""``manage.py export_workbook SLUG FILE.xlsx``: write a council as the council workbook (a .zip: CSV files)."""

from django.core.management.base import BaseCommand, CommandError

from pmf.models import Council
from reporting.workbook import export


class Command(BaseCommand):
    help = "Write a council's organisation, people, plans, measures, targets, returns, actions, risks and " \
           "benchmarks as the council workbook (.xlsx), or as CSV files in a .zip."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The council's address name, as in /public/<slug>/.")
        parser.add_argument("file", help="The file to write: FILE.xlsx, or FILE.zip for CSV files.")

    def handle(self, *args, slug, file, **options):
        council = Council.objects.filter(slug=slug).first()
        if council is None:
            raise CommandError(f"There is no council “{slug}”.")
        if not file.lower().endswith((".xlsx", ".zip")):
            raise CommandError("Name the file .xlsx (a workbook) or .zip (CSV files).")
        data = export.export_zip(council) if file.lower().endswith(".zip") else export.export_xlsx(council)
        with open(file, "wb") as out:
            out.write(data)
        self.stdout.write(f"Wrote {council} to {file} ({len(data):,} bytes).")
