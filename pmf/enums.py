"""Pure: labelled enumerations, defined once for the pure rules and the models alike (no Django here).

A status the rules compute (RAG, direction of travel, an action's status, a frequency) is one ``Labelled`` class
in its rule module, with the words people read beside each value. It behaves as Django's ``TextChoices`` does
where the product uses it: ``Rag.GREEN.label``, ``Rag.choices`` for a model field, ``Rag.values``, ``"green" in
Rag``, and templates read a member rather than call the class.
"""

from __future__ import annotations

import enum

__all__ = ["Labelled"]


class _LabelledType(enum.EnumType):
    def __contains__(cls, member) -> bool:
        if not isinstance(member, enum.Enum):
            return any(m.value == member for m in cls)
        return super().__contains__(member)

    @property
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]

    @property
    def values(cls) -> list[str]:
        return [m.value for m in cls]

    @property
    def labels(cls) -> list[str]:
        return [m.label for m in cls]

    @property
    def names(cls) -> list[str]:
        return [m.name for m in cls]


class Labelled(enum.StrEnum, metaclass=_LabelledType):
    """A string enumeration whose members are written ``GREEN = "green", "Green"`` (value, label)."""

    def __new__(cls, value: str, label: str | None = None):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label if label is not None else value.replace("_", " ").capitalize()
        return member

    @property
    def label(self) -> str:
        return self._label

    # Django templates call what is callable; a member of this class is read, as with Django's choices.
    do_not_call_in_templates = enum.nonmember(True)
