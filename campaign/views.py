from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from campaign.lib import cards, todo
from campaign.models import Campaign
from districts.models import ADMIN_ROLES, Role
from districts.scoping import memberships_of, scope_for
from jobs.models import JobHeartbeat


@login_required
def home(request):
    """What the person must do today, from every app that holds work (campaign.lib.todo); a
    leader, who reads and does not act, sees an overview instead. Above it the figures of their
    own scope, from the app that counts them (campaign.lib.cards); their units and the campaign's
    targets below."""
    memberships = memberships_of(request.user)
    is_admin = any(m.role in ADMIN_ROLES for m in memberships)
    is_leader = bool(memberships) and all(m.role == Role.LEADER for m in memberships)
    heartbeat = JobHeartbeat.objects.filter(name="worker").first() if is_admin else None
    if scope_for(request.user).is_empty:
        items, card_sets = [], []  # no campaign data at all (a security or audit administrator): nothing to count
    else:
        items = todo.overview_for(request.user) if is_leader else todo.tasks_for(request.user)
        card_sets = cards.card_sets_for(request.user)
    return render(
        request,
        "home.html",
        {
            "memberships": memberships,
            "campaign": Campaign.objects.current(),
            "overview": is_leader,
            "items": items,
            "card_sets": card_sets,
            "show_job_status": is_admin,
            "heartbeat": heartbeat,
            "jobs_alive": bool(heartbeat and heartbeat.alive),
        },
    )
