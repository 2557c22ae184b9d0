"""The home page opens on what the person must do today: reports due, overdue and returned,
hazards to assign, rectify or verify, risk reviews due — each with its count and a link to the
list that shows exactly those rows, and nothing from a unit outside their scope. A read-only
leader sees an overview instead; someone with nothing to do is told so. The page costs a
pinned number of queries for every role."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from campaign.plan import DISTRICT_CODE
from districts.models import Role, Sector
from districts.tests.factories import add_team
from hazards.models import Action, Grade, Hazard, HazardEvent, Source, Status, deadline_today
from reporting import services as reports
from reporting.models import Period
from risks.models import AccidentType, RiskPoint

pytestmark = pytest.mark.django_db

WULIN = "330103002"  # 武林街道
ZHONGBEI = "330103002051"  # 中北社区, in Wulin
TIANSHUI = "330103003"  # 天水街道, Wulin's sibling street
DENGXIN = "330103003051"  # 灯芯巷社区, in Tianshui
FIRE_BRIGADE = "330103-XFJY"  # 区消防救援大队, leads fire safety
OFFICE = "330103-CJB"  # 区创建办
LEADING_GROUP = "330103-LDXZ"

USERS = {
    "street": (Role.STREET_STAFF, WULIN),
    "other_street": (Role.STREET_STAFF, TIANSHUI),
    "community": (Role.COMMUNITY_STAFF, ZHONGBEI),
    "fire_department": (Role.DEPARTMENT_STAFF, FIRE_BRIGADE),
    "inspector": (Role.INSPECTOR, "TEAM-WULIN"),
    "reviewer": (Role.REVIEWER, OFFICE),
    "leader": (Role.LEADER, LEADING_GROUP),
    "security_admin": (Role.SECURITY_ADMIN, DISTRICT_CODE),
}

REQUEST_START = 2  # the session; the user
REQUEST_END = 0  # no session write: a session is written when it changes, its last request time once a minute
SECOND_FACTOR = 1  # a reviewer's or an administrator's second factor: the device the session was verified with

# The dashboard's cards of the person's own dashboard (oversight, through campaign.lib.cards):
# the district's campaign with when its figures were built — not built here, so no rollup rows
# are read — and the targets' progress (campaign.targets: the targets, yearly values, accidents).
DASHBOARD_CARDS = 1 + 3

ITEM = re.compile(r'data-todo="(?P<key>[\w]+)">\s*<a [^>]*href="(?P<url>[^"]+)">.*?data-count>(?P<count>\d+)<', re.S)


@pytest.fixture
def world(plan, unit, make_user):
    """A campaign running today; a user of each role; hazards, risks and reports in Wulin and
    in its sibling street Tianshui, in every state the home page counts."""
    today = timezone.localdate()
    district = unit(DISTRICT_CODE)
    add_team("TEAM-WULIN", district, [unit(WULIN)])
    plan.starts_on, plan.ends_on = today - datetime.timedelta(days=75), today + datetime.timedelta(days=300)
    plan.save()
    Period.objects.filter(campaign=plan).delete()
    reports.periods_generate(campaign=plan)
    users = {name: make_user(role, unit(code), username=name) for name, (role, code) in USERS.items()}
    fire = Sector.objects.get(code="fire_safety")
    counter = iter(range(1, 1000))

    def hazard(place, status, *, responsible=None, deadline_in=10, returned=False):
        n = next(counter)
        assigned = status != Status.REPORTED
        h = Hazard.objects.create(
            number=f"T-{n:04d}",
            title=f"测试隐患{n}",
            unit=unit(place),
            sector=fire,
            description="疏散通道堆放杂物",
            grade=Grade.GENERAL,
            source=Source.INSPECTION,
            found_by=users["inspector"],
            status=status,
            responsible_unit=unit(responsible) if assigned else None,
            deadline=deadline_today() + datetime.timedelta(days=deadline_in) if assigned else None,
            assigned_at=timezone.now() if assigned else None,
            rectified_at=timezone.now() if status == Status.AWAITING_VERIFICATION else None,
        )
        if returned:
            HazardEvent.objects.create(
                hazard=h,
                action=Action.RETURN,
                from_status=Status.AWAITING_VERIFICATION,
                to_status=Status.RECTIFYING,
                by=users["inspector"],
                note="整改不到位",
            )
        return h

    hazards = {
        "rectify": hazard(ZHONGBEI, Status.RECTIFYING, responsible=WULIN),
        "rectify_late": hazard(ZHONGBEI, Status.RECTIFYING, responsible=WULIN, deadline_in=-3),
        "returned": hazard(WULIN, Status.RECTIFYING, responsible=WULIN, returned=True),
        "verify": hazard(ZHONGBEI, Status.AWAITING_VERIFICATION, responsible=ZHONGBEI),
        "assign": hazard(WULIN, Status.REPORTED),
        "tianshui_rectify": hazard(DENGXIN, Status.RECTIFYING, responsible=TIANSHUI, deadline_in=-1, returned=True),
        "tianshui_verify": hazard(DENGXIN, Status.AWAITING_VERIFICATION, responsible=TIANSHUI),
        "tianshui_assign": hazard(TIANSHUI, Status.REPORTED),
    }

    def risk(place, review_in):
        return RiskPoint.objects.create(
            name=f"风险点{next(counter)}",
            unit=unit(place),
            sector=fire,
            accident_type=AccidentType.FIRE,
            responsible_unit=unit(place),
            responsible_person="王五",
            next_review_on=today + datetime.timedelta(days=review_in),
        )

    risks = {
        "overdue": risk(WULIN, -5),
        "due": risk(ZHONGBEI, 10),
        "later": risk(WULIN, 100),
        "tianshui_overdue": risk(DENGXIN, -1),
        "tianshui_due": risk(TIANSHUI, 0),
    }

    # Reports: Wulin sent one that came back, and one that waits; Tianshui sent one that waits.
    closed = list(
        Period.objects.filter(campaign=plan, report_type__code="monthly_item", due_on__lt=today).order_by("due_on")
    )
    assert len(closed) >= 2, "the campaign has two months whose reports are overdue"

    def file(code, period, *, back=False):
        by = make_user(Role.STREET_STAFF, unit(code))
        s = reports.submission_start(by=by, unit=unit(code), period=period, title="本月工作信息", body="检查。")
        s = reports.submission_submit(submission=s, by=by)
        if back:
            reports.submission_return(submission=s, by=users["reviewer"], comment="请补充数据。")

    file(WULIN, closed[0], back=True)
    file(WULIN, closed[1])
    file(TIANSHUI, closed[0])
    return {"users": users, "hazards": hazards, "risks": risks}


def home(client, sign_in, user):
    sign_in(client, user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def items_on(response) -> dict[str, tuple[int, str]]:
    """key → (count, link) of every item the page shows."""
    page = response.content.decode()
    return {m["key"]: (int(m["count"]), m["url"].replace("&amp;", "&")) for m in ITEM.finditer(page)}


def rows_behind(client, url) -> int:
    """How many rows the list behind an item's link shows: a list's paginator, or the lines
    of a unit's own report page in the state the item counts."""
    response = client.get(url)
    assert response.status_code == 200, url
    if response.context.get("todo") is not None:
        return response.context["todo"]
    return response.context["page"].paginator.count


def assert_links_show_the_counts(client, items):
    for key, (count, url) in items.items():
        shown = rows_behind(client, url)
        if isinstance(shown, list):  # a unit's own page: its to-do lines in the item's state
            state = "missing" if key.startswith("reports_overdue") else "not_due"
            shown = sum(1 for cell, *_rest in shown if cell.state == state)
        assert shown == count, f"{key}: the home page says {count}, its list shows {shown}"


def test_a_street_officer_sees_its_own_work_and_none_of_its_neighbours(client, sign_in, world):
    response = home(client, sign_in, world["users"]["street"])
    items = items_on(response)
    wulin = response.context["memberships"][0].unit.pk
    assert {k: c for k, (c, _u) in items.items()} == {
        f"reports_returned_{wulin}": 1,
        f"reports_overdue_{wulin}": items[f"reports_overdue_{wulin}"][0],
        f"reports_due_{wulin}": items[f"reports_due_{wulin}"][0],
        "hazards_returned": 1,
        "hazards_rectify_overdue": 1,
        "hazards_assign": 1,
        "hazards_rectify": 3,
        "risks_review_overdue": 1,
        "risks_review_due": 1,
    }, "Tianshui's hazards, risks and reports are not Wulin's work; nothing to verify for a street"
    assert_links_show_the_counts(client, items)
    hazard_page = client.get(items["hazards_rectify"][1]).content.decode()
    assert world["hazards"]["rectify"].number in hazard_page
    assert world["hazards"]["tianshui_rectify"].number not in hazard_page
    # The urgent ones come first.
    keys = list(items)
    assert keys.index("hazards_returned") < keys.index("hazards_rectify")


def test_filing_an_overdue_report_takes_it_off_the_count(client, sign_in, world, unit):
    street = world["users"]["street"]
    wulin = unit(WULIN)
    before = items_on(home(client, sign_in, street))[f"reports_overdue_{wulin.pk}"][0]
    assert before >= 1
    period = next(
        p
        for p in Period.objects.filter(report_type__code="monthly_item", due_on__lt=timezone.localdate())
        if not p.submissions.filter(unit=wulin).exists()
    )
    s = reports.submission_start(by=street, unit=wulin, period=period, title="补报", body="补报。")
    reports.submission_submit(submission=s, by=street)
    assert items_on(home(client, sign_in, street))[f"reports_overdue_{wulin.pk}"][0] == before - 1


def test_the_neighbouring_street_sees_only_its_own(client, sign_in, world):
    response = home(client, sign_in, world["users"]["other_street"])
    items = items_on(response)
    counts = {k: c for k, (c, _u) in items.items() if not k.startswith("reports_")}
    assert counts == {
        "hazards_returned": 1,
        "hazards_rectify_overdue": 1,
        "hazards_assign": 1,
        "hazards_rectify": 1,
        "risks_review_overdue": 1,
        "risks_review_due": 1,
    }
    assert not any(k.startswith("reports_returned") for k in items), "Tianshui's report was not returned"
    assert_links_show_the_counts(client, items)


def test_a_community_sees_the_reviews_of_its_own_risks_and_nothing_of_its_street(client, sign_in, world):
    items = items_on(home(client, sign_in, world["users"]["community"]))
    # The community files no reports (the plan's report types are filed by streets and departments),
    # rectifies nothing assigned to it yet, and keeps one risk whose review is due.
    assert {k: c for k, (c, _u) in items.items()} == {"risks_review_due": 1}
    assert_links_show_the_counts(client, items)


def test_an_inspector_is_asked_to_verify_in_the_units_assigned_to_the_team(client, sign_in, world):
    items = items_on(home(client, sign_in, world["users"]["inspector"]))
    assert {k: c for k, (c, _u) in items.items()} == {"hazards_verify": 1, "hazards_assign": 1}
    assert_links_show_the_counts(client, items)


def test_the_fire_department_verifies_its_sector_district_wide(client, sign_in, world):
    items = items_on(home(client, sign_in, world["users"]["fire_department"]))
    assert items["hazards_verify"][0] == 2, "fire hazards awaiting verification in Wulin and in Tianshui"
    assert "hazards_rectify" not in items, "the department is responsible for none"
    assert_links_show_the_counts(client, items)


def test_a_reviewer_sees_the_reports_awaiting_review_and_the_hazards_to_verify(client, sign_in, world):
    items = items_on(home(client, sign_in, world["users"]["reviewer"]))
    assert {k: c for k, (c, _u) in items.items()} == {
        "reports_awaiting_review": 2,  # Wulin's second month and Tianshui's first
        "hazards_verify": 2,
        "hazards_assign": 2,
    }
    assert_links_show_the_counts(client, items)


def test_a_leader_sees_an_overview_and_no_tasks(client, sign_in, world):
    response = home(client, sign_in, world["users"]["leader"])
    page = response.content.decode()
    assert "概况" in page and 'data-testid="overview"' in page and 'data-testid="todo"' not in page
    items = items_on(response)
    assert {k: c for k, (c, _u) in items.items() if k != "reports_missing"} == {
        "hazards_overdue": 2,
        "hazards_major": 0,
        "hazards_reported": 2,
        "hazards_awaiting_verification": 2,
        "risks_review_overdue": 2,
        "risks_review_due": 2,
        "reports_awaiting_review": 2,
        "reports_returned": 1,
        "key_tasks_overdue": 0,  # the world sets out no key task: a leader reads the noughts too
        "key_tasks_due_soon": 0,
    }
    assert items["reports_missing"][0] > 0
    assert_links_show_the_counts(client, {k: v for k, v in items.items() if k != "reports_missing"})


def test_someone_with_nothing_to_do_is_told_so_in_chinese(client, sign_in, world):
    page = home(client, sign_in, world["users"]["security_admin"]).content.decode()
    assert "今天没有待办事项。" in page
    assert "data-todo=" not in page
    # The units and targets stay on the page, below.
    assert page.index("今天没有待办事项") < page.index('data-testid="memberships"')


def test_a_street_with_everything_done_is_told_so(client, sign_in, plan, unit, make_user):
    # The plan's campaign ended in 2020: its reports are a record now, owed to no one today.
    plan.ends_on = timezone.localdate() - datetime.timedelta(days=1)
    plan.save()
    page = home(client, sign_in, make_user(Role.COMMUNITY_STAFF, unit(ZHONGBEI))).content.decode()
    assert "今天没有待办事项。" in page


@pytest.mark.parametrize(
    "name, queries",
    [
        (
            "street",
            REQUEST_START
            + 1  # the user's memberships → the scope, the roles card and the menu
            + 1  # the ids of the units in that scope, once per request (a row's unit is one of them)
            + 1  # reports: the campaigns, with their districts
            + 1  # reports: the report types
            + 1  # reports: the periods of every type
            + 1  # reports: the grouped count for the street
            + 1  # reports: the street's returned reports, by unit
            + 1  # hazards: to assign, rectify (overdue, returned) and verify, one aggregate
            + 1  # risks: reviews overdue and due, one aggregate over the risks the street keeps
            + 1  # key tasks: overdue and due soon of those the street shares, one aggregate
            + DASHBOARD_CARDS
            + 1  # the current campaign
            + 1  # its targets
            + REQUEST_END,
        ),
        (
            "reviewer",
            REQUEST_START
            + SECOND_FACTOR
            + 1  # the user's memberships
            + 1  # the ids of the units in that scope, once per request (a row's unit is one of them)
            + 1  # reports: COUNT awaiting review (the office files none: no calendar)
            + 1  # hazards: one aggregate
            # risks: none — the office keeps no risks, so the aggregate is known to be zero unasked
            + 1  # key tasks: overdue and due soon in the district, one aggregate
            + DASHBOARD_CARDS
            + 1  # the current campaign
            + 1  # its targets
            + REQUEST_END,
        ),
        (
            "leader",
            REQUEST_START
            + 1  # the user's memberships
            + 1  # the ids of the units in that scope, once per request (a row's unit is one of them)
            + 1  # reports: awaiting review and returned, one aggregate
            + 1  # reports: the campaigns
            + 1  # reports: the report types
            + 1  # reports: the periods
            + 1  # reports: the filing units, with their parents
            + 1  # reports: the grouped count over the district
            + 1  # hazards: one aggregate
            + 1  # risks: one aggregate over every risk the leader sees
            + 1  # key tasks: overdue and due soon of every task the leader sees, one aggregate
            + DASHBOARD_CARDS
            + 1  # the current campaign
            + 1  # its targets
            + REQUEST_END,
        ),
        (
            "security_admin",
            REQUEST_START
            + SECOND_FACTOR
            + 1  # the user's memberships: no campaign data, nothing counted
            + 1  # the worker's heartbeat
            + 1  # the current campaign
            + 1  # its targets
            + REQUEST_END,
        ),
    ],
)
def test_the_home_page_costs_a_fixed_number_of_queries_per_role(
    client, sign_in, world, django_assert_num_queries, name, queries
):
    sign_in(client, world["users"][name])
    with django_assert_num_queries(queries):
        client.get(reverse("home"))
