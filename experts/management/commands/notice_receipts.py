from django.core.management.base import BaseCommand

from experts.notices.tasks import poll_receipts


class Command(BaseCommand):
    help = (
        "Enqueue the poll of the SMS provider's status query for notices awaiting a receipt (cron, every 10 minutes)."
    )

    def handle(self, *args, **options):
        result = poll_receipts.enqueue()
        self.stdout.write(f"Receipts poll enqueued ({result.status}).")
