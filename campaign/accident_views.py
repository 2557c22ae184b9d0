"""The accident register's screens: the list with its filters, an accident with its history,
recording and correcting one, and the register as a spreadsheet; always within the user's scope.
Writes go through campaign.services.accidents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from campaign.accident_filters import AccidentFilter
from campaign.accident_forms import AccidentForm
from campaign.accident_roles import accident_writer_scope
from campaign.job_kinds import ACCIDENT_SHEET
from campaign.lib.forms import attempt
from campaign.lib.paging import list_page
from campaign.lib.xlsx.files import export_response
from campaign.models import SERIOUS_GRADES, Accident
from campaign.resources import AccidentResource
from campaign.selectors import accidents as selectors
from campaign.services import accidents as services
from districts.import_views import ensure_may_import


def _accident_or_404(user, pk) -> Accident:
    try:
        return selectors.accident_detail_for(user, pk)
    except Accident.DoesNotExist:
        raise Http404 from None


def _can_edit(user, accident: Accident) -> bool:
    return accident_writer_scope(user).covers(accident.unit)


def _editable_or_403(user, pk) -> Accident:
    """The accident if the user may correct it; 404 if they may not even see it."""
    accident = _accident_or_404(user, pk)
    if not _can_edit(user, accident):
        raise PermissionDenied(_("You may not change this accident's record."))
    return accident


@login_required
def accident_list(request):
    filterset = AccidentFilter(request.GET or None, queryset=selectors.accidents_for(request.user), user=request.user)
    paged = list_page(request, filterset.qs)
    totals = filterset.qs.aggregate(
        deaths=Sum("deaths"), injuries=Sum("serious_injuries"), serious=Count("pk", filter=Q(grade__in=SERIOUS_GRADES))
    )
    return render(
        request,
        "campaign/accident_list.html",
        {
            "filter": filterset,
            **paged,
            "totals": totals,
            "can_add": services.may_record_accidents(request.user),
        },
    )


@login_required
def accident_detail(request, pk):
    accident = _accident_or_404(request.user, pk)
    return render(
        request,
        "campaign/accident_detail.html",
        {
            "accident": accident,
            "can_edit": _can_edit(request.user, accident),
            "versions": selectors.accident_history(accident),
        },
    )


@login_required
def accident_create(request):
    if not services.may_record_accidents(request.user):
        raise PermissionDenied(_("You may not record accidents."))
    form = AccidentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        accident = attempt(form, lambda: services.accident_create(by=request.user, **form.cleaned_data))
        if accident:
            messages.success(
                request,
                _("Accident recorded: %(grade)s.") % {"grade": accident.get_grade_display()},
            )
            return redirect("accident_detail", pk=accident.pk)
    return render(request, "campaign/accident_form.html", {"form": form})


@login_required
def accident_edit(request, pk):
    accident = _editable_or_403(request.user, pk)
    form = AccidentForm(request.POST or None, instance=accident, user=request.user)
    if request.method == "POST" and form.is_valid():
        # The form wrote its values onto `accident`; the service checks the stored row.
        stored = Accident.objects.get(pk=accident.pk)
        saved = attempt(form, lambda: services.accident_update(accident=stored, by=request.user, **form.cleaned_data))
        if saved:
            messages.success(request, _("Accident record saved: %(grade)s.") % {"grade": saved.get_grade_display()})
            return redirect("accident_detail", pk=saved.pk)
    return render(request, "campaign/accident_form.html", {"form": form, "accident": accident})


@login_required
@require_GET
def export(request):
    """The register of everything the user may see, with the list's filters; it imports back unchanged."""
    ensure_may_import(request.user, None)
    resource = AccidentResource(user=request.user)
    rows = AccidentFilter(request.GET or None, queryset=resource.export_queryset(request.user), user=request.user).qs
    return export_response(resource, rows, title=ACCIDENT_SHEET, name="accidents")
