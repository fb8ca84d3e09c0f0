"""Forms and form helpers every app's pages share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


class ReasonForm(forms.Form):
    """A decision that needs a reason (send back, reopen, query), on the version of the object the user saw."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput)


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
