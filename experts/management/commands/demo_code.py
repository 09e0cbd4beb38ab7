from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from experts.demo_accounts import DEMO_USERNAMES, demo_second_factor
from experts.second_factor import current_code, requires_second_factor


class Command(BaseCommand):
    help = "Print the code the demo secretariat's authenticator shows now (demo accounts only)."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="secretariat")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if username not in DEMO_USERNAMES or user is None or not requires_second_factor(user):
            raise CommandError(f"{username} is not a demo account that needs a second factor.")
        self.stdout.write(current_code(demo_second_factor(user)) + "\n")
