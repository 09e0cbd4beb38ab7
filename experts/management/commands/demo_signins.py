from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from experts.demo_accounts import DEMO_USERNAMES, demo_password


class Command(BaseCommand):
    help = "Print the address and the demo sign-ins (only accounts that load_demo created)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, **options):
        base = f"http://{options['host']}:{options['port']}"
        present = set(get_user_model().objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True))
        lines = [
            "",
            f"  Committee site     {base}/",
            f"  Portal             {base}/portal/",
            f"  Back office        {base}/admin/",
            f"  API docs           {base}/api/docs/",
        ]
        if present:
            lines += [
                "",
                f"  Demo sign-ins (password: {demo_password()}):",
                "    secretariat  commission  department  expert01 … expert40",
            ]
        secretariat = get_user_model().objects.filter(username="secretariat").first()
        if "secretariat" in present and secretariat is not None:
            from experts.demo_accounts import demo_second_factor
            from experts.second_factor import secret_of

            device = demo_second_factor(secretariat)
            lines += [
                "",
                "  The back office asks secretariat for a second factor (a six-digit code). Either add this",
                f"  key to an authenticator app: {secret_of(device)}",
                "  or print the current code with: .venv/bin/python manage.py demo_code",
            ]
        self.stdout.write("\n".join(lines) + "\n")
