from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from pmf.access import can_read_audit, councils_for, councils_in_view, scope_for


def navigation(request: HttpRequest) -> dict:
    """The councils the signed-in user works for, for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_for(user)
    return {
        "user_councils": councils_for(user),
        "nav_audit": can_read_audit(user),
        "nav_sign_off": bool(scope.sign_off) or user.is_superuser,
        "nav_verify": bool(scope.verifies),
        "nav_schedule": bool(scope.configure) or user.is_superuser,
        # More than one council in the user's view: rows and figures say their council (pmf.access.councils_in_view)
        "many_councils": SimpleLazyObject(lambda: councils_in_view(user) > 1),
    }
