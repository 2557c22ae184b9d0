"""Scoped reads of rounds and runs, the scoring page's data in a fixed number of queries, and the
published scores the ranking reads."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from assessments import scoring
from assessments.models import (
    Answer,
    Evidence,
    Finding,
    FindingPhoto,
    ItemKind,
    Round,
    RuleKind,
    Run,
    RunEvent,
    RunStatus,
)


def runs_for(user):
    """The runs `user` sees: those of units in their scope (Run.objects.visible_to)."""
    return Run.objects.visible_to(user).select_related("round", "round__template", "round__team", "unit")


def run_detail_for(user, pk) -> Run:
    """One run the user sees, with what its pages show at the top; Run.DoesNotExist otherwise."""
    return runs_for(user).get(pk=pk)


def rounds_for(user):
    """Rounds with at least one run the user sees."""
    visible = Run.objects.visible_to(user).values("round_id")
    return Round.objects.filter(pk__in=visible).select_related("template", "team").order_by("-period_end", "-pk")


def runs_of_round(user, round_):
    return runs_for(user).filter(round=round_).order_by("unit__lft")


def events_of(run: Run):
    return RunEvent.objects.filter(run=run).select_related("by").order_by("at", "pk")


def finding_for(user, pk) -> Finding:
    """A finding of a run the user sees; Finding.DoesNotExist otherwise."""
    visible = Run.objects.visible_to(user).values("pk")
    return (
        Finding.objects.filter(answer__run__in=visible)
        .select_related("answer__run__round", "answer__run__unit", "answer__item", "unit", "site", "sector", "hazard")
        .get(pk=pk)
    )


def finding_photo_for(user, pk) -> FindingPhoto:
    visible = Run.objects.visible_to(user).values("pk")
    return FindingPhoto.objects.select_related("finding__answer__run").get(pk=pk, finding__answer__run__in=visible)


def finding_of_hazard(user, hazard) -> Finding | None:
    """The finding that raised `hazard`, if `user` sees its run (for the hazard's page)."""
    visible = Run.objects.visible_to(user).values("pk")
    return (
        Finding.objects.filter(hazard=hazard, answer__run__in=visible)
        .select_related("answer__run__round", "answer__run__unit", "answer__item")
        .first()
    )


# ---------------------------------------------------------------- the scoring page


# What each rule kind asks the scorer to enter, beyond findings.
INPUTS_OF_RULE = {
    RuleKind.PER_MISSING: "missing",
    RuleKind.THRESHOLD: "measured",
    RuleKind.TIERED: "measured",
    RuleKind.PER_INCIDENT: "incidents",
    RuleKind.VETO: "veto",
    RuleKind.EXEMPTION: "exempt",
}


@dataclass
class ItemRow:
    item: scoring.TreeItem
    answer: Answer | None = None
    other: Answer | None = None  # the other side's answer (self beside review)
    findings: list[Finding] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    inputs: set[str] = field(default_factory=set)

    @property
    def kind_label(self) -> str:
        return ItemKind(self.item.kind).label

    @property
    def rule_texts(self) -> list[str]:
        return [r.text or RuleKind(r.kind).label for r in self.item.rules]


@dataclass
class ScoringPage:
    run: Run
    side: str
    tree: scoring.TemplateTree
    rows: list[ItemRow]
    answers: dict[int, Answer]  # item id → this side's answer
    other_answers: dict[int, Answer]

    def inputs(self) -> dict[int, scoring.AnswerInput]:
        """This side's answers as the scoring engine reads them, findings counted from the page's rows."""
        counts = {row.item.id: len(row.findings) for row in self.rows}
        return {item_id: scoring.AnswerInput.of(a, counts.get(item_id, 0)) for item_id, a in self.answers.items()}


def scoring_page(run: Run, side: str) -> ScoringPage:
    """Every item of the run's template in tree order, with its rules, this side's answers,
    findings (with photos and hazards) and evidence, and the other side's answers. At most six
    queries, whatever the number of items or answers:
      the template's tree (items, sectors, rules: none once a frozen version's tree is kept,
      scoring.load_tree), 1. the run's answers of both sides, 2. this side's findings with their
      hazards and places, 3. their photos, 4. this side's evidence links with their records."""
    tree = scoring.load_tree(run.round.template)
    answers = list(Answer.objects.filter(run=run))
    mine = {a.item_id: a for a in answers if a.side == side}
    other = {a.item_id: a for a in answers if a.side != side}
    item_of_answer = {a.pk: a.item_id for a in mine.values()}
    findings_of, evidence_of = defaultdict(list), defaultdict(list)
    if item_of_answer:
        findings = (
            Finding.objects.filter(answer_id__in=list(item_of_answer))
            .select_related("hazard", "unit", "site", "sector")
            .prefetch_related(Prefetch("photos", queryset=FindingPhoto.objects.order_by("pk")))
            .order_by("found_at", "pk")
        )
        for finding in findings:
            findings_of[item_of_answer[finding.answer_id]].append(finding)
        links = (
            Evidence.objects.filter(answer_id__in=list(item_of_answer))
            .select_related("submission", "risk", "hazard")
            .order_by("added_at", "pk")
        )
        for link in links:
            evidence_of[item_of_answer[link.answer_id]].append(link)
    rows = [
        ItemRow(
            item=item,
            answer=mine.get(item.id),
            other=other.get(item.id),
            findings=findings_of[item.id],
            evidence=evidence_of[item.id],
            inputs={INPUTS_OF_RULE[r.kind] for r in item.rules if r.kind in INPUTS_OF_RULE},
        )
        for item in tree.items.values()
    ]
    return ScoringPage(run, side, tree, rows, mine, other)


# ---------------------------------------------------------------- for the ranking


def published_scores(
    *, unit_ids, start: datetime.date, end: datetime.date
) -> dict[int, tuple[Decimal | None, bool]]:
    """unit id → (score of 100, vetoed) of the latest published run of each unit whose round's
    period overlaps [start, end]: later period end first, then the later publication. One query."""
    rows = (
        Run.objects.filter(
            unit_id__in=list(unit_ids),
            status=RunStatus.PUBLISHED,
            round__period_start__lte=end,
            round__period_end__gte=start,
        )
        .order_by("unit_id", "-round__period_end", "-published_at", "-pk")
        .values_list("unit_id", "score", "vetoed")
    )
    scores: dict[int, tuple[Decimal | None, bool]] = {}
    for unit_id, score, vetoed in rows:  # the first row of each unit is its latest
        scores.setdefault(unit_id, (score, vetoed))
    return scores
