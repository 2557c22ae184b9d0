"""Writing, sending and reviewing reports. Always within the user's scope;
writes go through reporting.services. Drafts are saved as they are typed
(submission_autosave), so that a sign-in that runs out loses nothing."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.lib.autosave import DRAFT_MESSAGES, json_login_required
from campaign.lib.forms import refusal_onto
from campaign.lib.paging import list_page
from campaign.lib.uploads import protected_file_response
from districts.models import OrgUnit
from reporting import selectors, services
from reporting.filters import SubmissionFilter
from reporting.forms import AdoptForm, ReopenForm, ReviewForm, SubmissionForm, WithdrawAdoptionForm
from reporting.models import Adoption, AdoptionLevel, Attachment, Period, Status, Submission


def _submission_or_404(user, pk) -> Submission:
    try:
        return selectors.submission_detail_for(user, pk)
    except Submission.DoesNotExist:
        raise Http404 from None


def _refusal(exc: Exception, status: int) -> JsonResponse:
    message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    return JsonResponse({"error": message}, status=status)


def _saved(submission: Submission) -> dict:
    return {
        "id": submission.pk,
        "version": submission.updated_at.isoformat(),
        "saved_at": timezone.localtime(submission.updated_at).strftime("%H:%M:%S"),
        "edit_url": reverse("submission_edit", args=[submission.pk]),
        "autosave_url": reverse("submission_autosave", args=[submission.pk]),
    }


@login_required
def reporting_home(request):
    """Filers land on what their unit owes; everyone else on the calendar."""
    if selectors.own_units(request.user):
        return redirect("my_reports")
    return redirect("report_calendar")


@login_required
def submission_list(request):
    filterset = SubmissionFilter(request.GET or None, queryset=selectors.submission_list_for(request.user))
    paged = list_page(request, filterset.qs.order_by("-updated_at", "-id"))
    return render(
        request,
        "reporting/submission_list.html",
        {"filter": filterset, **paged, "tab": "list"},
    )


def _new_target(request, period_pk, unit_pk) -> tuple[Period, OrgUnit]:
    period = get_object_or_404(Period.objects.select_related("report_type", "campaign__district"), pk=period_pk)
    unit = get_object_or_404(OrgUnit, pk=unit_pk)
    if not services.may_file(request.user, unit):
        raise PermissionDenied(_("You may not write reports for %(unit)s.") % {"unit": unit})
    try:
        services.ensure_owes(unit=unit, period=period)
    except ValidationError as exc:
        raise PermissionDenied("; ".join(exc.messages)) from None
    return period, unit


def _form_context(form, *, period, unit, submission=None) -> dict:
    return {
        "form": form,
        "period": period,
        "unit": unit,
        "submission": submission,
        "attachments": selectors.attachments_of(submission) if submission else [],
        "events": selectors.events_of(submission) if submission else [],
        "draft_key": f"s{submission.pk}" if submission else f"new-{period.pk}-{unit.pk}",
        "autosave_url": reverse("submission_autosave", args=[submission.pk])
        if submission
        else reverse("submission_new_autosave", args=[period.pk, unit.pk]),
        "version": submission.updated_at.isoformat() if submission else "",
        "draft_messages": DRAFT_MESSAGES,
    }


def _save_and_maybe_submit(request, form, submission: Submission):
    """Attach what was uploaded, then submit if asked. The text is already saved: a refusal
    here shows on the form and keeps everything the user entered."""
    for upload in form.cleaned_data.get("attachments") or []:
        services.attachment_add(submission=submission, by=request.user, upload=upload)
    if request.POST.get("action") == "submit":
        submission = services.submission_submit(submission=submission, by=request.user)
        if submission.is_late:
            messages.warning(request, _("Submitted after the due date: it is marked late."))
        else:
            messages.success(request, _("Submitted to the creation office."))
        return redirect("submission_detail", pk=submission.pk)
    messages.success(request, _("Draft saved."))
    return redirect("submission_edit", pk=submission.pk)


@login_required
def submission_new(request, period_pk, unit_pk):
    period, unit = _new_target(request, period_pk, unit_pk)
    if not period.report_type.allows_several:
        existing = Submission.objects.visible_to(request.user).filter(unit=unit, period=period).first()
        if existing is not None:
            return redirect("submission_edit" if existing.is_editable else "submission_detail", pk=existing.pk)
    form = SubmissionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            submission = services.submission_start(
                by=request.user,
                unit=unit,
                period=period,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as exc:
            refusal_onto(form, exc)
        else:
            return _after_first_save(request, form, submission)
    return render(request, "reporting/submission_form.html", _form_context(form, period=period, unit=unit))


def _after_first_save(request, form, submission):
    try:
        return _save_and_maybe_submit(request, form, submission)
    except ValidationError as exc:
        # The draft exists now: show the refusal on its own page, with what was typed.
        refusal_onto(form, exc)
        messages.warning(request, _("Draft saved, but not submitted: see below."))
        return render(
            request,
            "reporting/submission_form.html",
            _form_context(form, period=submission.period, unit=submission.unit, submission=submission),
        )


@login_required
def submission_edit(request, pk):
    submission = _submission_or_404(request.user, pk)
    if not services.may_file(request.user, submission.unit):
        raise PermissionDenied(_("You may not change this report."))
    if not submission.is_editable:
        messages.info(
            request,
            _("This report is %(status)s and can no longer be changed.")
            % {"status": submission.get_status_display().lower()},
        )
        return redirect("submission_detail", pk=pk)
    initial = {"title": submission.title, "body": submission.body}
    form = SubmissionForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.submission_save(
                submission=submission, by=request.user, title=form.cleaned_data["title"], body=form.cleaned_data["body"]
            )
            return _save_and_maybe_submit(request, form, saved)
        except ValidationError as exc:
            refusal_onto(form, exc)
        submission = _submission_or_404(request.user, pk)
    return render(
        request,
        "reporting/submission_form.html",
        _form_context(form, period=submission.period, unit=submission.unit, submission=submission),
    )


@require_POST
@json_login_required
def submission_autosave(request, pk):
    try:
        submission = selectors.submission_detail_for(request.user, pk)
    except Submission.DoesNotExist:
        return JsonResponse({"error": _("This report is not there any more.")}, status=404)
    try:
        saved = services.submission_save(
            submission=submission,
            by=request.user,
            title=request.POST.get("title", ""),
            body=request.POST.get("body", ""),
        )
    except PermissionDenied as exc:
        return _refusal(exc, 403)
    except ValidationError as exc:
        return _refusal(exc, 409)
    return JsonResponse(_saved(saved))


@require_POST
@json_login_required
def submission_new_autosave(request, period_pk, unit_pk):
    """The first save of a new report, made as soon as something is typed: it becomes a draft."""
    try:
        period, unit = _new_target(request, period_pk, unit_pk)
        submission = services.submission_start(
            by=request.user,
            unit=unit,
            period=period,
            title=request.POST.get("title", ""),
            body=request.POST.get("body", ""),
        )
    except PermissionDenied as exc:
        return _refusal(exc, 403)
    except ValidationError as exc:
        return _refusal(exc, 409)
    return JsonResponse(_saved(submission), status=201)


@login_required
def submission_detail(request, pk, review_form=None, reopen_form=None, adopt_form=None, withdraw_form=None):
    submission = _submission_or_404(request.user, pk)
    adoptable = submission.period.report_type.adoptable
    adoptions = selectors.adoptions_of(submission)
    # The office adopts an accepted report at the levels it is not adopted at yet, and withdraws.
    office = adoptable and services.may_review(request.user, submission.unit)
    standing = {a.level for a in adoptions if a.is_standing}
    accepted = submission.status == Status.ACCEPTED
    open_levels = [level for level in AdoptionLevel.values if level not in standing]
    return render(
        request,
        "reporting/submission_detail.html",
        {
            "submission": submission,
            "period": submission.period,
            "attachments": selectors.attachments_of(submission),
            "events": selectors.events_of(submission),
            # What the workflow's table offers this user here (edit, accept, return, reopen, …).
            "actions": services.actions_for(request.user, submission),
            "review_form": review_form or ReviewForm(adoptable=office),
            "reopen_form": reopen_form or ReopenForm(),
            "adoptable": adoptable,
            "adoptions": adoptions,
            "may_withdraw": office,
            # A refused adoption shows its form with the reason, whatever the report's state.
            "adopt_form": adopt_form
            or (AdoptForm(levels=open_levels) if office and accepted and open_levels else None),
            "withdraw_form": withdraw_form or WithdrawAdoptionForm(),
        },
    )


@login_required
@require_POST
def submission_review(request, pk):
    submission = _submission_or_404(request.user, pk)
    form = ReviewForm(request.POST, adoptable=submission.period.report_type.adoptable)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    action = request.POST.get("action")
    try:
        if action == "accept":
            if form.errors.get("adopt"):
                raise ValidationError({"adopt": form.errors["adopt"]})
            adopt = form.cleaned_data.get("adopt") or []
            services.submission_accept(submission=submission, by=request.user, comment=comment, adopt=adopt)
            messages.success(request, _("Accepted. The report is now locked."))
            if adopt:
                messages.success(
                    request,
                    _("Adopted: %(levels)s.") % {"levels": "、".join(str(AdoptionLevel(a).label) for a in adopt)},
                )
        elif action == "return":
            services.submission_return(submission=submission, by=request.user, comment=comment)
            messages.success(request, _("Returned to %(unit)s with your comments.") % {"unit": submission.unit})
        else:
            raise ValidationError(_("Choose to accept or to return the report."))
    except ValidationError as exc:
        refusal_onto(form, exc)
        return submission_detail(request, pk, review_form=form)
    return redirect("submission_detail", pk=pk)


@login_required
@require_POST
def submission_reopen(request, pk):
    submission = _submission_or_404(request.user, pk)
    form = ReopenForm(request.POST)
    form.is_valid()
    try:
        services.submission_reopen(submission=submission, by=request.user, reason=form.cleaned_data.get("reason", ""))
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "comment" in exc.error_dict:
            exc = ValidationError({"reason": exc.error_dict["comment"]})
        refusal_onto(form, exc)
        return submission_detail(request, pk, reopen_form=form)
    messages.success(request, _("Reopened: the report is under review again."))
    return redirect("submission_detail", pk=pk)


def _attachment_or_404(user, pk, attachment_pk) -> Attachment:
    submission = _submission_or_404(user, pk)
    return get_object_or_404(Attachment, pk=attachment_pk, submission=submission)


@login_required
def attachment_download(request, pk, attachment_pk):
    attachment = _attachment_or_404(request.user, pk, attachment_pk)
    # Served as what its bytes were checked as: PDFs and photos open in the browser, the rest downloads.
    return protected_file_response(attachment.file, content_type=attachment.mime, filename=attachment.original_name)


@login_required
@require_POST
def attachment_remove(request, pk, attachment_pk):
    attachment = _attachment_or_404(request.user, pk, attachment_pk)
    try:
        services.attachment_remove(attachment=attachment, by=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("submission_detail", pk=pk)
    messages.success(request, _("Attachment %(name)s removed.") % {"name": attachment.original_name})
    return redirect("submission_edit", pk=pk)


@login_required
@require_POST
def submission_adopt(request, pk):
    submission = _submission_or_404(request.user, pk)
    form = AdoptForm(request.POST)
    if not form.is_valid():
        return submission_detail(request, pk, adopt_form=form)
    try:
        adoption = services.submission_adopt(
            submission=submission, by=request.user, level=form.cleaned_data["level"], note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        refusal_onto(form, exc)
        return submission_detail(request, pk, adopt_form=form)
    messages.success(
        request,
        _("%(level)s: %(points)s points.") % {"level": adoption.get_level_display(), "points": adoption.points},
    )
    return redirect("submission_detail", pk=pk)


@login_required
@require_POST
def adoption_withdraw(request, pk, adoption_pk):
    submission = _submission_or_404(request.user, pk)
    adoption = get_object_or_404(Adoption, pk=adoption_pk, submission=submission)
    form = WithdrawAdoptionForm(request.POST)
    form.is_valid()
    try:
        services.adoption_withdraw(adoption=adoption, by=request.user, reason=form.cleaned_data.get("reason", ""))
    except ValidationError as exc:
        refusal_onto(form, exc)
        return submission_detail(request, pk, withdraw_form=form)
    messages.success(request, _("Adoption withdrawn."))
    return redirect("submission_detail", pk=pk)
