"""Writes of the organisation core."""

from __future__ import annotations

from contextlib import contextmanager

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from pmf.choices import Frequency
from pmf.db import as_owner
from pmf.models import FinancialYear, MaintenanceWindow, Period
from pmf.periods import periods_per_year


@transaction.atomic
def ensure_financial_year(start_year: int) -> FinancialYear:
    """Create a financial year with every period of every frequency, if not there already."""
    year, _ = FinancialYear.objects.get_or_create(start_year=start_year)
    existing = set(Period.objects.filter(financial_year=year).values_list("frequency", "number"))
    for frequency in Frequency:
        for number in range(1, periods_per_year(frequency) + 1):
            if (frequency.value, number) not in existing:
                Period(financial_year=year, frequency=frequency, number=number).save()
    return year


PERFORMANCE_UNIT_GROUP = "Performance unit"
_CONFIGURED_APPS = ("pmf", "plans", "indicators", "reporting")


@transaction.atomic
def performance_unit_group():
    """The permission group of the performance unit (E1): configures levels, periods, indicators, targets,
    tolerances and users in the admin. What they see there is still scoped to their councils."""
    group, _ = Group.objects.get_or_create(name=PERFORMANCE_UNIT_GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=_CONFIGURED_APPS))
    return group


@contextmanager
def maintenance_window(purpose: str):
    """Lift the integrity triggers for one transaction of the database owner (see pmf/integrity.py and
    pmf/db.py): every query inside the block runs on the owner's connection, in that transaction. For removing a
    whole council; never for editing figures. The app role cannot open one."""
    with as_owner() as alias, transaction.atomic(using=alias):
        window = MaintenanceWindow.objects.create(purpose=purpose)
        yield
        MaintenanceWindow.objects.filter(pk=window.pk).delete()


# -- single sign-on (pmf/sso.py) -------------------------------------------------------------------------------

_SSO_REASON = "Single sign-on: the person's groups at the council's identity provider"
_ROLE_KEY = ("council_id", "role", "directorate_id", "service_id", "team_id", "committee_id", "portfolio_id")


def _role_key(values) -> tuple:
    get = values.get if isinstance(values, dict) else lambda name: getattr(values, name)
    return tuple(get(name) for name in _ROLE_KEY)


@transaction.atomic
def apply_sso_sign_in(*, user, profile, wanted: list[dict], groups: list[str]):
    """A single sign-on's writes, in one transaction: the account created (``user`` None) or linked to the
    provider's identifier and its names and email brought up to date, then its roles made those ``wanted`` (what
    the person's groups map to, ``pmf.sso.roles_for_groups``). Only roles a mapping gave are ended; roles given by
    hand are never touched, and a wanted role the person already holds by hand is not given twice. Audited."""
    from pmf import audit
    from pmf.choices import AuditAction
    from pmf.models import RoleAssignment, User

    council = wanted[0]["council"] if wanted else None
    reason = f"{_SSO_REASON} ({', '.join(groups) or 'none'})."[:2000]
    fields = ("email", "first_name", "last_name", "sso_subject")
    if user is None:
        user = User(username=profile.email[:150], email=profile.email, first_name=profile.first_name,
                    last_name=profile.last_name, sso_subject=profile.subject)
        user.set_unusable_password()  # they sign in through their council account only
        user.save()
        audit.record(user=user, action=AuditAction.CREATE, obj=user, council=council, reason=reason,
                     changes={name: [None, value] for name, value in audit.snapshot(user, fields).items()})
    else:
        user = User.objects.select_for_update().get(pk=user.pk)
        before = audit.snapshot(user, fields)
        user.sso_subject = profile.subject
        for name in ("email", "first_name", "last_name"):
            if getattr(profile, name):
                setattr(user, name, getattr(profile, name))
        changes = audit.diff(before, audit.snapshot(user, fields))
        if changes:
            user.save(update_fields=list(changes))
            audit.record(user=user, action=AuditAction.UPDATE, obj=user, council=council, changes=changes,
                         reason=reason)

    held = {_role_key(ra): ra for ra in RoleAssignment.objects.select_for_update().filter(user=user)}
    wanted_keys = set()
    for spec in wanted:
        values = {f"{name}_id" if name != "role" else name: (getattr(value, "pk", value)) for name, value in
                  spec.items()}
        key = _role_key(values)
        if key in wanted_keys or key in held:
            wanted_keys.add(key)
            continue
        wanted_keys.add(key)
        assignment = RoleAssignment.objects.create(user=user, from_sso=True, **spec)
        audit.record(user=user, action=AuditAction.CREATE, obj=assignment, reason=reason,
                     changes={"role": [None, str(assignment)]})
    for key, assignment in held.items():
        if assignment.from_sso and key not in wanted_keys:
            audit.record(user=user, action=AuditAction.DELETE, obj=assignment, reason=reason,
                         changes={"role": [str(assignment), None]})
            assignment.delete()
    return user
