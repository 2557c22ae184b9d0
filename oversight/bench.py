"""Benchmark volumes for the dashboards (manage.py bench_dashboard), written in bulk on PostgreSQL.

On top of the demo (load_demo, then scale_up for communities, grids and sites), with the demo
campaign stretched back to cover the months asked for:

- hazards spread evenly over the campaign's months, each with the timeline the services
  write (HazardEvent: logged, listed, assigned, submitted, returned, closed or cancelled), a
  history row of where it stands now, and the supervision listing of a major one;
- risk points graded with LEC (an inherent and a residual assessment, as the demo grades
  them), reviewed on their level's cadence (Review rows), a history row for every step;
- the reports nobody had filed for the campaign's earlier periods, through the reporting
  services (they are a few hundred: only streets and departments file).

Bulk rows are INSERT … SELECT over generate_series, a chunk per transaction. What a row is
follows from a hash of its ordinal in the district (the n-th hazard of the district is always
the same hazard), so a rerun counts what is there and goes on from it: an interrupted seed
resumes, a finished one is skipped. Bulk rows leave out what the services would add beside
them: photos (no files are written), extension requests, and the audit trail of each step
(the audit listens to the services' history rows; rows written in SQL send nothing)."""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from campaign.demo import RISK_TEMPLATES, load_demo, scale_up
from campaign.lib.deadlines import DEADLINE_TZ, deadline_today
from campaign.lib.history import save_with_history
from campaign.models import Campaign, Target
from campaign.plan import DISTRICT_CODE
from districts.models import Membership, OrgUnit, Role, Sector, Site, User
from districts.services import membership_create, orgunit_save, user_create
from hazards.demo import HAZARDS as DEMO_HAZARDS
from hazards.models import Hazard, HazardEvent, Source, SupervisionListing
from reporting.models import Period, PeriodKind, Submission
from reporting.periods import unit_owes
from reporting.selectors import filer_units
from reporting.services import submission_accept, submission_start, submission_submit
from risks.models import Assessment, AssessmentMethod, ControlRule, Level, Review, RiskPoint, below_control_level

HAZARD_CHUNK = 100_000
RISK_CHUNK = 50_000
OFFICE_USERNAME = "office"
# The keys a staged row points with (the rest are the office's, read by id, or rows of the same chunk).
HAZARD_KEYS = {
    "unit_id": "districts_orgunit",
    "site_id": "districts_site",
    "sector_id": "districts_sector",
    "responsible_id": "districts_orgunit",
    "found_by": "districts_user",
    "rectifier": "districts_user",
}
RISK_KEYS = {
    "unit_id": "districts_orgunit",
    "site_id": "districts_site",
    "sector_id": "districts_sector",
    "responsible_id": "districts_orgunit",
    "by_id": "districts_user",
}
PEOPLE = ["王建国", "李丽华", "张志强", "刘秀英", "陈伟", "杨敏", "赵磊", "黄静", "周涛", "吴芳"]
HAZARD_TITLES = [title for title, *_rest in DEMO_HAZARDS]
# Residual LEC inputs that land in each level (two per level, half the risks each) and the
# share of risks at that level; the inherent grade is the same with C at least 40, as in the demo.
RISK_PROFILES = [
    (Level.MAJOR, 0.02, [{"L": 6, "E": 6, "C": 15}, {"L": 3, "E": 6, "C": 40}]),
    (Level.SIGNIFICANT, 0.10, [{"L": 1, "E": 6, "C": 40}, {"L": 3, "E": 6, "C": 15}]),
    (Level.GENERAL, 0.40, [{"L": 1, "E": 6, "C": 15}, {"L": 3, "E": 6, "C": 7}]),
    (Level.LOW, 0.48, [{"L": 1, "E": 3, "C": 15}, {"L": 1, "E": 6, "C": 7}]),
]


@dataclass(frozen=True)
class Volumes:
    hazards: int = 1_000_000
    risks: int = 200_000
    communities: int = 180
    sites: int = 50_000
    months: int = 24


def ensure_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise ImproperlyConfigured(
            f"The dashboard benchmark seeds in bulk with PostgreSQL's generate_series; this database is "
            f"{connection.vendor}. Set DATABASE_URL=postgres://… to a database of its own."
        )


def _rand(salt: int) -> str:
    """SQL for a number in [0, 1) fixed by the row's ordinal `g` and `salt` (< 64)."""
    return f"((hashint8(g * 64 + {salt}) & 2147483647)::float8 / 2147483648.0)"


def _columns(model) -> list[str]:
    return [field.column for field in model._meta.concrete_fields]


def _sequence(model) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
        return cursor.fetchone()[0]


def _history_sql(model, *, source: str, on: str, date: str, kind: str, user: str, overrides=None, more="") -> str:
    """INSERT of one history row per row of `model` joined to `source` (alias b) `on`: the row as
    stored, but for the columns in `overrides`, dated `date`, of `kind` ('+' or '~'), by `user`."""
    columns = _columns(model)
    values = [(overrides or {}).get(column, f"h.{column}") for column in columns]
    return (
        f"INSERT INTO {model.history.model._meta.db_table} "  # noqa: S608 (model tables, our own SQL)
        f"({', '.join(columns)}, history_date, history_change_reason, history_type, history_user_id) "
        f"SELECT {', '.join(values)}, {date}, NULL, {kind}, {user} "
        f"FROM {model._meta.db_table} h JOIN {source} b ON {on} {more}"
    )


def _bulk_chunk(cursor) -> None:
    """The settings of one chunk's transaction. Its foreign keys are checked once per chunk, by
    _check_keys on the staged key sets, rather than by a trigger for every row and key (which
    took half the time): session_replication_role=replica skips those triggers, and only those;
    the only other triggers here, the audit's append-only ones, fire on UPDATE and DELETE, and
    CHECK constraints still hold. PostgreSQL lets a superuser set it: the benchmark's database
    runs as one."""
    cursor.execute("SET LOCAL synchronous_commit = off")
    cursor.execute("SET LOCAL session_replication_role = replica")


def _check_keys(cursor, staging: str, keys: dict[str, str]) -> None:
    """Every staged value of each column in `keys` is the id of a row of its table."""
    for column, table in keys.items():
        cursor.execute(
            f"SELECT count(*) FROM (SELECT DISTINCT {column} AS k FROM {staging} WHERE {column} IS NOT NULL) x "  # noqa: S608
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.id = x.k)"
        )
        if missing := cursor.fetchone()[0]:
            raise RuntimeError(f"{missing} values of {staging}.{column} are not ids of {table}")


def in_district(queryset, district: OrgUnit, lookup: str = "unit__"):
    return queryset.filter(
        **{f"{lookup}tree_id": district.tree_id, f"{lookup}lft__gte": district.lft, f"{lookup}rght__lte": district.rght}
    )


def _month_back(first: datetime.date, months: int) -> datetime.date:
    index = first.year * 12 + first.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_covered(campaign: Campaign, today: datetime.date) -> int:
    last = min(today, campaign.ends_on)
    return (last.year - campaign.starts_on.year) * 12 + last.month - campaign.starts_on.month + 1


# ---------------------------------------------------------------- the demo, stretched


def stretch_campaign(district: OrgUnit, months: int) -> Campaign:
    """The district's current campaign, started early enough to cover `months` months up to
    this one (moved back, never forward). Saving it brings the report periods along."""
    campaign = Campaign.objects.filter(district=district).current()
    first = _month_back(deadline_today().replace(day=1), months - 1)
    if campaign.starts_on > first:
        campaign.starts_on = first
        with transaction.atomic():
            save_with_history(campaign, None)
    return campaign


def _ensure_filers(district: OrgUnit) -> None:
    """A staff account for every street and department: they rectify, review risks and file."""
    roles = {OrgUnit.Kind.STREET: Role.STREET_STAFF, OrgUnit.Kind.DEPARTMENT: Role.DEPARTMENT_STAFF}
    staffed = set(Membership.objects.filter(role__in=roles.values()).values_list("unit_id", flat=True))
    for unit in OrgUnit.objects.filter(parent=district, kind__in=roles).exclude(pk__in=staffed):
        with transaction.atomic():
            username = f"filer-{unit.code.lower()}"
            user = User.objects.filter(username=username).first() or user_create(
                by=None, username=username, full_name=f"{unit.name} 信息员"
            )
            membership_create(user=user, unit=unit, role=roles[unit.kind])


# ---------------------------------------------------------------- lookup tables for the SQL


def _lookup_tables(cursor, district: OrgUnit) -> dict[str, int]:
    """Session tables the bulk SQL picks places, sites, sectors and staff from, by number."""
    for name in ("bench_place", "bench_site", "bench_sector", "bench_staff"):
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(
        """
        CREATE TEMP TABLE bench_place AS
        SELECT (row_number() OVER (ORDER BY u.id) - 1)::int AS n, u.id, u.code, u.name,
               CASE WHEN u.kind = 'grid' THEN u.parent_id ELSE u.id END AS community_id,
               CASE WHEN u.kind = 'grid' THEN c.parent_id ELSE u.parent_id END AS street_id
        FROM districts_orgunit u JOIN districts_orgunit c ON c.id = u.parent_id
        WHERE u.tree_id = %(tree)s AND u.lft > %(lft)s AND u.rght < %(rght)s AND u.kind IN ('community', 'grid')
        """,
        {"tree": district.tree_id, "lft": district.lft, "rght": district.rght},
    )
    cursor.execute(
        """
        CREATE TEMP TABLE bench_site AS
        SELECT (row_number() OVER (ORDER BY s.id) - 1)::int AS n, s.id, s.unit_id, s.sector_id,
               split_part(s.name, '（', 1) AS short_name, p.community_id, p.street_id
        FROM districts_site s JOIN bench_place p ON p.id = s.unit_id
        """
    )
    templates = [
        (code, *RISK_TEMPLATES[code][:2], RISK_TEMPLATES[code][3], RISK_TEMPLATES[code][4]) for code in RISK_TEMPLATES
    ]
    cursor.execute(
        """
        CREATE TEMP TABLE bench_sector AS
        SELECT (row_number() OVER (ORDER BY s."order", s.id) - 1)::int AS n, s.id, l.department_id AS lead_id,
               t.name AS risk_name, t.accident, t.factors, t.engineering
        FROM districts_sector s
        LEFT JOIN districts_sectorlead l ON l.sector_id = s.id AND l.district_id = %(district)s
        JOIN (SELECT * FROM unnest(%(codes)s::text[], %(names)s::text[], %(accidents)s::text[],
                                   %(factors)s::text[], %(engineering)s::text[])
              AS t(code, name, accident, factors, engineering)) t ON t.code = s.code
        """,
        {
            "district": district.pk,
            "codes": [t[0] for t in templates],
            "names": [t[1] for t in templates],
            "accidents": [t[2] for t in templates],
            "factors": [t[3] for t in templates],
            "engineering": [t[4] for t in templates],
        },
    )
    cursor.execute(
        """
        CREATE TEMP TABLE bench_staff AS
        SELECT unit_id, min(user_id) AS user_id FROM districts_membership
        WHERE role IN ('street_staff', 'department_staff') GROUP BY unit_id
        """
    )
    for name in ("bench_place", "bench_site", "bench_sector", "bench_staff"):
        cursor.execute(f"ANALYZE {name}")
    counts = {}
    for name in ("bench_place", "bench_site", "bench_sector"):
        cursor.execute(f"SELECT count(*) FROM {name}")  # noqa: S608 (our own table names)
        counts[name] = cursor.fetchone()[0]
    if counts["bench_sector"] != Sector.objects.count():
        raise ImproperlyConfigured("every sector needs a risk template in campaign.demo.RISK_TEMPLATES")
    return counts


# ---------------------------------------------------------------- hazards

_STAGE_HAZARDS = f"""
CREATE TEMP TABLE bench_hz AS
WITH base AS (
    SELECT g, nextval(%(seq)s::regclass) AS id,
           {_rand(1)} AS r_site, {_rand(2)} AS r_pick, {_rand(3)} AS r_sec, {_rand(4)} AS r_jit,
           {_rand(5)} AS r_grade, {_rand(6)} AS r_cancel, {_rand(7)} AS r_list, {_rand(8)} AS r_assign,
           {_rand(9)} AS r_days, {_rand(10)} AS r_stuck, {_rand(11)} AS r_took, {_rand(12)} AS r_return,
           {_rand(13)} AS r_back, {_rand(14)} AS r_again, {_rand(15)} AS r_close, {_rand(16)} AS r_source,
           {_rand(17)} AS r_title, {_rand(18)} AS r_resp, {_rand(19)} AS r_person, {_rand(20)} AS r_funds
    FROM generate_series(%(lo)s::bigint, %(hi)s::bigint - 1) AS g
), placed AS (
    SELECT b.*, coalesce(s.unit_id, p.id) AS unit_id, s.id AS site_id, coalesce(s.sector_id, sec.id) AS sector_id,
           coalesce(s.street_id, p.street_id) AS street_id,
           date_trunc('minute', %(start)s + (b.g + b.r_jit) / %(total)s * %(span)s * interval '1 second') AS found_at,
           b.r_cancel < 0.02 AS cancelled,
           b.r_cancel >= 0.02 AND b.r_grade < 0.01 AS major,
           b.r_stuck < 0.025 AS stuck,
           b.r_return < 0.08 AS returned
    FROM base b
    LEFT JOIN bench_site s ON b.r_site < 0.8 AND s.n = floor(b.r_pick * %(n_sites)s)::int
    LEFT JOIN bench_place p ON b.r_site >= 0.8 AND p.n = floor(b.r_pick * %(n_places)s)::int
    LEFT JOIN bench_sector sec ON b.r_site >= 0.8 AND sec.n = floor(b.r_sec * %(n_sectors)s)::int
), listed AS (
    SELECT x.*, x.found_at + (2 + x.r_list * 46) * interval '1 hour' AS listed_at,
           CASE WHEN x.major THEN 30 + floor(x.r_days * 91) ELSE 7 + floor(x.r_days * 54) END::int AS days,
           x.found_at + (1 + x.r_assign * 47) * interval '1 hour' AS cancel_at
    FROM placed x
), assigned AS (
    SELECT x.*,
           CASE WHEN x.major THEN x.listed_at ELSE x.found_at END + (1 + x.r_assign * 71) * interval '1 hour'
               AS assigned_at,
           (x.listed_at AT TIME ZONE 'Asia/Shanghai')::date + 120 AS plan_time_limit
    FROM listed x
), submitted AS (
    SELECT x.*,
           CASE WHEN x.major THEN least((x.assigned_at AT TIME ZONE 'Asia/Shanghai')::date + x.days, x.plan_time_limit)
                ELSE (x.assigned_at AT TIME ZONE 'Asia/Shanghai')::date + x.days END AS deadline_on,
           x.assigned_at + (0.1 + x.r_took * 1.05) * x.days * interval '1 day' AS first_submit
    FROM assigned x
), returned AS (
    SELECT x.*, x.first_submit + (12 + x.r_back * 48) * interval '1 hour' AS return_at,
           x.first_submit + (12 + x.r_back * 48) * interval '1 hour' + (1 + x.r_again * 5) * interval '1 day'
               AS second_submit
    FROM submitted x
), closed AS (
    SELECT x.*, CASE WHEN x.returned THEN x.second_submit ELSE x.first_submit END AS final_submit
    FROM returned x
), fated AS (
    SELECT x.*, x.final_submit + (4 + x.r_close * 92) * interval '1 hour' AS close_at,
           CASE
               WHEN x.cancelled AND x.cancel_at <= %(now)s THEN 'cancelled'
               WHEN x.cancelled OR x.assigned_at > %(now)s THEN 'reported'
               WHEN x.stuck OR x.first_submit > %(now)s THEN 'rectifying'
               WHEN x.returned AND x.return_at > %(now)s THEN 'awaiting_verification'
               WHEN x.returned AND x.second_submit > %(now)s THEN 'rectifying'
               WHEN x.final_submit + (4 + x.r_close * 92) * interval '1 hour' > %(now)s THEN 'awaiting_verification'
               ELSE 'closed'
           END AS status
    FROM closed x
), owned AS (
    SELECT x.*, extract(year FROM x.found_at AT TIME ZONE 'Asia/Shanghai')::int AS year,
           x.major AND x.listed_at <= %(now)s AS is_listed,
           CASE WHEN x.r_resp < 0.8 OR sec.lead_id IS NULL THEN x.street_id ELSE sec.lead_id END AS responsible_id,
           coalesce(finder.user_id, %(office)s) AS found_by
    FROM fated x JOIN bench_sector sec ON sec.id = x.sector_id
    LEFT JOIN bench_staff finder ON finder.unit_id = x.street_id
)
SELECT x.*, coalesce(rectifier.user_id, %(office)s) AS rectifier,
       x.status IN ('rectifying', 'awaiting_verification', 'closed') AS is_assigned,
       CASE x.status
           WHEN 'reported' THEN CASE WHEN x.is_listed THEN x.listed_at ELSE x.found_at END
           WHEN 'cancelled' THEN x.cancel_at
           WHEN 'rectifying' THEN
               CASE WHEN x.returned AND NOT x.stuck AND x.return_at <= %(now)s THEN x.return_at ELSE x.assigned_at END
           WHEN 'awaiting_verification' THEN
               CASE WHEN x.returned AND x.return_at > %(now)s THEN x.first_submit ELSE x.final_submit END
           ELSE x.close_at
       END AS last_at
FROM owned x LEFT JOIN bench_staff rectifier ON rectifier.unit_id = x.responsible_id
"""  # noqa: S608 (our own constants: hash expressions, no input)

_INSERT_HAZARDS = """
INSERT INTO hazards_hazard (
    id, number, title, unit_id, site_id, sector_id, risk_id, location, description, grade, source, found_at,
    found_by_id, status, issuing_unit_id, responsible_unit_id, responsible_person, responsible_phone, deadline,
    measures, assigned_at, rectification, rectified_at, closed_at, created_at, updated_at)
SELECT h.id,
       'YH' || %(code)s || '-' || h.year || '-' || CASE WHEN h.seq < 1000000 THEN lpad(h.seq::text, 6, '0')
                                                      ELSE h.seq::text END,
       h.title, h.unit_id, h.site_id, h.sector_id, NULL, '', h.title || '，存在安全隐患，需及时整改。',
       CASE WHEN h.major THEN 'major' ELSE 'general' END,
       (%(sources)s::text[])[1 + floor(h.r_source * cardinality(%(sources)s::text[]))::int],
       h.found_at, h.found_by, h.status,
       CASE WHEN h.is_assigned THEN %(office_unit)s END,
       CASE WHEN h.is_assigned THEN h.responsible_id END,
       CASE WHEN h.is_assigned THEN h.person ELSE '' END,
       CASE WHEN h.is_assigned THEN '0571-8' || lpad(mod(h.g, 10000000)::text, 7, '0') ELSE '' END,
       CASE WHEN h.is_assigned THEN h.deadline_on END,
       CASE WHEN h.is_assigned THEN %(measures)s ELSE '' END,
       CASE WHEN h.is_assigned THEN h.assigned_at END,
       CASE WHEN h.status IN ('awaiting_verification', 'closed') OR (h.status = 'rectifying' AND h.returned
                 AND NOT h.stuck AND h.return_at <= %(now)s) THEN %(rectification)s ELSE '' END,
       CASE h.status WHEN 'awaiting_verification' THEN h.last_at WHEN 'closed' THEN h.final_submit END,
       CASE WHEN h.status = 'closed' THEN h.close_at END,
       h.found_at, h.last_at
FROM (
    SELECT b.*, c.last + row_number() OVER (PARTITION BY b.year ORDER BY b.g) AS seq,
           (%(titles)s::text[])[1 + floor(b.r_title * cardinality(%(titles)s::text[]))::int] AS title,
           (%(people)s::text[])[1 + floor(b.r_person * cardinality(%(people)s::text[]))::int] AS person
    FROM bench_hz b JOIN hazards_hazardcounter c ON c.district_id = %(district)s AND c.year = b.year
) h
ORDER BY h.g
"""

_INSERT_EVENTS = """
INSERT INTO hazards_hazardevent (hazard_id, action, from_status, to_status, by_id, at, note, deadline)
SELECT * FROM (
    SELECT id, 'report', '', 'reported', found_by, found_at, '', NULL::date FROM bench_hz
    UNION ALL
    SELECT id, 'list', 'reported', 'reported', %(office)s, listed_at,
           %(office_name)s || ' ' || %(document)s || year || '〕' || g || '号', plan_time_limit
    FROM bench_hz WHERE is_listed
    UNION ALL
    SELECT id, 'assign', 'reported', 'rectifying', %(office)s, assigned_at, %(measures)s, deadline_on
    FROM bench_hz WHERE is_assigned
    UNION ALL
    SELECT id, 'submit', 'rectifying', 'awaiting_verification', rectifier, first_submit, %(rectification)s, NULL
    FROM bench_hz WHERE is_assigned AND NOT stuck AND first_submit <= %(now)s
    UNION ALL
    SELECT id, 'return', 'awaiting_verification', 'rectifying', %(office)s, return_at, %(reason)s, deadline_on
    FROM bench_hz WHERE is_assigned AND NOT stuck AND returned AND return_at <= %(now)s
    UNION ALL
    SELECT id, 'submit', 'rectifying', 'awaiting_verification', rectifier, second_submit, %(rectification)s, NULL
    FROM bench_hz WHERE is_assigned AND NOT stuck AND returned AND second_submit <= %(now)s
    UNION ALL
    SELECT id, 'close', 'awaiting_verification', 'closed', %(office)s, close_at, '现场复查合格', NULL
    FROM bench_hz WHERE status = 'closed'
    UNION ALL
    SELECT id, 'cancel', 'reported', 'cancelled', %(office)s, cancel_at, '经核实为重复登记', NULL
    FROM bench_hz WHERE status = 'cancelled'
) AS e (hazard_id, action, from_status, to_status, by_id, at, note, deadline)
ORDER BY at
"""

_INSERT_LISTINGS = """
INSERT INTO hazards_supervisionlisting (
    hazard_id, supervising_unit_id, document_number, listed_on, listed_by_id, plan_measures, plan_funds,
    plan_responsible, plan_time_limit, plan_contingency)
SELECT id, %(office_unit)s, %(document)s || year || '〕' || g || '号', (listed_at AT TIME ZONE 'Asia/Shanghai')::date,
       %(office)s, '立即设置警戒区，限期完成工程整改', round((5 + r_funds * 95)::numeric, 2),
       (%(people)s::text[])[1 + floor(r_person * cardinality(%(people)s::text[]))::int],
       plan_time_limit, '制定专项应急预案，落实24小时值守'
FROM bench_hz WHERE is_listed ORDER BY g
"""


def _hazard_params(district: OrgUnit, campaign: Campaign, total: int, counts: dict, now) -> dict:
    office = User.objects.get(username=OFFICE_USERNAME)
    office_unit = office.memberships.get(role=Role.REVIEWER).unit
    start = datetime.datetime.combine(campaign.starts_on, datetime.time.min, tzinfo=DEADLINE_TZ)
    return {
        "seq": _sequence(Hazard),
        "start": start,
        "span": (now - start).total_seconds() - 3600,
        "now": now,
        "total": total,
        "n_sites": counts["bench_site"],
        "n_places": counts["bench_place"],
        "n_sectors": counts["bench_sector"],
        "office": office.pk,
        "office_unit": office_unit.pk,
        "office_name": office_unit.name,
        "district": district.pk,
        "code": district.code,
        "sources": [str(source) for source in Source.values],
        "titles": HAZARD_TITLES,
        "people": PEOPLE,
        "measures": "按照相关标准立即整改，整改完成后上传照片",
        "rectification": "已按要求整改完毕",
        "reason": "复查发现仍未整改到位",
        "document": "下安委办〔",
    }


def seed_hazards(district: OrgUnit, campaign: Campaign, total: int, *, counts: dict, out) -> int:
    """Hazards up to `total` in the district (the demo's count toward it); returns how many were added."""
    have = in_district(Hazard.objects, district).count()
    if have >= total:
        return 0
    params = _hazard_params(district, campaign, total, counts, timezone.now())
    for lo in range(have, total, HAZARD_CHUNK):
        hi = min(lo + HAZARD_CHUNK, total)
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            _bulk_chunk(cursor)
            cursor.execute("DROP TABLE IF EXISTS bench_hz")
            cursor.execute(_STAGE_HAZARDS, {**params, "lo": lo, "hi": hi})
            _check_keys(cursor, "bench_hz", HAZARD_KEYS)
            cursor.execute(
                "INSERT INTO hazards_hazardcounter (district_id, year, last) "
                "SELECT DISTINCT %(district)s, year, 0 FROM bench_hz ON CONFLICT DO NOTHING",
                params,
            )
            cursor.execute("SELECT 1 FROM hazards_hazardcounter WHERE district_id = %(district)s FOR UPDATE", params)
            cursor.execute(_INSERT_HAZARDS, params)
            cursor.execute(
                "UPDATE hazards_hazardcounter c SET last = c.last + k.n "
                "FROM (SELECT year, count(*) AS n FROM bench_hz GROUP BY year) k "
                "WHERE c.district_id = %(district)s AND c.year = k.year",
                params,
            )
            cursor.execute(
                _history_sql(
                    Hazard,
                    source="bench_hz",
                    on="b.id = h.id",
                    date="b.last_at",
                    kind="CASE WHEN b.last_at = b.found_at THEN '+' ELSE '~' END",
                    user=(
                        "CASE WHEN b.status IN ('awaiting_verification') THEN b.rectifier "
                        "WHEN b.last_at = b.found_at THEN b.found_by ELSE %(office)s END"
                    ),
                ),
                params,
            )
            cursor.execute(_INSERT_EVENTS, params)
            cursor.execute(_INSERT_LISTINGS, params)
            cursor.execute(
                _history_sql(
                    SupervisionListing,
                    source="bench_hz",
                    on="b.id = h.hazard_id",
                    date="b.listed_at",
                    kind="'+'",
                    user="%(office)s",
                ),
                params,
            )
            cursor.execute("DROP TABLE bench_hz")
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        out(f"  hazards {hi:,} of {total:,} ({(hi - lo) / (time.perf_counter() - started):,.0f} rows/s)")
    return total - have


# ---------------------------------------------------------------- risks

_STAGE_RISKS = f"""
CREATE TEMP TABLE bench_rk AS
WITH base AS (
    SELECT g, nextval(%(seq)s::regclass) AS id,
           nextval(%(assessment_seq)s::regclass) AS inherent_id, nextval(%(assessment_seq)s::regclass) AS residual_id,
           {_rand(31)} AS r_site, {_rand(32)} AS r_pick, {_rand(33)} AS r_sec, {_rand(34)} AS r_level,
           {_rand(35)} AS r_inputs, {_rand(36)} AS r_created, {_rand(37)} AS r_reviewed, {_rand(38)} AS r_resp,
           {_rand(39)} AS r_person
    FROM generate_series(%(lo)s::bigint, %(hi)s::bigint - 1) AS g
), placed AS (
    SELECT b.*, coalesce(s.unit_id, p.id) AS unit_id, s.id AS site_id, coalesce(s.sector_id, sec.id) AS sector_id,
           coalesce(s.street_id, p.street_id) AS street_id, coalesce(s.community_id, p.community_id) AS community_id,
           coalesce(s.short_name, p.name) AS place_name,
           (CASE WHEN b.r_level < %(major)s THEN 0 WHEN b.r_level < %(significant)s THEN 1
                 WHEN b.r_level < %(general)s THEN 2 ELSE 3 END) * 2 + (b.r_inputs >= 0.5)::int AS profile,
           %(start)s + b.r_created * b.r_created * %(span)s * interval '1 second' AS created_at
    FROM base b
    LEFT JOIN bench_site s ON b.r_site < 0.9 AND s.n = floor(b.r_pick * %(n_sites)s)::int
    LEFT JOIN bench_place p ON b.r_site >= 0.9 AND p.n = floor(b.r_pick * %(n_places)s)::int
    LEFT JOIN bench_sector sec ON b.r_site >= 0.9 AND sec.n = floor(b.r_sec * %(n_sectors)s)::int
), graded AS (
    SELECT x.*, pr.level, pr.l, pr.e, pr.c, pr.c_in, pr.score, pr.level_in, pr.score_in, pr.cadence, pr.control,
           (x.created_at AT TIME ZONE 'Asia/Shanghai')::date AS created_on
    FROM placed x
    JOIN unnest(%(p_level)s::text[], %(p_l)s::float8[], %(p_e)s::float8[], %(p_c)s::float8[], %(p_c_in)s::float8[],
                %(p_score)s::numeric[], %(p_level_in)s::text[], %(p_score_in)s::numeric[], %(p_cadence)s::int[],
                %(p_control)s::text[])
         WITH ORDINALITY AS pr (level, l, e, c, c_in, score, level_in, score_in, cadence, control, n)
         ON pr.n = x.profile + 1
), reviewed AS (
    SELECT x.*, CASE WHEN x.r_reviewed < 0.85 THEN (%(today)s::date - x.created_on) / x.cadence ELSE 0 END AS reviews
    FROM graded x
)
SELECT x.*, u.code AS unit_code, sec.risk_name, sec.accident, sec.factors, sec.engineering,
       CASE WHEN x.reviews > 0 THEN x.created_on + x.reviews * x.cadence - mod(x.g + x.reviews, 5)::int END
           AS last_reviewed_on,
       CASE x.control
           WHEN 'district' THEN %(district)s
           WHEN 'street_or_department' THEN
               CASE WHEN x.r_resp < 0.7 OR sec.lead_id IS NULL THEN x.street_id ELSE sec.lead_id END
           ELSE x.community_id
       END AS responsible_id,
       coalesce(staff.user_id, %(office)s) AS by_id,
       (%(people)s::text[])[1 + floor(x.r_person * cardinality(%(people)s::text[]))::int] AS person
FROM reviewed x JOIN bench_sector sec ON sec.id = x.sector_id JOIN districts_orgunit u ON u.id = x.unit_id
LEFT JOIN bench_staff staff ON staff.unit_id = x.street_id
"""  # noqa: S608 (our own constants: hash expressions, no input)

_INSERT_RISKS = """
INSERT INTO risks_riskpoint (
    id, code, name, unit_id, site_id, sector_id, accident_type, description, hazard_factors, engineering_measures,
    management_measures, training_measures, protection_measures, emergency_measures, responsible_unit_id,
    responsible_person, status, current_assessment_id, last_reviewed_on, next_review_on, created_at, updated_at)
SELECT r.id, 'R' || r.unit_code || '-' || lpad((coalesce(m.last, 0) + row_number() OVER (
           PARTITION BY r.unit_id ORDER BY r.g))::text, 6, '0'),
       r.place_name || r.risk_name, r.unit_id, r.site_id, r.sector_id, r.accident, '', r.factors, r.engineering,
       '落实岗位安全责任制，定期检查并建立台账', '', '', '编制现场处置方案，每半年演练一次', r.responsible_id,
       r.person, 'active', r.residual_id, r.last_reviewed_on, coalesce(r.last_reviewed_on, r.created_on) + r.cadence,
       r.created_at,
       CASE WHEN r.reviews > 0 THEN (r.last_reviewed_on + time '10:00') AT TIME ZONE 'Asia/Shanghai'
            ELSE r.created_at END
FROM bench_rk r
LEFT JOIN (SELECT unit_id, max(substring(code FROM '-([0-9]+)$')::int) AS last FROM risks_riskpoint
           WHERE code IS NOT NULL GROUP BY unit_id) m ON m.unit_id = r.unit_id
ORDER BY r.g
"""

_INSERT_ASSESSMENTS = """
INSERT INTO risks_assessment (
    id, risk_id, stage, method_version_id, inputs, score, level, note, assessed_by_id, assessed_at)
SELECT * FROM (
    SELECT inherent_id, id, 'inherent', %(version)s, jsonb_build_object('L', l, 'E', e, 'C', c_in), score_in, level_in,
           '', by_id, created_at FROM bench_rk
    UNION ALL
    SELECT residual_id, id, 'residual', %(version)s, jsonb_build_object('L', l, 'E', e, 'C', c), score, level,
           '', by_id, created_at FROM bench_rk
) a ORDER BY 1
"""

_INSERT_REVIEWS = """
INSERT INTO risks_review (risk_id, reviewed_on, reviewed_by_id, note)
SELECT r.id, r.created_on + j * r.cadence - mod(r.g + j, 5)::int, r.by_id, '管控措施落实到位，未发现新增风险因素'
FROM bench_rk r CROSS JOIN LATERAL generate_series(1, r.reviews) AS j
ORDER BY 2
"""


def _risk_profiles() -> dict[str, list]:
    """The residual and inherent grades of each profile as the method's current version scores
    them (its bands are data), with the level's review cadence and control level."""
    version = AssessmentMethod.objects.get(code="lec").current
    rules = {rule.level: rule for rule in ControlRule.objects.all()}
    columns = {k: [] for k in ("level", "l", "e", "c", "c_in", "score", "level_in", "score_in", "cadence", "control")}
    for level, _share, inputs_list in RISK_PROFILES:
        for inputs in inputs_list:
            inherent = dict(inputs, C=max(inputs["C"], 40))
            score, score_in = version.score(inputs), version.score(inherent)
            if version.level_of(score) != level:
                raise ImproperlyConfigured(f"LEC {inputs} no longer grades as {level}: adjust RISK_PROFILES")
            rule = rules[level]
            unit_kind = {
                ControlRule.ControlLevel.DISTRICT: OrgUnit.Kind.DISTRICT,
                ControlRule.ControlLevel.STREET_OR_DEPARTMENT: OrgUnit.Kind.STREET,
            }.get(rule.control_level, OrgUnit.Kind.COMMUNITY)
            if below_control_level(unit_kind, rule.control_level):
                raise ImproperlyConfigured(f"a {unit_kind} may not control a {level} risk")
            for key, value in zip(
                columns,
                [
                    level,
                    inputs["L"],
                    inputs["E"],
                    inputs["C"],
                    inherent["C"],
                    score,
                    version.level_of(score_in),
                    score_in,
                    rule.review_every_days,
                    rule.control_level,
                ],
                strict=True,
            ):
                columns[key].append(value)
    shares = [share for _level, share, _inputs in RISK_PROFILES]
    return {
        **{f"p_{key}": values for key, values in columns.items()},
        "major": shares[0],
        "significant": shares[0] + shares[1],
        "general": shares[0] + shares[1] + shares[2],
        "version": version.pk,
    }


def seed_risks(district: OrgUnit, campaign: Campaign, total: int, *, counts: dict, out) -> int:
    """Risk points up to `total` in the district, graded and reviewed; returns how many were added."""
    have = in_district(RiskPoint.objects, district).count()
    if have >= total:
        return 0
    now = timezone.now()
    start = datetime.datetime.combine(campaign.starts_on, datetime.time.min, tzinfo=DEADLINE_TZ)
    params = {
        **_risk_profiles(),
        "seq": _sequence(RiskPoint),
        "assessment_seq": _sequence(Assessment),
        "start": start,
        "span": (now - start).total_seconds() - 3600,
        "today": deadline_today(),
        "n_sites": counts["bench_site"],
        "n_places": counts["bench_place"],
        "n_sectors": counts["bench_sector"],
        "district": district.pk,
        "office": User.objects.get(username=OFFICE_USERNAME).pk,
        "people": PEOPLE,
    }
    review_at = "(j.on_day + time '10:00') AT TIME ZONE 'Asia/Shanghai'"
    for lo in range(have, total, RISK_CHUNK):
        hi = min(lo + RISK_CHUNK, total)
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            _bulk_chunk(cursor)
            cursor.execute("DROP TABLE IF EXISTS bench_rk")
            cursor.execute(_STAGE_RISKS, {**params, "lo": lo, "hi": hi})
            _check_keys(cursor, "bench_rk", RISK_KEYS)
            cursor.execute(_INSERT_RISKS, params)
            cursor.execute(_INSERT_ASSESSMENTS, params)
            cursor.execute(_INSERT_REVIEWS, params)
            # As risk_create then risks_assess write them: added, then graded; then each review.
            cursor.execute(
                _history_sql(
                    RiskPoint,
                    source="bench_rk",
                    on="b.id = h.id",
                    date="b.created_at",
                    kind="'+'",
                    user="b.by_id",
                    overrides={
                        "current_assessment_id": "NULL",
                        "last_reviewed_on": "NULL",
                        "next_review_on": "NULL",
                        "updated_at": "b.created_at",
                    },
                )
            )
            cursor.execute(
                _history_sql(
                    RiskPoint,
                    source="bench_rk",
                    on="b.id = h.id",
                    date="b.created_at + interval '1 millisecond'",
                    kind="'~'",
                    user="b.by_id",
                    overrides={
                        "last_reviewed_on": "NULL",
                        "next_review_on": "b.created_on + b.cadence",
                        "updated_at": "b.created_at + interval '1 millisecond'",
                    },
                )
            )
            cursor.execute(
                _history_sql(
                    RiskPoint,
                    source="bench_rk",
                    on="b.id = h.id",
                    date=review_at,
                    kind="'~'",
                    user="b.by_id",
                    overrides={
                        "last_reviewed_on": "j.on_day",
                        "next_review_on": "j.on_day + b.cadence",
                        "updated_at": review_at,
                    },
                    more=(
                        "CROSS JOIN LATERAL (SELECT b.created_on + k * b.cadence - mod(b.g + k, 5)::int AS on_day "
                        "FROM generate_series(1, b.reviews) AS k) AS j"
                    ),
                )
            )
            cursor.execute("DROP TABLE bench_rk")
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        out(f"  risks {hi:,} of {total:,} ({(hi - lo) / (time.perf_counter() - started):,.0f} rows/s)")
    return total - have


# ---------------------------------------------------------------- reports


def seed_reports(campaign: Campaign, *, seed: int = 20250101) -> int:
    """Reports for the periods of the campaign nobody has filed for yet (those the stretch added),
    through the services: most on time, some late, some missing. Returns the number filed."""
    today = deadline_today()
    office = User.objects.get(username=OFFICE_USERNAME)
    periods = list(
        Period.objects.filter(campaign=campaign, due_on__lt=today, submissions__isnull=True).select_related(
            "report_type", "campaign__district"
        )
    )
    if not periods:
        return 0
    staff = dict(
        Membership.objects.filter(role__in=[Role.STREET_STAFF, Role.DEPARTMENT_STAFF])
        .order_by("user_id")
        .values_list("unit_id", "user")
    )
    users = User.objects.in_bulk(set(staff.values()))
    rng = random.Random(seed)  # noqa: S311 (benchmark data, the same every time)
    kinds = sorted({kind for period in periods for kind in period.report_type.filer_kinds})
    now = timezone.now()
    made = 0
    for unit in filer_units(campaign, kinds):
        by = users.get(staff.get(unit.pk))
        for period in sorted(periods, key=lambda p: (p.due_on, p.report_type.order)):
            if by is None or unit.kind not in period.report_type.filer_kinds or not unit_owes(unit, period):
                continue
            roll = rng.random()
            if roll >= 0.87:
                continue  # missing
            late = roll >= 0.72
            day = period.due_on + datetime.timedelta(days=rng.randint(1, 6) if late else -rng.randint(0, 5))
            sent = min(datetime.datetime.combine(day, datetime.time(rng.randint(9, 17)), tzinfo=DEADLINE_TZ), now)
            with transaction.atomic():
                kind = period.report_type.name
                body = f"{period.label}，{unit.name}按照创建工作方案推进各项任务，详见附件。"
                if period.report_type.period_kind == PeriodKind.MONTH:
                    body = f"{period.label}，{unit.name}开展安全隐患排查整治，落实风险分级管控。"
                submission = submission_start(by=by, unit=unit, period=period, title=f"{unit.name}{kind}", body=body)
                submission = submission_submit(submission=submission, by=by, at=sent)
                submission_accept(
                    submission=submission,
                    by=office,
                    at=min(sent + datetime.timedelta(days=rng.randint(1, 4)), now),
                )
            made += 1
    return made


# ---------------------------------------------------------------- the whole seed


def seed(volumes: Volumes, *, out: Callable[[str], None]) -> dict[str, float]:
    """Everything the benchmark reads, up to `volumes`; what is there already is kept.
    Returns seconds per step and the rows added."""
    ensure_postgresql()
    figures: dict[str, float] = {}
    started = time.perf_counter()
    if not User.objects.filter(username=OFFICE_USERNAME).exists():
        load_demo()
    scale_up(communities=volumes.communities, sites=volumes.sites, out=lambda line: out(f"  {line}"))
    district = OrgUnit.objects.get(code=DISTRICT_CODE)
    campaign = stretch_campaign(district, volumes.months)
    _ensure_filers(district)
    figures["seed_demo"] = time.perf_counter() - started

    with connection.cursor() as cursor:
        counts = _lookup_tables(cursor, district)
    step = time.perf_counter()
    figures["hazards_added"] = seed_hazards(district, campaign, volumes.hazards, counts=counts, out=out)
    figures["seed_hazards"] = time.perf_counter() - step
    step = time.perf_counter()
    figures["risks_added"] = seed_risks(district, campaign, volumes.risks, counts=counts, out=out)
    figures["seed_risks"] = time.perf_counter() - step
    step = time.perf_counter()
    figures["reports_added"] = seed_reports(campaign)
    figures["seed_reports"] = time.perf_counter() - step

    step = time.perf_counter()
    tables = [
        model._meta.db_table
        for model in (Hazard, Hazard.history.model, HazardEvent, SupervisionListing, RiskPoint, Assessment, Review)
    ] + [RiskPoint.history.model._meta.db_table, Submission._meta.db_table, Site._meta.db_table]
    with connection.cursor() as cursor:
        for name in ("bench_place", "bench_site", "bench_sector", "bench_staff"):
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
        # A database that has taken a million rows has been vacuumed since (autovacuum would):
        # fresh statistics and visibility maps, or the first plans read stale guesses.
        verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        cursor.execute(f"{verb} {', '.join(tables)}")
    figures["seed_vacuum"] = time.perf_counter() - step
    figures["seed_total"] = time.perf_counter() - started
    return figures


# ---------------------------------------------------------------- a small district beside it

SMALL_CODE = "330199"


def small_district(like: Campaign, *, hazards: int = 10) -> tuple[OrgUnit, User]:
    """A second district in the same database with `hazards` hazards, logged and moved through
    the services, and its own reviewer: the dashboard's query count is read there and at full
    volume in the same run, on the same code and the same database."""
    district = OrgUnit.objects.filter(code=SMALL_CODE).first()
    if district is None:
        with transaction.atomic():
            city = OrgUnit.objects.get(code=DISTRICT_CODE).parent

            def unit(code, name, kind, parent):
                return orgunit_save(by=None, unit=OrgUnit(code=code, name=name, kind=kind, parent=parent))

            district = unit(SMALL_CODE, "基准测试区", OrgUnit.Kind.DISTRICT, city)
            office = unit(f"{SMALL_CODE}-CJB", "基准测试区创建办", OrgUnit.Kind.OFFICE, district)
            for s in (1, 2):
                street = unit(f"{SMALL_CODE}00{s}", f"基准第{s}街道", OrgUnit.Kind.STREET, district)
                for c in (1, 2):
                    unit(f"{SMALL_CODE}00{s}00{c}", f"基准第{s}街道第{c}社区", OrgUnit.Kind.COMMUNITY, street)
            reviewer = user_create(by=None, username="bench-small-office", full_name="基准测试区创建办 审核员")
            membership_create(user=reviewer, unit=office, role=Role.REVIEWER)
            campaign = save_with_history(
                Campaign(
                    name="基准测试区创建国家安全发展示范城市（基准测试）",
                    district=district,
                    starts_on=like.starts_on,
                    ends_on=like.ends_on,
                    baseline_year=like.baseline_year,
                ),
                None,
            )
            for target in like.targets.all():
                save_with_history(
                    Target(campaign=campaign, indicator=target.indicator, kind=target.kind, value=target.value), None
                )
    district.refresh_from_db()
    reviewer = User.objects.get(username="bench-small-office")
    _small_hazards(district, reviewer, hazards)
    return district, reviewer


def _small_hazards(district: OrgUnit, by: User, total: int) -> None:
    from hazards.services import hazard_assign, hazard_cancel, hazard_report

    have = in_district(Hazard.objects, district).count()
    communities = list(OrgUnit.objects.filter(parent__parent=district, kind=OrgUnit.Kind.COMMUNITY).order_by("code"))
    sectors = list(Sector.objects.order_by("order"))
    now = timezone.now()
    for n in range(have, total):
        place = communities[n % len(communities)]
        with transaction.atomic():
            hazard = hazard_report(
                by=by,
                title=HAZARD_TITLES[n % len(HAZARD_TITLES)],
                unit=place,
                sector=sectors[n % len(sectors)],
                description="基准测试用隐患",
                source=Source.INSPECTION,
                found_at=now - datetime.timedelta(days=20 * n + 1),
            )
            if n % 3 == 1:
                hazard_assign(
                    hazard=hazard,
                    by=by,
                    responsible_unit=place.parent,
                    responsible_person=PEOPLE[n % len(PEOPLE)],
                    deadline=deadline_today() + datetime.timedelta(days=n + 1),
                )
            elif n % 5 == 4:
                hazard_cancel(hazard=hazard, by=by, reason="经核实为重复登记")


# ---------------------------------------------------------------- what changes between two rebuilds


def change_hazards(within: OrgUnit, count: int, *, rng: random.Random) -> dict[str, int]:
    """`count` hazards under `within` changed through the hazard services, as the office would:
    a third logged, a third assigned (reported → rectifying), the rest cancelled (rectifying →
    cancelled; more of them where too few were left to assign), picked at random, so that across
    a district they touch as many communities as they can."""
    from hazards.models import Grade, Status
    from hazards.services import hazard_assign, hazard_cancel, hazard_report

    office = User.objects.get(username=OFFICE_USERNAME)
    places = list(in_district(OrgUnit.objects, within, lookup="").filter(kind=OrgUnit.Kind.COMMUNITY))
    sectors = list(Sector.objects.all())
    hazards = in_district(Hazard.objects, within).order_by("?")
    logged = count - 2 * (count // 3)
    to_assign = list(hazards.filter(status=Status.REPORTED, grade=Grade.GENERAL).select_related("unit")[: count // 3])
    to_cancel = list(hazards.filter(status=Status.RECTIFYING)[: count - logged - len(to_assign)])
    done = {"logged": 0, "assigned": 0, "cancelled": 0}
    for _ in range(logged):
        with transaction.atomic():
            hazard_report(
                by=office,
                title=rng.choice(HAZARD_TITLES),
                unit=rng.choice(places),
                sector=rng.choice(sectors),
                location="基准测试",
                description="基准测试：增量重建前新登记的隐患",
                source=Source.INSPECTION,
            )
        done["logged"] += 1
    for hazard in to_assign:
        place = hazard.unit
        street = OrgUnit.objects.get(
            tree_id=place.tree_id, lft__lte=place.lft, rght__gte=place.rght, kind=OrgUnit.Kind.STREET
        )
        with transaction.atomic():
            hazard_assign(
                hazard=hazard,
                by=office,
                responsible_unit=street,
                responsible_person=rng.choice(PEOPLE),
                deadline=deadline_today() + datetime.timedelta(days=rng.randint(7, 30)),
                measures="按照相关标准立即整改",
            )
        done["assigned"] += 1
    for hazard in to_cancel:
        with transaction.atomic():
            hazard_cancel(hazard=hazard, by=office, reason="基准测试：经核实为重复登记")
        done["cancelled"] += 1
    return done
