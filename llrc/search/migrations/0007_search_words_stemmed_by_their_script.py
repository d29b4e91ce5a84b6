# Written by hand: a Cyrillic or Arabic word is now stemmed in Russian or Arabic whatever the language its
# text is declared in (`analysis._stems`). Rows written before hold, for such a word in text declared in
# another language, a stem no query looks up, and `words` then keeps the word itself only: another form
# of it would not find the row until it is written anew. So the rows go, as in 0005 and 0006, and `llrc
# init` or `llrc reindex` writes them anew; searches find nothing in between.

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
