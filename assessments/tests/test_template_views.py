"""The office's template screens, through requests: who sees them, what they show."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from assessments import rubric, services
from assessments.models import Template
from districts.models import OrgUnit, Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def leader(plan, make_user):
    return make_user(Role.LEADER, OrgUnit.objects.get(code="330103-LDXZ"))


def test_the_office_sees_the_templates_and_their_versions(client, sign_in, office, small_template, make_run):
    make_run(small_template)
    services.item_edit(by=office, item=small_template.items.get(code="1.1"), name="城市安全规划")
    page = sign_in(client, office).get(reverse("assessment_template_list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-template-code="district"' in html
    assert 'data-version="2"' in html and 'data-version="1"' in html
    assert 'data-testid="frozen"' in html and 'data-testid="draft"' in html


@pytest.mark.parametrize("who", ["street_staff"])
def test_street_staff_are_refused_every_template_page(client, sign_in, who, request, small_template):
    sign_in(client, request.getfixturevalue(who))
    for url in (
        reverse("assessment_template_list"),
        reverse("assessment_template_detail", args=[small_template.pk]),
        reverse("assessment_template_export", args=[small_template.pk]),
        reverse("import_assessment_templates"),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("assessment_template_new_version", args=[small_template.pk])).status_code == 403
    assert Template.objects.count() == 1


def test_a_leader_reads_but_may_not_make_a_version(client, sign_in, leader, small_template):
    sign_in(client, leader)
    page = client.get(reverse("assessment_template_detail", args=[small_template.pk]))
    assert page.status_code == 200 and 'data-testid="new-version"' not in page.content.decode()
    assert client.post(reverse("assessment_template_new_version", args=[small_template.pk])).status_code == 403
    assert client.get(reverse("import_assessment_templates")).status_code == 403
    assert Template.objects.count() == 1


def test_a_version_shows_its_tree_rules_as_written_and_to_be_verified(client, sign_in, office, plan):
    rubric.load()
    t = Template.objects.get(code="national-2019")
    sign_in(client, office)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("assessment_template_detail", args=[t.pk]))
    html = page.content.decode()
    assert 'data-item="1.2.1"' in html and "市政安全设施" in html
    assert "(2)市政供水、供热和燃气老旧管网改造率≤80%的,扣1分" in html
    assert "指标 &lt;= 80% 时扣 1 分" in html
    assert html.count('data-testid="unverified"') == t.items.filter(unverified=True).count()
    assert "1.2 城市基础及安全设施建设：下级项目合计 8 分，而非 9 分。" in html
    # session and user, memberships, the template, items, rules, sectors, versions, problems (items, rules)
    assert len(queries) <= 14, [q["sql"][:80] for q in queries]


def test_making_a_new_version_from_the_page(client, sign_in, office, small_template):
    response = sign_in(client, office).post(reverse("assessment_template_new_version", args=[small_template.pk]))
    new = Template.objects.get(code="district", version=2)
    assert response.status_code == 302 and response["Location"] == reverse("assessment_template_detail", args=[new.pk])
    assert new.items.count() == 4


def test_the_export_downloads_the_versions_tree(client, sign_in, office, small_template):
    response = sign_in(client, office).get(reverse("assessment_template_export", args=[small_template.pk]))
    assert response.status_code == 200
    assert 'filename="district-v1.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("模板编号", "模板名称", "编号", "名称", "分值")
    assert [r[2] for r in rows[1:]] == ["1", "1.1", "1.2", "7"]
    assert rows[2][7] == "按处扣分：每处=0.5，上限=2｜每发现一处扣0.5分,2分扣完为止"


def test_the_import_page_opens_for_the_office(client, sign_in, office):
    page = sign_in(client, office).get(reverse("import_assessment_templates"))
    assert page.status_code == 200
