"""Writing templates: who may, what is checked, and versions once a template is used."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import scoring, services
from assessments.models import Answer, AnswerState, Finding, Item, Rule, Side, Template
from districts.models import Sector

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_street_staff_may_not_write_a_template(street_staff):
    with pytest.raises(PermissionDenied):
        services.template_create(by=street_staff, code="x", name="x")


def test_a_system_administrator_may(sysadmin):
    assert services.template_create(by=sysadmin, code="x", name="x").version == 1


def test_every_write_leaves_a_history_row_naming_who(office, small_template):
    item = small_template.items.get(code="1.1")
    assert item.history.first().history_user == office
    assert Rule.objects.get(item=item).history.first().history_user == office


def test_a_cap_above_the_items_maximum_is_refused(office, small_template):
    item = small_template.items.get(code="1.1")
    with pytest.raises(ValidationError) as caught:
        services.rule_add(by=office, item=item, kind="per_finding", params={"points": "0.5", "cap": "3"})
    assert "above the item's maximum (2)" in str(caught.value)


def test_lowering_an_items_maximum_below_its_rules_cap_is_refused(office, small_template):
    item = small_template.items.get(code="1.1")
    with pytest.raises(ValidationError) as caught:
        services.item_edit(by=office, item=item, max_points="1.5")
    assert "does not fit" in str(caught.value)
    item.refresh_from_db()
    assert item.max_points == Decimal("2")


def test_a_maximum_in_full_width_digits_is_refused_with_a_message(office, small_template):
    with pytest.raises(ValidationError) as caught:
        services.item_add(by=office, template=small_template, code="2", name="x", max_points="２")
    assert "digits 0–9" in str(caught.value)


def test_a_template_in_progress_may_not_add_up_but_cannot_be_frozen_until_it_does(office, small_template):
    aspect = small_template.items.get(code="1")
    services.item_add(by=office, template=small_template, parent=aspect, code="1.3", name="x", max_points=1)
    assert services.template_problems(small_template) == ["1 城市安全源头治理: its items add up to 5 points, not 4."]
    with pytest.raises(ValidationError):
        services.template_freeze(template=small_template)
    services.item_edit(by=office, item=aspect, max_points=5)
    assert services.template_problems(small_template) == []
    assert services.template_freeze(template=small_template).is_frozen


def test_a_bonus_item_under_an_aspect_does_not_count_toward_its_maximum(office, small_template):
    aspect = small_template.items.get(code="1")
    services.item_add(by=office, template=small_template, parent=aspect, code="1.9", name="创新", max_points=1,
                      kind="bonus")
    assert services.template_problems(small_template) == []


def test_siblings_are_ordered_by_their_codes_1_9_before_1_10(office, small_template):
    aspect = small_template.items.get(code="1")
    services.item_add(by=office, template=small_template, parent=aspect, code="1.10", name="ten", max_points=0)
    services.item_add(by=office, template=small_template, parent=aspect, code="1.9", name="nine", max_points=0)
    assert list(small_template.items.values_list("code", flat=True)) == ["1", "1.1", "1.2", "1.9", "1.10", "7"]


def test_an_items_code_follows_its_parent(office, small_template):
    with pytest.raises(ValidationError):
        services.item_add(by=office, template=small_template, parent=small_template.items.get(code="1"), code="2.1",
                          name="x", max_points=0)


def test_editing_a_used_template_makes_a_new_version_and_earlier_results_are_unchanged(
    office, small_template, make_run
):
    run = make_run(small_template)
    plans = small_template.items.get(code="1.1")
    answer = Answer.objects.create(run=run, side=Side.REVIEW, item=plans, updated_by=office)
    for n in range(3):
        Finding.objects.create(answer=answer, description=f"问题{n}", unit=run.unit, found_by=office,
                               found_at="2026-02-01T10:00+08:00")
    before = scoring.score_run(run, Side.REVIEW)
    assert before.items[plans.id].points == Decimal("0.5")

    rule = Rule.objects.get(item=plans)
    edited = services.rule_edit(by=office, rule=rule, params={"points": "0.2", "cap": "1"})

    new = edited.item.template
    assert new.pk != small_template.pk
    assert (new.code, new.version, new.based_on_id, new.is_frozen) == ("district", 2, small_template.pk, False)
    assert list(new.items.values_list("code", flat=True)) == ["1", "1.1", "1.2", "7"]
    assert Rule.objects.get(pk=rule.pk).params == {"points": "0.5", "cap": "2"}
    scoring._CACHE.clear()  # read from the database again: the old version's rows are untouched
    run.refresh_from_db()
    assert scoring.score_run(run, Side.REVIEW) == before
    # A second edit of the old version lands on the same draft.
    services.item_edit(by=office, item=plans, name="城市安全规划")
    assert Template.objects.filter(code="district").count() == 2
    assert new.items.get(code="1.1").name == "城市安全规划"
    assert small_template.items.get(code="1.1").name == "安全规划"


def test_a_new_version_copies_sectors_kinds_and_flags(office, small_template, make_run):
    item = small_template.items.get(code="1.2")
    fire = Sector.objects.first()
    services.item_edit(by=office, item=item, sectors=[fire], unit_kinds=["street"], unverified=True)
    make_run(small_template)
    new = services.item_edit(by=office, item=item, evidence_hint="改造台账").template
    copy = new.items.get(code="1.2")
    assert (list(copy.sectors.all()), copy.unit_kinds, copy.unverified) == ([fire], ["street"], True)
    assert copy.rules.get().text == "老旧管网改造率≤80%的,扣1分"
    assert copy.parent.template_id == new.pk


def test_removing_an_item_of_a_used_template_removes_it_from_the_new_version_only(office, small_template, make_run):
    make_run(small_template)
    new = services.item_remove(by=office, item=small_template.items.get(code="1"))
    assert list(new.items.values_list("code", flat=True)) == ["7"]
    assert small_template.items.count() == 4


def test_a_frozen_template_is_scored_from_its_cached_tree_in_two_queries(office, small_template, make_run):
    run = make_run(small_template)
    pipes = small_template.items.get(code="1.2")
    Answer.objects.create(run=run, side=Side.REVIEW, item=pipes, measured=Decimal("80"), updated_by=office)
    Answer.objects.create(run=run, side=Side.REVIEW, item=small_template.items.get(code="7"),
                          bonus_claimed=Decimal("1.5"), updated_by=office)
    scoring.score_run(run, Side.REVIEW)  # loads the tree
    with CaptureQueriesContext(connection) as queries:
        result = scoring.score_run(type(run).objects.get(pk=run.pk), Side.REVIEW)
    # 1: the run with its round, template and unit; 2: the answers with their finding counts
    assert len(queries) == 2 + 1  # + the get() above
    assert (result.raw_points, result.applicable_max, result.score, result.bonus_points) == (
        Decimal("3"), Decimal("4"), Decimal("75.00"), Decimal("1.5")
    )


def test_a_tree_is_read_in_three_queries(small_template):
    with CaptureQueriesContext(connection) as queries:
        tree = scoring.load_tree(small_template)
    assert len(queries) == 3
    assert [i.code for i in tree.items.values()] == ["1", "1.1", "1.2", "7"]


def test_not_applicable_needs_a_reason_in_the_database_too(office, small_template, make_run):
    run = make_run(small_template)
    answer = Answer(run=run, side=Side.SELF, item=Item.objects.get(template=small_template, code="1.1"),
                    state=AnswerState.NOT_APPLICABLE, updated_by=office)
    with pytest.raises(ValidationError):
        answer.full_clean()
