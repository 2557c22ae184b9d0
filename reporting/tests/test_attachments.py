"""A report's attachment is served as what its bytes were checked as, never as its name says;
forged and oversize files are refused on the form with nothing stored; a missing file is 404."""

from pathlib import Path
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from campaign.tests.images import pdf, png_header_only
from districts.models import Role
from reporting.models import Attachment, Submission
from reporting.tests.conftest import WULIN

pytestmark = pytest.mark.django_db


@pytest.fixture
def filing(client, period, unit, filer):
    """filing(*files) → the response to filing a new March report with those attachments."""
    client.force_login(filer(WULIN))
    march = period("monthly_item", "2019-03")

    def post(*files, title="武林三月"):
        return client.post(
            reverse("submission_new", args=[march.pk, unit(WULIN).pk]),
            {"title": title, "body": "检查了12家餐饮店。", "attachments": list(files), "action": "save"},
        )

    return post


def download(client, attachment):
    return client.get(reverse("report_attachment", args=[attachment.submission_id, attachment.pk]))


def only_attachment() -> Attachment:
    return Attachment.objects.get()


def test_a_pdf_named_jpg_is_served_as_a_pdf_under_a_pdf_name(client, filing):
    filing(SimpleUploadedFile("现场照片.jpg", pdf(), content_type="image/jpeg"))
    attachment = only_attachment()
    assert (attachment.kind, attachment.mime) == ("pdf", "application/pdf")
    served = download(client, attachment)
    assert served["Content-Type"] == "application/pdf"
    assert served["X-Content-Type-Options"] == "nosniff"
    disposition = unquote(served["Content-Disposition"])
    assert disposition.startswith("inline") and disposition.endswith("现场照片.pdf")


def test_text_named_html_downloads_as_plain_text(client, filing):
    filing(SimpleUploadedFile("说明.html", "本月完成排查 12 家。".encode(), content_type="text/html"))
    served = download(client, only_attachment())
    assert served["Content-Type"] == "text/plain; charset=utf-8"
    assert served["X-Content-Type-Options"] == "nosniff"
    disposition = unquote(served["Content-Disposition"])
    assert disposition.startswith("attachment") and disposition.endswith("说明.txt")


def test_an_office_file_downloads_with_its_checked_type(client, filing):
    filing(SimpleUploadedFile("旧表.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600))
    served = download(client, only_attachment())
    assert served["Content-Type"] == "application/vnd.ms-excel"
    assert served["Content-Disposition"].startswith("attachment")


def test_a_decompression_bomb_attached_to_a_report_is_refused_on_the_form(client, filing):
    response = filing(SimpleUploadedFile("扫描件.png", png_header_only(30_000, 30_000), content_type="image/png"))
    assert response.status_code == 200
    with translation.override("zh-hans"):
        assert "扫描件.png" in response.content.decode()
    assert not Attachment.objects.exists() and not Submission.objects.exists()
    stored = (
        [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] if Path(settings.MEDIA_ROOT).exists() else []
    )
    assert stored == []


def test_an_attachment_whose_file_is_gone_answers_404(client, filing):
    filing(SimpleUploadedFile("总结.pdf", pdf()))
    attachment = only_attachment()
    Path(attachment.file.path).unlink()
    assert download(client, attachment).status_code == 404
    assert client.get(reverse("submission_detail", args=[attachment.submission_id])).status_code == 200


def test_a_reader_outside_the_unit_still_gets_404_not_the_file(client, filing, unit, make_user):
    filing(SimpleUploadedFile("总结.pdf", pdf()))
    client.force_login(make_user(Role.STREET_STAFF, unit("330103003")))
    assert download(client, only_attachment()).status_code == 404
