"""The job page, which polls until the job ends, and its result file. Both answer 404 to anyone
the job is not shown to (Job.objects.visible_to): its starter, and whom its kind names."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from jobs.models import Job
from jobs.registry import kind_of


def _visible_job(request, pk: int) -> Job:
    return get_object_or_404(Job.objects.visible_to(request.user).select_related("started_by"), pk=pk)


@login_required
@require_GET
def job_detail(request, pk: int):
    job = _visible_job(request, pk)
    try:
        kind = kind_of(job.kind)
    except LookupError:
        kind = None
    if kind is not None and kind.page is not None:
        return kind.page(request, job)
    return render(
        request,
        "jobs/job.html",
        {"job": job, "report": job.report or {}, "label": kind.label if kind else job.kind, "running": job.is_active},
    )


@login_required
@require_GET
def job_result(request, pk: int):
    job = _visible_job(request, pk)
    if not job.result:
        raise Http404
    try:
        handle = job.result.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=job.result.name.rsplit("/", 1)[-1])
