"""The figures of a quarterly pack as data (D7, D8).

A pack is assembled once into a *snapshot*: a JSON-serialisable dict holding every figure, word and chart series
the pack shows, already formatted for display. Every format (web page, PDF, Word, Excel annex) is rendered from
the same snapshot and nothing else, so the formats cannot disagree, and an issued pack keeps its snapshot for
ever: later edits to returns never change it.

The shapes below are the contract between assembly (``reporting.packs``) and the renderers
(``reporting.rendering``). Display strings are final ("72.4%", "£1,204", "—"); raw values are decimal strings
(or None) for the Excel annex, which writes numbers as numbers.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

SCHEMA_VERSION = 1


class Counts(TypedDict):
    """RAG counts: keys green, amber, red, not_rated, missing; direction counts: improving, maintained,
    declining, not_comparable. Values are ints."""


class MeasureRow(TypedDict):
    ref: str  # indicator reference, e.g. "ASC-04"
    name: str
    is_kpi: bool
    unit: str  # e.g. "percent"
    data_source: str
    previous: str  # previous year's performance (display)
    target: str  # target for the year (display)
    ytd_plan: str
    ytd: str  # year-to-date performance (display)
    value: str  # the figure for the report's period (display)
    value_raw: str | None  # decimal string
    target_raw: str | None
    rag: str  # "green" | "amber" | "red" | "not_rated" | "missing"
    rag_label: str  # "Green", "Amber", "Red", "Not rated", "Missing (M)"; "Green (self-assessed)" for a narrative one
    self_assessed: NotRequired[bool]  # a narrative measure's status as its officer chose it (packs from issue 13 on)
    direction: str  # "improving" | "maintained" | "declining" | "not_comparable"
    direction_label: str  # "Improving", ...
    period: str  # period label of the figure, e.g. "September 2026"
    officer: str
    comments: str


class ActionRow(TypedDict):
    ref: str
    title: str
    owner: str
    status: str  # plans.assessment status value
    status_label: str  # "On target", "Slipped (more than 3 months)", ...
    approved_end: str  # display date "31 Mar 2027" or ""
    forecast_end: str
    comment: str


class PlanSection(TypedDict):
    id: int
    title: str  # plan title
    level: str  # "Council Plan", "Directorate plan", ...
    owner: str
    rag_counts: dict  # as Counts
    measures: list[MeasureRow]
    actions: list[ActionRow]


class ChartSeries(TypedDict):
    """A measure's chart in a pack: labels (period labels, oldest first) with aligned lists of decimal strings
    or None: actual, target, lower (tolerance band's low edge), upper (its high edge); ``last_year`` aligned
    likewise (may be all None); unit for the axis title."""

    title: str
    unit: str
    labels: list[str]
    actual: list[str | None]
    target: list[str | None]
    lower: list[str | None]
    upper: list[str | None]
    last_year: list[str | None]


class RecoveryPlanInfo(TypedDict):
    causes: str
    actions: str
    owner: str
    expected_date: str  # display date expected back on target
    status: str


class ExceptionMeasure(TypedDict):
    row: MeasureRow
    plan: str  # plan title(s) the measure sits in
    why: str  # the D3 rule that selected it, in words
    previous_rag_label: str  # the rating at the previous quarter (Q1/Q3 rule), "" otherwise
    progress: str  # Q1/Q3: progress since the previous quarter, in words
    owner_information: str  # Q2/Q4: the outcome owner's further information (the return's commentary)
    recovery_plan: RecoveryPlanInfo | None
    sign_off: str  # "Approved by Ruth Calloway on 12 Oct 2026" or "Not signed off"
    chart: ChartSeries


class ExceptionAction(TypedDict):
    action: ActionRow
    plan: str
    reason: str  # reasons for the slip (latest update's commentary)
    corrective: str  # corrective actions


class BenchmarkRow(TypedDict):
    ref: str
    name: str
    year_label: str  # the previous year, e.g. "2025/26"
    value: str  # the council's figure
    rank: str  # "3rd of 16"
    quartile: str  # "Top quartile", ...
    median: str  # comparators' median (display)
    source: NotRequired[str]  # where the comparator values come from and when published (packs from issue 12 on)


class MissingItem(TypedDict):
    ref: str
    name: str
    reason: str  # "Awaiting sign-off (submitted 3 Oct 2026)", "No return", "Sent back to the officer"


class PrioritySummary(TypedDict):
    title: str
    rag_counts: dict
    direction_counts: dict


class Snapshot(TypedDict):
    schema: int  # SCHEMA_VERSION
    title: str  # "Cabinet performance report: Q2 2026/27"
    council: str  # council name
    report_type: str  # reporting.models.ReportType value
    report_type_label: str
    scope_label: str  # "All plans", "Portfolio: Adult social care", "Committee: ..."
    measures_label: str  # "Key performance indicators" | "All measures"
    year_label: str  # "2026/27"
    quarter: int  # 1..4, 0 for annual documents
    period_label: str  # "Q2 2026/27: July to September 2026"
    as_of: str  # ISO date the data was read
    generated_at: str  # ISO datetime
    sections: list[str]  # the definition's sections, in order (see reporting.models.Section)
    overview: dict  # {"rag_counts": Counts, "direction_counts": Counts, "actions_by_status": {label: int},
    #                  "by_priority": [PrioritySummary], "self_assessed": int (how many of the statuses counted are
    #                  narrative measures' own, B1; packs from issue 13 on)}
    plans: list[PlanSection]
    exception_rule: str  # the D3 rule applied, in words
    exceptions: dict  # {"measures": [ExceptionMeasure], "actions": [ExceptionAction]}
    benchmarking: list[BenchmarkRow]  # Q2 only (C4), else []
    missing: list[MissingItem]  # what was missing or unapproved when assembled (D2)
    # A6, only in a board's pack: decision points of its programmes due with no decision
    # [{"title", "project", "programme", "due", "recommendation"}]
    decisions_due: NotRequired[list[dict]]
    # E4, only in a pack whose report asks for it: the risks flagged by their measures, highest score first
    # [{"ref", "title", "owner", "score", "score_label", "target_score", "target_label",
    #   "measures": [{"ref", "name", "period", "rag", "rag_label", "direction_label", "reason"}]}]
    risks_flagged: NotRequired[list[dict]]
    # A joint committee's pack (a report covering several councils) only: the snapshot above is the issuing
    # council's; ``joint`` holds {"councils": [names, issuing council first], "others": [a Snapshot of each other
    # council, same sections], "combined": JointSummary}
    joint: NotRequired[dict]


class JointSummary(TypedDict):
    """The combined summary of a joint pack: ``rule`` (in words, shown on the pack), ``councils`` (each council's
    {"name", "measures", "shared", "rag_counts", "self_assessed", "direction_counts"}), the counts added up over
    the shared measures only (``shared_rag_counts``, ``shared_self_assessed``, ``shared_direction_counts``), and
    ``shared``: each shared measure's {"ref", "name", "unit", "delivered_by", "figures": [{"council", "value",
    "rag", "rag_label", "self_assessed", "direction_label", "period"}]}. ``rag_label`` is "Green (self-assessed)"
    for a narrative measure's own status; ``delivered_by`` as ``MeasureRow``'s. ``self_assessed``,
    ``shared_self_assessed`` and ``delivered_by`` are missing from packs assembled before they were added."""

    rule: str
    councils: list[dict]
    shared_rag_counts: dict
    shared_self_assessed: NotRequired[int]
    shared_direction_counts: dict
    shared: list[dict]
