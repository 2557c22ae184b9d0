"""The report types a new install starts with, as the plan sets them
(section 5(5), 加强信息报送). They are data: an administrator changes them later."""

# The plan: "each month, before the month's end, at least one work-information item; before the
# end of each quarter's third month, the quarter's progress; a summary every half year; the
# annual summary at the year's end", and the unit's work plan, once, at the start. The plan
# gives the work plan no date: 30 days after the campaign starts is this platform's choice.
REPORT_TYPES = [
    {
        "code": "monthly_item",
        "name": "创建工作信息",
        "name_en": "Monthly work item",
        "order": 1,
        "period_kind": "month",
        "due_rule": "period_end",
        "grace_days": 0,
        "allows_several": True,
        # What the office takes up into its own bulletins and passes up (采用): the work items.
        "adoptable": True,
    },
    {
        "code": "quarterly_progress",
        "name": "季度创建工作进展情况",
        "name_en": "Quarterly progress report",
        "order": 2,
        "period_kind": "quarter",
        "due_rule": "period_end",
        "grace_days": 0,
        "allows_several": False,
    },
    {
        "code": "half_year_summary",
        "name": "半年创建工作小结",
        "name_en": "Half-year summary",
        "order": 3,
        "period_kind": "half_year",
        "due_rule": "period_end",
        "grace_days": 0,
        "allows_several": False,
    },
    {
        "code": "annual_summary",
        "name": "年度创建工作总结",
        "name_en": "Annual work summary",
        "order": 4,
        "period_kind": "year",
        "due_rule": "period_end",
        "grace_days": 0,
        "allows_several": False,
    },
    {
        "code": "work_plan",
        "name": "创建工作计划方案",
        "name_en": "Creation work plan",
        "order": 5,
        "period_kind": "once",
        "due_rule": "after_start",
        "grace_days": 30,
        "allows_several": False,
    },
]
FILER_KINDS = ["street", "department"]


def install(ReportType) -> int:
    """Add the shipped types that are missing (by code); never overwrite an administrator's edits."""
    added = 0
    # A migration's historical model may not have every field yet (adoptable came later).
    fields = {f.name for f in ReportType._meta.get_fields()}
    for spec in REPORT_TYPES:
        spec = {k: v for k, v in spec.items() if k in fields}
        _type, created = ReportType.objects.get_or_create(
            code=spec["code"], defaults={**spec, "filer_kinds": list(FILER_KINDS)}
        )
        added += created
    return added
