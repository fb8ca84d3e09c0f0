"""The corporate risk register (E4): reads shared by the register, a risk's page, "My risks" and the Cabinet pack.

Each risk is flagged by ``indicators.risk_rules.measure_warning`` from its linked measures' approved figures: a
measure Red at its latest period, or declining at its latest period and at the one before. ``risk_views`` works
the flags out for any number of risks in a fixed number of queries: the risks, their links, the linked measures'
series (one ``load_series``), and which of those measures and actions the reader may open.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F, Prefetch, Q, QuerySet

from indicators import risk_rules
from indicators.choices import Direction, Rag
from indicators.models import CorporateRisk, Indicator
from indicators.selectors import APPROVED_ONLY, PeriodAssessment, Series, assess, latest, load_series
from plans.assessment import ActionStatus, action_status
from plans.models import Action
from pmf import access, clock
from pmf.models import User
from pmf.periods import previous_period

#: Years of returns loaded per measure: the latest period, the one before and their comparison periods.
YEARS_LOADED = 3


@dataclass(frozen=True)
class MeasureSignal:
    """A linked measure's latest approved figure, its direction then and the period before, and what it flags."""

    indicator: Indicator
    series: Series | None
    latest: PeriodAssessment | None
    previous_direction: Direction | None
    flag: risk_rules.Flag | None

    @property
    def rag(self) -> Rag | None:
        return self.latest.rag if self.latest else None

    @property
    def direction(self) -> Direction | None:
        return self.latest.direction if self.latest else None


@dataclass
class RiskView:
    """A risk as the register shows it: its scores and band, its measures (those the reader may open) and actions,
    and whether it is flagged (by any linked measure, seen or not)."""

    risk: CorporateRisk
    measures: list[MeasureSignal] = field(default_factory=list)
    actions: list[tuple[Action, ActionStatus]] = field(default_factory=list)
    flags: list[MeasureSignal] = field(default_factory=list)  # every linked measure that flags it
    hidden_ids: frozenset[int] = frozenset()  # those of them the reader may not open

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    @property
    def band(self) -> risk_rules.ScoreBand | None:
        return risk_rules.score_band(score=self.risk.score)

    @property
    def target_band(self) -> risk_rules.ScoreBand | None:
        return risk_rules.score_band(score=self.risk.target_score)

    @property
    def hidden_flags(self) -> int:
        return len(self.hidden_ids)

    @property
    def seen_flags(self) -> list[MeasureSignal]:
        return [m for m in self.flags if m.indicator.pk not in self.hidden_ids]

    @property
    def flag_summary(self) -> str:
        """The reason in words, for the register's column and the pack."""
        seen = [f"{m.indicator.ref}: {m.flag.label.lower()}" for m in self.seen_flags]
        if self.hidden_flags:
            seen.append(f"{self.hidden_flags} measure(s) you may not open")
        return "; ".join(seen)


def previous_of(series: Series, assessment: PeriodAssessment) -> PeriodAssessment:
    """The measure's period before ``assessment``'s, in its own frequency."""
    spec = series.spec_for(assessment.year_start)
    key = previous_period(frequency=spec.frequency, year_start=assessment.year_start,
                          period_number=assessment.number)
    return assess(series, key)


def signal(series: Series, current: PeriodAssessment | None = None,
           previous: PeriodAssessment | None = None) -> MeasureSignal:
    """A measure's signal at ``current`` (default: its latest period with an approved figure)."""
    current = current if current is not None else latest(series)
    if current is None:
        return MeasureSignal(series.indicator, series, None, None, None)
    if current.value is None:  # no figure for the period: not measured, so it flags nothing
        return MeasureSignal(series.indicator, series, current, None, None)
    previous = previous if previous is not None else previous_of(series, current)
    flag = risk_rules.measure_warning(rag=current.rag, direction=current.direction,
                                      previous_direction=previous.direction)
    return MeasureSignal(series.indicator, series, current, previous.direction, flag)


def signals_for(indicator_ids: set[int]) -> dict[int, MeasureSignal]:
    """Each measure's signal from its approved figures (a fixed number of queries)."""
    if not indicator_ids:
        return {}
    qs = Indicator.objects.filter(pk__in=indicator_ids, current_spec__isnull=False)
    return {s.indicator.pk: signal(s) for s in load_series(qs, states=APPROVED_ONLY, latest_years=YEARS_LOADED)}


def risk_views(risks: QuerySet[CorporateRisk], user: User) -> list[RiskView]:
    """Every risk of ``risks`` (already scoped to the reader) with its flags, measures and actions."""
    risks = list(risks.select_related("council", "owner", "directorate").prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.only("pk", "ref", "title").order_by("ref"),
                 to_attr="linked"),
        Prefetch("actions", queryset=Action.objects.select_related("owner").order_by("ref"), to_attr="linked_actions")))
    indicator_ids = {i.pk for r in risks for i in r.linked}
    action_ids = {a.pk for r in risks for a in r.linked_actions}
    signals = signals_for(indicator_ids)
    visible = set(access.restrict(Indicator.objects.filter(pk__in=indicator_ids), user).values_list("pk", flat=True)) \
        if indicator_ids else set()
    visible_actions = set(access.restrict(Action.objects.filter(pk__in=action_ids), user)
                          .values_list("pk", flat=True)) if action_ids else set()
    today = clock.today()
    views = []
    for risk in risks:
        linked = [signals.get(i.pk) or MeasureSignal(i, None, None, None, None) for i in risk.linked]
        flags = [m for m in linked if m.flag]
        hidden = frozenset(m.indicator.pk for m in flags if m.indicator.pk not in visible)
        view = RiskView(
            risk=risk,
            measures=[m for m in linked if m.indicator.pk in visible],
            actions=[(a, ActionStatus(action_status(as_of=today, start=a.start, approved_end=a.approved_end,
                                                    forecast_end=a.forecast_end, completed_on=a.completed_on,
                                                    no_longer_viable=a.no_longer_viable)))
                     for a in risk.linked_actions if a.pk in visible_actions],
            flags=flags, hidden_ids=hidden)
        views.append(view)
    return views


# -- the register's filters ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RegisterFilter:
    owner: int | None = None
    directorate: int | None = None
    band: str = ""
    flagged: str = ""  # "yes", "no" or "" (either)
    q: str = ""


def filter_risks(risks: QuerySet[CorporateRisk], f: RegisterFilter) -> QuerySet[CorporateRisk]:
    """The filters the database answers: owner, directorate, score band and the search."""
    if f.owner:
        risks = risks.filter(owner_id=f.owner)
    if f.directorate:
        risks = risks.filter(directorate_id=f.directorate)
    if f.band in risk_rules.ScoreBand:
        low, high = risk_rules.band_range(f.band)
        risks = risks.annotate(current_score=F("likelihood") * F("impact")).filter(
            current_score__gte=low, current_score__lte=high)
    if f.q:
        risks = risks.filter(Q(ref__icontains=f.q) | Q(title__icontains=f.q))
    return risks


def apply_flag_filter(views: list[RiskView], flagged: str) -> list[RiskView]:
    if flagged == "yes":
        return [v for v in views if v.flagged]
    if flagged == "no":
        return [v for v in views if not v.flagged]
    return views
