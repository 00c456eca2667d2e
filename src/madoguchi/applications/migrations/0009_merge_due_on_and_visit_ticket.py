from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0008_application_due_on"),
        ("applications", "0008_application_visit_ticket"),
    ]

    operations = []
