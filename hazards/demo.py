"""Demo hazards that look lived-in: every state of the workflow, some overdue, some major and
listed for supervision, each step taken through the services by the demo user whose job it is,
with small generated photos so that lists show thumbnails."""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.utils import timezone
from PIL import Image, ImageDraw

from campaign.lib.uploads import clean_image
from districts.models import OrgUnit, Sector, Site, User
from hazards import services
from hazards.models import (
    Action,
    ExtensionRequest,
    Grade,
    Hazard,
    HazardEvent,
    Source,
    SupervisionListing,
    deadline_today,
)

# title, place code, sector, source, grade, how far it goes, days its deadline is from today
HAZARDS = [
    ("消防通道堆放杂物", "330103002051", "fire_safety", Source.INSPECTION, Grade.GENERAL, "closed", -20),
    ("电动自行车楼道内充电", "330103002052", "fire_safety", Source.PATROL, Grade.GENERAL, "awaiting", 5),
    ("灭火器压力不足", "330103002051", "fire_safety", Source.INSPECTION, Grade.GENERAL, "rectifying", 10),
    ("疏散指示标志损坏", "330103002053", "fire_safety", Source.SELF_CHECK, Grade.GENERAL, "rectifying", -3),
    ("液化气钢瓶未固定", "330103003051", "hazardous_chemicals", Source.INSPECTION, Grade.GENERAL, "rectifying", -8),
    ("深基坑临边防护缺失", "330103002057", "construction", Source.INSPECTION, Grade.MAJOR, "rectifying", -2),
    ("加油站卸油区静电接地失效", "330103003052", "hazardous_chemicals", Source.SUPERVISION, Grade.MAJOR, "listed", 0),
    ("电梯维保记录缺失", "330103002055", "special_equipment", Source.PUBLIC_REPORT, Grade.GENERAL, "reported", 0),
    ("燃气管道穿越卧室", "330103003053", "city_operation", Source.PATROL, Grade.GENERAL, "extension", 4),
    ("商场防火卷帘无法降落", "330103002056", "commerce_tourism", Source.INSPECTION, Grade.GENERAL, "returned", 6),
    ("群租房隔断使用易燃材料", "330103002051", "fire_safety", Source.PUBLIC_REPORT, Grade.GENERAL, "cancelled", 0),
    ("道路护栏缺损", "330103003054", "road_traffic", Source.INSPECTION, Grade.GENERAL, "closed", -40),
]
COLOURS = {"before": (190, 60, 40), "after": (40, 150, 70)}


def demo_photo(label: str, kind: str):
    image = Image.new("RGB", (480, 360), COLOURS[kind])
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 460, 340), outline=(255, 255, 255), width=6)
    draw.text((40, 40), f"{kind.upper()} {label}", fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return clean_image(SimpleUploadedFile(f"{kind}.jpg", out.getvalue(), content_type="image/jpeg"))


# The hazard's own time of each step, moved with the step.
STAMPED = {Action.ASSIGN: "assigned_at", Action.SUBMIT: "rectified_at", Action.CLOSE: "closed_at"}
# How long before today a hazard's story began, beyond its deadline's distance from today.
STORY_DAYS = 14


def _backdate(hazard: Hazard, days: int, steps: Sequence[int] = ()) -> None:
    """Demo history: the story, played through the services just now, is moved `days` back as a
    whole: found then, its steps a day apart (or on the days after the find that `steps` gives,
    one for each step after the report), and every date it set (the hazard's deadline, the
    deadline each step on the timeline recorded, the extension asked for, the listing's dates)
    moved by the same days, so that the header, the timeline and the lists tell one story."""
    shift = datetime.timedelta(days=days)
    start = timezone.now() - shift
    Hazard.objects.filter(pk=hazard.pk).update(
        found_at=start.replace(second=0, microsecond=0), deadline=F("deadline") - shift
    )
    ExtensionRequest.objects.filter(hazard=hazard).update(
        current_deadline=F("current_deadline") - shift, requested_deadline=F("requested_deadline") - shift
    )
    SupervisionListing.objects.filter(hazard=hazard).update(plan_time_limit=F("plan_time_limit") - shift)
    for i, event in enumerate(hazard.events.order_by("id")):
        at = start + datetime.timedelta(days=steps[i - 1] if steps and i else i, hours=2)
        HazardEvent.objects.filter(pk=event.pk).update(at=at, deadline=F("deadline") - shift)
        if event.action in STAMPED:
            Hazard.objects.filter(pk=hazard.pk).update(**{STAMPED[event.action]: at})
        if event.action == Action.REQUEST_EXTENSION:
            ExtensionRequest.objects.filter(hazard=hazard).update(requested_at=at)
        if event.action == Action.LIST:
            # The listing document is dated the day it was listed.
            SupervisionListing.objects.filter(hazard=hazard).update(listed_on=timezone.localdate(at))


def load_hazards() -> int:
    """Idempotent: nothing is added once the ledger holds the showcase."""
    if Hazard.objects.filter(title__in=[title for title, *_rest in HAZARDS]).exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=["inspector", "wulin", "tianshui", "office"])}
    if len(users) < 4:
        return 0
    inspector, office = users["inspector"], users["office"]
    street_of = {"330103002": users["wulin"], "330103003": users["tianshui"]}
    sectors = {s.code: s for s in Sector.objects.all()}
    today = deadline_today()
    made = 0
    for n, (title, code, sector, source, grade, goes, due_in) in enumerate(HAZARDS):
        place = OrgUnit.objects.select_related("parent").get(code=code)
        street = place.parent
        staff = street_of[street.code]
        site = Site.objects.filter(unit=place, sector=sectors[sector]).first()
        hazard = services.hazard_report(
            by=inspector,
            title=title,
            unit=place,
            site=site,
            sector=sectors[sector],
            location=f"{place.name}{n + 3}号楼",
            description=f"{title}，存在安全隐患，需及时整改。",
            grade=grade,
            source=source,
            photos=[demo_photo(str(n + 1), "before")],
        )
        made += 1
        # The story starts this many days ago; its dates are set as if it were today, then moved back.
        days = abs(due_in) + STORY_DAYS
        if goes == "cancelled":
            services.hazard_cancel(hazard=hazard, by=office, reason="经核实为重复登记")
        if goes in ("reported", "cancelled"):
            _backdate(hazard, 2)
            continue
        if grade == Grade.MAJOR:
            services.hazard_list_for_supervision(
                hazard=hazard,
                by=office,
                supervising_unit=OrgUnit.objects.get(code="330103-CJB"),
                document_number=f"下安委办〔{today.year}〕{n + 1}号",
                listed_on=today,
                plan_measures="立即设置警戒区，限期完成工程整改",
                plan_funds=Decimal("20.00") + n,
                plan_responsible=f"{street.name} {staff.full_name.split()[-1]}",
                plan_time_limit=today + datetime.timedelta(days=60),
                plan_contingency="制定专项应急预案，落实24小时值守",
            )
        if goes == "listed":
            _backdate(hazard, days)
            continue
        hazard = services.hazard_assign(
            hazard=hazard,
            by=inspector,
            responsible_unit=street,
            responsible_person=staff.full_name.split()[-1],
            responsible_phone="0571-85000000",
            # `due_in` days from today once the story is moved back by `days`.
            deadline=today + datetime.timedelta(days=days + due_in),
            measures="按照相关标准立即整改，整改完成后上传照片",
        )
        if goes in ("awaiting", "closed", "returned"):
            hazard = services.hazard_submit(
                hazard=hazard, by=staff, rectification="已按要求整改完毕", photos=[demo_photo(str(n + 1), "after")]
            )
        if goes == "closed":
            services.hazard_close(hazard=hazard, by=inspector, note="现场复查合格")
        if goes == "returned":
            services.hazard_return(hazard=hazard, by=inspector, reason="复查发现仍未整改到位")
        if goes == "extension":
            services.hazard_request_extension(
                hazard=hazard,
                by=staff,
                requested_deadline=hazard.deadline + datetime.timedelta(days=15),
                reason="需更换管道，材料采购周期较长",
            )
        _backdate(hazard, days)
    return made
