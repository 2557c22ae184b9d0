"""The accident register (生产安全事故登记) and the yearly values (年度指标) as spreadsheets.

Accidents: one row an accident, found again by 登记号 (the number the platform gave it); an empty
登记号 records a new one. The place is a street (name or code) and, below it, a community or grid
(code, or name within the street). 事故等级 is computed from the figures and only read.

Yearly values: one row a unit and year, found by 单位编码 (the district's or a street's code, or its
name) and 年份. An empty 死亡人数 means the register counts the deaths.

Every row is written through its service (campaign.services.accidents): the same checks, grade
and history as the pages, for the units the importer may write; a file goes in whole or not at all.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.instance_loaders import BaseInstanceLoader

from campaign.lib.numbers import AmountWidget, WholeNumberWidget, whole_number
from campaign.lib.xlsx.cells import (
    EMPTY_CELL,
    ROW_COLUMN,
    ChoiceWidget,
    DateWidget,
    ImportField,
    cell_text,
    header_key,
    row_number_column,
)
from campaign.lib.xlsx.resource import XlsxResource
from campaign.models import YEARLY_VALUE_KINDS, Accident, AccidentGrade, InvestigationStatus, YearlyValue
from campaign.services.accidents import (
    ACCIDENT_FIELDS,
    YEARLY_VALUE_FIELDS,
    accident_create,
    accident_update,
    ensure_can_record_accident,
    ensure_can_set_yearly_values,
    yearly_value_set,
)
from districts.models import OrgUnit
from districts.places import PlaceColumns, Places, place_columns, sector_column, site_column
from districts.subtree import totals_under
from districts.validators import normalize_code
from risks.models import AccidentType
from risks.resources import ACCIDENT_LABELS

GRADE_LABELS = {
    AccidentGrade.GENERAL: ("一般事故", "一般"),
    AccidentGrade.LARGER: ("较大事故", "较大"),
    AccidentGrade.MAJOR: ("重大事故", "重大"),
    AccidentGrade.EXTRAORDINARY: ("特别重大事故", "特别重大", "特大"),
}
INVESTIGATION_LABELS = {
    InvestigationStatus.REPORTED: ("已报告", "已上报", "报告"),
    InvestigationStatus.INVESTIGATING: ("调查中", "正在调查"),
    InvestigationStatus.CLOSED: ("已结案", "结案", "调查结束"),
}


class RegisterNumberWidget(WholeNumberWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            return whole_number(value)
        except ValueError:
            raise ValueError(
                _("“%(value)s” is not a register number: copy it from an export, or leave it empty.")
                % {"value": cell_text(value)}
            ) from None


def _refusal(exc: PermissionDenied) -> str:
    return str(exc.args[0]) if exc.args else _("You may not write this row.")


def _as_validation_error(exc: PermissionDenied, field: str) -> ValidationError:
    return ValidationError({field: _refusal(exc)})


class AccidentResource(PlaceColumns, XlsxResource):
    row_number = row_number_column()
    id = ImportField(
        "id",
        "登记号",
        aliases=("register_number", "id", "编号", "事故编号"),
        widget=RegisterNumberWidget(),
        help_text=gettext_lazy("Given by the system; it identifies the accident. Leave it empty for a new one."),
        example="",
    )
    occurred_on = ImportField(
        "occurred_on",
        "事故日期",
        aliases=("occurred_on", "date", "发生日期", "发生时间"),
        widget=DateWidget(),
        required=True,
        example="2026-03-05",
    )
    street, unit, unit_name = place_columns(
        street_help=gettext_lazy("The street's name or code; the district's for an accident of no one street."),
        unit_help=gettext_lazy("The code of the community or grid; empty for an accident placed at the street."),
    )
    location = ImportField("location", "具体位置", aliases=("location", "地点", "事故地点"), example="体育场路12号")
    site = site_column(gettext_lazy("The unified social credit code of the site, if the accident happened at one."))
    sector = sector_column()
    accident_type = ImportField(
        "accident_type",
        "事故类型",
        aliases=("accident_type", "事故类别"),
        widget=ChoiceWidget(AccidentType.choices, ACCIDENT_LABELS),
        required=True,
        example="高处坠落",
    )
    summary = ImportField(
        "summary",
        "事故简况",
        aliases=("summary", "简况", "事故概况", "事故名称"),
        required=True,
        example="外墙保温施工人员坠落",
    )
    deaths = ImportField(
        "deaths",
        "死亡人数",
        aliases=("deaths", "死亡"),
        widget=WholeNumberWidget(),
        required=True,
        help_text=gettext_lazy("Write 0 if nobody died."),
        example="1",
    )
    serious_injuries = ImportField(
        "serious_injuries",
        "重伤人数",
        aliases=("serious_injuries", "重伤"),
        widget=WholeNumberWidget(),
        required=True,
        help_text=gettext_lazy("Write 0 if nobody was seriously injured."),
        example="0",
    )
    direct_loss = ImportField(
        "direct_loss",
        "直接经济损失（万元）",
        aliases=("direct_loss", "直接经济损失", "经济损失（万元）"),
        widget=AmountWidget(),
        required=True,
        help_text=gettext_lazy("In 10,000 yuan (万元); write 0 if there was none."),
        example="85.5",
    )
    grade = ImportField(
        "grade",
        "事故等级",
        aliases=("grade", "等级"),
        widget=ChoiceWidget(AccidentGrade.choices, GRADE_LABELS),
        readonly=True,
    )
    investigation_status = ImportField(
        "investigation_status",
        "调查处理情况",
        aliases=("investigation_status", "调查状态", "调查情况"),
        widget=ChoiceWidget(InvestigationStatus.choices, INVESTIGATION_LABELS),
        help_text=gettext_lazy("Empty for a new accident means 已报告."),
        example="调查中",
    )

    class Meta:
        model = Accident
        fields = (
            "row_number", "id", "occurred_on", "street", "unit", "unit_name", "location", "site", "sector",
            "accident_type", "summary", "deaths", "serious_injuries", "direct_loss", "grade",
            "investigation_status",
        )  # fmt: skip
        import_id_fields = ("id",)

    id_column_optional = True
    # The unit is found in the units loaded once per file; the grade is not the file's to give
    # (the service computes it), so the model's check of it would only repeat a bad figure.
    trusted_relations = ("unit", "grade")

    def get_queryset(self):
        # A register number outside the importer's view finds nothing (and says so), as its URL would.
        return Accident.objects.visible_to(self.user).select_related("unit", "site", "sector")

    @staticmethod
    def export_queryset(user):
        return (
            Accident.objects.visible_to(user)
            .select_related("unit__parent__parent", "site", "sector")
            .order_by("occurred_on", "id")
        )

    # -- import

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._import_was = None if new else instance.unit
        super().after_init_instance(instance, new, row, **kwargs)

    def check_row(self, instance, row, errors):
        if instance._import_was is None and instance.id is not None:
            errors.setdefault("id", []).append(
                ValidationError(
                    _("No accident you can see has the register number %(value)s: leave it empty for a new one.")
                    % {"value": instance.id}
                )
            )
        if instance._import_was is None and not instance.investigation_status:
            instance.investigation_status = InvestigationStatus.REPORTED
        self.find_place(
            instance,
            row,
            errors,
            nothing=_("Give the street, or the code of the community or grid, where the accident happened."),
        )

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        # The grade the figures give, so that the preview shows it and an unchanged row stays so.
        instance.grade = instance.compute_grade()

    def _denied(self, unit) -> str | None:
        try:
            ensure_can_record_accident(by=self.user, unit=unit)
        except PermissionDenied as exc:
            return _refusal(exc)
        return None

    def row_permission_errors(self, instance):
        errors = {}
        if instance._import_was is not None and (denied := self._denied(instance._import_was)):
            errors["id"] = denied
        if instance.unit_id and (denied := self._denied(instance.unit)):
            errors["unit"] = denied
        return errors

    def save_instance(self, instance, is_create, row, **kwargs):
        """Through the register's services, in the import's transaction (a preview rolls it back)."""
        self.before_save_instance(instance, row, **kwargs)
        fields = {name: getattr(instance, name) for name in ACCIDENT_FIELDS}
        try:
            if is_create:
                saved = accident_create(by=self.user, **fields)
            else:
                saved = accident_update(accident=instance, by=self.user, **fields)
        except PermissionDenied as exc:
            raise _as_validation_error(exc, "unit") from None
        instance.pk, instance.grade = saved.pk, saved.grade
        self.after_save_instance(instance, row, **kwargs)


# ---------------------------------------------------------------- yearly values


class YearlyValueResource(XlsxResource):
    row_number = row_number_column()
    year = ImportField(
        "year", "年份", aliases=("year", "年度"), widget=WholeNumberWidget(), required=True, example="2026"
    )
    unit_code = ImportField(
        None,
        "单位编码",
        aliases=("unit_code", "unit", "单位", "街道编码"),
        required=True,
        help_text=gettext_lazy("The code (or the name) of the district or the street."),
        example="330103002",
    )
    unit_name = ImportField(None, "单位名称", aliases=("unit_name",), readonly=True)
    gdp = ImportField(
        "gdp",
        "地区生产总值（亿元）",
        aliases=("gdp", "GDP", "GDP（亿元）", "地区生产总值"),
        widget=AmountWidget(),
        help_text=gettext_lazy("In 100 million yuan (亿元); empty if not known."),
        example="986.5",
    )
    gdp_source = ImportField(
        "gdp_source",
        "GDP数据来源",
        aliases=("gdp_source", "地区生产总值来源"),
        help_text=gettext_lazy("Required with a GDP figure."),
        example="下城区统计年鉴2017",
    )
    deaths_override = ImportField(
        "deaths_override",
        "死亡人数",
        aliases=("deaths", "deaths_override", "事故死亡人数"),
        widget=WholeNumberWidget(),
        help_text=gettext_lazy("Empty: the deaths in the accident register are counted."),
        example="",
    )
    deaths_source = ImportField(
        "deaths_source",
        "死亡人数来源",
        aliases=("deaths_source",),
        help_text=gettext_lazy("Required with a deaths figure."),
        example="",
    )
    register_deaths = ImportField(None, "事故登记死亡人数", aliases=("register_deaths",), readonly=True)

    trusted_relations = ("unit",)

    class Meta:
        model = YearlyValue
        fields = (
            "row_number", "year", "unit_code", "unit_name", "gdp", "gdp_source", "deaths_override",
            "deaths_source", "register_deaths",
        )  # fmt: skip
        import_id_fields = ("year",)  # with the unit: found by get_instance below
        instance_loader_class = BaseInstanceLoader

    @staticmethod
    def export_queryset(user):
        return YearlyValue.objects.visible_to(user).select_related("unit").order_by("year", "unit__lft", "unit__code")

    # -- export

    def before_export(self, queryset, **kwargs):
        super().before_export(queryset, **kwargs)
        by_year = defaultdict(list)
        for value in queryset:
            by_year[value.year].append(value.unit)
        self._register = {}
        for year, units in by_year.items():
            totals = totals_under(Accident.objects.in_year(year), units, value=Sum("deaths"))
            for unit in units:
                self._register[(unit.pk, year)] = totals[unit.pk][()]

    def dehydrate_unit_code(self, value):
        return value.unit.code

    def dehydrate_unit_name(self, value):
        return value.unit.name

    def dehydrate_register_deaths(self, value):
        return self._register.get((value.unit_id, value.year), 0)

    # -- import

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        # One row a unit and year: XlsxResource's check of one id column does not apply.
        self._first_row_of_id, self._duplicate_of = {}, {}
        self._places = Places()
        keys = {}
        for row in sorted(dataset.dict, key=lambda r: r[ROW_COLUMN]):
            key = self._key(row)
            if key is not None:
                keys.setdefault(key, row[ROW_COLUMN])
        self._key_rows = keys
        years = {year for _unit, year in keys}
        units = {unit for unit, _year in keys}
        self._existing = {
            (v.unit_id, v.year): v
            for v in YearlyValue.objects.filter(unit__in=units, year__in=years).select_related("unit")
        }

    def _found(self, row) -> OrgUnit | None:
        text = self.cell(row, "unit_code")
        if not text:
            return None
        return self._places.units.get(header_key(normalize_code(text))) or self._places.streets.get(header_key(text))

    def _unit_of(self, row) -> OrgUnit | None:
        unit = self._found(row)
        return unit if unit is not None and unit.kind in YEARLY_VALUE_KINDS else None

    def _key(self, row) -> tuple[int, int] | None:
        unit = self._unit_of(row)
        try:
            year = whole_number(row.get(self.fields["year"].column_name))
        except ValueError:
            return None
        return (unit.pk, year) if unit is not None and year is not None else None

    def get_instance(self, instance_loader, row):
        key = self._key(row)
        return self._existing.get(key) if key else None

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._import_new = new
        super().after_init_instance(instance, new, row, **kwargs)

    def check_row(self, instance, row, errors):
        text = self.cell(row, "unit_code")
        found, unit = self._found(row), self._unit_of(row)
        if not text:
            errors.setdefault("unit", []).append(ValidationError(str(EMPTY_CELL)))
        elif found is None:
            errors.setdefault("unit", []).append(
                ValidationError(_("No district or street has the code or name “%(value)s”.") % {"value": text})
            )
        elif unit is None:
            errors.setdefault("unit", []).append(
                ValidationError(
                    _("%(unit)s is not the district or a street: yearly values are kept for those.")
                    % {"unit": found.name}
                )
            )
        else:
            instance.unit = unit
        key = self._key(row)
        first = self._key_rows.get(key) if key else None
        if first is not None and first != row[ROW_COLUMN]:
            errors.setdefault("unit", []).append(
                ValidationError(
                    _("%(unit)s %(year)s is also at row %(row)d; each unit and year may appear only once in a file.")
                    % {"unit": unit.name, "year": instance.year, "row": first}
                )
            )

    def column_of(self, key: str) -> str:
        return self.fields["unit_code"].column_name if key == "unit" else super().column_of(key)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if instance._import_new:
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def row_permission_errors(self, instance):
        if not instance.unit_id:
            return {}
        try:
            ensure_can_set_yearly_values(by=self.user, unit=instance.unit)
        except PermissionDenied as exc:
            return {"unit": _refusal(exc)}
        return {}

    def save_instance(self, instance, is_create, row, **kwargs):
        """Through yearly_value_set, in the import's transaction (a preview rolls it back)."""
        self.before_save_instance(instance, row, **kwargs)
        fields = {name: getattr(instance, name) for name in YEARLY_VALUE_FIELDS}
        try:
            saved = yearly_value_set(by=self.user, unit=instance.unit, year=instance.year, **fields)
        except PermissionDenied as exc:
            raise _as_validation_error(exc, "unit") from None
        instance.pk = saved.pk
        self.after_save_instance(instance, row, **kwargs)
