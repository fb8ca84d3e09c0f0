"""Admin base classes that keep the Django admin inside the user's councils (E2): the change lists, the
objects that can be opened, and the choices offered in every foreign-key and many-to-many field."""

from __future__ import annotations

from django.contrib import admin

from pmf.access import restrict


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


class ScopedModelAdmin(ScopedMixin, admin.ModelAdmin):
    list_per_page = 50


class ScopedTabularInline(ScopedMixin, admin.TabularInline):
    pass


class ScopedStackedInline(ScopedMixin, admin.StackedInline):
    pass
