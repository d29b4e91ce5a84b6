"""`llrc issuetoken USER NAME`: give a curator an API token for writing through /api/v1."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from llrc.accounts.services import issue_token


class Command(BaseCommand):
    help = "Issue an API token for a staff user; the token is printed once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("name", help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(
                f"There is no user {options['username']!r}; create one with `llrc createsuperuser`."
            )
        if not user.is_staff:
            raise CommandError(f"{user} is not staff; only curators can write through the API.")
        self.stdout.write(issue_token(user, name=options["name"]))
