"""The kinds of job. A domain app describes each of its kinds once, in its `job_kinds` module
(found at start by JobsConfig.ready), and starts jobs with jobs.services.job_start: queueing,
claiming, progress, time limits, stall detection and the job page come with it.

A kind's `run(job, prepared, progress)` returns the job's report (a JSON-able dict); it runs inside
the transaction that records the job done, so a worker killed mid-way leaves nothing of it.
`prepare(job)`, if given, runs before that transaction (read the input, say how many steps with
progress.start(total)); either may raise JobFailed(message) to end the job failed with that message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class JobFailed(Exception):
    """The job cannot be done; the message (in the reader's language) is shown on its page."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class JobKind:
    name: str  # Job.kind
    label: object  # what the job page calls it
    run: Callable[..., dict]  # run(job, prepared, progress) → the report
    prepare: Callable[..., Any] | None = None  # prepare(job, progress) → what run() needs
    # visible_to(user) → a Q over Job: who besides its starter may see a job of this kind.
    visible_to: Callable[..., Any] | None = None
    # page(request, job) → the kind's own job page; None: the generic one (jobs/job.html).
    page: Callable[..., Any] | None = None


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    existing = _KINDS.get(kind.name)
    # Two kinds may not share a name: the jobs of one would be run by the other.
    if existing is not None and existing != kind:
        raise ValueError(f"a job kind named {kind.name!r} is registered already")
    _KINDS[kind.name] = kind
    return kind


def kind_of(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"no job kind named {name!r}; known: {sorted(_KINDS)}") from None


def kinds() -> list[JobKind]:
    return list(_KINDS.values())
