"""An administrator's password is reset only here, on the server console
(districts.authority, rule 6): the back office cannot set one."""

from django.core.management.base import BaseCommand, CommandError

from districts.models import User
from districts.services import user_reset_password


class Command(BaseCommand):
    help = "Give USER a temporary password, printed once, to be changed at the next sign-in."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is named {username!r}.")
        password = user_reset_password(by=None, user=user)
        self.stdout.write(f"Temporary password for {user.username}: {password}")
        self.stdout.write("It must be changed at the next sign-in.")
