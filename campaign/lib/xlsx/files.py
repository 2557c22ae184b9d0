"""Workbooks as files: upload checks (content, size, zip bombs), reading the
first sheet into a dataset, writing workbooks (exports, templates), the upload
form, and uploads kept between preview and confirm."""

from __future__ import annotations

import contextlib
import datetime
import time
import uuid
import zipfile
from collections.abc import Callable, Iterable, Sequence
from io import BytesIO
from pathlib import Path

import tablib
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from campaign.lib.xlsx.cells import (
    HEADER_ROW,
    ROW_COLUMN,
    ChoiceWidget,
    DateWidget,
    LookupWidget,
    YesNoWidget,
    cell_text,
)
from campaign.lib.xlsx.resource import XlsxResource

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The content type of the main part of an .xlsx workbook; macro-enabled
# (.xlsm) and template (.xltx) workbooks declare other types and are refused.
XLSX_MAIN_CONTENT_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
ZIP_MAGIC = b"PK\x03\x04"
# A zip can expand far beyond its size; refuse one that would expand to more
# than this many times the upload limit before openpyxl unpacks it.
MAX_EXPANSION = 20
MAX_ZIP_ENTRIES = 1000
MAX_ROWS = 50_000
UPLOAD_DIR = "imports"


# ---------------------------------------------------------------- reading


def _not_xlsx() -> ValidationError:
    return ValidationError(
        _(
            "This is not an Excel workbook (.xlsx). Open it in Excel or WPS and save it as “Excel workbook (.xlsx)”; "
            "old .xls files, CSV files and password-protected workbooks cannot be imported."
        ),
        code="not_xlsx",
    )


def check_xlsx_upload(upload) -> None:
    """Refuse anything but an .xlsx workbook under settings.IMPORT_MAX_UPLOAD_BYTES, judged by content."""
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if size > limit:
        raise ValidationError(
            _("The file is %(size)s; files up to %(limit)s can be imported. Split it into smaller files."),
            code="too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
        )
    upload.seek(0)
    try:
        if upload.read(4) != ZIP_MAGIC:
            raise _not_xlsx()
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > limit * MAX_EXPANSION:
                raise ValidationError(_("The workbook unpacks to more data than an import may hold."), code="too_large")
            try:
                manifest = archive.getinfo("[Content_Types].xml")
            except KeyError:
                raise _not_xlsx() from None
            if manifest.file_size > 1024 * 1024 or XLSX_MAIN_CONTENT_TYPE not in archive.read(manifest):
                raise _not_xlsx()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        raise _not_xlsx() from None
    finally:
        upload.seek(0)


def read_xlsx(source) -> tablib.Dataset:
    """The first sheet as a Dataset: row 1 the headers, empty rows dropped, and
    each row's spreadsheet number in ROW_COLUMN."""
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ValidationError(_("The workbook could not be read: it may be damaged."), code="unreadable") from exc
    try:
        if not workbook.worksheets:
            raise ValidationError(_("The workbook has no sheet."), code="empty")
        sheet = workbook.worksheets[0]
        # Some programs write a wrong sheet size; read every row there is.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        header = list(next(rows, ()) or ())
        while header and cell_text(header[-1]) == "":
            header.pop()
        if not any(cell_text(h) for h in header):
            raise ValidationError(
                _("Row 1 of the first sheet must hold the column headers; it is empty."), code="no_header"
            )
        headers = [cell_text(h) or f"__blank_{i}" for i, h in enumerate(header)]
        dataset = tablib.Dataset(headers=[*headers, ROW_COLUMN])
        width = len(headers)
        for number, values in enumerate(rows, start=HEADER_ROW + 1):
            values = list(values[:width]) + [None] * (width - len(values))
            if all(cell_text(v) == "" for v in values):
                continue
            if len(dataset) >= MAX_ROWS:
                raise ValidationError(
                    _("The file has more than %(count)d rows; split it into smaller files."),
                    code="too_many_rows",
                    params={"count": MAX_ROWS},
                )
            dataset.append([*values, number])
        return dataset
    except ValidationError:
        raise
    except Exception as exc:
        raise ValidationError(_("The workbook could not be read: it may be damaged."), code="unreadable") from exc
    finally:
        workbook.close()


# ---------------------------------------------------------------- writing


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


# fill(header, value) → a colour such as "#e60012" to fill that cell with, or None.
CellFill = Callable[[str, object], str | None]


def _fill_styles(colour: str) -> tuple[PatternFill, Font | None]:
    rgb = colour.lstrip("#").upper()
    red, green, blue = (int(rgb[i : i + 2], 16) for i in (0, 2, 4))
    # White text on a dark fill (red, blue), black on a light one (orange, yellow).
    dark = 0.299 * red + 0.587 * green + 0.114 * blue < 150
    return PatternFill(fill_type="solid", fgColor=f"FF{rgb}"), Font(color="FFFFFFFF") if dark else None


def write_xlsx(
    sheets: Iterable[tuple[str, Sequence[str], Sequence[Sequence]]], *, fill: CellFill | None = None
) -> bytes:
    """A workbook of (title, headers, rows) sheets; every value is written as text
    or a number, never as a formula, so a name starting with “=” stays a name.
    `fill` colours chosen cells (a risk's level in its colour)."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    styles: dict[str, tuple[PatternFill, Font | None]] = {}
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        for i, header in enumerate(headers, start=1):
            widest = max([_display_width(str(header)), *(_display_width(str(r[i - 1])) for r in rows[:200])])
            sheet.column_dimensions[get_column_letter(i)].width = min(max(widest + 2, 8), 60)
        sheet.freeze_panes = "A2"
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=str(header))
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            cells = []
            for header, value in zip(headers, row, strict=False):
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str) and cell.data_type == "f":
                    cell.data_type = "s"
                colour = fill(str(header), value) if fill else None
                if colour:
                    if colour not in styles:
                        styles[colour] = _fill_styles(colour)
                    cell.fill, font = styles[colour]
                    if font is not None:
                        cell.font = font
                cells.append(cell)
            sheet.append(cells)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_xlsx(resource: XlsxResource, queryset, *, title: str, fill: CellFill | None = None) -> bytes:
    dataset = resource.export(queryset)
    return write_xlsx([(title, dataset.headers, [list(r) for r in dataset])], fill=fill)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A workbook as a download. The audit trail records every download by its Content-Disposition."""
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_response(
    resource: XlsxResource, rows, *, title: str, name: str, fill: CellFill | None = None
) -> HttpResponse:
    """A list's rows (already scoped and filtered by the caller, as the list shows them) as a
    workbook in the resource's layout, named `<name>-<today>.xlsx`: every list's export."""
    content = export_xlsx(resource, rows, title=title, fill=fill)
    return xlsx_response(content, f"{name}-{timezone.localdate():%Y%m%d}.xlsx")


def template_xlsx(resource: XlsxResource, *, title: str) -> bytes:
    """The headers on the first sheet (where data goes), and on a second sheet
    what each column takes: no example row that could be imported by mistake."""
    notes = []
    for fld in resource.import_columns():
        if fld.readonly:
            continue
        allowed = ""
        if isinstance(fld.widget, ChoiceWidget):
            allowed = _("One of: %(choices)s.") % {"choices": "、".join(fld.widget.allowed())}
        elif isinstance(fld.widget, YesNoWidget):
            allowed = _("是 (yes) or 否 (no); empty means 否.")
        elif isinstance(fld.widget, LookupWidget) and fld.widget.list_in_template:
            allowed = _("One of: %(choices)s.") % {"choices": "、".join(fld.widget.choices_hint())}
        elif isinstance(fld.widget, DateWidget):
            allowed = _("A date, e.g. 2020-06-30.")
        if fld.required:
            need = _("Required")
        elif fld.column_required:
            need = _("Column required; cell may be empty")
        else:
            need = _("Optional")
        notes.append(
            [
                fld.column_name,
                str(need),
                ", ".join(a for a in fld.aliases if a != fld.column_name),
                " ".join(s for s in (str(fld.help_text), allowed) if s),
                str(fld.example),
            ]
        )
    return write_xlsx(
        [
            (title, [f.column_name for f in resource.import_columns() if not f.readonly], []),
            (
                _("How to fill in"),
                [_("Column"), _("Required?"), _("Also accepted as header"), _("What to write"), _("Example")],
                notes,
            ),
        ]
    )


# ---------------------------------------------------------------- uploads


class XlsxUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel workbook (.xlsx)"),
        widget=forms.FileInput(attrs={"accept": f".xlsx,{XLSX_MIME}"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_xlsx_upload(upload)
        return upload


def _upload_dir() -> Path:
    directory = Path(settings.MEDIA_ROOT) / UPLOAD_DIR
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def store_upload(upload) -> str:
    """Keep a checked upload until it is confirmed; returns its token."""
    token = uuid.uuid4().hex
    upload.seek(0)
    with (_upload_dir() / f"{token}.xlsx").open("xb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return token


def stored_upload(token: str) -> Path:
    """The stored file for `token`; FileNotFoundError for an unknown or malformed token."""
    try:
        name = uuid.UUID(str(token)).hex
    except ValueError:
        raise FileNotFoundError(token) from None
    path = _upload_dir() / f"{name}.xlsx"
    if not path.is_file():
        raise FileNotFoundError(token)
    return path


def discard_upload(token: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        stored_upload(token).unlink(missing_ok=True)


def purge_stale_uploads(max_age: datetime.timedelta = datetime.timedelta(days=1)) -> None:
    """Uploads never confirmed (the session ended) are removed after a day."""
    cutoff = time.time() - max_age.total_seconds()
    for path in _upload_dir().glob("*.xlsx"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            continue
