"""`llrc reindex`: rebuild the search index from the catalogue (the index is derived data)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from llrc.operations.management.commands.init import _progress
from llrc.search import services as search_services


class Command(BaseCommand):
    help = "Rebuild the search index from the catalogue."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        count = search_services.rebuild_index(progress=_progress(self.stdout))
        elapsed = time.monotonic() - started
        self.stdout.write(f"indexed {count} resources in {elapsed:.1f} s")
