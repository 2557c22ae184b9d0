"""The demo's assessments: a small inspection template (20 items) and a published round of the first
inspection team's streets, each with its self-assessment (自评) and the review (复核), findings with
photos, one of them raised as a hazard; and one street still being scored; and the national rubric
as shipped (partial, its gaps listed).

The template is also the shape the tests and the benchmark build at any size (build_template)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from assessments import rubric
from assessments import run_services as services
from assessments import services as template_services
from assessments.models import AnswerState, Item, ItemKind, RuleKind, Run, Side, Template
from campaign.lib.uploads import clean_image
from districts.demo import demo_staff
from districts.models import OrgUnit, Sector, User

D = Decimal

# (code, name, max, rules) per line; rules are (kind, params, text) as the rubric writes them.
F, M, T, V, X = RuleKind.PER_FINDING, RuleKind.PER_MISSING, RuleKind.THRESHOLD, RuleKind.VETO, RuleKind.EXEMPTION


def per_finding(points, cap):
    return (F, {"points": points, "cap": cap}, f"每发现一处扣{points}分，{cap}分扣完为止")


def per_missing(points, of=None):
    return (M, {"points": points, **({"of": of} if of else {})}, f"每缺一项扣{points}分")


TIERS = {"tiers": [{"from": "0", "to": "90", "points": "4"}, {"from": "90", "to": "95", "points": "2"}]}
INCIDENTS = {"points": "2", "resolved_points": "1", "cap": "6"}
ASPECTS = [
    ("1", "安全责任落实", "25", [
        ("1.1", "党政领导责任制落实", "8", [per_missing("1", 8)]),
        ("1.2", "部门监管责任落实", "6", [per_finding("0.5", "3")]),
        ("1.3", "企业主体责任落实", "6", [per_finding("0.5", "2")]),
        ("1.4", "安全生产考核", "5", [(X, {"condition": "市级考核优秀"}, "上年度市级考核优秀的，免检、满分")]),
    ]),
    ("2", "安全风险防控", "25", [
        ("2.1", "风险辨识评估", "7", [per_missing("0.5")]),
        ("2.2", "重大危险源监控", "6", [per_finding("1", "4")]),
        ("2.3", "老旧管网改造", "6", [(T, {"op": "<=", "value": "80", "points": "2", "unit": "%"},
                                      "老旧管网改造率≤80%的，扣2分")]),
        ("2.4", "消防设施完好率", "6", [(RuleKind.TIERED, TIERS, "完好率低于90%扣4分，90%至95%扣2分")]),
    ]),
    ("3", "隐患排查治理", "25", [
        ("3.1", "隐患排查", "7", [per_finding("0.5", "3")]),
        ("3.2", "隐患整改", "7", [per_finding("1", "4")]),
        ("3.3", "挂牌督办", "5", [per_missing("1")]),
        ("3.4", "重大事故", "6", [(V, {"condition": "发生较大及以上生产安全事故"},
                                  "发生较大及以上生产安全事故的，取消评选资格")]),
    ]),
    ("4", "安全基础保障", "25", [
        ("4.1", "应急预案与演练", "7", [per_missing("1")]),
        ("4.2", "应急救援队伍", "6", [per_finding("0.5", "2")]),
        ("4.3", "生产安全事故", "6", [(RuleKind.PER_INCIDENT, INCIDENTS, "每发生一起扣2分，已妥善处置的扣1分")]),
        ("4.4", "宣传教育培训", "6", [per_finding("0.5", "3")]),
    ]),
]
BONUS = ("5", "创新工作（鼓励项）", "3", [])


def build_template(*, code: str, name: str, by: User | None, aspects=None, bonus=BONUS) -> Template:
    """A template version with its items and rules, written as the rubric has them, through the
    templates' services (assessments.services)."""
    template = template_services.template_create(by=by, code=code, name=name, source="演示用督查细则")

    def add(parent, item_code, item_name, max_points, kind=ItemKind.BASIC):
        return template_services.item_add(
            by=by,
            template=template,
            parent=parent,
            code=item_code,
            name=item_name,
            max_points=D(max_points),
            kind=kind,
            evidence_hint="台账、会议纪要、现场照片" if parent else "",
            content=f"{item_name}情况" if parent else "",
        )

    for aspect_code, aspect_name, aspect_max, lines in aspects if aspects is not None else ASPECTS:
        aspect = add(None, aspect_code, aspect_name, aspect_max)
        for line_code, line_name, line_max, rules in lines:
            line = add(aspect, line_code, line_name, line_max)
            for n, (kind, params, text) in enumerate(rules):
                template_services.rule_add(by=by, item=line, kind=kind, params=params, text=text, order=n)
    if bonus:
        bonus_code, bonus_name, bonus_max, _lines = bonus
        bucket = add(None, bonus_code, bonus_name, bonus_max, ItemKind.BONUS)
        add(bucket, f"{bonus_code}.1", "创新做法被上级推广", bonus_max, ItemKind.BONUS)
    return template


def _photo(colour):
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "JPEG")
    return clean_image(SimpleUploadedFile("demo.jpg", out.getvalue(), content_type="image/jpeg"))


# Per street: the self-assessment's and the review's findings (item code → count), missing, measured.
PLAN = {
    "330103001": {"self": {"1.3": 1}, "review": {"1.3": 3, "3.2": 2}, "missing": {"1.1": 1}, "measured": {"2.3": "86"}},
    "330103002": {"self": {}, "review": {"2.2": 1, "3.1": 2}, "missing": {"1.1": 0}, "measured": {"2.3": "78"}},
    "330103003": {"self": {"4.2": 1}, "review": {"4.2": 2}, "missing": {"3.3": 1}, "measured": {"2.3": "92"}},
}
DESCRIPTIONS = ["消防通道堆放杂物", "灭火器过期未更换", "应急照明损坏", "电动车违规充电", "安全出口上锁"]


def _score_side(run, side, by, plan, fire):
    items = {i.code: i for i in Item.objects.filter(template=run.round.template)}
    for code, count in plan[side].items():
        for n in range(count):
            services.finding_add(
                run=run,
                side=side,
                item=items[code],
                by=by,
                description=f"{DESCRIPTIONS[(n + len(code)) % len(DESCRIPTIONS)]}（{run.unit.name}）",
                location=f"{run.unit.name}{n + 3}号楼",
                sector=fire,
                photos=[_photo((180, 40 + 30 * n, 40))],
            )
    for code, missing in plan["missing"].items():
        services.answer_save(run=run, side=side, item=items[code], by=by, missing=missing + (side == "review"))
    for code, measured in plan["measured"].items():
        services.answer_save(run=run, side=side, item=items[code], by=by, measured=D(measured))
    na_reason = "本街道事故统计由区应急管理局统一开展"
    services.answer_save(
        run=run, side=side, item=items["4.3"], by=by, state=AnswerState.NOT_APPLICABLE, na_reason=na_reason
    )
    if side == Side.REVIEW:
        services.answer_save(run=run, side=side, item=items["5.1"], by=by, bonus_claimed=D("1.5"))


@transaction.atomic
def load_demo(*, campaign, today: datetime.date) -> None:
    office = User.objects.get(username="office")
    # The national rubric as shipped (partial: its gaps are listed on its page, not filled in).
    rubric.load(by=office)
    if Run.objects.filter(round__campaign=campaign).exists():
        return
    inspector = User.objects.get(username="inspector")
    team = OrgUnit.objects.get(code="330103-XCZ1")
    fire = Sector.objects.get(code="fire_safety")
    template = build_template(code="demo-inspection", name="安全发展示范城市创建专项督查评分细则（演示）", by=office)
    quarter_end = (today.replace(day=1) - datetime.timedelta(days=1))
    quarter_start = (quarter_end - datetime.timedelta(days=80)).replace(day=1)
    streets = [OrgUnit.objects.get(code=code) for code in [*PLAN, "330103005"]]
    round_ = services.round_create(
        by=office,
        campaign=campaign,
        template=template,
        name=f"{quarter_end.year}年第{(quarter_end.month - 1) // 3 + 1}季度创建工作专项督查",
        period_start=quarter_start,
        period_end=quarter_end,
        team=team,
        units=streets,
    )
    raised = False
    for run in round_.runs.select_related("round", "unit").order_by("unit__code"):
        plan = PLAN.get(run.unit.code)
        if plan is None:
            # Still being scored: the team has started, the street has sent nothing yet.
            items = {i.code: i for i in Item.objects.filter(template=template)}
            services.finding_add(
                run=run, side=Side.REVIEW, item=items["3.1"], by=inspector, description="电动车违规充电", sector=fire
            )
            continue
        staff = demo_staff(run.unit)
        _score_side(run, Side.SELF, staff, plan, fire)
        run = services.run_submit_self(run=run, by=staff)
        _score_side(run, Side.REVIEW, inspector, plan, fire)
        if not raised:
            answer = Run.objects.get(pk=run.pk).answers.get(side=Side.REVIEW, item__code="3.2")
            finding = answer.findings.order_by("pk").first()
            fields = services.finding_hazard_initial(finding)
            fields.pop("found_at")
            services.finding_raise_hazard(finding=finding, by=inspector, grade="general", **fields)
            raised = True
        run = services.run_submit(run=run, by=inspector)
        run = services.run_review(run=run, by=office, comment="复核无误")
        services.run_publish(run=run, by=office)
