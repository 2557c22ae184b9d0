"""Reads of scoring templates. Templates belong to no org unit: who may read them is a matter
of role (the creation office, system administrators, inspectors, leaders), not of scope."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _

from assessments.models import Item, Rule, Template
from districts.models import Role, User
from districts.scoping import scope_for

TEMPLATE_READER_ROLES = frozenset({Role.REVIEWER, Role.SYSTEM_ADMIN, Role.INSPECTOR, Role.LEADER})


def may_read_templates(user: User) -> bool:
    return user.is_authenticated and not scope_for(user, TEMPLATE_READER_ROLES).is_empty


def ensure_may_read(user: User) -> None:
    if not may_read_templates(user):
        raise PermissionDenied(_("Scoring templates are for the creation office, inspectors and leaders."))


def template_versions(user: User) -> list[tuple[str, list[Template]]]:
    """Every template code with its versions, newest first: 1 query."""
    ensure_may_read(user)
    versions = Template.objects.annotate(item_count=Count("items", distinct=True), round_count=Count("rounds",
                                         distinct=True)).order_by("code", "-version")
    by_code: dict[str, list[Template]] = defaultdict(list)
    for template in versions:
        by_code[template.code].append(template)
    return sorted(by_code.items(), key=lambda pair: -max(t.created_at.timestamp() for t in pair[1]))


def template_detail(user: User, pk: int) -> tuple[Template, list[Item], list[Template]]:
    """A version, its items in tree order with their rules and sectors, and the other versions
    of its code: 4 queries."""
    ensure_may_read(user)
    template = Template.objects.select_related("based_on", "created_by").get(pk=pk)
    items = list(
        Item.objects.filter(template=template)
        .order_by("order", "pk")
        .prefetch_related(Prefetch("rules", queryset=Rule.objects.order_by("order", "pk")), "sectors")
    )
    versions = list(Template.objects.filter(code=template.code).order_by("-version").only("pk", "version",
                                                                                         "frozen_at", "code"))
    return template, items, versions
