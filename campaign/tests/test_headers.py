"""What the platform's answers carry, as an assessor reads them off the wire: a
Content-Security-Policy that allows no inline script or style (and pages that need
none), no-store for anything a signed-in user sees or downloads (but for what is the
same for everyone), no Server banner, and the platform's own error pages, never
Django's technical ones."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import transaction
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.views.defaults import server_error

from campaign.demo import load_demo
from districts.models import OrgUnit, Sector, User
from districts.second_factor import force_login_verified
from hazards import services as hazard_services
from hazards.models import Source
from reporting import services as report_services
from reporting.models import Period
from risks.models import RiskPoint

BASE_DIR = Path(__file__).resolve().parents[2]
A_REAL_KEY = "Zq7-production-key-" + "r4nd0m" * 8
# Only PDFs are drawn from these (WeasyPrint): no browser ever gets them as a page.
# Drawn by WeasyPrint into a PDF, never served to a browser: their styles are the document's.
PDF_ONLY_TEMPLATES = ("pdf/", "hazards/notices/")


@pytest.fixture(scope="module")
def demo_for_module(django_db_setup, django_db_blocker):
    """The demo (every role, sites, risks) plus a hazard and a report, once for the module."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        load_demo()
        inspector, wulin = User.objects.get(username="inspector"), User.objects.get(username="wulin")
        hazard_services.hazard_report(
            by=inspector,
            title="菜场消防通道堵塞",
            unit=OrgUnit.objects.get(code="330103002051"),
            sector=Sector.objects.get(code="fire_safety"),
            description="东侧消防通道堆放货物",
            source=Source.INSPECTION,
        )
        period = Period.objects.filter(report_type__code="monthly_item").order_by("due_on").first()
        draft = report_services.submission_start(
            by=wulin, unit=OrgUnit.objects.get(code="330103002"), period=period, title="三月进展", body="第一行\n第二行"
        )
        report_services.submission_submit(submission=draft, by=wulin)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_for_module, db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def signed_in(username) -> Client:
    client = Client()
    force_login_verified(client, User.objects.get(username=username))
    return client


class _Page(HTMLParser):
    """The links of a page, and whatever in it a strict CSP would refuse."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.refused = [], []
        self._script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.refused.append(f"<{tag} {name}=…> (inline handler)")
            if name == "style":
                self.refused.append(f"<{tag} style=…> (inline style)")
            if name == "href" and (value or "").strip().lower().startswith("javascript:"):
                self.refused.append(f"<{tag} href=javascript:…>")
        if tag == "style":
            self.refused.append("<style> (inline style sheet)")
        if tag == "script":
            self._script = attrs
            if "src" not in attrs and attrs.get("type") != "application/json":
                self.refused.append("<script> without src (inline script)")
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_data(self, data):
        if self._script is not None and "src" in self._script and data.strip():
            self.refused.append("<script src> with a body")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def _read(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _pattern(url: str) -> str:
    """One visit per screen: /risks/12/edit/?page=2 and /risks/7/edit/?page=3 are the same screen."""
    parts = urlsplit(url)
    keys = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


SKIP = ("/admin/", "/i18n/", "/accounts/logout/", "/static/", "/media/")


def _crawl(client: Client, start: str = "/", limit: int = 150) -> dict[str, list[str]]:
    """Every screen reachable by links from `start`: path → what a strict CSP would refuse in it."""
    seen, queue, found = set(), [start], {}
    while queue and len(found) < limit:
        url = queue.pop(0)
        key = _pattern(url)
        if key in seen:
            continue
        seen.add(key)
        response = client.get(url)
        if response.status_code in (301, 302):
            queue.append(urljoin(url, response["Location"]))
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        policy = response.get("Content-Security-Policy", "")
        page = _read(response.content.decode())
        problems = list(page.refused)
        if "script-src 'self'" not in policy or "style-src 'self'" not in policy or "unsafe" in policy:
            problems.append(f"policy: {policy!r}")
        found[url] = problems
        for href in page.links:
            target = urljoin(url, href)
            if target.startswith("/") and not target.startswith(SKIP) and not target.endswith((".xlsx", ".pdf")):
                queue.append(target.split("#", 1)[0])
    return found


@pytest.mark.parametrize("username", ["office", "wulin", "inspector", "leader"])
def test_every_screen_carries_the_policy_and_has_no_inline_script_or_style(demo, username):
    found = _crawl(signed_in(username))
    # The walk reached the register, the hazards and the reports, not only the home page.
    for screen in ("/risks/", "/hazards/", "/reports/calendar/", "/sites/"):
        assert any(url.startswith(screen) for url in found), sorted(found)
    assert len(found) >= 15, sorted(found)
    assert {url: problems for url, problems in found.items() if problems} == {}


def test_the_sign_in_page_and_error_pages_carry_the_policy_too(demo, client):
    for response in (client.get(reverse("login")), client.get("/no-such-page/"), signed_in("wulin").get("/nope/")):
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert _read(response.content.decode()).refused == []


def _template_files():
    for folder in [BASE_DIR / "templates", *BASE_DIR.glob("*/templates")]:
        for path in folder.rglob("*.html"):
            yield path.relative_to(folder).as_posix(), path.read_text(encoding="utf-8")


def test_no_template_holds_an_inline_script_handler_or_style():
    refused = []
    for name, text in _template_files():
        for found in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            refused.append(f"{name}: {found}")
        for found in re.findall(r"<[a-zA-Z][^>]*?\son[a-z]+\s*=", text):
            refused.append(f"{name}: inline handler {found[:60]}")
        if not name.startswith(PDF_ONLY_TEMPLATES):
            for found in re.findall(r"<style\b|<[a-zA-Z][^>]*?\sstyle\s*=", text):
                refused.append(f"{name}: inline style {found[:60]}")
    assert refused == []
    assert len(list(_template_files())) > 40  # the scan read the templates


def test_the_policy_allows_nothing_inline_and_nothing_from_elsewhere(settings):
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    for directive in ("default-src", "script-src", "style-src", "connect-src", "font-src"):
        assert directives[directive] == ["'self'"], directive
    assert directives["object-src"] == directives["base-uri"] == directives["frame-ancestors"] == ["'none'"]


def test_a_signed_in_page_is_not_stored(demo):
    response = signed_in("wulin").get(reverse("risk_list"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_an_export_is_not_stored(demo):
    response = signed_in("wulin").get(reverse("export_sites"))
    assert response.status_code == 200 and response.has_header("Content-Disposition")
    assert "no-store" in response["Cache-Control"]


def test_the_public_style_sheet_may_be_cached_for_a_visitor_and_a_signed_in_user_alike(demo, client):
    # The four colours are the same for everyone (campaign.lib.http.same_for_everyone): no-store
    # would only fetch them afresh on every page. What is personal stays no-store (above).
    css = reverse("risk_level_css")
    assert "public" in client.get(css)["Cache-Control"]
    response = signed_in("wulin").get(css)
    assert response["Content-Type"].startswith("text/css")
    assert "no-store" not in response["Cache-Control"] and "public" in response["Cache-Control"]


def test_the_level_colours_come_from_one_place(demo, client):
    from risks.models import LEVEL_COLOURS, Level

    css = client.get(reverse("risk_level_css")).content.decode()
    for level in Level:
        assert f".risk-level-{level.value} {{ background-color: {LEVEL_COLOURS[level]};" in css


def test_a_risk_hidden_by_scope_answers_the_platforms_404_page(demo):
    wulin = User.objects.get(username="wulin")
    hidden = RiskPoint.objects.exclude(pk__in=RiskPoint.objects.visible_to(wulin).values("pk")).first()
    response = signed_in("wulin").get(reverse("risk_detail", args=[hidden.pk]))
    page = response.content.decode()
    assert response.status_code == 404
    assert '<h1 class="h4">页面不存在</h1>' in page
    assert 'data-testid="current-user"' in page  # the platform's layout, with its menu
    assert "URLconf" not in page and hidden.name not in page


def test_a_permission_refusal_has_a_heading(demo):
    risk = RiskPoint.objects.visible_to(User.objects.get(username="leader")).first()
    response = signed_in("leader").get(reverse("risk_edit", args=[risk.pk]))
    assert response.status_code == 403
    assert '<h1 class="h4">无权访问</h1>' in response.content.decode()


def test_a_bad_host_answers_the_platforms_400_page(db, client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert '<h1 class="h4">请求有误</h1>' in response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_a_form_without_its_csrf_token_answers_a_page_in_chinese(db):
    response = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert '<h1 class="h4">表单已失效</h1>' in response.content.decode()


def test_the_500_page_needs_neither_the_database_nor_a_request_context():
    # No db fixture: any query here raises, as it would with the database down.
    request = RequestFactory().get("/")
    response = server_error(request)
    page = response.content.decode()
    assert response.status_code == 500
    assert '<h1 class="h4">服务器出错了</h1>' in page
    assert 'class="navbar-brand"' in page  # the base layout


def test_with_nothing_configured_but_a_key_errors_are_the_platforms_and_https_is_enforced(tmp_path):
    # A fresh interpreter: DEBUG and HTTPS as the settings default them, nothing from this test run.
    code = """
import django; django.setup()
from django.test import Client, override_settings
# Production serves collected, hashed static files (collectstatic, minutes): plain ones here.
override_settings(STORAGES={**django.conf.settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
c = Client()
plain = c.get("/no-such-page/")
tls = c.get("/no-such-page/", secure=True)
proxied = c.get("/no-such-page/", HTTP_X_FORWARDED_PROTO="https")
print(plain.status_code, plain["Location"])
print(tls.status_code, tls["Strict-Transport-Security"])
print("technical" if "URLconf" in tls.content.decode() else "platform")
print(proxied.status_code)
"""
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "campaign.settings",
        "VAR_DIR": str(tmp_path),
        "SECRET_KEY": A_REAL_KEY,
        "ALLOWED_HOSTS": "testserver",
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    # With DEBUG off the log's JSON lines share stdout (LOG_FORMAT=json): the script's own lines.
    assert [line for line in result.stdout.splitlines() if not line.startswith("{")] == [
        "301 https://testserver/no-such-page/",
        "404 max-age=31536000; includeSubDomains",
        "platform",
        "404",
    ]


def test_the_development_server_sends_no_server_banner(live_server):
    with urllib.request.urlopen(f"{live_server.url}/accounts/login/") as response:  # noqa: S310 (our own server)
        assert response.status == 200
        assert response.headers.get("Server") is None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_with_the_platforms_config_sends_no_server_banner(tmp_path):
    port = _free_port()
    env = {**os.environ, "VAR_DIR": str(tmp_path), "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(gunicorn), "-c", "gunicorn.conf.py", "campaign.wsgi"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as response:
                    headers = response.headers
                    break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not answer within a minute"
                time.sleep(0.3)
        assert headers.get("Server") is None
        assert "script-src 'self'" in headers["Content-Security-Policy"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
