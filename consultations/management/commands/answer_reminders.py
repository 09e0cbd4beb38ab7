from django.core.management.base import BaseCommand

from consultations.consolidation import tasks


class Command(BaseCommand):
    help = (
        "Enqueue the reminders of the answers to points that are due (run hourly in office hours from cron): "
        "the plan's department is reminded 3 days before the commission's due date and on the day, each reminder once."
    )

    def handle(self, *args, **options):
        result = tasks.remind_answers_due.enqueue()
        self.stdout.write(f"{tasks.remind_answers_due.name}: {result.status}")
