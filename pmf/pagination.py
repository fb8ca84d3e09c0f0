from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def paginate(request: HttpRequest, object_list, per_page: int = 25) -> tuple[Page, str]:
    """The requested page (out-of-range pages give the last one) and the query string without ``page``,
    so the pagination links keep the filters."""
    page = Paginator(object_list, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return page, (encoded + "&") if encoded else ""


def int_param(raw: str, *, maximum: int = 2**31 - 1) -> int | None:
    """A whole-number query parameter, or None when it is not one (or beyond what the database holds).

    Only the digits 0 to 9: ``str.isdigit`` also accepts "²" and other digits ``int`` cannot read, and a number of
    thousands of digits is refused by ``int`` itself, so both are checked before converting."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return None
    digits = raw.lstrip("0") or "0"
    if len(digits) > len(str(maximum)):
        return None
    value = int(digits)
    return value if value <= maximum else None
