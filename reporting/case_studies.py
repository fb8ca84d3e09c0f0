"""Case studies of staff work (D6, F2, S 14): told by staff from their home page, reviewed by the performance unit
(approved or not used), and published in the annual performance report when approved and marked published.
Each change is one transaction with its audit entry (E3)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from pmf import access, audit, uploads
from pmf.choices import AuditAction
from pmf.errors import Conflict, Refused
from pmf.models import User
from reporting.models import CaseStudy, CaseStudyStatus

MAX_PICTURE_BYTES = 5 * 1024 * 1024
PICTURES = uploads.Rules.of(["jpeg", "png", "gif", "webp"], max_bytes=MAX_PICTURE_BYTES)
FIELDS = ["title", "story", "team", "priority", "financial_year", "quarter", "picture_alt", "status",
          "is_published", "review_note"]


def check_picture(upload) -> None:
    """A picture is read by its content, not its name (``pmf.uploads``): a real JPEG, PNG, GIF or WebP image whose
    name says the same, of sensible size and within the limit on pixels (``UPLOAD_MAX_IMAGE_PIXELS``)."""
    if upload.size > MAX_PICTURE_BYTES:
        raise Refused({"picture": f"The picture is {upload.size / 1048576:.1f} MB; the limit is "
                                  f"{MAX_PICTURE_BYTES // 1048576} MB."})
    try:
        uploads.check(upload, PICTURES)
    except ValidationError as refused:
        raise Refused({"picture": refused.messages}) from None


@transaction.atomic
def tell(*, user: User, council, data: dict, picture=None) -> CaseStudy:
    """Someone in the council shares a case study; it waits for the performance unit."""
    if not (user.is_superuser or council.pk in access.scope_for(user).councils):
        raise PermissionDenied("Only people of the council share its case studies.")
    if picture is not None:
        check_picture(picture)
        if not (data.get("picture_alt") or "").strip():
            raise Refused({"picture_alt": "Describe the picture for people who cannot see it."})
    study = CaseStudy(council=council, author=user, title=data["title"].strip(), story=data["story"].strip(),
                      team=data.get("team"), priority=data.get("priority"), financial_year=data["financial_year"],
                      quarter=data.get("quarter"), picture_alt=(data.get("picture_alt") or "").strip()
                      if picture is not None else "")
    if picture is not None:
        study.picture = picture
    study.save()
    audit.record(user=user, action=AuditAction.CREATE, obj=study, council=council,
                 changes=audit.diff({}, audit.snapshot(study, FIELDS)))
    return study


@transaction.atomic
def review(*, user: User, study: CaseStudy, version: int, approve: bool, publish: bool, note: str = "") -> CaseStudy:
    """The performance unit approves a case study (and publishes it, or not) or decides not to use it."""
    if not access.can_configure(user, study.council_id):
        raise PermissionDenied("Only the performance unit reviews case studies.")
    if not approve and not note.strip():
        raise Refused({"review_note": "Say why the case study is not used, so its author knows."})
    before = audit.snapshot(study, FIELDS)
    status = CaseStudyStatus.APPROVED if approve else CaseStudyStatus.DECLINED
    if not CaseStudy.objects.filter(pk=study.pk, version=version).update(
            status=status, is_published=approve and publish, reviewed_by=user, reviewed_at=timezone.now(),
            review_note=note.strip(), version=F("version") + 1):
        raise Conflict(CaseStudy.objects.get(pk=study.pk), "Someone else reviewed this case study first.")
    study.refresh_from_db()
    audit.record(user=user, action=AuditAction.APPROVE if approve else AuditAction.RETURN, obj=study,
                 reason=note.strip(), changes=audit.diff(before, audit.snapshot(study, FIELDS)))
    return study
