"""Scoring a run by its template's rules (扣分制), item by item.

A scored line (a leaf) starts at its maximum and loses what its rules deduct, never below 0;
an item nobody has answered loses nothing (it is listed as unanswered). A parent's points are
its children's sum; bonus items (鼓励项) and everything under them count apart, on top of the
100. Not applicable (N/A, with a reason the service requires) takes the item's maximum out of
the denominator; exempt (免检) gives full marks. A veto (取消评选资格) disqualifies the unit
whatever its points, which are still computed and shown beneath it.

`score(tree, answers)` is pure arithmetic in Decimal; `load_tree(template)` reads a template's
items and rules in at most 3 queries and keeps a frozen version's tree (a frozen version never
changes); `score_run(run, side)` reads a run's answers and their finding counts.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count

from assessments import rules as rulebook
from assessments.models import Answer, AnswerState, Item, ItemKind, Rule, RuleKind, Run, Template

ZERO = Decimal("0")
CENT = Decimal("0.01")
HUNDRED = Decimal("100")


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True)
class AnswerInput:
    """What one side said of one item: the inputs its rules read."""

    state: str = AnswerState.SCORED
    findings: int = 0
    missing: int = 0
    measured: Decimal | None = None
    incidents: int = 0
    incidents_resolved: int = 0
    veto: bool = False
    bonus_claimed: Decimal | None = None

    @classmethod
    def of(cls, answer: Answer, findings: int = 0) -> AnswerInput:
        return cls(
            state=answer.state,
            findings=findings,
            missing=answer.missing,
            measured=answer.measured,
            incidents=answer.incidents,
            incidents_resolved=answer.incidents_resolved,
            veto=answer.veto,
            bonus_claimed=answer.bonus_claimed,
        )


@dataclass(frozen=True)
class TreeItem:
    id: int
    parent_id: int | None
    code: str
    name: str
    content: str
    max_points: Decimal
    kind: str
    evidence_hint: str
    unit_kinds: tuple[str, ...]
    sector_ids: tuple[int, ...]
    unverified: bool
    rules: tuple[rulebook.ParsedRule, ...]
    children: tuple[int, ...]
    depth: int
    bonus: bool  # a bonus item or under one: counted apart from the 100

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def has_veto(self) -> bool:
        return any(r.kind == RuleKind.VETO for r in self.rules)

    @property
    def has_exemption(self) -> bool:
        return any(r.kind == RuleKind.EXEMPTION for r in self.rules)


@dataclass(frozen=True)
class TemplateTree:
    template_id: int
    items: Mapping[int, TreeItem]  # in the template's depth-first order
    roots: tuple[int, ...]

    def leaves(self) -> list[TreeItem]:
        return [item for item in self.items.values() if item.is_leaf]

    def by_code(self, code: str) -> TreeItem:
        return next(item for item in self.items.values() if item.code == code)


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Deduction:
    rule_id: int | None
    points: Decimal
    text: str

    # Read as the (rule_id, points, text) triple the contract names.
    def __iter__(self):
        return iter((self.rule_id, self.points, self.text))


@dataclass(frozen=True)
class ItemResult:
    points: Decimal
    max_points: Decimal  # the item's maximum (a parent: its children's, bonus aside)
    applicable: bool
    deductions: list[Deduction] = field(default_factory=list)
    applicable_max: Decimal = ZERO  # what it puts in the denominator (0 when N/A)
    answered: bool = False
    exempt: bool = False
    vetoed: bool = False


@dataclass(frozen=True)
class Result:
    raw_points: Decimal
    applicable_max: Decimal
    score: Decimal | None  # of 100, 2 places; None when nothing applies
    bonus_points: Decimal
    vetoed: bool
    veto_items: list[int]
    items: dict[int, ItemResult]
    unanswered: list[int]  # scored lines (bonus aside) that nobody answered


# ---------------------------------------------------------------- the arithmetic


def _rule_deduction(rule: rulebook.ParsedRule, answer: AnswerInput, item_max: Decimal) -> Decimal:
    kind = rule.kind
    if kind == RuleKind.PER_FINDING:
        amount = rule.points * max(answer.findings, 0)
    elif kind == RuleKind.PER_MISSING:
        missing = max(answer.missing, 0)
        if rule.of is not None:
            missing = min(missing, rule.of)
        amount = rule.points * missing
    elif kind == RuleKind.THRESHOLD:
        if answer.measured is None:
            return ZERO
        amount = rule.points if rulebook.OPS[rule.op](Decimal(answer.measured), rule.value) else ZERO
    elif kind == RuleKind.TIERED:
        if answer.measured is None:
            return ZERO
        value = Decimal(answer.measured)
        amount = next((tier.points for tier in rule.tiers if tier.holds(value)), ZERO)
    elif kind == RuleKind.PER_INCIDENT:
        incidents = max(answer.incidents, 0)
        resolved = min(max(answer.incidents_resolved, 0), incidents)
        resolved_points = rule.points if rule.resolved_points is None else rule.resolved_points
        amount = rule.points * (incidents - resolved) + resolved_points * resolved
    else:  # veto and exemption deduct nothing
        return ZERO
    cap = item_max if rule.cap is None else min(rule.cap, item_max)
    return min(amount, cap)


def _leaf(item: TreeItem, answer: AnswerInput | None) -> ItemResult:
    if answer is None:
        points = ZERO if item.bonus else item.max_points
        return ItemResult(points, item.max_points, True, [], item.max_points)
    if answer.state == AnswerState.EXEMPT:
        return ItemResult(item.max_points, item.max_points, True, [], item.max_points, answered=True, exempt=True)
    if item.bonus:
        claimed = answer.bonus_claimed if answer.bonus_claimed is not None else ZERO
        points = min(max(Decimal(claimed), ZERO), item.max_points)
        return ItemResult(points, item.max_points, True, [], item.max_points, answered=True)
    deductions = []
    for rule in item.rules:
        amount = _rule_deduction(rule, answer, item.max_points)
        if amount > 0:
            deductions.append(Deduction(rule.id, amount, rule.text))
    lost = sum((d.points for d in deductions), ZERO)
    points = max(item.max_points - lost, ZERO)
    vetoed = bool(answer.veto and item.has_veto)
    return ItemResult(points, item.max_points, True, deductions, item.max_points, answered=True, vetoed=vetoed)


def score(tree: TemplateTree, answers: Mapping[int, AnswerInput], *, unit_kind: str | None = None) -> Result:
    """The result of one side's answers under a template's tree. Pure: no database.

    unit_kind (an OrgUnit.Kind) takes the items that do not apply to that kind of unit out of
    the denominator, as N/A would."""
    results: dict[int, ItemResult] = {}
    unanswered: list[int] = []
    veto_items: list[int] = []

    def visit(item_id: int, inherited: str | None) -> ItemResult:
        item = tree.items[item_id]
        answer = answers.get(item_id)
        state = inherited or (answer.state if answer is not None and answer.state != AnswerState.SCORED else None)
        if unit_kind and item.unit_kinds and unit_kind not in item.unit_kinds:
            state = AnswerState.NOT_APPLICABLE
        if state == AnswerState.NOT_APPLICABLE:
            for child in item.children:
                visit(child, state)
            result = ItemResult(ZERO, item.max_points, False, [], ZERO, answered=answer is not None)
        elif item.is_leaf:
            if state == AnswerState.EXEMPT and (answer is None or answer.state != AnswerState.EXEMPT):
                answer = AnswerInput(state=AnswerState.EXEMPT)
            result = _leaf(item, answer)
            if answer is None and not item.bonus:
                unanswered.append(item_id)
            if result.vetoed:
                veto_items.append(item_id)
        else:
            children = [(tree.items[c], visit(c, state)) for c in item.children]
            counted = [r for child, r in children if child.bonus == item.bonus]
            points = sum((r.points for r in counted), ZERO)
            max_points = sum((r.max_points for r in counted), ZERO)
            applicable_max = sum((r.applicable_max for r in counted), ZERO)
            vetoed = bool(answer and answer.veto and item.has_veto and state != AnswerState.EXEMPT)
            if vetoed:
                veto_items.append(item_id)
            result = ItemResult(
                points,
                max_points,
                any(r.applicable for r in counted) or not counted,
                [],
                applicable_max,
                answered=answer is not None,
                exempt=state == AnswerState.EXEMPT,
                vetoed=vetoed,
            )
        results[item_id] = result
        return result

    for root in tree.roots:
        visit(root, None)

    raw = ZERO
    applicable_max = ZERO
    bonus = ZERO
    for item_id, result in results.items():
        item = tree.items[item_id]
        parent = tree.items.get(item.parent_id) if item.parent_id else None
        # Totals add the top of each counted subtree: the roots, and bonus items under a basic parent.
        if parent is None or parent.bonus != item.bonus:
            if item.bonus:
                bonus += result.points
            else:
                raw += result.points
                applicable_max += result.applicable_max
    normalised = None
    if applicable_max > 0:
        normalised = (raw / applicable_max * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
    veto_items.sort(key=lambda i: list(tree.items).index(i))
    return Result(
        raw_points=raw,
        applicable_max=applicable_max,
        score=normalised,
        bonus_points=bonus,
        vetoed=bool(veto_items),
        veto_items=veto_items,
        items={item_id: results[item_id] for item_id in tree.items},
        unanswered=unanswered,
    )


# ---------------------------------------------------------------- reading a template


_CACHE: OrderedDict[tuple[int, object], TemplateTree] = OrderedDict()
_CACHE_SIZE = 64
_LOCK = threading.Lock()


def load_tree(template: Template | int) -> TemplateTree:
    """A template version's tree: items (1 query), their sectors (1), their rules (1).
    A frozen version's tree is kept per process (it never changes again)."""
    if isinstance(template, int):
        template = Template.objects.get(pk=template)
    key = (template.pk, template.frozen_at)
    if template.frozen_at is not None:
        with _LOCK:
            if key in _CACHE:
                _CACHE.move_to_end(key)
                return _CACHE[key]
    tree = _build_tree(template.pk)
    if template.frozen_at is not None:
        with _LOCK:
            _CACHE[key] = tree
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    return tree


def _build_tree(template_id: int) -> TemplateTree:
    rows = list(
        Item.objects.filter(template_id=template_id)
        .order_by("order", "pk")
        .values("id", "parent_id", "code", "name", "content", "max_points", "kind", "evidence_hint", "unit_kinds",
                "unverified")
    )
    sectors: dict[int, list[int]] = {}
    for item_id, sector_id in Item.sectors.through.objects.filter(item__template_id=template_id).values_list(
        "item_id", "sector_id"
    ):
        sectors.setdefault(item_id, []).append(sector_id)
    rules: dict[int, list[rulebook.ParsedRule]] = {}
    for rule in Rule.objects.filter(item__template_id=template_id).order_by("order", "pk").values(
        "id", "item_id", "kind", "params", "text"
    ):
        rules.setdefault(rule["item_id"], []).append(
            rulebook.parse(rule["kind"], rule["params"], rule_id=rule["id"], text=rule["text"])
        )
    children: dict[int | None, list[int]] = {}
    for row in rows:
        children.setdefault(row["parent_id"], []).append(row["id"])
    by_id = {row["id"]: row for row in rows}
    items: dict[int, TreeItem] = {}

    def add(item_id: int, depth: int, bonus_above: bool) -> None:
        row = by_id[item_id]
        bonus = bonus_above or row["kind"] == ItemKind.BONUS
        items[item_id] = TreeItem(
            id=item_id,
            parent_id=row["parent_id"],
            code=row["code"],
            name=row["name"],
            content=row["content"],
            max_points=row["max_points"],
            kind=row["kind"],
            evidence_hint=row["evidence_hint"],
            unit_kinds=tuple(row["unit_kinds"] or ()),
            sector_ids=tuple(sorted(sectors.get(item_id, ()))),
            unverified=row["unverified"],
            rules=tuple(rules.get(item_id, ())),
            children=tuple(children.get(item_id, ())),
            depth=depth,
            bonus=bonus,
        )
        for child in children.get(item_id, ()):
            add(child, depth + 1, bonus)

    for root in children.get(None, ()):
        add(root, 0, False)
    return TemplateTree(template_id=template_id, items=items, roots=tuple(children.get(None, ())))


# ---------------------------------------------------------------- a run


def answers_of(run, side: str) -> dict[int, AnswerInput]:
    """One side's answers of a run with their finding counts: 1 query."""
    rows = Answer.objects.filter(run=run, side=side).annotate(finding_count=Count("findings"))
    return {answer.item_id: AnswerInput.of(answer, answer.finding_count) for answer in rows}


def score_run(run, side: str) -> Result:
    """A run's result for one side (自评 or 复核): its template and unit (1 query, none when the
    run came with select_related("round__template", "unit")), the answers and their finding
    counts (1); the tree is kept per frozen version."""
    cache = run._state.fields_cache
    round_ = cache.get("round")
    if round_ is None or "template" not in round_._state.fields_cache or "unit" not in cache:
        run = Run.objects.select_related("round__template", "unit").get(pk=run.pk)
    return score(load_tree(run.round.template), answers_of(run, side), unit_kind=run.unit.kind)
