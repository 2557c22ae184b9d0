"""Assessment methods are data: banding at every boundary, allowed values only,
and a revised method never regrades the past."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from districts.models import Role, Sector
from risks.models import AccidentType, Assessment, AssessmentMethod, Level, RiskPoint
from risks.services import method_revise, risk_assess, risk_create, risk_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def lec():
    return AssessmentMethod.objects.get(code="lec")


@pytest.fixture
def matrix():
    return AssessmentMethod.objects.get(code="matrix")


@pytest.mark.parametrize(
    "score, level",
    [
        ("69.99", Level.LOW),
        ("70", Level.GENERAL),  # "below 70 低": 70 itself is 一般
        ("70.01", Level.GENERAL),
        ("159.99", Level.GENERAL),
        ("160", Level.GENERAL),  # 160 < D ≤ 320 is 较大, as in the LEC table
        ("160.01", Level.SIGNIFICANT),
        ("319.99", Level.SIGNIFICANT),
        ("320", Level.SIGNIFICANT),  # D > 320 is 重大
        ("320.01", Level.MAJOR),
        ("0.05", Level.LOW),
        ("10000", Level.MAJOR),
    ],
)
def test_lec_bands_at_every_boundary(lec, score, level):
    assert lec.current.level_of(Decimal(score)) == level


@pytest.mark.parametrize(
    "inputs, score, level",
    [
        ({"L": 1, "E": 10, "C": 7}, Decimal(70), Level.GENERAL),
        ({"L": 10, "E": 1, "C": 7}, Decimal(70), Level.GENERAL),
        ({"L": 3, "E": 3, "C": 7}, Decimal(63), Level.LOW),
        ({"L": 6, "E": 2, "C": 15}, Decimal(180), Level.SIGNIFICANT),
        ({"L": 0.5, "E": 6, "C": 40}, Decimal(120), Level.GENERAL),
        ({"L": 3, "E": 6, "C": 40}, Decimal(720), Level.MAJOR),
    ],
)
def test_lec_scores_are_the_product_of_the_chosen_values(lec, inputs, score, level):
    assert lec.current.score(inputs) == score
    assert lec.current.level_of(score) == level


@pytest.mark.parametrize(
    "product, level",
    [
        (8, Level.LOW),
        (9, Level.GENERAL),
        (12, Level.GENERAL),
        (15, Level.SIGNIFICANT),
        (16, Level.SIGNIFICANT),
        (20, Level.MAJOR),
        (25, Level.MAJOR),
        (1, Level.LOW),
    ],
)
def test_matrix_bands_at_every_boundary(matrix, product, level):
    assert matrix.current.level_of(Decimal(product)) == level


@pytest.mark.parametrize(
    "inputs, message",
    [
        ({"L": 4, "E": 6, "C": 15}, "is not an allowed value of L"),
        ({"L": 3, "E": 6, "C": 50}, "is not an allowed value of C"),
        ({"L": 3, "E": 6}, "needs the factors"),
    ],
)
def test_a_value_outside_the_method_is_refused(lec, inputs, message):
    with translation.override("en"), pytest.raises(ValidationError, match=message):
        lec.current.score(inputs)


@pytest.fixture
def street_risk(district, unit, make_user):
    staff = make_user(Role.STREET_STAFF, unit("330103002"))
    risk = risk_create(
        by=staff,
        name="加油站卸油区",
        unit=unit("330103002051"),
        sector=Sector.objects.get(code="hazardous_chemicals"),
        accident_type=AccidentType.FIRE,
        # The district controls it: the tests grade it up to 重大 (graded control, 分级管控).
        responsible_unit=unit("330103"),
        responsible_person="王芳",
    )
    return risk, staff


def test_revising_a_methods_bands_leaves_earlier_grades_as_they_were(street_risk, lec, unit, make_user):
    risk, staff = street_risk
    before = risk_assess(risk=risk, by=staff, method=lec, stage="residual", inputs={"L": 6, "E": 2, "C": 15})
    assert (before.score, before.level) == (Decimal(180), Level.SIGNIFICANT)

    admin = make_user(Role.SYSTEM_ADMIN, unit("330103"))
    bands = [dict(b) for b in lec.current.bands]
    bands[0]["above"] = 170  # everything over 170 is now 重大
    revised = method_revise(method=lec, by=admin, factors=lec.current.factors, bands=bands)
    assert revised.number == 2

    before.refresh_from_db()
    assert (before.level, before.method_version.number) == (Level.SIGNIFICANT, 1)
    after = risk_assess(risk=risk, by=staff, method=lec, stage="residual", inputs={"L": 6, "E": 2, "C": 15})
    assert (after.level, after.method_version.number) == (Level.MAJOR, 2)
    risk.refresh_from_db()
    assert risk.level == Level.MAJOR


def test_only_a_system_admin_may_revise_a_method(street_risk, lec):
    _risk, staff = street_risk
    with pytest.raises(PermissionDenied):
        method_revise(method=lec, by=staff, factors=lec.current.factors, bands=lec.current.bands)
    assert lec.versions.count() == 1


def test_bands_must_cover_the_four_levels_highest_first(street_risk, lec, unit, make_user):
    admin = make_user(Role.SYSTEM_ADMIN, unit("330103"))
    bands = list(reversed(lec.current.bands))
    with pytest.raises(ValidationError):
        method_revise(method=lec, by=admin, factors=lec.current.factors, bands=bands)
    assert lec.versions.count() == 1


def test_the_residual_grade_is_the_risks_level_and_sets_the_next_review(street_risk, lec):
    import datetime

    from django.utils import timezone

    risk, staff = street_risk
    risk_assess(risk=risk, by=staff, method=lec, stage="inherent", inputs={"L": 3, "E": 6, "C": 40})
    risk.refresh_from_db()
    assert risk.level == Level.MAJOR
    assert risk.next_review_on == timezone.localdate() + datetime.timedelta(days=30)

    risk_assess(risk=risk, by=staff, method=lec, stage="residual", inputs={"L": 1, "E": 6, "C": 7})
    risk.refresh_from_db()
    assert risk.level == Level.LOW
    assert risk.next_review_on == timezone.localdate() + datetime.timedelta(days=365)
    # A later inherent grade does not replace the residual one.
    risk_assess(risk=risk, by=staff, method=lec, stage="inherent", inputs={"L": 3, "E": 6, "C": 40})
    risk.refresh_from_db()
    assert risk.level == Level.LOW
    assert risk.assessments.count() == 3
    assert set(risk.assessments.values_list("stage", flat=True)) == {
        Assessment.Stage.INHERENT,
        Assessment.Stage.RESIDUAL,
    }


def test_a_risk_written_with_a_field_the_service_does_not_set_is_refused(street_risk):
    risk, staff = street_risk
    with pytest.raises(TypeError, match="next_review_on"):
        risk_update(risk=risk, by=staff, name="改名", next_review_on=None)
    fields = {f: getattr(risk, f) for f in ("name", "unit", "sector", "accident_type", "responsible_unit")}
    with pytest.raises(TypeError, match="code"):
        risk_create(by=staff, code="R-CHOSEN", responsible_person="王芳", **fields)
    stored = RiskPoint.objects.get()
    assert (stored.name, stored.code) == ("加油站卸油区", risk.code)
