from django.db import migrations, models


def backfill_due_on(apps, schema_editor):
    """Deadlines of the applications already received, from their procedure's period.

    Corrections before this migration do not move the deadline (their pause is not recomputed).
    """
    from madoguchi.applications.deadlines import due_on_for

    Application = apps.get_model("applications", "Application")
    batch = []
    rows = (
        Application._base_manager.filter(procedure__standard_processing_days__isnull=False)
        .select_related("procedure")
        .only("pk", "submitted_at", "procedure__standard_processing_days")
    )
    for application in rows.iterator(chunk_size=2000):
        application.due_on = due_on_for(
            standard_days=application.procedure.standard_processing_days,
            submitted_at=application.submitted_at,
        )
        batch.append(application)
        if len(batch) >= 2000:
            Application._base_manager.bulk_update(batch, ["due_on"])
            batch = []
    if batch:
        Application._base_manager.bulk_update(batch, ["due_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0007_merge_department_move_and_draft_link"),
        ("procedures", "0001_catalogue_and_form_versions"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="due_on",
            field=models.DateField(blank=True, db_index=True, null=True, verbose_name="処理期限"),
        ),
        migrations.RunPython(backfill_due_on, migrations.RunPython.noop),
    ]
