"""A small district for the rollups' tests, with a campaign running now (started five months
ago), and helpers that add records to it as the services would leave them."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field

import pytest

from campaign.lib.deadlines import DEADLINE_TZ, deadline_today
from campaign.models import Accident, Campaign, KeyTask, grade_for
from districts.models import OrgUnit, Sector, User
from hazards.models import Grade, Hazard, Source, Status, SupervisionListing
from reporting.defaults import install as install_report_types
from reporting.models import ReportType
from risks.defaults import install as install_risk_defaults
from risks.models import AccidentType, Assessment, AssessmentMethod, ControlRule, MethodVersion, RiskPoint

K = OrgUnit.Kind


def add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass
class World:
    district: OrgUnit
    units: dict[str, OrgUnit]
    sectors: list[Sector]
    campaign: Campaign
    user: User
    today: datetime.date
    numbers: itertools.count = field(default_factory=lambda: itertools.count(1))

    def __getitem__(self, name: str) -> OrgUnit:
        return self.units[name]

    @property
    def start(self) -> datetime.date:
        return self.campaign.starts_on

    def at(self, day: datetime.date, hour: int = 10) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=DEADLINE_TZ)

    # ------------------------------------------------------------ records

    def hazard(self, place: str, sector: int = 0, *, found: datetime.datetime, **fields) -> Hazard:
        n = next(self.numbers)
        hazard = Hazard(
            number=f"YHT-{n:05d}",
            title=f"隐患{n}",
            unit=self.units[place],
            sector=self.sectors[sector],
            description="测试",
            grade=fields.pop("grade", Grade.GENERAL),
            source=Source.PATROL,
            found_by=self.user,
            found_at=found,
            **fields,
        )
        if hazard.status in (Status.RECTIFYING, Status.AWAITING_VERIFICATION, Status.CLOSED):
            hazard.responsible_unit = hazard.responsible_unit or self.units[place]
        hazard.save()
        return hazard

    def listing(self, hazard: Hazard, listed_on: datetime.date) -> SupervisionListing:
        return SupervisionListing.objects.create(
            hazard=hazard,
            supervising_unit=self.units["office"],
            document_number=f"督{hazard.pk}",
            listed_on=listed_on,
            listed_by=self.user,
            plan_measures="整改",
            plan_funds=1,
            plan_responsible="某某",
            plan_time_limit=listed_on + datetime.timedelta(days=30),
            plan_contingency="预案",
        )

    def risk(
        self,
        place: str,
        sector: int = 0,
        *,
        created: datetime.datetime,
        level: str | None = None,
        retired: datetime.datetime | None = None,
        next_review_on: datetime.date | None = None,
    ) -> RiskPoint:
        risk = RiskPoint.objects.create(
            name=f"风险{next(self.numbers)}",
            unit=self.units[place],
            sector=self.sectors[sector],
            accident_type=AccidentType.FIRE,
            responsible_unit=self.units[place],
            responsible_person="某某",
            next_review_on=next_review_on,
            status=RiskPoint.Status.RETIRED if retired else RiskPoint.Status.ACTIVE,
        )
        if level:
            assessment = Assessment.objects.create(
                risk=risk,
                stage=Assessment.Stage.RESIDUAL,
                method_version=MethodVersion.objects.first(),
                inputs={},
                score=1,
                level=level,
                assessed_by=self.user,
            )
            risk.current_assessment = assessment
        # The stamps the register would have: added then, retired (its last change) then.
        RiskPoint.objects.filter(pk=risk.pk).update(
            created_at=created, updated_at=retired or created, current_assessment=risk.current_assessment
        )
        return risk

    def task(self, lead: str, sector: int = 0, *, due_on: datetime.date, completed_on=None) -> KeyTask:
        n = next(self.numbers)
        return KeyTask.objects.create(
            campaign=self.campaign,
            sector=self.sectors[sector],
            code=f"T{n}",
            title=f"任务{n}",
            lead_unit=self.units[lead],
            due_on=due_on,
            completed_on=completed_on,
            progress=100 if completed_on else 0,
        )

    def accident(self, place: str, sector: int = 0, *, on: datetime.date, deaths: int = 0) -> Accident:
        return Accident.objects.create(
            unit=self.units[place],
            sector=self.sectors[sector],
            occurred_on=on,
            accident_type=AccidentType.FIRE,
            summary="事故",
            deaths=deaths,
            grade=grade_for(deaths=deaths, serious_injuries=0, direct_loss=None),
        )


# Streets A and B; communities a1 (with two grids), a2, a3 (set up in the campaign's second
# month), b1 (a grid) and b2 (dissolved in its third month); two departments, the office.
TREE = [
    ("A", "street", None),
    ("B", "street", None),
    ("a1", "community", "A"),
    ("a2", "community", "A"),
    ("a3", "community", "A"),
    ("b1", "community", "B"),
    ("b2", "community", "B"),
    ("a1g1", "grid", "a1"),
    ("a1g2", "grid", "a1"),
    ("b1g1", "grid", "b1"),
    ("p", "department", None),
    ("q", "department", None),
    ("office", "office", None),
]
PLACES = ["district", "A", "B", "a1", "a2", "a3", "b1", "b2", "a1g1", "a1g2", "b1g1"]


def make_world() -> World:
    today = deadline_today()
    start = add_months(today.replace(day=1), -5)
    district = OrgUnit.objects.create(code="T990", name="测试区", kind=K.DISTRICT)
    units = {"district": district}
    for i, (name, kind, parent) in enumerate(TREE):
        units[name] = OrgUnit.objects.create(
            code=f"T990{i:03d}", name=name, kind=kind, parent=units[parent] if parent else district
        )
    OrgUnit.objects.filter(pk=units["a3"].pk).update(established_on=start + datetime.timedelta(days=40))
    OrgUnit.objects.filter(pk=units["b2"].pk).update(dissolved_on=start + datetime.timedelta(days=75))
    units = {name: OrgUnit.objects.get(pk=u.pk) for name, u in units.items()}
    sectors = list(Sector.objects.order_by("order")[:2])
    for code in ("test-fire", "test-traffic")[len(sectors) :]:
        sectors.append(Sector.objects.create(code=code, name=code, name_en=code, order=900 + len(sectors)))
    # The shipped report types and methods come with the migrations; a flushed database (after a
    # transactional test) gets them back here.
    install_report_types(ReportType)
    install_risk_defaults(AssessmentMethod, MethodVersion, ControlRule)
    # Communities file the monthly item too: the one set up and the one dissolved owe some months.
    monthly = ReportType.objects.get(code="monthly_item")
    monthly.filer_kinds = ["street", "community", "department"]
    monthly.save()
    campaign = Campaign.objects.create(
        name="测试区创建",
        district=district,
        starts_on=start,
        ends_on=add_months(start, 12) - datetime.timedelta(1),
        baseline_year=2016,
    )
    user = User.objects.create_user(username="rollup-tester")
    return World(district, units, sectors, campaign, user, today)


@pytest.fixture
def world(db) -> World:
    return make_world()


@pytest.fixture
def settled(monkeypatch):
    """What was written before a rebuild is not read again by the next one: the rows of the last
    minutes are (changes.OVERLAP, for transactions that commit late), and a test writes its
    records and rebuilds within a second."""
    monkeypatch.setattr("oversight.changes.OVERLAP", datetime.timedelta(0))
