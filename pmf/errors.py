"""The two ways a service says no, shared by every app's services and the views that show them.

``Refused``: bad input or a broken rule. It carries the problems by field (``Refused({"reason": "Say why."})``),
or one message for the whole action; nothing was saved. ``Conflict``: someone else changed the object since the
user loaded it; ``current`` is the object as it is now, for the form to show. Views turn a ``Refused`` into form
errors with ``pmf.forms.show_refusal`` (400) and a ``Conflict`` into a message and the current figures (409).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class Refused(ValidationError):
    """Bad input or a broken rule: carries the problems by field, or one message."""

    def __str__(self) -> str:
        return " ".join(self.messages)


class Conflict(Exception):
    """Someone else changed the object since the user loaded it."""

    def __init__(self, current, message: str = ""):
        self.current = current
        super().__init__(message or "Someone else changed this while you were editing it. The current figures "
                                    "are shown below: check them, then make your change again.")
