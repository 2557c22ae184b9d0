from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaign import backup


class Command(BaseCommand):
    help = (
        "Back up the database and every uploaded file (MEDIA_ROOT) into one folder with a manifest "
        "of row counts and SHA-256 checksums; --verify PATH checks a backup without restoring it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            metavar="DIR",
            type=Path,
            help="the backup folder to create (refused if it exists); default BACKUP_DIR/backup-YYYYmmdd-HHMMSS",
        )
        parser.add_argument("--verify", metavar="PATH", type=Path, help="check the backup at PATH and restore nothing")

    def handle(self, *args, output=None, verify=None, **options):
        if verify is not None:
            if output is not None:
                raise CommandError("--verify and --output do not go together")
            return self.verify(verify)
        try:
            manifest = backup.create_backup(output)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        totals = manifest["totals"]
        self.stdout.write(
            self.style.SUCCESS(f"Backup written to {manifest['path']}")
            + f"\n  database: {manifest['database']['file']}, {totals['tables']} tables, {totals['rows']} rows"
            + f"\n  media:    {backup.MEDIA_TAR}, {totals['files']} files, {totals['bytes']} bytes"
            + f"\n  manifest SHA-256: {manifest['manifest_sha256']}"
        )

    def verify(self, path):
        try:
            manifest, problems = backup.verify_and_tell(path)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{path}: {len(problems)} problem(s); do not restore this backup")
        totals = manifest["totals"]
        self.stdout.write(
            self.style.SUCCESS(f"{path}: sound")
            + f" (made {manifest['created_at']}; {totals['tables']} tables, {totals['rows']} rows,"
            f" {totals['files']} files; every checksum matches)"
        )
