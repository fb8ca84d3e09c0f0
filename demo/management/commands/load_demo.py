"""``manage.py load_demo``: load the Harrowdale demo council and the pair of district councils run by one shared
officer team (idempotent; ``--reset`` reloads them)."""

from __future__ import annotations

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from demo import DEMO_AS_OF, DEMO_LOGIN_NOTES, DEMO_LOGINS, DEMO_PASSWORD
from demo.counts import demo_counts, format_counts
from demo.loader import load_demo
from demo.pair import pair_councils


def _as_of(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"--as-of must be a date written YYYY-MM-DD, not {raw!r}") from None


class Command(BaseCommand):
    help = ("Load the fictional Harrowdale Council demo: organisation, people, Council Plan down to individual "
            "objectives, indicators with three years of returns, actions; and beside it a pair of district councils "
            "run by one shared officer team, with a joint scrutiny committee. Does nothing if they are already "
            "loaded; --reset deletes them and loads them again.")

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true",
                            help="Delete the demo councils' data (and their people) and load them again.")
        parser.add_argument("--as-of", type=_as_of, default=DEMO_AS_OF, metavar="YYYY-MM-DD",
                            help=f"The demo's 'today' (default {DEMO_AS_OF.isoformat()}).")

    def handle(self, *args, **options):
        as_of: date = options["as_of"]
        started = time.perf_counter()
        council, created = load_demo(as_of=as_of, reset=options["reset"])
        elapsed = time.perf_counter() - started
        if options["verbosity"] < 1:
            return
        out = self.stdout
        if created:
            out.write(self.style.SUCCESS(f"Loaded the {council.name} demo (as at {as_of:%d %B %Y}) in "
                                         f"{elapsed:.1f} s."))
        else:
            out.write(f"The {council.name} demo is already loaded: nothing changed (use --reset to reload it).")
        out.write(f"Counts (as at {as_of.isoformat()}):")
        for line in format_counts(demo_counts(council, as_of)):
            out.write(line)
        pair = pair_councils()
        out.write(f"With it, the pair of district councils run by one shared officer team: "
                  f"{' and '.join(c.name for c in pair)}.")
        for other in pair:
            out.write(f"Counts for {other.name} (as at {as_of.isoformat()}):")
            for line in format_counts(demo_counts(other, as_of)):
                out.write(line)
        out.write(f"Demo logins (every demo user's password is '{DEMO_PASSWORD}'):")
        for role, username in DEMO_LOGINS.items():
            out.write(f"  {role}: {username} - {DEMO_LOGIN_NOTES[role]}")
