"""Notifications and text messages move to the kernel from consultations; their tables stay."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('consultations', '0007_proposal_page_and_attachment_digest'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # The table stays where it is: only Django's idea of which app owns the model changes.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='SmsMessage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('to', models.CharField(max_length=20, verbose_name='to')),
                        ('text', models.CharField(max_length=500, verbose_name='text')),
                        ('sender', models.CharField(max_length=100, verbose_name='sender')),
                        ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='sent')),
                    ],
                    options={
                        'verbose_name': 'text message',
                        'verbose_name_plural': 'text messages',
                        'db_table': 'consultations_smsmessage',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=40, verbose_name='kind')),
                        ('text', models.CharField(max_length=500, verbose_name='text')),
                        ('url', models.CharField(blank=True, max_length=300, verbose_name='link')),
                        ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='created')),
                        ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='read')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'notification',
                        'verbose_name_plural': 'notifications',
                        'db_table': 'consultations_notification',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
            ],
        ),
    ]
