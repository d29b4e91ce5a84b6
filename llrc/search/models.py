"""The PostgreSQL search index (LLRC_SEARCH_BACKEND=postgres): one row per published resource.

Like the tantivy folder it is derived data, rebuilt by `llrc reindex`; the table exists on PostgreSQL only
(see the migration) and only llrc.search.backends.postgres reads or writes it.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchDocument(models.Model):
    # Not a foreign key: the index mirrors the catalogue through search.services, as tantivy does, and
    # must never hold up or cascade into catalogue writes.
    resource_id = models.BigIntegerField(primary_key=True)
    # Every text field in one tsvector, each lexeme prefixed with its field ("t:learning", "b:learning",
    # "i:10.1234/abc"): one GIN index answers any mix of fields, phrases, OR and NOT in one `@@`.
    # Built from the analysed tokens by the backend, never by to_tsvector (decisions/0004).
    document = SearchVectorField()
    # "facet:value" entries ("country:CN", "year:2015"), filter-only fields included.
    facets = ArrayField(models.TextField(), default=list)
    year = models.IntegerField(null=True)
    created = models.FloatField(default=0.0)  # epoch seconds, for "newest added"
    # Byte order, as tantivy sorts its raw fast field, whatever the database's default collation.
    sort_title = models.TextField(db_collation="C", default="")

    class Meta:
        db_table = "search_document"
        indexes = [
            GinIndex(fields=["document"], name="search_document_gin"),
            GinIndex(fields=["facets"], name="search_facets_gin"),
        ]

    def __str__(self) -> str:
        return f"search document {self.resource_id}"
