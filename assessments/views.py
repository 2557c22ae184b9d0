"""The creation office's screens of scoring templates: the templates with their versions, a
version's tree with its rules as written, a new version, the spreadsheet export and import.
Items and rules are edited in the back office (assessments.admin), through the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessments import rules as rulebook
from assessments import services
from assessments import template_selectors as selectors
from assessments.job_kinds import TEMPLATE_IMPORT
from assessments.models import ItemKind, Template
from assessments.resources import SHEET, UNIT_KIND_LABELS, TemplateItemResource
from campaign.lib.xlsx.files import export_xlsx, xlsx_response


@login_required
@require_GET
def template_list(request):
    return render(
        request,
        "assessments/templates/template_list.html",
        {
            "codes": selectors.template_versions(request.user),
            "can_edit": services.may_edit_templates(request.user),
            "can_import": TEMPLATE_IMPORT.may_import(request.user),
        },
    )


def _detail_or_404(user, pk):
    try:
        return selectors.template_detail(user, pk)
    except Template.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
def template_detail(request, pk):
    template, items, versions = _detail_or_404(request.user, pk)
    rows = []
    for item in items:
        rows.append(
            {
                "item": item,
                "depth": item.code.count("."),
                "rules": [{"rule": r, "numbers": rulebook.describe(r.kind, r.params)} for r in item.rules.all()],
                "unit_kinds": "、".join(UNIT_KIND_LABELS.get(k, k) for k in item.unit_kinds),
                "is_bonus": item.kind == ItemKind.BONUS,
            }
        )
    roots = [i for i in items if i.parent_id is None]
    return render(
        request,
        "assessments/templates/template_detail.html",
        {
            "template": template,
            "rows": rows,
            "versions": versions,
            "total": sum(i.max_points for i in roots if i.kind != ItemKind.BONUS),
            "bonus_total": sum(i.max_points for i in roots if i.kind == ItemKind.BONUS),
            "unverified_count": sum(1 for i in items if i.unverified),
            "problems": [] if template.is_frozen else services.template_problems(template),
            "can_edit": services.may_edit_templates(request.user),
        },
    )


@login_required
@require_POST
def template_new_version(request, pk):
    template, _items, _versions = _detail_or_404(request.user, pk)
    try:
        new = services.template_new_version(by=request.user, template=template)
    except (PermissionDenied, ValidationError) as exc:
        if isinstance(exc, PermissionDenied):
            raise
        messages.error(request, " ".join(exc.messages))
        return redirect("assessment_template_detail", pk=template.pk)
    messages.success(request, _("Version %(version)d made from version %(old)d.") % {
        "version": new.version, "old": template.version
    })
    return redirect("assessment_template_detail", pk=new.pk)


@login_required
@require_GET
def template_export(request, pk):
    template, _items, _versions = _detail_or_404(request.user, pk)
    resource = TemplateItemResource(user=request.user)
    content = export_xlsx(resource, resource.export_queryset(template), title=SHEET)
    return xlsx_response(content, f"{template.code}-v{template.version}.xlsx")


@login_required
@require_GET
def export_any(request):
    """The import page's “export what I can see”: a template is exported from its own page."""
    selectors.ensure_may_read(request.user)
    messages.info(request, _("Open a template's version to export it."))
    return redirect("assessment_template_list")
