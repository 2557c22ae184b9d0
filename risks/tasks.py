"""The risk-list import, run by a worker (districts.jobs)."""

from celery import shared_task

from districts.jobs import redelivered, run_import_job
from risks.resources import RiskResource

KIND = "risks"


@shared_task(bind=True, name="risks.tasks.run_risk_import", ignore_result=True)
def run_risk_import(self, job_id: int, language: str | None = None) -> None:
    run_import_job(
        job_id,
        kind=KIND,
        resource_class=RiskResource,
        counts=lambda resource: {"assessments": resource.assessed},
        language=language,
        redelivered=redelivered(self),
    )
