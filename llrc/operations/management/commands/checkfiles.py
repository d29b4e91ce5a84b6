"""`llrc checkfiles`: the file store's fixity check (every file's SHA-256 read again)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from llrc.catalogue import services


class Command(BaseCommand):
    help = (
        "Read every attached file again and compare its SHA-256 with the recorded one; list bytes no "
        "file refers to (--remove-unreferenced deletes them). Exits with status 1 when a file is "
        "missing or changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--remove-unreferenced",
            action="store_true",
            help="delete stored bytes no file refers to (older than an hour)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = services.check_file_store(remove_unreferenced=options["remove_unreferenced"])
        self.stdout.write(f"files checked: {report.checked}")
        for file_id in report.missing:
            self.stdout.write(f"missing: the bytes of file {file_id} are not in the store")
        for file_id in report.damaged:
            self.stdout.write(f"changed: the bytes of file {file_id} no longer match their SHA-256")
        verb = "removed" if report.removed else "unreferenced"
        for relative in report.unreferenced:
            self.stdout.write(f"{verb}: {relative} (no file refers to these bytes)")
        if not report.sound:
            # A monitor or cron job must notice: restore these files from a backup.
            raise CommandError(
                f"{len(report.missing)} missing and {len(report.damaged)} changed files: restore "
                "them from a backup",
                returncode=1,
            )
        self.stdout.write("every file's bytes are as attached")
