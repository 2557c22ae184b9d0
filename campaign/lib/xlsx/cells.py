"""What a cell holds and how a column reads it: cell text, header keys, the
widgets that turn a cell into a value and back, and ImportField, a column
with its Chinese header and aliases."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import widgets
from import_export.fields import Field
from import_export.instance_loaders import CachedInstanceLoader
from openpyxl.utils.datetime import from_excel

HEADER_ROW = 1
# The dataset column holding each row's number in the spreadsheet.
ROW_COLUMN = "__row__"


def cell_text(value) -> str:
    """A cell as text: numbers typed into Excel (codes, phone numbers) come back
    as int or float, dates as datetimes."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).replace("\ufeff", "").replace("\u200b", "").strip()


def header_key(header) -> str:
    """A header or coded value as compared: case and white space do not count."""
    return "".join(cell_text(header).split()).casefold()


class TextWidget(widgets.Widget):
    """Text, with Excel's numbers turned back into the digits that were typed;
    `normalize` makes a code plain (full-width digits, case) before it is checked."""

    def __init__(self, *, normalize: Callable[[str], str] | None = None):
        super().__init__(coerce_to_string=True)
        self.normalize = normalize

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        return self.normalize(text) if self.normalize else text

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class DateWidget(widgets.Widget):
    """A date: xlsx gives datetimes (a datetime is never equal to the stored date,
    so without .date() every row would look changed), text gives one of FORMATS."""

    FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")

    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            # A date serial number in a cell not formatted as a date.
            try:
                return from_excel(value).date()
            except (ValueError, OverflowError, AttributeError):
                pass
        text = cell_text(value)
        for fmt in self.FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(_("“%(value)s” is not a date: write it as 2020-06-30.") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class YesNoWidget(widgets.Widget):
    """是/否; an empty cell is 否."""

    TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
    FALSE = {"否", "n", "no", "false", "0", "×", "无", ""}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = cell_text(value).casefold()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("Write 是 (yes) or 否 (no), not “%(value)s”.") % {"value": cell_text(value)})

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class ChoiceWidget(widgets.Widget):
    """A choice written as its file label (the first of `file_labels[value]`),
    any other label given there, its stored value, or its label in any
    interface language."""

    def __init__(self, choices: Sequence[tuple[str, object]], file_labels: dict[str, Sequence[str]]):
        super().__init__(coerce_to_string=True)
        self.choices = list(choices)
        self.file_labels = {str(k): tuple(v) for k, v in file_labels.items()}
        missing = {str(v) for v, _label in self.choices} - set(self.file_labels)
        if missing:
            raise ImproperlyConfigured(f"ChoiceWidget: no file label for {sorted(missing)}")
        self._index: dict[str, str] | None = None

    def _build_index(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for value, label in self.choices:
            value = str(value)
            names = [value, *self.file_labels[value]]
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    names.append(str(label))
            for name in names:
                index.setdefault(header_key(name), value)
        return index

    def allowed(self) -> list[str]:
        return [self.file_labels[str(v)][0] for v, _label in self.choices]

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return ""
        if self._index is None:
            self._index = self._build_index()
        try:
            return self._index[header_key(text)]
        except KeyError:
            raise ValueError(
                _("“%(value)s” is not one of: %(choices)s.") % {"value": text, "choices": "、".join(self.allowed())}
            ) from None

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        labels = self.file_labels.get(str(value))
        return labels[0] if labels else str(value)


class LookupWidget(widgets.Widget):
    """A related row found by any of `fields` (a code, a name...), compared as
    text and without regard to case; `normalize` makes the cell plain first (a
    code typed with full-width digits).

    cached=True loads the candidates once per import, for relations the import
    does not change; cached=False asks the database each time, for relations
    to rows the same import creates (a unit's parent).
    """

    def __init__(
        self,
        model,
        fields: Sequence[str] = ("code",),
        *,
        render_field=None,
        cached=True,
        not_found=None,
        list_in_template=False,
        normalize: Callable[[str], str] | None = None,
    ):
        super().__init__(coerce_to_string=True)
        self.normalize = normalize
        self.model = model
        self.fields = tuple(fields)
        self.render_field = render_field or self.fields[0]
        self.cached = cached
        self.list_in_template = list_in_template
        self.not_found = not_found or gettext_lazy("Nothing has the code “%(value)s”.")
        self._cache: dict[str, object] | None = None

    def reset(self):
        self._cache = None

    def _load(self) -> dict[str, object]:
        cache: dict[str, object] = {}
        for obj in self.model._default_manager.all():
            for name in self.fields:
                key = header_key(getattr(obj, name))
                if key:
                    cache.setdefault(key, obj)
        return cache

    def choices_hint(self) -> list[str]:
        return [str(getattr(obj, self.render_field)) for obj in self.model._default_manager.all()[:30]]

    def find(self, text: str):
        if self.cached:
            if self._cache is None:
                self._cache = self._load()
            return self._cache.get(header_key(text))
        manager = self.model._default_manager
        for name in self.fields:
            # The exact match first: it can use the index on the code.
            obj = manager.filter(**{name: text}).first() or manager.filter(**{f"{name}__iexact": text}).first()
            if obj is not None:
                return obj
        return None

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if self.normalize:
            text = self.normalize(text)
        if not text:
            return None
        obj = self.find(text)
        if obj is None:
            raise ValueError(str(self.not_found) % {"value": text})
        return obj

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(getattr(value, self.render_field))


EMPTY_CELL = gettext_lazy("This cell is empty; it must be filled in.")


class ImportField(Field):
    """A column: its Chinese header, the aliases it may also be headed by, and
    whether the column (column_required) or every cell in it (required) must be there."""

    def __init__(
        self,
        attribute,
        column_name,
        *,
        aliases: Sequence[str] = (),
        required: bool = False,
        column_required: bool = False,
        help_text="",
        example="",
        widget=None,
        readonly: bool = False,
    ):
        super().__init__(attribute=attribute, column_name=column_name, widget=widget or TextWidget(), readonly=readonly)
        self.aliases = tuple(aliases)
        self.required = required
        self.column_required = required or column_required
        self.help_text = help_text
        self.example = example

    def clean(self, row, **kwargs):
        value = super().clean(row, **kwargs)
        if self.required and value in (None, ""):
            raise ValueError(str(EMPTY_CELL))
        return value


def row_number_column(*, aliases: Sequence[str] = ("no", "row")) -> ImportField:
    """序号: the row's number in an export (XlsxResource.dehydrate_row_number), only read back."""
    return ImportField(None, "序号", aliases=aliases, readonly=True)


class TolerantCachedInstanceLoader(CachedInstanceLoader):
    """CachedInstanceLoader (one query for the whole file), except that a row
    whose id cell is empty or bad is left for the row's own validation to
    report instead of aborting the whole import."""

    def __init__(self, resource, dataset=None):
        self.resource = resource
        self.dataset = dataset
        self.pk_field = resource.fields[resource.get_import_id_fields()[0]]
        self.all_instances = {}
        ids = set()
        if dataset is not None and dataset.headers and self.pk_field.column_name in dataset.headers:
            for row in dataset.dict:
                key = self._key(row)
                if key not in (None, ""):
                    ids.add(key)
        if ids:
            qs = self.get_queryset().filter(**{f"{self.pk_field.attribute}__in": ids})
            self.all_instances = {self.pk_field.get_value(instance): instance for instance in qs}

    def _key(self, row):
        try:
            return self.pk_field.clean(row)
        except (ValueError, KeyError):
            return None

    def get_instance(self, row):
        key = self._key(row)
        return self.all_instances.get(key) if key not in (None, "") else None
