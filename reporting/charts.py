"""Chart data for the indicator page (C5, C4) and the XmR chart (SPC), from a loaded ``Series``.

Plain Python over what ``indicators.selectors.load_series`` fetched: no ORM here. Each builder returns a dict
with the numbers as ``Decimal`` (for the data table beside the chart, the text summary and the tests) and a
plotly figure spec (``figure``: ``{"data": [...], "layout": {...}}``) whose numbers are floats, converted only
there, for ``json_script`` and ``static/js/charts.js``. Colours come from ``indicators.choices.RAG_STYLE``; every
status is also a marker shape and a word, never colour alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from math import ceil

from indicators import selectors
from indicators.assessment import quantize
from indicators.choices import RAG_STYLE, MeasureType, Polarity, Rag
from indicators.formatting import figure as format_figure
from pmf.periods import financial_year_label, period_for_date, period_label, periods_per_year
from reporting import spc

#: How many periods, at most, the XmR chart covers (oldest first, across years).
XMR_MAX_POINTS = 36

ACTUAL_COLOUR = "#1d70b8"
TARGET_COLOUR = "#0b0c0c"
LAST_YEAR_COLOUR = "#505a5f"
SIGNAL_COLOUR = "#4c2c92"
MARKER_SYMBOL = {Rag.GREEN: "circle", Rag.AMBER: "diamond", Rag.RED: "x", Rag.MEASURED: "circle-open"}


def _float(value: Decimal | None) -> float | None:
    """The one place a figure becomes a float: for plotly, never for arithmetic."""
    return None if value is None else float(value)


def _floats(values: Iterable[Decimal | None]) -> list[float | None]:
    return [_float(v) for v in values]


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _tolerance(series: selectors.Series, target, reference: Decimal) -> Decimal:
    """C1/B3, as ``indicators.selectors.assess`` applies it: the target's own tolerance, else the council's."""
    if target.tolerance_abs is not None:
        return target.tolerance_abs
    pct = target.tolerance_pct if target.tolerance_pct is not None else series.default_tolerance_pct
    return (pct * abs(reference)).scaleb(-2)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def years_with_data(series: selectors.Series) -> list[int]:
    """The financial years with at least one return, newest first (the chart's year selector)."""
    return sorted({key[0] for key in series.returns}, reverse=True)


def default_year(series: selectors.Series, today) -> int:
    """The current financial year, else (no figure in it yet) the latest year with data."""
    current = period_for_date(frequency="annual", on=today)[0]
    years = years_with_data(series)
    return current if current in years or not years else years[0]


# -- the indicator chart (C5) -----------------------------------------------------------------------------------

def _period_key_of_plan(plan, frequency: str) -> tuple[int, int] | None:
    """The period a recovery plan belongs to: its period, else the period it was requested in."""
    period = getattr(plan, "period", None)
    if period is not None and period.frequency == frequency:
        return period.key
    when = period.end if period is not None else plan.requested_at.date()
    return period_for_date(frequency=frequency, on=when)


def indicator_chart(series: selectors.Series, *, year: int, recovery_plans: Sequence = (),
                    element_id: str = "") -> dict:
    """C5: the year's figures against the target line (trajectory, else annual target), the amber band, the
    year-end forecast drawn from the last figure, last year's figures, reds marked and recovery plans named.

    Returns ``points`` (one dict per period of the year: label, actual, target, amber_low, amber_high,
    last_year, rag), ``forecast`` (``selectors.Forecast``), ``last_actual`` (the last point with a figure),
    ``reds`` (labels), ``recovery`` (label and text per plan), ``summary`` (plain text) and ``figure``."""
    spec = series.spec_for(year)
    frequency = spec.frequency
    count = periods_per_year(frequency)
    target = series.targets.get(year)
    cumulative = spec.measure_type == MeasureType.CUMULATIVE
    band = spec.polarity == Polarity.BAND
    previous_spec = series.spec_for(year - 1)
    compare_last_year = previous_spec.frequency == frequency
    last_key = max((k for k in series.returns if k[0] == year), default=None)
    rated = series.indicator.is_rated

    points = []
    for number in range(1, count + 1):
        key = (year, number)
        label = period_label(frequency=frequency, year_start=year, period_number=number)
        has_figure = last_key is not None and number <= last_key[1]
        assessment = selectors.assess(series, key) if has_figure else None
        point_target = amber_low = amber_high = band_low = band_high = None
        if target is not None and rated:
            if band and target.band_low is not None and target.band_high is not None:
                band_low, band_high = target.band_low, target.band_high
                amber_low = band_low - _tolerance(series, target, band_low)
                amber_high = band_high + _tolerance(series, target, band_high)
            else:
                point_target = selectors.target_at(target, number)
                if point_target is not None:
                    t = _tolerance(series, target, point_target)
                    if spec.polarity == Polarity.LOWER:
                        amber_low, amber_high = point_target, point_target + t
                    else:
                        amber_low, amber_high = point_target - t, point_target
        points.append({
            "key": key,
            "label": label,
            "actual": assessment.value if assessment else None,
            "target": point_target,
            "band_low": band_low,
            "band_high": band_high,
            "amber_low": amber_low,
            "amber_high": amber_high,
            "last_year": selectors.figure_at(series, (year - 1, number)) if compare_last_year else None,
            "rag": assessment.rag if assessment and assessment.value is not None else None,
        })

    forecast = selectors.forecast(series, year) if rated else selectors.Forecast(None, "")
    with_figures = [p for p in points if p["actual"] is not None]
    last_actual = with_figures[-1] if with_figures else None
    reds = [p["label"] for p in points if p["rag"] == Rag.RED]
    labels = {p["key"]: p["label"] for p in points}
    recovery = []
    for plan in recovery_plans:
        key = _period_key_of_plan(plan, frequency)
        if key in labels:
            status = plan.get_status_display().split(":")[0].lower()
            recovery.append({"label": labels[key], "text": f"Recovery plan ({status})", "trigger": plan.trigger})
    chart = {
        "year": year,
        "year_label": financial_year_label(year),
        "cumulative": cumulative,
        "band": band,
        "points": points,
        "forecast": forecast,
        "year_end_label": points[-1]["label"],
        "last_actual": last_actual,
        "reds": reds,
        "recovery": recovery,
        "has_target": any(p["target"] is not None or p["band_low"] is not None for p in points),
        "has_last_year": any(p["last_year"] is not None for p in points),
    }
    chart["summary"] = _indicator_summary(series, spec, chart)
    chart["figure"] = _indicator_figure(series, spec, chart)
    chart["element_id"] = element_id or f"chart-{series.indicator.pk}-{year}"
    return chart


def _indicator_summary(series, spec, chart) -> str:
    name = f"{series.indicator.ref} {series.indicator.title}"
    what = "year-to-date figures" if chart["cumulative"] else "figures"
    parts = [f"Chart of {name}: {what} for {chart['year_label']}"]
    last = chart["last_actual"]
    if last is None:
        parts[0] += ", with no figure yet this year."
    else:
        sentence = f"; latest {format_figure(last['actual'], spec)} at {last['label']}"
        if last["band_low"] is not None:
            sentence += f" against a target band of {format_figure(last['band_low'], spec)} to " \
                        f"{format_figure(last['band_high'], spec)}"
        elif last["target"] is not None:
            sentence += f" against a target of {format_figure(last['target'], spec)}"
        if last["rag"]:
            sentence += f" ({Rag(last['rag']).label})"
        parts[0] += sentence + "."
    if chart["forecast"].value is not None:
        source = "officer's forecast" if chart["forecast"].source == "officer" else "computed forecast"
        parts.append(f"Year-end forecast: {format_figure(chart['forecast'].value, spec)} ({source}).")
    if last is not None and last["last_year"] is not None:
        parts.append(f"Same point last year: {format_figure(last['last_year'], spec)}.")
    if chart["reds"]:
        parts.append(f"Red at: {', '.join(chart['reds'])}.")
    for plan in chart["recovery"]:
        parts.append(f"{plan['text']} at {plan['label']}.")
    return " ".join(parts)


def _indicator_figure(series, spec, chart) -> dict:
    points = chart["points"]
    x = [p["label"] for p in points]
    data: list[dict] = []
    if any(p["amber_low"] is not None for p in points):
        amber = RAG_STYLE[Rag.AMBER]["hex"]
        band_name = "Amber band (within tolerance)" if not chart["band"] else "Target band ± tolerance"
        data.append({"type": "scatter", "mode": "lines", "x": x, "y": _floats(p["amber_low"] for p in points),
                     "line": {"width": 0, "color": amber}, "hoverinfo": "skip", "showlegend": False,
                     "name": band_name, "legendgroup": "amber"})
        data.append({"type": "scatter", "mode": "lines", "x": x, "y": _floats(p["amber_high"] for p in points),
                     "fill": "tonexty", "fillcolor": _rgba(amber, 0.22), "line": {"width": 0, "color": amber},
                     "name": band_name, "legendgroup": "amber", "hoverinfo": "skip"})
    if chart["band"]:
        for edge, name in (("band_low", "Target band (low)"), ("band_high", "Target band (high)")):
            if any(p[edge] is not None for p in points):
                data.append({"type": "scatter", "mode": "lines", "x": x, "y": _floats(p[edge] for p in points),
                             "name": name, "line": {"color": TARGET_COLOUR, "width": 2}})
    elif chart["has_target"]:
        target = series.targets.get(chart["year"])
        name = "Target (trajectory)" if target is not None and target.trajectory.all() else "Target (annual)"
        data.append({"type": "scatter", "mode": "lines", "x": x, "y": _floats(p["target"] for p in points),
                     "name": name, "line": {"color": TARGET_COLOUR, "width": 2}})
    if chart["has_last_year"]:
        data.append({"type": "scatter", "mode": "lines+markers", "x": x,
                     "y": _floats(p["last_year"] for p in points),
                     "name": f"Last year ({financial_year_label(chart['year'] - 1)})",
                     "line": {"color": LAST_YEAR_COLOUR, "dash": "dot", "width": 2},
                     "marker": {"symbol": "square-open", "size": 7}})
    actual_name = "Year to date" if chart["cumulative"] else "Actual"
    data.append({"type": "scatter", "mode": "lines+markers", "x": x, "y": _floats(p["actual"] for p in points),
                 "name": actual_name, "line": {"color": ACTUAL_COLOUR, "width": 3},
                 "marker": {"size": 7, "color": ACTUAL_COLOUR}})
    for status in (Rag.RED, Rag.AMBER, Rag.GREEN):
        marked = [p for p in points if p["rag"] == status]
        if marked:
            data.append({"type": "scatter", "mode": "markers", "x": [p["label"] for p in marked],
                         "y": _floats(p["actual"] for p in marked), "name": f"{status.label} (RAG)",
                         "marker": {"symbol": MARKER_SYMBOL[status], "size": 13,
                                    "color": RAG_STYLE[status]["hex"],
                                    "line": {"width": 2, "color": RAG_STYLE[status]["hex"]}}})
    forecast, last = chart["forecast"], chart["last_actual"]
    if forecast.value is not None and last is not None:
        data.append({"type": "scatter", "mode": "lines+markers", "x": [last["label"], chart["year_end_label"]],
                     "y": [_float(last["actual"]), _float(forecast.value)], "name": "Year-end forecast",
                     "line": {"color": ACTUAL_COLOUR, "dash": "dash", "width": 2},
                     "marker": {"symbol": ["circle", "star"], "size": [1, 13], "color": ACTUAL_COLOUR}})
    annotations = []
    by_label = {p["label"]: p for p in points}
    for label in chart["reds"]:
        annotations.append({"x": label, "y": _float(by_label[label]["actual"]), "text": "Red", "showarrow": True,
                            "arrowhead": 2, "ax": 0, "ay": -28, "font": {"color": RAG_STYLE[Rag.RED]["hex"]}})
    for plan in chart["recovery"]:
        point = by_label[plan["label"]]
        y = point["actual"] if point["actual"] is not None else point["target"]
        annotations.append({"x": plan["label"], "y": _float(y), "yref": "y" if y is not None else "paper",
                            "text": plan["text"], "showarrow": True, "arrowhead": 2, "ax": 0, "ay": 42,
                            "bgcolor": "#ffffff", "bordercolor": TARGET_COLOUR, "font": {"color": TARGET_COLOUR}})
    what = "year to date" if chart["cumulative"] else "figure"
    layout = {
        "title": {"text": f"{series.indicator.ref}: {what} against target, {chart['year_label']}"},
        "xaxis": {"type": "category", "categoryorder": "array", "categoryarray": x, "title": {"text": "Period"}},
        "yaxis": {"title": {"text": spec.get_unit_display()}, "rangemode": "tozero" if _all_positive(chart) else
                  "normal"},
        "legend": {"orientation": "h", "y": -0.25},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 40},
        "annotations": annotations,
        "hovermode": "x unified",
    }
    return {"data": data, "layout": layout}


def _all_positive(chart) -> bool:
    values = [p[k] for p in chart["points"] for k in ("actual", "target", "amber_low", "last_year")]
    return all(v is None or v >= 0 for v in values)


# -- benchmarking (C4) ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Benchmark:
    year: int
    year_label: str
    comparators: list[tuple[str, Decimal]]  # name, value: in rank order (best first)
    minimum: Decimal
    lower_quartile: Decimal
    median: Decimal
    upper_quartile: Decimal
    maximum: Decimal
    council_name: str
    council_value: Decimal | None
    rank: int | None
    of: int
    quartile: int | None
    ranking: list[dict]  # rank, name, value, is_council: the comparators and the council, best first
    figure: dict
    sentence: str
    sources: str = ""  # where the comparator values come from, and when they were published


def _quantile(ordered: Sequence[Decimal], fraction: Decimal) -> Decimal:
    """Linear interpolation between closest ranks (Excel QUARTILE.INC), exact in Decimal."""
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def rank_and_quartile(*, value: Decimal, others: Sequence[Decimal], polarity: str,
                      band: tuple[Decimal, Decimal] | None = None) -> tuple[int, int, int] | None:
    """C4: the council's rank among itself and the comparators (1 = best: highest where higher is better,
    lowest where lower is better, nearest the band where within a band is best; ties share the better rank),
    how many are ranked, and its quartile (1st = the best quarter). None for a band measure without a band."""
    if polarity == Polarity.BAND:
        if band is None:
            return None
        low, high = band

        def badness(v: Decimal) -> Decimal:
            return low - v if v < low else v - high if v > high else Decimal(0)
    elif polarity == Polarity.LOWER:
        def badness(v: Decimal) -> Decimal:
            return v
    else:
        def badness(v: Decimal) -> Decimal:
            return -v
    rank = 1 + sum(1 for other in others if badness(other) < badness(value))
    of = len(others) + 1
    return rank, of, ceil(4 * rank / of)


def benchmark(series: selectors.Series, values: Iterable, *, council_name: str = "") -> Benchmark | None:
    """C4 for the year of the benchmark values given (``indicators.models.BenchmarkValue``, one year): the
    comparators' range and quartiles, and the council's year-end figure, rank and quartile among them."""
    values = list(values)
    rows = [(v.comparator, v.value, v.financial_year_id) for v in values]
    if not rows:
        return None
    year = rows[0][2]
    spec = series.spec_for(year)
    council_name = council_name or series.indicator.council.short_name or series.indicator.council.name
    ordered = sorted(value for _, value, _ in rows)
    target = series.targets.get(year)
    band = (target.band_low, target.band_high) if target is not None and target.band_low is not None else None
    council_value = selectors.figure_at(series, (year, periods_per_year(spec.frequency)))
    if council_value is not None:
        council_value = quantize(council_value, spec.decimal_places)
    placed = None
    if council_value is not None:
        placed = rank_and_quartile(value=council_value, others=[v for _, v, _ in rows], polarity=spec.polarity,
                                   band=band)
    rank, of, quartile = placed if placed else (None, len(rows) + 1, None)
    ranking = []
    for name, value, _ in rows:
        place = rank_and_quartile(value=value, others=[v for n, v, _ in rows if n != name] +
                                  ([council_value] if council_value is not None else []),
                                  polarity=spec.polarity, band=band)
        ranking.append({"rank": place[0] if place else None, "name": name, "value": value, "is_council": False})
    if council_value is not None:
        ranking.append({"rank": rank, "name": council_name, "value": council_value, "is_council": True})
    ranking.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, not r["is_council"], r["name"]))
    year_label = financial_year_label(year)
    if rank is not None:
        sentence = (f"{council_name} ranks {_ordinal(rank)} of {of} ({_ordinal(quartile)} quartile) "
                    f"among its comparators in {year_label}.")
    elif council_value is None:
        sentence = f"{council_name} has no year-end figure for {year_label} to rank."
    else:
        sentence = f"{council_name} is not ranked: no target band for {year_label}."
    bench = {
        "minimum": ordered[0], "lower_quartile": _quantile(ordered, Decimal("0.25")),
        "median": _quantile(ordered, Decimal("0.5")), "upper_quartile": _quantile(ordered, Decimal("0.75")),
        "maximum": ordered[-1],
    }
    figure = _benchmark_figure(series, spec, bench, council_name, council_value, year_label)
    return Benchmark(year=year, year_label=year_label, comparators=[(n, v) for n, v, _ in rows], **bench,
                     council_name=council_name, council_value=council_value, rank=rank, of=of, quartile=quartile,
                     ranking=ranking, figure=figure, sentence=sentence,
                     sources="; ".join(sorted({v.source for v in values if getattr(v, "source", "")})))


def _benchmark_figure(series, spec, bench, council_name, council_value, year_label) -> dict:
    name = f"Comparators {year_label}"
    data = [{
        "type": "box", "name": name, "orientation": "h", "y": [name],
        "q1": [_float(bench["lower_quartile"])], "median": [_float(bench["median"])],
        "q3": [_float(bench["upper_quartile"])], "lowerfence": [_float(bench["minimum"])],
        "upperfence": [_float(bench["maximum"])], "fillcolor": _rgba(ACTUAL_COLOUR, 0.15),
        "line": {"color": LAST_YEAR_COLOUR}, "hoverinfo": "x",
    }]
    if council_value is not None:
        data.append({"type": "scatter", "mode": "markers+text", "x": [_float(council_value)], "y": [name],
                     "name": council_name, "text": [council_name], "textposition": "top center",
                     "marker": {"symbol": "star", "size": 16, "color": ACTUAL_COLOUR}})
    layout = {
        "title": {"text": f"{series.indicator.ref}: comparators' range and quartiles, {year_label}"},
        "xaxis": {"title": {"text": spec.get_unit_display()}},
        "yaxis": {"showticklabels": False},
        "showlegend": False, "height": 220, "margin": {"l": 20, "r": 20, "t": 50, "b": 50},
    }
    return {"data": data, "layout": layout}


# -- statistical process control --------------------------------------------------------------------------------

def _xmr_keys(series: selectors.Series) -> list[tuple[int, int]]:
    """Every period from the first figure to the latest at the current frequency (gaps kept), the last
    ``XMR_MAX_POINTS`` of them, oldest first."""
    if not series.returns:
        return []
    latest = max(series.returns)
    frequency = series.spec_for(latest[0]).frequency
    count = periods_per_year(frequency)
    keys = [k for k in series.returns if series.spec_for(k[0]).frequency == frequency]
    first = min(keys)
    out = []
    year, number = first
    while (year, number) <= latest:
        out.append((year, number))
        number += 1
        if number > count:
            year, number = year + 1, 1
    return out[-XMR_MAX_POINTS:]


def xmr_chart(series: selectors.Series, *, element_id: str = "") -> dict:
    """The XmR chart of the indicator's figures (each period's own figure, also for a cumulative measure, whose
    year-to-date figure restarts every April), the last up to 36 periods across years, oldest first; with
    ``reporting.spc.xmr``'s mean, natural process limits, moving ranges and signals, each signal in words with
    what it means for the indicator's polarity."""
    keys = _xmr_keys(series)
    spec = series.spec_for(keys[-1][0]) if keys else series.specs[-1]
    labels = [period_label(frequency=spec.frequency, year_start=y, period_number=n) for y, n in keys]
    values = [series.returns[k].value if k in series.returns else None for k in keys]
    result = spc.xmr(values=values)
    signals = []
    for signal in result.signals:
        verdict = spc.improvement_or_concern(signal=signal, polarity=str(spec.polarity))
        meaning = {"improvement": "a real change (improvement)", "concern": "a real change (concern)",
                   "neutral": "a real change (special cause)"}[verdict]
        signals.append({
            "rule": str(signal.rule), "side": str(signal.side), "verdict": str(verdict),
            "labels": [labels[i] for i in signal.indices], "indices": list(signal.indices),
            "text": f"{signal.description} — {meaning}",
            "period_text": f"{labels[signal.indices[0]]} to {labels[signal.indices[-1]]}"
            if len(signal.indices) > 1 else labels[signal.indices[0]],
        })
    present = sum(1 for v in values if v is not None)
    if not result.enough_data:
        headline = (f"SPC: too few figures to judge ({present} of the {spc.MIN_POINTS_FOR_SIGNALS} needed "
                    "for process limits and signals)")
    elif not signals:
        headline = "SPC: no signal — common-cause variation"
    else:
        latest_signal = max(signals, key=lambda s: (s["indices"][-1], s["indices"][0]))
        headline = f"SPC: {latest_signal['text']} ({latest_signal['period_text']})"
    signal_at: dict[int, list[str]] = {}
    for s in signals:
        for i in s["indices"]:
            signal_at.setdefault(i, []).append(s["text"])
    rows = [{"label": labels[i], "value": values[i], "moving_range": result.moving_ranges[i],
             "signals": signal_at.get(i, [])} for i in range(len(keys))]
    chart = {
        "labels": labels,
        "values": values,
        "xmr": result,
        "signals": signals,
        "headline": headline,
        "rows": rows,
        "present": present,
        "enough_data": result.enough_data,
        "minimum_points": spc.MIN_POINTS_FOR_SIGNALS,
        "element_id": element_id or f"xmr-{series.indicator.pk}",
    }
    chart["summary"] = _xmr_summary(series, spec, chart)
    chart["figure"] = _xmr_figure(series, spec, chart) if present else None
    return chart


def _xmr_summary(series, spec, chart) -> str:
    result = chart["xmr"]
    labels = chart["labels"]
    if not labels:
        return f"No figures for {series.indicator.ref} to chart."
    text = (f"XmR chart of {series.indicator.ref}, {len(labels)} periods from {labels[0]} to {labels[-1]}, "
            f"{chart['present']} with a figure.")
    if result.mean is not None:
        text += f" Mean {format_figure(result.mean, spec)}."
    if result.upper_limit is not None:
        text += (f" Natural process limits {format_figure(result.lower_limit, spec)} to "
                 f"{format_figure(result.upper_limit, spec)}; average moving range "
                 f"{format_figure(result.mean_moving_range, spec)}.")
    return f"{text} {chart['headline']}."


def _xmr_figure(series, spec, chart) -> dict:
    result = chart["xmr"]
    x = chart["labels"]

    def flat(value: Decimal | None) -> list[float | None]:
        return [_float(value)] * len(x)

    data: list[dict] = [{"type": "scatter", "mode": "lines+markers", "x": x, "y": _floats(chart["values"]),
                         "name": "Figure", "line": {"color": ACTUAL_COLOUR, "width": 2},
                         "marker": {"size": 6, "color": ACTUAL_COLOUR}}]
    if result.mean is not None:
        data.append({"type": "scatter", "mode": "lines", "x": x, "y": flat(result.mean), "name": "Mean",
                     "line": {"color": TARGET_COLOUR, "width": 2}})
    if result.upper_limit is not None:
        data.append({"type": "scatter", "mode": "lines", "x": x, "y": flat(result.upper_limit),
                     "name": "Upper process limit", "line": {"color": LAST_YEAR_COLOUR, "dash": "dash"}})
        data.append({"type": "scatter", "mode": "lines", "x": x, "y": flat(result.lower_limit),
                     "name": "Lower process limit", "line": {"color": LAST_YEAR_COLOUR, "dash": "dash"}})
    flagged = sorted({i for s in chart["signals"] for i in s["indices"]})
    if flagged:
        data.append({"type": "scatter", "mode": "markers", "x": [x[i] for i in flagged],
                     "y": [_float(chart["values"][i]) for i in flagged], "name": "Signal (special cause)",
                     "marker": {"symbol": "diamond-open", "size": 14, "color": SIGNAL_COLOUR,
                                "line": {"width": 3, "color": SIGNAL_COLOUR}}})
    data.append({"type": "scatter", "mode": "lines+markers", "x": x, "y": _floats(result.moving_ranges),
                 "name": "Moving range", "xaxis": "x2", "yaxis": "y2", "line": {"color": ACTUAL_COLOUR, "width": 1},
                 "marker": {"size": 5, "color": ACTUAL_COLOUR}})
    if result.mean_moving_range is not None:
        data.append({"type": "scatter", "mode": "lines", "x": x, "y": flat(result.mean_moving_range),
                     "name": "Average moving range", "xaxis": "x2", "yaxis": "y2",
                     "line": {"color": TARGET_COLOUR, "width": 1}})
        data.append({"type": "scatter", "mode": "lines", "x": x, "y": flat(result.upper_range_limit),
                     "name": "Upper range limit", "xaxis": "x2", "yaxis": "y2",
                     "line": {"color": LAST_YEAR_COLOUR, "dash": "dash", "width": 1}})
    axis = {"type": "category", "categoryorder": "array", "categoryarray": x}
    layout = {
        "title": {"text": f"{series.indicator.ref}: XmR chart (individual figures and moving ranges)"},
        "grid": {"rows": 2, "columns": 1, "pattern": "independent", "roworder": "top to bottom"},
        "xaxis": {**axis, "showticklabels": False},
        "yaxis": {"title": {"text": "Figure"}, "domain": [0.38, 1]},
        "xaxis2": {**axis, "anchor": "y2"},
        "yaxis2": {"title": {"text": "Moving range"}, "domain": [0, 0.28], "rangemode": "tozero"},
        "legend": {"orientation": "h", "y": -0.3},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 40},
        "height": 520,
    }
    return {"data": data, "layout": layout}
