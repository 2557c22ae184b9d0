"""Spreadsheet import and export of the risk register (风险清单).

One row a risk point, in the layout units hand to the office. A row finds its
risk again by 风险编号; an empty 风险编号 adds a risk and the system gives it a
code. The place is given as a street (name or code) and, below it, a community
or grid (code, or name within the street). When 评估方法 and its factor
columns are filled and differ from the risk's current assessment, the import
records a residual assessment with the method's current version: 风险值,
风险等级, 管控层级 and 下次复核日期 are computed by the system and only read.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.lib.xlsx.cells import (
    EMPTY_CELL,
    ChoiceWidget,
    DateWidget,
    ImportField,
    LookupWidget,
    TextWidget,
    header_key,
    row_number_column,
)
from campaign.lib.xlsx.resource import XlsxResource
from districts.models import OrgUnit
from districts.places import PlaceColumns, place_columns, sector_column, site_column
from districts.validators import normalize_code, normalize_number
from risks.models import LEVEL_COLOURS, AccidentType, Assessment, AssessmentMethod, ControlRule, RiskPoint
from risks.services import Grade, check_control, control_policy, ensure_can_edit_risk, risk_code_next, risks_assess

A = AccidentType
# GB 6441-1986's words for each type; the first is what exports write.
ACCIDENT_LABELS = {
    A.STRUCK_BY_OBJECT: ("物体打击",),
    A.VEHICLE: ("车辆伤害",),
    A.MACHINERY: ("机械伤害",),
    A.LIFTING: ("起重伤害",),
    A.ELECTRIC_SHOCK: ("触电",),
    A.DROWNING: ("淹溺",),
    A.SCALD: ("灼烫",),
    A.FIRE: ("火灾",),
    A.FALL_FROM_HEIGHT: ("高处坠落",),
    A.COLLAPSE: ("坍塌",),
    A.ROOF_FALL: ("冒顶片帮",),
    A.WATER_INRUSH: ("透水",),
    A.BLASTING: ("放炮",),
    A.EXPLOSIVES: ("火药爆炸",),
    A.GAS_EXPLOSION: ("瓦斯爆炸",),
    A.BOILER_EXPLOSION: ("锅炉爆炸",),
    A.VESSEL_EXPLOSION: ("容器爆炸",),
    A.OTHER_EXPLOSION: ("其它爆炸", "其他爆炸"),
    A.POISONING: ("中毒和窒息", "中毒", "窒息", "中毒窒息"),
    A.OTHER: ("其它伤害", "其他伤害"),
}
LEVEL_LABELS = {"major": "重大", "significant": "较大", "general": "一般", "low": "低"}
LEVEL_OF_LABEL = {label: level for level, label in LEVEL_LABELS.items()}
CONTROL_LEVEL_LABELS = {
    ControlRule.ControlLevel.DISTRICT: "区级",
    ControlRule.ControlLevel.STREET_OR_DEPARTMENT: "街道（部门）级",
    ControlRule.ControlLevel.COMMUNITY_OR_SITE: "社区（场所）级",
    ControlRule.ControlLevel.SITE: "企业（场所）自控",
}
# The words a file uses for the shipped methods (by code); the first is what exports write.
# Methods added later are written and found by their name or code.
METHOD_LABELS = {
    "lec": ("LEC", "LEC法", "作业条件危险性分析法"),
    "matrix": ("风险矩阵", "风险矩阵法", "LS", "L×S", "LS法"),
}
# The factor columns; a method's factors must be among them.
FACTORS = ("L", "E", "C", "S")
LEVEL_COLUMN = "风险等级"


def level_fill(header: str, value) -> str | None:
    """For write_xlsx: the level cell is filled with the level's colour."""
    if header != LEVEL_COLUMN:
        return None
    level = LEVEL_OF_LABEL.get(value)
    return LEVEL_COLOURS[level] if level else None


def _number(value) -> int | float | str:
    """A factor or score as Excel shows it: 3, 0.5, 70 (never 3.0 or 70.000)."""
    if value is None:
        return ""
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else float(number)


def _inputs_key(method_id: int, inputs: dict) -> tuple:
    return method_id, tuple(sorted((name, Decimal(str(value)).normalize()) for name, value in inputs.items()))


def _factor_field(name: str) -> str:
    return f"factor_{name.lower()}"


class RiskResource(PlaceColumns, XlsxResource):
    """Risk points, found by 风险编号. Every row written must be within the importer's
    risk-editing scope (risks.services.ensure_can_edit_risk), where the risk was and where it goes."""

    row_number = row_number_column(aliases=("no", "number"))
    code = ImportField(
        "code",
        "风险编号",
        aliases=("code", "risk_code", "编号"),
        widget=TextWidget(normalize=normalize_number),
        help_text=gettext_lazy("Given by the system; it identifies the risk. Leave it empty for a new risk."),
        example="R330103002051-000001",
    )
    name = ImportField(
        "name", "风险点名称", aliases=("name", "风险点", "风险名称"), required=True, example="后厨液化气钢瓶间"
    )
    street, unit, unit_name = place_columns(
        street_help=gettext_lazy("The street's name or code; the district's for a risk of the whole district."),
        unit_help=gettext_lazy("The code of the community or grid; empty for a risk of the whole street."),
        street_aliases=("street", "街道", "所在街道（乡镇）"),
        unit_aliases=("unit_code", "unit", "place_code", "所在单位编码", "社区编码", "网格编码"),
        unit_name_aliases=("unit_name", "place", "所在社区", "所在网格", "社区/网格"),
    )
    site = site_column(
        gettext_lazy("The unified social credit code of the site, if the risk is at one."),
        aliases=("site", "site_credit_code", "统一社会信用代码", "生产经营单位信用代码"),
        example="91330103MA27Y5JK3M",
    )
    sector = sector_column()
    accident_type = ImportField(
        "accident_type",
        "事故类型",
        aliases=("accident_type", "可能导致的事故类型", "事故类别"),
        widget=ChoiceWidget(A.choices, ACCIDENT_LABELS),
        required=True,
        example="火灾",
    )
    description = ImportField("description", "风险描述", aliases=("description",))
    hazard_factors = ImportField("hazard_factors", "危险因素", aliases=("hazard_factors", "危险有害因素"))
    engineering_measures = ImportField(
        "engineering_measures", "工程技术措施", aliases=("engineering_measures", "工程措施")
    )
    management_measures = ImportField("management_measures", "管理措施", aliases=("management_measures",))
    training_measures = ImportField("training_measures", "培训教育措施", aliases=("training_measures",))
    protection_measures = ImportField("protection_measures", "个体防护措施", aliases=("protection_measures",))
    emergency_measures = ImportField("emergency_measures", "应急处置措施", aliases=("emergency_measures",))
    responsible_unit = ImportField(
        "responsible_unit",
        "责任单位",
        aliases=("responsible_unit", "责任单位编码"),
        widget=LookupWidget(
            OrgUnit,
            ("code",),
            not_found=gettext_lazy("No unit has the code “%(value)s”."),
            normalize=normalize_code,
        ),
        required=True,
        help_text=gettext_lazy("The code of the unit responsible for controlling the risk."),
        example="330103002",
    )
    responsible_person = ImportField(
        "responsible_person", "责任人", aliases=("responsible_person",), required=True, example="张三"
    )
    method = ImportField(
        None,
        "评估方法",
        aliases=("method", "assessment_method", "风险评估方法"),
        help_text=gettext_lazy(
            "LEC or 风险矩阵, with its factors (L, E, C or L, S). Filled in, and different from the risk's "
            "current assessment, they record a new residual assessment."
        ),
        example="LEC",
    )
    factor_l = ImportField(None, "L", aliases=("factor_l", "可能性"), example="3")
    factor_e = ImportField(None, "E", aliases=("factor_e", "暴露频率"), example="6")
    factor_c = ImportField(None, "C", aliases=("factor_c", "后果"), example="7")
    factor_s = ImportField(None, "S", aliases=("factor_s", "严重性", "严重程度"), example="")
    score = ImportField(None, "风险值", aliases=("score", "D", "R"), readonly=True)
    level = ImportField(None, LEVEL_COLUMN, aliases=("level",), readonly=True)
    control_level = ImportField(None, "管控层级", aliases=("control_level",), readonly=True)
    next_review_on = ImportField(
        "next_review_on", "下次复核日期", aliases=("next_review_on",), widget=DateWidget(), readonly=True
    )

    class Meta:
        model = RiskPoint
        fields = (
            "row_number",
            "code",
            "name",
            "street",
            "unit",
            "unit_name",
            "site",
            "sector",
            "accident_type",
            "description",
            "hazard_factors",
            "engineering_measures",
            "management_measures",
            "training_measures",
            "protection_measures",
            "emergency_measures",
            "responsible_unit",
            "responsible_person",
            "method",
            "factor_l",
            "factor_e",
            "factor_c",
            "factor_s",
            "score",
            "level",
            "control_level",
            "next_review_on",
        )
        import_id_fields = ("code",)
        # Rows are checked one by one and written a thousand at a time with their
        # history; the assessments they carry are graded together at the end.
        use_bulk = True
        batch_size = 1000

    id_column_optional = True
    # The place is found in the units loaded once per file (PlaceColumns.before_import); the
    # current assessment is never set by a row, only loaded with the risk: validating it would
    # cost a SELECT per updated row.
    trusted_relations = ("unit", "current_assessment")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Assessments this import recorded (in a dry run: would record).
        self.assessed = 0
        self._grades: list[Grade] = []

    def get_queryset(self):
        return RiskPoint.objects.select_related(
            "unit", "site", "sector", "responsible_unit", "current_assessment__method_version"
        )

    @staticmethod
    def export_queryset(user):
        return (
            RiskPoint.objects.visible_to(user)
            .select_related(
                "unit__parent__parent",
                "site",
                "sector",
                "responsible_unit",
                "current_assessment__method_version__method",
            )
            .order_by("unit__code", "name", "id")
        )

    # -- export

    def before_export(self, queryset, **kwargs):
        super().before_export(queryset, **kwargs)
        self._control = dict(ControlRule.objects.values_list("level", "control_level"))

    def dehydrate_method(self, risk):
        assessment = risk.current_assessment
        if assessment is None:
            return ""
        method = assessment.method_version.method
        return METHOD_LABELS.get(method.code, (method.name,))[0]

    def _factor(self, risk, name):
        assessment = risk.current_assessment
        return _number(assessment.inputs.get(name)) if assessment else ""

    def dehydrate_factor_l(self, risk):
        return self._factor(risk, "L")

    def dehydrate_factor_e(self, risk):
        return self._factor(risk, "E")

    def dehydrate_factor_c(self, risk):
        return self._factor(risk, "C")

    def dehydrate_factor_s(self, risk):
        return self._factor(risk, "S")

    def dehydrate_score(self, risk):
        return _number(risk.current_assessment.score) if risk.current_assessment else ""

    def dehydrate_level(self, risk):
        return LEVEL_LABELS[risk.current_assessment.level] if risk.current_assessment else ""

    def dehydrate_control_level(self, risk):
        if risk.current_assessment is None:
            return ""
        control = self._control.get(risk.current_assessment.level)
        return CONTROL_LEVEL_LABELS.get(control, "") if control else ""

    # -- import

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)  # and the places, once per file (PlaceColumns)
        self.assessed = 0
        self._last_code: dict[int, str] = {}
        # Methods, once per file: a row costs no query to find them.
        self._methods: dict[str, AssessmentMethod] = {}
        # Graded control, once per file: each row's level and responsible unit are checked against it.
        self._rules = dict(ControlRule.objects.values_list("level", "control_level"))
        self._policy = control_policy()
        self._versions = {}
        for method in AssessmentMethod.objects.all():
            self._versions[method.pk] = method.current
            for name in (*METHOD_LABELS.get(method.code, ()), method.code, method.name):
                self._methods.setdefault(header_key(name), method)

    def after_init_instance(self, instance, new, row, **kwargs):
        # Where the risk is now, before the row moves it.
        instance._import_was = None if new else (instance.unit, instance.sector_id)
        super().after_init_instance(instance, new, row, **kwargs)

    def _assessment(self, row) -> tuple[tuple[AssessmentMethod, dict] | None, dict]:
        method_text = self.cell(row, "method")
        texts = {name: self.cell(row, _factor_field(name)) for name in FACTORS}
        if not method_text and not any(texts.values()):
            return None, {}
        errors: dict[str, str] = {}
        if not method_text:
            errors["method"] = _("Give the assessment method for the factor values in this row.")
            return None, errors
        method = self._methods.get(header_key(method_text))
        if method is None:
            choices = [labels[0] for code, labels in METHOD_LABELS.items() if self._methods.get(header_key(code))]
            errors["method"] = _("“%(value)s” is not one of: %(choices)s.") % {
                "value": method_text,
                "choices": "、".join(choices),
            }
            return None, errors
        version = self._versions[method.pk]
        missing = [name for name in version.factors if name not in FACTORS]
        if missing:
            errors["method"] = _("This method needs the factors %(names)s.") % {"names": "、".join(version.factors)}
            return None, errors
        inputs: dict[str, Decimal] = {}
        for name in FACTORS:
            key, text = _factor_field(name), texts[name]
            if name not in version.factors:
                if text:
                    errors[key] = _("%(method)s has no factor %(name)s: leave this cell empty.") % {
                        "method": method_text,
                        "name": name,
                    }
                continue
            if not text:
                errors[key] = str(EMPTY_CELL)
                continue
            try:
                value = Decimal(text)
            except InvalidOperation:
                value = None
            allowed = version.allowed(name)
            if value is None or not value.is_finite() or value not in allowed:
                errors[key] = _("%(value)s is not an allowed value of %(name)s: choose one of %(allowed)s.") % {
                    "value": text,
                    "name": name,
                    "allowed": "、".join(f"{v:g}" for v in allowed),
                }
                continue
            inputs[name] = value
        return (None, errors) if errors else ((method, inputs), {})

    def check_row(self, instance, row, errors):
        if instance.pk is None and instance.code:
            errors.setdefault("code", []).append(
                ValidationError(
                    _("No risk has the code “%(value)s”: leave the cell empty to add a new risk.")
                    % {"value": instance.code}
                )
            )
        self.find_place(
            instance,
            row,
            errors,
            nothing=_("Give the street, or the code of the community or grid, where the risk is."),
        )
        instance._import_assessment, assessment_errors = self._assessment(row)
        for key, message in assessment_errors.items():
            errors.setdefault(key, []).append(ValidationError(message))
        if not errors and (refusal := self._control_refusal(instance)):
            errors["responsible_unit"] = [ValidationError(refusal)]

    def _control_refusal(self, instance) -> str | None:
        """The row's level (its new assessment's, else the risk's current one) against its
        responsible unit: the same rule as risks.services.check_control, with the file's rules."""
        if not instance.responsible_unit_id:
            return None
        pending = instance._import_assessment
        if pending is not None:
            method, inputs = pending
            version = self._versions[method.pk]
            level = version.level_of(version.score(inputs))
        else:
            level = instance.current_assessment.level if instance.current_assessment_id else None
        return check_control(level=level, unit=instance.responsible_unit, rules=self._rules, policy=self._policy)

    # -- what counts as a change

    @staticmethod
    def _current_key(instance) -> tuple | None:
        current = instance.current_assessment if instance.current_assessment_id else None
        return _inputs_key(current.method_version.method_id, current.inputs) if current else None

    def _assessment_changes(self, instance) -> bool:
        pending = getattr(instance, "_import_assessment", None)
        return pending is not None and _inputs_key(pending[0].pk, pending[1]) != self._current_key(instance)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        # The assessment is no plain field: compared here (the place by PlaceColumns).
        return not self._assessment_changes(instance)

    # -- permission and writing

    def _may_edit(self, unit, sector_id) -> str | None:
        try:
            ensure_can_edit_risk(by=self.user, unit=unit, sector_id=sector_id)
        except PermissionDenied as exc:
            return str(exc)
        return None

    def row_permission_errors(self, instance):
        errors = {}
        was = getattr(instance, "_import_was", None)
        if was is not None and (denied := self._may_edit(*was)):
            errors["code"] = denied
        if instance.unit_id and instance.sector_id and (denied := self._may_edit(instance.unit, instance.sector_id)):
            errors["unit"] = denied
        return errors

    def _new_code(self, unit: OrgUnit) -> str:
        # The first code of a unit in this file is asked of the service, which locks
        # the unit until the import's transaction ends: the next ones count on from it.
        last = self._last_code.get(unit.pk)
        if last is None:
            code = risk_code_next(unit=unit)
        else:
            prefix, _sep, number = last.rpartition("-")
            code = f"{prefix}-{int(number) + 1:06d}"
        self._last_code[unit.pk] = code
        return code

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if instance.pk is None:
            instance.code = self._new_code(instance.unit)

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if not self._assessment_changes(instance):
            return
        self.assessed += 1
        if not self._is_dry_run(kwargs):
            # The factors were checked against the method's allowed values: a
            # preview counts the assessment without grading.
            method, inputs = instance._import_assessment
            self._grades.append(Grade(instance, method, inputs, Assessment.Stage.RESIDUAL))

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        grades, self._grades = self._grades, []
        if grades and not self._is_dry_run(kwargs) and not (result.has_errors() or result.has_validation_errors()):
            # Every risk of the file is written by now (bulk_create gave the new ones their ids).
            risks_assess(by=self.user, grades=grades)
