"""The assessments' part of `manage.py bench_assessments`: the scoring page of a 132-item template
scored for 15 units (issue 13: ≤ 12 queries, constant in the number of items answered; ≤ 100 ms).

Seeds on top of the demo (campaign.demo.load_demo, if it is not there): an inspection team covering
15 units of the district (its streets, then departments), a template of 6 aspects × 21 lines
(132 items, a per-finding rule on each line) written through the templates' services, and a round
of the 15 units. One run is left unanswered; the others have every line answered, the measured one
through the services with a finding, a photo and an evidence link on each line, the rest in bulk.
A rerun finds the round and only measures. Figures: the review side's page as the team's inspector,
median and p95 of `repeat` requests after a warm-up, and the queries with 0 and with all answered.
"""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from PIL import Image

from campaign.lib.bench import sample_page, signed_in_client

TEMPLATE_CODE = "bench-132"
TEAM_CODE = "330103-XCZ-BENCH"
ROUND_NAME = "基准测试专项督查（132项）"
ASPECTS, LINES = 6, 21  # 6 + 6 × 21 = 132 items
UNITS = 15


def _template(by):
    from assessments import services as template_services
    from assessments.models import RuleKind, Template

    existing = Template.objects.filter(code=TEMPLATE_CODE).order_by("-version").first()
    if existing is not None:
        return existing
    template = template_services.template_create(by=by, code=TEMPLATE_CODE, name="基准测试评分细则（132项）")
    for a in range(1, ASPECTS + 1):
        aspect = template_services.item_add(
            by=by, template=template, code=str(a), name=f"第{a}部分", max_points=f"{LINES * 0.8:.1f}"
        )
        for n in range(1, LINES + 1):
            line = template_services.item_add(
                by=by,
                template=template,
                parent=aspect,
                code=f"{a}.{n}",
                name=f"第{a}部分第{n}项考核内容",
                content="按照创建标准落实相关工作，台账齐全、措施到位。",
                evidence_hint="工作台账、会议纪要、现场照片",
                max_points="0.8",
            )
            template_services.rule_add(
                by=by,
                item=line,
                kind=RuleKind.PER_FINDING,
                params={"points": "0.2", "cap": "0.8"},
                text="每发现一处扣0.2分，扣完为止",
            )
    return template


def _team(district, units):
    from districts.models import OrgUnit

    team, _created = OrgUnit.objects.get_or_create(
        code=TEAM_CODE, defaults={"name": "基准测试巡查组", "kind": OrgUnit.Kind.TEAM, "parent": district}
    )
    team.assigned_units.add(*units)
    return team


def _photo():
    from campaign.lib.uploads import clean_image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), (180, 60, 40)).save(out, "JPEG")
    return clean_image(SimpleUploadedFile("bench.jpg", out.getvalue(), content_type="image/jpeg"))


def _seed():
    """(inspector, the unanswered run, the fully answered run)."""
    from assessments import run_services as services
    from assessments.models import Answer, Item, Round, Run, Side
    from campaign.demo import load_demo
    from campaign.lib.history import bulk_create_with_history
    from campaign.models import Campaign
    from campaign.plan import DISTRICT_CODE
    from districts.models import Membership, OrgUnit, Role, User
    from districts.services import membership_create
    from hazards.models import Hazard

    if not User.objects.filter(username="office").exists():
        load_demo()
    office = User.objects.get(username="office")
    district = OrgUnit.objects.get(code=DISTRICT_CODE)
    kinds = (OrgUnit.Kind.STREET, OrgUnit.Kind.DEPARTMENT)
    units = list(
        OrgUnit.objects.filter(parent=district, kind__in=kinds).order_by("-kind", "code")[:UNITS]
    )  # streets ("street" > "department") first
    team = _team(district, units)
    inspector, _created = User.objects.get_or_create(username="bench-inspector", defaults={"full_name": "基准 巡查员"})
    if not Membership.objects.filter(user=inspector, unit=team, role=Role.INSPECTOR).exists():
        membership_create(user=inspector, unit=team, role=Role.INSPECTOR)
    template = _template(office)
    round_ = Round.objects.filter(name=ROUND_NAME, template=template).first()
    if round_ is None:
        with transaction.atomic():
            round_ = services.round_create(
                by=office,
                campaign=Campaign.objects.current(),
                template=template,
                name=ROUND_NAME,
                period_start=Campaign.objects.current().starts_on,
                period_end=Campaign.objects.current().ends_on,
                team=team,
                units=units,
            )
            runs = list(round_.runs.select_related("round", "unit").order_by("unit__code"))
            leaves = list(Item.objects.filter(template=template, parent__isnull=False).order_by("order"))
            measured = runs[1]
            hazard = Hazard.objects.visible_to(inspector).first()
            for n, item in enumerate(leaves):
                services.answer_save(run=measured, side=Side.REVIEW, item=item, by=inspector, note=f"第{n + 1}项已核查")
                services.finding_add(
                    run=measured, side=Side.REVIEW, item=item, by=inspector, description="台账不全", photos=[_photo()]
                )
                if hazard is not None:
                    services.evidence_add(
                        run=measured, side=Side.REVIEW, item=item, by=inspector, kind="hazard", ref=hazard.number
                    )
            for run in runs[2:]:
                bulk_create_with_history(
                    [Answer(run=run, side=Side.REVIEW, item=item, updated_by=inspector) for item in leaves], Answer
                )
                Run.objects.filter(pk=run.pk).update(status="in_progress")
    runs = list(round_.runs.order_by("unit__code"))
    return inspector, runs[0], runs[1]


def run(out, *, repeat: int = 20) -> None:
    from assessments.models import Answer, Side

    inspector, empty, full = _seed()
    client = signed_in_client(inspector)
    answered = Answer.objects.filter(run=full, side=Side.REVIEW).count()
    figures = {}
    for label, target in (("empty", empty), ("answered", full)):
        url = reverse("assessment_score", args=[target.pk, Side.REVIEW])
        figures[label] = sample_page(client, url, repeat, warmup=2)
    out("scoring_page_items", 132, "items")
    out("scoring_page_items_answered", answered, "items")
    out("scoring_page_queries_empty", len(figures["empty"].queries[-1]), "queries")
    out("scoring_page_queries", len(figures["answered"].queries[-1]), "queries")
    out("scoring_page_empty_median", figures["empty"].median, "ms")
    out("scoring_page_median", figures["answered"].median, "ms")
    out("scoring_page_p95", figures["answered"].percentile(95), "ms")
