"""The whole seed, up to the volumes asked for: the demo (load_demo, then scale_up for
communities, grids and sites) with its campaign stretched back over the months, a filer for every
street and department, the hazards and risks in bulk (oversight.bench.hazards, .risks), and the
reports of the earlier periods through the reporting services."""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from campaign.demo import load_demo, scale_up
from campaign.lib.deadlines import DEADLINE_TZ, deadline_today
from campaign.lib.history import save_with_history
from campaign.models import Campaign
from campaign.plan import DISTRICT_CODE
from districts.models import Membership, OrgUnit, Role, Site, User
from districts.services import membership_create, user_create
from hazards.models import Hazard, HazardEvent, SupervisionListing
from oversight.bench.bulk import LOOKUP_TABLES, lookup_tables
from oversight.bench.common import OFFICE_USERNAME, Volumes, ensure_postgresql, month_back
from oversight.bench.hazards import seed_hazards
from oversight.bench.risks import seed_risks
from reporting.models import Period, PeriodKind, Submission
from reporting.periods import unit_owes
from reporting.selectors import filer_units
from reporting.services import submission_accept, submission_start, submission_submit
from risks.models import Assessment, Review, RiskPoint


def stretch_campaign(district: OrgUnit, months: int) -> Campaign:
    """The district's current campaign, started early enough to cover `months` months up to
    this one (moved back, never forward). Saving it brings the report periods along."""
    campaign = Campaign.objects.filter(district=district).current()
    first = month_back(deadline_today().replace(day=1), months - 1)
    if campaign.starts_on > first:
        campaign.starts_on = first
        with transaction.atomic():
            save_with_history(campaign, None)
    return campaign


def _ensure_filers(district: OrgUnit) -> None:
    """A staff account for every street and department: they rectify, review risks and file."""
    roles = {OrgUnit.Kind.STREET: Role.STREET_STAFF, OrgUnit.Kind.DEPARTMENT: Role.DEPARTMENT_STAFF}
    staffed = set(Membership.objects.filter(role__in=roles.values()).values_list("unit_id", flat=True))
    for unit in OrgUnit.objects.filter(parent=district, kind__in=roles).exclude(pk__in=staffed):
        with transaction.atomic():
            username = f"filer-{unit.code.lower()}"
            user = User.objects.filter(username=username).first() or user_create(
                by=None, username=username, full_name=f"{unit.name} 信息员"
            )
            membership_create(user=user, unit=unit, role=roles[unit.kind])


# ---------------------------------------------------------------- reports


def seed_reports(campaign: Campaign, *, seed: int = 20250101) -> int:
    """Reports for the periods of the campaign nobody has filed for yet (those the stretch added),
    through the services: most on time, some late, some missing. Returns the number filed."""
    today = deadline_today()
    office = User.objects.get(username=OFFICE_USERNAME)
    periods = list(
        Period.objects.filter(campaign=campaign, due_on__lt=today, submissions__isnull=True).select_related(
            "report_type", "campaign__district"
        )
    )
    if not periods:
        return 0
    staff = dict(
        Membership.objects.filter(role__in=[Role.STREET_STAFF, Role.DEPARTMENT_STAFF])
        .order_by("user_id")
        .values_list("unit_id", "user")
    )
    users = User.objects.in_bulk(set(staff.values()))
    rng = random.Random(seed)  # noqa: S311 (benchmark data, the same every time)
    kinds = sorted({kind for period in periods for kind in period.report_type.filer_kinds})
    now = timezone.now()
    made = 0
    for unit in filer_units(campaign, kinds):
        by = users.get(staff.get(unit.pk))
        for period in sorted(periods, key=lambda p: (p.due_on, p.report_type.order)):
            if by is None or unit.kind not in period.report_type.filer_kinds or not unit_owes(unit, period):
                continue
            roll = rng.random()
            if roll >= 0.87:
                continue  # missing
            late = roll >= 0.72
            day = period.due_on + datetime.timedelta(days=rng.randint(1, 6) if late else -rng.randint(0, 5))
            sent = min(datetime.datetime.combine(day, datetime.time(rng.randint(9, 17)), tzinfo=DEADLINE_TZ), now)
            with transaction.atomic():
                kind = period.report_type.name
                body = f"{period.label}，{unit.name}按照创建工作方案推进各项任务，详见附件。"
                if period.report_type.period_kind == PeriodKind.MONTH:
                    body = f"{period.label}，{unit.name}开展安全隐患排查整治，落实风险分级管控。"
                submission = submission_start(by=by, unit=unit, period=period, title=f"{unit.name}{kind}", body=body)
                submission = submission_submit(submission=submission, by=by, at=sent)
                submission_accept(
                    submission=submission,
                    by=office,
                    at=min(sent + datetime.timedelta(days=rng.randint(1, 4)), now),
                )
            made += 1
    return made


# ---------------------------------------------------------------- the whole seed


def seed(volumes: Volumes, *, out: Callable[[str], None]) -> dict[str, float]:
    """Everything the benchmark reads, up to `volumes`; what is there already is kept.
    Returns seconds per step and the rows added."""
    ensure_postgresql()
    figures: dict[str, float] = {}
    started = time.perf_counter()
    if not User.objects.filter(username=OFFICE_USERNAME).exists():
        load_demo()
    scale_up(communities=volumes.communities, sites=volumes.sites, out=lambda line: out(f"  {line}"))
    district = OrgUnit.objects.get(code=DISTRICT_CODE)
    campaign = stretch_campaign(district, volumes.months)
    _ensure_filers(district)
    figures["seed_demo"] = time.perf_counter() - started

    with connection.cursor() as cursor:
        counts = lookup_tables(cursor, district)
    step = time.perf_counter()
    figures["hazards_added"] = seed_hazards(district, campaign, volumes.hazards, counts=counts, out=out)
    figures["seed_hazards"] = time.perf_counter() - step
    step = time.perf_counter()
    figures["risks_added"] = seed_risks(district, campaign, volumes.risks, counts=counts, out=out)
    figures["seed_risks"] = time.perf_counter() - step
    step = time.perf_counter()
    figures["reports_added"] = seed_reports(campaign)
    figures["seed_reports"] = time.perf_counter() - step

    step = time.perf_counter()
    tables = [
        model._meta.db_table
        for model in (Hazard, Hazard.history.model, HazardEvent, SupervisionListing, RiskPoint, Assessment, Review)
    ] + [RiskPoint.history.model._meta.db_table, Submission._meta.db_table, Site._meta.db_table]
    with connection.cursor() as cursor:
        for name in LOOKUP_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
        # A database that has taken a million rows has been vacuumed since (autovacuum would):
        # fresh statistics and visibility maps, or the first plans read stale guesses.
        verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        cursor.execute(f"{verb} {', '.join(tables)}")
    figures["seed_vacuum"] = time.perf_counter() - step
    figures["seed_total"] = time.perf_counter() - started
    return figures
