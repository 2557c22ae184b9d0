"""The hazard list's scope is served by indexes: at a seeded size, PostgreSQL's plans for the
page's counts and rows read the hazards of the user's units through the indexes on the hazard's
place and responsible unit, never by reading the whole ledger (EXPLAIN, not a timing).

The scope is an OR of three branches (the place, the responsible unit, the supervising unit);
written as joins to the org tree, no index can serve it and every count reads every hazard."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from districts.models import OrgUnit, Role, Sector
from hazards.models import Grade, Hazard, Source, Status, deadline_today
from hazards.tests.conftest import TIANSHUI, ZHONGBEI

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the plans are PostgreSQL's"),
]

HAZARDS = 30_000


@pytest.fixture
def ledger(district, unit, make_user):
    """HAZARDS hazards spread over every community and grid of the district; half assigned to
    the street of their place."""
    places = list(OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.GRID]).order_by("id"))
    streets = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.STREET))
    street_of = {p.pk: next(s for s in streets if s.tree_id == p.tree_id and s.lft < p.lft < s.rght) for p in places}
    sectors = list(Sector.objects.all())
    by = make_user(Role.STREET_STAFF, unit(TIANSHUI))
    today = deadline_today()
    rows = []
    for i in range(HAZARDS):
        place = places[i % len(places)]
        assigned = i % 2 == 1
        rows.append(
            Hazard(
                number=f"P-{i:06d}",
                title=f"隐患{i}",
                unit=place,
                sector=sectors[i % len(sectors)],
                description="描述",
                grade=Grade.MAJOR if i % 50 == 0 else Grade.GENERAL,
                source=Source.INSPECTION,
                found_by=by,
                status=Status.RECTIFYING if assigned else Status.REPORTED,
                responsible_unit=street_of[place.pk] if assigned else None,
                responsible_person="王芳" if assigned else "",
                deadline=today + datetime.timedelta(days=5 - i % 10) if assigned else None,
            )
        )
    Hazard.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE hazards_hazard")
    return places


def plan_nodes(sql: str, params) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        (plan,) = cursor.fetchone()
    if isinstance(plan, str):
        plan = json.loads(plan)
    nodes, stack = [], [plan[0]["Plan"]]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.get("Plans", []))
    return nodes


def hazard_queries(client, params=None):
    """The page's queries that read the hazards table, with their plans."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("hazard_list"), params or {})
    assert response.status_code == 200
    return [
        (q["sql"], plan_nodes(q["sql"], ()))
        for q in ctx.captured_queries
        if '"hazards_hazard"' in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT")
    ]


def on_hazards(nodes):
    """The nodes that read the hazards table or one of its indexes."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'hazards_hazard'")
        indexes = {name for (name,) in cursor.fetchall()}
    return [n for n in nodes if n.get("Relation Name") == "hazards_hazard" or n.get("Index Name") in indexes]


def rows_read(scans) -> int:
    """How many hazards the plan's scans of the table read, kept or filtered out."""
    return sum(
        (n.get("Actual Rows", 0) + n.get("Rows Removed by Filter", 0)) * n.get("Actual Loops", 1)
        for n in scans
        if n.get("Relation Name") == "hazards_hazard"
    )


@pytest.mark.parametrize("queue", ["", "assign", "rectify", "overdue"])
def test_a_community_s_list_reads_its_hazards_through_the_indexes(client, ledger, unit, make_user, queue):
    client.force_login(make_user(Role.COMMUNITY_STAFF, unit(ZHONGBEI)))
    queries = hazard_queries(client, {"queue": queue} if queue else {})
    assert queries
    for sql, nodes in queries:
        scans = on_hazards(nodes)
        described = [(n["Node Type"], n.get("Index Name"), n.get("Actual Rows")) for n in scans]
        assert scans, sql
        assert not [n for n in scans if n["Node Type"] == "Seq Scan"], (sql, described)
        # A community holds about a hundredth of the ledger. No query reads a quarter of it: the
        # counts read the community's hazards only; the page of rows walks the ledger newest
        # first until it has 50 of them (about 50 × 100 rows, however long the ledger).
        assert rows_read(scans) < HAZARDS / 4, (sql, described)
        if "COUNT(" in sql:
            # The counts find the community's hazards from the place index.
            conditions = " ".join(n.get("Index Cond", "") for n in scans)
            assert "unit_id = ANY" in conditions, (sql, described)


def test_the_counts_stop_early_and_say_so(client, ledger, unit, make_user):
    """A street's list counts no further than it must: 1,000+ hazards, and 999+ waiting."""
    from hazards.tests.conftest import WULIN

    client.force_login(make_user(Role.STREET_STAFF, unit(WULIN)))
    response = client.get(reverse("hazard_list"))
    html = response.content.decode()
    seen = Hazard.objects.visible_to(response.wsgi_request.user).count()
    assert seen > 1050
    assert "1,000+" in html  # the paginator counted no further than 1,000 (and 2,050 for page 40)
    assert response.context["page"].paginator.more
    counts = {name: shown for name, _label, _n, shown in response.context["queues"]}
    assert counts["assign"] == "999+"
    assert "999+" in html
