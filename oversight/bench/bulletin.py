"""The benchmark of a bulletin's PDF (issue 13): a bulletin of 6 pages — its four sections, the
ranking of 10 streets and 5 departments over 24 months with their charts — rendered by the
bulletin_pdf job as a publication starts it. Seeds a district of its own (基准通报区) beside the
others, once; each run renders the same version again (its stored PDF cleared first).

    bulletin_pdf_pages: 6 pages
    bulletin_pdf_seconds: the median seconds from the job's start to its PDF stored (and p95)
"""

from __future__ import annotations

import datetime
import statistics
import time

from django.db import transaction

from campaign.celery import app
from campaign.lib.bench import percentile
from campaign.lib.deadlines import deadline_today
from campaign.lib.history import save_with_history
from campaign.models import Campaign
from districts.models import OrgUnit, Role, User
from districts.services import membership_create, orgunit_save, user_create
from jobs.models import Job
from oversight.bulletins import documents, services
from oversight.bulletins.models import Bulletin, BulletinStatus, BulletinVersion
from oversight.periods import add_months, month_end
from oversight.rollups import rebuild

CODE = "330198"
REVIEWER = "bench-bulletin-office"
STREETS, DEPARTMENTS, MONTHS = 10, 5, 24
# Paragraphs per section: what makes the document six pages with its tables and charts.
PARAGRAPHS = {"overview": 3, "good_practices": 5, "problems": 6, "requirements": 3}
# The bulletin's title names its paragraphs: a change of them publishes a new one.
TITLE = "基准通报（{n}段）"
SENTENCE = (
    "{unit}坚持问题导向，落实安全生产责任制，开展隐患排查整治，建立问题清单、责任清单和整改清单，"
    "按时报送工作信息，做到底数清、情况明、措施实，推动创建工作取得阶段性成效。"
)


def _district() -> tuple[Campaign, User]:
    district = OrgUnit.objects.filter(code=CODE).first()
    if district is None:
        with transaction.atomic():

            def unit(code, name, kind, parent):
                return orgunit_save(by=None, unit=OrgUnit(code=code, name=name, kind=kind, parent=parent))

            city = OrgUnit.objects.filter(kind=OrgUnit.Kind.CITY, parent=None).first()
            if city is None:  # a database without the plan loaded
                city = unit(f"{CODE}-CITY", "基准市", OrgUnit.Kind.CITY, None)

            district = unit(CODE, "基准通报区", OrgUnit.Kind.DISTRICT, city)
            office = unit(f"{CODE}-CJB", "区创建办", OrgUnit.Kind.OFFICE, district)
            for s in range(1, STREETS + 1):
                unit(f"{CODE}{s:03d}", f"基准第{s}街道", OrgUnit.Kind.STREET, district)
            for d in range(1, DEPARTMENTS + 1):
                unit(f"{CODE}-D{d:02d}", f"基准第{d}部门", OrgUnit.Kind.DEPARTMENT, district)
            reviewer = user_create(by=None, username=REVIEWER, full_name="基准通报区创建办 审核员")
            membership_create(user=reviewer, unit=office, role=Role.REVIEWER)
            today = deadline_today()
            starts = add_months(today.replace(day=1), -MONTHS)
            save_with_history(
                Campaign(
                    name="基准通报区创建国家安全发展示范城市（基准测试）",
                    district=district,
                    starts_on=starts,
                    ends_on=add_months(starts, 36) - datetime.timedelta(days=1),
                    baseline_year=starts.year - 1,
                ),
                None,
            )
    return Campaign.objects.get(district__code=CODE), User.objects.get(username=REVIEWER)


def _version(campaign: Campaign, reviewer: User) -> BulletinVersion:
    """The district's published bulletin over its 24 months, published once."""
    title = TITLE.format(n=sum(PARAGRAPHS.values()))
    bulletin = Bulletin.objects.filter(campaign=campaign, status=BulletinStatus.PUBLISHED, title=title).first()
    if bulletin is None:
        rebuild(campaign.district, full=True)
        start = campaign.starts_on.replace(day=1)
        end = month_end(add_months(start, MONTHS - 1))
        bulletin = services.bulletin_create(by=reviewer, campaign=campaign, start=start, end=end)
        names = [u.name for u in services.default_recipients(campaign)]
        text = {
            key: "\n\n".join(SENTENCE.format(unit=names[i % len(names)]) * 2 for i in range(n))
            for key, n in PARAGRAPHS.items()
        }
        services.bulletin_save(bulletin=bulletin, by=reviewer, title=title, **text)
        services.bulletin_approve(bulletin=bulletin, by=reviewer)
        services.bulletin_publish(bulletin=bulletin, by=reviewer)
    return bulletin.versions.order_by("-version").first()


def run(out, *, repeat: int = 20) -> None:
    """Render the bulletin's PDF in its job `repeat` times (5 at most: a second each) and print
    its pages and the median seconds (p95 too)."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True  # the job runs in this process when its start commits
    try:
        campaign, reviewer = _district()
        version = _version(campaign, reviewer)
        seconds = []
        for _n in range(max(1, min(repeat, 5))):
            BulletinVersion.objects.filter(pk=version.pk).update(pdf_sha256="", pdf_pages=None)
            version.refresh_from_db()
            started = time.perf_counter()
            job = documents.pdf_start(version=version, by=reviewer)
            elapsed = time.perf_counter() - started
            job.refresh_from_db()
            if job.state != Job.State.DONE:
                raise RuntimeError(f"the bulletin's PDF job ended {job.state}: {job.report}")
            seconds.append(elapsed)
        version.refresh_from_db()
    finally:
        app.conf.task_always_eager = eager
    out("bulletin_pdf_pages", version.pdf_pages, "pages")
    out("bulletin_pdf_seconds", statistics.median(seconds), "s")
    out("bulletin_pdf_p95", percentile(seconds, 95), "s")
