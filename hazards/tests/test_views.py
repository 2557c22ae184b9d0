"""The hazard screens through the pages a person opens. Nobody reads or changes a hazard
outside their scope: its page, its photos, its notices and its steps answer 404, and a
POST there changes nothing. In scope but on the wrong side, a step answers 403."""

import pytest
from django.urls import reverse

from districts.models import Sector
from districts.second_factor import force_login_verified
from hazards.models import Grade, Hazard, HazardEvent, HazardPhoto, Status
from hazards.tests.conftest import DENGXIN, FIRE_BRIGADE, USERS, WULIN

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(district_for_module, db):
    return district_for_module


@pytest.fixture
def world(build):
    construction = Sector.objects.get(code="construction")
    return {
        # 中北社区 (Wulin), fire safety, being rectified by Wulin street.
        "wulin_fire": build(Status.RECTIFYING, before_photos=1),
        # 灯芯巷社区 (Tianshui), construction, major and listed for supervision, assigned to the fire
        # brigade, which does not lead construction.
        "tianshui_construction": build(
            Status.AWAITING_VERIFICATION,
            grade=Grade.MAJOR,
            place=DENGXIN,
            sector=construction,
            responsible=FIRE_BRIGADE,
            before_photos=1,
        ),
    }


COLUMNS = ["wulin_fire", "tianshui_construction"]
SEES = {
    "street": (True, False),
    "other_street": (False, True),
    "community": (True, False),
    "fire_department": (True, True),  # its sector; and a hazard it must rectify
    "other_department": (False, False),
    "inspector": (True, False),
    "other_inspector": (False, True),
    "reviewer": (True, True),
    "leader": (True, True),
    "sysadmin": (True, True),
}
CASES = [
    pytest.param(who, key, sees, id=f"{who}-{key}")
    for who, row in SEES.items()
    for key, sees in zip(COLUMNS, row, strict=True)
]


@pytest.mark.parametrize(("who", "key", "sees"), CASES)
def test_a_hazard_its_photos_and_notice_answer_only_within_scope(client, users, world, who, key, sees):
    hazard = world[key]
    force_login_verified(client, users[who])
    photo = hazard.photos.get(kind=HazardPhoto.Kind.BEFORE)
    urls = [
        reverse("hazard_detail", args=[hazard.pk]),
        reverse("hazard_photo", args=[photo.pk]),
        reverse("hazard_photo_thumb", args=[photo.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == (200 if sees else 404), url
    # Both hazards are assigned, so their rectification notice prints; only the major one is listed.
    notices = {
        reverse("hazard_rectification_notice", args=[hazard.pk]): 200,
        reverse("hazard_listing_notice", args=[hazard.pk]): 200 if hazard.grade == Grade.MAJOR else 403,
    }
    for url, in_scope in notices.items():
        response = client.get(url)
        assert response.status_code == (in_scope if sees else 404), url
        if response.status_code == 200:
            assert response["Content-Type"] == "application/pdf", url
    listed = client.get(reverse("hazard_list")).context["page"].paginator.object_list
    assert (hazard in listed) == sees
    if sees:
        photo_response = client.get(urls[1])
        assert photo_response["Content-Type"] == "image/jpeg"
        assert "no-store" in photo_response["Cache-Control"]


@pytest.mark.parametrize("who", [w for w in USERS if not SEES[w][0]])
def test_nobody_changes_a_hazard_outside_their_scope(client, users, world, who):
    hazard = world["wulin_fire"]
    force_login_verified(client, users[who])
    before = (Hazard.objects.get(pk=hazard.pk).status, HazardEvent.objects.count())
    for step, data in [
        ("cancel", {"reason": "越权撤销"}),
        ("extension", {"requested_deadline": "2099-01-01", "reason": "越权"}),
        ("submit", {"rectification": "越权"}),
    ]:
        response = client.post(reverse("hazard_step", args=[hazard.pk, step]), data)
        assert response.status_code == 404
    assert (Hazard.objects.get(pk=hazard.pk).status, HazardEvent.objects.count()) == before


def test_in_scope_on_the_wrong_side_a_step_answers_403_and_changes_nothing(client, users, world, settings):
    hazard = world["wulin_fire"]
    force_login_verified(client, users["leader"])  # sees everything, changes nothing
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get(reverse("hazard_step", args=[hazard.pk, "cancel"])).status_code == 403
    response = client.post(
        reverse("hazard_step", args=[hazard.pk, "cancel"]), {"reason": "无权", "expected_status": hazard.status}
    )
    assert response.status_code == 403
    assert "Only the creation office" in response.content.decode()
    assert Hazard.objects.get(pk=hazard.pk).status == Status.RECTIFYING


@pytest.mark.parametrize(
    ("step", "state", "data"),
    [
        ("assign", Status.RECTIFYING, {"responsible_person": "王芳", "deadline": "2099-01-01"}),
        ("verify", Status.CLOSED, {"decision": "close", "note": "通过"}),
        ("submit", Status.REPORTED, {}),
    ],
)
def test_a_leader_posting_to_a_step_is_told_they_may_not_not_the_hazards_state(
    client, users, build, unit, settings, step, state, data
):
    """The leading group reads everything and changes nothing: the refusal is about its role,
    whatever state the hazard is in and whatever the form holds."""
    hazard = build(state)
    force_login_verified(client, users["leader"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    events = HazardEvent.objects.count()
    data = {**data, "expected_status": hazard.status, "responsible_unit": unit(WULIN).pk}
    for response in (
        client.get(reverse("hazard_step", args=[hazard.pk, step])),
        client.post(reverse("hazard_step", args=[hazard.pk, step]), data),
    ):
        assert response.status_code == 403
        page = response.content.decode()
        assert "Only " in page, page
        assert "cannot be" not in page
    assert Hazard.objects.get(pk=hazard.pk).status == state
    assert HazardEvent.objects.count() == events


def test_a_step_on_a_page_someone_else_has_acted_on_is_refused_with_a_clear_message(client, users, build, settings):
    hazard = build(Status.AWAITING_VERIFICATION)
    force_login_verified(client, users["inspector"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(reverse("hazard_step", args=[hazard.pk, "verify"]))
    assert page.status_code == 200
    Hazard.objects.filter(pk=hazard.pk).update(status=Status.CANCELLED)  # the office cancelled it meanwhile
    response = client.post(
        reverse("hazard_step", args=[hazard.pk, "verify"]),
        {"decision": "close", "expected_status": Status.AWAITING_VERIFICATION},
    )
    assert response.status_code == 200
    assert "已被他人处理" in response.content.decode()
    assert not HazardEvent.objects.filter(hazard=hazard, action="close").exists()


def _edit_data(hazard, **changes):
    return {
        "title": hazard.title,
        "location": hazard.location,
        "description": hazard.description,
        "site": "",
        "source": hazard.source,
        "grade": hazard.grade,
        "expected_status": hazard.status,
        **changes,
    }


def test_the_reporting_side_corrects_details_and_the_timeline_says_what_changed(client, users, build, settings):
    hazard = build(Status.REPORTED)
    force_login_verified(client, users["street"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    detail = client.get(reverse("hazard_detail", args=[hazard.pk])).content.decode()
    assert reverse("hazard_step", args=[hazard.pk, "edit"]) in detail

    response = client.post(
        reverse("hazard_step", args=[hazard.pk, "edit"]), _edit_data(hazard, title="楼道堆放电动车电池", grade="major")
    )

    assert response.status_code == 302
    hazard.refresh_from_db()
    assert (hazard.title, hazard.grade) == ("楼道堆放电动车电池", "major")
    edit = HazardEvent.objects.get(hazard=hazard, action="edit")
    assert edit.by == users["street"] and "隐患等级" in edit.note
    assert "楼道堆放电动车电池" in client.get(reverse("hazard_detail", args=[hazard.pk])).content.decode()


def test_once_assigned_the_grade_stays_and_a_tampered_post_changes_nothing(client, users, build, settings):
    hazard = build(Status.RECTIFYING)
    force_login_verified(client, users["street"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("hazard_step", args=[hazard.pk, "edit"])).content.decode()
    assert 'name="grade"' in page and "disabled" in page.split('name="grade"')[1].split(">")[0]

    client.post(reverse("hazard_step", args=[hazard.pk, "edit"]), _edit_data(hazard, grade="major"))

    assert Hazard.objects.get(pk=hazard.pk).grade == "general"
    assert not HazardEvent.objects.filter(hazard=hazard, action="edit").exists()


def test_readers_and_other_streets_cannot_edit(client, users, world):
    hazard = world["wulin_fire"]
    for who, status in [("leader", 403), ("other_street", 404)]:
        force_login_verified(client, users[who])
        response = client.post(reverse("hazard_step", args=[hazard.pk, "edit"]), _edit_data(hazard, title="改"))
        assert response.status_code == status, who
    assert Hazard.objects.get(pk=hazard.pk).title == hazard.title
