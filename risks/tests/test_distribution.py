"""The four-colour distribution map: each street in the colour of its highest
active risk, counts that follow the user's scope, drawn from loaded boundaries
or as a schematic, as well-formed SVG that names its font."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaign.lib import svg
from districts.admin import UnitBoundaryForm
from districts.models import OrgUnit, Role, Sector, UnitBoundary, User
from districts.second_factor import force_login_verified
from districts.tests.factories import add_grids
from risks.distribution import NOT_ASSESSED
from risks.distribution_views import NO_RISK_COLOUR
from risks.models import LEVEL_COLOURS, AccidentType, AssessmentMethod, Level, RiskPoint
from risks.tests.factories import grade_in_bulk

pytestmark = pytest.mark.django_db

DISTRICT = "330103"
CHANGQING = "330103001"
WULIN = "330103002"
TIANSHUI = "330103003"
ZHONGBEI = "330103002051"  # a community of Wulin
LEADING_GROUP = "330103-LDXZ"
FIRE_DEPT = "330103-XFJY"  # leads fire safety district-wide

SVG = re.compile(r"<svg\b.*?</svg>", re.S)
NS = "{http://www.w3.org/2000/svg}"
# A small square around Wulin: lon/lat, with a square hole.
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[120.16, 30.27], [120.18, 30.27], [120.18, 30.29], [120.16, 30.29], [120.16, 30.27]],
        [[120.165, 30.275], [120.17, 30.275], [120.17, 30.28], [120.165, 30.28], [120.165, 30.275]],
    ],
}

# Every signed-in page starts and ends the same way (see districts/tests/test_queries.py).
REQUEST_START = 2  # the session; the user
REQUEST_END = 0  # no session write: a session is written when it changes, its last request time once a minute


@pytest.fixture
def make_risks(district, unit):
    """make_risks([(unit, level or None, sector index), …]): active risks, bulk-created with their assessments."""
    version = AssessmentMethod.objects.get(code="lec").current
    assessor = User.objects.create_user(username="assessor")
    sectors = list(Sector.objects.order_by("order"))

    def make(specs):
        risks = RiskPoint.objects.bulk_create(
            RiskPoint(
                name=f"风险点{i}",
                unit=place,
                sector=sectors[sector],
                accident_type=AccidentType.FIRE,
                responsible_unit=place,
                responsible_person="张三",
            )
            for i, (place, _level, sector) in enumerate(specs)
        )
        graded = [(risk, level) for risk, (_p, level, _s) in zip(risks, specs, strict=True) if level]
        grade_in_bulk(graded, version=version, by=assessor)
        return risks

    return make


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 — the page's own markup, not untrusted input


def svgs(response) -> list[ET.Element]:
    """The page's drawings: the map and the charts, not the top bar's icons (aria-hidden, no text)."""
    roots = [parse(markup) for markup in SVG.findall(response.content.decode())]
    return [root for root in roots if root.get("aria-hidden") != "true"]


def map_fills(response) -> dict[str, str]:
    """data-key → fill of every area on the map."""
    root = parse(response.context["map_svg"])
    return {el.get("data-key"): el.get("fill") for el in root.iter() if el.get("data-key")}


def get(client, user, **params):
    force_login_verified(client, user)
    return client.get(reverse("risk_distribution"), params)


def test_the_map_colours_each_street_by_its_highest_risk(client, unit, make_user, make_risks):
    make_risks(
        [
            (unit(WULIN), Level.LOW, 0),
            (unit(ZHONGBEI), Level.MAJOR, 1),
            (unit(CHANGQING), Level.GENERAL, 2),
            (unit(CHANGQING), None, 2),
        ]
    )
    response = get(client, make_user(Role.LEADER, unit(LEADING_GROUP)))
    fills = map_fills(response)
    assert fills[WULIN] == LEVEL_COLOURS[Level.MAJOR]
    assert fills[CHANGQING] == LEVEL_COLOURS[Level.GENERAL]
    assert fills[TIANSHUI] == NO_RISK_COLOUR
    assert len(fills) == 8  # every street of Xiacheng
    streets = {row.key: row for row in response.context["dist"].streets}
    assert streets[CHANGQING].counts[NOT_ASSESSED] == 1
    assert streets[WULIN].total == 2


def test_a_risk_retired_from_the_register_no_longer_colours_its_street(client, unit, make_user, make_risks):
    (risk,) = make_risks([(unit(WULIN), Level.MAJOR, 0)])
    RiskPoint.objects.filter(pk=risk.pk).update(status=RiskPoint.Status.RETIRED)
    assert map_fills(get(client, make_user(Role.LEADER, unit(LEADING_GROUP))))[WULIN] == NO_RISK_COLOUR


def test_a_risk_in_a_grid_counts_for_its_community_and_street(client, unit, make_user, make_risks):
    (grid,) = add_grids(unit(ZHONGBEI), 1)
    make_risks([(grid, Level.SIGNIFICANT, 0)])
    staff = make_user(Role.STREET_STAFF, unit(WULIN))
    response = get(client, staff)
    assert map_fills(response)[WULIN] == LEVEL_COLOURS[Level.SIGNIFICANT]
    assert response.context["dist"].streets[0].counts[Level.SIGNIFICANT] == 1
    communities = map_fills(get(client, staff, level="community"))
    assert communities[ZHONGBEI] == LEVEL_COLOURS[Level.SIGNIFICANT]
    assert communities["330103002052"] == NO_RISK_COLOUR
    assert WULIN not in communities


def test_a_loaded_boundary_is_drawn_as_a_path(client, unit, make_user, make_risks):
    make_risks([(unit(WULIN), Level.MAJOR, 0)])
    UnitBoundary.objects.create(unit=unit(WULIN), geometry=SQUARE)
    response = get(client, make_user(Role.STREET_STAFF, unit(WULIN)))
    root = parse(response.context["map_svg"])
    (path,) = root.iter(f"{NS}path")
    assert path.get("data-key") == WULIN
    assert path.get("fill") == LEVEL_COLOURS[Level.MAJOR]
    assert path.get("d").count("M") == 2  # the outline and its hole
    assert path.get("fill-rule") == "evenodd"
    assert b'data-testid="schematic-note"' not in response.content


def test_streets_without_boundaries_are_drawn_as_named_tiles_with_a_note(client, unit, make_user):
    UnitBoundary.objects.create(unit=unit(WULIN), geometry=SQUARE)
    response = get(client, make_user(Role.LEADER, unit(LEADING_GROUP)))
    root = parse(response.context["map_svg"])
    assert not list(root.iter(f"{NS}path"))
    tiles = [el for el in root.iter(f"{NS}rect") if el.get("data-key")]
    assert len(tiles) == 8
    assert "武林街道" in "".join(root.itertext())
    assert b'data-testid="schematic-note"' in response.content


def test_street_staff_count_only_their_street(client, unit, make_user, make_risks):
    make_risks([(unit(WULIN), Level.LOW, 0), (unit(CHANGQING), Level.MAJOR, 0), (unit(CHANGQING), Level.MAJOR, 2)])
    response = get(client, make_user(Role.STREET_STAFF, unit(WULIN)))
    dist = response.context["dist"]
    assert [row.key for row in dist.streets] == [WULIN]
    assert sum(row.total for row in dist.sectors) == 1
    assert set(map_fills(response)) == {WULIN}


def test_a_lead_department_sees_every_street_but_only_its_sector(client, unit, make_user, make_risks):
    make_risks([(unit(WULIN), Level.LOW, 2), (unit(CHANGQING), Level.MAJOR, 0)])  # fire safety is the third sector
    dist = get(client, make_user(Role.DEPARTMENT_STAFF, unit(FIRE_DEPT))).context["dist"]
    totals = {row.key: row.total for row in dist.streets}
    assert len(totals) == 8
    assert totals[WULIN] == 1
    assert totals[CHANGQING] == 0


def test_community_staff_see_their_community(client, unit, make_user, make_risks):
    make_risks([(unit(ZHONGBEI), Level.GENERAL, 0), (unit("330103002052"), Level.MAJOR, 0)])
    response = get(client, make_user(Role.COMMUNITY_STAFF, unit(ZHONGBEI)))
    assert response.context["level"] == OrgUnit.Kind.COMMUNITY
    assert map_fills(response) == {ZHONGBEI: LEVEL_COLOURS[Level.GENERAL]}


@pytest.mark.parametrize("n", [10, 1000])
def test_the_page_costs_the_same_queries_for_10_and_1000_risks(
    client, unit, make_user, make_risks, django_assert_num_queries, n
):
    grids = add_grids(unit(ZHONGBEI), 3)
    places = [unit(WULIN), unit(ZHONGBEI), unit("330103002052"), *grids]
    levels = [*Level, None]
    make_risks([(places[i % len(places)], levels[i % len(levels)], i % 7) for i in range(n)])
    force_login_verified(client, make_user(Role.STREET_STAFF, unit(WULIN)))
    for level in ("street", "community"):
        with django_assert_num_queries(
            REQUEST_START
            + 1  # the user's memberships → the scope and the menu
            + 1  # the ids of the units in that scope, once per request (a row's unit is one of them)
            + 1  # the streets (and communities) in scope, with their parents and boundaries
            + 1  # the active risks in scope counted by unit × level, summed up the tree
            + 1  # the seven sectors
            + 1  # the active risks in scope counted by sector × level
            + REQUEST_END
        ):
            response = client.get(reverse("risk_distribution"), {"level": level})
        assert response.context["dist"].streets[0].total == n


def test_every_svg_is_well_formed_and_names_its_font(client, unit, make_user, make_risks):
    wulin = unit(WULIN)
    wulin.name = '武林<&>"街道'
    wulin.save()
    make_risks([(wulin, Level.MAJOR, 0), (unit(ZHONGBEI), None, 3)])
    for params in ({}, {"level": "community"}, {"print": "1"}):
        response = get(client, make_user(Role.LEADER, unit(LEADING_GROUP)), **params)
        roots = svgs(response)
        assert len(roots) == 4  # the map, wide and narrow (for phones), and two charts
        for root in roots:
            assert "Noto Sans CJK SC" in root.get("font-family")
            assert root.get("viewBox") and root.get("width") == "100%"
        assert '武林<&>"街道' in "".join(roots[0].itertext())


def test_the_printable_variant_is_titled_with_the_district_and_date(client, unit, make_user):
    response = get(client, make_user(Role.LEADER, unit(LEADING_GROUP)), print="1")
    html = response.content.decode()
    assert "<title>下城区安全风险四色分布图</title>" in html
    assert 'class="navbar' not in html
    assert response.context["today"].strftime("%Y") in html


def test_the_bar_chart_labels_each_segment_with_its_count():
    chart = parse(
        svg.stacked_bar_chart([("甲", [3, 0, 5])], [("a", "#e60012"), ("b", "#f39800"), ("c", "#0068b7")], title="t")
    )
    segments = [el for el in chart.iter(f"{NS}rect") if el.find(f"{NS}title") is not None]
    assert [s.get("fill") for s in segments] == ["#e60012", "#0068b7"]
    assert {"3", "5", "8"} <= {el.text for el in chart.iter(f"{NS}text")}


@pytest.mark.parametrize(
    "content, accepted",
    [
        ({"type": "Feature", "properties": {}, "geometry": SQUARE}, True),
        ({"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": SQUARE}]}, True),
        ({"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"]]}, True),
        ({"type": "Point", "coordinates": [120.17, 30.28]}, False),
        ({"type": "LineString", "coordinates": [[120.17, 30.28], [120.18, 30.29]]}, False),
        ({"type": "Polygon", "coordinates": [[[30.28, 120.17], [1, 1], [2, 2], [30.28, 120.17]]]}, False),
        ("not json", False),
    ],
)
def test_the_boundary_admin_accepts_only_polygons(district, unit, content, accepted):
    raw = content.encode() if isinstance(content, str) else json.dumps(content).encode()
    upload = SimpleUploadedFile("wulin.geojson", raw, content_type="application/geo+json")
    form = UnitBoundaryForm(data={"unit": unit(WULIN).pk, "geometry": ""}, files={"upload": upload})
    assert form.is_valid() is accepted, form.errors
    if accepted:
        boundary = form.save()
        assert boundary.geometry["type"] in {"Polygon", "MultiPolygon"}


def test_a_system_admin_loads_a_boundary_file_in_the_back_office(client, unit, make_user):
    # Superusers are not admitted to the back office: the three admin roles replace them.
    force_login_verified(client, make_user(Role.SYSTEM_ADMIN, unit("330103")))
    url = reverse("admin:districts_unitboundary_add")
    point = SimpleUploadedFile("p.json", json.dumps({"type": "Point", "coordinates": [120, 30]}).encode())
    assert client.post(url, {"unit": unit(WULIN).pk, "geometry": "", "upload": point}).status_code == 200
    assert not UnitBoundary.objects.exists()
    square = SimpleUploadedFile("w.geojson", json.dumps({"type": "Feature", "geometry": SQUARE}).encode())
    assert client.post(url, {"unit": unit(WULIN).pk, "geometry": "", "upload": square}).status_code == 302
    assert UnitBoundary.objects.get().geometry == SQUARE
