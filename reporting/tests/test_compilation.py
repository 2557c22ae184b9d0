"""The compilation for the leading group: one period's accepted reports on one printable
page, and the same as a workbook; what was not filed is named."""

import io

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from districts.second_factor import force_login_verified
from reporting.tests.conftest import EMERGENCY, TIANSHUI, WULIN, shanghai

pytestmark = pytest.mark.django_db


@pytest.fixture
def march(period, file_report):
    march = period("monthly_item", "2019-03")
    file_report(WULIN, march, at=shanghai(2019, 3, 29, 9), review="accept", title="武林：燃气检查")
    file_report(TIANSHUI, march, at=shanghai(2019, 4, 2, 9), review="accept", title="天水：消防培训")
    file_report(EMERGENCY, march, at=shanghai(2019, 3, 30, 9), title="应急局：待审核的一份")
    file_report(WULIN, period("monthly_item", "2019-04"), at=shanghai(2019, 4, 20, 9), review="accept", title="四月的")
    return march


def test_the_page_holds_the_periods_accepted_reports_and_names_who_did_not_file(client, office, march):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    force_login_verified(client, office)
    response = client.get(reverse("report_compilation"), {"type": "monthly_item", "period": march.pk})
    page = response.content.decode()
    compiled = page.split('data-testid="compiled"')[1:]
    assert [c.split("·")[1].split("</h2>")[0].strip() for c in compiled] == ["武林：燃气检查", "天水：消防培训"]
    assert "late" in compiled[1] and "late" not in compiled[0]
    assert "应急局：待审核的一份" not in page and "四月的" not in page
    summary = page.split('data-testid="compile-summary"')[1].split("</p>")[0]
    assert "expected 15" in summary and "filed 3" in summary and "on time 2" in summary
    not_filed = page.split('data-testid="not-filed"')[1].split("</p>")[0]
    assert "长庆街道" in not_filed and "武林街道" not in not_filed and "区应急管理局" not in not_filed


def test_the_workbook_has_one_row_per_accepted_report(client, office, march):
    force_login_verified(client, office)
    response = client.get(reverse("report_compilation_xlsx"), {"type": "monthly_item", "period": march.pk})
    assert response["Content-Disposition"] == 'attachment; filename="reports-monthly_item-2019-03.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "单位", "标题", "正文")
    assert [(r[1], r[2], r[5]) for r in rows[1:]] == [
        ("武林街道", "武林：燃气检查", "按时"),
        ("天水街道", "天水：消防培训", "逾期"),
    ]


def test_a_street_compiles_only_its_own(client, filer, march):
    force_login_verified(client, filer(TIANSHUI))
    page = client.get(reverse("report_compilation"), {"type": "monthly_item", "period": march.pk}).content.decode()
    assert "天水：消防培训" in page and "武林：燃气检查" not in page
