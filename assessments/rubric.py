"""The national rubric (国家安全发展示范城市评价细则 2019版, with its 评分标准) as a template.

The shipped file (campaign/data/national-rubric-2019.json) is partial, recovered from public
reposts (see the reference-data README): the six aspects (100 points) and the bonus bucket,
源头治理 and 风险防控 confirmed, a few lower items with their text. What the file marks
`verified: false` — an item, or one of its rules — makes the item 待核实 (unverified). Typed
rules are read where the file or its text gives them: "每发现一处扣0.5分,2分扣完为止" (per finding,
capped), "每缺一项扣0.2分" (per missing item), "改造率≤80%" with a fixed deduction (threshold); a
rule the file could not recover (no numbers) is left out, and its item is unverified.

Loading is idempotent: the file's tree is reduced to a canonical form and its digest kept on
the version loaded; the same file again changes nothing. A changed file makes a new version
when the loaded one is frozen (rounds have used it) or has been edited since; an untouched,
unused draft is rebuilt in place. The tree as shipped does not add up (1 has 14 of 18 points
in items, 1.2 8 of 9, 2 16 of 32, 2.1 3 of 7): it can be used once completed from the official
text — or, with `fill_gaps`, each gap becomes one item "未收录部分" (unverified) worth the
difference, so that a round can use it before it is complete.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from assessments import rules as rulebook
from assessments import services
from assessments.models import Item, ItemKind, Rule, RuleKind, Template

CODE = "national-2019"
RUBRIC_FILE = Path(settings.BASE_DIR) / "campaign" / "data" / "national-rubric-2019.json"
BONUS_NAMES = ("鼓励项", "加分项")
GAP_NAME = "未收录部分（待核实）"
GAP_CONTENT = "评分细则原文中此部分未能取得，分值为上级分值与已收录下级分值之差；请按官方文本补全后删除本项。"

_CLAUSE = re.compile(r"[(（](\d+)[)）]")
_THRESHOLD = re.compile(r"(≤|≥|<=|>=|<|>|=|＜|＞)\s*([0-9]+(?:\.[0-9]+)?)\s*(%|％)?")


@dataclass
class Loaded:
    template: Template
    action: str  # "created", "unchanged", "rebuilt", "new_version"
    items: int
    rules: int
    unverified: int
    problems: list[str]


# ---------------------------------------------------------------- the file as a canonical tree


def _points(value) -> str:
    return rulebook.plain(Decimal(str(value)))


def _clauses(text: str) -> dict[str, str]:
    """"(1)…(2)…" → {"1": "(1)…", "2": "(2)…"}: the sentence of each numbered clause."""
    marks = list(_CLAUSE.finditer(text or ""))
    out = {}
    for mark, following in zip(marks, [*marks[1:], None], strict=False):
        out.setdefault(mark.group(1), text[mark.start() : following.start() if following else len(text)].strip())
    return out


def _rule_of(source: dict, text: str, item_points: str) -> dict | None:
    """A typed rule from the file's fields, or None where it gives no numbers."""
    if source.get("fixed_deduction") is not None and source.get("threshold"):
        found = _THRESHOLD.search(source["threshold"])
        if found is None:
            return None
        params = {"op": found.group(1), "value": found.group(2), "points": source["fixed_deduction"]}
        if found.group(3):
            params["unit"] = "%"
        kind = RuleKind.THRESHOLD
    elif source.get("per_finding") is not None:
        kind = RuleKind.PER_MISSING if "每缺一项" in text else RuleKind.PER_FINDING
        params = {"points": source["per_finding"]}
        if source.get("cap") is not None:
            params["cap"] = source["cap"]
    else:
        return None
    return {"kind": str(kind), "params": rulebook.validate(kind, params, Decimal(item_points)), "text": text}


def _item_spec(source: dict, parent_unverified: bool = False) -> dict:
    points = _points(source["points"])
    deduction = source.get("deduction", "")
    # What the file says it could not verify or recover, in a flag or in the text itself.
    unverified = source.get("verified") is False or any(
        mark in f"{deduction} {source.get('content', '')}" for mark in ("unverified", "not retrieved", "[partial")
    )
    rules = []
    if source.get("rules"):
        clauses = _clauses(deduction)
        for rule in source["rules"]:
            number = _CLAUSE.search(rule.get("clause", ""))
            text = clauses.get(number.group(1)) if number else None
            if text is None and not clauses and not rules:
                text = deduction  # one sentence, unnumbered: it is the first rule's
            typed = _rule_of(rule, text or f"{rule.get('clause', '')}{rule.get('subject', '')}".strip(), points)
            if typed is None or rule.get("verified") is False:
                unverified = True
            if typed is not None:
                rules.append(typed)
    elif deduction:
        typed = _rule_of(source, deduction, points)
        if typed is None:
            unverified = True
        else:
            rules.append(typed)
    kind = ItemKind.BONUS if source["name"] in BONUS_NAMES else ItemKind.BASIC
    return {
        "code": source["code"],
        "name": source["name"],
        "max_points": points,
        "kind": str(kind),
        "content": source.get("content", ""),
        "unverified": bool(unverified),
        "rules": rules,
        "children": [_item_spec(child) for child in source.get("children", ())],
    }


def _fill_gaps(spec: dict) -> None:
    for child in spec["children"]:
        _fill_gaps(child)
    counted = [c for c in spec["children"] if c["kind"] != ItemKind.BONUS]
    if not counted:
        return
    gap = Decimal(spec["max_points"]) - sum(Decimal(c["max_points"]) for c in counted)
    if gap > 0:
        last = max(int(c["code"].rsplit(".", 1)[-1]) for c in spec["children"])
        spec["children"].append(
            {
                "code": f"{spec['code']}.{last + 1}",
                "name": GAP_NAME,
                "max_points": rulebook.plain(gap),
                "kind": spec["kind"],
                "content": GAP_CONTENT,
                "unverified": True,
                "rules": [],
                "children": [],
            }
        )


def file_tree(data: dict, *, fill_gaps: bool = False) -> dict:
    tree = {
        "name": data["title"].split(" — ")[0].split("/")[0].strip(),
        "source": "；".join(f"{k}：{v}" for k, v in data.get("documents", {}).items())[:300],
        "description": data.get("note", ""),
        "items": [_item_spec(item) for item in data["items"]],
    }
    if fill_gaps:
        for item in tree["items"]:
            _fill_gaps(item)
    return tree


def template_tree(template: Template) -> dict:
    """A version's tree in the same canonical form as file_tree()."""
    items = list(Item.objects.filter(template=template).order_by("order", "pk"))
    rules: dict[int, list] = {}
    for rule in Rule.objects.filter(item__template=template).order_by("order", "pk"):
        rules.setdefault(rule.item_id, []).append({"kind": rule.kind, "params": rule.params, "text": rule.text})
    specs = {}
    roots = []
    for item in items:
        spec = {
            "code": item.code,
            "name": item.name,
            "max_points": rulebook.plain(item.max_points),
            "kind": item.kind,
            "content": item.content,
            "unverified": item.unverified,
            "rules": rules.get(item.pk, []),
            "children": [],
        }
        specs[item.pk] = spec
        (specs[item.parent_id]["children"] if item.parent_id else roots).append(spec)
    return {"name": template.name, "source": template.source, "description": template.description, "items": roots}


def digest(tree: dict) -> str:
    return hashlib.sha256(json.dumps(tree, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


# ---------------------------------------------------------------- loading


def _count(tree: dict) -> tuple[int, int, int]:
    items = rules = unverified = 0
    stack = list(tree["items"])
    while stack:
        spec = stack.pop()
        items += 1
        rules += len(spec["rules"])
        unverified += spec["unverified"]
        stack.extend(spec["children"])
    return items, rules, unverified


def _build(template: Template, tree: dict, by) -> None:
    def add(spec: dict, parent: Item | None) -> None:
        item = services.item_add(
            by=by,
            template=template,
            parent=parent,
            code=spec["code"],
            name=spec["name"],
            max_points=spec["max_points"],
            kind=spec["kind"],
            content=spec["content"],
            unverified=spec["unverified"],
        )
        for rule in spec["rules"]:
            services.rule_add(by=by, item=item, kind=rule["kind"], params=rule["params"], text=rule["text"])
        for child in spec["children"]:
            add(child, item)

    for spec in tree["items"]:
        add(spec, None)


@transaction.atomic
def load(path: Path = RUBRIC_FILE, *, by=None, fill_gaps: bool = False) -> Loaded:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    tree = file_tree(data, fill_gaps=fill_gaps)
    wanted = digest(tree)
    versions = list(Template.objects.select_for_update().filter(code=CODE).order_by("-version"))
    loaded = next((v for v in versions if v.source_digest), None)
    if loaded is not None and loaded.source_digest == wanted:
        return _outcome(loaded, "unchanged", tree)
    latest = versions[0] if versions else None
    if latest is None:
        template = services.template_create(by=by, code=CODE, name=tree["name"], source=tree["source"],
                                            description=tree["description"])
        action = "created"
    elif latest.frozen_at is None and latest.source_digest and digest(template_tree(latest)) == latest.source_digest:
        # An unused draft nobody has edited since it was loaded: rebuilt from the file.
        for item in Item.objects.filter(template=latest, parent=None):
            services.item_remove(by=by, item=item)
        template = services.template_update(by=by, template=latest, name=tree["name"], source=tree["source"],
                                            description=tree["description"])
        action = "rebuilt"
    else:
        template = services.template_new_version(by=by, template=latest, empty=True)
        template = services.template_update(by=by, template=template, name=tree["name"], source=tree["source"],
                                            description=tree["description"])
        action = "new_version"
    _build(template, tree, by)
    template.refresh_from_db()
    template.source_digest = wanted
    services._save_template(template, by)
    return _outcome(template, action, tree)


def _outcome(template: Template, action: str, tree: dict) -> Loaded:
    items, rules, unverified = _count(tree)
    return Loaded(template, action, items, rules, unverified, services.template_problems(template))
