from django.core.management.base import BaseCommand

from consultations.opinions import reminders
from reviews import tasks


class Command(BaseCommand):
    help = (
        "Enqueue the periodic review work (run hourly from cron): invitations past their reply date "
        "get a reminder and then the next alternate; accepted experts get due-date reminders."
    )

    def handle(self, *args, **options):
        for job in (tasks.chase_invitations, reminders.remind_due):
            result = job.enqueue()
            self.stdout.write(f"{job.name}: {result.status}")
