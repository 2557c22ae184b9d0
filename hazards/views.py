"""The hazard screens: the list with its queues and filters, logging a hazard from a phone,
the detail page with its timeline, and the photos, always within the user's scope.
The workflow steps are in hazards.step_views."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from campaign.lib import backlinks
from campaign.lib.forms import attempt
from campaign.lib.paging import list_page
from campaign.lib.params import query_int
from campaign.lib.uploads import protected_file_response
from districts.scoping import scope_for
from hazards import selectors, services, workflow
from hazards.filters import QUEUE_LABELS, HazardFilter
from hazards.forms import HazardForm
from hazards.models import Action, Hazard, HazardPhoto
from hazards.selectors import QUEUES
from hazards.workflow import SIDE_ROLES, Side

# The page (hazards.step_views.STEPS) that takes each action the detail page offers, and its button.
ACTION_PAGES = {
    Action.LIST: ("list", gettext_lazy("List for supervision")),
    Action.ASSIGN: ("assign", gettext_lazy("Assign for rectification")),
    Action.SUBMIT: ("submit", gettext_lazy("Report rectified")),
    Action.REQUEST_EXTENSION: ("extension", gettext_lazy("Ask for an extension")),
    Action.APPROVE_EXTENSION: ("decide-extension", gettext_lazy("Decide the extension request")),
    Action.CLOSE: ("verify", gettext_lazy("Verify")),
    Action.RETURN: ("verify", gettext_lazy("Verify")),
    Action.EDIT: ("edit", gettext_lazy("Edit details")),
    Action.CANCEL: ("cancel", gettext_lazy("Cancel the record")),
}


def hazard_or_404(user, pk) -> Hazard:
    try:
        return selectors.hazard_detail_for(user, pk)
    except Hazard.DoesNotExist:
        raise Http404 from None


def can_report(user) -> bool:
    return not scope_for(user, SIDE_ROLES[Side.REPORTER]).is_empty


def _queue_count(n: int) -> str:
    return _("%(n)s+") % {"n": selectors.QUEUE_CAP} if n > selectors.QUEUE_CAP else str(n)


@login_required
def hazard_list(request):
    filterset = HazardFilter(request.GET or None, queryset=selectors.hazards_for(request.user), user=request.user)
    paged = list_page(request, filterset.qs)
    queue = request.GET.get("queue") if request.GET.get("queue") in QUEUES else ""
    counts = selectors.queue_counts(request.user)
    return render(
        request,
        "hazards/hazard_list.html",
        {
            "filter": filterset,
            **paged,
            "queue": queue,
            "queues": [(q, QUEUE_LABELS[q], counts[q], _queue_count(counts[q])) for q in QUEUES],
            "by_unit": selectors.open_by_unit(request.user) if queue == "overdue" else None,
            "can_add": can_report(request.user),
        },
    )


@login_required
def hazard_create(request):
    if not can_report(request.user):
        raise PermissionDenied(_("You may not log hazards."))
    initial = selectors.initial_from_risk(request.user, query_int(request, "risk"))
    form = HazardForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        hazard = attempt(
            form,
            lambda: services.hazard_report(by=request.user, photos=form.cleaned_data["photos"], **form.report_fields()),
        )
        if hazard:
            messages.success(request, _("Hazard %(number)s logged.") % {"number": hazard.number})
            return redirect("hazard_detail", pk=hazard.pk)
    return render(request, "hazards/hazard_form.html", {"form": form})


@login_required
def hazard_detail(request, pk):
    hazard = hazard_or_404(request.user, pk)
    pending = selectors.pending_extension_of(hazard)
    timeline = selectors.timeline_of(hazard)
    photos = [photo for event in timeline for photo in event.photos.all()]
    return render(
        request,
        "hazards/hazard_detail.html",
        {
            "hazard": hazard,
            "listing": workflow.listing_of(hazard),
            "pending": pending,
            "timeline": timeline,
            "before": [p for p in photos if p.kind == HazardPhoto.Kind.BEFORE],
            "after": [p for p in photos if p.kind == HazardPhoto.Kind.AFTER],
            # What higher apps made of it (an assessment's finding that raised it): campaign.lib.backlinks.
            "backlinks": backlinks.links_for(request.user, hazard),
            "steps": list(
                dict.fromkeys(
                    ACTION_PAGES[a] for a in workflow.offered_actions(request.user, hazard, pending_extension=pending)
                )
            ),
        },
    )


@login_required
@require_GET
def hazard_photo(request, pk, size="full"):
    """A photo, served only to a user who sees its hazard; anyone else gets 404."""
    try:
        photo = selectors.photo_for(request.user, pk)
    except HazardPhoto.DoesNotExist:
        raise Http404 from None
    field = photo.thumbnail if size == "thumb" else photo.image
    return protected_file_response(
        field, content_type=photo.mime, filename=f"{photo.hazard_id}-{photo.kind}-{photo.pk}.jpg"
    )
