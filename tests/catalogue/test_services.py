"""Catalogue services on a real database: writes, audit, files, relations and refusals."""

import hashlib

import pytest
from django.core.exceptions import ValidationError

from llrc.catalogue import services
from llrc.catalogue.models import (
    Agent,
    AuditEntry,
    Identifier,
    Relation,
    Resource,
    ResourceFile,
    ResourceText,
)
from llrc.catalogue.validation import CreatorData
from tests.conftest import resource_data

pytestmark = pytest.mark.django_db


def test_create_stores_every_field(make_resource):
    resource = make_resource(
        identifiers=[("isbn", "978-0-306-40615-7"), ("doi", "https://doi.org/10.1234/ABC")],
        target_groups=["older-people"],
        sdg_targets=["4.6"],
        regions=["030"],
        education_levels=["4"],
        licence="CC-BY-SA-3.0-IGO",
        access_rights="open",
        plain_summaries={"en": "Learning for everyone."},
        publisher="UNESCO Institute for Lifelong Learning",
    )
    resource.refresh_from_db()
    assert resource.year == 2015
    assert resource.texts("title") == {
        "en": "National strategy for lifelong learning",
        "zh-hans": "国家终身学习战略",
    }
    assert resource.original_language() == "en"
    assert resource.texts("plain_summary") == {"en": "Learning for everyone."}
    assert [c.code for c in resource.languages.all()] == ["en", "zh"] or {
        c.code for c in resource.languages.all()
    } == {"en", "zh"}
    assert {c.code for c in resource.target_groups.all()} == {"older-people"}
    assert resource.licence.code == "CC-BY-SA-3.0-IGO"
    assert resource.publisher.name == "UNESCO Institute for Lifelong Learning"
    assert sorted((i.scheme, i.value) for i in resource.identifiers.all()) == [
        ("doi", "10.1234/abc"),
        ("isbn", "9780306406157"),
    ]
    assert [(c.agent.name, c.role) for c in resource.contributions.all()] == [
        ("Ministry of Education", "issuer")
    ]
    assert AuditEntry.objects.filter(action="create", resource_id_ref=resource.pk).count() == 1


def test_update_replaces_description(make_resource, django_capture_on_commit_callbacks):
    resource = make_resource()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_resource(
            resource,
            resource_data(titles={"fr": "Stratégie nationale"}, original_language="fr"),
            actor=None,
        )
    resource.refresh_from_db()
    assert resource.texts("title") == {"fr": "Stratégie nationale"}
    assert resource.original_language() == "fr"
    assert AuditEntry.objects.filter(action="update", resource_id_ref=resource.pk).exists()


def test_delete_removes_resource_and_audits(make_resource, django_capture_on_commit_callbacks):
    resource = make_resource()
    rid = resource.pk
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_resource(resource, actor=None)
    assert not Resource.objects.filter(pk=rid).exists()
    assert not ResourceText.objects.filter(resource_id=rid).exists()
    assert AuditEntry.objects.filter(action="delete", resource_id_ref=rid).exists()


def test_attach_file_is_stored_by_sha256(
    make_resource, settings, django_capture_on_commit_callbacks
):
    resource = make_resource()
    content = b"%PDF-1.4 a tiny test file"
    with django_capture_on_commit_callbacks(execute=True):
        stored = services.attach_file(
            resource, name="../../etc/strategy.pdf", content=content, language="en", actor=None
        )
    digest = hashlib.sha256(content).hexdigest()
    assert stored.sha256 == digest
    assert stored.name == "strategy.pdf"  # no path from the client survives
    assert stored.media_type == "application/pdf"
    assert stored.size == len(content)
    path = settings.FILES_DIR / f"resources/{digest[:2]}/{digest[2:4]}/{digest}"
    assert path.read_bytes() == content


def test_a_published_file_is_found_by_its_number_and_name(
    make_resource, django_capture_on_commit_callbacks
):
    from llrc.catalogue import queries

    resource = make_resource()
    with django_capture_on_commit_callbacks(execute=True):
        stored = services.attach_file(
            resource, name="strategy.pdf", content=b"%PDF-1.4 x", language="en", actor=None
        )
    assert queries.get_published_file(stored.pk, "strategy.pdf") == stored
    assert queries.get_published_file(stored.pk, "other.pdf") is None
    # A link's name holding %00 failed PostgreSQL's lookup with a server error.
    assert queries.get_published_file(stored.pk, "strategy\x00.pdf") is None
    Resource.objects.filter(pk=resource.pk).update(status="draft")
    assert queries.get_published_file(stored.pk, "strategy.pdf") is None


def stored_bytes(settings, content):
    digest = hashlib.sha256(content).hexdigest()
    return settings.FILES_DIR / f"resources/{digest[:2]}/{digest[2:4]}/{digest}"


def test_deleted_files_leave_no_bytes_behind_unless_another_file_holds_them(
    make_resource, settings, django_capture_on_commit_callbacks
):
    """The bytes of a deleted file stayed in the store, unreachable, whether the file went with its
    resource or on its own (the admin's file inline). Bytes two files share stay until both are gone."""
    first, second = make_resource(), make_resource()
    shared, own = b"%PDF-1.4 shared bytes", b"%PDF-1.4 bytes of one file"
    with django_capture_on_commit_callbacks(execute=True):
        services.attach_file(first, name="a.pdf", content=shared, actor=None)
        services.attach_file(second, name="b.pdf", content=shared, actor=None)
        alone = services.attach_file(second, name="c.pdf", content=own, actor=None)
    assert stored_bytes(settings, shared).exists() and stored_bytes(settings, own).exists()
    with django_capture_on_commit_callbacks(execute=True):
        alone.delete()
    assert not stored_bytes(settings, own).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_resource(first, actor=None)
    assert stored_bytes(settings, shared).exists()  # the second resource's file holds them
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_resource(second, actor=None)
    assert not stored_bytes(settings, shared).exists()


def test_a_delete_that_does_not_commit_keeps_the_bytes(
    make_resource, settings, django_capture_on_commit_callbacks
):
    from django.db import transaction

    resource = make_resource()
    content = b"%PDF-1.4 kept bytes"
    with django_capture_on_commit_callbacks(execute=True):
        stored = services.attach_file(resource, name="k.pdf", content=content, actor=None)
    pk = stored.pk

    class Undo(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Undo),
        transaction.atomic(),
    ):
        stored.delete()
        raise Undo
    assert ResourceFile.objects.filter(pk=pk).exists()
    assert stored_bytes(settings, content).exists()


def test_an_attach_that_fails_leaves_no_bytes_it_stored(make_resource, settings):
    """Bytes are stored before the row that refers to them is written: when the write fails, bytes this
    attach put there go again, and bytes another file already held stay."""
    held = b"%PDF-1.4 held by a file"
    services.attach_file(make_resource(), name="held.pdf", content=held, actor=None)
    unsaved = Resource()  # no row: the file's row cannot refer to it
    for content in (b"%PDF-1.4 new bytes", held):
        with pytest.raises(ValueError):
            services.attach_file(unsaved, name="x.pdf", content=content, actor=None)
    assert not stored_bytes(settings, b"%PDF-1.4 new bytes").exists()
    assert stored_bytes(settings, held).exists()


def test_the_fixity_check_finds_missing_changed_and_unreferenced_bytes(
    make_resource, settings, django_capture_on_commit_callbacks
):
    import os

    from django.core.management import CommandError, call_command

    resource = make_resource()
    contents = [b"%PDF-1.4 sound", b"%PDF-1.4 to be lost", b"%PDF-1.4 to be changed"]
    with django_capture_on_commit_callbacks(execute=True):
        _sound, lost, changed = (
            services.attach_file(resource, name=f"{n}.pdf", content=c, actor=None)
            for n, c in enumerate(contents)
        )
    report = services.check_file_store()
    assert report.sound and report.checked == 3 and not report.unreferenced
    stored_bytes(settings, contents[1]).unlink()
    stored_bytes(settings, contents[2]).write_bytes(b"%PDF-1.4 to be changeD")
    orphan = settings.FILES_DIR / "resources/ab/cd/abcd"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"left by a transaction rolled back")
    report = services.check_file_store()
    assert (report.missing, report.damaged) == ([lost.pk], [changed.pk])
    assert report.unreferenced == []  # too young: an attach in progress stores bytes first
    old = orphan.stat().st_mtime - 2 * services.UNREFERENCED_GRACE
    os.utime(orphan, (old, old))
    assert services.check_file_store().unreferenced == ["resources/ab/cd/abcd"]
    assert orphan.exists()  # only listed unless asked
    with pytest.raises(CommandError, match="1 missing and 1 changed"):
        call_command("checkfiles", "--remove-unreferenced")
    assert not orphan.exists() and stored_bytes(settings, contents[0]).exists()


def test_a_file_in_an_unknown_language_is_refused_and_nothing_is_stored(make_resource, settings):
    resource = make_resource()
    with pytest.raises(ValidationError) as info:
        services.attach_file(
            resource, name="a.pdf", content=b"%PDF-1.4 a", language="klingon", actor=None
        )
    assert "language" in info.value.message_dict
    assert resource.files.count() == 0 and not stored_bytes(settings, b"%PDF-1.4 a").exists()
    stored = services.attach_file(
        resource, name="a.pdf", content=b"%PDF-1.4 a", language="ZH_Hans", actor=None
    )
    assert stored.language == "zh-hans"


def test_empty_file_is_refused_and_nothing_is_stored(make_resource):
    resource = make_resource()
    with pytest.raises(ValidationError) as info:
        services.attach_file(resource, name="empty.pdf", content=b"", actor=None)
    assert "file" in info.value.message_dict
    assert resource.files.count() == 0


def test_translation_relation_is_recorded_both_ways(make_resource):
    english = make_resource()
    chinese = make_resource(titles={"zh-hans": "国家终身学习战略"}, original_language="zh-hans")
    services.add_relation(chinese, "translation_of", english, actor=None)
    assert Relation.objects.filter(source=chinese, target=english, kind="translation_of").exists()
    assert Relation.objects.filter(source=english, target=chinese, kind="translation_of").exists()


def test_removing_a_translation_removes_both_directions(make_resource):
    english = make_resource()
    chinese = make_resource(titles={"zh-hans": "国家终身学习战略"}, original_language="zh-hans")
    relation = services.add_relation(chinese, "translation_of", english, actor=None)
    services.add_relation(chinese, "references", english, actor=None)
    services.remove_relation(relation, actor=None)
    assert set(Relation.objects.values_list("source_id", "kind", "target_id")) == {
        (chinese.pk, "references", english.pk)
    }
    assert AuditEntry.objects.filter(action="unrelate", resource_id_ref=chinese.pk).exists()


def test_relation_to_itself_is_refused(make_resource):
    resource = make_resource()
    with pytest.raises(ValidationError, match="itself"):
        services.add_relation(resource, "references", resource, actor=None)


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"languages": ["en", "xx"]}, "languages", "'xx'"),
        ({"countries": ["ZZ"]}, "countries", "'ZZ'"),
        ({"identifiers": [("isbn", "978-0-306-40615-8")]}, "identifiers", "wrong check digit"),
        ({"identifiers": [("doi", "doi:11.5/x")]}, "identifiers", "malformed"),
        ({"date_issued": "2021-02-30"}, "date_issued", "does not exist"),
        ({"titles": {"en": "   ", "zh-hans": ""}}, "title", "at least one language"),
        ({"titles": {"klingon": "Qapla"}}, "title", "unknown language code"),
        ({"subjects": ["concept999999"]}, "subjects", "concept999999"),
        ({"licence": "CC-BY-9.9"}, "licence", "SPDX"),
        ({"resource_type": "novel"}, "resource_type", "novel"),
        ({"collections": ["nowhere"]}, "collections", "nowhere"),
        ({"creators": [CreatorData("", "organisation", "author")]}, "creators", "no name"),
        ({"creators": [CreatorData("x" * 301)]}, "creators", "longer than 300"),
        ({"publisher": "x" * 301}, "publisher", "longer than 300"),
        ({"titles": {"en": "Adult\x00learning"}}, "title", "U+0000, a control character"),
        ({"summaries": {"en": "x\ud800"}}, "summary", "U+D800, half of a character"),
        ({"keywords": ["ok", "\uffff"]}, "keywords", "value 2 holds U+FFFF"),
        ({"identifiers": [("url", "https://example.org/\x0b")]}, "identifiers", "U+000B"),
        ({"subjects": ["concept\x1b1488"]}, "subjects", "U+001B"),
        # Titles and names that show nothing are no titles and no names.
        ({"titles": {"en": "\u200b"}}, "title", "at least one language"),
        ({"titles": {"en": "\ufeff\u2060", "fr": "\u3164"}}, "title", "at least one language"),
        ({"titles": {"en": "\x80\x81"}}, "title", "at least one language"),
        ({"creators": [CreatorData("\u2060")]}, "creators", "creator 1 has no name"),
        # An override left open reverses what follows the title wherever it is shown.
        ({"titles": {"en": "Report \u202egpj.exe"}}, "title", "U+202E at position 8"),
        ({"summaries": {"en": "x\u2069"}}, "summary", "U+2069"),
        ({"creators": [CreatorData("\u202eAlice")]}, "creators", "creator 1's name"),
    ],
)
def test_invalid_input_names_the_field_and_saves_nothing(overrides, field, words):
    before = (
        Resource.objects.count(),
        ResourceText.objects.count(),
        Identifier.objects.count(),
        AuditEntry.objects.count(),
    )
    with pytest.raises(ValidationError) as info:
        services.create_resource(resource_data(**overrides), actor=None)
    errors = info.value.message_dict
    assert field in errors, errors
    assert any(words in message for message in errors[field]), errors
    after = (
        Resource.objects.count(),
        ResourceText.objects.count(),
        Identifier.objects.count(),
        AuditEntry.objects.count(),
    )
    assert after == before


def test_a_date_typed_in_full_width_digits_is_stored_in_ascii():
    resource = services.create_resource(resource_data(date_issued="２０１５－０３"), actor=None)
    resource.refresh_from_db()
    assert (resource.date_issued, resource.year) == ("2015-03", 2015)


def test_an_isbn_typed_in_arabic_indic_digits_is_stored_in_ascii():
    resource = services.create_resource(
        resource_data(identifiers=[("isbn", "٩٧٨٠٣٠٦٤٠٦١٥٧")]), actor=None
    )
    assert [(i.scheme, i.value) for i in resource.identifiers.all()] == [("isbn", "9780306406157")]


def test_tabs_and_line_breaks_are_text():
    resource = services.create_resource(
        resource_data(summaries={"en": "Two parts:\tone\r\nand two\n"}), actor=None
    )
    assert resource.texts("summary")["en"] == "Two parts:\tone\r\nand two"


def test_several_problems_are_reported_together():
    with pytest.raises(ValidationError) as info:
        services.create_resource(resource_data(countries=["ZZ"], date_issued="2015-13"), actor=None)
    assert {"countries", "date_issued"} <= set(info.value.message_dict)


def test_invalid_update_leaves_resource_unchanged(make_resource):
    resource = make_resource()
    with pytest.raises(ValidationError):
        services.update_resource(
            resource, resource_data(titles={"en": "New"}, countries=["ZZ"]), actor=None
        )
    resource.refresh_from_db()
    assert resource.texts("title")["en"] == "National strategy for lifelong learning"


@pytest.mark.parametrize("publisher", ["   ", " \t ", "\u200b"])
def test_a_publisher_that_shows_nothing_is_no_publisher(publisher):
    resource = services.create_resource(resource_data(publisher=publisher), actor=None)
    resource.refresh_from_db()
    assert resource.publisher is None
    assert not Agent.objects.exclude(name__regex=r"\w").exists()


def test_keywords_that_show_nothing_are_left_out():
    resource = services.create_resource(
        resource_data(keywords=["adult learning", "\u200b", " ", "adult learning "]), actor=None
    )
    resource.refresh_from_db()
    assert resource.keywords == ["adult learning"]


def test_a_descriptions_problems_are_english_whatever_language_is_active():
    """A description's checks frame their problems in English ("the en value …"); the problems inside
    speak the active language for the admin. Under Chinese, a caller got "the en value 开启了…"."""
    from django.utils import translation

    from llrc.catalogue.validation import validate_resource_data

    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        validate_resource_data(
            resource_data(titles={"en": "Shanghai \u202egpj.exe"}, date_issued="9999")
        )
    messages = refused.value.message_dict
    assert messages["title"][0].startswith("the en value opens a change of direction"), messages
    assert "years ahead" in messages["date_issued"][0]
