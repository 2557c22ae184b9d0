"""Writes to the periodic reports. Each is one transaction, checked against the
writer's role and org unit, and leaves history in the same transaction: the
submission's own history (django-simple-history) for every save, and a
SubmissionEvent for every move of its workflow."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.lib.history import save_with_history
from campaign.models import Campaign
from districts.models import OrgUnit, User
from districts.scoping import Scope, scope_for
from reporting.models import (
    DEFAULT_ADOPTION_POINTS,
    EDIT,
    FILER_ROLES,
    REVIEWER_ROLES,
    SIDE_ROLES,
    TABLE,
    Adoption,
    AdoptionLevel,
    AdoptionPoints,
    Attachment,
    Period,
    ReportType,
    Side,
    Status,
    Submission,
    SubmissionEvent,
)
from reporting.periods import periods_of, unit_owes

Action = SubmissionEvent.Action
MAX_ATTACHMENTS = 10


# ---------------------------------------------------------------- periods


@transaction.atomic
def periods_generate(*, campaign: Campaign, report_types=None) -> int:
    """Bring the campaign's periods in line with its dates and the report types' rules.

    Idempotent: missing periods are added, due dates follow the rule, and periods the
    campaign no longer covers are removed unless a unit has written something for them.
    Returns the number of periods added."""
    types = list(report_types if report_types is not None else ReportType.objects.all())
    added = 0
    for report_type in types:
        have = {p.key: p for p in Period.objects.filter(campaign=campaign, report_type=report_type)}
        wanted = periods_of(report_type, campaign.starts_on, campaign.ends_on)
        new, changed = [], []
        for span in wanted:
            period = have.pop(span.key, None)
            if period is None:
                new.append(Period(campaign=campaign, report_type=report_type, **span.__dict__))
            elif (period.starts_on, period.ends_on, period.due_on) != (span.starts_on, span.ends_on, span.due_on):
                period.starts_on, period.ends_on, period.due_on = span.starts_on, span.ends_on, span.due_on
                changed.append(period)
        Period.objects.bulk_create(new)
        Period.objects.bulk_update(changed, ["starts_on", "ends_on", "due_on"])
        Period.objects.filter(pk__in=[p.pk for p in have.values()], submissions__isnull=True).delete()
        added += len(new)
    return added


# ---------------------------------------------------------------- permissions


def _submission_scope(user: User, roles: frozenset[str]) -> Scope:
    # Reports have no sector: only the subtrees of the user's units count.
    return scope_for(user, roles).units_only()


def may_file(user: User, unit: OrgUnit) -> bool:
    return _submission_scope(user, FILER_ROLES).covers(unit)


def may_review(user: User, unit: OrgUnit) -> bool:
    return _submission_scope(user, REVIEWER_ROLES).covers(unit)


def sides_of(user: User) -> set[Side]:
    """The sides of the workflow the user's roles take, wherever."""
    return {side for side, roles in SIDE_ROLES.items() if not _submission_scope(user, roles).is_empty}


def _on_side(user: User, side: str, submission: Submission) -> bool:
    return _submission_scope(user, SIDE_ROLES[Side(side)]).covers(submission.unit)


def actions_for(user: User, submission: Submission) -> list[str]:
    """What the report's page offers `user` now: the table's actions from its state for the
    user's sides, where the user acts for that side on this unit. The services check again."""
    return [
        action
        for action in TABLE.actions_for(submission.status, sides=sides_of(user))
        if _on_side(user, TABLE[action].side, submission)
    ]


def ensure_owes(*, unit: OrgUnit, period: Period) -> None:
    """Refuse a report from a unit that does not owe one for this period."""
    district = period.campaign.district_id
    in_district = unit.parent_id == district or (unit.parent_id and unit.parent.parent_id == district)
    if unit.kind not in period.report_type.filer_kinds or not in_district or not unit_owes(unit, period):
        raise ValidationError(
            _("%(unit)s does not file %(type)s for %(period)s.")
            % {"unit": unit, "type": period.report_type, "period": period.label}
        )


def _ensure_filer(by: User, unit: OrgUnit) -> None:
    if not may_file(by, unit):
        raise PermissionDenied(_("You may not write reports for %(unit)s.") % {"unit": unit})


def _ensure_editable(submission: Submission) -> None:
    if not TABLE.allowed(EDIT, submission.status):
        raise ValidationError(
            _("This report is %(status)s and can no longer be changed.")
            % {"status": submission.get_status_display().lower()},
            code="locked",
        )


def _clean_text(title: str, body: str) -> tuple[str, str]:
    return (title or "").strip(), (body or "").replace("\r\n", "\n")


# ---------------------------------------------------------------- writing


@transaction.atomic
def submission_start(*, by: User, unit: OrgUnit, period: Period, title: str = "", body: str = "") -> Submission:
    """A new draft for `unit` and `period`. Where the type takes one report a period,
    a unit that already has one is sent to it instead."""
    _ensure_filer(by, unit)
    ensure_owes(unit=unit, period=period)
    # Lock the unit's row: two first saves at once must not make two reports where one is allowed.
    OrgUnit.objects.select_for_update().filter(pk=unit.pk).first()
    if not period.report_type.allows_several:
        existing = Submission.objects.filter(unit=unit, period=period).first()
        if existing is not None:
            raise ValidationError(
                _("%(unit)s already has a report for %(period)s: continue that one.")
                % {"unit": unit, "period": period.label},
                code="exists",
                params={"pk": existing.pk},
            )
    title, body = _clean_text(title, body)
    return save_with_history(Submission(unit=unit, period=period, title=title, body=body, created_by=by), by)


@transaction.atomic
def submission_save(*, submission: Submission, by: User, title: str, body: str) -> Submission:
    """Change the text of a draft, or of a report the office returned. Every save that changes
    the text is a version in the history (an autosave too: nothing typed is ever lost, and no
    history row is ever rewritten); a save that changes nothing writes nothing."""
    submission = Submission.objects.select_for_update().select_related("unit", "period").get(pk=submission.pk)
    _ensure_filer(by, submission.unit)
    _ensure_editable(submission)
    title, body = _clean_text(title, body)
    if (title, body) == (submission.title, submission.body):
        return submission
    submission.title, submission.body = title, body
    return save_with_history(submission, by)


def _check_move(submission: Submission, by: User, action: str) -> None:
    """Refuse a move the user may not make, or one the workflow does not allow from here: first
    the side by role, then the state (both the table's), then the side by unit."""
    side = TABLE.check(action, submission.status, sides=sides_of(by)).side
    if not _on_side(by, side, submission):
        if side == Side.REVIEWER:
            raise PermissionDenied(TABLE.refusal(side))
        raise PermissionDenied(_("You may not submit reports for %(unit)s.") % {"unit": submission.unit})


def _move(*, submission: Submission, by: User, action: str, comment: str = "", at=None, check=None) -> Submission:
    """Take `action` on the submission: lock it, check the move is legal and the user may
    make it (and `check`, if given), change the state and write the event, all in the
    caller's transaction."""
    submission = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("unit", "period__report_type", "period__campaign__district")
        .get(pk=submission.pk)
    )
    _check_move(submission, by, action)
    if check:
        check(submission)
    from_status = submission.status
    to_status = TABLE.next_state(action, from_status)
    at = at or timezone.now()
    submission.status = to_status
    if action in (Action.SUBMIT, Action.RESUBMIT):
        submission.submitted_by = by
        submission.submitted_at = at
        submission.first_submitted_at = submission.first_submitted_at or at
    if action in (Action.RETURN, Action.ACCEPT):
        submission.reviewed_by, submission.reviewed_at = by, at
    save_with_history(submission, by)
    SubmissionEvent.objects.create(
        submission=submission,
        action=action,
        from_status=from_status,
        to_status=to_status,
        by=by,
        at=at,
        comment=comment,
    )
    return submission


def _ready_to_submit(submission: Submission) -> None:
    errors = {}
    if not submission.title.strip():
        errors["title"] = _("Give the report a title before submitting it.")
    if not submission.body.strip():
        errors["body"] = _("Write the report before submitting it.")
    if errors:
        raise ValidationError(errors)
    if submission.status == Status.DRAFT:
        ensure_owes(unit=submission.unit, period=submission.period)


@transaction.atomic
def submission_submit(*, submission: Submission, by: User, at: datetime.datetime | None = None) -> Submission:
    """Send a draft, or a returned report, to the office. A report sent after its due day is
    still taken, and marked late."""
    # Read the state afresh: the caller's copy may be old. _move checks it again under the lock.
    status = Submission.objects.filter(pk=submission.pk).values_list("status", flat=True).get()
    action = Action.RESUBMIT if status == Status.RETURNED else Action.SUBMIT
    return _move(submission=submission, by=by, action=action, at=at, check=_ready_to_submit)


def _required(comment: str, message: str) -> str:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": message})
    return comment


@transaction.atomic
def submission_return(*, submission: Submission, by: User, comment: str, at=None) -> Submission:
    """Send a submitted report back to its unit, saying what to change."""
    comment = _required(comment, _("Say what the unit should change."))
    return _move(submission=submission, by=by, action=Action.RETURN, comment=comment, at=at)


@transaction.atomic
def submission_accept(*, submission: Submission, by: User, comment: str = "", at=None, adopt=()) -> Submission:
    """Accept a submitted report. From now on it is locked. `adopt`: the levels it is adopted at
    (采用) as it is accepted, in the same transaction (submission_adopt's rules)."""
    submission = _move(submission=submission, by=by, action=Action.ACCEPT, comment=(comment or "").strip(), at=at)
    for level in dict.fromkeys(adopt):
        submission_adopt(submission=submission, by=by, level=level, at=at)
    return submission


@transaction.atomic
def submission_reopen(*, submission: Submission, by: User, reason: str, at=None) -> Submission:
    """Take an accepted report back under review. The office alone may, and the reason stays on record."""
    reason = _required(reason, _("Give the reason for reopening an accepted report."))
    return _move(submission=submission, by=by, action=Action.REOPEN, comment=reason, at=at)


# ---------------------------------------------------------------- attachments


@transaction.atomic
def attachment_add(*, submission: Submission, by: User, upload) -> Attachment:
    """Attach a file already checked by campaign.lib.uploads.clean_attachment (a CleanAttachment)."""
    submission = Submission.objects.select_for_update().select_related("unit").get(pk=submission.pk)
    _ensure_filer(by, submission.unit)
    _ensure_editable(submission)
    if submission.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError({"attachments": _("A report takes at most %(n)s attachments.") % {"n": MAX_ATTACHMENTS}})
    attachment = Attachment(
        submission=submission,
        original_name=upload.original_name[:200],
        kind=upload.kind,
        mime=upload.mime,
        size=upload.content.size,
        uploaded_by=by,
    )
    attachment.file.save(upload.content.name, upload.content, save=False)
    attachment._history_user = by
    attachment.save()
    # The report changed: its own history says so, and who did it.
    save_with_history(submission, by)
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, by: User) -> None:
    submission = Submission.objects.select_for_update().select_related("unit").get(pk=attachment.submission_id)
    _ensure_filer(by, submission.unit)
    _ensure_editable(submission)
    stored = attachment.file.name
    attachment._history_user = by
    attachment.delete()
    save_with_history(submission, by)
    # The file goes once the removal is committed; a rollback keeps both row and file.
    storage = attachment.file.storage
    transaction.on_commit(lambda: storage.delete(stored))


# ---------------------------------------------------------------- adoption (采用)


def adoption_points_for(*, campaign: Campaign) -> dict[str, Decimal]:
    """What an adoption at each level is worth in `campaign` now: its own points, else the defaults."""
    points = dict(DEFAULT_ADOPTION_POINTS)
    points.update(AdoptionPoints.objects.filter(campaign=campaign).values_list("level", "points"))
    return {str(level): value for level, value in points.items()}


def _ensure_office(by: User, district: OrgUnit) -> None:
    if not may_review(by, district):
        raise PermissionDenied(_("Only the creation office sets the points of adoptions."))


@transaction.atomic
def adoption_points_set(*, by: User, campaign: Campaign, level: str, points) -> AdoptionPoints:
    """Set what an adoption at `level` is worth in `campaign` from now on. Adoptions made before
    keep the points they were made with."""
    _ensure_office(by, campaign.district)
    if level not in AdoptionLevel.values:
        raise ValidationError({"level": _("Choose district, city or province level.")})
    row = AdoptionPoints.objects.select_for_update().filter(campaign=campaign, level=level).first()
    row = row or AdoptionPoints(campaign=campaign, level=level)
    row.points = points
    return save_with_history(row, by)


def _ensure_adopter(by: User, submission: Submission) -> None:
    if not may_review(by, submission.unit):
        raise PermissionDenied(_("Only the creation office marks reports adopted."))


@transaction.atomic
def submission_adopt(
    *, submission: Submission, by: User, level: str, note: str = "", at: datetime.datetime | None = None
) -> Adoption:
    """Mark an accepted report adopted (采用) at `level`, worth the campaign's points for that
    level now (frozen on the row). A level once: a report adopted at district and at city level
    has two adoptions."""
    submission = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("unit", "period__report_type", "period__campaign")
        .get(pk=submission.pk)
    )
    _ensure_adopter(by, submission)
    if level not in AdoptionLevel.values:
        raise ValidationError({"level": _("Choose district, city or province level.")})
    if not submission.period.report_type.adoptable:
        raise ValidationError(
            _("Reports of type %(type)s are not adopted.") % {"type": submission.period.report_type}, code="type"
        )
    if submission.status != Status.ACCEPTED:
        raise ValidationError(_("Only an accepted report can be adopted."), code="status")
    if submission.adoptions.standing().filter(level=level).exists():
        raise ValidationError(
            {"level": _("This report is already %(level)s.") % {"level": AdoptionLevel(level).label.lower()}}
        )
    adoption = Adoption(
        submission=submission,
        level=level,
        points=adoption_points_for(campaign=submission.period.campaign)[level],
        note=(note or "").strip()[:200],
        adopted_by=by,
        adopted_at=at or timezone.now(),
    )
    return save_with_history(adoption, by)


@transaction.atomic
def adoption_withdraw(*, adoption: Adoption, by: User, reason: str, at: datetime.datetime | None = None) -> Adoption:
    """Withdraw an adoption made in error: it stays on record with the reason, and counts no more."""
    adoption = Adoption.objects.select_for_update(of=("self",)).select_related("submission__unit").get(pk=adoption.pk)
    _ensure_adopter(by, adoption.submission)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for withdrawing the adoption.")})
    if adoption.withdrawn_at is not None:
        raise ValidationError(_("This adoption was withdrawn already."), code="withdrawn")
    adoption.withdrawn_by, adoption.withdrawn_at, adoption.withdraw_reason = by, at or timezone.now(), reason[:200]
    return save_with_history(adoption, by)
