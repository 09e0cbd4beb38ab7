"""Notification and SmsMessage now belong to core, ReviewEvent to reviews; their tables stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        ('reviews', '0005_review_event_moves_here'),
        ('consultations', '0007_proposal_page_and_attachment_digest'),
    ]

    # The table stays where it is: only Django's idea of which app owns the model changes.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='notification',
                    name='user',
                ),
                migrations.RemoveConstraint(
                    model_name='reviewevent',
                    name='review_event_seq_unique',
                ),
                migrations.DeleteModel(
                    name='SmsMessage',
                ),
                migrations.DeleteModel(
                    name='Notification',
                ),
                migrations.DeleteModel(
                    name='ReviewEvent',
                ),
            ],
        ),
    ]
