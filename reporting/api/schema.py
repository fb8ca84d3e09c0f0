"""The OpenAPI schema (drf-spectacular): every operation also lists the errors it may answer, in the one shape of
``reporting.api.errors`` (so a client, and schemathesis, can rely on it)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from rest_framework import serializers


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="The field the refusal is about; null for the whole "
                                                             "request.")
    message = serializers.CharField(help_text="What is wrong, and the rule it breaks.")


class ErrorSerializer(serializers.Serializer):
    errors = ErrorItemSerializer(many=True)


class ConflictSerializer(ErrorSerializer):
    current = serializers.JSONField(allow_null=True, help_text="The object as it now is, after the other change.")


ERRORS = {
    "400": ("Bad input or a broken rule: each error names its field.", ErrorSerializer),
    "401": ("No valid token or session.", ErrorSerializer),
    "403": ("Signed in, but not allowed to do this.", ErrorSerializer),
    "404": ("Not found, or outside what you may see.", ErrorSerializer),
    "409": ("Someone else changed it first (a stale version): the current state is given.", ConflictSerializer),
}


class AutoSchema(BaseAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        public = not self.view.get_authenticators() if hasattr(self.view, "get_authenticators") else False
        codes = ["400", "404"] if public else ["400", "401", "403", "404"]
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("409")
        for code in codes:
            if code not in responses:
                description, serializer = ERRORS[code]
                body = self._get_response_for_code(serializer, code, direction=direction)
                body["description"] = description
                responses[code] = body
        return responses


class TokenScheme(OpenApiAuthenticationExtension):
    """Personal API tokens (pmf/api_tokens.py) in the schema: ``Authorization: Bearer <token>``."""

    target_class = "pmf.api_tokens.TokenAuthentication"
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "A personal API token, made on the API tokens page (/accounts/api-tokens/)."}


#: Path parameters as the URL patterns take them (regular expressions the generator cannot read on its own).
PATH_PARAMETERS = {
    "id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    "year": {"type": "integer", "minimum": 2000, "maximum": 2100},
    "council_slug": {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$", "minLength": 1, "maxLength": 50},
}


def typed_path_parameters(result, generator, request, public):
    """drf-spectacular postprocessing hook: the path parameters' real types and patterns."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter["name"] in PATH_PARAMETERS:
                    parameter["schema"] = dict(PATH_PARAMETERS[parameter["name"]])
    return result
