"""The Harrowdale demo council: a fictional English unitary council at the scale of the Cheshire West and
Chester framework (frameworks/002), loaded by ``manage.py load_demo``, with a second demo beside it: two fictional
district councils run by one shared officer team (demo/pair.py, frameworks/004).

Deterministic (seeded random numbers, a fixed as-of date, nothing read from the real clock) and idempotent.
Every person, place and comparator council in it is invented.
"""

from __future__ import annotations

from datetime import date

DEMO_SLUG = "harrowdale"
DEMO_COUNCIL_NAME = "Harrowdale Council"
DEMO_AS_OF = date(2026, 11, 16)
"""The demo's "today": returns exist up to the latest period ended by this date; action status is judged at it."""
DEMO_SEED = 20261116
DEMO_PASSWORD = "harrowdale-demo"
"""Every demo user's password, the superuser ``admin`` included."""

DEMO_LOGINS: dict[str, str] = {
    "performance_unit": "helen.marsh",
    "service_lead": "tom.ashworth",
    "head_of_service": "grace.okafor",
    "director": "ruth.calloway",
    "delegate": "sanjay.mistry",
    "cabinet_member": "owen.hartley",
    "leader": "eleanor.pryce",
    "scrutiny_member": "gareth.whitlow",
    "internal_audit": "nadia.holloway",
    "staff": "liam.fenwick",
    "shareholder_board": "frances.oyelaran",
    "pair_service_lead": "chloe.marwood",
    "pair_joint_scrutiny": "rhys.penrose",
    "pair_performance_unit": "fiona.langford",
    "admin": "admin",
}
"""A stable username per role, for the README and for trying each role's view of the product."""

DEMO_LOGIN_NOTES: dict[str, str] = {
    "performance_unit": "Head of Performance and Intelligence",
    "service_lead": "performance lead, Waste and Recycling (enters returns)",
    "head_of_service": "Head of Waste and Recycling",
    "director": "Executive Director of Place and Environment (signs off returns)",
    "delegate": "Assistant Director, Place and Environment (sign-off delegate)",
    "cabinet_member": "Cabinet Member for Environment and Climate Emergency",
    "leader": "Leader of the Council, Finance and Resources portfolio",
    "scrutiny_member": "Chair, Place and Resources Overview and Scrutiny Committee",
    "internal_audit": "Head of Internal Audit (read-only)",
    "staff": "Officer, Waste Collections",
    "shareholder_board": "Chair, Harrowdale Shareholder Board (reads Harrowdale Homes Ltd's measures)",
    "pair_service_lead": "shared officer of Wyebridge and Vale of Ashcombe: performance lead, Waste and Street Scene, "
                         "enters each council's returns",
    "pair_joint_scrutiny": "Chair, Wyebridge and Vale of Ashcombe Joint Scrutiny Committee (reads both councils)",
    "pair_performance_unit": "Performance and Insight Manager for both Wyebridge and Vale of Ashcombe",
    "admin": "superuser",
}

