"""Forms and form helpers every app's pages share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

#: The largest version a row can hold (a PostgreSQL ``integer``).
MAX_VERSION = 2**31 - 1


class VersionField(forms.IntegerField):
    """The version of the object the page was loaded with, in a hidden field: only a damaged or tampered page sends
    one that is not a whole number from 0 to ``MAX_VERSION``, and the form refuses it (the database would, with a
    500, where a service stores it)."""

    widget = forms.HiddenInput
    default_error_messages = dict.fromkeys(
        ("invalid", "min_value", "max_value"),
        "Version: this page sent a version number that is not valid. Reload the page and make your change again.")

    def __init__(self, **kwargs):
        super().__init__(min_value=0, max_value=MAX_VERSION, **kwargs)


class ReasonForm(forms.Form):
    """A decision that needs a reason (send back, reopen, query), on the version of the object the user saw."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    version = VersionField()


def show_refusal(form: forms.Form, refused: ValidationError) -> None:
    """Put a service's refusal on the form: each problem on its field, or at the top of the form when the form
    has no such field (or the refusal names none)."""
    if not hasattr(refused, "error_dict"):
        for message in refused.messages:
            form.add_error(None, message)
        return
    for name, errors in refused.message_dict.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)
