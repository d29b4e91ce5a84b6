"""Small thread pools that belong to one process.

A forked child (a pre-forking server) inherits a ThreadPoolExecutor's bookkeeping but not its threads, and
would wait forever for work it submits. `pool(name, workers)` gives each process its own pool per name.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

_pools: dict[str, tuple[int, ThreadPoolExecutor]] = {}
_lock = threading.Lock()


def pool(name: str, workers: int) -> ThreadPoolExecutor:
    """The named pool of this process, made on first use. Work submitted to one pool must not wait for
    work in the same pool (it could run out of threads): each use gets its own name."""
    pid = os.getpid()
    found = _pools.get(name)
    if found is None or found[0] != pid:
        with _lock:
            found = _pools.get(name)
            if found is None or found[0] != pid:
                found = (pid, ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name))
                _pools[name] = found
    return found[1]
