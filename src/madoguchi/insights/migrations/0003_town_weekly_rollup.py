from django.db import migrations


def fill_town_weeks(apps, schema_editor):
    """Data rolled before the per-municipality weekly rows (kinds ending in "_tw") gets them
    from its daily rows, so the region comparison reads them from the first request."""
    from madoguchi.insights.rollups import fill_weekly

    fill_weekly(
        apps.get_model("insights", "DailyRollup"), apps.get_model("insights", "RollupState")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0002_weekly_rollup_and_wait_target"),
    ]

    operations = [
        migrations.RunPython(fill_town_weeks, migrations.RunPython.noop),
    ]
