from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from campaign.models import Campaign, JobHeartbeat
from districts.models import ADMIN_ROLES
from districts.scoping import memberships_of

# The heartbeat runs every minute; three missed beats mean the worker is down.
HEARTBEAT_STALE_AFTER = timezone.timedelta(minutes=3)


@login_required
def home(request):
    memberships = memberships_of(request.user)
    is_admin = any(m.role in ADMIN_ROLES for m in memberships)
    heartbeat = JobHeartbeat.objects.filter(name="worker").first() if is_admin else None
    return render(
        request,
        "home.html",
        {
            "memberships": memberships,
            "campaign": Campaign.objects.current(),
            "show_job_status": is_admin,
            "heartbeat": heartbeat,
            "jobs_alive": bool(heartbeat and timezone.now() - heartbeat.last_seen < HEARTBEAT_STALE_AFTER),
        },
    )
