from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    """The councils the signed-in user works for, for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from pmf.access import councils_for

    return {"user_councils": councils_for(user)}
