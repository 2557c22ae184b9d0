"""Property: whatever anyone sends to any page of the platform, nothing answers 5xx, and a
request answered with an error writes nothing.

Every URL the resolver knows is tried (admin included), so a new page or form is covered
without touching this file. Before fuzzing, each user's pages are crawled once: the links give
real ids and slugs for the URL parameters, and the forms give the field names, choices and file
inputs to fill. Hypothesis then sends GETs with random query parameters and POSTs with random
form fields, JSON bodies and files (Unicode digits, huge numbers, NUL bytes, RTL marks, very
long text, wrong types, forged and damaged files), as street, community and department staff,
an inspector, the office's reviewer, the leading group, each of the three administrators, and
nobody, over the demo data. Each request runs in a savepoint rolled back afterwards, so every
example starts from the same data (Hypothesis can replay and shrink a failure).

FUZZ_EXAMPLES raises the number of generated requests (default 2,000; CI must reach it).
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import time
import zipfile
from collections import Counter, defaultdict
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import get_converters
from django.urls.exceptions import Resolver404
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from campaign.demo import DEMO_USERS, load_demo
from campaign.tests.images import ELF, SVG_WITH_SCRIPT, jpeg_with_gps, pdf, pdf_in_object_stream, png_header_only
from districts.models import Role, User

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2000"))
MIN_REQUESTS = 2000 if EXAMPLES >= 2000 else EXAMPLES

hypothesis_settings.register_profile(
    "fuzz",
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # nothing written into the work tree; a failure prints how to reproduce it
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    # Shrinking a failure through hundreds of page loads takes many minutes: only when asked (FUZZ_SHRINK=1).
    phases=[p for p in Phase if p != Phase.shrink or os.environ.get("FUZZ_SHRINK")],
)

# Tables whose rows are bookkeeping of the request itself, not a write by it: the session, the
# sign-in throttle and the audit trail (which records refusals on purpose).
BOOKKEEPING_APPS = {"sessions", "axes", "audit"}
# Crawl budget per user, and how many different real paths are kept per route.
CRAWL_PAGES = 45
KEPT_PER_ROUTE = 8
ANONYMOUS = "anonymous"

USERNAMES = [username for username, *_ in DEMO_USERS]  # street, grid, department, inspector, office, leader, admins

# ---------------------------------------------------------------- values that have broken parsers before

NASTY = [
    "",
    " ",
    "0",
    "-1",
    "²",
    "①",
    "٣",
    "３",
    "1" * 40,
    str(2**63),
    "1e309",
    "NaN",
    "-0",
    "1.5",
    "\x00",
    "a\x00b",
    "\u202eevil\u202c",
    "\u200f\u200e",
    "\ufeff",
    "😀",
    "𠀀",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "%00",
    "null",
    "true",
    "on",
    "2019-02-30",
    "2020-12-31T25:61",
    "9999-12-31",
    "0001-01-01",
    "330103002",
    "330103-CJB",
    "武林街道",
    "{}",
    "[]",
]
# Characters that broke parsers or databases elsewhere, slipped into otherwise ordinary text.
POISON = ["\x00", "\x00", "²", "①", "٣", "\u202e", "\ufeff", "\ud7ff", "'", "%", "\\", "<"]
texts = st.one_of(
    st.sampled_from(NASTY),
    st.builds(lambda a, p, b: a + p + b, st.text(max_size=8), st.sampled_from(POISON), st.text(max_size=8)),
    st.builds(lambda a, p, b: a + p + b, st.text(max_size=8), st.sampled_from(POISON), st.text(max_size=8)),
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(alphabet="0123456789²³¹①②٠١٢٣٤５", min_size=1, max_size=25),
    st.dates().map(str),
    st.datetimes().map(lambda d: d.isoformat(timespec="minutes")),
    st.builds(lambda c, n: c * n, st.sampled_from(["字", "a", "\x00", "\u202e", "9"]), st.integers(300, 20_000)),
)


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _xlsx_like() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


FILE_BYTES = {
    "photo": jpeg_with_gps(),
    "truncated": jpeg_with_gps()[:-2000],
    "bomb": png_header_only(30_000, 30_000),
    "pdf": pdf(),
    "pdf-js-hidden": pdf_in_object_stream(b"/OpenAction << /S /J#61vaScript /JS (app.alert(1)) >>"),
    "pdf-cut": pdf()[:-7],
    "docx": _docx(),
    "xlsx-broken": _xlsx_like(),
    "html": "\ufeff<html><script>alert(1)</script></html>".encode(),
    "svg": SVG_WITH_SCRIPT,
    "elf": ELF,
    "text": "本月完成排查。".encode(),
    "empty": b"",
}
files = st.builds(
    lambda name, data: SimpleUploadedFile(name, data, content_type="application/octet-stream"),
    st.sampled_from(["现场.jpg", "a.png", "总结.pdf", "导入.xlsx", "说明.txt", "x.html", "noext", "名" * 300 + ".pdf"]),
    st.one_of(st.sampled_from(list(FILE_BYTES.values())), st.binary(max_size=2000)),
)

# ---------------------------------------------------------------- what the resolver and the pages say

CONVERTER = re.compile(r"<(?:(?P<kind>[^>:]+):)?(?P<name>[^>]+)>")


def routes(resolver=None, prefix=""):
    """Every route the platform answers, as resolve() spells it ("hazards/<int:pk>/"), walking includes."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def generated_path_possible(route: str) -> bool:
    return "^" not in route and "(" not in route


def generated_path(draw, route: str) -> str:
    """A path for `route` with random values for its parameters."""
    path = route
    for match in CONVERTER.finditer(route):
        converter = get_converters()[match["kind"] or "str"]
        if converter.regex == "[0-9]+":
            value = draw(st.one_of(st.integers(0, 400), st.sampled_from([2**31, 2**63, 10**30])))
        else:
            value = draw(
                st.one_of(
                    st.sampled_from(["a", "edit", "-", "x" * 300]), st.from_regex(converter.regex, fullmatch=True)
                )
            )
        path = path.replace(match[0], converter.to_url(value), 1)
    return "/" + path


class PageParser(HTMLParser):
    """Links, and forms with their fields (name → kind and the values the page offers), of a page."""

    def __init__(self):
        super().__init__()
        self.links, self.forms, self._form, self._select = [], [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        # Links, and the addresses scripts call (data-autosave-url, data-lookup-url, img src …).
        self.links.extend(v for k, v in attrs if v and v.startswith("/") and k not in ("action",))
        if tag == "form":
            self._form = {"action": a.get("action") or "", "fields": {}}
            self.forms.append(self._form)
        elif self._form is not None and a.get("name"):
            fields = self._form["fields"]
            kind = {"input": (a.get("type") or "text").lower(), "select": "select"}.get(tag, tag)
            field = fields.setdefault(a["name"], {"kind": kind, "choices": []})
            if a.get("value") is not None:
                field["choices"].append(a["value"])
            self._select = field if tag == "select" else self._select
        if tag == "option" and self._select is not None:
            self._select["choices"].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _route_of(url: str) -> tuple[str, str] | None:
    """(route, path) of a link within the platform, else None."""
    path = urlsplit(url).path
    if not path.startswith("/"):
        return None
    try:
        return resolve(path).route, path
    except Resolver404:
        return None


class SiteMap:
    """What the crawl learnt: real paths per route (ids and slugs that exist), and form fields per route."""

    def __init__(self):
        self.paths = defaultdict(list)  # route → [path]
        self.paths_of = defaultdict(lambda: defaultdict(list))  # user → route → [path] that user reached
        self.fields = defaultdict(dict)  # route → {name: {"kind", "choices"}}

    def add_path(self, route, path, user):
        if path not in self.paths[route] and len(self.paths[route]) < KEPT_PER_ROUTE:
            self.paths[route].append(path)
        own = self.paths_of[user][route]
        if path not in own and len(own) < KEPT_PER_ROUTE:
            own.append(path)

    def add_fields(self, route, fields):
        for name, spec in fields.items():
            known = self.fields[route].setdefault(name, {"kind": spec["kind"], "choices": []})
            known["choices"] = list(dict.fromkeys(known["choices"] + spec["choices"]))[:30]


def crawl(client, site_map: SiteMap, user: str) -> int:
    """Breadth-first over the pages one user opens from the home page and the admin's; returns pages fetched."""
    queue, seen, fetched, per_route = ["/", "/admin/"], set(), 0, Counter()
    while queue and fetched < CRAWL_PAGES:
        found = _route_of(queue.pop(0))
        if found is None or found[1] in seen:
            continue
        route, path = found
        seen.add(path)
        site_map.add_path(route, path, user)
        per_route[route] += 1
        if per_route[route] > 2 or "logout" in route:  # a couple of each kind of page is enough
            continue
        response = client.get(path)
        fetched += 1
        assert response.status_code < 500, path
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = PageParser()
        parser.feed(response.content.decode("utf-8", "replace"))
        for form in parser.forms:
            target = _route_of(form["action"] or path)
            if target is not None:
                site_map.add_fields(target[0], form["fields"])
                site_map.add_path(*target, user)
        page_fields = {name: spec for form in parser.forms for name, spec in form["fields"].items()}
        for link in parser.links:
            target = _route_of(link)
            if target is not None:
                site_map.add_path(*target, user)
                queue.append(target[1])
                if target[0] not in site_map.fields:
                    # An address a script of this page calls takes this page's fields (an autosave).
                    site_map.add_fields(target[0], page_fields)
    return fetched


# ---------------------------------------------------------------- the no-write check


def row_count_query() -> str:
    """One query counting the rows of every table but the bookkeeping ones (history tables included:
    a change through a service leaves a history row)."""
    quote = connection.ops.quote_name
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label not in BOOKKEEPING_APPS and model._meta.managed and not model._meta.proxy
        }
    )
    # Table names come from the models, not from a request.
    return " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {quote(t)}" for t in tables)  # noqa: S608


def row_counts(query: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(query)
        return dict(cursor.fetchall())


# ---------------------------------------------------------------- the test


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo (units, sites, risks, hazards with photos, reports, one login per role) once for
    the module, rolled back after it; its photos in a folder of their own."""
    media = tmp_path_factory.mktemp("fuzz-media")
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], MEDIA_ROOT=media)
    with django_db_blocker.unblock(), fast, transaction.atomic():
        load_demo()
        yield media
        transaction.set_rollback(True)


def field_value(draw, spec):
    """A value for one form field: often one the page offered, otherwise anything, or several."""
    if spec["kind"] == "file":
        return draw(st.lists(files, max_size=3))
    pick = draw(st.integers(0, 9))
    if spec["choices"] and pick < 3:
        return draw(st.sampled_from(spec["choices"]))
    if pick < 6:  # what the page offered (or typed text), with one bad character slipped in
        base = draw(st.sampled_from(spec["choices"])) if spec["choices"] else draw(st.text(max_size=12))
        cut = draw(st.integers(0, len(base)))
        return base[:cut] + draw(st.sampled_from(POISON)) + base[cut:]
    if pick == 9:
        return draw(st.lists(texts, max_size=3))  # several values, or none, under one name
    return draw(texts)


def _jsonable(params: dict) -> dict:
    return {
        k: v
        for k, v in params.items()
        if isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v))
    }


def _is_file(value) -> bool:
    return isinstance(value, SimpleUploadedFile) or (
        isinstance(value, list) and any(isinstance(x, SimpleUploadedFile) for x in value)
    )


def test_the_admin_history_of_an_id_that_is_not_a_number_answers_404(client, plan, unit, make_user, sign_in):
    # Found by the fuzz run: django-simple-history looked the object up without parsing the id.
    admin = make_user(Role.SYSTEM_ADMIN, unit("330103"))
    sign_in(client, admin)
    assert client.get("/admin/districts/orgunit/abc/history/").status_code == 404
    assert client.get("/admin/districts/orgunit/abc/history/1/").status_code == 404


def test_an_admin_form_redrawn_with_a_unit_that_is_not_an_id_answers_the_form(client, plan, unit, make_user, sign_in):
    # Found by the fuzz run: Django's autocomplete widget looked the typed value up as an id.
    admin = make_user(Role.SYSTEM_ADMIN, unit("330103"))
    sign_in(client, admin)
    response = client.post("/admin/districts/site/add/", {"name": "x", "unit": " abc"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


EXTRA_PARAMETERS = [
    "unit",
    "year",
    "page",
    "pk",
    "q",
    "campaign",
    "type",
    "period",
    "level",
    "next",
    "o",
    "p",
    "_popup",
]


@pytest.mark.django_db
def test_no_input_from_anyone_answers_5xx_or_writes_on_an_error(demo_world, settings, sign_in):
    settings.MEDIA_ROOT = demo_world
    all_routes = sorted(set(routes()))
    admin_routes = [r for r in all_routes if r.startswith("admin/")]
    platform_routes = [r for r in all_routes if not r.startswith("admin/")]
    users = {name: User.objects.get(username=name) for name in USERNAMES}
    clients = {name: sign_in(Client(), users[name]) for name in USERNAMES} | {ANONYMOUS: Client()}
    site_map = SiteMap()
    started = time.monotonic()
    crawled = sum(crawl(clients[name], site_map, name) for name in USERNAMES)
    crawl_seconds = time.monotonic() - started
    # A regex route with groups is reached only through the paths the crawl saw for it.
    admin_routes = [r for r in admin_routes if generated_path_possible(r) or site_map.paths.get(r)]
    platform_routes = [r for r in platform_routes if generated_path_possible(r) or site_map.paths.get(r)]
    usable = set(admin_routes) | set(platform_routes)
    counts = row_count_query()
    sent, reached = Counter(), set()

    @hypothesis_settings.get_profile("fuzz")
    @given(data=st.data())
    def one_request(data):
        draw = data.draw
        who = draw(st.sampled_from(list(clients)), label="user")
        reached_by_user = sorted(r for r in site_map.paths_of[who] if r in usable)
        pick = draw(st.integers(0, 7))
        if reached_by_user and pick < 4:  # half the time a page this user can open
            route = draw(st.sampled_from(reached_by_user))
        else:
            route = draw(st.sampled_from(admin_routes if pick == 7 else platform_routes))
        # Mostly a path this user reached (so the request gets past the scope check), else anyone's.
        own = site_map.paths_of[who].get(route, [])
        known = own if own and draw(st.integers(0, 3)) > 0 else site_map.paths.get(route, [])
        use_known = known and (not generated_path_possible(route) or draw(st.integers(0, 3)) > 0)
        path = draw(st.sampled_from(known)) if use_known else generated_path(draw, route)
        fields = site_map.fields.get(route, {})
        chosen = draw(st.lists(st.sampled_from(sorted(fields)), unique=True)) if fields else []
        params = {name: field_value(draw, fields[name]) for name in chosen}
        for extra in draw(st.lists(st.sampled_from(EXTRA_PARAMETERS), max_size=3)):
            params[extra] = draw(texts)
        method = draw(st.sampled_from(["GET", "POST", "POST", "JSON"]), label="method")
        client = clients[who]
        try:
            send(client, who, route, path, params, method, draw)
        except Exception as error:
            error.add_note(f"{method} {path} as {who} with {params!r}")
            raise

    def send(client, who, route, path, params, method, draw):
        with transaction.atomic():
            sign_in(client, users.get(who))
            before = row_counts(counts)
            if method == "GET":
                response = client.get(path, {k: v for k, v in params.items() if not _is_file(v)})
            elif method == "JSON":
                body = draw(st.one_of(st.just(json.dumps(_jsonable(params))), texts), label="body")
                response = client.post(path, body, content_type="application/json")
            else:
                response = client.post(path, params)
            status = response.status_code
            sent[f"{status // 100}xx"] += 1
            reached.add(route)
            assert status < 500, f"{method} {path} as {who}: {status}"
            if status >= 400:
                after = row_counts(counts)
                written = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
                assert not written, f"{method} {path} as {who} answered {status} and wrote {written}"
            transaction.set_rollback(True)

    started = time.monotonic()
    # Refusals are the point here: Django's log of each 4xx would only slow the run down.
    logging.disable(logging.WARNING)
    try:
        one_request()
    finally:
        logging.disable(logging.NOTSET)
    total = sum(sent.values())
    print(
        f"\nfuzz: {total} generated requests in {time.monotonic() - started:.0f} s over {len(reached)} of "
        f"{len(all_routes)} routes (after crawling {crawled} pages in {crawl_seconds:.0f} s); "
        f"by status {dict(sorted(sent.items()))}"
    )
    assert total >= MIN_REQUESTS
