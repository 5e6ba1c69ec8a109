from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The "shared" cache (settings.CACHES) lives in the database; its table comes with
    # `migrate`, so no deployment can miss it (share-link rate limits read it).
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("sharing", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
