"""Fixtures shared by every app's tests."""

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from campaign.plan import load_plan
from districts.models import Membership, OrgUnit, User
from districts.policy import forget_policy
from districts.tests.fixtures import loaded_for_module


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 at Django's work factor costs ~0.2 s a user; tests make hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_security_policy():
    # The policy is cached per process; a test's rolled-back policy must not reach the next test.
    forget_policy()
    yield
    forget_policy()


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The dashboards keep a build's figures per process under its time (oversight.selectors):
    # a test's rolled-back rollups must not reach the next test's pages.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def english():
    """Messages in English, so that assertions do not depend on the catalog."""
    from django.utils.translation import override

    with override("en"):
        yield


@pytest.fixture
def eager(settings):
    """Tasks run in the process that sends them (a job's page and its run in one test)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def plan(db):
    """Xiacheng's tree, sectors, lead departments and campaign, as the plan has them."""
    return load_plan()


@pytest.fixture(scope="module")
def plan_for_module(django_db_setup, django_db_blocker):
    """load_plan() once for a whole test module, rolled back after it.

    For modules of many small tests (the scoping matrix): a test module overrides `plan`
    with it. Each test still runs in its own savepoint, so what one test writes is gone
    before the next."""
    with loaded_for_module(django_db_blocker, load_plan) as campaign:
        yield campaign


@pytest.fixture
def unit(plan):
    """unit("330103002") → the OrgUnit with that code."""
    return lambda code: OrgUnit.objects.get(code=code)


@pytest.fixture
def make_user(db):
    """make_user(role, unit) → a user holding that one membership."""
    counter = iter(range(1, 10_000))

    def make(role, unit, username=None, password="pw-for-tests-only"):
        user = User.objects.create_user(username=username or f"{role}-{next(counter)}", password=password)
        Membership.objects.create(user=user, unit=unit, role=role)
        return user

    return make


# ---------------------------------------------------------------- a real Celery worker

BASE_DIR = Path(__file__).resolve().parent


def _test_database_url() -> str:
    """The URL of the database this test runs on, for a worker process to use too."""
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    """A `celery -A campaign worker` process of its own session, so that kill() takes its pool
    processes with it, as the kernel's OOM killer or a machine's restart would."""

    def __init__(self, queue: str, *, pool: str, env: dict):
        self.queue = queue
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "campaign",
                "worker",
                f"--pool={pool}",
                *(["--concurrency=1"] if pool == "prefork" else []),
                "-Q",
                queue,
                "--without-gossip",
                "--without-mingle",
                "-l",
                "info",
                "-n",
                f"{queue}-{uuid.uuid4().hex[:4]}@%h",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.output = ""

    def kill(self) -> None:
        """SIGKILL the worker and its pool at once: nothing gets to clean up or acknowledge."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.output, _ = self.proc.communicate(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.output, _ = self.proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.output, _ = self.proc.communicate()


@pytest.fixture
def start_worker(settings):
    """start_worker(queue=None, pool="solo", **env) → a Worker on a queue of its own (so that no
    other worker on this machine, a developer's ./dev up, takes the test's tasks), on the test's
    database and media directory, with `env` added to its environment. Stopped after the test,
    its output printed (pytest shows it when the test failed)."""
    workers = []

    def start(queue: str | None = None, *, pool: str = "solo", **env) -> Worker:
        worker_env = {
            **os.environ,
            "DATABASE_URL": _test_database_url(),
            "DJANGO_SETTINGS_MODULE": "campaign.settings",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            **env,
        }
        workers.append(Worker(queue or f"test-{uuid.uuid4().hex[:8]}", pool=pool, env=worker_env))
        return workers[-1]

    yield start
    for worker in workers:
        worker.stop()
        print(f"---- worker on {worker.queue} (exit {worker.proc.returncode})\n{worker.output}")


@pytest.fixture
def worker_queue(start_worker):
    """The queue of a worker process started for this test (start_worker): send it tasks with
    `task.apply_async(..., queue=worker_queue)`."""
    return start_worker().queue


@pytest.fixture
def start_django(tmp_path):
    """start_django(code="", **env) → the finished process of a fresh interpreter that sets Django
    up (as manage.py or a worker would, with `env` added to this one's environment) and runs
    `code`; its returncode, stdout and stderr tell what a start-up said."""

    def start(code: str = "", **env) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", f"import django; django.setup()\n{code}"],
            cwd=BASE_DIR,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "campaign.settings", "VAR_DIR": str(tmp_path), **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    return start


@pytest.fixture
def sign_in():
    """sign_in(client, user) → the client, signed in as `user` (None: left anonymous).

    The one place a test signs a user in without the sign-in form: when a role needs more than
    a password (a verified second factor), this is where the session gets it."""

    from districts.second_factor import force_login_verified

    def sign(client, user):
        if user is not None:
            force_login_verified(client, user)
        return client

    return sign


@pytest.fixture
def told():
    """The security events sent for the audit trail while the test runs (campaign.lib.signals),
    each with .kind, .request, .user, .obj and .detail."""
    from types import SimpleNamespace

    from campaign.lib.signals import security_event

    events = []

    def listen(sender, kind, request=None, user=None, obj=None, detail=None, **kwargs):
        events.append(SimpleNamespace(kind=kind, request=request, user=user, obj=obj, detail=detail or {}))

    security_event.connect(listen, dispatch_uid="tests.told")
    yield events
    security_event.disconnect(dispatch_uid="tests.told")
