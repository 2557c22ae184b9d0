"""Templates as in-memory trees, for the scoring engine's pure tests (no database)."""

from __future__ import annotations

import itertools
from decimal import Decimal

from assessments import rules
from assessments.models import ItemKind
from assessments.scoring import TemplateTree, TreeItem

_ids = itertools.count(1)


def tree(*specs) -> TemplateTree:
    """tree(("1", "aspect", 10, [("1.1", "line", 4, [rule, ...], {...}), ...]), ...)

    A spec is (code, name, max, children_or_rules, options): children are specs (tuples),
    rules are (kind, params, text) triples, validated as the service would."""
    items: dict[int, TreeItem] = {}

    def add(spec, parent_id, depth, bonus_above):
        code, name, max_points, body, *rest = spec
        options = rest[0] if rest else {}
        item_id = next(_ids)
        kind = options.get("kind", ItemKind.BASIC)
        bonus = bonus_above or kind == ItemKind.BONUS
        children = [s for s in body if len(s) >= 4]
        parsed = tuple(
            rules.parse(k, rules.validate(k, p, Decimal(str(max_points))), rule_id=next(_ids), text=t)
            for k, p, t in (s for s in body if len(s) == 3)
        )
        placeholder = len(items)
        items[item_id] = None  # keep depth-first order
        child_ids = [add(c, item_id, depth + 1, bonus) for c in children]
        items[item_id] = TreeItem(
            id=item_id, parent_id=parent_id, code=code, name=name, content="", max_points=Decimal(str(max_points)),
            kind=kind, evidence_hint="", unit_kinds=tuple(options.get("unit_kinds", ())), sector_ids=(),
            unverified=False, rules=parsed, children=tuple(child_ids), depth=depth, bonus=bonus,
        )
        del placeholder
        return item_id

    roots = tuple(add(spec, None, 0, False) for spec in specs)
    return TemplateTree(template_id=0, items=items, roots=roots)
