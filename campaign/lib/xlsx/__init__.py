"""Spreadsheet import plumbing that knows no domain.

Read an uploaded .xlsx safely, map its column headers onto a
django-import-export resource, run the import all-or-nothing, and report every
bad row by the number Excel shows for it (row 1 is the header, row 2 the first
data row), even when the rows were reordered before importing.

A file's column headers and coded values (kinds, categories, 是/否) are a file
format, fixed in Chinese: they do not follow the interface language, so that a
file exported in one language imports in the other. Each header also accepts
its English alias, and each coded value accepts its English value and its
label in any interface language.

- cells: what a cell holds and how a column reads it (widgets, ImportField).
- resource: XlsxResource, the base for a model's spreadsheet format.
- runner: run_import and the report it returns, row by row.
- files: upload checks, reading and writing workbooks, stored uploads.

Import from the submodules; this package re-exports nothing.
"""
