"""The web page's body of a quarterly pack (D8), and what every format shares: which parts a pack shows, its
contents, chart data tables. The PDF, Word and Excel renderers are ``pdf``, ``word`` and ``excel`` beside this.

- Web: ``templates/reporting/pack/_body.html`` with the context of ``body_context(snapshot)`` (or the whole body
  as HTML from ``render_html_body``). Bootstrap classes; tables with captions and scoped headers; each chart an
  SVG image (a ``data:`` URI, as in the PDF: matplotlib's SVG styles itself inline, which the Content Security
  Policy refuses in the page but not inside an image) beside its data table; RAG and direction always as words.
- PDF: WeasyPrint over ``templates/reporting/pack/pdf.html``, which shares the section partials with the web
  body. A4 (the scorecards on landscape pages), a cover, contents with page numbers, "Page X of Y" in the footer,
  one page per exception. Nothing is fetched: the only URLs allowed are ``data:`` URIs; fonts are the system's.
- Word: python-docx, on the council's uploaded .docx template when there is one (its styles, fonts, headers and
  footers kept, its body replaced).
- Excel: openpyxl, one sheet per part, figures as numbers (from the snapshot's raw decimal strings).

The snapshot's display strings are final: nothing here formats a figure again, except the chart data tables,
whose series are raw decimal strings.
"""

from __future__ import annotations

import base64
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from reporting.static_charts import chart_svg, unit_label

BODY_TEMPLATE = "reporting/pack/_body.html"

#: RAG colours with at least 4.5:1 contrast against white text (as ``static/css/pmf.css``); the word is always
#: shown beside the colour. Keys are the snapshot's RAG values (and the model's "measured").
RAG_COLOURS = {
    "green": "00703C",
    "amber": "8A4500",
    "red": "B3261E",
    "not_rated": "505A5F",
    "measured": "505A5F",
    "missing": "3D3D3D",
}
RAG_KEYS = (("green", "Green"), ("amber", "Amber"), ("red", "Red"), ("not_rated", "Not rated"),
            ("missing", "Missing (M)"))
DIRECTION_KEYS = (("improving", "Improving"), ("maintained", "Maintained"), ("declining", "Declining"),
                  ("not_comparable", "Not comparable"))
DIRECTION_SYMBOLS = {"improving": "▲", "maintained": "▶", "declining": "▼"}

#: The parts of a pack, in the order every format shows them (that of ``reporting.models.Section``), and the names
#: a report definition's ``sections`` may give them. A definition naming none of these shows everything.
PARTS = ("overview", "year", "plans", "actions", "specifications", "exceptions", "exception_actions", "tracker",
         "success", "case_studies", "benchmarking", "missing")
SECTION_ALIASES = {
    "overview": "overview", "summary": "overview", "counts": "overview",
    "plans": "plans", "scorecard": "plans", "scorecards": "plans", "measures": "plans", "kpis": "plans",
    "actions": "actions",
    "exceptions": "exceptions", "exception": "exceptions", "exception_measures": "exceptions",
    "exception_report": "exceptions",
    "exception_actions": "exception_actions", "slipped_actions": "exception_actions",
    "benchmarking": "benchmarking",
    "missing": "missing", "unapproved": "missing",
    "year": "year", "specifications": "specifications", "tracker": "tracker", "success": "success",
    "case_studies": "case_studies",
    "finance": "finance",  # shown from the snapshot (``parts_shown``): a report of finance alone shows only it
}
#: Parts shown only when the snapshot holds them (reports of other types never do).
DATA_PARTS = ("year", "specifications", "tracker", "success", "case_studies")

#: The D5 scorecard columns (as ``reporting.scorecard.COLUMNS``), with the MeasureRow key each shows.
SCORECARD_COLUMNS = (
    ("Indicator", "name"), ("Data source", "data_source"), ("Previous year's performance", "previous"),
    ("Target for the year", "target"), ("Year-to-date plan", "ytd_plan"), ("Year-to-date performance", "ytd"),
    ("RAG", "rag_label"), ("Trend", "direction_label"), ("Reporting period", "period"),
    ("Accountable officer", "officer"), ("Comments", "comments"),
)


# -- shared preparation ---------------------------------------------------------------------------------------

def display_date(text: str | None) -> str:
    if not text:
        return ""
    try:
        return date.fromisoformat(text[:10]).strftime("%-d %B %Y")
    except ValueError:
        return text


def display_datetime(text: str | None) -> str:
    if not text:
        return ""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return moment.strftime("%-d %B %Y at %H:%M")


def raw_decimal(text) -> Decimal | None:
    if text is None or text == "":
        return None
    try:
        value = Decimal(str(text))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def chart_figure(text: str | None, unit: str) -> str:
    """A chart series value for its data table: the decimal as given, with the unit's sign ("—" for none)."""
    value = raw_decimal(text)
    if value is None:
        return "—"
    if unit == "percent":
        return f"{value}%"
    if unit == "money":
        return f"-£{-value:,}" if value < 0 else f"£{value:,}"
    return f"{value:,}"


def chart_rows(chart: dict) -> list[dict]:
    """The chart's series as rows (one per period), for the data table beside it."""
    unit = chart.get("unit") or ""
    labels = chart.get("labels") or []

    def at(key: str, i: int):
        values = chart.get(key) or []
        return values[i] if i < len(values) else None

    rows = []
    for i, label in enumerate(labels):
        lower, upper = at("lower", i), at("upper", i)
        if lower is None and upper is None:
            band = "—"
        else:
            band = f"{chart_figure(lower, unit)} to {chart_figure(upper, unit)}"
        rows.append({"label": label, "actual": chart_figure(at("actual", i), unit),
                     "target": chart_figure(at("target", i), unit), "band": band,
                     "last_year": chart_figure(at("last_year", i), unit)})
    return rows


def parts_shown(snapshot: dict) -> dict[str, bool]:
    """Which parts the pack shows: those its definition's ``sections`` name (everything when it names none
    that we know). What was missing or unapproved is always shown when there was any (D2)."""
    named = {SECTION_ALIASES[s] for s in snapshot.get("sections") or [] if s in SECTION_ALIASES}
    shown = {part: (not named or part in named) for part in PARTS}
    for part in DATA_PARTS:
        shown[part] = shown[part] and snapshot.get(part) is not None
    if "plans" in named:
        shown["actions"] = True  # a plan's section is its scorecard and its actions
    if "exceptions" in named:
        shown["exception_actions"] = True  # D3: the exception report covers slipped actions too
    if snapshot.get("missing"):
        shown["missing"] = True
    # A6: a board's pack lists the decisions due from it (a pack of any other committee has no such list)
    shown["decisions_due"] = snapshot.get("decisions_due") is not None
    # E4: the risks flagged by their measures, in a pack whose report asks for them (the key is there only then)
    shown["risks_flagged"] = snapshot.get("risks_flagged") is not None
    # C 3.1: finance beside performance, in a pack whose report asks for it (the key is there only then)
    shown["finance"] = snapshot.get("finance") is not None
    return shown


def exceptions_of(snapshot: dict) -> dict:
    return snapshot.get("exceptions") or {"measures": [], "actions": []}


def contents(snapshot: dict) -> list[dict]:
    """The table of contents: anchor, title and level (1 a part, 2 within it), for what the pack shows."""
    shown = parts_shown(snapshot)
    entries = []
    if shown["overview"]:
        entries.append({"anchor": "pack-overview", "title": "Overview", "level": 1})
    if shown["decisions_due"]:
        entries.append({"anchor": "pack-decisions-due", "title": "Decisions due", "level": 1})
    if shown["year"]:
        entries.append({"anchor": "pack-year", "title": "The year, priority by priority", "level": 1})
        entries += [{"anchor": f"pack-year-{i}", "title": group["priority"], "level": 2}
                    for i, group in enumerate(snapshot["year"], start=1)]
    if (shown["plans"] or shown["actions"]) and snapshot.get("plans"):
        entries.append({"anchor": "pack-plans", "title": "Plans", "level": 1})
        entries += [{"anchor": f"pack-plan-{plan['id']}", "title": plan["title"], "level": 2}
                    for plan in snapshot["plans"]]
    if shown["specifications"]:
        entries.append({"anchor": "pack-specifications", "title": "Technical specifications", "level": 1})
        entries += [{"anchor": f"pack-spec-group-{i}", "title": group["priority"], "level": 2}
                    for i, group in enumerate(snapshot["specifications"], start=1)]
    exc = exceptions_of(snapshot)
    if shown["exceptions"]:
        entries.append({"anchor": "pack-exceptions", "title": "Exception report", "level": 1})
        entries += [{"anchor": f"pack-exception-{i}", "title": f"{em['row']['ref']} {em['row']['name']}",
                     "level": 2} for i, em in enumerate(exc.get("measures") or [], start=1)]
    if shown["exception_actions"] and exc.get("actions"):
        entries.append({"anchor": "pack-slipped", "title": "Actions slipped more than 3 months", "level": 1})
    if shown["tracker"]:
        entries.append({"anchor": "pack-tracker", "title": "Exception tracker", "level": 1})
    if shown["risks_flagged"]:
        entries.append({"anchor": "pack-risks", "title": "Risks flagged", "level": 1})
    if shown["finance"]:
        entries.append({"anchor": "pack-finance", "title": "Finance beside performance", "level": 1})
    if shown["success"]:
        entries.append({"anchor": "pack-success", "title": "Recognising success", "level": 1})
    if shown["case_studies"]:
        entries.append({"anchor": "pack-case-studies", "title": "Case studies", "level": 1})
    if shown["benchmarking"] and snapshot.get("benchmarking"):
        entries.append({"anchor": "pack-benchmarking", "title": "Benchmarking", "level": 1})
    if shown["missing"]:
        entries.append({"anchor": "pack-missing", "title": "Missing or unapproved at the time", "level": 1})
    return entries


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def body_context(snapshot: dict, *, for_pdf: bool = False, joint: bool = True) -> dict:
    """The context of ``_body.html`` (and of the PDF's shared partials): ``snap``, the snapshot itself, and
    what a template cannot work out from it: ``pack_exceptions`` (the exception measures, each with ``img_src``,
    its chart as a ``data:`` URI, and ``chart_rows``, its data table), ``pack_show`` (the parts shown),
    ``pack_contents``, and the dates for display. In a joint committee's pack, ``pack_joint`` (``joint_context``):
    the councils' own sections, which take the place of the single council's; ``pack_councils`` names them."""
    pack_joint = joint_context(snapshot, for_pdf=for_pdf) if joint else None
    exceptions = []
    for i, em in enumerate([] if pack_joint else exceptions_of(snapshot).get("measures") or [], start=1):
        chart = em.get("chart") or {}
        label = (f"Chart of {em['row']['ref']} {em['row']['name']}: actual figures against the target"
                 f"{' and tolerance band' if any(chart.get('lower') or []) else ''}, by period. "
                 "The figures are in the table beside it.")
        svg = chart_svg(chart, id_prefix=f"pack-c{i}-", label=label)
        exceptions.append({**em, "index": i, "img_src": _data_uri(svg), "chart_label": label,
                           "chart_unit": unit_label(chart.get("unit") or ""),
                           "chart_rows": chart_rows(chart)})
    return {
        "snap": snapshot,
        "pack_joint": pack_joint,
        "pack_councils": pack_joint["label"] if pack_joint else snapshot.get("council", ""),
        "pack_exceptions": exceptions,
        "pack_show": parts_shown(snapshot),
        "pack_contents": joint_contents(pack_joint) if pack_joint else contents(snapshot),
        "pack_as_of": display_date(snapshot.get("as_of")),
        "pack_generated": display_datetime(snapshot.get("generated_at")),
        "pack_pdf": for_pdf,
    }


# -- a joint committee's pack: several councils side by side ------------------------------------------------------

SECTIONS_TEMPLATE = "reporting/pack/_sections.html"


def council_parts(snapshot: dict) -> list[dict]:
    """Each council's snapshot in a pack: the issuing council's (the snapshot itself) first, then, in a joint
    committee's pack, each other council's."""
    joint = snapshot.get("joint")
    return [snapshot, *(joint.get("others") or [])] if joint else [snapshot]


def councils_label(names: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    names = [n for n in names if n]
    if len(names) <= 1:
        return names[0] if names else ""
    return f"{', '.join(names[:-1])} and {names[-1]}"


_ID_ATTRS = re.compile(r'\b(id|for|aria-labelledby|aria-describedby|aria-controls|headers)="([^"]*)"')
_HREF = re.compile(r'\bhref="#([^"]+)"')
_HEADING = re.compile(r"<(/?)h([1-5])(?=[\s>])")


def prefixed(html: str, prefix: str) -> str:
    """One council's sections inside a joint pack: every id (and every in-page reference to one) prefixed, so
    that the councils' sections do not clash, and every heading one level down, beneath the council's name."""
    html = _ID_ATTRS.sub(lambda m: f'{m[1]}="{" ".join(prefix + t for t in m[2].split())}"', html)
    html = _HREF.sub(lambda m: f'href="#{prefix}{m[1]}"', html)
    return _HEADING.sub(lambda m: f"<{m[1]}h{int(m[2]) + 1}", html)


def count_rows(combined: dict, counts: str, keys) -> list[dict]:
    """A combined summary's counts as rows (one per RAG status or direction), a column per council and the
    combined column (shared measures only)."""
    return [{"key": key, "label": label,
             "values": [int((c.get(f"{counts}_counts") or {}).get(key, 0)) for c in combined.get("councils") or []],
             "combined": int((combined.get(f"shared_{counts}_counts") or {}).get(key, 0))}
            for key, label in keys]


def joint_context(snapshot: dict, *, for_pdf: bool = False) -> dict | None:
    """What a joint pack adds to ``body_context``: the councils' names, the combined summary (with its counts as
    rows), and each council's sections as HTML, under its own name. None for a single council's pack."""
    joint = snapshot.get("joint")
    if not joint:
        return None
    combined = joint.get("combined") or {}
    councils = []
    for i, part in enumerate(council_parts(snapshot), start=1):
        prefix = f"c{i}-"
        context = body_context(part, for_pdf=for_pdf, joint=False)
        html = render_to_string(SECTIONS_TEMPLATE, context)
        councils.append({"name": part.get("council", ""), "anchor": f"pack-council-{i}", "prefix": prefix,
                         "html": SafeString(prefixed(html, prefix)),  # nosec B703: a rendered (escaped) template
                         "contents": [{**e, "anchor": prefix + e["anchor"]} for e in context["pack_contents"]
                                      if e["level"] == 1]})
    names = joint.get("councils") or [c["name"] for c in councils]
    return {"label": councils_label(names), "names": names, "combined": combined, "rule": combined.get("rule", ""),
            "self_assessed_note": self_assessed_note(combined),
            "rag_rows": count_rows(combined, "rag", RAG_KEYS),
            "direction_rows": count_rows(combined, "direction", DIRECTION_KEYS),
            "councils": councils}


def self_assessed_note(combined: dict) -> str:
    """How many of a joint pack's RAG counts are narrative measures' self-assessed statuses (B1), council by
    council and in the combined column; blank when none are."""
    councils = combined.get("councils") or []
    parts = [f"{int(c.get('self_assessed') or 0)} of {c.get('name', '')}'s" for c in councils]
    shared = int(combined.get("shared_self_assessed") or 0)
    if not shared and not any(int(c.get("self_assessed") or 0) for c in councils):
        return ""
    return ("Green, amber and red include narrative measures whose status is self-assessed by their officers, not "
            f"worked out from figures: {councils_label(parts)}, and {shared} of the combined (shared measures).")


def joint_contents(joint: dict) -> list[dict]:
    """A joint pack's contents: the combined summary, then each council with its parts."""
    entries = [{"anchor": "pack-combined", "title": f"{joint['label']} together", "level": 1}]
    for council in joint["councils"]:
        entries.append({"anchor": council["anchor"], "title": council["name"], "level": 1})
        entries += [{**e, "level": 2} for e in council["contents"]]
    return entries


def render_html_body(snapshot: dict) -> SafeString:
    """The pack's body for the web page (to place inside the page's own ``<main>``, below its ``<h1>``)."""
    # A rendered template (autoescaped): marking the result safe only stops it being escaped a second time.
    return SafeString(render_to_string(BODY_TEMPLATE, body_context(snapshot)))  # nosec B703
