"""Claims as Microsoft Entra ID sends them: ``oid`` (the person's stable object ID), ``email``, names, and
``groups`` (the object IDs of their groups: here the names of their Django groups)."""

from oauth2_provider.oauth2_validators import OAuth2Validator

from tests.oidc_provider.claims import oid_of


class Validator(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "oid": "openid", "groups": "openid", "amr": "openid"}

    def get_additional_claims(self, request):
        user = request.user
        return {
            "oid": oid_of(user.username),
            "email": user.email,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "preferred_username": user.email,
            "groups": sorted(user.groups.values_list("name", flat=True)),
            "amr": ["pwd"],
        }
