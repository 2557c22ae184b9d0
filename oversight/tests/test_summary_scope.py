"""Who makes and reads which annual summary: a street's staff their street's alone; the creation
office and the district's administrators the district's and every street's; a leader reads them
but makes none; community and department staff, and another district's office, neither. The jobs
that make a summary's versions are seen by those who may read it, and by no one else."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from districts.models import OrgUnit, Role
from jobs.models import Job
from oversight.summaries import services
from oversight.tests.summaries import YEAR, first_campaign, people, rebuilt

UNITS = ("district", "A", "B")
EVERY = set(UNITS)
MAKES = {
    "office": EVERY,
    "admin": EVERY,
    "leader": set(),
    "A": {"A"},
    "B": {"B"},
    "community": set(),
    "p": set(),
    "elsewhere": set(),
}
READS = {**MAKES, "leader": EVERY}


@pytest.fixture
def who(world, make_user):
    first_campaign(world)
    rebuilt(world)
    everyone = people(world, make_user)
    other = OrgUnit.objects.create(code="T991", name="另一区", kind=OrgUnit.Kind.DISTRICT)
    office = OrgUnit.objects.create(code="T991001", name="另一区创建办", kind=OrgUnit.Kind.OFFICE, parent=other)
    everyone["elsewhere"] = make_user(Role.REVIEWER, office)
    return everyone


def test_who_may_make_and_read_each_unit_s_summary(world, who):
    makes = {name: {u for u in UNITS if services.may_make(user, world[u])} for name, user in who.items()}
    reads = {name: {u for u in UNITS if services.may_read(user, world[u])} for name, user in who.items()}

    assert makes == MAKES
    assert reads == READS


def _attempt(action: str, user, name: str, unit, summary):
    if action == "create":
        return services.summary_create(by=user, unit=unit, year=YEAR)
    if action == "narrative":
        return services.narrative_save(summary=summary, by=user, plans=f"{name}的计划")
    return services.summary_start(summary=summary, by=user)


def test_only_those_who_may_make_a_summary_create_it_edit_it_or_start_its_job(world, who):
    summaries = {u: services.summary_create(by=who["admin"], unit=world[u], year=YEAR) for u in UNITS}
    for name, user in who.items():
        for u in UNITS:
            for action in ("create", "narrative", "start"):
                if u in MAKES[name]:
                    _attempt(action, user, name, world[u], summaries[u])
                else:
                    with pytest.raises(PermissionDenied):
                        _attempt(action, user, name, world[u], summaries[u])
        if not MAKES[name]:
            assert not Job.objects.filter(started_by=user).exists(), f"{name} started no job"
    for u, summary in summaries.items():
        summary.refresh_from_db()
        last_maker = [name for name in who if u in MAKES[name]][-1]
        assert summary.plans == f"{last_maker}的计划", "only the makers' edits are kept"


def test_a_street_s_staff_cannot_create_the_district_s_or_another_street_s_summary_even_the_first_time(world, who):
    from oversight.summaries.models import AnnualSummary

    for u in ("district", "B"):
        with pytest.raises(PermissionDenied):
            services.summary_create(by=who["A"], unit=world[u], year=YEAR)
    assert not AnnualSummary.objects.exists()
    assert services.summary_create(by=who["A"], unit=world["A"], year=YEAR).unit == world["A"]


def test_the_jobs_of_a_summary_are_visible_only_to_those_who_may_read_it(world, who):
    maker = who["admin"]
    jobs = {}
    for u in UNITS:
        summary = services.summary_create(by=maker, unit=world[u], year=YEAR)
        jobs[u] = services.summary_start(summary=summary, by=maker)
    for name, user in who.items():
        if name == "admin":
            continue
        visible = set(Job.objects.visible_to(user).filter(kind="annual_summary").values_list("pk", flat=True))
        assert visible == {jobs[u].pk for u in READS[name]}, name
