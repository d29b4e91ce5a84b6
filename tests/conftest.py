"""Shared fixtures: a real database (SQLite, or PostgreSQL with DATABASE_URL) with the real vocabularies,
and a fresh tantivy index in a temporary folder for every test."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from llrc.catalogue import services
from llrc.catalogue.models import Collection, Institution, Resource
from llrc.catalogue.validation import CreatorData, ResourceData
from llrc.search import services as search_services


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Load every vocabulary once per test session, the same way `llrc init` does."""
    from llrc.vocabularies.services import load_vocabularies

    with django_db_blocker.unblock():
        load_vocabularies()
        institution, _ = Institution.objects.get_or_create(
            slug="uil", defaults={"name": {"en": "UIL"}}
        )
        parent, _ = Collection.objects.get_or_create(
            slug="policies",
            defaults={"institution": institution, "title": {"en": "Policies", "zh-hans": "政策"}},
        )
        Collection.objects.get_or_create(
            slug="laws",
            defaults={"institution": institution, "parent": parent, "title": {"en": "Laws"}},
        )


@pytest.fixture(scope="session", autouse=True)
def static_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The static files collected as `llrc init` collects them, into a folder of the session's: pages
    name the hashed files of its manifest, which must exist (without it no page renders)."""
    from django.core.management import call_command
    from django.test import override_settings

    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


@pytest.fixture(autouse=True)
def search_index(tmp_path: Path, settings: Any) -> Iterator[Path]:
    """Every test gets its own empty index and file store.

    LLRC_TEST_SEARCH_BACKEND picks the engine (default tantivy); `postgres` needs DATABASE_URL, and its
    index is a table, emptied by each test's rollback like every other table.
    """
    settings.SEARCH_BACKEND = os.environ.get("LLRC_TEST_SEARCH_BACKEND", "tantivy")
    settings.INDEX_DIR = tmp_path / "index"
    settings.FILES_DIR = tmp_path / "files"
    search_services.reset_backend()
    yield settings.INDEX_DIR
    search_services.reset_backend()


def resource_data(**overrides: Any) -> ResourceData:
    values: dict[str, Any] = {
        "resource_type": "policy",
        "titles": {"en": "National strategy for lifelong learning", "zh-hans": "国家终身学习战略"},
        "original_language": "en",
        "summaries": {
            "en": "A strategy that opens learning to adults of every age.",
            "zh-hans": "一项面向各年龄段成人开放学习机会的战略。",
        },
        "creators": [CreatorData("Ministry of Education", "organisation", "issuer")],
        "date_issued": "2015",
        "languages": ["en", "zh"],
        "countries": ["CN"],
        "subjects": ["concept1488"],
        "collections": ["laws"],
    }
    values.update(overrides)
    return ResourceData(**values)


@pytest.fixture
def make_resource(django_capture_on_commit_callbacks: Any) -> Callable[..., Resource]:
    """Create a resource through the service and run its on-commit work (indexing) as a commit would."""

    def make(**overrides: Any) -> Resource:
        with django_capture_on_commit_callbacks(execute=True):
            return services.create_resource(resource_data(**overrides), actor=None)

    return make


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def vectors_off_unless_asked(request: Any, settings: Any) -> None:
    """Word-matching tests assert exact result sets; meaning (vectors) would add near neighbours to them.
    Tests of the vector means are marked `vectors` and keep them on."""
    settings.SEARCH_VECTORS = request.node.get_closest_marker("vectors") is not None


@pytest.fixture(autouse=True)
def interface_language_of_its_own() -> Iterator[None]:
    """Every test starts in the default interface language. A page request activates the reader's
    language for the thread and leaves it active after the response (Django's LocaleMiddleware does not
    undo it), so a test after a /zh-hans/ page would otherwise get its messages in Chinese."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
