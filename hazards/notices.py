"""Printable notices as PDF: the rectification notice (整改通知书) and the supervision listing
notice (重大事故隐患挂牌督办通知书), laid out as official documents. Rendering, fonts, page
numbers and the letterhead are campaign.lib.pdf's (templates/pdf/base.html)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from campaign.lib.pdf import cn_date, pdf_response, render_pdf
from districts.subtree import district_of
from hazards import workflow
from hazards.models import Hazard
from hazards.views import hazard_or_404


def official_name(unit) -> str:
    """A unit as a document heads it: 下城区武林街道, 下城区区创建办 → the district's name first."""
    if unit is None:
        return ""
    district = district_of(unit)
    if district is unit or unit.name.startswith(district.name):
        return unit.name
    # 区创建办 → 下城区创建办, not 下城区区创建办.
    name = unit.name[1:] if unit.name.startswith("区") and district.name.endswith("区") else unit.name
    return f"{district.name}{name}"


def rectification_notice_pdf(hazard: Hazard) -> bytes:
    return render_pdf(
        "hazards/notices/rectification.html",
        {
            "hazard": hazard,
            "issuer": official_name(hazard.issuing_unit),
            "addressee": official_name(hazard.responsible_unit),
            "deadline": cn_date(hazard.deadline),
            # Dates as they were in Shanghai, not in UTC (an assignment at 01:00 is that day's).
            "issued_on": cn_date(timezone.localdate(hazard.assigned_at) if hazard.assigned_at else None),
            "found_on": cn_date(timezone.localdate(hazard.found_at)),
        },
    )


def listing_notice_pdf(hazard: Hazard) -> bytes:
    listing = workflow.listing_of(hazard)
    return render_pdf(
        "hazards/notices/listing.html",
        {
            "hazard": hazard,
            "listing": listing,
            "document_number": listing.document_number,
            "issuer": official_name(listing.supervising_unit),
            "addressee": official_name(hazard.responsible_unit) or (hazard.site.name if hazard.site else hazard.unit),
            "listed_on": cn_date(listing.listed_on),
            "time_limit": cn_date(listing.plan_time_limit),
        },
    )


@login_required
@require_GET
def rectification_notice(request, pk):
    hazard = hazard_or_404(request.user, pk)
    if hazard.responsible_unit_id is None:
        raise PermissionDenied(_("A rectification notice is issued once the hazard is assigned."))
    name = _("%(number)s rectification notice") % {"number": hazard.number}
    return pdf_response(rectification_notice_pdf(hazard), name)


@login_required
@require_GET
def listing_notice(request, pk):
    hazard = hazard_or_404(request.user, pk)
    if workflow.listing_of(hazard) is None:
        raise PermissionDenied(_("This hazard is not listed for supervision."))
    name = _("%(number)s supervision listing notice") % {"number": hazard.number}
    return pdf_response(listing_notice_pdf(hazard), name)
