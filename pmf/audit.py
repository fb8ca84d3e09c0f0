"""E3: writing the audit trail. Services call ``record`` inside their own transaction, so an entry exists
exactly when the change it describes was committed."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.db import models

from pmf.models import AuditEntry, Council, User


def _plain(value):
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 50, not 5E+1; 55.5, not 55.500000
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict:
    """The named fields of an object as JSON-safe values (foreign keys by their text, not their id)."""
    out = {}
    for name in fields:
        field = obj._meta.get_field(name)
        value = getattr(obj, name) if not field.is_relation else getattr(obj, name, None)
        out[name] = _plain(value)
    return out


def diff(before: dict, after: dict) -> dict:
    """{field: [from, to]} for the fields that changed."""
    def empty(v):
        return v in (None, "")

    return {k: [before.get(k), after.get(k)] for k in after
            if before.get(k) != after.get(k) and not (empty(before.get(k)) and empty(after.get(k)))}


def council_of(obj: models.Model) -> Council | None:
    for path in ("council", "indicator", "action", "target", "ret", "plan"):
        related = getattr(obj, path, None)
        if isinstance(related, Council):
            return related
        if related is not None and related is not obj:
            found = council_of(related)
            if found is not None:
                return found
    return None


def record(*, user: User | None, action: str, obj: models.Model, changes: dict | None = None, reason: str = "",
           council: Council | None = None, batch: uuid.UUID | None = None) -> AuditEntry:
    return AuditEntry.objects.create(**_entry(user, action, obj, changes, reason, council, batch))



def record_many(*, user: User | None, action: str, objects: Iterable[models.Model], changes: dict | None = None,
                reason: str = "", council: Council | None = None, at: datetime | None = None) -> uuid.UUID:
    """One entry per object of a bulk change, all sharing one batch id (returned). ``at`` dates them other
    than now: only for recording history being loaded (the demo), never for a live change."""
    batch = uuid.uuid4()
    extra = {"at": at} if at is not None else {}
    AuditEntry.objects.bulk_create(
        AuditEntry(**_entry(user, action, obj, changes, reason, council, batch), **extra) for obj in objects
    )
    return batch


def _entry(user, action, obj, changes, reason, council, batch) -> dict:
    return {
        "council": council or council_of(obj),
        "user": user if user is not None and user.pk else None,
        "user_name": (user.get_full_name() or user.username) if user is not None and user.pk else "system",
        "action": action,
        "object_type": obj._meta.label,
        "object_id": str(obj.pk),
        "object_repr": str(obj)[:300],
        "changes": changes or {},
        "reason": reason,
        "batch": batch,
    }
