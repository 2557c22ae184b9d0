"""The notification centre: the list (filters, mark read, all read; each notification's first
lines of each kind), a notification's own page (all its lines, by kind, a page at a time),
opening a line (marks the notification read, then goes to its subject), muting kinds, and the
bell's count."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaign.lib.paging import list_page
from jobs.models import Job
from notifications import selectors, services
from notifications.job_kinds import PREVIEW_KIND, tomorrow, watches_sweeps
from notifications.models import KIND_LABELS, KINDS, Notification


def _mine_or_404(user, pk: int) -> Notification:
    try:
        return selectors.notification_for(user, pk)
    except Notification.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
def notification_list(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in KIND_LABELS else ""
    unread = request.GET.get("unread") == "1"
    rows = selectors.notifications_for(request.user, kind=kind, unread=unread)
    paged = list_page(request, rows, per_page=20)
    paged["page"].object_list = selectors.with_first_lines(list(paged["page"].object_list))
    return render(
        request,
        "notifications/list.html",
        {
            **paged,
            "kinds": KINDS,
            "kind": kind,
            "unread": unread,
            "unread_count": selectors.unread_count(request.user),
        },
    )


@login_required
@require_GET
def notification_detail(request, pk: int):
    """One notification with all its lines, a page at a time: a digest may hold tens of
    thousands. Reading it does not mark it read (opening a line, or the button, does)."""
    notification = _mine_or_404(request.user, pk)
    kinds = selectors.notification_kinds(notification)
    kind = request.GET.get("kind", "")
    kind = kind if kind in dict(kinds) else ""
    return render(
        request,
        "notifications/detail.html",
        {
            **list_page(request, selectors.notification_lines(notification, kind=kind), per_page=100),
            "note": notification,
            "kinds": kinds,
            "kind": kind,
        },
    )


@login_required
@require_GET
def notification_open(request, pk: int, reminder_pk: int):
    """A line's link: the notification is read once its reader goes to what it names."""
    notification = _mine_or_404(request.user, pk)
    reminder = notification.reminders.filter(pk=reminder_pk).first()
    if reminder is None:
        raise Http404
    services.notification_read(notification=notification, by=request.user)
    if not url_has_allowed_host_and_scheme(reminder.url, allowed_hosts={request.get_host()}):
        raise Http404
    return redirect(reminder.url)


@login_required
@require_POST
def notification_read(request, pk: int):
    services.notification_read(notification=_mine_or_404(request.user, pk), by=request.user)
    return redirect(_back(request))


@login_required
@require_POST
def notifications_read_all(request):
    count = services.notifications_read_all(by=request.user)
    messages.success(request, _("%(count)s notifications marked read.") % {"count": count})
    return redirect(_back(request))


@login_required
def notification_settings(request):
    mutable = services.mutable_kinds()
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        try:
            services.mute_set(by=request.user, kind=kind, muted=request.POST.get("muted") == "1")
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        except Exception as exc:  # a kind that does not exist: a ValidationError
            if not hasattr(exc, "message_dict"):
                raise
            messages.error(request, "；".join(m for ms in exc.message_dict.values() for m in ms))
        else:
            messages.success(request, _("Saved."))
        return redirect("notification_settings")
    muted = selectors.muted_kinds(request.user)
    kinds = [(value, label, value in muted, value in mutable) for value, label in KINDS]
    return render(request, "notifications/settings.html", {"kinds": kinds})


@login_required
@require_GET
def unread(request):
    """The bell in the header asks here: one query beyond the request's own."""
    return JsonResponse({"unread": selectors.unread_count(request.user)})


@login_required
def preview(request):
    """The system administrator's dry run: what tomorrow's sweep would send. Started as a job
    (it reads what a sweep reads); this page starts one and lists the latest. Nobody else is
    told the page exists."""
    if not watches_sweeps(request.user):
        raise Http404
    if request.method == "POST":
        job = services.preview_start(by=request.user)
        return redirect("job_detail", job.pk)
    jobs = Job.objects.visible_to(request.user).filter(kind=PREVIEW_KIND).order_by("-created_at", "-pk")[:10]
    return render(request, "notifications/preview.html", {"jobs": jobs, "tomorrow": tomorrow()})


def _back(request) -> str:
    target = request.POST.get("next", "")
    # A path of this site only: redirect() would take a bare word ("0") for a view's name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("notification_list")
