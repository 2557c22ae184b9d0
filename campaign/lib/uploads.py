"""Uploaded photos and attachments: judged by their bytes, never by their names.

Every upload a user makes (hazard photos, report attachments) comes through
here before it is stored:

- an image must decode completely with Pillow as JPEG, PNG or WebP, within a
  pixel budget; it is then re-encoded as a fresh JPEG, so nothing of the
  original file survives: no EXIF (GPS position included), no trailing
  payload, no polyglot. A thumbnail is made at the same time;
- an attachment must be a PDF, an Office document (OOXML or the old binary
  format), plain text or an image (which goes through the image path, pixel
  guard included). A PDF is parsed: every object, those packed in object
  streams too, with names decoded, and one that could act when opened
  (scripts, launch, open and page actions, embedded files, forms that submit or
  import, rich media) is refused, as is an encrypted or unparseable one. Text
  is decoded, and text carrying markup (HTML, SVG, XML) or a script anywhere
  in it is refused, a byte-order mark or a first line notwithstanding;
- anything else, or anything over the size limit, is refused with a message in
  the user's language, and nothing is written.

What a file was checked as (its `mime`) is stored with it and is what it is
served as: never a type guessed from the uploader's file name. Stored files
are never served by the web server's /media/: a view that has checked the
user's scope answers with protected_file_response().
"""

from __future__ import annotations

import io
import mimetypes
import re
import warnings
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}  # MPO: what some phone cameras write for JPEG
MAX_IMAGE_PIXELS = 50_000_000  # a 50-megapixel photo; more is refused before decoding
STORED_LONG_EDGE = 2560  # a stored photo is at most this wide or high
THUMBNAIL_EDGE = 320
JPEG_QUALITY = 85

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc / .xls / .ppt
OOXML_KINDS = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}
MIME_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "ole": "application/octet-stream",
    "txt": "text/plain; charset=utf-8",
    "jpg": "image/jpeg",
}
# Served inline (the browser shows them); every other stored type downloads.
INLINE_TYPES = {"image/jpeg", "image/png", "image/webp", "application/pdf"}  # never SVG: it is a document
# PDF names that make a document act when it is opened or used, as keys or as values.
ACTIVE_PDF_NAMES = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/OpenAction",
        "/AA",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/RichMedia",
        "/XFA",
        "/SubmitForm",
        "/ImportData",
    }
)
# A tag (<html, </p, <svg/onload), a comment, a declaration or a processing instruction.
MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z][\w:.-]*(?=[\s/>])|<!|<\?")


@dataclass(frozen=True)
class CleanImage:
    content: ContentFile  # a JPEG without metadata
    thumbnail: ContentFile  # a JPEG at most THUMBNAIL_EDGE on its long side
    width: int
    height: int
    mime: str = "image/jpeg"


@dataclass(frozen=True)
class CleanAttachment:
    content: ContentFile
    kind: str  # pdf, docx, xlsx, pptx, ole, txt, jpg
    mime: str
    original_name: str


def _limit(max_bytes: int | None, setting: str) -> int:
    return max_bytes if max_bytes is not None else getattr(settings, setting)


def _read(upload, max_bytes: int) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise _too_big(upload, max_bytes)
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    upload.seek(0)
    if len(data) > max_bytes:
        raise _too_big(upload, max_bytes)
    if not data:
        raise ValidationError(_("The file %(name)s is empty."), code="empty", params={"name": _name(upload)})
    return data


def _name(upload) -> str:
    return PurePath(getattr(upload, "name", "") or "").name


def _too_big(upload, max_bytes: int) -> ValidationError:
    return ValidationError(
        _("The file %(name)s is larger than %(limit)s."),
        code="too_big",
        params={"name": _name(upload), "limit": filesizeformat(max_bytes)},
    )


def _not_an_image(upload) -> ValidationError:
    return ValidationError(
        _("The file %(name)s is not a photo this system can read (JPEG, PNG or WebP), or it is damaged."),
        code="not_an_image",
        params={"name": _name(upload)},
    )


def _too_many_pixels(upload) -> ValidationError:
    return ValidationError(
        _("The photo %(name)s has too many pixels (at most %(megapixels)s megapixels)."),
        code="too_many_pixels",
        params={"name": _name(upload), "megapixels": MAX_IMAGE_PIXELS // 1_000_000},
    )


def _open(upload, data: bytes) -> Image.Image | None:
    """Pillow's reading of the header behind the pixel guard: None if it is no image Pillow knows,
    ValidationError for a decompression bomb. Every path that looks at an upload as an image
    (photos, attachments) opens it here."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels(upload) from error
    except Exception:  # a forged header can make any format plugin raise anything
        return None


def _decode(upload, data: bytes) -> Image.Image:
    """The fully decoded image, or ValidationError: truncated and forged files fail here."""
    image = _open(upload, data)
    if image is None or image.format not in IMAGE_FORMATS:
        raise _not_an_image(upload)
    if image.width * image.height > MAX_IMAGE_PIXELS:
        raise _too_many_pixels(upload)
    # Importing WeasyPrint turns LOAD_TRUNCATED_IMAGES on for the whole process; a photo kept
    # as evidence must be whole, so it is turned off again before each load (what we store is
    # re-encoded here and never truncated, so PDFs lose nothing by it).
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        image.load()  # raises on a truncated file
    except Exception as error:  # as in _open: damaged data can fail in any way
        raise _not_an_image(upload) from error
    return image


def _jpeg(image: Image.Image, edge: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif=, no icc_profile=: the new file carries pixels only.
    copy.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _stem(upload) -> str:
    return PurePath(_name(upload)).stem[:80] or "photo"


def clean_image(upload, *, max_bytes: int | None = None) -> CleanImage:
    """A photo re-encoded as JPEG without metadata, its thumbnail and size; ValidationError if not a photo."""
    data = _read(upload, _limit(max_bytes, "UPLOAD_MAX_IMAGE_BYTES"))
    image = _decode(upload, data)
    try:
        image = ImageOps.exif_transpose(image)  # keep what the camera meant as "up" before EXIF goes
        if image.mode not in ("RGB", "L"):
            background = Image.new("RGB", image.size, "white")
            rgba = image.convert("RGBA")
            background.paste(rgba, mask=rgba.getchannel("A"))
            image = background
        content, thumbnail = _jpeg(image, STORED_LONG_EDGE), _jpeg(image, THUMBNAIL_EDGE)
    except Exception as error:  # a forged EXIF block or palette fails here, in any way
        raise _not_an_image(upload) from error
    stem = _stem(upload)
    width, height = _scaled(image)
    return CleanImage(
        content=ContentFile(content, name=f"{stem}.jpg"),
        thumbnail=ContentFile(thumbnail, name=f"{stem}-thumb.jpg"),
        width=width,
        height=height,
    )


def _scaled(image: Image.Image) -> tuple[int, int]:
    scale = min(1.0, STORED_LONG_EDGE / max(image.width, image.height))
    return round(image.width * scale), round(image.height * scale)


def _office_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "[Content_Types].xml" not in names or archive.testzip() is not None:
                return None
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError):
        return None
    for prefix, kind in OOXML_KINDS.items():
        if any(name.startswith(prefix) for name in names):
            return kind
    return None


def _text(data: bytes) -> str | None:
    """The text, decoded as UTF-8 (with or without a byte-order mark) or GB 18030; None if it is not text."""
    if b"\x00" in data:
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _is_plain_text(text: str) -> bool:
    """Text without markup (HTML, SVG, XML) anywhere and not a script: a browser that ignored the
    stored type would still find nothing to run in it."""
    return not text.lstrip("\ufeff \t\r\n").startswith("#!") and MARKUP.search(text) is None


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        # A PDF ends with %%EOF (possibly followed by a newline); a cut-off one does not.
        return "pdf" if b"%%EOF" in data[-1024:] else None
    if data.startswith(OLE2_MAGIC):
        return "ole"
    if data.startswith(b"PK\x03\x04"):
        return _office_kind(data)
    text = _text(data)
    if text is not None and _is_plain_text(text):
        return "txt"
    return None


def _pdf_objects(reader: PdfReader):
    """Every object of the PDF: those its cross-reference tables and streams list (objects packed
    in object streams included), and whatever the trailer reaches; dictionaries and arrays are
    walked into, so a name is seen wherever it sits."""
    pending = [reader.trailer]
    for generation, numbers in reader.xref.items():
        pending.extend(IndirectObject(number, generation, reader) for number in numbers)
    pending.extend(IndirectObject(number, 0, reader) for number in reader.xref_objStm)
    seen = set()
    while pending:
        obj = pending.pop()
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            obj = obj.get_object()
        yield obj
        if isinstance(obj, DictionaryObject):  # a stream's dictionary too
            pending.extend(obj.keys())
            pending.extend(obj.values())  # raw values: references stay references
        elif isinstance(obj, ArrayObject):
            pending.extend(obj)


def _pdf_refusal(data: bytes) -> str | None:
    """Why this PDF cannot be accepted ("active_pdf", "encrypted_pdf", "bad_kind"), or None."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return "encrypted_pdf"
        for obj in _pdf_objects(reader):
            # pypdf has decoded #xx escapes: /J#61vaScript is /JavaScript here.
            if isinstance(obj, NameObject) and obj in ACTIVE_PDF_NAMES:
                return "active_pdf"
        if len(reader.pages) < 1:
            return "bad_kind"
    except Exception:  # a PDF pypdf cannot read is not one this system accepts
        return "bad_kind"
    return None


ATTACHMENT_EXTENSIONS = {"pdf": ".pdf", "docx": ".docx", "xlsx": ".xlsx", "pptx": ".pptx", "txt": ".txt"}
OLE_EXTENSIONS = {".doc", ".xls", ".ppt"}


def clean_attachment(upload, *, max_bytes: int | None = None) -> CleanAttachment:
    """An attachment whose bytes are what it claims to be; ValidationError otherwise."""
    limit = _limit(max_bytes, "UPLOAD_MAX_ATTACHMENT_BYTES")
    data = _read(upload, limit)
    name = _name(upload) or "attachment"
    if _open(upload, data) is not None:  # the photo path's guard: a decompression bomb is refused here
        image = clean_image(upload, max_bytes=limit)
        return CleanAttachment(image.content, "jpg", image.mime, name)
    kind = _sniff(data)
    refusal = _pdf_refusal(data) if kind == "pdf" else None
    if refusal == "active_pdf":
        raise ValidationError(
            _(
                "The PDF %(name)s contains scripts, actions, embedded files or form submissions "
                "and cannot be accepted. Print it to a plain PDF and upload that."
            ),
            code="active_pdf",
            params={"name": name},
        )
    if refusal == "encrypted_pdf":
        raise ValidationError(
            _("The PDF %(name)s is encrypted or password-protected; upload it without protection."),
            code="encrypted_pdf",
            params={"name": name},
        )
    if kind is None or refusal:
        raise ValidationError(
            _("The file %(name)s is not a PDF, Word, Excel, PowerPoint, text or image file, or it is damaged."),
            code="bad_kind",
            params={"name": name},
        )
    stem = PurePath(name).stem[:80] or "attachment"
    suffix = PurePath(name).suffix.lower()
    extension = (suffix if suffix in OLE_EXTENSIONS else ".doc") if kind == "ole" else ATTACHMENT_EXTENSIONS[kind]
    mime = mimetypes.types_map.get(extension, MIME_TYPES[kind]) if kind == "ole" else MIME_TYPES[kind]
    return CleanAttachment(ContentFile(data, name=f"{stem}{extension}"), kind, mime, name)


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class _CleanedFileField(forms.FileField):
    """A file field whose cleaned value is what `cleaner` returns; multiple=True takes several files."""

    cleaner = None
    widget_attrs_extra: dict = {}

    def __init__(self, *args, multiple=False, max_files=10, max_bytes=None, **kwargs):
        self.multiple = multiple
        self.max_files = max_files
        self.max_bytes = max_bytes
        kwargs.setdefault("widget", _MultipleFileInput() if multiple else forms.ClearableFileInput())
        super().__init__(*args, **kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(self.widget_attrs_extra)
        if self.multiple:
            attrs["multiple"] = True
        return attrs

    def clean(self, data, initial=None):
        if not self.multiple:
            upload = super().clean(data, initial)
            return type(self).cleaner(upload, max_bytes=self.max_bytes) if upload else upload
        uploads = [file for file in (data or []) if file] if isinstance(data, (list, tuple)) else [data] if data else []
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(uploads) > self.max_files:
            raise ValidationError(
                _("At most %(count)s files can be uploaded at once."), code="too_many", params={"count": self.max_files}
            )
        cleaned, errors = [], []
        for upload in uploads:
            try:
                cleaned.append(type(self).cleaner(super().clean(upload, initial), max_bytes=self.max_bytes))
            except ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise ValidationError(errors)
        return cleaned


class ImageUploadField(_CleanedFileField):
    """Photos: a phone opens its camera; the cleaned value is a CleanImage (or a list of them)."""

    cleaner = staticmethod(clean_image)
    widget_attrs_extra = {"accept": "image/jpeg,image/png,image/webp,image/*", "capture": "environment"}


class AttachmentUploadField(_CleanedFileField):
    """Documents: the cleaned value is a CleanAttachment (or a list of them)."""

    cleaner = staticmethod(clean_attachment)
    widget_attrs_extra = {
        "accept": ".pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.txt,image/jpeg,image/png,image/webp",
    }


@contextmanager
def files_removed_on_failure():
    """Files written inside a transaction that then fails are removed with it: a service appends
    each FieldFile it saves to the list it is given."""
    written: list = []
    try:
        yield written
    except BaseException:
        for fieldfile in written:
            fieldfile.storage.delete(fieldfile.name)
        raise


def protected_file_response(fieldfile, *, content_type: str, filename: str | None = None) -> FileResponse:
    """Serve a stored file from a view that has already checked the user may see it.

    `content_type` is what the file was checked as when it was stored (its row's `mime`); the name
    shown keeps the user's stem with the stored file's extension, so neither a browser nor the
    desktop guesses another type from it. Only images and PDFs open in the browser. A row whose
    file is gone (a database restored without its media) answers 404."""
    stored = PurePath(fieldfile.name)
    name = f"{PurePath(filename).stem}{stored.suffix}" if filename else stored.name
    try:
        handle = fieldfile.open("rb")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise Http404 from None
    inline = content_type.split(";")[0].strip() in INLINE_TYPES
    response = FileResponse(handle, as_attachment=not inline, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a stored file were ever dangerous, a browser shown it runs nothing.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    return response
