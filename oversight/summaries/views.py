"""The annual summaries' screens: the list (with a new summary for a unit and a year), a
summary's page (the narrative, saved as it is typed, the button that makes a version, the
versions made), its files, and the page of the job that makes one (progress by section)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaign.lib.autosave import DRAFT_MESSAGES, json_login_required
from campaign.lib.paging import list_page
from campaign.lib.pdf import content_disposition
from jobs.models import Job
from oversight.summaries import selectors, services
from oversight.summaries.contents import SECTION_KEYS, section_titles
from oversight.summaries.documents import title_of
from oversight.summaries.forms import NarrativeForm, NewSummaryForm
from oversight.summaries.models import AnnualSummary

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _new_form(request, data=None) -> NewSummaryForm | None:
    units = selectors.makeable_units(request.user)
    if not units:
        return None
    return NewSummaryForm(data, units=units, years=selectors.years_of(units))


def _ensure_reader(user) -> None:
    if not selectors.reads_summaries(user):
        raise PermissionDenied(_("The annual summaries are for the creation office, the administrators and leaders."))


@login_required
@require_GET
def summary_list(request, form=None):
    _ensure_reader(request.user)
    page = list_page(request, selectors.summaries_for(request.user), per_page=30)
    return render(request, "oversight/summary_list.html", {**page, "form": form or _new_form(request)})


@login_required
@require_POST
def summary_new(request):
    _ensure_reader(request.user)
    form = _new_form(request, request.POST)
    if form is None:
        raise PermissionDenied(_("Only the creation office, the administrators and a street's staff make summaries."))
    if form.is_valid():
        try:
            summary = services.summary_create(
                by=request.user, unit=form.cleaned_data["unit"], year=form.cleaned_data["year"]
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            return redirect("oversight:summary_detail", pk=summary.pk)
    page = list_page(request, selectors.summaries_for(request.user), per_page=30)
    return render(request, "oversight/summary_list.html", {**page, "form": form}, status=400)


def _detail(request, summary: AnnualSummary, form: NarrativeForm | None = None, status: int = 200):
    can_make = services.may_make(request.user, summary.unit)
    if can_make and form is None:
        form = NarrativeForm(initial=summary.narrative)
    context = {
        "summary": summary,
        "can_make": can_make,
        "form": form if can_make else None,
        "versions": list(summary.versions.select_related("made_by").order_by("-version")),
        "last_job": selectors.last_job(summary),
        "version": summary.updated_at.isoformat(),
        "draft_messages": DRAFT_MESSAGES,
        "parts": [(AnnualSummary._meta.get_field(n).verbose_name, getattr(summary, n)) for n in services.NARRATIVE],
    }
    return render(request, "oversight/summary_detail.html", context, status=status)


@login_required
@require_GET
def summary_detail(request, pk):
    return _detail(request, selectors.summary_or_404(request.user, pk))


def _sent(request, form: NarrativeForm) -> dict[str, str]:
    """The parts of the narrative the request carries: a part it does not name is left as it is
    (a post without them never blanks what was written)."""
    return {name: text for name, text in form.cleaned_data.items() if name in request.POST}


@login_required
@require_POST
def summary_save(request, pk):
    """The narrative's form: save the drafts, and with action=make start a version of it."""
    summary = selectors.summary_or_404(request.user, pk)
    form = NarrativeForm(request.POST)
    if not form.is_valid():
        return _detail(request, summary, form, status=400)
    try:
        summary = services.narrative_save(summary=summary, by=request.user, **_sent(request, form))
    except ValidationError as error:
        for name, errors in error.message_dict.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
        return _detail(request, summary, form, status=400)
    if request.POST.get("action") != "make":
        messages.success(request, _("The narrative is saved."))
        return redirect("oversight:summary_detail", pk=summary.pk)
    waiting = selectors.waiting_job(summary)
    job = waiting or services.summary_start(summary=summary, by=request.user)
    return redirect("job_detail", pk=job.pk)


@require_POST
@json_login_required
def summary_autosave(request, pk):
    """The narrative saved as it is typed (static/js/form_draft.js): JSON, never a page."""
    try:
        summary = selectors.summary_or_404(request.user, pk)
    except Http404:
        return JsonResponse({"error": _("This summary is not there any more.")}, status=404)
    form = NarrativeForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": " ".join(m for errors in form.errors.values() for m in errors)}, status=409)
    try:
        saved = services.narrative_save(summary=summary, by=request.user, **_sent(request, form))
    except PermissionDenied as error:
        return JsonResponse({"error": str(error)}, status=403)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=409)
    return JsonResponse(
        {"version": saved.updated_at.isoformat(), "saved_at": timezone.localtime(saved.updated_at).strftime("%H:%M:%S")}
    )


@login_required
@require_POST
def summary_start(request, pk):
    """Make a version of the narrative as saved (the request returns at once: the job page shows it)."""
    summary = selectors.summary_or_404(request.user, pk)
    job = selectors.waiting_job(summary) or services.summary_start(summary=summary, by=request.user)
    return redirect("job_detail", pk=job.pk)


@login_required
@require_GET
def summary_file(request, pk, number, kind):
    summary = selectors.summary_or_404(request.user, pk)
    version = selectors.version_or_404(summary, number)
    if kind not in ("pdf", "xlsx"):
        raise Http404
    stored = version.pdf if kind == "pdf" else version.xlsx
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        messages.error(request, _("The file of this version is missing from the file store."))
        return redirect("oversight:summary_detail", pk=summary.pk)
    name = f"{title_of(summary)} v{version.version}"
    response = FileResponse(handle, content_type="application/pdf" if kind == "pdf" else XLSX)
    response["Content-Disposition"] = content_disposition(name, inline=kind == "pdf", suffix=f".{kind}")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def job_page(request, job: Job):
    """The job that makes a version: its sections ticked off as they are built."""
    summary = AnnualSummary.objects.filter(pk=job.params.get("summary")).select_related("unit").first()
    titles = section_titles()
    names = [titles[key] for key in SECTION_KEYS] + [_("The PDF"), _("The workbook (xlsx)")]
    steps = []
    for i, name in enumerate(names, start=1):
        if job.state == Job.State.DONE or job.processed >= i:
            state = "done"
        elif job.state == Job.State.RUNNING and job.processed == i - 1 and job.total:
            state = "current"
        else:
            state = "waiting"
        steps.append((name, state))
    report = job.report or {}
    version = None
    if summary is not None and report.get("version"):
        version = summary.versions.filter(version=report["version"]).first()
    return render(
        request,
        "oversight/summary_job.html",
        {
            "job": job,
            "report": report,
            "running": job.is_active,
            "summary": summary,
            "steps": steps,
            "version": version,
            "summary_url": reverse("oversight:summary_detail", args=[summary.pk]) if summary else None,
        },
    )
