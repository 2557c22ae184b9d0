"""The workflow steps as pages: one form per step, posted to one service call.

A step the user's role never takes answers 403, GET or POST, whatever the hazard's state; one
they may not take on this hazard now answers 403 on GET with the reason; a refusal on POST
(someone else acted meanwhile, a missing photo, the wrong side) is shown on the form, which
keeps what was typed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.lib.forms import refusal_onto
from hazards import forms, services, workflow
from hazards.models import Action, Hazard
from hazards.views import hazard_or_404


@dataclass(frozen=True)
class Step:
    title: object
    form: type
    # (button value, the action it takes, its label); one button for most steps, two for decisions.
    buttons: tuple[tuple[str, str, object], ...]
    run: Callable  # (request, hazard, form, button) → the service's result
    done: object  # the message after it succeeded
    multipart: bool = False


def _expected(form) -> str | None:
    return form.cleaned_data.get("expected_status") or None


STEPS = {
    "list": Step(
        gettext_lazy("List for supervision"),
        forms.ListingForm,
        (("list", Action.LIST, gettext_lazy("List for supervision")),),
        lambda r, h, f, b: services.hazard_list_for_supervision(
            hazard=h, by=r.user, expected_status=_expected(f), **f.listing_fields()
        ),
        gettext_lazy("Listed for supervision."),
    ),
    "assign": Step(
        gettext_lazy("Assign for rectification"),
        forms.AssignForm,
        (("assign", Action.ASSIGN, gettext_lazy("Assign")),),
        lambda r, h, f, b: services.hazard_assign(
            hazard=h,
            by=r.user,
            expected_status=_expected(f),
            **{k: v for k, v in f.cleaned_data.items() if k != "expected_status"},
        ),
        gettext_lazy("Assigned for rectification."),
    ),
    "submit": Step(
        gettext_lazy("Report rectified"),
        forms.SubmitForm,
        (("submit", Action.SUBMIT, gettext_lazy("Report rectified")),),
        lambda r, h, f, b: services.hazard_submit(
            hazard=h,
            by=r.user,
            rectification=f.cleaned_data["rectification"],
            photos=f.cleaned_data["photos"],
            expected_status=_expected(f),
        ),
        gettext_lazy("Rectification reported; it now awaits verification."),
        multipart=True,
    ),
    "extension": Step(
        gettext_lazy("Ask for an extension"),
        forms.ExtensionForm,
        (("request", Action.REQUEST_EXTENSION, gettext_lazy("Ask for an extension")),),
        lambda r, h, f, b: services.hazard_request_extension(
            hazard=h,
            by=r.user,
            requested_deadline=f.cleaned_data["requested_deadline"],
            reason=f.cleaned_data["reason"],
            expected_status=_expected(f),
        ),
        gettext_lazy("Extension requested."),
    ),
    "decide-extension": Step(
        gettext_lazy("Decide the extension request"),
        forms.DecisionForm,
        (
            ("approve", Action.APPROVE_EXTENSION, gettext_lazy("Approve")),
            ("refuse", Action.REFUSE_EXTENSION, gettext_lazy("Refuse")),
        ),
        lambda r, h, f, b: services.hazard_decide_extension(
            hazard=h, by=r.user, approve=b == "approve", note=f.cleaned_data["note"], expected_status=_expected(f)
        ),
        gettext_lazy("Extension request decided."),
    ),
    "verify": Step(
        gettext_lazy("Verify"),
        forms.VerifyForm,
        (
            ("close", Action.CLOSE, gettext_lazy("Passed: close it")),
            ("return", Action.RETURN, gettext_lazy("Not passed: return it")),
        ),
        lambda r, h, f, b: (
            services.hazard_close(hazard=h, by=r.user, note=f.cleaned_data["note"], expected_status=_expected(f))
            if b == "close"
            else services.hazard_return(
                hazard=h,
                by=r.user,
                reason=f.cleaned_data["note"],
                new_deadline=f.cleaned_data["new_deadline"],
                expected_status=_expected(f),
            )
        ),
        gettext_lazy("Verification recorded."),
    ),
    "edit": Step(
        gettext_lazy("Edit details"),
        forms.EditForm,
        (("save", Action.EDIT, gettext_lazy("Save changes")),),
        lambda r, h, f, b: services.hazard_edit(hazard=h, by=r.user, expected_status=_expected(f), **f.edit_fields()),
        gettext_lazy("Details saved."),
    ),
    "cancel": Step(
        gettext_lazy("Cancel the record"),
        forms.CancelForm,
        (("cancel", Action.CANCEL, gettext_lazy("Cancel the record")),),
        lambda r, h, f, b: services.hazard_cancel(
            hazard=h, by=r.user, reason=f.cleaned_data["reason"], expected_status=_expected(f)
        ),
        gettext_lazy("The record is cancelled."),
    ),
}
# Which page takes each action the detail page offers.
STEP_OF_ACTION = {action: name for name, step in STEPS.items() for _value, action, _label in step.buttons}


def _form(step: Step, request, hazard: Hazard):
    kwargs = {"initial": {"expected_status": hazard.status}}
    if step.form in (forms.ListingForm, forms.AssignForm, forms.EditForm):
        kwargs["hazard"] = hazard
    if step.form is forms.EditForm:
        kwargs["user"] = request.user
    if request.method == "POST":
        return step.form(request.POST, request.FILES if step.multipart else None, **kwargs)
    return step.form(**kwargs)


@login_required
def hazard_step(request, pk, step):
    spec = STEPS.get(step)
    if spec is None:
        raise Http404
    hazard = hazard_or_404(request.user, pk)
    actions = [action for _value, action, _label in spec.buttons]
    # Who you are comes first: a role that never takes this step is refused before the form is
    # read or the hazard's state is looked at (a leader is not told the hazard is "closed").
    sides = workflow.sides_of(request.user)
    if not any(workflow.TABLE[a].side in sides for a in actions):
        raise PermissionDenied(workflow.TABLE.refusal(workflow.TABLE[actions[0]].side))
    if request.method != "POST" and not any(workflow.can(request.user, hazard, a) for a in actions):
        try:
            workflow.check(request.user, hazard, actions[0])
        except ValidationError as exc:
            raise PermissionDenied(" ".join(exc.messages)) from None
        raise PermissionDenied(_("You may not take this step on this hazard."))
    form = _form(spec, request, hazard)
    status = 200
    if request.method == "POST":
        button = request.POST.get("decision") or spec.buttons[0][0]
        if button not in {value for value, _action, _label in spec.buttons}:
            raise Http404
        if form.is_valid():
            try:
                spec.run(request, hazard, form, button)
            except ValidationError as exc:
                refusal_onto(form, exc)
            except PermissionDenied as exc:
                refusal_onto(form, exc)
                status = 403
            else:
                messages.success(request, str(spec.done))
                return redirect("hazard_detail", pk=hazard.pk)
    return render(
        request,
        "hazards/step_form.html",
        {
            "hazard": hazard,
            "step": spec,
            "form": form,
            "listing": workflow.listing_of(hazard),
            # Of two buttons (close / return), those this user may press; the service checks again.
            "buttons": [b for b in spec.buttons if workflow.can(request.user, hazard, b[1])] or spec.buttons,
        },
        status=status,
    )
