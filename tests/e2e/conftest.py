"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live_server.

Never run `playwright install` here: the browser is the system one, /usr/bin/chromium.
"""

import os
from pathlib import Path

import pytest

# The page fixture runs Playwright's event loop in the test thread; Django
# refuses ORM calls from there unless told it is safe. Browser tests only.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        # CI must run the browser tests, never pass by skipping them.
        pytest.fail(
            f"{CHROMIUM} is missing: the end-to-end tests need Debian's Chromium. "
            "Install it in the CI image (apt-get install chromium); do not run `playwright install`.",
            pytrace=False,
        )
    pytest.skip(f"{CHROMIUM} is missing: run `apt-get install chromium` to run the end-to-end tests.")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch options (--headed, --slowmo …) plus the system Chromium."""
    _require_chromium()
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Chromium here asks for en-US pages: the screens must still come in Chinese.
    return {**browser_context_args, "locale": "en-US", "timezone_id": "Asia/Shanghai"}
