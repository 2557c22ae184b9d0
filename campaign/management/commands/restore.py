from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from campaign import backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup`: checks every checksum first, refuses a target "
        "that is not empty unless --force, then re-counts rows and re-hashes files and prints the comparison."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the backup folder (backup-YYYYmmdd-HHMMSS)")
        parser.add_argument(
            "--database-url", metavar="URL", help="the database to restore into; default DATABASE_URL's"
        )
        parser.add_argument(
            "--media-root", metavar="DIR", type=Path, help="the folder for the files; default MEDIA_ROOT"
        )
        parser.add_argument(
            "--force", action="store_true", help="replace what the target database and media folder hold"
        )

    def handle(self, *args, path, database_url=None, media_root=None, force=False, **options):
        try:
            db = backup.Database.from_url(database_url) if database_url else backup.Database.default()
            manifest, comparison = backup.restore_backup(path, db=db, media_root=media_root, force=force)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {path} into {db} and {media_root or settings.MEDIA_ROOT}")
        width = max([len(table) for table, *_ in comparison.tables] + [5])
        self.stdout.write(f"  {'table':<{width}} {'backup':>10} {'restored':>10}")
        for table, want, got in comparison.tables:
            mark = "" if want == got else "  ← differs"
            self.stdout.write(f"  {table:<{width}} {_n(want):>10} {_n(got):>10}{mark}")
        self.stdout.write(
            f"  files: {comparison.files_equal} of {comparison.files_expected} equal to the manifest (SHA-256)"
        )
        for problem in comparison.problems:
            self.stderr.write(problem)
        if not comparison.ok:
            raise CommandError(f"the restored copy differs from the backup in {len(comparison.problems)} place(s)")
        self.stdout.write(
            self.style.SUCCESS(
                f"Every table's row count and every file's checksum match the manifest "
                f"({manifest['totals']['rows']} rows, {manifest['totals']['files']} files)."
            )
        )


def _n(value):
    return "absent" if value is None else str(value)
