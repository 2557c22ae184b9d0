"""What stops a misconfigured platform from starting: system checks and settings values."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
A_REAL_KEY = "Zq7-production-key-" + "r4nd0m" * 8


def _clean_env(tmp_path, **env):
    """Nothing configured but what is named: as on a fresh server."""
    return {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "campaign.settings", "VAR_DIR": str(tmp_path), **env}


def _run(args, env):
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120, check=False
    )


REFUSAL = (
    "django.core.exceptions.ImproperlyConfigured: SECRET_KEY must be set to a long random value of your own "
    "when DEBUG is off (on a developer's machine set DEBUG=true)."
)


def test_with_nothing_configured_the_start_is_refused_for_want_of_a_secret_key(tmp_path):
    # DEBUG is off by default, so the development key in the repository is not used.
    result = _run(["manage.py", "check"], _clean_env(tmp_path))
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == REFUSAL


def test_debug_off_with_the_development_key_is_refused(tmp_path):
    from django.conf import settings

    result = _run(["manage.py", "check"], _clean_env(tmp_path, DEBUG="false", SECRET_KEY=settings.DEV_SECRET_KEY))
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == REFUSAL


def test_debug_is_off_when_nothing_says_otherwise(tmp_path):
    code = "from django.conf import settings; print(settings.DEBUG, settings.SECURE_SSL_REDIRECT)"
    result = _run(["-c", f"import django; django.setup(); {code}"], _clean_env(tmp_path, SECRET_KEY=A_REAL_KEY))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


def test_a_developer_runs_on_the_development_key_with_debug_on(tmp_path):
    code = "from django.conf import settings; print(settings.SECRET_KEY == settings.DEV_SECRET_KEY)"
    result = _run(["-c", f"import django; django.setup(); {code}"], _clean_env(tmp_path, DEBUG="true"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"]


def test_check_deploy_passes_with_production_settings(tmp_path):
    env = _clean_env(tmp_path, DEBUG="false", SECRET_KEY=A_REAL_KEY, ALLOWED_HOSTS="safety.example.gov.cn")
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_debug_value_that_is_not_a_boolean_stops_the_start_naming_debug(start_django):
    result = start_django(DEBUG="maybe")
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line == (
        "django.core.exceptions.ImproperlyConfigured: DEBUG='maybe' is not a boolean: use true or false."
    )


def test_a_number_setting_that_is_not_a_number_stops_the_start_naming_it(start_django):
    result = start_django(AXES_FAILURE_LIMIT="five")
    assert result.returncode != 0
    assert "AXES_FAILURE_LIMIT='five' is not a whole number." in result.stderr


def test_good_settings_start(start_django):
    result = start_django(DEBUG="false", SECRET_KEY=A_REAL_KEY)
    assert result.returncode == 0, result.stderr


def test_deploy_check_reports_a_broker_that_does_not_answer():
    from campaign.checks import check_broker_reachable

    errors = check_broker_reachable(None, broker_url="redis://127.0.0.1:1/0")  # nothing listens on port 1
    assert [e.id for e in errors] == ["campaign.E003"]
    assert "CELERY_BROKER_URL" in errors[0].hint


def test_deploy_check_passes_with_the_configured_broker():
    from campaign.checks import check_broker_reachable

    assert check_broker_reachable(None) == []
