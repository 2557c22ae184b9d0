"""The campaign's jobs (jobs.registry finds this module at start): each concern's kinds live in
their own module and are named here."""

from campaign.task_job_kinds import TASK_IMPORT  # noqa: F401 (registers the key-task import)
