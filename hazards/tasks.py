"""The hazard-ledger import, run by a worker (districts.jobs)."""

from celery import shared_task

from districts.jobs import redelivered, run_import_job
from hazards.resources import HazardResource

KIND = "hazards"


@shared_task(bind=True, name="hazards.tasks.run_hazard_import", ignore_result=True)
def run_hazard_import(self, job_id: int, language: str | None = None) -> None:
    run_import_job(
        job_id,
        kind=KIND,
        resource_class=HazardResource,
        counts=lambda resource: {"assigned": resource.assigned},
        language=language,
        redelivered=redelivered(self),
    )
