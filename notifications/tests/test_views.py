"""The notification centre: the bell's count in one query, the list and its filters, opening a
line (read, then to its subject), mark read and all read, muting, and nobody else's notifications;
a long digest: its first lines of each kind on the list, all of them a page at a time on its own page."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Mute, Notice, Notification, Reminder, Subject
from notifications.selectors import FIRST_LINES
from notifications.sweep import sweep

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
REQUEST_START = 3  # the session; the user; their memberships (the session's idle limit: a privileged role?)
REQUEST_END = 0  # no session write: a session is written when it changes, its last request time once a minute


@pytest.fixture
def swept(people, january):
    """Two sweeps a few days apart: Wulin's filer has two unread digests."""
    sweep(today=january.due_on - 7 * DAY)
    sweep(today=january.due_on - 3 * DAY)
    assert Notification.objects.filter(recipient=people["wulin"]).count() == 2
    return people


def test_the_bell_counts_unread_notifications_in_one_query(client, sign_in, swept):
    sign_in(client, swept["wulin"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("notification_unread"))
    assert response.json() == {"unread": 2}
    bell = 1  # COUNT(*) of the person's unread notifications (the partial index notification_unread)
    assert len(queries) == REQUEST_START + bell + REQUEST_END, "\n".join(q["sql"][:150] for q in queries)
    assert sum('"notifications_notification"' in q["sql"] for q in queries) == 1


def test_every_page_carries_the_bell_but_pays_no_query_for_it(client, sign_in, swept):
    sign_in(client, swept["wulin"])
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="bell"' in page and reverse("notification_unread") in page
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    assert not any('"notifications_' in q["sql"] for q in queries)


def test_opening_a_line_marks_its_notification_read_and_goes_to_the_report_form(client, sign_in, swept, january):
    wulin = swept["wulin"]
    sign_in(client, wulin)
    page = client.get(reverse("notification_list")).content.decode()
    assert "武林街道" in page and page.count('data-testid="notification"') == 2
    note = Notification.objects.filter(recipient=wulin).first()
    line = note.reminders.get(subject__startswith=f"report:{january.pk}:")
    response = client.get(reverse("notification_open", args=[note.pk, line.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("submission_new", args=[january.pk, line.subject.split(":")[2]])
    assert client.get(response["Location"]).status_code == 200  # the form opens for its reader
    assert client.get(reverse("notification_unread")).json() == {"unread": 1}


def test_mark_read_all_read_and_the_filters(client, sign_in, swept):
    wulin = swept["wulin"]
    sign_in(client, wulin)
    first = Notification.objects.filter(recipient=wulin).last()
    client.post(reverse("notification_read", args=[first.pk]))
    assert client.get(reverse("notification_unread")).json() == {"unread": 1}
    unread = client.get(reverse("notification_list"), {"unread": "1"}).content.decode()
    assert unread.count('data-testid="notification"') == 1
    hazards = client.get(reverse("notification_list"), {"kind": Subject.HAZARD_DEADLINE}).content.decode()
    assert 'data-testid="no-notifications"' in hazards
    client.post(reverse("notifications_read_all"))
    assert client.get(reverse("notification_unread")).json() == {"unread": 0}
    assert not Notification.objects.filter(recipient=wulin, read_at__isnull=True).exists()
    # Each read is a change with history, and so in the audit trail.
    assert Notification.history.filter(recipient=wulin, read_at__isnull=False).count() == 2


def test_marking_read_goes_back_to_a_page_of_this_site_and_nowhere_else(client, sign_in, swept):
    sign_in(client, swept["wulin"])
    first = Notification.objects.filter(recipient=swept["wulin"]).last()
    for given, back in (
        ("/hazards/?page=2", "/hazards/?page=2"),
        ("0", reverse("notification_list")),  # a bare word once answered 500 (taken for a view's name)
        ("https://evil.example/", reverse("notification_list")),
        ("//evil.example/", reverse("notification_list")),
    ):
        for path in (reverse("notifications_read_all"), reverse("notification_read", args=[first.pk])):
            answer = client.post(path, {"next": given})
            assert (answer.status_code, answer["Location"]) == (302, back), (path, given)


def test_nobody_opens_or_reads_another_persons_notification(client, sign_in, swept):
    theirs = Notification.objects.filter(recipient=swept["wulin"]).first()
    line = theirs.reminders.first()
    sign_in(client, swept["tianshui"])
    assert client.get(reverse("notification_open", args=[theirs.pk, line.pk])).status_code == 404
    assert client.post(reverse("notification_read", args=[theirs.pk])).status_code == 404
    client.post(reverse("notifications_read_all"))
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert "武林街道" not in client.get(reverse("notification_list")).content.decode()


def test_a_person_mutes_and_unmutes_a_kind(client, sign_in, people, january):
    wulin = people["wulin"]
    sign_in(client, wulin)
    page = client.get(reverse("notification_settings")).content.decode()
    assert f'data-kind="{Subject.REPORT_DUE}"' in page
    client.post(reverse("notification_settings"), {"kind": Subject.REPORT_DUE, "muted": "1"})
    assert Mute.objects.filter(user=wulin, kind=Subject.REPORT_DUE).exists()
    sweep(today=january.due_on)
    assert not Reminder.objects.filter(recipient=wulin).exists()
    client.post(reverse("notification_settings"), {"kind": Subject.REPORT_DUE, "muted": "0"})
    sweep(today=january.due_on + DAY)
    assert Reminder.objects.filter(recipient=wulin, kind=Subject.REPORT_DUE).exists()


def test_the_list_costs_the_same_queries_however_many_notifications_and_lines(client, sign_in, swept, january):
    for n in range(1, 6):
        sweep(today=january.due_on + 3 * n * DAY)
    wulin = swept["wulin"]
    assert Notification.objects.filter(recipient=wulin).count() == 7
    sign_in(client, wulin)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("notification_list"))
    assert response.status_code == 200
    page = (
        1  # the page's notifications
        + 1  # their first lines of each kind, with each kind's count (and so the notification's)
        + 1  # the unread count (the "mark all read" button)
    )
    paging = 1  # the paginator's COUNT
    assert len(queries) == REQUEST_START + paging + page + REQUEST_END, "\n".join(q["sql"][:150] for q in queries)


def digest(user, lines: dict[str, int]) -> Notification:
    """A digest written directly: `lines` notices of each kind, in that order (the office's
    digest of a large district holds tens of thousands)."""
    note = Notification.objects.create(recipient=user, title="每日提醒汇总")
    add_lines(note, lines)
    return note


def add_lines(note: Notification, lines: dict[str, int]) -> None:
    start = note.reminders.count()
    rows = [(kind, i) for kind, n in lines.items() for i in range(n)]
    Reminder.objects.bulk_create(
        Reminder(
            recipient=note.recipient,
            notification=note,
            kind=kind,
            subject=f"hazard_event:{note.pk}-{start + position}",
            text=f"{kind} 第{i + 1}条",
            url="/hazards/",
            position=start + position,
        )
        for position, (kind, i) in enumerate(rows)
    )


def lines_of(page: str, kind: str) -> list[str]:
    return re.findall(rf'data-testid="notification-line" data-kind="{kind}"[^>]*>([^<]*)<', page)


LONG, SHORT = Notice.HAZARD_ASSIGNED, Notice.REPORT_RETURNED


def test_the_list_shows_a_long_digests_first_lines_of_each_kind_and_how_many_more(client, sign_in, people):
    note = digest(people["office"], {LONG: 120, SHORT: 3})
    sign_in(client, people["office"])
    page = client.get(reverse("notification_list")).content.decode()
    assert lines_of(page, LONG) == [f"{LONG} 第{i}条" for i in range(1, 6)]  # the first five, in the digest's order
    assert lines_of(page, SHORT) == [f"{SHORT} 第{i}条" for i in range(1, 4)]
    more = re.findall(r'href="([^"]*)" data-testid="notification-more" data-kind="(\w+)"[^>]*>([^<]*)<', page)
    assert more == [(f"{reverse('notification_detail', args=[note.pk])}?kind={LONG}", LONG, "还有 115 条")]
    assert "123 项" in page  # the notification's count of lines stays
    assert f'href="{reverse("notification_detail", args=[note.pk])}"' in page  # its title opens its page


def test_a_notifications_page_shows_its_lines_a_hundred_at_a_time_and_by_kind(client, sign_in, people):
    note = digest(people["office"], {LONG: 120, SHORT: 3})
    sign_in(client, people["office"])
    url = reverse("notification_detail", args=[note.pk])
    first = client.get(url).content.decode()
    assert len(lines_of(first, LONG)) == 100 and not lines_of(first, SHORT)
    assert lines_of(first, LONG)[0] == f"{LONG} 第1条" and "1 / 2" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert lines_of(second, LONG) == [f"{LONG} 第{i}条" for i in range(101, 121)]
    assert lines_of(second, SHORT) == [f"{SHORT} 第{i}条" for i in range(1, 4)]
    only = client.get(url, {"kind": SHORT}).content.decode()
    assert lines_of(only, SHORT) == [f"{SHORT} 第{i}条" for i in range(1, 4)] and not lines_of(only, LONG)
    # The kind filter offers the kinds the notification holds, and nothing else.
    kinds = re.search(r'<select name="kind".*?</select>', first, re.S).group()
    assert re.findall(r'<option value="(\w*)"', kinds) == ["", SHORT, LONG]
    # Reading the page does not mark the notification read; opening a line does.
    assert Notification.objects.get(pk=note.pk).read_at is None
    line = note.reminders.get(position=0)
    assert f'href="{reverse("notification_open", args=[note.pk, line.pk])}"' in first
    assert client.get(reverse("notification_open", args=[note.pk, line.pk])).status_code == 302
    assert Notification.objects.get(pk=note.pk).read_at is not None


def test_nobody_sees_another_persons_notification_page(client, sign_in, people):
    note = digest(people["office"], {SHORT: 3})
    sign_in(client, people["wulin"])
    assert client.get(reverse("notification_detail", args=[note.pk])).status_code == 404
    sign_in(client, people["office"])
    assert client.get(reverse("notification_detail", args=[note.pk])).status_code == 200


def test_the_list_costs_the_same_queries_for_a_digest_of_three_lines_or_three_hundred(client, sign_in, people):
    note = digest(people["wulin"], {SHORT: 3})  # a street filer: no second factor's query (REQUEST_START)
    sign_in(client, people["wulin"])
    sql = []

    def list_queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("notification_list"))
        assert response.status_code == 200
        sql[:] = queries.captured_queries
        return len(queries), response.content.decode()

    short, page = list_queries()
    assert len(lines_of(page, SHORT)) == 3
    add_lines(note, {LONG: 297})
    long, page = list_queries()
    assert len(lines_of(page, LONG)) == FIRST_LINES and "还有 292 条" in page and "300 项" in page
    the_list = (
        1  # the paginator's COUNT
        + 1  # the page's notifications
        + 1  # their first lines of each kind, with each kind's count (and so the notification's)
        + 1  # the unread count (the "mark all read" button)
    )
    assert short == long == REQUEST_START + the_list + REQUEST_END, "\n".join(q["sql"][:150] for q in sql)
