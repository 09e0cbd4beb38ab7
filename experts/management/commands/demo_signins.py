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
        lines += second_factor_lines()
        self.stdout.write("\n".join(lines) + "\n")


def is_demo_second_factor_account(user):
    """A demo account that needs a second factor and still has the demo password: one load_demo
    made, not a real account that happens to share the name (its authenticator is not ours to
    make, nor its key to print)."""
    from experts.second_factor import requires_second_factor

    return (
        user is not None
        and user.username in DEMO_USERNAMES
        and requires_second_factor(user)
        and user.check_password(demo_password())
    )


def second_factor_lines():
    """The key of each demo account that needs a second factor (its authenticator is made here if
    the demo data did not make one), and how to print the code it shows now."""
    from experts.demo_accounts import demo_second_factor
    from experts.second_factor import secret_of

    users = get_user_model().objects.filter(username__in=DEMO_USERNAMES)
    needing = sorted(filter(is_demo_second_factor_account, users), key=lambda user: DEMO_USERNAMES.index(user.username))
    if not needing:
        return []
    names = ", ".join(user.username for user in needing)
    lines = [
        "",
        f"  After the password, {names} also enter a second factor (a six-digit code).",
        "  Either add the account's key to an authenticator app:",
    ]
    lines += [f"    {user.username:<12} {secret_of(demo_second_factor(user))}" for user in needing]
    lines.append("  or print the code it shows now with: .venv/bin/python manage.py demo_code <username>")
    return lines
