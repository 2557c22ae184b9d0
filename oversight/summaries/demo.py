"""The demo's annual summaries: the district's summary of each year of the finished campaigns
(the plan's 2019 and 2020), made by the creation office through the services, its version made
by the job run here and now (the demo has its PDFs whether or not a worker runs), in Chinese."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from districts.models import User
from jobs.runner import run_job
from oversight.summaries import services
from oversight.summaries.models import AnnualSummary


def years_of(campaigns) -> list[int]:
    return sorted({year for c in campaigns for year in range(c.starts_on.year, c.ends_on.year + 1)})


def load_demo_summaries(*, finished) -> list[AnnualSummary]:
    """Idempotent: a summary that has a version is left as it is (no job is started for it)."""
    office = User.objects.filter(username="office").first()
    if office is None:
        return []
    made = []
    # The demo speaks the site's language (Chinese), whatever the shell's.
    with translation.override(settings.LANGUAGE_CODE):
        for district in {c.district for c in finished}:
            for year in years_of([c for c in finished if c.district == district]):
                summary = services.summary_create(by=office, unit=district, year=year)
                if not summary.versions.exists():
                    job = services.summary_start(summary=summary, by=office)
                    run_job(job.pk, language=settings.LANGUAGE_CODE)
                made.append(summary)
    return made
