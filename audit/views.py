"""The audit administrator's screen: search the trail, read one row's changes
field by field, export what was found. Read-only: no view here writes."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from audit import export
from audit.filters import AuditFilter
from audit.models import AuditEvent
from campaign.lib.paging import list_page
from districts.models import Role
from districts.scoping import memberships_of


def _ensure_auditor(user) -> None:
    # Three-role separation: the trail is the audit administrator's alone.
    if not any(m.role == Role.AUDIT_ADMIN for m in memberships_of(user)):
        raise PermissionDenied(_("Only the audit administrator reads the audit trail."))


def _filtered(request) -> AuditFilter:
    queryset = AuditEvent.objects.select_related("user", "unit", "content_type")
    return AuditFilter(request.GET or None, queryset=queryset, user=request.user)


@require_safe
@login_required
def event_list(request):
    _ensure_auditor(request.user)
    filterset = _filtered(request)
    return render(
        request,
        "audit/event_list.html",
        {"filter": filterset, **list_page(request, filterset.qs), "export_limit": export.MAX_ROWS},
    )


@require_safe
@login_required
def event_detail(request, pk):
    _ensure_auditor(request.user)
    event = get_object_or_404(AuditEvent.objects.select_related("user", "unit", "content_type"), pk=pk)
    context = {"event": event, "changes": export.change_rows(event), "details": export.detail_rows(event)}
    return render(request, "audit/event_detail.html", context)


@require_safe
@login_required
def event_export(request):
    _ensure_auditor(request.user)
    filterset = _filtered(request)
    if not filterset.is_valid():
        return render(request, "audit/event_list.html", {"filter": filterset, **list_page(request, filterset.qs)})
    queryset = filterset.qs
    if queryset.count() > export.MAX_ROWS:
        return render(
            request,
            "audit/event_list.html",
            {
                "filter": filterset,
                **list_page(request, queryset),
                "export_limit": export.MAX_ROWS,
                "export_too_large": True,
            },
            status=400,
        )
    response = HttpResponse(
        export.workbook(queryset),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"audit-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
