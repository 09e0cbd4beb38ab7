"""Delete audit records older than AUDIT_RETENTION_DAYS (180 at least); run it daily."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from experts import audit


class Command(BaseCommand):
    help = "Delete audit records older than the retention (AUDIT_RETENTION_DAYS, at least 180 days)."

    def handle(self, *args, **options):
        try:
            deleted = audit.prune()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{deleted} audit records older than {audit.retention_days()} days deleted.")
