"""The settings the test suite runs on: the platform's own, on a developer's machine.

DEBUG is off unless configured, and then the settings refuse to load without a
real SECRET_KEY. The tests run as a developer would (./dev test sets DEBUG=true
too); pytest-django still switches DEBUG off while each test runs. Processes the
tests start (a Celery worker, manage.py) inherit the environment.
"""

import os

os.environ.setdefault("DEBUG", "true")

from campaign.settings import *  # noqa: F403
