"""Spreadsheet import and export of the org tree and of sites.

The headers and coded values are the file format (see campaign.lib.xlsx):
fixed Chinese words, each also accepted in English, so that the 2020 division
file (level, code, name, parent_code) imports as it is.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.lib.xlsx.cells import (
    ROW_COLUMN,
    ChoiceWidget,
    DateWidget,
    ImportField,
    LookupWidget,
    TextWidget,
    YesNoWidget,
    cell_text,
)
from campaign.lib.xlsx.resource import XlsxResource
from districts.models import OrgUnit, Sector, Site
from districts.scoping import scope_for
from districts.services import ORG_EDITOR_ROLES, ensure_can_edit_site
from districts.validators import normalize_code, normalize_credit_code

K = OrgUnit.Kind
# The words a spreadsheet uses for each kind; the first is what exports write.
KIND_LABELS = {
    K.CITY: ("市", "城市", "地级市"),
    K.DISTRICT: ("区", "县区", "区县"),
    K.STREET: ("街道", "乡镇街道"),
    K.COMMUNITY: ("社区", "村社区"),
    K.GRID: ("网格",),
    K.DEPARTMENT: ("部门", "区级部门"),
    K.OFFICE: ("创建办",),
    K.TEAM: ("巡查组", "专项巡查组"),
    K.LEADING_GROUP: ("领导小组",),
}
C = Site.Category
CATEGORY_LABELS = {
    C.ENTERPRISE: ("企业", "生产经营单位"),
    C.CROWDED_PLACE: ("人员密集场所",),
    C.THREE_IN_ONE: ("三合一场所", "“三合一”场所"),
    C.RENTAL_HOUSING: ("出租房屋", "出租房"),
    C.CONSTRUCTION_SITE: ("建筑工地", "建设工地", "在建工地"),
    C.OTHER: ("其他",),
}


class OrgUnitResource(XlsxResource):
    """Streets, communities, grids, departments...: one row a unit, found by its code.

    Rows are imported parents first (by depth within the file), so a child may
    come before its parent in the sheet. Only system administrators import,
    and every row they write must hang under a unit in their scope.
    """

    code = ImportField(
        "code",
        "编码",
        aliases=("code", "代码", "单位编码", "区划代码", "统计用区划代码"),
        widget=TextWidget(normalize=normalize_code),
        required=True,
        help_text=gettext_lazy("The unit's code, e.g. its statistical division code; it identifies the unit."),
        example="330103002051",
    )
    name = ImportField("name", "名称", aliases=("name", "单位名称"), required=True, example="中北社区")
    kind = ImportField(
        "kind",
        "类型",
        aliases=("kind", "level", "层级", "级别", "单位类型"),
        widget=ChoiceWidget(K.choices, KIND_LABELS),
        required=True,
        example="社区",
    )
    parent = ImportField(
        "parent",
        "上级编码",
        aliases=("parent_code", "parent", "上级代码", "上级单位编码"),
        widget=LookupWidget(
            OrgUnit,
            ("code",),
            cached=False,
            not_found=gettext_lazy("No unit has the code “%(value)s”."),
            normalize=normalize_code,
        ),
        column_required=True,
        help_text=gettext_lazy("The code of the unit above; empty only for the city."),
        example="330103002",
    )
    parent_name = ImportField(
        "parent__name",
        "上级名称",
        aliases=("parent_name",),
        readonly=True,
        help_text=gettext_lazy("For reading only; ignored on import."),
    )
    established_on = ImportField("established_on", "成立日期", aliases=("established_on",), widget=DateWidget())
    dissolved_on = ImportField("dissolved_on", "撤销日期", aliases=("dissolved_on",), widget=DateWidget())

    class Meta:
        model = OrgUnit
        fields = ("code", "name", "kind", "parent", "parent_name", "established_on", "dissolved_on")
        import_id_fields = ("code",)

    def get_queryset(self):
        return OrgUnit.objects.select_related("parent")

    @staticmethod
    def export_queryset(user):
        return OrgUnit.objects.visible_to(user).select_related("parent").order_by("tree_id", "lft")

    def row_sort_keys(self, rows):
        """Each row's depth within the file: parents are imported before their children."""
        code_col, parent_col = self.fields["code"].column_name, self.fields["parent"].column_name
        parent_of: dict[str, str] = {}
        for row in rows:
            parent_of.setdefault(cell_text(row.get(code_col)), cell_text(row.get(parent_col)))
        depth: dict[str, int] = {}

        def depth_of(code: str) -> int:
            # Walk up while the parent is in the file; a cycle stops the walk.
            chain: list[str] = []
            while code in parent_of and code not in depth and code not in chain:
                chain.append(code)
                code = parent_of[code]
            base = depth.get(code, -1)
            for c in reversed(chain):
                base += 1
                depth[c] = base
            return base

        return [depth_of(cell_text(row.get(code_col))) for row in rows]

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.scope = scope_for(self.user, ORG_EDITOR_ROLES)
        # Taken once: tree ranges shift as this import inserts units, so a
        # unit's place in the scope is decided by id, and a unit created here
        # joins the scope of the parent it was created under.
        self._scope_ids = (
            None if self.scope.everything else set(OrgUnit.objects.in_scope(self.scope).values_list("pk", flat=True))
        )

    def _in_scope(self, unit: OrgUnit | None) -> bool:
        if self._scope_ids is None:
            return True
        return unit is not None and unit.pk in self._scope_ids

    def import_instance(self, instance, row, **kwargs):
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict({})
            parent_code = cell_text(row.get(self.fields["parent"].column_name))
            parent_row = self.first_row_of(parent_code)
            if "parent" in errors and parent_row is not None and parent_row != row[ROW_COLUMN]:
                errors["parent"] = [
                    ValidationError(
                        _("The parent unit “%(code)s” (row %(row)d) could not be imported; correct that row first.")
                        % {"code": parent_code, "row": parent_row}
                    )
                ]
            raise ValidationError(errors) from None

    def row_permission_errors(self, instance):
        errors = {}
        if instance.pk and not self._in_scope(instance):
            errors["code"] = _("This unit is not within your scope.")
        if instance.parent_id is None:
            if self._scope_ids is not None:
                errors["parent"] = _("A unit without a parent unit is not within your scope.")
        elif not self._in_scope(instance.parent):
            errors["parent"] = _("The parent unit “%(name)s” is not within your scope.") % {
                "name": instance.parent.name
            }
        return errors

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if instance.pk:
            # Earlier rows may have shifted this unit in the tree; the check
            # that it is not moved under itself needs its current place.
            instance._mptt_refresh()
        super().validate_instance(instance, import_validation_errors, validate_unique)

    def after_save_instance(self, instance, row, **kwargs):
        if self._scope_ids is not None:
            self._scope_ids.add(instance.pk)


class SiteResource(XlsxResource):
    """Sites, found by unified social credit code. Each row written must be
    within the importer's site-editing scope, where the site was and where it goes."""

    name = ImportField(
        "name", "名称", aliases=("name", "单位名称", "场所名称", "企业名称"), required=True, example="杭州安顺餐饮店"
    )
    credit_code = ImportField(
        "credit_code",
        "统一社会信用代码",
        aliases=("credit_code", "信用代码", "社会信用代码"),
        widget=TextWidget(normalize=normalize_credit_code),
        required=True,
        help_text=gettext_lazy("18 characters; it identifies the site."),
        example="91330103MA27Y5JK3M",
    )
    unit = ImportField(
        "unit",
        "所属单位编码",
        aliases=("unit_code", "unit", "单位编码", "所属单位代码"),
        widget=LookupWidget(
            OrgUnit,
            ("code",),
            not_found=gettext_lazy("No unit has the code “%(value)s”."),
            normalize=normalize_code,
        ),
        required=True,
        help_text=gettext_lazy("The code of the street, community or grid where the site is."),
        example="330103002051",
    )
    unit_name = ImportField(
        "unit__name",
        "所属单位名称",
        aliases=("unit_name",),
        readonly=True,
        help_text=gettext_lazy("For reading only; ignored on import."),
    )
    sector = ImportField(
        "sector",
        "重点领域",
        aliases=("sector", "行业领域", "领域"),
        widget=LookupWidget(
            Sector,
            ("name", "code", "name_en"),
            not_found=gettext_lazy("“%(value)s” is not one of the seven sectors (e.g. 消防安全)."),
            list_in_template=True,
        ),
        example="消防安全",
    )
    category = ImportField(
        "category",
        "场所类别",
        aliases=("category", "类别"),
        widget=ChoiceWidget(C.choices, CATEGORY_LABELS),
        required=True,
        example="三合一场所",
    )
    address = ImportField("address", "地址", aliases=("address", "详细地址", "经营地址"))
    legal_representative = ImportField(
        "legal_representative", "法定代表人", aliases=("legal_representative", "法人代表", "法人")
    )
    contact_person = ImportField("contact_person", "联系人", aliases=("contact_person", "contact"))
    contact_phone = ImportField("contact_phone", "联系电话", aliases=("contact_phone", "phone", "电话", "手机"))
    is_major_hazard_source = ImportField(
        "is_major_hazard_source",
        "重大危险源",
        aliases=("is_major_hazard_source", "major_hazard_source", "是否重大危险源"),
        widget=YesNoWidget(),
        example="否",
    )

    class Meta:
        model = Site
        fields = (
            "name",
            "credit_code",
            "unit",
            "unit_name",
            "sector",
            "category",
            "address",
            "legal_representative",
            "contact_person",
            "contact_phone",
            "is_major_hazard_source",
        )
        import_id_fields = ("credit_code",)
        # Sites do not depend on each other: validate row by row, write in batches.
        use_bulk = True

    def get_queryset(self):
        return Site.objects.select_related("unit", "sector")

    @staticmethod
    def export_queryset(user):
        return Site.objects.visible_to(user).select_related("unit", "sector").order_by("unit__code", "name", "id")

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        # Where the site is now, before the row moves it.
        instance._import_was = None if new else (instance.unit, instance.sector_id)

    def _may_edit(self, unit, sector_id) -> bool:
        try:
            ensure_can_edit_site(by=self.user, unit=unit, sector_id=sector_id)
        except PermissionDenied:
            return False
        return True

    def row_permission_errors(self, instance):
        errors = {}
        was = getattr(instance, "_import_was", None)
        if was is not None and not self._may_edit(*was):
            errors["credit_code"] = _("This credit code belongs to a site that is not within your scope.")
        if instance.unit_id and not self._may_edit(instance.unit, instance.sector_id):
            if instance.sector_id:
                errors["unit"] = _("%(sector)s sites in %(unit)s are not within your scope.") % {
                    "sector": instance.sector.name,
                    "unit": instance.unit.name,
                }
            else:
                errors["unit"] = _("%(unit)s is not within your scope.") % {"unit": instance.unit.name}
        return errors
