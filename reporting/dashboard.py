"""The quarterly performance dashboard: for a financial year and quarter, the measures under a chosen priority,
directorate, committee remit or portfolio (KPIs or every measure), counted by RAG and by direction of travel, the
plans with most reds, actions by status (C3), the list of measures with a sparkline and commentary, and the
measures whose recent figures show an SPC signal.

Every figure comes from ``reporting.selectors.quarter_assessment`` (C6) over ``load_series``, with submitted and
approved figures (the current position; the page says so and marks what awaits sign-off). Committee reports use
approved figures only (D2); this page is the working view between them.

``build`` reads it for a user and a set of ``Filters`` (the page, ``reporting.views_dashboard``, parses them from the
URL). Everything read goes through ``restrict``. The query count is fixed whatever the number of measures: the
series load in a fixed number of queries and the rest is plain Python.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Prefetch, Q, QuerySet

from indicators import selectors as ind_selectors
from indicators.choices import AWAITING_SIGN_OFF, Direction, IndicatorKind, Rag, ReturnState
from indicators.formatting import figure
from indicators.models import Indicator
from indicators.selectors import PeriodAssessment, Series, figure_at
from plans.assessment import action_status
from plans.choices import ActionStatus
from plans.models import Action, Plan, PlanItem
from plans.selectors import linked_under, remit_paths
from pmf.access import restrict
from pmf.models import Committee, Directorate, FinancialYear, Portfolio
from pmf.periods import financial_year_label, period_bounds, period_for_date, period_label, previous_period
from reporting import finance, spc
from reporting.selectors import DELIVERY_CHOICES, delivered_by, quarter_assessment

#: The dashboard shows the current position: every figure submitted, approved or not (marked where not).
DASHBOARD_STATES = frozenset({ReturnState.SUBMITTED, ReturnState.VERIFIED, ReturnState.APPROVED})
PER_PAGE = 50
SPARKLINE_PERIODS = 8
SPC_PERIODS = 24
TOP_PLANS = 5
RAG_ORDER = [Rag.RED, Rag.AMBER, Rag.GREEN, Rag.MEASURED]  # severity, worst first
DIRECTION_ORDER = [Direction.IMPROVING, Direction.MAINTAINED, Direction.DECLINING, Direction.NOT_MEASURED]
MEASURE_SETS = {"kpi": "Key performance indicators (KPIs)", "all": "All measures"}
VERDICT_LABEL = {spc.Verdict.IMPROVEMENT: "Improvement", spc.Verdict.CONCERN: "Concern",
                 spc.Verdict.NEUTRAL: "Neither better nor worse (a within-a-band measure)"}


def latest_complete_quarter(today: date) -> tuple[int, int]:
    """The latest quarter that has ended by ``today``: (financial year start, quarter)."""
    year, quarter = period_for_date(frequency="quarterly", on=today)
    return previous_period(frequency="quarterly", year_start=year, period_number=quarter)


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters, each validated (None: not filtered)."""

    year: int
    quarter: int
    priority: PlanItem | None = None
    directorate: Directorate | None = None
    committee: Committee | None = None
    portfolio: Portfolio | None = None
    measures: str = "kpi"
    rag: str = ""
    direction: str = ""
    delivery: str = ""  # a key of DELIVERY_CHOICES: council services, or companies and contracts

    def query(self, **changes) -> str:
        """The URL query string for these filters (with ``changes``), defaults left out."""
        f = replace(self, **changes)
        params = {"year": f.year, "quarter": f.quarter}
        for name in ("priority", "directorate", "committee", "portfolio"):
            if (obj := getattr(f, name)) is not None:
                params[name] = obj.pk
        params["measures"] = f.measures
        if f.delivery:
            params["delivery"] = f.delivery
        if f.rag:
            params["rag"] = f.rag
        if f.direction:
            params["direction"] = f.direction
        return urlencode(params)


def _path_filters(user, filters: Filters) -> list[list[str]]:
    """For each of priority / committee / portfolio chosen: the paths of the plan items it covers."""
    items = restrict(PlanItem.objects.all(), user)
    found = []
    if filters.priority is not None:
        found.append([filters.priority.path])
    if filters.committee is not None:
        found.append(remit_paths(items, committees=[filters.committee.pk]))
    if filters.portfolio is not None:
        found.append(remit_paths(items, portfolios=[filters.portfolio.pk]))
    return found


def _filter(qs: QuerySet, filters: Filters, paths: list[list[str]]) -> QuerySet:
    """Indicators or actions under every chosen filter (directorate by the owning service)."""
    if filters.directorate is not None:
        qs = qs.filter(service__directorate=filters.directorate)
    qs = delivered_by(qs, filters.delivery)
    for group in paths:
        qs = linked_under(qs, group)
    return qs


# -- rows ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sparkline:
    segments: list[str]  # polyline "x,y x,y" strings, broken where a period has no figure
    dots: list[tuple[str, str]]  # lone points and the latest point
    label: str
    width: int = 120
    height: int = 28


def _window(series: Series, key: tuple[int, int], count: int) -> list[tuple[int, int]]:
    """``count`` periods of the measure's own frequency ending at ``key``, oldest first."""
    keys = [key]
    while len(keys) < count:
        year, number = keys[-1]
        try:
            keys.append(previous_period(frequency=series.spec_for(year).frequency, year_start=year,
                                        period_number=number))
        except ValueError:  # the frequency changed between specification versions
            break
    return keys[::-1]


def _label(series: Series, key: tuple[int, int]) -> str:
    try:
        return period_label(frequency=series.spec_for(key[0]).frequency, year_start=key[0], period_number=key[1])
    except ValueError:
        return f"{financial_year_label(key[0])} period {key[1]}"


def _coordinate(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.1")))


def sparkline(series: Series, key: tuple[int, int], spec) -> Sparkline:
    """The last ``SPARKLINE_PERIODS`` periods' figures (as rated: year to date for a cumulative measure), drawn
    in Decimal arithmetic, with an accessible label that reads every figure out."""
    keys = _window(series, key, SPARKLINE_PERIODS)
    values = [figure_at(series, k) for k in keys]
    words = [f"{_label(series, k)} {figure(v, spec) if v is not None else 'no figure'}" for k, v in zip(
        keys, values, strict=True)]
    label = f"Trend over the last {len(keys)} periods: " + "; ".join(words) + "."
    present = [v for v in values if v is not None]
    shape = Sparkline(segments=[], dots=[], label=label)
    if not present:
        return shape
    pad, width, height = Decimal(3), Decimal(shape.width), Decimal(shape.height)
    low, high = min(present), max(present)
    step = (width - 2 * pad) / (SPARKLINE_PERIODS - 1)
    offset = SPARKLINE_PERIODS - len(keys)  # a short window sits at the right-hand end

    def point(i: int, v: Decimal) -> tuple[str, str]:
        x = pad + (offset + i) * step
        y = height / 2 if high == low else pad + (high - v) / (high - low) * (height - 2 * pad)
        return _coordinate(x), _coordinate(y)

    runs: list[list[tuple[str, str]]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append(point(i, v))
    for run in runs:
        if len(run) > 1:
            shape.segments.append(" ".join(f"{x},{y}" for x, y in run))
        elif run:
            shape.dots.append(run[0])
    last = next(((i, v) for i, v in reversed(list(enumerate(values))) if v is not None))
    shape.dots.append(point(*last))
    return shape


@dataclass(frozen=True)
class Row:
    series: Series
    assessment: PeriodAssessment
    spec: object

    @property
    def indicator(self) -> Indicator:
        return self.series.indicator

    @property
    def awaiting_sign_off(self) -> bool:
        ret = self.assessment.ret
        return ret is not None and ret.state in AWAITING_SIGN_OFF

    @property
    def commentary(self) -> str:
        ret = self.assessment.ret
        return ret.commentary if ret is not None else ""

    @property
    def sparkline(self) -> Sparkline:
        return sparkline(self.series, self.assessment.key, self.spec)


@dataclass(frozen=True)
class SignalItem:
    description: str
    verdict: str
    verdict_label: str
    period: str  # the latest period in the signal


@dataclass(frozen=True)
class MeasureSignals:
    indicator: Indicator
    signals: list[SignalItem]


def spc_signals(rows: list[Row], quarter_start: date, quarter_end: date) -> list[MeasureSignals]:
    """Signals in each measure's XmR chart of its last ``SPC_PERIODS`` periods' own figures (a cumulative
    measure's period figures, not its year to date) that involve a period ending in the quarter reported."""
    found = []
    for row in sorted(rows, key=lambda r: (r.indicator.council.name, r.indicator.ref)):
        series = row.series
        if series.indicator.is_qualitative:
            continue
        keys = _window(series, row.assessment.key, SPC_PERIODS)
        values = [getattr(series.returns.get(k), "value", None) for k in keys]
        chart = spc.xmr(values=values)
        if not chart.signals:
            continue
        current = set()
        for i, k in enumerate(keys):
            try:
                end = period_bounds(frequency=series.spec_for(k[0]).frequency, year_start=k[0],
                                    period_number=k[1])[1]
            except ValueError:
                continue
            if quarter_start <= end <= quarter_end or k == row.assessment.key:
                current.add(i)
        items = []
        for signal in chart.signals:
            if not current.intersection(signal.indices):
                continue
            verdict = spc.improvement_or_concern(signal=signal, polarity=row.spec.polarity)
            items.append(SignalItem(signal.description, verdict.value, VERDICT_LABEL[verdict],
                                    _label(series, keys[signal.indices[-1]])))
        if items:
            found.append(MeasureSignals(series.indicator, items))
    return found


# -- the page -----------------------------------------------------------------------------------------------

def options(user, current_year: int) -> dict[str, list]:
    """What the filters offer this user: the years so far, and the priorities, directorates, committees and
    portfolios they may see."""
    return {
        "years": list(FinancialYear.objects.filter(start_year__lte=current_year).order_by("-start_year")
                      .values_list("start_year", flat=True)),
        "priorities": list(
            restrict(PlanItem.objects.filter(plan__level__rank=1, parent__isnull=True), user)
            .select_related("plan__council").order_by("plan__council__name", "plan__start_year", "position", "pk")
        ),
        "directorates": list(restrict(Directorate.objects.all(), user).order_by("name")),
        "committees": list(restrict(Committee.objects.all(), user).order_by("name")),
        "portfolios": list(restrict(Portfolio.objects.all(), user).order_by("name")),
    }


def _plans_with_most_reds(rows: list[Row]) -> list[tuple[Plan, int]]:
    counts: Counter[int] = Counter()
    plans: dict[int, Plan] = {}
    for row in rows:
        if row.assessment.rag != Rag.RED:
            continue
        linked = {item.plan_id: item.plan for item in row.indicator.dashboard_items}
        plans.update(linked)
        counts.update(linked.keys())
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], plans[kv[0]].title, kv[0]))
    return [(plans[pk], n) for pk, n in ranked[:TOP_PLANS]]


def _actions_by_status(user, filters: Filters, paths: list[list[str]], year_start: date,
                       quarter_end: date) -> list[tuple[str, int]]:
    """C3 at the quarter end, for the actions under the same filters (key actions for the KPI view), leaving out
    those finished before the year began."""
    qs = _filter(restrict(Action.objects.all(), user), filters, paths)
    if filters.measures == "kpi":
        qs = qs.filter(is_key=True)
    qs = qs.filter(Q(completed_on__isnull=True) | Q(completed_on__gte=year_start))
    statuses = Counter(
        action_status(as_of=quarter_end, start=start, approved_end=end, forecast_end=forecast, completed_on=done,
                      no_longer_viable=nlv).value
        for start, end, forecast, done, nlv in qs.values_list(
            "start", "approved_end", "forecast_end", "completed_on", "no_longer_viable")
    )
    return [(status, statuses.get(status, 0)) for status in ActionStatus.values]


@dataclass
class Dashboard:
    """Everything the dashboard shows for one set of filters."""

    filters: Filters
    rows: list[Row]  # every measure selected
    listed: list[Row]  # those the RAG or direction filter keeps, worst first
    quarter_start: date
    quarter_end: date
    rag_counts: Counter
    direction_counts: Counter
    top_plans: list[tuple[Plan, int]]
    actions: list[tuple[str, int]]
    signals: list[MeasureSignals]
    finance: finance.Beside | None = None  # C 3.1: each service's figures for the quarter, beside its measures

    @property
    def quarter_label(self) -> str:
        return f"Q{self.filters.quarter} {financial_year_label(self.filters.year)}"

    @property
    def awaiting(self) -> int:
        return sum(1 for r in self.rows if r.awaiting_sign_off)

    @property
    def self_assessed(self) -> int:
        """How many of the counted statuses are narrative measures' own (B1), chosen by their officers."""
        return sum(1 for r in self.rows if r.assessment.self_assessed)

    @property
    def selection(self) -> str:
        """What is counted, in words: "58 key performance indicators under P5 ... in Place and Environment"."""
        filters, n = self.filters, len(self.rows)
        noun = "key performance indicator" if filters.measures == "kpi" else "measure"
        words = [f"{n} {noun}{'' if n == 1 else 's'}"]
        if filters.priority is not None:
            words.append(f"under {filters.priority.ref} {filters.priority.title}")
        if filters.directorate is not None:
            words.append(f"in {filters.directorate.name}")
        if filters.committee is not None:
            words.append(f"in the remit of {filters.committee.name}")
        if filters.portfolio is not None:
            words.append(f"in the {filters.portfolio.name} portfolio")
        if filters.delivery:
            words.append(f"({DELIVERY_CHOICES[filters.delivery].lower()})")
        return " ".join(words)


def build(user, filters: Filters) -> Dashboard:
    """The dashboard for ``filters``, of what ``user`` may see: a fixed number of queries."""
    quarter_start, quarter_end = period_bounds(frequency="quarterly", year_start=filters.year,
                                               period_number=filters.quarter)
    paths = _path_filters(user, filters)

    indicators = _filter(restrict(Indicator.objects.all(), user), filters, paths).filter(current_spec__isnull=False)
    if filters.measures == "kpi":
        indicators = indicators.filter(kind=IndicatorKind.KPI)
    indicators = indicators.prefetch_related(Prefetch(
        "plan_items", queryset=restrict(PlanItem.objects.select_related("plan__council"), user),
        to_attr="dashboard_items"))
    rows = []
    for series in ind_selectors.load_series(indicators, states=DASHBOARD_STATES):
        assessment = quarter_assessment(series, year_start=filters.year, quarter=filters.quarter)
        rows.append(Row(series, assessment, series.spec_for(assessment.key[0])))

    listed = [r for r in rows if (not filters.rag or r.assessment.rag == filters.rag)
              and (not filters.direction or r.assessment.direction == filters.direction)]
    severity = {rag: n for n, rag in enumerate(RAG_ORDER)}
    listed.sort(key=lambda r: (severity[r.assessment.rag], r.indicator.council.name, r.indicator.ref))
    return Dashboard(
        filters=filters, rows=rows, listed=listed, quarter_start=quarter_start, quarter_end=quarter_end,
        rag_counts=Counter(r.assessment.rag for r in rows),
        direction_counts=Counter(r.assessment.direction for r in rows),
        top_plans=_plans_with_most_reds(rows),
        actions=_actions_by_status(user, filters, paths, date(filters.year, 4, 1), quarter_end),
        signals=spc_signals(rows, quarter_start, quarter_end),
        finance=finance.beside(user, [(r.indicator.council, r.indicator.service_id, r.assessment.rag,
                                       r.assessment.self_assessed) for r in rows],
                               year=filters.year, quarter=filters.quarter),
    )
