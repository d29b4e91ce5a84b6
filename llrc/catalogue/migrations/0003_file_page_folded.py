"""The pages of files folded as a query's words are (FilePage.folded), for the pages already stored."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from llrc.search.analysis import fold_text

BATCH = 500


def fold_pages(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor | None) -> None:
    # The fold of the code that runs the migration is the one its searches use.
    FilePage = apps.get_model("catalogue", "FilePage")
    pages = FilePage.objects.only("id", "text").order_by("id")
    batch = []
    for page in pages.iterator(chunk_size=BATCH):
        page.folded = fold_text(page.text)
        batch.append(page)
        if len(batch) == BATCH:
            FilePage.objects.bulk_update(batch, ["folded"])
            batch = []
    FilePage.objects.bulk_update(batch, ["folded"])


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_file_text_pages")]

    operations = [
        migrations.AddField(
            model_name="filepage",
            name="folded",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fold_pages, migrations.RunPython.noop),
    ]
