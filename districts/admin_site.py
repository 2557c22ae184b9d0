"""The back office admits the three admin roles only (districts.authority, rule 9).

Superuser accounts are not used: the three roles replace them. A staff or
superuser flag alone opens nothing; an account holding two kinds of admin role
(which the services never make, but a database edit might) is refused too."""

from django.contrib import admin

from districts import authority


class PlatformAdminSite(admin.AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and authority.admits_to_back_office(request.user)
