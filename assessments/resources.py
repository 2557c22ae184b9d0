"""A scoring template as a spreadsheet (评分细则): one row an item, its rules in one cell.

Export: a version's items in tree order. Import: a whole file makes one new version of the
template named in 模板编号 (version 1 of a new code), item by item through the services, all or
nothing: a file with any bad row is not imported, and every problem is listed by its row.
An item's parent is the item whose code is its own less the last part (1.2 is under 1).

The 扣分规则 cell holds an item's rules, one a line: a kind, its numbers, and after ｜ the
rubric's own words, e.g.
    按处扣分：每处=0.5，上限=2｜每发现一处扣0.5分,2分扣完为止
    按缺项扣分：每项=0.2，应有=9，上限=1
    阈值：条件=<=80，扣分=1，单位=%｜老旧管网改造率≤80%的,扣1分
    分档：~60=2，60~80=1
    按事件扣分：每起=1，已处置=0.5，上限=3
    否决：发生较大及以上生产安全事故
    免检：获评国家安全发展示范城市
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments import rules as rulebook
from assessments import services
from assessments.models import Item, ItemKind, RuleKind, Template
from campaign.lib.numbers import AmountWidget
from campaign.lib.xlsx.cells import ChoiceWidget, ImportField, TextWidget, YesNoWidget, header_key
from campaign.lib.xlsx.resource import XlsxResource
from districts.models import OrgUnit, Sector

SHEET = "评分细则"

KIND_FILE_LABELS = {
    RuleKind.PER_FINDING: ("按处扣分", "per_finding"),
    RuleKind.PER_MISSING: ("按缺项扣分", "per_missing"),
    RuleKind.THRESHOLD: ("阈值", "threshold"),
    RuleKind.TIERED: ("分档", "tiered"),
    RuleKind.PER_INCIDENT: ("按事件扣分", "per_incident"),
    RuleKind.VETO: ("否决", "veto"),
    RuleKind.EXEMPTION: ("免检", "exemption"),
}
# The names of a rule's numbers in the file, per kind: file name → parameter.
PARAM_NAMES = {
    RuleKind.PER_FINDING: {"每处": "points", "上限": "cap"},
    RuleKind.PER_MISSING: {"每项": "points", "应有": "of", "上限": "cap"},
    RuleKind.THRESHOLD: {"条件": "condition", "扣分": "points", "单位": "unit"},
    RuleKind.PER_INCIDENT: {"每起": "points", "已处置": "resolved_points", "上限": "cap"},
    RuleKind.TIERED: {"单位": "unit"},
}
ITEM_KIND_LABELS = {"basic": ("基本项",), "key": ("关键项",), "bonus": ("鼓励项", "加分项")}
UNIT_KIND_LABELS = {OrgUnit.Kind.STREET: "街道", OrgUnit.Kind.COMMUNITY: "社区", OrgUnit.Kind.DEPARTMENT: "部门"}

_KIND_INDEX = {header_key(label): kind for kind, labels in KIND_FILE_LABELS.items() for label in labels}
_LIST = re.compile(r"[、,，;；\n]+")
_PARTS = re.compile(r"[,，;；]")
_OP_VALUE = re.compile(r"\s*(<=|>=|==|<|>|=|≤|≥|＜|＞|＝)\s*(.+)")
_TIER = re.compile(r"\s*([^~～=＝]*)[~～]([^~～=＝]*)[=＝](.+)")


# ---------------------------------------------------------------- a rule as a line


def rule_line(kind: str, params: dict, text: str = "") -> str:
    label = KIND_FILE_LABELS[kind][0]
    if kind in (RuleKind.VETO, RuleKind.EXEMPTION):
        body = params.get("condition", "")
    elif kind == RuleKind.TIERED:
        parts = [f"{t.get('from', '')}~{t.get('to', '')}={t['points']}" for t in params.get("tiers", [])]
        if params.get("unit"):
            parts.append(f"单位={params['unit']}")
        body = "，".join(parts)
    else:
        names = {param: name for name, param in PARAM_NAMES[kind].items()}
        parts = []
        if kind == RuleKind.THRESHOLD:
            parts.append(f"条件={params['op']}{params['value']}")
        for param in ("points", "of", "resolved_points", "cap", "unit"):
            if param in params and param in names:
                parts.append(f"{names[param]}={params[param]}")
        body = "，".join(parts)
    line = f"{label}：{body}"
    return f"{line}｜{text}" if text else line


def _split_once(text: str, pattern: str) -> tuple[str, str]:
    parts = re.split(pattern, text, maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else (parts[0], "")


def parse_rule_line(line: str) -> tuple[str, dict, str]:
    """(kind, params as typed, text); ValueError with a message for a line it cannot read.
    The numbers are checked by assessments.rules.validate."""
    head, text = _split_once(line, r"[|｜]")
    label, body = _split_once(head, r"[:：]")
    kind = _KIND_INDEX.get(header_key(label))
    if kind is None:
        raise ValueError(
            _("“%(value)s” is not a kind of rule (one of: %(kinds)s).")
            % {"value": label.strip()[:20], "kinds": "、".join(v[0] for v in KIND_FILE_LABELS.values())}
        )
    body, text = body.strip(), text.strip()
    if kind in (RuleKind.VETO, RuleKind.EXEMPTION):
        return kind, {"condition": body}, text
    params: dict = {}
    if kind == RuleKind.TIERED:
        params["tiers"] = []
    names = {header_key(k): v for k, v in PARAM_NAMES[kind].items()}
    for part in filter(None, (p.strip() for p in _PARTS.split(body))):
        if kind == RuleKind.TIERED:
            tier = _TIER.fullmatch(part)
            if tier is not None:
                start, end, points = (g.strip() for g in tier.groups())
                params["tiers"].append(
                    {**({"from": start} if start else {}), **({"to": end} if end else {}), "points": points}
                )
                continue
        name, value = _split_once(part, r"[=＝]")
        param = names.get(header_key(name)) or (name.strip() if name.strip() in _english(kind) else None)
        if param is None:
            raise ValueError(
                _("“%(value)s” is not a number this kind of rule takes (it takes: %(names)s).")
                % {"value": name.strip()[:20], "names": "、".join(PARAM_NAMES[kind])}
            )
        value = value.strip()
        if param == "condition":
            found = _OP_VALUE.fullmatch(value)
            if found is None:
                raise ValueError(_("Write the condition as a comparison and a number, e.g. 条件=<=80."))
            params["op"], params["value"] = found.group(1), found.group(2).strip()
        else:
            params[param] = value
    return kind, params, text


def _english(kind) -> set[str]:
    return set(PARAM_NAMES.get(kind, {}).values()) - {"condition"} | ({"op", "value"} if kind == "threshold" else set())


# ---------------------------------------------------------------- the resource


class TemplateItemResource(XlsxResource):
    template_code = ImportField(
        None,
        "模板编号",
        aliases=("template", "template_code"),
        required=True,
        help_text=gettext_lazy("The template's code; the import makes a new version of it (or its first)."),
        example="district-2026",
    )
    template_name = ImportField(
        None, "模板名称", aliases=("template_name",), help_text=gettext_lazy("Read from the first row."),
        example="区级安全发展示范城市评价细则",
    )
    code = ImportField(
        "code",
        "编号",
        aliases=("code", "item_code", "序号"),
        widget=TextWidget(),
        required=True,
        help_text=gettext_lazy(
            "1, 1.2, 1.2.3: an item sits under the item whose code is its own less the last part. "
            "Format the column as text, or 1.10 becomes 1.1."
        ),
        example="1.1.1",
    )
    name = ImportField("name", "名称", aliases=("name", "项目", "评价项目"), required=True, example="城市安全规划")
    max_points = ImportField(
        "max_points", "分值", aliases=("points", "max_points", "标准分"), widget=AmountWidget(), required=True,
        example="2",
    )
    kind = ImportField(
        "kind",
        "类型",
        aliases=("kind", "项目类型"),
        widget=ChoiceWidget(ItemKind.choices, ITEM_KIND_LABELS),
        help_text=gettext_lazy("Empty means 基本项."),
        example="基本项",
    )
    content = ImportField("content", "考核内容", aliases=("content", "评价内容"))
    rules = ImportField(
        None,
        "扣分规则",
        aliases=("rules", "评分标准"),
        help_text=gettext_lazy(
            "One rule a line: 按处扣分：每处=0.5，上限=2｜the rubric's words. "
            "Kinds: 按处扣分, 按缺项扣分 (每项, 应有, 上限), 阈值 (条件=<=80, 扣分, 单位), 分档 (~60=2，60~80=1), "
            "按事件扣分 (每起, 已处置, 上限), 否决：condition, 免检：condition."
        ),
        example="按处扣分：每处=0.5，上限=2｜每发现一处扣0.5分,2分扣完为止",
    )
    evidence_hint = ImportField("evidence_hint", "佐证材料", aliases=("evidence", "evidence_hint"))
    unit_kinds = ImportField(
        None, "适用单位", aliases=("unit_kinds",), help_text=gettext_lazy("街道、社区、部门; empty: every unit."),
        example="街道、部门",
    )
    sectors = ImportField(
        None, "适用领域", aliases=("sectors",), help_text=gettext_lazy("Sectors by name; empty: every sector."),
        example="消防安全",
    )
    unverified = ImportField("unverified", "待核实", aliases=("unverified",), widget=YesNoWidget(), example="否")

    class Meta:
        model = Item
        fields = (
            "template_code", "template_name", "code", "name", "max_points", "kind", "content", "rules",
            "evidence_hint", "unit_kinds", "sectors", "unverified",
        )  # fmt: skip
        import_id_fields = ("code",)
        skip_unchanged = False

    trusted_relations = ("template", "parent")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.template: Template | None = None
        self._template_problem = ""
        self._created: dict[str, Item] = {}

    def get_queryset(self):
        return Item.objects.none()  # every row of a file is an item of the new version

    def row_sort_keys(self, rows):
        # Parents first: by depth, then as the tree orders them.
        def key(row):
            code = header_key(row.get(self.fields["code"].column_name))
            return (code.count("."), services.natural_key(code) if code else ())

        return [key(r) for r in rows]

    # -- export

    def dehydrate_template_code(self, item):
        return item.template.code

    def dehydrate_template_name(self, item):
        return item.template.name

    def dehydrate_rules(self, item):
        return "\n".join(rule_line(r.kind, r.params, r.text) for r in item.rules.all())

    def dehydrate_unit_kinds(self, item):
        return "、".join(UNIT_KIND_LABELS.get(k, k) for k in item.unit_kinds)

    def dehydrate_sectors(self, item):
        return "、".join(s.name for s in item.sectors.all())

    # -- import

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._created = {}
        self._sectors = {}
        for sector in Sector.objects.all():
            for name in (sector.name, sector.code, getattr(sector, "name_en", "")):
                if name:
                    self._sectors.setdefault(header_key(name), sector)
        rows = dataset.dict
        code_column, name_column = self.fields["template_code"].column_name, self.fields["template_name"].column_name
        codes = [TextWidget().clean(r.get(code_column)) for r in rows]
        self._template_code = next((c for c in codes if c), "")
        name = next((TextWidget().clean(r.get(name_column)) for r in rows if r.get(name_column)), "")
        if not services.may_edit_templates(self.user):
            self._template_problem = _("Only the creation office or a system administrator edits scoring templates.")
            return
        if not self._template_code:
            return
        try:
            latest = services.latest_version(self._template_code)
            if latest is None:
                self.template = services.template_create(
                    by=self.user, code=self._template_code, name=name or self._template_code
                )
            else:
                self.template = services.template_new_version(by=self.user, template=latest, empty=True)
                if name and name != self.template.name:
                    self.template = services.template_update(by=self.user, template=self.template, name=name)
        except (ValidationError, PermissionDenied) as exc:
            self._template_problem = " ".join(getattr(exc, "messages", [str(exc)]))

    def check_row(self, instance, row, errors):
        code = instance.code or ""
        template_code = self.cell(row, "template_code")
        if self._template_problem:
            errors.setdefault("template_code", []).append(ValidationError(self._template_problem))
        elif template_code and template_code != self._template_code:
            errors.setdefault("template_code", []).append(
                ValidationError(
                    _("Every row belongs to one template: this file's is “%(code)s”.") % {"code": self._template_code}
                )
            )
        if self.template is not None:
            instance.template = self.template
        instance.parent = None
        if "." in code:
            parent_code = code.rsplit(".", 1)[0]
            instance.parent = self._created.get(parent_code)
            if instance.parent is None:
                errors.setdefault("code", []).append(
                    ValidationError(
                        _("Its parent item %(parent)s is not in the file (or has a problem of its own).")
                        % {"parent": parent_code}
                    )
                )
        instance.kind = instance.kind or ItemKind.BASIC
        instance._import_rules = []
        for line in filter(None, (part.strip() for part in self.cell(row, "rules").splitlines())):
            try:
                kind, params, text = parse_rule_line(line)
                limit = instance.max_points if "max_points" not in errors else None
                params = rulebook.validate(kind, params, limit)
            except ValueError as exc:
                errors.setdefault("rules", []).append(ValidationError(str(exc)))
                continue
            except ValidationError as exc:
                errors.setdefault("rules", []).append(ValidationError(f"{line[:30]}: {' '.join(exc.messages)}"))
                continue
            instance._import_rules.append((kind, params, text))
        kinds = {header_key(v): k for k, v in UNIT_KIND_LABELS.items()} | {k.value: k.value for k in UNIT_KIND_LABELS}
        instance._import_unit_kinds = []
        for part in filter(None, (p.strip() for p in _LIST.split(self.cell(row, "unit_kinds")))):
            if header_key(part) not in kinds:
                errors.setdefault("unit_kinds", []).append(
                    ValidationError(_("“%(value)s” is not 街道, 社区 or 部门.") % {"value": part[:20]})
                )
            else:
                instance._import_unit_kinds.append(str(kinds[header_key(part)]))
        instance.unit_kinds = instance._import_unit_kinds
        instance._import_sectors = []
        for part in filter(None, (p.strip() for p in _LIST.split(self.cell(row, "sectors")))):
            sector = self._sectors.get(header_key(part))
            if sector is None:
                errors.setdefault("sectors", []).append(
                    ValidationError(
                        _("“%(value)s” is not one of the seven sectors (e.g. 消防安全).") % {"value": part[:20]}
                    )
                )
            else:
                instance._import_sectors.append(sector)

    def row_permission_errors(self, instance):
        return {"template_code": self._template_problem} if self._template_problem else {}

    def do_instance_save(self, instance, is_create):
        """Through the services, which check again what the row may do and write its history."""
        try:
            item = services.item_add(
                by=self.user,
                template=self.template,
                parent=instance.parent,
                code=instance.code,
                name=instance.name,
                max_points=instance.max_points,
                kind=instance.kind,
                content=instance.content,
                evidence_hint=instance.evidence_hint,
                unit_kinds=instance._import_unit_kinds,
                sectors=instance._import_sectors,
                unverified=instance.unverified,
            )
            for kind, params, text in instance._import_rules:
                services.rule_add(by=self.user, item=item, kind=kind, params=params, text=text)
        except PermissionDenied as exc:
            raise ValidationError({"template_code": str(exc)}) from None
        instance.pk = item.pk
        self._created[item.code] = item

    def export_queryset(self, template: Template):
        return (
            Item.objects.filter(template=template)
            .select_related("template")
            .prefetch_related("rules", "sectors")
            .order_by("order", "pk")
        )
