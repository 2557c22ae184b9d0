"""The key-task screens: the list (by sector, lead unit and status), a task's page with its
milestones, updates, evidence and history, setting a task out (the creation office), and
reporting progress (the lead unit and co-units). A task outside the user's scope answers 404;
in scope but not theirs to change, 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaign import task_selectors as selectors
from campaign.lib.deadlines import deadline_today
from campaign.lib.forms import attempt
from campaign.lib.paging import list_page
from campaign.lib.uploads import protected_file_response
from campaign.lib.xlsx.files import export_response
from campaign.models import Campaign
from campaign.models.tasks import KeyTask, Milestone, TaskEvidence
from campaign.services import tasks as services
from campaign.task_filters import STATUS_LABELS, KeyTaskFilter
from campaign.task_forms import KeyTaskForm, MilestoneForm, ProgressForm
from campaign.task_job_kinds import SHEET, TASK_IMPORT
from campaign.task_resources import KeyTaskResource


def task_or_404(user, pk) -> KeyTask:
    try:
        return selectors.key_task_detail_for(user, pk)
    except KeyTask.DoesNotExist:
        raise Http404 from None


def _filtered(request):
    campaign = selectors.current_campaign_for(request.user)
    tasks = selectors.key_tasks_for(request.user)
    return KeyTaskFilter(request.GET, queryset=tasks, user=request.user, campaign=campaign), campaign


@login_required
@require_GET
def key_task_list(request):
    filterset, current = _filtered(request)
    campaign = filterset.chosen_campaign or current
    paged = list_page(request, filterset.qs)
    return render(
        request,
        "campaign/tasks/task_list.html",
        {
            "filter": filterset,
            **paged,
            "campaign": campaign,
            "today": deadline_today(),
            "status_labels": STATUS_LABELS,
            "can_add": campaign is not None and services.may_edit_tasks(request.user, campaign.district),
            "can_import": TASK_IMPORT.may_import(request.user),
        },
    )


def _campaign_to_set_out(user) -> Campaign:
    campaign = selectors.current_campaign_for(user)
    if campaign is None or not services.may_edit_tasks(user, campaign.district):
        raise PermissionDenied(_("Only the creation office sets out key tasks."))
    return campaign


@login_required
def key_task_create(request):
    campaign = _campaign_to_set_out(request.user)
    form = KeyTaskForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        task = attempt(
            form,
            lambda: services.key_task_create(
                by=request.user, campaign=campaign, co_units=form.cleaned_data["co_units"], **form.task_fields()
            ),
        )
        if task:
            messages.success(request, _("Key task %(code)s set out.") % {"code": task.code})
            return redirect("key_task_detail", pk=task.pk)
    return render(request, "campaign/tasks/task_form.html", {"form": form, "campaign": campaign, "task": None})


@login_required
def key_task_edit(request, pk):
    task = task_or_404(request.user, pk)
    if not services.may_edit_tasks(request.user, task.campaign.district):
        raise PermissionDenied(_("Only the creation office sets out key tasks."))
    form = KeyTaskForm(request.POST or None, campaign=task.campaign, task=task)
    if request.method == "POST" and form.is_valid():
        saved = attempt(
            form,
            lambda: services.key_task_update(
                task=task, by=request.user, co_units=form.cleaned_data["co_units"], **form.task_fields()
            ),
        )
        if saved:
            messages.success(request, _("Key task %(code)s saved.") % {"code": saved.code})
            return redirect("key_task_detail", pk=task.pk)
    return render(request, "campaign/tasks/task_form.html", {"form": form, "campaign": task.campaign, "task": task})


@login_required
@require_GET
def key_task_detail(request, pk):
    return _detail(request, task_or_404(request.user, pk))


def _detail(request, task: KeyTask, *, milestone_form=None, status=200):
    co_unit_ids = [u.pk for u in task.co_units.all()]
    can_report = task.completed_on is None and services.may_report(request.user, task, co_unit_ids)
    may_plan = task.completed_on is None and services.may_plan(request.user, task)
    return render(
        request,
        "campaign/tasks/task_detail.html",
        {
            "task": task,
            "today": deadline_today(),
            "status_labels": STATUS_LABELS,
            "milestones": selectors.milestones_of(task),
            "updates": selectors.updates_of(task),
            "history": selectors.history_of(task),
            "can_edit": services.may_edit_tasks(request.user, task.campaign.district),
            "can_report": can_report,
            "can_plan": may_plan,
            "milestone_form": milestone_form or (MilestoneForm() if may_plan else None),
        },
        status=status,
    )


@login_required
def key_task_report(request, pk):
    task = task_or_404(request.user, pk)
    if not services.may_report(request.user, task, [u.pk for u in task.co_units.all()]):
        raise PermissionDenied(_("Only the lead unit and the co-units of a task report its progress."))
    form = ProgressForm(request.POST or None, request.FILES or None, initial={"percent": task.progress})
    if request.method == "POST" and form.is_valid():
        update = attempt(
            form,
            lambda: services.key_task_report_progress(
                task=task,
                by=request.user,
                percent=form.cleaned_data["percent"],
                note=form.cleaned_data["note"],
                files=form.cleaned_data["files"],
            ),
        )
        if update:
            if update.percent == 100:
                messages.success(request, _("Key task %(code)s reported complete.") % {"code": task.code})
            else:
                messages.success(request, _("Progress reported: %(percent)d%%.") % {"percent": update.percent})
            return redirect("key_task_detail", pk=task.pk)
    return render(request, "campaign/tasks/progress_form.html", {"form": form, "task": task})


@login_required
@require_POST
def milestone_add(request, pk):
    task = task_or_404(request.user, pk)
    if not services.may_plan(request.user, task):
        raise PermissionDenied(_("Only the creation office and the lead unit plan a task's milestones."))
    form = MilestoneForm(request.POST)
    if form.is_valid():
        added = attempt(form, lambda: services.milestone_add(task=task, by=request.user, **form.cleaned_data))
        if added:
            messages.success(request, _("Milestone %(title)s planned.") % {"title": added.title})
            return redirect("key_task_detail", pk=task.pk)
    # What was typed stays on the page, with what is wrong with it.
    return _detail(request, task, milestone_form=form, status=400)


@login_required
@require_POST
def milestone_done(request, pk):
    try:
        milestone = Milestone.objects.select_related("task").get(
            pk=pk, task__in=KeyTask.objects.visible_to(request.user).values("pk")
        )
    except Milestone.DoesNotExist:
        raise Http404 from None
    try:
        services.milestone_done(milestone=milestone, by=request.user)
    except ValidationError as exc:  # reached already (a second click, or someone else)
        messages.error(request, " ".join(exc.messages))
        return redirect("key_task_detail", pk=milestone.task_id)
    messages.success(request, _("Milestone %(title)s reached.") % {"title": milestone.title})
    return redirect("key_task_detail", pk=milestone.task_id)


@login_required
@require_GET
def evidence_download(request, pk):
    """A file of an update, served only to a user who sees its task; anyone else gets 404."""
    try:
        evidence = selectors.evidence_for(request.user, pk)
    except TaskEvidence.DoesNotExist:
        raise Http404 from None
    return protected_file_response(evidence.file, content_type=evidence.mime, filename=evidence.original_name)


@login_required
@require_GET
def export(request):
    """The list's tasks, with its filters, in the import's layout: it imports back unchanged."""
    filterset, _campaign = _filtered(request)
    rows = filterset.qs.order_by("sector__order", "code", "id")
    return export_response(KeyTaskResource(user=request.user), rows, title=SHEET, name="key-tasks")
