"""Screens are Chinese by default: every message the code shows has a Chinese
translation, and the compiled catalog Django reads is the one in the .po file.

CI runs `makemessages` before the tests, so a new message without a
translation shows up here as an untranslated entry.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

CATALOG = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_every_message_has_a_chinese_translation():
    po = polib.pofile(str(CATALOG / "django.po"))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [], f"{len(untranslated)} messages have no Chinese translation"
    assert fuzzy == [], f"{len(fuzzy)} translations are marked fuzzy"


def test_the_compiled_catalog_is_the_po_file():
    po = {(e.msgid, e.msgstr or e.msgstr_plural.get(0, "")) for e in polib.pofile(str(CATALOG / "django.po"))}
    mo = {(e.msgid, e.msgstr or e.msgstr_plural.get(0, "")) for e in polib.mofile(str(CATALOG / "django.mo"))}
    assert po - mo == set(), "django.mo is older than django.po: run manage.py compilemessages"


@pytest.mark.django_db
def test_the_sign_in_page_is_chinese_and_english_on_request():
    client = Client()
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "登录" in page and "用户名" in page and "密码" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in page
    assert "Username" in page and "用户名" not in page


@pytest.mark.django_db
def test_pages_load_nothing_from_another_host(client, plan, unit, make_user):
    """Government intranets are closed: every script, style and image comes from the platform."""
    import re

    client.force_login(make_user("street_staff", unit("330103002")))
    for url in (reverse("home"), reverse("site_list"), reverse("unit_tree"), reverse("import_sites")):
        page = client.get(url).content.decode()
        external = re.findall(r'(?:src|href)="((?:https?:)?//[^"]+)"', page)
        assert external == [], f"{url} loads {external}"


# ---------------------------------------------------------------- the back office in Chinese

# Latin words a Chinese screen may hold: acronyms (any all-capitals word of up to five
# letters: TOTP, IP, ID, URL, PDF), file kinds and products named as they are.
LATIN_ALLOWED = {"xlsx", "Excel", "WPS", "Word", "PowerPoint", "JPEG", "WebP", "GeoJSON"}
# Columns that hold English or codes on purpose: a sector's English name, codes, user names.
LATIN_COLUMNS = {"name_en", "code", "username", "credit_code", "ip_address", "user_agent", "path_info", "number"}
# "readonly": a value on a read-only change page (<div class="readonly">).
TEXT_TAGS = {"th", "td", "label", "caption", "h1", "h2", "h3", "legend", "option", "summary", "readonly"}


class _Words(HTMLParser):
    """The text of the headers, labels, captions, options, cells and read-only values of a page."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.found: list[tuple[str, str]] = []
        self.field = ""  # the field of the last cell or form row begun (class="field-…")

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        self.field = next((c[6:] for c in classes if c.startswith("field-")), self.field)
        if tag == "div" and "readonly" in classes:
            tag = "readonly"
        if tag in TEXT_TAGS:
            self.stack.append((tag, self.field in LATIN_COLUMNS))
            self.found.append((tag, ""))

    def handle_startendtag(self, tag, attrs):
        pass  # <input/>, <br/>: nothing to read, nothing to close

    def handle_endtag(self, tag):
        if tag == "div" and self.stack and self.stack[-1][0] == "readonly":
            tag = "readonly"
        if self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and not any(skip for _tag, skip in self.stack):
            tag, text = self.found[-1]
            self.found[-1] = (tag, text + data)


def _english_words(text: str, names: set[str]) -> list[str]:
    if text.strip().startswith(("{", "[")):
        return []  # a JSON value shown as stored (an assessment method's rubric)
    words = []
    for token in re.findall(r"[A-Za-z][A-Za-z0-9_.@-]*", text):
        if not token.isalpha():
            continue  # a user name, a code, a file name
        if token in LATIN_ALLOWED or token in names or (token.isupper() and len(token) <= 5):
            continue
        words.append(token)
    return words


def _untranslated(html: str, names: set[str]) -> set[str]:
    """What reads as English on the page; `names` are user names, which are data."""
    parser = _Words()
    parser.feed(html)
    return {f"<{tag}> {' '.join(text.split())}" for tag, text in parser.found if _english_words(text, names)}


def _back_office_rows(unit, make_user):
    """A row of every kind the back office lists, so that each changelist shows its columns."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from reporting.models import ReportType

    common = {"user_agent": "Mozilla/5.0", "ip_address": "10.1.1.1", "username": "wangfang", "path_info": "/login/"}
    AccessAttempt.objects.create(**common, http_accept="*/*", get_data="", post_data="", failures_since_start=3)
    AccessLog.objects.create(**common, http_accept="*/*")
    AccessFailureLog.objects.create(**common, http_accept="*/*", locked_out=True)
    ReportType.objects.get_or_create(
        code="work_plan_words", defaults={"name": "工作方案", "name_en": "Work plan", "period_kind": "once"}
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["system_admin", "security_admin", "audit_admin"])
def test_every_back_office_page_an_admin_opens_is_in_chinese(client, plan, unit, make_user, role):
    from django.contrib import admin

    from districts.second_factor import force_login_verified

    _back_office_rows(unit, make_user)
    force_login_verified(client, make_user(role, unit("330103")))
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        urls += [reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}") for page in ("changelist", "add")]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk]))
    from districts.models import User

    names = set(User.objects.values_list("username", flat=True)) | {"wangfang"}
    english, opened = {}, 0
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        if response.status_code != 200:
            continue
        opened += 1
        found = _untranslated(response.content.decode(), names)
        if found:
            english[url] = sorted(found)
    assert opened > 5
    assert english == {}


def _catalog() -> dict:
    """Every message as Django translates it into Chinese: the first catalog that has it wins."""
    from django.utils.translation import trans_real

    layered = trans_real.translation("zh-hans")._catalog
    return {key: str(layered[key]) for key, _text in layered.items()}


def test_every_message_a_user_reads_says_您_not_你():
    """The platform's catalog comes first, so library messages (Django's password rules, the
    admin's confirmations, django-simple-history's) are reworded there (districts.library_messages)."""
    catalog = _catalog()
    # An official notice addresses the unit it orders as 你单位, as such documents are written.
    informal = sorted(str(key) for key, text in catalog.items() if "你" in text.replace("你单位", ""))
    assert informal == []


# One name for one thing: (the name used, the names it replaced).
ONE_NAME = [
    ("组织机构", ["组织架构"]),
    ("重点领域", ["行业领域"]),
    ("安全发展示范城市创建工作平台", ["安全发展示范城市创建平台"]),
]


@pytest.mark.parametrize(("name", "others"), ONE_NAME, ids=[name for name, _others in ONE_NAME])
def test_one_thing_has_one_name_in_every_screen_and_message(name, others):
    from districts.resources import OrgUnitResource, SiteResource
    from hazards.resources import HazardResource
    from risks.resources import RiskResource

    texts = list(_catalog().values())
    # The column headers of the spreadsheets people fill in and get back.
    for resource in (OrgUnitResource, SiteResource, HazardResource, RiskResource):
        texts += [f.column_name for f in resource().fields.values()]
    templates = [p.read_text(encoding="utf-8") for p in (Path(settings.BASE_DIR) / "templates").rglob("*.html")]
    assert any(name in text for text in texts + templates)
    for other in others:
        assert [t[:80] for t in texts if other in t] == []
        assert [t[:80] for t in templates if other in t] == []
