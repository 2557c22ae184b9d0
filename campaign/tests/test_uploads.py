"""What a user uploads is judged by its bytes: forged, dangerous, damaged and oversize files are refused."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import ExifTags, Image, ImageFile

from campaign.lib.uploads import (
    AttachmentUploadField,
    ImageUploadField,
    clean_attachment,
    clean_image,
)
from campaign.tests.images import (
    ELF,
    SVG_WITH_SCRIPT,
    jpeg_with_gps,
    pdf,
    pdf_in_object_stream,
    pdf_with_catalog,
    png_header_only,
)


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def refused(function, file, code, **kwargs):
    with pytest.raises(ValidationError) as caught:
        function(file, **kwargs)
    assert caught.value.error_list[0].code == code
    return caught.value


def test_a_phone_photo_loses_its_location_and_keeps_its_picture():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the fixture has a GPS position

    photo = clean_image(upload("IMG_0001.JPG", original, "image/jpeg"))

    stored = Image.open(io.BytesIO(photo.content.read()))
    assert stored.format == "JPEG" and stored.size == (640, 480)
    assert not stored.getexif(), "no EXIF at all, so no GPS position"
    assert "exif" not in stored.info
    assert stored.getpixel((10, 10))[0] > 150  # still the red picture
    thumbnail = Image.open(io.BytesIO(photo.thumbnail.read()))
    assert max(thumbnail.size) == 320 and not thumbnail.getexif()
    assert (photo.width, photo.height) == (640, 480)


def test_a_large_photo_is_stored_scaled_down_and_a_png_becomes_a_jpeg():
    out = io.BytesIO()
    Image.new("RGBA", (4000, 1000), (0, 0, 255, 128)).save(out, "PNG")
    photo = clean_image(upload("scan.png", out.getvalue()))
    stored = Image.open(io.BytesIO(photo.content.read()))
    assert stored.format == "JPEG" and stored.size == (2560, 640) == (photo.width, photo.height)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("photo.jpg", ELF),  # a renamed executable
        ("photo.svg", SVG_WITH_SCRIPT),  # SVG carrying script
        ("photo.jpg", SVG_WITH_SCRIPT),
        ("photo.jpg", b"this is not a picture at all"),  # the name says .jpg, the bytes do not
        ("photo.jpg", jpeg_with_gps()[:-2000]),  # a truncated JPEG
    ],
    ids=["renamed-executable", "svg-with-script", "svg-named-jpg", "text-named-jpg", "truncated-jpeg"],
)
def test_what_is_not_a_whole_photo_is_refused_with_a_chinese_message(name, data):
    error = refused(clean_image, upload(name, data, "image/jpeg"), "not_an_image")
    with translation.override("zh-hans"):
        assert "照片" in str(error.messages[0]) and name in str(error.messages[0])


def test_an_oversize_photo_is_refused_before_it_is_decoded():
    error = refused(clean_image, upload("big.jpg", jpeg_with_gps()), "too_big", max_bytes=1000)
    with translation.override("zh-hans"):
        assert "1000" in str(error.messages[0]) or "字节" in str(error.messages[0])


def test_a_decompression_bomb_is_refused():
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG")  # a few kB, 144 megapixels
    refused(clean_image, upload("bomb.png", out.getvalue()), "too_many_pixels")


def minimal_docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


PDF = pdf()


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("总结.pdf", PDF, "pdf"),
        ("计划.docx", minimal_docx(), "docx"),
        ("说明.txt", "月度工作信息：完成排查。".encode(), "txt"),
        ("旧表.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "ole"),
        ("现场.jpg", jpeg_with_gps(), "jpg"),
    ],
)
def test_documents_are_accepted_by_their_content(name, data, kind):
    attachment = clean_attachment(upload(name, data))
    assert attachment.kind == kind and attachment.original_name == name
    if kind == "jpg":
        assert not Image.open(io.BytesIO(attachment.content.read())).getexif()


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("report.pdf", ELF, "bad_kind"),
        ("report.pdf", PDF[:-7], "bad_kind"),  # cut off before %%EOF
        ("report.pdf", pdf_with_catalog(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"), "active_pdf"),
        ("notes.txt", b"<html><script>alert(1)</script></html>", "bad_kind"),
        ("plan.docx", b"PK\x03\x04" + b"\x00" * 100, "bad_kind"),
        ("empty.pdf", b"", "empty"),
    ],
    ids=["executable", "truncated-pdf", "pdf-with-javascript", "html-as-text", "broken-zip", "empty"],
)
def test_bad_documents_are_refused(name, data, code):
    refused(clean_attachment, upload(name, data), code)


def test_the_photo_field_opens_the_camera_and_cleans_several_files():
    field = ImageUploadField(multiple=True, max_files=2)
    html = field.widget.render("photos", None, attrs=field.widget_attrs(field.widget))
    assert 'capture="environment"' in html and "multiple" in html and "image/" in html

    photos = field.clean([upload("a.jpg", jpeg_with_gps()), upload("b.jpg", jpeg_with_gps())])
    assert len(photos) == 2
    with pytest.raises(ValidationError):
        field.clean([upload("a.jpg", jpeg_with_gps())] * 3)
    with pytest.raises(ValidationError) as caught:
        field.clean([upload("a.jpg", jpeg_with_gps()), upload("evil.jpg", ELF)])
    assert "evil.jpg" in caught.value.messages[0]


def test_the_attachment_field_refuses_a_bad_file():
    field = AttachmentUploadField(required=False)
    assert field.clean(None) in (None, False, "")
    with pytest.raises(ValidationError):
        field.clean(upload("x.pdf", ELF))


def test_a_truncated_photo_is_refused_even_after_a_pdf_library_relaxed_pillow(monkeypatch):
    # WeasyPrint sets this process-wide when imported (it prints damaged images leniently).
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    refused(clean_image, upload("cut.jpg", jpeg_with_gps()[:-2000]), "not_an_image")


# ---------------------------------------------------------------- forgeries the checks must parse to see


def test_a_decompression_bomb_attached_to_a_report_is_refused_like_a_photo():
    # 30000 × 30000 pixels claimed in a few bytes: Pillow refuses to open it at all.
    bomb = png_header_only(30_000, 30_000)
    error = refused(clean_attachment, upload("scan.png", bomb), "too_many_pixels")
    with translation.override("zh-hans"):
        assert "scan.png" in error.messages[0] and "像素" in error.messages[0]


ACTIVE = {
    "open-action-escaped": b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>",
    "launch-escaped": b"/OpenAction << /S /#4Caunch /F (cmd.exe) >>",
    "page-actions": b"/AA << /O << /S /SubmitForm /F (http://example.com/) >> >>",
    "embedded-files": b"/Names << /#45mbeddedFiles << /Names [(a.exe) 9 0 R] >> >>",
    "xfa-form": b"/AcroForm << /XFA [(template) 9 0 R] /Fields [] >>",
    "import-data": b"/OpenAction << /S /ImportData /F (data.fdf) >>",
    "rich-media": b"/Names << /RichMedia [] >>",
}


@pytest.mark.parametrize("extra", ACTIVE.values(), ids=ACTIVE.keys())
def test_a_pdf_that_acts_when_opened_is_refused_however_its_names_are_spelled(extra):
    assert b"/JavaScript" not in extra and b"/Launch" not in extra  # a byte search finds nothing here
    error = refused(clean_attachment, upload("通知.pdf", pdf_with_catalog(extra)), "active_pdf")
    with translation.override("zh-hans"):
        assert "通知.pdf" in error.messages[0]


def test_an_open_action_hidden_in_a_compressed_object_stream_is_refused():
    data = pdf_in_object_stream(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>")
    assert b"OpenAction" not in data and b"JavaScript" not in data
    refused(clean_attachment, upload("总结.pdf", data), "active_pdf")
    # The same file without the action is an ordinary PDF 1.5 and is accepted.
    assert clean_attachment(upload("总结.pdf", pdf_in_object_stream(b""))).kind == "pdf"


def test_an_encrypted_pdf_is_refused():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(PDF)))
    writer.encrypt("secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    refused(clean_attachment, upload("加密.pdf", out.getvalue()), "encrypted_pdf")


def test_a_pdf_that_cannot_be_parsed_is_refused():
    # Starts and ends like a PDF, holds nothing a reader can follow.
    refused(clean_attachment, upload("坏.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50 + b"\n%%EOF\n"), "bad_kind")


@pytest.mark.parametrize(
    "data",
    [
        "\ufeff<html><script>alert(1)</script></html>".encode(),  # a byte-order mark first
        "会议纪要\n<script>alert(document.cookie)</script>".encode(),  # a line of text first
        "说明：\n  <svg/onload=alert(1)>".encode("gb18030"),
        "备注 <!-- x --> <img src=x onerror=alert(1)>".encode(),
        "\ufeff#!/bin/sh\nrm -rf /".encode(),
    ],
    ids=["bom-html", "text-then-script", "gb18030-svg", "comment-and-img", "bom-shebang"],
)
def test_text_carrying_markup_or_a_script_anywhere_is_refused(data):
    refused(clean_attachment, upload("notes.txt", data), "bad_kind")


def test_text_that_mentions_comparisons_is_still_text():
    text = "风险值 < 70 分为低风险，>= 160 为重大风险；a<5 且 b>3。".encode()
    assert clean_attachment(upload("说明.txt", text)).kind == "txt"
