"""`python -m llrc.search.compact_vectors PATH`: fold a vector store's delta into a new base.

VectorStore starts this in a process of its own when the delta of the site's store outgrows
DELTA_LIMIT (see llrc.search.vectors): compacting a million vectors takes seconds and ~700 MB, which
belong neither in a web request nor in the serving process's memory. It needs no Django settings.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from llrc.search.vectors import MANIFEST, VectorStore

logger = logging.getLogger("llrc.search.compact_vectors")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    if len(args) != 1:
        print(
            "usage: python -m llrc.search.compact_vectors PATH-OF-A-VECTOR-STORE", file=sys.stderr
        )
        return 2
    path = Path(args[0])
    if not (path / MANIFEST).is_file():
        print(f"no vector store at {path} (it has no {MANIFEST})", file=sys.stderr)
        return 2
    try:
        compacted = VectorStore(path).compact()
    except Exception:
        logger.exception("compacting %s failed", path)
        return 1
    logger.info("%s: %s", path, "compacted" if compacted else "nothing to compact")
    return 0


if __name__ == "__main__":
    sys.exit(main())
