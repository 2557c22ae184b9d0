"""Helpers of the bulletins' tests: the office, leaders and unit staff of the rollups' test
district (oversight/tests/conftest.py: streets A and B, departments p and q, the office), a
bulletin taken to publication through the services, and the text of a PDF."""

from __future__ import annotations

import datetime
import shutil
import subprocess

from districts.models import Role
from hazards.models import Grade, Status
from oversight.bulletins import services
from oversight.periods import add_months, month_end
from oversight.rollups import rebuild

DAY = datetime.timedelta(days=1)


def people(world, make_user) -> dict:
    return {
        "office": make_user(Role.REVIEWER, world["office"]),
        "leader": make_user(Role.LEADER, world.district),
        "A": make_user(Role.STREET_STAFF, world["A"]),
        "B": make_user(Role.STREET_STAFF, world["B"]),
        "p": make_user(Role.DEPARTMENT_STAFF, world["p"]),
        "community": make_user(Role.COMMUNITY_STAFF, world["a1"]),
    }


def period(world, first: int = 0, last: int = 2) -> tuple[datetime.date, datetime.date]:
    start = world.start.replace(day=1)
    return add_months(start, first), month_end(add_months(start, last))


def some_hazards(world, place: str = "a1", n: int = 2, month: int = 1, **fields):
    found = world.at(add_months(world.start.replace(day=1), month) + 3 * DAY)
    return [world.hazard(place, found=found, **fields) for _ in range(n)]


def overdue_major(world, place: str = "b1"):
    first = world.start.replace(day=1)
    hazard = world.hazard(place, found=world.at(first + 2 * DAY), grade=Grade.MAJOR, status=Status.RECTIFYING,
                          deadline=first + 9 * DAY)
    world.listing(hazard, first + 3 * DAY)
    return hazard


def draft(world, office, *, first: int = 0, last: int = 2):
    rebuild(world.district, full=True)
    start, end = period(world, first, last)
    return services.bulletin_create(by=office, campaign=world.campaign, start=start, end=end)


def published(world, office, **kwargs):
    bulletin = draft(world, office, **kwargs)
    services.bulletin_approve(bulletin=bulletin, by=office)
    version = services.bulletin_publish(bulletin=bulletin, by=office)
    bulletin.refresh_from_db()
    return bulletin, version


def pdf_text(content: bytes, tmp_path) -> str | None:
    """The text pdftotext reads in a PDF (None where it is not installed)."""
    if shutil.which("pdftotext") is None:
        return None
    path = tmp_path / "bulletin.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
