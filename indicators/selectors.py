"""Reads that pages and reports share: the model-level assessment of indicators.

For an indicator and a period this finds the figure to rate (the year-to-date figure for a cumulative
measure), the target for that point (the trajectory's value for the period, else the annual target), the
comparison period (C2), and calls the pure rules of ``indicators.assessment``; it also gives the year-end
forecast (the officer's, else computed from the trajectory and the year so far, C5).

The work is split in two so that query counts stay flat: ``load_series`` fetches everything for any number
of indicators in a fixed number of queries; ``assess_series`` is plain Python over what was loaded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db.models import F, Max, Prefetch, Q, QuerySet, Window

from indicators import assessment as rules
from indicators.choices import Calculation, ForecastMethod, MeasureType, Polarity, ReturnState
from indicators.models import EntryReopening, Indicator, Return, Specification, Target
from indicators.quality import SELF_ASSESSED
from pmf import gc_pause
from pmf.calendar import due_date
from pmf.models import Period
from pmf.periods import period_label, periods_per_year


def ready_for_sign_off_q(prefix: str = "") -> Q:
    """Returns the director can sign off now: submitted, and verified by the head of service where the council
    asks for that (``services.ready_for_sign_off`` for one return)."""
    p = prefix
    return (Q(**{f"{p}state": ReturnState.VERIFIED, f"{p}indicator__council__verification_required": True})
            | Q(**{f"{p}state": ReturnState.SUBMITTED, f"{p}indicator__council__verification_required": False}))


#: Return states whose figures count. Reports use approved figures only (D2); pages show every figure
#: entered so far, each with its state beside it.
ALL_STATES = frozenset(ReturnState.values)
APPROVED_ONLY = frozenset({ReturnState.APPROVED})

Key = tuple[int, int]  # (financial year start, period number)


@dataclass(frozen=True)
class PeriodAssessment:
    """One period of one indicator, as pages, reports and the API show it."""

    key: Key
    label: str
    ret: Return | None
    period_value: Decimal | None
    value: Decimal | None  # the figure rated: year to date for a cumulative measure
    target: Decimal | None  # the target for this point (trajectory, else annual)
    annual_target: Decimal | None
    rag: rules.Rag
    rag_reason: str
    comparison_key: Key
    comparison_value: Decimal | None
    direction: rules.Direction
    band: tuple[Decimal, Decimal] | None = None  # for a 'within a band' measure
    self_assessed: bool = False  # a narrative measure's status as its officer judged it, never computed (B1)

    @property
    def year_start(self) -> int:
        return self.key[0]

    @property
    def number(self) -> int:
        return self.key[1]


@dataclass
class Series:
    """Everything loaded for one indicator: its specifications, targets and returns."""

    indicator: Indicator
    specs: list[Specification]
    targets: dict[int, Target]  # the target in force for each year (the latest re-approval)
    returns: dict[Key, Return]
    default_tolerance_pct: Decimal
    original_targets: dict[int, Target] = field(default_factory=dict)  # B4: as first approved, if revised
    _cache: dict = field(default_factory=dict, repr=False)

    def spec_for(self, year_start: int) -> Specification:
        """The specification version in force in a financial year (the latest valid from it or before)."""
        chosen = self.specs[0]
        for spec in self.specs:
            if spec.valid_from_id <= year_start:
                chosen = spec
        return chosen


def _returns_prefetch(states: frozenset[str], since_year: int | None = None,
                      latest_years: int | None = None) -> Prefetch:
    qs = Return.objects.select_related("period").order_by("period__start")
    if states != ALL_STATES:
        qs = qs.filter(state__in=states)
    if since_year is not None:
        qs = qs.filter(period__financial_year_id__gte=since_year)
    if latest_years is not None:
        # Each indicator's latest financial year with a return (in these states), by a window over its returns
        # in the same query; the filter on it applies after the others (SQL's QUALIFY, which Django emulates).
        qs = qs.annotate(latest_year_with_return=Window(Max("period__financial_year_id"),
                                                        partition_by=[F("indicator_id")]))
        qs = qs.filter(period__financial_year_id__gt=F("latest_year_with_return") - latest_years)
    return Prefetch("returns", queryset=qs, to_attr="loaded_returns")


def series_queryset(qs: QuerySet[Indicator], *, states: frozenset[str] = ALL_STATES,
                    since_year: int | None = None, latest_years: int | None = None) -> QuerySet[Indicator]:
    """The query shape for assessing indicators: a fixed number of queries for any number of them. For pages that
    look back only so far: ``since_year`` leaves out the returns of financial years before it; ``latest_years``
    keeps only each indicator's latest that many financial years with a return (2: enough for ``latest``, whose
    comparison period is at most a year earlier)."""
    return qs.select_related("council", "current_spec", "service").prefetch_related(
        Prefetch("specifications", queryset=Specification.objects.order_by("version"), to_attr="loaded_specs"),
        Prefetch("targets", queryset=Target.objects.prefetch_related("trajectory").order_by("revision"),
                 to_attr="loaded_targets"),
        _returns_prefetch(states, since_year, latest_years),
    )


def series_for(indicator: Indicator) -> Series:
    """Build a Series from an indicator fetched through ``series_queryset``."""
    specs = list(indicator.loaded_specs)
    if not specs:
        raise ValueError(f"{indicator.ref} has no specification")
    for target in indicator.loaded_targets:  # target_at looks points up by number
        target.points_by_number = {p.period_number: p.value for p in target.trajectory.all()}
    current = {t.financial_year_id: t for t in indicator.loaded_targets if t.superseded_at is None}
    original = {t.financial_year_id: t for t in indicator.loaded_targets
                if t.revision == 1 and current.get(t.financial_year_id) not in (None, t)}
    return Series(
        indicator=indicator,
        specs=specs,
        targets=current,
        original_targets=original,
        returns={r.period.key: r for r in indicator.loaded_returns},
        default_tolerance_pct=indicator.council.default_tolerance_pct,
    )


def load_series(qs: QuerySet[Indicator], *, states: frozenset[str] = ALL_STATES,
                since_year: int | None = None, latest_years: int | None = None) -> list[Series]:
    """The series of every indicator of ``qs`` with its returns in ``states``, in a fixed number of queries;
    ``since_year`` and ``latest_years`` load fewer years of returns (see :func:`series_queryset`).

    The cyclic garbage collector is paused meanwhile (``pmf.gc_pause``): building a few thousand model
    instances otherwise sets off full collections that cost as much as the loading itself."""
    with gc_pause.paused():
        return [series_for(ind) for ind in series_queryset(qs, states=states, since_year=since_year,
                                                                latest_years=latest_years)]


def _period_figure(ret: Return | None) -> Decimal | None:
    return None if ret is None else ret.value


def _ytd(series: Series, spec: Specification, key: Key) -> Decimal | None:
    """Year-to-date figure at a period for a cumulative measure: the sum of the periods' figures (or
    sum of numerators over sum of denominators for a ratio). None when any period so far has no figure."""
    year, number = key
    cached = series._cache.get(("ytd", key))
    if cached is not None or ("ytd", key) in series._cache:
        return cached
    rets = [series.returns.get((year, n)) for n in range(1, number + 1)]
    result: Decimal | None
    if any(r is None or r.value is None for r in rets):
        result = None
    elif spec.calculation == Calculation.RATIO and all(r.numerator is not None for r in rets):
        num = sum((r.numerator for r in rets), Decimal(0))
        den = sum((r.denominator for r in rets), Decimal(0))
        result = None if den == 0 else rules.quantize(num / den * spec.multiplier, spec.decimal_places)
    else:
        result = sum((r.value for r in rets), Decimal(0))
    series._cache[("ytd", key)] = result
    return result


def figure_at(series: Series, key: Key) -> Decimal | None:
    """The figure rated at a period: the period's value, or year to date for a cumulative measure."""
    spec = series.spec_for(key[0])
    if spec.measure_type == MeasureType.CUMULATIVE:
        return _ytd(series, spec, key)
    return _period_figure(series.returns.get(key))


def target_at(target: Target | None, number: int) -> Decimal | None:
    """The target for a point in the year: the trajectory's value for the period, else the annual target."""
    if target is None:
        return None
    points = getattr(target, "points_by_number", None)  # set by series_for
    if points is not None:
        return points[number] if number in points else target.annual_target
    for point in target.trajectory.all():
        if point.period_number == number:
            return point.value
    return target.annual_target


def _measured_reason(series: Series, spec: Specification, target: Target | None, value, point_target) -> str:
    ind = series.indicator
    if ind.kind == "contextual":
        return "Contextual statistic: monitored, not rated."
    if ind.is_qualitative:
        return "Qualitative measure: reported by commentary."
    if value is None:
        return "Survey result not yet available." if ind.is_perception else "No figure for this period."
    if target is None:
        return "No target set for the year."
    if target.needs_baseline and target.baseline is None:
        return "The target needs a baseline, and none is recorded."
    if spec.polarity == Polarity.BAND:
        if target.band_low is None or target.band_high is None:
            return "No target band set for the year."
    elif point_target is None:
        return "No target set for the year."
    return ""


def assess(series: Series, key: Key, *, comparison: Key | None = None) -> PeriodAssessment:
    """C1, C2 for one period of one indicator. ``comparison`` overrides the C2 comparison period (C6: a monthly
    measure in a quarterly report compares quarter-end month with quarter-end month).

    Memoised on the series (an assessment is immutable, and pages ask for the same period more than once: the
    latest, the quarter, every period): whoever changes a loaded series' returns or targets clears
    ``series._cache``."""
    memo = ("assess", key, comparison)
    found = series._cache.get(memo)
    if found is None:
        found = series._cache[memo] = _assess(series, key, comparison)
    return found


def _assess(series: Series, key: Key, comparison: Key | None) -> PeriodAssessment:
    year, number = key
    spec = series.spec_for(year)
    target = series.targets.get(year)
    value = figure_at(series, key)
    point_target = target_at(target, number)
    reason = _measured_reason(series, spec, target, value, point_target)
    chosen = self_assessed_rag(series.indicator, series.returns.get(key))
    if chosen is not None:
        status, reason = chosen, ""
    elif reason:
        status = rules.Rag.MEASURED
    else:
        has_own = target.tolerance_pct is not None or target.tolerance_abs is not None
        status = rules.rag(
            value=value,
            target=point_target,
            polarity=spec.polarity,
            tolerance_pct=target.tolerance_pct if has_own else series.default_tolerance_pct,
            tolerance_abs=target.tolerance_abs,
            band_low=target.band_low,
            band_high=target.band_high,
            decimal_places=spec.decimal_places,
        )
    if comparison is None:
        comparison = rules.comparison_period(
            frequency=spec.frequency, measure_type=spec.measure_type, year_start=year, period_number=number
        )
    comparison_value = figure_at(series, comparison) if not series.indicator.is_qualitative else None
    band_target = target if target is not None else series.targets.get(comparison[0])
    if spec.polarity == Polarity.BAND and (band_target is None or band_target.band_low is None):
        direction = rules.Direction.NOT_MEASURED
    else:
        direction = rules.direction_of_travel(
            current=value if not series.indicator.is_qualitative else None,
            previous=comparison_value,
            polarity=spec.polarity,
            decimal_places=spec.decimal_places,
            band_low=band_target.band_low if band_target else None,
            band_high=band_target.band_high if band_target else None,
        )
    return PeriodAssessment(
        key=key,
        label=period_label(frequency=spec.frequency, year_start=year, period_number=number),
        ret=series.returns.get(key),
        period_value=_period_figure(series.returns.get(key)),
        value=value,
        target=point_target,
        annual_target=target.annual_target if target else None,
        rag=status,
        rag_reason=reason,
        comparison_key=comparison,
        comparison_value=comparison_value,
        direction=direction,
        band=(target.band_low, target.band_high)
        if spec.polarity == Polarity.BAND and target is not None and target.band_low is not None else None,
        self_assessed=chosen is not None,
    )


def self_assessed_rag(indicator: Indicator, ret: Return | None) -> rules.Rag | None:
    """The status the officer chose for a narrative measure's return (B1), or None: a numeric measure's status is
    always computed from its figure, and a narrative return without a chosen status is not rated."""
    if ret is None or not indicator.is_qualitative or ret.self_assessed_rag not in SELF_ASSESSED:
        return None
    return rules.Rag(ret.self_assessed_rag)



def assess_all(series: Series, years: Iterable[int] | None = None) -> list[PeriodAssessment]:
    """Every period with a return (or due before the latest return) in the given years, oldest first."""
    keys: set[Key] = set(series.returns)
    if years is not None:
        wanted = set(years)
        keys = {k for k in keys if k[0] in wanted}
    by_year: dict[int, int] = defaultdict(int)
    for y, n in keys:
        by_year[y] = max(by_year[y], n)
    full = {(y, n) for y, last in by_year.items() for n in range(1, last + 1)}  # gaps show as missing
    return [assess(series, k) for k in sorted(full)]


def latest(series: Series) -> PeriodAssessment | None:
    """The latest period with a return, assessed."""
    if not series.returns:
        return None
    return assess(series, max(series.returns))


@dataclass(frozen=True)
class Forecast:
    value: Decimal | None
    source: str  # "officer", "computed" or ""
    confidence: str = ""
    method: str = ""

    @property
    def method_label(self) -> str:
        return ForecastMethod(self.method).label if self.method else ""


def forecast(series: Series, year_start: int) -> Forecast:
    """C5: the officer's latest year-end forecast for the year, else one computed from the trajectory and
    the year so far by the specification's forecast method."""
    spec = series.spec_for(year_start)
    year_returns = sorted((k, r) for k, r in series.returns.items() if k[0] == year_start)
    for _, ret in reversed(year_returns):
        if ret.forecast is not None:
            return Forecast(ret.forecast, "officer", ret.forecast_confidence)
    if not series.indicator.is_rated or not year_returns:
        return Forecast(None, "")
    count = periods_per_year(spec.frequency)
    last = max(k[1] for k, _ in year_returns)
    actuals: Sequence[Decimal | None] = [figure_at(series, (year_start, n)) for n in range(1, last + 1)]
    target = series.targets.get(year_start)
    profile = None
    if target is not None and target.trajectory.all():
        profile = [target_at(target, n) for n in range(1, count + 1)]
    method = spec.forecast_method or rules.default_forecast_method(
        measure_type=spec.measure_type, has_profile=profile is not None
    )
    value = rules.forecast_year_end(
        method=method,
        actuals=actuals,
        periods_in_year=count,
        annual_target=target.annual_target if target else None,
        profile=profile,
        decimal_places=spec.decimal_places,
    )
    return Forecast(value, "computed" if value is not None else "", method=str(method))


# -- "My updates" (E5 on the home page) -------------------------------------------------------------------

@dataclass(frozen=True)
class DueReturn:
    indicator: Indicator
    period: object  # pmf.models.Period
    due_on: object  # date
    ret: Return | None

    today: object  # date

    @property
    def overdue(self) -> bool:
        return self.due_on < self.today


def owed_returns(indicators: QuerySet[Indicator], *, today, lookback_days: int = 400) -> list[DueReturn]:
    """The returns owed for ``indicators`` in their open periods: every ended period whose entry window is still
    open (or reopened for the indicator) without a submitted or approved return, and every return sent back.
    In indicator order. A fixed number of queries, whatever the number of indicators (one person's or a whole
    council's)."""
    indicators = list(indicators.select_related("council", "current_spec").order_by("ref"))
    if not indicators:
        return []
    frequencies = {i.current_spec.frequency for i in indicators}
    periods = list(Period.objects.filter(frequency__in=frequencies, end__lt=today,
                                         end__gte=today - timedelta(days=lookback_days)).order_by("start"))
    returns = {(r.indicator_id, r.period_id): r for r in Return.objects.filter(
        indicator__in=indicators, period__in=periods)}
    reopened = set(EntryReopening.objects.filter(indicator__in=indicators, until__gte=today)
                   .values_list("indicator_id", "period_id"))
    out = []
    for ind in indicators:
        spec = ind.current_spec
        for period in periods:
            if period.frequency != spec.frequency:
                continue
            ret = returns.get((ind.pk, period.pk))
            if ret is not None and ret.state in ("submitted", "verified", "approved"):
                continue
            due = due_date(period.end, spec.due_working_days)
            closes = due + timedelta(days=ind.council.period_close_days)
            if ret is not None and ret.state == "returned" or today <= closes or (ind.pk, period.pk) in reopened:
                out.append(DueReturn(ind, period, due, ret, today))
    return out


def due_returns(user, *, today, lookback_days: int = 400) -> list[DueReturn]:
    """The returns a performance lead (or deputy) owes (``owed_returns`` of their indicators), overdue first,
    then by due date."""
    mine = Indicator.objects.filter(Q(current_spec__performance_lead=user)
                                    | Q(current_spec__deputy_performance_lead=user))
    out = owed_returns(mine, today=today, lookback_days=lookback_days)
    return sorted(out, key=lambda d: (not d.due_on < today, d.due_on, d.indicator.ref))
