"""B6: data-quality checks on entry, as pure functions of plain values (no ORM).

Each problem names the field it belongs to and the rule it breaks, so the form can show it beside the field.
Validity problems refuse even a draft; completeness and consistency problems refuse a submission only, so an
officer can save work in progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from indicators.assessment import Rag, quantize

#: The largest figure a return stores (18 digits, 6 of them after the decimal point).
MAX_WHOLE_DIGITS = 12
MAX_FIGURE = Decimal("999999999999.999999")


@dataclass(frozen=True)
class Problem:
    field: str
    rule: str  # a stable code, e.g. "numerator_le_denominator"
    message: str
    blocks_draft: bool = False


def check(
    *,
    unit: str,
    calculation: str,
    value: Decimal | None,
    numerator: Decimal | None,
    denominator: Decimal | None,
    no_data_reason: str,
    commentary: str,
    plausible_min: Decimal | None,
    plausible_max: Decimal | None,
    previous_value: Decimal | None,
    change_threshold_pct: Decimal | None,
    rag: str,
    amber_red_run_before: int,
    has_evidence: bool,
    decimal_places: int | None = None,
    qualitative: bool = False,
    self_assessed_rag: str = "",
    forecast: Decimal | None = None,
) -> list[Problem]:
    """Every B6 problem with a return as entered. ``amber_red_run_before`` counts the consecutive amber or red
    periods immediately before this one; ``rag`` is the status this figure would get. A ``qualitative`` (narrative)
    measure is checked by :func:`check_narrative` instead; a numeric one refuses a ``self_assessed_rag``."""
    if qualitative:
        return check_narrative(value=value, numerator=numerator, denominator=denominator, forecast=forecast,
                               no_data_reason=no_data_reason, commentary=commentary,
                               self_assessed_rag=self_assessed_rag)
    problems: list[Problem] = []
    if self_assessed_rag:
        problems.append(Problem("self_assessed_rag", "self_assessed_narrative_only",
                                "Only a narrative measure takes a self-assessed status: this measure's status is "
                                "worked out from its figure against the target.", True))
    has_figure = value is not None or numerator is not None or denominator is not None
    if no_data_reason.strip() and has_figure:
        problems.append(Problem("no_data_reason", "value_or_no_data",
                                "Give a figure or a reason why there is no data this period, not both.", True))
    if calculation == "ratio" and (numerator is None) != (denominator is None):
        missing = "denominator" if denominator is None else "numerator"
        problems.append(Problem(missing, "numerator_with_denominator",
                                f"Enter the {missing} too: this measure is a numerator divided by a denominator.",
                                True))
    if denominator is not None and denominator == 0:
        problems.append(Problem("denominator", "denominator_not_zero", "The denominator cannot be zero.", True))
    if (unit == "percent" and numerator is not None and denominator is not None and denominator > 0
            and numerator > denominator):
        problems.append(Problem("numerator", "numerator_le_denominator",
                                f"For a percentage the numerator ({numerator:f}) cannot exceed the denominator "
                                f"({denominator:f}).", True))
    figure_field = "numerator" if calculation == "ratio" else "value"  # the field the officer typed
    if value is not None and abs(value) > MAX_FIGURE:  # a numerator over a tiny denominator, say
        problems.append(Problem(figure_field, "figure_fits",
                                f"The figure this gives is too large to store: it can have at most {MAX_WHOLE_DIGITS} "
                                "digits before the decimal point. Check the numerator and the denominator.", True))
        value = None  # nothing more can be said of it
    if value is not None and plausible_min is not None and value < plausible_min:
        problems.append(Problem(figure_field, "plausible_bounds",
                                f"{_fmt(value, decimal_places)} is below the plausible minimum of "
                                f"{_fmt(plausible_min, decimal_places)} in the specification. Check the figure.",
                                True))
    if value is not None and plausible_max is not None and value > plausible_max:
        problems.append(Problem(figure_field, "plausible_bounds",
                                f"{_fmt(value, decimal_places)} is above the plausible maximum of "
                                f"{_fmt(plausible_max, decimal_places)} in the specification. Check the figure.",
                                True))
    if not has_figure and not no_data_reason.strip():
        problems.append(Problem(figure_field, "complete",
                                "Enter the figure, or tick “no data this period” and give the reason."))
    if value is not None and not commentary.strip():
        change = change_pct(value, previous_value)
        if change is not None and change_threshold_pct is not None and abs(change) > change_threshold_pct:
            problems.append(Problem("commentary", "change_needs_commentary",
                                    f"The figure changed by {abs(change):.1f}% from the last period, more than the "
                                    f"{change_threshold_pct:f}% the specification allows without commentary. "
                                    "Explain the change."))
        if rag == Rag.RED:
            problems.append(Problem("commentary", "red_needs_commentary",
                                    "This figure is red against its target: explain why and what is being done."))
    if rag in (Rag.AMBER, Rag.RED) and amber_red_run_before >= 2 and not has_evidence:
        problems.append(Problem("evidence", "third_amber_red_needs_evidence",
                                "This is the third consecutive amber or red period: attach evidence."))
    return problems


SELF_ASSESSED = (Rag.GREEN, Rag.AMBER, Rag.RED)


def check_narrative(*, value: Decimal | None, numerator: Decimal | None, denominator: Decimal | None,
                    forecast: Decimal | None, no_data_reason: str, commentary: str,
                    self_assessed_rag: str) -> list[Problem]:
    """B1: a narrative measure's return is its narrative (the commentary) and the status the officer chooses,
    green, amber or red; it takes no figure. A draft may lack either; a submission needs both."""
    problems: list[Problem] = []
    if any(v is not None for v in (value, numerator, denominator, forecast)):
        problems.append(Problem("value", "narrative_no_figure",
                                "This is a narrative measure: it takes no figure or forecast, only the narrative "
                                "and the status you choose.", True))
    if no_data_reason.strip():
        problems.append(Problem("no_data_reason", "narrative_no_figure",
                                "A narrative measure has no “no data” reason: write the narrative and choose the "
                                "status.", True))
    if self_assessed_rag and self_assessed_rag not in SELF_ASSESSED:
        problems.append(Problem("self_assessed_rag", "self_assessed_choice",
                                "Choose green, amber or red as the self-assessed status.", True))
    if not commentary.strip():
        problems.append(Problem("commentary", "narrative_needs_commentary",
                                "Write the narrative: a narrative measure is reported by its commentary."))
    if not self_assessed_rag:
        problems.append(Problem("self_assessed_rag", "narrative_needs_status",
                                "Choose the status, green, amber or red, as you judge it from the narrative."))
    return problems


def change_pct(value: Decimal, previous: Decimal | None) -> Decimal | None:
    """The change from the previous figure as a percentage of it (None when there is none or it was zero)."""
    if previous is None or previous == 0:
        return None
    return (value - previous) / abs(previous) * 100


def _fmt(value: Decimal, places: int | None) -> str:
    return f"{quantize(value, places):f}" if places is not None else f"{value:f}"
