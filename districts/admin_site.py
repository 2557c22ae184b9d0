"""The back office admits the three admin roles only (districts.authority, rule 9).

Superuser accounts are not used: the three roles replace them. A staff or
superuser flag alone opens nothing; an account holding two kinds of admin role
(which the services never make, but a database edit might) is refused too."""

from django.contrib import admin

from districts import authority


class PlatformAdminSite(admin.AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and authority.admits_to_back_office(request.user)

    def scoped(self, request, queryset, unit_path: str | None):
        """The rows of `queryset` an administrator sees: those at a unit under their admin
        unit (all of them for the city's administrators). `unit_path` leads from a row to
        its unit; None keeps rows of the whole platform."""
        if unit_path is None:
            return queryset
        scope = authority.admin_scope(request.user)
        if scope.everything:
            return queryset
        inside = scope.q(f"{unit_path}__" if unit_path else "", None)
        if "memberships" in unit_path:
            # Through a many-valued relation: each row once, whatever its memberships.
            return queryset.filter(pk__in=queryset.model._default_manager.filter(inside).values("pk"))
        return queryset.filter(inside)
