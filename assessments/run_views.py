"""The screens of rounds and runs: the rounds, a run's page (its steps, its result, the self-assessment
beside the review item by item), the scoring page of one side (item cards that save as they are
typed), findings with photos, evidence links, and raising a hazard from a finding.

Reads go through assessments.selectors (runs the user sees), writes through
assessments.run_services; a run outside the user's scope answers 404, a step the user may not
take 403 (or its refusal on the page)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from assessments import run_services as services
from assessments import run_workflow as wf
from assessments import selectors
from assessments.models import AnswerState, Evidence, Finding, FindingPhoto, Item, Run, Side
from assessments.run_forms import AnswerForm, CommentForm, EvidenceForm, FindingForm, RoundForm
from assessments.run_results import page_result, side_by_side
from assessments.run_workflow import Action
from assessments.template_selectors import may_read_templates
from campaign.lib.autosave import DRAFT_MESSAGES, json_login_required
from campaign.lib.forms import attempt, refusal_onto
from campaign.lib.uploads import protected_file_response
from campaign.lib.urls import reverser
from campaign.models import Campaign
from hazards.forms import HazardForm

# The item cards' words, translated once a page rather than once a card.
CARD_LABELS = {
    "max": gettext_lazy("max"),
    "unverified": gettext_lazy("To be verified"),
    "na": gettext_lazy("N/A"),
    "state": gettext_lazy("State"),
    "scored": gettext_lazy("Scored"),
    "not_applicable": gettext_lazy("Not applicable"),
    "exempt": gettext_lazy("Exempt"),
    "na_reason": gettext_lazy("Why not applicable (required for N/A)"),
    "missing": gettext_lazy("Items missing"),
    "measured": gettext_lazy("Measured value"),
    "incidents": gettext_lazy("Incidents"),
    "resolved": gettext_lazy("Of them resolved"),
    "bonus": gettext_lazy("Bonus points claimed"),
    "veto": gettext_lazy("The veto applies (取消评选资格)"),
    "note": gettext_lazy("Note"),
    "save": gettext_lazy("Save"),
    "link_evidence": gettext_lazy("Link evidence already in the platform"),
    "kind": gettext_lazy("Kind"),
    "hazard": gettext_lazy("Hazard"),
    "risk": gettext_lazy("Risk point"),
    "report": gettext_lazy("Report"),
    "ref": gettext_lazy("Number or code"),
    "link": gettext_lazy("Link"),
    "evidence": gettext_lazy("Evidence:"),
    "photo": gettext_lazy("Photo of the finding"),
    "rectified": gettext_lazy("Rectified"),
    "raise": gettext_lazy("Raise a hazard"),
    "remove": gettext_lazy("Remove"),
    "add_finding": gettext_lazy("Add a finding (with photos)"),
}


def _run_or_404(user, pk) -> Run:
    try:
        return selectors.run_detail_for(user, pk)
    except Run.DoesNotExist:
        raise Http404 from None


def _side_or_404(user, run: Run, side: str) -> str:
    if side not in Side.values:
        raise Http404
    if side == Side.REVIEW and not wf.sees_review(user, run):
        # The unit does not see the review before it is published: as if it were not there.
        raise Http404
    if side == Side.SELF and not run.round.self_assessment:
        raise Http404
    return side


def _edit_action(side: str) -> str:
    return services.EDIT_ACTION[Side(side)]


# ---------------------------------------------------------------- rounds


@login_required
def round_list(request):
    return render(
        request,
        "assessments/round_list.html",
        {
            "rounds": selectors.rounds_for(request.user),
            "can_create": wf.Actor.OFFICE in wf.actors_of(request.user),
            "sees_templates": may_read_templates(request.user),
            "my_runs": selectors.runs_for(request.user).exclude(status="published").order_by("-round__period_end")[:50],
        },
    )


@login_required
def round_create(request):
    if wf.Actor.OFFICE not in wf.actors_of(request.user):
        raise PermissionDenied(wf.REFUSALS[wf.Actor.OFFICE])
    campaign = Campaign.objects.current()
    if campaign is None:
        raise Http404
    form = RoundForm(request.POST or None, district=campaign.district)
    if request.method == "POST" and form.is_valid():
        round_ = attempt(form, lambda: services.round_create(by=request.user, campaign=campaign, **form.cleaned_data))
        if round_:
            messages.success(request, _("Round created with %(count)d assessments.") % {"count": round_.runs.count()})
            return redirect("assessment_round", pk=round_.pk)
    return render(request, "assessments/round_form.html", {"form": form})


@login_required
def round_detail(request, pk):
    round_ = get_object_or_404(selectors.rounds_for(request.user), pk=pk)
    runs = list(selectors.runs_of_round(request.user, round_))
    return render(
        request,
        "assessments/round_detail.html",
        {"round": round_, "runs": [(run, wf.sees_review(request.user, run)) for run in runs]},
    )


# ---------------------------------------------------------------- a run


@login_required
def run_detail(request, pk, comment_form=None):
    run = _run_or_404(request.user, pk)
    sees_review = wf.sees_review(request.user, run)
    comparison = side_by_side(run, with_review=sees_review)
    return render(
        request,
        "assessments/run_detail.html",
        {
            "run": run,
            "sees_review": sees_review,
            "comparison": comparison,
            "events": selectors.events_of(run),
            "steps": [(a, wf.BUTTONS[a]) for a in wf.offered(request.user, run)],
            "can_edit_self": run.round.self_assessment and wf.can(request.user, run, Action.EDIT_SELF),
            "can_edit_review": wf.can(request.user, run, Action.EDIT_REVIEW),
            "comment_form": comment_form or CommentForm(),
        },
    )


STEP_SERVICES = {
    Action.SUBMIT_SELF: lambda run, by, comment: services.run_submit_self(run=run, by=by),
    Action.SUBMIT: lambda run, by, comment: services.run_submit(run=run, by=by),
    Action.RETURN: lambda run, by, comment: services.run_return(run=run, by=by, comment=comment),
    Action.REVIEW: lambda run, by, comment: services.run_review(run=run, by=by, comment=comment),
    Action.PUBLISH: lambda run, by, comment: services.run_publish(run=run, by=by),
}
STEP_DONE = {
    Action.SUBMIT_SELF: gettext_lazy("Self-assessment sent."),
    Action.SUBMIT: gettext_lazy("Review submitted to the creation office."),
    Action.RETURN: gettext_lazy("Returned to the inspection team."),
    Action.REVIEW: gettext_lazy("Reviewed: the result is fixed."),
    Action.PUBLISH: gettext_lazy("Published: the unit now sees its result."),
}


@login_required
@require_POST
def run_step(request, pk, action):
    run = _run_or_404(request.user, pk)
    if action not in STEP_SERVICES:
        raise Http404
    form = CommentForm(request.POST)
    form.is_valid()
    try:
        STEP_SERVICES[action](run, request.user, form.cleaned_data.get("comment", ""))
    except PermissionDenied:
        raise
    except ValidationError as exc:
        refusal_onto(form, exc)
        response = run_detail(request, pk, comment_form=form)
        response.status_code = 409
        return response
    messages.success(request, str(STEP_DONE[action]))
    return redirect("assessment_run", pk=pk)


# ---------------------------------------------------------------- the scoring page


VALUE_FIELDS = services.ANSWER_FIELDS  # what an item card shows is what its save takes


def _values(answer, posted) -> dict:
    """What an item card's inputs show: what was just posted (a refused save keeps it), else the answer."""
    if posted is not None:
        values = {name: posted.get(name, "") for name in VALUE_FIELDS}
        values["veto"] = bool(posted.get("veto"))
        return values
    if answer is None:
        return {"state": AnswerState.SCORED, "veto": False}
    values = {name: getattr(answer, name) for name in VALUE_FIELDS}
    for name in ("missing", "incidents", "incidents_resolved"):
        values[name] = values[name] or ""
    for name in ("measured", "bonus_claimed"):
        values[name] = "" if values[name] is None else values[name].normalize()
    return values


def _scoring_context(request, run, side, *, errors=None, posted=None):
    page = selectors.scoring_page(run, side)
    result = page_result(page)
    errors, posted = errors or {}, posted or {}
    # Hundreds of links: each kind reversed once (campaign.lib.urls), not a {% url %} per link.
    url = {
        name: reverser(f"assessment_{name}", run.pk, side)
        for name in ("item_save", "item_autosave", "finding_new", "evidence_add")
    }
    url |= {
        name: reverser(f"assessment_{name}")
        for name in ("finding_photo", "finding_photo_thumb", "finding_hazard", "finding_remove", "evidence_remove")
    }
    hazard_url, risk_url, submission_url = (reverser(n) for n in ("hazard_detail", "risk_detail", "submission_detail"))
    for row in page.rows:
        row.result = result.items.get(row.item.id)
        row.values = _values(row.answer, posted.get(row.item.id))
        row.errors = errors.get(row.item.id, {})
        item_id = row.item.id
        row.urls = {name: url[name](item_id) for name in ("item_save", "item_autosave", "finding_new", "evidence_add")}
        for finding in row.findings:
            finding.photo_links = [
                (url["finding_photo"](p.pk), url["finding_photo_thumb"](p.pk)) for p in finding.photos.all()
            ]
            finding.hazard_url = hazard_url(finding.hazard_id) if finding.hazard_id else ""
            finding.raise_url = url["finding_hazard"](finding.pk)
            finding.remove_url = url["finding_remove"](finding.pk)
        for link in row.evidence:
            link.url = (
                hazard_url(link.hazard_id)
                if link.hazard_id
                else risk_url(link.risk_id)
                if link.risk_id
                else submission_url(link.submission_id)
            )
            link.remove_url = url["evidence_remove"](link.pk)
    editable = wf.can(request.user, run, _edit_action(side))
    team_or_office = wf.acts_as(request.user, wf.Actor.TEAM, run) or wf.acts_as(request.user, wf.Actor.OFFICE, run)
    return {
        "run": run,
        "side": side,
        "side_label": Side(side).label,
        "page": page,
        "result": result,
        "unanswered": len(result.unanswered),
        "editable": editable,
        "can_raise": team_or_office,
        "states": AnswerState,
        "draft_messages": DRAFT_MESSAGES,
        "t": {key: str(label) for key, label in CARD_LABELS.items()},
        "version": run.updated_at.isoformat(),
    }


@login_required
def run_score(request, pk, side):
    run = _run_or_404(request.user, pk)
    side = _side_or_404(request.user, run, side)
    return render(request, "assessments/run_score.html", _scoring_context(request, run, side))


def _item_or_404(run: Run, item_pk) -> Item:
    return get_object_or_404(Item, pk=item_pk, template_id=run.round.template_id)


def _save_answer(request, run, side, item):
    form = AnswerForm(request.POST)
    if not form.is_valid():
        raise ValidationError({name: errors for name, errors in form.errors.items()})
    return services.answer_save(run=run, side=side, item=item, by=request.user, **form.answer_fields())


@login_required
@require_POST
def item_save(request, pk, side, item_pk):
    """The item card's form posted without a script: saved, or shown again with what was typed."""
    run = _run_or_404(request.user, pk)
    side = _side_or_404(request.user, run, side)
    item = _item_or_404(run, item_pk)
    try:
        _save_answer(request, run, side, item)
    except ValidationError as exc:
        messages.error(request, _("Item %(code)s was not saved: see below.") % {"code": item.code})
        errors = {item.pk: exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}}
        context = _scoring_context(request, run, side, errors=errors, posted={item.pk: request.POST})
        return render(request, "assessments/run_score.html", context, status=400)
    messages.success(request, _("Item %(code)s saved.") % {"code": item.code})
    return redirect(f"{reverse('assessment_score', args=[pk, side])}#item-{item.pk}")


@require_POST
@json_login_required
def item_autosave(request, pk, side, item_pk):
    """The item card saved as it is typed (static/js/form_draft.js): JSON, never a page."""
    try:
        run = selectors.run_detail_for(request.user, pk)
        side = _side_or_404(request.user, run, side)
        item = _item_or_404(run, item_pk)
    except (Run.DoesNotExist, Http404):
        return JsonResponse({"error": _("This assessment is not there any more.")}, status=404)
    try:
        answer = _save_answer(request, run, side, item)
    except PermissionDenied as exc:
        return JsonResponse({"error": str(exc)}, status=403)
    except ValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        return JsonResponse({"error": "; ".join(exc.messages), "fields": fields}, status=409)
    return JsonResponse(
        {
            "id": answer.pk,
            "version": answer.updated_at.isoformat(),
            "saved_at": timezone.localtime(answer.updated_at).strftime("%H:%M:%S"),
        }
    )


# ---------------------------------------------------------------- findings and evidence


@login_required
def finding_new(request, pk, side, item_pk):
    run = _run_or_404(request.user, pk)
    side = _side_or_404(request.user, run, side)
    item = _item_or_404(run, item_pk)
    if not wf.can(request.user, run, _edit_action(side)):
        raise PermissionDenied(_("You may not score this side of the assessment now."))
    form = FindingForm(request.POST or None, request.FILES or None, run=run, user=request.user)
    if request.method == "POST" and form.is_valid():
        finding = attempt(
            form,
            lambda: services.finding_add(
                run=run,
                side=side,
                item=item,
                by=request.user,
                photos=form.cleaned_data["photos"],
                **form.finding_fields(),
            ),
        )
        if finding:
            messages.success(request, _("Finding recorded under %(code)s.") % {"code": item.code})
            return redirect(f"{reverse('assessment_score', args=[pk, side])}#item-{item.pk}")
    return render(request, "assessments/finding_form.html", {"form": form, "run": run, "side": side, "item": item})


def _finding_or_404(user, pk) -> Finding:
    try:
        return selectors.finding_for(user, pk)
    except Finding.DoesNotExist:
        raise Http404 from None


@login_required
@require_POST
def finding_remove(request, pk):
    finding = _finding_or_404(request.user, pk)
    answer = finding.answer
    try:
        services.finding_remove(finding=finding, by=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("Finding removed."))
    return redirect(f"{reverse('assessment_score', args=[answer.run_id, answer.side])}#item-{answer.item_id}")


@login_required
@require_GET
def finding_photo(request, pk, size="full"):
    try:
        photo = selectors.finding_photo_for(request.user, pk)
    except FindingPhoto.DoesNotExist:
        raise Http404 from None
    run = photo.finding.answer.run
    if photo.finding.answer.side == Side.REVIEW and not wf.sees_review(request.user, run):
        raise Http404
    field = photo.thumbnail if size == "thumb" else photo.image
    name = f"finding-{photo.finding_id}-{photo.pk}.jpg"
    return protected_file_response(field, content_type="image/jpeg", filename=name)


@login_required
@require_POST
def evidence_add(request, pk, side, item_pk):
    run = _run_or_404(request.user, pk)
    side = _side_or_404(request.user, run, side)
    item = _item_or_404(run, item_pk)
    form = EvidenceForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose a kind and type its number."))
        services.evidence_add(run=run, side=side, item=item, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _("Evidence not linked: %(why)s") % {"why": "; ".join(exc.messages)})
    else:
        messages.success(request, _("Evidence linked to %(code)s.") % {"code": item.code})
    return redirect(f"{reverse('assessment_score', args=[pk, side])}#item-{item.pk}")


@login_required
@require_POST
def evidence_remove(request, pk):
    visible = selectors.runs_for(request.user).values("pk")
    evidence = get_object_or_404(Evidence.objects.select_related("answer"), pk=pk, answer__run__in=visible)
    answer = evidence.answer
    services.evidence_remove(evidence=evidence, by=request.user)
    messages.success(request, _("Evidence link removed."))
    return redirect(f"{reverse('assessment_score', args=[answer.run_id, answer.side])}#item-{answer.item_id}")


# ---------------------------------------------------------------- a finding raises a hazard


@login_required
def finding_hazard(request, pk):
    """The hazards' own report form, filled from the finding; saved, the finding links to the hazard."""
    finding = _finding_or_404(request.user, pk)
    run = finding.answer.run
    if finding.hazard_id is not None:
        return redirect("hazard_detail", pk=finding.hazard_id)
    if not (wf.acts_as(request.user, wf.Actor.TEAM, run) or wf.acts_as(request.user, wf.Actor.OFFICE, run)):
        raise PermissionDenied(_("Only the inspection team or the creation office raises hazards from findings."))
    initial = services.finding_hazard_initial(finding)
    form = HazardForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        hazard = attempt(
            form,
            lambda: services.finding_raise_hazard(
                finding=finding, by=request.user, photos=form.cleaned_data["photos"], **form.report_fields()
            ),
        )
        if hazard:
            messages.success(request, _("Hazard %(number)s logged from the finding.") % {"number": hazard.number})
            return redirect("hazard_detail", pk=hazard.pk)
    return render(
        request,
        "assessments/finding_hazard.html",
        {"form": form, "finding": finding, "run": run, "photos": list(finding.photos.all())},
    )
