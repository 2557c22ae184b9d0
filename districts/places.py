"""Finding the place a spreadsheet row names, for every import that has place columns."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.lib.xlsx.cells import ImportField, LookupWidget, header_key
from districts.models import OrgUnit, Sector, Site
from districts.scoping import Subtree
from districts.validators import normalize_code, normalize_credit_code


class Places:
    """Finds the place a row names: a street (name or code) and, below it, a community or
    grid (code, or name within the street). All units are read once per file."""

    def __init__(self):
        units = list(OrgUnit.objects.all())
        by_pk = {u.pk: u for u in units}
        self.units = {header_key(u.code): u for u in units}
        self.streets: dict[str, OrgUnit] = {}
        for kinds in ((OrgUnit.Kind.STREET,), (OrgUnit.Kind.DISTRICT,)):
            for u in units:
                if u.kind in kinds:
                    self.streets.setdefault(header_key(u.code), u)
                    self.streets.setdefault(header_key(u.name), u)
        self.below_street: dict[tuple[int, str], OrgUnit] = {}
        for u in units:
            if u.kind in (OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.GRID):
                street = u
                while street is not None and street.kind != OrgUnit.Kind.STREET:
                    street = by_pk.get(street.parent_id)
                if street is not None:
                    self.below_street.setdefault((street.pk, header_key(u.name)), u)

    def find(self, street_text: str, code_text: str, name_text: str, *, nothing: str) -> tuple[OrgUnit | None, dict]:
        """The unit, and {column: message} for what is wrong; `nothing` is the message when no place is given."""
        errors: dict[str, str] = {}
        street = None
        if street_text:
            # By name as written, else by code made plain (typed full-width).
            street = self.streets.get(header_key(street_text)) or self.streets.get(
                header_key(normalize_code(street_text))
            )
            if street is None:
                errors["street"] = _("No street has the name or code “%(value)s”.") % {"value": street_text}
        if code_text:
            unit = self.units.get(header_key(normalize_code(code_text)))
            if unit is None:
                errors["unit"] = _("No unit has the code “%(value)s”.") % {"value": code_text}
            elif street is not None and not Subtree.of(street).contains(unit):
                errors["unit"] = _("%(unit)s is not in %(street)s.") % {"unit": unit.name, "street": street.name}
            return unit, errors
        if name_text:
            if street is None:
                if not street_text:
                    errors["street"] = _("Give the street: the community or grid is found by name within it.")
                return None, errors
            unit = self.below_street.get((street.pk, header_key(name_text)))
            if unit is None:
                errors["unit_name"] = _("%(street)s has no community or grid called “%(value)s”.") % {
                    "street": street.name,
                    "value": name_text,
                }
            return unit, errors
        if not street_text:
            errors["street"] = nothing
        return street, errors


class PlaceColumns:
    """For a resource of rows with a `unit`, the place both ways: exported as the import reads it
    back (street; community or grid code and name), and found again from those cells by Places.
    Mixed into an XlsxResource that declares the columns street, unit and unit_name
    (place_columns below); a changed place alone makes a row changed."""

    def dehydrate_street(self, obj):
        unit = obj.unit
        if unit.kind == OrgUnit.Kind.DISTRICT:
            return unit.name
        street = unit.street
        return street.name if street else ""

    def dehydrate_unit(self, obj):
        return obj.unit.code if obj.unit.kind in (OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.GRID) else ""

    def dehydrate_unit_name(self, obj):
        return obj.unit.name if obj.unit.kind in (OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.GRID) else ""

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._places = Places()

    def after_init_instance(self, instance, new, row, **kwargs):
        # Where the row's record is now, before the row moves it.
        instance._import_unit_id = None if new else instance.unit_id
        super().after_init_instance(instance, new, row, **kwargs)

    def find_place(self, instance, row, errors: dict, *, nothing: str) -> None:
        """The unit the row's place cells name, set on `instance`; what is wrong with them added to
        `errors` (XlsxResource.check_row's); `nothing` is the message when no place is given."""
        unit, place_errors = self._places.find(
            *(self.cell(row, name) for name in ("street", "unit", "unit_name")), nothing=nothing
        )
        if unit is not None:
            instance.unit = unit
        for key, message in place_errors.items():
            errors.setdefault(key, []).append(ValidationError(message))

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        # The place is no plain field: compared here.
        return instance.unit_id == instance._import_unit_id


def place_columns(
    *,
    street_help,
    unit_help,
    street_aliases: Sequence[str] = ("street", "街道"),
    unit_aliases: Sequence[str] = ("unit_code", "unit", "社区编码", "网格编码"),
    unit_name_aliases: Sequence[str] = ("unit_name", "所在社区", "所在网格"),
) -> tuple[ImportField, ImportField, ImportField]:
    """所在街道, 所在社区/网格编码 and 所在社区/网格, the place PlaceColumns writes and finds:
    `street, unit, unit_name = place_columns(...)` in the resource's body. The help texts name the
    record (a hazard of the whole street …)."""
    street = ImportField(None, "所在街道", aliases=street_aliases, help_text=street_help, example="武林街道")
    unit = ImportField(None, "所在社区/网格编码", aliases=unit_aliases, help_text=unit_help, example="330103002051")
    unit_name = ImportField(
        None,
        "所在社区/网格",
        aliases=unit_name_aliases,
        help_text=gettext_lazy("Its name, if the code is not given: found within the street."),
        example="中北社区",
    )
    return street, unit, unit_name


def site_column(help_text, *, aliases: Sequence[str] = ("site", "统一社会信用代码"), example: str = "") -> ImportField:
    """生产经营单位: the site a record is at, by its unified social credit code (empty: at none)."""
    return ImportField(
        "site",
        "生产经营单位",
        aliases=aliases,
        widget=LookupWidget(
            Site,
            ("credit_code",),
            not_found=gettext_lazy("No site has the unified social credit code “%(value)s”."),
            normalize=normalize_credit_code,
        ),
        help_text=help_text,
        example=example,
    )


def sector_column() -> ImportField:
    """重点领域: one of the seven sectors, by name or code (a required column)."""
    return ImportField(
        "sector",
        "重点领域",
        aliases=("sector", "行业领域", "领域"),
        widget=LookupWidget(
            Sector,
            ("name", "code", "name_en"),
            not_found=gettext_lazy("“%(value)s” is not one of the seven sectors (e.g. 消防安全)."),
            list_in_template=True,
        ),
        required=True,
        example="消防安全",
    )
