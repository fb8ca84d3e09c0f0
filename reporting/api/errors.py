"""One shape for every error the API gives: ``{"errors": [{"field": ..., "message": ...}]}`` (``field`` is null
for a refusal of the whole request), with the status saying what kind: 400 bad input or a broken rule, 401 not
signed in, 403 not allowed, 404 not found (or outside the person's scope), 409 someone else changed it first
(with ``current``: the object as it now is)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from pmf.errors import Conflict

#: Set by the views: how to show the current object of a ``Conflict`` (its model's label -> a serializer class).
CONFLICT_SERIALIZERS: dict[str, type] = {}


def _flatten(detail, field: str | None = None) -> list[dict]:
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            name = None if key in ("non_field_errors", "__all__") else (f"{field}.{key}" if field else str(key))
            out += _flatten(value, name)
        return out
    if isinstance(detail, list):
        out = []
        for value in detail:
            out += _flatten(value, field)
        return out
    return [{"field": field, "message": str(detail)}]


def errors(detail, field: str | None = None) -> dict:
    return {"errors": _flatten(detail, field)}


def _current(conflict: Conflict):
    obj = conflict.current
    if obj is None:
        return None
    serializer = CONFLICT_SERIALIZERS.get(obj._meta.label)
    return serializer(obj).data if serializer else {"id": obj.pk}


def handler(exc, context):
    """The REST framework's exception handler: every refusal in the one shape, never a 500 for a refusal."""
    if isinstance(exc, Conflict):
        return Response({**errors(str(exc.args[0]) if exc.args else "Changed by someone else.", "version"),
                         "current": _current(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):  # pmf.errors.Refused, and a model's own validation
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return Response(errors(detail), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found, or not yours to see.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "You may not do this.")
    if isinstance(exc, exceptions.APIException):
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        field = None
        detail = exc.detail
        return Response(errors(detail, field), status=exc.status_code, headers=headers)
    return None
