# Written by hand: a long Chinese word is now also indexed under the dictionary's longer words inside it
# (`analysis.cut_for_index`), and English stems are written with British and American spellings as one
# (`llrc.search.spellings`). Rows written before hold neither: 教科文组织 would not find a row holding
# 联合国教科文组织, and a British word ("centres") would find nothing of its own spelling. So the rows
# go, as in 0005 to 0007, and `llrc init` or `llrc reindex` writes them anew; searches find nothing in
# between. (The embedded index is dropped when opened for the same reason: tantivy.SCHEMA_VERSION.)

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from llrc.search.postgres_only import execute_on_postgresql


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    execute_on_postgresql(schema_editor, ["DELETE FROM search_document"])


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0007_search_words_stemmed_by_their_script"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
