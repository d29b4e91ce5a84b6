"""The vector store: HNSW base + delta on real files, with synthetic unit vectors (no encoder)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from llrc.search import vectors as vectors_module
from llrc.search.vectors import DIMENSIONS, VectorStore, VectorStoreError


def unit(rng: np.random.Generator, count: int) -> np.ndarray:
    rows = rng.standard_normal((count, DIMENSIONS)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def near(vector: np.ndarray, rng: np.random.Generator, noise: float = 0.01) -> np.ndarray:
    moved = vector + rng.standard_normal(DIMENSIONS).astype(np.float32) * noise
    return moved / np.linalg.norm(moved)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "vectors"


@pytest.fixture
def store(path: Path) -> VectorStore:
    return VectorStore(path)


@pytest.fixture
def filled(
    store: VectorStore, rng: np.random.Generator
) -> tuple[VectorStore, dict[int, np.ndarray]]:
    """300 vectors in the base, ids 1000.. so that an id is never a row number by accident."""
    ids = list(range(1000, 1300))
    matrix = unit(rng, len(ids))
    store.replace_all(ids, matrix)
    return store, dict(zip(ids, matrix, strict=True))


def files(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in path.iterdir() if p.name != "write.lock"}


def test_an_empty_store_answers_nothing(store: VectorStore, rng: np.random.Generator) -> None:
    assert store.nearest(unit(rng, 1)[0], limit=10, threshold=-1.0) == []
    assert store.count() == 0
    assert store.ids().tolist() == []
    assert store.vector_of(1) is None


def test_nearest_finds_the_true_neighbours_best_first(filled, rng) -> None:
    store, stored = filled
    query = near(stored[1017], rng)
    found = store.nearest(query, limit=10, threshold=-1.0)
    assert found[0][0] == 1017 and found[0][1] > 0.95
    scores = [score for _id, score in found]
    assert scores == sorted(scores, reverse=True)
    # Against brute force over what the store holds: the int8-quantised vectors and query.
    held = {i: vectors_module.quantise(v).astype(np.float32) for i, v in stored.items()}
    held_query = vectors_module.quantise(query).astype(np.float32)
    exact = sorted(held, key=lambda i: -similarity(held[i], held_query))[:10]
    assert [i for i, _s in found] == exact
    # The score is the cosine similarity (of the int8-quantised vectors: within 0.01).
    for resource_id, score in found:
        assert score == pytest.approx(similarity(stored[resource_id], query), abs=0.01)


def test_a_large_base_is_searched_through_the_graph(path: Path, rng, monkeypatch) -> None:
    """Past EXACT_UP_TO the base answers through HNSW (approximate): each stored vector, looked for
    with a little noise, still comes first. One miss in 60 is tolerated; more means a broken graph."""
    monkeypatch.setattr(vectors_module, "EXACT_UP_TO", 100)
    store = VectorStore(path)
    matrix = unit(rng, 3000)
    store.replace_all(list(range(3000)), matrix)
    searched: list[bool] = []
    real_search = vectors_module.Index.search

    def spy(self, *args, **kwargs):
        searched.append(bool(kwargs.get("exact")))
        return real_search(self, *args, **kwargs)

    monkeypatch.setattr(vectors_module.Index, "search", spy)
    picks = rng.choice(3000, size=60, replace=False)
    # A vector the graph cannot reach is a miss with nothing above the threshold (other vectors are at
    # similarity ~0): an empty answer, counted as a miss rather than failing on its first element.
    answers = [store.nearest(near(matrix[i], rng), limit=5, threshold=0.5) for i in picks]
    first = [found[0][0] if found else None for found in answers]
    assert searched and not any(searched)  # the graph, not a scan
    assert sum(f == int(i) for f, i in zip(first, picks, strict=True)) >= 59


def test_a_small_base_answers_every_vector(store, rng) -> None:
    """Below EXACT_UP_TO the base is scanned: asking for more than it holds returns all of it, which
    HNSW built by several threads does not promise."""
    store.replace_all(list(range(500)), unit(rng, 500))
    for query in unit(rng, 10):
        found = [i for i, _s in store.nearest(query, limit=600, threshold=-1.0)]
        assert sorted(found) == list(range(500))


def test_nearest_respects_limit_and_threshold(filled, rng) -> None:
    store, stored = filled
    query = stored[1100]
    assert len(store.nearest(query, limit=3, threshold=-1.0)) == 3
    assert store.nearest(query, limit=0, threshold=-1.0) == []
    # Random 512-d vectors are nearly orthogonal, so only the vector itself is above 0.5.
    assert [i for i, _s in store.nearest(query, limit=50, threshold=0.5)] == [1100]
    assert all(s >= 0.05 for _i, s in store.nearest(query, limit=50, threshold=0.05))


def test_answers_are_remembered_for_one_generation_only(path: Path, rng) -> None:
    """A repeated query is answered from memory, but never past a write by this or another object."""
    writer, reader = VectorStore(path), VectorStore(path)
    matrix = unit(rng, 40)
    writer.replace_all(list(range(40)), matrix)
    query = matrix[7]
    first = reader.nearest(query, limit=5, threshold=-1.0)
    assert first[0][0] == 7
    assert reader.nearest(query, limit=5, threshold=-1.0) == first
    assert len(reader._answers) == 1  # remembered (one entry per query vector, limit and threshold)
    # Another object writes the query's own vector under a new id, and removes the old one.
    writer.upsert([99], query[None, :], remove=[7])
    again = reader.nearest(query, limit=5, threshold=-1.0)
    assert again[0][0] == 99 and 7 not in [i for i, _s in again]
    # A different limit or threshold is its own question.
    assert [i for i, _s in reader.nearest(query, limit=5, threshold=0.9)] == [99]


def test_upsert_replaces_the_old_vector(filled, rng) -> None:
    store, stored = filled
    old, new = stored[1005], unit(rng, 1)[0]
    store.upsert([1005], new[None, :])
    assert 1005 not in [i for i, _s in store.nearest(old, limit=10, threshold=0.5)]
    assert store.nearest(new, limit=1, threshold=0.5)[0][0] == 1005
    assert similarity(store.vector_of(1005), new) > 0.99
    assert store.count() == 300
    found = [i for i, _s in store.nearest(new, limit=300, threshold=-1.0)]
    assert found.count(1005) == 1  # the base's superseded copy is not served beside the new one


def test_upsert_adds_new_ids_and_remove_drops(filled, path: Path, rng) -> None:
    store, stored = filled
    fresh = unit(rng, 2)
    store.upsert([5000, 5001], fresh, remove=[1007, 1008])
    assert store.count() == 300
    assert store.vector_of(1007) is None and store.vector_of(1008) is None
    assert 1007 not in [i for i, _s in store.nearest(stored[1007], limit=20, threshold=-1.0)]
    assert store.nearest(fresh[1], limit=1, threshold=0.5)[0][0] == 5001
    # Removing an id that only the delta holds, and one given both ways (the new vector wins).
    store.upsert([1009], fresh[:1], remove=[5000, 1009])
    assert 5000 not in store.ids()
    before = files(path)
    store.upsert([], np.zeros((0, DIMENSIONS), dtype=np.float32), remove=[5000, 123456])
    assert files(path) == before  # removing what is not there writes nothing
    assert similarity(store.vector_of(1009), fresh[0]) > 0.99
    assert store.count() == 299


def test_updates_past_the_delta_limit_keep_every_vector_exactly_once(
    store: VectorStore, path: Path, rng: np.random.Generator, monkeypatch
) -> None:
    monkeypatch.setattr(vectors_module, "DELTA_LIMIT", 25)
    expected: dict[int, np.ndarray] = {}
    start = unit(rng, 100)
    store.replace_all(list(range(100)), start)
    expected.update(enumerate(start))
    bases_seen = set()
    for step in range(40):
        ids = [int(i) for i in rng.choice(160, size=6, replace=False)]
        removed = [int(i) for i in rng.choice(160, size=2, replace=False) if int(i) not in ids]
        matrix = unit(rng, len(ids))
        store.upsert(ids, matrix, remove=removed)
        for resource_id in removed:
            expected.pop(resource_id, None)
        expected.update(zip(ids, matrix, strict=True))
        bases_seen.add(json.loads((path / "manifest.json").read_text()).get("base"))
        if step % 10 == 9:
            assert store.count() == len(expected)
    assert len(bases_seen) >= 5, "the delta limit should have compacted the base several times"
    assert store.ids().tolist() == sorted(expected)
    assert store.count() == len(expected)
    everything = [i for i, _s in store.nearest(unit(rng, 1)[0], limit=1000, threshold=-1.0)]
    assert sorted(everything) == sorted(expected)  # each id once, none lost, none left over
    for resource_id, vector in expected.items():
        assert similarity(store.vector_of(resource_id), vector) > 0.99
        assert store.nearest(vector, limit=1, threshold=0.9)[0][0] == resource_id
    # Only the current generation's files stay.
    names = {p.name for p in path.iterdir()}
    assert len([n for n in names if n.startswith("base-")]) == 1
    assert len([n for n in names if n.startswith("delta-")]) <= 1
    assert not [n for n in names if n.startswith(".tmp")]


def test_a_failed_compaction_keeps_the_update(filled, path: Path, rng, monkeypatch, caplog) -> None:
    monkeypatch.setattr(vectors_module, "DELTA_LIMIT", 5)
    store, _stored = filled
    assert store.count() == 300  # the base is now mapped, so searches still had it
    base = next(path.glob("base-*.usearch"))
    base.unlink()  # ...but the compaction that the next update starts cannot load it
    fresh = unit(rng, 8)
    store.upsert(list(range(5000, 5008)), fresh)
    assert "compaction failed" in caplog.text
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["base"] == base.name  # the old generation's base is still the one named
    with np.load(path / manifest["delta"]) as delta:  # and the update went into the delta
        assert delta["ids"].tolist() == list(range(5000, 5008))
    assert store.nearest(fresh[3], limit=1, threshold=0.9)[0][0] == 5003
    store.replace_all([1], fresh[:1])  # a rebuild recovers
    assert store.ids().tolist() == [1]


def expect_exactly(store: VectorStore, expected: dict[int, np.ndarray], rng) -> None:
    assert store.ids().tolist() == sorted(expected)
    everything = [i for i, _s in store.nearest(unit(rng, 1)[0], limit=1000, threshold=-1.0)]
    assert sorted(everything) == sorted(expected)  # each once: no stale base copy beside a new one
    for resource_id, vector in expected.items():
        assert similarity(store.vector_of(resource_id), vector) > 0.99


def test_the_site_compacts_in_a_process_of_its_own(path: Path, rng, monkeypatch) -> None:
    monkeypatch.setattr(vectors_module, "DELTA_LIMIT", 10)
    store = VectorStore(path, compact_in_background=True)
    start = unit(rng, 50)
    store.replace_all(list(range(50)), start)
    expected = dict(enumerate(start))
    base_before = json.loads((path / "manifest.json").read_text())["base"]
    fresh = unit(rng, 12)
    for i in range(12):  # the 11th update passes the limit: the write returns, a process compacts
        store.upsert([100 + i], fresh[i : i + 1])
        expected[100 + i] = fresh[i]
    assert vectors_module.wait_for_background_compaction(path, timeout=120) == 0
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["base"] != base_before
    assert manifest["base_count"] >= 61  # the delta went into the base...
    if "delta" in manifest:  # ...except an update that came after the compaction's snapshot
        with np.load(path / manifest["delta"]) as delta:
            assert len(delta["ids"]) <= 1
    expect_exactly(VectorStore(path), expected, rng)


def test_updates_during_a_compaction_are_carried_into_the_new_generation(
    filled, path: Path, rng, monkeypatch
) -> None:
    store, stored = filled
    expected = dict(stored)
    early = unit(rng, 3)
    store.upsert([5000, 5001, 1001], early)  # in the delta when the compaction takes its snapshot
    store.upsert([], np.zeros((0, DIMENSIONS)), remove=[1002])
    expected.update({5000: early[0], 5001: early[1], 1001: early[2]})
    expected.pop(1002)
    late = unit(rng, 3)

    def another_writer(_store: VectorStore) -> None:
        # What another process writes while the new base is being built.
        other = VectorStore(path)
        other.upsert([5000, 6000, 1003], late, remove=[5001, 1004])

    monkeypatch.setattr(vectors_module, "_before_swap", another_writer)
    assert store.compact() is True
    expected.update({5000: late[0], 6000: late[1], 1003: late[2]})
    expected.pop(5001)
    expected.pop(1004)
    expect_exactly(store, expected, rng)
    expect_exactly(VectorStore(path), expected, rng)
    manifest = json.loads((path / "manifest.json").read_text())
    with np.load(path / manifest["delta"]) as delta:
        assert sorted(delta["ids"].tolist()) == [1003, 5000, 6000]  # only what came late


def test_a_rebuild_during_a_compaction_wins(filled, path: Path, rng, monkeypatch) -> None:
    store, _stored = filled
    store.upsert([5000], unit(rng, 1))
    rebuilt = unit(rng, 4)

    def rebuild(_store: VectorStore) -> None:
        VectorStore(path).replace_all([1, 2, 3, 4], rebuilt)

    monkeypatch.setattr(vectors_module, "_before_swap", rebuild)
    assert store.compact() is False
    expect_exactly(store, dict(zip([1, 2, 3, 4], rebuilt, strict=True)), rng)
    assert not [p for p in path.iterdir() if p.name.startswith(".tmp")]


def test_only_one_compaction_runs_at_a_time(filled, path: Path, rng, monkeypatch) -> None:
    store, _stored = filled
    store.upsert([5000], unit(rng, 1))
    answers: list[bool] = []
    monkeypatch.setattr(
        vectors_module, "_before_swap", lambda _s: answers.append(VectorStore(path).compact())
    )
    assert store.compact() is True
    assert answers == [False]  # the second found the lock taken and left


@pytest.mark.parametrize(
    ("args", "message"),
    [([], "usage"), (["/nonexistent/vectors"], "no vector store at /nonexistent/vectors")],
)
def test_the_compaction_command_explains_bad_arguments(args, message) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "llrc.search.compact_vectors", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert message in done.stderr


def test_bulk_rebuild_replaces_everything(filled, path: Path, rng) -> None:
    store, _stored = filled
    store.upsert([1001], unit(rng, 1))  # leaves a delta that the rebuild must drop too
    new = unit(rng, 250)
    with store.bulk() as writer:
        for start in range(0, 250, 60):
            writer.add(
                list(range(2000 + start, 2000 + min(250, start + 60))), new[start : start + 60]
            )
    assert store.ids().tolist() == list(range(2000, 2250))
    assert store.vector_of(1001) is None
    assert store.nearest(new[77], limit=1, threshold=0.9)[0][0] == 2077
    assert not [p for p in path.iterdir() if p.name.startswith(("delta-", ".tmp"))]


def test_an_id_given_twice_in_a_bulk_rebuild_keeps_its_last_vector(store, rng) -> None:
    first, second, third = unit(rng, 3)
    with store.bulk() as writer:
        writer.add([1, 2, 1], np.stack([first, first, second]))  # twice in one chunk
        writer.add([2], third[None, :])  # and again in a later one
    assert store.count() == 2
    assert similarity(store.vector_of(1), second) > 0.99
    assert similarity(store.vector_of(2), third) > 0.99


def test_an_exception_inside_bulk_leaves_the_old_store(filled, path: Path, rng) -> None:
    store, stored = filled
    store.upsert([1002], unit(rng, 1), remove=[1003])
    before, ids_before = files(path), store.ids().tolist()
    with pytest.raises(RuntimeError, match="encoder failed"), store.bulk() as writer:
        writer.add(list(range(9000, 9100)), unit(rng, 100))
        raise RuntimeError("encoder failed")
    assert files(path) == before  # and no temporary file left behind
    assert store.ids().tolist() == ids_before
    assert store.nearest(stored[1200], limit=1, threshold=0.9)[0][0] == 1200


def test_a_second_store_object_on_the_same_path_sees_writes(path: Path, rng, monkeypatch) -> None:
    monkeypatch.setattr(vectors_module, "DELTA_LIMIT", 30)
    writer, reader = VectorStore(path), VectorStore(path)
    assert reader.count() == 0  # the reader has now read (and would cache) the empty store
    matrix = unit(rng, 50)
    writer.replace_all(list(range(50)), matrix)
    assert reader.count() == 50
    fresh = unit(rng, 10)
    writer.upsert(list(range(100, 110)), fresh, remove=[0])
    assert reader.count() == 59
    assert reader.nearest(fresh[3], limit=1, threshold=0.9)[0][0] == 103
    # Writes from both objects interleave without losing one (each re-reads the store under the lock).
    reader.upsert([200], unit(rng, 1))
    writer.upsert([201], unit(rng, 1))
    assert {200, 201} <= set(reader.ids().tolist()) and {200, 201} <= set(writer.ids().tolist())
    # A compaction by one is seen by the other.
    writer.upsert(list(range(300, 330)), unit(rng, 30))
    assert "delta" not in json.loads((path / "manifest.json").read_text())
    assert reader.count() == writer.count() == 91
    assert reader.ids().tolist() == writer.ids().tolist()


def test_a_reader_notices_a_rebuilt_folder_whose_files_reuse_old_names(path: Path, rng) -> None:
    first, second = unit(rng, 3), unit(rng, 2)
    VectorStore(path).replace_all([1, 2, 3], first)
    reader = VectorStore(path)
    assert reader.count() == 3
    shutil.rmtree(path)
    VectorStore(path).replace_all([8, 9], second)  # generation 1 again: the same file names
    assert reader.ids().tolist() == [8, 9]
    assert reader.nearest(second[1], limit=1, threshold=0.9)[0][0] == 9


def test_readers_in_other_threads_never_see_a_broken_store(store, rng, monkeypatch) -> None:
    monkeypatch.setattr(vectors_module, "DELTA_LIMIT", 40)
    store.replace_all(list(range(200)), unit(rng, 200))
    queries = unit(rng, 8)
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                for query in queries:
                    found = [i for i, _s in store.nearest(query, limit=300, threshold=-1.0)]
                    assert len(found) == len(set(found)) == 200
        except BaseException as error:
            errors.append(error)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for thread in readers:
        thread.start()
    try:
        for _step in range(15):  # replaces 9 and removes 1 + adds 1: the count stays 200
            ids = [int(i) for i in rng.choice(200, size=9, replace=False)]
            store.upsert(ids, unit(rng, 9), remove=[ids[0]])
            store.upsert([ids[0]], unit(rng, 1))
            assert store.count() == 200
    finally:
        done.set()
        for thread in readers:
            thread.join()
    assert errors == []


def test_a_corrupt_delta_is_skipped_by_searches_and_a_rebuild_recovers(
    filled, path: Path, rng, caplog
) -> None:
    store, stored = filled
    store.upsert([7000], unit(rng, 1))
    delta = next(path.glob("delta-*.npz"))
    delta.write_bytes(b"not a zip file at all")
    reopened = VectorStore(path)
    found = reopened.nearest(stored[1010], limit=5, threshold=-1.0)
    assert found[0][0] == 1010  # the base still answers
    assert "cannot be read" in caplog.text
    with pytest.raises(VectorStoreError, match="reindex"):
        reopened.upsert([7001], unit(rng, 1))
    reopened.replace_all([1, 2], unit(rng, 2))
    assert reopened.ids().tolist() == [1, 2]
    reopened.upsert([3], unit(rng, 1))
    assert reopened.count() == 3


def test_a_truncated_base_is_skipped_by_searches_and_a_rebuild_recovers(
    filled, path: Path, rng, caplog
) -> None:
    store, _stored = filled
    fresh = unit(rng, 1)
    store.upsert([7000], fresh)
    base = next(path.glob("base-*.usearch"))
    base.write_bytes(base.read_bytes()[: base.stat().st_size // 2])
    reopened = VectorStore(path)
    assert reopened.nearest(fresh[0], limit=5, threshold=0.5) == [
        (7000, pytest.approx(1.0, abs=0.01))
    ]
    assert reopened.vector_of(1010) is None
    assert reopened.ids().tolist() == [7000]
    assert "base" in caplog.text
    # A base overwritten with garbage of the right size is refused too.
    base.write_bytes(b"\xff" * 100_000)
    assert VectorStore(path).nearest(fresh[0], limit=5, threshold=-1.0)[0][0] == 7000
    reopened.replace_all([1], fresh)
    assert reopened.nearest(fresh[0], limit=5, threshold=0.5)[0][0] == 1


def test_a_garbled_manifest_or_missing_folder_answers_nothing(filled, path: Path, rng) -> None:
    store, stored = filled
    (path / "manifest.json").write_text("{not json")
    assert VectorStore(path).nearest(stored[1001], limit=5, threshold=-1.0) == []
    shutil.rmtree(path)
    assert store.nearest(stored[1001], limit=5, threshold=-1.0) == []
    assert store.count() == 0
    store.upsert([1], unit(rng, 1))  # a write makes the folder again
    assert store.ids().tolist() == [1]


@pytest.mark.parametrize(
    ("ids", "shape"),
    [
        ([1, 2], (2, 300)),  # wrong width
        ([1, 2], (3, DIMENSIONS)),  # more vectors than ids
        ([1], (DIMENSIONS,)),  # one flat vector, not a matrix
        ([1.5], (1, DIMENSIONS)),  # not an id
        ([-1], (1, DIMENSIONS)),
    ],
)
def test_bad_input_raises_and_changes_nothing(filled, path: Path, rng, ids, shape) -> None:
    store, _stored = filled
    store.upsert([1001], unit(rng, 1))
    before = files(path)
    bad = rng.standard_normal(shape).astype(np.float32)
    with pytest.raises(ValueError):
        store.upsert(ids, bad)
    with pytest.raises(ValueError):
        store.replace_all(ids, bad)
    with pytest.raises(ValueError), store.bulk() as writer:
        writer.add(ids, bad)
    assert files(path) == before
    assert store.count() == 300


def test_vectors_that_are_not_numbers_are_refused(filled, rng) -> None:
    store, _stored = filled
    nan, zero = unit(rng, 1), np.zeros((1, DIMENSIONS), dtype=np.float32)
    nan[0, 3] = np.nan
    for bad in (nan, zero):
        with pytest.raises(ValueError, match="finite"):
            store.upsert([1], bad)
    with pytest.raises(ValueError, match="query"):
        store.nearest(np.zeros(10, dtype=np.float32), limit=5, threshold=0.0)
    assert store.vector_of(1) is None


def test_vector_of_gives_a_unit_float32_vector(filled, rng) -> None:
    store, stored = filled
    from_base = store.vector_of(1050)
    assert from_base.dtype == np.float32 and from_base.shape == (DIMENSIONS,)
    assert np.linalg.norm(from_base) == pytest.approx(1.0, abs=1e-5)
    assert similarity(from_base, stored[1050]) > 0.99
    fresh = unit(rng, 1)
    store.upsert([1050], fresh)
    from_delta = store.vector_of(1050)
    assert np.linalg.norm(from_delta) == pytest.approx(1.0, abs=1e-5)
    assert similarity(from_delta, fresh[0]) > 0.99
    assert store.vector_of(4242) is None


def test_ids_lists_every_id_with_a_vector(filled, rng) -> None:
    store, _stored = filled
    store.upsert([5, 1001], unit(rng, 2), remove=[1002, 1299])
    ids = store.ids()
    assert ids.dtype == np.int64
    assert ids.tolist() == [5, 1000, 1001, *range(1003, 1299)]


def test_the_old_format_is_served_and_converted_by_the_first_write(path: Path, rng) -> None:
    path.mkdir()
    matrix = unit(rng, 20)
    np.save(path / "ids.npy", np.arange(20, dtype=np.int64))
    np.save(path / "vectors.npy", vectors_module.quantise(matrix))
    store = VectorStore(path)
    assert store.nearest(matrix[4], limit=1, threshold=0.9)[0][0] == 4
    store.upsert([20], unit(rng, 1))
    assert not (path / "ids.npy").exists() and (path / "manifest.json").exists()
    assert store.ids().tolist() == list(range(21))
    assert store.nearest(matrix[4], limit=1, threshold=0.9)[0][0] == 4
