"""Migration operations whose database work happens on PostgreSQL only.

The search tables serve LLRC_SEARCH_BACKEND=postgres alone, and tsvector, text[] and GIN do not exist on
SQLite, where the embedded default (tantivy) keeps its index on disk. The models are still recorded in the
migration state everywhere, so every later migration of them is guarded the same way. Migrations import
these, so they stay here for as long as those migrations do.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations import AddField, CreateModel, DeleteModel
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState


def on_postgresql(schema_editor: BaseDatabaseSchemaEditor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


class OnPostgreSQL(Operation):
    """Mixed in before a model operation: the state changes everywhere, the tables on PostgreSQL only."""

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if on_postgresql(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if on_postgresql(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class CreateModelOnPostgreSQL(OnPostgreSQL, CreateModel):
    pass


class DeleteModelOnPostgreSQL(OnPostgreSQL, DeleteModel):
    pass


class AddFieldOnPostgreSQL(OnPostgreSQL, AddField):
    pass


def execute_on_postgresql(
    schema_editor: BaseDatabaseSchemaEditor, statements: Iterable[str]
) -> None:
    """Run these statements in order on PostgreSQL; elsewhere do nothing."""
    if not on_postgresql(schema_editor):
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
