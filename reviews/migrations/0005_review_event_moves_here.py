"""A review's event log moves to reviews from consultations; its table stays."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('consultations', '0007_proposal_page_and_attachment_digest'),
        ('reviews', '0004_plan_version_drafters'),
    ]

    # The table stays where it is: only Django's idea of which app owns the model changes.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ReviewEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('seq', models.PositiveIntegerField(verbose_name='sequence')),
                        ('type', models.CharField(max_length=40, verbose_name='type')),
                        ('payload', models.JSONField(blank=True, default=dict, verbose_name='payload')),
                        ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='at')),
                        ('review', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='reviews.review')),
                    ],
                    options={
                        'verbose_name': 'review event',
                        'verbose_name_plural': 'review events',
                        'db_table': 'consultations_reviewevent',
                        'ordering': ['review', 'seq'],
                        'constraints': [models.UniqueConstraint(fields=('review', 'seq'), name='review_event_seq_unique')],
                    },
                ),
            ],
        ),
    ]
