"""Risk points in bulk: graded with LEC (an inherent and a residual assessment, as the demo grades
them), reviewed on their level's cadence (Review rows), a history row for every step."""

from __future__ import annotations

import datetime

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from campaign.lib.deadlines import DEADLINE_TZ, deadline_today
from campaign.models import Campaign
from districts.models import OrgUnit, User
from oversight.bench.bulk import hashed, history_sql, in_chunks, sequence_of
from oversight.bench.common import OFFICE_USERNAME, PEOPLE, in_district
from risks.models import Assessment, AssessmentMethod, ControlRule, Level, RiskPoint, below_control_level

RISK_CHUNK = 50_000
# The keys a staged row points with (the rest are the office's, read by id, or rows of the same chunk).
RISK_KEYS = {
    "unit_id": "districts_orgunit",
    "site_id": "districts_site",
    "sector_id": "districts_sector",
    "responsible_id": "districts_orgunit",
    "by_id": "districts_user",
}
# Residual LEC inputs that land in each level (two per level, half the risks each) and the
# share of risks at that level; the inherent grade is the same with C at least 40, as in the demo.
RISK_PROFILES = [
    (Level.MAJOR, 0.02, [{"L": 6, "E": 6, "C": 15}, {"L": 3, "E": 6, "C": 40}]),
    (Level.SIGNIFICANT, 0.10, [{"L": 1, "E": 6, "C": 40}, {"L": 3, "E": 6, "C": 15}]),
    (Level.GENERAL, 0.40, [{"L": 1, "E": 6, "C": 15}, {"L": 3, "E": 6, "C": 7}]),
    (Level.LOW, 0.48, [{"L": 1, "E": 3, "C": 15}, {"L": 1, "E": 6, "C": 7}]),
]


_STAGE_RISKS = f"""
CREATE TEMP TABLE bench_rk AS
WITH base AS (
    SELECT g, nextval(%(seq)s::regclass) AS id,
           nextval(%(assessment_seq)s::regclass) AS inherent_id, nextval(%(assessment_seq)s::regclass) AS residual_id,
           {hashed(31)} AS r_site, {hashed(32)} AS r_pick, {hashed(33)} AS r_sec, {hashed(34)} AS r_level,
           {hashed(35)} AS r_inputs, {hashed(36)} AS r_created, {hashed(37)} AS r_reviewed, {hashed(38)} AS r_resp,
           {hashed(39)} AS r_person
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
        "seq": sequence_of(RiskPoint),
        "assessment_seq": sequence_of(Assessment),
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

    def write(cursor) -> None:
        cursor.execute(_INSERT_RISKS, params)
        cursor.execute(_INSERT_ASSESSMENTS, params)
        cursor.execute(_INSERT_REVIEWS, params)
        # As risk_create then risks_assess write them: added, then graded; then each review.
        cursor.execute(
            history_sql(
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
            history_sql(
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
            history_sql(
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

    in_chunks(
        what="risks",
        have=have,
        total=total,
        size=RISK_CHUNK,
        staging="bench_rk",
        stage=_STAGE_RISKS,
        params=params,
        keys=RISK_KEYS,
        write=write,
        out=out,
    )
    return total - have
