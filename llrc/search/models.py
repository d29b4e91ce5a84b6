"""The PostgreSQL search index (LLRC_SEARCH_BACKEND=postgres): one row per published resource.

Like the tantivy folder it is derived data, rebuilt by `llrc reindex`; the tables exist on PostgreSQL only
(see the migrations) and only llrc.search.backends.postgres reads or writes them. Why the columns are as
they are: docs/decisions/0004-postgres-search.md.
"""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchDocument(models.Model):
    # Not a foreign key: the index mirrors the catalogue through search.services, as tantivy does, and
    # must never hold up or cascade into catalogue writes.
    resource_id = models.BigIntegerField(primary_key=True)
    # The columns every match is read for come first and stay in the row (the migration sets their
    # storage): a search reads them for thousands of rows.
    year = models.IntegerField(null=True)  # for year:2015..2020
    # Fixed 40 bytes, little-endian: resource id (int64), created (float64 epoch seconds), year (int64,
    # -1 when none), and a 128-bit mask of the title and identifier tokens (2 x uint64). A search
    # concatenates them for all its matches (one string_agg) and sorts them with numpy; the mask picks
    # the matches whose whole document is ranked.
    ranking = models.BinaryField()
    # The SearchFacetValue ids of the resource's facet values, little-endian int32: counted for a whole
    # match set the same way.
    facet_codes = models.BinaryField(default=bytes)
    # Byte order, as tantivy sorts its raw fast field, whatever the database's default collation. The
    # title as the Chinese interface shows it has its own key (a record with both titles files under
    # its English one elsewhere).
    sort_title = models.TextField(db_collation="C", default="")
    sort_title_zh = models.TextField(db_collation="C", default="")
    # Every text field in one tsvector with positions, each lexeme prefixed with its field ("t:learning",
    # "b:learning", "i:10.1234/abc"): phrases, field limits and ranking read it. Kept out of the row
    # (TOAST) and not indexed.
    document = SearchVectorField()
    # What the GIN index serves: each word once, without positions, as "x:" (any text field), "m:"
    # (stem), "p:" (pinyin), and the facet values as "f:country:CN". Built by the backend from the
    # analysed tokens, never by to_tsvector (decisions/0004).
    words = SearchVectorField()

    class Meta:
        db_table = "search_document"
        indexes = [GinIndex(fields=["words"], name="search_words_gin", fastupdate=False)]

    def __str__(self) -> str:
        return f"search document {self.resource_id}"


class SearchFacetValue(models.Model):
    """One facet value ("country", "CN"); SearchDocument.facet_codes hold these ids.

    Ids are never reused (a sequence), so a process may keep id -> value for as long as it runs. Rows are
    only added: a value no document has any more is simply never counted.
    """

    id = models.AutoField(primary_key=True)  # int32, the width of facet_codes
    name = models.TextField()
    value = models.TextField()

    class Meta:
        db_table = "search_facet_value"
        constraints = [
            models.UniqueConstraint(fields=["name", "value"], name="search_facet_value_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name}:{self.value}"
