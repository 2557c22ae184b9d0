"""The runs' screens through the pages a person opens: who sees which side, who may save an item
(the matrix), N/A's reason, the autosave, and uploads that are not photos."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from assessments import run_services as services
from assessments.models import Answer, AnswerState, Finding, Side
from assessments.tests.run_fixtures import *  # noqa: F403 (the fixtures)
from assessments.tests.run_fixtures import DISTRICT, WULIN
from campaign.tests.images import ELF, png_header_only, upload
from districts.models import Role
from districts.tests.factories import add_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_of(sign_in, users):
    def make(who):
        return sign_in(Client(), users[who] if who else None)

    return make


def _pages(run, item):
    return {
        "self": reverse("assessment_score", args=[run.pk, "self"]),
        "review": reverse("assessment_score", args=[run.pk, "review"]),
        "save_self": reverse("assessment_item_autosave", args=[run.pk, "self", item.pk]),
        "save_review": reverse("assessment_item_autosave", args=[run.pk, "review", item.pk]),
    }


# Before publication: (self page, review page, save self, save review) as status codes.
MATRIX = {
    "street": (200, 404, 200, 404),  # its own self side; the review is not there for it yet
    "other_street": (404, 404, 404, 404),
    "community": (404, 404, 404, 404),  # a community of Wulin is not Wulin
    "department": (404, 404, 404, 404),  # leading a sector is no view of the streets' assessments
    "inspector": (200, 200, 403, 200),  # the round's team scores the review
    "other_inspector": (404, 404, 404, 404),  # a team that does not cover Wulin
    "reviewer": (200, 200, 403, 403),  # the office reviews and publishes, it does not score
    "leader": (200, 200, 403, 403),  # reads everything, writes nothing
}


@pytest.mark.parametrize(("who", "expected"), list(MATRIX.items()), ids=list(MATRIX))
def test_who_sees_and_scores_which_side_before_publication(run, items, client_of, who, expected):
    client = client_of(who)
    pages = _pages(run, items["1.2"])
    got = (
        client.get(pages["self"]).status_code,
        client.get(pages["review"]).status_code,
        client.post(pages["save_self"], {"state": "scored", "note": "自查"}).status_code,
        client.post(pages["save_review"], {"state": "scored", "note": "复核"}).status_code,
    )
    assert got == expected
    saved = set(Answer.objects.filter(run=run).values_list("side", flat=True))
    assert saved == {side for side, code in (("self", expected[2]), ("review", expected[3])) if code == 200}


def test_a_leader_posting_the_item_form_is_refused_and_nothing_is_saved(run, items, client_of):
    response = client_of("leader").post(
        reverse("assessment_item_save", args=[run.pk, "review", items["1.2"].pk]), {"state": "scored", "note": "x"}
    )
    assert response.status_code == 403
    assert not Answer.objects.exists()


def test_an_inspector_outside_the_team_cannot_open_the_run_or_a_finding(run, items, users, client_of):
    finding = services.finding_add(
        run=run, side=Side.REVIEW, item=items["1.2"], by=users["inspector"], description="消防通道堵塞"
    )
    client = client_of("other_inspector")
    assert client.get(reverse("assessment_run", args=[run.pk])).status_code == 404
    assert client.get(reverse("assessment_finding_hazard", args=[finding.pk])).status_code == 404


def test_a_second_team_covering_the_unit_reads_the_run_and_cannot_score_it_or_raise_its_hazards(
    run, items, users, unit, teams, make_user, client_of, sign_in
):
    """Two teams may cover one street; only the round's team scores the round's runs."""
    finding = services.finding_add(
        run=run, side=Side.REVIEW, item=items["1.2"], by=users["inspector"], description="消防通道堵塞"
    )
    second = add_team("TEAM-WULIN-2", unit(DISTRICT), [unit(WULIN)])
    inspector = sign_in(Client(), make_user(Role.INSPECTOR, second, username="second_inspector"))
    pages = _pages(run, items["1.2"])
    assert inspector.get(reverse("assessment_run", args=[run.pk])).status_code == 200
    review = inspector.get(pages["review"])
    assert review.status_code == 200 and b'data-testid="read-only"' in review.content
    assert b"data-testid=\"raise-hazard\"" not in review.content
    assert inspector.post(pages["save_review"], {"state": "scored", "note": "x"}).status_code == 403
    assert inspector.post(reverse("assessment_finding_hazard", args=[finding.pk]), {"title": "x"}).status_code == 403
    assert not Answer.objects.filter(note="x").exists()
    finding.refresh_from_db()
    assert finding.hazard_id is None


def test_the_unit_sees_the_review_and_the_differences_once_published(run, items, users, client_of):
    services.finding_add(run=run, side=Side.REVIEW, item=items["1.2"], by=users["inspector"], description="问题一")
    services.run_submit(run=run, by=users["inspector"])
    services.run_review(run=run, by=users["reviewer"])
    street = client_of("street")
    page = street.get(reverse("assessment_run", args=[run.pk])).content.decode()
    assert 'data-testid="not-published"' in page and 'data-side="review"' not in page
    assert street.get(reverse("assessment_score", args=[run.pk, "review"])).status_code == 404
    services.run_publish(run=run, by=users["reviewer"])
    page = street.get(reverse("assessment_run", args=[run.pk])).content.decode()
    assert 'data-testid="review-score"' in page
    # 1.2 lost 0.5 in the review and nothing in the self-assessment: the row is marked, −0.5 shown.
    assert 'data-item="1.2" class="table-warning" data-differs="1"' in page
    assert ">-0.5<" in page.replace(" ", "") or "-0.50" in page
    assert street.get(reverse("assessment_score", args=[run.pk, "review"])).status_code == 200


def _cell(page: str, code: str, side: str) -> str:
    """The text of an item's cell of one side in the run page's comparison."""
    row = page.split(f'data-item="{code}"', 1)[1].split("</tr>", 1)[0]
    return re.sub(r"<[^>]+>", "", row.split(f'data-side="{side}">', 1)[1].split("</td>", 1)[0]).strip()


def test_the_comparison_shows_no_points_for_what_is_still_unscored_and_full_points_once_sent(
    run, items, users, client_of
):
    """扣分制: a line without a deduction has its full points, but only once its side is sent;
    before that a side nobody has begun, and a line not answered yet, show "—"."""
    services.finding_add(run=run, side=Side.REVIEW, item=items["1.2"], by=users["inspector"], description="问题一")
    inspector = client_of("inspector")
    page = inspector.get(reverse("assessment_run", args=[run.pk])).content.decode()
    assert [_cell(page, "1", "self"), _cell(page, "1.1", "self")] == ["—", "—"]  # the unit has not begun
    assert [_cell(page, "1.2", "review"), _cell(page, "1.1", "review")] == ["5.50", "—"]
    assert 'data-differs="1"' not in page  # nothing to compare yet
    services.run_submit(run=run, by=users["inspector"])
    page = inspector.get(reverse("assessment_run", args=[run.pk])).content.decode()
    assert [_cell(page, "1.1", "self"), _cell(page, "1.1", "review"), _cell(page, "1.2", "self")] == [
        "8.00",
        "8.00",
        "6.00",
    ]
    assert 'data-item="1.2" class="table-warning" data-differs="1"' in page


def test_not_applicable_without_a_reason_is_refused_with_a_message_and_what_was_typed_kept(run, items, client_of):
    client = client_of("inspector")
    url = reverse("assessment_item_save", args=[run.pk, "review", items["1.2"].pk])
    response = client.post(url, {"state": "na", "na_reason": "  ", "note": "现场未见相关企业"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give the reason why this item does not apply" in page or "不适用" in page
    assert "现场未见相关企业" in page  # the note typed is still in the form
    assert not Answer.objects.exists()
    response = client.post(url, {"state": "na", "na_reason": "辖区内无此类企业"})
    assert response.status_code == 302
    answer = Answer.objects.get()
    assert (answer.state, answer.na_reason) == (AnswerState.NOT_APPLICABLE, "辖区内无此类企业")


def test_the_autosave_keeps_the_latest_text_and_a_refused_save_loses_nothing_saved(run, items, client_of):
    client = client_of("inspector")
    url = reverse("assessment_item_autosave", args=[run.pk, "review", items["2.3"].pk])
    assert client.post(url, {"state": "scored", "measured": "78", "note": "改造率78%"}).status_code == 200
    refused = client.post(url, {"state": "na", "note": "改造率78%，待核实"})
    assert refused.status_code == 409
    assert "不适用的理由" in refused.json()["error"]  # in the user's language
    answer = Answer.objects.get()
    assert (answer.note, str(answer.measured.normalize())) == ("改造率78%", "78")
    # A sign-in that ran out is told so in JSON (the browser keeps the text), not sent to a login page.
    expired = Client().post(url, {"note": "x"})
    assert expired.status_code == 401 and expired.json()["error"]


@pytest.mark.parametrize(
    ("value", "field"),
    [("７８", None), ("1e400", "measured"), ("99999999999999999", "measured"), ("-1", "missing")],
)
def test_bad_numbers_get_a_message_not_a_500(run, items, client_of, value, field):
    client = client_of("inspector")
    url = reverse("assessment_item_autosave", args=[run.pk, "review", items["2.3"].pk])
    response = client.post(url, {"state": "scored", field or "measured": value})
    assert response.status_code in (200, 409)
    if response.status_code == 409:
        assert response.json()["error"]


def test_a_forged_photo_is_refused_with_a_message(run, items, client_of):
    url = reverse("assessment_finding_new", args=[run.pk, "review", items["1.2"].pk])
    client = client_of("inspector")
    for forged in (upload("evil.jpg", ELF), upload("bomb.png", png_header_only(30000, 30000), "image/png")):
        response = client.post(url, {"description": "灭火器过期", "unit": run.unit.pk, "photos": forged})
        assert response.status_code == 200
        assert 'data-testid="finding-form"' in response.content.decode()
        assert response.context["form"].errors["photos"]
    assert not Finding.objects.exists()


def test_a_photo_too_big_is_refused_with_a_message(run, items, client_of, settings):
    settings.UPLOAD_MAX_IMAGE_BYTES = 2_000
    response = client_of("inspector").post(
        reverse("assessment_finding_new", args=[run.pk, "review", items["1.2"].pk]),
        {"description": "灭火器过期", "unit": run.unit.pk, "photos": upload()},
    )
    assert response.status_code == 200 and response.context["form"].errors["photos"]
    assert not Finding.objects.exists()


def test_a_finding_with_a_photo_shows_on_the_scoring_page_and_costs_its_points(run, items, client_of):
    client = client_of("inspector")
    response = client.post(
        reverse("assessment_finding_new", args=[run.pk, "review", items["1.2"].pk]),
        {"description": "灭火器过期", "unit": run.unit.pk, "location": "3号楼", "photos": upload()},
    )
    assert response.status_code == 302
    page = client.get(reverse("assessment_score", args=[run.pk, "review"])).content.decode()
    assert "灭火器过期" in page and "3号楼" in page
    photo = Finding.objects.get().photos.get()
    assert client.get(reverse("assessment_finding_photo_thumb", args=[photo.pk])).status_code == 200
    assert client_of("other_street").get(reverse("assessment_finding_photo", args=[photo.pk])).status_code == 404
    # 1.2: 6 points, 0.5 a finding: 5.5 now, 99.5 of 100 overall (4.3 and the others unanswered).
    assert 'data-testid="raw-points">99.5' in page
