"""The demo's people who are not demo logins: a unit's staff who file its reports, rectify its
hazards, report on its key tasks. One named account per unit, that cannot sign in; the demo
loaders above (hazards, campaign, reporting) all take their people from here."""

from __future__ import annotations

from collections.abc import Iterable

from districts.models import Membership, OrgUnit, Role, User
from districts.services import membership_create

# The role a unit's demo account holds, by the kind of unit.
STAFF_ROLE = {OrgUnit.Kind.STREET: Role.STREET_STAFF, OrgUnit.Kind.TEAM: Role.INSPECTOR}
TITLE = {OrgUnit.Kind.TEAM: "检查员"}


def demo_staff(unit: OrgUnit, roles: Iterable[str] | None = None) -> User:
    """The unit's first member holding one of `roles` (a demo login where there is one), else
    its named account `filer-<code>`, which cannot sign in, granted the unit's staff role (street
    staff, an inspection team's inspector, else department staff) through the service."""
    role = STAFF_ROLE.get(unit.kind, Role.DEPARTMENT_STAFF)
    member = (
        Membership.objects.filter(unit=unit, role__in=list(roles or [role]))
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if member:
        return member.user
    user, created = User.objects.get_or_create(
        username=f"filer-{unit.code.lower()}", defaults={"full_name": f"{unit.name} {TITLE.get(unit.kind, '信息员')}"}
    )
    if created:
        user.set_unusable_password()
        user.save()
    if not Membership.objects.filter(user=user, unit=unit, role=role).exists():
        membership_create(user=user, unit=unit, role=role)
    return user
