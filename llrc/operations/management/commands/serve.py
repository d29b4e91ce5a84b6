"""`llrc serve`: serve the site with waitress (pure Python, no build step, runs anywhere)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Serve the site and the API over HTTP."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        if not settings.DEBUG and not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
            # Without the manifest every page fails on its stylesheet's name: say so before serving.
            raise CommandError("the static files have not been collected: run `llrc init` first")

        from llrc.search.services import fill_vectors_in_background, warm_up_in_background
        from llrc.wsgi import application

        def warmed(failed: list[str], seconds: float) -> None:
            missing = f" except: {', '.join(failed)}" if failed else ""
            self.stdout.write(f"llrc: search warmed up in {seconds:.1f} s{missing}")
            self.stdout.flush()

        warm_up_in_background(warmed)
        fill_vectors_in_background()

        self.stdout.write(
            f"llrc: serving on http://{options['host']}:{options['port']}/ (Ctrl+C stops)"
        )
        serve(
            application,
            host=options["host"],
            port=options["port"],
            threads=options["threads"],
            ident="llrc",
        )
