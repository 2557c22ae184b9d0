"""Who keeps the accident register and the yearly values (生产安全事故统计).

- The creation office's reviewers and the staff of the district's emergency-management bureau
  (应急管理局, whose remit production-safety accident statistics are) record accidents anywhere
  in their district.
- A street's staff record the accidents at places in their street (the street, its communities
  and grids): the street is often first to know.
- The yearly values (GDP, and the deaths the targets are measured by, the baseline year's too)
  are the district's statistics: only the office and the bureau set them, never a street whose
  own progress they judge.
- Everyone else reads what their scope shows (leaders the whole district), and writes nothing.

The bureau sees the district's accidents too, whatever sector it leads: it keeps them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from districts.models import OrgUnit, Role
from districts.scoping import Scope, Subtree, memberships_of
from districts.subtree import district_of

if TYPE_CHECKING:
    from districts.models import User

# The bureau's code in the district's structure (districts.structure.SECTORS): <district>-YJJ.
EMERGENCY_BUREAU_SUFFIX = "-YJJ"


def is_emergency_bureau(unit: OrgUnit) -> bool:
    """The district's emergency-management bureau (its parent is loaded with the membership)."""
    return (
        unit.kind == OrgUnit.Kind.DEPARTMENT
        and unit.parent_id is not None
        and unit.code == f"{unit.parent.code}{EMERGENCY_BUREAU_SUFFIX}"
    )


def _scope(user: User, *, streets: bool) -> Scope:
    if not user.is_authenticated or not user.is_active:
        return Scope()
    if user.is_superuser:
        return Scope(everything=True)
    subtrees = set()
    for m in memberships_of(user):
        if m.role == Role.REVIEWER or (m.role == Role.DEPARTMENT_STAFF and is_emergency_bureau(m.unit)):
            subtrees.add(Subtree.of(district_of(m.unit)))
        elif streets and m.role == Role.STREET_STAFF:
            subtrees.add(Subtree.of(m.unit))
    return Scope(subtrees=frozenset(subtrees))


def accident_writer_scope(user: User) -> Scope:
    """Where `user` may record and correct accidents."""
    return _scope(user, streets=True)


def yearly_value_writer_scope(user: User) -> Scope:
    """Whose yearly values (district, streets) `user` may set."""
    return _scope(user, streets=False)
