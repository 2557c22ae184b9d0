"""Loading the national rubric: what the file gives, typed; what it does not, 待核实; once."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from assessments import rubric, scoring, services
from assessments.models import AnswerState, Item, Rule, Template
from assessments.scoring import AnswerInput

pytestmark = pytest.mark.django_db


def load(*args) -> str:
    out = StringIO()
    call_command("load_national_rubric", *args, stdout=out)
    return out.getvalue()


def test_the_rubric_loads_six_aspects_of_100_points_and_the_bonus_bucket(plan):
    said = load()
    assert said.startswith("created: national-2019 v1:")
    t = Template.objects.get(code="national-2019")
    roots = Item.objects.filter(template=t, parent=None).order_by("order")
    assert [(i.code, i.max_points, i.kind) for i in roots] == [
        ("1", 18, "basic"), ("2", 32, "basic"), ("3", 16, "basic"), ("4", 16, "basic"), ("5", 14, "basic"),
        ("6", 4, "basic"), ("7", 5, "bonus"),
    ]
    assert sum(i.max_points for i in roots if i.kind == "basic") == 100


def test_what_the_file_could_not_verify_is_marked_to_be_verified(plan):
    load()
    t = Template.objects.get(code="national-2019")
    unverified = set(t.items.filter(unverified=True).values_list("code", flat=True))
    assert {"1.2.3", "1.2.4", "2.1.1", "2.2", "3", "4", "5", "6", "7"} == unverified
    assert not t.items.get(code="1.1.1").unverified


def test_rules_are_typed_as_the_text_writes_them(plan):
    load()
    rules = {(r.item.code, r.kind): r.params for r in Rule.objects.filter(item__template__code="national-2019")}
    assert rules[("1.1.1", "per_finding")] == {"points": "0.5", "cap": "2"}
    assert rules[("1.1.3", "per_missing")] == {"points": "0.2", "cap": "1"}  # 每缺一项扣0.2分,1分扣完为止
    assert rules[("1.2.1", "threshold")] == {"op": "<=", "value": "80", "points": "1", "unit": "%"}
    assert Rule.objects.get(item__code="1.2.1", kind="threshold").text.startswith("(2)市政供水")


def test_the_rubric_scores_by_its_own_rules(plan):
    load("--fill-gaps")
    t = Template.objects.get(code="national-2019")
    tree = scoring.load_tree(t)
    code = {i.code: i.id for i in tree.items.values()}
    result = scoring.score(tree, {
        code["1.1.1"]: AnswerInput(findings=5),  # 2.5 capped at 2
        code["1.2.1"]: AnswerInput(findings=1, measured=Decimal("80")),  # 0.2 + 1
        code["6"]: AnswerInput(state=AnswerState.NOT_APPLICABLE),
    })
    assert result.items[code["1.1.1"]].points == 0
    assert result.items[code["1.2.1"]].points == Decimal("0.8")
    assert result.applicable_max == Decimal("96")  # 100 but 6 城市安全状况 (4), not applicable
    assert result.raw_points == Decimal("92.8")  # 96 − 2 − 1.2
    assert result.score == Decimal("96.67")


def test_a_second_load_changes_nothing_and_says_so(plan):
    load()
    history_rows = Template.history.count() + Item.history.count() + Rule.history.count()
    said = load()
    assert said.startswith("unchanged: national-2019 v1")
    assert Template.objects.filter(code="national-2019").count() == 1
    assert Template.history.count() + Item.history.count() + Rule.history.count() == history_rows


def test_the_loaded_template_cannot_be_used_until_it_adds_up_and_says_where(plan):
    said = load()
    assert "1.2 城市基础及安全设施建设：下级项目合计 8 分，而非 9 分。" in said  # in the catalog's Chinese
    assert services.template_problems(Template.objects.get(code="national-2019"))


def test_filling_the_gaps_makes_it_usable_with_each_gap_to_be_verified(plan):
    load("--fill-gaps")
    t = Template.objects.get(code="national-2019")
    assert services.template_problems(t) == []
    gap = t.items.get(code="1.2.5")
    assert (gap.name, gap.max_points, gap.unverified) == (rubric.GAP_NAME, 1, True)
    assert services.template_freeze(template=t).is_frozen


def test_a_changed_file_makes_a_new_version_when_the_loaded_one_is_frozen(plan, tmp_path):
    load("--fill-gaps")
    v1 = Template.objects.get(code="national-2019")
    services.template_freeze(template=v1)
    data = json.loads(rubric.RUBRIC_FILE.read_text(encoding="utf-8"))
    data["items"][0]["children"][0]["children"][0]["cap"] = 1.5
    changed = tmp_path / "rubric.json"
    changed.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    said = load("--file", str(changed), "--fill-gaps")
    assert said.startswith("new version: national-2019 v2")
    v2 = Template.objects.get(code="national-2019", version=2)
    assert v2.based_on == v1 and not v2.is_frozen
    assert Rule.objects.get(item__template=v2, item__code="1.1.1").params["cap"] == "1.5"
    assert Rule.objects.get(item__template=v1, item__code="1.1.1").params["cap"] == "2"
    assert load("--file", str(changed), "--fill-gaps").startswith("unchanged: national-2019 v2")
