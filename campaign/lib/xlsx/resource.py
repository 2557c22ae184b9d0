"""XlsxResource: the base for a model's spreadsheet format."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import resources
from import_export.fields import Field

from campaign.lib.history import bulk_create_with_history, bulk_update_with_history
from campaign.lib.xlsx.cells import (
    ROW_COLUMN,
    ImportField,
    LookupWidget,
    TolerantCachedInstanceLoader,
    cell_text,
    header_key,
)


def _has_history(model) -> bool:
    return hasattr(model._meta, "simple_history_manager_attribute")


def _failing(result) -> bool:
    """Whether the import will be rolled back anyway, so a batch need not be written."""
    return result is not None and (result.has_errors() or result.has_validation_errors())


class XlsxResource(resources.ModelResource):
    """Base for spreadsheet imports: aliases for headers, the user doing the
    import, duplicate ids in the file, a permission check per written row,
    history attributed to the importing user, and unchanged rows left alone.

    With Meta.use_bulk, rows are validated one by one and written in batches
    with their history; a dry run then validates every row but writes none.
    """

    class Meta:
        instance_loader_class = TolerantCachedInstanceLoader
        # Unchanged rows are found by skip_row below, against the values the
        # instance was loaded with: import-export's own way (skip_diff=False)
        # deep-copies every instance with its related rows, a third of the time.
        skip_unchanged = True
        skip_diff = True
        skip_html_diff = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    # Relations a subclass sets itself from rows it loaded (not through a LookupWidget): they exist.
    trusted_relations: tuple[str, ...] = ()
    # The platform gives a new row its id: a file of new rows need not carry the id column at all.
    id_column_optional = False

    def __init__(self, *, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self._first_row_of_id: dict[object, int] = {}
        self._duplicate_of: dict[int, int] = {}
        self._compared = [f for f in self.get_import_fields() if not f.readonly and f.attribute]
        self._loaded_values: list | None = None
        # run_import's progress callback: called with the rows begun so far, every `_progress_every` rows.
        self._progress: Callable[[int], None] | None = None
        self._progress_every = 200
        self._rows_begun = 0

    # -- the file's shape

    def import_columns(self) -> list[ImportField]:
        return [f for f in self.get_import_fields() if isinstance(f, ImportField)]

    def header_aliases(self) -> dict[str, str]:
        """{normalised header or alias: the column's Chinese header}."""
        aliases: dict[str, str] = {}
        for name, fld in self.fields.items():
            for alias in (fld.column_name, name, *getattr(fld, "aliases", ())):
                key = header_key(alias)
                if aliases.setdefault(key, fld.column_name) != fld.column_name:
                    raise ImproperlyConfigured(f"{type(self).__name__}: header alias {alias!r} names two columns")
        return aliases

    def column_of(self, key: str) -> str:
        """The header of the column an error key (a field attribute or model field name) belongs to."""
        if key == NON_FIELD_ERRORS:
            return ""
        for name, fld in self.fields.items():
            if key in (fld.attribute, name):
                return fld.column_name
        return key

    def row_sort_keys(self, rows: list[dict]) -> list | None:
        """Keys to import the rows in (a stable sort); None keeps the file's order."""
        return None

    def preview_columns(self) -> list[str]:
        return [f.column_name for f in self.import_columns() if not f.readonly]

    # -- per import and per row

    def id_field(self) -> Field:
        return self.fields[self.get_import_id_fields()[0]]

    def first_row_of(self, key) -> int | None:
        return self._first_row_of_id.get(key)

    def cell(self, row, name: str) -> str:
        """The text of the row's cell in the column of field `name` (a column with no attribute too)."""
        return cell_text(row.get(self.fields[name].column_name))

    def before_import(self, dataset, **kwargs):
        if self.id_column_optional:
            column = self.id_field().column_name
            if column not in dataset.headers:
                dataset.append_col([None] * len(dataset), header=column)
        for fld in self.fields.values():
            if isinstance(fld.widget, LookupWidget):
                fld.widget.reset()
        self._first_row_of_id, self._duplicate_of = {}, {}
        id_field = self.id_field()
        for row in sorted(dataset.dict, key=lambda r: r[ROW_COLUMN]):
            try:
                key = id_field.clean(row)
            except (ValueError, KeyError):
                continue
            if key in (None, ""):
                continue
            first = self._first_row_of_id.setdefault(key, row[ROW_COLUMN])
            if first != row[ROW_COLUMN]:
                self._duplicate_of[row[ROW_COLUMN]] = first

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        self._rows_begun += 1
        if self._progress is not None and self._rows_begun % self._progress_every == 0:
            self._progress(self._rows_begun)

    def _values(self, instance) -> list:
        return [f.get_value(instance) for f in self._compared]

    def after_init_instance(self, instance, new, row, **kwargs):
        self._loaded_values = None if new else self._values(instance)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or self._loaded_values is None:
            return False
        # Remembered for bulk_update, which is slow in proportion to the fields it sets.
        instance._import_changed = {
            f.attribute
            for f, before, after in zip(self._compared, self._loaded_values, self._values(instance), strict=True)
            if before != after
        }
        return not instance._import_changed

    def import_instance(self, instance, row, **kwargs):
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        first = self._duplicate_of.get(row[ROW_COLUMN])
        if first is not None:
            id_field = self.id_field()
            errors.setdefault(id_field.attribute, []).append(
                ValidationError(
                    _("“%(value)s” is also at row %(row)d; each may appear only once in a file.")
                    % {"value": cell_text(row.get(id_field.column_name)), "row": first}
                )
            )
        self.check_row(instance, row, errors)
        if errors:
            raise ValidationError(errors)

    def check_row(self, instance, row, errors: dict[str, list[ValidationError]]) -> None:
        """What a subclass reads from the row beyond its fields' cells (a place, a lookup of its
        own), and the rules across them: it sets them on `instance` and adds to `errors`, which
        holds the cells' own errors already. A row with any error is not written."""

    def row_permission_errors(self, instance) -> dict[str, str]:
        """{field: message} for a row the user may not write. Only rows that
        would change something are asked: an unchanged row writes nothing."""
        return {}

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = {key: list(value) for key, value in (import_validation_errors or {}).items()}
        for key, message in self.row_permission_errors(instance).items():
            # A cell that could not be read has nothing to check permission on.
            errors.setdefault(key, [ValidationError(message)])
        if self._meta.clean_model_instances:
            # Relations found by a LookupWidget exist: skip the SELECT per row
            # that validating a foreign key costs. The import id was checked
            # against the file (duplicates) and the database (the instance
            # loader), so the unique check on it is skipped too.
            trusted = {f.attribute for f in self.fields.values() if isinstance(f.widget, LookupWidget)}
            trusted |= set(self.trusted_relations)
            exclude = set(errors) | trusted
            model_errors: dict = {}
            try:
                if errors:
                    # The model's checks across fields (clean(), constraints)
                    # would only repeat a bad cell in other words ("needs a
                    # parent" for an unknown parent code): check each field alone.
                    instance.clean_fields(exclude=exclude)
                else:
                    instance.full_clean(exclude=exclude, validate_unique=False)
                    instance.validate_unique(exclude=exclude | {self.id_field().attribute})
            except ValidationError as exc:
                model_errors = exc.update_error_dict(model_errors)
            for key, value in model_errors.items():
                errors.setdefault(key, value)
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        if self.user is not None:
            instance._history_user = self.user

    def get_bulk_update_fields(self):
        return [
            f.attribute
            for f in self._compared
            if f.attribute not in {self.fields[n].attribute for n in self.get_import_id_fields()}
        ] + [f.name for f in self._meta.model._meta.concrete_fields if getattr(f, "auto_now", False)]

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        instances, self.create_instances = self.create_instances, []
        if not instances or dry_run or _failing(result):
            return
        model = self._meta.model
        try:
            if _has_history(model):
                bulk_create_with_history(instances, model, batch_size=batch_size, default_user=self.user)
            else:
                model._default_manager.bulk_create(instances, batch_size=batch_size)
        except Exception as exc:
            self.handle_import_error(result, exc, raise_errors)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        instances, self.update_instances = self.update_instances, []
        if not instances or dry_run or _failing(result):
            return
        model = self._meta.model
        # bulk_update() costs a CASE branch per row and field: set only the
        # fields some row changed, and auto_now fields (which bulk_update()
        # would not touch) in one plain UPDATE.
        auto_now = {f.attname for f in model._meta.concrete_fields if getattr(f, "auto_now", False)}
        every = [f for f in self.get_bulk_update_fields() if f not in auto_now]
        changed = set().union(*(getattr(i, "_import_changed", every) for i in instances))
        fields = [f for f in every if f in changed]
        now = timezone.now()
        for instance in instances:
            for name in auto_now:
                setattr(instance, name, now)
        try:
            if auto_now:
                model._default_manager.filter(pk__in=[i.pk for i in instances]).update(**dict.fromkeys(auto_now, now))
            if _has_history(model):
                bulk_update_with_history(instances, model, fields, batch_size=batch_size, default_user=self.user)
            else:
                model._default_manager.bulk_update(instances, fields, batch_size=batch_size)
        except Exception as exc:
            self.handle_import_error(result, exc, raise_errors)

    # -- export

    def before_export(self, queryset, **kwargs):
        super().before_export(queryset, **kwargs)
        self._exported = 0

    def dehydrate_row_number(self, obj):
        """序号 (cells.row_number_column), where a resource declares it: 1, 2, 3 … down the file."""
        self._exported += 1
        return self._exported

    def after_import(self, dataset, result, **kwargs):
        # ModelResource resets the table's id sequence to max(id) after an
        # import with new rows (for files that carry ids). These files never
        # do, and setval outside the row locks can hand out an id that a
        # concurrent transaction has already taken.
        pass
