# Written by hand: the generation of the PostgreSQL search index, which names the state of the index in
# the keys of remembered answers (llrc/search/backends/remembered.py, decisions/0007). PostgreSQL only,
# like the tables of 0001 and 0002; no model, because only the postgres backend reads or writes it.

from django.db import migrations


def create_generation(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        # Writers set the row to nextval() in their own transaction, so a reader sees a new number exactly
        # when it can see the write. A sequence never gives a number twice, even when the transaction
        # that took it rolls back: a key is never reused for another state of the index.
        cursor.execute("CREATE SEQUENCE search_generation_seq")
        cursor.execute(
            "CREATE TABLE search_generation ("
            "id smallint PRIMARY KEY CHECK (id = 1), value bigint NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO search_generation (id, value) VALUES (1, nextval('search_generation_seq'))"
        )


def drop_generation(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP TABLE search_generation")
        cursor.execute("DROP SEQUENCE search_generation_seq")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_search_words"),
    ]

    operations = [migrations.RunPython(create_generation, drop_generation)]
