"""Fill Application.search_key for applications submitted before the inbox existed."""

from django.db import migrations


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    from madoguchi.applications.search import search_key_for

    Application = apps.get_model("applications", "Application")
    batch = []
    for application in Application.objects.filter(search_key="").only(
        "pk", "applicant_name", "applicant_kana"
    ).iterator(chunk_size=2000):
        application.search_key = search_key_for(
            name=application.applicant_name, kana=application.applicant_kana
        )
        batch.append(application)
        if len(batch) >= 2000:
            Application.objects.bulk_update(batch, ["search_key"])
            batch = []
    if batch:
        Application.objects.bulk_update(batch, ["search_key"])


class Migration(migrations.Migration):
    dependencies = [("applications", "0002_back_office_workflow_handoff_retention")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
