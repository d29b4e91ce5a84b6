# Written by hand: a resource's concepts are indexed as one term each ("k:<id>" in `words` and
# `document`), no longer as the words of their labels (decision 0013). Rows written before hold the
# labels' words and no concept terms, so a query naming a concept would not find them: the rows go, as in
# 0005 and 0006, and `llrc init` or `llrc reindex` writes them anew; searches find nothing in between.

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from llrc.search.postgres_only import execute_on_postgresql


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    execute_on_postgresql(schema_editor, ["DELETE FROM search_document"])


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0006_search_words_by_script"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
