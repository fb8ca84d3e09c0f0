"""Static charts for the quarterly packs (D5, D8): a measure's ``ChartSeries`` drawn with matplotlib, as SVG for
the web page and the PDF, or as PNG for Word.

Plain Python over the snapshot's series: no ORM, no pyplot. Each call builds its own ``Figure`` on an Agg canvas,
so nothing is registered with pyplot's global figure manager and nothing leaks between calls; the drawing runs
under a lock because matplotlib's font cache is shared by threads (Celery's prefork workers are processes and
never wait on it). The one global setting, made once at import, concerns SVG output only: text stays text
(``svg.fonttype='none'``: small files, searchable, the page's font) and element ids are deterministic.

Read in greyscale, each series differs by line style and marker as well as colour: the actual figures are a solid
line with round markers, the target a dash-dot line, last year a dashed line with square markers, the tolerance
band a hatched light fill. A ``None`` value is a gap in its line. Colours come from ``reporting.charts`` (the
interactive charts' palette), each with at least 4.5:1 contrast on white.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import re
import threading
from decimal import Decimal, InvalidOperation

import matplotlib

matplotlib.use("Agg", force=False)

from matplotlib import rcParams  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from reporting.charts import ACTUAL_COLOUR, LAST_YEAR_COLOUR, TARGET_COLOUR  # noqa: E402

#: Tolerance band: a light tint of the actual colour, hatched so that it reads in greyscale too.
BAND_COLOUR = "#d2e2f1"
BAND_EDGE = "#8eaac6"
GRID_COLOUR = "#d9dcde"
FONT_FAMILY = ["DejaVu Sans", "sans-serif"]

#: Axis titles for the units of ``indicators.choices.Unit``; anything else is shown as given.
UNIT_LABELS = {
    "percent": "Percentage (%)",
    "money": "Money (£)",
    "number": "Number",
    "days": "Days",
    "rate": "Rate",
    "ratio": "Ratio",
    "yes_no": "Yes / no",
}

#: Figure size in inches: 7.2 x 3.4 is about 18 x 8.6 cm, the text width of an A4 page.
FIGSIZE = (7.2, 3.4)
PNG_DPI = 150

rcParams["svg.fonttype"] = "none"
rcParams["svg.hashsalt"] = "pmf-pack"

_LOCK = threading.Lock()
_XML_PROLOGUE = re.compile(r"^\s*<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_ID_ATTR = re.compile(r'\bid="([^"]+)"')


def _number(text: str | None) -> float:
    """A decimal string as a float for plotting (NaN, a gap, for None or anything unreadable)."""
    if text is None or text == "":
        return float("nan")
    try:
        return float(Decimal(str(text)))
    except (InvalidOperation, ValueError):
        return float("nan")


def _numbers(values, length: int) -> list[float]:
    values = list(values or [])
    values += [None] * (length - len(values))
    return [_number(v) for v in values[:length]]


def _has_any(values: list[float]) -> bool:
    return any(v == v for v in values)  # NaN != NaN


def unit_label(unit: str) -> str:
    return UNIT_LABELS.get(unit, unit or "Value")


def _tick_formatter(unit: str) -> FuncFormatter:
    def fmt(x: float, _pos) -> str:
        text = f"{x:,.2f}".rstrip("0").rstrip(".")
        if text in ("-0", ""):
            text = "0"
        if unit == "percent":
            return text + "%"
        if unit == "money":
            return ("-£" + text[1:]) if text.startswith("-") else "£" + text
        return text

    return FuncFormatter(fmt)


def _figure(chart: dict) -> Figure:
    """Draw the chart on a new figure (the caller holds the lock)."""
    labels = [str(label) for label in chart.get("labels") or []]
    n = len(labels)
    unit = chart.get("unit") or ""
    actual = _numbers(chart.get("actual"), n)
    target = _numbers(chart.get("target"), n)
    lower = _numbers(chart.get("lower"), n)
    upper = _numbers(chart.get("upper"), n)
    last_year = _numbers(chart.get("last_year"), n)
    xs = list(range(n))

    fig = Figure(figsize=FIGSIZE, dpi=100, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    text = {"family": FONT_FAMILY, "color": TARGET_COLOUR}
    fig.suptitle(chart.get("title") or "", x=0.01, y=0.985, ha="left", va="top", fontsize=11, fontweight="bold",
                 family=FONT_FAMILY, color=TARGET_COLOUR)
    ax.set_ylabel(unit_label(unit), fontdict={**text, "size": 9})
    ax.set_xlabel("Period", fontdict={**text, "size": 9})
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color=GRID_COLOUR, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=8, colors=TARGET_COLOUR)

    drawn = False
    # A one-sided tolerance (higher or lower is better) has one edge: the target is the other.
    lower = [t if lo != lo else lo for lo, t in zip(lower, target, strict=True)]
    upper = [t if hi != hi else hi for hi, t in zip(upper, target, strict=True)]
    band = [lo == lo and hi == hi and lo != hi for lo, hi in zip(lower, upper, strict=True)]
    if any(band):
        ax.fill_between(xs, lower, upper, where=band, interpolate=False, facecolor=BAND_COLOUR,
                        edgecolor=BAND_EDGE, hatch="//", linewidth=0.6, label="Tolerance band", zorder=1)
        drawn = True
    if _has_any(last_year):
        ax.plot(xs, last_year, color=LAST_YEAR_COLOUR, linestyle="--", linewidth=1.5, marker="s", markersize=4,
                label="Last year", zorder=2)
        drawn = True
    if _has_any(target):
        ax.plot(xs, target, color=TARGET_COLOUR, linestyle="-.", linewidth=1.6, label="Target", zorder=3)
        drawn = True
    if _has_any(actual):
        ax.plot(xs, actual, color=ACTUAL_COLOUR, linestyle="-", linewidth=2.4, marker="o", markersize=5.5,
                markerfacecolor=ACTUAL_COLOUR, markeredgecolor="white", markeredgewidth=0.8, label="Actual",
                zorder=4)
        drawn = True

    rotate = bool(n) and (n > 6 or max(len(label) for label in labels) > 10)
    if n:
        ax.set_xlim(-0.5, n - 0.5)
        ax.set_xticks(xs)
        ax.set_xticklabels(labels, rotation=40 if rotate else 0, ha="right" if rotate else "center",
                           rotation_mode="anchor")
    else:
        ax.set_xticks([])
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
    ax.yaxis.set_major_formatter(_tick_formatter(unit))
    if drawn:
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=4, frameon=False, borderaxespad=0.2,
                  handlelength=3, prop={"family": FONT_FAMILY, "size": 8})
    else:
        ax.set_yticks([])
        ax.text(0.5, 0.5, "No figures to chart", transform=ax.transAxes, ha="center", va="center",
                fontdict={**text, "size": 10})
    # Fixed margins (tight_layout would draw the figure twice): room for the title and legend above, the
    # rotated period labels below.
    fig.subplots_adjust(left=0.1, right=0.98, top=0.84, bottom=0.26 if rotate else 0.15)
    return fig


def _prefix_ids(svg: str, prefix: str) -> str:
    """Make every id in the SVG unique to this chart, so that several charts inline on one page never clash."""
    ids = set(_ID_ATTR.findall(svg))
    if not ids:
        return svg
    pattern = re.compile(r'(id="|#)(' + "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
                         + r')(?=[")])')
    return pattern.sub(lambda m: m.group(1) + prefix + m.group(2), svg)


def chart_svg(chart: dict, *, id_prefix: str | None = None, label: str | None = None) -> str:
    """The chart as an ``<svg>`` element (no XML prologue), with ``role="img"`` and an ``aria-label`` (``label``, or
    one naming the chart), scaled to fit its container. The web page and the PDF show it as an image from a
    ``data:`` URI: its inline styles would break the Content Security Policy placed in a page. ``id_prefix`` keeps
    ids unique when several charts share a page (default: a hash of the chart).

    A pack's snapshot never changes, so the SVG of a chart is kept (a bounded, per-process cache): the web page
    of a pack draws its charts once, not on every view."""
    key = json.dumps(chart, sort_keys=True, default=str)
    if id_prefix is None:
        id_prefix = "c" + hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:8] + "-"
    return _chart_svg(key, id_prefix, label)


@functools.lru_cache(maxsize=256)
def _chart_svg(key: str, id_prefix: str, label: str | None) -> str:
    chart = json.loads(key)
    with _LOCK:
        fig = _figure(chart)
        out = io.StringIO()
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
        fig.clear()
    svg = _METADATA.sub("", _XML_PROLOGUE.sub("", out.getvalue()))
    svg = _prefix_ids(svg, id_prefix)
    title = chart.get("title") or "Chart"
    aria = label or f"Chart: {title}. The figures are in the table beside it."
    aria = aria.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return svg.replace(
        "<svg ", f'<svg role="img" aria-label="{aria}" class="pack-chart" '
                 'style="max-width: 100%; height: auto" ', 1)


def chart_png(chart: dict, *, dpi: int = PNG_DPI) -> bytes:
    """The chart as PNG bytes (for Word)."""
    with _LOCK:
        fig = _figure(chart)
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=dpi, metadata={"Software": None})
        fig.clear()
    return out.getvalue()
