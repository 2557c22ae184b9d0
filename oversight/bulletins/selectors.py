"""The bulletins' reads, scoped through Bulletin.objects.visible_to."""

from __future__ import annotations

from django.http import Http404

from campaign.lib.params import parse_int
from oversight.bulletins.models import Acknowledgement, Bulletin, BulletinVersion

MAX_ID = 2**63 - 1


def bulletins_for(user):
    return (
        Bulletin.objects.visible_to(user)
        .select_related("office", "campaign")
        .order_by("-period_end", "-pk")
    )


def bulletin_or_404(user, pk) -> Bulletin:
    pk = parse_int(pk, minimum=1, maximum=MAX_ID)
    bulletin = (
        Bulletin.objects.visible_to(user).select_related("office__parent", "campaign").filter(pk=pk).first()
        if pk
        else None
    )
    if bulletin is None:
        raise Http404
    return bulletin


def version_or_404(bulletin: Bulletin, number=None) -> BulletinVersion:
    """A version of `bulletin` (the latest when `number` is None)."""
    versions = bulletin.versions.select_related("published_by")
    if number is None:
        version = versions.order_by("-version").first()
    else:
        n = parse_int(number, minimum=1, maximum=10_000)
        version = versions.filter(version=n).first() if n else None
    if version is None:
        raise Http404
    return version


def acknowledgements(bulletin: Bulletin, version: BulletinVersion | None = None) -> list[tuple]:
    """Each recipient of `bulletin` and its acknowledgement of `version` (the latest; None: not yet)."""
    version = version or bulletin.current_version()
    acks = {}
    if version is not None:
        acks = {a.unit_id: a for a in Acknowledgement.objects.filter(version=version).select_related("by")}
    return [(unit, acks.get(unit.pk)) for unit in bulletin.recipients.order_by("kind", "code")]
