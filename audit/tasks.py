from celery import shared_task
from django.conf import settings
from django.utils import timezone

from audit.models import AuditEvent
from audit.recorder import record


@shared_task(name="audit.tasks.prune_audit_trail", ignore_result=True)
def prune_audit_trail() -> int:
    """Delete audit rows older than AUDIT_RETENTION_DAYS (never fewer than 184 days), and say so
    in the trail itself. Run daily by beat."""
    cutoff = timezone.now() - timezone.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    deleted = AuditEvent.objects.prune_older_than(cutoff)
    record(AuditEvent.Kind.PRUNE, detail={"deleted": deleted, "before": cutoff, "days": settings.AUDIT_RETENTION_DAYS})
    return deleted
