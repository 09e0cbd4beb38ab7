from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from experts.demo_accounts import demo_second_factor
from experts.management.commands.demo_signins import is_demo_second_factor_account
from experts.second_factor import current_code


class Command(BaseCommand):
    help = (
        "Print the code a demo account's authenticator shows now: secretariat (the default), commission "
        "or department (demo accounts only)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="secretariat")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if not is_demo_second_factor_account(user):
            raise CommandError(f"{username} is not a demo account that needs a second factor (with the demo password).")
        self.stdout.write(current_code(demo_second_factor(user)) + "\n")
