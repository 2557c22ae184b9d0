from django.core.management.base import BaseCommand, CommandError

from campaign.demo import demo_totp_key
from districts.models import User
from districts.second_factor import code_to_type_now, totp_device


class Command(BaseCommand):
    help = "Print the second-factor code to type now for a demo reviewer or admin (demo accounts only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        key = demo_totp_key(username)
        user = User.objects.filter(username=username).first()
        device = totp_device(user) if user else None
        # Only the demo's own, published secrets: a real account's codes are never printed.
        if key is None or device is None or device.key != key.hex():
            raise CommandError(f"{username} is not a demo account with the demo's printed second factor.")
        code = code_to_type_now(device)
        if code is None:
            raise CommandError("The last code was just used; run this again in a few seconds.")
        self.stdout.write(code)
