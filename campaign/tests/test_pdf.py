"""The one PDF renderer: what a printed document shows (the page numbers, Chinese in an embedded
font, the letterhead), and the name a browser saves it under. Fonts are read with pdffonts and
text with pdftotext (poppler), since a PDF without the font still yields the right text."""

import copy
import shutil
import subprocess
from urllib.parse import unquote

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from campaign.lib.pdf import content_disposition, pdf_response, render_pdf, safe_filename

needs_poppler = pytest.mark.skipif(
    shutil.which("pdffonts") is None or shutil.which("pdftotext") is None,
    reason="pdffonts and pdftotext (poppler-utils) are not installed",
)

DOCUMENT = """{% extends "pdf/base.html" %}
{% block title %}测试文件{% endblock %}
{% block content %}<h1>关于开展安全检查的通知</h1>
{% for i in paragraphs %}<p>第{{ i }}段：各街道、各部门要落实安全生产责任。</p>{% endfor %}
{% endblock %}"""


@pytest.fixture
def document(tmp_path, settings):
    """A document of the given length, extending the base template like every real one."""
    (tmp_path / "doc.html").write_text(DOCUMENT, encoding="utf-8")
    templates = copy.deepcopy(django_settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates

    def render(paragraphs: int) -> bytes:
        return render_pdf("doc.html", {"issuer": "下城区创建办", "paragraphs": range(1, paragraphs + 1)})

    return render


def pdf_text(pdf: bytes, tmp_path) -> list[str]:
    """The text of each page, spaces removed (pdftotext spaces CJK as it likes)."""
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return ["".join(page.split()) for page in text.split("\f") if page.strip()]


def pdf_fonts(pdf: bytes, tmp_path) -> list[tuple[str, str]]:
    """(font name, embedded yes/no) for each font the PDF uses."""
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    return [(line.split()[0], line.split()[-5]) for line in lines[2:]]


@needs_poppler
def test_every_page_says_which_page_it_is_of_how_many(document, tmp_path):
    with translation.override("zh-hans"):
        pages = pdf_text(document(120), tmp_path)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"第{number}页共{len(pages)}页" in page, page[-40:]


@needs_poppler
def test_page_numbers_follow_the_language(document, tmp_path):
    with translation.override("en"):
        pages = pdf_text(document(1), tmp_path)
    assert pages[0].endswith("Page1of1")


@needs_poppler
def test_chinese_prints_in_an_embedded_cjk_font(document, tmp_path):
    pdf = document(1)
    fonts = pdf_fonts(pdf, tmp_path)
    cjk = [(name, emb) for name, emb in fonts if "CJK" in name or "Hei" in name]
    assert cjk, fonts
    assert all(emb == "yes" for _name, emb in fonts), fonts
    assert "关于开展安全检查的通知" in pdf_text(pdf, tmp_path)[0]


@needs_poppler
def test_the_first_page_carries_the_letterhead(document, tmp_path):
    first = pdf_text(document(1), tmp_path)[0]
    assert first.startswith("下城区创建办")
    assert first.index("下城区创建办") < first.index("关于开展安全检查的通知")


def test_a_chinese_file_name_reaches_the_browser_intact():
    header = content_disposition("YH330103-2026-000001 整改通知书")
    assert header.startswith("inline; ")
    assert 'filename="YH330103-2026-000001.pdf"' in header
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == "YH330103-2026-000001 整改通知书.pdf"


@pytest.mark.parametrize(
    ("given", "saved"),
    [
        ("../../etc/passwd", "etc-passwd.pdf"),
        ('通知"; filename=evil.exe', "通知- filename=evil.exe.pdf"),
        ("整改\r\n通知书.pdf", "整改-通知书.pdf"),
        ("", "document.pdf"),
        ("...", "document.pdf"),
    ],
)
def test_a_file_name_cannot_leave_its_header_or_name_a_path(given, saved):
    assert safe_filename(given) == saved
    header = content_disposition(given)
    assert "\r" not in header and "\n" not in header
    assert header.count('"') == 2  # the ASCII name's own quotes, nothing injected


def test_the_response_is_a_pdf_that_is_not_sniffed():
    response = pdf_response(b"%PDF-1.7", "通知书")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "filename*=UTF-8''%E9%80%9A%E7%9F%A5%E4%B9%A6.pdf" in response["Content-Disposition"]
