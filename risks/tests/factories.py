"""Risk points for tests, written in bulk."""

from risks.models import Assessment, MethodVersion, RiskPoint


def grade_in_bulk(graded: list, *, version: MethodVersion, by) -> None:
    """[(risk, level), …]: each risk gets a residual assessment at `level` (given, not scored from
    the inputs) as its current one, in two queries however many there are."""
    assessments = Assessment.objects.bulk_create(
        Assessment(
            risk=risk,
            stage=Assessment.Stage.RESIDUAL,
            method_version=version,
            inputs={"L": 1, "E": 1, "C": 1},
            score=1,
            level=level,
            assessed_by=by,
        )
        for risk, level in graded
    )
    for (risk, _level), assessment in zip(graded, assessments, strict=True):
        risk.current_assessment = assessment
    RiskPoint.objects.bulk_update([risk for risk, _level in graded], ["current_assessment"])
