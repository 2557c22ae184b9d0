"""The ranking of a bulletin's period as a snapshot (JSON, decimals as strings) and its sha256;
the draft's text pre-filled from what the numbers say; the document number's prefix."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
from decimal import Decimal

from django.utils.translation import gettext as _

from oversight.ranking import Ranking, RankRow

SHAPE = 1  # the snapshot's layout; a page reads the one it was written in


def _value(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _row(row: RankRow) -> dict:
    return {field.name: _value(getattr(row, field.name)) for field in dataclasses.fields(RankRow)}


def freeze(ranking: Ranking) -> dict:
    """The ranking as JSON-able data: what a published bulletin shows, whatever the data do later."""
    return {
        "shape": SHAPE,
        "start": ranking.start.isoformat(),
        "end": ranking.end.isoformat(),
        "weights": {str(k): str(v) for k, v in ranking.weights.items()},
        "streets": [_row(row) for row in ranking.streets],
        "departments": [_row(row) for row in ranking.departments],
    }


def canonical(snapshot: dict) -> bytes:
    """The snapshot's one spelling (keys sorted, no spaces): what its hash is of. The database
    keeps JSON in its own key order, so the hash is of this, never of the stored text."""
    return json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def digest(snapshot: dict) -> str:
    return hashlib.sha256(canonical(snapshot)).hexdigest()


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# ---------------------------------------------------------------- the draft's text


def _rate(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _names(rows) -> str:
    return "、".join(row.unit_name for row in rows)


def _all_rows(ranking: Ranking) -> list[RankRow]:
    return [*ranking.streets, *ranking.departments]


def full_on_time(ranking: Ranking) -> list[RankRow]:
    """Units that filed every report expected of them on time (及时率 100 %)."""
    return [r for r in _all_rows(ranking) if r.reports_expected and r.reports_on_time >= r.reports_expected]


def zero_reports(ranking: Ranking) -> list[RankRow]:
    """Units that owed reports and filed none (零报送)."""
    return [r for r in _all_rows(ranking) if r.reports_expected and not r.reports_filed]


def major_listed_open(ranking: Ranking) -> list[RankRow]:
    """Units with listed major hazards (挂牌督办) not yet closed at the period's end."""
    return [r for r in _all_rows(ranking) if r.major_hazards_listed_open]


def _percent(part: int, whole: int) -> str:
    if not whole:
        return "—"
    return f"{(Decimal(part) * 100 / Decimal(whole)).quantize(Decimal('0.1'))}%"


def prefilled(ranking: Ranking, period_label: str) -> dict[str, str]:
    """The four sections of a new draft, from what the ranking says; the office edits them."""
    rows = _all_rows(ranking)
    expected = sum(r.reports_expected for r in rows)
    filed = sum(r.reports_filed for r in rows)
    on_time = sum(r.reports_on_time for r in rows)
    found = sum(r.hazards_found for r in rows)
    overdue = sum(r.hazards_overdue for r in rows)
    overview = _(
        "In %(period)s, %(streets)s streets and %(departments)s departments were ranked. Reports: "
        "%(filed)s of %(expected)s filed (filing rate %(filing)s), %(on_time)s on time (on-time rate "
        "%(timely)s). Hazards: %(found)s found, %(overdue)s overdue at the period's end."
    ) % {
        "period": period_label,
        "streets": len(ranking.streets),
        "departments": len(ranking.departments),
        "filed": filed,
        "expected": expected,
        "filing": _percent(filed, expected),
        "on_time": on_time,
        "timely": _percent(on_time, expected),
        "found": found,
        "overdue": overdue,
    }
    full = full_on_time(ranking)
    good = (
        _("Units that filed every report on time (on-time rate 100%%): %(names)s.") % {"names": _names(full)}
        if full
        else ""
    )
    problems = []
    zero = zero_reports(ranking)
    if zero:
        problems.append(_("Units with zero reports: %(names)s.") % {"names": _names(zero)})
    major = major_listed_open(ranking)
    if major:
        problems.append(
            _("Units with listed major hazards (挂牌督办) not yet closed: %(names)s.")
            % {"names": "、".join(f"{r.unit_name}（{r.major_hazards_listed_open}）" for r in major)}
        )
    requirements = _(
        "Every unit files its reports in full and on time, and rectifies its hazards within their "
        "deadlines; units named above report their rectification to the creation office."
    )
    return {
        "overview": overview,
        "good_practices": good,
        "problems": "\n".join(problems),
        "requirements": requirements,
    }
