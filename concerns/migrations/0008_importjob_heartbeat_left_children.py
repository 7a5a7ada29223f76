"""An import job keeps its worker's heartbeat (one worker at a time) and the children it marked left."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("concerns", "0007_draftattachment"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="importjob",
            name="left_child_ids",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="The children this import marked as left, so its page can put them back.",
            ),
        ),
    ]
