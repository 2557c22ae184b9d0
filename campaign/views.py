from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from campaign.models import Campaign
from districts.models import ADMIN_ROLES
from districts.scoping import memberships_of
from jobs.models import JobHeartbeat


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
            "jobs_alive": bool(heartbeat and heartbeat.alive),
        },
    )
