from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from core.models import Notification
from reviews.models import Assignment


def test_review_reminders_command_chases_overdue_invitations(drawn):
    for assignment in Assignment.objects.filter(review=drawn):
        assignment.reply_by = timezone.now() - timedelta(minutes=1)
        assignment.save()

    call_command("review_reminders")

    assert Notification.objects.filter(kind="invitation_reminder").count() == 5
    assert set(Assignment.objects.filter(review=drawn).values_list("state", flat=True)) == {"invited"}
