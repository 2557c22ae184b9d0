from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from campaign.lib.paging import list_page
from districts import selectors, services
from districts.filters import SiteFilter
from districts.forms import SiteForm
from districts.models import OrgUnit, Site
from districts.scoping import scope_for


def _get_or_404(fn, *args):
    try:
        return fn(*args)
    except (OrgUnit.DoesNotExist, Site.DoesNotExist):
        raise Http404 from None


@login_required
def unit_tree(request):
    units = selectors.unit_tree_for(request.user)
    return render(request, "districts/unit_tree.html", {"units": units})


@login_required
def unit_detail(request, pk):
    unit = _get_or_404(selectors.unit_detail_for, request.user, pk)
    children = selectors.unit_children_for(request.user, unit)
    return render(request, "districts/unit_detail.html", {"unit": unit, "children": children})


@login_required
def site_list(request):
    filterset = SiteFilter(request.GET or None, queryset=selectors.sites_for(request.user), user=request.user)
    paged = list_page(request, filterset.qs)
    return render(
        request,
        "districts/site_list.html",
        {
            "filter": filterset,
            **paged,
            "can_add": not scope_for(request.user, services.SITE_EDITOR_ROLES).is_empty,
        },
    )


@login_required
def site_detail(request, pk):
    site = _get_or_404(selectors.site_detail_for, request.user, pk)
    can_edit = scope_for(request.user, services.SITE_EDITOR_ROLES).covers(site.unit, site.sector_id)
    history = site.history.select_related("history_user").order_by("-history_date")[:20]
    return render(request, "districts/site_detail.html", {"site": site, "can_edit": can_edit, "history": history})


def _save_site(request, form, save):
    if form.is_valid():
        try:
            site = save(form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied as exc:
            # E.g. a department's staff choosing a sector it does not lead: say so on the
            # form, keeping what was typed, rather than a bare 403 page.
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Site “%(name)s” saved.") % {"name": site.name})
            return redirect("site_detail", pk=site.pk)
    return None


@login_required
def site_create(request):
    if scope_for(request.user, services.SITE_EDITOR_ROLES).is_empty:
        raise PermissionDenied(_("You may not add sites."))
    form = SiteForm(request.POST or None, user=request.user)
    if request.method == "POST":
        response = _save_site(request, form, lambda data: services.site_create(by=request.user, **data))
        if response:
            return response
    return render(request, "districts/site_form.html", {"form": form})


@login_required
def site_edit(request, pk):
    site = _get_or_404(selectors.site_detail_for, request.user, pk)
    form = SiteForm(request.POST or None, instance=site, user=request.user)
    if not scope_for(request.user, services.SITE_EDITOR_ROLES).covers(site.unit, site.sector_id):
        raise PermissionDenied(_("You may not change this site."))
    if request.method == "POST":
        # The form wrote its values onto `site`; reload the stored row so the
        # service checks permission against where the site is now.
        stored = Site.objects.get(pk=site.pk)
        response = _save_site(request, form, lambda data: services.site_update(site=stored, by=request.user, **data))
        if response:
            return response
    return render(request, "districts/site_form.html", {"form": form, "site": site})


LOOKUP_LIMIT = 20


@login_required
def site_lookup(request):
    """Suggestions for the site picker: at most 20 visible sites whose name or credit code matches."""
    results = [
        {"code": site.credit_code, "label": f"{site.name} · {site.unit.name}"}
        for site in selectors.site_suggestions_for(request.user, request.GET.get("q", ""), LOOKUP_LIMIT)
    ]
    return JsonResponse({"results": results})
