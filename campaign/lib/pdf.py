"""PDFs from templates (WeasyPrint), and the response that serves one.

A document extends `pdf/base.html`, which sets the page (A4, GB/T 9704 margins), names the font
on <html> (page margin boxes do not inherit body's, and WeasyPrint would fall back to a face
without CJK), numbers the pages 第 x 页 共 y 页 and heads the first page with the official
letterhead (the `letterhead` block: the issuer in red, a red rule, the document number).
WeasyPrint embeds the font it used: a CJK font must be installed (system check campaign.E002).

Rendering takes about a second a page: a request may render one notice, but a document of many
pages is a job the user watches.
"""

from __future__ import annotations

import datetime
import io
import logging
import re
import unicodedata
from urllib.parse import quote

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

# WeasyPrint logs every rendering step at INFO; a document printed is not news.
logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)

# Characters no file system or browser takes in a name, and controls.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f\\/:*?"<>|;]+')


def cn_date(day: datetime.date | None) -> str:
    """A date as a document writes it: 2026年3月2日."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_numbers_css() -> str:
    """The CSS `content` of the page footer in the current language: 第 x 页 共 y 页 / Page x of y."""
    marker_page, marker_pages = "\x00PAGE\x00", "\x00PAGES\x00"
    text = _("Page %(page)s of %(pages)s") % {"page": marker_page, "pages": marker_pages}
    parts = []
    for piece in re.split(f"({marker_page}|{marker_pages})", text):
        if piece == marker_page:
            parts.append("counter(page)")
        elif piece == marker_pages:
            parts.append("counter(pages)")
        elif piece:
            parts.append(_css_string(piece))
    return " ".join(parts)


def render_pdf(template_name: str, context: dict | None = None) -> bytes:
    """The PDF of a template that extends pdf/base.html."""
    # Imported here: loading it costs a second at start-up. (It turns Pillow's
    # LOAD_TRUNCATED_IMAGES on process-wide; campaign.lib.uploads guards itself against that.)
    from weasyprint import HTML

    html = render_to_string(template_name, {"page_numbers_css": page_numbers_css(), **(context or {})})
    return HTML(string=html).write_pdf()


def page_count(content: bytes) -> int:
    """The pages of a PDF."""
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(content)).pages)


def safe_filename(name: str, *, suffix: str = ".pdf") -> str:
    """`name` as a file name any browser saves as given: no path, no quotes or controls, one suffix."""
    name = unicodedata.normalize("NFC", name)
    name = _UNSAFE.sub("-", name)
    name = re.sub(r"\s+", " ", name).strip(" .-")
    if suffix and not name.lower().endswith(suffix):
        name = f"{name}{suffix}"
    return name if name.strip(" .") != suffix.strip(".") else f"document{suffix}"


def content_disposition(name: str, *, inline: bool = True, suffix: str = ".pdf") -> str:
    """RFC 6266: the UTF-8 name for every current browser, an ASCII one for the rest."""
    name = safe_filename(name, suffix=suffix)
    stem = name[: -len(suffix)] if name.lower().endswith(suffix) else name
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_stem).strip("-.")
    ascii_name = f"{ascii_stem or 'document'}{suffix}"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def pdf_response(content: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    """Serve a rendered PDF. The no-store header is the middleware's (NoStoreMiddleware)."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    return response
