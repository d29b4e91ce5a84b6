"""The stored pages of files folded again (FilePage.folded): the fold keeps й, and folds the Persian yeh
and kaf and Arabic-Indic digits (`analysis._fold`), as a query's words are now folded."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from llrc.search.analysis import fold_text

BATCH = 500


def fold_pages_again(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor | None) -> None:
    # Only the pages the new fold changes are written: most hold none of these letters.
    FilePage = apps.get_model("catalogue", "FilePage")
    batch = []
    for page in FilePage.objects.only("id", "text", "folded").order_by("id").iterator(BATCH):
        folded = fold_text(page.text)
        if folded != page.folded:
            page.folded = folded
            batch.append(page)
        if len(batch) == BATCH:
            FilePage.objects.bulk_update(batch, ["folded"])
            batch = []
    FilePage.objects.bulk_update(batch, ["folded"])


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0004_field_labels_for_translation")]

    operations = [migrations.RunPython(fold_pages_again, migrations.RunPython.noop)]
