"""PostgreSQL: a trigram index so that searching names and カナ (`search_key LIKE '%…%'`) does not
scan every application. Skipped on SQLite, and skipped with a warning where the database role may
not create the pg_trgm extension (ask the DBA to run CREATE EXTENSION pg_trgm, then migrate again
after `madoguchi migrate applications 0003`)."""

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)

INDEX = "application_search_key_trgm"


def create_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:  # insufficient privilege: the search still works, unindexed
        logger.warning("pg_trgm is not available: name search stays unindexed (%s)", INDEX)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON applications_application "
            "USING gin (search_key gin_trgm_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("applications", "0003_backfill_search_key")]

    operations = [migrations.RunPython(create_index, drop_index)]
