# Written by hand: the characters that show nothing (the soft hyphen, zero-width space and joiners, the
# marks of direction: `analysis.INVISIBLE_RANGES`) are dropped before a text is cut into words, as from a
# query's words. Rows written before hold "litera" and "cy" where a text wrote "litera\u00adcy", which
# "literacy" does not find; and an Arabic word of "and the" (والتعلم) is stemmed as what follows its و too
# (`analysis._AND_THE`), which the rows lack. So the rows go, as in 0005 to 0010, and `llrc init` or
# `llrc reindex` writes them anew; searches find nothing in between. (The embedded index is dropped when
# opened for the same reason: tantivy.SCHEMA_VERSION; the stored pages of files are folded again by
# catalogue 0006.)

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from llrc.search.postgres_only import execute_on_postgresql


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    execute_on_postgresql(schema_editor, ["DELETE FROM search_document"])


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0010_search_fold_of_cyrillic_and_arabic"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
