"""How reports are scoped (the mechanism is ``pmf.access``). Loaded by ``ReportingConfig.ready``.

- The reporting timetable: everyone in the council (the public entries are also on the public site).
- Report definitions, and draft packs: the performance unit (who sets reports up, prepares and issues packs)
  and internal audit (who reads everything).
- Issued packs and their files: everyone signed in to the council; they are committee papers. The public reads
  the issued packs of published reports on the public site, which does not go through a user's scope.
- A joint committee's report covers other councils besides the one that issues it: its packs are read as the
  packs of each council it covers (issued: everyone signed in to that council; drafts: its performance unit and
  internal audit), and its definition by each such council's performance unit and internal audit (changed only
  by the issuing council's performance unit).
- Which other councils a report may cover (``councils_refused``): a council's data reaches whoever reads the
  report's drafts and, once published, that council's public site, so a council is covered only with its
  performance unit's say or within a joint committee's remit.
"""

from __future__ import annotations

from django.db.models import Q

from pmf.access import Scope, can_configure, in_councils, register
from reporting.models import SCOPE_FIELDS, PackStatus, ScopeKind


def _sees_drafts(s: Scope) -> set[int]:
    return s.configure | s.audit


def pack_q(s: Scope, prefix: str = "") -> Q:
    p = prefix
    drafts = _sees_drafts(s)
    return (Q(**{f"{p}council__in": s.councils, f"{p}status": PackStatus.ISSUED})
            | Q(**{f"{p}definition__other_councils__in": s.councils, f"{p}status": PackStatus.ISSUED})
            | Q(**{f"{p}council__in": drafts}) | Q(**{f"{p}definition__other_councils__in": drafts}))


register("reporting.TimetableEntry", in_councils("council"))
register("reporting.ReportDefinition", lambda s: Q(council__in=_sees_drafts(s))
         | Q(other_councils__in=_sees_drafts(s)), subquery=True)
register("reporting.Pack", pack_q, subquery=True)
register("reporting.PackFile", lambda s: pack_q(s, "pack__"), subquery=True)
register("reporting.ExceptionCase", in_councils("council"))
register("reporting.ExceptionReview", in_councils("case__council"))
register("reporting.TrackedQuarter", in_councils("council"))
# A case study: its author, the performance unit and internal audit; everyone in the council once approved.
register("reporting.CaseStudy", lambda s: Q(author=s.user_id) | Q(council__in=_sees_drafts(s))
         | Q(council__in=s.councils, status="approved"))


# -- which other councils a report may cover ---------------------------------------------------------------------

def _widens(saved, data: dict) -> bool:
    """Whether the report as edited (``data``, a definition form's cleaned data) covers more of its councils than
    ``saved`` does: another scope, more measures (KPIs only unticked), more sections, or published."""
    if data.get("scope") != saved.scope:
        return True
    for name in SCOPE_FIELDS.values():
        chosen = data.get(name)
        if (chosen.pk if chosen is not None else None) != getattr(saved, f"{name}_id"):
            return True
    return ((saved.kpis_only and not data.get("kpis_only"))
            or bool(set(data.get("sections") or []) - set(saved.sections or []))
            or (not saved.is_public and bool(data.get("is_public"))))


def councils_refused(user, council, data: dict, saved=None) -> list:
    """The other councils a report of ``council`` (its definition form's cleaned ``data``) may not cover for
    ``user``. Another council is covered only if the user is its performance unit (``can_configure``), or the
    report is scoped to a committee whose councils include both (the joint committee's remit). A council the
    ``saved`` definition already covers stays allowed while the edit does not widen what the report covers
    (someone allowed to chose it)."""
    others = list(data.get("other_councils") or [])
    if not others:
        return []
    kept: set[int] = set()
    if saved is not None and saved.pk and not _widens(saved, data):
        kept = set(saved.other_councils.values_list("pk", flat=True))
    committee = data.get("committee") if data.get("scope") == ScopeKind.COMMITTEE else None
    remit = set(committee.councils.values_list("pk", flat=True)) if committee is not None else set()
    return [other for other in others
            if other.pk not in kept
            and not (user is not None and user.is_authenticated and can_configure(user, other.pk))
            and not (council.pk in remit and other.pk in remit)]


def refused_message(refused: list) -> str:
    names = ", ".join(c.name for c in refused)
    return (f"This report cannot also cover {names}: another council is covered only by the report of a committee "
            "it shares with this council (choose “A committee's remit” and that joint committee), or when you are "
            "in its performance unit.")
