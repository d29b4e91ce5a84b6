"""The built Chinese-English dictionary is kept under LLRC_DATA_DIR/cache and read back by the next
process: building it takes seconds in every server and worker process (llrc/search/crosslang.py)."""

from __future__ import annotations

import logging
import marshal

from llrc.search import crosslang


def test_the_built_dictionary_is_kept_read_back_and_rebuilt_when_the_cache_is_bad(
    settings, tmp_path, caplog
):
    settings.DATA_DIR = tmp_path
    built = crosslang.Dictionary()
    kept = list((tmp_path / "cache").glob("cedict-*.marshal"))
    assert len(kept) == 1
    assert crosslang.Dictionary().__dict__ == built.__dict__
    assert built.english_for("学习")[:2] == ["learn", "study"]

    # What the next process reads is the kept file, not a new build.
    kept[0].write_bytes(
        marshal.dumps(({"学习": ["kept"]}, {"kept": ["学习"]}, {"成教": ["kept"]}, {"学习": True}))
    )
    assert crosslang.Dictionary().english_for("学习") == ["kept"]
    assert crosslang.Dictionary().other_forms("成教") == ["kept"]
    assert crosslang.Dictionary().is_a_name("学习")

    # A file of another shape (the three tables kept before names were) is built again.
    kept[0].write_bytes(marshal.dumps(({"学习": ["kept"]}, {"kept": ["学习"]}, {"成教": ["kept"]})))
    with caplog.at_level(logging.WARNING, logger="llrc.search.crosslang"):
        assert crosslang.Dictionary().__dict__ == built.__dict__
    assert "something else than the built dictionary" in caplog.text
    assert crosslang.Dictionary().other_forms("成教") == ["成人教育"]

    # A damaged file is said and built again, and the cache mended.
    kept[0].write_bytes(b"\x00 not marshal")
    with caplog.at_level(logging.WARNING, logger="llrc.search.crosslang"):
        again = crosslang.Dictionary()
    assert again.__dict__ == built.__dict__
    assert "could not be read from the cache" in caplog.text
    assert crosslang.Dictionary().__dict__ == built.__dict__


def test_a_data_folder_that_cannot_keep_it_still_gets_a_dictionary(settings, tmp_path, caplog):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would go")
    settings.DATA_DIR = blocked
    with caplog.at_level(logging.WARNING, logger="llrc.search.crosslang"):
        dictionary = crosslang.Dictionary()
    assert dictionary.english_for("学习")[:2] == ["learn", "study"]
    assert "could not keep the built dictionary in the cache" in caplog.text
    assert blocked.read_text() == "a file where the cache folder would go"


def test_a_change_of_the_fields_lists_builds_the_dictionary_again(settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path
    glossary = tmp_path / "glossary.tsv"
    glossary.write_bytes(crosslang.FIELD_GLOSSARY.read_bytes())
    monkeypatch.setattr(crosslang, "FIELD_GLOSSARY", glossary)
    crosslang._built_name.cache_clear()
    try:
        before = crosslang._built_name()
        assert crosslang.Dictionary().english_for("学分银行") == ["credit bank"]
        with glossary.open("a", encoding="utf-8") as listing:
            listing.write("学分银行卡\tcredit bank\t\n")
        crosslang._built_name.cache_clear()
        assert crosslang._built_name() != before
        assert crosslang.Dictionary().english_for("学分银行卡") == ["credit bank"]
        assert len(list((tmp_path / "cache").glob("cedict-*.marshal"))) == 1
    finally:
        crosslang._built_name.cache_clear()
