"""The bulletins' screens: the list, a new draft for a period, the editor, the page (with the
frozen ranking once published), the office's list of acknowledgements, and the PDF."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from campaign.lib.paging import list_page
from campaign.lib.pdf import content_disposition
from campaign.models import Campaign
from oversight.bulletins import documents, selectors, services
from oversight.bulletins.forms import BulletinForm, PeriodForm, WithdrawForm
from oversight.bulletins.models import BulletinStatus
from oversight.bulletins.workflow import BUTTONS, TABLE, Action, Side


def _messages_of(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


@login_required
def bulletin_list(request):
    page = list_page(request, selectors.bulletins_for(request.user), per_page=30)
    return render(
        request,
        "oversight/bulletin_list.html",
        {**page, "can_write": Side.OFFICE in services.sides_of(request.user)},
    )


def _campaign_of(office) -> Campaign | None:
    return Campaign.objects.filter(district_id=office.parent_id).order_by("-starts_on").first()


def _last_quarter(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    quarter_start = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = quarter_start - datetime.timedelta(days=1)
    return datetime.date(end.year, end.month - 2, 1), end


@login_required
@require_http_methods(["GET", "POST"])
def bulletin_new(request):
    TABLE.ensure_side(Action.EDIT, sides=services.sides_of(request.user))
    office = next(
        (m.unit for m in services.memberships_of(request.user) if m.role in services.OFFICE_ROLES), None
    )
    campaign = _campaign_of(office) if office else None
    if campaign is None:
        raise PermissionDenied(_("Your district has no campaign to write a bulletin on."))
    if request.method == "POST":
        form = PeriodForm(request.POST)
        if form.is_valid():
            try:
                bulletin = services.bulletin_create(
                    by=request.user, campaign=campaign, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
                )
            except ValidationError as error:
                for message in _messages_of(error):
                    form.add_error(None, message)
            else:
                messages.success(request, _("The draft is written from the period's figures: edit it as needed."))
                return redirect("oversight:bulletin_edit", pk=bulletin.pk)
    else:
        start, end = _last_quarter(services.deadline_today())
        form = PeriodForm(initial={"start": max(start, campaign.starts_on.replace(day=1)), "end": end})
    return render(request, "oversight/bulletin_new.html", {"form": form, "campaign": campaign})


@login_required
@require_http_methods(["GET", "POST"])
def bulletin_edit(request, pk):
    bulletin = selectors.bulletin_or_404(request.user, pk)
    if Action.EDIT not in services.actions_for(request.user, bulletin):
        TABLE.check(Action.EDIT, bulletin.status, sides=services.sides_of(request.user))  # says why
        raise PermissionDenied(TABLE.refusal(Side.OFFICE))
    units = services.default_recipients(bulletin.campaign)
    if request.method == "POST":
        form = BulletinForm(request.POST, units=units)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.bulletin_save(
                    bulletin=bulletin,
                    by=request.user,
                    title=data["title"],
                    period_start=data["start"],
                    period_end=data["end"],
                    overview=data["overview"],
                    good_practices=data["good_practices"],
                    problems=data["problems"],
                    requirements=data["requirements"],
                    recipients=data["recipients"],
                )
            except ValidationError as error:
                for message in _messages_of(error):
                    form.add_error(None, message)
            else:
                messages.success(request, _("The draft is saved."))
                return redirect("oversight:bulletin_detail", pk=bulletin.pk)
    else:
        form = BulletinForm(
            units=units,
            initial={
                "title": bulletin.title,
                "start": bulletin.period_start,
                "end": bulletin.period_end,
                **{name: getattr(bulletin, name) for name in services.SECTIONS},
                "recipients": [str(pk) for pk in bulletin.recipients.values_list("pk", flat=True)],
            },
        )
    return render(request, "oversight/bulletin_edit.html", {"form": form, "bulletin": bulletin})


def _detail(request, bulletin, version):
    actions = services.actions_for(request.user, bulletin)
    is_office = services.is_office_of(request.user, bulletin)
    acks = selectors.acknowledgements(bulletin, version) if version else []
    mine = services.recipient_units_of(request.user, bulletin) if version else []
    acked = {unit.pk for unit, ack in acks if ack}
    context = {
        "bulletin": bulletin,
        "version": version,
        "latest": bulletin.current_version(),
        "versions": list(bulletin.versions.order_by("-version")),
        "buttons": [(a, BUTTONS[a]) for a in actions if a in BUTTONS],
        "can_edit": Action.EDIT in actions,
        "is_office": is_office,
        "withdraw_form": WithdrawForm(),
        "to_acknowledge": [u for u in mine if u.pk not in acked] if Action.ACKNOWLEDGE in actions else [],
        "acknowledged_mine": [(u, ack) for u, ack in acks if ack and u in mine],
        "pending": sum(1 for _u, ack in acks if ack is None),
        "recipients": acks,
        "draft": bulletin.status in (BulletinStatus.DRAFT, BulletinStatus.APPROVED),
    }
    if version is not None:
        context.update(documents.context(version, printed=False))
    return render(request, "oversight/bulletin_detail.html", context)


@login_required
def bulletin_detail(request, pk):
    """The office sees a draft as a draft; everyone else (and the office, once published) sees the
    latest version published, read from its snapshot."""
    bulletin = selectors.bulletin_or_404(request.user, pk)
    drafting = bulletin.status in (BulletinStatus.DRAFT, BulletinStatus.APPROVED)
    if drafting and services.is_office_of(request.user, bulletin):
        return _detail(request, bulletin, None)
    return _detail(request, bulletin, selectors.version_or_404(bulletin))


@login_required
def version_detail(request, pk, number):
    bulletin = selectors.bulletin_or_404(request.user, pk)
    return _detail(request, bulletin, selectors.version_or_404(bulletin, number))


@login_required
@require_POST
def bulletin_move(request, pk, action):
    bulletin = selectors.bulletin_or_404(request.user, pk)
    moves = {
        Action.APPROVE: services.bulletin_approve,
        Action.REOPEN: services.bulletin_reopen,
        Action.REVISE: services.bulletin_revise,
    }
    try:
        if action == Action.PUBLISH:
            version = services.bulletin_publish(bulletin=bulletin, by=request.user)
            messages.success(
                request,
                _("Published as %(number)s; its PDF is being rendered.") % {"number": version.document_number},
            )
        elif action == Action.WITHDRAW:
            form = WithdrawForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.bulletin_withdraw(bulletin=bulletin, by=request.user, reason=reason)
            messages.success(request, _("The bulletin is withdrawn."))
        elif action in moves:
            moves[action](bulletin=bulletin, by=request.user)
            messages.success(request, _("Done: the bulletin is %(status)s.") % {"status": _status(bulletin)})
        else:
            raise Http404
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    return redirect("oversight:bulletin_detail", pk=bulletin.pk)


def _status(bulletin) -> str:
    bulletin.refresh_from_db(fields=["status"])
    return str(bulletin.get_status_display()).lower()


@login_required
@require_POST
def bulletin_acknowledge(request, pk):
    bulletin = selectors.bulletin_or_404(request.user, pk)
    units = {str(u.pk): u for u in services.recipient_units_of(request.user, bulletin)}
    unit = units.get(request.POST.get("unit", ""))
    try:
        services.bulletin_acknowledge(bulletin=bulletin, by=request.user, unit=unit)
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, _("Receipt acknowledged."))
    return redirect("oversight:bulletin_detail", pk=bulletin.pk)


@login_required
def bulletin_acknowledgements(request, pk):
    bulletin = selectors.bulletin_or_404(request.user, pk)
    if not services.is_office_of(request.user, bulletin):
        raise PermissionDenied(_("The creation office sees who has acknowledged a bulletin."))
    version = selectors.version_or_404(bulletin)
    rows = selectors.acknowledgements(bulletin, version)
    return render(
        request,
        "oversight/bulletin_acknowledgements.html",
        {
            "bulletin": bulletin,
            "version": version,
            "not_yet": [unit for unit, ack in rows if ack is None],
            "done": [(unit, ack) for unit, ack in rows if ack is not None],
        },
    )


@login_required
def bulletin_pdf(request, pk, number=None):
    bulletin = selectors.bulletin_or_404(request.user, pk)
    version = selectors.version_or_404(bulletin, number)
    if not version.pdf:
        messages.info(request, _("The PDF of this bulletin is still being rendered; try again in a moment."))
        return redirect("oversight:bulletin_detail", pk=bulletin.pk)
    try:
        content = version.pdf.open("rb")
    except FileNotFoundError:
        # The row names a file the storage no longer holds (a restore without its media).
        messages.error(request, _("The PDF file of this bulletin is missing from the file store."))
        return redirect("oversight:bulletin_detail", pk=bulletin.pk)
    response = FileResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"{version.document_number} {version.title}")
    response["X-Content-Type-Options"] = "nosniff"
    return response
