"""What is due, read from the records as they stand: one source per subject of a rule.

A source reads the records' current deadlines and states through their own querysets and
selectors, and says for each subject in the rule's window its deadline, its line, its link, and
the units (with the roles there) whose people may receive it. Nothing here is stored: a deadline
moved by an approved extension is a new deadline (a new ladder), a report filed or a hazard
rectified is no longer found, and a dissolved unit's periods are not owed (reporting.periods).
The escalations are sources like the others (their rules say when and to whom): they stop by
themselves as the reminders do, when the record no longer owes anything."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaign.lib.deadlines import DEADLINE_TZ
from campaign.models import Campaign, KeyTask
from campaign.services.tasks import TASK_REPORTER_ROLES
from districts.models import OrgUnit, Role
from hazards.models import ExtensionRequest, Hazard, Status
from hazards.workflow import AUTHORITY_ROLES, SIDE_ROLES, Side
from notifications.models import Recipient, ReminderRule, Subject
from oversight.bulletins.models import RECIPIENT_ROLES as BULLETIN_RECIPIENT_ROLES
from oversight.bulletins.models import BulletinStatus, BulletinVersion
from reporting import selectors as reporting_selectors
from reporting.models import FILER_ROLES, ReportType
from reporting.selectors import CellState
from risks.models import RiskPoint

OFFICE_ROLES = frozenset({Role.REVIEWER})
LEADER_ROLES = frozenset({Role.LEADER})
RISK_KEEPER_ROLES = frozenset({Role.STREET_STAFF, Role.COMMUNITY_STAFF, Role.DEPARTMENT_STAFF})


@dataclass
class Due:
    """One subject whose reminder may be due: the sweep picks the offset and the recipients. An
    event notice (notifications.events) is one too, without a rule: its kind is its own, its
    recipients are all of `units`, and it has no deadline."""

    subject: str  # "hazard:12": with the rule, the deadline and the offset, the reminder's key
    deadline: datetime.date | None
    line: Callable[[datetime.date], str]  # the digest's line, given today (in the reader's language)
    url: str
    # recipient kind → [(unit id, roles there)]: whose people may receive it, if the rule names the kind.
    units: dict[str, list[tuple[int, frozenset]]] = field(default_factory=dict)
    district_unit: OrgUnit | None = None  # the unit whose district's office is "the office"
    # What the recipient must be able to open: (kind of check, id) — see notifications.scope.
    opens: tuple[str, object] = ("", None)
    # A notice's: its kind (notifications.models.Notice), when its event happened, and who made it
    # (not told of their own step).
    kind: str = ""
    at: datetime.datetime | None = None
    actor_id: int | None = None


def when(deadline: datetime.date, today: datetime.date) -> str:
    """"due in 3 days (2026-12-05)", in the active language: one of a few dozen a sweep, for
    100,000 lines (kept by deadline, today and language)."""
    return _when(deadline, today, translation.get_language())


@functools.lru_cache(maxsize=1024)
def _when(deadline: datetime.date, today: datetime.date, language: str | None) -> str:
    days = (deadline - today).days
    date = deadline.isoformat()
    if days > 0:
        return _("due in %(days)s days (%(date)s)") % {"days": days, "date": date}
    if days == 0:
        return _("due today (%(date)s)") % {"date": date}
    return _("%(days)s days overdue (due %(date)s)") % {"days": -days, "date": date}


def _owed_cells(rule: ReminderRule, today: datetime.date, states: tuple[str, ...]):
    """(campaign, report type, period, unit) of every filing unit's period due in the window whose
    cell is in one of `states`. Read from the reporting calendar (reporting.selectors.grids), so a
    report filed or accepted is no longer found, and a unit owes only the periods it existed for."""
    first, last = rule.deadlines_due(today)
    types = list(ReportType.objects.all())
    kinds = sorted({k for t in types for k in t.filer_kinds})
    # A period may fall due after its campaign has ended (grace days, a year's summary): a year's margin.
    campaigns = Campaign.objects.filter(starts_on__lte=last, ends_on__gte=first - datetime.timedelta(days=366))
    for campaign in campaigns.select_related("district"):
        units = [u for u in reporting_selectors.filer_units(campaign, kinds) if not _dissolved(u, today)]
        for grid in reporting_selectors.grids(campaign, types, today=today, units=units):
            for row in grid.rows:
                for cell in row.cells:
                    period = cell.period
                    if first <= period.due_on <= last and cell.state in states and cell.owed:
                        yield campaign, grid.report_type, period, row.unit


def reports_due(rule: ReminderRule, today: datetime.date) -> list[Due]:
    """Every filing unit's periods due in the window with nothing filed: missing, returned, or
    not yet due, to the unit's filers."""
    states = (CellState.MISSING, CellState.NOT_DUE, CellState.RETURNED)
    return [_report_due(*found) for found in _owed_cells(rule, today, states)]


def reports_missing(rule: ReminderRule, today: datetime.date) -> list[Due]:
    """The escalation of a report not filed: periods past their due date with nothing filed (or
    only sent back), to the office, linked to the reporting calendar where it reads them."""
    dues = []
    for campaign, report_type, period, unit in _owed_cells(rule, today, (CellState.MISSING, CellState.RETURNED)):

        def line(today, report_type=report_type, period=period, unit=unit):
            return _("%(unit)s has not filed %(report)s, %(period)s: %(when)s") % {
                "unit": unit.name,
                "report": report_type.name,
                "period": period.label,
                "when": when(period.due_on, today),
            }

        query = urlencode({"campaign": campaign.pk, "type": report_type.code})
        dues.append(
            Due(
                subject=f"report:{period.pk}:{unit.pk}",
                deadline=period.due_on,
                line=line,
                url=f"{reverse('report_calendar')}?{query}",
                units={Recipient.FILERS: [(unit.pk, FILER_ROLES)]},
                district_unit=campaign.district,
                opens=("report_calendar", unit),
            )
        )
    return dues


def _report_due(campaign, report_type, period, unit) -> Due:
    def line(today, report_type=report_type, period=period, unit=unit):
        return _("%(report)s, %(period)s · %(unit)s: %(when)s") % {
            "report": report_type.name,
            "period": period.label,
            "unit": unit.name,
            "when": when(period.due_on, today),
        }

    return Due(
        subject=f"report:{period.pk}:{unit.pk}",
        deadline=period.due_on,
        line=line,
        url=reverse("submission_new", args=[period.pk, unit.pk]),
        units={Recipient.FILERS: [(unit.pk, FILER_ROLES)]},
        district_unit=campaign.district,
        opens=("report", unit),
    )


def hazard_units(hazard: Hazard, issuing_roles: frozenset) -> dict:
    """A hazard's sides as recipients: the responsible unit's rectifiers, and the issuing unit's
    people of `issuing_roles` with the supervising unit's listing authority (a listed hazard)."""
    listing = hazard.listing if _has_listing(hazard) else None
    return _sides(
        hazard.responsible_unit_id,
        hazard.issuing_unit_id,
        listing.supervising_unit_id if listing is not None else None,
        issuing_roles,
    )


@functools.lru_cache(maxsize=4096)
def _sides(responsible_id, issuing_id, supervising_id, issuing_roles: frozenset) -> dict:
    """Shared by every hazard of the same sides (a sweep reads 100,000 hazards of a few thousand
    sides): never changed by whoever reads it."""
    units = {}
    if responsible_id:
        units[Recipient.RESPONSIBLE] = [(responsible_id, SIDE_ROLES[Side.RECTIFIER])]
    issuing = []
    if issuing_id:
        issuing.append((issuing_id, issuing_roles))
    if supervising_id:
        issuing.append((supervising_id, AUTHORITY_ROLES))
    if issuing:
        units[Recipient.ISSUING] = issuing
    return units


def _has_listing(hazard: Hazard) -> bool:
    try:
        return hazard.listing is not None
    except Hazard.listing.RelatedObjectDoesNotExist:
        return False


def _hazards():
    return Hazard.objects.select_related("unit", "listing")


def link(name: str) -> Callable[[object], str]:
    """`reverse(name, args=[pk])` for any pk, reversed once: a sweep links 100,000 lines, and a
    reverse each costs seconds."""
    head, tail = reverse(name, args=[LINK_MARK]).split(str(LINK_MARK))
    return lambda pk: f"{head}{pk}{tail}"


LINK_MARK = 8_642_097_531  # an id no route holds as text but this one


# The columns an open hazard's reminder needs: at 100,000 open hazards a model instance each
# (with its unit and listing) costs more than the whole sweep may.
OPEN_HAZARD_COLUMNS = (
    "pk",
    "number",
    "title",
    "deadline",
    "unit_id",
    "responsible_unit_id",
    "issuing_unit_id",
    "listing__supervising_unit_id",
    "listing__document_number",
)


def _open_hazards(rule: ReminderRule, today: datetime.date, *order, **filters):
    """Hazards under rectification whose deadline is in the rule's window, as rows of
    OPEN_HAZARD_COLUMNS, and their units (the hazard's own, responsible and supervising) by id,
    read once. The deadline is the hazard's own as it stands: an approved extension has moved it,
    and the old ladder is not found."""
    first, last = rule.deadlines_due(today)
    rows = list(
        Hazard.objects.filter(status=Status.RECTIFYING, deadline__gte=first, deadline__lte=last, **filters)
        .order_by(*(order or ("pk",)))
        .values_list(*OPEN_HAZARD_COLUMNS, named=True)
    )
    ids = {i for r in rows for i in (r.unit_id, r.responsible_unit_id, r.listing__supervising_unit_id) if i}
    return rows, OrgUnit.objects.in_bulk(ids)


def _open_hazard_due(hazard, units: dict, url, line) -> Due:
    return Due(
        subject=f"hazard:{hazard.pk}",
        deadline=hazard.deadline,
        line=line,
        url=url(hazard.pk),
        units=_sides(
            hazard.responsible_unit_id,
            hazard.issuing_unit_id,
            hazard.listing__supervising_unit_id,
            SIDE_ROLES[Side.ASSIGNER],
        ),
        district_unit=units[hazard.unit_id],
        opens=("hazard", hazard.pk),
    )


def hazard_deadlines(rule: ReminderRule, today: datetime.date) -> list[Due]:
    """Hazards under rectification whose deadline is in the window, to their sides."""
    hazards, units = _open_hazards(rule, today)
    url = link("hazard_detail")
    dues = []
    for hazard in hazards:

        def line(today, hazard=hazard):
            return _("%(number)s %(title)s · rectification %(when)s") % {
                "number": hazard.number,
                "title": hazard.title,
                "when": when(hazard.deadline, today),
            }

        dues.append(_open_hazard_due(hazard, units, url, line))
    return dues


def hazards_escalated(rule: ReminderRule, today: datetime.date) -> list[Due]:
    """The escalation of an overdue hazard: under rectification, its deadline (as it stands, an
    approved extension's) in the window, to the side that issued or supervises it and the office.
    The line names the responsible unit, which the escalation is about."""
    hazards, units = _open_hazards(rule, today)
    url = link("hazard_detail")
    dues = []
    for hazard in hazards:
        responsible = units.get(hazard.responsible_unit_id)

        def line(today, hazard=hazard, responsible=responsible):
            return _("%(number)s %(title)s · %(unit)s, rectification %(when)s") % {
                "number": hazard.number,
                "title": hazard.title,
                "unit": responsible.name if responsible else "",
                "when": when(hazard.deadline, today),
            }

        dues.append(_open_hazard_due(hazard, units, url, line))
    return dues


def major_hazards_weekly(rule: ReminderRule, today: datetime.date) -> list[Due]:
    """The leading group's weekly list: hazards listed for supervision (挂牌督办) by the week's day
    and overdue on it, still under rectification. One line a hazard a week (its offset is the
    week's day, ReminderRule.offset_due)."""
    week_day = rule.week_day(today)
    hazards, units = _open_hazards(
        rule, today, "deadline", "pk", listing__isnull=False, listing__listed_on__lte=week_day
    )
    url = link("hazard_detail")
    dues = []
    for hazard in hazards:
        supervisor = units[hazard.listing__supervising_unit_id]

        def line(today, hazard=hazard, supervisor=supervisor):
            return _("Listed for supervision: %(number)s %(title)s (%(supervisor)s %(document)s) · %(when)s") % {
                "number": hazard.number,
                "title": hazard.title,
                "supervisor": supervisor.name,
                "document": hazard.listing__document_number,
                "when": when(hazard.deadline, today),
            }

        dues.append(_open_hazard_due(hazard, units, url, line))
    return dues


def _days(rule: ReminderRule, default: int) -> datetime.timedelta:
    return datetime.timedelta(days=rule.allowed_days if rule.allowed_days is not None else default)


def extensions_pending(rule: ReminderRule, today: datetime.date) -> list[Due]:
    """Extension requests not yet decided: due `allowed_days` after the request, to the side that
    assigned the hazard (it decides)."""
    first, last = rule.deadlines_due(today)
    allowed = _days(rule, 3)
    requests = (
        ExtensionRequest.objects.filter(decision=ExtensionRequest.Decision.PENDING, hazard__status=Status.RECTIFYING)
        .select_related("hazard__unit", "hazard__listing")
        .order_by("pk")
    )
    url = link("hazard_detail")
    dues = []
    for request in requests:
        deadline = request.requested_at.astimezone(DEADLINE_TZ).date() + allowed
        if not (first <= deadline <= last):
            continue
        hazard = request.hazard

        def line(today, hazard=hazard, request=request, deadline=deadline):
            return _("%(number)s %(title)s · extension to %(date)s asked, decision %(when)s") % {
                "number": hazard.number,
                "title": hazard.title,
                "date": request.requested_deadline.isoformat(),
                "when": when(deadline, today),
            }

        dues.append(
            Due(
                subject=f"extension:{request.pk}",
                deadline=deadline,
                line=line,
                url=url(hazard.pk),
                units=hazard_units(hazard, SIDE_ROLES[Side.ASSIGNER]),
                district_unit=hazard.unit,
                opens=("hazard", hazard.pk),
            )
        )
    return dues


def hazards_awaiting_verification(rule: ReminderRule, today: datetime.date) -> list[Due]:
    """Hazards reported rectified and not yet verified: due `allowed_days` after the report, to the
    side that verifies (the issuing unit's inspectors, office or department; the supervising unit)."""
    first, last = rule.deadlines_due(today)
    allowed = _days(rule, 7)
    hazards = _hazards().filter(status=Status.AWAITING_VERIFICATION, rectified_at__isnull=False).order_by("pk")
    url = link("hazard_detail")
    dues = []
    for hazard in hazards:
        deadline = hazard.rectified_at.astimezone(DEADLINE_TZ).date() + allowed
        if not (first <= deadline <= last):
            continue

        def line(today, hazard=hazard, deadline=deadline):
            return _("%(number)s %(title)s · verification %(when)s") % {
                "number": hazard.number,
                "title": hazard.title,
                "when": when(deadline, today),
            }

        dues.append(
            Due(
                subject=f"verification:{hazard.pk}:{hazard.rectified_at:%Y%m%d%H%M%S}",
                deadline=deadline,
                line=line,
                url=url(hazard.pk),
                units=hazard_units(hazard, SIDE_ROLES[Side.VERIFIER]),
                district_unit=hazard.unit,
                opens=("hazard", hazard.pk),
            )
        )
    return dues


def risk_reviews(rule: ReminderRule, today: datetime.date) -> list[Due]:
    """Risks under control whose next review falls in the window, to the responsible unit."""
    first, last = rule.deadlines_due(today)
    risks = RiskPoint.objects.filter(
        status=RiskPoint.Status.ACTIVE, next_review_on__gte=first, next_review_on__lte=last
    ).select_related("unit")
    url = link("risk_detail")
    dues = []
    for risk in risks:

        def line(today, risk=risk):
            return _("%(code)s %(name)s · review %(when)s") % {
                "code": risk.code or "",
                "name": risk.name,
                "when": when(risk.next_review_on, today),
            }

        dues.append(
            Due(
                subject=f"risk:{risk.pk}",
                deadline=risk.next_review_on,
                line=line,
                url=url(risk.pk),
                units={Recipient.RESPONSIBLE: [(risk.responsible_unit_id, RISK_KEEPER_ROLES)]},
                district_unit=risk.unit,
                opens=("risk", risk.pk),
            )
        )
    return dues


def key_tasks(rule: ReminderRule, today: datetime.date) -> list[Due]:
    """Key tasks not completed whose due date is in the window, to the lead unit."""
    first, last = rule.deadlines_due(today)
    tasks = KeyTask.objects.filter(completed_on__isnull=True, due_on__gte=first, due_on__lte=last).select_related(
        "lead_unit", "campaign__district"
    )
    url = link("key_task_detail")
    dues = []
    for task in tasks:

        def line(today, task=task):
            return _("Key task %(code)s %(title)s · %(when)s") % {
                "code": task.code,
                "title": task.title,
                "when": when(task.due_on, today),
            }

        dues.append(
            Due(
                subject=f"key_task:{task.pk}",
                deadline=task.due_on,
                line=line,
                url=url(task.pk),
                units={Recipient.RESPONSIBLE: [(task.lead_unit_id, TASK_REPORTER_ROLES)]},
                district_unit=task.campaign.district,
                opens=("key_task", task.pk),
            )
        )
    return dues


def bulletins_unacknowledged(rule: ReminderRule, today: datetime.date) -> list[Due]:
    """Bulletins published and not acknowledged (签收) by a recipient unit: due `allowed_days`
    after the publication of their current version, to the unit's staff. An acknowledgement,
    a withdrawal or a revision ends the ladder (the subject is no longer found)."""
    first, last = rule.deadlines_due(today)
    allowed = _days(rule, 3)
    versions = (
        BulletinVersion.objects.filter(bulletin__status=BulletinStatus.PUBLISHED)
        .select_related("bulletin__office__parent")
        .order_by("bulletin_id", "-version")
    )
    current = {}
    for version in versions:  # the first of each bulletin is its current version
        current.setdefault(version.bulletin_id, version)
    url = link("oversight:bulletin_detail")
    dues = []
    for version in current.values():
        deadline = timezone.localdate(version.published_at) + allowed
        if not (first <= deadline <= last):
            continue
        bulletin = version.bulletin
        acknowledged = set(version.acknowledgements.values_list("unit_id", flat=True))
        for unit in bulletin.recipients.exclude(pk__in=acknowledged).order_by("pk"):

            def line(today, version=version, unit=unit, deadline=deadline):
                return _("%(number)s %(title)s · %(unit)s has not acknowledged it (acknowledgement %(when)s)") % {
                    "number": version.document_number,
                    "title": version.title,
                    "unit": unit.name,
                    "when": when(deadline, today),
                }

            dues.append(
                Due(
                    subject=f"bulletin:{version.pk}:{unit.pk}",
                    deadline=deadline,
                    line=line,
                    url=url(bulletin.pk),
                    units={Recipient.RESPONSIBLE: [(unit.pk, BULLETIN_RECIPIENT_ROLES)]},
                    district_unit=bulletin.office.parent,
                    opens=("bulletin", bulletin.pk),
                )
            )
    return dues


def _dissolved(unit: OrgUnit, today: datetime.date) -> bool:
    return bool(unit.dissolved_on and unit.dissolved_on <= today)


SOURCES: dict[str, Callable[[ReminderRule, datetime.date], list[Due]]] = {
    Subject.REPORT_DUE: reports_due,
    Subject.HAZARD_DEADLINE: hazard_deadlines,
    Subject.EXTENSION_PENDING: extensions_pending,
    Subject.HAZARD_VERIFICATION: hazards_awaiting_verification,
    Subject.RISK_REVIEW: risk_reviews,
    Subject.KEY_TASK: key_tasks,
    Subject.HAZARD_ESCALATION: hazards_escalated,
    Subject.REPORT_MISSING: reports_missing,
    Subject.MAJOR_HAZARD_WEEKLY: major_hazards_weekly,
    Subject.BULLETIN_UNACKNOWLEDGED: bulletins_unacknowledged,
}
