import uuid

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import concerns.models


class Migration(migrations.Migration):

    dependencies = [
        ('concerns', '0006_notification_email_delivery'),
    ]

    operations = [
        migrations.CreateModel(
            name='DraftAttachment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('file', models.FileField(max_length=200, storage=concerns.models.attachment_storage, upload_to=concerns.models.attachment_path)),
                ('original_name', models.CharField(max_length=255)),
                ('content_type', models.CharField(max_length=100)),
                ('size', models.PositiveBigIntegerField()),
                ('sha256', models.CharField(max_length=64)),
                ('uploaded_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ('draft', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='concerns.concerndraft')),
            ],
            options={
                'ordering': ['uploaded_at', 'id'],
            },
        ),
    ]
