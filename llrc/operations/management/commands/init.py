"""`llrc init [--demo]`: create or upgrade the database, collect the static files, load vocabularies,
optionally the demo, build the index."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from llrc.catalogue.queries import published_resources
from llrc.demo.loader import load_demo
from llrc.search import services as search_services
from llrc.vocabularies.services import load_vocabularies, vocabularies_current

BACKGROUND_VECTORS_FROM = 5_000


class Command(BaseCommand):
    help = (
        "Set up the database, vocabularies and search index; with --demo, the demo collection too."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo", action="store_true", help="load the demo collection if it is not there"
        )
        parser.add_argument(
            "--force-vocabularies",
            action="store_true",
            help="reload vocabularies even if unchanged",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("database: up to date")
        # Pages name the static files by their hashed names from the manifest this writes; run at every
        # init, so an upgrade's changed CSS gets its new name (files already there are kept: a page
        # cached by a reader still finds the CSS it names).
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write("static files: collected")
        if options["force_vocabularies"] or not vocabularies_current():
            load_vocabularies(progress=lambda m: self.stdout.write(f"vocabulary {m}"))
        else:
            self.stdout.write("vocabularies: unchanged")
        if options["demo"]:
            load_demo(say=lambda m: self.stdout.write(f"demo: {m}"))
        published = published_resources().count()
        indexed = search_services.index_health()
        if indexed != published:
            self.stdout.write(f"search index: {indexed} of {published} resources; rebuilding")
            count = search_services.rebuild_index(progress=_progress(self.stdout))
            self.stdout.write(f"search index: {count} resources")
        else:
            self.stdout.write(f"search index: {indexed} resources, up to date")
            # Indexed one by one as they were loaded: the statistics the ranking reads, now.
            search_services.refresh_index_statistics()
        advice = search_services.memory_advice()
        if advice:
            self.stdout.write(f"search index: {advice}")
        if settings.SEARCH_VECTORS:
            missing = len(search_services.missing_vectors())
            if missing > BACKGROUND_VECTORS_FROM:
                # Encoding runs at a few hundred resources a second: the site should not wait for it.
                self.stdout.write(
                    f"meaning vectors: {missing} resources without one; `llrc serve` computes them "
                    "in the background (or run `llrc reindex --vectors-only --missing-vectors`)"
                )
            elif missing:
                added = search_services.rebuild_vectors(
                    progress=_progress(self.stdout, "vectors"), missing_only=True
                )
                self.stdout.write(f"meaning vectors: {added} computed")
        self.stdout.write(f"ready in {time.monotonic() - started:.1f} s")


def _progress(out: Any, what: str = "indexed") -> Any:
    """A bar on a terminal, plain lines otherwise (CLI contract in DESIGN.md)."""
    tty = sys.stdout.isatty()

    def report(done: int, total: int) -> None:
        if tty:
            width = 30
            filled = int(width * done / max(total, 1))
            end = "\n" if done >= total else ""
            out.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending=end)
            out.flush()
        else:
            out.write(f"{what} {done}/{total}")

    return report
