"""What ./dev up shows a newcomer: the address, the demo logins and errors — no raw escape
codes in a file or a pipe, no line per request, each error once."""

import os
import pty
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOLD = b"\x1b[1m"


def test_dev_prints_plain_text_into_a_file_or_a_pipe():
    out = subprocess.run(["bash", str(ROOT / "dev"), "help"], capture_output=True, check=True, timeout=30).stdout
    assert b"./dev up" in out
    assert b"\x1b" not in out


def test_dev_prints_bold_on_a_terminal():
    leader, follower = pty.openpty()
    try:
        subprocess.run(["bash", str(ROOT / "dev"), "help"], stdout=follower, check=True, timeout=30)
        os.close(follower)
        follower = None
        out = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal's other end closed
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(leader)
        if follower is not None:
            os.close(follower)
    assert BOLD + b"./dev" in out


SCRIPT = """
import logging
import django
django.setup()
logging.getLogger("django.server").info('"GET /hazards/ HTTP/1.1" 200 5120')
logging.getLogger("django.server").warning('"GET /nowhere/ HTTP/1.1" 404 179')
logging.getLogger("django.request").warning("Not Found: /nowhere/")
logging.getLogger("django.request").error("Internal Server Error: /hazards/")
logging.getLogger("django.utils.autoreload").info("Watching for file changes with StatReloader")
"""


def test_the_console_shows_errors_once_and_no_request_lines():
    env = {**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "campaign.settings", "LOG_LEVEL": "INFO"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=60
    )
    console = result.stdout + result.stderr
    assert "GET /hazards/" not in console  # runserver's access log, a line per request
    assert "GET /nowhere/" not in console  # django.request says it, once
    assert "Watching for file changes" not in console
    assert console.count("Not Found: /nowhere/") == 1
    assert console.count("Internal Server Error: /hazards/") == 1
