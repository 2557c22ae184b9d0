"""Writes to scoring templates: a template, its items and their rules, freezing, versions.

Who: a reviewer of the creation office or a system administrator (TEMPLATE_EDITOR_ROLES);
`by=None` is the console or a loader. Every write is validated, runs in one transaction and
leaves its history row (django-simple-history, attributed to `by`).

Versions: a template version is frozen when a round first uses it (template_freeze, called by
the rounds). A frozen version never changes: an edit of it is made on a new version — a deep
copy `based_on` it, items, sectors and rules included — and the edit lands there; rounds and
runs of the old version keep the items and rules they were scored by. Further edits of the
frozen version land on that same draft (the newest unfrozen version of the code) until it is
frozen in turn.

Checks: every edit checks what it can alone (codes, numbers, a rule's cap against its item's
maximum, a parent in the same template). Whether the children's maxima add up to their
parent's (bonus items aside) is a property of the whole tree: a template in progress may be
incomplete (the national rubric ships partial), so it is shown on the template's page
(template_problems) and checked when the version is frozen — a version that does not add up
cannot be used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import rules as rulebook
from assessments.models import Item, ItemKind, Rule, Template
from campaign.lib.history import bulk_create_with_history, save_with_history
from campaign.lib.services import refuse_unknown_fields
from districts.models import OrgUnit, Role, Sector, User
from districts.scoping import scope_for

TEMPLATE_EDITOR_ROLES = frozenset({Role.REVIEWER, Role.SYSTEM_ADMIN})
TEMPLATE_FIELDS = ("name", "description", "source")
ITEM_FIELDS = (
    "code", "name", "content", "max_points", "kind", "evidence_hint", "unit_kinds", "unverified", "parent", "sectors",
)  # fmt: skip
RULE_FIELDS = ("kind", "params", "text", "order")
ASSESSED_KINDS = (OrgUnit.Kind.STREET, OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.DEPARTMENT)

_CODE = re.compile(r"[0-9A-Za-z]+(\.[0-9A-Za-z]+)*")
_POINTS_LIMIT = Decimal("99999.99")


def may_edit_templates(user: User | None) -> bool:
    return user is not None and not scope_for(user, TEMPLATE_EDITOR_ROLES).is_empty


def ensure_may_edit(by: User | None) -> None:
    if by is not None and not may_edit_templates(by):
        raise PermissionDenied(_("Only the creation office or a system administrator edits scoring templates."))


def natural_key(code: str) -> tuple:
    """"1.10" after "1.9": each part a number where it is one."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in code.split("."))


# ---------------------------------------------------------------- templates


@transaction.atomic
def template_create(*, by: User | None, code: str, name: str, description: str = "", source: str = "") -> Template:
    ensure_may_edit(by)
    code = (code or "").strip()
    if Template.objects.filter(code=code).exists():
        raise ValidationError(
            {"code": _("A template with the code “%(code)s” exists: edit it to make a new version.") % {"code": code}}
        )
    template = Template(code=code, version=1, name=name, description=description, source=source, created_by=by)
    return _save_template(template, by)


@transaction.atomic
def template_update(*, by: User | None, template: Template, **fields) -> Template:
    refuse_unknown_fields("template_update", fields, TEMPLATE_FIELDS)
    ensure_may_edit(by)
    template = draft_of(template=template, by=by)
    for name, value in fields.items():
        setattr(template, name, value)
    return _save_template(template, by)


def _save_template(template: Template, by: User | None) -> Template:
    """A loader (by=None) creates a template nobody created: created_by is null then."""
    template.full_clean(exclude=["created_by"] if template.created_by_id is None else None)
    template._history_user = by
    template.save()
    return template


def latest_version(code: str) -> Template | None:
    return Template.objects.filter(code=code).order_by("-version").first()


def draft_of(*, template: Template, by: User | None) -> Template:
    """The version an edit of `template` lands on: itself while it is not frozen; else the newest
    unfrozen version of its code, made now as a copy of it if there is none. Call it inside the
    edit's transaction (the template's row is locked, so two edits make one new version)."""
    # Every version of the code, locked: two edits at once make one new version, not two.
    versions = list(Template.objects.select_for_update().filter(code=template.code).order_by("-version"))
    locked = next(v for v in versions if v.pk == template.pk)
    if locked.frozen_at is None:
        return locked
    if versions[0].frozen_at is None:
        return versions[0]
    return _copy(locked, by=by)


@transaction.atomic
def template_new_version(*, by: User | None, template: Template, empty: bool = False) -> Template:
    """A new, unfrozen version copied from `template` (whether or not it is frozen); with
    `empty`, its details only (a loader or an import fills it)."""
    ensure_may_edit(by)
    list(Template.objects.select_for_update().filter(code=template.code).order_by("pk"))
    return _copy(Template.objects.get(pk=template.pk), by=by, with_items=not empty)


def _copy(source: Template, *, by: User | None, with_items: bool = True) -> Template:
    version = (Template.objects.filter(code=source.code).aggregate(v=Max("version"))["v"] or 0) + 1
    copy = Template(
        code=source.code,
        version=version,
        name=source.name,
        description=source.description,
        source=source.source,
        based_on=source,
        created_by=by,
    )
    _save_template(copy, by)
    if not with_items:
        return copy
    items = list(Item.objects.filter(template=source).order_by("order", "pk").prefetch_related("sectors"))
    new_of: dict[int, Item] = {}
    # Parents first: a level at a time, so each copy's parent has its id.
    depth = {}
    for item in items:
        depth[item.pk] = 0 if item.parent_id is None else depth[item.parent_id] + 1
    for level in sorted(set(depth.values())):
        batch = []
        for item in (i for i in items if depth[i.pk] == level):
            new = Item(
                template=copy,
                parent=new_of[item.parent_id] if item.parent_id else None,
                code=item.code,
                order=item.order,
                name=item.name,
                content=item.content,
                max_points=item.max_points,
                kind=item.kind,
                evidence_hint=item.evidence_hint,
                unit_kinds=list(item.unit_kinds),
                unverified=item.unverified,
            )
            new_of[item.pk] = new
            batch.append(new)
        bulk_create_with_history(batch, Item, default_user=by)
    through = Item.sectors.through
    through.objects.bulk_create(
        [through(item_id=new_of[item.pk].pk, sector_id=s.pk) for item in items for s in item.sectors.all()]
    )
    copied_rules = [
        Rule(item=new_of[rule.item_id], order=rule.order, kind=rule.kind, params=rule.params, text=rule.text)
        for rule in Rule.objects.filter(item__template=source).order_by("item__order", "order", "pk")
    ]
    bulk_create_with_history(copied_rules, Rule, default_user=by)
    return copy


def template_problems(template: Template) -> list[str]:
    """What stops a version from being used: children's maxima that do not add up to their
    parent's (bonus items aside), rules that no longer fit their item, an empty tree."""
    items = list(Item.objects.filter(template=template).order_by("order", "pk"))
    if not any(item.kind != ItemKind.BONUS for item in items):
        return [_("The template has no scored items.")]
    problems = []
    by_id = {item.pk: item for item in items}
    children: dict[int, list[Item]] = {}
    for item in items:
        if item.parent_id:
            children.setdefault(item.parent_id, []).append(item)

    def bonus(item: Item) -> bool:
        while item is not None:
            if item.kind == ItemKind.BONUS:
                return True
            item = by_id.get(item.parent_id)
        return False

    for item in items:
        kids = children.get(item.pk)
        if not kids:
            continue
        counted = [c for c in kids if bonus(c) == bonus(item)]
        total = sum((c.max_points for c in counted), Decimal(0))
        if counted and total != item.max_points:
            problems.append(
                _("%(code)s %(name)s: its items add up to %(total)s points, not %(max)s.")
                % {
                    "code": item.code,
                    "name": item.name,
                    "total": rulebook.plain(total),
                    "max": rulebook.plain(item.max_points),
                }
            )
    for rule in Rule.objects.filter(item__template=template).select_related("item"):
        try:
            rulebook.validate(rule.kind, rule.params, rule.item.max_points)
        except ValidationError as exc:
            problems.append(f"{rule.item.code}: {' '.join(exc.messages)}")
    return problems


@transaction.atomic
def template_freeze(*, template: Template, by: User | None = None) -> Template:
    """Freeze a version as a round first uses it; a frozen one is returned as it is. A version
    that does not add up is refused with what is wrong."""
    locked = Template.objects.select_for_update().get(pk=template.pk)
    if locked.frozen_at is not None:
        return locked
    problems = template_problems(locked)
    if problems:
        raise ValidationError(
            [_("%(template)s cannot be used yet:") % {"template": locked}, *problems], code="template_incomplete"
        )
    locked.frozen_at = timezone.now()
    _save_template(locked, by)
    template.frozen_at = locked.frozen_at
    return locked


# ---------------------------------------------------------------- items


def _clean_points(value) -> Decimal:
    if isinstance(value, str):
        try:
            return rulebook.read_points(value, label=_("Maximum points"))
        except ValidationError as exc:
            raise ValidationError({"max_points": exc.messages}) from None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"max_points": _("Write the maximum points as a number, e.g. 2.")}) from None
    if not number.is_finite() or number < 0 or number > _POINTS_LIMIT or number != number.quantize(Decimal("0.01")):
        raise ValidationError({"max_points": _("The maximum points must be between 0 and 99999.99, in cents.")})
    return number


def _check_item(item: Item) -> None:
    errors = {}
    if not _CODE.fullmatch(item.code or ""):
        errors["code"] = _("Write the item's code as numbers joined by points, e.g. 1.2.3.")
    elif item.parent_id and not item.code.startswith(item.parent.code + "."):
        errors["code"] = _("The code of an item under %(parent)s starts with “%(parent)s.”.") % {
            "parent": item.parent.code
        }
    if item.parent_id and item.parent.template_id != item.template_id:
        errors["parent"] = _("The parent item is in another template.")
    unknown_kinds = set(item.unit_kinds or ()) - {str(k) for k in ASSESSED_KINDS}
    if not isinstance(item.unit_kinds, list) or unknown_kinds:
        errors["unit_kinds"] = _("An item applies to streets, communities or departments.")
    if errors:
        raise ValidationError(errors)


def _renumber(template: Template) -> None:
    """The depth-first order of the tree, siblings by their codes (1.9 before 1.10)."""
    items = list(Item.objects.filter(template=template).only("pk", "parent_id", "code", "order"))
    children: dict[int | None, list[Item]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    changed, counter = [], 0

    def walk(parent_id):
        nonlocal counter
        for item in sorted(children.get(parent_id, ()), key=lambda i: natural_key(i.code)):
            counter += 1
            if item.order != counter:
                item.order = counter
                changed.append(item)
            walk(item.pk)

    walk(None)
    if changed:
        Item.objects.bulk_update(changed, ["order"])


def _check_rules_fit(item: Item) -> None:
    for rule in item.rules.all():
        try:
            rulebook.validate(rule.kind, rule.params, item.max_points)
        except ValidationError as exc:
            raise ValidationError(
                {
                    "max_points": _("A rule of the item does not fit that maximum: %(problem)s")
                    % {"problem": " ".join(exc.messages)}
                }
            ) from None


def _set_sectors(item: Item, sectors: Iterable[Sector] | None) -> None:
    if sectors is not None:
        item.sectors.set(list(sectors))


@transaction.atomic
def item_add(
    *,
    by: User | None,
    template: Template,
    code: str,
    name: str,
    max_points,
    parent: Item | None = None,
    kind: str = ItemKind.BASIC,
    content: str = "",
    evidence_hint: str = "",
    unit_kinds: Sequence[str] = (),
    sectors: Iterable[Sector] | None = None,
    unverified: bool = False,
) -> Item:
    ensure_may_edit(by)
    draft = draft_of(template=template, by=by)
    if parent is not None and draft.pk != template.pk:
        parent = _same_item_in(draft, parent)
    item = Item(
        template=draft,
        parent=parent,
        code=(code or "").strip(),
        name=name,
        content=content,
        max_points=_clean_points(max_points),
        kind=kind,
        evidence_hint=evidence_hint,
        unit_kinds=list(unit_kinds),
        unverified=unverified,
    )
    _check_item(item)
    save_with_history(item, by)
    _set_sectors(item, sectors)
    _renumber(draft)
    item.refresh_from_db(fields=["order"])
    return item


def _same_item_in(draft: Template, item: Item) -> Item:
    """The copy, in the draft version, of an item of the version it was made from."""
    if item.template_id == draft.pk:
        return item
    copy = Item.objects.filter(template=draft, code=item.code).first()
    if copy is None:
        raise ValidationError(
            _("Item %(code)s is no longer in the draft version %(version)d; edit it there.")
            % {"code": item.code, "version": draft.version}
        )
    return copy


@transaction.atomic
def item_edit(*, by: User | None, item: Item, **fields) -> Item:
    refuse_unknown_fields("item_edit", fields, ITEM_FIELDS)
    ensure_may_edit(by)
    draft = draft_of(template=item.template, by=by)
    item = _same_item_in(draft, item)
    sectors = fields.pop("sectors", None)
    if "parent" in fields and fields["parent"] is not None:
        parent = _same_item_in(draft, fields["parent"])
        ancestor = parent
        while ancestor is not None:
            if ancestor.pk == item.pk:
                raise ValidationError({"parent": _("An item cannot sit under itself or its own items.")})
            ancestor = ancestor.parent
        fields["parent"] = parent
    if "max_points" in fields:
        fields["max_points"] = _clean_points(fields["max_points"])
    if "code" in fields:
        fields["code"] = (fields["code"] or "").strip()
    if "unit_kinds" in fields:
        fields["unit_kinds"] = list(fields["unit_kinds"] or ())
    old_code = item.code
    for name, value in fields.items():
        setattr(item, name, value)
    _check_item(item)
    _check_rules_fit(item)
    save_with_history(item, by)
    _set_sectors(item, sectors)
    if item.code != old_code:
        _recode_descendants(item, old_code, by)
    _renumber(draft)
    item.refresh_from_db(fields=["order"])
    return item


def _recode_descendants(item: Item, old_code: str, by: User | None) -> None:
    for child in Item.objects.filter(template=item.template, code__startswith=old_code + ".").exclude(pk=item.pk):
        child.code = item.code + child.code[len(old_code) :]
        save_with_history(child, by)


@transaction.atomic
def item_remove(*, by: User | None, item: Item) -> Template:
    """Remove an item with its items and rules; returns the version it was removed from."""
    ensure_may_edit(by)
    draft = draft_of(template=item.template, by=by)
    item = _same_item_in(draft, item)
    doomed = [item, *Item.objects.filter(template=draft, code__startswith=item.code + ".")]
    # One by one, the deepest first, so that every history row names who removed it.
    for rule in Rule.objects.filter(item__in=doomed):
        rule._history_user = by
        rule.delete()
    for row in sorted(doomed, key=lambda i: -i.code.count(".")):
        row._history_user = by
        row.delete()
    _renumber(draft)
    return draft


# ---------------------------------------------------------------- rules


def _rule_of(draft: Template, rule: Rule) -> Rule:
    if rule.item.template_id == draft.pk:
        return rule
    item = _same_item_in(draft, rule.item)
    # The copy keeps the rules in order: the same position among its item's rules.
    position = list(Rule.objects.filter(item=rule.item).values_list("pk", flat=True)).index(rule.pk)
    copies = list(item.rules.all())
    if position >= len(copies):
        raise ValidationError(_("That rule is no longer in the draft version; edit it there."))
    return copies[position]


@transaction.atomic
def rule_add(*, by: User | None, item: Item, kind: str, params: dict, text: str = "", order: int | None = None) -> Rule:
    ensure_may_edit(by)
    draft = draft_of(template=item.template, by=by)
    item = _same_item_in(draft, item)
    try:
        params = rulebook.validate(kind, params, item.max_points)
    except ValidationError as exc:
        raise ValidationError({"params": exc.messages}) from None
    if order is None:
        order = (item.rules.aggregate(o=Max("order"))["o"] or 0) + 1
    return save_with_history(Rule(item=item, kind=kind, params=params, text=text, order=order), by)


@transaction.atomic
def rule_edit(*, by: User | None, rule: Rule, **fields) -> Rule:
    refuse_unknown_fields("rule_edit", fields, RULE_FIELDS)
    ensure_may_edit(by)
    draft = draft_of(template=rule.item.template, by=by)
    rule = _rule_of(draft, rule)
    for name, value in fields.items():
        setattr(rule, name, value)
    try:
        rule.params = rulebook.validate(rule.kind, rule.params, rule.item.max_points)
    except ValidationError as exc:
        raise ValidationError({"params": exc.messages}) from None
    return save_with_history(rule, by)


@transaction.atomic
def rule_remove(*, by: User | None, rule: Rule) -> Template:
    ensure_may_edit(by)
    draft = draft_of(template=rule.item.template, by=by)
    rule = _rule_of(draft, rule)
    rule._history_user = by
    rule.delete()
    return draft
