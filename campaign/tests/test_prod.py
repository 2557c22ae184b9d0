"""Running as in production: ./dev prod refuses, in one sentence, to start without a key of
its own, PostgreSQL and Redis; the Procfile and gunicorn.conf.py it runs; and gunicorn for real
with DEBUG off, answering /healthz and logging the request as one JSON line."""

import json
import os
import runpy
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from jobs.tasks import record_heartbeat

ROOT = Path(__file__).resolve().parents[2]
KEY = "test-key-" + "k" * 50
POSTGRES = "postgres://postgres@127.0.0.1:5432/x"
REDIS = "redis://127.0.0.1:6379/11"


def _dev_prod(tmp_path, **env):
    # A copy of the script in a folder of its own: no .env, no .venv, nothing started.
    shutil.copy(ROOT / "dev", tmp_path / "dev")
    return subprocess.run(
        ["bash", str(tmp_path / "dev"), "prod"],
        env={"PATH": os.environ["PATH"], "HOME": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DATABASE_URL": POSTGRES, "CELERY_BROKER_URL": REDIS}, "SECRET_KEY"),
        ({"SECRET_KEY": KEY, "CELERY_BROKER_URL": REDIS}, "DATABASE_URL"),
        ({"SECRET_KEY": KEY, "DATABASE_URL": "sqlite:///var/db.sqlite3", "CELERY_BROKER_URL": REDIS}, "SQLite"),
        ({"SECRET_KEY": KEY, "DATABASE_URL": POSTGRES}, "CELERY_BROKER_URL"),
        ({"SECRET_KEY": KEY, "DATABASE_URL": POSTGRES, "CELERY_BROKER_URL": "filesystem://"}, "CELERY_BROKER_URL"),
    ],
)
def test_dev_prod_refuses_in_one_sentence(tmp_path, env, named):
    result = _dev_prod(tmp_path, **env)
    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("./dev prod: ") and named in line


def test_dev_prod_reads_the_settings_from_env_file_too(tmp_path):
    (tmp_path / ".env").write_text(f"SECRET_KEY='{KEY}'\nexport DATABASE_URL={POSTGRES}\nCELERY_BROKER_URL={REDIS}\n")
    result = _dev_prod(tmp_path)
    # Past every setting, to the virtualenv this copy lacks.
    assert result.stderr.strip() == "./dev prod: no virtualenv in .venv: run ./dev setup-packages first."


def test_dev_help_lists_prod():
    out = subprocess.run(["bash", str(ROOT / "dev"), "help"], capture_output=True, text=True, check=True).stdout
    assert "./dev prod" in out


def test_the_procfile_runs_gunicorn_a_worker_and_beat():
    processes = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line and line[0] != "#"
    )
    assert set(processes) == {"web", "worker", "beat"}
    assert "gunicorn -c gunicorn.conf.py campaign.wsgi" in processes["web"]
    assert "celery -A campaign" in processes["worker"] and " worker " in processes["worker"]
    assert "celery -A campaign" in processes["beat"] and " beat " in processes["beat"]


def test_gunicorn_config_two_workers_a_core_and_one_more_replaced_after_max_requests(monkeypatch):
    for name in ("GUNICORN_WORKERS", "WEB_CONCURRENCY", "GUNICORN_MAX_REQUESTS", "GUNICORN_MAX_REQUESTS_JITTER"):
        monkeypatch.delenv(name, raising=False)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["workers"] == 2 * os.cpu_count() + 1
    assert (config["max_requests"], config["max_requests_jitter"]) == (1000, 100)
    assert config["accesslog"] is None  # the platform's own JSON line instead
    monkeypatch.setenv("GUNICORN_WORKERS", "5")
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "50")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (config["workers"], config["max_requests"]) == (5, 50)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not Path(sys.executable).with_name("gunicorn").exists(), reason="gunicorn is not installed")
def test_gunicorn_with_debug_off_answers_healthz_and_logs_json(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("production runs on PostgreSQL")
    record_heartbeat()  # committed: the server reads the test database
    db = connection.settings_dict
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": KEY,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": REDIS,
        "CELERY_RESULT_BACKEND": REDIS,
        "VAR_DIR": str(tmp_path),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
    }
    env.pop("LOG_FORMAT", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py", "campaign.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    status, body = response.status, json.load(response)
                    break
            except urllib.error.HTTPError as error:
                status, body = error.code, json.load(error)
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read()
                assert time.monotonic() < deadline, "gunicorn did not answer within a minute"
                time.sleep(0.3)
    finally:
        proc.terminate()
        out, _err = proc.communicate(timeout=30)
    assert (status, body["database"], body["broker"], body["beat"]["ok"]) == (200, "ok", "ok", True)
    lines = [json.loads(line) for line in out.splitlines()]
    [request] = [line for line in lines if line["logger"] == "campaign.requests"]
    assert (request["path"], request["status"], request["queries"]) == ("/healthz", 200, 2)
