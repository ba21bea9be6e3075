"""The audit trail in the admin: readable and filterable by those allowed, never changed."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from audit.kinds import AuditKind
from audit.models import AuditEntry


class KindFilter(admin.SimpleListFilter):
    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):  # noqa: ANN001 - Django's signature
        return AuditKind.choices

    def queryset(self, request, queryset):  # noqa: ANN001
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "who", "via", "kind_label", "object_type", "object_id", "object_repr"]
    list_filter = [KindFilter, "via", "at"]
    search_fields = ["username", "object_repr", "object_id"]
    date_hierarchy = "at"
    readonly_fields = [field.name for field in AuditEntry._meta.fields]
    # No bulk "delete selected" action either.
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False
