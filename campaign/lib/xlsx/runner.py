"""run_import: a file imported all-or-nothing, and the report of what each
row would do or did, with every problem by its spreadsheet row."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.results import RowResult

from campaign.lib.batch import collection_paused
from campaign.lib.xlsx.cells import HEADER_ROW, ROW_COLUMN, cell_text, header_key
from campaign.lib.xlsx.resource import XlsxResource

# ---------------------------------------------------------------- the report


@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str
    message: str

    def __str__(self):
        if self.row is None:
            return self.message
        if self.column:
            return _("Row %(row)d: %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("Row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


STATUS_NEW, STATUS_UPDATE, STATUS_UNCHANGED, STATUS_ERROR = "new", "update", "unchanged", "error"
_STATUS = {
    RowResult.IMPORT_TYPE_NEW: STATUS_NEW,
    RowResult.IMPORT_TYPE_UPDATE: STATUS_UPDATE,
    RowResult.IMPORT_TYPE_SKIP: STATUS_UNCHANGED,
    RowResult.IMPORT_TYPE_INVALID: STATUS_ERROR,
    RowResult.IMPORT_TYPE_ERROR: STATUS_ERROR,
}
STATUS_LABELS = {
    STATUS_NEW: gettext_lazy("New"),
    STATUS_UPDATE: gettext_lazy("Update"),
    STATUS_UNCHANGED: gettext_lazy("Unchanged"),
    STATUS_ERROR: gettext_lazy("Error"),
}


@dataclass(frozen=True)
class RowOutcome:
    row: int
    status: str
    values: tuple[str, ...]

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass
class ImportReport:
    dry_run: bool
    columns: list[str] = field(default_factory=list)
    rows: list[RowOutcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    committed: bool = False
    seconds: float = 0.0

    def _count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def new(self) -> int:
        return self._count(STATUS_NEW)

    @property
    def updated(self) -> int:
        return self._count(STATUS_UPDATE)

    @property
    def unchanged(self) -> int:
        return self._count(STATUS_UNCHANGED)

    @property
    def bad_rows(self) -> int:
        return self._count(STATUS_ERROR)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_tuples(self) -> list[tuple[int | None, str, str]]:
        return [(e.row, e.column, e.message) for e in self.errors]


# ---------------------------------------------------------------- the import


def _prepare(resource: XlsxResource, dataset: tablib.Dataset):
    """The dataset with headers renamed to the resource's columns and rows in
    import order; or the errors that stop the file."""
    aliases = resource.header_aliases()
    errors: list[RowError] = []
    ignored: list[str] = []
    renamed: list[str] = []
    seen: dict[str, str] = {}
    for header in dataset.headers[:-1]:
        column = aliases.get(header_key(header))
        if column is None:
            if not header.startswith("__blank_"):
                ignored.append(header)
            renamed.append(f"__ignored_{len(renamed)}")
            continue
        if column in seen:
            errors.append(
                RowError(
                    HEADER_ROW,
                    column,
                    _("The columns “%(first)s” and “%(second)s” both mean “%(column)s”; keep one.")
                    % {"first": seen[column], "second": header, "column": column},
                )
            )
        seen[column] = header
        renamed.append(column)
    for fld in resource.import_columns():
        if fld.column_required and fld.column_name not in seen:
            others = [a for a in fld.aliases if a != fld.column_name]
            errors.append(
                RowError(
                    HEADER_ROW,
                    fld.column_name,
                    _("This column is missing (it may also be headed: %(aliases)s).")
                    % {"aliases": ", ".join(others) or "—"},
                )
            )
    if errors:
        return None, errors, ignored
    headers = [*renamed, ROW_COLUMN]
    rows = [list(r) for r in dataset]
    keys = resource.row_sort_keys([dict(zip(headers, r, strict=True)) for r in rows])
    if keys is not None:
        rows = [r for _key, r in sorted(zip(keys, rows, strict=True), key=lambda pair: pair[0])]
    return tablib.Dataset(*rows, headers=headers), [], ignored


def _messages(error: ValidationError) -> dict[str, list[str]]:
    try:
        return error.message_dict
    except AttributeError:
        return {NON_FIELD_ERRORS: error.messages}


def run_import(
    resource: XlsxResource,
    dataset: tablib.Dataset,
    *,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 200,
) -> ImportReport:
    """Import `dataset` (from read_xlsx) in one transaction that is rolled back
    on a dry run or on any bad row: a file goes in whole or not at all.

    `progress`, if given, is called with the number of rows begun every
    `progress_every` rows. It runs inside the import's transaction: what it
    writes through the same connection is seen by no one else until the end."""
    started = time.monotonic()
    resource._progress, resource._progress_every, resource._rows_begun = progress, progress_every, 0
    report = ImportReport(dry_run=dry_run, columns=resource.preview_columns())
    prepared, errors, report.ignored_columns = _prepare(resource, dataset)
    if errors:
        report.errors = errors
        return report
    if not len(prepared):
        report.errors = [RowError(HEADER_ROW, "", _("The file has no rows under the header."))]
        return report
    # Thousands of rows' instances, history and audit rows live to the end of the import: the
    # collector's passes over them would only walk them again.
    with collection_paused():
        result = resource.import_data(
            prepared, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True
        )
    index = {h: i for i, h in enumerate(prepared.headers)}
    value_positions = [index.get(c) for c in report.columns]
    for data_row, row_result in zip(prepared, result.rows, strict=True):
        number = data_row[index[ROW_COLUMN]]
        report.rows.append(
            RowOutcome(
                row=number,
                status=_STATUS.get(row_result.import_type, STATUS_ERROR),
                values=tuple("" if p is None else cell_text(data_row[p]) for p in value_positions),
            )
        )
        if row_result.validation_error is not None:
            for key, messages in _messages(row_result.validation_error).items():
                column = resource.column_of(key)
                report.errors.extend(RowError(number, column, m) for m in messages)
        for error in row_result.errors:
            report.errors.append(
                RowError(number, "", _("The row could not be saved: %(error)s") % {"error": error.error})
            )
    for error in result.base_errors:
        report.errors.append(RowError(None, "", _("The import failed: %(error)s") % {"error": error.error}))
    report.rows.sort(key=lambda r: r.row)
    report.errors.sort(key=lambda e: e.row or 0)
    report.committed = not dry_run and report.ok
    report.seconds = time.monotonic() - started
    return report
