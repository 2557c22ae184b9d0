"""A rule's parameters as a person or a spreadsheet typed them: normalised, or refused with a message."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assessments import rules


def refusal(kind, params, item_max=2) -> str:
    with pytest.raises(ValidationError) as caught:
        rules.validate(kind, params, Decimal(item_max))
    return " ".join(caught.value.messages)


def test_numbers_are_kept_as_people_write_them():
    assert rules.validate("per_finding", {"points": 0.5, "cap": "2.00"}, 2) == {"points": "0.5", "cap": "2"}
    assert rules.validate("threshold", {"op": "≤", "value": "80", "points": 1, "unit": "%"}, 2) == {
        "op": "<=", "value": "80", "points": "1", "unit": "%"
    }


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("per_finding", {"points": "0.5", "cap": "3"}, "The cap (3) is above the item's maximum (2)"),
        ("per_finding", {"points": "０.５"}, "write a number with the digits 0–9"),
        ("per_finding", {"points": "1e3"}, "write a number with the digits 0–9"),
        ("per_finding", {"points": "NaN"}, "write a number with the digits 0–9"),
        ("per_finding", {"points": "99999999999999999999"}, "too large"),
        ("per_finding", {"points": "0.001"}, "more than 2 decimal places"),
        ("per_finding", {"points": "-1"}, "cannot be negative"),
        ("per_finding", {"points": "0"}, "must be more than 0"),
        ("per_finding", {}, "is required"),
        ("per_finding", {"points": "0.5", "cap": "0.2"}, "below one deduction"),
        ("per_finding", {"points": "0.5", "per": "x"}, "does not take: per"),
        ("per_missing", {"points": "0.2", "of": "三"}, "whole number"),
        ("threshold", {"op": "~", "value": "80", "points": "1"}, "must be one of"),
        ("threshold", {"op": "<=", "value": "80", "points": "5"}, "above the item's maximum"),
        ("tiered", {"tiers": []}, "at least one tier"),
        ("tiered", {"tiers": [{"from": "0", "to": "60", "points": "2"}, {"from": "50", "to": "80", "points": "1"}]},
         "Tiers overlap"),
        ("tiered", {"tiers": [{"to": "60", "points": "2"}, {"to": "80", "points": "1"}]}, "Tiers overlap"),
        ("tiered", {"tiers": [{"from": "60", "to": "60", "points": "2"}]}, "must be below"),
        ("per_incident", {"points": "1", "resolved_points": "2"}, "cannot cost more than"),
        ("veto", {"condition": "  "}, "condition"),
        ("nonsense", {}, "Unknown rule kind"),
    ],
)
def test_a_bad_rule_is_refused_with_a_message(kind, params, message):
    assert message in refusal(kind, params)


def test_tiers_that_touch_do_not_overlap_and_come_back_in_order():
    tiers = [{"from": "60", "to": "80", "points": "1"}, {"to": "60", "points": "2"}, {"from": "80", "points": "0.5"}]
    assert rules.validate("tiered", {"tiers": tiers}, 2)["tiers"] == [
        {"to": "60", "points": "2"}, {"from": "60", "to": "80", "points": "1"}, {"from": "80", "points": "0.5"}
    ]
