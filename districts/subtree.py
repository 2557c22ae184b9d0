"""Counts and sums over subtrees of the org tree, and the district a unit lies in.

`totals_under` answers "how many (or how much) of these rows sit anywhere under
each of these units", split by any grouping columns, in ONE grouped query
whatever the number of units: rows are grouped by their unit's (tree_id, lft),
and a unit's total is a range sum over its MPTT interval [lft, rght]. Grids'
rows count for their community, street and district without a query per unit.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db.models import Count, QuerySet

from districts.models import OrgUnit


def totals_under(
    rows: QuerySet,
    units: Iterable[OrgUnit],
    *,
    unit_path: str = "unit",
    by: tuple[str, ...] = (),
    value=None,
) -> dict[int, Counter]:
    """For every unit of `units` (by pk): a Counter of the rows under it (itself included),
    keyed by the values of the `by` columns (a tuple; `()` when `by` is empty).

    `value` is the aggregate each group adds (Count("id") unless given, e.g. Sum("amount")).
    One query: the grouped rows; the units are not read again."""
    value = Count("pk") if value is None else value
    grouped = rows.values_list(f"{unit_path}__tree_id", f"{unit_path}__lft", *by).annotate(n=value).order_by()
    # Per tree: the sorted lft of every unit holding rows, and per key the running totals over them.
    per_tree: dict[int, dict[int, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for tree_id, lft, *key, n in grouped:
        per_tree[tree_id][lft][tuple(key)] += n or 0
    index = {}
    for tree_id, by_lft in per_tree.items():
        lefts = sorted(by_lft)
        running = [Counter()]
        for lft in lefts:
            step = Counter(running[-1])
            step.update(by_lft[lft])
            running.append(step)
        index[tree_id] = (lefts, running)
    totals = {}
    for unit in units:
        lefts, running = index.get(unit.tree_id, ([], [Counter()]))
        start, end = bisect_left(lefts, unit.lft), bisect_right(lefts, unit.rght)
        total = Counter(running[end])
        total.subtract(running[start])
        totals[unit.pk] = Counter({key: n for key, n in total.items() if n})
    return totals


def district_of(unit: OrgUnit) -> OrgUnit:
    """The district `unit` lies in (itself for a district); for a unit of the city's own (its
    creation office, its leading group) the city, and a city is its own answer.

    Parents loaded with select_related are walked without a query; otherwise one
    query finds the nearest district or city among the unit's MPTT ancestors."""
    areas = (OrgUnit.Kind.DISTRICT, OrgUnit.Kind.CITY)
    current = unit
    while current.kind not in areas and current.parent_id is not None:
        if not OrgUnit.parent.is_cached(current):
            ancestor = (
                OrgUnit.objects.filter(tree_id=unit.tree_id, lft__lte=unit.lft, rght__gte=unit.rght, kind__in=areas)
                .order_by("-lft")
                .first()
            )
            return ancestor or unit
        current = current.parent
    return current if current.kind in areas else unit
