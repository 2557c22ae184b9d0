"""Writes to the district's structure. Each runs in one transaction and is
checked against the writer's role and org unit; history rows are written by
django-simple-history in the same transaction."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.lib.history import save_with_history
from campaign.lib.services import refuse_unknown_fields
from campaign.lib.signals import tell
from districts import authority
from districts.models import ADMIN_ROLES, Membership, OrgUnit, Role, Site, User
from districts.scoping import scope_for

# Who may add and change sites, each within their own scope.
SITE_EDITOR_ROLES = frozenset({Role.STREET_STAFF, Role.COMMUNITY_STAFF, Role.DEPARTMENT_STAFF, Role.SYSTEM_ADMIN})
# Who may load and reshape the org tree.
ORG_EDITOR_ROLES = frozenset({Role.SYSTEM_ADMIN})


def user_sync_admin_access(*, user: User) -> None:
    """Staff status and admin groups follow the user's admin memberships. Never
    superuser status: the three admin roles replace it (districts.authority)."""
    roles = set(user.memberships.filter(role__in=ADMIN_ROLES).values_list("role", flat=True))
    groups = Group.objects.filter(name__in=roles)
    user.groups.set(groups)
    is_staff = bool(roles)
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


def membership_create(*, user: User, unit: OrgUnit, role: str, by: User | None = None, request=None) -> Membership:
    """Grant `role` at `unit`. `by=None` is the console or a loader (load_plan, load_demo)."""
    membership = Membership(user=user, unit=unit, role=role)
    membership.full_clean()
    with transaction.atomic():
        # Taken in order, so that two grants to one person cannot both pass the one-kind rule.
        User.objects.select_for_update().filter(pk=user.pk).first()
        authority.check_membership_create(by=by, user=user, unit=unit, role=role)
        membership._history_user = by
        membership.save()
        if role in ADMIN_ROLES and by is not None:
            # Whoever knew the password before must not sign in as the new administrator.
            user.set_unusable_password()
            user.must_change_password = True
            user._history_user = by
            user.save(update_fields=["password", "must_change_password"])
        _tell_role_change(request, by, membership, "grant")
    return membership


def membership_delete(*, by: User | None, membership: Membership, request=None) -> None:
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=membership.user_id).first()
        authority.check_membership_delete(by=by, membership=membership)
        _tell_role_change(request, by, membership, "revoke")
        membership._history_user = by
        membership.delete()


def _tell_role_change(request, by, membership, action):
    tell(
        "role_change",
        request=request,
        user=by,
        obj=membership,
        detail={
            "action": action,
            "user": membership.user.username,
            "unit": membership.unit.code,
            "role": membership.role,
            "by": by.username if by else "console",
        },
    )


USER_EDITABLE_FIELDS = ("username", "full_name", "phone", "email")


def user_create(*, by: User | None, username: str, **fields) -> User:
    """A new account, without a usable password: its first one comes from a
    reset (districts.authority rule 6), so that the creator never knows it."""
    refuse_unknown_fields("user_create", fields, USER_EDITABLE_FIELDS)
    authority.check_user_create(by=by)
    user = User(username=username, **fields)
    user.set_unusable_password()
    with transaction.atomic():
        return save_with_history(user, by)


def user_update(*, by: User | None, user: User, **fields) -> User:
    refuse_unknown_fields("user_update", fields, USER_EDITABLE_FIELDS)
    with transaction.atomic():
        authority.check_user_change(by=by, user=user)
        for name, value in fields.items():
            setattr(user, name, value)
        return save_with_history(user, by)


def user_set_active(*, by: User | None, user: User, active: bool) -> User:
    with transaction.atomic():
        authority.check_user_change(by=by, user=user)
        user.is_active = active
        return save_with_history(user, by)


# A temporary password: no look-alike characters, and all four character classes.
_TEMP_ALPHABETS = ("ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnpqrstuvwxyz", "23456789", "#%+=?@")


def temporary_password(length: int = 14) -> str:
    rng = secrets.SystemRandom()
    chars = [rng.choice(a) for a in _TEMP_ALPHABETS]
    pool = "".join(_TEMP_ALPHABETS)
    chars += [rng.choice(pool) for _ in range(length - len(chars))]
    rng.shuffle(chars)
    return "".join(chars)


def user_reset_password(*, by: User | None, user: User, request=None) -> str:
    """Set a temporary password, to be changed at the next sign-in, and return it
    (to be shown once). `by=None` is the server console."""
    with transaction.atomic():
        authority.check_password_reset(by=by, user=user)
        password = temporary_password()
        user.set_password(password)
        user.must_change_password = True
        user.password_changed_at = timezone.now()
        user._history_user = by
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
        tell(
            "password_reset",
            request=request,
            user=by,
            obj=user,
            detail={"user": user.username, "by": by.username if by else "console"},
        )
    return password


def orgunit_save(*, by: User | None, unit: OrgUnit) -> OrgUnit:
    """Add or change an org unit: the writer's org-editing scope must hold where
    the unit was and where it goes (as the spreadsheet import checks)."""
    scope = scope_for(by, ORG_EDITOR_ROLES) if by is not None else None
    if scope is not None:
        if unit.pk:
            stored = OrgUnit.objects.get(pk=unit.pk)
            if not scope.covers(stored):
                raise PermissionDenied(_("%(unit)s is outside the units you administer.") % {"unit": stored})
        parent = unit.parent
        if (parent is None and not scope.everything) or (parent is not None and not scope.covers(parent)):
            raise PermissionDenied(
                _("%(unit)s is outside the units you administer.") % {"unit": parent or _("the top of the tree")}
            )
    with transaction.atomic():
        return save_with_history(unit, by)


def ensure_can_edit_site(*, by: User, unit: OrgUnit, sector_id: int | None) -> None:
    if not scope_for(by, SITE_EDITOR_ROLES).covers(unit, sector_id):
        raise PermissionDenied(_("You may not add or change sites in %(unit)s.") % {"unit": unit})


def site_create(*, by: User, **fields) -> Site:
    refuse_unknown_fields("site_create", fields, Site.EDITABLE_FIELDS)
    site = Site(**fields)
    ensure_can_edit_site(by=by, unit=site.unit, sector_id=site.sector_id)
    with transaction.atomic():
        return save_with_history(site, by)


def site_update(*, site: Site, by: User, **fields) -> Site:
    # The writer must be allowed both where the site was and where it goes.
    ensure_can_edit_site(by=by, unit=site.unit, sector_id=site.sector_id)
    refuse_unknown_fields("site_update", fields, Site.EDITABLE_FIELDS)
    for name, value in fields.items():
        setattr(site, name, value)
    ensure_can_edit_site(by=by, unit=site.unit, sector_id=site.sector_id)
    with transaction.atomic():
        return save_with_history(site, by)
