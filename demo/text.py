"""Believable officer text for the demo: commentary, reasons, updates. Invented, generic, no real people."""

from __future__ import annotations

RED_CAUSES: dict[str, tuple[str, ...]] = {
    "ah": (
        "Demand has risen sharply, with referrals {pct}% higher than the same period last year, and two "
        "practitioner vacancies in the team remain unfilled.",
        "Winter pressures at Harrowdale General Hospital increased discharge referrals, diverting staff from "
        "planned work.",
        "Home care capacity in the north of the borough remains short after one provider handed back packages.",
        "The move to the new case management system in {month} delayed recording while staff were trained.",
    ),
    "cf": (
        "Caseloads in Locality Team South remain high after three agency social workers left at short notice.",
        "A rise in the complexity of referrals since {month} has lengthened assessments.",
        "Court timetables have slipped because of judicial capacity, which is outside the service's control.",
        "Recruitment of permanent social workers has been slower than planned in a very competitive market.",
    ),
    "pe": (
        "Vehicle breakdowns in the ageing fleet disrupted collection rounds during {month}.",
        "Severe weather in {month} diverted crews to emergency work.",
        "Two long-term sickness absences and a vacancy in the team reduced capacity.",
        "A contractor's mobilisation was slower than planned and has been escalated through contract management.",
    ),
    "ch": (
        "Demand from households evicted from the private rented sector continues to rise ({pct}% up on last year).",
        "A shortage of suitable move-on accommodation means households are staying longer.",
        "A staffing gap in the team during {month} reduced capacity for casework.",
        "Changes to the partner data feed delayed case updates this period.",
    ),
    "rs": (
        "The cost-of-living pressure on households has slowed payments ({pct}% more accounts in arrears than last "
        "year).",
        "The new system went live in {month} and processing slowed while staff adjusted to it.",
        "A peak of seasonal demand coincided with two vacancies in the team.",
        "Delays in supplier information held up processing this period.",
    ),
}

RECOVERY_STEPS: tuple[str, ...] = (
    "A recovery plan has been agreed with the director and progress is reviewed weekly.",
    "Additional agency capacity has been commissioned for three months to clear the backlog.",
    "Recruitment to the vacant posts is under way, with two new starters due next month.",
    "The team has introduced daily huddles to prioritise the oldest cases.",
    "The issue has been raised with the provider and a remedial plan is in place.",
    "Overtime has been authorised and cases are being reallocated across teams.",
)

RECOVERY_WHEN: tuple[str, ...] = (
    "We expect performance to return to target by the end of the next quarter.",
    "Performance should recover within two months.",
    "Recovery is expected by the year end, but this remains a risk.",
    "Early signs of improvement were seen in the last fortnight.",
)

AMBER_TEXT: tuple[str, ...] = (
    "Slightly below target this period; the team expects to recover next period.",
    "Within tolerance. Performance dipped because of staff leave over the holiday period.",
    "Marginally off target; the position is being monitored closely by the head of service.",
    "Just outside target owing to a small number of complex cases.",
)

GREEN_TEXT: tuple[str, ...] = (
    "Performance remains on target.",
    "On track. The improvement reflects the revised process introduced earlier in the year.",
    "Good performance maintained despite higher demand.",
    "Target met. The team's focus on early intervention is paying off.",
    "Ahead of profile for the year to date.",
)

CHANGE_TEXT: tuple[str, ...] = (
    "The change since last period reflects normal seasonal variation.",
    "The movement since last period follows a data cleanse of open records.",
    "The change reflects a one-off batch of cases closed following an audit.",
    "The figure moved because a large case was concluded this period.",
)

CONTEXT_TEXT: tuple[str, ...] = (
    "Contextual measure: monitored to understand demand, not rated.",
    "Level broadly in line with the same period last year.",
    "Demand continues to rise gradually, in line with the regional trend.",
)

QUALITATIVE_ON_TRACK: tuple[str, ...] = (
    "All milestones due this period were met. The programme board agreed the next phase and no new risks were "
    "raised.",
    "Delivery is on track. The consultation closed with a good response and the findings are being analysed.",
    "Good progress: the actions due this quarter are complete and partners have signed up to the next steps.",
)

QUALITATIVE_OFF_TRACK: tuple[str, ...] = (
    "Two milestones have slipped because of capacity in the lead team; a revised timetable goes to the programme "
    "board next month.",
    "Progress is behind plan while funding is confirmed. The risk has been escalated to the corporate risk "
    "register.",
)

RETURNED_REASONS: tuple[str, ...] = (
    "Please add commentary explaining the fall since last period.",
    "The denominator does not match the figure in the statutory return; please check and resubmit.",
    "Evidence is needed: this is the third consecutive period below target.",
    "The figure looks like it includes cases from the previous period; please check the date range.",
)

NO_DATA_REASONS: tuple[str, ...] = (
    "Data not available: the case management system was being migrated and reports were switched off.",
    "The provider's data did not arrive in time; it will be reported next period.",
    "Data withheld pending a data quality review of the source system.",
)

ESTIMATE_NOTE = "Estimated figure; the validated figure will follow next period."

NLV_REASONS: tuple[str, ...] = (
    "External funding for this work was withdrawn in the government's spending review.",
    "Superseded by the new regional arrangement agreed with partners.",
    "Cabinet decided not to proceed following consultation.",
    "The partner organisation withdrew from the project.",
)

ACTION_UPDATES: dict[str, tuple[str, ...]] = {
    "delivered": ("Completed and signed off by the head of service.", "Delivered; benefits are now being tracked.",
                  "Completed. A lessons-learned review has been shared with the directorate."),
    "no_longer_viable": ("Closed: no longer viable.",),
    "scheduled": ("Scoping will begin when the preceding work completes.", "Not yet started; resources identified.",
                  "Due to start next year as planned."),
    "on_target": ("Progressing to plan.", "On track; the project board met this month and no issues were raised.",
                  "Work is under way and the key milestones so far have been met.",
                  "Procurement complete and delivery has started."),
    "slipped_lt3": ("Slipped slightly owing to a delay in procurement; a revised date has been agreed.",
                    "A short delay while we wait for partner sign-off.",
                    "Minor slippage because of staff absence; recovery plan in place."),
    "slipped_gt3": ("Significantly delayed: the contractor went into administration and the work is being "
                    "re-procured.", "Delayed by more than three months while funding is confirmed.",
                    "Delayed because of planning and legal issues; the revised timetable goes to Cabinet."),
}

MILESTONE_NAMES: tuple[str, ...] = (
    "Business case approved", "Project initiated", "Consultation completed", "Contract awarded",
    "Pilot launched", "Go-live", "Evaluation report published", "Staff trained",
)

TEAM_ITEM_TEMPLATES: tuple[str, ...] = (
    "Clear the backlog of open work older than 28 days",
    "Introduce weekly performance huddles",
    "Review and update standard operating procedures",
    "Improve first-time data quality in team records",
    "Cut average response times by 10%",
    "Complete mandatory training for every member of the team",
    "Gather customer feedback and act on it each quarter",
)

OBJECTIVE_TEMPLATES: tuple[str, ...] = (
    "Complete all case audits to a standard of good or better",
    "Complete mandatory training by the end of September",
    "Lead one improvement project for the team this year",
    "Keep my records up to date within five working days",
    "Reduce my average case closure time by 10%",
    "Mentor a new colleague through their first six months",
    "Present the team's performance at a directorate meeting",
)


#: F2, S 14: case studies of staff work (title, story, priority, picture colour, status). Invented.
CASE_STUDIES = [
    ("Food waste bins for every flat", "The collections crews and the recycling officers visited all 212 blocks of "
     "flats in the town centre, agreed a bin store with each managing agent, and delivered food waste caddies door "
     "to door. Food waste collected from flats tripled in six months, and missed collections fell.", "P5",
     (0, 112, 60), "approved"),
    ("A faster way back home from hospital", "The reablement team and the hospital discharge team now meet every "
     "morning and plan each person's first week at home together. People wait two days less on average to leave "
     "hospital, and fewer go back within a month.", "P3", (29, 112, 184), "approved"),
    ("Young people design the new youth hub", "Twenty young people from three estates joined the design panel for "
     "the new youth hub: they chose the opening hours, the music studio and the name. Attendance in the first "
     "quarter was double the old centre's.", "P2", (138, 69, 0), "approved"),
    ("Clearing the planning backlog", "Planning officers triaged every application over eight weeks old, agreed "
     "extensions where needed, and decided the simplest first. The backlog fell by a third in one quarter.", "P6",
     (80, 90, 95), "submitted"),
]
