"""E1, W 3.5, Br: internal audit's spot checks. A reproducible random sample of a quarter's approved returns (of
a given size, optionally stratified by directorate), each then checked against its evidence: verified, or an issue
found with notes. The outcome shows on the return (the indicator page) and in its data-quality rating."""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from indicators.choices import ReturnState
from indicators.models import Return, SpotCheck, SpotCheckItem, SpotCheckOutcome
from pmf import access, audit
from pmf.choices import AuditAction
from pmf.errors import Conflict, Refused
from pmf.models import Council, Period, User

#: What a spot check adds to a return's data-quality rating (B6).
QUALITY_WORDS = {SpotCheckOutcome.VERIFIED: "spot-checked", SpotCheckOutcome.ISSUE: "spot-check issue"}


def population(council: Council, quarter: Period):
    """The approved returns of the council whose period ends in the quarter (months, the quarter, a half-year or
    a year ending in it), in a fixed order."""
    return (Return.objects.filter(indicator__council=council, state=ReturnState.APPROVED,
                                  period__end__gte=quarter.start, period__end__lte=quarter.end)
            .select_related("indicator__service").order_by("pk"))


def allocate(sizes: dict[int, int], total: int) -> dict[int, int]:
    """Proportional allocation of ``total`` across strata of the given sizes (largest remainder; never more than a
    stratum holds)."""
    everyone = sum(sizes.values())
    if everyone == 0:
        return {k: 0 for k in sizes}
    total = min(total, everyone)
    exact = {k: total * n / everyone for k, n in sizes.items()}
    out = {k: int(v) for k, v in exact.items()}
    for k in sorted(sizes, key=lambda k: (-(exact[k] - out[k]), k))[:total - sum(out.values())]:
        out[k] += 1
    return out


def sample(returns: list[Return], *, size: int, by_directorate: bool, seed: str) -> list[Return]:
    """The sample: the same returns, size, stratification and seed always give the same returns."""
    rng = random.Random(int(hashlib.sha256(seed.encode()).hexdigest(), 16))
    if not by_directorate:
        return sorted(rng.sample(returns, min(size, len(returns))), key=lambda r: r.pk)
    strata: dict[int, list[Return]] = defaultdict(list)
    for ret in returns:
        strata[ret.indicator.service.directorate_id].append(ret)
    chosen = []
    for directorate, n in sorted(allocate({k: len(v) for k, v in strata.items()}, size).items()):
        chosen += rng.sample(strata[directorate], n)
    return sorted(chosen, key=lambda r: r.pk)


@transaction.atomic
def draw(*, user: User, council: Council, quarter: Period, size: int, by_directorate: bool) -> SpotCheck:
    """Internal audit draws a sample of the quarter's approved returns."""
    if not access.is_internal_audit(user, council.pk):
        raise PermissionDenied("Only internal audit draws spot checks.")
    if quarter.frequency != "quarterly":
        raise Refused({"period": "Choose a quarter."})
    if size < 1:
        raise Refused({"size": "The sample needs at least one return."})
    returns = list(population(council, quarter))
    if not returns:
        raise Refused({"period": f"{quarter} has no approved returns to sample."})
    number = (SpotCheck.objects.filter(council=council, period=quarter).aggregate(n=Max("draw"))["n"] or 0) + 1
    seed = f"{council.slug}:{quarter.financial_year_id}-Q{quarter.number}:{size}:{int(by_directorate)}:{number}"
    try:
        with transaction.atomic():
            check = SpotCheck.objects.create(council=council, period=quarter, size=size, draw=number, seed=seed,
                                             by_directorate=by_directorate, population=len(returns), drawn_by=user)
    except IntegrityError:
        raise Conflict(None, "Someone else drew a sample of this quarter at the same moment: try again.") from None
    chosen = sample(returns, size=size, by_directorate=by_directorate, seed=seed)
    SpotCheckItem.objects.bulk_create(SpotCheckItem(spot_check=check, ret=ret) for ret in chosen)
    audit.record(user=user, action=AuditAction.CREATE, obj=check, council=council,
                 changes={"sample": [None, f"{len(chosen)} of {len(returns)} approved returns ({seed})"]})
    return check


@transaction.atomic
def record(*, user: User, item: SpotCheckItem, version: int, outcome: str, notes: str) -> SpotCheckItem:
    """Internal audit records what it found for one sampled return."""
    if not access.is_internal_audit(user, item.spot_check.council_id):
        raise PermissionDenied("Only internal audit records spot checks.")
    if outcome not in (SpotCheckOutcome.VERIFIED, SpotCheckOutcome.ISSUE):
        raise Refused({"outcome": "Say whether the evidence supports the figure, or an issue was found."})
    if outcome == SpotCheckOutcome.ISSUE and not notes.strip():
        raise Refused({"notes": "Say what the issue is."})
    before = audit.snapshot(item, ["outcome", "notes"])
    if not SpotCheckItem.objects.filter(pk=item.pk, version=version).update(
            outcome=outcome, notes=notes.strip(), checked_by=user, checked_at=timezone.now(),
            version=F("version") + 1):
        raise Conflict(SpotCheckItem.objects.get(pk=item.pk), "Someone else recorded this return's check first.")
    item.refresh_from_db()
    audit.record(user=user, action=AuditAction.UPDATE, obj=item, council=item.spot_check.council,
                 changes=audit.diff(before, audit.snapshot(item, ["outcome", "notes"])))
    return item


def outcomes_of(returns) -> dict[int, SpotCheckItem]:
    """The latest spot check of each of these returns that was checked (one query)."""
    found: dict[int, SpotCheckItem] = {}
    for item in (SpotCheckItem.objects.filter(ret__in=returns).exclude(outcome=SpotCheckOutcome.PENDING)
                 .select_related("checked_by").order_by("checked_at")):
        found[item.ret_id] = item
    return found
