from django.core.management.base import BaseCommand

from consultations.inquiries import tasks


class Command(BaseCommand):
    help = "Enqueue the closing of open consultations past their closing time (run every few minutes from cron)."

    def handle(self, *args, **options):
        result = tasks.close_due.enqueue()
        self.stdout.write(f"{tasks.close_due.name}: {result.status}")
