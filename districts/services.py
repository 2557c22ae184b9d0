"""Writes to the district's structure. Each runs in one transaction and is
checked against the writer's role and org unit; history rows are written by
django-simple-history in the same transaction."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from districts.models import ADMIN_ROLES, Membership, OrgUnit, Role, Site, User
from districts.scoping import scope_for

# Who may add and change sites, each within their own scope.
SITE_EDITOR_ROLES = frozenset({Role.STREET_STAFF, Role.COMMUNITY_STAFF, Role.DEPARTMENT_STAFF, Role.SYSTEM_ADMIN})
# Who may load and reshape the org tree.
ORG_EDITOR_ROLES = frozenset({Role.SYSTEM_ADMIN})


def user_sync_admin_access(*, user: User) -> None:
    """Staff status and admin groups follow the user's admin memberships."""
    roles = set(user.memberships.filter(role__in=ADMIN_ROLES).values_list("role", flat=True))
    groups = Group.objects.filter(name__in=roles)
    user.groups.set(groups)
    is_staff = bool(roles) or user.is_superuser
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


def membership_create(*, user: User, unit: OrgUnit, role: str) -> Membership:
    membership = Membership(user=user, unit=unit, role=role)
    membership.full_clean()
    with transaction.atomic():
        membership.save()
    return membership


def ensure_can_edit_site(*, by: User, unit: OrgUnit, sector_id: int | None) -> None:
    if not scope_for(by, SITE_EDITOR_ROLES).covers(unit, sector_id):
        raise PermissionDenied(_("You may not add or change sites in %(unit)s.") % {"unit": unit})


def _site_save(site: Site, by: User) -> Site:
    site.full_clean()
    with transaction.atomic():
        site._history_user = by
        site.save()
    return site


def site_create(*, by: User, **fields) -> Site:
    site = Site(**{k: v for k, v in fields.items() if k in Site.EDITABLE_FIELDS})
    ensure_can_edit_site(by=by, unit=site.unit, sector_id=site.sector_id)
    return _site_save(site, by)


def site_update(*, site: Site, by: User, **fields) -> Site:
    # The writer must be allowed both where the site was and where it goes.
    ensure_can_edit_site(by=by, unit=site.unit, sector_id=site.sector_id)
    for name, value in fields.items():
        if name in Site.EDITABLE_FIELDS:
            setattr(site, name, value)
    ensure_can_edit_site(by=by, unit=site.unit, sector_id=site.sector_id)
    return _site_save(site, by)
