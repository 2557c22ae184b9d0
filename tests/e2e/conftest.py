"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live_server.

Never run `playwright install` here: the browser is the system one, /usr/bin/chromium.
"""

import base64
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


def forget_the_session(page, name: str | None = None) -> None:
    """Drop the browser's cookies (or only `name`), as a new browser or an expired session would.

    The page's own requests are let finish first: the header's bell asks for its count once the
    page is drawn, and an answer arriving after the cookies were cleared may set the old session
    cookie again (whenever the server writes the session, as it does once a minute of use) and
    sign the old user back in."""
    page.wait_for_load_state("networkidle")
    if name:
        page.context.clear_cookies(name=name)
        return
    page.goto("about:blank")
    page.context.clear_cookies()


def sign_in(page, base: str, username: str, password: str, next_url: str = "") -> None:
    """Through the real sign-in form, as a person would; reviewers and admins then pass the second
    factor: the first time by setting up the app from the enrolment page's key (and keeping the
    recovery codes), afterwards with the code their app shows."""
    from districts.models import User
    from districts.second_factor import code_to_type_now, totp_device

    page.goto(f"{base}/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator("form:has(#id_password) button[type=submit]").click()
    if "/accounts/second-factor/enrol/" in page.url:
        user = User.objects.get(username=username)
        secret = page.get_by_test_id("otp-secret").inner_text()
        assert secret.replace(" ", "") == _base32(totp_device(user, confirmed=False).bin_key)
        page.locator("#id_code").fill(code_to_type_now(totp_device(user, confirmed=False)))
        with page.expect_navigation():
            page.locator("[data-testid=otp-enrol] button[type=submit]").click()
        assert page.get_by_test_id("recovery-codes").locator("li").count() == 10
        with page.expect_navigation():
            page.get_by_role("link", name="我已妥善保存").click()
    elif "/accounts/second-factor/" in page.url:
        page.locator("#id_code").fill(code_to_type_now(totp_device(User.objects.get(username=username))))
        with page.expect_navigation():
            page.locator("[data-testid=otp-verify] button[type=submit]").click()


def _base32(key: bytes) -> str:
    return base64.b32encode(key).decode().rstrip("=")
