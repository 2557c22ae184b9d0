"""The yearly values (GDP, deaths) per unit and year, and the campaign's targets measured with
them; always within the user's scope. Writes go through campaign.services.accidents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from campaign.accident_forms import YearlyValueForm
from campaign.accident_roles import yearly_value_writer_scope
from campaign.job_kinds import YEARLY_VALUE_SHEET
from campaign.lib.deadlines import deadline_today
from campaign.lib.forms import attempt
from campaign.lib.params import query_int
from campaign.lib.xlsx.files import export_response
from campaign.resources import YearlyValueResource
from campaign.selectors import accidents as selectors
from campaign.services import accidents as services
from campaign.targets import campaign_figures, per_gdp, target_progress
from districts.import_views import ensure_may_import


def _year(request) -> int:
    return query_int(request, "year", minimum=services.FIRST_YEAR, maximum=services.LAST_YEAR) or deadline_today().year


@login_required
def yearly_values(request):
    year = _year(request)
    units = selectors.yearly_units_for(request.user)
    writable = yearly_value_writer_scope(request.user)
    rows = [(row, writable.covers(row.unit)) for row in selectors.yearly_rows(units, year)]
    return render(
        request,
        "campaign/yearly_values.html",
        {
            "year": year,
            "years": selectors.yearly_years(request.user),
            "rows": rows,
            "can_import": services.may_set_yearly_values(request.user),
        },
    )


def _yearly_unit_or_404(user, pk: int):
    unit = next((u for u in selectors.yearly_units_for(user) if u.pk == pk), None)
    if unit is None:
        raise Http404
    return unit


@login_required
def yearly_value_edit(request, unit_pk: int, year: int):
    if not services.FIRST_YEAR <= year <= services.LAST_YEAR:
        raise Http404
    unit = _yearly_unit_or_404(request.user, unit_pk)
    if not yearly_value_writer_scope(request.user).covers(unit):
        raise PermissionDenied(_("You may not set the yearly values of %(unit)s.") % {"unit": unit})
    value = selectors.yearly_value_for(unit, year)
    initial = {}
    if value is not None:
        initial = {name: getattr(value, name) for name in services.YEARLY_VALUE_FIELDS}
    form = YearlyValueForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            form, lambda: services.yearly_value_set(by=request.user, unit=unit, year=year, **form.cleaned_data)
        )
        if saved:
            messages.success(request, _("Yearly values of %(unit)s for %(year)s saved.") % {"unit": unit, "year": year})
            return redirect(f"{reverse('yearly_values')}?year={year}")
    return render(request, "campaign/yearly_value_form.html", {"form": form, "unit": unit, "year": year})


@login_required
@require_GET
def export_yearly_values(request):
    """Every yearly value the user may see; it imports back unchanged."""
    ensure_may_import(request.user, None)
    resource = YearlyValueResource(user=request.user)
    return export_response(
        resource, resource.export_queryset(request.user), title=YEARLY_VALUE_SHEET, name="yearly-values"
    )


@login_required
def targets(request):
    """Each target's baseline, actual, change and whether it is met, for one unit (the district
    or a street the user may see) and one campaign of its district."""
    units = selectors.yearly_units_for(request.user)
    if not units:
        raise PermissionDenied(_("You see no district or street."))
    chosen = query_int(request, "unit")
    unit = next((u for u in units if u.pk == chosen), units[0])
    campaigns = selectors.campaigns_of(unit)
    chosen = query_int(request, "campaign")
    campaign = next((c for c in campaigns if c.pk == chosen), None) or selectors.current_campaign(campaigns)
    progress = target_progress(campaign, unit) if campaign else []
    figures = [(f, per_gdp(f.deaths, f.gdp)) for f in campaign_figures(campaign, unit)] if campaign else []
    return render(
        request,
        "campaign/targets.html",
        {
            "units": units,
            "unit": unit,
            "campaigns": campaigns,
            "campaign": campaign,
            "progress": progress,
            "figures": figures,
            "today": deadline_today(),
        },
    )
