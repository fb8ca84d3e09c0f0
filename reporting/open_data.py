"""What the public site publishes (D9): the one place that decides it, used by every public page and by the
open-data downloads alike.

Published means: a measure of the council that is not restricted (``Indicator.is_restricted=False``), with its
APPROVED figures only (draft, submitted and returned figures never leave the building), rated against approved
targets only. Contextual statistics and qualitative measures are published without a RAG rating. Nothing here
uses the signed-in scope (``pmf.access``): the public sees the same thing whoever asks, selected explicitly by
council, published and approved.

Every function loads what it needs in a fixed number of queries, whatever the number of measures.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from indicators.assessment import quantize
from indicators.choices import Direction, IndicatorKind, Polarity, Rag, ReturnState
from indicators.models import Indicator, Specification
from indicators.selectors import APPROVED_ONLY, PeriodAssessment, Series, assess_all, load_series
from indicators.selectors import latest as latest_assessment
from plans.choices import PlanStatus
from plans.models import Plan, PlanItem
from plans.selectors import in_tree_order
from pmf import clock, gc_pause
from pmf.models import Council
from pmf.periods import financial_year_label, period_bounds, period_for_date, previous_period
from reporting.selectors import quarter_assessment

#: Licences the site knows the address of (Council.open_data_licence holds the name).
LICENCE_URLS = {
    "Open Government Licence v3.0": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}

#: The columns of the open data, in order, with what each holds (CSV header and JSON ``fields``).
FIELDS: tuple[tuple[str, str], ...] = (
    ("council", "The council publishing the figure."),
    ("ref", "The measure's reference."),
    ("title", "The measure's title."),
    ("kind", "Key performance indicator, performance indicator or contextual statistic."),
    ("unit", "The unit of the figures."),
    ("polarity", "Whether higher or lower is better, or within a band."),
    ("frequency", "How often the measure is reported."),
    ("measure_type", "Snapshot, or cumulative (year to date)."),
    ("period", "The period the figure is for."),
    ("period_start", "First day of the period (ISO 8601)."),
    ("period_end", "Last day of the period (ISO 8601)."),
    ("value", "The approved figure for the period, at the measure's decimal places."),
    ("year_to_date", "For a cumulative measure: the year-to-date figure the rating compares with the target."),
    ("target", "The target for that point in the year (the profiled target where there is one)."),
    ("target_band_low", "For a 'within a band' measure: the low edge of the target band."),
    ("target_band_high", "For a 'within a band' measure: the high edge of the target band."),
    ("rag", "Green, Amber, Red, or Measured (not rated); blank for measures never rated. For a narrative measure: "
            "the status its officer chose (see rag_self_assessed)."),
    ("rag_self_assessed", "Yes where the rag is a narrative measure's status as its officer judged it, not worked "
                          "out from figures; blank otherwise."),
    ("direction", "Direction of travel: Improving, Maintained, Declining or Not measured."),
    ("commentary", "The officer's commentary on the approved figure."),
)
FIELD_NAMES = tuple(name for name, _ in FIELDS)


# -- council and plan --------------------------------------------------------------------------------------------

def council_or_404(slug: str) -> Council:
    return get_object_or_404(Council, slug=slug)


def licence(council: Council) -> dict[str, str]:
    name = council.open_data_licence or "Open Government Licence v3.0"
    return {"name": name, "url": LICENCE_URLS.get(name, "")}


def latest_quarter(today: date | None = None) -> tuple[int, int]:
    """The latest quarter that has ended: (financial year start, quarter)."""
    year, quarter = period_for_date(frequency="quarterly", on=today or clock.today())
    return previous_period(frequency="quarterly", year_start=year, period_number=quarter)


def quarter_label(year: int, quarter: int) -> str:
    return f"Q{quarter} {financial_year_label(year)}"


def council_plan(council: Council, year: int) -> Plan | None:
    """The approved (or active) Council Plan covering the year, else the latest approved one. Never a draft."""
    plans = list(Plan.objects.filter(council=council, level__rank=1)
                 .exclude(status=PlanStatus.DRAFT).order_by("-start_year_id", "-pk"))
    for plan in plans:
        if plan.covers_year(year):
            return plan
    return plans[0] if plans else None


def priorities(plan: Plan | None) -> list[PlanItem]:
    """The plan's priorities (its top items), each with ``outcomes`` (its items beneath, in the same plan)."""
    if plan is None:
        return []
    items = in_tree_order(PlanItem.objects.filter(plan=plan).select_related("level", "portfolio"))
    tops = [i for i in items if i.parent_id is None]
    for top in tops:
        top.outcomes = [i for i in items if i.parent_id == top.pk]
    return tops


def priority_or_404(council: Council, pk: int) -> tuple[Plan, PlanItem]:
    """A priority of the council's published Council Plan (404 for anything else)."""
    item = get_object_or_404(
        PlanItem.objects.select_related("plan", "level", "portfolio"),
        pk=pk, parent__isnull=True, plan__council=council, plan__level__rank=1,
        plan__status__in=[PlanStatus.APPROVED, PlanStatus.ACTIVE, PlanStatus.CLOSED],
    )
    return item.plan, item


# -- measures ---------------------------------------------------------------------------------------------------

def published_indicators(council: Council) -> QuerySet[Indicator]:
    """D9: the council's published measures (every one not marked restricted)."""
    return Indicator.objects.filter(council=council, is_restricted=False)


def evidencing(qs: QuerySet[Indicator], item: PlanItem) -> QuerySet[Indicator]:
    """The indicators of ``qs`` linked to the item or anything beneath it (in SQL, as :func:`measures_under` does
    in Python), so that a page about one priority loads only its measures."""
    through = Indicator.plan_items.through.objects.filter(planitem__path__startswith=item.path)
    return qs.filter(pk__in=through.values("indicator_id"))


@dataclass
class Measure:
    """A published measure with its approved figures, as the public pages and the open data show it. ``rows`` and
    ``latest`` are assessed when first asked for (the home page needs neither, only ``quarter``)."""

    series: Series
    quarter: PeriodAssessment | None = None  # its figure for the latest ended quarter (C6)
    paths: list[str] = field(default_factory=list)  # the plan items it evidences

    @cached_property
    def rows(self) -> list[PeriodAssessment]:
        """Every period up to the latest approved figure, oldest first."""
        return assess_all(self.series)

    @cached_property
    def latest(self) -> PeriodAssessment | None:
        return latest_assessment(self.series)

    @property
    def indicator(self) -> Indicator:
        return self.series.indicator

    @property
    def spec(self) -> Specification:
        return self.series.spec_for(self.latest.year_start) if self.latest else self.series.specs[-1]

    @property
    def is_rated(self) -> bool:
        return self.indicator.is_rated

    @property
    def not_rated_reason(self) -> str:
        if self.indicator.is_qualitative:
            return "Qualitative measure, reported by its commentary"
        if self.indicator.kind == IndicatorKind.CONTEXTUAL:
            return "Contextual statistic, monitored only"
        return ""

    @property
    def figures(self) -> list[PeriodAssessment]:
        """The periods that have an approved figure, oldest first."""
        return [a for a in self.rows if a.ret is not None]

    def chart(self) -> dict:
        """The chart's data: approved figures against the target (floats only here, for plotly)."""
        def num(v: Decimal | None) -> float | None:
            return None if v is None else float(v)

        rows = self.figures
        return {
            "id": f"chart-{self.indicator.ref}",
            "title": f"{self.indicator.ref} {self.indicator.title}",
            "unit": self.spec.get_unit_display(),
            "labels": [a.label for a in rows],
            "values": [num(a.value) for a in rows],
            "targets": [num(a.target) for a in rows] if self.is_rated else [],
        }


def _approved_targets_only(series: Series) -> None:
    """Rate against approved targets only: an unapproved target is not published, so is not there."""
    series.targets = {y: t for y, t in series.targets.items() if t.approved_at is not None}
    series.original_targets = {y: t for y, t in series.original_targets.items() if t.approved_at is not None}
    series._cache.clear()


def _check_approved(series: Series) -> None:
    """Defence in depth: the series was loaded with approved figures only; make sure, whatever changes upstream."""
    for ret in series.returns.values():
        if ret.state != ReturnState.APPROVED:
            raise AssertionError(f"{series.indicator.ref}: an unapproved figure reached the public site")


def load_measures(qs: QuerySet[Indicator], *, quarter: tuple[int, int] | None = None,
                  with_paths: bool = False) -> list[Measure]:
    """Published measures with their approved figures assessed, in a fixed number of queries. ``qs`` must come
    from :func:`published_indicators`; it is filtered again here so nothing restricted can slip through."""
    with gc_pause.paused():
        return _load_measures(qs, quarter=quarter, with_paths=with_paths)


def _load_measures(qs: QuerySet[Indicator], *, quarter: tuple[int, int] | None, with_paths: bool) -> list[Measure]:
    qs = qs.filter(is_restricted=False).order_by("ref")
    measures = []
    for series in load_series(qs, states=APPROVED_ONLY):
        _check_approved(series)
        _approved_targets_only(series)
        m = Measure(series=series)
        if quarter is not None:
            m.quarter = quarter_assessment(series, year_start=quarter[0], quarter=quarter[1])
        measures.append(m)
    if with_paths and measures:
        through = Indicator.plan_items.through
        paths: dict[int, list[str]] = defaultdict(list)
        for ind_id, path in through.objects.filter(indicator__in=[m.indicator.pk for m in measures]) \
                .values_list("indicator_id", "planitem__path"):
            paths[ind_id].append(path)
        for m in measures:
            m.paths = paths.get(m.indicator.pk, [])
    return measures


def measures_under(measures: Iterable[Measure], item: PlanItem) -> list[Measure]:
    """The measures evidencing the item or anything beneath it in the golden thread."""
    return [m for m in measures if any(p.startswith(item.path) for p in m.paths)]


def measure_or_404(council: Council, ref: str) -> Measure:
    found = load_measures(published_indicators(council).filter(ref=ref), with_paths=True)
    if not found:
        raise Http404("No such published measure.")
    return found[0]


RAG_ORDER = (Rag.GREEN, Rag.AMBER, Rag.RED, Rag.MEASURED)


def rag_counts(measures: Iterable[Measure]) -> dict[str, object]:
    """Counts of the rated measures by their latest quarter's RAG, and how many are never rated. A narrative
    measure with a status its officer chose counts under that status, and ``self_assessed`` says how many did."""
    counted: Counter = Counter()
    not_rated = self_assessed = 0
    for m in measures:
        if m.quarter is not None and m.quarter.self_assessed:
            counted[m.quarter.rag] += 1
            self_assessed += 1
        elif not m.is_rated:
            not_rated += 1
        elif m.quarter is not None:
            counted[m.quarter.rag] += 1
    return {"rags": [(r, Rag(r).label, counted.get(r, 0)) for r in RAG_ORDER], "not_rated": not_rated,
            "self_assessed": self_assessed, "total": sum(counted.values()) + not_rated}


# -- open data --------------------------------------------------------------------------------------------------

def _number(value: Decimal | None, places: int | None) -> str:
    if value is None:
        return ""
    return format(quantize(Decimal(value), places), "f")


def _text(value: str) -> str:
    """Free text for a spreadsheet: a leading = + - @ would be read as a formula, so it is quoted with '."""
    value = (value or "").replace("\r\n", "\n")
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _spec_labels(spec: Specification) -> dict[str, str]:
    return {"unit": spec.get_unit_display(), "polarity": spec.get_polarity_display(),
            "frequency": spec.get_frequency_display(), "measure_type": spec.get_measure_type_display()}


def figure_row(council: Council, m: Measure, a: PeriodAssessment, *,
               labels: dict[int, dict[str, str]] | None = None) -> dict[str, str]:
    """One approved figure as a row of the open data (every value a string, decimals exact). ``labels``: the
    display words of the specifications by pk, filled as they are met (shared across rows, they are looked up
    once per specification rather than once per figure)."""
    ret = a.ret
    assert ret is not None and ret.state == ReturnState.APPROVED
    ind = m.indicator
    spec = m.series.spec_for(a.year_start)
    start, end = period_bounds(frequency=spec.frequency, year_start=a.year_start, period_number=a.number)
    places = spec.decimal_places
    commentary = ret.commentary or (f"No data: {ret.no_data_reason}" if ret.no_data_reason else "")
    band = a.band if spec.polarity == Polarity.BAND else None
    words = _spec_labels(spec) if labels is None else labels.get(spec.pk) or labels.setdefault(
        spec.pk, _spec_labels(spec))
    return {
        "council": council.name,
        "ref": ind.ref,
        "title": ind.title,
        "kind": ind.get_kind_display(),
        "unit": words["unit"],
        "polarity": words["polarity"],
        "frequency": words["frequency"],
        "measure_type": words["measure_type"],
        "period": a.label,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "value": _number(a.period_value, places),
        "year_to_date": _number(a.value, places) if spec.measure_type == "cumulative" else "",
        "target": "" if band or not m.is_rated else _number(a.target, places),
        "target_band_low": _number(band[0], places) if band else "",
        "target_band_high": _number(band[1], places) if band else "",
        "rag": Rag(a.rag).label if m.is_rated or a.self_assessed else "",
        "rag_self_assessed": "Yes" if a.self_assessed else "",
        "direction": "" if ind.is_qualitative else Direction(a.direction).label,
        "commentary": commentary,
    }


def open_data_rows(council: Council) -> list[dict[str, str]]:
    """Every published measure's approved figures, by measure then period."""
    labels: dict[int, dict[str, str]] = {}
    with gc_pause.paused():
        return [figure_row(council, m, a, labels=labels)
                for m in load_measures(published_indicators(council)) for a in m.figures]


_TEXT_FIELDS = {"title", "commentary"}


def open_data_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELD_NAMES, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: _text(v) if k in _TEXT_FIELDS else v for k, v in row.items()} for row in rows)
    return out.getvalue()


def open_data_document(council: Council, rows: list[dict[str, str]], *, source_url: str, generated_at) -> dict:
    """The JSON document: a metadata block (licence, when generated, where from, what each field holds) and the
    rows. Figures are decimal strings, exact at each measure's decimal places."""
    return {
        "metadata": {
            "title": f"{council.name}: performance measures (approved figures)",
            "publisher": council.name,
            "licence": licence(council),
            "generated_at": generated_at.isoformat(),
            "source_url": source_url,
            "description": "Every published performance measure's approved figures, with the target, RAG rating "
                           "and direction of travel. Figures not yet approved, and measures marked restricted, "
                           "are never included.",
            "number_format": "Figures are decimal strings, exact at the measure's decimal places; "
                             "an empty string means no value.",
            "fields": [{"name": n, "description": d} for n, d in FIELDS],
            "record_count": len(rows),
        },
        "data": rows,
    }
