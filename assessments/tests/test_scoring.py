"""The scoring engine against the rubric's own wording (评分标准), one row per sentence."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.models import AnswerState, ItemKind
from assessments.scoring import AnswerInput, score
from assessments.tests.trees import tree

D = Decimal

# (rubric wording, item max, rule kind, params, answer, points lost)
RUBRIC_ROWS = [
    ("每发现一处扣0.5分,2分扣完为止: five findings cost 2, not 2.5", 2, "per_finding", {"points": "0.5", "cap": "2"},
     AnswerInput(findings=5), D("2")),
    ("每发现一处扣0.5分,2分扣完为止: three findings cost 1.5", 2, "per_finding", {"points": "0.5", "cap": "2"},
     AnswerInput(findings=3), D("1.5")),
    ("每发现一处扣0.2分,1分扣完为止 on an item of 2: the cap, not the item, stops it", 2, "per_finding",
     {"points": "0.2", "cap": "1"}, AnswerInput(findings=9), D("1")),
    ("每发现一处扣0.5分 without a cap: the item's maximum stops it", 2, "per_finding", {"points": "0.5"},
     AnswerInput(findings=7), D("2")),
    ("no finding costs nothing", 2, "per_finding", {"points": "0.5", "cap": "2"}, AnswerInput(findings=0), D("0")),
    ("每缺一项扣0.2分,1分扣完为止: two missing cost 0.4", 1, "per_missing", {"points": "0.2", "cap": "1"},
     AnswerInput(missing=2), D("0.4")),
    ("每缺一项扣0.2分,1分扣完为止: six missing cost 1", 1, "per_missing", {"points": "0.2", "cap": "1"},
     AnswerInput(missing=6), D("1")),
    ("每缺一项扣0.1分 of 3 required: more missing than required count as 3", 1, "per_missing",
     {"points": "0.1", "of": 3}, AnswerInput(missing=5), D("0.3")),
    ("老旧管网改造率≤80%的,扣1分: 80 % costs 1", 2, "threshold", {"op": "<=", "value": "80", "points": "1"},
     AnswerInput(measured=D("80")), D("1")),
    ("老旧管网改造率≤80%的,扣1分: 81 % costs 0", 2, "threshold", {"op": "<=", "value": "80", "points": "1"},
     AnswerInput(measured=D("81")), D("0")),
    ("老旧管网改造率≤80%的,扣1分: 79.99 % costs 1", 2, "threshold", {"op": "≤", "value": "80", "points": "1"},
     AnswerInput(measured=D("79.99")), D("1")),
    ("消防通信设施完好率<95%的扣0.5分: 95 % costs 0", 2, "threshold", {"op": "<", "value": "95", "points": "0.5"},
     AnswerInput(measured=D("95")), D("0")),
    ("a threshold with no measured value costs nothing", 2, "threshold", {"op": "<=", "value": "80", "points": "1"},
     AnswerInput(), D("0")),
    ("tiered: below 60 % costs 2", 3, "tiered",
     {"tiers": [{"to": "60", "points": "2"}, {"from": "60", "to": "90", "points": "1"}]},
     AnswerInput(measured=D("59.5")), D("2")),
    ("tiered: 60 % falls in the second tier (from ≤ v < to) and costs 1", 3, "tiered",
     {"tiers": [{"to": "60", "points": "2"}, {"from": "60", "to": "90", "points": "1"}]},
     AnswerInput(measured=D("60")), D("1")),
    ("tiered: 90 % is above every tier and costs nothing", 3, "tiered",
     {"tiers": [{"to": "60", "points": "2"}, {"from": "60", "to": "90", "points": "1"}]},
     AnswerInput(measured=D("90")), D("0")),
    ("每发生一起扣1分,已妥善处置的扣0.5分: 3 incidents, 2 resolved cost 2", 4, "per_incident",
     {"points": "1", "resolved_points": "0.5"}, AnswerInput(incidents=3, incidents_resolved=2), D("2")),
    ("每发生一起扣1分,3分扣完为止: 5 unresolved incidents cost 3", 4, "per_incident",
     {"points": "1", "resolved_points": "0.5", "cap": "3"}, AnswerInput(incidents=5), D("3")),
    ("per incident with no resolved rate: a resolved incident costs the full amount", 4, "per_incident",
     {"points": "1"}, AnswerInput(incidents=2, incidents_resolved=2), D("2")),
]


@pytest.mark.parametrize(("wording", "item_max", "kind", "params", "answer", "lost"), RUBRIC_ROWS,
                         ids=[row[0] for row in RUBRIC_ROWS])
def test_a_rule_costs_what_the_rubric_says(wording, item_max, kind, params, answer, lost):
    t = tree(("1", "aspect", item_max, [("1.1", "line", item_max, [(kind, params, wording)])]))
    line = t.by_code("1.1")
    result = score(t, {line.id: answer})
    assert result.items[line.id].points == D(item_max) - lost
    assert sum(d.points for d in result.items[line.id].deductions) == lost
    assert result.raw_points == D(item_max) - lost


def test_two_rules_of_one_item_add_up_but_never_below_zero():
    t = tree(("1", "a", 2, [("1.1", "市政安全设施", 2, [
        ("per_finding", {"points": "0.2", "cap": "1"}, "(1)市政消火栓未保持完好的,每发现一处扣0.2分,1分扣完为止"),
        ("threshold", {"op": "<=", "value": "80", "points": "1"}, "(2)老旧管网改造率≤80%的,扣1分"),
    ])]))
    line = t.by_code("1.1")
    both = score(t, {line.id: AnswerInput(findings=3, measured=D("75"))})
    assert both.items[line.id].points == D("0.4")
    assert [(d.points, d.text[:3]) for d in both.items[line.id].deductions] == [(D("0.6"), "(1)"), (D("1"), "(2)")]
    everything = score(t, {line.id: AnswerInput(findings=50, measured=D("0"))})
    assert everything.items[line.id].points == D("0")


def _three_lines():
    return tree(
        ("1", "源头治理", 6, [
            ("1.1", "a", 2, [("per_finding", {"points": "0.5", "cap": "2"}, "")]),
            ("1.2", "b", 2, [("veto", {"condition": "发生重大事故"}, "发生较大以上事故的,取消评选资格")]),
            ("1.3", "c", 2, [("exemption", {"condition": "已获评"}, "免检,满分")]),
        ]),
        ("7", "鼓励项", 5, [("7.1", "创新", 5, [])], {"kind": ItemKind.BONUS}),
    )


def test_a_veto_disqualifies_a_unit_with_full_marks_and_its_points_are_still_shown():
    t = _three_lines()
    b = t.by_code("1.2")
    result = score(t, {b.id: AnswerInput(veto=True)})
    assert result.vetoed is True
    assert result.veto_items == [b.id]
    assert result.score == D("100.00")  # the points stand, beneath the veto
    assert score(t, {b.id: AnswerInput(veto=False)}).vetoed is False


def test_a_veto_on_an_item_not_applicable_does_not_disqualify():
    t = _three_lines()
    b = t.by_code("1.2")
    assert score(t, {b.id: AnswerInput(state=AnswerState.NOT_APPLICABLE, veto=True)}).vetoed is False


def test_not_applicable_leaves_the_denominator():
    t = _three_lines()
    a, b = t.by_code("1.1"), t.by_code("1.2")
    result = score(t, {a.id: AnswerInput(findings=2), b.id: AnswerInput(state=AnswerState.NOT_APPLICABLE)})
    assert result.applicable_max == D("4")
    assert result.raw_points == D("3")
    assert result.score == D("75.00")
    assert result.items[b.id].applicable is False
    assert result.items[t.by_code("1").id].applicable_max == D("4")


def test_everything_not_applicable_has_no_score():
    t = tree(("1", "a", 2, [("1.1", "b", 2, [])]))
    result = score(t, {t.by_code("1").id: AnswerInput(state=AnswerState.NOT_APPLICABLE)})
    assert result.applicable_max == D("0")
    assert result.score is None


def test_an_exemption_gives_full_marks_whatever_was_found():
    t = _three_lines()
    a, c = t.by_code("1.1"), t.by_code("1.3")
    result = score(t, {a.id: AnswerInput(state=AnswerState.EXEMPT, findings=4), c.id: AnswerInput(state="exempt")})
    assert result.items[a.id].points == D("2")
    assert result.items[a.id].exempt is True
    assert result.raw_points == D("6")


def test_an_exempt_aspect_gives_full_marks_to_every_line_under_it():
    t = _three_lines()
    result = score(t, {t.by_code("1").id: AnswerInput(state=AnswerState.EXEMPT), t.by_code("1.1").id:
                       AnswerInput(findings=4)})
    assert result.raw_points == D("6")


def test_bonus_points_are_kept_apart_from_the_100_and_capped_at_the_bonus_maximum():
    t = _three_lines()
    bonus = t.by_code("7.1")
    result = score(t, {bonus.id: AnswerInput(bonus_claimed=D("3"))})
    assert result.score == D("100.00")
    assert result.bonus_points == D("3")
    assert result.applicable_max == D("6")
    assert score(t, {bonus.id: AnswerInput(bonus_claimed=D("9"))}).bonus_points == D("5")


def test_a_bonus_line_under_a_basic_aspect_counts_apart():
    t = tree(("1", "a", 2, [("1.1", "b", 2, []), ("1.9", "鼓励", 1, [], {"kind": ItemKind.BONUS})]))
    result = score(t, {t.by_code("1.9").id: AnswerInput(bonus_claimed=D("1"))})
    assert (result.raw_points, result.applicable_max, result.bonus_points) == (D("2"), D("2"), D("1"))


def test_an_item_nobody_answered_loses_nothing_and_is_listed():
    t = _three_lines()
    a = t.by_code("1.1")
    result = score(t, {a.id: AnswerInput(findings=1)})
    assert result.unanswered == [t.by_code("1.2").id, t.by_code("1.3").id]
    assert result.items[a.id].answered and not result.items[t.by_code("1.2").id].answered


def test_the_score_is_normalised_to_100_rounded_half_up():
    t = tree(("1", "a", 3, [("1.1", "b", 3, [("per_finding", {"points": "0.01"}, "")])]))
    # 2.99 / 3 = 99.6666… → 99.67; 2.995 can't happen (points are in cents), so check a .5 case too
    assert score(t, {t.by_code("1.1").id: AnswerInput(findings=1)}).score == D("99.67")
    t8 = tree(("1", "a", 8, [("1.1", "b", 8, [("per_finding", {"points": "0.02"}, "")])]))
    # 7.98 / 8 × 100 = 99.75 exactly; 7.96/8 = 99.5
    assert score(t8, {t8.by_code("1.1").id: AnswerInput(findings=1)}).score == D("99.75")
    t400 = tree(("1", "a", 400, [("1.1", "b", 400, [("per_finding", {"points": "0.02"}, "")])]))
    # 399.98 / 400 × 100 = 99.995 → 100.00 half up (half-even would give the same; 99.985 shows it)
    assert score(t400, {t400.by_code("1.1").id: AnswerInput(findings=1)}).score == D("100.00")
    assert score(t400, {t400.by_code("1.1").id: AnswerInput(findings=3)}).score == D("99.99")  # 99.985


def test_items_for_another_kind_of_unit_leave_the_denominator():
    t = tree(("1", "a", 4, [("1.1", "b", 2, []), ("1.2", "c", 2, [], {"unit_kinds": ["department"]})]))
    result = score(t, {}, unit_kind="street")
    assert result.applicable_max == D("2")
    assert score(t, {}, unit_kind="department").applicable_max == D("4")


# ---------------------------------------------------------------- properties

answers = st.builds(
    AnswerInput,
    state=st.sampled_from([AnswerState.SCORED, AnswerState.SCORED, AnswerState.NOT_APPLICABLE, AnswerState.EXEMPT]),
    findings=st.integers(0, 1000),
    missing=st.integers(0, 1000),
    measured=st.none() | st.decimals(min_value=-10, max_value=200, places=2),
    incidents=st.integers(0, 50),
    incidents_resolved=st.integers(0, 50),
    veto=st.booleans(),
    bonus_claimed=st.none() | st.decimals(min_value=-5, max_value=50, places=2),
)

PROPERTY_TREE = tree(
    ("1", "a", 10, [
        ("1.1", "b", 2, [("per_finding", {"points": "0.5", "cap": "2"}, ""), ("per_missing", {"points": "0.3"}, "")]),
        ("1.2", "c", 3, [("threshold", {"op": ">", "value": "50", "points": "3"}, ""),
                         ("tiered", {"tiers": [{"to": "10", "points": "2"}, {"from": "20", "points": "1"}]}, "")]),
        ("1.3", "d", 5, [("per_incident", {"points": "2", "resolved_points": "1", "cap": "4"}, ""),
                         ("veto", {"condition": "x"}, "")]),
    ]),
    ("2", "e", 4, [("2.1", "f", 4, [("per_finding", {"points": "1.25"}, "")])]),
    ("7", "g", 5, [("7.1", "h", 5, [])], {"kind": ItemKind.BONUS}),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(answers, min_size=8, max_size=8))
def test_points_stay_within_zero_and_the_maximum_and_the_score_within_0_and_100(given_answers):
    ids = list(PROPERTY_TREE.items)
    result = score(PROPERTY_TREE, dict(zip(ids, given_answers, strict=True)))
    for item_id, item_result in result.items.items():
        assert D(0) <= item_result.points <= item_result.max_points, PROPERTY_TREE.items[item_id].code
    assert result.score is None or D(0) <= result.score <= D(100)
    assert D(0) <= result.bonus_points <= D(5)
    assert result.raw_points <= result.applicable_max
