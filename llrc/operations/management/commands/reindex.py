"""`llrc reindex`: rebuild the search index and the meaning vectors from the catalogue (derived data)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from llrc.operations.management.commands.init import _progress
from llrc.search import services as search_services


class Command(BaseCommand):
    help = "Rebuild the search index (words, then meaning vectors) from the catalogue."

    def add_arguments(self, parser: CommandParser) -> None:
        what = parser.add_mutually_exclusive_group()
        what.add_argument("--words-only", action="store_true", help="rebuild the word index only")
        what.add_argument(
            "--vectors-only", action="store_true", help="recompute the meaning vectors only"
        )
        parser.add_argument(
            "--missing-vectors",
            action="store_true",
            help="compute vectors only for resources without one (after a bulk load)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["vectors_only"]:
            started = time.monotonic()
            count = search_services.rebuild_index(progress=_progress(self.stdout))
            elapsed = time.monotonic() - started
            self.stdout.write(f"indexed {count} resources in {elapsed:.1f} s")
        if options["words_only"]:
            return
        if not settings.SEARCH_VECTORS:
            self.stdout.write("meaning vectors: switched off (LLRC_SEARCH_VECTORS=0)")
            return
        started = time.monotonic()
        count = search_services.rebuild_vectors(
            progress=_progress(self.stdout, "vectors"), missing_only=options["missing_vectors"]
        )
        elapsed = time.monotonic() - started
        self.stdout.write(f"meaning vectors: {count} computed in {elapsed:.1f} s")
