"""The menu. It spans every app, so it sits in the project package, above them all."""

from django.utils.translation import gettext_lazy as _

from campaign.accident_roles import accident_writer_scope, yearly_value_writer_scope
from campaign.lib import cards
from campaign.services.tasks import TASK_EDITOR_ROLES
from districts.models import ADMIN_ROLES, Role
from districts.scoping import memberships_of
from districts.services import ORG_EDITOR_ROLES, SITE_EDITOR_ROLES
from hazards.workflow import SIDE_ROLES, Side
from risks.services import RISK_EDITOR_ROLES

# Security and audit admins run the platform and see no campaign data.
NO_DATA_ROLES = {Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}


def _entry(item) -> dict:
    """A page {"name", "label"}, or a menu {"label", "pages", "names"} of pages."""
    first, second = item
    if isinstance(second, list):
        return {"label": first, "pages": [_entry(page) for page in second], "names": [name for name, _ in second]}
    return {"name": first, "label": second}


def navigation(request):
    """What the signed-in user's roles let them open: the pages, and a menu of imports."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_imports": []}
    roles = {m.role for m in memberships_of(user)}
    everything = user.is_superuser
    # Each entry is a page (url name, label) or a menu (label, [pages]): the bar stays one line
    # on a desktop however many pages the platform grows.
    items = [("home", _("Home"))]
    if roles - NO_DATA_ROLES or everything:
        items += [
            (_("Base data"), [("unit_tree", _("Org tree")), ("site_list", _("Sites"))]),
            ("risk_list", _("Risk register")),
            ("risk_distribution", _("Four-colour map")),
            ("hazard_list", _("Hazards")),
            ("reporting_home", _("Reports")),
            ("assessment_rounds", _("Inspections and assessments")),
            (
                _("Campaign"),
                [
                    ("key_task_list", _("Key tasks")),
                    ("accident_list", _("Accident register")),
                    ("yearly_values", _("Yearly values")),
                    ("campaign_targets", _("Target progress")),
                ],
            ),
        ]
    if Role.AUDIT_ADMIN in roles:
        items.append(("audit_events", _("Audit trail")))
    imports = []
    if roles & ORG_EDITOR_ROLES or everything:
        imports.append(("import_units", _("Org units")))
    if roles & SITE_EDITOR_ROLES or everything:
        imports.append(("import_sites", _("Sites")))
    if roles & RISK_EDITOR_ROLES or everything:
        imports.append(("import_risks", _("Risk list")))
    if roles & SIDE_ROLES[Side.REPORTER] or everything:
        imports.append(("import_hazards", _("Hazard ledger")))
    if roles & TASK_EDITOR_ROLES or everything:
        imports.append(("import_key_tasks", _("Key tasks")))
    if not accident_writer_scope(user).is_empty:
        imports.append(("import_accidents", _("Accident register")))
    if not yearly_value_writer_scope(user).is_empty:
        imports.append(("import_yearly_values", _("Yearly values")))
    return {
        "nav_items": [_entry(item) for item in items],
        # Pages of apps above campaign (the dashboards), by the link their app registered.
        "nav_links": cards.links_for(user) if roles - NO_DATA_ROLES or everything else [],
        "nav_imports": imports,
        "nav_admin": bool(roles & ADMIN_ROLES) or user.is_staff,
    }
