"""Finance beside performance (C 3.1): reads shared by the finance page, the dashboard, the scorecard, the indicator
page and the report packs.

For a quarter and a set of services (those whose measures a page or pack shows), each service's budget for the
year, forecast outturn and variance, with the ratings of its measures beside them; and the figures held per plan
item, under their service. The variance is described in words ("£120,000 overspend (4.0%)"), never by a colour of
its own: finance is context, and nothing here touches a measure's rating.

``beside`` reads the figures in one query whatever the number of services (through ``restrict``: a reader sees the
figures the finance read rule gives them, ``indicators.access.finance_q``); packs read without a user
(``pack_finance``), the pack's scope having chosen the services.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from indicators.finance import money, variance_kind, variance_words
from indicators.models import ServiceFinance
from pmf.access import restrict
from pmf.models import Council, Service
from pmf.periods import financial_year_label

#: The ratings counted beside a service's figures, worst first, with their words (the dashboard's and the scorecard's
#: values; a pack's "not_rated" is counted as "measured", see ``SAME_RATING``).
RATING_WORDS = {"red": "Red", "amber": "Amber", "green": "Green", "measured": "Measured (not rated)",
                "missing": "Missing (M)"}
#: Other names of the same rating: packs say "not_rated" where pages say "measured".
SAME_RATING = {"not_rated": "measured"}


def quarter_label(year: int, quarter: int) -> str:
    return f"Q{quarter} {financial_year_label(year)}"


@dataclass(frozen=True)
class Line:
    """One set of figures: the whole service's, or a plan item's."""

    finance: ServiceFinance

    @property
    def label(self) -> str:
        item = self.finance.plan_item
        return f"{item.ref} {item.title}" if item is not None else "Whole service"

    @property
    def budget(self) -> str:
        return money(self.finance.budget)

    @property
    def forecast(self) -> str:
        return money(self.finance.forecast_outturn)

    @property
    def spent(self) -> str:
        return money(self.finance.spent_to_date) if self.finance.spent_to_date is not None else "—"

    @property
    def variance(self) -> str:
        v = self.finance.variance
        return ("+" if v > 0 else "-" if v < 0 else "") + money(abs(v))

    @property
    def variance_pct(self) -> str:
        pct = self.finance.variance_pct
        return "—" if pct is None else f"{'+' if pct > 0 else ''}{pct}%"

    @property
    def kind(self) -> str:
        return variance_kind(self.finance.variance)

    @property
    def words(self) -> str:
        return variance_words(self.finance.variance, self.finance.variance_pct)

    def data(self) -> dict:
        """As a pack's snapshot holds it: display strings, and raw decimals for the Excel annex."""
        f = self.finance
        return {"label": self.label, "budget": self.budget, "forecast": self.forecast, "spent": self.spent,
                "variance": self.variance, "variance_pct": self.variance_pct, "kind": self.kind,
                "words": self.words, "commentary": f.commentary, "budget_raw": _raw(f.budget),
                "forecast_raw": _raw(f.forecast_outturn), "variance_raw": _raw(f.variance),
                "spent_raw": _raw(f.spent_to_date)}


def _raw(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


@dataclass
class ServiceView:
    """A service of a council as the "finance beside performance" panel shows it: its measures' ratings, then its
    figures (a service shared by two councils has a view in each: each council holds its own figures)."""

    council: Council
    service: Service
    ratings: Counter = field(default_factory=Counter)
    lines: list[Line] = field(default_factory=list)
    self_assessed: int = 0  # of the ratings counted, those a narrative measure's officer chose

    @property
    def measures(self) -> int:
        return sum(self.ratings.values())

    @property
    def performance(self) -> str:
        """"8 measures: 2 Red, 1 Amber, 5 Green (1 self-assessed)"."""
        n = self.measures
        parts = [f"{self.ratings[k]} {word}" for k, word in RATING_WORDS.items() if self.ratings.get(k)]
        parts += [f"{v} {k.replace('_', ' ').capitalize()}" for k, v in sorted(self.ratings.items())
                  if k not in RATING_WORDS and v]
        own = f" ({self.self_assessed} self-assessed)" if self.self_assessed else ""
        return f"{n} measure{'' if n == 1 else 's'}" + (f": {', '.join(parts)}{own}" if parts else "")

    @property
    def whole(self) -> Line | None:
        return next((line for line in self.lines if line.finance.plan_item_id is None), None)

    @property
    def items(self) -> list[Line]:
        return [line for line in self.lines if line.finance.plan_item_id is not None]

    def data(self) -> dict:
        return {"service": self.service.name, "directorate": self.service.directorate.name,
                "performance": self.performance, "measures": self.measures,
                "ratings": {k: self.ratings.get(k, 0) for k in RATING_WORDS if self.ratings.get(k)},
                "lines": [line.data() for line in self.lines]}


@dataclass
class Beside:
    """Finance beside performance for a quarter: one view per service, sorted by council, directorate and service."""

    year: int
    quarter: int
    services: list[ServiceView]

    @property
    def label(self) -> str:
        return quarter_label(self.year, self.quarter)

    @property
    def several_councils(self) -> bool:
        return len({v.council.pk for v in self.services}) > 1

    @property
    def with_figures(self) -> int:
        return sum(1 for s in self.services if s.lines)

    @property
    def overspending(self) -> list[ServiceView]:
        return [s for s in self.services if s.whole is not None and s.whole.kind == "overspend"]


#: A measure shown, as the panel counts it: its council, its service's id, its rating (None: a service in scope
#: whose measures are not shown, e.g. a KPI-only pack's), and, optionally, whether that rating is self-assessed
#: (a narrative measure's status as its officer chose it).
Rated = tuple  # (Council, int, str | None) or (Council, int, str | None, bool)


def _query(year: int, quarter: int, service_ids: Iterable[int]):
    return ServiceFinance.objects.filter(
        service_id__in=set(service_ids), period__financial_year_id=year, period__frequency="quarterly",
        period__number=quarter).select_related("plan_item").order_by("plan_item__ref", "pk")


Paths = list[str] | Callable[[], list[str]] | None


def build(rated: Iterable[Rated], services: dict[int, Service], rows: Iterable[ServiceFinance], *,
          year: int, quarter: int, item_paths: Paths = None) -> Beside:
    """The panel from the measures shown, their services (with directorates) and the figures read. ``item_paths``:
    keep the plan-item figures of those items and what is beneath them only (a plan's scorecard, a portfolio's
    pack); a function giving them is called only when there are such figures."""
    views: dict[tuple[int, int], ServiceView] = {}
    for council, service_id, rating, *more in rated:
        view = views.get((council.pk, service_id))
        if view is None:
            view = views[(council.pk, service_id)] = ServiceView(council, services[service_id])
        if rating is not None:
            view.ratings[SAME_RATING.get(str(rating), str(rating))] += 1
            view.self_assessed += bool(more and more[0])
    for row in rows:
        view = views.get((row.council_id, row.service_id))
        if view is None:
            continue
        if row.plan_item_id is not None and item_paths is not None:
            if callable(item_paths):
                item_paths = item_paths()
            if not any(row.plan_item.path.startswith(p) for p in item_paths):
                continue
        view.lines.append(Line(row))
    for view in views.values():
        view.lines.sort(key=lambda line: (line.finance.plan_item_id is not None,
                                          line.finance.plan_item.ref if line.finance.plan_item else ""))
    ordered = sorted(views.values(), key=lambda v: (v.council.name, v.service.directorate.name, v.service.name,
                                                    v.service.pk))
    return Beside(year=year, quarter=quarter, services=ordered)


def _services(rated: list[Rated]) -> dict[int, Service]:
    ids = {item[1] for item in rated}
    return {s.pk: s for s in Service.objects.filter(pk__in=ids).select_related("directorate")} if ids else {}


def beside(user, rated: Iterable[Rated], *, year: int, quarter: int, item_paths: Paths = None) -> Beside:
    """For a page: the figures the user may read, of the services of the measures ``rated``. Two queries whatever
    the number of services: the services, the figures."""
    rated = list(rated)
    services = _services(rated)
    rows = restrict(_query(year, quarter, services), user) if services else []
    return build(rated, services, rows, year=year, quarter=quarter, item_paths=item_paths)


def pack_finance(council: Council, service_ratings: Iterable[tuple], *, year: int, quarter: int,
                 item_paths: list[str] | None = None) -> dict:
    """For a pack's snapshot: every service of the pack's measures (each ``(service id, rating)``, or
    ``(service id, rating, self-assessed)``), with the council's figures for the quarter."""
    rated = [(council, *rating) for rating in service_ratings]
    services = _services(rated)
    rows = _query(year, quarter, services).filter(council=council) if services else []
    found = build(rated, services, rows, year=year, quarter=quarter, item_paths=item_paths)
    return {"quarter": found.label, "services": [v.data() for v in found.services],
            "with_figures": found.with_figures}


def latest_for_service(user, service_id: int, council_id: int) -> Line | None:
    """A service's latest quarter's figures for the whole service, the council's own (a service shared by two
    councils holds each council's figures), as the user may read them (one query)."""
    row = restrict(ServiceFinance.objects.filter(council_id=council_id, service_id=service_id,
                                                 plan_item__isnull=True), user).select_related(
        "period").order_by("-period__start").first()
    return Line(row) if row is not None else None
