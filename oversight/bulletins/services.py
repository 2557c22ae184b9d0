"""The bulletins' writes: each checked against the workflow table and the writer's unit, in one
transaction, with its history row (django-simple-history, naming who and why)."""

from __future__ import annotations

import calendar
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.lib.deadlines import deadline_today
from campaign.lib.history import save_with_history
from districts.models import OrgUnit, Role
from districts.scoping import memberships_of, scope_for
from oversight import ranking as ranking_module
from oversight.bulletins import snapshot
from oversight.bulletins.models import (
    OFFICE_ROLES,
    RECIPIENT_KINDS,
    RECIPIENT_ROLES,
    Acknowledgement,
    Bulletin,
    BulletinCounter,
    BulletinSeries,
    BulletinVersion,
)
from oversight.bulletins.workflow import TABLE, Action, Side

MAX_MONTHS = 24
SECTIONS = ("overview", "good_practices", "problems", "requirements")
FIELDS = frozenset({"title", "period_start", "period_end", *SECTIONS, "recipients"})


# ---------------------------------------------------------------- who is on which side


def sides_of(user) -> set[Side]:
    roles = {m.role for m in memberships_of(user)} if user.is_authenticated else set()
    sides = set()
    if roles & OFFICE_ROLES:
        sides.add(Side.OFFICE)
    if roles & RECIPIENT_ROLES:
        sides.add(Side.RECIPIENT)
    return sides


def is_office_of(user, bulletin: Bulletin) -> bool:
    """A reviewer of the bulletin's district (whose creation office issues it)."""
    return scope_for(user, OFFICE_ROLES).units_only().covers(bulletin.office)


def recipient_units_of(user, bulletin: Bulletin) -> list[OrgUnit]:
    """The recipient units of `bulletin` the user acknowledges for."""
    mine = {m.unit_id for m in memberships_of(user) if m.role in RECIPIENT_ROLES}
    return [unit for unit in bulletin.recipients.all() if unit.pk in mine]


def _on_side(user, side: str, bulletin: Bulletin) -> bool:
    if side == Side.OFFICE:
        return is_office_of(user, bulletin)
    return bool(recipient_units_of(user, bulletin))


def actions_for(user, bulletin: Bulletin) -> list[str]:
    return [
        action
        for action in TABLE.actions_for(bulletin.status, sides=sides_of(user))
        if _on_side(user, TABLE[action].side, bulletin)
    ]


def _check(bulletin: Bulletin, by, action: str):
    transition = TABLE.check(action, bulletin.status, sides=sides_of(by))
    if not _on_side(by, transition.side, bulletin):
        raise PermissionDenied(TABLE.refusal(transition.side))
    return transition


def office_for(user, campaign) -> OrgUnit:
    """The creation office the user writes for in the campaign's district."""
    for m in memberships_of(user):
        if m.role in OFFICE_ROLES and m.unit.kind == OrgUnit.Kind.OFFICE and m.unit.parent_id == campaign.district_id:
            return m.unit
    raise PermissionDenied(TABLE.refusal(Side.OFFICE))


def default_recipients(campaign, today: datetime.date | None = None) -> list[OrgUnit]:
    """Every street and department of the district, but those dissolved."""
    today = today or deadline_today()
    units = OrgUnit.objects.filter(parent=campaign.district, kind__in=RECIPIENT_KINDS).order_by("kind", "code")
    return [u for u in units if not (u.dissolved_on and u.dissolved_on <= today)]


# ---------------------------------------------------------------- the period


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def check_period(campaign, start: datetime.date, end: datetime.date) -> None:
    """Whole months, in order, within the campaign and not beyond this month, 24 at most."""
    if start.day != 1 or end != month_end(end):
        raise ValidationError(_("A bulletin covers whole months: from the first of a month to the last of one."))
    if end < start:
        raise ValidationError(_("The period ends before it starts."))
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months > MAX_MONTHS:
        raise ValidationError(_("A bulletin covers %(n)s months at most.") % {"n": MAX_MONTHS})
    if start < campaign.starts_on.replace(day=1) or start > campaign.ends_on:
        raise ValidationError(_("The period must fall within the campaign."))
    if end > month_end(deadline_today()):
        raise ValidationError(_("The period cannot end after this month."))


def period_label(start: datetime.date, end: datetime.date) -> str:
    if (start.year, start.month) == (end.year, end.month):
        return _("%(year)s-%(month)02d") % {"year": start.year, "month": start.month}
    return _("%(y1)s-%(m1)02d to %(y2)s-%(m2)02d") % {
        "y1": start.year,
        "m1": start.month,
        "y2": end.year,
        "m2": end.month,
    }


# ---------------------------------------------------------------- writing


def bulletin_create(*, by, campaign, start: datetime.date, end: datetime.date) -> Bulletin:
    """A draft for the period, its text pre-filled from the period's ranking, sent by default to
    every street and department of the district."""
    TABLE.ensure_side(Action.EDIT, sides=sides_of(by))
    office = office_for(by, campaign)
    check_period(campaign, start, end)
    label = period_label(start, end)
    text = snapshot.prefilled(ranking_module.ranking(campaign=campaign, start=start, end=end), label)
    with transaction.atomic():
        bulletin = Bulletin(
            campaign=campaign,
            office=office,
            title=_("Bulletin on the safety-city campaign, %(period)s") % {"period": label},
            period_start=start,
            period_end=end,
            created_by=by,
            **text,
        )
        bulletin._change_reason = "create"
        save_with_history(bulletin, by)
        bulletin.recipients.set(default_recipients(campaign))
    return bulletin


def bulletin_save(*, bulletin: Bulletin, by, **fields) -> Bulletin:
    """Change a draft's title, period, sections or recipients."""
    unknown = set(fields) - FIELDS
    if unknown:
        raise TypeError(f"bulletin_save() got unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        _check(bulletin, by, Action.EDIT)
        recipients = fields.pop("recipients", None)
        for name, value in fields.items():
            setattr(bulletin, name, value)
        check_period(bulletin.campaign, bulletin.period_start, bulletin.period_end)
        if recipients is not None:
            allowed = {u.pk for u in default_recipients(bulletin.campaign)}
            if not recipients:
                raise ValidationError(_("Send the bulletin to at least one unit."))
            if any(u.pk not in allowed for u in recipients):
                raise ValidationError(_("A bulletin goes to the district's streets and departments only."))
            bulletin.recipients.set(recipients)
        bulletin._change_reason = Action.EDIT
        save_with_history(bulletin, by)
    return bulletin


def _move(bulletin: Bulletin, by, action: str, **changes) -> Bulletin:
    with transaction.atomic():
        bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        _check(bulletin, by, action)
        bulletin.status = TABLE.next_state(action, bulletin.status)
        for name, value in changes.items():
            setattr(bulletin, name, value)
        bulletin._change_reason = str(action)
        save_with_history(bulletin, by)
    return bulletin


def bulletin_approve(*, bulletin: Bulletin, by) -> Bulletin:
    return _move(bulletin, by, Action.APPROVE)


def bulletin_reopen(*, bulletin: Bulletin, by) -> Bulletin:
    return _move(bulletin, by, Action.REOPEN)


def bulletin_revise(*, bulletin: Bulletin, by) -> Bulletin:
    """Back to a draft for a corrected re-issue; the versions published so far are kept."""
    return _move(bulletin, by, Action.REVISE, withdrawal_reason="")


def bulletin_withdraw(*, bulletin: Bulletin, by, reason: str) -> Bulletin:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the bulletin is withdrawn.")})
    with transaction.atomic():
        bulletin = _move(bulletin, by, Action.WITHDRAW, withdrawal_reason=reason)
        version = bulletin.current_version()
        version.withdrawn_at = timezone.now()
        version.withdrawal_reason = reason
        save_with_history(version, by)
    return bulletin


def prefix_for(office: OrgUnit) -> str:
    """The number's prefix: the office's own (BulletinSeries), else made from the district's first
    character and the office's name: 下城区 + 区创建办 → 下创建办."""
    series = BulletinSeries.objects.filter(office=office).first()
    if series is not None:
        return series.prefix
    district = office.parent
    name = office.name
    if district is not None and name.startswith(district.name):
        name = name[len(district.name) :]
    name = name.removeprefix("区")
    return f"{district.name[:1] if district else ''}{name}"[:20]


SERIES_ROLES = frozenset({Role.SYSTEM_ADMIN})


def bulletin_series_save(*, by, series: BulletinSeries) -> BulletinSeries:
    """Set an office's number prefix (the back office): its district's system administrators."""
    if not (series.office_id and scope_for(by, SERIES_ROLES).units_only().covers(series.office)):
        raise PermissionDenied(_("Only the district's system administrators set how its office numbers bulletins."))
    with transaction.atomic():
        return save_with_history(series, by)


def document_number(prefix: str, year: int, number: int) -> str:
    return f"{prefix}〔{year}〕{number}号"


def _next_number(office: OrgUnit, year: int) -> int:
    """The office's next number of `year`: its counter row locked until the publication commits,
    so a second publication at once waits and takes the next."""
    BulletinCounter.objects.bulk_create([BulletinCounter(office=office, year=year)], ignore_conflicts=True)
    counter = BulletinCounter.objects.select_for_update().get(office=office, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def bulletin_publish(*, bulletin: Bulletin, by, at: datetime.datetime | None = None) -> BulletinVersion:
    """Publish an approved bulletin: its number (given now at its first publication, kept after),
    the period's ranking frozen as a snapshot with its hash, a new version; its PDF is rendered
    by a job started when this commits."""
    from oversight.bulletins.documents import pdf_start

    at = at or timezone.now()
    with transaction.atomic():
        bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        _check(bulletin, by, Action.PUBLISH)
        if not bulletin.recipients.exists():
            raise ValidationError(_("Send the bulletin to at least one unit."))
        if bulletin.number is None:
            bulletin.year = timezone.localdate(at).year
            bulletin.number = _next_number(bulletin.office, bulletin.year)
        ranked = ranking_module.ranking(
            campaign=bulletin.campaign, start=bulletin.period_start, end=bulletin.period_end
        )
        frozen = snapshot.freeze(ranked)
        previous = bulletin.versions.order_by("-version").values_list("version", flat=True).first() or 0
        version = BulletinVersion(
            bulletin=bulletin,
            version=previous + 1,
            document_number=document_number(prefix_for(bulletin.office), bulletin.year, bulletin.number),
            title=bulletin.title,
            period_start=bulletin.period_start,
            period_end=bulletin.period_end,
            sections={name: getattr(bulletin, name) for name in SECTIONS},
            snapshot=frozen,
            snapshot_sha256=snapshot.digest(frozen),
            published_at=at,
            published_by=by,
        )
        version._change_reason = Action.PUBLISH
        save_with_history(version, by)
        bulletin.status = TABLE.next_state(Action.PUBLISH, bulletin.status)
        bulletin._change_reason = Action.PUBLISH
        save_with_history(bulletin, by)
        pdf_start(version=version, by=by)
    return version


def bulletin_acknowledge(*, bulletin: Bulletin, by, unit: OrgUnit | None = None) -> Acknowledgement:
    """A recipient unit's receipt (签收) of the bulletin's current version; once per unit and version."""
    with transaction.atomic():
        bulletin = Bulletin.objects.get(pk=bulletin.pk)
        _check(bulletin, by, Action.ACKNOWLEDGE)
        units = recipient_units_of(by, bulletin)
        if unit is None:
            unit = units[0]
        elif unit.pk not in {u.pk for u in units}:
            raise PermissionDenied(TABLE.refusal(Side.RECIPIENT))
        version = bulletin.current_version()
        existing = Acknowledgement.objects.filter(version=version, unit=unit).first()
        if existing is not None:
            return existing
        ack = Acknowledgement(version=version, unit=unit, by=by, at=timezone.now())
        ack.full_clean()
        ack.save()
    return ack
