"""Data migrations fill what they add for the rows already there."""

from importlib import import_module

import pytest
from django.apps import apps

from llrc.catalogue.models import FilePage, ResourceFile
from llrc.search.analysis import fold_text

pytestmark = pytest.mark.django_db


def _stored_file(make_resource) -> ResourceFile:
    return ResourceFile.objects.create(
        resource=make_resource(subjects=[], collections=[]),
        file="a/b",
        name="page.txt",
        media_type="text/plain",
        size=1,
        sha256="0" * 64,
    )


def test_pages_stored_before_the_folded_copy_are_folded_by_the_migration(
    make_resource, monkeypatch
):
    # The migration's function on pages stored without their folded copy, as before it (running the
    # migrations backwards would need a transactional test, whose flush empties the vocabularies
    # the other tests share).
    migration = import_module("llrc.catalogue.migrations.0003_file_page_folded")
    stored = _stored_file(make_resource)
    texts = ["上海市終身學習網絡", "L'Éducation des adultes", "The ﬁrst programme", "التَّعَلُّمُ"]
    FilePage.objects.bulk_create(
        FilePage(file=stored, number=number, text=text) for number, text in enumerate(texts, 1)
    )
    monkeypatch.setattr(migration, "BATCH", 3)  # a full batch and the rest
    migration.fold_pages(apps, None)
    folded = list(stored.pages.order_by("number").values_list("folded", flat=True))
    assert folded == [fold_text(t) for t in texts]
    assert folded == [
        "上海市终身学习网络",
        "l'education des adultes",
        "the first programme",
        "التعلم",
    ]


def test_pages_folded_with_the_characters_that_show_nothing_are_folded_again(
    make_resource, monkeypatch
):
    # Folded before 0006, a soft hyphen stayed inside the word ("litera\u00adcy"), and a page holding
    # "literacy" so written was not chosen for a snippet of "literacy". Only changed pages are written.
    migration = import_module("llrc.catalogue.migrations.0006_file_page_folded_without_invisible")
    stored = _stored_file(make_resource)
    texts = ["Adult litera\u00adcy", "life\u200blong", "\u200fالتعلم\u200f", "no change"]
    old_folds = ["adult litera\u00adcy", "life\u200blong", "\u200fالتعلم\u200f", "no change"]
    FilePage.objects.bulk_create(
        FilePage(file=stored, number=number, text=text, folded=old)
        for number, (text, old) in enumerate(zip(texts, old_folds, strict=True), 1)
    )
    monkeypatch.setattr(migration, "BATCH", 2)
    migration.fold_pages_again(apps, None)
    folded = list(stored.pages.order_by("number").values_list("folded", flat=True))
    assert folded == ["adult literacy", "lifelong", "التعلم", "no change"]
