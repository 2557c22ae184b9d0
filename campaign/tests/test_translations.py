"""Screens are Chinese by default: every message the code shows has a Chinese
translation, and the compiled catalog Django reads is the one in the .po file.

CI runs `makemessages` before the tests, so a new message without a
translation shows up here as an untranslated entry.
"""

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
