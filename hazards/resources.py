"""The hazard ledger (隐患台账) as a spreadsheet: export, and import with a dry run.

One row a hazard, found again by 隐患编号; an empty 隐患编号 logs a new hazard and the
system gives it a number. The place is a street (name or code) and, below it, a community
or grid (code, or name within the street). A row that names 责任单位, 责任人 and 整改期限 for a
hazard still 已登记 assigns it for rectification; on a hazard already assigned those cells
must stay as they are (the deadline moves through an extension, not a file). Columns the
workflow fills in (状态, 是否逾期, 整改情况, 销号时间, the listing) are exported and only read.
A closed or cancelled hazard is not changed by a file.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import widgets

from campaign.lib.xlsx.cells import (
    ChoiceWidget,
    DateWidget,
    ImportField,
    LookupWidget,
    TextWidget,
    cell_text,
    row_number_column,
)
from campaign.lib.xlsx.resource import XlsxResource
from districts.models import OrgUnit
from districts.places import PlaceColumns, place_columns, sector_column, site_column
from districts.validators import normalize_code, normalize_number
from hazards import services, workflow
from hazards.models import DEADLINE_TZ, OPEN_STATUSES, Action, Grade, Hazard, Source, Status
from hazards.numbers import next_numbers
from hazards.services import assignment_errors, ensure_can_report, record_edit, record_event
from hazards.workflow import Side

GRADE_LABELS = {Grade.GENERAL: ("一般", "一般隐患", "一般事故隐患"), Grade.MAJOR: ("重大", "重大隐患", "重大事故隐患")}
SOURCE_LABELS = {
    Source.SELF_CHECK: ("企业自查", "自查"),
    Source.PATROL: ("网格巡查", "巡查"),
    Source.INSPECTION: ("监督检查", "检查", "执法检查"),
    Source.SUPERVISION: ("督查评估", "督查"),
    Source.PUBLIC_REPORT: ("群众举报", "举报", "投诉举报"),
    Source.OTHER: ("其他", "其它"),
}
STATUS_LABELS = {
    Status.REPORTED: "已登记",
    Status.RECTIFYING: "整改中",
    Status.AWAITING_VERIFICATION: "待验收",
    Status.CLOSED: "已销号",
    Status.CANCELLED: "已撤销",
}
ASSIGNMENT = ("responsible_unit", "responsible_person", "deadline")
TIME_FORMAT = "%Y-%m-%d %H:%M"


class MinuteWidget(widgets.Widget):
    """A time to the minute in Shanghai: 2026-03-05 14:30 (or an Excel date-time)."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, datetime.datetime):
            moment = value
        elif isinstance(value, datetime.date):
            moment = datetime.datetime.combine(value, datetime.time())
        else:
            text = cell_text(value)
            for fmt in (TIME_FORMAT, "%Y-%m-%d", "%Y/%m/%d %H:%M", "%Y/%m/%d"):
                try:
                    moment = datetime.datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
            else:
                raise ValueError(_("“%(value)s” is not a time: write it as 2026-03-05 14:30.") % {"value": text})
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=DEADLINE_TZ)
        return moment.replace(second=0, microsecond=0)

    def render(self, value, obj=None, **kwargs):
        return value.astimezone(DEADLINE_TZ).strftime(TIME_FORMAT) if value else ""


class HazardResource(PlaceColumns, XlsxResource):
    row_number = row_number_column()
    number = ImportField(
        "number",
        "隐患编号",
        aliases=("hazard_number", "编号"),
        widget=TextWidget(normalize=normalize_number),
        help_text=gettext_lazy("Given by the system; it identifies the hazard. Leave it empty for a new hazard."),
        example="YH330103-2026-000001",
    )
    title = ImportField(
        "title", "隐患名称", aliases=("title", "隐患", "隐患简述"), required=True, example="消防通道堵塞"
    )
    street, unit, unit_name = place_columns(
        street_help=gettext_lazy("The street's name or code; the district's for a hazard of the whole district."),
        unit_help=gettext_lazy("The code of the community or grid; empty for a hazard of the whole street."),
    )
    location = ImportField("location", "具体位置", aliases=("location", "位置"), example="菜场东侧通道")
    site = site_column(gettext_lazy("The unified social credit code of the site, if the hazard is at one."))
    sector = sector_column()
    grade = ImportField(
        "grade", "隐患等级", aliases=("grade", "等级"), widget=ChoiceWidget(Grade.choices, GRADE_LABELS), required=True
    )
    source = ImportField(
        "source",
        "隐患来源",
        aliases=("source", "来源"),
        widget=ChoiceWidget(Source.choices, SOURCE_LABELS),
        required=True,
    )
    description = ImportField("description", "隐患描述", aliases=("description", "描述"), required=True)
    found_at = ImportField(
        "found_at",
        "发现时间",
        aliases=("found_at", "发现日期", "排查时间"),
        widget=MinuteWidget(),
        help_text=gettext_lazy("e.g. 2026-03-05 14:30; empty means now."),
    )
    found_by = ImportField(None, "登记人", aliases=("found_by",), readonly=True)
    status = ImportField(None, "状态", aliases=("status",), readonly=True)
    responsible_unit = ImportField(
        "responsible_unit",
        "责任单位编码",
        aliases=("responsible_unit", "责任单位"),
        widget=LookupWidget(
            OrgUnit,
            ("code",),
            not_found=gettext_lazy("No unit has the code “%(value)s”."),
            normalize=normalize_code,
        ),
        help_text=gettext_lazy("With 责任人 and 整改期限, assigns a hazard still 已登记 for rectification."),
        example="330103002",
    )
    responsible_person = ImportField("responsible_person", "责任人", aliases=("responsible_person",), example="王芳")
    responsible_phone = ImportField("responsible_phone", "联系电话", aliases=("responsible_phone", "电话"))
    deadline = ImportField("deadline", "整改期限", aliases=("deadline",), widget=DateWidget(), example="2026-06-30")
    measures = ImportField("measures", "整改要求", aliases=("measures", "整改措施"))
    overdue = ImportField(None, "是否逾期", aliases=("overdue",), readonly=True)
    rectification = ImportField(None, "整改情况", aliases=("rectification",), readonly=True)
    closed_at = ImportField(None, "销号时间", aliases=("closed_at",), readonly=True)
    supervising_unit = ImportField(None, "挂牌督办单位", aliases=("supervising_unit",), readonly=True)
    document_number = ImportField(None, "挂牌文号", aliases=("document_number",), readonly=True)

    class Meta:
        model = Hazard
        fields = (
            "row_number", "number", "title", "street", "unit", "unit_name", "location", "site", "sector",
            "grade", "source", "description", "found_at", "found_by", "status", "responsible_unit",
            "responsible_person", "responsible_phone", "deadline", "measures", "overdue", "rectification",
            "closed_at", "supervising_unit", "document_number",
        )  # fmt: skip
        import_id_fields = ("number",)

    id_column_optional = True

    def get_queryset(self):
        return Hazard.objects.select_related("unit", "site", "sector", "responsible_unit")

    # -- export

    def dehydrate_found_by(self, hazard):
        return str(hazard.found_by)

    def dehydrate_status(self, hazard):
        return STATUS_LABELS[hazard.status]

    def dehydrate_overdue(self, hazard):
        return "是" if hazard.overdue() else "否"

    def dehydrate_rectification(self, hazard):
        return hazard.rectification

    def dehydrate_closed_at(self, hazard):
        return MinuteWidget().render(hazard.closed_at)

    def dehydrate_supervising_unit(self, hazard):
        listing = workflow.listing_of(hazard)
        return listing.supervising_unit.name if listing else ""

    def dehydrate_document_number(self, hazard):
        listing = workflow.listing_of(hazard)
        return listing.document_number if listing else ""

    # -- import

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.assigned = 0

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._import_was = None if new else (instance.unit, instance.sector_id, instance.status, instance.grade)
        instance._import_before = None if new else _assignment(instance)
        super().after_init_instance(instance, new, row, **kwargs)

    def check_row(self, instance, row, errors):
        if instance.pk is None and instance.number:
            errors.setdefault("number", []).append(
                ValidationError(
                    _("No hazard has the number “%(value)s”: leave the cell empty to log a new hazard.")
                    % {"value": instance.number}
                )
            )
        if instance.pk is None:
            instance.found_by = self.user
            instance.found_at = instance.found_at or timezone.now().replace(second=0, microsecond=0)
        self.find_place(
            instance,
            row,
            errors,
            nothing=_("Give the street, or the code of the community or grid, where the hazard is."),
        )
        for key, message in self._workflow_errors(instance).items():
            errors.setdefault(key, []).append(ValidationError(message))

    @staticmethod
    def _assignment_given(instance) -> list[str]:
        return [f for f, value in _assignment(instance).items() if value]

    def _workflow_errors(self, instance) -> dict[str, str]:
        was = instance._import_was
        if was is not None and was[2] not in OPEN_STATUSES and self._changed(instance):
            return {"number": _("A closed or cancelled hazard is not changed by a file.")}
        # The rule of hazard_edit: the grade only before assignment, and a listed hazard stays major.
        regraded = was is not None and instance.grade != was[3]
        if regraded and (refusal := workflow.regrade_refusal(_stored(instance), instance.grade)):
            return {"grade": refusal}
        given = self._assignment_given(instance)
        status = was[2] if was else Status.REPORTED
        if status != Status.REPORTED:
            before = instance._import_before
            if _assignment(instance) != before:
                return {"deadline": _("The assignment of a hazard under rectification changes only through its page.")}
            return {}
        if given and len(given) < len(ASSIGNMENT):
            missing = [f for f in ASSIGNMENT if f not in given]
            columns = "、".join(str(self.fields[f].column_name) for f in missing)
            return {missing[0]: _("To assign it, also fill in: %(columns)s.") % {"columns": columns}}
        if given:
            # The rules of hazard_assign itself, which assigns the row once it is saved.
            refusal = workflow.grade_refusal(self.user, instance, Action.ASSIGN)
            if refusal is not None:
                return {"grade": " ".join(refusal.messages)}
            errors = assignment_errors(
                hazard=instance,
                responsible_unit=instance.responsible_unit,
                responsible_person=instance.responsible_person,
                deadline=instance.deadline,
            )
            if errors:
                return errors
        return {}

    def _changed(self, instance) -> bool:
        return bool(getattr(instance, "_import_changed", None)) or self._loaded_values != self._values(instance)

    def row_permission_errors(self, instance):
        errors = {}
        was = instance._import_was
        if was is not None and (denied := self._denied(was[0], was[1])):
            errors["number"] = denied
        if instance.unit_id and instance.sector_id and (denied := self._denied(instance.unit, instance.sector_id)):
            errors["unit"] = denied
        if (
            instance.unit_id
            and self._will_assign(instance)
            and not workflow.on_side(self.user, Side.ASSIGNER, instance)
        ):
            errors["responsible_unit"] = str(workflow.SIDE_REFUSALS[Side.ASSIGNER])
        return errors

    def _denied(self, unit, sector_id) -> str | None:
        try:
            ensure_can_report(by=self.user, unit=unit, sector_id=sector_id)
        except PermissionDenied as exc:
            return str(exc)
        return None

    def _will_assign(self, instance) -> bool:
        status = instance._import_was[2] if instance._import_was else Status.REPORTED
        return status == Status.REPORTED and len(self._assignment_given(instance)) == len(ASSIGNMENT)

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        # The row is saved as the hazard it describes, still reported; hazard_assign then assigns it.
        instance._import_assign = _assignment(instance) if self._will_assign(instance) else None
        if instance._import_assign:
            instance.responsible_unit, instance.responsible_person, instance.deadline = None, "", None
        if instance.pk is None:
            instance.number = next_numbers(unit=instance.unit, when=instance.found_at)[0]
            instance.status = workflow.TABLE.next_state(Action.REPORT, workflow.NEW)

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if instance._import_was is None:
            record_event(instance, self.user, Action.REPORT, workflow.NEW)
        elif getattr(instance, "_import_changed", None):
            record_edit(hazard=instance, by=self.user, changed=sorted(instance._import_changed - set(ASSIGNMENT)))
        if instance._import_assign:
            given = instance._import_assign
            assigned = services.hazard_assign(
                hazard=instance,
                by=self.user,
                responsible_unit=OrgUnit.objects.get(pk=given["responsible_unit"]),
                responsible_person=given["responsible_person"],
                deadline=given["deadline"],
                measures=instance.measures,
                responsible_phone=instance.responsible_phone,
                expected_status=Status.REPORTED,
            )
            for name in ("status", "issuing_unit", "responsible_unit", "responsible_person", "deadline", "assigned_at"):
                setattr(instance, name, getattr(assigned, name))
            self.assigned += 1


def _stored(instance: Hazard) -> Hazard:
    """The hazard as it is stored, for the rules that compare a change with it."""
    return Hazard.objects.select_related("listing").get(pk=instance.pk)


def _assignment(hazard) -> dict:
    return {
        "responsible_unit": hazard.responsible_unit_id,
        "responsible_person": hazard.responsible_person,
        "deadline": hazard.deadline,
    }
