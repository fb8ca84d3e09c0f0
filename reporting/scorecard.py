"""D5: the balanced scorecard of a plan, as rows the page, the CSV and the Excel exports share.

Which measures: the indicators linked to the plan's items and to every item beneath them (items whose path starts
with one of the plan's items' paths), scoped to what the user may read. Each row holds Wirral's columns [W 3.7]:
indicator, data source, previous year's performance, target for the year, year-to-date plan, year-to-date
performance, RAG, trend, reporting period, accountable officer, comments. A formal report view: approved figures
only (D2), with the measures whose figure for the period is awaiting sign-off named beside it.

Loading is a fixed number of queries whatever the number of measures (``load_series`` plus one query for the
accountable officers and one for the figures awaiting sign-off); sorting is plain Python, stable, with missing
values last in either direction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.http import QueryDict
from django.utils.text import slugify

from indicators.choices import AWAITING_SIGN_OFF, Direction, IndicatorKind, Rag, Unit
from indicators.formatting import figure
from indicators.models import Indicator, Return, Specification
from indicators.selectors import APPROVED_ONLY, PeriodAssessment, Series, load_series
from plans.selectors import linked_under
from pmf import gc_pause
from pmf.access import restrict
from pmf.models import User
from pmf.pagination import int_param
from pmf.periods import financial_year_label, period_bounds, period_for_date, period_label, previous_period
from reporting.selectors import DELIVERY_CHOICES, delivered_by, month_assessment, quarter_assessment

# -- the columns ------------------------------------------------------------------------------------------------

TEXT, FIGURE, TARGET, RAG, TREND = "text", "figure", "target", "rag", "trend"


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    kind: str = TEXT
    width: int = 14  # Excel column width, in characters


COLUMNS: tuple[Column, ...] = (
    Column("indicator", "Indicator", width=48),
    Column("data_source", "Data source", width=30),
    Column("previous", "Previous year's performance", FIGURE),
    Column("target", "Target for the year", TARGET, width=18),
    Column("ytd_plan", "Year-to-date plan", TARGET, width=18),
    Column("ytd", "Year-to-date performance", FIGURE),
    Column("rag", "RAG", RAG, width=22),
    Column("trend", "Trend", TREND, width=14),
    Column("period", "Reporting period", width=16),
    Column("officer", "Accountable officer", width=24),
    Column("comments", "Comments", width=60),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)
DEFAULT_SORT = "indicator"
MEASURE_CHOICES = (("all", "All measures"), ("kpi", "Key performance indicators only"))

#: Sort order of the ratings, worst first; 'measured, not rated' and 'not measured' count as missing (last).
_RAG_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}
_TREND_ORDER = {Direction.DECLINING: 0, Direction.MAINTAINED: 1, Direction.IMPROVING: 2}


# -- the parameters ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Params:
    year: int
    quarter: int
    sort: str = DEFAULT_SORT
    descending: bool = False
    measures: str = "all"
    month: int | None = None  # a monthly scorecard (1 is April); None for the quarter's
    delivery: str = ""  # a key of DELIVERY_CHOICES (council services, or companies and contracts); blank: all

    @property
    def period_label(self) -> str:
        if self.month:
            return period_label(frequency="monthly", year_start=self.year, period_number=self.month)
        return f"Q{self.quarter} {financial_year_label(self.year)}"

    @property
    def sort_param(self) -> str:
        return f"-{self.sort}" if self.descending else self.sort

    def query(self, **changes) -> str:
        """The query string of these parameters, with ``changes`` (e.g. ``sort="-rag"``)."""
        values = {"year": self.year, "quarter": self.quarter, "sort": self.sort_param, "measures": self.measures}
        if self.month:
            values["month"] = self.month
        if self.delivery:
            values["delivery"] = self.delivery
        values.update(changes)
        q = QueryDict(mutable=True)
        q.update({k: str(v) for k, v in values.items()})
        return q.urlencode()


def latest_complete_quarter(today: date) -> tuple[int, int]:
    year, quarter = period_for_date(frequency="quarterly", on=today)
    return previous_period(frequency="quarterly", year_start=year, period_number=quarter)


def parse_params(get: QueryDict, *, today: date) -> Params:
    """The scorecard's GET parameters; anything missing or not understood falls back to its default (never an
    error): the latest complete quarter, sorted by indicator, every measure."""
    default_year, default_quarter = latest_complete_quarter(today)
    year = int_param(get.get("year", ""), maximum=2100)
    if year is None or year < 2000:
        year = default_year
    quarter = int_param(get.get("quarter", ""), maximum=4)
    if not quarter:
        quarter = default_quarter if year == default_year else 4
    sort = (get.get("sort") or "").strip()
    descending = sort.startswith("-")
    sort = sort.removeprefix("-")
    if sort not in COLUMN_KEYS:
        sort, descending = DEFAULT_SORT, False
    measures = get.get("measures", "all")
    if measures not in dict(MEASURE_CHOICES):
        measures = "all"
    month = int_param(get.get("month", ""), maximum=12) or None
    if month is not None:
        quarter = (month - 1) // 3 + 1  # the quarter the month is in, for the quarter's links back
    delivery = get.get("delivery", "")
    if delivery not in DELIVERY_CHOICES:
        delivery = ""
    return Params(year=year, quarter=quarter, sort=sort, descending=descending, measures=measures, month=month,
                  delivery=delivery)


# -- the rows ---------------------------------------------------------------------------------------------------

@dataclass
class Row:
    indicator: Indicator
    spec: Specification
    assessment: PeriodAssessment
    previous: Decimal | None
    target: Decimal | None
    target_band: tuple[Decimal, Decimal] | None
    officer: str
    awaiting_sign_off: bool = False
    period_end: date | None = None

    # What the columns hold -----------------------------------------------------------------------------------
    @property
    def ytd_plan(self) -> Decimal | None:
        return self.assessment.target

    @property
    def ytd_plan_band(self) -> tuple[Decimal, Decimal] | None:
        return self.assessment.band

    @property
    def ytd(self) -> Decimal | None:
        return self.assessment.value

    @property
    def rag(self) -> str:
        return str(self.assessment.rag)

    @property
    def trend(self) -> str:
        return str(self.assessment.direction)

    @property
    def comments(self) -> str:
        ret = self.assessment.ret
        return ret.commentary.strip() if ret is not None else ""

    def band(self, key: str) -> tuple[Decimal, Decimal] | None:
        return self.target_band if key == "target" else self.ytd_plan_band if key == "ytd_plan" else None

    def number(self, key: str) -> Decimal | None:
        """The figure of a figure or target column (the band's low edge for a band), else None."""
        band = self.band(key)
        if band is not None:
            return band[0]
        return {"previous": self.previous, "target": self.target, "ytd_plan": self.ytd_plan,
                "ytd": self.ytd}.get(key)

    def cell_number(self, key: str) -> Decimal | None:
        """The figure a spreadsheet holds as a number for a column, or None where it holds text (ratings, words,
        a band, a yes / no measure, no figure)."""
        if key not in ("previous", "target", "ytd_plan", "ytd") or self.band(key) is not None \
                or self.spec.unit == Unit.YES_NO:
            return None
        return self.number(key)

    def text(self, key: str) -> str:
        """A column's value as the page and the CSV show it: figures at the specification's decimal places and
        unit, ratings by their word."""
        if key == "indicator":
            return f"{self.indicator.ref} {self.indicator.title}"
        if key == "data_source":
            return self.spec.data_source
        if key in ("target", "ytd_plan"):
            band = self.band(key)
            if band is not None:
                return f"{figure(band[0], self.spec)} to {figure(band[1], self.spec)}"
        if key in ("previous", "target", "ytd_plan", "ytd"):
            return figure(self.number(key), self.spec)
        if key == "rag":
            return Rag(self.rag).label + (" (self-assessed)" if self.assessment.self_assessed else "")
        if key == "trend":
            return Direction(self.trend).label
        if key == "period":
            return self.assessment.label
        if key == "officer":
            return self.officer
        if key == "comments":
            return self.comments
        raise KeyError(key)

    def texts(self) -> list[str]:
        return [self.text(c.key) for c in COLUMNS]

    def file_text(self, key: str) -> str:
        """A column's value in the CSV and Excel files: the page's cell as it reads, the measure with who delivers it
        where a company, partnership or contract does ("SLA KPI – delivered by ...")."""
        text = self.text(key)
        if key == "indicator" and self.indicator.service.is_external:
            return f"{text} {self.indicator.service.measure_label}"
        return text

    def file_texts(self) -> list[str]:
        return [self.file_text(c.key) for c in COLUMNS]

    def sort_value(self, key: str):
        """What a column sorts by, or None when the value is missing (sorted last either way)."""
        if key == "indicator":
            return self.indicator.ref.casefold(), self.indicator.title.casefold()
        if key in ("previous", "target", "ytd_plan", "ytd"):
            band = self.band(key)
            if band is not None:
                return band
            value = self.number(key)
            return None if value is None else (value, value)
        if key == "rag":
            return _RAG_ORDER.get(self.rag)
        if key == "trend":
            return _TREND_ORDER.get(self.trend)
        if key == "period":
            return self.period_end
        text = self.text(key).strip().casefold()
        return text or None


def sort_rows(rows: list[Row], key: str, *, descending: bool = False) -> list[Row]:
    """Stable sort by one column: rows with the same value keep their order (by indicator reference), and
    missing values come last in either direction."""
    base = sorted(rows, key=lambda r: r.sort_value("indicator"))
    present = [r for r in base if r.sort_value(key) is not None]
    missing = [r for r in base if r.sort_value(key) is None]
    present.sort(key=lambda r: r.sort_value(key), reverse=descending)  # Python's sort stays stable in reverse
    return present + missing


# -- the scorecard ----------------------------------------------------------------------------------------------

@dataclass
class Scorecard:
    plan: object
    params: Params
    rows: list[Row] = field(default_factory=list)

    @property
    def period_label(self) -> str:
        return self.params.period_label

    @property
    def awaiting(self) -> list[Row]:
        return sorted((r for r in self.rows if r.awaiting_sign_off), key=lambda r: r.sort_value("indicator"))

    @property
    def basis(self) -> str:
        """What the figures are, as the page and the Excel title say it."""
        text = "Approved figures only"
        if self.awaiting:
            refs = ", ".join(r.indicator.ref for r in self.awaiting)
            text += f"; figures awaiting sign-off are not shown ({len(self.awaiting)}: {refs})"
        return text

    @property
    def title(self) -> str:
        return f"Balanced scorecard: {self.plan.title}, {self.period_label}"

    def filename(self, extension: str) -> str:
        year = financial_year_label(self.params.year).replace("/", "-")
        when = f"m{self.params.month:02d}" if self.params.month else f"q{self.params.quarter}"
        return f"scorecard-{slugify(self.plan.title)[:80]}-{year}-{when}.{extension}"


def plan_measures(plan, user):
    """The indicators of a plan and everything beneath it, as the user may read them (a queryset)."""
    paths = sorted(set(plan.items.values_list("path", flat=True)))
    roots = [p for p in paths if not any(p != other and p.startswith(other) for other in paths)]
    return restrict(linked_under(Indicator.objects.filter(council_id=plan.council_id), roots), user)


def officer_names(series: list[Series], year: int) -> dict[int, str]:
    """The accountable officers' names of the series' specifications for ``year``, by user id (one query)."""
    ids = {s.spec_for(year).accountable_officer_id for s in series} - {None}
    if not ids:
        return {}
    return {u.pk: u.display_name for u in User.objects.filter(pk__in=ids)}


def _awaiting(indicators, year: int) -> set[tuple[int, int, int]]:
    """(indicator, year, period number) of every figure submitted and not yet signed off, this year and last."""
    return set(
        Return.objects.filter(indicator__in=indicators, state__in=AWAITING_SIGN_OFF,
                              period__financial_year_id__in=[year - 1, year])
        .values_list("indicator_id", "period__financial_year_id", "period__number")
    )


def make_row(series: Series, assessment: PeriodAssessment, *, year: int, officers: dict[int, str],
             pending: set = frozenset()) -> Row:
    """A measure's scorecard row for ``year`` with its figure for the period (``assessment``); ``pending`` holds
    the (indicator, year, period) of figures awaiting sign-off. Report packs build their rows with it too."""
    spec = series.spec_for(year)
    previous = quarter_assessment(series, year_start=year - 1, quarter=4)
    target = series.targets.get(year)
    band = None
    if target is not None and target.band_low is not None and spec.polarity == "band":
        band = (target.band_low, target.band_high)
    a_year, a_number = assessment.key
    a_spec = series.spec_for(a_year)
    period_end = period_bounds(frequency=a_spec.frequency, year_start=a_year, period_number=a_number)[1]
    ind_id = series.indicator.pk
    if a_spec.measure_type == "cumulative":
        waiting = any((ind_id, a_year, n) in pending for n in range(1, a_number + 1))
    else:
        waiting = (ind_id, a_year, a_number) in pending
    return Row(
        indicator=series.indicator,
        spec=spec,
        assessment=assessment,
        previous=previous.value,
        target=target.annual_target if target is not None else None,
        target_band=band,
        officer=officers.get(spec.accountable_officer_id, ""),
        awaiting_sign_off=waiting,
        period_end=period_end,
    )


def _row(series: Series, params: Params, officers: dict[int, str], pending: set) -> Row:
    if params.month:
        assessment = month_assessment(series, year_start=params.year, month=params.month)
    else:
        assessment = quarter_assessment(series, year_start=params.year, quarter=params.quarter)
    return make_row(series, assessment, year=params.year, officers=officers, pending=pending)


def build_scorecard(plan, user, params: Params) -> Scorecard:
    """The scorecard of a plan for a quarter, sorted as asked. A fixed number of queries."""
    with gc_pause.paused():
        return _build_scorecard(plan, user, params)


#: How many financial years before the scorecard's year its figures reach: last year's Q4 figure of an annual
#: measure is the year before's, and its direction of travel compares with the year before that.
LOOKBACK_YEARS = 2


def _build_scorecard(plan, user, params: Params) -> Scorecard:
    indicators = plan_measures(plan, user)
    if params.measures == "kpi":
        indicators = indicators.filter(kind=IndicatorKind.KPI)
    indicators = delivered_by(indicators, params.delivery)
    indicators = indicators.filter(current_spec__isnull=False)  # a measure without a specification has no row
    series = load_series(indicators.order_by("ref"), states=APPROVED_ONLY, since_year=params.year - LOOKBACK_YEARS)
    officers = officer_names(series, params.year)
    pending = _awaiting(indicators, params.year) if series else set()
    rows = [_row(s, params, officers, pending) for s in series]
    return Scorecard(plan=plan, params=params, rows=sort_rows(rows, params.sort, descending=params.descending))


# -- helpers the exports share ----------------------------------------------------------------------------------

def number_format(spec: Specification) -> str:
    """An Excel number format at the specification's decimal places, with its unit."""
    places = spec.decimal_places or 0
    base = "#,##0" + ("." + "0" * places if places else "")
    unit = spec.unit
    if unit == Unit.PERCENT:
        return base + '"%"'
    if unit == Unit.MONEY:
        return '"£"' + base
    if unit == Unit.DAYS:
        return base + '" days"'
    if unit == Unit.RATE and spec.rate_per:
        return base + f'" per {spec.rate_per:,}"'
    return base
