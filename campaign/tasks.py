import socket

from celery import shared_task
from django.utils import timezone

from campaign.models import JobHeartbeat


@shared_task(name="campaign.tasks.record_heartbeat", ignore_result=False)
def record_heartbeat(name: str = "worker") -> str:
    """Record that a worker is alive; run every minute by beat."""
    now = timezone.now()
    JobHeartbeat.objects.update_or_create(name=name, defaults={"last_seen": now, "worker": socket.gethostname()})
    return now.isoformat()
