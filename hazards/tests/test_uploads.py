"""Photos go through the hazard forms: a bad upload is refused with a message and nothing
is stored (no hazard, no step, no file); an accepted phone photo keeps no location."""

import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from PIL import ExifTags, Image

from campaign.tests.images import ELF, SVG_WITH_SCRIPT, jpeg_with_gps, upload
from districts.second_factor import force_login_verified
from hazards.models import Hazard, HazardEvent, HazardPhoto, Status
from hazards.tests.conftest import ZHONGBEI

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(district_for_module, db):
    return district_for_module


def stored_files() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def big_jpeg() -> bytes:
    image = Image.effect_noise((2400, 2400), 120).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=100)
    return out.getvalue()


BAD = {
    "renamed executable": ("photo.jpg", ELF),
    "svg with script": ("photo.svg", SVG_WITH_SCRIPT),
    "truncated jpeg": ("photo.jpg", jpeg_with_gps()[:-2000]),
    "not a jpeg behind the name": ("photo.jpg", b"GIF89a but not really an image at all"),
    "oversize": ("big.jpg", None),
}


def report_data(unit, fire, photos):
    return {
        "title": "配电箱门损坏",
        "unit": unit(ZHONGBEI).pk,
        "sector": fire.pk,
        "grade": "general",
        "source": "inspection",
        "description": "配电箱门缺失，带电部位外露",
        "found_at": "2026-01-05T09:30",
        "photos": photos,
    }


@pytest.mark.parametrize("kind", list(BAD))
def test_a_bad_photo_is_refused_and_nothing_is_stored(client, users, unit, fire, settings, kind):
    settings.UPLOAD_MAX_IMAGE_BYTES = 512 * 1024
    name, data = BAD[kind]
    force_login_verified(client, users["inspector"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    bad = upload(name, big_jpeg() if data is None else data)
    response = client.post(reverse("hazard_create"), report_data(unit, fire, [upload(), bad]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["photos"]
    assert "配电箱门损坏" in response.content.decode()  # what was typed is kept
    assert not Hazard.objects.exists()
    assert stored_files() == []


def test_a_bad_after_photo_leaves_the_hazard_rectifying_and_stores_nothing(client, users, build, settings):
    hazard = build(Status.RECTIFYING)
    force_login_verified(client, users["street"])
    events = HazardEvent.objects.count()
    response = client.post(
        reverse("hazard_step", args=[hazard.pk, "submit"]),
        {"rectification": "已更换", "photos": [upload("after.jpg", ELF)], "expected_status": hazard.status},
    )
    assert response.status_code == 200 and response.context["form"].errors["photos"]
    assert Hazard.objects.get(pk=hazard.pk).status == Status.RECTIFYING
    assert HazardEvent.objects.count() == events
    assert not HazardPhoto.objects.filter(hazard=hazard).exists()


def test_a_phone_photo_is_stored_without_its_location_and_served_as_jpeg(client, users, unit, fire):
    force_login_verified(client, users["inspector"])
    assert Image.open(io.BytesIO(jpeg_with_gps())).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    response = client.post(reverse("hazard_create"), report_data(unit, fire, [upload()]))
    hazard = Hazard.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("hazard_detail", args=[hazard.pk])
    assert hazard.found_at.astimezone(datetime.UTC).hour == 1  # 09:30 in Shanghai
    photo = hazard.photos.get(kind=HazardPhoto.Kind.BEFORE)
    served = client.get(reverse("hazard_photo", args=[photo.pk]))
    image = Image.open(io.BytesIO(b"".join(served.streaming_content)))
    assert image.format == "JPEG"
    assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert "exif" not in image.info


def test_the_photo_field_opens_the_phone_camera(client, users):
    force_login_verified(client, users["inspector"])
    html = client.get(reverse("hazard_create")).content.decode()
    assert 'capture="environment"' in html and "multiple" in html and 'accept="image/' in html


def test_a_photo_is_served_as_the_type_it_was_checked_as_and_never_sniffed(client, users, unit, fire):
    client.force_login(users["inspector"])
    client.post(reverse("hazard_create"), report_data(unit, fire, [upload("现场.png")]))
    photo = Hazard.objects.get().photos.get()
    assert photo.mime == "image/jpeg"  # stored with the row when its bytes were checked
    HazardPhoto.objects.filter(pk=photo.pk).update(mime="image/webp")  # the row, not the name, decides
    served = client.get(reverse("hazard_photo", args=[photo.pk]))
    assert served["Content-Type"] == "image/webp"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"].startswith("inline")


def test_a_photo_whose_file_is_gone_answers_404(client, users, unit, fire):
    # A database restored without its media folder: the row is there, the file is not.
    client.force_login(users["inspector"])
    client.post(reverse("hazard_create"), report_data(unit, fire, [upload()]))
    photo = Hazard.objects.get().photos.get()
    Path(photo.image.path).unlink()
    Path(photo.thumbnail.path).unlink()
    assert client.get(reverse("hazard_photo", args=[photo.pk])).status_code == 404
    assert client.get(reverse("hazard_photo_thumb", args=[photo.pk])).status_code == 404
    assert client.get(reverse("hazard_detail", args=[photo.hazard_id])).status_code == 200
