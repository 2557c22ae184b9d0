"""Finding the place a spreadsheet row names, for every import that has place columns."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.lib.xlsx.cells import ImportField, LookupWidget, header_key
from districts.models import OrgUnit, Sector
from districts.scoping import Subtree
from districts.validators import normalize_code


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
    """For an export resource of rows with a `unit`: 序号 and the place as the import reads it
    back (street; community or grid code and name). Mixed into a resource that declares the
    columns row_number, street, unit and unit_name."""

    def before_export(self, queryset, **kwargs):
        super().before_export(queryset, **kwargs)
        self._exported = 0

    def dehydrate_row_number(self, obj):
        self._exported += 1
        return self._exported

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
