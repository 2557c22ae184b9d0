"""Helpers of the annual summaries' tests: the rollups' test district (oversight/tests/conftest.py)
with its first campaign of 2019–2020 beside the running one, a year (2020) of hazards, risks and
reports in it, the people who make and read summaries, a version made by the job, and the text of
a PDF as a reader's viewer extracts it."""

from __future__ import annotations

import datetime
import io
import re

from campaign.models import Campaign
from districts.models import Role, User
from hazards.models import Grade, Status
from jobs import runner
from jobs.models import Job
from oversight.rollups import rebuild
from oversight.summaries import services
from oversight.summaries.models import AnnualSummary, SummaryVersion
from reporting.models import Period, Submission
from risks.models import Level

D = datetime.date
YEAR = 2020
PERIOD = f"year:{YEAR}-01-01"


def first_campaign(world) -> Campaign:
    """The district's campaign of 2019–2020 (the running one stays): 2020 is a whole campaign year."""
    return Campaign.objects.create(
        name="测试区创建（2019—2020）",
        district=world.district,
        starts_on=D(2019, 2, 14),
        ends_on=D(2020, 12, 31),
        baseline_year=2016,
    )


def people(world, make_user) -> dict[str, User]:
    return {
        "office": make_user(Role.REVIEWER, world["office"]),
        "admin": make_user(Role.SYSTEM_ADMIN, world.district),
        "leader": make_user(Role.LEADER, world.district),
        "A": make_user(Role.STREET_STAFF, world["A"]),
        "B": make_user(Role.STREET_STAFF, world["B"]),
        "community": make_user(Role.COMMUNITY_STAFF, world["a1"]),
        "p": make_user(Role.DEPARTMENT_STAFF, world["p"]),
    }


def _closed(world, place, sector, *, found, deadline, rectified, closed, **fields):
    return world.hazard(
        place,
        sector,
        found=world.at(found),
        status=Status.CLOSED,
        assigned_at=world.at(found),
        deadline=deadline,
        rectified_at=world.at(rectified),
        closed_at=world.at(closed),
        **fields,
    )


def year_of_records(world) -> None:
    """2020 in both streets: hazards closed on time and late, open past their deadline, a listed
    major hazard still open, one found in 2019 and closed in 2020, one found and closed in 2019;
    risks of every level on the register at the year's end (and one retired in it); reports filed
    on time, late and not at all."""
    # Street A: two closed on time, one closed late, one overdue at the year's end.
    _closed(world, "a1", 0, found=D(2020, 3, 5), deadline=D(2020, 4, 30), rectified=D(2020, 4, 20),
            closed=D(2020, 4, 25))
    _closed(world, "a1g1", 1, found=D(2020, 6, 2), deadline=D(2020, 7, 1), rectified=D(2020, 6, 20),
            closed=D(2020, 6, 28))
    _closed(world, "a2", 0, found=D(2020, 5, 1), deadline=D(2020, 5, 20), rectified=D(2020, 6, 10),
            closed=D(2020, 6, 15))
    world.hazard(
        "a2", 1, found=world.at(D(2020, 9, 1)), status=Status.RECTIFYING, assigned_at=world.at(D(2020, 9, 1)),
        deadline=D(2020, 10, 1),
    )
    # Found and closed in 2019: in the closure rate to date, not in 2020's closed.
    _closed(world, "a1", 0, found=D(2019, 4, 1), deadline=D(2019, 5, 31), rectified=D(2019, 4, 20),
            closed=D(2019, 5, 2))
    # Street B: found in 2019, closed in 2020; a major hazard listed for supervision, still open.
    _closed(world, "b1", 0, found=D(2019, 11, 4), deadline=D(2020, 1, 31), rectified=D(2020, 1, 20),
            closed=D(2020, 2, 3))
    major = world.hazard(
        "b1", 0, found=world.at(D(2020, 7, 7)), grade=Grade.MAJOR, status=Status.RECTIFYING,
        assigned_at=world.at(D(2020, 7, 7)), deadline=D(2020, 11, 30),
    )
    world.listing(major, D(2020, 7, 10))
    world.hazard("B", 1, found=world.at(D(2020, 12, 1)))  # reported, not yet assigned
    # Risks on the register at the end of 2020.
    created = world.at(D(2020, 2, 1))
    for place, level in [
        ("a1", Level.MAJOR), ("a1", Level.SIGNIFICANT), ("a2", Level.GENERAL), ("a1g2", Level.LOW),
        ("b1", Level.MAJOR), ("b1", Level.GENERAL), ("B", Level.SIGNIFICANT), ("b1", Level.LOW),
    ]:
        world.risk(place, 0, created=created, level=level)
    world.risk("a1", 1, created=created, level=Level.MAJOR, retired=world.at(D(2020, 8, 1)))
    # Reports of 2020: street B files three monthly items (one late), A one.
    periods = list(
        Period.objects.filter(report_type__code="monthly_item", due_on__year=YEAR, campaign__starts_on__year=2019)
        .order_by("due_on")[:3]
    )
    for i, period in enumerate(periods):
        sent = world.at(period.due_on + datetime.timedelta(days=5 if i == 2 else 0))
        Submission.objects.create(
            unit=world["B"], period=period, status="submitted", created_by=world.user,
            first_submitted_at=sent, submitted_at=sent,
        )
    sent = world.at(periods[0].due_on)
    Submission.objects.create(
        unit=world["A"], period=periods[0], status="submitted", created_by=world.user,
        first_submitted_at=sent, submitted_at=sent,
    )


def many_major_risks(world, n: int = 40) -> None:
    """Enough major risks, with names long enough to wrap, for their table to cross pages."""
    created = world.at(D(2020, 3, 1))
    for i in range(n):
        risk = world.risk(["a1", "a2", "b1"][i % 3], i % 2, created=created, level=Level.MAJOR)
        type(risk).objects.filter(pk=risk.pk).update(
            name=f"第{i + 1:02d}号重大风险点：老旧小区电动自行车集中停放充电场所火灾风险及周边消防通道占用"
        )


def rebuilt(world) -> None:
    rebuild(world.district, full=True)


def make_version(summary: AnnualSummary, by: User, *, language: str = "zh-hans") -> tuple[Job, SummaryVersion | None]:
    """Start the summary's job as `by` and run it here, as a worker would; the job and the latest version."""
    job = services.summary_start(summary=summary, by=by)
    runner.run_job(job.pk, language=language)
    job.refresh_from_db()
    return job, summary.versions.order_by("-version").first()


def stored(field_file) -> bytes:
    """A version's file as stored, read from its start (however often it was read before)."""
    with field_file.open("rb") as f:
        return f.read()


def pdf_pages(content: bytes) -> list[str]:
    """The text of each page, as pypdf extracts it."""
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def rows_in(text: str) -> set[tuple[str, ...]]:
    """Every line of `text` as its space-separated cells: a table row prints as one line."""
    return {tuple(line.split()) for line in text.splitlines() if line.strip()}


FOOTER = re.compile(r"第 (\d+) 页 共 (\d+) 页")
