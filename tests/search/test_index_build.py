"""A large rebuild builds documents in worker processes: they must give exactly what one process gives.

Worker processes open their own database connection, so this runs against a real data directory set up by
`llrc init --demo` in a subprocess (the test database of pytest-django is invisible to other processes).
"""

import gc
import multiprocessing
import os
import subprocess
import sys
import textwrap

import pytest

from llrc.search import documents

COMPARE = textwrap.dedent(
    """
    import django
    django.setup()
    from llrc.search import documents

    documents.BATCH = 40  # the demo has ~270 resources: several batches for two workers
    ids = documents.published_ids()
    one = [d for batch in documents.document_batches(ids, workers=1) for d in batch]
    two = [d for batch in documents.document_batches(ids, workers=2) for d in batch]
    assert len(one) == len(ids) > 200, (len(one), len(ids))
    assert [d.id for d in two] == ids
    assert one == two
    assert any(d.text["pinyin"] for d in one) and any(d.facets["subject"] for d in one)
    print("same", len(two))
    """
)


# Every word (but Chinese ones) of the fields whose words the stem stream holds is in it as one of the
# forms a query looks that word up as: tantivy counts a query's matches from the stem terms alone
# (`tantivy._word_fields`), so a word missing there would be missing from facet counts and totals.
STEMMED_WORDS = textwrap.dedent(
    """
    import django
    django.setup()
    from llrc.search import documents
    from llrc.search.analysis import has_han, query_stems
    from llrc.search.backends.base import STEMMED_FIELDS

    ids = documents.published_ids()
    words = missing = 0
    languages = set()
    for batch in documents.document_batches(ids, workers=1):
        for d in batch:
            stems = set(d.text["stem"].split())
            languages.update(stem.partition("/")[2] for stem in stems)
            for name in STEMMED_FIELDS:
                for token in d.text[name].split():
                    if has_han(token):
                        continue
                    words += 1
                    if stems.isdisjoint(query_stems(token)):
                        missing += 1
                        print("missing", d.id, name, token)
    # Every stemmed language and text without a stemmer, so that every way of writing stems was seen.
    assert {"", "en", "fr", "es", "ru", "ar"} <= languages, languages
    print("words", words, "missing", missing)
    """
)


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A data directory with the demo collection, set up by `llrc init --demo` in a subprocess."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {
        "LLRC_DATA_DIR": str(tmp_path_factory.mktemp("demo")),
        "LLRC_SEARCH_VECTORS": "0",
        "DJANGO_SETTINGS_MODULE": "llrc.settings",
    }
    subprocess.run([*LLRC, "init", "--demo"], env=env, check=True, capture_output=True, timeout=600)
    return env


LLRC = [sys.executable, "-m", "llrc.cli"]


def test_every_word_of_the_stemmed_fields_is_in_the_stem_stream(demo_env):
    done = subprocess.run(
        [sys.executable, "-c", STEMMED_WORDS],
        env=demo_env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    last = done.stdout.split("\n")[-2].split()
    assert last[0] == "words" and int(last[1]) > 10_000, done.stdout[-3000:]
    assert last[2:] == ["missing", "0"], done.stdout[-3000:]


def test_parallel_document_building_matches_one_process(demo_env):
    env, llrc = demo_env, LLRC
    done = subprocess.run(
        [sys.executable, "-c", COMPARE], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("same ")
    # The command itself, with workers asked for explicitly.
    reindex = subprocess.run(
        [*llrc, "reindex", "--words-only"],
        env=env | {"LLRC_INDEX_WORKERS": "2"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert reindex.returncode == 0, reindex.stderr[-3000:]
    assert f"indexed {done.stdout.split()[1]} resources" in reindex.stdout


def test_building_documents_gives_the_garbage_collector_back():
    # Documents are built with the cyclic collector paused; a serving process that indexes a changed
    # resource must get it back as it was, also when building fails (ids that are not numbers fail
    # while the rows are selected, before any query).
    assert gc.isenabled()
    assert documents.build_documents([]) == []
    assert gc.isenabled()
    with pytest.raises(TypeError):
        documents.build_documents(["not", "ids"])  # type: ignore[list-item]
    assert gc.isenabled()
    gc.disable()
    try:
        documents.build_documents([])
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


def test_overlapping_builds_give_the_collector_back_when_the_last_ends():
    # Two request threads indexing edits at once: the first to finish must not switch the collector on
    # under the other, and the last must switch it back on (checking and switching it per build, the
    # second could see it off, remember that, and leave it off for good).
    first, second = documents._collector_paused(), documents._collector_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_parallel_building_keeps_only_a_few_batches_ahead():
    # Workers must not build the whole catalogue ahead of a slow index writer (PostgreSQL): the built
    # documents would pile up in the writing process.
    pulled: list[int] = []

    def batches():
        for i in range(20):
            pulled.append(i)
            yield [i, 1]

    got: list[int] = []
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        for result in documents._in_order(pool, sum, batches(), ahead=3):
            got.append(result)
            assert len(pulled) <= len(got) + 3, (len(pulled), len(got))
    assert got == [i + 1 for i in range(20)]  # every batch, in order
    with pytest.raises(ValueError, match="ahead must be at least 1"):
        next(documents._in_order(pool, sum, [[1]], ahead=0))  # would silently yield nothing
