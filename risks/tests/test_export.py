"""The risk list exports what it shows: its Export button keeps the list's filters, the workbook
holds exactly the filtered rows of the user's scope, and the download is on the audit trail."""

import datetime
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEvent
from districts.models import Role, Sector
from risks.models import AccidentType, RiskPoint

pytestmark = pytest.mark.django_db

WULIN = "330103002"
ZHONGBEI = "330103002051"
TIANSHUI = "330103003"


@pytest.fixture
def register(plan, unit):
    fire = Sector.objects.get(code="fire_safety")
    today = timezone.localdate()

    def risk(name, place, review_in):
        return RiskPoint.objects.create(
            code=f"R-{name}",
            name=name,
            unit=unit(place),
            sector=fire,
            accident_type=AccidentType.FIRE,
            responsible_unit=unit(place),
            responsible_person="王五",
            next_review_on=today + datetime.timedelta(days=review_in),
        )

    return [
        risk("武林配电房", WULIN, -3),
        risk("中北液化气站", ZHONGBEI, -1),
        risk("中北仓库", ZHONGBEI, 40),
        risk("天水配电房", TIANSHUI, -3),
    ]


def names_in(content: bytes) -> set[str]:
    sheet = load_workbook(BytesIO(content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("风险点名称")
    return {row[column] for row in rows[1:]}


def test_the_risk_list_offers_an_export_of_what_it_shows(client, sign_in, register, make_user, unit):
    sign_in(client, make_user(Role.STREET_STAFF, unit(WULIN)))
    params = {"overdue": "true", "q": "配电房"}
    page = client.get(reverse("risk_list"), params)
    shown = {risk.name for risk in page.context["page"]}
    assert shown == {"武林配电房"}, "Tianshui's 配电房 is not Wulin's; the 仓库 is not overdue"
    link = f"{reverse('export_risks')}?{page.context['query']}"
    assert f'href="{link.replace("&", "&amp;")}"' in page.content.decode()

    response = client.get(link)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="risks-')
    assert names_in(response.content) == shown
    event = AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).latest("at")
    assert event.detail["view"] == "export_risks"


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, {"武林配电房", "中北液化气站", "中北仓库"}),
        ({"overdue": "true"}, {"武林配电房", "中北液化气站"}),
        ({"overdue": "false"}, {"中北仓库"}),
        ({"q": "中北"}, {"中北液化气站", "中北仓库"}),
    ],
)
def test_the_export_holds_the_filtered_rows_of_the_users_scope_only(
    client, sign_in, register, make_user, unit, params, expected
):
    sign_in(client, make_user(Role.STREET_STAFF, unit(WULIN)))
    listed = {risk.name for risk in client.get(reverse("risk_list"), params).context["page"]}
    exported = names_in(client.get(reverse("export_risks"), params).content)
    assert exported == listed == expected
