"""The reporting screens, through the pages a person opens: who reads which report, what
the office may do and what it never sees (drafts), and what the street's own screens do.

A report outside the user's scope, or a draft of another unit, answers 404."""

import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaign.tests.images import ELF, pdf
from districts.models import Role
from districts.second_factor import force_login_verified
from reporting import services
from reporting.models import Attachment, Status, Submission
from reporting.tests.conftest import EMERGENCY, LEADING_GROUP, OFFICE, TIANSHUI, WULIN, ZHONGBEI, shanghai

pytestmark = pytest.mark.django_db

PDF = pdf()
EXECUTABLE = ELF

HOME = {
    Role.STREET_STAFF: WULIN,
    "other_street": TIANSHUI,
    Role.DEPARTMENT_STAFF: EMERGENCY,
    Role.COMMUNITY_STAFF: ZHONGBEI,
    Role.REVIEWER: OFFICE,
    Role.LEADER: LEADING_GROUP,
    Role.SECURITY_ADMIN: "330103",
}
COLUMNS = ["wulin_draft", "wulin_sent", "tianshui_sent", "emergency_sent"]
# What GET /reports/submissions/<pk>/ answers, per user, for each report in COLUMNS order.
DETAIL = {
    #                     Wulin draft  Wulin sent  Tianshui sent  Emergency sent
    Role.STREET_STAFF:     (200,        200,        404,           404),
    "other_street":        (404,        404,        200,           404),
    Role.DEPARTMENT_STAFF: (404,        404,        404,           200),
    Role.COMMUNITY_STAFF:  (404,        404,        404,           404),
    Role.REVIEWER:         (404,        200,        200,           200),
    Role.LEADER:           (404,        200,        200,           200),
    Role.SECURITY_ADMIN:   (404,        404,        404,           404),
}  # fmt: skip


@pytest.fixture
def as_user(client, unit, make_user):
    def login(who):
        role = Role.STREET_STAFF if who == "other_street" else who
        user = make_user(role, unit(HOME[who]), username=f"view-{who}")
        force_login_verified(client, user)
        return user

    return login


@pytest.fixture
def reports(period, unit, filer, file_report):
    march = period("monthly_item", "2019-03")
    draft = services.submission_start(by=filer(WULIN), unit=unit(WULIN), period=march, title="武林草稿", body="未完")
    return {
        "wulin_draft": draft,
        "wulin_sent": file_report(WULIN, march, at=shanghai(2019, 3, 20, 9), title="武林三月信息"),
        "tianshui_sent": file_report(TIANSHUI, march, at=shanghai(2019, 3, 21, 9), title="天水三月信息"),
        "emergency_sent": file_report(EMERGENCY, march, at=shanghai(2019, 3, 22, 9), title="应急局三月信息"),
    }


@pytest.mark.parametrize(
    "who, key, status",
    [
        pytest.param(who, key, s, id=f"{who}-{key}-{s}")
        for who, row in DETAIL.items()
        for key, s in zip(COLUMNS, row, strict=True)
    ],
)
def test_who_reads_which_report(client, as_user, reports, who, key, status):
    as_user(who)
    assert client.get(reverse("submission_detail", args=[reports[key].pk])).status_code == status


@pytest.mark.parametrize("who", list(DETAIL))
def test_the_list_shows_exactly_the_reports_the_detail_opens(client, as_user, reports, who):
    as_user(who)
    page = client.get(reverse("submission_list")).content.decode()
    for key, status in zip(COLUMNS, DETAIL[who], strict=True):
        assert (reports[key].title in page) == (status == 200), key


def test_the_office_cannot_open_a_draft_to_edit_or_autosave_it(client, as_user, reports):
    as_user(Role.REVIEWER)
    draft = reports["wulin_draft"]
    assert client.get(reverse("submission_edit", args=[draft.pk])).status_code == 404
    response = client.post(reverse("submission_autosave", args=[draft.pk]), {"title": "改", "body": "改"})
    assert response.status_code == 404
    assert Submission.objects.get(pk=draft.pk).title == "武林草稿"
    # A sent report: the office reads it but does not write it.
    assert client.get(reverse("submission_edit", args=[reports["wulin_sent"].pk])).status_code == 403


def test_autosave_keeps_the_draft_and_leaves_history(client, as_user, reports):
    user = as_user(Role.STREET_STAFF)
    draft = reports["wulin_draft"]
    response = client.post(
        reverse("submission_autosave", args=[draft.pk]), {"title": "武林三月（续）", "body": "写到一半"}
    )
    assert response.status_code == 200 and response.json()["id"] == draft.pk
    draft.refresh_from_db()
    assert (draft.title, draft.body, draft.status) == ("武林三月（续）", "写到一半", Status.DRAFT)
    assert draft.history.first().history_user == user


def test_autosave_after_the_sign_in_expired_answers_401_and_changes_nothing(client, reports):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    draft = reports["wulin_draft"]
    response = client.post(reverse("submission_autosave", args=[draft.pk]), {"title": "丢了吗", "body": "没有"})
    assert response.status_code == 401
    assert "sign-in has expired" in response.json()["error"]
    assert Submission.objects.get(pk=draft.pk).body == "未完"


def test_autosave_of_a_report_with_the_office_is_refused(client, as_user, reports):
    as_user(Role.STREET_STAFF)
    sent = reports["wulin_sent"]
    response = client.post(reverse("submission_autosave", args=[sent.pk]), {"title": "偷改", "body": "偷改"})
    assert response.status_code == 409
    assert Submission.objects.get(pk=sent.pk).title == "武林三月信息"


def test_the_first_keystrokes_of_a_new_report_make_a_draft(client, as_user, period, unit):
    as_user(Role.STREET_STAFF)
    q1 = period("quarterly_progress", "2019-Q1")
    url = reverse("submission_new_autosave", args=[q1.pk, unit(WULIN).pk])
    first = client.post(url, {"title": "一季度进展", "body": "开"})
    assert first.status_code == 201
    draft = Submission.objects.get(pk=first.json()["id"])
    assert (draft.unit.code, draft.period, draft.status, draft.body) == (WULIN, q1, Status.DRAFT, "开")
    # The page then saves to the draft; a second "new" for a one-a-quarter report is refused.
    assert client.post(first.json()["autosave_url"], {"title": "一季度进展", "body": "开展"}).status_code == 200
    assert client.post(url, {"title": "again", "body": "again"}).status_code == 409
    assert Submission.objects.filter(period=q1).count() == 1
    # Opening "new" again leads to the draft.
    assert client.get(reverse("submission_new", args=[q1.pk, unit(WULIN).pk])).url == reverse(
        "submission_edit", args=[draft.pk]
    )


def test_a_street_cannot_write_for_another_street(client, as_user, period, unit):
    as_user(Role.STREET_STAFF)
    march = period("monthly_item", "2019-03")
    assert client.get(reverse("submission_new", args=[march.pk, unit(TIANSHUI).pk])).status_code == 403
    url = reverse("submission_new_autosave", args=[march.pk, unit(TIANSHUI).pk])
    assert client.post(url, {"title": "t", "body": "b"}).status_code == 403
    assert not Submission.objects.filter(unit__code=TIANSHUI).exists()


def test_filing_through_the_form_with_an_attachment_then_submitting(client, as_user, period, unit):
    as_user(Role.STREET_STAFF)
    march = period("monthly_item", "2019-03")
    pdf = SimpleUploadedFile("三月检查记录.pdf", PDF, content_type="application/pdf")
    response = client.post(
        reverse("submission_new", args=[march.pk, unit(WULIN).pk]),
        {"title": "武林三月", "body": "检查了12家餐饮店。", "attachments": [pdf], "action": "submit"},
    )
    report = Submission.objects.get(title="武林三月")
    assert response.url == reverse("submission_detail", args=[report.pk])
    assert report.status == Status.SUBMITTED and report.is_late  # it is long after March 2019
    attachment = report.attachments.get()
    assert attachment.original_name == "三月检查记录.pdf" and attachment.kind == "pdf"
    download = client.get(reverse("report_attachment", args=[report.pk, attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "no-store" in download["Cache-Control"] and "private" in download["Cache-Control"]


def test_a_file_that_is_not_what_it_claims_is_refused_and_the_text_stays_on_the_page(client, as_user, reports):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    as_user(Role.STREET_STAFF)
    draft = reports["wulin_draft"]
    fake = SimpleUploadedFile("总结.pdf", EXECUTABLE, content_type="application/pdf")
    response = client.post(
        reverse("submission_edit", args=[draft.pk]),
        {"title": "武林草稿", "body": "我新写的一段话", "attachments": [fake], "action": "save"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "is not a PDF, Word, Excel, PowerPoint, text or image file" in page
    assert "我新写的一段话" in page  # what was typed comes back in the form
    assert not Attachment.objects.exists()


def test_attachments_are_served_only_to_who_may_read_the_report(client, as_user, reports, filer, unit, office):
    from campaign.lib.uploads import clean_attachment

    draft = reports["wulin_draft"]
    services.attachment_add(
        submission=draft, by=filer(WULIN), upload=clean_attachment(SimpleUploadedFile("a.pdf", PDF))
    )
    attachment = draft.attachments.get()
    url = reverse("report_attachment", args=[draft.pk, attachment.pk])
    force_login_verified(client, office)
    assert client.get(url).status_code == 404  # a draft's files too are the unit's own
    as_user("other_street")
    assert client.get(url).status_code == 404
    as_user(Role.STREET_STAFF)
    assert client.get(url).status_code == 200


def test_the_office_returns_with_comments_and_the_street_sees_them(client, as_user, reports, filer):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    as_user(Role.REVIEWER)
    sent = reports["wulin_sent"]
    url = reverse("submission_review", args=[sent.pk])
    no_comment = client.post(url, {"action": "return", "comment": ""})
    assert "Say what the unit should change." in no_comment.content.decode()
    assert Submission.objects.get(pk=sent.pk).status == Status.SUBMITTED
    client.post(url, {"action": "return", "comment": "请补充检查家数。"})
    assert Submission.objects.get(pk=sent.pk).status == Status.RETURNED
    force_login_verified(client, filer(WULIN))
    page = client.get(reverse("submission_edit", args=[sent.pk])).content.decode()
    assert "请补充检查家数。" in page and "Submit again" in page


def test_a_street_cannot_review_its_own_report(client, as_user, reports):
    as_user(Role.STREET_STAFF)
    sent = reports["wulin_sent"]
    assert client.post(reverse("submission_review", args=[sent.pk]), {"action": "accept"}).status_code == 403
    assert client.post(reverse("submission_reopen", args=[sent.pk]), {"reason": "x"}).status_code == 403
    assert Submission.objects.get(pk=sent.pk).status == Status.SUBMITTED


def test_an_accepted_report_is_locked_on_screen_and_the_office_reopens_it_with_a_reason(
    client, as_user, reports, filer, office
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    sent = reports["wulin_sent"]
    services.submission_accept(submission=sent, by=office)
    force_login_verified(client, filer(WULIN))
    response = client.get(reverse("submission_edit", args=[sent.pk]))
    assert response.url == reverse("submission_detail", args=[sent.pk])
    client.post(reverse("submission_edit", args=[sent.pk]), {"title": "改", "body": "改", "action": "save"})
    assert Submission.objects.get(pk=sent.pk).title == "武林三月信息"

    force_login_verified(client, office)
    page = client.post(reverse("submission_reopen", args=[sent.pk]), {"reason": ""}).content.decode()
    assert "Give the reason for reopening an accepted report." in page
    client.post(reverse("submission_reopen", args=[sent.pk]), {"reason": "统计口径有误"})
    assert Submission.objects.get(pk=sent.pk).status == Status.SUBMITTED
    detail = client.get(reverse("submission_detail", args=[sent.pk])).content.decode()
    assert "Reopened" in detail and "统计口径有误" in detail


def test_the_calendar_shows_each_user_the_units_they_may_see(client, as_user, reports):
    as_user(Role.REVIEWER)
    page = client.get(reverse("report_calendar")).content.decode()
    assert page.count("<tr data-unit=") == 15  # 8 streets and 7 departments
    as_user(Role.STREET_STAFF)
    page = client.get(reverse("report_calendar")).content.decode()
    assert page.count("<tr data-unit=") == 1 and f'data-unit="{WULIN}"' in page
    as_user(Role.SECURITY_ADMIN)
    assert client.get(reverse("report_calendar")).status_code == 403


def test_the_calendar_cell_links_to_its_report(client, as_user, reports):
    as_user(Role.REVIEWER)
    page = client.get(reverse("report_calendar")).content.decode()
    row = page.split(f'data-unit="{WULIN}"')[1].split("</tr>")[0]
    march = row.split('data-period="2019-03"')[1].split("</td>")[0]
    assert f'href="/reports/submissions/{reports["wulin_sent"].pk}/"' in march
    assert 'data-state="on_time"' in march


def test_a_street_sees_what_it_owes(client, as_user, reports):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    as_user(Role.STREET_STAFF)
    response = client.get(reverse("reporting_home"))
    assert response.url == reverse("my_reports")
    page = client.get(response.url).content.decode()
    todo = page.split('data-testid="todo"')[1].split("</ul>")[0]
    # Long past: every period but March's item is missing, the earliest due first; March has a draft too.
    assert todo.index('data-period="2019-02"') < todo.index('data-period="once"') < todo.index('data-period="2020-12"')
    assert 'data-period="2019-03"' not in todo
    assert "days overdue" in todo


def test_a_community_sees_that_it_files_nothing(client, as_user):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    as_user(Role.COMMUNITY_STAFF)
    assert "Your unit files no periodic reports." in client.get(reverse("my_reports")).content.decode()


def test_an_oversize_attachment_is_refused_with_its_limit(client, as_user, reports, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.UPLOAD_MAX_ATTACHMENT_BYTES = 1024
    as_user(Role.STREET_STAFF)
    draft = reports["wulin_draft"]
    big = SimpleUploadedFile("大文件.pdf", PDF[:-7] + b" " * 2048 + b"%%EOF\n", content_type="application/pdf")
    page = client.post(
        reverse("submission_edit", args=[draft.pk]),
        {"title": "武林草稿", "body": "未完", "attachments": [big], "action": "save"},
    ).content.decode()
    assert "is larger than 1.0" in page
    assert not Attachment.objects.exists()


def test_every_autosave_is_a_version_in_the_history_and_none_is_rewritten(client, as_user, reports):
    user = as_user(Role.STREET_STAFF)
    draft = reports["wulin_draft"]
    versions = draft.history.count()
    url = reverse("submission_autosave", args=[draft.pk])
    for body in ("写", "写到", "写到一半"):
        assert client.post(url, {"title": draft.title, "body": body}).status_code == 200
    client.post(url, {"title": draft.title, "body": "写到一半"})  # nothing changed: nothing saved

    # The earlier texts are all still there, newest first, each with its writer.
    assert draft.history.count() == versions + 3
    assert [v.body for v in draft.history.all()[:3]] == ["写到一半", "写到", "写"]
    assert {v.history_user for v in draft.history.all()[:3]} == {user}


@pytest.mark.parametrize("review", [None, "accept", "return"], ids=["submitted", "accepted", "returned"])
@pytest.mark.parametrize("who", [Role.LEADER, Role.STREET_STAFF])
def test_a_review_by_someone_who_never_reviews_is_refused_for_their_role_not_the_reports_state(
    client, as_user, period, file_report, review, who
):
    """The leading group reads reports and reviews none: whatever state a report is in, it is told
    it may not, not that a report "that is accepted cannot be accepted"."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    report = file_report(WULIN, period("monthly_item", "2019-04"), at=shanghai(2019, 4, 20, 9), review=review)
    before = (report.status, report.events.count())
    as_user(who)
    for url, data in [
        (reverse("submission_review", args=[report.pk]), {"action": "accept", "comment": "好"}),
        (reverse("submission_review", args=[report.pk]), {"action": "return", "comment": "改"}),
        (reverse("submission_reopen", args=[report.pk]), {"reason": "重审"}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 403, url
        page = response.content.decode()
        assert "Only the creation office reviews reports." in page
        assert "cannot be" not in page
    report.refresh_from_db()
    assert (report.status, report.events.count()) == before


def test_the_reports_page_offers_what_the_table_allows_this_user(client, as_user, reports, office, filer):
    sent = reports["wulin_sent"]
    url = reverse("submission_detail", args=[sent.pk])
    as_user(Role.LEADER)
    assert client.get(url).context["actions"] == []
    force_login_verified(client, office)
    assert client.get(url).context["actions"] == ["accept", "return"]
    services.submission_accept(submission=sent, by=office)
    assert client.get(url).context["actions"] == ["reopen"]
    force_login_verified(client, filer(WULIN))
    assert client.get(url).context["actions"] == []
    draft = client.get(reverse("submission_detail", args=[reports["wulin_draft"].pk]))
    assert draft.context["actions"] == ["edit", "submit"]


def test_the_own_reports_grid_names_the_year_of_each_month(client, as_user, reports):
    """The campaign runs from February 2019 to December 2020: its months come in two groups,
    each headed by its year, so that "3月" is never ambiguous."""
    as_user(Role.STREET_STAFF)
    page = client.get(reverse("my_reports")).content.decode()
    grid = page.split('data-testid="unit-calendar" data-type="monthly_item"')[1].split('data-testid="unit-calendar"')[0]
    groups = re.findall(
        r'data-year="(\d{4})">\s*<div[^>]*data-testid="grid-year">([^<]*)</div>(.*?)(?=data-year=|\Z)', grid, re.S
    )
    assert [(year, label) for year, label, _cells in groups] == [("2019", "2019年度"), ("2020", "2020年度")]
    months = {year: re.findall(r'<div class="text-muted">(\d+月)</div>', cells) for year, _label, cells in groups}
    assert months["2019"] == [f"{m}月" for m in range(2, 13)]
    assert months["2020"] == [f"{m}月" for m in range(1, 13)]
