"""Hazards in bulk: spread evenly over the campaign's months, each with the timeline the services
write (HazardEvent: logged, listed, assigned, submitted, returned, closed or cancelled), a history
row of where it stands now, and the supervision listing of a major one."""

from __future__ import annotations

import datetime

from django.utils import timezone

from campaign.lib.deadlines import DEADLINE_TZ
from campaign.models import Campaign
from districts.models import OrgUnit, Role, User
from hazards.models import Hazard, Source, SupervisionListing
from oversight.bench.bulk import hashed, history_sql, in_chunks, sequence_of
from oversight.bench.common import HAZARD_TITLES, OFFICE_USERNAME, PEOPLE, in_district

HAZARD_CHUNK = 100_000
# The keys a staged row points with (the rest are the office's, read by id, or rows of the same chunk).
HAZARD_KEYS = {
    "unit_id": "districts_orgunit",
    "site_id": "districts_site",
    "sector_id": "districts_sector",
    "responsible_id": "districts_orgunit",
    "found_by": "districts_user",
    "rectifier": "districts_user",
}

_STAGE_HAZARDS = f"""
CREATE TEMP TABLE bench_hz AS
WITH base AS (
    SELECT g, nextval(%(seq)s::regclass) AS id,
           {hashed(1)} AS r_site, {hashed(2)} AS r_pick, {hashed(3)} AS r_sec, {hashed(4)} AS r_jit,
           {hashed(5)} AS r_grade, {hashed(6)} AS r_cancel, {hashed(7)} AS r_list, {hashed(8)} AS r_assign,
           {hashed(9)} AS r_days, {hashed(10)} AS r_stuck, {hashed(11)} AS r_took, {hashed(12)} AS r_return,
           {hashed(13)} AS r_back, {hashed(14)} AS r_again, {hashed(15)} AS r_close, {hashed(16)} AS r_source,
           {hashed(17)} AS r_title, {hashed(18)} AS r_resp, {hashed(19)} AS r_person, {hashed(20)} AS r_funds
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
        "seq": sequence_of(Hazard),
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

    def write(cursor) -> None:
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
            history_sql(
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
            history_sql(
                SupervisionListing,
                source="bench_hz",
                on="b.id = h.hazard_id",
                date="b.listed_at",
                kind="'+'",
                user="%(office)s",
            ),
            params,
        )

    in_chunks(
        what="hazards",
        have=have,
        total=total,
        size=HAZARD_CHUNK,
        staging="bench_hz",
        stage=_STAGE_HAZARDS,
        params=params,
        keys=HAZARD_KEYS,
        write=write,
        out=out,
    )
    return total - have
