"""The methods and graded-control rules a new install starts with. They are
data: an administrator changes them later, which makes new method versions."""

LEC = {
    "code": "lec",
    "name": "作业条件危险性分析法（LEC）",
    "kind": "lec",
    "factors": {
        "L": [
            {"value": 10, "label": "完全可以预料"},
            {"value": 6, "label": "相当可能"},
            {"value": 3, "label": "可能，但不经常"},
            {"value": 1, "label": "可能性小，完全意外"},
            {"value": 0.5, "label": "很不可能，可以设想"},
            {"value": 0.2, "label": "极不可能"},
            {"value": 0.1, "label": "实际不可能"},
        ],
        "E": [
            {"value": 10, "label": "连续暴露"},
            {"value": 6, "label": "每天工作时间内暴露"},
            {"value": 3, "label": "每周一次或偶然暴露"},
            {"value": 2, "label": "每月一次暴露"},
            {"value": 1, "label": "每年几次暴露"},
            {"value": 0.5, "label": "非常罕见地暴露"},
        ],
        "C": [
            {"value": 100, "label": "大灾难，许多人死亡"},
            {"value": 40, "label": "灾难，数人死亡"},
            {"value": 15, "label": "非常严重，一人死亡"},
            {"value": 7, "label": "严重，重伤"},
            {"value": 3, "label": "重大，致残"},
            {"value": 1, "label": "引人注目，需要救护"},
        ],
    },
    # D > 320 重大; 160 < D ≤ 320 较大; 70 ≤ D ≤ 160 一般; D < 70 低.
    "bands": [
        {"level": "major", "above": 320, "inclusive": False},
        {"level": "significant", "above": 160, "inclusive": False},
        {"level": "general", "above": 70, "inclusive": True},
        {"level": "low"},
    ],
}

MATRIX = {
    "code": "matrix",
    "name": "风险矩阵法（L×S）",
    "kind": "matrix",
    "factors": {
        "L": [
            {"value": 5, "label": "很可能"},
            {"value": 4, "label": "可能"},
            {"value": 3, "label": "偶尔"},
            {"value": 2, "label": "不大可能"},
            {"value": 1, "label": "极不可能"},
        ],
        "S": [
            {"value": 5, "label": "灾难性"},
            {"value": 4, "label": "严重"},
            {"value": 3, "label": "较重"},
            {"value": 2, "label": "一般"},
            {"value": 1, "label": "轻微"},
        ],
    },
    # R ≥ 20 重大; 15–16 较大; 9–12 一般; R ≤ 8 低.
    "bands": [
        {"level": "major", "above": 20, "inclusive": True},
        {"level": "significant", "above": 15, "inclusive": True},
        {"level": "general", "above": 9, "inclusive": True},
        {"level": "low"},
    ],
}

# level → (controlled at, review every N days)
CONTROL_RULES = {
    "major": ("district", 30),
    "significant": ("street_or_department", 90),
    "general": ("community_or_site", 180),
    "low": ("site", 365),
}


def install(AssessmentMethod, MethodVersion, ControlRule) -> None:
    """Create what is missing; never touch what an administrator changed."""
    for spec in (LEC, MATRIX):
        method, _ = AssessmentMethod.objects.get_or_create(
            code=spec["code"], defaults={"name": spec["name"], "kind": spec["kind"]}
        )
        if not MethodVersion.objects.filter(method=method).exists():
            MethodVersion.objects.create(method=method, number=1, factors=spec["factors"], bands=spec["bands"])
    for level, (control_level, days) in CONTROL_RULES.items():
        ControlRule.objects.get_or_create(
            level=level, defaults={"control_level": control_level, "review_every_days": days}
        )
