# Written by hand: the PostgreSQL search index in the shape decisions/0004 describes (words, ranking,
# facet_codes). The table is derived data: it is dropped and made anew, and `llrc reindex` fills it.

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import DatabaseError, migrations, models, transaction
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from llrc.search.postgres_only import (
    CreateModelOnPostgreSQL,
    DeleteModelOnPostgreSQL,
    on_postgresql,
)


def set_storage(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Keep a row small: the big tsvectors out of it, the columns every match is read for in it.

    A search visits the row of every match; with document and words in TOAST, a row is a few hundred
    bytes and nothing is decompressed unless a function asks for those columns. The backend copies these
    settings when `replace_all` builds a new table (it reads them from the catalog).
    """
    if not on_postgresql(schema_editor):
        return
    with schema_editor.connection.cursor() as cursor:
        # TOAST moves the largest values out until the row is under 512 bytes: document and words.
        cursor.execute("ALTER TABLE search_document SET (toast_tuple_target = 512)")
        # Never compressed nor moved: read for every match.
        cursor.execute(
            "ALTER TABLE search_document ALTER COLUMN ranking SET STORAGE PLAIN, "
            "ALTER COLUMN facet_codes SET STORAGE PLAIN"
        )
        try:
            # LZ4 decompresses several times faster than the default pglz; only where the server was
            # built with it.
            with transaction.atomic(using=schema_editor.connection.alias):
                cursor.execute(
                    "ALTER TABLE search_document ALTER COLUMN document SET COMPRESSION lz4, "
                    "ALTER COLUMN words SET COMPRESSION lz4"
                )
        except DatabaseError:  # "compression method lz4 not supported": pglz it is
            pass


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_search_document"),
    ]

    operations = [
        DeleteModelOnPostgreSQL(name="SearchDocument"),
        CreateModelOnPostgreSQL(
            name="SearchDocument",
            fields=[
                ("resource_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("year", models.IntegerField(null=True)),
                ("ranking", models.BinaryField()),
                ("facet_codes", models.BinaryField(default=bytes)),
                ("sort_title", models.TextField(db_collation="C", default="")),
                ("document", django.contrib.postgres.search.SearchVectorField()),
                ("words", django.contrib.postgres.search.SearchVectorField()),
            ],
            options={
                "db_table": "search_document",
                "indexes": [
                    django.contrib.postgres.indexes.GinIndex(
                        fastupdate=False, fields=["words"], name="search_words_gin"
                    )
                ],
            },
        ),
        CreateModelOnPostgreSQL(
            name="SearchFacetValue",
            fields=[
                ("id", models.AutoField(primary_key=True, serialize=False)),
                ("name", models.TextField()),
                ("value", models.TextField()),
            ],
            options={
                "db_table": "search_facet_value",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("name", "value"), name="search_facet_value_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(set_storage, migrations.RunPython.noop),
    ]
