from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from campaign.demo import DEMO_PASSWORD, demo_totp_secret, load_demo, scale_up


class Command(BaseCommand):
    help = "Load the plan plus demo grids, sites, users (one per role) and a campaign running today. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--scale", action="store_true", help="Also generate benchmark volumes with bulk inserts.")
        parser.add_argument(
            "--communities", type=int, default=180, help="With --scale: communities in all (default 180)."
        )
        parser.add_argument("--sites", type=int, default=50_000, help="With --scale: sites in all (default 50,000).")
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            dest="not_production",
            help="Load the demo although DEBUG is off (its accounts share a published password).",
        )

    def handle(self, *args, **options):
        # Ten accounts with a password printed in the README must never reach a live server.
        if not settings.DEBUG and not options["not_production"]:
            raise CommandError(
                "DEBUG is off: this looks like production, so no demo accounts were created "
                "(add --i-know-this-is-not-production if it is not)."
            )
        logins = load_demo()
        if options["scale"]:
            figures = scale_up(communities=options["communities"], sites=options["sites"], out=self.stdout.write)
            self.stdout.write(f"now {figures['communities']} communities and {figures['sites']} sites")
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Sign in as any of these, password: " + DEMO_PASSWORD))
        for username, role, unit in logins:
            secret = demo_totp_secret(username)
            second = f"  second factor: TOTP secret {secret}" if secret else ""
            self.stdout.write(f"  {username:<10} {role} · {unit}{second}")
        self.stdout.write(
            "Reviewers and admins then type a code from an authenticator app holding the secret above, "
            "or the one printed by: python manage.py demo_code USERNAME"
        )
