"""A run's results as its pages show them: the live result of the side being scored, and the
self-assessment beside the review, item by item (assessments.scoring does the arithmetic)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from assessments import scoring
from assessments.models import Run, RunStatus, Side
from assessments.selectors import ScoringPage


def page_result(page: ScoringPage) -> scoring.Result:
    """The result of the side on the page, from what the page already read (no query)."""
    return scoring.score(page.tree, page.inputs(), unit_kind=page.run.unit.kind)


@dataclass(frozen=True)
class ComparedItem:
    item: scoring.TreeItem
    self_result: scoring.ItemResult | None
    review_result: scoring.ItemResult | None
    # A scored line a side has not answered yet: its points (full, nothing deducted) are not shown.
    self_unanswered: bool = False
    review_unanswered: bool = False

    @property
    def difference(self) -> Decimal | None:
        """Review minus self, for an item both sides count and answered; None otherwise."""
        if self.self_result is None or self.review_result is None:
            return None
        if self.self_unanswered or self.review_unanswered:
            return None
        if not (self.self_result.applicable and self.review_result.applicable):
            return None
        return self.review_result.points - self.self_result.points

    @property
    def differs(self) -> bool:
        if self.self_result is None or self.review_result is None:
            return False
        if self.self_unanswered or self.review_unanswered:
            return False
        return (self.self_result.applicable != self.review_result.applicable) or bool(self.difference)


@dataclass(frozen=True)
class Comparison:
    self_total: scoring.Result | None
    review_total: scoring.Result | None
    items: list[ComparedItem]
    self_started: bool = False  # a side nobody has answered shows no total
    review_started: bool = False


def side_by_side(run: Run, *, with_review: bool) -> Comparison:
    """Each item's points by the unit (自评) and by the review (复核); the review only for those
    who see it (the unit once published)."""
    tree = scoring.load_tree(run.round.template)
    self_total = scoring.score_run(run, Side.SELF) if run.round.self_assessment else None
    review_total = scoring.score_run(run, Side.REVIEW) if with_review else None
    # While a side is still being scored, a line not answered yet shows "—"; once the side is sent
    # (扣分制: a line without a deduction has its full points) its points show.
    scoring_open = run.status in (RunStatus.DRAFT, RunStatus.IN_PROGRESS)
    self_sent = run.self_submitted_at is not None or not scoring_open
    answered = set(run.answers.order_by().values_list("side", flat=True).distinct())
    self_started = self_sent or Side.SELF in answered
    review_started = not scoring_open or Side.REVIEW in answered
    everything = set(tree.items)  # a side nobody has begun shows "—" throughout, its aspects too

    def still_open(total, sent, started):
        if not total or sent:
            return set()
        return set(total.unanswered) if started else everything

    self_open = still_open(self_total, self_sent, self_started)
    review_open = still_open(review_total, not scoring_open, review_started)
    items = [
        ComparedItem(
            item,
            self_total.items.get(item.id) if self_total else None,
            review_total.items.get(item.id) if review_total else None,
            item.id in self_open,
            item.id in review_open,
        )
        for item in tree.items.values()
    ]
    return Comparison(
        self_total,
        review_total,
        items,
        self_started=self_started,
        review_started=review_started,
    )
