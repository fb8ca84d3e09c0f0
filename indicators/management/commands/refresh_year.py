"""``manage.py refresh_year YEAR [--dry-run] [--council SLUG]``: the yearly refresh (A4, F1) of every council's plans
ending in financial year YEAR (2026 is 2026/27) into the next year, as drafts with next year's draft targets."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from indicators.plan_services import refresh_year
from pmf.models import Council
from pmf.periods import financial_year_label


class Command(BaseCommand):
    help = ("Roll every plan in force that ends in financial year YEAR (2026 is 2026/27) into the next year as a "
            "draft, with its items, links and unfinished actions, and give the measures of every plan in force next "
            "year a draft target for it (copied from this year's, to review and approve). A second run changes "
            "nothing. --dry-run says what it would do and saves nothing.")

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="The financial year the plans end in, by its first year: 2026 "
                                                   "for 2026/27.")
        parser.add_argument("--dry-run", action="store_true", help="List what would be created; save nothing.")
        parser.add_argument("--council", metavar="SLUG", help="Only this council (default: every council).")

    def handle(self, *args, year: int, dry_run: bool, council: str | None, **options):
        if not 2000 <= year <= 2099:
            raise CommandError(f"YEAR is the first year of a financial year, e.g. 2026 for 2026/27; not {year}.")
        councils = Council.objects.order_by("name")
        if council:
            councils = councils.filter(slug=council)
            if not councils.exists():
                raise CommandError(f"No council with the slug {council!r}.")
        verbose = options["verbosity"] > 1
        for each in councils:
            report = refresh_year(council=each, year=year, user=None, dry_run=dry_run)
            mode = "Dry run (nothing saved)" if dry_run else "Refreshed"
            self.stdout.write(self.style.MIGRATE_HEADING(f"{each.name}: {mode}: {report.label}"))
            for outcome in report.plans:
                if outcome.new is not None:
                    self.stdout.write(f"  new draft  {outcome.new.title}  ({outcome.items} items, {outcome.actions} "
                                      f"unfinished actions, {outcome.measures} measure links)")
                elif outcome.refused:
                    self.stdout.write(self.style.ERROR(f"  refused    {outcome.plan.title}: {outcome.refused}"))
                elif verbose:
                    self.stdout.write(f"  left       {outcome.plan.title}: {outcome.skipped} {outcome.detail}")
            for plan in report.running_on:
                if verbose:
                    self.stdout.write(f"  runs on    {plan.title} ({plan.years_label})")
            skipped = report.skipped
            reasons: dict[str, int] = {}
            for outcome in skipped:
                reasons[outcome.skipped] = reasons.get(outcome.skipped, 0) + 1
            why = "; ".join(f"{n} {reason}" for reason, n in sorted(reasons.items())) or "none"
            self.stdout.write(
                f"  plans ending in {financial_year_label(year)}: {len(report.plans)}; new drafts: "
                f"{len(report.refreshed)}; refused: {len(report.refused)}; left: {len(skipped)} ({why})")
            self.stdout.write(f"  plans running on into {financial_year_label(year + 1)}: {len(report.running_on)}; "
                              f"draft targets for {financial_year_label(year + 1)}: {len(report.targets)}")
