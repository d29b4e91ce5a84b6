"""`llrc worker`: run background tasks from the database queue (django-tasks-db, no broker)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background task worker."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("db_worker")
