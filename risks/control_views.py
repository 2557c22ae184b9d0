"""Graded control (分级管控): the district's register of major and significant risks with the
level and unit that control each, on screen and as a spreadsheet. Scoped like every list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from campaign.lib.paging import list_page
from campaign.lib.xlsx.files import write_xlsx, xlsx_response
from districts.models import OrgUnit
from risks import selectors
from risks.resources import LEVEL_LABELS, level_fill

SHEET = "重大较大风险管控清单"
HEADERS = (
    "序号",
    "风险编号",
    "风险点名称",
    "风险等级",
    "管控层级",
    "管控单位",
    "责任人",
    "所在街道",
    "所在社区/网格",
    "生产经营单位",
    "行业领域",
    "事故类型",
    "下次复核日期",
    "提示",
)


def _flags(risk) -> str:
    flags = []
    if risk.below_control_level:
        flags.append(_("Below control level"))
    if risk.needs_reassessment:
        flags.append(_("Needs re-assessment"))
    return "、".join(flags)


def _row(number: int, risk) -> list:
    unit = risk.unit
    street = unit.street
    below_street = unit if unit.kind in (OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.GRID) else None
    return [
        number,
        risk.code or "",
        risk.name,
        LEVEL_LABELS[risk.current_assessment.level],
        risk.get_control_level_display(),
        risk.responsible_unit.name,
        risk.responsible_person,
        street.name if street else unit.name,
        below_street.name if below_street else "",
        risk.site.name if risk.site else "",
        str(risk.sector),
        risk.get_accident_type_display(),
        f"{risk.next_review_on:%Y-%m-%d}" if risk.next_review_on else "",
        _flags(risk),
    ]


@login_required
@require_GET
def control_register(request):
    risks = selectors.control_register_for(request.user)
    return render(
        request,
        "risks/control_register.html",
        {**list_page(request, risks), "levels": selectors.level_styles(), "today": timezone.localdate()},
    )


@login_required
@require_GET
def control_register_export(request):
    rows = [_row(i, risk) for i, risk in enumerate(selectors.control_register_for(request.user), start=1)]
    content = write_xlsx([(SHEET, HEADERS, rows)], fill=level_fill)
    return xlsx_response(content, f"risk-control-register-{timezone.localdate():%Y%m%d}.xlsx")
