"""``manage.py benchmark_pages``: server time and query count of each page for the demo council, per role.

Prints figures; asserts nothing (timings are measured here, never in tests). Runs against the configured
database (SQLite by default, PostgreSQL with DATABASE_URL) with the demo loaded.
"""

from __future__ import annotations

import logging
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from demo import DEMO_AS_OF, DEMO_LOGINS
from indicators.models import Indicator
from plans.models import Action, Plan
from pmf.models import Council, Period, User


def _pages() -> dict[str, str]:
    council = Council.objects.get(slug="harrowdale")
    plan = Plan.objects.filter(council=council, level__rank=1).first()
    outcome = plan.items.filter(parent__isnull=False).order_by("ref").first()
    stc03 = Indicator.objects.get(council=council, ref="STC03")
    october = Period.objects.get(financial_year_id=2026, frequency=stc03.current_spec.frequency, number=7)
    action = Action.objects.filter(council=council, owner__username=DEMO_LOGINS["service_lead"]).first()
    return {
        "home (my updates)": reverse("home"),
        "golden thread": reverse("plans:thread"),
        "plans": reverse("plans:list"),
        "council plan": plan.get_absolute_url(),
        "plan item": outcome.get_absolute_url(),
        "indicators": reverse("indicators:list"),
        "indicator": stc03.get_absolute_url(),
        "return entry": reverse("indicators:return", args=[stc03.pk, october.pk]),
        "action": reverse("plans:action", args=[action.pk]),
        "sign-off": reverse("indicators:sign_off"),
        "audit": reverse("audit"),
        "dashboard": reverse("reporting:dashboard"),
        "dashboard (all)": reverse("reporting:dashboard") + "?measures=all",
        "scorecard": reverse("reporting:scorecard", args=[plan.pk]),
        "scorecard xlsx": reverse("reporting:scorecard_xlsx", args=[plan.pk]),
        "public home": reverse("public:home", args=[council.slug]),
        "public priority": reverse("public:priority", args=[council.slug, plan.items.get(ref="P5").pk]),
        "public open data json": reverse("public:open_data_json", args=[council.slug]),
    }


class Command(BaseCommand):
    help = "Measure server time and query count of each page for the demo council (median of N requests)."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument("--roles", default="service_lead,director,performance_unit,internal_audit")
        parser.add_argument("--pages", default="", help="Comma-separated page names (default: every page).")

    def handle(self, *args, repeat: int, roles: str, pages: str = "", **options):
        if not Council.objects.filter(slug="harrowdale").exists():
            raise CommandError("Load the demo first: manage.py load_demo")
        logging.getLogger("django.request").setLevel(logging.CRITICAL)  # refusals are expected rows here
        chosen = [p.strip() for p in pages.split(",") if p.strip()]
        pages = _pages()
        if unknown := set(chosen) - set(pages):
            raise CommandError(f"Unknown pages: {', '.join(sorted(unknown))}. Known: {', '.join(pages)}")
        if chosen:
            pages = {name: url for name, url in pages.items() if name in chosen}
        self.stdout.write(f"{'role':<18} {'page':<20} {'status':>6} {'queries':>8} {'median ms':>10} {'max ms':>8}")
        with override_settings(PMF_TODAY=DEMO_AS_OF, ALLOWED_HOSTS=["testserver"], DEBUG=False):
            for role in roles.split(","):
                client = Client()
                client.force_login(User.objects.get(username=DEMO_LOGINS[role]))
                for name, url in pages.items():
                    times, status, queries = [], None, 0
                    for _ in range(repeat):
                        with CaptureQueriesContext(connection) as captured:
                            started = time.perf_counter()
                            response = client.get(url)
                            times.append((time.perf_counter() - started) * 1000)
                        status, queries = response.status_code, len(captured.captured_queries)
                    self.stdout.write(f"{role:<18} {name:<20} {status:>6} {queries:>8} "
                                      f"{statistics.median(times):>10.1f} {max(times):>8.1f}")
