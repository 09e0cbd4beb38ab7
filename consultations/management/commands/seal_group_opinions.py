from django.core.management.base import BaseCommand

from consultations.consolidation import tasks


class Command(BaseCommand):
    help = (
        "Enqueue the sealing of group opinions past their confirmation deadline (run every few minutes "
        "from cron); members who did not answer are recorded as not having answered."
    )

    def handle(self, *args, **options):
        result = tasks.seal_due.enqueue()
        self.stdout.write(f"{tasks.seal_due.name}: {result.status}")
