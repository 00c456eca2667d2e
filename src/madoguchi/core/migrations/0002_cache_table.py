"""The shared cache's table (rate limits, lockouts), so that `madoguchi migrate` sets it up.

Re-runnable: tables that exist are left alone. Also creates the tables of any other database
cache configured in CACHES at the time (e.g. CACHE_URL=dbcache://another_name).
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

DEFAULT_TABLE = getattr(settings, "CACHE_TABLE", "madoguchi_cache")


def create_cache_tables(apps, schema_editor):
    alias = schema_editor.connection.alias
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(alias, DEFAULT_TABLE, dry_run=False)
    call_command("createcachetable", database=alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(
        f"DROP TABLE IF EXISTS {schema_editor.connection.ops.quote_name(DEFAULT_TABLE)}"
    )


class Migration(migrations.Migration):

    dependencies = [("core", "0001_audit_events")]

    operations = [migrations.RunPython(create_cache_tables, drop_cache_table)]
