"""Test data for the district's structure. Units come from the plan (fixture `plan`);
these make what the plan does not hold: sites, grids and inspection teams."""

import factory

from districts.models import OrgUnit, Site
from districts.validators import credit_code_check_char


def credit_code_for(n: int, division: str = "330103") -> str:
    """A valid, distinct unified social credit code for each n."""
    body = f"91{division}{n:09d}"
    return body + credit_code_check_char(body)


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"测试场所{n:05d}")
    credit_code = factory.Sequence(credit_code_for)
    category = Site.Category.ENTERPRISE


def add_grids(community: OrgUnit, count: int) -> list[OrgUnit]:
    return [
        OrgUnit.objects.create(
            code=f"{community.code}-G{g:03d}",
            name=f"{community.name}第{g}网格",
            kind=OrgUnit.Kind.GRID,
            parent=community,
        )
        for g in range(1, count + 1)
    ]


def add_team(code: str, district: OrgUnit, assigned: list[OrgUnit]) -> OrgUnit:
    team = OrgUnit.objects.create(code=code, name=f"巡查组{code}", kind=OrgUnit.Kind.TEAM, parent=district)
    team.assigned_units.set(assigned)
    return team
