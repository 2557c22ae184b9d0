"""What the services do beyond the transition table: numbers, major hazards and their
listing, extensions, the rules of verification, overdue, and photos without a location."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import override
from PIL import ExifTags, Image

from campaign.tests.images import photo
from hazards import services
from hazards.models import (
    Action,
    ExtensionRequest,
    Grade,
    Hazard,
    HazardEvent,
    HazardPhoto,
    Source,
    Status,
    SupervisionListing,
    deadline_today,
)
from hazards.tests.conftest import OFFICE, WULIN, ZHONGBEI

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(district_for_module, db):
    return district_for_module


def report(users, unit, fire, **extra):
    fields = {
        "title": "菜场消防通道堵塞",
        "unit": unit(ZHONGBEI),
        "sector": fire,
        "description": "东侧消防通道堆放货物",
        "source": Source.INSPECTION,
    }
    return services.hazard_report(by=users.get("by") or users["inspector"], **(fields | extra))


def listing_fields(unit, **extra):
    today = deadline_today()
    return {
        "supervising_unit": unit(OFFICE),
        "document_number": "下安委办〔2026〕7号",
        "listed_on": today,
        "plan_measures": "拆除违章搭建，增设喷淋",
        "plan_funds": Decimal("35.00"),
        "plan_responsible": "武林街道 王芳",
        "plan_time_limit": today + datetime.timedelta(days=45),
        "plan_contingency": "设置警戒区，24小时专人值守",
    } | extra


def test_a_logged_hazard_gets_a_readable_number_its_photos_and_one_timeline_row(users, unit, fire):
    hazard = report(users, unit, fire, photos=[photo(), photo((0, 0, 200))])
    year = timezone.localtime(hazard.found_at).year
    assert hazard.number == f"YH330103-{year}-000001"
    assert report(users, unit, fire).number == f"YH330103-{year}-000002"
    assert hazard.status == Status.REPORTED
    assert list(hazard.events.values_list("action", "to_status", "by")) == [
        (Action.REPORT, Status.REPORTED, users["inspector"].pk)
    ]
    assert hazard.photos.filter(kind=HazardPhoto.Kind.BEFORE, event__action=Action.REPORT).count() == 2
    assert not hazard.photos.filter(kind=HazardPhoto.Kind.AFTER).exists()


def test_a_stored_photo_carries_no_location(users, unit, fire):
    hazard = report(users, unit, fire, photos=[photo()])
    stored = hazard.photos.get()
    for field in (stored.image, stored.thumbnail):
        with field.open("rb") as f:
            image = Image.open(io.BytesIO(f.read()))
        assert image.format == "JPEG"
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert "exif" not in image.info


def test_nobody_logs_a_hazard_outside_their_area(users, unit, fire):
    with pytest.raises(PermissionDenied):
        report({"by": users["other_street"], **users}, unit, fire)
    with pytest.raises(PermissionDenied):
        report({"by": users["leader"], **users}, unit, fire)
    assert not Hazard.objects.exists()


def test_a_hazard_cannot_be_found_in_the_future(users, unit, fire):
    with pytest.raises(ValidationError) as refused:
        report(users, unit, fire, found_at=timezone.now() + datetime.timedelta(days=1))
    assert "found_at" in refused.value.message_dict
    assert not Hazard.objects.exists()


def test_a_major_hazard_is_listed_with_its_five_fold_plan_before_rectification_starts(build, users, unit):
    hazard = build(Status.REPORTED, grade=Grade.MAJOR, listed=False)
    with override("en"), pytest.raises(ValidationError, match="five-fold plan"):
        services.hazard_assign(
            hazard=hazard,
            by=users["street"],
            responsible_unit=unit(WULIN),
            responsible_person="王芳",
            deadline=deadline_today() + datetime.timedelta(days=10),
        )
    with pytest.raises(PermissionDenied):
        services.hazard_list_for_supervision(hazard=hazard, by=users["street"], **listing_fields(unit))
    listing = services.hazard_list_for_supervision(hazard=hazard, by=users["reviewer"], **listing_fields(unit))
    assert listing.supervising_unit == unit(OFFICE)
    # The deadline may not run past the plan's time limit.
    with pytest.raises(ValidationError) as refused:
        services.hazard_assign(
            hazard=hazard,
            by=users["street"],
            responsible_unit=unit(WULIN),
            responsible_person="王芳",
            deadline=listing.plan_time_limit + datetime.timedelta(days=1),
        )
    assert "deadline" in refused.value.message_dict
    services.hazard_assign(
        hazard=hazard,
        by=users["street"],
        responsible_unit=unit(WULIN),
        responsible_person="王芳",
        deadline=listing.plan_time_limit,
    )
    assert Hazard.objects.get(pk=hazard.pk).status == Status.RECTIFYING
    actions = list(hazard.events.order_by("id").values_list("action", flat=True))
    assert actions == [Action.REPORT, Action.LIST, Action.ASSIGN]


@pytest.mark.parametrize("missing", ["document_number", "plan_measures", "plan_responsible", "plan_contingency"])
def test_a_listing_needs_every_part_of_the_plan(build, users, unit, missing):
    hazard = build(Status.REPORTED, grade=Grade.MAJOR, listed=False)
    with pytest.raises(ValidationError) as refused:
        services.hazard_list_for_supervision(
            hazard=hazard, by=users["reviewer"], **listing_fields(unit, **{missing: ""})
        )
    assert missing in refused.value.message_dict
    assert not SupervisionListing.objects.filter(hazard=hazard).exists()
    assert hazard.events.count() == 1


def test_a_hazard_is_not_listed_before_the_day_it_was_found(build, users, unit):
    hazard = build(Status.REPORTED, grade=Grade.MAJOR, listed=False)
    day_before = timezone.localdate(hazard.found_at) - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.hazard_list_for_supervision(
            hazard=hazard, by=users["reviewer"], **listing_fields(unit, listed_on=day_before)
        )
    assert "listed_on" in refused.value.message_dict
    assert not SupervisionListing.objects.filter(hazard=hazard).exists()


def test_a_general_hazard_is_not_listed(build, users, unit):
    hazard = build(Status.REPORTED)
    with pytest.raises(ValidationError):
        services.hazard_list_for_supervision(hazard=hazard, by=users["reviewer"], **listing_fields(unit))


def test_only_the_listing_authority_closes_a_major_hazard(build, users):
    hazard = build(Status.AWAITING_VERIFICATION, grade=Grade.MAJOR)  # listed by the creation office
    for who in ("inspector", "fire_department"):
        with override("en"), pytest.raises(PermissionDenied, match="listing authority"):
            services.hazard_close(hazard=hazard, by=users[who])
    # The inspector may still send it back.
    services.hazard_return(hazard=hazard, by=users["inspector"], reason="喷淋未通水")
    hazard = build(Status.AWAITING_VERIFICATION, grade=Grade.MAJOR)
    services.hazard_close(hazard=hazard, by=users["reviewer"])
    assert Hazard.objects.get(pk=hazard.pk).status == Status.CLOSED


def test_closing_without_after_photos_is_refused(build, users):
    hazard = build(Status.AWAITING_VERIFICATION, after_photos=False)
    with override("en"), pytest.raises(ValidationError, match="photos taken after"):
        services.hazard_close(hazard=hazard, by=users["inspector"])
    assert Hazard.objects.get(pk=hazard.pk).status == Status.AWAITING_VERIFICATION


def test_reporting_rectified_needs_after_photos_and_what_was_done(build, users):
    hazard = build(Status.RECTIFYING)
    with pytest.raises(ValidationError) as refused:
        services.hazard_submit(hazard=hazard, by=users["street"], rectification="", photos=[])
    assert set(refused.value.message_dict) == {"rectification", "photos"}
    assert Hazard.objects.get(pk=hazard.pk).status == Status.RECTIFYING
    assert not HazardPhoto.objects.exists()


def test_whoever_reported_the_rectification_does_not_verify_it(build, users, unit):
    hazard = build(Status.RECTIFYING)
    fire_staff = users["fire_department"]
    # The fire brigade is made responsible, reports it done, and may not then close it itself.
    Hazard.objects.filter(pk=hazard.pk).update(responsible_unit=unit("330103-XFJY"))
    hazard.refresh_from_db()
    hazard = services.hazard_submit(hazard=hazard, by=fire_staff, rectification="已清理", photos=[photo()])
    with pytest.raises(ValidationError):
        services.hazard_close(hazard=hazard, by=fire_staff)
    services.hazard_close(hazard=hazard, by=users["inspector"])


def test_an_approved_extension_moves_the_deadline_and_a_refusal_needs_a_reason(build, users):
    hazard = build(Status.RECTIFYING)
    old = hazard.deadline
    request = services.hazard_request_extension(
        hazard=hazard, by=users["street"], requested_deadline=old + datetime.timedelta(days=20), reason="设备定制"
    )
    with pytest.raises(ValidationError):
        services.hazard_request_extension(
            hazard=hazard, by=users["street"], requested_deadline=old + datetime.timedelta(days=30), reason="再延"
        )
    with pytest.raises(ValidationError) as refused:
        services.hazard_decide_extension(hazard=hazard, by=users["inspector"], approve=False, note=" ")
    assert "note" in refused.value.message_dict
    services.hazard_decide_extension(hazard=hazard, by=users["inspector"], approve=True)
    hazard.refresh_from_db()
    assert hazard.deadline == old + datetime.timedelta(days=20)
    request.refresh_from_db()
    assert request.decision == ExtensionRequest.Decision.APPROVED and request.decided_by == users["inspector"]
    with pytest.raises(ValidationError):
        services.hazard_request_extension(
            hazard=hazard, by=users["street"], requested_deadline=hazard.deadline, reason="不晚于现期限"
        )


def test_a_return_keeps_the_reason_and_may_set_a_new_deadline(build, users):
    hazard = build(Status.AWAITING_VERIFICATION)
    new = deadline_today() + datetime.timedelta(days=3)
    with pytest.raises(ValidationError):
        services.hazard_return(hazard=hazard, by=users["inspector"], reason="")
    services.hazard_return(hazard=hazard, by=users["inspector"], reason="灭火器过期未更换", new_deadline=new)
    hazard.refresh_from_db()
    assert (hazard.status, hazard.deadline, hazard.rectified_at) == (Status.RECTIFYING, new, None)
    assert hazard.events.latest("id").note == "灭火器过期未更换"


def test_assigning_needs_a_unit_above_the_place_a_person_and_a_deadline_not_past(build, users, unit):
    hazard = build(Status.REPORTED)
    with pytest.raises(ValidationError) as refused:
        services.hazard_assign(
            hazard=hazard,
            by=users["street"],
            responsible_unit=unit("330103003"),  # Tianshui: not where the hazard is
            responsible_person=" ",
            deadline=deadline_today() - datetime.timedelta(days=1),
        )
    assert set(refused.value.message_dict) == {"responsible_unit", "responsible_person", "deadline"}
    services.hazard_assign(
        hazard=hazard,
        by=users["street"],
        responsible_unit=unit(ZHONGBEI),
        responsible_person="张敏",
        deadline=deadline_today(),
    )
    hazard.refresh_from_db()
    assert hazard.issuing_unit == unit(WULIN)


def test_a_stale_page_gets_a_clear_message_and_changes_nothing(build, users):
    hazard = build(Status.AWAITING_VERIFICATION)
    seen_by_second = Hazard.objects.get(pk=hazard.pk)
    services.hazard_close(hazard=hazard, by=users["inspector"])
    with override("en"), pytest.raises(ValidationError, match="someone else") as refused:
        services.hazard_return(hazard=seen_by_second, by=users["reviewer"], reason="复查不合格")
    assert refused.value.error_list[0].code == "concurrent_change"
    assert Hazard.objects.get(pk=hazard.pk).status == Status.CLOSED
    assert HazardEvent.objects.filter(hazard=hazard, action=Action.RETURN).count() == 0


def test_overdue_is_past_the_end_of_the_deadline_day_in_shanghai(build, settings, monkeypatch):
    # The server's own zone does not matter: deadlines are Shanghai days.
    settings.TIME_ZONE = "UTC"
    hazard = build(Status.RECTIFYING, deadline=datetime.date(2026, 3, 5))
    done = build(Status.AWAITING_VERIFICATION, deadline=datetime.date(2026, 3, 5))

    def at(utc):
        monkeypatch.setattr(timezone, "now", lambda: utc)
        return set(Hazard.objects.overdue().values_list("pk", flat=True))

    assert at(datetime.datetime(2026, 3, 5, 15, 59, tzinfo=datetime.UTC)) == set()  # 23:59 in Shanghai
    assert at(datetime.datetime(2026, 3, 5, 16, 0, tzinfo=datetime.UTC)) == {hazard.pk}  # 00:00 the next day
    annotated = {h.pk: h.is_overdue for h in Hazard.objects.with_overdue().filter(pk__in=[hazard.pk, done.pk])}
    assert annotated == {hazard.pk: True, done.pk: False}


def test_logging_or_correcting_a_hazard_with_a_field_the_service_does_not_set_is_refused(users, unit, fire):
    with pytest.raises(TypeError, match="deadline"):
        report(users, unit, fire, deadline=deadline_today())
    assert not Hazard.objects.exists()
    hazard = report(users, unit, fire)
    with pytest.raises(TypeError, match="status"):
        services.hazard_edit(hazard=hazard, by=users["inspector"], title="改过的标题", status=Status.CLOSED)
    hazard.refresh_from_db()
    assert (hazard.title, hazard.status) == ("菜场消防通道堵塞", Status.REPORTED)
