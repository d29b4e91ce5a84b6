# Written by hand: an acronym's plural ("SDGs") is now stemmed as the acronym (`analysis._ACRONYM_PLURAL`),
# and a Chinese word is no longer indexed under the pieces that straddle the words it is made of (国教 in
# 联合国教科文组织, `analysis._search_cut`). Rows written before hold the stem sdgs, which "SDG" does not
# look up, and those pieces, which a query for them would find. So the rows go, as in 0005 to 0008, and
# `llrc init` or `llrc reindex` writes them anew; searches find nothing in between. (The embedded index
# is dropped when opened for the same reason: tantivy.SCHEMA_VERSION.)

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from llrc.search.postgres_only import execute_on_postgresql


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    execute_on_postgresql(schema_editor, ["DELETE FROM search_document"])


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0008_search_inner_words_and_spellings"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
