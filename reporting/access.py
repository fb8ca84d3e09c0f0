"""How reports are scoped (the mechanism is ``pmf.access``). Loaded by ``ReportingConfig.ready``.

- The reporting timetable: everyone in the council (the public entries are also on the public site).
- Report definitions, and draft packs: the performance unit (who sets reports up, prepares and issues packs)
  and internal audit (who reads everything).
- Issued packs and their files: everyone signed in to the council; they are committee papers. The public reads
  the issued packs of published reports on the public site, which does not go through a user's scope.
"""

from __future__ import annotations

from django.db.models import Q

from pmf.access import Scope, in_councils, register
from reporting.models import PackStatus


def _sees_drafts(s: Scope) -> set[int]:
    return s.configure | s.audit


def pack_q(s: Scope, prefix: str = "") -> Q:
    p = prefix
    return (Q(**{f"{p}council__in": s.councils, f"{p}status": PackStatus.ISSUED})
            | Q(**{f"{p}council__in": _sees_drafts(s)}))


register("reporting.TimetableEntry", in_councils("council"))
register("reporting.ReportDefinition", lambda s: Q(council__in=_sees_drafts(s)))
register("reporting.Pack", pack_q)
register("reporting.PackFile", lambda s: pack_q(s, "pack__"))
register("reporting.ExceptionCase", in_councils("council"))
register("reporting.ExceptionReview", in_councils("case__council"))
register("reporting.TrackedQuarter", in_councils("council"))
# A case study: its author, the performance unit and internal audit; everyone in the council once approved.
register("reporting.CaseStudy", lambda s: Q(author=s.user_id) | Q(council__in=_sees_drafts(s))
         | Q(council__in=s.councils, status="approved"))
