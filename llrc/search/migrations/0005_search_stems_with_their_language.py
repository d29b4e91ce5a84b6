# Written by hand: stems carry their language from the analysis of decision 0012 (learn/en). Rows written
# before hold untagged stems, which a query's tagged stems no longer meet, and `words` leaves out a word
# of English text that its stem stands for ("x:digital" beside "m:digit"): on such rows English words
# would silently stop matching. So the rows go (PostgreSQL only, like the table), and `llrc init`, which
# rebuilds the index when it holds fewer documents than there are published resources, or `llrc
# reindex` writes them anew. Searches find nothing in between, as with the embedded index, whose version
# (9) drops it on opening.

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from llrc.search.postgres_only import execute_on_postgresql


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    execute_on_postgresql(schema_editor, ["DELETE FROM search_document"])


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0004_search_title_zh"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
