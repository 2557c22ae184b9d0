"""The key-task list (重点任务清单) as a spreadsheet: export, and import with a dry run.

One row a task of the importer's current campaign, found again by 任务编号. The lead unit (牵头单位)
is a street, department or the creation office of the campaign's district, by code or name; the
co-units (配合单位) are several of them, separated by 、 or a comma. Every row is written through
campaign.services.tasks (key_task_create, key_task_update), which the creation office alone may
call; progress, completion and status are kept by the progress updates and only exported.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.lib.xlsx.cells import EMPTY_CELL, DateWidget, ImportField, TextWidget, header_key
from campaign.lib.xlsx.resource import XlsxResource
from campaign.models.tasks import KeyTask
from campaign.services.tasks import EDIT_FIELDS, key_task_create, key_task_update, may_edit_tasks
from campaign.task_selectors import current_campaign_for, task_units
from districts.places import sector_column
from districts.validators import normalize_code

# 、 is what a Chinese list uses; commas (either width), semicolons and new lines are taken too.
SEPARATORS = re.compile(r"[、,，;；\n]+")
STATUS_LABELS = {"overdue": "已逾期", "due_soon": "即将到期", "in_progress": "进行中", "done": "已完成"}


class _Units:
    """The units that may lead or share a task of the campaign, by code or by name."""

    def __init__(self, campaign):
        units = list(task_units(campaign)) if campaign is not None else []
        self.by_code = {header_key(u.code): u for u in units}
        self.by_name: dict[str, list] = {}
        for u in units:
            self.by_name.setdefault(header_key(u.name), []).append(u)

    def find(self, text: str):
        """(unit, None) or (None, why not)."""
        unit = self.by_code.get(header_key(normalize_code(text)))
        if unit is not None:
            return unit, None
        named = self.by_name.get(header_key(text), [])
        if len(named) == 1:
            return named[0], None
        if named:
            return None, _("More than one unit is called “%(value)s”: write its code.") % {"value": text}
        return None, _(
            "“%(value)s” is no street, department or creation office of the district (write its name or code)."
        ) % {"value": text}


class KeyTaskResource(XlsxResource):
    code = ImportField(
        "code",
        "任务编号",
        aliases=("code", "task_number", "编号"),
        widget=TextWidget(normalize=normalize_code),
        required=True,
        help_text=gettext_lazy(
            "The plan's number for the task; it identifies the task. Format the column as text, or 1.10 becomes 1.1."
        ),
        example="3.2",
    )
    sector = sector_column()
    title = ImportField(
        "title", "任务", aliases=("title", "任务名称", "重点任务"), required=True, example="出租房屋消防安全整治"
    )
    description = ImportField(
        "description",
        "工作内容",
        aliases=("description", "具体内容", "主要内容"),
        example="对城乡结合部居住出租房逐户开展消防安全检查，推广独立式感烟火灾探测报警器",
    )
    lead_unit = ImportField(
        None,
        "牵头单位",
        aliases=("lead_unit", "牵头部门", "责任单位"),
        column_required=True,
        help_text=gettext_lazy("A street, department or the creation office of the district, by name or code."),
        example="区消防救援大队",
    )
    co_units = ImportField(
        None,
        "配合单位",
        aliases=("co_units", "配合部门", "协办单位"),
        help_text=gettext_lazy("Streets, departments or the creation office, by name or code, separated by 、 or ,."),
        example="武林街道、天水街道",
    )
    due_on = ImportField(
        "due_on",
        "完成时限",
        aliases=("due_on", "完成时间", "时限"),
        widget=DateWidget(),
        required=True,
        example="2026-06-30",
    )
    progress = ImportField(None, "进度（%）", aliases=("progress",), readonly=True)
    completed_on = ImportField(None, "完成日期", aliases=("completed_on",), readonly=True)
    status = ImportField(None, "状态", aliases=("status",), readonly=True)

    class Meta:
        model = KeyTask
        fields = (
            "code", "sector", "title", "description", "lead_unit", "co_units", "due_on",
            "progress", "completed_on", "status",
        )  # fmt: skip
        import_id_fields = ("code",)

    # Set from rows this import reads itself.
    trusted_relations = ("campaign", "lead_unit")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.campaign = current_campaign_for(self.user) if self.user is not None else None

    def get_queryset(self):
        tasks = KeyTask.objects.select_related("campaign__district", "lead_unit", "sector").prefetch_related("co_units")
        return tasks.filter(campaign=self.campaign) if self.campaign is not None else tasks.none()

    # -- export

    def dehydrate_lead_unit(self, task):
        return task.lead_unit.name

    def dehydrate_co_units(self, task):
        return "、".join(u.name for u in sorted(task.co_units.all(), key=lambda u: (u.kind, u.code)))

    def dehydrate_progress(self, task):
        return task.progress

    def dehydrate_completed_on(self, task):
        return task.completed_on.isoformat() if task.completed_on else ""

    def dehydrate_status(self, task):
        return STATUS_LABELS[task.status()]

    # -- import

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._units = _Units(self.campaign)
        self._may_edit = self.campaign is not None and may_edit_tasks(self.user, self.campaign.district)

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._import_was = None if new else (instance.lead_unit_id, {u.pk for u in instance.co_units.all()})
        super().after_init_instance(instance, new, row, **kwargs)

    def check_row(self, instance, row, errors):
        if self.campaign is None:
            errors.setdefault("code", []).append(ValidationError(_("Your district has no campaign to add tasks to.")))
        elif instance.pk is None:
            instance.campaign = self.campaign
        lead_text = self.cell(row, "lead_unit")
        if not lead_text:
            errors.setdefault("lead_unit", []).append(ValidationError(str(EMPTY_CELL)))
        else:
            unit, why = self._units.find(lead_text)
            if unit is None:
                errors.setdefault("lead_unit", []).append(ValidationError(why))
            else:
                instance.lead_unit = unit
        instance._import_co_units = []
        for text in filter(None, (part.strip() for part in SEPARATORS.split(self.cell(row, "co_units")))):
            unit, why = self._units.find(text)
            if unit is None:
                errors.setdefault("co_units", []).append(ValidationError(why))
            elif unit not in instance._import_co_units:
                instance._import_co_units.append(unit)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        lead_unit_id, co_unit_ids = instance._import_was
        return instance.lead_unit_id == lead_unit_id and {u.pk for u in instance._import_co_units} == co_unit_ids

    def row_permission_errors(self, instance):
        if self.campaign is not None and not self._may_edit:
            return {
                "code": _("Only the creation office sets out the key tasks of %(district)s.")
                % {"district": self.campaign.district}
            }
        return {}

    def do_instance_save(self, instance, is_create):
        """Through the services, which check again what the row may do and write its history."""
        fields = {name: getattr(instance, name) for name in EDIT_FIELDS}
        try:
            if is_create:
                task = key_task_create(
                    by=self.user, campaign=self.campaign, co_units=instance._import_co_units, **fields
                )
                instance.pk = task.pk
            else:
                key_task_update(task=instance, by=self.user, co_units=instance._import_co_units, **fields)
        except PermissionDenied as exc:
            raise ValidationError({"code": str(exc)}) from None
