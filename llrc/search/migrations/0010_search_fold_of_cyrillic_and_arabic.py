# Written by hand: й is no longer folded to и, and the Persian yeh and kaf and Arabic-Indic digits are
# folded to the Arabic letters and ASCII digits (`analysis._fold`); a word whose accents, ة or hamza the
# fold takes off is stemmed as typed too (`analysis._unfolded_stems`: handicapées is handicap/fr beside
# handicape/fr). Rows written before hold взрослыи and its stem, which "взрослый" no longer looks up, and
# lack the new stems. So the rows go, as in 0005 to 0009, and `llrc init` or
# `llrc reindex` writes them anew; searches find nothing in between. (The embedded index is dropped when
# opened for the same reason: tantivy.SCHEMA_VERSION; the stored pages of files are folded again by
# catalogue 0005.)

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from llrc.search.postgres_only import execute_on_postgresql


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    execute_on_postgresql(schema_editor, ["DELETE FROM search_document"])


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0009_search_acronym_plurals"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
