"""Writes to assessment rounds and runs: creating a round, scoring an item on one side, findings
with their photos, links to evidence, the workflow's steps (assessments.run_workflow), and raising
a hazard from a finding. Each is one service call in one transaction; every step of the workflow
leaves a RunEvent, every row its history."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import run_workflow as wf
from assessments.models import (
    Answer,
    AnswerState,
    Evidence,
    Finding,
    FindingPhoto,
    Item,
    ItemKind,
    Round,
    Run,
    RunEvent,
    RunStatus,
    Side,
    Template,
)
from assessments.run_workflow import Action
from campaign.lib.history import save_with_history
from campaign.lib.services import refuse_unknown_fields
from campaign.lib.transitions import NEW
from campaign.lib.uploads import CleanImage, clean_image, files_removed_on_failure
from campaign.models import Campaign
from districts.models import OrgUnit, User
from districts.scoping import Subtree
from districts.subtree import district_of
from hazards import services as hazard_services
from hazards.models import Hazard, Source
from reporting.models import Submission
from risks.models import RiskPoint

ANSWER_FIELDS = (
    "state",
    "na_reason",
    "missing",
    "measured",
    "incidents",
    "incidents_resolved",
    "veto",
    "bonus_claimed",
    "note",
)
MAX_PHOTOS = 9
EDIT_ACTION = {Side.SELF: Action.EDIT_SELF, Side.REVIEW: Action.EDIT_REVIEW}


def _event(run: Run, by: User, action: str, from_status: str, comment: str = "") -> RunEvent:
    return RunEvent.objects.create(
        run=run, action=action, from_status=from_status, to_status=run.status, by=by, at=timezone.now(), comment=comment
    )


def _locked(run: Run) -> Run:
    return Run.objects.select_for_update(of=("self",)).select_related("round", "round__template", "unit").get(pk=run.pk)


def _freeze(template: Template, by: User) -> None:
    """A template version is frozen by the first round that uses it (the templates' own service,
    which refuses a version whose tree does not add up)."""
    from assessments.services import template_freeze

    template_freeze(template=template, by=by)


# ---------------------------------------------------------------- rounds


@transaction.atomic
def round_create(
    *,
    by: User,
    campaign: Campaign,
    template: Template,
    name: str,
    period_start: datetime.date,
    period_end: datetime.date,
    team: OrgUnit,
    units: Iterable[OrgUnit],
    self_assessment: bool = True,
) -> Round:
    """A round of one template version over a period, by one team, with a run (draft) per unit."""
    units = list(dict.fromkeys(units))
    wf.TABLE.ensure_side(Action.CREATE, sides=wf.actors_of(by))
    errors = {}
    if team.kind != OrgUnit.Kind.TEAM:
        errors["team"] = _("Choose an inspection team.")
    if not units:
        errors["units"] = _("Choose at least one unit to assess.")
    covered = set(team.assigned_units.values_list("pk", flat=True)) if team.pk else set()
    outside = [u.name for u in units if u.pk not in covered]
    if outside and "team" not in errors:
        errors["units"] = _("The team does not cover: %(units)s.") % {"units": "、".join(outside)}
    if errors:
        raise ValidationError(errors)
    for unit in units:
        if not wf.scope_for(by, wf.ACTOR_ROLES[wf.Actor.OFFICE]).covers(unit):
            raise PermissionDenied(wf.REFUSALS[wf.Actor.OFFICE])
    round_ = Round(
        campaign=campaign,
        template=template,
        name=name.strip(),
        period_start=period_start,
        period_end=period_end,
        team=team,
        self_assessment=self_assessment,
        created_by=by,
    )
    save_with_history(round_, by)
    _freeze(template, by)
    for unit in units:
        run = Run(round=round_, unit=unit, status=wf.TABLE.next_state(Action.CREATE, NEW))
        save_with_history(run, by)
        _event(run, by, Action.CREATE, NEW)
    return round_


# ---------------------------------------------------------------- scoring an item


def _ensure_item(run: Run, item: Item) -> None:
    if item.template_id != run.round.template_id:
        raise ValidationError(_("This item is not in the assessment's template."))
    if item.children.exists():
        raise ValidationError(_("Only the items without sub-items are scored."))


def _begin_edit(run: Run, side: str, by: User) -> Run:
    """The run locked, after checking that `by` may score `side` now; the review's first save starts it."""
    run = _locked(run)
    wf.check(by, run, EDIT_ACTION[Side(side)])
    if side == Side.REVIEW and run.status == RunStatus.DRAFT:
        was = run.status
        run.status = wf.TABLE.next_state(Action.START, was)
        save_with_history(run, by)
        _event(run, by, Action.START, was)
    return run


def _answer(run: Run, side: str, item: Item, by: User) -> Answer:
    answer = Answer.objects.select_for_update().filter(run=run, side=side, item=item).first()
    return answer or Answer(run=run, side=side, item=item, updated_by=by)


def answer_errors(item: Item, fields: dict) -> dict:
    """What is wrong with these inputs for this item (field → message), before anything is saved."""
    errors = {}
    state = fields.get("state", AnswerState.SCORED)
    if state == AnswerState.NOT_APPLICABLE and not (fields.get("na_reason") or "").strip():
        errors["na_reason"] = _("Give the reason why this item does not apply: it leaves the denominator.")
    incidents, resolved = fields.get("incidents") or 0, fields.get("incidents_resolved") or 0
    if resolved > incidents:
        errors["incidents_resolved"] = _("More incidents resolved than there were.")
    bonus = fields.get("bonus_claimed")
    if bonus is not None:
        if item.kind != ItemKind.BONUS:
            errors["bonus_claimed"] = _("Only a bonus item takes bonus points.")
        elif bonus < 0 or bonus > item.max_points:
            errors["bonus_claimed"] = _("Claim between 0 and %(max)s points.") % {"max": item.max_points}
    return errors


@transaction.atomic
def answer_save(*, run: Run, side: str, item: Item, by: User, **fields) -> Answer:
    """What one side says of one item: state (N/A needs a reason), the rule inputs, a note."""
    refuse_unknown_fields("answer_save", fields, ANSWER_FIELDS)
    run = _begin_edit(run, side, by)
    _ensure_item(run, item)
    if errors := answer_errors(item, fields):
        raise ValidationError(errors)
    answer = _answer(run, side, item, by)
    for name, value in fields.items():
        setattr(answer, name, value.strip() if isinstance(value, str) else value)
    if answer.state != AnswerState.NOT_APPLICABLE:
        answer.na_reason = ""
    answer.updated_by = by
    save_with_history(answer, by)
    return answer


def _store_photos(written: list, finding: Finding, photos: Sequence[CleanImage], by: User) -> None:
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(count)d photos per finding.") % {"count": MAX_PHOTOS}})
    for clean in photos:
        photo = FindingPhoto(finding=finding, uploaded_by=by)
        photo.image.save("photo.jpg", clean.content, save=False)
        written.append(photo.image)
        photo.thumbnail.save("thumb.jpg", clean.thumbnail, save=False)
        written.append(photo.thumbnail)
        photo.save()


FINDING_FIELDS = ("description", "unit", "site", "sector", "location")


def place_area(unit: OrgUnit) -> OrgUnit:
    """Where a finding of `unit`'s assessment may be: within a street; a department's anywhere in its district."""
    return district_of(unit) if unit.kind == OrgUnit.Kind.DEPARTMENT else unit


@transaction.atomic
def finding_add(
    *, run: Run, side: str, item: Item, by: User, photos: Sequence[CleanImage] = (), **fields
) -> Finding:
    """A problem found under an item (发现问题), where it was, with photos."""
    refuse_unknown_fields("finding_add", fields, FINDING_FIELDS)
    run = _begin_edit(run, side, by)
    _ensure_item(run, item)
    place = fields.get("unit") or run.unit
    if not Subtree.of(place_area(run.unit)).contains(place):
        raise ValidationError({"unit": _("The place is the assessed unit or a place within it.")})
    site = fields.get("site")
    if site is not None and site.unit_id != place.pk:
        raise ValidationError({"site": _("The site is not at that place.")})
    answer = _answer(run, side, item, by)
    if answer.pk is None:
        save_with_history(answer, by)
    finding = Finding(
        answer=answer,
        description=(fields.get("description") or "").strip(),
        unit=place,
        site=site,
        sector=fields.get("sector"),
        location=(fields.get("location") or "").strip(),
        found_by=by,
        found_at=timezone.now(),
    )
    with files_removed_on_failure() as written:
        save_with_history(finding, by)
        _store_photos(written, finding, photos, by)
    return finding


@transaction.atomic
def finding_remove(*, finding: Finding, by: User) -> None:
    """A finding entered by mistake; one that raised a hazard stays (the hazard points at it)."""
    run = _begin_edit(finding.answer.run, finding.answer.side, by)
    del run
    if finding.hazard_id is not None:
        raise ValidationError(_("This finding raised a hazard and stays on record."))
    finding._history_user = by
    finding.delete()


def _evidence_target(user: User, kind: str, ref: str):
    """The report, risk point or hazard `ref` names (its number, code or id), if `user` can see it."""
    ref = (ref or "").strip()
    if kind == "hazard":
        found = Hazard.objects.visible_to(user).filter(number=ref).first()
    elif kind == "risk":
        risks = RiskPoint.objects.visible_to(user)
        found = risks.filter(code=ref).first()
        if found is None and ref.isascii() and ref.isdigit() and len(ref) < 12:
            found = risks.filter(pk=int(ref)).first()
    elif kind == "submission":
        found = (
            Submission.objects.visible_to(user).filter(pk=int(ref)).first()
            if ref.isascii() and ref.isdigit() and len(ref) < 12
            else None
        )
    else:
        raise ValidationError({"kind": _("Choose a report, a risk point or a hazard.")})
    if found is None:
        raise ValidationError({"ref": _("No record you can see has that number.")})
    return found


@transaction.atomic
def evidence_add(*, run: Run, side: str, item: Item, by: User, kind: str, ref: str) -> Evidence:
    """Link a report, a risk point or a hazard already in the platform to the item, as evidence."""
    run = _begin_edit(run, side, by)
    _ensure_item(run, item)
    target = _evidence_target(by, kind, ref)
    answer = _answer(run, side, item, by)
    if answer.pk is None:
        save_with_history(answer, by)
    evidence = Evidence(answer=answer, added_by=by, **{kind: target})
    save_with_history(evidence, by)
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence, by: User) -> None:
    _begin_edit(evidence.answer.run, evidence.answer.side, by)
    evidence._history_user = by
    evidence.delete()


# ---------------------------------------------------------------- the workflow's steps


def _step(run: Run, by: User, action: str) -> tuple[Run, str]:
    run = _locked(run)
    wf.check(by, run, action)
    was = run.status
    run.status = wf.TABLE.next_state(action, was)
    return run, was


@transaction.atomic
def run_submit_self(*, run: Run, by: User) -> Run:
    """The unit sends its self-assessment: its side is read-only from now on."""
    run, was = _step(run, by, Action.SUBMIT_SELF)
    run.self_submitted_at = timezone.now()
    save_with_history(run, by)
    _event(run, by, Action.SUBMIT_SELF, was)
    return run


@transaction.atomic
def run_submit(*, run: Run, by: User) -> Run:
    """The team submits its review (复核) to the office."""
    run, was = _step(run, by, Action.SUBMIT)
    save_with_history(run, by)
    _event(run, by, Action.SUBMIT, was)
    return run


@transaction.atomic
def run_return(*, run: Run, by: User, comment: str) -> Run:
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say what the team should look at again.")})
    run, was = _step(run, by, Action.RETURN)
    save_with_history(run, by)
    _event(run, by, Action.RETURN, was, comment.strip())
    return run


def fix_result(run: Run) -> None:
    """The review's result, onto the run (assessments.scoring)."""
    from assessments import scoring

    result = scoring.score_run(run, Side.REVIEW)
    run.raw_points = result.raw_points
    run.applicable_max = result.applicable_max
    run.score = result.score
    run.bonus_points = result.bonus_points
    run.vetoed = result.vetoed
    points = {item_id: r.points for item_id, r in result.items.items()}
    for answer in Answer.objects.filter(run=run, side=Side.REVIEW):
        if answer.points != points.get(answer.item_id):
            answer.points = points.get(answer.item_id)
            answer.save(update_fields=["points"])


@transaction.atomic
def run_review(*, run: Run, by: User, comment: str = "") -> Run:
    """The office confirms the review: the result is fixed on the run, from the review side."""
    run, was = _step(run, by, Action.REVIEW)
    fix_result(run)
    save_with_history(run, by)
    _event(run, by, Action.REVIEW, was, (comment or "").strip())
    return run


@transaction.atomic
def run_publish(*, run: Run, by: User) -> Run:
    """The result goes out: the unit sees it, with its own scores beside the review's."""
    run, was = _step(run, by, Action.PUBLISH)
    run.published_at = timezone.now()
    save_with_history(run, by)
    _event(run, by, Action.PUBLISH, was)
    return run


# ---------------------------------------------------------------- a finding raises a hazard


def finding_hazard_initial(finding: Finding) -> dict:
    """The hazards' report form, filled from the finding."""
    item = finding.answer.item
    first_line = finding.description.strip().splitlines()[0] if finding.description.strip() else ""
    return {
        "title": (first_line or f"{item.code} {item.name}")[:60],
        "unit": finding.unit,
        "site": finding.site,
        "sector": finding.sector,
        "location": finding.location,
        "description": finding.description,
        "source": Source.INSPECTION,
        "found_at": timezone.localtime(finding.found_at).replace(second=0, microsecond=0),
    }


def _copied_photos(finding: Finding) -> list[CleanImage]:
    """The finding's photos as the hazard's photos before: cleaned again, as any upload is."""
    copies = []
    for photo in finding.photos.all():
        with photo.image.open("rb") as handle:
            data = handle.read()
        copies.append(clean_image(SimpleUploadedFile("finding.jpg", data, content_type="image/jpeg")))
    return copies


@transaction.atomic
def finding_raise_hazard(
    *, finding: Finding, by: User, photos: Sequence[CleanImage] = (), **fields
) -> Hazard:
    """Log the hazard this finding is (hazards.services.hazard_report, by the person raising it,
    with the finding's photos as its photos before), and link the finding to it."""
    finding = Finding.objects.select_for_update(of=("self",)).select_related("answer__run__round").get(pk=finding.pk)
    if finding.hazard_id is not None:
        raise ValidationError(_("This finding has already raised a hazard."))
    run = finding.answer.run
    if not (wf.acts_as(by, wf.Actor.TEAM, run) or wf.acts_as(by, wf.Actor.OFFICE, run)):
        raise PermissionDenied(_("Only the inspection team or the creation office raises hazards from findings."))
    copied = _copied_photos(finding)
    if len(copied) + len(photos) > hazard_services.MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(count)d photos.") % {"count": hazard_services.MAX_PHOTOS}})
    hazard = hazard_services.hazard_report(by=by, photos=[*copied, *photos], **fields)
    finding.hazard = hazard
    save_with_history(finding, by)
    return hazard
