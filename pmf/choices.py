"""Choices of the organisation core. Values are stable identifiers stored in the database. A choice the rule
modules also use (``Frequency``) is defined once, in its rule module, and named here too."""

from django.db import models

from pmf.periods import Frequency  # noqa: F401  (defined once, with its labels, beside the period rules)


class Role(models.TextChoices):
    """E1: the roles a person holds, each over a part of the organisation."""

    PERFORMANCE_UNIT = "performance_unit", "Performance unit"
    SERVICE_LEAD = "service_lead", "Performance / service lead"
    HEAD_OF_SERVICE = "head_of_service", "Head of service"
    DIRECTOR = "director", "Director"
    DELEGATE = "delegate", "Sign-off delegate"
    CABINET_MEMBER = "cabinet_member", "Cabinet member / portfolio holder"
    SCRUTINY_MEMBER = "scrutiny_member", "Scrutiny member"
    INTERNAL_AUDIT = "internal_audit", "Internal audit"
    STAFF = "staff", "Staff member"


class CommitteeKind(models.TextChoices):
    CABINET = "cabinet", "Cabinet"
    SCRUTINY = "scrutiny", "Scrutiny committee"
    JOINT_SCRUTINY = "joint_scrutiny", "Joint scrutiny committee"
    AUDIT = "audit", "Audit and governance committee"
    BOARD = "board", "Officer board"
    SHAREHOLDER = "shareholder", "Shareholder board"


class ServiceKind(models.TextChoices):
    """What kind of organisation unit delivers a service (A1): the council's own service, or a company, partnership
    or contract whose performance the council oversees."""

    SERVICE = "service", "Council service"
    COMPANY = "company", "Wholly-owned company"
    PARTNERSHIP = "partnership", "Partnership"
    CONTRACT = "contract", "Commissioned contract"


class CouncilType(models.TextChoices):
    UNITARY = "unitary", "Unitary authority"
    DISTRICT = "district", "District council"
    COUNTY = "county", "County council"
    METROPOLITAN = "metropolitan", "Metropolitan borough"
    LONDON_BOROUGH = "london_borough", "London borough"


class RecoveryScope(models.TextChoices):
    """Which red measures ask for a recovery plan (D4): a council's choice."""

    KPIS = "kpis", "Key performance indicators only"
    RATED = "rated", "Every measure rated against a target"


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    SUBMIT = "submit", "Submitted"
    VERIFY = "verify", "Verified"
    APPROVE = "approve", "Approved"
    RETURN = "return", "Returned with a reason"
    REOPEN = "reopen", "Reopened"
    REAPPROVE = "reapprove", "Re-approved"
    UPLOAD = "upload", "Evidence attached"
