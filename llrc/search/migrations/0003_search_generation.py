# Written by hand: the generation of the PostgreSQL search index, which names the state of the index in
# the keys of remembered answers (llrc/search/backends/remembered.py, decisions/0007). PostgreSQL only,
# like the tables of 0001 and 0002; no model, because only the postgres backend reads or writes it.

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from llrc.search.postgres_only import execute_on_postgresql

# Every statement that changes search_document starts a new generation, in the transaction that makes the
# change: a reader sees the new number exactly when it can see the rows. A trigger rather than the
# backend's own writes alone, so that nothing can change the rows unseen: an older llrc still running
# during an upgrade, `manage.py flush` (TRUNCATE), an operator's SQL. A sequence never gives a number
# twice, even when the transaction that took it rolls back, so a number is never reused for other rows.
# The backend repeats the upsert when it swaps in a rebuilt table (DROP and RENAME fire no trigger), and
# copies the trigger onto that table.
CREATE = [
    "CREATE SEQUENCE search_generation_seq",
    "CREATE TABLE search_generation (id smallint PRIMARY KEY CHECK (id = 1), value bigint NOT NULL)",
    "INSERT INTO search_generation (id, value) VALUES (1, nextval('search_generation_seq'))",
    """
    CREATE FUNCTION search_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO search_generation (id, value) VALUES (1, nextval('search_generation_seq'))
        ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value;
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER search_generation_bump "
    "AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON search_document "
    "FOR EACH STATEMENT EXECUTE FUNCTION search_generation_bump()",
]
DROP = [
    "DROP TRIGGER search_generation_bump ON search_document",
    "DROP FUNCTION search_generation_bump()",
    "DROP TABLE search_generation",
    "DROP SEQUENCE search_generation_seq",
]


def create_generation(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    execute_on_postgresql(schema_editor, CREATE)


def drop_generation(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    execute_on_postgresql(schema_editor, DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_search_words"),
    ]

    operations = [migrations.RunPython(create_generation, drop_generation)]
