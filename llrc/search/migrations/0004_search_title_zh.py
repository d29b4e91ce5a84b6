# Written by hand: the title key of the Chinese interface (SearchDocument.sort_title_zh). PostgreSQL only,
# like the tables it changes. Rows indexed before it have an empty key, and sort first on the Chinese
# interface until `llrc reindex` fills it (docs/architecture.md: upgrades of the analysis need a reindex).

from django.db import migrations, models

from llrc.search.postgres_only import AddFieldOnPostgreSQL


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_search_generation"),
    ]

    operations = [
        AddFieldOnPostgreSQL(
            model_name="searchdocument",
            name="sort_title_zh",
            field=models.TextField(db_collation="C", default=""),
        ),
    ]
