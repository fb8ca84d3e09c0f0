"""Admin base classes that keep the Django admin inside the user's councils (E2): the change lists, the
objects that can be opened, and the choices offered in every foreign-key and many-to-many field.

``ScopedModelAdmin`` also writes the audit trail (E3) for everything done in the admin, in the same
transaction as the change: one entry per object added, changed (each changed field from and to) or deleted,
including the objects of its inlines and the bulk "delete selected" action (one entry per object, sharing a
batch). A model admin can lock objects (``locked_message``): they show read-only with that note and cannot be
deleted. Whatever gets past that to a database integrity rule is shown as an error message, never a 500.
"""

from __future__ import annotations

import copy
import uuid
from decimal import Decimal

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, models, router, transaction
from django.http import HttpResponseRedirect
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from pmf import audit
from pmf.access import restrict, scope_for
from pmf.models import AuditEntry, Council, MaintenanceWindow

#: Never recorded in the audit trail: the trail itself, and what could not be recorded safely.
NOT_AUDITED = {AuditEntry, MaintenanceWindow}
SECRET_FIELDS = {"password"}


class ScopedMixin:
    def get_queryset(self, request):
        return restrict(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = restrict(field.queryset, request.user)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = restrict(field.queryset, request.user)
        return field


# -- Audit helpers ---------------------------------------------------------------------------------------

def _model_field(model, name: str):
    if name in SECRET_FIELDS:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if field.auto_created or not (field.concrete or field.many_to_many):
        return None
    return field


def _split(model, names) -> tuple[list[str], list[str]]:
    """The form fields that are model fields: (plain and foreign-key fields, many-to-many fields)."""
    plain, m2m = [], []
    for name in names:
        field = _model_field(model, name)
        if field is None:
            continue
        (m2m if field.many_to_many else plain).append(name)
    return plain, m2m


def _values(obj: models.Model, names: list[str]) -> dict:
    """``audit.snapshot`` of the fields; files by their name, decimals as written (50, 95.5)."""
    out = {}
    for name in names:
        value = getattr(obj, name, None)
        if isinstance(value, models.fields.files.FieldFile):
            out[name] = value.name or None
        elif isinstance(value, Decimal):
            out[name] = format(value.normalize(), "f")
        else:
            out.update(audit.snapshot(obj, [name]))
    return out


def _m2m_values(obj: models.Model, names: list[str]) -> dict:
    if obj.pk is None:
        return {name: [] for name in names}
    return {name: sorted(str(o) for o in getattr(obj, name).all()) for name in names}


def _created(obj: models.Model, form) -> dict:
    """What a new object was created with: its form's model fields that have a value, as {field: [None, to]}."""
    plain, m2m = _split(type(obj), form.fields)
    after = {**_values(obj, plain), **_m2m_values(obj, m2m)}
    return {k: [None, v] for k, v in after.items() if v not in (None, "", [], {})}


def _is_audited(model) -> bool:
    return model not in NOT_AUDITED


def _database_message(exc: IntegrityError) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else "it breaks a rule the database enforces"
    return f"Nothing was saved: {text}"


class AuditedAdminMixin:
    """E3 for the admin: every add, change and delete, inlines and bulk deletes included, is recorded with
    the user, the fields from and to, in the transaction that makes the change."""

    def _audit_council(self, request, obj) -> Council | None:
        if isinstance(obj, Council):
            return obj if obj.pk else None
        found = audit.council_of(obj)
        if found is not None:
            return found
        # Organisation objects shared between councils (directorates, services, people): the council the
        # performance unit member is configuring.
        scope = scope_for(request.user)
        mine = sorted(scope.configure) or sorted(scope.councils)
        return Council.objects.filter(pk=mine[0]).first() if mine else None

    def _write(self, request, entries: list[tuple[str, models.Model, dict]]) -> None:
        batch = uuid.uuid4() if len(entries) > 1 else None
        for action, obj, changes in entries:
            audit.record(user=request.user, action=action, obj=obj, changes=changes,
                         council=self._audit_council(request, obj), batch=batch)

    # Add and change: the object's own fields in save_model, many-to-many and inlines in save_related.

    def save_model(self, request, obj, form, change):
        if not _is_audited(type(obj)):
            return super().save_model(request, obj, form, change)
        plain, m2m = _split(type(obj), form.changed_data if change else [])
        before = {}
        if change and plain:
            stored = type(obj)._base_manager.filter(pk=obj.pk).first()
            before = _values(stored, plain) if stored is not None else {}
        m2m_before = _m2m_values(obj, m2m) if change else {}
        super().save_model(request, obj, form, change)
        request._pmf_audit = {"obj": obj, "form": form, "change": change, "plain": plain, "m2m": m2m,
                              "before": {**before, **m2m_before}, "inlines": []}

    def save_related(self, request, form, formsets, change):
        pending = getattr(request, "_pmf_audit", None)
        if pending is None or pending["form"] is not form:
            return super().save_related(request, form, formsets, change)
        super().save_related(request, form, formsets, change)
        request._pmf_audit = None
        obj = pending["obj"]
        if change:
            after = {**_values(obj, pending["plain"]), **_m2m_values(obj, pending["m2m"])}
            changes = audit.diff(pending["before"], after)
            entries = [("update", obj, changes)] if changes else []
        else:
            entries = [("create", obj, _created(obj, form))]
        self._write(request, entries + pending["inlines"])

    def save_formset(self, request, form, formset, change):
        pending = getattr(request, "_pmf_audit", None)
        model = formset.model
        if pending is None or not _is_audited(model):
            return super().save_formset(request, form, formset, change)
        deleted = [copy.copy(f.instance) for f in formset.deleted_forms if f.instance.pk is not None]
        changed_forms = [f for f in formset.initial_forms
                         if f.instance.pk is not None and f not in formset.deleted_forms and f.has_changed()]
        stored = {o.pk: o for o in model._base_manager.filter(pk__in=[f.instance.pk for f in changed_forms])}
        m2m_before = {f.instance.pk: _m2m_values(f.instance, _split(model, f.changed_data)[1])
                      for f in changed_forms}
        super().save_formset(request, form, formset, change)
        forms_by_obj = {id(f.instance): f for f in formset.forms}
        for obj in formset.new_objects:
            inline_form = forms_by_obj.get(id(obj))
            pending["inlines"].append(("create", obj, _created(obj, inline_form) if inline_form else {}))
        for obj, changed_data in formset.changed_objects:
            plain, m2m = _split(model, changed_data)
            before = {**(_values(stored[obj.pk], plain) if obj.pk in stored else {}), **m2m_before.get(obj.pk, {})}
            changes = audit.diff(before, {**_values(obj, plain), **_m2m_values(obj, m2m)})
            if changes:
                pending["inlines"].append(("update", obj, changes))
        pending["inlines"].extend(("delete", obj, {}) for obj in deleted)

    # Delete: one object, or a bulk "delete selected" (one entry per object, one batch).

    def delete_model(self, request, obj):
        if not _is_audited(type(obj)):
            return super().delete_model(request, obj)
        with transaction.atomic(using=router.db_for_write(type(obj))):
            self._write(request, [("delete", obj, {})])
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        if not _is_audited(queryset.model):
            return super().delete_queryset(request, queryset)
        with transaction.atomic(using=router.db_for_write(queryset.model)):
            objects = list(queryset)
            batch = uuid.uuid4()
            for obj in objects:
                audit.record(user=request.user, action="delete", obj=obj, batch=batch,
                             council=self._audit_council(request, obj))
            super().delete_queryset(request, queryset)

    # A change the database refuses (an integrity trigger, a constraint) is an error message, never a 500.

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError as exc:
            self.message_user(request, _database_message(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except IntegrityError as exc:
            self.message_user(request, _database_message(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except IntegrityError as exc:
            self.message_user(request, _database_message(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class LockableAdminMixin:
    """Objects the domain locks (an approved target, B4; an approved return, B5) show read-only, with a note
    saying how they do change, and cannot be deleted. ``locked_message(obj)`` says whether and why (plain
    text); ``locked_link(request, obj)`` may offer the way to change it, as (url, label)."""

    def locked_message(self, obj) -> str:
        return ""

    def locked_link(self, request, obj) -> tuple[str, str] | None:
        return None

    def has_change_permission(self, request, obj=None):
        if obj is not None and self.locked_message(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self.locked_message(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        note = self.locked_message(obj) if obj is not None else ""
        if note and fieldsets:
            link = self.locked_link(request, obj)
            html = format_html('<strong class="pmf-locked">{}</strong>', note)
            if link:
                html = format_html('{} <a href="{}">{}</a>', html, *link)
            name, options = fieldsets[0]
            if options.get("description"):
                # A fieldset's description is written in the admin class's code, never typed by a person, and
                # Django's own admin templates print it unescaped: kept as the HTML it is.
                html = format_html("{}<br>{}", html, mark_safe(options["description"]))  # nosec B308 B703
            fieldsets[0] = (name, {**options, "description": html})
        return fieldsets

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id is not None:
            obj = self.get_object(request, unquote(object_id))
            note = self.locked_message(obj) if obj is not None else ""
            if note and self.has_view_permission(request, obj):
                self.message_user(request, f"Nothing was saved. {note}", messages.ERROR)
                return HttpResponseRedirect(request.get_full_path())
        return super().changeform_view(request, object_id, form_url, extra_context)


class ScopedModelAdmin(LockableAdminMixin, AuditedAdminMixin, ScopedMixin, admin.ModelAdmin):
    list_per_page = 50


class ScopedTabularInline(ScopedMixin, admin.TabularInline):
    pass


class ScopedStackedInline(ScopedMixin, admin.StackedInline):
    pass
