from django.utils.translation import gettext_lazy as _

from districts.models import ADMIN_ROLES, Role
from districts.scoping import memberships_of
from districts.services import SITE_EDITOR_ROLES


def navigation(request):
    """The menu: what the signed-in user's roles let them open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    roles = {m.role for m in memberships_of(user)}
    items = [("home", _("Home"))]
    data_roles = roles - {Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
    if data_roles or user.is_superuser:
        items += [("unit_tree", _("Org tree")), ("site_list", _("Sites"))]
    if Role.SYSTEM_ADMIN in roles or user.is_superuser:
        items.append(("import_units", _("Import units")))
    if roles & SITE_EDITOR_ROLES or user.is_superuser:
        items.append(("import_sites", _("Import sites")))
    return {"nav_items": items, "nav_roles": roles, "nav_admin": bool(roles & ADMIN_ROLES) or user.is_staff}
