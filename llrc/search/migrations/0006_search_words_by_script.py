# Written by hand: a query word is now stemmed only in the languages of its script (decision 0012,
# amended). `words` leaves a word of text out where a stem the query looks up for it stands for it, and
# rows written before left out, for example, "x:unesco" of Russian text beside "m:unesco/ru", which a
# query for "unesco" no longer looks up. So the rows go, as in 0005, and `llrc init` or `llrc reindex`
# writes them anew; searches find nothing in between.

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from llrc.search.postgres_only import execute_on_postgresql


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    execute_on_postgresql(schema_editor, ["DELETE FROM search_document"])


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0005_search_stems_with_their_language"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
