"""Copy the import jobs (districts.ImportJob) and the worker heartbeats (campaign.JobHeartbeat)
into jobs: the pages of earlier imports keep working under their numbers. The old tables go in
the migrations that follow (districts 0008, campaign 0003)."""

from django.db import migrations


def copy(apps, schema_editor):
    ImportJob = apps.get_model("districts", "ImportJob")
    Job = apps.get_model("jobs", "Job")
    for old in ImportJob.objects.order_by("pk").iterator():
        report = dict(old.report) if isinstance(old.report, dict) else old.report
        run = report.pop("run", "") if isinstance(report, dict) else ""
        started = old.touched_at if old.status != "queued" else None
        Job.objects.create(
            pk=old.pk,
            kind=old.kind,
            started_by_id=old.created_by_id,
            state=old.status,
            params={"token": old.token, "dry_run": old.dry_run},
            total=old.total,
            processed=old.processed,
            progress_at=old.touched_at,
            report=report,
            run=run or "",
            attempts=(2 if isinstance(report, dict) and report.get("restarted") else 1) if started else 0,
            created_at=old.created_at,
            started_at=started,
            finished_at=old.finished_at,
        )
    if schema_editor.connection.vendor == "postgresql" and Job.objects.exists():
        # The rows kept their ids; new jobs number on after them.
        table = Job._meta.db_table
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")

    OldBeat = apps.get_model("campaign", "JobHeartbeat")
    Beat = apps.get_model("jobs", "JobHeartbeat")
    for old in OldBeat.objects.all():
        Beat.objects.update_or_create(name=old.name, defaults={"last_seen": old.last_seen, "worker": old.worker})


def copy_back(apps, schema_editor):
    ImportJob = apps.get_model("districts", "ImportJob")
    Job = apps.get_model("jobs", "Job")
    for job in Job.objects.filter(kind__in=["risks", "hazards"]).exclude(started_by=None).order_by("pk"):
        report = dict(job.report) if isinstance(job.report, dict) else job.report
        if isinstance(report, dict) and job.run:
            report["run"] = job.run
        old = ImportJob.objects.create(
            pk=job.pk,
            kind=job.kind,
            dry_run=bool(job.params.get("dry_run", True)),
            token=job.params.get("token", ""),
            created_by_id=job.started_by_id,
            status=job.state,
            total=job.total,
            processed=job.processed,
            report=report,
            finished_at=job.finished_at,
            touched_at=job.progress_at,
        )
        ImportJob.objects.filter(pk=old.pk).update(created_at=job.created_at)
    OldBeat = apps.get_model("campaign", "JobHeartbeat")
    for beat in apps.get_model("jobs", "JobHeartbeat").objects.all():
        OldBeat.objects.update_or_create(name=beat.name, defaults={"last_seen": beat.last_seen, "worker": beat.worker})


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0001_initial"),
        ("districts", "0007_security_policy"),
        ("campaign", "0002_initial"),
    ]

    operations = [migrations.RunPython(copy, copy_back)]
