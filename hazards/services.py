"""Writes to the hazard ledger. Each is one service call in one transaction: the hazard's
row is locked, its state checked again against the transition table (hazards.workflow)
and against what the caller saw, and one HazardEvent is written with the change.
Of two people acting on the same hazard at once, the second is told it has been
handled by someone else."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.lib.history import save_with_history
from campaign.lib.services import refuse_unknown_fields
from campaign.lib.uploads import CleanImage, files_removed_on_failure
from districts.models import OrgUnit, User
from districts.scoping import memberships_of, scope_for
from districts.subtree import district_of
from hazards import workflow
from hazards.models import (
    Action,
    ExtensionRequest,
    Hazard,
    HazardEvent,
    HazardPhoto,
    SupervisionListing,
    deadline_today,
)
from hazards.numbers import next_numbers
from hazards.workflow import SIDE_ROLES, Side
from risks.models import RiskPoint

# What the person who logs a hazard fills in; the rest is kept by the workflow.
REPORT_FIELDS = ("title", "unit", "site", "sector", "location", "description", "grade", "source", "found_at", "risk")
# Units that may list a major hazard for supervision and so become its listing authority.
SUPERVISING_KINDS = {OrgUnit.Kind.DISTRICT, OrgUnit.Kind.OFFICE, OrgUnit.Kind.DEPARTMENT}
MAX_PHOTOS = 9


def ensure_can_report(*, by: User, unit: OrgUnit, sector_id: int | None) -> None:
    if not scope_for(by, SIDE_ROLES[Side.REPORTER]).covers(unit, sector_id):
        raise PermissionDenied(_("You may not log or change hazards in %(unit)s.") % {"unit": unit})


# ---------------------------------------------------------------- photos


def _store_photos(
    written: list, hazard: Hazard, event: HazardEvent, kind: str, photos: Sequence[CleanImage], by: User
) -> None:
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(count)d photos per step.") % {"count": MAX_PHOTOS}})
    for clean in photos:
        photo = HazardPhoto(
            hazard=hazard,
            event=event,
            kind=kind,
            width=clean.width,
            height=clean.height,
            mime=clean.mime,
            uploaded_by=by,
        )
        photo.image.save("photo.jpg", clean.content, save=False)
        written.append(photo.image)
        photo.thumbnail.save("thumb.jpg", clean.thumbnail, save=False)
        written.append(photo.thumbnail)
        photo.save()


# ---------------------------------------------------------------- the steps


def record_event(hazard: Hazard, by: User, action: str, from_status: str, **fields) -> HazardEvent:
    return HazardEvent.objects.create(
        hazard=hazard, action=action, from_status=from_status, to_status=hazard.status, by=by, **fields
    )


def _begin(hazard: Hazard, by: User, action: str, expected_status: str | None) -> Hazard:
    """The hazard's row, locked until the transaction ends, after checking that it is still
    in the state the caller saw and that the step is allowed from there, for this user. Someone
    whose role never takes the step is told so first, not that the hazard has moved on."""
    workflow.TABLE.ensure_side(action, sides=workflow.sides_of(by))
    locked = (
        Hazard.objects.select_for_update(of=("self",))
        .select_related("unit", "sector", "responsible_unit")
        .get(pk=hazard.pk)
    )
    if locked.status != (expected_status or hazard.status):
        raise workflow.taken_by_someone_else(locked)
    workflow.check(by, locked, action)
    return locked


def _ensure_risk_visible(hazard: Hazard, by: User) -> None:
    """A hazard names only a risk point its reporter can see (Hazard.clean checks the place)."""
    if hazard.risk_id and not RiskPoint.objects.visible_to(by).filter(pk=hazard.risk_id).exists():
        raise ValidationError({"risk": _("You cannot see that risk point.")})


def _now_to_the_minute() -> datetime.datetime:
    return timezone.now().replace(second=0, microsecond=0)


@transaction.atomic
def hazard_report(*, by: User, photos: Sequence[CleanImage] = (), **fields) -> Hazard:
    """Log a hazard where it was found, with its photos before rectification."""
    refuse_unknown_fields("hazard_report", fields, REPORT_FIELDS)
    hazard = Hazard(**fields, found_by=by)
    ensure_can_report(by=by, unit=hazard.unit, sector_id=hazard.sector_id)
    _ensure_risk_visible(hazard, by)
    if hazard.found_at is None:
        hazard.found_at = _now_to_the_minute()
    if hazard.found_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"found_at": _("A hazard cannot be found in the future.")})
    # The ledger shows minutes: an exported time re-imports unchanged.
    hazard.found_at = hazard.found_at.replace(second=0, microsecond=0)
    hazard.number = next_numbers(unit=hazard.unit, when=hazard.found_at)[0]
    hazard.status = workflow.TABLE.next_state(Action.REPORT, workflow.NEW)
    with files_removed_on_failure() as written:
        save_with_history(hazard, by)
        event = record_event(hazard, by, Action.REPORT, workflow.NEW)
        _store_photos(written, hazard, event, HazardPhoto.Kind.BEFORE, photos, by)
    return hazard


@transaction.atomic
def hazard_list_for_supervision(
    *,
    hazard: Hazard,
    by: User,
    supervising_unit: OrgUnit,
    document_number: str,
    listed_on: datetime.date,
    plan_measures: str,
    plan_funds: Decimal,
    plan_responsible: str,
    plan_time_limit: datetime.date,
    plan_contingency: str,
    expected_status: str | None = None,
) -> SupervisionListing:
    """List a major hazard for supervision (挂牌督办) with its five-fold plan (五落实)."""
    hazard = _begin(hazard, by, Action.LIST, expected_status)  # major, and not listed yet
    if supervising_unit.kind not in SUPERVISING_KINDS or district_of(supervising_unit) != district_of(hazard.unit):
        raise ValidationError(
            {"supervising_unit": _("The supervising unit is the district, its creation office or a department of it.")}
        )
    if listed_on > deadline_today():
        raise ValidationError({"listed_on": _("A listing cannot be dated in the future.")})
    if listed_on < timezone.localdate(hazard.found_at):
        raise ValidationError({"listed_on": _("A hazard cannot be listed before the day it was found.")})
    if plan_time_limit < listed_on:
        raise ValidationError({"plan_time_limit": _("The time limit cannot be before the listing date.")})
    listing = SupervisionListing(
        hazard=hazard,
        supervising_unit=supervising_unit,
        document_number=document_number.strip(),
        listed_on=listed_on,
        listed_by=by,
        plan_measures=plan_measures,
        plan_funds=plan_funds,
        plan_responsible=plan_responsible,
        plan_time_limit=plan_time_limit,
        plan_contingency=plan_contingency,
    )
    save_with_history(listing, by)
    save_with_history(hazard, by)
    record_event(
        hazard,
        by,
        Action.LIST,
        hazard.status,
        # Names, not sentences: the timeline is read in either language.
        note=f"{supervising_unit.name} {listing.document_number}",
        deadline=plan_time_limit,
    )
    return listing


def responsible_units_for(hazard_unit: OrgUnit):
    """The units a hazard at `hazard_unit` may be assigned to: its place or a place above it,
    below the district, or one of the district's departments."""
    district = district_of(hazard_unit)
    above_or_at = Q(
        tree_id=hazard_unit.tree_id,
        lft__lte=hazard_unit.lft,
        rght__gte=hazard_unit.rght,
        kind__in=(OrgUnit.Kind.STREET, OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.GRID),
    )
    return OrgUnit.objects.filter(above_or_at | Q(parent=district, kind=OrgUnit.Kind.DEPARTMENT))


def issuing_unit(by: User, hazard: Hazard) -> OrgUnit | None:
    """The unit in whose name `by` assigns: their first membership whose role covers the hazard."""
    for membership in memberships_of(by):
        if membership.role in SIDE_ROLES[Side.ASSIGNER] and scope_for(by, frozenset({membership.role})).covers(
            hazard.unit, hazard.sector_id
        ):
            return membership.unit
    return None


def assignment_errors(
    *, hazard: Hazard, responsible_unit: OrgUnit | None, responsible_person: str, deadline: datetime.date | None
) -> dict[str, str]:
    """What is wrong with assigning `hazard` so (field → message), for the form and the import
    alike. The state, the side and the grade are the workflow's (workflow.check)."""
    errors = {}
    if deadline is not None and deadline < deadline_today():
        errors["deadline"] = _("The deadline cannot be in the past.")
    elif deadline is not None and (refusal := workflow.deadline_refusal(hazard, deadline)):
        errors["deadline"] = refusal
    if responsible_unit is not None and not (
        hazard.unit_id and responsible_units_for(hazard.unit).filter(pk=responsible_unit.pk).exists()
    ):
        errors["responsible_unit"] = _(
            "The responsible unit is the hazard's community or street, or a department of the district."
        )
    if not (responsible_person or "").strip():
        errors["responsible_person"] = _("Name the person responsible.")
    return errors


@transaction.atomic
def hazard_assign(
    *,
    hazard: Hazard,
    by: User,
    responsible_unit: OrgUnit,
    responsible_person: str,
    deadline: datetime.date,
    measures: str = "",
    responsible_phone: str = "",
    expected_status: str | None = None,
) -> Hazard:
    """Assign the hazard to a responsible unit and person with a deadline (交办整改)."""
    hazard = _begin(hazard, by, Action.ASSIGN, expected_status)  # a major one once listed
    errors = assignment_errors(
        hazard=hazard, responsible_unit=responsible_unit, responsible_person=responsible_person, deadline=deadline
    )
    if errors:
        raise ValidationError(errors)
    was = hazard.status
    hazard.status = workflow.TABLE.next_state(Action.ASSIGN, was)
    hazard.issuing_unit = issuing_unit(by, hazard)
    hazard.responsible_unit = responsible_unit
    hazard.responsible_person = responsible_person.strip()
    hazard.responsible_phone = responsible_phone.strip()
    hazard.deadline = deadline
    hazard.measures = measures
    hazard.assigned_at = timezone.now()
    save_with_history(hazard, by)
    record_event(hazard, by, Action.ASSIGN, was, note=measures, deadline=deadline)
    return hazard


def pending_extension(hazard: Hazard, *, lock: bool = False) -> ExtensionRequest | None:
    requests = ExtensionRequest.objects.filter(hazard=hazard, decision=ExtensionRequest.Decision.PENDING)
    return (requests.select_for_update() if lock else requests).first()


@transaction.atomic
def hazard_request_extension(
    *, hazard: Hazard, by: User, requested_deadline: datetime.date, reason: str, expected_status: str | None = None
) -> ExtensionRequest:
    """The responsible unit asks for a later deadline (延期申请)."""
    hazard = _begin(hazard, by, Action.REQUEST_EXTENSION, expected_status)
    if pending_extension(hazard, lock=True) is not None:
        raise ValidationError(_("An extension request for this hazard is already waiting for a decision."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the extension.")})
    if requested_deadline <= hazard.deadline:
        raise ValidationError(
            {
                "requested_deadline": _("Ask for a date after the current deadline (%(date)s).")
                % {"date": hazard.deadline.isoformat()}
            }
        )
    request = ExtensionRequest.objects.create(
        hazard=hazard,
        requested_by=by,
        current_deadline=hazard.deadline,
        requested_deadline=requested_deadline,
        reason=reason.strip(),
    )
    save_with_history(hazard, by)
    record_event(hazard, by, Action.REQUEST_EXTENSION, hazard.status, note=request.reason, deadline=requested_deadline)
    return request


@transaction.atomic
def hazard_decide_extension(
    *, hazard: Hazard, by: User, approve: bool, note: str = "", expected_status: str | None = None
) -> ExtensionRequest:
    """The assigning side approves the request (the deadline moves) or refuses it, with a reason."""
    action = Action.APPROVE_EXTENSION if approve else Action.REFUSE_EXTENSION
    hazard = _begin(hazard, by, action, expected_status)
    request = pending_extension(hazard, lock=True)
    if request is None:
        raise ValidationError(_("There is no extension request waiting for a decision."))
    if not approve and not note.strip():
        raise ValidationError({"note": _("Give the reason for refusing.")})
    request.decision = ExtensionRequest.Decision.APPROVED if approve else ExtensionRequest.Decision.REFUSED
    request.decided_by = by
    request.decided_at = timezone.now()
    request.decision_note = note.strip()
    request.save()
    if approve:
        hazard.deadline = request.requested_deadline
    save_with_history(hazard, by)
    record_event(hazard, by, action, hazard.status, note=note.strip(), deadline=hazard.deadline)
    return request


@transaction.atomic
def hazard_submit(
    *,
    hazard: Hazard,
    by: User,
    rectification: str,
    photos: Sequence[CleanImage],
    expected_status: str | None = None,
) -> Hazard:
    """The responsible unit reports the hazard rectified, with photos after and what was done."""
    hazard = _begin(hazard, by, Action.SUBMIT, expected_status)
    errors = {}
    if not rectification.strip():
        errors["rectification"] = _("Describe what was done.")
    if not photos:
        errors["photos"] = _("Add at least one photo taken after rectification.")
    if errors:
        raise ValidationError(errors)
    was = hazard.status
    request = pending_extension(hazard, lock=True)
    if request is not None:
        # Rectified in time after all: the open request has nothing left to decide.
        request.decision = ExtensionRequest.Decision.REFUSED
        request.decision_note = _("Withdrawn: the hazard was reported rectified.")
        request.decided_at = timezone.now()
        request.save()
    hazard.status = workflow.TABLE.next_state(Action.SUBMIT, was)
    hazard.rectification = rectification.strip()
    hazard.rectified_at = timezone.now()
    with files_removed_on_failure() as written:
        save_with_history(hazard, by)
        event = record_event(hazard, by, Action.SUBMIT, was, note=hazard.rectification)
        _store_photos(written, hazard, event, HazardPhoto.Kind.AFTER, photos, by)
    return hazard


def _last_submitter_id(hazard: Hazard) -> int | None:
    event = hazard.events.filter(action=Action.SUBMIT).order_by("-at", "-id").first()
    return event.by_id if event else None


@transaction.atomic
def hazard_close(*, hazard: Hazard, by: User, note: str = "", expected_status: str | None = None) -> Hazard:
    """Verify the rectification and close the hazard (销号)."""
    hazard = _begin(hazard, by, Action.CLOSE, expected_status)  # a major one by its listing authority
    if not hazard.photos.filter(kind=HazardPhoto.Kind.AFTER).exists():
        raise ValidationError(_("A hazard is closed only with photos taken after rectification."))
    if _last_submitter_id(hazard) == by.pk:
        raise ValidationError(_("The person who reported the rectification cannot also verify it."))
    was = hazard.status
    hazard.status = workflow.TABLE.next_state(Action.CLOSE, was)
    hazard.closed_at = timezone.now()
    save_with_history(hazard, by)
    record_event(hazard, by, Action.CLOSE, was, note=note.strip())
    return hazard


@transaction.atomic
def hazard_return(
    *,
    hazard: Hazard,
    by: User,
    reason: str,
    new_deadline: datetime.date | None = None,
    expected_status: str | None = None,
) -> Hazard:
    """Verification failed: back to the responsible unit, with the reason (and a new deadline, if given)."""
    hazard = _begin(hazard, by, Action.RETURN, expected_status)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for returning it.")})
    if new_deadline is not None and new_deadline < deadline_today():
        raise ValidationError({"new_deadline": _("The deadline cannot be in the past.")})
    was = hazard.status
    hazard.status = workflow.TABLE.next_state(Action.RETURN, was)
    hazard.rectified_at = None
    if new_deadline is not None:
        hazard.deadline = new_deadline
    save_with_history(hazard, by)
    record_event(hazard, by, Action.RETURN, was, note=reason.strip(), deadline=hazard.deadline)
    return hazard


@transaction.atomic
def hazard_cancel(*, hazard: Hazard, by: User, reason: str, expected_status: str | None = None) -> Hazard:
    """Cancel an invalid record (a false or duplicate report); the record stays, marked cancelled."""
    hazard = _begin(hazard, by, Action.CANCEL, expected_status)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for cancelling it.")})
    was = hazard.status
    hazard.status = workflow.TABLE.next_state(Action.CANCEL, was)
    save_with_history(hazard, by)
    record_event(hazard, by, Action.CANCEL, was, note=reason.strip())
    return hazard


# What the reporting side may correct on an open hazard: not its place (which decides who sees it)
# nor anything the workflow keeps. The grade only before rectification starts: a major hazard
# must be listed, with its plan, before it is assigned.
EDIT_FIELDS = ("title", "location", "description", "site", "source", "grade", "risk")


@transaction.atomic
def hazard_edit(*, hazard: Hazard, by: User, expected_status: str | None = None, **fields) -> Hazard:
    """Correct a hazard's details; the timeline records which were changed."""
    refuse_unknown_fields("hazard_edit", fields, EDIT_FIELDS)
    hazard = _begin(hazard, by, Action.EDIT, expected_status)
    changed = [name for name in EDIT_FIELDS if name in fields and getattr(hazard, name) != fields[name]]
    if not changed:
        return hazard
    if "grade" in changed and (refusal := workflow.regrade_refusal(hazard, fields["grade"])):
        raise ValidationError({"grade": refusal})
    for name in changed:
        setattr(hazard, name, fields[name])
    if "risk" in changed:
        _ensure_risk_visible(hazard, by)
    save_with_history(hazard, by)
    record_edit(hazard=hazard, by=by, changed=changed)
    return hazard


def record_edit(*, hazard: Hazard, by: User, changed: Iterable[str]) -> HazardEvent:
    """The timeline entry for details changed outside the workflow steps (the edit page, an import)."""
    labels = [str(Hazard._meta.get_field(name).verbose_name) for name in changed]
    return record_event(hazard, by, Action.EDIT, hazard.status, note="、".join(labels))
