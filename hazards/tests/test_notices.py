"""The notices print in Chinese with the CJK font embedded: checked in the PDF's font list
(pdffonts), since a PDF without the font still yields the right text to a text extractor."""

import datetime
import shutil
import subprocess
import zoneinfo

import pytest
from django.urls import reverse

from districts.second_factor import force_login_verified
from hazards.models import Grade, Hazard, Status

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdffonts") is None, reason="pdffonts (poppler-utils) is not installed"),
]


@pytest.fixture
def district(district_for_module, db):
    return district_for_module


def fonts_of(pdf: bytes, tmp_path) -> list[dict]:
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    header = lines[0].split()
    return [dict(zip(["name", *header[1:]], line.split()[:1] + line.split()[-6:], strict=False)) for line in lines[2:]]


def text_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize(
    ("url_name", "title"),
    [("hazard_rectification_notice", "安全隐患整改通知书"), ("hazard_listing_notice", "重大事故隐患挂牌督办通知书")],
)
def test_a_notice_embeds_a_cjk_font_and_reads_in_chinese(client, users, build, tmp_path, url_name, title):
    hazard = build(Status.RECTIFYING, grade=Grade.MAJOR)
    force_login_verified(client, users["street"])
    response = client.get(reverse(url_name, args=[hazard.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    fonts = fonts_of(pdf, tmp_path)
    cjk = [f for f in fonts if "CJK" in f["name"] or "Hei" in f["name"]]
    assert cjk, f"no CJK font in {[f['name'] for f in fonts]}"
    assert all(f["emb"] == "yes" for f in cjk), fonts
    text = text_of(pdf, tmp_path)
    assert title in "".join(text.split())
    assert "第1页共1页" in "".join(text.split())
    assert hazard.number in text
    assert "UTF-8''" in response["Content-Disposition"] and hazard.number in response["Content-Disposition"]


def test_no_notice_before_assignment_and_no_listing_notice_for_a_general_hazard(client, users, build):
    force_login_verified(client, users["street"])
    reported = build(Status.REPORTED)
    assert client.get(reverse("hazard_rectification_notice", args=[reported.pk])).status_code == 403
    general = build(Status.RECTIFYING)
    assert client.get(reverse("hazard_listing_notice", args=[general.pk])).status_code == 403


def test_printing_a_notice_does_not_let_truncated_photos_through_afterwards(users, build, tmp_path):
    """Importing WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process."""
    from django.core.exceptions import ValidationError

    from campaign.lib.uploads import clean_image
    from campaign.tests.images import jpeg_with_gps, upload
    from hazards.notices import rectification_notice_pdf

    rectification_notice_pdf(build(Status.RECTIFYING))
    with pytest.raises(ValidationError):
        clean_image(upload("cut.jpg", jpeg_with_gps()[:-2000]))


def test_the_notice_is_dated_the_shanghai_day_it_was_assigned(client, users, build, tmp_path):
    hazard = build(Status.RECTIFYING)
    # Half past midnight in Shanghai on 2 March is still 1 March in UTC.
    assigned = datetime.datetime(2026, 3, 2, 0, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    Hazard.objects.filter(pk=hazard.pk).update(assigned_at=assigned)
    force_login_verified(client, users["street"])
    text = "".join(
        text_of(client.get(reverse("hazard_rectification_notice", args=[hazard.pk])).content, tmp_path).split()
    )
    assert "2026年3月2日" in text and "2026年3月1日" not in text
