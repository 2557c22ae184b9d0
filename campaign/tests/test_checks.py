"""What stops a misconfigured platform from starting: system checks and settings values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from campaign.checks import check_secret_key

BASE_DIR = Path(__file__).resolve().parents[2]


def test_deploy_check_refuses_the_development_secret_key_with_debug_off(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = settings.DEV_SECRET_KEY
    errors = check_secret_key(None)
    assert [e.id for e in errors] == ["campaign.E001"]
    assert "SECRET_KEY" in errors[0].msg
    assert "environment" in errors[0].hint


def test_manage_py_check_deploy_fails_on_the_development_secret_key(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = settings.DEV_SECRET_KEY
    with pytest.raises(SystemCheckError, match=r"campaign\.E001"):
        call_command("check", "--deploy")


def test_deploy_check_accepts_a_real_secret_key_with_debug_off(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "a-long-random-production-key-" + "x" * 40
    assert check_secret_key(None) == []


def test_development_may_run_on_the_development_secret_key(settings):
    settings.DEBUG = True
    settings.SECRET_KEY = settings.DEV_SECRET_KEY
    assert check_secret_key(None) == []


def _start_django(tmp_path, **env):
    """Import the settings in a fresh interpreter, as manage.py would, with `env` set."""
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "campaign.settings", "VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_debug_value_that_is_not_a_boolean_stops_the_start_naming_debug(tmp_path):
    result = _start_django(tmp_path, DEBUG="maybe")
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line == (
        "django.core.exceptions.ImproperlyConfigured: DEBUG='maybe' is not a boolean: use true or false."
    )


def test_a_number_setting_that_is_not_a_number_stops_the_start_naming_it(tmp_path):
    result = _start_django(tmp_path, AXES_FAILURE_LIMIT="five")
    assert result.returncode != 0
    assert "AXES_FAILURE_LIMIT='five' is not a whole number." in result.stderr


def test_good_settings_start(tmp_path):
    result = _start_django(tmp_path, DEBUG="false", SECRET_KEY="k" * 50)
    assert result.returncode == 0, result.stderr


def test_deploy_check_reports_a_broker_that_does_not_answer():
    from campaign.checks import check_broker_reachable

    errors = check_broker_reachable(None, broker_url="redis://127.0.0.1:1/0")  # nothing listens on port 1
    assert [e.id for e in errors] == ["campaign.E003"]
    assert "CELERY_BROKER_URL" in errors[0].hint


def test_deploy_check_passes_with_the_configured_broker():
    from campaign.checks import check_broker_reachable

    assert check_broker_reachable(None) == []
