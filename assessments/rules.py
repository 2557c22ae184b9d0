"""The typed deduction rules of a template item (评分标准), as the rubric writes them.

`validate(kind, params, item_max)` checks a rule's parameters as a person or a spreadsheet
typed them and returns them normalised (numbers as plain decimal strings, unknown keys
refused); `parse(kind, params)` turns stored, validated parameters into the typed rule the
scoring engine (assessments.scoring) applies. Numbers are read by campaign.lib.numbers: the
digits 0-9 and one point, so '０.５' (full-width) is refused with a message, as are exponents,
NaN and amounts too large for a points field.

The kinds, with the rubric's own wording:
  per_finding  每发现一处扣0.5分，2分扣完为止        {"points": "0.5", "cap": "2"}
  per_missing  每缺一项扣0.2分，1分扣完为止          {"points": "0.2", "of": 9, "cap": "1"}
  threshold    老旧管网改造率≤80%的，扣1分           {"op": "<=", "value": "80", "points": "1", "unit": "%"}
  tiered       by range of a measured value, from ≤ v < to (an open end may be left out)
               {"tiers": [{"from": "0", "to": "60", "points": "2"}, {"from": "60", "to": "80", "points": "1"}]}
  per_incident 每发生一起扣1分，已妥善处置的扣0.5分 {"points": "1", "resolved_points": "0.5", "cap": "3"}
  veto         取消评选资格 (whatever the points)     {"condition": "发生重特大事故"}
  exemption    免检、满分                            {"condition": "获评国家示范城市"}
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from assessments.models import RuleKind
from campaign.lib.numbers import amount, whole_number

OPS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
}
# The rubric writes ≤ and ≥; a spreadsheet may too.
_OP_ALIASES = {"≤": "<=", "≥": ">=", "＜": "<", "＞": ">", "=": "==", "＝": "=="}

# Points fit the points fields (7 digits, 2 places); measured values the answer's (12, 4).
_POINTS_LIMIT = Decimal("99999.99")
_MEASURE_LIMIT = Decimal("99999999.9999")
_CONDITION_LENGTH = 500

_KEYS: dict[str, tuple[set[str], set[str]]] = {  # kind: (required, optional)
    RuleKind.PER_FINDING: ({"points"}, {"cap"}),
    RuleKind.PER_MISSING: ({"points"}, {"of", "cap"}),
    RuleKind.THRESHOLD: ({"op", "value", "points"}, {"unit"}),
    RuleKind.TIERED: ({"tiers"}, {"unit"}),
    RuleKind.PER_INCIDENT: ({"points"}, {"resolved_points", "cap"}),
    RuleKind.VETO: ({"condition"}, set()),
    RuleKind.EXEMPTION: ({"condition"}, set()),
}


# ---------------------------------------------------------------- typed rules


@dataclass(frozen=True)
class Tier:
    start: Decimal | None  # None: no lower bound
    end: Decimal | None  # None: no upper bound
    points: Decimal

    def holds(self, value: Decimal) -> bool:
        return (self.start is None or value >= self.start) and (self.end is None or value < self.end)


@dataclass(frozen=True)
class ParsedRule:
    """A rule ready to apply: its numbers as Decimals; fields a kind does not use are None."""

    id: int | None
    kind: str
    text: str = ""
    points: Decimal | None = None
    cap: Decimal | None = None
    of: int | None = None
    op: str | None = None
    value: Decimal | None = None
    resolved_points: Decimal | None = None
    tiers: tuple[Tier, ...] = ()
    condition: str = ""


# ---------------------------------------------------------------- reading numbers


def _number(value, *, label: str, limit: Decimal, places: int, allow_zero: bool = True) -> Decimal:
    if isinstance(value, Decimal):
        number = value
    else:
        try:
            number = amount(value)
        except ValueError:
            raise ValidationError(
                _("%(label)s: write a number with the digits 0–9 and a decimal point, e.g. 0.5 (not “%(value)s”).")
                % {"label": label, "value": str(value)[:40]},
                code="invalid",
            ) from None
    if number is None:
        raise ValidationError(_("%(label)s is required.") % {"label": label}, code="required")
    if not number.is_finite():
        raise ValidationError(_("%(label)s must be a number.") % {"label": label}, code="invalid")
    if number < 0:
        raise ValidationError(_("%(label)s cannot be negative.") % {"label": label}, code="negative")
    if not allow_zero and number == 0:
        raise ValidationError(_("%(label)s must be more than 0.") % {"label": label}, code="zero")
    if abs(number) > limit:
        raise ValidationError(
            _("%(label)s is too large (at most %(limit)s).") % {"label": label, "limit": plain(limit)}, code="too_large"
        )
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValidationError(
            _("%(label)s has more than %(places)d decimal places.") % {"label": label, "places": places},
            code="too_precise",
        )
    return number


def read_points(value, *, label: str) -> Decimal:
    """A number of points as typed (0-9 and a point, at most 2 places), or a ValidationError."""
    return _number(value, label=label, limit=_POINTS_LIMIT, places=2)


def _signed_measure(value, *, label: str) -> Decimal:
    """A measured bound may be negative (a change in a rate); everything else may not."""
    text = str(value).strip() if isinstance(value, str) else value
    if isinstance(text, str) and text.startswith("-"):
        return -_number(text[1:], label=label, limit=_MEASURE_LIMIT, places=4)
    if isinstance(text, (int, float, Decimal)) and not isinstance(text, bool) and text < 0:
        return -_number(-text, label=label, limit=_MEASURE_LIMIT, places=4)
    return _number(text, label=label, limit=_MEASURE_LIMIT, places=4)


def plain(number: Decimal) -> str:
    """A Decimal as people write it: 0.5, 2, 80 (never 2.00, 8E+1)."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _points(params, key, label, *, allow_zero=False) -> Decimal:
    return _number(params.get(key), label=label, limit=_POINTS_LIMIT, places=2, allow_zero=allow_zero)


def _within_item(number: Decimal, item_max: Decimal | None, label: str) -> None:
    if item_max is not None and number > item_max:
        raise ValidationError(
            _("%(label)s (%(points)s) is above the item's maximum (%(max)s).")
            % {"label": label, "points": plain(number), "max": plain(Decimal(item_max))},
            code="above_item_max",
        )


# ---------------------------------------------------------------- validation


def validate(kind: str, params: Mapping | None, item_max: Decimal | int | str | None) -> dict:
    """The rule's parameters checked and normalised, or a ValidationError with translated messages.

    item_max is the item's maximum: no cap, and no single deduction, may be above it (an item
    loses at most what it is worth)."""
    if kind not in _KEYS:
        raise ValidationError(_("Unknown rule kind “%(kind)s”.") % {"kind": str(kind)[:40]}, code="kind")
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        raise ValidationError(_("The rule's parameters must be a set of named values."), code="params")
    required, optional = _KEYS[kind]
    unknown = set(params) - required - optional
    if unknown:
        raise ValidationError(
            _("A rule of this kind does not take: %(keys)s.") % {"keys": ", ".join(sorted(map(str, unknown)))},
            code="unknown_keys",
        )
    if item_max is not None and not isinstance(item_max, Decimal):
        item_max = Decimal(str(item_max))
    return _VALIDATORS[kind](params, item_max)


def _capped(params, item_max, out: dict) -> None:
    if params.get("cap") in (None, ""):
        return
    cap = _points(params, "cap", _("The cap"))
    _within_item(cap, item_max, _("The cap"))
    if cap < Decimal(out["points"]):
        raise ValidationError(
            _("The cap (%(cap)s) is below one deduction (%(points)s).") % {"cap": plain(cap), "points": out["points"]},
            code="cap_below_points",
        )
    out["cap"] = plain(cap)


def _per_finding(params, item_max) -> dict:
    points = _points(params, "points", _("Points per finding"))
    _within_item(points, item_max, _("Points per finding"))
    out = {"points": plain(points)}
    _capped(params, item_max, out)
    return out


def _per_missing(params, item_max) -> dict:
    points = _points(params, "points", _("Points per missing item"))
    _within_item(points, item_max, _("Points per missing item"))
    out = {"points": plain(points)}
    if params.get("of") not in (None, ""):
        try:
            of = whole_number(params["of"])
        except ValueError:
            raise ValidationError(
                _("The number of required items: write a whole number with the digits 0–9, e.g. 9."), code="invalid"
            ) from None
        if of is None or of < 1 or of > 10000:
            raise ValidationError(_("The number of required items must be between 1 and 10000."), code="of")
        out["of"] = of
    _capped(params, item_max, out)
    return out


def _threshold(params, item_max) -> dict:
    op = str(params.get("op", "")).strip()
    op = _OP_ALIASES.get(op, op)
    if op not in OPS:
        raise ValidationError(
            _("The comparison must be one of <, <=, >, >=, == (not “%(op)s”).") % {"op": op[:10]}, code="op"
        )
    value = _signed_measure(params.get("value"), label=_("The threshold"))
    points = _points(params, "points", _("Points deducted"))
    _within_item(points, item_max, _("Points deducted"))
    out = {"op": op, "value": plain(value), "points": plain(points)}
    unit = str(params.get("unit") or "").strip()
    if unit:
        out["unit"] = unit[:20]
    return out


def _tiered(params, item_max) -> dict:
    tiers = params.get("tiers")
    if not isinstance(tiers, (list, tuple)) or not tiers:
        raise ValidationError(_("A tiered rule needs at least one tier."), code="tiers")
    if len(tiers) > 50:
        raise ValidationError(_("A tiered rule has at most 50 tiers."), code="tiers")
    parsed = []
    for number, tier in enumerate(tiers, start=1):
        if not isinstance(tier, Mapping) or set(tier) - {"from", "to", "points"}:
            raise ValidationError(
                _("Tier %(n)d: give “from”, “to” and “points” only.") % {"n": number}, code="tier_keys"
            )
        start = end = None
        if tier.get("from") not in (None, ""):
            start = _signed_measure(tier["from"], label=_("Tier %(n)d: from") % {"n": number})
        if tier.get("to") not in (None, ""):
            end = _signed_measure(tier["to"], label=_("Tier %(n)d: to") % {"n": number})
        label = _("Tier %(n)d: points") % {"n": number}
        points = _number(tier.get("points"), label=label, limit=_POINTS_LIMIT, places=2)
        _within_item(points, item_max, label)
        if start is not None and end is not None and start >= end:
            raise ValidationError(
                _("Tier %(n)d: “from” (%(start)s) must be below “to” (%(end)s).")
                % {"n": number, "start": plain(start), "end": plain(end)},
                code="tier_range",
            )
        parsed.append((start, end, points))
    ordered = sorted(parsed, key=lambda t: (t[0] is not None, t[0] if t[0] is not None else 0))
    for (s1, e1, _p1), (s2, _e2, _p2) in itertools.pairwise(ordered):
        # Sorted by start: two tiers overlap when the first does not end by the second's start.
        if e1 is None or s2 is None or e1 > s2:
            raise ValidationError(
                _("Tiers overlap: %(a)s and %(b)s.")
                % {"a": _range_text(s1, e1), "b": _range_text(s2, _e2)},
                code="tiers_overlap",
            )
    out: dict = {"tiers": []}
    for start, end, points in ordered:
        tier = {"from": plain(start)} if start is not None else {}
        if end is not None:
            tier["to"] = plain(end)
        tier["points"] = plain(points)
        out["tiers"].append(tier)
    unit = str(params.get("unit") or "").strip()
    if unit:
        out["unit"] = unit[:20]
    return out


def _range_text(start, end) -> str:
    return f"[{'' if start is None else plain(start)}, {'' if end is None else plain(end)})"


def _per_incident(params, item_max) -> dict:
    points = _points(params, "points", _("Points per incident"))
    _within_item(points, item_max, _("Points per incident"))
    out = {"points": plain(points)}
    if params.get("resolved_points") not in (None, ""):
        resolved = _points(params, "resolved_points", _("Points per resolved incident"), allow_zero=True)
        if resolved > points:
            raise ValidationError(
                _("A resolved incident (%(resolved)s) cannot cost more than an unresolved one (%(points)s).")
                % {"resolved": plain(resolved), "points": plain(points)},
                code="resolved_above_points",
            )
        out["resolved_points"] = plain(resolved)
    _capped(params, item_max, out)
    return out


def _condition(params, item_max) -> dict:
    condition = params.get("condition")
    if not isinstance(condition, str) or not condition.strip():
        raise ValidationError(_("Say when the rule applies (its condition)."), code="condition")
    if len(condition) > _CONDITION_LENGTH:
        raise ValidationError(
            _("The condition is too long (at most %(n)d characters).") % {"n": _CONDITION_LENGTH}, code="condition"
        )
    return {"condition": condition.strip()}


_VALIDATORS = {
    RuleKind.PER_FINDING: _per_finding,
    RuleKind.PER_MISSING: _per_missing,
    RuleKind.THRESHOLD: _threshold,
    RuleKind.TIERED: _tiered,
    RuleKind.PER_INCIDENT: _per_incident,
    RuleKind.VETO: _condition,
    RuleKind.EXEMPTION: _condition,
}


# ---------------------------------------------------------------- parsing stored rules


def _dec(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def parse(kind: str, params: Mapping, *, rule_id: int | None = None, text: str = "") -> ParsedRule:
    """A stored rule's parameters (already validated) as a typed rule."""
    params = params or {}
    if kind in (RuleKind.VETO, RuleKind.EXEMPTION):
        return ParsedRule(rule_id, kind, text, condition=str(params.get("condition", "")))
    if kind == RuleKind.TIERED:
        tiers = tuple(Tier(_dec(t.get("from")), _dec(t.get("to")), Decimal(str(t["points"]))) for t in params["tiers"])
        return ParsedRule(rule_id, kind, text, tiers=tiers)
    return ParsedRule(
        rule_id,
        kind,
        text,
        points=_dec(params.get("points")),
        cap=_dec(params.get("cap")),
        of=None if params.get("of") in (None, "") else int(params["of"]),
        op=params.get("op"),
        value=_dec(params.get("value")),
        resolved_points=_dec(params.get("resolved_points")),
    )


def describe(kind: str, params: Mapping) -> str:
    """The rule's numbers in one line, for the template's page and the spreadsheet."""
    p = params or {}
    if kind == RuleKind.PER_FINDING:
        text = _("%(points)s per finding") % {"points": p.get("points")}
    elif kind == RuleKind.PER_MISSING:
        text = _("%(points)s per missing item") % {"points": p.get("points")}
        if p.get("of"):
            text += _(" (of %(of)s)") % {"of": p["of"]}
    elif kind == RuleKind.THRESHOLD:
        text = _("%(points)s when the value %(op)s %(value)s%(unit)s") % {
            "points": p.get("points"), "op": p.get("op"), "value": p.get("value"), "unit": p.get("unit", "")
        }
    elif kind == RuleKind.TIERED:
        text = "; ".join(
            _("%(range)s: %(points)s")
            % {"range": _range_text(_dec(t.get("from")), _dec(t.get("to"))), "points": t.get("points")}
            for t in p.get("tiers", [])
        )
    elif kind == RuleKind.PER_INCIDENT:
        text = _("%(points)s per incident") % {"points": p.get("points")}
        if p.get("resolved_points") not in (None, ""):
            text += _(", %(points)s if resolved") % {"points": p["resolved_points"]}
    else:
        return str(p.get("condition", ""))
    if p.get("cap"):
        text += _(", at most %(cap)s") % {"cap": p["cap"]}
    return text
