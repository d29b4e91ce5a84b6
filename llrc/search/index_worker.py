"""Entry points of the processes that build index documents in parallel (llrc.search.documents).

A spawned worker unpickles these functions before Django is set up, so this module imports nothing from
Django or the models at import time.
"""

from __future__ import annotations

import gc
from typing import Any


def start() -> None:
    import django

    django.setup()
    # Everything imported so far (dictionaries, vocabularies) lives as long as the worker: keep the
    # garbage collector from scanning it again and again (a fifth of the time, measured 2026-11-29).
    gc.freeze()
    # A worker only builds documents, and they form no reference cycles: 40 batches left nothing for a
    # collection to free and the worker's memory flat (measured 2026-11-29). Reference counting frees
    # everything, so the cyclic collector is switched off for the worker's life, not only while a batch
    # is built: re-enabled between batches, it scanned each batch's survivors and the growing caches.
    gc.disable()


_caches: Any = None  # analysed labels and names; the worker lives for one rebuild, and so do they


def build(ids: list[int]) -> list[Any]:
    from llrc.search.documents import _Caches, build_documents

    global _caches
    if _caches is None:
        _caches = _Caches()
    return build_documents(ids, _caches)
