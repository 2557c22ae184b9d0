"""After load_demo the dashboards are live: the rollups are built from the demo's records, its
reports (added by reporting after the campaign's demo) counted too."""

from django.test import override_settings

from campaign.demo import load_demo
from campaign.lib.deadlines import deadline_today
from campaign.plan import DISTRICT_CODE
from districts.models import OrgUnit
from hazards.models import Hazard
from oversight.models import Metric, Rollup, RollupState
from reporting.models import Submission


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_the_demo_builds_its_rollups_with_its_hazards_and_reports(db):
    load_demo()
    district = OrgUnit.objects.get(code=DISTRICT_CODE)
    state = RollupState.objects.get(district=district)
    assert state.built_at and state.full_built_at
    month = deadline_today().replace(day=1)

    def figure(metric, variant=""):
        row = Rollup.objects.filter(
            unit=district, sector=None, granularity="month", period_start=month, metric=metric, variant=variant
        ).first()
        return row.value if row else 0

    assert figure(Metric.HAZARDS_OPEN) == Hazard.objects.open().count() > 0
    assert figure(Metric.HAZARDS_OVERDUE) == Hazard.objects.overdue().count() > 0
    assert Submission.objects.exists(), "reporting's demo ran before the rollups were built"
    year = Rollup.objects.filter(unit=district, sector=None, granularity="year", metric=Metric.REPORTS_FILED)
    assert year.filter(variant="").get().value > 0
