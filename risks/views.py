"""The risk register's screens: list, detail, create, edit, re-assess and review,
always within the user's scope. Writes go through risks.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from campaign.lib.forms import attempt
from campaign.lib.http import same_for_everyone
from campaign.lib.paging import list_page
from districts.scoping import scope_for
from risks import selectors, services
from risks.filters import RiskFilter
from risks.forms import AssessmentForm, ReviewForm, RiskForm, factors_of
from risks.models import RiskPoint


def _risk_or_404(user, pk) -> RiskPoint:
    try:
        return selectors.risk_detail_for(user, pk)
    except RiskPoint.DoesNotExist:
        raise Http404 from None


def _can_edit(user, risk: RiskPoint) -> bool:
    return scope_for(user, services.RISK_EDITOR_ROLES).covers(risk.unit, risk.sector_id)


def _editable_or_403(user, pk) -> RiskPoint:
    """The risk if the user may change it; 404 if they may not even see it."""
    risk = _risk_or_404(user, pk)
    if not _can_edit(user, risk):
        raise PermissionDenied(_("You may not change this risk."))
    return risk


def _methods_json(methods) -> dict:
    """The methods' current versions for the in-page score preview, keyed by method id."""
    return {
        str(m.pk): {
            "version": m.current_version.number,
            "factors": [field_name for field_name, _factor in factors_of(m)],
            "bands": m.current_version.bands,
        }
        for m in methods
    }


def _assess_context(form: AssessmentForm) -> dict:
    return {"assess_form": form, "methods_json": _methods_json(form.methods), "levels": selectors.level_styles()}


def _warn_below_control_level(request, risk: RiskPoint) -> None:
    """Saved where the policy only flags a mismatch (risks.services.check_control): say so."""
    if risk.below_control_level:
        messages.warning(
            request,
            services.control_mismatch_message(
                level=risk.level, unit=risk.responsible_unit, control_level=risk.control_level
            ),
        )


@login_required
def risk_list(request):
    filterset = RiskFilter(request.GET or None, queryset=selectors.risks_for(request.user), user=request.user)
    paged = list_page(request, filterset.qs)
    return render(
        request,
        "risks/risk_list.html",
        {
            "filter": filterset,
            **paged,
            "levels": selectors.level_styles(),
            "can_add": not scope_for(request.user, services.RISK_EDITOR_ROLES).is_empty,
        },
    )


@login_required
def risk_detail(request, pk):
    risk = _risk_or_404(request.user, pk)
    return render(
        request,
        "risks/risk_detail.html",
        {
            "risk": risk,
            "can_edit": _can_edit(request.user, risk),
            "assessments": selectors.assessments_of(risk),
            "reviews": selectors.reviews_of(risk),
            "versions": selectors.history_of(risk),
            "open_hazards": selectors.open_hazards_of(risk, request.user),
            "levels": selectors.level_styles(),
        },
    )


@login_required
def risk_create(request):
    if scope_for(request.user, services.RISK_EDITOR_ROLES).is_empty:
        raise PermissionDenied(_("You may not add risks."))
    data = request.POST or None
    form = RiskForm(data, user=request.user)
    assess_form = AssessmentForm(data, methods=selectors.methods_with_current_version(), prefix="assess")
    if request.method == "POST" and form.is_valid() & assess_form.is_valid():
        risk = attempt(
            form,
            lambda: services.risk_create(by=request.user, assessments=[assess_form.spec()], **form.cleaned_data),
        )
        if risk:
            messages.success(request, _("Risk “%(name)s” saved.") % {"name": risk.name})
            _warn_below_control_level(request, risk)
            return redirect("risk_detail", pk=risk.pk)
    return render(request, "risks/risk_form.html", {"form": form, **_assess_context(assess_form)})


@login_required
def risk_edit(request, pk):
    risk = _editable_or_403(request.user, pk)
    form = RiskForm(request.POST or None, instance=risk, user=request.user)
    if request.method == "POST" and form.is_valid():
        # The form wrote its values onto `risk`; the service checks permission against the stored row.
        stored = RiskPoint.objects.get(pk=risk.pk)
        saved = attempt(form, lambda: services.risk_update(risk=stored, by=request.user, **form.cleaned_data))
        if saved:
            messages.success(request, _("Risk “%(name)s” saved.") % {"name": saved.name})
            _warn_below_control_level(request, saved)
            return redirect("risk_detail", pk=saved.pk)
    return render(request, "risks/risk_form.html", {"form": form, "risk": risk})


@login_required
def risk_assess(request, pk):
    risk = _editable_or_403(request.user, pk)
    form = AssessmentForm(
        request.POST or None, methods=selectors.methods_with_current_version(), with_note=True, prefix="assess"
    )
    if request.method == "POST" and form.is_valid():
        assessment = attempt(form, lambda: services.risk_assess(risk=risk, by=request.user, **form.spec()))
        if assessment:
            messages.success(
                request,
                _("Assessed: score %(score)s, %(level)s.")
                % {"score": f"{assessment.score.normalize():f}", "level": assessment.get_level_display()},
            )
            _warn_below_control_level(request, RiskPoint.objects.select_related("responsible_unit").get(pk=risk.pk))
            return redirect("risk_detail", pk=risk.pk)
    return render(request, "risks/assess_form.html", {"risk": risk, **_assess_context(form)})


@login_required
def risk_review(request, pk):
    risk = _editable_or_403(request.user, pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        review = attempt(form, lambda: services.risk_review(risk=risk, by=request.user, **form.cleaned_data))
        if review:
            messages.success(request, _("Review of %(date)s recorded.") % {"date": review.reviewed_on})
            return redirect("risk_detail", pk=risk.pk)
    return render(request, "risks/review_form.html", {"risk": risk, "form": form})


@same_for_everyone(max_age=60 * 60)
def level_css(request):
    """The four colours (四色) as a style sheet for the level badges.

    The colours live once, in risks.models.LEVEL_COLOURS; the Content-Security-Policy
    refuses inline styles, so the pages link this instead. Nothing in it is private.
    """
    return render(request, "risks/levels.css", {"levels": selectors.level_styles()}, content_type="text/css")
