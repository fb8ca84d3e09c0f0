"""National benchmarking data (C4, issue 12): comparator values in the layout of the LG Inform and Oflog data
downloads (a metric, the area's ONS (GSS) code and name, the period, the value), a council's comparator groups as
data (CIPFA nearest neighbours, its region, all English unitaries, a list of its own), and which national metric
each measure is compared on. Read through the core's import machinery (``pmf.imports``): all or nothing, every
problem by sheet, row and column, importing the same file again changes nothing.

The measure pages and the quarterly packs rank a measure among the comparator values of its year
(``BenchmarkValue``, shown with their source and date): ``refresh`` writes those from the national values, for
every mapped measure, over the group its specification names (``comparator_group``), the council's own area left
out."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from indicators.models import (
    Area,
    BenchmarkValue,
    ComparatorGroup,
    ComparatorKind,
    Indicator,
    MetricMapping,
    NationalMetric,
    NationalValue,
)
from pmf import audit, imports
from pmf.imports import Column as C
from pmf.models import Council, User
from pmf.services import ensure_financial_year

NATIONAL = imports.Sheet("National values", (
    C("metric", required=True, max_length=60, aliases=("metric id", "metric code", "metric_id", "measure id"),
      help="The metric's identifier in its source (LG Inform's metric id, Oflog's metric code).", example="1234"),
    C("metric title", max_length=300, aliases=("metric name", "metric title", "measure name"),
      help="What the metric measures.", example="Household waste sent for reuse, recycling or composting"),
    C("area code", required=True, max_length=9, aliases=("area_code", "gss code", "ons code", "code"),
      help="The area's ONS (GSS) code.", example="E06000050"),
    C("area name", max_length=150, aliases=("area", "area_name", "name"), help="The area's name.",
      example="Cheshire West and Chester"),
    C("period", "year", required=True, aliases=("time period", "year", "financial year"),
      help="The financial year the value is for.", example="2024/25"),
    C("value", "decimal", aliases=("data value",), help="The value (blank: none published, skipped).",
      example="51.3"),
), help="Comparator values, as LG Inform and Oflog downloads give them.", key=("metric", "area code", "period"))

GROUPS = imports.Sheet("Comparator groups", (
    C("group", required=True, max_length=150, help="The group's name, as measures' specifications name it.",
      example="CIPFA nearest neighbours"),
    C("kind", allowed=tuple(ComparatorKind.values), help="What kind of group it is.", example="cipfa"),
    C("area code", required=True, max_length=9, help="A member's ONS (GSS) code.", example="E06000049"),
    C("area name", max_length=150, help="The member's name.", example="Cheshire East"),
), help="The council's comparator groups, one row per member.", key=("group", "area code"))

MAPPING = imports.Sheet("Metric mapping", (
    C("measure", required=True, help="The measure's reference.", example="WAS01"),
    C("source", required=True, max_length=60, help="The metric's source.", example="LG Inform"),
    C("metric", required=True, max_length=60, help="The metric's identifier in its source.", example="1234"),
), help="Which national metric each measure is compared on.", key=("measure",))

SHEETS = (NATIONAL, GROUPS, MAPPING)


@dataclass
class Outcome:
    file_name: str
    dry_run: bool
    problems: list[imports.Problem] = field(default_factory=list)
    created: Counter = field(default_factory=Counter)
    changed: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    rows: int = 0
    seconds: float = 0.0
    benchmarks: int = 0  # comparator values written for the council's measures
    not_compared: list[str] = field(default_factory=list)  # mapped measures without a group, and why

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def stored(self) -> bool:
        return self.ok and not self.dry_run


class _Rollback(Exception):
    pass


def import_benchmarks(*, book: imports.Book, council: Council, user: User | None, source: str = "",
                      published_on: date | None = None, dry_run: bool = False) -> Outcome:
    """Import national values (and the council's comparator groups and metric mapping, when the file has those
    sheets), then refresh the council's comparator values. A file of one unnamed sheet (a CSV download) is read
    as national values."""
    started = time.perf_counter()
    outcome = Outcome(file_name=book.name, dry_run=dry_run)
    problems = imports.Problems()
    known = {s.name.lower() for s in SHEETS}
    if len(book.sheets) == 1 and not known & set(book.sheets):
        book = imports.Book(book.name, {NATIONAL.name.lower(): next(iter(book.sheets.values()))})
    rows = {s.name: imports.read_sheet(s, book.rows(s.name), problems, sheet_required=False) for s in SHEETS}
    if not any(book.rows(s.name) is not None for s in SHEETS):
        problems.add(book.name, None, "", "no sheets", "The file holds no national values, comparator groups or "
                                                       "metric mapping.")
    if rows[NATIONAL.name] and not source:
        problems.add(NATIONAL.name, None, "", "required", "Say which source the values come from (LG Inform, "
                                                          "Oflog).")
    outcome.rows = sum(len(r) for r in rows.values())
    reason = f"Imported from the national data “{book.name}”"
    try:
        with transaction.atomic():
            if not problems:
                _national(rows[NATIONAL.name], source, published_on, book.name, outcome)
                _groups(rows[GROUPS.name], council, user, reason, outcome)
                _mapping(rows[MAPPING.name], council, user, reason, outcome, problems)
                if not problems:
                    refresh(council=council, user=user, reason=reason, outcome=outcome)
            if problems or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    outcome.problems = list(problems)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _area(code: str, name: str | None, areas: dict[str, Area]) -> Area:
    area = areas.get(code.upper())
    if area is None:
        area = Area.objects.filter(code=code.upper()).first() or Area.objects.create(code=code.upper(),
                                                                                      name=name or code.upper())
        areas[area.code] = area
    if name and area.name != name:
        area.name = name
        area.save(update_fields=["name"])
    return area


def _national(rows, source, published_on, file_name, outcome) -> None:
    areas: dict[str, Area] = {a.code: a for a in Area.objects.filter(code__in={r["area code"].upper() for r in rows})}
    metrics: dict[str, NationalMetric] = {}
    for row in rows:
        if row["value"] is None:
            outcome.unchanged[NATIONAL.name] += 1  # none published for this area and year
            continue
        metric = metrics.get(row["metric"])
        if metric is None:
            metric, _ = NationalMetric.objects.get_or_create(source=source, code=row["metric"],
                                                             defaults={"title": row.get("metric title", "")})
            if row["metric title"] and metric.title != row["metric title"]:
                metric.title = row["metric title"]
                metric.save(update_fields=["title"])
            metrics[row["metric"]] = metric
        area = _area(row["area code"], row["area name"], areas)
        ensure_financial_year(row["period"])
        found = NationalValue.objects.filter(metric=metric, area=area, financial_year_id=row["period"]).first()
        if found is None:
            NationalValue.objects.create(metric=metric, area=area, financial_year_id=row["period"],
                                         value=row["value"], published_on=published_on, file_name=file_name[:200])
            outcome.created[NATIONAL.name] += 1
        elif found.value != row["value"] or (published_on and found.published_on != published_on):
            found.value, found.file_name = row["value"], file_name[:200]
            found.published_on = published_on or found.published_on
            found.save()
            outcome.changed[NATIONAL.name] += 1
        else:
            outcome.unchanged[NATIONAL.name] += 1


def _groups(rows, council, user, reason, outcome) -> None:
    members: dict[str, list] = defaultdict(list)
    kinds: dict[str, str] = {}
    areas: dict[str, Area] = {}
    for row in rows:
        members[row["group"]].append(_area(row["area code"], row["area name"], areas))
        if row["kind"]:
            kinds[row["group"]] = row["kind"]
    for name, group_areas in members.items():
        group = ComparatorGroup.objects.filter(council=council, name=name).first()
        kind = kinds.get(name, ComparatorKind.CUSTOM)
        if group is None:
            group = ComparatorGroup.objects.create(council=council, name=name, kind=kind)
            audit.record(user=user, action="create", obj=group, reason=reason, council=council)
            outcome.created[GROUPS.name] += 1
        have = set(group.areas.values_list("code", flat=True))
        want = {a.code for a in group_areas}
        if have != want or group.kind != kind:
            if have:
                audit.record(user=user, action="update", obj=group, reason=reason, council=council,
                             changes={"areas": [sorted(have), sorted(want)], "kind": [group.kind, kind]})
                outcome.changed[GROUPS.name] += 1
            group.kind = kind
            group.save(update_fields=["kind"])
            group.areas.set(group_areas)
        else:
            outcome.unchanged[GROUPS.name] += 1


def _mapping(rows, council, user, reason, outcome, problems) -> None:
    indicators = {i.ref.lower(): i for i in Indicator.objects.filter(council=council)}
    for row in rows:
        ind = indicators.get(row["measure"].lower())
        metric = NationalMetric.objects.filter(source=row["source"], code=row["metric"]).first()
        if ind is None:
            problems.at(row, "measure", "unknown code", f"“{row['measure']}” is not a measure of {council}.")
            continue
        if metric is None:
            problems.at(row, "metric", "unknown code", f"There are no national values of {row['source']} metric "
                                                       f"“{row['metric']}”: import them first (or in this file).")
            continue
        found = MetricMapping.objects.filter(indicator=ind).first()
        if found is None:
            mapping = MetricMapping.objects.create(indicator=ind, metric=metric)
            audit.record(user=user, action="create", obj=mapping, reason=reason, council=council)
            outcome.created[MAPPING.name] += 1
        elif found.metric_id != metric.pk:
            audit.record(user=user, action="update", obj=found, reason=reason, council=council,
                         changes={"metric": [str(found.metric), str(metric)]})
            found.metric = metric
            found.save(update_fields=["metric"])
            outcome.changed[MAPPING.name] += 1
        else:
            outcome.unchanged[MAPPING.name] += 1


def source_label(value: NationalValue) -> str:
    published = f", published {value.published_on:%d %B %Y}" if value.published_on else ""
    return f"{value.metric.source} ({value.metric.code}){published}"[:200]


def refresh(*, council: Council, user: User | None, reason: str = "Refreshed from the national data",
            outcome: Outcome | None = None) -> int:
    """Write each mapped measure's comparator values (``BenchmarkValue``) from the national values of the areas in
    the group its specification names, for every year with national values; the council's own area (its ONS code)
    is left out. Values of those years no longer in the group are removed. Returns how many were written."""
    groups = {g.name.lower(): g for g in ComparatorGroup.objects.filter(council=council).prefetch_related("areas")}
    written = 0
    created = []
    for mapping in MetricMapping.objects.filter(indicator__council=council).select_related(
            "indicator__current_spec", "metric"):
        ind = mapping.indicator
        name = (ind.current_spec.comparator_group if ind.current_spec else "") or ""
        group = groups.get(name.lower())
        if group is None:
            if outcome is not None:
                outcome.not_compared.append(f"{ind.ref}: its specification names no comparator group of the council"
                                            + (f" (“{name}”)" if name else "") + ".")
            continue
        codes = {a.code for a in group.areas.all()} - {council.ons_code.upper()}
        values = NationalValue.objects.filter(metric=mapping.metric, area__code__in=codes).select_related(
            "area", "metric")
        by_year: dict[int, list[NationalValue]] = defaultdict(list)
        for v in values:
            by_year[v.financial_year_id].append(v)
        for year, year_values in by_year.items():
            existing = {b.comparator: b for b in BenchmarkValue.objects.filter(indicator=ind, financial_year_id=year)}
            wanted = {v.area.name: v for v in year_values}
            stale = [b.pk for name, b in existing.items() if name not in wanted]
            if stale:
                BenchmarkValue.objects.filter(pk__in=stale).delete()
            for area_name, v in wanted.items():
                found = existing.get(area_name)
                label = source_label(v)
                if found is None:
                    created.append(BenchmarkValue(indicator=ind, financial_year_id=year, comparator=area_name,
                                                  value=v.value, source=label))
                elif found.value != v.value or found.source != label:
                    BenchmarkValue.objects.filter(pk=found.pk).update(value=v.value, source=label)
                    written += 1
    BenchmarkValue.objects.bulk_create(created)
    if created:
        audit.record_many(user=user, action="create", objects=created, council=council, reason=reason)
    written += len(created)
    if outcome is not None:
        outcome.benchmarks = written
    return written
