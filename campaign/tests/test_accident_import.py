"""The accident register and the yearly values as spreadsheets: an export re-imports unchanged;
a file is previewed, then written row by row through the services (grade, permission, history);
a file with any bad row is reported row by row in Chinese and nothing of it is written; a user
imports only for the units they may write."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.translation import override

from campaign.lib.xlsx.files import read_xlsx
from campaign.lib.xlsx.runner import run_import
from campaign.models import Accident, AccidentGrade, YearlyValue
from campaign.resources import AccidentResource, YearlyValueResource
from campaign.services.accidents import yearly_value_set
from campaign.tests.accident_fixtures import DENGXIN, DISTRICT, TIANSHUI, WULIN, ZHONGBEI
from districts.second_factor import force_login_verified
from districts.tests.factories import SiteFactory
from districts.tests.import_helpers import xlsx
from jobs.models import Job

pytestmark = pytest.mark.django_db

HEADERS = ["事故日期", "所在街道", "所在社区/网格", "重点领域", "事故类型", "事故简况", "死亡人数", "重伤人数",
           "直接经济损失（万元）"]  # fmt: skip
YEARLY_HEADERS = ["年份", "单位编码", "地区生产总值（亿元）", "GDP数据来源", "死亡人数", "死亡人数来源"]


def row(summary="外墙脚手架坠落", *, street="武林街道", place="中北社区", deaths=1, injuries=0, loss="12.5",
        on="2026-03-05", sector="建设施工", kind="高处坠落"):  # fmt: skip
    return [on, street, place, sector, kind, summary, deaths, injuries, loss]


def imported(resource_class, user, content, *, dry_run=False):
    with override("zh-hans"):
        return run_import(resource_class(user=user), read_xlsx(io.BytesIO(content)), dry_run=dry_run)


def export(user, name) -> bytes:
    from django.test import Client

    client = Client()
    force_login_verified(client, user)
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content


def errors_by_row(report) -> dict:
    found = {}
    for number, column, message in report.error_tuples():
        found.setdefault(number, []).append((column, message))
    return found


# ---------------------------------------------------------------- accidents


def test_an_accident_export_reimports_unchanged(people, record, unit, sector):
    site = SiteFactory(unit=unit(ZHONGBEI), sector=sector("fire_safety"))
    record(people["office"], ZHONGBEI, site=site, location="体育场路12号", direct_loss=Decimal("1234.57"))
    record(people["office"], WULIN, deaths=3, serious_injuries=2, direct_loss=Decimal("0"))
    record(people["office"], DISTRICT, summary="区级事故", direct_loss=Decimal("5000"))
    record(people["office"], f"{ZHONGBEI}", occurred_on=datetime.date(2019, 7, 1), investigation_status="closed")
    history = Accident.history.count()
    content = export(people["office"], "export_accidents")
    report = imported(AccidentResource, people["office"], content)
    assert report.ok, report.error_tuples()
    assert (report.new, report.updated, report.unchanged) == (0, 0, 4)
    assert Accident.history.count() == history
    sheet = read_xlsx(io.BytesIO(content))
    assert "事故等级" in sheet.headers and "登记号" in sheet.headers
    assert {r["事故等级"] for r in sheet.dict} == {"一般事故", "较大事故", "重大事故"}


def test_a_file_is_previewed_then_written_through_the_service(people):
    content = xlsx(HEADERS, [row(), row("商铺火灾", deaths=3, sector="消防安全", kind="火灾")])
    preview = imported(AccidentResource, people["street"], content, dry_run=True)
    assert preview.ok, preview.error_tuples()
    assert preview.new == 2 and not Accident.objects.exists() and not Accident.history.exists()
    done = imported(AccidentResource, people["street"], content)
    assert done.committed
    grades = dict(Accident.objects.values_list("summary", "grade"))
    assert grades == {"外墙脚手架坠落": AccidentGrade.GENERAL, "商铺火灾": AccidentGrade.LARGER}
    assert set(Accident.history.values_list("history_type", "history_user__username")) == {("+", "street")}
    assert Accident.history.count() == 2


def test_each_row_is_written_by_the_register_service(people, record, monkeypatch):
    """The rules live once: an import row goes through accident_create / accident_update, as a form does."""
    from campaign import resources
    from campaign.services import accidents as services

    calls = []
    for name in ("accident_create", "accident_update"):
        real = getattr(services, name)
        monkeypatch.setattr(
            resources, name, lambda *a, _real=real, _name=name, **kw: calls.append(_name) or _real(*a, **kw)
        )
    accident = record(people["office"], ZHONGBEI)
    headers = ["登记号", *HEADERS]
    content = xlsx(headers, [[accident.pk, *row("改过的简况")], ["", *row("新的一起")]])
    assert imported(AccidentResource, people["office"], content).committed
    assert sorted(calls) == ["accident_create", "accident_update"]


def test_a_changed_row_updates_its_accident_and_regrades_it(people, record):
    accident = record(people["office"], ZHONGBEI, deaths=1)
    content = export(people["office"], "export_accidents")
    sheet = read_xlsx(io.BytesIO(content))
    headers = [h for h in sheet.headers if h != "__row__"]
    values = [[r[h] for h in headers] for r in sheet.dict]
    values[0][headers.index("死亡人数")] = 10
    report = imported(AccidentResource, people["bureau"], xlsx(headers, values))
    assert (report.updated, report.new) == (1, 0), report.error_tuples()
    accident.refresh_from_db()
    assert (accident.deaths, accident.grade) == (10, AccidentGrade.MAJOR)
    assert accident.history.latest().history_user.username == "bureau"


def test_a_row_that_only_moves_an_accident_moves_it(people, record, unit):
    """The place is no plain field of the row (street, community code and name): a row that changes
    only it is a change, not an unchanged row."""
    accident = record(people["office"], ZHONGBEI)
    sheet = read_xlsx(io.BytesIO(export(people["office"], "export_accidents")))
    headers = [h for h in sheet.headers if h != "__row__"]
    values = [[r[h] for h in headers] for r in sheet.dict]
    values[0][headers.index("所在街道")] = "天水街道"
    values[0][headers.index("所在社区/网格编码")] = DENGXIN
    values[0][headers.index("所在社区/网格")] = ""
    report = imported(AccidentResource, people["office"], xlsx(headers, values))
    assert (report.updated, report.unchanged) == (1, 0), report.error_tuples()
    accident.refresh_from_db()
    assert accident.unit == unit(DENGXIN)


def test_every_bad_row_is_reported_with_its_number_and_nothing_is_written(people):
    rows = [
        row("好的一行"),
        row(deaths="３"),
        row(deaths="٣"),
        row(loss="-5"),
        row(deaths=10**12),
        row(street="不存在街道"),
        row(""),
        row(street="天水街道", place="灯芯巷社区"),  # another street's place
        row(on="2999-01-01"),
        row(loss="1e9"),
        row(kind="翻车"),
    ]
    report = imported(AccidentResource, people["street"], xlsx(HEADERS, rows))
    assert not report.committed
    found = errors_by_row(report)
    assert set(found) == set(range(3, 13))
    assert dict(found[3]).keys() == {"死亡人数"} and "阿拉伯数字" in dict(found[3])["死亡人数"]
    assert "死亡人数" in dict(found[4])
    assert "直接经济损失（万元）" in dict(found[5])
    assert "死亡人数" in dict(found[6])
    assert "所在街道" in dict(found[7])
    assert "事故简况" in dict(found[8])
    assert "无权" in " ".join(m for _c, m in found[9])
    assert "事故日期" in dict(found[10])
    assert "直接经济损失（万元）" in dict(found[11])
    assert "事故类型" in dict(found[12])
    assert not Accident.objects.exists() and not Accident.history.exists()


def test_a_street_cannot_change_another_streets_accident_by_its_register_number(people, record):
    other = record(people["office"], DENGXIN, summary="天水的事故")
    headers = ["登记号", *HEADERS]
    content = xlsx(headers, [[other.pk, *row("改成武林的", street="天水街道", place="灯芯巷社区")]])
    report = imported(AccidentResource, people["street"], content)
    assert not report.ok
    assert "登记号" in dict(errors_by_row(report)[2])
    assert Accident.objects.get(pk=other.pk).summary == "天水的事故"


def test_a_register_number_twice_in_a_file_is_reported(people, record):
    accident = record(people["office"], ZHONGBEI)
    headers = ["登记号", *HEADERS]
    content = xlsx(headers, [[accident.pk, *row("一")], [accident.pk, *row("二")]])
    report = imported(AccidentResource, people["office"], content)
    assert "第 2 行" in dict(errors_by_row(report)[3])["登记号"]


def test_a_leader_may_not_import(client, people):
    force_login_verified(client, people["leader"])
    assert client.get(reverse("import_accidents")).status_code == 403
    assert client.get(reverse("import_accidents_template")).status_code == 403


def test_an_import_through_the_job_screens(client, people, eager, django_capture_on_commit_callbacks):
    force_login_verified(client, people["office"])
    upload = io.BytesIO(xlsx(HEADERS, [row(), row("二号", street="天水街道", place="灯芯巷社区")]))
    upload.name = "accidents.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import_accidents"), {"file": upload})
    preview = Job.objects.get()
    assert response["Location"] == reverse("job_detail", args=[preview.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="confirm-import"' in page and "外墙脚手架坠落" in page
    assert not Accident.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("import_accidents_confirm", args=[preview.pk]))
    job = Job.objects.exclude(pk=preview.pk).get()
    assert (job.state, job.report["committed"], job.report["new"]) == ("done", True, 2)
    assert Accident.objects.count() == 2
    assert reverse("accident_list") in client.get(done["Location"]).content.decode()


# ---------------------------------------------------------------- yearly values


def test_a_yearly_value_export_reimports_unchanged(people, unit, record):
    office = people["office"]
    yearly_value_set(by=office, unit=unit(DISTRICT), year=2016, gdp=Decimal("905.6"), gdp_source="下城区统计年鉴2017",
                     deaths_override=20, deaths_source="安监局统计")  # fmt: skip
    yearly_value_set(by=office, unit=unit(WULIN), year=2016, gdp=Decimal("226.30"), gdp_source="年鉴（分街道）")
    yearly_value_set(by=office, unit=unit(WULIN), year=2020, gdp=Decimal("262"), gdp_source="公报")
    record(office, ZHONGBEI, deaths=2, occurred_on=datetime.date(2020, 3, 1))
    history = YearlyValue.history.count()
    content = export(office, "export_yearly_values")
    report = imported(YearlyValueResource, office, content)
    assert report.ok, report.error_tuples()
    assert (report.new, report.updated, report.unchanged) == (0, 0, 3)
    assert YearlyValue.history.count() == history
    rows = read_xlsx(io.BytesIO(content)).dict
    wulin_2020 = next(r for r in rows if r["单位编码"] == WULIN and r["年份"] == 2020)
    assert (wulin_2020["事故登记死亡人数"], wulin_2020["死亡人数"]) == (2, None)


def test_yearly_values_are_set_and_changed_by_file(people, unit):
    yearly_value_set(by=people["office"], unit=unit(WULIN), year=2016, gdp=Decimal("200"), gdp_source="旧来源")
    rows = [
        [2016, WULIN, "226.3", "下城区统计年鉴2017（分街道）", 3, "安监局统计"],
        [2016, "天水街道", 118.7, "下城区统计年鉴2017（分街道）", "", ""],
        ["2016", DISTRICT, "905.6", "下城区统计年鉴2017", 20, "安监局统计"],
    ]
    report = imported(YearlyValueResource, people["bureau"], xlsx(YEARLY_HEADERS, rows))
    assert report.committed, report.error_tuples()
    assert (report.new, report.updated) == (2, 1)
    wulin = YearlyValue.objects.get(unit=unit(WULIN), year=2016)
    assert (wulin.gdp, wulin.deaths_override) == (Decimal("226.3"), 3)
    assert wulin.history.latest().history_user.username == "bureau"
    tianshui = YearlyValue.objects.get(unit=unit(TIANSHUI), year=2016)
    assert (tianshui.gdp, tianshui.deaths_override) == (Decimal("118.7"), None)


def test_bad_yearly_value_rows_are_reported_and_nothing_is_written(people):
    rows = [
        [2016, WULIN, "226.3", "年鉴", "", ""],
        [2016, WULIN, "1", "年鉴", "", ""],  # the same unit and year again
        [2016, ZHONGBEI, "1", "年鉴", "", ""],  # a community
        [2016, "火星街道", "1", "年鉴", "", ""],
        [2016, TIANSHUI, "118.7", "", "", ""],  # GDP without its source
        ["２０１６", TIANSHUI, "1", "年鉴", "", ""],
        [2016, DISTRICT, "1", "年鉴", "３", "统计"],
        [1899, DISTRICT, "1", "年鉴", "", ""],
    ]
    report = imported(YearlyValueResource, people["office"], xlsx(YEARLY_HEADERS, rows))
    assert not report.committed
    found = errors_by_row(report)
    assert set(found) == set(range(3, 10))
    assert "第 2 行" in dict(found[3])["单位编码"]
    assert "不是区或街道" in dict(found[4])["单位编码"]
    assert "火星街道" in dict(found[5])["单位编码"]
    assert "GDP数据来源" in dict(found[6])
    assert "年份" in dict(found[7])
    assert "死亡人数" in dict(found[8])
    assert "年份" in dict(found[9])
    assert not YearlyValue.objects.exists()


def test_a_street_may_not_import_yearly_values(client, people):
    force_login_verified(client, people["street"])
    assert client.get(reverse("import_yearly_values")).status_code == 403
    report = imported(YearlyValueResource, people["street"], xlsx(YEARLY_HEADERS, [[2016, WULIN, "1", "自报", "", ""]]))
    assert not report.ok and "单位编码" in dict(errors_by_row(report)[2])
    assert not YearlyValue.objects.exists()
