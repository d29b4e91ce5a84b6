"""The stored pages of files folded again (FilePage.folded): the fold drops the characters that show
nothing (`analysis.INVISIBLE_RANGES`; PDF text holds soft hyphens inside words), as a query's words are
now folded. The loop repeats 0005's: each migration stays whole in itself."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from llrc.search.analysis import fold_text

BATCH = 500


def fold_pages_again(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor | None) -> None:
    # Only the pages the new fold changes are written: few hold such a character.
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
    dependencies = [("catalogue", "0005_file_page_folded_again")]

    operations = [migrations.RunPython(fold_pages_again, migrations.RunPython.noop)]
