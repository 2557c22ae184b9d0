"""Who may change whom: the one place of the three-role separation (三员分立).

Every path that changes people or roles (the back office's forms, inlines,
actions and bulk deletes, the console, the loaders) goes through
districts.services, and every service asks this module first. The rule:

1. Only a security admin creates or deletes memberships (roles); a membership
   is never edited in place: it is removed and another one is added.
2. Nobody changes their own memberships.
3. An administrator's account holds admin memberships of one kind and nothing
   else: nobody is given a second kind of admin role, a campaign role beside an
   admin role, or an admin role beside campaign roles.
4. A security admin manages memberships only in units under its own admin unit.
5. The system admin creates accounts, and changes and (de)activates accounts
   that hold no admin role. Nobody in the back office changes an
   administrator's account (username, name, active flag).
6. Nobody sets another person's password in the back office. The security
   admin resets the password of an account that holds no admin role: the
   platform makes a temporary one, shown once, to be changed at the next
   sign-in. An administrator's password is reset only on the server console
   (`manage.py reset_password`).
7. An admin role granted in the back office leaves the account without a usable
   password, so that whoever knew it before (the security admin who granted the
   role, after a reset) cannot sign in as the new administrator; its first
   password comes from the console.
8. The audit admin reads and changes nothing.
9. There are no superusers: the back office admits only active accounts that
   hold exactly one kind of admin role and are not flagged superuser.

`by=None` is the server console or a loader (load_plan, load_demo): trusted as
to who acts, still held to the shape of rule 3.

A refusal is a PermissionDenied carrying a message for the user; the back
office shows it and tells the audit trail (campaign.lib.admin).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from districts.models import ADMIN_ROLES, Membership, OrgUnit, Role, User
from districts.scoping import Scope, Subtree


def admin_roles_of(user: User) -> set[str]:
    """The kinds of admin role `user` holds, read fresh (never from a request's cache)."""
    if user is None or not user.pk:
        return set()
    return set(Membership.objects.filter(user=user, role__in=ADMIN_ROLES).values_list("role", flat=True))


def admin_scope(user: User) -> Scope:
    """The units an administrator keeps in the back office: everything under their admin
    units; everything at all for an administrator of the city (the top of the tree)."""
    units = OrgUnit.objects.filter(memberships__user=user, memberships__role__in=ADMIN_ROLES) if user.pk else []
    if any(u.parent_id is None and u.kind == OrgUnit.Kind.CITY for u in units):
        return Scope(everything=True)
    return Scope(subtrees=frozenset(Subtree.of(u) for u in units))


def holds(user: User | None, role: str) -> bool:
    return user is not None and user.is_authenticated and user.is_active and role in admin_roles_of(user)


def admits_to_back_office(user: User) -> bool:
    """Rule 9: an active, staff, non-superuser account holding exactly one kind of admin role."""
    if not (user.is_authenticated and user.is_active and user.is_staff) or user.is_superuser:
        return False
    return len(admin_roles_of(user)) == 1


def _label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role


def _require(by: User | None, role: str, message: str) -> None:
    if by is not None and not holds(by, role):
        raise PermissionDenied(message)


def _check_membership_shape(*, user: User, role: str) -> None:
    """Rule 3, for a membership about to be added to `user`."""
    held = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    held_admin = held & ADMIN_ROLES
    if role in ADMIN_ROLES:
        other_admin = held_admin - {role}
        if other_admin:
            raise PermissionDenied(
                _("%(user)s is already a %(held)s: one person holds one kind of admin role only.")
                % {"user": user, "held": "、".join(_label(r) for r in sorted(other_admin))}
            )
        if held - ADMIN_ROLES:
            raise PermissionDenied(
                _("%(user)s holds campaign roles: an administrator's account holds its admin role only.")
                % {"user": user}
            )
    elif held_admin:
        raise PermissionDenied(
            _("%(user)s is a %(held)s: an administrator's account holds its admin role only.")
            % {"user": user, "held": "、".join(_label(r) for r in sorted(held_admin))}
        )


def _check_membership_writer(*, by: User | None, user: User, unit: OrgUnit) -> None:
    """Rules 1, 2 and 4."""
    if by is None:
        return
    _require(by, Role.SECURITY_ADMIN, _("Only a security administrator grants or removes roles."))
    if by.pk == user.pk:
        raise PermissionDenied(_("Nobody grants or removes their own roles."))
    own_units = OrgUnit.objects.filter(memberships__user=by, memberships__role=Role.SECURITY_ADMIN)
    if not any(Subtree.of(u).contains(unit) for u in own_units):
        raise PermissionDenied(_("%(unit)s is outside the units you administer.") % {"unit": unit})


def check_membership_create(*, by: User | None, user: User, unit: OrgUnit, role: str) -> None:
    _check_membership_writer(by=by, user=user, unit=unit)
    _check_membership_shape(user=user, role=role)


def check_membership_delete(*, by: User | None, membership: Membership) -> None:
    _check_membership_writer(by=by, user=membership.user, unit=membership.unit)
    if by is None:
        return
    # Rule 3 kept the account to one kind; removing that kind's role is the
    # security admin's to do, removing anything else from an admin cannot arise.
    held_admin = admin_roles_of(membership.user)
    if held_admin and membership.role not in held_admin:
        raise PermissionDenied(_("An administrator's other roles are not changed here."))


def check_membership_change(*, by: User | None, membership: Membership) -> None:
    """Rule 1: memberships are removed and added, never edited in place."""
    raise PermissionDenied(_("A role is not edited in place: remove it and add the new one."))


def check_user_create(*, by: User | None) -> None:
    _require(by, Role.SYSTEM_ADMIN, _("Only a system administrator creates user accounts."))


def check_user_change(*, by: User | None, user: User) -> None:
    """Rule 5, for the account's fields and its active flag."""
    if by is None:
        return
    _require(by, Role.SYSTEM_ADMIN, _("Only a system administrator changes user accounts."))
    if admin_roles_of(user):
        raise PermissionDenied(
            _("%(user)s is an administrator: an administrator's account is not changed in the back office.")
            % {"user": user}
        )


def check_password_reset(*, by: User | None, user: User) -> None:
    """Rule 6."""
    if by is None:
        return
    _require(by, Role.SECURITY_ADMIN, _("Only a security administrator resets passwords."))
    if by.pk == user.pk:
        raise PermissionDenied(_("Change your own password on your account page, not by a reset."))
    if admin_roles_of(user):
        raise PermissionDenied(
            _("%(user)s is an administrator: an administrator's password is reset only on the server console.")
            % {"user": user}
        )


def check_setup(*, by: User | None) -> None:
    """Set-up data kept in the back office (the campaign and its targets, report
    types, control rules, unit boundaries): the system admin's."""
    _require(by, Role.SYSTEM_ADMIN, _("Only a system administrator changes the platform's set-up data."))
